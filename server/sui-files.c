/* sui-files.c: PUT /files (streamed uploads), GET /files/{id} (streamed downloads),
 * files.get, and the purge of expired exports
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An upload is never held in memory whole: chunks go to a private temporary file as
 * they arrive (with the SHA-256 computed on the way), and a worker then copies the file
 * into the database in 1 MiB rows of file_chunk, all in one transaction with its audit
 * row. Imports and evidence refer to the id that comes back.
 *
 * A download goes the other way, one file_chunk row at a time: each row is read by a
 * worker and appended to the response as the socket takes it, with at most two rows in
 * memory. Only the one who uploaded (or exported) a file, or an admin, may read it; to
 * anyone else it does not exist.
 *
 * Exported files (purpose 'export') are kept for a day only: a job in the worker pool
 * deletes older ones when the daemon starts and every hour after.
 */
#include "sui-files.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "sui-audit.h"
#include "sui-auth.h"
#include "sui-pg.h"
#include "sui-server.h"

#define CHUNK_SIZE (1024 * 1024)
/* Rows appended to a response and not yet written to the socket, at most. */
#define DOWNLOAD_AHEAD 2
#define PURGE_INTERVAL_SECONDS (60 * 60)
/* Also in docs/operations.md. */
#define EXPORT_LIFETIME "24 hours"

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

  if (g_str_has_prefix (path, "/files/"))
    {
      const char *method = soup_server_message_get_method (msg);

      if (g_strcmp0 (method, "GET") != 0 && g_strcmp0 (method, "HEAD") != 0)
        {
          soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                        "Allow", "GET, HEAD");
          sui_server_respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED,
                                    "use GET for /files/{id}");
        }
      return;
    }

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

/* ---- GET /files/{id} -------------------------------------------------------------- */

typedef struct
{
  char *token;
  gint64 id;
} MetaQuery;

typedef struct
{
  char *name;
  char *content_type;
  char *sha256;
  guint64 size;
} FileMeta;

typedef struct
{
  gint64 id;
  int from_n;
} ChunkQuery;

typedef struct
{
  int n;
  GBytes *data;
} Chunk;

/* The body phase of a download: rows are read one at a time and appended to the response
 * as it drains, never more than DOWNLOAD_AHEAD of them unwritten. */
typedef struct
{
  SuiServer *server;
  SoupServerMessage *msg;
  GCancellable *cancellable;
  gint64 id;
  guint64 size;
  guint64 appended;
  int next_n;
  guint ahead;
  gboolean reading;
  gboolean over;        /* the message finished or its client went away */
  gulong wrote_chunk_id;
  gulong finished_id;
  gulong disconnected_id;
  guint free_id;
} Download;

static void
meta_query_free (MetaQuery *query)
{
  g_free (query->token);
  g_free (query);
}

static void
file_meta_free (FileMeta *meta)
{
  g_free (meta->name);
  g_free (meta->content_type);
  g_free (meta->sha256);
  g_free (meta);
}

static void
chunk_free (Chunk *chunk)
{
  g_clear_pointer (&chunk->data, g_bytes_unref);
  g_free (chunk);
}

/* "/files/123" → 123; 0 when the rest is not a plain positive number. */
static gint64
download_id_from_path (const char *path)
{
  const char *rest = path + strlen ("/files/");
  char *end = NULL;
  gint64 id;

  if (!g_ascii_isdigit (*rest) || strlen (rest) > 18)
    return 0;
  id = g_ascii_strtoll (rest, &end, 10);
  if (end == NULL || *end != '\0')
    return 0;
  return id;
}

static gpointer
meta_in_worker (PGconn        *conn,
                gpointer       data,
                GCancellable  *cancellable,
                GError       **error)
{
  MetaQuery *query = data;
  g_autoptr(SuiUser) user = NULL;
  g_autoptr(PGresult) row = NULL;
  g_autofree char *id_text = sui_pg_int_param (query->id);
  g_autofree char *user_text = NULL;
  const char *params[3];
  FileMeta *meta;

  user = sui_auth_lookup_token (conn, query->token, error);
  if (user == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_AUTHENTICATED,
                             "登录已失效，请重新登录");
      return NULL;
    }

  /* Someone else's file and a file that does not exist get the same answer. */
  user_text = sui_pg_int_param (user->id);
  params[0] = id_text;
  params[1] = user_text;
  params[2] = (user->role & SUI_ROLE_ADMIN) != 0 ? "t" : "f";
  row = sui_pg_exec (conn,
                     "select name, content_type, size, encode (sha256, 'hex') from file"
                     " where id = $1::bigint and sha256 is not null"
                     "   and (uploaded_by = $2::bigint or $3::boolean)",
                     3, params, error);
  if (row == NULL)
    return NULL;
  if (PQntuples (row) != 1)
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_FOUND,
                           "文件不存在或已过期，请重新导出或上传");
      return NULL;
    }

  meta = g_new0 (FileMeta, 1);
  meta->name = g_strdup (PQgetisnull (row, 0, 0) ? "download" : PQgetvalue (row, 0, 0));
  meta->content_type = g_strdup (PQgetisnull (row, 0, 1) ? "application/octet-stream"
                                                         : PQgetvalue (row, 0, 1));
  meta->size = g_ascii_strtoull (PQgetvalue (row, 0, 2), NULL, 10);
  meta->sha256 = g_strdup (PQgetvalue (row, 0, 3));
  return meta;
}

static gpointer
chunk_in_worker (PGconn        *conn,
                 gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  ChunkQuery *query = data;
  g_autofree char *id_text = sui_pg_int_param (query->id);
  g_autofree char *n_text = g_strdup_printf ("%d", query->from_n);
  const char *params[2] = { id_text, n_text };
  PGresult *result;
  Chunk *chunk;

  /* The next row rather than row from_n, so that numbering need not be dense; in binary,
   * so that a megabyte is not sent as two megabytes of hex. */
  result = PQexecParams (conn,
                         "select n, data from file_chunk"
                         " where file_id = $1::bigint and n >= $2::integer order by n limit 1",
                         2, NULL, params, NULL, NULL, 1);
  if (PQresultStatus (result) != PGRES_TUPLES_OK || PQntuples (result) != 1 ||
      PQgetlength (result, 0, 0) != 4)
    {
      if (PQresultStatus (result) != PGRES_TUPLES_OK)
        g_message ("reading file %s failed: %s", id_text, PQresultErrorMessage (result));
      else
        g_message ("file %s ends before its size (deleted while being read?)", id_text);
      PQclear (result);
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_INTERNAL,
                           "服务器暂时无法读取文件，请稍后重试");
      return NULL;
    }

  chunk = g_new0 (Chunk, 1);
  {
    guint32 n_be;

    memcpy (&n_be, PQgetvalue (result, 0, 0), sizeof n_be);
    chunk->n = (int) GUINT32_FROM_BE (n_be);
  }
  chunk->data = g_bytes_new (PQgetvalue (result, 0, 1), PQgetlength (result, 0, 1));
  PQclear (result);
  return chunk;
}

static void download_read_next (Download *download);

static void
download_free (Download *download)
{
  g_clear_signal_handler (&download->wrote_chunk_id, download->msg);
  g_clear_signal_handler (&download->finished_id, download->msg);
  g_clear_signal_handler (&download->disconnected_id, download->msg);
  g_clear_handle_id (&download->free_id, g_source_remove);
  g_cancellable_cancel (download->cancellable);
  g_clear_object (&download->cancellable);
  g_clear_object (&download->msg);
  g_free (download);
}

static gboolean
download_free_later (gpointer data)
{
  Download *download = data;

  download->free_id = 0;
  download_free (download);
  return G_SOURCE_REMOVE;
}

/* The message is done with (sent, or its client went away): stop reading, and let go of
 * it once the row being read, if any, has come back. Never from inside the emission. */
static void
download_over (SoupServerMessage *msg,
               Download          *download)
{
  download->over = TRUE;
  g_cancellable_cancel (download->cancellable);
  if (!download->reading && download->free_id == 0)
    download->free_id = g_idle_add (download_free_later, download);
}

/* The file went away or the database failed half-way: the status line is long gone, so
 * all that is left is to close the connection and let the client see a short body. */
static void
download_abort (Download *download)
{
  GIOStream *stream;

  g_clear_signal_handler (&download->finished_id, download->msg);
  g_clear_signal_handler (&download->disconnected_id, download->msg);
  stream = soup_server_message_steal_connection (download->msg);
  if (stream != NULL)
    {
      g_io_stream_close (stream, NULL, NULL);
      g_object_unref (stream);
    }
  download_free (download);
}

static void
download_wrote_chunk (SoupServerMessage *msg,
                      Download          *download)
{
  if (download->ahead > 0)
    download->ahead--;
  if (!download->over && !download->reading && download->appended < download->size &&
      download->ahead < DOWNLOAD_AHEAD)
    download_read_next (download);
}

static void
chunk_read (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Download *download = user_data;
  g_autoptr(GError) error = NULL;
  Chunk *chunk;
  gsize length;

  chunk = sui_db_run_finish (sui_server_get_db (download->server), result, &error);
  download->reading = FALSE;

  if (download->over)
    {
      g_clear_pointer (&chunk, chunk_free);
      download_free (download);
      return;
    }
  length = chunk != NULL ? g_bytes_get_size (chunk->data) : 0;
  if (chunk == NULL || download->appended + length > download->size)
    {
      if (chunk != NULL)
        g_message ("file %" G_GINT64_FORMAT " has more bytes than its size", download->id);
      g_clear_pointer (&chunk, chunk_free);
      download_abort (download);
      return;
    }

  download->next_n = chunk->n + 1;
  /* An empty row would read as the end of the body: skip it. */
  if (length > 0)
    {
      soup_message_body_append_bytes (soup_server_message_get_response_body (download->msg),
                                      chunk->data);
      download->appended += length;
      download->ahead++;
      soup_server_message_unpause (download->msg);
    }
  chunk_free (chunk);

  if (download->appended < download->size && download->ahead < DOWNLOAD_AHEAD)
    download_read_next (download);
}

static void
download_read_next (Download *download)
{
  ChunkQuery *query = g_new0 (ChunkQuery, 1);

  query->id = download->id;
  query->from_n = download->next_n;
  download->reading = TRUE;
  sui_db_run_async (sui_server_get_db (download->server), chunk_in_worker, query, g_free,
                    (GDestroyNotify) chunk_free, download->cancellable, chunk_read, download);
}

static char *
content_disposition (const char *name)
{
  /* RFC 6266 / 8187: attr-chars stay, everything else (all of a Chinese name) is
   * percent-encoded UTF-8. */
  g_autofree char *escaped = g_uri_escape_string (name, "!#$&+^`|", FALSE);

  return g_strdup_printf ("attachment; filename*=UTF-8''%s", escaped);
}

typedef struct
{
  SuiServer *server;
  SuiPending *pending;
  gint64 id;
} MetaRequest;

static void
meta_read (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  MetaRequest *request = user_data;
  SoupServerMessage *msg = sui_pending_get_message (request->pending);
  g_autoptr(GError) error = NULL;
  g_autofree char *etag = NULL;
  g_autofree char *disposition = NULL;
  SoupMessageHeaders *headers;
  const char *if_none_match;
  FileMeta *meta;
  Download *download;

  meta = sui_db_run_finish (sui_server_get_db (request->server), result, &error);

  if (sui_pending_is_gone (request->pending))
    goto out;

  if (meta == NULL)
    {
      if (g_error_matches (error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_AUTHENTICATED))
        {
          soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                        "WWW-Authenticate", "Bearer");
          sui_server_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, error->message);
        }
      else if (g_error_matches (error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_FOUND))
        sui_server_respond_error (msg, SOUP_STATUS_NOT_FOUND, error->message);
      else
        sui_server_respond_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE,
                                  error->domain == SUI_RPC_ERROR ? error->message
                                                                 : "服务器暂时无法读取文件，请稍后重试");
      goto out;
    }

  headers = soup_server_message_get_response_headers (msg);
  etag = g_strdup_printf ("\"%s\"", meta->sha256);
  soup_message_headers_replace (headers, "ETag", etag);
  soup_message_headers_replace (headers, "Cache-Control", "private, no-cache");

  /* The bytes of a file never change: a copy with this hash is the file. */
  if_none_match = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                "If-None-Match");
  if (if_none_match != NULL && strstr (if_none_match, etag) != NULL)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_MODIFIED, NULL);
      goto out;
    }

  disposition = content_disposition (meta->name);
  soup_message_headers_replace (headers, "Content-Disposition", disposition);
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_set_content_type (headers, meta->content_type, NULL);
  soup_message_headers_set_content_length (headers, (goffset) meta->size);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  /* Written rows are let go of; libsoup must not keep the whole file. */
  soup_message_body_set_accumulate (soup_server_message_get_response_body (msg), FALSE);

  if (meta->size == 0 || g_strcmp0 (soup_server_message_get_method (msg), "HEAD") == 0)
    goto out;

  download = g_new0 (Download, 1);
  download->server = request->server;
  download->msg = g_object_ref (msg);
  download->cancellable = g_cancellable_new ();
  download->id = request->id;
  download->size = meta->size;
  download->wrote_chunk_id = g_signal_connect (msg, "wrote-chunk",
                                               G_CALLBACK (download_wrote_chunk), download);
  download->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (download_over),
                                            download);
  download->disconnected_id = g_signal_connect (msg, "disconnected",
                                                G_CALLBACK (download_over), download);
  download_read_next (download);

out:
  g_clear_pointer (&meta, file_meta_free);
  /* Unpaused, libsoup writes the head and then waits for the body's first row. */
  sui_pending_finish (request->pending);
  g_free (request);
}

static void
download_start (SuiServer         *server,
                SoupServerMessage *msg,
                const char        *path)
{
  const char *method = soup_server_message_get_method (msg);
  g_autofree char *token = NULL;
  MetaQuery *query;
  MetaRequest *request;
  gint64 id;

  if (g_strcmp0 (method, "GET") != 0 && g_strcmp0 (method, "HEAD") != 0)
    return;   /* the early handler already answered */

  token = sui_server_bearer_token (msg);
  if (token == NULL)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "WWW-Authenticate", "Bearer");
      sui_server_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "请先登录");
      return;
    }

  id = download_id_from_path (path);
  if (id <= 0)
    {
      sui_server_respond_error (msg, SOUP_STATUS_NOT_FOUND, "文件不存在或已过期，请重新导出或上传");
      return;
    }

  query = g_new0 (MetaQuery, 1);
  query->token = g_steal_pointer (&token);
  query->id = id;
  request = g_new0 (MetaRequest, 1);
  request->server = server;
  request->id = id;
  request->pending = sui_pending_new (msg);
  sui_db_run_async (sui_server_get_db (server), meta_in_worker, query,
                    (GDestroyNotify) meta_query_free, (GDestroyNotify) file_meta_free,
                    sui_pending_get_cancellable (request->pending), meta_read, request);
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

  if (g_str_has_prefix (path, "/files/"))
    {
      download_start (server, msg, path);
      return;
    }

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

/* ---- expired exports ------------------------------------------------------------------ */

/* Deletes the exports older than EXPORT_LIFETIME (their chunks go by the cascade) inside
 * the caller's transaction; answers {deleted, ids}. Uploads (imports, evidence) stay. */
static JsonNode *
purge_expired_exports (PGconn  *conn,
                       GError **error)
{
  JsonNode *node;

  node = sui_pg_query_json (conn,
                            "with gone as (delete from file where purpose = 'export'"
                            "   and created_at < now () - interval '" EXPORT_LIFETIME "'"
                            "   returning id)"
                            " select json_build_object ('deleted', count (*),"
                            "   'ids', coalesce (json_agg (id order by id), '[]'))"
                            " from gone",
                            0, NULL, error);
  if (node == NULL && error != NULL && *error == NULL)
    g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_INTERNAL,
                         "服务器暂时无法清理过期的导出文件，请稍后重试");
  return node;
}

static gint64
purged_count (JsonNode *node)
{
  return json_object_get_int_member (json_node_get_object (node), "deleted");
}

static gpointer
purge_in_worker (PGconn        *conn,
                 gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(JsonNode) purged = NULL;

  if (!exec_plain (conn, "begin", error))
    return NULL;
  purged = purge_expired_exports (conn, error);
  if (purged == NULL ||
      (purged_count (purged) > 0 &&
       !sui_audit_append_system (conn, "files.purge_exports", "files", NULL, NULL, purged,
                                 error)) ||
      !exec_plain (conn, "commit", error))
    {
      exec_plain (conn, "rollback", NULL);
      return NULL;
    }
  return g_steal_pointer (&purged);
}

static void
purge_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  SuiDb *db = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) purged = sui_db_run_finish (db, result, &error);

  if (purged == NULL)
    g_message ("purging expired exports failed: %s", error->message);
  else if (purged_count (purged) > 0)
    g_message ("purged %" G_GINT64_FORMAT " expired export(s)", purged_count (purged));
}

static gboolean
purge_tick (gpointer data)
{
  SuiServer *server = data;
  SuiDb *db = sui_server_get_db (server);

  sui_db_run_async (db, purge_in_worker, NULL, NULL, (GDestroyNotify) json_node_unref, NULL,
                    purge_done, db);
  return G_SOURCE_CONTINUE;
}

static void
remove_source (gpointer id)
{
  g_source_remove (GPOINTER_TO_UINT (id));
}

void
sui_files_attach (SuiServer *server)
{
  SoupServer *soup = sui_server_get_soup (server);

  guint purge_id;

  soup_server_add_early_handler (soup, "/files", files_early_handler, server, NULL);
  soup_server_add_handler (soup, "/files", files_handler, server, NULL);

  /* Once now and then hourly; the timer lives as long as the SoupServer. */
  purge_tick (server);
  purge_id = g_timeout_add_seconds (PURGE_INTERVAL_SECONDS, purge_tick, server);
  g_object_set_data_full (G_OBJECT (soup), "sui-export-purge", GUINT_TO_POINTER (purge_id),
                          remove_source);
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

/* The hourly purge on demand (an admin tidying up, and tests). */
static JsonNode *
files_purge_exports (SuiCall  *call,
                     GError  **error)
{
  g_autoptr(JsonNode) purged = purge_expired_exports (call->conn, error);

  if (purged == NULL)
    return NULL;
  if (purged_count (purged) > 0 &&
      !sui_audit_append (call, "files", NULL, NULL, purged, error))
    return NULL;
  return g_steal_pointer (&purged);
}

static const SuiMethod files_methods[] = {
  { .name = "files.get", .roles = SUI_ROLE_ANY, .writes = FALSE, .params = "id:integer",
    .summary = "Metadata of an uploaded file (upload with PUT /files)", .handler = files_get },
  { .name = "files.purge_exports", .roles = SUI_ROLE_ADMIN, .writes = TRUE, .params = "",
    .summary = "Delete exported files older than 24 hours now (the daemon does it hourly)",
    .handler = files_purge_exports },
};

void
sui_files_register (void)
{
  sui_methods_register (files_methods, G_N_ELEMENTS (files_methods));
}
