/* sui-events-client.c: the WebSocket /events feed of shuangsuid
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server pushes `changed {area, id}` notifications; we pass them on as the "changed"
 * signal. When the connection drops we say so ("disconnected") and try again with a growing
 * delay; after a reconnection "reconnected" tells listeners to reload, since whatever changed
 * in between was not seen.
 */
#include "sui-config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "sui-events-client.h"
#include "sui-rpc-client.h"

struct _SuiEventsClient
{
  GObject parent_instance;

  char *base_url;
  char *token;

  SoupSession *session;
  SoupWebsocketConnection *connection;
  GCancellable *cancellable;
  guint retry_source;

  guint min_backoff_ms;
  guint max_backoff_ms;
  guint backoff_ms;

  guint running : 1;
  guint connected : 1;
  guint disconnected : 1;
  guint was_connected : 1;
};

enum {
  PROP_0,
  PROP_BASE_URL,
  PROP_TOKEN,
  PROP_CONNECTED,
  PROP_DISCONNECTED,
  PROP_MIN_BACKOFF_MS,
  PROP_MAX_BACKOFF_MS,
  N_PROPS
};

enum {
  CHANGED,
  RECONNECTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_TYPE (SuiEventsClient, sui_events_client, G_TYPE_OBJECT)

static void sui_events_client_connect (SuiEventsClient *self);

static void
set_state (SuiEventsClient *self,
           gboolean         connected,
           gboolean         disconnected)
{
  g_object_freeze_notify (G_OBJECT (self));

  if (self->connected != !!connected)
    {
      self->connected = !!connected;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
    }

  if (self->disconnected != !!disconnected)
    {
      self->disconnected = !!disconnected;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISCONNECTED]);
    }

  g_object_thaw_notify (G_OBJECT (self));
}

static void
drop_connection (SuiEventsClient *self)
{
  if (self->connection == NULL)
    return;

  g_signal_handlers_disconnect_by_data (self->connection, self);
  if (soup_websocket_connection_get_state (self->connection) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (self->connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_clear_object (&self->connection);
}

static gboolean
retry_cb (gpointer user_data)
{
  SuiEventsClient *self = user_data;

  self->retry_source = 0;
  sui_events_client_connect (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_retry (SuiEventsClient *self)
{
  if (!self->running || self->retry_source != 0)
    return;

  g_debug ("events: retrying in %u ms", self->backoff_ms);
  self->retry_source = g_timeout_add (self->backoff_ms, retry_cb, self);
  self->backoff_ms = MIN (self->backoff_ms * 2, self->max_backoff_ms);
}

static void
on_message (SoupWebsocketConnection *connection,
            gint                     type,
            GBytes                  *message,
            SuiEventsClient         *self)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;
  JsonObject *object;
  JsonObject *params;
  JsonNode *id_node;
  const char *area;
  g_autofree char *id = NULL;
  gsize length;
  const char *data;

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    return;

  data = g_bytes_get_data (message, &length);
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, length, NULL) ||
      (root = json_parser_get_root (parser)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root))
    return;

  object = json_node_get_object (root);
  if (g_strcmp0 (json_object_get_string_member_with_default (object, "method", NULL),
                 "changed") != 0 ||
      !json_object_has_member (object, "params") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "params")))
    return;

  params = json_object_get_object_member (object, "params");
  area = json_object_get_string_member_with_default (params, "area", NULL);
  if (area == NULL)
    return;

  id_node = json_object_get_member (params, "id");
  if (id_node != NULL && JSON_NODE_HOLDS_VALUE (id_node))
    {
      if (json_node_get_value_type (id_node) == G_TYPE_STRING)
        id = g_strdup (json_node_get_string (id_node));
      else if (json_node_get_value_type (id_node) == G_TYPE_INT64)
        id = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (id_node));
    }

  g_signal_emit (self, signals[CHANGED], g_quark_from_string (area), area, id);
}

static void
on_closed (SoupWebsocketConnection *connection,
           SuiEventsClient         *self)
{
  g_debug ("events: connection closed (code %u)",
           soup_websocket_connection_get_close_code (connection));

  drop_connection (self);
  if (!self->running)
    return;

  set_state (self, FALSE, TRUE);
  schedule_retry (self);
}

static void
on_error (SoupWebsocketConnection *connection,
          GError                  *error,
          SuiEventsClient         *self)
{
  g_debug ("events: %s", error->message);
}

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SuiEventsClient) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupWebsocketConnection) connection = NULL;
  gboolean reconnected;

  connection = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || !self->running)
    return;

  if (connection == NULL)
    {
      g_debug ("events: cannot connect: %s", error->message);
      set_state (self, FALSE, TRUE);
      schedule_retry (self);
      return;
    }

  self->connection = g_steal_pointer (&connection);
  /* Pings both keep proxies from cutting an idle line and let us notice a dead one. */
  soup_websocket_connection_set_keepalive_interval (self->connection, 20);
  g_signal_connect (self->connection, "message", G_CALLBACK (on_message), self);
  g_signal_connect (self->connection, "closed", G_CALLBACK (on_closed), self);
  g_signal_connect (self->connection, "error", G_CALLBACK (on_error), self);

  self->backoff_ms = self->min_backoff_ms;
  reconnected = self->was_connected;
  self->was_connected = TRUE;
  set_state (self, TRUE, FALSE);

  if (reconnected)
    g_signal_emit (self, signals[RECONNECTED], 0);
}

static void
sui_events_client_connect (SuiEventsClient *self)
{
  g_autoptr(SoupMessage) message = NULL;
  g_autofree char *normalized = NULL;
  g_autofree char *url = NULL;

  if (!self->running)
    return;

  normalized = sui_rpc_client_normalize_url (self->base_url, NULL);
  if (normalized == NULL)
    {
      set_state (self, FALSE, TRUE);
      return;
    }

  url = g_strconcat (normalized, "/events", NULL);
  message = soup_message_new (SOUP_METHOD_GET, url);
  if (message == NULL)
    {
      set_state (self, FALSE, TRUE);
      return;
    }

  if (self->token != NULL)
    {
      g_autofree char *authorization = g_strconcat ("Bearer ", self->token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (message),
                                    "Authorization", authorization);
    }

  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  soup_session_websocket_connect_async (self->session, message, NULL, NULL,
                                        G_PRIORITY_DEFAULT, self->cancellable,
                                        connect_cb, g_object_ref (self));
}

void
sui_events_client_start (SuiEventsClient *self)
{
  g_return_if_fail (SUI_IS_EVENTS_CLIENT (self));

  if (self->running)
    return;

  self->running = TRUE;
  self->backoff_ms = self->min_backoff_ms;
  sui_events_client_connect (self);
}

void
sui_events_client_stop (SuiEventsClient *self)
{
  g_return_if_fail (SUI_IS_EVENTS_CLIENT (self));

  self->running = FALSE;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  drop_connection (self);
  set_state (self, FALSE, FALSE);
}

gboolean
sui_events_client_get_connected (SuiEventsClient *self)
{
  g_return_val_if_fail (SUI_IS_EVENTS_CLIENT (self), FALSE);

  return self->connected;
}

gboolean
sui_events_client_get_disconnected (SuiEventsClient *self)
{
  g_return_val_if_fail (SUI_IS_EVENTS_CLIENT (self), FALSE);

  return self->disconnected;
}

SuiEventsClient *
sui_events_client_new (const char *base_url,
                       const char *token)
{
  return g_object_new (SUI_TYPE_EVENTS_CLIENT,
                       "base-url", base_url,
                       "token", token,
                       NULL);
}

static void
sui_events_client_dispose (GObject *object)
{
  SuiEventsClient *self = (SuiEventsClient *)object;

  sui_events_client_stop (self);
  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (sui_events_client_parent_class)->dispose (object);
}

static void
sui_events_client_finalize (GObject *object)
{
  SuiEventsClient *self = (SuiEventsClient *)object;

  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->token, g_free);

  G_OBJECT_CLASS (sui_events_client_parent_class)->finalize (object);
}

static void
sui_events_client_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  SuiEventsClient *self = SUI_EVENTS_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      g_value_set_string (value, self->base_url);
      break;

    case PROP_TOKEN:
      g_value_set_string (value, self->token);
      break;

    case PROP_CONNECTED:
      g_value_set_boolean (value, self->connected);
      break;

    case PROP_DISCONNECTED:
      g_value_set_boolean (value, self->disconnected);
      break;

    case PROP_MIN_BACKOFF_MS:
      g_value_set_uint (value, self->min_backoff_ms);
      break;

    case PROP_MAX_BACKOFF_MS:
      g_value_set_uint (value, self->max_backoff_ms);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sui_events_client_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  SuiEventsClient *self = SUI_EVENTS_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      g_free (self->base_url);
      self->base_url = g_value_dup_string (value);
      break;

    case PROP_TOKEN:
      g_free (self->token);
      self->token = g_value_dup_string (value);
      break;

    case PROP_MIN_BACKOFF_MS:
      self->min_backoff_ms = g_value_get_uint (value);
      break;

    case PROP_MAX_BACKOFF_MS:
      self->max_backoff_ms = g_value_get_uint (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sui_events_client_class_init (SuiEventsClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sui_events_client_dispose;
  object_class->finalize = sui_events_client_finalize;
  object_class->get_property = sui_events_client_get_property;
  object_class->set_property = sui_events_client_set_property;

  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_TOKEN] =
    g_param_spec_string ("token", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_CONNECTED] =
    g_param_spec_boolean ("connected", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* TRUE from a failed attempt or a dropped line until the next successful connection. */
  properties[PROP_DISCONNECTED] =
    g_param_spec_boolean ("disconnected", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_MIN_BACKOFF_MS] =
    g_param_spec_uint ("min-backoff-ms", NULL, NULL, 1, G_MAXUINT, 1000,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS));
  properties[PROP_MAX_BACKOFF_MS] =
    g_param_spec_uint ("max-backoff-ms", NULL, NULL, 1, G_MAXUINT, 30000,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  signals[RECONNECTED] =
    g_signal_new ("reconnected",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
sui_events_client_init (SuiEventsClient *self)
{
  self->session = g_object_new (SOUP_TYPE_SESSION,
                                "user-agent", "shuangsui/" SUI_VERSION,
                                NULL);
}
