/* test-inspectors-page.c: the inspector register page against the real daemon with the demo
 * data: the count and first page, headers that sort on the server, and the admin's unit
 * column
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sui-config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "sui-i18n.h"
#include "sui-inspectors-page.h"
#include "sui-paged-model.h"
#include "sui-register-row.h"
#include "sui-rpc-client.h"
#include "sui-test-daemon.h"

#define SUPERVISOR "sup_changan"
#define DEMO_PASSWORD "Demo@2026"

static SuiTestDaemon *test_daemon;

typedef struct
{
  SuiRpcClient *client;
  GtkWindow *window;
  SuiInspectorsPage *page;
  char *token;
} Fixture;

static gboolean
page_loaded (gpointer data)
{
  Fixture *f = data;

  return !sui_inspectors_page_get_loading (f->page) &&
         g_list_model_get_n_items (sui_inspectors_page_get_inspectors (f->page)) > 0;
}

/* @data: "admin" for the administrator, otherwise a supervisor of 长安区 */
static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  gboolean admin = g_strcmp0 (data, "admin") == 0;
  const char *login = admin ? "admin" : SUPERVISOR;

  f->token = sui_test_daemon_login (test_daemon, login,
                                    admin ? sui_test_daemon_get_password (test_daemon, login)
                                          : DEMO_PASSWORD);
  f->client = sui_test_daemon_client (test_daemon, f->token);
  f->page = g_object_ref (sui_inspectors_page_new (f->client, NULL, admin));
  f->window = sui_test_show (GTK_WIDGET (f->page));

  sui_test_wait_until (page_loaded, f, 20000);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  sui_test_wait_until (page_loaded, f, 10000);
  sui_test_close (f->window);
  g_assert_finalize_object (f->page);
  g_assert_finalize_object (f->client);
  g_free (f->token);
}

static GtkColumnViewColumn *
column_titled (Fixture    *f,
               const char *title)
{
  GtkWidget *view = sui_test_find_widget (GTK_WIDGET (f->page), GTK_TYPE_COLUMN_VIEW);
  GListModel *columns = gtk_column_view_get_columns (GTK_COLUMN_VIEW (view));

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      if (g_strcmp0 (gtk_column_view_column_get_title (column), title) == 0)
        return column;   /* the view keeps it */
    }
  return NULL;
}

/* The inspectors.list answer for these params as the fixture's user. */
static JsonObject *
server_page (Fixture    *f,
             const char *params)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) page = sui_test_daemon_rpc_full (test_daemon, f->token,
                                                       "inspectors.list", params, NULL,
                                                       &error);

  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (page));
}

/* The page shows what the server lists first, row by row, in the same order. */
static void
assert_shows (Fixture    *f,
              JsonObject *page)
{
  GListModel *shown = sui_inspectors_page_get_inspectors (f->page);
  JsonArray *items = json_object_get_array_member (page, "items");

  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, json_array_get_length (items));
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      g_autoptr(SuiRegisterRow) row = g_list_model_get_item (shown, i);

      g_assert_cmpint (sui_register_row_get_id (row), ==,
                       json_object_get_int_member (json_array_get_object_element (items, i),
                                                   "id"));
    }
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
  SuiPagedModel *model = SUI_PAGED_MODEL (sui_inspectors_page_get_inspectors (wait->f->page));
  gboolean descending = FALSE;
  const char *order = sui_paged_model_get_order (model, &descending);

  return g_strcmp0 (order, wait->order) == 0 && descending == wait->descending &&
         page_loaded (wait->f);
}

/* A supervisor's unit: its inspectors by id, all of them counted. */
static void
test_load (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(JsonObject) expected = server_page (f, "{\"with_count\":true,\"limit\":200}");
  SuiPagedModel *model = SUI_PAGED_MODEL (sui_inspectors_page_get_inspectors (f->page));

  g_assert_cmpint (json_object_get_int_member (expected, "total"), >, 5);
  g_assert_cmpint (sui_paged_model_get_total (model), ==,
                   json_object_get_int_member (expected, "total"));
  assert_shows (f, expected);
  /* A supervisor does not get a unit column: it would say the same on every row. */
  g_assert_null (column_titled (f, _("Unit")));
}

/* The certificate column sorts the whole register by the end of validity, soonest first or
 * last; the specialties column by pinyin. */
static void
test_sort (Fixture       *f,
           gconstpointer  data)
{
  GtkColumnView *view = GTK_COLUMN_VIEW (sui_test_find_widget (GTK_WIDGET (f->page),
                                                                GTK_TYPE_COLUMN_VIEW));
  SortedBy wait = { f, "cert_valid_until", TRUE };
  g_autoptr(JsonObject) newest = NULL;
  g_autoptr(JsonObject) by_skill = NULL;

  gtk_column_view_sort_by_column (view, column_titled (f, _("Valid Until")),
                                  GTK_SORT_DESCENDING);
  sui_test_wait_until (sorted_by, &wait, 10000);
  newest = server_page (f, "{\"order\":\"cert_valid_until\",\"descending\":true,"
                           "\"limit\":200}");
  assert_shows (f, newest);

  wait.order = "specialties";
  wait.descending = FALSE;
  gtk_column_view_sort_by_column (view, column_titled (f, _("Specialties")),
                                  GTK_SORT_ASCENDING);
  sui_test_wait_until (sorted_by, &wait, 10000);
  by_skill = server_page (f, "{\"order\":\"specialties\",\"limit\":200}");
  assert_shows (f, by_skill);
}

/* The admin sees every unit's inspectors with their unit, and can sort by it. */
static void
test_admin_units (Fixture       *f,
                  gconstpointer  data)
{
  GtkColumnView *view = GTK_COLUMN_VIEW (sui_test_find_widget (GTK_WIDGET (f->page),
                                                                GTK_TYPE_COLUMN_VIEW));
  GtkColumnViewColumn *unit = column_titled (f, _("Unit"));
  g_autoptr(GtkColumnViewColumn) second = g_list_model_get_item (
    gtk_column_view_get_columns (view), 1);
  SortedBy wait = { f, "unit", FALSE };
  g_autoptr(JsonObject) expected = NULL;
  GListModel *shown = sui_inspectors_page_get_inspectors (f->page);
  g_autoptr(SuiRegisterRow) first = NULL;

  g_assert_nonnull (unit);
  g_assert_true (second == unit);

  gtk_column_view_sort_by_column (view, unit, GTK_SORT_ASCENDING);
  sui_test_wait_until (sorted_by, &wait, 10000);
  expected = server_page (f, "{\"order\":\"unit\",\"limit\":200}");
  assert_shows (f, expected);
  first = g_list_model_get_item (shown, 0);
  g_assert_cmpstr (sui_register_row_get_string (first, "unit_name"), !=, NULL);
  g_assert_true (g_str_has_suffix (sui_register_row_get_string (first, "unit_name"),
                                   "烟草专卖局"));
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

  g_test_add ("/inspectors-page/load", Fixture, NULL,
              fixture_setup, test_load, fixture_teardown);
  g_test_add ("/inspectors-page/sort", Fixture, NULL,
              fixture_setup, test_sort, fixture_teardown);
  g_test_add ("/inspectors-page/admin-units", Fixture, "admin",
              fixture_setup, test_admin_units, fixture_teardown);

  test_daemon = sui_test_daemon_new (args);
  status = g_test_run ();
  g_clear_pointer (&test_daemon, sui_test_daemon_free);

  return status;
}
