/* test-admin-page.c: the administration page and its forms against the real daemon
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One daemon serves every case; each case makes its own three accounts (an admin, a
 * supervisor, a disabled inspector) under a prefix of its own, so cases never look at one
 * another's records. What the page did is checked in the daemon afterwards.
 */
#include "sui-config.h"

#include <adwaita.h>
#include <stdio.h>

#include "sui-admin-page.h"
#include "sui-events-client.h"
#include "sui-rpc-client.h"
#include "sui-test-daemon.h"
#include "sui-unit-dialog.h"
#include "sui-unit.h"
#include "sui-user-dialog.h"
#include "sui-user.h"

#define PASSWORD "Test@2026x"

static SuiTestDaemon *test_daemon;
static guint serial;

typedef struct
{
  SuiRpcClient *client;
  SuiEventsClient *events;
  GtkWindow *window;
  SuiAdminPage *page;

  guint case_no;
  char *prefix;
  gint64 zadmin_id;
  gint64 sup_id;
  gint64 insp_id;
} Fixture;

/* The page's own copy of a user, or NULL when it does not list it. */
static SuiUser *
find_user (Fixture *f,
           gint64   id)
{
  GListModel *users = sui_admin_page_get_users (f->page);

  for (guint i = 0; i < g_list_model_get_n_items (users); i++)
    {
      g_autoptr(SuiUser) user = g_list_model_get_item (users, i);

      if (sui_user_get_id (user) == id)
        return g_steal_pointer (&user);
    }

  return NULL;
}

static gboolean
page_loaded (gpointer data)
{
  Fixture *f = data;
  g_autoptr(SuiUser) user = NULL;

  if (sui_admin_page_get_loading (f->page))
    return FALSE;
  user = find_user (f, f->zadmin_id);
  return user != NULL;
}

static gint64
create_user (Fixture    *f,
             const char *suffix,
             const char *name,
             const char *role,
             const char *unit_code)
{
  g_autofree char *login = g_strconcat (f->prefix, suffix, NULL);
  g_autoptr(JsonObject) user =
    sui_test_daemon_create_user (test_daemon, login, name, role,
                                 sui_test_daemon_get_unit_id (test_daemon, unit_code), PASSWORD);

  g_assert_cmpint (json_object_get_int_member (user, "version"), ==, 1);
  return json_object_get_int_member (user, "id");
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *token = NULL;
  g_autofree char *insp_name = NULL;
  g_autoptr(JsonNode) disabled = NULL;

  f->case_no = ++serial;
  f->prefix = g_strdup_printf ("a%u_", f->case_no);
  insp_name = g_strdup_printf ("李娜%u号", f->case_no);
  f->zadmin_id = create_user (f, "zadmin", "系统管理员", "admin", "bureau");
  f->sup_id = create_user (f, "sup_changan", "张伟", "supervisor", "changan");
  f->insp_id = create_user (f, "insp_a", insp_name, "inspector", "changan");
  disabled = sui_test_daemon_rpc (test_daemon, "users.disable",
                                  "{\"id\":%" G_GINT64_FORMAT ",\"version\":1}", f->insp_id);

  token = sui_test_daemon_login (test_daemon, "admin",
                                 sui_test_daemon_get_password (test_daemon, "admin"));
  f->client = sui_rpc_client_new (sui_test_daemon_get_url (test_daemon));
  sui_rpc_client_set_token (f->client, token);

  if (data != NULL)
    {
      f->events = g_object_new (SUI_TYPE_EVENTS_CLIENT,
                                "base-url", sui_test_daemon_get_url (test_daemon),
                                "token", token,
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
  g_free (f->prefix);
}

static const char *
login_at (GListModel *model,
          guint       position)
{
  g_autoptr(SuiUser) user = g_list_model_get_item (model, position);

  return sui_user_get_login (user);
}

static guint
count_rows (SuiTestDaemon *daemon,
            const char    *sql)
{
  g_autofree char *text = sui_test_daemon_psql (daemon, sql);

  return (guint) g_ascii_strtoull (text, NULL, 10);
}

/* The id of the user selected in the list on screen, 0 when none is. */
static gint64
selected_user_id (Fixture *f)
{
  GtkColumnView *view = GTK_COLUMN_VIEW (sui_test_find_widget (GTK_WIDGET (f->page),
                                                                GTK_TYPE_COLUMN_VIEW));
  GtkSelectionModel *selection;
  SuiUser *user;

  g_assert_nonnull (view);
  selection = gtk_column_view_get_model (view);
  g_assert_true (GTK_IS_SINGLE_SELECTION (selection));
  user = gtk_single_selection_get_selected_item (GTK_SINGLE_SELECTION (selection));

  return user != NULL ? sui_user_get_id (user) : 0;
}

static gboolean
page_idle (gpointer data)
{
  return !sui_admin_page_get_loading (((Fixture *) data)->page);
}

static gint64
id_at (GListModel *model,
       guint       position)
{
  g_autoptr(SuiUser) user = g_list_model_get_item (model, position);

  return sui_user_get_id (user);
}

static void
test_load_and_search (Fixture       *f,
                      gconstpointer  data)
{
  GListModel *users = sui_admin_page_get_users (f->page);
  g_autoptr(SuiUser) insp = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *upper_prefix = NULL;
  g_autofree char *sup_search = NULL;
  g_autofree char *insp_login = NULL;
  g_autofree char *insp_name = NULL;
  guint n_users;

  /* More accounts than one page of users.list holds (500), straight into the table: creating
   * them over RPC would hash 520 passwords. They reuse the admin's password hash. */
  sql = g_strdup_printf ("insert into app_user (login, name, role, unit_id, password_hash) "
                         "select 'bulk' || g, '批量用户' || g, 'inspector', "
                         "%" G_GINT64_FORMAT ", (select password_hash from app_user "
                         "where login = 'admin') from generate_series (1, 520) g",
                         sui_test_daemon_get_unit_id (test_daemon, "bureau"));
  g_free (sui_test_daemon_psql (test_daemon, sql));
  gtk_widget_activate_action (GTK_WIDGET (f->page), "admin.reload", NULL);
  sui_test_wait_until (page_idle, f, 20000);

  /* Every page was fetched, each with the cursor of the one before: all accounts, the
   * disabled ones too, and none twice. */
  g_object_get (f->page, "n-users", &n_users, NULL);
  g_assert_cmpuint (n_users, >, 500);
  g_assert_cmpuint (n_users, ==, count_rows (test_daemon, "select count(*) from app_user"));
  g_assert_cmpuint (g_list_model_get_n_items (users), ==, n_users);
  insp = find_user (f, f->insp_id);
  g_assert_nonnull (insp);
  g_assert_true (sui_user_get_disabled (insp));

  /* Sorted by login by default. */
  for (guint i = 1; i < g_list_model_get_n_items (users); i++)
    g_assert_cmpstr (login_at (users, i - 1), <, login_at (users, i));

  g_assert_cmpuint (g_list_model_get_n_items (sui_admin_page_get_units (f->page)), ==,
                    count_rows (test_daemon, "select count(*) from unit"));

  g_object_set (f->page, "search-text", f->prefix, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (users), ==, 3);
  insp_login = g_strconcat (f->prefix, "insp_a", NULL);
  g_assert_cmpstr (login_at (users, 0), ==, insp_login);
  g_assert_cmpint (id_at (users, 1), ==, f->sup_id);
  g_assert_cmpint (id_at (users, 2), ==, f->zadmin_id);

  /* The search ignores case and looks at names too. */
  upper_prefix = g_ascii_strup (f->prefix, -1);
  sup_search = g_strconcat (upper_prefix, "SUP_CHANGAN", NULL);
  g_object_set (f->page, "search-text", sup_search, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (users), ==, 1);
  g_assert_cmpint (id_at (users, 0), ==, f->sup_id);

  insp_name = g_strdup_printf ("李娜%u号", f->case_no);
  g_object_set (f->page, "search-text", insp_name, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (users), ==, 1);
  g_assert_cmpint (id_at (users, 0), ==, f->insp_id);

  g_object_set (f->page, "search-text", "", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (users), ==, n_users);

  /* Selection survives a reload. */
  g_assert_true (sui_admin_page_select_user (f->page, f->sup_id));
  g_assert_cmpint (selected_user_id (f), ==, f->sup_id);
  gtk_widget_activate_action (GTK_WIDGET (f->page), "admin.reload", NULL);
  g_assert_true (sui_admin_page_get_loading (f->page));
  sui_test_wait_until (page_idle, f, 20000);
  g_assert_cmpint (selected_user_id (f), ==, f->sup_id);
}

static gboolean
events_connected (gpointer data)
{
  return sui_events_client_get_connected (((Fixture *) data)->events);
}

typedef struct
{
  Fixture *f;
  gint64 id;
  guint n_users;
} Expect;

static gboolean
lists_new_user (gpointer data)
{
  Expect *expect = data;
  g_autoptr(SuiUser) user = NULL;
  guint n_users;

  if (sui_admin_page_get_loading (expect->f->page))
    return FALSE;
  g_object_get (expect->f->page, "n-users", &n_users, NULL);
  user = find_user (expect->f, expect->id);
  return user != NULL && n_users == expect->n_users;
}

static void
test_events_reload (Fixture       *f,
                    gconstpointer  data)
{
  Expect expect = { f, 0, 0 };

  sui_test_wait_until (events_connected, f, 10000);

  /* Someone else adds a user: the list follows without a manual refresh. */
  g_object_get (f->page, "n-users", &expect.n_users, NULL);
  expect.n_users++;
  expect.id = create_user (f, "new_one", "新人", "inspector", "changan");
  sui_test_wait_until (lists_new_user, &expect, 10000);
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
  gint64 changan = sui_test_daemon_get_unit_id (test_daemon, "changan");
  g_autoptr(GHashTable) expected = NULL;
  g_autoptr(JsonObject) created = NULL;
  g_autoptr(JsonNode) found = NULL;
  g_autofree char *params = NULL;
  g_autofree char *login = g_strconcat (f->prefix, "wang5", NULL);
  g_autofree char *name = g_strdup_printf ("王五%u号", f->case_no);
  g_autofree char *count_sql = NULL;
  DialogState state = { 0 };
  JsonArray *items;

  state.dialog = g_object_ref_sink (sui_user_dialog_new (f->client,
                                                         sui_admin_page_get_units (f->page),
                                                         NULL));
  g_signal_connect (state.dialog, "saved", G_CALLBACK (on_saved), &state);
  g_object_set (state.dialog,
                "login", "Bad Login",
                "name", name,
                "role", "supervisor",
                "unit-id", changan,
                "password", "short",
                NULL);

  gtk_widget_activate_action (GTK_WIDGET (state.dialog), "dialog.save", NULL);
  sui_test_wait_until (dialog_idle, &state, 10000);

  /* The dialog shows, field by field, what the daemon says of the same input. */
  params = g_strdup_printf ("{\"login\":\"Bad Login\",\"name\":\"%s\",\"role\":\"supervisor\","
                            "\"unit_id\":%" G_GINT64_FORMAT ",\"password\":\"short\"}",
                            name, changan);
  expected = sui_test_daemon_field_messages (test_daemon, NULL, "users.create", params);
  g_assert_cmpuint (g_hash_table_size (expected), ==, 2);
  g_assert_cmpstr (sui_user_dialog_get_field_error (state.dialog, "login"), ==,
                   g_hash_table_lookup (expected, "login"));
  g_assert_cmpstr (sui_user_dialog_get_field_error (state.dialog, "password"), ==,
                   g_hash_table_lookup (expected, "password"));
  g_assert_null (sui_user_dialog_get_field_error (state.dialog, "name"));
  g_assert_cmpstr (sui_user_dialog_get_message (state.dialog), ==,
                   "Please correct the marked fields.");
  g_assert_null (state.saved);
  count_sql = g_strdup_printf ("select count(*) from app_user where name = '%s'", name);
  g_assert_cmpuint (count_rows (test_daemon, count_sql), ==, 0);

  /* Corrected, it goes through; the old messages are gone. */
  g_object_set (state.dialog, "login", login, "password", "Long@2026", NULL);
  gtk_widget_activate_action (GTK_WIDGET (state.dialog), "dialog.save", NULL);
  sui_test_wait_until (dialog_saved, &state, 10000);
  g_assert_cmpstr (sui_user_get_login (state.saved), ==, login);
  g_assert_null (sui_user_dialog_get_field_error (state.dialog, "login"));

  /* The account exists in the daemon as entered, and its password works. */
  found = sui_test_daemon_rpc (test_daemon, "users.list", "{\"search\":\"%s\"}", login);
  items = json_object_get_array_member (json_node_get_object (found), "items");
  g_assert_cmpuint (json_array_get_length (items), ==, 1);
  created = json_object_ref (json_array_get_object_element (items, 0));
  g_assert_cmpint (json_object_get_int_member (created, "id"), ==,
                   sui_user_get_id (state.saved));
  g_assert_cmpstr (json_object_get_string_member (created, "name"), ==, name);
  g_assert_cmpstr (json_object_get_string_member (created, "role"), ==, "supervisor");
  g_assert_cmpint (json_object_get_int_member (created, "unit_id"), ==, changan);
  g_free (sui_test_daemon_login (test_daemon, login, "Long@2026"));

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
  gint64 amr = sui_test_daemon_get_unit_id (test_daemon, "amr");
  g_autoptr(SuiUser) user = find_user (f, f->sup_id);
  g_autoptr(JsonNode) competing = NULL;
  g_autoptr(JsonObject) now = NULL;
  g_autofree char *name = NULL;
  gint64 unit_id = 0;
  g_autofree char *login = g_strconcat (f->prefix, "sup_changan", NULL);
  DialogState state = { 0 };

  /* The dialog edits the record as the page read it. */
  g_assert_nonnull (user);
  g_assert_cmpint (sui_user_get_version (user), ==, 1);
  state.dialog = g_object_ref_sink (sui_user_dialog_new (f->client,
                                                         sui_admin_page_get_units (f->page),
                                                         user));
  g_signal_connect (state.dialog, "saved", G_CALLBACK (on_saved), &state);
  g_object_set (state.dialog, "name", "张伟伟", NULL);

  /* Meanwhile another administrator renames the user and moves them to another unit. */
  competing = sui_test_daemon_rpc (test_daemon, "users.update",
                                   "{\"id\":%" G_GINT64_FORMAT ",\"version\":1,"
                                   "\"name\":\"张大伟\",\"unit_id\":%" G_GINT64_FORMAT "}",
                                   f->sup_id, amr);

  gtk_widget_activate_action (GTK_WIDGET (state.dialog), "dialog.save", NULL);
  sui_test_wait_until (reloaded_after_conflict, &state, 10000);

  /* The dialog shows the other change (the unit) and keeps what we typed (the name), marking
   * the name as changed by both. */
  g_assert_cmpstr (sui_user_dialog_get_message (state.dialog), ==,
                   "Someone else changed this record meanwhile. Their changes are shown, and "
                   "what you entered is kept; the marked fields were changed by both of you. "
                   "Check the form and save again.");
  g_object_get (state.dialog, "name", &name, "unit-id", &unit_id, NULL);
  g_assert_cmpstr (name, ==, "张伟伟");
  g_assert_cmpint (unit_id, ==, amr);
  g_assert_cmpstr (sui_user_dialog_get_field_error (state.dialog, "name"), ==,
                   "Someone else changed this to “张大伟”. Saving keeps what you entered here.");
  g_assert_null (sui_user_dialog_get_field_error (state.dialog, "unit_id"));
  g_assert_null (sui_user_dialog_get_field_error (state.dialog, "role"));
  g_assert_null (state.saved);

  /* Our stale save changed nothing. */
  now = sui_test_daemon_get_user (test_daemon, f->sup_id);
  g_assert_cmpint (json_object_get_int_member (now, "version"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (now, "name"), ==, "张大伟");
  g_clear_pointer (&now, json_object_unref);

  /* Saving again names the version it now holds: our name, their unit. */
  gtk_widget_activate_action (GTK_WIDGET (state.dialog), "dialog.save", NULL);
  sui_test_wait_until (dialog_saved, &state, 10000);
  g_assert_cmpint (sui_user_get_version (state.saved), ==, 3);

  now = sui_test_daemon_get_user (test_daemon, f->sup_id);
  g_assert_cmpint (json_object_get_int_member (now, "version"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (now, "name"), ==, "张伟伟");
  g_assert_cmpint (json_object_get_int_member (now, "unit_id"), ==, amr);
  g_assert_cmpstr (json_object_get_string_member (now, "login"), ==, login);
  g_assert_cmpstr (json_object_get_string_member (now, "role"), ==, "supervisor");

  g_clear_object (&state.saved);
  g_assert_finalize_object (state.dialog);
}

typedef struct
{
  Fixture *f;
  gint64 id;
  gboolean disabled;
} Toggle;

/* The page has reloaded and lists the user in the state asked for. */
static gboolean
shows_toggled (gpointer data)
{
  Toggle *toggle = data;
  g_autoptr(SuiUser) user = NULL;

  if (sui_admin_page_get_loading (toggle->f->page))
    return FALSE;
  user = find_user (toggle->f, toggle->id);
  return user != NULL && sui_user_get_disabled (user) == toggle->disabled;
}

static void
test_enable_user (Fixture       *f,
                  gconstpointer  data)
{
  Toggle toggle = { f, f->insp_id, FALSE };
  g_autoptr(JsonObject) now = NULL;

  /* The inspector is disabled: enabling needs no confirmation. */
  g_assert_true (sui_admin_page_select_user (f->page, f->insp_id));
  gtk_widget_activate_action (GTK_WIDGET (f->page), "admin.toggle-user", NULL);
  sui_test_wait_until (shows_toggled, &toggle, 10000);

  /* Enabled in the daemon, with the version the page held (2, after the disable). */
  now = sui_test_daemon_get_user (test_daemon, f->insp_id);
  g_assert_false (json_object_get_boolean_member (now, "disabled"));
  g_assert_cmpint (json_object_get_int_member (now, "version"), ==, 3);
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
  Toggle toggle = { f, f->sup_id, TRUE };
  g_autofree char *login = g_strconcat (f->prefix, "sup_changan", NULL);
  g_autofree char *token = sui_test_daemon_login (test_daemon, login, PASSWORD);
  g_autoptr(JsonObject) now = NULL;
  g_autoptr(JsonNode) whoami = NULL;
  g_autoptr(GError) error = NULL;
  AdwMessageDialog *dialog;

  g_assert_true (sui_admin_page_select_user (f->page, f->sup_id));
  gtk_widget_activate_action (GTK_WIDGET (f->page), "admin.toggle-user", NULL);

  /* Nothing happens before the administrator confirms. */
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  now = sui_test_daemon_get_user (test_daemon, f->sup_id);
  g_assert_false (json_object_get_boolean_member (now, "disabled"));
  g_assert_cmpint (json_object_get_int_member (now, "version"), ==, 1);
  g_clear_pointer (&now, json_object_unref);

  adw_message_dialog_response (dialog, "confirm");
  gtk_window_destroy (GTK_WINDOW (dialog));
  sui_test_wait_until (shows_toggled, &toggle, 10000);

  /* Disabled in the daemon, and the user's session is over. */
  now = sui_test_daemon_get_user (test_daemon, f->sup_id);
  g_assert_true (json_object_get_boolean_member (now, "disabled"));
  g_assert_cmpint (json_object_get_int_member (now, "version"), ==, 2);
  whoami = sui_test_daemon_rpc_full (test_daemon, token, "auth.whoami", NULL, NULL, &error);
  g_assert_error (error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_AUTHENTICATED);
}

typedef struct
{
  SuiUnitDialog *dialog;
  SuiUnit *saved;
  gint64 stale_version;
} UnitDialogState;

static gboolean
unit_dialog_idle (gpointer data)
{
  UnitDialogState *state = data;
  gboolean busy;

  g_object_get (state->dialog, "busy", &busy, NULL);
  return !busy;
}

/* The dialog holds a newer version than the one it was opened with, and is idle. */
static gboolean
unit_dialog_reloaded (gpointer data)
{
  UnitDialogState *state = data;
  g_autoptr(SuiUnit) held = NULL;

  if (!unit_dialog_idle (state))
    return FALSE;
  g_object_get (state->dialog, "unit", &held, NULL);
  return held != NULL && sui_unit_get_version (held) > state->stale_version;
}

static gboolean
unit_dialog_saved (gpointer data)
{
  return ((UnitDialogState *) data)->saved != NULL;
}

static void
on_unit_saved (SuiUnitDialog   *dialog,
               SuiUnit         *unit,
               gboolean         created,
               UnitDialogState *state)
{
  state->saved = g_object_ref (unit);
}

static void
test_create_unit_validation (Fixture       *f,
                             gconstpointer  data)
{
  gint64 bureau = sui_test_daemon_get_unit_id (test_daemon, "bureau");
  g_autoptr(GHashTable) expected = NULL;
  g_autoptr(JsonNode) unit = NULL;
  g_autofree char *name = g_strdup_printf ("测试局%u号", f->case_no);
  g_autofree char *code = g_strdup_printf ("%sdept", f->prefix);
  g_autofree char *params = NULL;
  UnitDialogState state = { 0 };
  JsonObject *object;

  state.dialog = g_object_ref_sink (sui_unit_dialog_new (f->client,
                                                         sui_admin_page_get_units (f->page),
                                                         NULL));
  g_signal_connect (state.dialog, "saved", G_CALLBACK (on_unit_saved), &state);
  g_object_set (state.dialog, "name", name, "code", "Bad Code", "kind", "department", NULL);

  gtk_widget_activate_action (GTK_WIDGET (state.dialog), "dialog.save", NULL);
  sui_test_wait_until (unit_dialog_idle, &state, 10000);

  params = g_strdup_printf ("{\"name\":\"%s\",\"code\":\"Bad Code\",\"kind\":\"department\","
                            "\"parent_id\":%" G_GINT64_FORMAT "}", name, bureau);
  expected = sui_test_daemon_field_messages (test_daemon, NULL, "units.create", params);
  g_assert_cmpstr (sui_unit_dialog_get_field_error (state.dialog, "code"), ==,
                   g_hash_table_lookup (expected, "code"));
  g_assert_null (sui_unit_dialog_get_field_error (state.dialog, "name"));
  g_assert_null (state.saved);

  /* Corrected, it is created as a department under the first root (the bureau), which the
   * dialog chooses unless told otherwise. */
  g_object_set (state.dialog, "code", code, NULL);
  gtk_widget_activate_action (GTK_WIDGET (state.dialog), "dialog.save", NULL);
  sui_test_wait_until (unit_dialog_saved, &state, 10000);

  unit = sui_test_daemon_rpc (test_daemon, "units.get", "{\"id\":%" G_GINT64_FORMAT "}",
                              sui_unit_get_id (state.saved));
  object = json_node_get_object (unit);
  g_assert_cmpstr (json_object_get_string_member (object, "code"), ==, code);
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, name);
  g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==, "department");
  g_assert_cmpint (json_object_get_int_member (object, "parent_id"), ==, bureau);

  g_clear_object (&state.saved);
  g_assert_finalize_object (state.dialog);
}

/* Another administrator recodes a unit while we rename it: saving again keeps both. */
static void
test_edit_unit_conflict (Fixture       *f,
                         gconstpointer  data)
{
  gint64 bureau = sui_test_daemon_get_unit_id (test_daemon, "bureau");
  g_autofree char *name = g_strdup_printf ("冲突测试局%u号", f->case_no);
  g_autofree char *renamed = g_strdup_printf ("冲突测试分局%u号", f->case_no);
  g_autofree char *code = g_strdup_printf ("%sclash", f->prefix);
  g_autofree char *recoded = g_strdup_printf ("%sclash2", f->prefix);
  g_autofree char *shown_name = NULL;
  g_autofree char *shown_code = NULL;
  g_autoptr(JsonNode) created = NULL;
  g_autoptr(JsonNode) competing = NULL;
  g_autoptr(JsonNode) now = NULL;
  g_autoptr(SuiUnit) unit = NULL;
  UnitDialogState state = { 0 };
  JsonObject *object;

  created = sui_test_daemon_rpc (test_daemon, "units.create",
                                 "{\"name\":\"%s\",\"code\":\"%s\",\"kind\":\"department\","
                                 "\"parent_id\":%" G_GINT64_FORMAT "}", name, code, bureau);
  unit = sui_unit_new_from_json (json_node_get_object (created));
  state.dialog = g_object_ref_sink (sui_unit_dialog_new (f->client,
                                                         sui_admin_page_get_units (f->page),
                                                         unit));
  g_signal_connect (state.dialog, "saved", G_CALLBACK (on_unit_saved), &state);
  g_object_set (state.dialog, "name", renamed, NULL);

  competing = sui_test_daemon_rpc (test_daemon, "units.update",
                                   "{\"id\":%" G_GINT64_FORMAT ",\"version\":%" G_GINT64_FORMAT
                                   ",\"code\":\"%s\"}", sui_unit_get_id (unit),
                                   sui_unit_get_version (unit), recoded);

  gtk_widget_activate_action (GTK_WIDGET (state.dialog), "dialog.save", NULL);
  state.stale_version = sui_unit_get_version (unit);
  sui_test_wait_until (unit_dialog_reloaded, &state, 10000);

  g_assert_cmpstr (sui_unit_dialog_get_message (state.dialog), ==,
                   "Someone else changed this record meanwhile. Their changes are shown, and "
                   "what you entered is kept. Check the form and save again.");
  g_object_get (state.dialog, "name", &shown_name, "code", &shown_code, NULL);
  g_assert_cmpstr (shown_name, ==, renamed);
  g_assert_cmpstr (shown_code, ==, recoded);
  g_assert_null (sui_unit_dialog_get_field_error (state.dialog, "name"));
  g_assert_null (sui_unit_dialog_get_field_error (state.dialog, "code"));
  g_assert_null (state.saved);

  gtk_widget_activate_action (GTK_WIDGET (state.dialog), "dialog.save", NULL);
  sui_test_wait_until (unit_dialog_saved, &state, 10000);

  now = sui_test_daemon_rpc (test_daemon, "units.get", "{\"id\":%" G_GINT64_FORMAT "}",
                             sui_unit_get_id (unit));
  object = json_node_get_object (now);
  g_assert_cmpint (json_object_get_int_member (object, "version"), ==,
                   sui_unit_get_version (unit) + 2);
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, renamed);
  g_assert_cmpstr (json_object_get_string_member (object, "code"), ==, recoded);
  g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==, "department");
  g_assert_cmpint (json_object_get_int_member (object, "parent_id"), ==, bureau);

  g_clear_object (&state.saved);
  g_assert_finalize_object (state.dialog);
}

int
main (int   argc,
      char *argv[])
{
  static const char * const args[] = {
    "--unit", "changan:direct:长安区烟草专卖局",
    "--unit", "amr:department:市场监督管理局",
    NULL
  };
  int status;

  if (sui_test_skip_without_display ())
    return 0;

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
  g_test_add ("/admin-page/edit-unit-conflict", Fixture, NULL,
              fixture_setup, test_edit_unit_conflict, fixture_teardown);

  test_daemon = sui_test_daemon_new (args);
  status = g_test_run ();
  g_clear_pointer (&test_daemon, sui_test_daemon_free);

  return status;
}
