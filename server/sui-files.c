/* sui-files.c: PUT /files (streamed uploads) and files.get
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An upload is never held in memory whole: chunks go to a private temporary file as
 * they arrive (with the SHA-256 computed on the way), and a worker then copies the file
 * into the database in 1 MiB rows of file_chunk, all in one transaction with its audit
 * row. Imports and evidence refer to the id that comes back.
 */
#include "sui-files.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "sui-auth.h"
#include "sui-pg.h"
#include "sui-server.h"

#define CHUNK_SIZE (1024 * 1024)

typedef struct
{
  SuiServer *server;
  int fd;
  char *path;
  GChecksum *checksum;
  guint64 size;
  guint64 limit;
  gboolean too_large;
  gboolean write_failed;
} Upload;

static void
upload_free (Upload *upload)
{
  if (upload->fd >= 0)
    close (upload->fd);
  if (upload->path != NULL)
    g_unlink (upload->path);
  g_free (upload->path);
  g_checksum_free (upload->checksum);
  g_free (upload);
}

static void
upload_got_chunk (SoupServerMessage *msg,
                  GBytes            *chunk,
                  Upload            *upload)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (chunk, &size);

  if (upload->too_large || upload->write_failed)
    return;

  if (upload->size + size > upload->limit)
    {
      upload->too_large = TRUE;
      return;
    }

  g_checksum_update (upload->checksum, data, size);
  upload->size += size;

  while (size > 0)
    {
      ssize_t written = write (upload->fd, data, size);

      if (written < 0 && errno == EINTR)
        continue;
      if (written <= 0)
        {
          g_message ("cannot buffer an upload: %s", g_strerror (errno));
          upload->write_failed = TRUE;
          return;
        }
      data += written;
      size -= written;
    }
}

static void
files_early_handler (SoupServer        *soup,
                     SoupServerMessage *msg,
                     const char        *path,
                     GHashTable        *query,
                     gpointer           user_data)
{
  SuiServer *server = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autofree char *token = NULL;
  g_autoptr(GError) error = NULL;
  Upload *upload;

  if (g_strcmp0 (soup_server_message_get_method (msg), "PUT") != 0)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", "PUT");
      sui_server_respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "use PUT for /files");
      return;
    }

  token = sui_server_bearer_token (msg);
  if (token == NULL)
    {
      sui_server_refuse_early (msg, SOUP_STATUS_UNAUTHORIZED, "请先登录");
      return;
    }

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      (guint64) soup_message_headers_get_content_length (headers) >
      sui_server_get_settings (server)->max_upload)
    {
      sui_server_refuse_early (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "文件太大，超过了上传上限");
      return;
    }

  upload = g_new0 (Upload, 1);
  upload->server = server;
  upload->limit = sui_server_get_settings (server)->max_upload;
  upload->checksum = g_checksum_new (G_CHECKSUM_SHA256);
  upload->fd = g_file_open_tmp ("shuangsui-upload-XXXXXX", &upload->path, &error);
  if (upload->fd < 0)
    {
      g_message ("cannot buffer an upload: %s", error->message);
      upload_free (upload);
      sui_server_respond_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "服务器暂时无法接收文件，请稍后重试");
      return;
    }

  g_object_set_data_full (G_OBJECT (msg), "sui-upload", upload, (GDestroyNotify) upload_free);
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (upload_got_chunk), upload);
}

typedef struct
{
  SuiPending *pending;
  SuiServer *server;
  Upload *upload;     /* owned by the message, which the pending keeps alive */
  char *name;
  char *content_type;
  char *peer;
  char *token;
  SuiUser *user;
} Store;

static void
store_free (Store *store)
{
  g_free (store->name);
  g_free (store->content_type);
  g_free (store->peer);
  g_free (store->token);
  g_clear_pointer (&store->user, sui_user_free);
  g_free (store);
}

static gboolean
exec_plain (PGconn      *conn,
            const char  *sql,
            GError     **error)
{
  g_autoptr(PGresult) result = sui_pg_exec (conn, sql, 0, NULL, error);

  return result != NULL;
}

static JsonNode *
store_chunks (PGconn   *conn,
              Store    *store,
              GError  **error)
{
  Upload *upload = store->upload;
  g_autofree char *size_text = g_strdup_printf ("%" G_GUINT64_FORMAT, upload->size);
  g_autofree char *user_id = sui_pg_int_param (store->user->id);
  g_autofree guint8 *buffer = g_malloc (CHUNK_SIZE);
  g_autoptr(PGresult) row = NULL;
  g_autoptr(JsonNode) after = NULL;
  const char *params[5];
  const char *file_id;
  SuiCall call = { 0 };
  int n = 0;

  params[0] = store->name;
  params[1] = store->content_type;
  params[2] = size_text;
  params[3] = g_checksum_get_string (upload->checksum);
  params[4] = user_id;
  row = sui_pg_exec (conn,
                     "insert into file (name, content_type, size, sha256, uploaded_by) "
                     "values ($1, $2, $3::bigint, decode($4, 'hex'), $5::bigint) returning id",
                     5, params, error);
  if (row == NULL)
    return NULL;
  file_id = PQgetvalue (row, 0, 0);

  if (lseek (upload->fd, 0, SEEK_SET) < 0)
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_INTERNAL, "服务器暂时无法保存文件，请稍后重试");
      return NULL;
    }

  for (;;)
    {
      ssize_t got = read (upload->fd, buffer, CHUNK_SIZE);
      g_autofree char *n_text = NULL;
      const char *chunk_params[3];
      int lengths[3] = { 0, 0, 0 };
      int formats[3] = { 0, 0, 1 };
      PGresult *result;

      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        {
          g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_INTERNAL, "服务器暂时无法保存文件，请稍后重试");
          return NULL;
        }
      if (got == 0)
        break;

      n_text = g_strdup_printf ("%d", n++);
      chunk_params[0] = file_id;
      chunk_params[1] = n_text;
      chunk_params[2] = (const char *) buffer;
      lengths[2] = (int) got;
      result = PQexecParams (conn,
                             "insert into file_chunk (file_id, n, data) values ($1::bigint, $2::int, $3)",
                             3, NULL, chunk_params, lengths, formats, 0);
      if (PQresultStatus (result) != PGRES_COMMAND_OK)
        {
          g_message ("storing an upload failed: %s", PQresultErrorMessage (result));
          PQclear (result);
          g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_INTERNAL, "服务器暂时无法保存文件，请稍后重试");
          return NULL;
        }
      PQclear (result);
    }

  after = sui_pg_query_json (conn,
                             "select json_build_object('id', id, 'name', name, 'size', size, "
                             "'sha256', encode(sha256, 'hex'), 'content_type', content_type) "
                             "from file where id = $1::bigint", 1, &file_id, error);
  if (after == NULL)
    return NULL;

  call.conn = conn;
  call.method = "files.put";
  call.user = store->user;
  call.peer = store->peer;
  call.server = store->server;
  call.params = NULL;
  if (!sui_audit_append (&call, "files", file_id, NULL, after, error))
    return NULL;

  return g_steal_pointer (&after);
}

static gpointer
store_in_worker (PGconn        *conn,
                 gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  Store *store = data;
  JsonNode *answer;

  store->user = sui_auth_lookup_token (conn, store->token, error);
  if (store->user == NULL)
    return NULL;

  if (!exec_plain (conn, "begin", error))
    return NULL;

  answer = store_chunks (conn, store, error);
  if (answer == NULL)
    {
      exec_plain (conn, "rollback", NULL);
      return NULL;
    }
  if (!exec_plain (conn, "commit", error))
    {
      json_node_unref (answer);
      return NULL;
    }
  return answer;
}

static void
store_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Store *store = user_data;
  SoupServerMessage *msg = sui_pending_get_message (store->pending);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = NULL;

  answer = sui_db_run_finish (sui_server_get_db (store->server), result, &error);

  if (!sui_pending_is_gone (store->pending))
    {
      if (answer != NULL)
        sui_server_respond_json (msg, SOUP_STATUS_CREATED, answer);
      else if (g_error_matches (error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_AUTHENTICATED))
        sui_server_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, error->message);
      else
        sui_server_respond_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE,
                                  error->domain == SUI_RPC_ERROR ? error->message
                                                                 : "服务器暂时无法保存文件，请稍后重试");
    }

  sui_pending_finish (store->pending);
  store_free (store);
}

static char *
file_name_from_header (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *raw = soup_message_headers_get_one (headers, "X-File-Name");
  g_autofree char *name = NULL;

  if (raw != NULL)
    name = g_uri_unescape_string (raw, NULL);
  if (name == NULL || !g_utf8_validate (name, -1, NULL) || *name == '\0')
    return g_strdup ("upload");

  /* Only the last part: a name is a label, never a path; and at most 255 characters. */
  {
    g_autofree char *base = g_path_get_basename (name);

    if (g_utf8_strlen (base, -1) > 255)
      return g_utf8_substring (base, 0, 255);
    return g_steal_pointer (&base);
  }
}

static void
files_handler (SoupServer        *soup,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  SuiServer *server = user_data;
  Upload *upload = g_object_get_data (G_OBJECT (msg), "sui-upload");
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *content_type;
  Store *store;

  if (upload == NULL)
    return;   /* the early handler already answered */

  if (upload->too_large)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Connection", "close");
      sui_server_respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "文件太大，超过了上传上限");
      return;
    }
  if (upload->write_failed)
    {
      sui_server_respond_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "服务器暂时无法接收文件，请稍后重试");
      return;
    }

  content_type = soup_message_headers_get_content_type (headers, NULL);

  store = g_new0 (Store, 1);
  store->server = server;
  store->upload = upload;
  store->name = file_name_from_header (msg);
  store->content_type = g_strdup (content_type != NULL ? content_type : "application/octet-stream");
  store->peer = g_strdup (soup_server_message_get_remote_host (msg));
  store->token = sui_server_bearer_token (msg);
  store->pending = sui_pending_new (msg);

  sui_db_run_async (sui_server_get_db (server), store_in_worker, store, NULL,
                    (GDestroyNotify) json_node_unref,
                    sui_pending_get_cancellable (store->pending), store_done, store);
}

void
sui_files_attach (SuiServer *server)
{
  SoupServer *soup = sui_server_get_soup (server);

  soup_server_add_early_handler (soup, "/files", files_early_handler, server, NULL);
  soup_server_add_handler (soup, "/files", files_handler, server, NULL);
}

static JsonNode *
files_get (SuiCall  *call,
           GError  **error)
{
  g_autofree char *id_text = NULL;
  const char *params[1];
  gint64 id = 0;
  JsonNode *node;

  if (!sui_call_get_int (call, "id", TRUE, &id, error))
    return NULL;

  id_text = sui_pg_int_param (id);
  params[0] = id_text;
  node = sui_pg_query_json (call->conn,
                            "select json_build_object('id', f.id, 'name', f.name, 'size', f.size, "
                            "'sha256', encode(f.sha256, 'hex'), 'content_type', f.content_type, "
                            "'uploaded_by', f.uploaded_by, 'created_at', f.created_at) "
                            "from file f where f.id = $1::bigint", 1, params, error);
  if (node == NULL && (error == NULL || *error == NULL))
    g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_FOUND, "文件不存在");
  return node;
}

static const SuiMethod files_methods[] = {
  { .name = "files.get", .roles = SUI_ROLE_ANY, .writes = FALSE, .params = "id:integer",
    .summary = "Metadata of an uploaded file (upload with PUT /files)", .handler = files_get },
};

void
sui_files_register (void)
{
  sui_methods_register (files_methods, G_N_ELEMENTS (files_methods));
}
