/* sui-fake-server.c: an in-process stand-in for shuangsuid in client tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A SoupServer on 127.0.0.1 with canned answers per method, queued in order (the last one
 * stays), that records what it was asked. It also serves /events so the WebSocket client can
 * be tested against disconnections. The real daemon is exercised by the end-to-end test; this
 * one makes the error paths reproducible.
 */
#include "sui-config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "sui-fake-server.h"

struct _SuiFakeServer
{
  SoupServer *server;
  char *url;
  GHashTable *replies;   /* method → GQueue of fragments */
  GHashTable *calls;     /* method → call count */
  GHashTable *params;    /* method → JsonObject of the last call */
  GPtrArray *event_clients;
  char *last_authorization;
  guint http_status;
};

static void
queue_free (gpointer data)
{
  g_queue_free_full (data, g_free);
}

static void
rpc_handler (SoupServer        *server,
             SoupServerMessage *message,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  SuiFakeServer *self = user_data;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GBytes) body = NULL;
  g_autofree char *answer = NULL;
  SoupMessageBody *request_body;
  const char *authorization;
  const char *method;
  const char *fragment = NULL;
  JsonObject *request;
  GQueue *queue;
  gint64 id;

  if (self->http_status != 0)
    {
      soup_server_message_set_status (message, self->http_status, NULL);
      return;
    }

  authorization = soup_message_headers_get_one (soup_server_message_get_request_headers (message),
                                                "Authorization");
  g_free (self->last_authorization);
  self->last_authorization = g_strdup (authorization);

  request_body = soup_server_message_get_request_body (message);
  body = soup_message_body_flatten (request_body);
  if (!json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                   g_bytes_get_size (body), NULL))
    {
      soup_server_message_set_status (message, 400, NULL);
      return;
    }

  request = json_node_get_object (json_parser_get_root (parser));
  method = json_object_get_string_member (request, "method");
  id = json_object_get_int_member (request, "id");

  g_hash_table_insert (self->calls, g_strdup (method),
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (self->calls,
                                                                                method)) + 1));
  if (json_object_has_member (request, "params"))
    g_hash_table_insert (self->params, g_strdup (method),
                         json_object_ref (json_object_get_object_member (request, "params")));

  queue = g_hash_table_lookup (self->replies, method);
  if (queue != NULL && g_queue_get_length (queue) > 1)
    {
      g_autofree char *taken = g_queue_pop_head (queue);

      answer = g_strdup_printf ("{\"jsonrpc\":\"2.0\",%s,\"id\":%" G_GINT64_FORMAT "}", taken, id);
    }
  else
    {
      fragment = queue != NULL ? g_queue_peek_head (queue) : NULL;
      if (fragment == NULL)
        fragment = "\"error\":{\"code\":-32601,\"message\":\"no such method\"}";
      answer = g_strdup_printf ("{\"jsonrpc\":\"2.0\",%s,\"id\":%" G_GINT64_FORMAT "}",
                                fragment, id);
    }

  soup_server_message_set_status (message, 200, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY,
                                    answer, strlen (answer));
}

static void
on_event_client_closed (SoupWebsocketConnection *connection,
                        SuiFakeServer           *self)
{
  g_ptr_array_remove (self->event_clients, connection);
}

static void
events_handler (SoupServer              *server,
                SoupServerMessage       *message,
                const char              *path,
                SoupWebsocketConnection *connection,
                gpointer                 user_data)
{
  SuiFakeServer *self = user_data;
  const char *authorization;

  authorization = soup_message_headers_get_one (soup_server_message_get_request_headers (message),
                                                "Authorization");
  g_free (self->last_authorization);
  self->last_authorization = g_strdup (authorization);

  g_ptr_array_add (self->event_clients, g_object_ref (connection));
  g_signal_connect (connection, "closed", G_CALLBACK (on_event_client_closed), self);
}

SuiFakeServer *
sui_fake_server_new (void)
{
  g_autoptr(GError) error = NULL;
  SuiFakeServer *self = g_new0 (SuiFakeServer, 1);
  GSList *uris;

  self->server = soup_server_new (NULL, NULL);
  self->replies = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, queue_free);
  self->calls = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) json_object_unref);
  self->event_clients = g_ptr_array_new_with_free_func (g_object_unref);

  soup_server_add_handler (self->server, "/rpc", rpc_handler, self, NULL);
  soup_server_add_websocket_handler (self->server, "/events", NULL, NULL,
                                     events_handler, self, NULL);

  if (!soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    g_error ("fake server cannot listen: %s", error->message);

  uris = soup_server_get_uris (self->server);
  self->url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  return self;
}

void
sui_fake_server_free (SuiFakeServer *self)
{
  for (guint i = 0; i < self->event_clients->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->event_clients, i), self);
  g_ptr_array_unref (self->event_clients);
  soup_server_disconnect (self->server);
  g_object_unref (self->server);
  g_hash_table_unref (self->replies);
  g_hash_table_unref (self->calls);
  g_hash_table_unref (self->params);
  g_free (self->last_authorization);
  g_free (self->url);
  g_free (self);
}

const char *
sui_fake_server_get_url (SuiFakeServer *self)
{
  return self->url;
}

/* @fragment: `"result": …` or `"error": {…}`, the members beside jsonrpc and id */
void
sui_fake_server_reply (SuiFakeServer *self,
                       const char    *method,
                       const char    *fragment)
{
  GQueue *queue = g_hash_table_lookup (self->replies, method);

  if (queue == NULL)
    {
      queue = g_queue_new ();
      g_hash_table_insert (self->replies, g_strdup (method), queue);
    }

  g_queue_push_tail (queue, g_strdup (fragment));
}

void
sui_fake_server_clear_replies (SuiFakeServer *self,
                               const char    *method)
{
  g_hash_table_remove (self->replies, method);
}

void
sui_fake_server_set_http_status (SuiFakeServer *self,
                                 guint          status)
{
  self->http_status = status;
}

guint
sui_fake_server_count_calls (SuiFakeServer *self,
                             const char    *method)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->calls, method));
}

JsonObject *
sui_fake_server_get_last_params (SuiFakeServer *self,
                                 const char    *method)
{
  return g_hash_table_lookup (self->params, method);
}

const char *
sui_fake_server_get_last_authorization (SuiFakeServer *self)
{
  return self->last_authorization;
}

guint
sui_fake_server_get_n_event_clients (SuiFakeServer *self)
{
  return self->event_clients->len;
}

void
sui_fake_server_send_event (SuiFakeServer *self,
                            const char    *area,
                            const char    *id)
{
  g_autofree char *text =
    g_strdup_printf ("{\"jsonrpc\":\"2.0\",\"method\":\"changed\","
                     "\"params\":{\"area\":\"%s\",\"id\":\"%s\"}}", area, id);

  for (guint i = 0; i < self->event_clients->len; i++)
    soup_websocket_connection_send_text (g_ptr_array_index (self->event_clients, i), text);
}

void
sui_fake_server_close_events (SuiFakeServer *self)
{
  g_autoptr(GPtrArray) clients = g_ptr_array_new_with_free_func (g_object_unref);

  /* Closing emits "closed", which takes the connection out of event_clients. */
  for (guint i = 0; i < self->event_clients->len; i++)
    g_ptr_array_add (clients, g_object_ref (g_ptr_array_index (self->event_clients, i)));
  for (guint i = 0; i < clients->len; i++)
    soup_websocket_connection_close (g_ptr_array_index (clients, i),
                                     SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
}

static gboolean
timeout_cb (gpointer data)
{
  gboolean *timed_out = data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main context until predicate (data) holds; fails the test after timeout_ms. */
void
sui_test_wait_until (gboolean (*predicate) (gpointer),
                     gpointer   data,
                     guint      timeout_ms)
{
  gboolean timed_out = FALSE;
  guint source = g_timeout_add (timeout_ms, timeout_cb, &timed_out);

  while (!predicate (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (timed_out)
    g_error ("timed out after %u ms", timeout_ms);

  g_source_remove (source);
}
