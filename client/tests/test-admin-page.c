/* test-admin-page.c: the administration page and its forms against a fake server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sui-config.h"

#include <adwaita.h>
#include <stdio.h>

#include "sui-admin-page.h"
#include "sui-events-client.h"
#include "sui-fake-server.h"
#include "sui-rpc-client.h"
#include "sui-unit-dialog.h"
#include "sui-unit.h"
#include "sui-user-dialog.h"
#include "sui-user.h"

#define UNITS "\"result\":{\"items\":[" \
  "{\"id\":1,\"parent_id\":null,\"code\":\"sjz\",\"name\":\"石家庄市烟草专卖局\"," \
  "\"kind\":\"bureau\",\"disabled\":false,\"version\":1}," \
  "{\"id\":2,\"parent_id\":1,\"code\":\"changan\",\"name\":\"长安区烟草专卖局\"," \
  "\"kind\":\"direct\",\"disabled\":false,\"version\":1}," \
  "{\"id\":3,\"parent_id\":1,\"code\":\"amr\",\"name\":\"市场监督管理局\"," \
  "\"kind\":\"department\",\"disabled\":false,\"version\":1}]}"

#define USER(id, login, name, role, unit, disabled) \
  "{\"id\":" #id ",\"login\":\"" login "\",\"name\":\"" name "\",\"role\":\"" role "\"," \
  "\"unit_id\":" #unit ",\"unit_name\":\"u\",\"disabled\":" disabled ",\"version\":1}"

#define PAGE1 "\"result\":{\"items\":[" USER (1, "zadmin", "系统管理员", "admin", 1, "false") "," \
  USER (2, "sup_changan", "张伟", "supervisor", 2, "false") "],\"next_after\":2}"
#define PAGE2 "\"result\":{\"items\":[" USER (3, "insp_a", "李娜", "inspector", 2, "true") \
  "],\"next_after\":null}"

typedef struct
{
  SuiFakeServer *server;
  SuiRpcClient *client;
  SuiEventsClient *events;
  GtkWindow *window;
  SuiAdminPage *page;
} Fixture;

static gboolean
page_loaded (gpointer data)
{
  Fixture *f = data;

  return !sui_admin_page_get_loading (f->page) &&
         sui_fake_server_count_calls (f->server, "users.list") >= 2;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = sui_fake_server_new ();
  sui_fake_server_reply (f->server, "units.list", UNITS);
  sui_fake_server_reply (f->server, "users.list", PAGE1);
  sui_fake_server_reply (f->server, "users.list", PAGE2);

  f->client = sui_rpc_client_new (sui_fake_server_get_url (f->server));
  sui_rpc_client_set_token (f->client, "tok");

  if (data != NULL)
    {
      f->events = g_object_new (SUI_TYPE_EVENTS_CLIENT,
                                "base-url", sui_fake_server_get_url (f->server),
                                "token", "tok",
                                NULL);
      sui_events_client_start (f->events);
    }

  f->window = GTK_WINDOW (gtk_window_new ());
  f->page = g_object_ref (sui_admin_page_new (f->client, f->events));
  gtk_window_set_child (f->window, GTK_WIDGET (f->page));
  gtk_window_present (f->window);

  sui_test_wait_until (page_loaded, f, 10000);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gtk_window_destroy (f->window);
  g_assert_finalize_object (f->page);
  if (f->events != NULL)
    {
      sui_events_client_stop (f->events);
      g_assert_finalize_object (f->events);
    }
  g_assert_finalize_object (f->client);
  g_clear_pointer (&f->server, sui_fake_server_free);
}

static const char *
login_at (GListModel *model,
          guint       position)
{
  g_autoptr(SuiUser) user = g_list_model_get_item (model, position);

  return sui_user_get_login (user);
}

static void
test_load_and_search (Fixture       *f,
                      gconstpointer  data)
{
  GListModel *users = sui_admin_page_get_users (f->page);
  JsonObject *params;
  guint n_users;

  /* Both pages were fetched, the second with the cursor of the first. */
  g_object_get (f->page, "n-users", &n_users, NULL);
  g_assert_cmpuint (n_users, ==, 3);
  params = sui_fake_server_get_last_params (f->server, "users.list");
  g_assert_cmpint (json_object_get_int_member (params, "after"), ==, 2);
  g_assert_true (json_object_get_boolean_member (params, "include_disabled"));

  /* Sorted by login by default. */
  g_assert_cmpuint (g_list_model_get_n_items (users), ==, 3);
  g_assert_cmpstr (login_at (users, 0), ==, "insp_a");
  g_assert_cmpstr (login_at (users, 1), ==, "sup_changan");
  g_assert_cmpstr (login_at (users, 2), ==, "zadmin");

  g_assert_cmpuint (g_list_model_get_n_items (sui_admin_page_get_units (f->page)), ==, 3);

  g_object_set (f->page, "search-text", "CHANGAN", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (users), ==, 1);
  g_assert_cmpstr (login_at (users, 0), ==, "sup_changan");

  g_object_set (f->page, "search-text", "李", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (users), ==, 1);
  g_assert_cmpstr (login_at (users, 0), ==, "insp_a");

  g_object_set (f->page, "search-text", "", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (users), ==, 3);

  /* Selection survives a reload. */
  g_assert_true (sui_admin_page_select_user (f->page, 2));
  sui_fake_server_clear_replies (f->server, "users.list");
  sui_fake_server_reply (f->server, "users.list", PAGE1);
  sui_fake_server_reply (f->server, "users.list", PAGE2);
  gtk_widget_activate_action (GTK_WIDGET (f->page), "admin.reload", NULL);
  sui_test_wait_until (page_loaded, f, 10000);
}

static gboolean
has_four_users (gpointer data)
{
  Fixture *f = data;
  guint n_users;

  g_object_get (f->page, "n-users", &n_users, NULL);
  return n_users == 4 && !sui_admin_page_get_loading (f->page);
}

static gboolean
events_connected (gpointer data)
{
  Fixture *f = data;

  return sui_fake_server_get_n_event_clients (f->server) > 0;
}

static void
test_events_reload (Fixture       *f,
                    gconstpointer  data)
{
  sui_test_wait_until (events_connected, f, 10000);

  /* Someone else adds a user: the list follows without a manual refresh. */
  sui_fake_server_clear_replies (f->server, "users.list");
  sui_fake_server_reply (f->server, "users.list",
                         "\"result\":{\"items\":[" USER (1, "zadmin", "a", "admin", 1, "false") ","
                         USER (2, "b", "b", "admin", 1, "false") ","
                         USER (3, "c", "c", "admin", 1, "false") ","
                         USER (4, "new_one", "新人", "inspector", 2, "false") "],\"next_after\":null}");
  sui_fake_server_send_event (f->server, "users", "4");
  sui_test_wait_until (has_four_users, f, 10000);
}

typedef struct
{
  SuiUserDialog *dialog;
  SuiUser *saved;
} DialogState;

static gboolean
dialog_idle (gpointer data)
{
  return !sui_user_dialog_get_busy (((DialogState *) data)->dialog);
}

static gboolean
dialog_saved (gpointer data)
{
  return ((DialogState *) data)->saved != NULL;
}

static void
on_saved (SuiUserDialog *dialog,
          SuiUser       *user,
          gboolean       created,
          DialogState   *state)
{
  state->saved = g_object_ref (user);
}

static void
test_create_user_validation (Fixture       *f,
                             gconstpointer  data)
{
  DialogState state = { 0 };
  JsonObject *params;

  state.dialog = g_object_ref_sink (sui_user_dialog_new (f->client,
                                                         sui_admin_page_get_units (f->page),
                                                         NULL));
  g_signal_connect (state.dialog, "saved", G_CALLBACK (on_saved), &state);
  g_object_set (state.dialog,
                "login", "Bad Login",
                "name", "王五",
                "role", "supervisor",
                "unit-id", (gint64) 2,
                "password", "short",
                NULL);

  sui_fake_server_reply (f->server, "users.create",
                         "\"error\":{\"code\":-32010,\"message\":\"输入有误\",\"data\":{\"fields\":["
                         "{\"field\":\"login\",\"code\":\"format\",\"message\":\"登录名只能包含小写字母\"},"
                         "{\"field\":\"password\",\"code\":\"short\",\"message\":\"密码至少 8 位\"}]}}");
  gtk_widget_activate_action (GTK_WIDGET (state.dialog), "dialog.save", NULL);
  sui_test_wait_until (dialog_idle, &state, 10000);

  params = sui_fake_server_get_last_params (f->server, "users.create");
  g_assert_cmpstr (json_object_get_string_member (params, "login"), ==, "Bad Login");
  g_assert_cmpstr (json_object_get_string_member (params, "role"), ==, "supervisor");
  g_assert_cmpint (json_object_get_int_member (params, "unit_id"), ==, 2);

  g_assert_cmpstr (sui_user_dialog_get_field_error (state.dialog, "login"), ==,
                   "登录名只能包含小写字母");
  g_assert_cmpstr (sui_user_dialog_get_field_error (state.dialog, "password"), ==,
                   "密码至少 8 位");
  g_assert_null (sui_user_dialog_get_field_error (state.dialog, "name"));
  g_assert_cmpstr (sui_user_dialog_get_message (state.dialog), ==,
                   "Please correct the marked fields.");
  g_assert_null (state.saved);

  /* Corrected, it goes through; the old messages are gone. */
  sui_fake_server_clear_replies (f->server, "users.create");
  sui_fake_server_reply (f->server, "users.create",
                         "\"result\":" USER (9, "wang5", "王五", "supervisor", 2, "false"));
  g_object_set (state.dialog, "login", "wang5", "password", "Long@2026", NULL);
  gtk_widget_activate_action (GTK_WIDGET (state.dialog), "dialog.save", NULL);
  sui_test_wait_until (dialog_saved, &state, 10000);
  g_assert_cmpstr (sui_user_get_login (state.saved), ==, "wang5");
  g_assert_null (sui_user_dialog_get_field_error (state.dialog, "login"));

  g_clear_object (&state.saved);
  g_assert_finalize_object (state.dialog);
}

static gboolean
reloaded_after_conflict (gpointer data)
{
  DialogState *state = data;
  gint64 version = 0;
  g_autoptr(SuiUser) user = NULL;

  if (sui_user_dialog_get_busy (state->dialog))
    return FALSE;
  g_object_get (state->dialog, "user", &user, NULL);
  if (user != NULL)
    version = sui_user_get_version (user);
  return version == 2;
}

static void
test_edit_user_conflict (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(JsonNode) node = json_from_string (USER (2, "sup_changan", "张伟", "supervisor", 2,
                                                     "false"), NULL);
  g_autoptr(SuiUser) user = sui_user_new_from_json (json_node_get_object (node));
  g_autofree char *name = NULL;
  DialogState state = { 0 };
  JsonObject *params;

  state.dialog = g_object_ref_sink (sui_user_dialog_new (f->client,
                                                         sui_admin_page_get_units (f->page),
                                                         user));
  g_signal_connect (state.dialog, "saved", G_CALLBACK (on_saved), &state);
  g_object_set (state.dialog, "name", "张伟伟", NULL);

  sui_fake_server_reply (f->server, "users.update",
                         "\"error\":{\"code\":-32009,\"message\":\"记录已被修改\","
                         "\"data\":{\"current_version\":2}}");
  sui_fake_server_reply (f->server, "users.get",
                         "\"result\":{\"id\":2,\"login\":\"sup_changan\",\"name\":\"张大伟\","
                         "\"role\":\"supervisor\",\"unit_id\":3,\"unit_name\":\"u\","
                         "\"disabled\":false,\"version\":2}");
  gtk_widget_activate_action (GTK_WIDGET (state.dialog), "dialog.save", NULL);
  sui_test_wait_until (reloaded_after_conflict, &state, 10000);

  g_assert_cmpstr (sui_user_dialog_get_message (state.dialog), ==,
                   "This record was changed by someone else. It has been reloaded; "
                   "please try again.");
  g_object_get (state.dialog, "name", &name, NULL);
  g_assert_cmpstr (name, ==, "张大伟");
  g_assert_null (state.saved);

  /* The next attempt names the version it now holds. */
  sui_fake_server_clear_replies (f->server, "users.update");
  sui_fake_server_reply (f->server, "users.update",
                         "\"result\":{\"id\":2,\"login\":\"sup_changan\",\"name\":\"张大伟\","
                         "\"role\":\"supervisor\",\"unit_id\":3,\"version\":3}");
  gtk_widget_activate_action (GTK_WIDGET (state.dialog), "dialog.save", NULL);
  sui_test_wait_until (dialog_saved, &state, 10000);
  params = sui_fake_server_get_last_params (f->server, "users.update");
  g_assert_cmpint (json_object_get_int_member (params, "version"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (params, "unit_id"), ==, 3);
  g_assert_false (json_object_has_member (params, "login"));

  g_clear_object (&state.saved);
  g_assert_finalize_object (state.dialog);
}

static guint users_list_calls;

/* users.enable answered and the reload that follows it done */
static gboolean
enable_called (gpointer data)
{
  Fixture *f = data;

  return sui_fake_server_count_calls (f->server, "users.enable") == 1 &&
         sui_fake_server_count_calls (f->server, "users.list") > users_list_calls &&
         !sui_admin_page_get_loading (f->page);
}

static void
test_enable_user (Fixture       *f,
                  gconstpointer  data)
{
  JsonObject *params;

  /* insp_a (id 3) is disabled: enabling needs no confirmation. */
  sui_fake_server_reply (f->server, "users.enable",
                         "\"result\":" USER (3, "insp_a", "李娜", "inspector", 2, "false"));
  g_assert_true (sui_admin_page_select_user (f->page, 3));
  users_list_calls = sui_fake_server_count_calls (f->server, "users.list");
  gtk_widget_activate_action (GTK_WIDGET (f->page), "admin.toggle-user", NULL);
  sui_test_wait_until (enable_called, f, 10000);

  params = sui_fake_server_get_last_params (f->server, "users.enable");
  g_assert_cmpint (json_object_get_int_member (params, "id"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (params, "version"), ==, 1);
}

static gboolean
disable_called (gpointer data)
{
  Fixture *f = data;

  return sui_fake_server_count_calls (f->server, "users.disable") == 1 &&
         sui_fake_server_count_calls (f->server, "users.list") > users_list_calls &&
         !sui_admin_page_get_loading (f->page);
}

static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window))
        return ADW_MESSAGE_DIALOG (window);
    }

  return NULL;
}

static void
test_disable_user_confirmed (Fixture       *f,
                             gconstpointer  data)
{
  AdwMessageDialog *dialog;
  JsonObject *params;

  sui_fake_server_reply (f->server, "users.disable",
                         "\"result\":" USER (2, "sup_changan", "张伟", "supervisor", 2, "true"));
  g_assert_true (sui_admin_page_select_user (f->page, 2));
  users_list_calls = sui_fake_server_count_calls (f->server, "users.list");
  gtk_widget_activate_action (GTK_WIDGET (f->page), "admin.toggle-user", NULL);

  /* Nothing happens before the administrator confirms. */
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpuint (sui_fake_server_count_calls (f->server, "users.disable"), ==, 0);
  adw_message_dialog_response (dialog, "confirm");
  gtk_window_destroy (GTK_WINDOW (dialog));

  sui_test_wait_until (disable_called, f, 10000);
  params = sui_fake_server_get_last_params (f->server, "users.disable");
  g_assert_cmpint (json_object_get_int_member (params, "id"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (params, "version"), ==, 1);
}

typedef struct
{
  SuiUnitDialog *dialog;
} UnitDialogState;

static gboolean
unit_dialog_idle (gpointer data)
{
  UnitDialogState *state = data;
  gboolean busy;

  g_object_get (state->dialog, "busy", &busy, NULL);
  return !busy;
}

static void
test_create_unit_validation (Fixture       *f,
                             gconstpointer  data)
{
  UnitDialogState state = { 0 };
  JsonObject *params;

  state.dialog = g_object_ref_sink (sui_unit_dialog_new (f->client,
                                                         sui_admin_page_get_units (f->page),
                                                         NULL));
  g_object_set (state.dialog, "name", "测试局", "code", "Bad Code", "kind", "department", NULL);

  sui_fake_server_reply (f->server, "units.create",
                         "\"error\":{\"code\":-32010,\"message\":\"输入有误\",\"data\":{\"fields\":["
                         "{\"field\":\"code\",\"code\":\"format\",\"message\":\"单位代码格式不对\"}]}}");
  gtk_widget_activate_action (GTK_WIDGET (state.dialog), "dialog.save", NULL);
  sui_test_wait_until (unit_dialog_idle, &state, 10000);

  params = sui_fake_server_get_last_params (f->server, "units.create");
  g_assert_cmpstr (json_object_get_string_member (params, "kind"), ==, "department");
  /* A new unit goes under the first root (the bureau) unless chosen otherwise. */
  g_assert_cmpint (json_object_get_int_member (params, "parent_id"), ==, 1);
  g_assert_cmpstr (sui_unit_dialog_get_field_error (state.dialog, "code"), ==, "单位代码格式不对");
  g_assert_null (sui_unit_dialog_get_field_error (state.dialog, "name"));

  gtk_window_destroy (GTK_WINDOW (state.dialog));
  g_assert_finalize_object (state.dialog);
}

int
main (int   argc,
      char *argv[])
{
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      printf ("1..0 # SKIP no display (run under Xvfb, e.g. through scripts/test)\n");
      return 0;
    }

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/admin-page/load-and-search", Fixture, NULL,
              fixture_setup, test_load_and_search, fixture_teardown);
  g_test_add ("/admin-page/events-reload", Fixture, GINT_TO_POINTER (1),
              fixture_setup, test_events_reload, fixture_teardown);
  g_test_add ("/admin-page/create-user-validation", Fixture, NULL,
              fixture_setup, test_create_user_validation, fixture_teardown);
  g_test_add ("/admin-page/edit-user-conflict", Fixture, NULL,
              fixture_setup, test_edit_user_conflict, fixture_teardown);
  g_test_add ("/admin-page/enable-user", Fixture, NULL,
              fixture_setup, test_enable_user, fixture_teardown);
  g_test_add ("/admin-page/disable-user-confirmed", Fixture, NULL,
              fixture_setup, test_disable_user_confirmed, fixture_teardown);
  g_test_add ("/admin-page/create-unit-validation", Fixture, NULL,
              fixture_setup, test_create_unit_validation, fixture_teardown);

  return g_test_run ();
}
