/* sui-server.c: the HTTP front of shuangsuid and the JSON-RPC dispatcher
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The main loop only parses, routes and answers. Each call of a request (or of a
 * batch) becomes one job on the database pool: authenticate the token, check the
 * role, BEGIN, run the handler, COMMIT or ROLLBACK. The message stays paused until
 * every call of its body has come back.
 */
#include "sui-config.h"
#include "sui-server.h"

#include <string.h>

#include "sui-auth.h"
#include "sui-events.h"
#include "sui-files.h"
#include "sui-pg.h"
#include "sui-rpc.h"

struct _SuiServer
{
  SoupServer *soup;
  SuiDb *db;
  SuiSettings settings;
  SuiEvents *events;
};

/* ---- pending messages ---------------------------------------------------------- */

struct _SuiPending
{
  SoupServerMessage *msg;
  GCancellable *cancellable;
  gboolean gone;
  gulong disconnected_id;
  gulong finished_id;
};

static void
pending_client_gone (SoupServerMessage *msg,
                     SuiPending        *pending)
{
  pending->gone = TRUE;
  g_cancellable_cancel (pending->cancellable);
}

SuiPending *
sui_pending_new (SoupServerMessage *msg)
{
  SuiPending *pending = g_new0 (SuiPending, 1);

  pending->msg = g_object_ref (msg);
  pending->cancellable = g_cancellable_new ();
  pending->disconnected_id = g_signal_connect (msg, "disconnected",
                                               G_CALLBACK (pending_client_gone), pending);
  pending->finished_id = g_signal_connect (msg, "finished",
                                           G_CALLBACK (pending_client_gone), pending);
  soup_server_message_pause (msg);
  return pending;
}

gboolean
sui_pending_is_gone (SuiPending *pending)
{
  return pending->gone;
}

GCancellable *
sui_pending_get_cancellable (SuiPending *pending)
{
  return pending->cancellable;
}

SoupServerMessage *
sui_pending_get_message (SuiPending *pending)
{
  return pending->msg;
}

void
sui_pending_finish (SuiPending *pending)
{
  g_signal_handler_disconnect (pending->msg, pending->disconnected_id);
  g_signal_handler_disconnect (pending->msg, pending->finished_id);
  if (!pending->gone)
    soup_server_message_unpause (pending->msg);
  g_object_unref (pending->msg);
  g_object_unref (pending->cancellable);
  g_free (pending);
}

/* ---- small helpers ------------------------------------------------------------- */

void
sui_server_respond_json (SoupServerMessage *msg,
                         guint              status,
                         JsonNode          *node)
{
  gsize length = 0;
  char *text = sui_rpc_to_string (node, &length);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, text, length);
}

void
sui_server_respond_error (SoupServerMessage *msg,
                          guint              status,
                          const char        *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  sui_server_respond_json (msg, status, node);
}

static void
refusal_written (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GIOStream *stream = user_data;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL);
  g_io_stream_close_async (stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  g_object_unref (stream);
}

void
sui_server_refuse_early (SoupServerMessage *msg,
                         guint              status,
                         const char        *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *body = NULL;
  GIOStream *stream;
  GBytes *bytes;
  char *text;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  body = json_to_string (node, FALSE);

  /* libsoup would read the whole announced body before answering; taking the connection
   * over is the only way to answer first. */
  stream = soup_server_message_steal_connection (msg);
  if (stream == NULL)
    {
      sui_server_respond_json (msg, status, node);
      return;
    }

  text = g_strdup_printf ("HTTP/1.1 %u %s\r\n"
                          "Content-Type: application/json\r\n"
                          "Content-Length: %zu\r\n"
                          "Connection: close\r\n\r\n%s",
                          status, soup_status_get_phrase (status), strlen (body), body);
  bytes = g_bytes_new_take (text, strlen (text));
  g_output_stream_write_all_async (g_io_stream_get_output_stream (stream),
                                   g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                   G_PRIORITY_DEFAULT, NULL, refusal_written, stream);
  /* The stream keeps writing from the bytes: tie their life to the stream. */
  g_object_set_data_full (G_OBJECT (stream), "sui-refusal", bytes, (GDestroyNotify) g_bytes_unref);
}

char *
sui_server_bearer_token (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *value = soup_message_headers_get_one (headers, "Authorization");

  if (value == NULL || g_ascii_strncasecmp (value, "Bearer ", 7) != 0)
    return NULL;
  value += 7;
  while (*value == ' ')
    value++;
  if (*value == '\0')
    return NULL;
  return g_strdup (value);
}

/* ---- authentication on a worker ------------------------------------------------ */

static gpointer
authenticate_in_worker (PGconn        *conn,
                        gpointer       data,
                        GCancellable  *cancellable,
                        GError       **error)
{
  return sui_auth_lookup_token (conn, data, error);
}

void
sui_server_authenticate_async (SuiServer           *server,
                               const char          *token,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  sui_db_run_async (server->db, authenticate_in_worker, g_strdup (token), g_free,
                    (GDestroyNotify) sui_user_free, cancellable, callback, user_data);
}

SuiUser *
sui_server_authenticate_finish (SuiServer     *server,
                                GAsyncResult  *result,
                                GError       **error)
{
  return sui_db_run_finish (server->db, result, error);
}

/* ---- one call ------------------------------------------------------------------ */

typedef struct
{
  SuiServer *server;
  const SuiMethod *method;
  char *token;
  JsonNode *params;
  char *peer;
  JsonNode *id;          /* a copy of the request's, for the answer written in the worker */
} CallJob;

typedef struct
{
  char *response;        /* the whole answer as JSON text, when the call succeeded */
  gsize response_length;
  int code;              /* 0 when response holds the answer */
  char *message;
  JsonNode *error_data;
} CallOutcome;

static void
call_job_free (CallJob *job)
{
  g_free (job->token);
  g_clear_pointer (&job->params, json_node_unref);
  g_clear_pointer (&job->id, json_node_unref);
  g_free (job->peer);
  g_free (job);
}

static void
call_outcome_free (CallOutcome *outcome)
{
  g_free (outcome->response);
  g_clear_pointer (&outcome->error_data, json_node_unref);
  g_free (outcome->message);
  g_free (outcome);
}

static void
outcome_set_error (CallOutcome  *outcome,
                   const GError *error)
{
  if (error->domain == SUI_RPC_ERROR)
    {
      outcome->code = error->code;
      outcome->message = g_strdup (error->message);
    }
  else
    {
      /* Anything else is ours to fix, not the caller's to read. */
      g_message ("internal error: %s", error->message);
      outcome->code = SUI_RPC_ERROR_INTERNAL;
      outcome->message = g_strdup ("服务器内部错误，请稍后重试或联系管理员");
    }
}

static gboolean
exec_control (PGconn      *conn,
              const char  *sql,
              GError     **error)
{
  g_autoptr(PGresult) result = sui_pg_exec (conn, sql, 0, NULL, error);

  return result != NULL;
}

static gpointer
run_call (PGconn        *conn,
          gpointer       data,
          GCancellable  *cancellable,
          GError       **error)
{
  CallJob *job = data;
  CallOutcome *outcome = g_new0 (CallOutcome, 1);
  g_autoptr(SuiUser) user = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) empty = NULL;
  SuiCall call = { 0 };
  JsonNode *result;

  if (job->method->roles != SUI_ROLE_PUBLIC)
    {
      if (job->token == NULL)
        {
          outcome->code = SUI_RPC_ERROR_NOT_AUTHENTICATED;
          outcome->message = g_strdup ("请先登录");
          return outcome;
        }

      user = sui_auth_lookup_token (conn, job->token, &local_error);
      if (user == NULL)
        {
          if (local_error == NULL)
            g_set_error_literal (&local_error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_AUTHENTICATED,
                                 "登录已失效，请重新登录");
          outcome_set_error (outcome, local_error);
          return outcome;
        }

      if ((user->role & job->method->roles) == 0)
        {
          outcome->code = SUI_RPC_ERROR_FORBIDDEN;
          outcome->message = g_strdup ("您的角色没有执行此操作的权限");
          return outcome;
        }
    }

  if (job->params == NULL)
    {
      empty = json_node_init_object (json_node_alloc (), json_object_new ());
      json_object_unref (json_node_get_object (empty));
    }

  call.conn = conn;
  call.method = job->method->name;
  call.params = json_node_get_object (job->params != NULL ? job->params : empty);
  call.user = user;
  call.peer = job->peer;
  call.server = job->server;

  if (!job->method->no_transaction &&
      !exec_control (conn, job->method->writes ? "begin" : "begin read only", &local_error))
    {
      outcome_set_error (outcome, local_error);
      return outcome;
    }

  result = job->method->handler (&call, &local_error);

  if (local_error == NULL)
    {
      if (!job->method->no_transaction && !exec_control (conn, "commit", &local_error))
        {
          g_clear_pointer (&result, json_node_unref);
          outcome_set_error (outcome, local_error);
        }
      else
        {
          /* Written out here, in the worker: an answer of millions of values (a match's
           * record) takes a while to encode, and the main loop serves everyone else. */
          g_autoptr(JsonNode) response = sui_rpc_result_new (job->id, result);

          outcome->response = sui_rpc_to_string (response, &outcome->response_length);
        }
    }
  else
    {
      g_clear_pointer (&result, json_node_unref);
      if (!job->method->no_transaction && PQstatus (conn) == CONNECTION_OK)
        {
          g_autoptr(GError) end_error = NULL;

          exec_control (conn, call.commit_on_error ? "commit" : "rollback", &end_error);
        }
      outcome_set_error (outcome, local_error);
      outcome->error_data = g_steal_pointer (&call.error_data);
    }

  g_clear_pointer (&call.error_data, json_node_unref);
  return outcome;
}

/* ---- a POST /rpc exchange ------------------------------------------------------ */

typedef struct
{
  SuiServer *server;
  SuiPending *pending;
  gboolean is_batch;
  GPtrArray *responses;     /* GBytes * (an answer's JSON text) or NULL, one per request */
  guint outstanding;
  gint64 started;           /* monotonic µs, the body received */
} Exchange;

typedef struct
{
  Exchange *exchange;
  guint index;
  JsonNode *id;
  gboolean notification;
} Slot;

/* Notifications leave their slot empty. */
static void
response_free (gpointer bytes)
{
  if (bytes != NULL)
    g_bytes_unref (bytes);
}

static void
exchange_complete (Exchange *exchange)
{
  SoupServerMessage *msg = sui_pending_get_message (exchange->pending);

  if (!sui_pending_is_gone (exchange->pending))
    {
      g_autoptr(GBytes) body = NULL;

      if (exchange->is_batch)
        {
          g_autoptr(GByteArray) array = g_byte_array_new ();

          for (guint i = 0; i < exchange->responses->len; i++)
            {
              GBytes *response = g_ptr_array_index (exchange->responses, i);
              gsize length;
              const guint8 *data;

              if (response == NULL)
                continue;
              data = g_bytes_get_data (response, &length);
              g_byte_array_append (array, (const guint8 *) (array->len == 0 ? "[" : ","), 1);
              g_byte_array_append (array, data, length);
            }
          if (array->len > 0)
            {
              g_byte_array_append (array, (const guint8 *) "]", 1);
              body = g_byte_array_free_to_bytes (g_steal_pointer (&array));
            }
        }
      else if (g_ptr_array_index (exchange->responses, 0) != NULL)
        body = g_bytes_ref (g_ptr_array_index (exchange->responses, 0));

      if (body != NULL)
        {
          soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
          soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, NULL, 0);
          soup_message_body_append_bytes (soup_server_message_get_response_body (msg), body);
        }
      else
        soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
      /* The time spent here from the whole body to the encoded answer (W3C Server Timing),
       * so that a benchmark can tell the daemon's share from the network's and its own. */
      {
        char ms[G_ASCII_DTOSTR_BUF_SIZE];
        g_autofree char *value = NULL;

        g_ascii_formatd (ms, sizeof ms, "%.2f",
                         (g_get_monotonic_time () - exchange->started) / 1000.0);
        value = g_strconcat ("app;dur=", ms, NULL);
        soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                      "Server-Timing", value);
      }
    }

  sui_pending_finish (exchange->pending);
  g_ptr_array_unref (exchange->responses);
  g_free (exchange);
}

/* Takes response, the answer's JSON text. */
static void
slot_answer_text (Slot   *slot,
                  char   *response,
                  gsize   length)
{
  Exchange *exchange = slot->exchange;

  if (!slot->notification)
    g_ptr_array_index (exchange->responses, slot->index) = g_bytes_new_take (response, length);
  else
    g_free (response);

  g_clear_pointer (&slot->id, json_node_unref);
  g_free (slot);

  if (--exchange->outstanding == 0)
    exchange_complete (exchange);
}

/* Takes response. */
static void
slot_answer (Slot     *slot,
             JsonNode *response)
{
  g_autoptr(JsonNode) owned = response;
  gsize length = 0;
  char *text = sui_rpc_to_string (owned, &length);

  slot_answer_text (slot, text, length);
}

static void
call_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Slot *slot = user_data;
  g_autoptr(GError) error = NULL;
  CallOutcome *outcome;
  JsonNode *response;

  outcome = sui_db_run_finish (slot->exchange->server->db, result, &error);
  if (outcome == NULL)
    {
      CallOutcome failed = { 0 };

      outcome_set_error (&failed, error);
      response = sui_rpc_error_new (slot->id, failed.code, failed.message, NULL);
      g_free (failed.message);
    }
  else if (outcome->code != 0)
    {
      response = sui_rpc_error_new (slot->id, outcome->code, outcome->message,
                                    g_steal_pointer (&outcome->error_data));
      call_outcome_free (outcome);
    }
  else
    {
      char *text = g_steal_pointer (&outcome->response);
      gsize length = outcome->response_length;

      call_outcome_free (outcome);
      slot_answer_text (slot, text, length);
      return;
    }

  slot_answer (slot, response);
}

/* A public method that touches no database (system.*) answers on the spot: it keeps
 * working while PostgreSQL is away, and costs no trip through the pool. */
static void
answer_inline (Slot            *slot,
               const SuiMethod *method,
               SuiRpcRequest   *request,
               const char      *peer)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) empty = NULL;
  SuiCall call = { 0 };
  JsonNode *result;

  if (request->params == NULL)
    {
      empty = json_node_init_object (json_node_alloc (), json_object_new ());
      json_object_unref (json_node_get_object (empty));
    }

  call.method = method->name;
  call.params = json_node_get_object (request->params != NULL ? request->params : empty);
  call.peer = peer;
  call.server = slot->exchange->server;

  result = method->handler (&call, &error);
  if (error != NULL)
    {
      CallOutcome failed = { 0 };

      outcome_set_error (&failed, error);
      slot_answer (slot, sui_rpc_error_new (slot->id, failed.code, failed.message,
                                            g_steal_pointer (&call.error_data)));
      g_free (failed.message);
      g_clear_pointer (&result, json_node_unref);
    }
  else
    slot_answer (slot, sui_rpc_result_new (slot->id, result));
  g_clear_pointer (&call.error_data, json_node_unref);
}

static void
dispatch_request (Exchange          *exchange,
                  guint              index,
                  SuiRpcRequest     *request,
                  const char        *token,
                  const char        *peer)
{
  Slot *slot = g_new0 (Slot, 1);
  const SuiMethod *method;
  CallJob *job;

  slot->exchange = exchange;
  slot->index = index;
  slot->id = request->id != NULL ? json_node_ref (request->id) : NULL;
  slot->notification = sui_rpc_request_is_notification (request);

  if (request->error != NULL)
    {
      slot_answer (slot, sui_rpc_error_new (slot->id, request->error->code,
                                            request->error->message, NULL));
      return;
    }

  method = sui_methods_lookup (request->method);
  if (method == NULL)
    {
      g_autofree char *message = g_strdup_printf ("Method not found: %s", request->method);

      slot_answer (slot, sui_rpc_error_new (slot->id, SUI_RPC_ERROR_METHOD_NOT_FOUND,
                                            message, NULL));
      return;
    }

  if (method->roles == SUI_ROLE_PUBLIC && method->no_transaction)
    {
      answer_inline (slot, method, request, peer);
      return;
    }

  job = g_new0 (CallJob, 1);
  job->server = exchange->server;
  job->method = method;
  job->token = g_strdup (token);
  job->params = request->params != NULL ? json_node_ref (request->params) : NULL;
  job->peer = g_strdup (peer);
  job->id = request->id != NULL ? json_node_copy (request->id) : NULL;

  sui_db_run_async (exchange->server->db, run_call, job, (GDestroyNotify) call_job_free,
                    (GDestroyNotify) call_outcome_free,
                    sui_pending_get_cancellable (exchange->pending), call_done, slot);
}

/* ---- body limits: read chunk by chunk so an oversized body is never held -------- */

typedef struct
{
  GByteArray *body;
  guint64 limit;
  gboolean too_large;
} BodyState;

static void
body_state_free (BodyState *state)
{
  g_byte_array_unref (state->body);
  g_free (state);
}

static void
rpc_got_chunk (SoupServerMessage *msg,
               GBytes            *chunk,
               BodyState         *state)
{
  gsize size = g_bytes_get_size (chunk);

  if (state->too_large || state->body->len + size > state->limit)
    {
      state->too_large = TRUE;
      return;
    }
  g_byte_array_append (state->body, g_bytes_get_data (chunk, NULL), size);
}

static gboolean
content_type_is_json (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *type = soup_message_headers_get_content_type (headers, NULL);

  return type != NULL && g_ascii_strcasecmp (type, "application/json") == 0;
}

/* Called when the headers are in, before any of the body is read. */
static void
rpc_early_handler (SoupServer        *soup,
                   SoupServerMessage *msg,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           user_data)
{
  SuiServer *server = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  BodyState *state;
  goffset length;

  if (g_strcmp0 (soup_server_message_get_method (msg), "POST") != 0)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", "POST");
      sui_server_respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "use POST for /rpc");
      return;
    }

  if (!content_type_is_json (msg))
    {
      sui_server_respond_error (msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE,
                                "the body must be application/json");
      return;
    }

  length = soup_message_headers_get_content_length (headers);
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      (guint64) length > server->settings.max_body)
    {
      sui_server_refuse_early (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "the body is too large");
      return;
    }

  state = g_new0 (BodyState, 1);
  state->body = g_byte_array_new ();
  state->limit = server->settings.max_body;
  g_object_set_data_full (G_OBJECT (msg), "sui-body", state, (GDestroyNotify) body_state_free);
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (rpc_got_chunk), state);
}

static void
rpc_handler (SoupServer        *soup,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  SuiServer *server = user_data;
  BodyState *state = g_object_get_data (G_OBJECT (msg), "sui-body");
  gint64 started = g_get_monotonic_time ();
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  const char *peer;
  Exchange *exchange;
  gboolean is_batch = FALSE;
  guint n;

  if (state == NULL)
    return;   /* the early handler already answered */

  if (state->too_large)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Connection", "close");
      sui_server_respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "the body is too large");
      return;
    }

  requests = sui_rpc_parse_body ((const char *) state->body->data, state->body->len,
                                 &is_batch, &error);
  if (requests == NULL)
    {
      g_autoptr(JsonNode) response = sui_rpc_error_new (NULL, error->code, error->message, NULL);

      sui_server_respond_json (msg, SOUP_STATUS_OK, response);
      return;
    }

  token = sui_server_bearer_token (msg);
  peer = soup_server_message_get_remote_host (msg);

  n = requests->len;
  exchange = g_new0 (Exchange, 1);
  exchange->started = started;
  exchange->server = server;
  exchange->is_batch = is_batch;
  exchange->responses = g_ptr_array_new_full (n, response_free);
  g_ptr_array_set_size (exchange->responses, n);
  exchange->outstanding = n;
  exchange->pending = sui_pending_new (msg);

  /* An entry answered at once may complete the exchange: hold one count until the end. */
  exchange->outstanding++;
  for (guint i = 0; i < n; i++)
    dispatch_request (exchange, i, g_ptr_array_index (requests, i), token, peer);
  if (--exchange->outstanding == 0)
    exchange_complete (exchange);
}

static void
default_handler (SoupServer        *soup,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  sui_server_respond_error (msg, SOUP_STATUS_NOT_FOUND, "no such resource; use POST /rpc");
}

/* ---- the server ---------------------------------------------------------------- */

SuiServer *
sui_server_new (SuiDb             *db,
                const SuiSettings *settings)
{
  SuiServer *server = g_new0 (SuiServer, 1);

  server->db = db;
  server->settings = *settings;
  server->soup = soup_server_new ("server-header", "shuangsuid/" SUI_VERSION " ", NULL);

  soup_server_add_early_handler (server->soup, "/rpc", rpc_early_handler, server, NULL);
  soup_server_add_handler (server->soup, "/rpc", rpc_handler, server, NULL);
  soup_server_add_handler (server->soup, NULL, default_handler, server, NULL);
  sui_files_attach (server);
  server->events = sui_events_new (server);

  return server;
}

void
sui_server_free (SuiServer *server)
{
  if (server == NULL)
    return;
  soup_server_disconnect (server->soup);
  g_clear_pointer (&server->events, sui_events_free);
  g_clear_object (&server->soup);
  g_free (server);
}

gboolean
sui_server_listen (SuiServer   *server,
                   const char  *host,
                   guint        port,
                   GError     **error)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (host);
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GSocket) listener = NULL;

  if (address == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s is not an IP address", host);
      return FALSE;
    }

  socket_address = g_inet_socket_address_new (address, port);

  /* Our own socket, for its backlog: GSocket's default of 10 resets connections as soon
   * as a few dozen clients connect at once. */
  listener = g_socket_new (g_inet_address_get_family (address), G_SOCKET_TYPE_STREAM,
                           G_SOCKET_PROTOCOL_TCP, error);
  if (listener == NULL)
    return FALSE;
  g_socket_set_listen_backlog (listener, 1024);
  if (!g_socket_bind (listener, socket_address, TRUE, error) ||
      !g_socket_listen (listener, error))
    return FALSE;

  if (server->settings.tls_certificate != NULL)
    soup_server_set_tls_certificate (server->soup, server->settings.tls_certificate);
  if (!soup_server_listen_socket (server->soup, listener,
                                  server->settings.tls_certificate != NULL ? SOUP_SERVER_LISTEN_HTTPS : 0,
                                  error))
    return FALSE;

  return sui_events_start (server->events, error);
}

char *
sui_server_get_url (SuiServer *server)
{
  GSList *uris = soup_server_get_uris (server->soup);
  char *url = NULL;

  if (uris != NULL)
    {
      g_autofree char *text = g_uri_to_string (uris->data);

      /* Drop the trailing slash: clients append /rpc themselves. */
      if (g_str_has_suffix (text, "/"))
        text[strlen (text) - 1] = '\0';
      url = g_steal_pointer (&text);
    }
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return url;
}

SuiDb *
sui_server_get_db (SuiServer *server)
{
  return server->db;
}

SoupServer *
sui_server_get_soup (SuiServer *server)
{
  return server->soup;
}

const SuiSettings *
sui_server_get_settings (SuiServer *server)
{
  return &server->settings;
}

guint
sui_server_get_token_hours (gpointer server)
{
  if (server == NULL)
    return 12;
  return ((SuiServer *) server)->settings.token_hours;
}
