/* test-objects-page.c: the object register page against the real daemon
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One daemon with the demo data serves every case: the Chang'an unit's register (some 1 800
 * objects) is large enough for several pages. The page works as the demo supervisor
 * sup_changan; what it did is checked through the daemon afterwards. Each case makes its own
 * tags, so the cases never see one another's changes.
 */
#include "sui-config.h"

#include <adwaita.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sui-export.h"
#include "sui-grades-dialog.h"
#include "sui-i18n.h"
#include "sui-import-dialog.h"
#include "sui-registry-dialog.h"
#include "sui-object-dialog.h"
#include "sui-objects-page.h"
#include "sui-paged-model.h"
#include "sui-register-row.h"
#include "sui-rpc-client.h"
#include "sui-test-daemon.h"

#define SUPERVISOR "sup_changan"
#define DEMO_PASSWORD "Demo@2026"
#define PAGE_SIZE 200

static SuiTestDaemon *test_daemon;
static guint serial;

typedef struct
{
  SuiRpcClient *client;
  GtkWindow *window;
  SuiObjectsPage *page;
  char *token;
  guint case_no;
} Fixture;

static gboolean
page_ready (gpointer data)
{
  Fixture *f = data;

  return sui_objects_page_get_ready (f->page) && !sui_objects_page_get_loading (f->page);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->case_no = ++serial;
  f->token = sui_test_daemon_login (test_daemon, SUPERVISOR, DEMO_PASSWORD);
  f->client = sui_test_daemon_client (test_daemon, f->token);
  f->page = g_object_ref (sui_objects_page_new (f->client, NULL, FALSE));
  f->window = sui_test_show (GTK_WIDGET (f->page));

  sui_test_wait_until (page_ready, f, 20000);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  sui_test_wait_until (page_ready, f, 10000);
  sui_test_close (f->window);
  g_assert_finalize_object (f->page);
  g_assert_finalize_object (f->client);
  g_free (f->token);
}

/* A tag of the supervisor's own unit, in a group made for this case. */
static gint64
make_tag (Fixture    *f,
          const char *name)
{
  g_autofree char *group_params = NULL;
  g_autofree char *tag_params = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) group = NULL;
  g_autoptr(JsonNode) tag = NULL;

  static guint groups;

  group_params = g_strdup_printf ("{\"name\":\"测试分组%u\",\"applies_to\":\"objects\"}",
                                  ++groups);
  group = sui_test_daemon_rpc_full (test_daemon, f->token, "tags.create_group", group_params,
                                    NULL, &error);
  g_assert_no_error (error);
  tag_params = g_strdup_printf ("{\"group_id\":%" G_GINT64_FORMAT ",\"name\":\"%s\"}",
                                json_object_get_int_member (json_node_get_object (group), "id"),
                                name);
  tag = sui_test_daemon_rpc_full (test_daemon, f->token, "tags.create", tag_params, NULL,
                                  &error);
  g_assert_no_error (error);

  return json_object_get_int_member (json_node_get_object (tag), "id");
}

static gint64
count_matching (Fixture    *f,
                const char *filter_json)
{
  g_autofree char *params = g_strdup_printf ("{\"kind\":\"objects\",\"filter\":%s}",
                                             filter_json);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = sui_test_daemon_rpc_full (test_daemon, f->token,
                                                         "filters.count", params, NULL,
                                                         &error);

  g_assert_no_error (error);
  return json_object_get_int_member (json_node_get_object (result), "count");
}

static guint
n_loaded (Fixture *f)
{
  return g_list_model_get_n_items (sui_objects_page_get_objects (f->page));
}

typedef struct
{
  Fixture *f;
  guint more_than;
} LoadedMore;

static gboolean
loaded_more (gpointer data)
{
  LoadedMore *wait = data;

  return n_loaded (wait->f) > wait->more_than && !sui_objects_page_get_loading (wait->f->page);
}

/* The first page only; scrolling to the end fetches the next one, in id order. */
static void
test_paging (Fixture       *f,
             gconstpointer  data)
{
  GListModel *objects = sui_objects_page_get_objects (f->page);
  GtkAdjustment *adjustment = sui_objects_page_get_vadjustment (f->page);
  LoadedMore wait = { f, PAGE_SIZE };
  gint64 previous = 0;

  g_assert_cmpint (sui_objects_page_get_total (f->page), >, 2 * PAGE_SIZE);
  g_assert_cmpuint (n_loaded (f), ==, PAGE_SIZE);

  /* Still the first page after a while: nothing loads without scrolling. */
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (n_loaded (f), ==, PAGE_SIZE);

  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  sui_test_wait_until (loaded_more, &wait, 10000);
  g_assert_cmpuint (n_loaded (f), ==, 2 * PAGE_SIZE);

  for (guint i = 0; i < n_loaded (f); i++)
    {
      g_autoptr(SuiRegisterRow) row = g_list_model_get_item (objects, i);

      g_assert_cmpint (sui_register_row_get_id (row), >, previous);
      previous = sui_register_row_get_id (row);
    }
}

static gboolean
scrolled_for_more (gpointer data)
{
  LoadedMore *wait = data;
  GtkAdjustment *adjustment = sui_objects_page_get_vadjustment (wait->f->page);

  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  return loaded_more (wait);
}

typedef struct
{
  Fixture *f;
  const char *order;
  gboolean descending;
} SortedBy;

static gboolean
sorted_by (gpointer data)
{
  SortedBy *wait = data;
  SuiPagedModel *model = SUI_PAGED_MODEL (sui_objects_page_get_objects (wait->f->page));
  gboolean descending = FALSE;
  const char *order = sui_paged_model_get_order (model, &descending);

  return g_strcmp0 (order, wait->order) == 0 && descending == wait->descending &&
         n_loaded (wait->f) > 0 && !sui_objects_page_get_loading (wait->f->page);
}

/* The ids the server lists first in an order, as @after continues. */
static GArray *
server_ids (Fixture    *f,
            const char *order,
            gboolean    descending,
            guint       limit)
{
  g_autofree char *params = g_strdup_printf ("{\"order\":\"%s\",\"descending\":%s,"
                                             "\"limit\":%u}", order,
                                             descending ? "true" : "false", limit);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) page = sui_test_daemon_rpc_full (test_daemon, f->token, "objects.list",
                                                       params, NULL, &error);
  JsonArray *items;
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_assert_no_error (error);
  items = json_object_get_array_member (json_node_get_object (page), "items");
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      gint64 id = json_object_get_int_member (json_array_get_object_element (items, i), "id");

      g_array_append_val (ids, id);
    }
  return ids;
}

static void
assert_loaded_as_server (Fixture    *f,
                         const char *order,
                         gboolean    descending)
{
  GListModel *objects = sui_objects_page_get_objects (f->page);
  g_autoptr(GArray) ids = server_ids (f, order, descending, n_loaded (f));

  g_assert_cmpuint (ids->len, ==, n_loaded (f));
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(SuiRegisterRow) row = g_list_model_get_item (objects, i);

      g_assert_cmpint (sui_register_row_get_id (row), ==, g_array_index (ids, gint64, i));
    }
}

static gboolean
export_saved (gpointer data)
{
  return g_strcmp0 (sui_export_get_last_message (), "导出文件已保存。") == 0;
}

/* A column header sorts the whole register on the server, not the rows loaded so far, and
 * scrolling goes on in that order. */
static void
test_sort (Fixture       *f,
           gconstpointer  data)
{
  GtkColumnView *view = GTK_COLUMN_VIEW (sui_test_find_widget (GTK_WIDGET (f->page),
                                                                GTK_TYPE_COLUMN_VIEW));
  GListModel *columns = gtk_column_view_get_columns (view);
  g_autoptr(GtkColumnViewColumn) licence = g_list_model_get_item (columns, 0);
  g_autoptr(GtkColumnViewColumn) name = g_list_model_get_item (columns, 1);
  g_autoptr(GtkColumnViewColumn) tags = g_list_model_get_item (columns,
                                                               g_list_model_get_n_items (columns)
                                                               - 1);
  SortedBy wait = { f, "name", TRUE };
  LoadedMore more = { f, PAGE_SIZE };
  g_autoptr(SuiRegisterRow) first = NULL;
  g_autoptr(SuiRegisterRow) last = NULL;

  g_assert_nonnull (view);
  /* The tags column has no order on the server, so its header does not sort. */
  g_assert_null (gtk_column_view_column_get_sorter (tags));

  gtk_column_view_sort_by_column (view, name, GTK_SORT_DESCENDING);
  sui_test_wait_until (sorted_by, &wait, 10000);
  g_assert_cmpuint (n_loaded (f), ==, PAGE_SIZE);
  assert_loaded_as_server (f, "name", TRUE);

  /* The reloaded rows are laid out anew: keep scrolling to the end until the next page
   * comes. */
  sui_test_wait_until (scrolled_for_more, &more, 10000);
  g_assert_cmpuint (n_loaded (f), ==, 2 * PAGE_SIZE);
  assert_loaded_as_server (f, "name", TRUE);

  wait.order = "licence_no";
  wait.descending = FALSE;
  gtk_column_view_sort_by_column (view, licence, GTK_SORT_ASCENDING);
  sui_test_wait_until (sorted_by, &wait, 10000);
  assert_loaded_as_server (f, "licence_no", FALSE);
  first = g_list_model_get_item (sui_objects_page_get_objects (f->page), 0);
  last = g_list_model_get_item (sui_objects_page_get_objects (f->page), n_loaded (f) - 1);
  g_assert_cmpstr (sui_register_row_get_string (first, "licence_no"), <,
                   sui_register_row_get_string (last, "licence_no"));

  /* The export follows the list's order: by licence, first row first. */
  {
    g_autoptr(GFile) file = NULL;
    g_autoptr(GFileIOStream) io = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *contents = NULL;
    g_autofree char *expected = NULL;
    g_auto(GStrv) lines = NULL;
    guint n_rows = 0;

    file = g_file_new_tmp ("sui-sorted-XXXXXX.csv", &io, &error);
    g_assert_no_error (error);
    sui_export_set_destination_for_testing (file);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "objects.export", "s",
                                               "csv"));
    g_assert_cmpstr (sui_export_get_last_message (), ==, "正在准备导出…");
    sui_test_wait_until (export_saved, NULL, 20000);
    g_assert_true (g_file_load_contents (file, NULL, &contents, NULL, NULL, &error));
    g_assert_no_error (error);
    sui_export_set_destination_for_testing (NULL);
    g_file_delete (file, NULL, NULL);

    lines = g_strsplit (contents, "\r\n", -1);
    expected = g_strdup_printf ("=\"%s\",", sui_register_row_get_string (first, "licence_no"));
    g_assert_true (g_str_has_prefix (lines[1], expected));
    for (guint i = 2; lines[i] != NULL && lines[i][0] != '\0'; i++, n_rows++)
      g_assert_cmpint (strncmp (lines[i - 1], lines[i], 16), <, 0);
    g_assert_cmpint (n_rows + 1, ==, sui_objects_page_get_total (f->page));
  }
}

/* The filter bar makes the expression of docs/protocol.md, and the count is the server's. */
static void
test_filter (Fixture       *f,
             gconstpointer  data)
{
  gint64 tag_a = make_tag (f, "甲");
  gint64 tag_b = make_tag (f, "乙");
  g_autoptr(JsonNode) filter = NULL;
  g_autoptr(JsonNode) applied = NULL;
  g_autofree char *text = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *apply_a = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *objects = sui_objects_page_get_objects (f->page);
  gint64 with_a;

  /* Tag A on every retail shop of the district, tag B on the first five of the unit: the
   * filter A AND NOT B must leave those five out. */
  apply_a = g_strdup_printf ("{\"tag_id\":%" G_GINT64_FORMAT ",\"filter\":{\"and\":["
                             "{\"type\":\"retail\"},{\"district\":\"长安区\"}]}}", tag_a);
  applied = sui_test_daemon_rpc_full (test_daemon, f->token, "tags.apply", apply_a, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&applied, json_node_unref);

  sui_objects_page_reload (f->page);
  sui_test_wait_until (page_ready, f, 10000);

  g_assert_true (sui_objects_page_set_choice (f->page, "type", "retail"));
  g_assert_true (sui_objects_page_set_choice (f->page, "risk_class", "A"));
  g_assert_false (sui_objects_page_set_choice (f->page, "risk_class", "Z"));
  sui_objects_page_set_district (f->page, "长安区");
  sui_objects_page_set_search (f->page, "  店 ");
  sui_objects_page_set_tag_mode (f->page, tag_a, SUI_TAG_MODE_ALL);
  sui_objects_page_set_tag_mode (f->page, tag_b, SUI_TAG_MODE_NOT);

  filter = sui_objects_page_build_filter (f->page);
  text = json_to_string (filter, FALSE);
  expected = g_strdup_printf ("{\"and\":[{\"text\":\"店\"},{\"type\":\"retail\"},"
                              "{\"risk_class\":\"A\"},{\"district\":\"长安区\"},"
                              "{\"tags_all\":[%" G_GINT64_FORMAT "]},"
                              "{\"not\":{\"tags_any\":[%" G_GINT64_FORMAT "]}}]}",
                              tag_a, tag_b);
  g_assert_cmpstr (text, ==, expected);

  sui_test_wait_until (page_ready, f, 10000);
  with_a = sui_objects_page_get_total (f->page);
  g_assert_cmpint (with_a, ==, count_matching (f, text));
  g_assert_cmpint (with_a, >, 5);

  /* Tag B on the first five rows shown (by ids): NOT B now leaves exactly those out. */
  {
    g_autoptr(GString) ids = g_string_new (NULL);
    g_autofree char *params = NULL;

    for (guint i = 0; i < 5; i++)
      {
        g_autoptr(SuiRegisterRow) row = g_list_model_get_item (objects, i);

        g_string_append_printf (ids, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "",
                                sui_register_row_get_id (row));
      }
    params = g_strdup_printf ("{\"tag_id\":%" G_GINT64_FORMAT ",\"ids\":[%s]}", tag_b, ids->str);
    applied = sui_test_daemon_rpc_full (test_daemon, f->token, "tags.apply", params, NULL,
                                        &error);
    g_assert_no_error (error);
  }
  sui_objects_page_reload (f->page);
  g_clear_pointer (&applied, json_node_unref);
  sui_test_wait_until (page_ready, f, 10000);
  g_assert_cmpint (sui_objects_page_get_total (f->page), ==, with_a - 5);
  g_assert_cmpint (sui_objects_page_get_total (f->page), ==, count_matching (f, text));

  for (guint i = 0; i < g_list_model_get_n_items (objects); i++)
    {
      g_autoptr(SuiRegisterRow) row = g_list_model_get_item (objects, i);

      g_assert_cmpstr (sui_register_row_get_string (row, "type"), ==, "retail");
      g_assert_cmpstr (sui_register_row_get_string (row, "risk_class"), ==, "A");
      g_assert_true (sui_register_row_has_tag (row, tag_a));
      g_assert_false (sui_register_row_has_tag (row, tag_b));
    }

  /* OR: either tag; clearing a tag's choice drops it from the expression. */
  sui_objects_page_set_tag_mode (f->page, tag_a, SUI_TAG_MODE_ANY);
  sui_objects_page_set_tag_mode (f->page, tag_b, SUI_TAG_MODE_ANY_VALUE);
  g_clear_pointer (&filter, json_node_unref);
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&expected, g_free);
  filter = sui_objects_page_build_filter (f->page);
  text = json_to_string (filter, FALSE);
  expected = g_strdup_printf ("{\"and\":[{\"text\":\"店\"},{\"type\":\"retail\"},"
                              "{\"risk_class\":\"A\"},{\"district\":\"长安区\"},"
                              "{\"tags_any\":[%" G_GINT64_FORMAT "]}]}", tag_a);
  g_assert_cmpstr (text, ==, expected);

  gtk_widget_activate_action (GTK_WIDGET (f->page), "objects.clear-filters", NULL);
  g_assert_null (sui_objects_page_build_filter (f->page));
}

typedef struct
{
  Fixture *f;
  const char *filter;
  gint64 count;
} CountWait;

static gboolean
count_reached (gpointer data)
{
  CountWait *wait = data;

  return count_matching (wait->f, wait->filter) == wait->count;
}

static gboolean
total_is (gpointer data)
{
  CountWait *wait = data;

  return page_ready (wait->f) && sui_objects_page_get_total (wait->f->page) == wait->count;
}

/* Three rows selected get the tag in one call; the tag filter then finds exactly them. */
static void
test_bulk_tag (Fixture       *f,
               gconstpointer  data)
{
  gint64 tag = make_tag (f, "批量");
  g_autofree char *by_tag = g_strdup_printf ("{\"tag\":%" G_GINT64_FORMAT "}", tag);
  GtkSelectionModel *selection = sui_objects_page_get_selection (f->page);
  CountWait wait = { f, by_tag, 3 };
  gint64 chosen[3];

  sui_objects_page_reload (f->page);
  sui_test_wait_until (page_ready, f, 10000);

  gtk_selection_model_select_item (selection, 5, TRUE);
  gtk_selection_model_select_item (selection, 7, FALSE);
  gtk_selection_model_select_item (selection, 150, FALSE);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(SuiRegisterRow) row = g_list_model_get_item (G_LIST_MODEL (selection),
                                                             (guint[]) { 5, 7, 150 }[i]);
      chosen[i] = sui_register_row_get_id (row);
    }
  g_assert_cmpint (count_matching (f, by_tag), ==, 0);
  sui_objects_page_apply_tag (f->page, tag, FALSE, FALSE);
  sui_test_wait_until (count_reached, &wait, 10000);

  /* Found again by the tag, in the page itself. */
  sui_objects_page_set_tag_mode (f->page, tag, SUI_TAG_MODE_ALL);
  sui_test_wait_until (total_is, &wait, 10000);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(SuiRegisterRow) row = g_list_model_get_item (sui_objects_page_get_objects (
                                                               f->page), i);
      g_assert_cmpint (sui_register_row_get_id (row), ==, chosen[i]);
    }

  /* "Everything that matches": the current filter (these three) loses the tag again. */
  sui_objects_page_apply_tag (f->page, tag, TRUE, TRUE);
  wait.count = 0;
  sui_test_wait_until (count_reached, &wait, 10000);
}

static gboolean
dialog_idle (gpointer data)
{
  return !sui_object_dialog_get_busy (SUI_OBJECT_DIALOG (data));
}

/* The server's reason for a bad credit code shows under that field; nothing is created. */
static void
test_form_field_error (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(SuiObjectDialog) dialog = NULL;
  gint64 before = sui_objects_page_get_total (f->page);
  const char *message;

  dialog = g_object_ref (SUI_OBJECT_DIALOG (sui_objects_page_open_editor (f->page, FALSE)));
  g_assert_nonnull (dialog);

  sui_object_dialog_set_field (dialog, "type", "retail");
  sui_object_dialog_set_field (dialog, "licence_no", "130101999901");
  sui_object_dialog_set_field (dialog, "name", "测试表单烟酒店");
  /* A well-formed code with the last (check) character changed. */
  sui_object_dialog_set_field (dialog, "credit_code", "91110000600037341X");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL);
  g_assert_true (sui_object_dialog_get_busy (dialog));
  sui_test_wait_until (dialog_idle, dialog, 10000);

  message = sui_object_dialog_get_field_error (dialog, "credit_code");
  g_assert_nonnull (message);
  g_assert_true (g_utf8_validate (message, -1, NULL));
  g_assert_null (sui_object_dialog_get_field_error (dialog, "name"));
  g_assert_nonnull (sui_object_dialog_get_message (dialog));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  g_assert_cmpint (count_matching (f, "{\"text\":\"130101999901\"}"), ==, 0);

  /* A bad licence number for a retailer: the message moves to that field. */
  sui_object_dialog_set_field (dialog, "credit_code", "");
  sui_object_dialog_set_field (dialog, "licence_no", "1301");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL);
  sui_test_wait_until (dialog_idle, dialog, 10000);
  g_assert_nonnull (sui_object_dialog_get_field_error (dialog, "licence_no"));
  g_assert_null (sui_object_dialog_get_field_error (dialog, "credit_code"));

  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_cmpint (sui_objects_page_get_total (f->page), ==, before);
}

static gboolean
import_at_step (gpointer data)
{
  SuiImportDialog *dialog = g_object_get_data (G_OBJECT (data), "dialog");
  const char *step = g_object_get_data (G_OBJECT (data), "step");

  return g_strcmp0 (sui_import_dialog_get_step (dialog), step) == 0;
}

static void
wait_for_step (SuiImportDialog *dialog,
               const char      *step)
{
  g_object_set_data (G_OBJECT (dialog), "dialog", dialog);
  g_object_set_data (G_OBJECT (dialog), "step", (gpointer) step);
  sui_test_wait_until (import_at_step, dialog, 20000);
}

/* The assistant uploads a file (UTF-8 with BOM, Chinese headers, one broken row), shows what
 * the import would do, refuses to commit until invalid rows are to be skipped, then writes
 * the valid ones and keeps a summary. */
static void
test_import (Fixture       *f,
             gconstpointer  data)
{
  static const char csv[] =
    "\xef\xbb\xbf许可证号,名称,负责人,区县,对象类型,经营状态,统一社会信用代码,备注\r\n"
    "130101980001,导入测试烟酒店,张三,长安区,卷烟零售户,营业,,甲\r\n"
    "130101980002,导入测试便利店,李四,长安区,卷烟零售户,营业,,乙\r\n"
    "130101980003,导入测试超市,王五,长安区,卷烟零售户,营业,91110000600037341X,丙\r\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileIOStream) stream = NULL;
  g_autoptr(SuiImportDialog) dialog = NULL;
  JsonObject *preview;
  JsonArray *invalid_rows;

  file = g_file_new_tmp ("sui-import-XXXXXX.csv", &stream, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_replace_contents (file, csv, strlen (csv), NULL, FALSE,
                                          G_FILE_CREATE_NONE, NULL, NULL, &error));
  g_assert_no_error (error);

  gtk_widget_activate_action (GTK_WIDGET (f->page), "objects.import", NULL);
  {
    GListModel *toplevels = gtk_window_get_toplevels ();

    for (guint i = 0; i < g_list_model_get_n_items (toplevels) && dialog == NULL; i++)
      {
        g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

        if (SUI_IS_IMPORT_DIALOG (window))
          dialog = g_object_ref (SUI_IMPORT_DIALOG (window));
      }
  }
  g_assert_nonnull (dialog);
  g_assert_cmpstr (sui_import_dialog_get_step (dialog), ==, "choose");

  sui_import_dialog_open_file (dialog, file);
  g_assert_cmpstr (sui_import_dialog_get_step (dialog), ==, "working");
  wait_for_step (dialog, "preview");

  preview = sui_import_dialog_get_preview (dialog);
  g_assert_cmpint (json_object_get_int_member (preview, "new"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (preview, "invalid"), ==, 1);
  invalid_rows = json_object_get_array_member (preview, "invalid_rows");
  g_assert_cmpuint (json_array_get_length (invalid_rows), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (invalid_rows, 0),
                                               "line"), ==, 4);

  /* Nothing can be committed while a row is invalid and not to be skipped. */
  g_assert_false (sui_import_dialog_get_can_commit (dialog));
  sui_import_dialog_set_skip_invalid (dialog, TRUE);
  g_assert_true (sui_import_dialog_get_can_commit (dialog));
  g_assert_cmpint (count_matching (f, "{\"text\":\"1301019800\"}"), ==, 0);

  gtk_widget_activate_action (GTK_WIDGET (dialog), "import.commit", NULL);
  wait_for_step (dialog, "done");
  g_assert_cmpint (count_matching (f, "{\"text\":\"1301019800\"}"), ==, 2);
  /* The summary names the invalid row by its line. */
  g_assert_nonnull (strstr (sui_import_dialog_get_summary (dialog), "\n4\t"));

  gtk_window_destroy (GTK_WINDOW (dialog));
  g_file_delete (file, NULL, NULL);
}

static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type))
        return GTK_WINDOW (window);
    }
  return NULL;
}

static GFile *
write_tmp (const char *contents,
           gsize       length)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileIOStream) stream = NULL;
  GFile *file = g_file_new_tmp ("sui-test-XXXXXX.csv", &stream, &error);

  g_assert_no_error (error);
  g_assert_true (g_file_replace_contents (file, contents, length, NULL, FALSE,
                                          G_FILE_CREATE_NONE, NULL, NULL, &error));
  g_assert_no_error (error);
  return file;
}

static gboolean
registry_settled (gpointer data)
{
  SuiRegistryDialog *dialog = data;
  const char *want = g_object_get_data (G_OBJECT (dialog), "want");

  return g_strcmp0 (sui_registry_dialog_get_step (dialog), "report") == 0 &&
         (want == NULL || sui_registry_dialog_get_added (dialog) > 0);
}

static void
screenshot (const char *name)
{
  const char *dir = g_getenv ("SUI_SCREENSHOT_DIR");
  g_autofree char *command = NULL;

  if (dir == NULL)
    return;
  /* Let the dialog draw before the picture is taken. */
  {
    gint64 until = g_get_monotonic_time () + 700 * G_TIME_SPAN_MILLISECOND;

    while (g_get_monotonic_time () < until)
      g_main_context_iteration (NULL, FALSE);
  }
  command = g_strdup_printf ("import -window root %s/%s.png", dir, name);
  (void) system (command);
}

/* 应纳尽纳 from the objects page: a registry export (GB18030 as Excel writes it) with two
 * licensees the register lacks and a broken row; the report lists them, the unit's objects
 * the file does not have, and the broken row by its line; "Add Missing Objects" adds exactly
 * the two, and the report that follows has none missing. */
static void
test_registry_check (Fixture       *f,
                     gconstpointer  data)
{
  static const char utf8[] =
    "许可证号,企业名称,法定代表人,经营地址,类型,状态\r\n"
    "130101970001,应纳测试烟酒店,张三,长安区中山路1号,卷烟零售户,有效\r\n"
    "130101970002,应纳测试便利店,李四,长安区中山路2号,卷烟零售户,有效\r\n"
    "1301,坏行,王五,长安区中山路3号,卷烟零售户,有效\r\n";
  g_autofree char *gb = g_convert (utf8, -1, "GB18030", "UTF-8", NULL, NULL, NULL);
  g_autoptr(GFile) file = write_tmp (gb, strlen (gb));
  g_autoptr(SuiRegistryDialog) dialog = NULL;
  JsonObject *report;
  JsonArray *missing;

  gtk_widget_activate_action (GTK_WIDGET (f->page), "objects.registry-check", NULL);
  dialog = g_object_ref (SUI_REGISTRY_DIALOG (find_toplevel (SUI_TYPE_REGISTRY_DIALOG)));
  g_assert_cmpstr (sui_registry_dialog_get_step (dialog), ==, "choose");

  sui_registry_dialog_open_file (dialog, file);
  sui_test_wait_until (registry_settled, dialog, 30000);
  report = sui_registry_dialog_get_report (dialog);
  g_assert_cmpstr (json_object_get_string_member (report, "encoding"), ==, "GB18030");
  g_assert_cmpint (json_object_get_int_member (report, "missing"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (report, "invalid"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (report, "extra"), ==,
                   count_matching (f, "{\"status\":[\"open\"]}"));
  missing = json_object_get_array_member (report, "missing_rows");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (missing, 0),
                                                  "licence_no"), ==, "130101970001");
  screenshot ("registry-check");
  g_assert_cmpint (count_matching (f, "{\"text\":\"应纳测试\"}"), ==, 0);

  g_object_set_data (G_OBJECT (dialog), "want", (gpointer) "added");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "registry.add-missing", NULL);
  sui_test_wait_until (registry_settled, dialog, 30000);
  g_assert_cmpint (sui_registry_dialog_get_added (dialog), ==, 2);
  g_assert_cmpint (count_matching (f, "{\"text\":\"应纳测试\"}"), ==, 2);
  /* The check ran again on the same file: nothing is missing any more. */
  sui_test_wait_until (registry_settled, dialog, 30000);
  report = sui_registry_dialog_get_report (dialog);
  g_assert_cmpint (json_object_get_int_member (report, "missing"), ==, 0);

  gtk_window_destroy (GTK_WINDOW (dialog));
  {
    /* The "added" message dialog too. */
    GtkWindow *message;

    while ((message = find_toplevel (ADW_TYPE_MESSAGE_DIALOG)) != NULL)
      gtk_window_destroy (message);
  }
  g_file_delete (file, NULL, NULL);
}

/* The same assistant imports credit grades: columns recognised, an unknown licence refused
 * with its line, the known one's grade and risk class written. */
static void
test_import_grades (Fixture       *f,
                    gconstpointer  data)
{
  static const char csv[] =
    "\xef\xbb\xbf许可证号,信用等级,评定日期\r\n"
    "130101960001,D,2026-03-01\r\n"
    "130101969999,AAA,2026-03-01\r\n";
  static const char object[] =
    "{\"type\":\"retail\",\"licence_no\":\"130101960001\",\"name\":\"等级测试店\"}";
  g_autoptr(GFile) file = write_tmp (csv, strlen (csv));
  g_autoptr(SuiImportDialog) dialog = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) made = NULL;
  JsonObject *preview;

  made = sui_test_daemon_rpc_full (test_daemon, f->token, "objects.create", object, NULL,
                                   &error);
  g_assert_no_error (error);

  gtk_widget_activate_action (GTK_WIDGET (f->page), "objects.import-grades", NULL);
  dialog = g_object_ref (SUI_IMPORT_DIALOG (find_toplevel (SUI_TYPE_IMPORT_DIALOG)));
  g_assert_cmpstr (sui_import_dialog_get_kind (dialog), ==, "credit_grades");
  screenshot ("import-grades-choose");
  sui_import_dialog_open_file (dialog, file);
  wait_for_step (dialog, "preview");
  screenshot ("import-grades-preview");
  preview = sui_import_dialog_get_preview (dialog);
  g_assert_cmpstr (json_object_get_string_member (preview, "kind"), ==, "credit_grades");
  g_assert_cmpint (json_object_get_int_member (preview, "changed"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (preview, "invalid"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (
                     json_array_get_object_element (
                       json_object_get_array_member (preview, "invalid_rows"), 0), "line"), ==, 3);
  g_assert_false (sui_import_dialog_get_can_commit (dialog));
  sui_import_dialog_set_skip_invalid (dialog, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "import.commit", NULL);
  wait_for_step (dialog, "done");
  g_assert_cmpint (count_matching (f, "{\"and\":[{\"text\":\"130101960001\"},"
                                      "{\"risk_class\":[\"D\"]}]}"), ==, 1);
  g_assert_nonnull (strstr (sui_import_dialog_get_summary (dialog), "\n3\t"));
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_file_delete (file, NULL, NULL);
}

/* The assistant switched to inspectors: a GB18030 file with Chinese headers, the columns it
 * recognised, a broken row by its line, the valid ones written to the inspector register. */
static void
test_import_inspectors (Fixture       *f,
                        gconstpointer  data)
{
  static const char utf8[] =
    "姓名,执法证号,证件有效期起,证件有效期止,状态,专长,联系电话\r\n"
    "导入员甲,IMP-CA-0001,2024/1/1,2028/12/31,在岗,卷烟零售,13800000001\r\n"
    "导入员乙,IMP-CA-0002,2024-03-01,2023-01-01,在岗,,\r\n"
    "导入员丙,IMP-CA-0003,2024年1月1日,2029年1月1日,离岗,电子烟,\r\n";
  g_autofree char *gb = g_convert (utf8, -1, "GB18030", "UTF-8", NULL, NULL, NULL);
  g_autoptr(GFile) file = write_tmp (gb, strlen (gb));
  g_autoptr(SuiImportDialog) dialog = sui_import_dialog_new (f->client, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) listed = NULL;
  JsonObject *preview;
  JsonArray *columns;

  g_object_ref_sink (dialog);
  sui_import_dialog_set_kind (dialog, "inspectors");
  gtk_window_present (GTK_WINDOW (dialog));
  sui_import_dialog_open_file (dialog, file);
  wait_for_step (dialog, "preview");
  screenshot ("import-inspectors-preview");
  preview = sui_import_dialog_get_preview (dialog);
  g_assert_cmpstr (json_object_get_string_member (preview, "encoding"), ==, "GB18030");
  g_assert_cmpint (json_object_get_int_member (preview, "new"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (preview, "invalid"), ==, 1);
  columns = json_object_get_array_member (preview, "columns");
  g_assert_cmpuint (json_array_get_length (columns), ==, 7);
  for (guint i = 0; i < 7; i++)
    g_assert_false (json_object_get_null_member (json_array_get_object_element (columns, i),
                                                 "field"));
  sui_import_dialog_set_skip_invalid (dialog, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "import.commit", NULL);
  wait_for_step (dialog, "done");
  g_assert_nonnull (strstr (sui_import_dialog_get_summary (dialog), "\n3\t"));

  listed = sui_test_daemon_rpc_full (test_daemon, f->token, "inspectors.list",
                                     "{\"filter\":{\"text\":\"IMP-CA-000\"},\"with_count\":true}",
                                     NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (listed), "total"), ==, 2);
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_file_delete (file, NULL, NULL);
}

static gboolean
grades_ready (gpointer data)
{
  return sui_grades_dialog_get_ready (data);
}

/* A supervisor sees the mapping with the counts of their unit, and cannot change it. */
static void
test_grade_mapping (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(SuiGradesDialog) dialog = NULL;
  JsonArray *items;

  gtk_widget_activate_action (GTK_WIDGET (f->page), "objects.grade-mapping", NULL);
  dialog = g_object_ref (SUI_GRADES_DIALOG (find_toplevel (SUI_TYPE_GRADES_DIALOG)));
  sui_test_wait_until (grades_ready, dialog, 20000);
  items = sui_grades_dialog_get_items (dialog);
  g_assert_cmpuint (json_array_get_length (items), ==, 6);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 0),
                                                  "grade"), ==, "AAA");
  /* Only an admin may save. */
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (dialog), "grades.save", NULL) &&
                  !sui_grades_dialog_get_ready (dialog));
  screenshot ("grade-mapping");
  gtk_window_destroy (GTK_WINDOW (dialog));
}

int
main (int   argc,
      char *argv[])
{
  static const char * const args[] = { "--demo-data", NULL };
  int status;

  if (sui_test_skip_without_display ())
    return 0;

  gtk_test_init (&argc, &argv, NULL);
  sui_i18n_init ();
  adw_init ();

  g_test_add ("/objects-page/paging", Fixture, NULL,
              fixture_setup, test_paging, fixture_teardown);
  g_test_add ("/objects-page/sort", Fixture, NULL,
              fixture_setup, test_sort, fixture_teardown);
  g_test_add ("/objects-page/filter", Fixture, NULL,
              fixture_setup, test_filter, fixture_teardown);
  g_test_add ("/objects-page/bulk-tag", Fixture, NULL,
              fixture_setup, test_bulk_tag, fixture_teardown);
  g_test_add ("/objects-page/form-field-error", Fixture, NULL,
              fixture_setup, test_form_field_error, fixture_teardown);
  g_test_add ("/objects-page/import", Fixture, NULL,
              fixture_setup, test_import, fixture_teardown);
  g_test_add ("/objects-page/registry-check", Fixture, NULL,
              fixture_setup, test_registry_check, fixture_teardown);
  g_test_add ("/objects-page/import-grades", Fixture, NULL,
              fixture_setup, test_import_grades, fixture_teardown);
  g_test_add ("/objects-page/import-inspectors", Fixture, NULL,
              fixture_setup, test_import_inspectors, fixture_teardown);
  g_test_add ("/objects-page/grade-mapping", Fixture, NULL,
              fixture_setup, test_grade_mapping, fixture_teardown);

  test_daemon = sui_test_daemon_new (args);
  status = g_test_run ();
  g_clear_pointer (&test_daemon, sui_test_daemon_free);

  return status;
}
