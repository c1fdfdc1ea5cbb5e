/* sui-rpc-client.c: asynchronous JSON-RPC client of shuangsuid
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every call is one POST /rpc on a shared SoupSession; nothing here ever blocks the main loop.
 */
#include "sui-config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <string.h>

#include "sui-rpc-client.h"

struct _SuiRpcClient
{
  GObject parent_instance;

  SoupSession *session;
  char *base_url;
  char *token;
  gint64 next_id;
};

enum {
  PROP_0,
  PROP_BASE_URL,
  PROP_TOKEN,
  N_PROPS
};

enum {
  UNAUTHORIZED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_TYPE (SuiRpcClient, sui_rpc_client, G_TYPE_OBJECT)
G_DEFINE_QUARK (sui-rpc-client-error-quark, sui_rpc_client_error)

typedef struct
{
  char *method;
  gboolean had_token;
} CallData;

static void
call_data_free (gpointer data)
{
  CallData *call = data;

  g_free (call->method);
  g_free (call);
}

static void
sui_rpc_client_dispose (GObject *object)
{
  SuiRpcClient *self = (SuiRpcClient *)object;

  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (sui_rpc_client_parent_class)->dispose (object);
}

static void
sui_rpc_client_finalize (GObject *object)
{
  SuiRpcClient *self = (SuiRpcClient *)object;

  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->token, g_free);

  G_OBJECT_CLASS (sui_rpc_client_parent_class)->finalize (object);
}

static void
sui_rpc_client_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  SuiRpcClient *self = SUI_RPC_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      g_value_set_string (value, self->base_url);
      break;

    case PROP_TOKEN:
      g_value_set_string (value, self->token);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sui_rpc_client_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  SuiRpcClient *self = SUI_RPC_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      sui_rpc_client_set_base_url (self, g_value_get_string (value));
      break;

    case PROP_TOKEN:
      sui_rpc_client_set_token (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sui_rpc_client_class_init (SuiRpcClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sui_rpc_client_dispose;
  object_class->finalize = sui_rpc_client_finalize;
  object_class->get_property = sui_rpc_client_get_property;
  object_class->set_property = sui_rpc_client_set_property;

  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL,
                         SUI_DEFAULT_SERVER_URL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_TOKEN] =
    g_param_spec_string ("token", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A call that carried a token was refused as not authenticated: the session has expired
   * or was revoked, and the application goes back to its login window. */
  signals[UNAUTHORIZED] =
    g_signal_new ("unauthorized",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
sui_rpc_client_init (SuiRpcClient *self)
{
  self->base_url = g_strdup (SUI_DEFAULT_SERVER_URL);
  self->next_id = 1;
  self->session = g_object_new (SOUP_TYPE_SESSION,
                                "timeout", 30,
                                "idle-timeout", 60,
                                "user-agent", "shuangsui/" SUI_VERSION,
                                NULL);
}

SuiRpcClient *
sui_rpc_client_new (const char *base_url)
{
  return g_object_new (SUI_TYPE_RPC_CLIENT,
                       "base-url", base_url,
                       NULL);
}

const char *
sui_rpc_client_get_base_url (SuiRpcClient *self)
{
  g_return_val_if_fail (SUI_IS_RPC_CLIENT (self), NULL);

  return self->base_url;
}

void
sui_rpc_client_set_base_url (SuiRpcClient *self,
                             const char   *base_url)
{
  g_autofree char *normalized = NULL;

  g_return_if_fail (SUI_IS_RPC_CLIENT (self));

  if (base_url == NULL)
    base_url = SUI_DEFAULT_SERVER_URL;

  /* Keep what the user typed when it does not parse: the call then fails with BAD_URL. */
  normalized = sui_rpc_client_normalize_url (base_url, NULL);
  if (normalized == NULL)
    normalized = g_strdup (base_url);

  if (g_strcmp0 (normalized, self->base_url) == 0)
    return;

  g_free (self->base_url);
  self->base_url = g_steal_pointer (&normalized);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BASE_URL]);
}

const char *
sui_rpc_client_get_token (SuiRpcClient *self)
{
  g_return_val_if_fail (SUI_IS_RPC_CLIENT (self), NULL);

  return self->token;
}

void
sui_rpc_client_set_token (SuiRpcClient *self,
                          const char   *token)
{
  g_return_if_fail (SUI_IS_RPC_CLIENT (self));

  if (g_strcmp0 (token, self->token) == 0)
    return;

  g_free (self->token);
  self->token = g_strdup (token);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOKEN]);
}

/* Accepts what people type: "host:port", "http://host:port/", with or without a path.
 * Gives back "scheme://host[:port][/path]" without a trailing slash. */
char *
sui_rpc_client_normalize_url (const char  *text,
                              GError     **error)
{
  g_autofree char *stripped = NULL;
  g_autofree char *with_scheme = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  const char *path;
  g_autofree char *host_part = NULL;
  g_autofree char *trimmed_path = NULL;

  stripped = g_strstrip (g_strdup (text != NULL ? text : ""));
  if (stripped[0] == '\0')
    {
      g_set_error_literal (error, SUI_RPC_CLIENT_ERROR, SUI_RPC_CLIENT_ERROR_BAD_URL,
                           _("Enter the server address, for example http://127.0.0.1:8470."));
      return NULL;
    }

  if (strstr (stripped, "://") == NULL)
    with_scheme = g_strconcat ("http://", stripped, NULL);
  else
    with_scheme = g_strdup (stripped);

  uri = g_uri_parse (with_scheme, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL ||
      g_uri_get_host (uri) == NULL ||
      g_uri_get_host (uri)[0] == '\0')
    {
      g_set_error_literal (error, SUI_RPC_CLIENT_ERROR, SUI_RPC_CLIENT_ERROR_BAD_URL,
                           _("The server address is not valid. "
                             "Enter it like http://127.0.0.1:8470."));
      return NULL;
    }

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0)
    {
      g_set_error_literal (error, SUI_RPC_CLIENT_ERROR, SUI_RPC_CLIENT_ERROR_BAD_URL,
                           _("The server address must start with http:// or https://."));
      return NULL;
    }

  path = g_uri_get_path (uri);
  trimmed_path = g_strdup (path != NULL ? path : "");
  while (trimmed_path[0] != '\0' && g_str_has_suffix (trimmed_path, "/"))
    trimmed_path[strlen (trimmed_path) - 1] = '\0';

  if (strchr (g_uri_get_host (uri), ':') != NULL)
    host_part = g_strdup_printf ("[%s]", g_uri_get_host (uri));
  else
    host_part = g_ascii_strdown (g_uri_get_host (uri), -1);

  if (g_uri_get_port (uri) > 0)
    return g_strdup_printf ("%s://%s:%d%s", scheme, host_part, g_uri_get_port (uri), trimmed_path);
  else
    return g_strdup_printf ("%s://%s%s", scheme, host_part, trimmed_path);
}

char *
sui_rpc_client_describe_error (const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain == SUI_RPC_CLIENT_ERROR)
    {
      switch ((SuiRpcClientError) error->code)
        {
        case SUI_RPC_CLIENT_ERROR_UNREACHABLE:
          return g_strdup (_("Cannot reach the server. Check the server address and the network."));

        case SUI_RPC_CLIENT_ERROR_HTTP:
        case SUI_RPC_CLIENT_ERROR_BAD_URL:
        default:
          return g_strdup (error->message);
        }
    }

  if (error->domain == SUI_RPC_ERROR)
    {
      switch (error->code)
        {
        case SUI_RPC_ERROR_CONFLICT:
          return g_strdup (_("This record was changed by someone else. It has been reloaded; "
                             "please try again."));

        case SUI_RPC_ERROR_PARSE:
        case SUI_RPC_ERROR_INVALID_REQUEST:
        case SUI_RPC_ERROR_METHOD_NOT_FOUND:
          /* Our own request was wrong: a version mismatch between client and server. */
          return g_strdup_printf (_("The server could not handle the request (%s). "
                                    "The client may not match the server version."),
                                  error->message);

        default:
          return g_strdup (error->message);
        }
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_strdup (_("The operation was cancelled."));

  return g_strdup (error->message);
}

static void
sui_rpc_client_call_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  SoupSession *session = (SoupSession *)object;
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) error_data = NULL;
  SuiRpcClient *self = g_task_get_source_object (task);
  CallData *call = g_task_get_task_data (task);
  SoupMessage *message;
  guint status;
  const char *body;
  gsize length;

  bytes = soup_session_send_and_read_finish (session, result, &error);
  message = soup_session_get_async_result_message (session, result);

  if (bytes == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }

      g_debug ("%s: transport failure: %s", call->method, error->message);
      g_task_return_new_error (task, SUI_RPC_CLIENT_ERROR, SUI_RPC_CLIENT_ERROR_UNREACHABLE,
                               "%s", error->message);
      return;
    }

  status = message != NULL ? soup_message_get_status (message) : 0;

  if (status == SOUP_STATUS_NO_CONTENT)
    {
      g_task_return_pointer (task, json_node_new (JSON_NODE_NULL),
                             (GDestroyNotify) json_node_unref);
      return;
    }

  if (status != SOUP_STATUS_OK)
    {
      g_task_return_new_error (task, SUI_RPC_CLIENT_ERROR, SUI_RPC_CLIENT_ERROR_HTTP,
                               _("The server gave an unexpected answer (HTTP %u). "
                                 "Check that the address points to a Shuangsui server."),
                               status);
      return;
    }

  body = g_bytes_get_data (bytes, &length);
  if (!sui_rpc_parse_response (body, length, &node, &error_data, &error))
    {
      if (error->domain == SUI_RPC_ERROR &&
          error->code == SUI_RPC_ERROR_NOT_AUTHENTICATED &&
          call->had_token)
        g_signal_emit (self, signals[UNAUTHORIZED], 0);

      if (error_data != NULL)
        g_object_set_data_full (G_OBJECT (task), "error-data",
                                g_steal_pointer (&error_data),
                                (GDestroyNotify) json_node_unref);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&node), (GDestroyNotify) json_node_unref);
}

/**
 * sui_rpc_client_call_async:
 * @params: (nullable): an object node with the params by name; the client copies it
 */
void
sui_rpc_client_call_async (SuiRpcClient        *self,
                           const char          *method,
                           JsonNode            *params,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *normalized = NULL;
  char *text;
  CallData *call;

  g_return_if_fail (SUI_IS_RPC_CLIENT (self));
  g_return_if_fail (method != NULL);
  g_return_if_fail (params == NULL || JSON_NODE_HOLDS_OBJECT (params));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sui_rpc_client_call_async);

  call = g_new0 (CallData, 1);
  call->method = g_strdup (method);
  call->had_token = self->token != NULL;
  g_task_set_task_data (task, call, call_data_free);

  normalized = sui_rpc_client_normalize_url (self->base_url, &error);
  if (normalized == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  url = g_strconcat (normalized, "/rpc", NULL);
  message = soup_message_new (SOUP_METHOD_POST, url);
  if (message == NULL)
    {
      g_task_return_new_error (task, SUI_RPC_CLIENT_ERROR, SUI_RPC_CLIENT_ERROR_BAD_URL,
                               _("The server address is not valid. "
                                 "Enter it like http://127.0.0.1:8470."));
      return;
    }

  text = sui_rpc_request_to_string (method, params, self->next_id++);
  body = g_bytes_new_take (text, strlen (text));
  soup_message_set_request_body_from_bytes (message, "application/json", body);

  if (self->token != NULL)
    {
      g_autofree char *authorization = g_strconcat ("Bearer ", self->token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (message),
                                    "Authorization", authorization);
    }

  soup_session_send_and_read_async (self->session,
                                    message,
                                    G_PRIORITY_DEFAULT,
                                    cancellable,
                                    sui_rpc_client_call_cb,
                                    g_steal_pointer (&task));
}

/**
 * sui_rpc_client_call_finish:
 * @error_data: (out) (optional) (transfer full): the `data` member of a JSON-RPC error
 *
 * Returns: (transfer full): the `result` node, or %NULL with @error set
 */
JsonNode *
sui_rpc_client_call_finish (SuiRpcClient  *self,
                            GAsyncResult  *result,
                            JsonNode     **error_data,
                            GError       **error)
{
  JsonNode *node;

  g_return_val_if_fail (SUI_IS_RPC_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  if (error_data != NULL)
    *error_data = NULL;

  node = g_task_propagate_pointer (G_TASK (result), error);

  if (node == NULL && error_data != NULL)
    {
      JsonNode *data = g_object_get_data (G_OBJECT (result), "error-data");

      if (data != NULL)
        *error_data = json_node_ref (data);
    }

  return node;
}

/* Uploads: PUT /files with the file streamed as the body, so a large CSV never sits in memory
 * whole. The size is asked first: a known Content-Length lets the server refuse an oversize
 * file (413) before any of it is sent. */

static void
upload_sent_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  SoupSession *session = (SoupSession *)object;
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  SuiRpcClient *self = g_task_get_source_object (task);
  SoupMessage *message;
  JsonNode *root;
  guint status;

  bytes = soup_session_send_and_read_finish (session, result, &error);
  message = soup_session_get_async_result_message (session, result);

  if (bytes == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, SUI_RPC_CLIENT_ERROR, SUI_RPC_CLIENT_ERROR_UNREACHABLE,
                                 "%s", error->message);
      return;
    }

  status = message != NULL ? soup_message_get_status (message) : 0;
  if (status == SOUP_STATUS_UNAUTHORIZED)
    {
      g_signal_emit (self, signals[UNAUTHORIZED], 0);
      g_task_return_new_error (task, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_AUTHENTICATED,
                               _("Your session has ended. Please log in again."));
      return;
    }
  if (status == SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE)
    {
      g_task_return_new_error (task, SUI_RPC_CLIENT_ERROR, SUI_RPC_CLIENT_ERROR_HTTP,
                               _("The file is larger than the server accepts. "
                                 "Split it into smaller files and import them one by one."));
      return;
    }
  if (status != SOUP_STATUS_CREATED && status != SOUP_STATUS_OK)
    {
      g_task_return_new_error (task, SUI_RPC_CLIENT_ERROR, SUI_RPC_CLIENT_ERROR_HTTP,
                               _("The server gave an unexpected answer (HTTP %u). "
                                 "Check that the address points to a Shuangsui server."),
                               status);
      return;
    }

  if (!json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL),
                                   g_bytes_get_size (bytes), NULL) ||
      (root = json_parser_get_root (parser)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_task_return_new_error (task, SUI_RPC_CLIENT_ERROR, SUI_RPC_CLIENT_ERROR_HTTP,
                               _("The server gave an unexpected answer (HTTP %u). "
                                 "Check that the address points to a Shuangsui server."),
                               status);
      return;
    }

  g_task_return_pointer (task, json_object_ref (json_node_get_object (root)),
                         (GDestroyNotify) json_object_unref);
}

static void
upload_opened_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GFile *file = G_FILE (object);
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autofree char *url = NULL;
  g_autofree char *normalized = NULL;
  g_autofree char *basename = NULL;
  g_autofree char *escaped = NULL;
  SuiRpcClient *self = g_task_get_source_object (task);
  goffset *size = g_task_get_task_data (task);
  SoupMessageHeaders *headers;

  stream = g_file_read_finish (file, result, &error);
  if (stream == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  normalized = sui_rpc_client_normalize_url (self->base_url, &error);
  if (normalized == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  url = g_strconcat (normalized, "/files", NULL);
  message = soup_message_new (SOUP_METHOD_PUT, url);
  if (message == NULL)
    {
      g_task_return_new_error (task, SUI_RPC_CLIENT_ERROR, SUI_RPC_CLIENT_ERROR_BAD_URL,
                               _("The server address is not valid. "
                                 "Enter it like http://127.0.0.1:8470."));
      return;
    }

  soup_message_set_request_body (message, "text/csv", G_INPUT_STREAM (stream), *size);
  headers = soup_message_get_request_headers (message);
  basename = g_file_get_basename (file);
  escaped = g_uri_escape_string (basename != NULL ? basename : "upload.csv", NULL, FALSE);
  soup_message_headers_replace (headers, "X-File-Name", escaped);
  if (self->token != NULL)
    {
      g_autofree char *authorization = g_strconcat ("Bearer ", self->token, NULL);

      soup_message_headers_replace (headers, "Authorization", authorization);
    }

  soup_session_send_and_read_async (self->session, message, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task),
                                    upload_sent_cb, g_object_ref (task));
}

static void
upload_info_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GFile *file = G_FILE (object);
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInfo) info = NULL;
  goffset *size;

  info = g_file_query_info_finish (file, result, &error);
  if (info == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  size = g_new (goffset, 1);
  *size = g_file_info_get_size (info);
  g_task_set_task_data (task, size, g_free);

  g_file_read_async (file, G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                     upload_opened_cb, g_object_ref (task));
}

/**
 * sui_rpc_client_upload_async:
 * @file: the file to send to `PUT /files`
 *
 * Finish with sui_rpc_client_upload_finish(), which gives the server's `{id, sha256, size,
 * name}`.
 */
void
sui_rpc_client_upload_async (SuiRpcClient        *self,
                             GFile               *file,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SUI_IS_RPC_CLIENT (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sui_rpc_client_upload_async);

  g_file_query_info_async (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE,
                           G_PRIORITY_DEFAULT, cancellable, upload_info_cb,
                           g_steal_pointer (&task));
}

/**
 * sui_rpc_client_upload_finish:
 *
 * Returns: (transfer full): the stored file `{id, sha256, size, name}`, or %NULL with @error
 */
JsonObject *
sui_rpc_client_upload_finish (SuiRpcClient  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (SUI_IS_RPC_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
