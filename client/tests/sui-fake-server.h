/* sui-fake-server.h: an in-process stand-in for shuangsuid in client tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _SuiFakeServer SuiFakeServer;

SuiFakeServer *sui_fake_server_new                (void);
void           sui_fake_server_free               (SuiFakeServer *self);
const char    *sui_fake_server_get_url            (SuiFakeServer *self);
void           sui_fake_server_reply              (SuiFakeServer *self,
                                                   const char    *method,
                                                   const char    *fragment);
void           sui_fake_server_clear_replies      (SuiFakeServer *self,
                                                   const char    *method);
void           sui_fake_server_set_http_status    (SuiFakeServer *self,
                                                   guint          status);
guint          sui_fake_server_count_calls        (SuiFakeServer *self,
                                                   const char    *method);
JsonObject    *sui_fake_server_get_last_params    (SuiFakeServer *self,
                                                   const char    *method);
const char    *sui_fake_server_get_last_authorization (SuiFakeServer *self);
guint          sui_fake_server_get_n_event_clients (SuiFakeServer *self);
void           sui_fake_server_send_event         (SuiFakeServer *self,
                                                   const char    *area,
                                                   const char    *id);
void           sui_fake_server_close_events       (SuiFakeServer *self);

void           sui_test_wait_until                (gboolean     (*predicate) (gpointer),
                                                   gpointer       data,
                                                   guint          timeout_ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SuiFakeServer, sui_fake_server_free)

G_END_DECLS
