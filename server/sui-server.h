/* sui-server.h: the HTTP front of shuangsuid — /rpc, /files, /events
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "sui-call.h"
#include "sui-db.h"

G_BEGIN_DECLS

typedef struct
{
  guint64 max_body;     /* bytes of a POST /rpc body; default 1 MiB */
  guint64 max_upload;   /* bytes of a PUT /files body; default 64 MiB */
  guint token_hours;    /* default 12 */
  GTlsCertificate *tls_certificate;   /* NULL: plain HTTP (behind a TLS proxy, or loopback) */
} SuiSettings;

typedef struct _SuiServer SuiServer;

SuiServer   *sui_server_new              (SuiDb              *db,
                                          const SuiSettings  *settings);
void         sui_server_free             (SuiServer          *server);
gboolean     sui_server_listen           (SuiServer          *server,
                                          const char         *host,
                                          guint               port,
                                          GError            **error);
/* The URL actually bound (port 0 resolved). */
char        *sui_server_get_url          (SuiServer          *server);
SuiDb       *sui_server_get_db           (SuiServer          *server);
SoupServer  *sui_server_get_soup         (SuiServer          *server);
const SuiSettings *sui_server_get_settings (SuiServer        *server);
guint        sui_server_get_token_hours  (gpointer            server);

/* "Bearer xyz" → "xyz"; NULL when the header is missing or of another scheme. */
char        *sui_server_bearer_token     (SoupServerMessage  *msg);
/* Resolves a token to its user on a worker thread (NULL + -32001 when not valid). */
void         sui_server_authenticate_async (SuiServer        *server,
                                            const char       *token,
                                            GCancellable     *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer          user_data);
SuiUser     *sui_server_authenticate_finish (SuiServer       *server,
                                             GAsyncResult    *result,
                                             GError         **error);

/* Answers msg with a JSON document and the given HTTP status. */
void         sui_server_respond_json     (SoupServerMessage  *msg,
                                          guint               status,
                                          JsonNode           *node);
void         sui_server_respond_error    (SoupServerMessage  *msg,
                                          guint               status,
                                          const char         *message);

/* From an early handler: answers at once and closes the connection without reading the
 * body (a 413 must not wait for the megabytes it refuses). */
void         sui_server_refuse_early     (SoupServerMessage  *msg,
                                          guint               status,
                                          const char         *message);

/* Tracks whether the client of a paused message went away, so a late answer is
 * dropped rather than written to a dead connection. */
typedef struct _SuiPending SuiPending;
SuiPending  *sui_pending_new             (SoupServerMessage  *msg);
gboolean     sui_pending_is_gone         (SuiPending         *pending);
GCancellable *sui_pending_get_cancellable (SuiPending        *pending);
SoupServerMessage *sui_pending_get_message (SuiPending       *pending);
/* Unpauses the message unless its client is gone, then frees pending. */
void         sui_pending_finish          (SuiPending         *pending);

G_END_DECLS
