/* sui-test-daemon.h: the real shuangsuid on a throwaway database, for client tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

#include "sui-rpc-client.h"

G_BEGIN_DECLS

/* How long one step of the launcher (starting a cluster, restarting the daemon) may take. */
#define SUI_TEST_DAEMON_TIMEOUT_MS 120000

/* For sui_test_daemon_rpc_full(): call without any token. */
#define SUI_TEST_NO_TOKEN ""

typedef struct _SuiTestDaemon SuiTestDaemon;

SuiTestDaemon *sui_test_daemon_new             (const char * const *args);
void           sui_test_daemon_free            (SuiTestDaemon      *self);
const char    *sui_test_daemon_get_url         (SuiTestDaemon      *self);
gint64         sui_test_daemon_get_unit_id     (SuiTestDaemon      *self,
                                                const char         *code);
gint64         sui_test_daemon_get_user_id     (SuiTestDaemon      *self,
                                                const char         *login);
const char    *sui_test_daemon_get_password    (SuiTestDaemon      *self,
                                                const char         *login);
JsonObject    *sui_test_daemon_command         (SuiTestDaemon      *self,
                                                const char         *line);
void           sui_test_daemon_stop_daemon     (SuiTestDaemon      *self);
void           sui_test_daemon_start_daemon    (SuiTestDaemon      *self);
JsonNode      *sui_test_daemon_rpc_full        (SuiTestDaemon      *self,
                                                const char         *token,
                                                const char         *method,
                                                const char         *params_json,
                                                JsonNode          **error_data,
                                                GError            **error);
gboolean       sui_test_skip_without_display   (void);
GHashTable    *sui_test_daemon_field_messages  (SuiTestDaemon      *self,
                                                const char         *token,
                                                const char         *method,
                                                const char         *params_json);
JsonNode      *sui_test_daemon_rpc             (SuiTestDaemon      *self,
                                                const char         *method,
                                                const char         *params_format,
                                                ...) G_GNUC_PRINTF (3, 4);
JsonObject    *sui_test_daemon_get_user        (SuiTestDaemon      *self,
                                                gint64              id);
JsonObject    *sui_test_daemon_create_user     (SuiTestDaemon      *self,
                                                const char         *login,
                                                const char         *name,
                                                const char         *role,
                                                gint64              unit_id,
                                                const char         *password);
char          *sui_test_daemon_login           (SuiTestDaemon      *self,
                                                const char         *login,
                                                const char         *password);
char          *sui_test_daemon_psql            (SuiTestDaemon      *self,
                                                const char         *sql);

void           sui_test_wait_until             (gboolean          (*predicate) (gpointer),
                                                gpointer            data,
                                                guint               timeout_ms);
GtkWidget     *sui_test_find_widget            (GtkWidget          *root,
                                                GType               type);
SuiRpcClient  *sui_test_daemon_client          (SuiTestDaemon      *self,
                                                const char         *token);
GtkWindow     *sui_test_show                   (GtkWidget          *child);
void           sui_test_close                  (GtkWindow          *window);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SuiTestDaemon, sui_test_daemon_free)

G_END_DECLS
