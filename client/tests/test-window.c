/* test-window.c: the main window against the real daemon: areas by role, log out, lost
 * connection, expired session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sui-config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "sui-rpc-client.h"
#include "sui-settings.h"
#include "sui-test-daemon.h"
#include "sui-window.h"

#define PASSWORD "Test@2026x"

/* One daemon for all cases; each case logs in afresh, so it has a session of its own. */
static SuiTestDaemon *test_daemon;

typedef struct
{
  SuiRpcClient *client;
  SuiWindow *window;
  char *unit_code;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->client = sui_rpc_client_new (sui_test_daemon_get_url (test_daemon));
}

/* Logs @login in as the login window would and keeps the session in the client. */
static JsonNode *
log_in (Fixture    *f,
        const char *login)
{
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(JsonNode) unit = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *params =
    g_strdup_printf ("{\"login\":\"%s\",\"password\":\"%s\"}",
                     login, sui_test_daemon_get_password (test_daemon, login));
  JsonObject *object;
  JsonNode *user;

  answer = sui_test_daemon_rpc_full (test_daemon, SUI_TEST_NO_TOKEN, "auth.login", params, NULL,
                                     &error);
  g_assert_no_error (error);
  object = json_node_get_object (answer);
  sui_rpc_client_set_token (f->client, json_object_get_string_member (object, "token"));
  user = json_object_get_member (object, "user");

  unit = sui_test_daemon_rpc (test_daemon, "units.get", "{\"id\":%" G_GINT64_FORMAT "}",
                              json_object_get_int_member (json_node_get_object (user), "unit_id"));
  f->unit_code = g_strdup (json_object_get_string_member (json_node_get_object (unit), "code"));

  return json_node_copy (user);
}

static void
open_window (Fixture    *f,
             const char *login)
{
  g_autoptr(JsonNode) user = log_in (f, login);

  f->window = g_object_ref (sui_window_new (NULL, f->client, user));
  gtk_window_present (GTK_WINDOW (f->window));
}

/* gtk_window_destroy() drops the window from the toplevels; our own reference keeps the
 * object (and "destroy" unsent) until the teardown. */
static gboolean
window_gone (gpointer window)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (toplevels, i);

      if (item == window)
        return FALSE;
    }

  return TRUE;
}

static gboolean
is_destroyed (gpointer data)
{
  return window_gone (((Fixture *) data)->window);
}

static gboolean
shows_subtitle (GtkWidget  *widget,
                const char *text)
{
  if (ADW_IS_ACTION_ROW (widget) &&
      g_strcmp0 (adw_action_row_get_subtitle (ADW_ACTION_ROW (widget)), text) == 0)
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (shows_subtitle (child, text))
      return TRUE;

  return FALSE;
}

/* The account page has asked the daemon for the user's unit and shows its code. */
static gboolean
shows_own_unit (gpointer data)
{
  Fixture *f = data;

  return shows_subtitle (GTK_WIDGET (f->window), f->unit_code);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (!is_destroyed (f))
    gtk_window_destroy (GTK_WINDOW (f->window));

  /* Calls still under way hold the window's pages; let their cancellation come through. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (f->window);
  g_assert_finalize_object (f->client);
  g_free (f->unit_code);
}

static void
test_admin_areas (Fixture       *f,
                  gconstpointer  data)
{
  open_window (f, "admin");
  g_assert_cmpstr (sui_window_get_visible_area (f->window), ==, "admin");
  g_assert_true (sui_window_has_area (f->window, "plans"));
  sui_window_set_visible_area (f->window, "account");
  g_assert_cmpstr (sui_window_get_visible_area (f->window), ==, "account");
  sui_test_wait_until (shows_own_unit, f, 10000);
}

static void
test_supervisor_areas (Fixture       *f,
                       gconstpointer  data)
{
  open_window (f, "sup");
  g_assert_cmpstr (sui_window_get_visible_area (f->window), ==, "account");
  g_assert_true (sui_window_has_area (f->window, "plans"));

  /* There is no administration area to switch to. */
  sui_window_set_visible_area (f->window, "admin");
  g_assert_cmpstr (sui_window_get_visible_area (f->window), ==, "account");
  sui_test_wait_until (shows_own_unit, f, 10000);
}

static void
test_logout (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(JsonNode) whoami = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  open_window (f, "insp");
  /* Plans are for supervisors and the administrator. */
  g_assert_false (sui_window_has_area (f->window, "plans"));
  sui_window_set_visible_area (f->window, "plans");
  g_assert_cmpstr (sui_window_get_visible_area (f->window), ==, "account");
  sui_test_wait_until (shows_own_unit, f, 10000);
  token = g_strdup (sui_rpc_client_get_token (f->client));

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.logout", NULL);
  sui_test_wait_until (is_destroyed, f, 10000);
  g_assert_null (sui_rpc_client_get_token (f->client));

  /* The daemon ended the session: the token is good for nothing now. */
  whoami = sui_test_daemon_rpc_full (test_daemon, token, "auth.whoami", NULL, NULL, &error);
  g_assert_error (error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_AUTHENTICATED);
}

static void
test_session_expired (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(JsonNode) user = log_in (f, "insp");
  const char *token = sui_rpc_client_get_token (f->client);
  g_autofree char *sql = NULL;
  g_autofree char *updated = NULL;

  /* The session runs out (12 hours pass) before the window's first call. */
  g_assert_null (strchr (token, '\''));
  sql = g_strdup_printf ("with s as (update user_session set created_at = now () - interval "
                         "'13 hours', expires_at = now () - interval '1 hour' "
                         "where token_hash = sha256 (convert_to ('%s', 'UTF8')) returning 1) "
                         "select count(*) from s", token);
  updated = sui_test_daemon_psql (test_daemon, sql);
  g_assert_cmpstr (updated, ==, "1");

  /* The account page's first call is refused: the window gives up the session. */
  f->window = g_object_ref (sui_window_new (NULL, f->client, user));
  gtk_window_present (GTK_WINDOW (f->window));
  sui_test_wait_until (is_destroyed, f, 10000);
  g_assert_null (sui_rpc_client_get_token (f->client));
}

static gboolean
banner_shown (gpointer data)
{
  return sui_window_get_connection_lost (((Fixture *) data)->window);
}

static gboolean
banner_hidden (gpointer data)
{
  Fixture *f = data;

  return !sui_window_get_connection_lost (f->window) &&
         sui_events_client_get_connected (sui_window_get_events (f->window));
}

static void
test_connection_banner (Fixture       *f,
                        gconstpointer  data)
{
  open_window (f, "sup");
  sui_test_wait_until (banner_hidden, f, 10000);

  g_object_set (sui_window_get_events (f->window),
                "min-backoff-ms", 300,
                "max-backoff-ms", 1000,
                NULL);

  /* The daemon goes away: the banner says so for as long as it is gone. */
  sui_test_daemon_stop_daemon (test_daemon);
  sui_test_wait_until (banner_shown, f, 10000);

  /* It comes back: the window reconnects by itself and the banner goes away. */
  sui_test_daemon_start_daemon (test_daemon);
  sui_test_wait_until (banner_hidden, f, 10000);
}

/* The desk opens at the size it was closed at; closing by the window manager and logging out
 * both remember it. */
static void
test_remembers_size (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *path = sui_settings_get_path ();
  g_autoptr(JsonNode) user = NULL;
  g_autoptr(SuiWindow) second = NULL;
  int width = 0, height = 0;
  gboolean maximized = TRUE;

  g_remove (path);
  open_window (f, "sup");
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1010, 690);
  gtk_window_close (GTK_WINDOW (f->window));
  sui_test_wait_until (is_destroyed, f, 10000);

  g_assert_true (sui_settings_get_window_size (&width, &height, &maximized));
  g_assert_cmpint (width, ==, 1010);
  g_assert_cmpint (height, ==, 690);
  g_assert_false (maximized);

  /* The next window (here: the next login) opens at that size. */
  user = log_in (f, "insp");
  second = g_object_ref (sui_window_new (NULL, f->client, user));
  gtk_window_get_default_size (GTK_WINDOW (second), &width, &height);
  g_assert_cmpint (width, ==, 1010);
  g_assert_cmpint (height, ==, 690);

  /* Logging out remembers too. */
  gtk_window_present (GTK_WINDOW (second));
  gtk_window_set_default_size (GTK_WINDOW (second), 1111, 777);
  gtk_widget_activate_action (GTK_WIDGET (second), "win.logout", NULL);
  sui_test_wait_until (window_gone, second, 10000);
  g_assert_true (sui_settings_get_window_size (&width, &height, &maximized));
  g_assert_cmpint (width, ==, 1111);
  g_assert_cmpint (height, ==, 777);

  g_remove (path);
}

int
main (int   argc,
      char *argv[])
{
  /* A supervisor and an inspector of a direct unit, with known passwords. */
  static const char * const args[] = {
    "--unit", "changan:direct:长安区烟草专卖局",
    "--user", "sup:supervisor:changan:" PASSWORD ":张伟",
    "--user", "insp:inspector:changan:" PASSWORD ":李娜",
    NULL
  };
  int status;

  if (sui_test_skip_without_display ())
    return 0;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/window/admin-areas", Fixture, NULL,
              fixture_setup, test_admin_areas, fixture_teardown);
  g_test_add ("/window/supervisor-areas", Fixture, NULL,
              fixture_setup, test_supervisor_areas, fixture_teardown);
  g_test_add ("/window/logout", Fixture, NULL,
              fixture_setup, test_logout, fixture_teardown);
  g_test_add ("/window/session-expired", Fixture, NULL,
              fixture_setup, test_session_expired, fixture_teardown);
  g_test_add ("/window/connection-banner", Fixture, NULL,
              fixture_setup, test_connection_banner, fixture_teardown);
  g_test_add ("/window/remembers-size", Fixture, NULL,
              fixture_setup, test_remembers_size, fixture_teardown);

  test_daemon = sui_test_daemon_new (args);
  status = g_test_run ();
  g_clear_pointer (&test_daemon, sui_test_daemon_free);

  return status;
}
