/* test-export.c: exports from the client against the real daemon
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The download itself (GET /files/{id} streamed into a file: the bytes the server made, 404
 * for someone else's file with nothing left behind, 401 signalled as a lost session), then
 * the export menus of the tag page and of the admin page's user list driven through their
 * actions, with the chooser replaced by a fixed file, and the saved file read back.
 */
#include "sui-config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <stdio.h>

#include "sui-admin-page.h"
#include "sui-export.h"
#include "sui-i18n.h"
#include "sui-rpc-client.h"
#include "sui-tags-page.h"
#include "sui-test-daemon.h"

#define PASSWORD "Test@2026x"

static SuiTestDaemon *test_daemon;
static guint serial;

typedef struct
{
  char *dir;
  GFile *file;
  char *prefix;
  char *sup_token;
  char *admin_token;
  gboolean done;
  gboolean ok;
  GError *error;
  guint unauthorized;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *login = NULL;
  g_autoptr(JsonObject) user = NULL;
  g_autoptr(GError) error = NULL;

  f->prefix = g_strdup_printf ("x%u_", ++serial);
  f->dir = g_dir_make_tmp ("sui-export-XXXXXX", &error);
  g_assert_no_error (error);
  f->file = g_file_new_build_filename (f->dir, "导出.csv", NULL);

  login = g_strconcat (f->prefix, "sup", NULL);
  user = sui_test_daemon_create_user (test_daemon, login, "导出测试员", "supervisor",
                                      sui_test_daemon_get_unit_id (test_daemon, "changan"),
                                      PASSWORD);
  f->sup_token = sui_test_daemon_login (test_daemon, login, PASSWORD);
  f->admin_token = sui_test_daemon_login (test_daemon, "admin",
                                          sui_test_daemon_get_password (test_daemon, "admin"));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  sui_export_set_destination_for_testing (NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_clear_error (&f->error);
  g_clear_object (&f->file);
  g_free (f->dir);
  g_free (f->prefix);
  g_free (f->sup_token);
  g_free (f->admin_token);
}

static JsonObject *
call_as (const char *token,
         const char *method,
         const char *params)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = sui_test_daemon_rpc_full (test_daemon, token, method, params,
                                                       NULL, &error);

  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (node));
}

static gboolean
is_done (gpointer data)
{
  return ((Fixture *) data)->done;
}

static void
downloaded_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Fixture *f = user_data;

  f->ok = sui_export_download_finish (result, &f->error);
  f->done = TRUE;
}

static void
download (Fixture      *f,
          SuiRpcClient *client,
          gint64        file_id)
{
  f->done = FALSE;
  g_clear_error (&f->error);
  sui_export_download_async (client, file_id, f->file, NULL, downloaded_cb, f);
  sui_test_wait_until (is_done, f, 20000);
}

static char *
read_file (GFile *file)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_load_contents (file, NULL, &contents, NULL, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static void
on_unauthorized (SuiRpcClient *client,
                 Fixture      *f)
{
  f->unauthorized++;
}

static void
test_download (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(SuiRpcClient) client = sui_test_daemon_client (test_daemon, f->sup_token);
  g_autoptr(SuiRpcClient) other = NULL;
  g_autoptr(SuiRpcClient) stale = sui_test_daemon_client (test_daemon, "no-such-token");
  g_autoptr(JsonObject) made = NULL;
  g_autofree char *other_login = g_strconcat (f->prefix, "other", NULL);
  g_autofree char *other_token = NULL;
  g_autoptr(JsonObject) other_user = NULL;
  g_autofree char *contents = NULL;
  gint64 file_id;

  made = call_as (f->sup_token, "tags.export", "{\"format\":\"csv\"}");
  file_id = json_object_get_int_member (made, "file_id");
  download (f, client, file_id);
  g_assert_no_error (f->error);
  g_assert_true (f->ok);
  contents = read_file (f->file);
  /* The same bytes the export answered with: BOM, Chinese headers. */
  g_assert_cmpstr (contents, ==, json_object_get_string_member (made, "csv"));
  g_assert_true (g_str_has_prefix (contents, "\xef\xbb\xbf标签组,标签,"));

  /* Someone else's file: not found, and no file left where it was to go. */
  other_user = sui_test_daemon_create_user (test_daemon, other_login, "别人", "supervisor",
                                            sui_test_daemon_get_unit_id (test_daemon, "changan"),
                                            PASSWORD);
  other_token = sui_test_daemon_login (test_daemon, other_login, PASSWORD);
  other = sui_test_daemon_client (test_daemon, other_token);
  g_file_delete (f->file, NULL, NULL);
  download (f, other, file_id);
  g_assert_false (f->ok);
  g_assert_error (f->error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_false (g_file_query_exists (f->file, NULL));

  /* A lost session: the client says so, as for any call. */
  g_signal_connect (stale, "unauthorized", G_CALLBACK (on_unauthorized), f);
  download (f, stale, file_id);
  g_assert_error (f->error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_AUTHENTICATED);
  g_assert_cmpuint (f->unauthorized, ==, 1);
  g_assert_false (g_file_query_exists (f->file, NULL));
}

/* The menu button on @widget or below whose menu fires @action. */
static GtkMenuButton *
find_export_button (GtkWidget  *widget,
                    const char *action)
{
  if (GTK_IS_MENU_BUTTON (widget))
    {
      GMenuModel *menu = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (widget));
      g_autoptr(GMenuModel) section = NULL;
      g_autofree char *name = NULL;

      if (menu != NULL && g_menu_model_get_n_items (menu) > 0)
        section = g_menu_model_get_item_link (menu, 0, G_MENU_LINK_SECTION);
      if (section != NULL &&
          g_menu_model_get_item_attribute (section, 0, G_MENU_ATTRIBUTE_ACTION, "s", &name) &&
          g_strcmp0 (name, action) == 0)
        return GTK_MENU_BUTTON (widget);
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkMenuButton *found = find_export_button (child, action);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* The two entries of an export menu fire @action with "csv" and "xlsx". */
static void
check_menu (GtkWidget  *page,
            const char *action)
{
  GtkMenuButton *button = find_export_button (page, action);
  GMenuModel *menu;
  g_autoptr(GMenuModel) section = NULL;
  const char *formats[] = { "csv", "xlsx" };

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (button)));
  g_assert_cmpstr (gtk_menu_button_get_label (button), ==, "导出…");

  menu = gtk_menu_button_get_menu_model (button);
  section = g_menu_model_get_item_link (menu, 0, G_MENU_LINK_SECTION);
  g_assert_cmpint (g_menu_model_get_n_items (section), ==, 2);
  for (int i = 0; i < 2; i++)
    {
      g_autoptr(GVariant) target =
        g_menu_model_get_item_attribute_value (section, i, G_MENU_ATTRIBUTE_TARGET,
                                               G_VARIANT_TYPE_STRING);
      g_autofree char *label = NULL;

      g_assert_nonnull (target);
      g_assert_cmpstr (g_variant_get_string (target, NULL), ==, formats[i]);
      g_assert_true (g_menu_model_get_item_attribute (section, i, G_MENU_ATTRIBUTE_LABEL, "s",
                                                      &label));
      g_assert_true (g_str_has_prefix (label, "导出为"));
    }
}

static gboolean
export_finished (gpointer data)
{
  return sui_export_get_last_message () != NULL &&
         g_strcmp0 (sui_export_get_last_message (), "正在准备导出…") != 0;
}

/* Fires @action on @page and waits for the toast that ends it. */
static void
export_from_page (Fixture    *f,
                  GtkWidget  *page,
                  const char *action,
                  const char *format)
{
  sui_export_set_destination_for_testing (f->file);
  g_assert_true (gtk_widget_activate_action (page, action, "s", format));
  g_assert_cmpstr (sui_export_get_last_message (), ==, "正在准备导出…");
  sui_test_wait_until (export_finished, NULL, 20000);
  g_assert_cmpstr (sui_export_get_last_message (), ==, "导出文件已保存。");
}

static void
test_tags_page (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(SuiRpcClient) client = sui_test_daemon_client (test_daemon, f->sup_token);
  g_autofree char *group_params = NULL;
  g_autofree char *tag_params = NULL;
  g_autofree char *group_name = g_strconcat (f->prefix, "业态", NULL);
  g_autofree char *tag_name = g_strconcat (f->prefix, "便利店", NULL);
  g_autofree char *row = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(JsonObject) group = NULL;
  g_autoptr(JsonObject) tag = NULL;
  GtkWindow *window;
  SuiTagsPage *page;
  char header[4];

  group_params = g_strdup_printf ("{\"name\":\"%s\",\"applies_to\":\"objects\"}", group_name);
  group = call_as (f->admin_token, "tags.create_group", group_params);
  tag_params = g_strdup_printf ("{\"group_id\":%" G_GINT64_FORMAT ",\"name\":\"%s\","
                                "\"description\":\"测试用\"}",
                                json_object_get_int_member (group, "id"), tag_name);
  tag = call_as (f->admin_token, "tags.create", tag_params);

  window = GTK_WINDOW (gtk_window_new ());
  page = g_object_ref (sui_tags_page_new (client, NULL, FALSE));
  gtk_window_set_child (window, GTK_WIDGET (page));
  gtk_window_present (window);
  check_menu (GTK_WIDGET (page), "tags.export");

  export_from_page (f, GTK_WIDGET (page), "tags.export", "csv");
  contents = read_file (f->file);
  row = g_strdup_printf ("\r\n%s,%s,测试用,检查对象,全市通用,在用,0,0\r\n", group_name, tag_name);
  g_assert_nonnull (strstr (contents, row));
  g_assert_true (g_str_has_prefix (contents, "\xef\xbb\xbf标签组,"));
  g_free (contents);
  contents = NULL;

  /* XLSX: a zip (the server's tests read the sheet). */
  export_from_page (f, GTK_WIDGET (page), "tags.export", "xlsx");
  {
    g_autoptr(GFileInputStream) in = g_file_read (f->file, NULL, NULL);

    g_assert_nonnull (in);
    g_assert_cmpint (g_input_stream_read (G_INPUT_STREAM (in), header, 4, NULL, NULL), ==, 4);
    g_assert_cmpmem (header, 4, "PK\x03\x04", 4);
  }

  gtk_window_destroy (window);
  g_assert_finalize_object (page);
}

static void
test_admin_page (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(SuiRpcClient) client = sui_test_daemon_client (test_daemon, f->admin_token);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *expected = NULL;
  GtkWindow *window;
  SuiAdminPage *page;

  window = GTK_WINDOW (gtk_window_new ());
  page = g_object_ref (sui_admin_page_new (client, NULL));
  gtk_window_set_child (window, GTK_WIDGET (page));
  gtk_window_present (window);
  check_menu (GTK_WIDGET (page), "admin.export-users");

  /* The list's search goes along: only this case's supervisor. */
  g_object_set (page, "search-text", f->prefix, NULL);
  export_from_page (f, GTK_WIDGET (page), "admin.export-users", "csv");
  contents = read_file (f->file);
  lines = g_strsplit (contents, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);   /* header, one user, the last CRLF */
  g_assert_cmpstr (lines[0], ==, "\xef\xbb\xbf登录名,姓名,所属单位,角色,状态,最近登录时间");
  expected = g_strdup_printf ("%ssup,导出测试员,长安区烟草专卖局,监管人员,正常,", f->prefix);
  g_assert_true (g_str_has_prefix (lines[1], expected));
  /* They logged in when the case began. */
  g_assert_cmpuint (strlen (lines[1]), ==, strlen (expected) + strlen ("2026-01-01 00:00"));
  g_assert_cmpstr (lines[2], ==, "");

  gtk_window_destroy (window);
  g_assert_finalize_object (page);
}

int
main (int   argc,
      char *argv[])
{
  static const char * const args[] = {
    "--unit", "changan:direct:长安区烟草专卖局",
    NULL
  };
  int status;

  if (sui_test_skip_without_display ())
    return 0;

  gtk_test_init (&argc, &argv, NULL);
  sui_i18n_init ();
  /* The checks read what the user reads. */
  if (setlocale (LC_ALL, "zh_CN.UTF-8") == NULL)
    {
      printf ("1..0 # SKIP the zh_CN.UTF-8 locale is not generated on this machine\n");
      return 0;
    }
  adw_init ();

  g_test_add ("/export/download", Fixture, NULL, fixture_setup, test_download, fixture_teardown);
  g_test_add ("/export/tags-page", Fixture, NULL, fixture_setup, test_tags_page,
              fixture_teardown);
  g_test_add ("/export/admin-page", Fixture, NULL, fixture_setup, test_admin_page,
              fixture_teardown);

  test_daemon = sui_test_daemon_new (args);
  status = g_test_run ();
  g_clear_pointer (&test_daemon, sui_test_daemon_free);

  return status;
}
