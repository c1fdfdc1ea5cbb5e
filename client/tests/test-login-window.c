/* test-login-window.c: the login window, driven through its properties and actions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sui-config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "sui-fake-server.h"
#include "sui-login-window.h"
#include "sui-rpc-client.h"
#include "sui-settings.h"

typedef struct
{
  SuiFakeServer *server;
  SuiLoginWindow *window;
  SuiRpcClient *client;
  JsonNode *user;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = sui_fake_server_new ();
  f->window = g_object_ref_sink (sui_login_window_new (NULL));
  g_object_set (f->window, "server-url", sui_fake_server_get_url (f->server), NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_assert_finalize_object (f->window);
  g_clear_object (&f->client);
  g_clear_pointer (&f->user, json_node_unref);
  g_clear_pointer (&f->server, sui_fake_server_free);
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

static void
test_empty_fields (Fixture       *f,
                   gconstpointer  data)
{
  submit (f, "", "x");
  g_assert_cmpstr (sui_login_window_get_error_message (f->window), ==, "Enter your login name.");
  submit (f, "admin", "");
  g_assert_cmpstr (sui_login_window_get_error_message (f->window), ==, "Enter your password.");
  g_assert_cmpuint (sui_fake_server_count_calls (f->server, "auth.login"), ==, 0);

  g_object_set (f->window, "server-url", "ftp://x", NULL);
  submit (f, "admin", "x");
  g_assert_nonnull (strstr (sui_login_window_get_error_message (f->window), "http://"));
}

static void
test_wrong_password (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *password = NULL;
  JsonObject *params;

  sui_fake_server_reply (f->server, "auth.login",
                         "\"error\":{\"code\":-32001,\"message\":\"登录名或密码错误\"}");
  submit (f, " admin ", "wrong");

  g_assert_cmpstr (sui_login_window_get_error_message (f->window), ==,
                   "Wrong login name or password.");
  params = sui_fake_server_get_last_params (f->server, "auth.login");
  g_assert_cmpstr (json_object_get_string_member (params, "login"), ==, "admin");
  g_assert_cmpstr (json_object_get_string_member (params, "password"), ==, "wrong");

  /* The password is cleared for the next attempt. */
  g_object_get (f->window, "password", &password, NULL);
  g_assert_cmpstr (password, ==, "");
}

static void
test_locked (Fixture       *f,
             gconstpointer  data)
{
  sui_fake_server_reply (f->server, "auth.login",
                         "\"error\":{\"code\":-32001,\"message\":\"账户已锁定\","
                         "\"data\":{\"locked_until\":\"2026-11-28T04:45:00Z\"}}");
  submit (f, "admin", "x");

  /* TZ=Asia/Shanghai in the test environment */
  g_assert_nonnull (strstr (sui_login_window_get_error_message (f->window),
                            "locked until 2026-11-28 12:45"));
}

static void
test_unreachable (Fixture       *f,
                  gconstpointer  data)
{
  g_object_set (f->window, "server-url", "127.0.0.1:1", NULL);
  submit (f, "admin", "x");

  g_assert_cmpstr (sui_login_window_get_error_message (f->window), ==,
                   "Cannot reach the server. Check the server address and the network.");
}

static void
on_logged_in (SuiLoginWindow *window,
              SuiRpcClient   *client,
              JsonNode       *user,
              Fixture        *f)
{
  f->client = g_object_ref (client);
  f->user = json_node_ref (user);
}

static void
test_success (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *url = NULL;
  g_autofree char *last_login = NULL;

  sui_fake_server_reply (f->server, "auth.login",
                         "\"result\":{\"token\":\"t0k\",\"expires_at\":\"2026-11-29T00:00:00+08:00\","
                         "\"user\":{\"id\":1,\"login\":\"admin\",\"name\":\"系统管理员\","
                         "\"role\":\"admin\",\"unit_id\":1,\"unit_name\":\"市局\",\"version\":1}}");
  g_signal_connect (f->window, "logged-in", G_CALLBACK (on_logged_in), f);
  submit (f, "admin", "Admin@2026");

  g_assert_null (sui_login_window_get_error_message (f->window));
  g_assert_nonnull (f->client);
  g_assert_cmpstr (sui_rpc_client_get_token (f->client), ==, "t0k");
  g_assert_cmpstr (sui_rpc_client_get_base_url (f->client), ==,
                   sui_fake_server_get_url (f->server));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (f->user), "login"), ==,
                   "admin");

  /* The address and login name are remembered for the next start. */
  url = sui_settings_get_server_url ();
  last_login = sui_settings_get_last_login ();
  g_assert_cmpstr (url, ==, sui_fake_server_get_url (f->server));
  g_assert_cmpstr (last_login, ==, "admin");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *config_dir = NULL;
  g_autofree char *settings = NULL;
  g_autofree char *settings_dir = NULL;
  int status;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      printf ("1..0 # SKIP no display (run under Xvfb, e.g. through scripts/test)\n");
      return 0;
    }

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

  status = g_test_run ();

  settings = sui_settings_get_path ();
  settings_dir = g_path_get_dirname (settings);
  g_remove (settings);
  g_rmdir (settings_dir);
  g_rmdir (config_dir);

  return status;
}
