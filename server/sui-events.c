/* sui-events.c: WebSocket /events, fed by PostgreSQL LISTEN/NOTIFY
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One connection of the daemon LISTENs on the channel that the audit log notifies for
 * every change; its socket is watched by the main loop, as in libpq's own example. A
 * client connects with its token (Authorization header or ?token=), which is checked
 * before the handshake is answered: without a valid one the answer is 401. When PostgreSQL goes
 * away the listener reconnects by itself, off the main loop.
 */
#include "sui-events.h"

#include <glib-unix.h>

#include "sui-db.h"
#include "sui-server.h"

#define RECONNECT_SECONDS 2

struct _SuiEvents
{
  SuiServer *server;
  GPtrArray *clients;       /* of Client *, authenticated only */
  PGconn *listen_conn;
  guint watch_id;
  guint reconnect_id;
  GCancellable *cancellable;
};

typedef struct
{
  SuiEvents *events;
  SoupWebsocketConnection *ws;
  SuiUser *user;
  gulong closed_id;
} Client;

static void schedule_reconnect (SuiEvents *events);

static void
client_free (Client *client)
{
  if (client->closed_id != 0)
    g_signal_handler_disconnect (client->ws, client->closed_id);
  g_clear_object (&client->ws);
  g_clear_pointer (&client->user, sui_user_free);
  g_free (client);
}

static void
broadcast (SuiEvents  *events,
           const char *payload)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) message = NULL;
  g_autofree char *text = NULL;

  if (!json_parser_load_from_data (parser, payload, -1, NULL) ||
      json_parser_get_root (parser) == NULL)
    return;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "jsonrpc");
  json_builder_add_string_value (builder, "2.0");
  json_builder_set_member_name (builder, "method");
  json_builder_add_string_value (builder, "changed");
  json_builder_set_member_name (builder, "params");
  json_builder_add_value (builder, json_node_copy (json_parser_get_root (parser)));
  json_builder_end_object (builder);
  message = json_builder_get_root (builder);
  text = json_to_string (message, FALSE);

  for (guint i = 0; i < events->clients->len; i++)
    {
      Client *client = g_ptr_array_index (events->clients, i);

      if (soup_websocket_connection_get_state (client->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_send_text (client->ws, text);
    }
}

static void
drop_listener (SuiEvents *events)
{
  g_clear_handle_id (&events->watch_id, g_source_remove);
  g_clear_pointer (&events->listen_conn, PQfinish);
}

static gboolean
listen_ready (int          fd,
              GIOCondition condition,
              gpointer     user_data)
{
  SuiEvents *events = user_data;
  PGnotify *notify;

  if (!PQconsumeInput (events->listen_conn) || PQstatus (events->listen_conn) != CONNECTION_OK)
    {
      g_message ("lost the database connection that listens for changes; reconnecting");
      events->watch_id = 0;
      g_clear_pointer (&events->listen_conn, PQfinish);
      schedule_reconnect (events);
      return G_SOURCE_REMOVE;
    }

  while ((notify = PQnotifies (events->listen_conn)) != NULL)
    {
      broadcast (events, notify->extra);
      PQfreemem (notify);
    }

  return G_SOURCE_CONTINUE;
}

/* Blocking; runs at start-up and on a worker thread when reconnecting. */
static PGconn *
open_listener (const char  *conninfo,
               GError     **error)
{
  PGconn *conn = sui_db_connect (conninfo, error);
  PGresult *result;

  if (conn == NULL)
    return NULL;

  result = PQexec (conn, "listen " SUI_EVENTS_CHANNEL);
  if (PQresultStatus (result) != PGRES_COMMAND_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "LISTEN failed: %s",
                   PQresultErrorMessage (result));
      PQclear (result);
      PQfinish (conn);
      return NULL;
    }
  PQclear (result);
  PQsetnonblocking (conn, 1);
  return conn;
}

static void
adopt_listener (SuiEvents *events,
                PGconn    *conn)
{
  events->listen_conn = conn;
  events->watch_id = g_unix_fd_add (PQsocket (conn), G_IO_IN | G_IO_HUP | G_IO_ERR,
                                    listen_ready, events);
}

static void
reconnect_in_thread (GTask        *task,
                     gpointer      source,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  GError *error = NULL;
  PGconn *conn = open_listener (task_data, &error);

  if (conn == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, conn, (GDestroyNotify) PQfinish);
}

static void
reconnect_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  SuiEvents *events = user_data;
  g_autoptr(GError) error = NULL;
  PGconn *conn = g_task_propagate_pointer (G_TASK (result), &error);

  if (conn == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        schedule_reconnect (events);
      return;
    }

  g_message ("listening for changes again");
  adopt_listener (events, conn);
}

static gboolean
reconnect_now (gpointer user_data)
{
  SuiEvents *events = user_data;
  g_autoptr(GTask) task = NULL;

  events->reconnect_id = 0;
  task = g_task_new (NULL, events->cancellable, reconnect_done, events);
  g_task_set_source_tag (task, reconnect_now);
  g_task_set_task_data (task, g_strdup (sui_db_get_conninfo (sui_server_get_db (events->server))),
                        g_free);
  g_task_run_in_thread (task, reconnect_in_thread);
  return G_SOURCE_REMOVE;
}

static void
schedule_reconnect (SuiEvents *events)
{
  if (events->reconnect_id == 0)
    events->reconnect_id = g_timeout_add_seconds (RECONNECT_SECONDS, reconnect_now, events);
}

/* ---- WebSocket clients --------------------------------------------------------- */

static void
client_closed (SoupWebsocketConnection *ws,
               Client                  *client)
{
  SuiEvents *events = client->events;

  client->closed_id = 0;
  g_ptr_array_remove (events->clients, client);
}

static char *
token_of (SoupServerMessage *msg)
{
  char *token = sui_server_bearer_token (msg);
  GUri *uri;
  const char *query;

  if (token != NULL)
    return token;

  /* Browsers cannot set headers on a WebSocket, hence the query parameter. */
  uri = soup_server_message_get_uri (msg);
  query = g_uri_get_query (uri);
  if (query != NULL)
    {
      g_autoptr(GHashTable) params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);

      if (params != NULL && g_hash_table_lookup (params, "token") != NULL)
        token = g_strdup (g_hash_table_lookup (params, "token"));
    }
  return token;
}

static void
refuse (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  /* The handshake may already have been accepted in the headers: take that back. */
  soup_message_headers_remove (headers, "Upgrade");
  soup_message_headers_remove (headers, "Sec-WebSocket-Accept");
  soup_message_headers_remove (headers, "Sec-WebSocket-Protocol");
  soup_message_headers_remove (headers, "Sec-WebSocket-Extensions");
  soup_message_headers_replace (headers, "Connection", "close");
  sui_server_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "请先登录");
}

typedef struct
{
  SuiEvents *events;
  SuiPending *pending;
} Handshake;

static void
handshake_authenticated (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  Handshake *handshake = user_data;
  SoupServerMessage *msg = sui_pending_get_message (handshake->pending);
  g_autoptr(GError) error = NULL;
  SuiUser *user;

  user = sui_server_authenticate_finish (handshake->events->server, result, &error);
  if (user == NULL)
    {
      if (!sui_pending_is_gone (handshake->pending))
        refuse (msg);
    }
  else
    g_object_set_data_full (G_OBJECT (msg), "sui-user", user, (GDestroyNotify) sui_user_free);

  sui_pending_finish (handshake->pending);
  g_free (handshake);
}

/* Runs before libsoup answers the WebSocket handshake: the token is checked first, so a
 * client without a valid one gets 401 and never an open socket. */
static void
events_http_handler (SoupServer        *soup,
                     SoupServerMessage *msg,
                     const char        *path,
                     GHashTable        *query,
                     gpointer           user_data)
{
  SuiEvents *events = user_data;
  g_autofree char *token = token_of (msg);
  Handshake *handshake;

  if (token == NULL)
    {
      refuse (msg);
      return;
    }

  handshake = g_new0 (Handshake, 1);
  handshake->events = events;
  handshake->pending = sui_pending_new (msg);
  sui_server_authenticate_async (events->server, token,
                                 sui_pending_get_cancellable (handshake->pending),
                                 handshake_authenticated, handshake);
}

static void
websocket_opened (SoupServer              *soup,
                  SoupServerMessage       *msg,
                  const char              *path,
                  SoupWebsocketConnection *ws,
                  gpointer                 user_data)
{
  SuiEvents *events = user_data;
  SuiUser *user = g_object_steal_data (G_OBJECT (msg), "sui-user");
  Client *client;

  if (user == NULL)
    {
      soup_websocket_connection_close (ws, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "not authenticated");
      return;
    }

  soup_websocket_connection_set_keepalive_interval (ws, 30);

  client = g_new0 (Client, 1);
  client->events = events;
  client->ws = g_object_ref (ws);
  client->user = user;
  client->closed_id = g_signal_connect (ws, "closed", G_CALLBACK (client_closed), client);
  g_ptr_array_add (events->clients, client);
  soup_websocket_connection_send_text (ws, "{\"jsonrpc\":\"2.0\",\"method\":\"ready\",\"params\":{}}");
}

SuiEvents *
sui_events_new (SuiServer *server)
{
  SuiEvents *events = g_new0 (SuiEvents, 1);

  events->server = server;
  events->clients = g_ptr_array_new_with_free_func ((GDestroyNotify) client_free);
  events->cancellable = g_cancellable_new ();
  soup_server_add_handler (sui_server_get_soup (server), "/events",
                           events_http_handler, events, NULL);
  soup_server_add_websocket_handler (sui_server_get_soup (server), "/events", NULL, NULL,
                                     websocket_opened, events, NULL);
  return events;
}

gboolean
sui_events_start (SuiEvents  *events,
                  GError    **error)
{
  g_autoptr(GError) local_error = NULL;
  PGconn *conn;

  conn = open_listener (sui_db_get_conninfo (sui_server_get_db (events->server)), &local_error);
  if (conn == NULL)
    {
      /* Not fatal: the database may come later; the listener keeps trying. */
      g_message ("cannot listen for changes yet: %s", local_error->message);
      schedule_reconnect (events);
      return TRUE;
    }

  adopt_listener (events, conn);
  return TRUE;
}

void
sui_events_free (SuiEvents *events)
{
  if (events == NULL)
    return;
  g_cancellable_cancel (events->cancellable);
  g_clear_handle_id (&events->reconnect_id, g_source_remove);
  drop_listener (events);
  g_ptr_array_unref (events->clients);
  g_object_unref (events->cancellable);
  g_free (events);
}

guint
sui_events_get_n_clients (SuiEvents *events)
{
  return events->clients->len;
}
