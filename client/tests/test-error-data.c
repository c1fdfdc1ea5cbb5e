/* test-error-data.c: reading error data, and the Chinese texts the user sees
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sui-config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "sui-error-data.h"
#include "sui-i18n.h"
#include "sui-rpc-client.h"

static JsonNode *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  return node;
}

static void
test_fields (void)
{
  g_autoptr(JsonNode) data = parse ("{\"fields\":["
                                    "{\"field\":\"login\",\"code\":\"format\",\"message\":\"格式不对\"},"
                                    "{\"field\":\"login\",\"code\":\"taken\",\"message\":\"已被使用\"},"
                                    "{\"field\":\"name\",\"code\":\"empty\"},"
                                    "{\"code\":\"orphan\",\"message\":\"no field\"},"
                                    "42]}");
  g_autoptr(GHashTable) fields = sui_error_data_get_fields (data);

  g_assert_cmpuint (g_hash_table_size (fields), ==, 2);
  g_assert_cmpstr (g_hash_table_lookup (fields, "login"), ==, "格式不对");
  /* A field without a message still gets one. */
  g_assert_cmpstr (g_hash_table_lookup (fields, "name"), ==, "This value is not valid.");
}

static void
test_invalid_params_field (void)
{
  g_autoptr(JsonNode) data = parse ("{\"field\":\"unit_id\",\"reason\":\"must be a number\"}");
  g_autoptr(GHashTable) fields = sui_error_data_get_fields (data);

  g_assert_cmpstr (g_hash_table_lookup (fields, "unit_id"), ==, "must be a number");
}

static void
test_no_fields (void)
{
  g_autoptr(JsonNode) array = parse ("[1,2]");
  g_autoptr(JsonNode) other = parse ("{\"current_version\":3}");
  g_autoptr(GHashTable) a = sui_error_data_get_fields (NULL);
  g_autoptr(GHashTable) b = sui_error_data_get_fields (array);
  g_autoptr(GHashTable) c = sui_error_data_get_fields (other);

  g_assert_cmpuint (g_hash_table_size (a), ==, 0);
  g_assert_cmpuint (g_hash_table_size (b), ==, 0);
  g_assert_cmpuint (g_hash_table_size (c), ==, 0);
}

static void
test_login_messages (void)
{
  g_autoptr(JsonNode) locked = parse ("{\"locked_until\":\"2026-11-28T12:30:00+08:00\"}");
  g_autoptr(GError) wrong = g_error_new_literal (SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_AUTHENTICATED,
                                                 "登录名或密码错误");
  g_autoptr(GError) unreachable = g_error_new_literal (SUI_RPC_CLIENT_ERROR,
                                                       SUI_RPC_CLIENT_ERROR_UNREACHABLE,
                                                       "Connection refused");
  g_autoptr(GDateTime) until = sui_error_data_get_locked_until (locked);
  g_autofree char *m1 = sui_error_data_describe_login (wrong, NULL);
  g_autofree char *m2 = sui_error_data_describe_login (wrong, locked);
  g_autofree char *m3 = sui_error_data_describe_login (unreachable, NULL);

  g_assert_nonnull (until);
  g_assert_cmpint (g_date_time_to_unix (until), ==, 1795840200);
  g_assert_cmpstr (m1, ==, "Wrong login name or password. Check both and try again.");
  /* The test runs with TZ=Asia/Shanghai, the bureau's zone. */
  g_assert_nonnull (strstr (m2, "locked until 2026-11-28 12:30"));
  g_assert_cmpstr (m3, ==, "Cannot reach the server. Check the server address and the network.");
}

/* The catalogue built next to this test says what the program will say in Chinese. */
static void
test_chinese (void)
{
  g_autoptr(GError) unreachable = g_error_new_literal (SUI_RPC_CLIENT_ERROR,
                                                       SUI_RPC_CLIENT_ERROR_UNREACHABLE, "x");
  g_autoptr(GError) conflict = g_error_new_literal (SUI_RPC_ERROR, SUI_RPC_ERROR_CONFLICT, "x");
  g_autofree char *m1 = NULL;
  g_autofree char *m2 = NULL;
  g_autofree char *localedir = NULL;

  if (setlocale (LC_ALL, "zh_CN.UTF-8") == NULL)
    {
      g_test_skip ("the zh_CN.UTF-8 locale is not generated on this machine");
      return;
    }

  localedir = sui_i18n_find_localedir ();
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  m1 = sui_rpc_client_describe_error (unreachable);
  m2 = sui_rpc_client_describe_error (conflict);
  setlocale (LC_ALL, "C");

  g_assert_cmpstr (m1, ==, "无法连接服务器，请检查服务器地址和网络");
  g_assert_cmpstr (m2, ==, "该记录已被他人修改，已重新载入，请再试一次");
}

static void
test_localedir (void)
{
  g_autofree char *from_build = NULL;
  g_autofree char *from_env = NULL;
  g_autofree char *expected = g_build_filename (SUI_BUILD_ROOT, "client", "po", NULL);
  g_autofree char *mo = NULL;

  /* This test runs from <build>/client/tests, so the fresh catalogue is the one used. */
  g_unsetenv ("SHUANGSUI_LOCALEDIR");
  from_build = sui_i18n_find_localedir ();
  g_assert_cmpstr (from_build, ==, expected);
  mo = g_build_filename (from_build, "zh_CN", "LC_MESSAGES", GETTEXT_PACKAGE ".mo", NULL);
  g_assert_true (g_file_test (mo, G_FILE_TEST_IS_REGULAR));

  g_setenv ("SHUANGSUI_LOCALEDIR", "/somewhere/else", TRUE);
  from_env = sui_i18n_find_localedir ();
  g_unsetenv ("SHUANGSUI_LOCALEDIR");
  g_assert_cmpstr (from_env, ==, "/somewhere/else");
}

int
main (int   argc,
      char *argv[])
{
  /* The bureau's zone, whatever the machine's. */
  g_setenv ("TZ", "Asia/Shanghai", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/error-data/fields", test_fields);
  g_test_add_func ("/error-data/invalid-params-field", test_invalid_params_field);
  g_test_add_func ("/error-data/no-fields", test_no_fields);
  g_test_add_func ("/error-data/login-messages", test_login_messages);
  g_test_add_func ("/error-data/localedir", test_localedir);
  g_test_add_func ("/error-data/chinese", test_chinese);

  return g_test_run ();
}
