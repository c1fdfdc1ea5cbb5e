/* test-items-page.c: the item list page and the catalogue against the real daemon
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One daemon with the demo data serves every case. Each case adds its own catalogue item
 * (as the administrator, through the daemon) so that the cases never see one another's
 * claims. The supervisor is the demo's sup_changan; what the pages did is checked through the
 * daemon afterwards.
 */
#include "sui-config.h"

#include <adwaita.h>
#include <stdio.h>
#include <string.h>

#include "sui-catalogue-dialog.h"
#include "sui-events-client.h"
#include "sui-items-page.h"
#include "sui-register-row.h"
#include "sui-rpc-client.h"
#include "sui-test-daemon.h"

#define SUPERVISOR "sup_changan"
#define DEMO_PASSWORD "Demo@2026"

static SuiTestDaemon *test_daemon;
static guint serial;

typedef struct
{
  SuiRpcClient *client;
  SuiEventsClient *events;
  GtkWindow *window;
  SuiItemsPage *page;
  char *token;
} Side;

typedef struct
{
  Side sup;
  Side admin;
  char *admin_token;
  gint64 catalogue_id;
  char *code;
} Fixture;

static gboolean
page_ready (gpointer data)
{
  Side *side = data;

  return sui_items_page_get_ready (side->page);
}

static gboolean
events_connected (gpointer data)
{
  Side *side = data;

  return sui_events_client_get_connected (side->events);
}

static void
side_open (Side       *side,
           const char *token,
           gboolean    admin)
{
  side->token = g_strdup (token);
  side->client = sui_rpc_client_new (sui_test_daemon_get_url (test_daemon));
  sui_rpc_client_set_token (side->client, side->token);
  side->events = g_object_new (SUI_TYPE_EVENTS_CLIENT,
                               "base-url", sui_test_daemon_get_url (test_daemon),
                               "token", side->token,
                               NULL);
  sui_events_client_start (side->events);

  side->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (side->window, 1200, 760);
  side->page = g_object_ref (sui_items_page_new (side->client, side->events, admin));
  gtk_window_set_child (side->window, GTK_WIDGET (side->page));
  gtk_window_present (side->window);

  sui_test_wait_until (events_connected, side, 20000);
  sui_test_wait_until (page_ready, side, 20000);
}

static void
side_close (Side *side)
{
  if (side->page == NULL)
    return;

  sui_test_wait_until (page_ready, side, 10000);
  gtk_window_destroy (side->window);
  /* Cancelled calls still report back once; let them, so that they drop their references. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (side->page);
  sui_events_client_stop (side->events);
  g_assert_finalize_object (side->events);
  g_assert_finalize_object (side->client);
  g_free (side->token);
}

static JsonObject *
rpc (const char *token,
     const char *method,
     const char *params)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = sui_test_daemon_rpc_full (test_daemon, token, method, params, NULL,
                                                       &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_ref (json_node_get_object (node));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *params = NULL;
  g_autoptr(JsonObject) entry = NULL;
  g_autofree char *sup_token = NULL;

  f->admin_token = sui_test_daemon_login (test_daemon, "admin",
                                          sui_test_daemon_get_password (test_daemon, "admin"));

  /* A catalogue item of this case: 5 %–20 %, on site or written, for retailers. */
  f->code = g_strdup_printf ("T-%u", ++serial);
  params = g_strdup_printf ("{\"code\":\"%s\",\"name\":\"测试事项%u\","
                            "\"legal_basis\":\"《烟草专卖法》第三十二条\","
                            "\"content\":\"核查许可证信息与实际经营是否一致\","
                            "\"object_types\":[\"retail\"],\"level\":\"general\","
                            "\"methods\":[\"on_site\",\"written\"],"
                            "\"ratio_min_bp\":500,\"ratio_max_bp\":2000,"
                            "\"frequency\":\"每年不超过1次\"}", f->code, serial);
  entry = rpc (f->admin_token, "catalogue.create", params);
  f->catalogue_id = json_object_get_int_member (entry, "id");

  sup_token = sui_test_daemon_login (test_daemon, SUPERVISOR, DEMO_PASSWORD);
  side_open (&f->sup, sup_token, FALSE);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  side_close (&f->sup);
  side_close (&f->admin);
  g_free (f->admin_token);
  g_free (f->code);
}

/* The unit's item of this case's catalogue item, as the daemon holds it, or NULL. */
static JsonObject *
daemon_item (Fixture *f)
{
  g_autoptr(JsonObject) list = rpc (f->sup.token, "items.list", "{\"include_released\":true}");
  JsonArray *items = json_object_get_array_member (list, "items");

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);

      if (json_object_get_int_member (item, "catalogue_id") == f->catalogue_id)
        return json_object_ref (item);
    }

  return NULL;
}

static SuiRegisterRow *
find_row (GListModel *model,
          const char *member,
          gint64      id)
{
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(SuiRegisterRow) row = g_list_model_get_item (model, i);

      if (json_object_get_int_member (sui_register_row_get_json (row), member) == id)
        return g_steal_pointer (&row);
    }

  return NULL;
}

typedef struct
{
  Fixture *f;
  const char *state;
  gboolean changed;
} RowWait;

static gboolean
item_row_is (gpointer data)
{
  RowWait *wait = data;
  g_autoptr(SuiRegisterRow) row = NULL;

  if (!sui_items_page_get_ready (wait->f->sup.page))
    return FALSE;
  row = find_row (sui_items_page_get_items (wait->f->sup.page), "catalogue_id",
                  wait->f->catalogue_id);
  return row != NULL &&
         g_strcmp0 (sui_register_row_get_string (row, "state"), wait->state) == 0 &&
         sui_register_row_get_bool (row, "catalogue_changed") == wait->changed;
}

static gboolean
dialog_idle (gpointer data)
{
  return !sui_catalogue_dialog_get_busy (SUI_CATALOGUE_DIALOG (data));
}

static gboolean
catalogue_offers (Fixture *f)
{
  g_autoptr(SuiRegisterRow) row = find_row (sui_items_page_get_catalogue (f->sup.page), "id",
                                            f->catalogue_id);

  return row != NULL;
}

/* Claim from the catalogue view, refine with a ratio beyond the catalogue's bound (the
 * server's message shows under the field), refine within it, release with a reason. */
static void
test_claim_refine_release (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(SuiCatalogueDialog) dialog = NULL;
  g_autoptr(JsonObject) item = NULL;
  g_autoptr(SuiRegisterRow) row = NULL;
  RowWait wait = { f, "active", FALSE };
  JsonArray *methods;
  const char *message;

  g_assert_true (catalogue_offers (f));
  g_assert_null (daemon_item (f));

  g_assert_true (sui_items_page_select (f->sup.page, "catalogue", f->catalogue_id));
  gtk_widget_activate_action (GTK_WIDGET (f->sup.page), "items.claim", NULL);
  sui_test_wait_until (item_row_is, &wait, 10000);

  /* On the list now, shown and selected there; no longer offered for claiming. */
  g_assert_cmpstr (sui_items_page_get_view (f->sup.page), ==, "items");
  g_assert_false (catalogue_offers (f));
  item = daemon_item (f);
  g_assert_nonnull (item);
  g_assert_cmpstr (json_object_get_string_member (item, "state"), ==, "active");
  g_assert_cmpint (json_object_get_int_member (item, "ratio_max_bp"), ==, 2000);
  row = find_row (sui_items_page_get_items (f->sup.page), "catalogue_id", f->catalogue_id);
  {
    g_autofree char *ratio = sui_items_page_dup_cell_text (f->sup.page, row, "ratio");
    g_autofree char *mark = sui_items_page_dup_cell_text (f->sup.page, row, "mark");

    g_assert_cmpstr (ratio, ==, "5%–20%");
    g_assert_cmpstr (mark, ==, "");
  }

  /* 35 % is beyond the catalogue's 20 %: refused, with the reason under the field. */
  dialog = g_object_ref (SUI_CATALOGUE_DIALOG (sui_items_page_open_editor (f->sup.page, FALSE)));
  g_assert_nonnull (dialog);
  g_assert_true (sui_catalogue_dialog_set_field (dialog, "ratio_max", "35"));
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL);
  g_assert_true (sui_catalogue_dialog_get_busy (dialog));
  sui_test_wait_until (dialog_idle, dialog, 10000);
  message = sui_catalogue_dialog_get_field_error (dialog, "ratio_max_bp");
  g_assert_nonnull (message);
  g_test_message ("field message: %s", message);
  g_assert_true (g_utf8_validate (message, -1, NULL));
  g_assert_null (sui_catalogue_dialog_get_field_error (dialog, "ratio_min"));
  g_assert_nonnull (sui_catalogue_dialog_get_message (dialog));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  g_clear_pointer (&item, json_object_unref);
  item = daemon_item (f);
  g_assert_cmpint (json_object_get_int_member (item, "ratio_max_bp"), ==, 2000);

  /* Not a number: said at once, nothing sent. */
  sui_catalogue_dialog_set_field (dialog, "ratio_max", "15");
  sui_catalogue_dialog_set_field (dialog, "ratio_min", "abc");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL);
  g_assert_false (sui_catalogue_dialog_get_busy (dialog));
  g_assert_nonnull (sui_catalogue_dialog_get_field_error (dialog, "ratio_min"));
  g_assert_null (sui_catalogue_dialog_get_field_error (dialog, "ratio_max"));

  /* Within the bounds, written review only: saved. */
  sui_catalogue_dialog_set_field (dialog, "ratio_min", "7.5");
  g_assert_true (sui_catalogue_dialog_set_choice (dialog, "methods", "on_site", FALSE));
  g_assert_false (sui_catalogue_dialog_set_choice (dialog, "methods", "video", TRUE));
  sui_catalogue_dialog_set_field (dialog, "content",
                                  "核查许可证信息与实际经营是否一致，重点核对经营地址");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL);
  sui_test_wait_until (dialog_idle, dialog, 10000);
  g_assert_null (sui_catalogue_dialog_get_message (dialog));
  g_clear_pointer (&item, json_object_unref);
  item = daemon_item (f);
  g_assert_cmpint (json_object_get_int_member (item, "ratio_min_bp"), ==, 750);
  g_assert_cmpint (json_object_get_int_member (item, "ratio_max_bp"), ==, 1500);
  methods = json_object_get_array_member (item, "methods");
  g_assert_cmpuint (json_array_get_length (methods), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (methods, 0), ==, "written");
  g_assert_nonnull (strstr (json_object_get_string_member (item, "content"), "经营地址"));
  g_clear_object (&dialog);

  /* Release with a reason: kept, released, claimable again. */
  sui_test_wait_until (page_ready, &f->sup, 10000);
  g_assert_true (sui_items_page_select (f->sup.page, "items",
                                        json_object_get_int_member (item, "id")));
  sui_items_page_release_selected (f->sup.page, "本单位不再负责此项检查");
  wait.state = "released";
  sui_test_wait_until (item_row_is, &wait, 10000);
  g_clear_pointer (&item, json_object_unref);
  item = daemon_item (f);
  g_assert_cmpstr (json_object_get_string_member (item, "state"), ==, "released");
  g_assert_cmpstr (json_object_get_string_member (item, "release_reason"), ==,
                   "本单位不再负责此项检查");
  g_assert_true (catalogue_offers (f));
}

/* The administrator edits a catalogue item a unit claimed: the edit names the unit as
 * affected, and the unit's open page marks the item changed without a reload, says what
 * changed, and acknowledges it. Retiring it names the unit again. */
static void
test_catalogue_change (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *claim = g_strdup_printf ("{\"catalogue_id\":%" G_GINT64_FORMAT "}",
                                            f->catalogue_id);
  g_autoptr(JsonObject) claimed = rpc (f->sup.token, "items.claim", claim);
  g_autoptr(JsonObject) item = NULL;
  g_autoptr(SuiCatalogueDialog) dialog = NULL;
  gint64 changan = sui_test_daemon_get_unit_id (test_daemon, "changan");
  RowWait wait = { f, "active", FALSE };
  JsonArray *affected;
  gboolean found = FALSE;
  const char *changes;

  sui_test_wait_until (item_row_is, &wait, 10000);

  side_open (&f->admin, f->admin_token, TRUE);
  g_assert_cmpstr (sui_items_page_get_view (f->admin.page), ==, "catalogue");
  g_assert_true (sui_items_page_select (f->admin.page, "catalogue", f->catalogue_id));
  sui_test_wait_until (page_ready, &f->admin, 10000);

  dialog = g_object_ref (SUI_CATALOGUE_DIALOG (sui_items_page_open_editor (f->admin.page,
                                                                           FALSE)));
  sui_catalogue_dialog_set_field (dialog, "ratio_max", "15");
  sui_catalogue_dialog_set_field (dialog, "frequency", "每半年不超过1次");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL);
  sui_test_wait_until (dialog_idle, dialog, 10000);
  g_assert_null (sui_catalogue_dialog_get_message (dialog));
  sui_test_wait_until (page_ready, &f->admin, 10000);

  affected = sui_items_page_get_last_affected (f->admin.page);
  g_assert_nonnull (affected);
  for (guint i = 0; i < json_array_get_length (affected); i++)
    found |= json_object_get_int_member (json_array_get_object_element (affected, i),
                                         "unit_id") == changan;
  g_assert_true (found);

  /* The supervisor's page learns it from the events feed. */
  wait.changed = TRUE;
  sui_test_wait_until (item_row_is, &wait, 10000);
  {
    g_autoptr(SuiRegisterRow) row = find_row (sui_items_page_get_items (f->sup.page),
                                              "catalogue_id", f->catalogue_id);
    g_autofree char *mark = sui_items_page_dup_cell_text (f->sup.page, row, "mark");

    g_assert_cmpstr (mark, !=, "");
    g_assert_true (sui_items_page_select (f->sup.page, "items", sui_register_row_get_id (row)));
  }
  sui_test_wait_until (page_ready, &f->sup, 10000);
  changes = sui_items_page_get_changes_text (f->sup.page);
  g_assert_nonnull (changes);
  g_test_message ("changes shown: %s", changes);
  /* The ratio bound moved from 20 % to 15 %. */
  g_assert_nonnull (strstr (changes, "20% → 15%"));
  g_assert_nonnull (strstr (changes, "每半年不超过1次"));

  gtk_widget_activate_action (GTK_WIDGET (f->sup.page), "items.acknowledge", NULL);
  wait.changed = FALSE;
  sui_test_wait_until (item_row_is, &wait, 10000);
  item = daemon_item (f);
  g_assert_false (json_object_get_boolean_member (item, "catalogue_changed"));
  /* Clipped to the new bound. */
  g_assert_cmpint (json_object_get_int_member (item, "ratio_max_bp"), ==, 1500);

  /* Retired: the unit is named again and its list marks the item. */
  g_assert_true (sui_items_page_select (f->admin.page, "catalogue", f->catalogue_id));
  sui_items_page_retire_selected (f->admin.page, "相关规定已废止");
  sui_test_wait_until (page_ready, &f->admin, 10000);
  affected = sui_items_page_get_last_affected (f->admin.page);
  g_assert_cmpuint (json_array_get_length (affected), >=, 1);
  wait.changed = TRUE;
  sui_test_wait_until (item_row_is, &wait, 10000);
  g_clear_object (&dialog);
}

/* An administrator reads any unit's list, and nothing there can be changed. */
static void
test_admin_reads_unit_list (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *claim = g_strdup_printf ("{\"catalogue_id\":%" G_GINT64_FORMAT "}",
                                            f->catalogue_id);
  g_autoptr(JsonObject) claimed = rpc (f->sup.token, "items.claim", claim);
  g_autoptr(SuiRegisterRow) row = NULL;
  gint64 changan = sui_test_daemon_get_unit_id (test_daemon, "changan");
  GListModel *items;

  side_open (&f->admin, f->admin_token, TRUE);
  sui_items_page_set_unit (f->admin.page, changan);
  sui_test_wait_until (page_ready, &f->admin, 10000);

  items = sui_items_page_get_items (f->admin.page);
  g_assert_cmpuint (g_list_model_get_n_items (items), >, 0);
  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(SuiRegisterRow) each = g_list_model_get_item (items, i);

      g_assert_cmpint (json_object_get_int_member (sui_register_row_get_json (each), "unit_id"),
                       ==, changan);
    }
  row = find_row (items, "catalogue_id", f->catalogue_id);
  g_assert_nonnull (row);

  g_assert_true (sui_items_page_select (f->admin.page, "items", sui_register_row_get_id (row)));
  sui_test_wait_until (page_ready, &f->admin, 10000);

  /* Read-only: the supervisor's actions do nothing here, no form or prompt opens. */
  {
    guint before = g_list_model_get_n_items (gtk_window_get_toplevels ());

    gtk_widget_activate_action (GTK_WIDGET (f->admin.page), "items.refine", NULL);
    gtk_widget_activate_action (GTK_WIDGET (f->admin.page), "items.release", NULL);
    gtk_widget_activate_action (GTK_WIDGET (f->admin.page), "items.claim", NULL);
    g_assert_cmpuint (g_list_model_get_n_items (gtk_window_get_toplevels ()), ==, before);
  }
}

/* A new catalogue item through the form: the server's message for the empty legal basis
 * shows under that text field and nothing is created; filled in, it is created and listed. */
static void
test_catalogue_form (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(SuiCatalogueDialog) dialog = NULL;
  g_autofree char *code = g_strdup_printf ("%s-NEW", f->code);
  g_autofree char *search = NULL;
  g_autoptr(JsonObject) list = NULL;
  JsonArray *items;
  JsonObject *created = NULL;

  side_open (&f->admin, f->admin_token, TRUE);
  dialog = g_object_ref (SUI_CATALOGUE_DIALOG (sui_items_page_open_editor (f->admin.page,
                                                                           TRUE)));
  g_assert_true (sui_catalogue_dialog_set_field (dialog, "code", code));
  sui_catalogue_dialog_set_field (dialog, "name", "测试新建目录事项");
  sui_catalogue_dialog_set_field (dialog, "level", "key");
  sui_catalogue_dialog_set_field (dialog, "content", "检查是否按规定进货");
  sui_catalogue_dialog_set_field (dialog, "ratio_min", "0");
  sui_catalogue_dialog_set_field (dialog, "ratio_max", "100");
  g_assert_true (sui_catalogue_dialog_set_choice (dialog, "object_types", "retail", TRUE));
  g_assert_true (sui_catalogue_dialog_set_choice (dialog, "methods", "written", TRUE));
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL);
  sui_test_wait_until (dialog_idle, dialog, 10000);
  g_assert_nonnull (sui_catalogue_dialog_get_field_error (dialog, "legal_basis"));
  g_assert_null (sui_catalogue_dialog_get_field_error (dialog, "content"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));

  sui_catalogue_dialog_set_field (dialog, "legal_basis", "《烟草专卖法实施条例》第二十三条");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL);
  sui_test_wait_until (dialog_idle, dialog, 10000);
  g_assert_null (sui_catalogue_dialog_get_message (dialog));

  search = g_strdup_printf ("{\"query\":\"%s\"}", code);
  list = rpc (f->admin_token, "catalogue.list", search);
  items = json_object_get_array_member (list, "items");
  for (guint i = 0; i < json_array_get_length (items); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (items, i),
                                                  "code"), code) == 0)
      created = json_array_get_object_element (items, i);
  g_assert_nonnull (created);
  g_assert_cmpstr (json_object_get_string_member (created, "level"), ==, "key");
  g_assert_cmpint (json_object_get_int_member (created, "ratio_max_bp"), ==, 10000);

  /* The page lists it after its own reload. */
  sui_test_wait_until (page_ready, &f->admin, 10000);
  g_assert_true (sui_items_page_select (f->admin.page, "catalogue",
                                        json_object_get_int_member (created, "id")));
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
  adw_init ();

  g_test_add ("/items-page/claim-refine-release", Fixture, NULL,
              fixture_setup, test_claim_refine_release, fixture_teardown);
  g_test_add ("/items-page/catalogue-change", Fixture, NULL,
              fixture_setup, test_catalogue_change, fixture_teardown);
  g_test_add ("/items-page/catalogue-form", Fixture, NULL,
              fixture_setup, test_catalogue_form, fixture_teardown);
  g_test_add ("/items-page/admin-reads-unit-list", Fixture, NULL,
              fixture_setup, test_admin_reads_unit_list, fixture_teardown);

  test_daemon = sui_test_daemon_new (args);
  status = g_test_run ();
  g_clear_pointer (&test_daemon, sui_test_daemon_free);

  return status;
}
