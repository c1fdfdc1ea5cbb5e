/* test-login-window.c: the login window against the real daemon, driven through its
 * properties and actions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sui-config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "sui-login-window.h"
#include "sui-rpc-client.h"
#include "sui-settings.h"
#include "sui-test-daemon.h"

#define PASSWORD "Test@2026x"

/* One daemon for all cases; each case makes its own records. */
static SuiTestDaemon *test_daemon;
static guint serial;

typedef struct
{
  SuiLoginWindow *window;
  SuiRpcClient *client;
  JsonNode *user;
  char *login;
  gint64 user_id;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(JsonObject) user = NULL;

  /* An account of this case only: failures and locks stay with it. */
  f->login = g_strdup_printf ("lw%u_user", ++serial);
  user = sui_test_daemon_create_user (test_daemon, f->login, "登录测试", "inspector",
                                      sui_test_daemon_get_unit_id (test_daemon, "bureau"),
                                      PASSWORD);
  f->user_id = json_object_get_int_member (user, "id");

  f->window = g_object_ref_sink (sui_login_window_new (NULL));
  g_object_set (f->window, "server-url", sui_test_daemon_get_url (test_daemon), NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_assert_finalize_object (f->window);
  g_clear_object (&f->client);
  g_clear_pointer (&f->user, json_node_unref);
  g_free (f->login);
}

static gboolean
not_busy (gpointer data)
{
  return !sui_login_window_get_busy (((Fixture *) data)->window);
}

static void
submit (Fixture    *f,
        const char *login,
        const char *password)
{
  g_object_set (f->window, "login", login, "password", password, NULL);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "login.submit", NULL);
  sui_test_wait_until (not_busy, f, 10000);
}

/* What the daemon recorded of the attempts on this case's login, as "ok:failed". */
static char *
attempts (Fixture *f)
{
  g_autofree char *sql =
    g_strdup_printf ("select count(*) filter (where ok) || ':' || count(*) filter (where not ok) "
                     "from login_attempt where user_id = %" G_GINT64_FORMAT
                     " or login = '%s'", f->user_id, f->login);

  return sui_test_daemon_psql (test_daemon, sql);
}

static void
test_empty_fields (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *all_before = sui_test_daemon_psql (test_daemon,
                                                      "select count(*) from login_attempt");
  g_autofree char *all_after = NULL;

  submit (f, "", "x");
  g_assert_cmpstr (sui_login_window_get_error_message (f->window), ==, "Enter your login name.");
  submit (f, f->login, "");
  g_assert_cmpstr (sui_login_window_get_error_message (f->window), ==, "Enter your password.");

  g_object_set (f->window, "server-url", "ftp://x", NULL);
  submit (f, f->login, "x");
  g_assert_nonnull (strstr (sui_login_window_get_error_message (f->window), "http://"));

  /* None of these reached the daemon. */
  all_after = sui_test_daemon_psql (test_daemon, "select count(*) from login_attempt");
  g_assert_cmpstr (all_after, ==, all_before);
}

static void
on_logged_in (SuiLoginWindow *window,
              SuiRpcClient   *client,
              JsonNode       *user,
              Fixture        *f)
{
  g_clear_object (&f->client);
  g_clear_pointer (&f->user, json_node_unref);
  f->client = g_object_ref (client);
  f->user = json_node_ref (user);
}

static void
test_wrong_password (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *padded = g_strdup_printf (" %s ", f->login);
  g_autofree char *password = NULL;
  g_autofree char *recorded = NULL;

  g_signal_connect (f->window, "logged-in", G_CALLBACK (on_logged_in), f);
  submit (f, padded, "wrong");

  g_assert_cmpstr (sui_login_window_get_error_message (f->window), ==,
                   "Wrong login name or password. Check both and try again.");
  g_assert_null (f->client);
  /* The daemon saw one failed attempt on the login without its spaces. */
  recorded = attempts (f);
  g_assert_cmpstr (recorded, ==, "0:1");

  /* The password is cleared for the next attempt. */
  g_object_get (f->window, "password", &password, NULL);
  g_assert_cmpstr (password, ==, "");

  /* The same login with the right password, sent as typed, lets the user in. */
  submit (f, padded, PASSWORD);
  g_assert_null (sui_login_window_get_error_message (f->window));
  g_assert_nonnull (f->client);
  g_clear_pointer (&recorded, g_free);
  recorded = attempts (f);
  g_assert_cmpstr (recorded, ==, "1:1");
}

static void
test_locked (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *expected = NULL;
  g_autofree char *until = NULL;
  g_autofree char *sql = NULL;

  /* Five failures lock the login; then even the right password is refused. */
  for (guint i = 0; i < 5; i++)
    submit (f, f->login, "wrong");
  submit (f, f->login, PASSWORD);

  /* The time the daemon stored, in the test's zone (TZ=Asia/Shanghai). */
  sql = g_strdup_printf ("select to_char(max(locked_until) at time zone 'Asia/Shanghai', "
                         "'YYYY-MM-DD HH24:MI') from login_lock where login = '%s'", f->login);
  until = sui_test_daemon_psql (test_daemon, sql);
  g_assert_cmpstr (until, !=, "");
  expected = g_strdup_printf ("locked until %s", until);
  g_assert_nonnull (strstr (sui_login_window_get_error_message (f->window), expected));
}

static void
test_unreachable (Fixture       *f,
                  gconstpointer  data)
{
  /* Nothing listens on port 1 of the loopback. */
  g_object_set (f->window, "server-url", "127.0.0.1:1", NULL);
  submit (f, f->login, PASSWORD);

  g_assert_cmpstr (sui_login_window_get_error_message (f->window), ==,
                   "Cannot reach the server. Check the server address and the network.");
}

static void
test_success (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(JsonNode) whoami = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *last_login = NULL;
  JsonObject *user;

  g_signal_connect (f->window, "logged-in", G_CALLBACK (on_logged_in), f);
  submit (f, f->login, PASSWORD);

  g_assert_null (sui_login_window_get_error_message (f->window));
  g_assert_nonnull (f->client);
  g_assert_cmpstr (sui_rpc_client_get_base_url (f->client), ==,
                   sui_test_daemon_get_url (test_daemon));
  user = json_node_get_object (f->user);
  g_assert_cmpstr (json_object_get_string_member (user, "login"), ==, f->login);
  g_assert_cmpint (json_object_get_int_member (user, "id"), ==, f->user_id);

  /* The client holds a live session of that user. */
  g_assert_nonnull (sui_rpc_client_get_token (f->client));
  whoami = sui_test_daemon_rpc_full (test_daemon, sui_rpc_client_get_token (f->client),
                                     "auth.whoami", NULL, NULL, &error);
  g_assert_no_error (error);
  user = json_object_get_object_member (json_node_get_object (whoami), "user");
  g_assert_cmpint (json_object_get_int_member (user, "id"), ==, f->user_id);

  /* The address and login name are remembered for the next start. */
  url = sui_settings_get_server_url ();
  last_login = sui_settings_get_last_login ();
  g_assert_cmpstr (url, ==, sui_test_daemon_get_url (test_daemon));
  g_assert_cmpstr (last_login, ==, f->login);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *config_dir = NULL;
  g_autofree char *settings = NULL;
  g_autofree char *settings_dir = NULL;
  int status;

  if (sui_test_skip_without_display ())
    return 0;

  g_setenv ("TZ", "Asia/Shanghai", TRUE);

  /* Remembered settings must not leak into the developer's own. */
  config_dir = g_dir_make_tmp ("sui-test-login-XXXXXX", NULL);
  g_setenv ("XDG_CONFIG_HOME", config_dir, TRUE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/login-window/empty-fields", Fixture, NULL,
              fixture_setup, test_empty_fields, fixture_teardown);
  g_test_add ("/login-window/wrong-password", Fixture, NULL,
              fixture_setup, test_wrong_password, fixture_teardown);
  g_test_add ("/login-window/locked", Fixture, NULL,
              fixture_setup, test_locked, fixture_teardown);
  g_test_add ("/login-window/unreachable", Fixture, NULL,
              fixture_setup, test_unreachable, fixture_teardown);
  g_test_add ("/login-window/success", Fixture, NULL,
              fixture_setup, test_success, fixture_teardown);

  test_daemon = sui_test_daemon_new (NULL);
  status = g_test_run ();
  g_clear_pointer (&test_daemon, sui_test_daemon_free);

  settings = sui_settings_get_path ();
  settings_dir = g_path_get_dirname (settings);
  g_remove (settings);
  g_rmdir (settings_dir);
  g_rmdir (config_dir);

  return status;
}
