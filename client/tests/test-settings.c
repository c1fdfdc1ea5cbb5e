/* test-settings.c: the server address and the window size are remembered between runs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sui-config.h"

#include <glib/gstdio.h>

#include "sui-rpc-client.h"
#include "sui-settings.h"

static void
test_default (void)
{
  g_autofree char *url = sui_settings_get_server_url ();
  g_autofree char *login = sui_settings_get_last_login ();

  g_assert_cmpstr (url, ==, SUI_DEFAULT_SERVER_URL);
  g_assert_null (login);
}

static void
test_save_and_load (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = sui_settings_get_path ();
  g_autofree char *url = NULL;
  g_autofree char *login = NULL;
  g_autofree char *url2 = NULL;

  g_assert_true (g_str_has_prefix (path, g_get_user_config_dir ()));

  g_assert_true (sui_settings_save ("http://10.1.2.3:8470", "admin", &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));

  url = sui_settings_get_server_url ();
  login = sui_settings_get_last_login ();
  g_assert_cmpstr (url, ==, "http://10.1.2.3:8470");
  g_assert_cmpstr (login, ==, "admin");

  /* NULL keeps what was there. */
  g_assert_true (sui_settings_save ("http://10.9.9.9:1", NULL, &error));
  url2 = sui_settings_get_server_url ();
  g_assert_cmpstr (url2, ==, "http://10.9.9.9:1");
  g_clear_pointer (&login, g_free);
  login = sui_settings_get_last_login ();
  g_assert_cmpstr (login, ==, "admin");
}

static void
test_unreadable_file (void)
{
  g_autofree char *path = sui_settings_get_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "this is [not a key file", -1, &error));

  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "*Ignoring unreadable settings*");
  url = sui_settings_get_server_url ();
  g_test_assert_expected_messages ();
  g_assert_cmpstr (url, ==, SUI_DEFAULT_SERVER_URL);
}

static void
test_window_size (void)
{
  g_autofree char *path = sui_settings_get_path ();
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  int width = -1, height = -1;
  gboolean maximized = FALSE;

  /* Nothing remembered: the outs stay as they were. */
  g_assert_false (sui_settings_get_window_size (&width, &height, &maximized));
  g_assert_cmpint (width, ==, -1);

  g_assert_true (sui_settings_save ("http://10.1.2.3:8470", "admin", &error));
  g_assert_true (sui_settings_save_window_size (1440, 900, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (sui_settings_get_window_size (&width, &height, &maximized));
  g_assert_cmpint (width, ==, 1440);
  g_assert_cmpint (height, ==, 900);
  g_assert_true (maximized);

  /* The connection is kept beside it. */
  url = sui_settings_get_server_url ();
  g_assert_cmpstr (url, ==, "http://10.1.2.3:8470");

  /* A damaged size is ignored rather than opening a window nobody can use. */
  g_assert_true (g_file_set_contents (path, "[window]\nwidth=12\nheight=900\n"
                                      "maximized=false\n", -1, &error));
  g_assert_false (sui_settings_get_window_size (&width, &height, &maximized));
  g_assert_true (g_file_set_contents (path, "[window]\nwidth=wide\nheight=900\n", -1,
                                      &error));
  g_assert_false (sui_settings_get_window_size (&width, &height, &maximized));
  g_assert_cmpint (width, ==, 1440);
}

int
main (int   argc,
      char *argv[])
{
  /* Each test gets its own empty XDG directories. */
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/settings/default", test_default);
  g_test_add_func ("/settings/save-and-load", test_save_and_load);
  g_test_add_func ("/settings/unreadable-file", test_unreadable_file);
  g_test_add_func ("/settings/window-size", test_window_size);

  return g_test_run ();
}
