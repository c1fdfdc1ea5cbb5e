/* test-register-dialogs.c: the edit dialogs saving through SuiForm against the real daemon
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One daemon with the demo data serves every case. The dialogs work as the demo supervisor
 * sup_changan (the password cases as the admin and as an account of their own); what they
 * wrote, or did not write, is read back through the daemon by another session. Each case
 * uses its own certificate and licence numbers, so the cases never see one another's records.
 */
#include "sui-config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <stdio.h>

#include "sui-account-page.h"
#include "sui-i18n.h"
#include "sui-inspector-dialog.h"
#include "sui-object-dialog.h"
#include "sui-password-dialog.h"
#include "sui-register-row.h"
#include "sui-rpc-client.h"
#include "sui-test-daemon.h"
#include "sui-user.h"

#define SUPERVISOR "sup_changan"
#define DEMO_PASSWORD "Demo@2026"
#define WAIT_MS 10000

static SuiTestDaemon *test_daemon;

typedef struct
{
  SuiRpcClient *client;
  char *token;
  JsonObject *reference;
} Fixture;

/* What a dialog's "saved" signal reported. */
typedef struct
{
  SuiRegisterRow *row;
  gboolean created;
} Saved;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) reference = NULL;

  f->token = sui_test_daemon_login (test_daemon, SUPERVISOR, DEMO_PASSWORD);
  f->client = sui_rpc_client_new (sui_test_daemon_get_url (test_daemon));
  sui_rpc_client_set_token (f->client, f->token);

  reference = sui_test_daemon_rpc_full (test_daemon, f->token, "objects.reference", "{}", NULL,
                                        &error);
  g_assert_no_error (error);
  f->reference = json_object_ref (json_node_get_object (reference));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->reference, json_object_unref);
  g_assert_finalize_object (f->client);
  g_free (f->token);
}

/* A call as the supervisor, made by the launcher: another session than the dialog's. */
static JsonObject *
call (Fixture    *f,
      const char *method,
      const char *params)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = NULL;

  result = sui_test_daemon_rpc_full (test_daemon, f->token, method, params, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (result));
  return json_object_ref (json_node_get_object (result));
}

static JsonObject *
get_record (Fixture    *f,
            const char *method,
            gint64      id)
{
  g_autofree char *params = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT "}", id);

  return call (f, method, params);
}

static gint64
count_matching (Fixture    *f,
                const char *method,
                const char *text)
{
  g_autofree char *params = g_strdup_printf ("{\"filter\":{\"text\":\"%s\"},\"with_count\":true}",
                                             text);
  g_autoptr(JsonObject) result = call (f, method, params);

  return json_object_get_int_member (result, "total");
}

static gint64
supervisor_unit (void)
{
  g_autoptr(JsonNode) found = sui_test_daemon_rpc (test_daemon, "users.list",
                                                   "{\"search\":\"" SUPERVISOR "\"}");
  JsonArray *items = json_object_get_array_member (json_node_get_object (found), "items");

  g_assert_cmpuint (json_array_get_length (items), ==, 1);
  return json_object_get_int_member (json_array_get_object_element (items, 0), "unit_id");
}

/* The text an entry row of a dialog shows, as the user sees it. */
static const char *
entry_text (gpointer    dialog,
            GType       type,
            const char *field)
{
  g_autofree char *name = g_strconcat (field, "_row", NULL);
  GObject *row = gtk_widget_get_template_child (GTK_WIDGET (dialog), type, name);

  g_assert_true (GTK_IS_EDITABLE (row));
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static void
on_saved (GtkWidget      *dialog,
          SuiRegisterRow *row,
          gboolean        created,
          Saved          *saved)
{
  g_assert_null (saved->row);
  saved->row = g_object_ref (row);
  saved->created = created;
}

static gboolean
was_saved (gpointer data)
{
  return ((Saved *) data)->row != NULL;
}

static gboolean
inspector_idle (gpointer data)
{
  return !sui_inspector_dialog_get_busy (SUI_INSPECTOR_DIALOG (data));
}

static gboolean
object_idle (gpointer data)
{
  return !sui_object_dialog_get_busy (SUI_OBJECT_DIALOG (data));
}

static SuiInspectorDialog *
open_inspector_dialog (Fixture        *f,
                       SuiRegisterRow *record,
                       Saved          *saved)
{
  SuiInspectorDialog *dialog;

  dialog = g_object_ref_sink (sui_inspector_dialog_new (f->client, f->reference, NULL, record));
  g_signal_connect (dialog, "saved", G_CALLBACK (on_saved), saved);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

/* A saved dialog closed itself; one that was refused is closed as by the user. */
static void
close_dialog (gpointer  dialog,
              Saved    *saved)
{
  if (saved->row == NULL)
    gtk_window_destroy (GTK_WINDOW (dialog));
  g_clear_object (&saved->row);
  g_assert_finalize_object (dialog);
}

/* An inspector of the supervisor's unit, made through the daemon, as the dialog gets it. */
static SuiRegisterRow *
make_inspector (Fixture    *f,
                const char *cert_no)
{
  g_autofree char *params = NULL;
  g_autoptr(JsonObject) created = NULL;
  g_autoptr(JsonObject) record = NULL;

  params = g_strdup_printf ("{\"name\":\"对话框测试员\",\"cert_no\":\"%s\","
                            "\"cert_valid_from\":\"2025-01-01\","
                            "\"cert_valid_until\":\"2029-12-31\","
                            "\"specialties\":\"卷烟零售\",\"contact\":\"13800000001\"}",
                            cert_no);
  created = call (f, "inspectors.create", params);
  record = get_record (f, "inspectors.get", json_object_get_int_member (created, "id"));
  return sui_register_row_new (record);
}

/* A create the server refuses: its messages under the fields it names, a form-level message,
 * the dialog stays open and nothing is written. Corrected, the same dialog creates the record
 * with the values typed. */
static void
test_inspector_create (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GHashTable) expected = NULL;
  g_autoptr(JsonObject) record = NULL;
  JsonArray *statuses = json_object_get_array_member (f->reference, "inspector_statuses");
  const char *status;
  SuiInspectorDialog *dialog;
  Saved saved = { 0 };

  /* Not the first status, so that the choice is seen to travel. */
  g_assert_cmpuint (json_array_get_length (statuses), >, 1);
  status = json_object_get_string_member (json_array_get_object_element (statuses, 1), "code");

  dialog = open_inspector_dialog (f, NULL, &saved);
  sui_inspector_dialog_set_field (dialog, "name", "");
  sui_inspector_dialog_set_field (dialog, "cert_no", "DLG-0001");
  sui_inspector_dialog_set_field (dialog, "cert_valid_from", "2026-13-01");
  sui_inspector_dialog_set_field (dialog, "cert_valid_until", "2028-12-31");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL);
  g_assert_true (sui_inspector_dialog_get_busy (dialog));
  sui_test_wait_until (inspector_idle, dialog, WAIT_MS);

  /* The dialog shows, field by field, what the daemon says of the same input. */
  expected = sui_test_daemon_field_messages (test_daemon, f->token, "inspectors.create",
                                             "{\"name\":\"\",\"cert_no\":\"DLG-0001\","
                                             "\"cert_valid_from\":\"2026-13-01\","
                                             "\"cert_valid_until\":\"2028-12-31\"}");
  g_assert_cmpuint (g_hash_table_size (expected), ==, 2);
  g_assert_nonnull (g_hash_table_lookup (expected, "name"));
  g_assert_nonnull (g_hash_table_lookup (expected, "cert_valid_from"));
  g_assert_cmpstr (sui_inspector_dialog_get_field_error (dialog, "name"), ==,
                   g_hash_table_lookup (expected, "name"));
  g_assert_cmpstr (sui_inspector_dialog_get_field_error (dialog, "cert_valid_from"), ==,
                   g_hash_table_lookup (expected, "cert_valid_from"));
  g_assert_null (sui_inspector_dialog_get_field_error (dialog, "cert_no"));
  g_assert_null (sui_inspector_dialog_get_field_error (dialog, "cert_valid_until"));
  g_assert_cmpstr (sui_inspector_dialog_get_message (dialog), ==,
                   _("Please correct the marked fields."));
  g_assert_null (saved.row);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  g_assert_cmpint (count_matching (f, "inspectors.list", "DLG-0001"), ==, 0);

  /* Corrected, it goes through; the old messages are gone. */
  sui_inspector_dialog_set_field (dialog, "name", "测试检查员甲");
  sui_inspector_dialog_set_field (dialog, "cert_valid_from", "2026-01-01");
  sui_inspector_dialog_set_field (dialog, "status", status);
  sui_inspector_dialog_set_field (dialog, "specialties", "卷烟零售");
  sui_inspector_dialog_set_field (dialog, "contact", "13800000000");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL);
  sui_test_wait_until (was_saved, &saved, WAIT_MS);
  g_assert_true (saved.created);
  g_assert_null (sui_inspector_dialog_get_field_error (dialog, "name"));
  g_assert_null (sui_inspector_dialog_get_field_error (dialog, "cert_valid_from"));
  g_assert_null (sui_inspector_dialog_get_message (dialog));

  /* The daemon holds what was typed, in the supervisor's unit. */
  g_assert_cmpint (count_matching (f, "inspectors.list", "DLG-0001"), ==, 1);
  record = get_record (f, "inspectors.get", sui_register_row_get_id (saved.row));
  g_assert_cmpstr (json_object_get_string_member (record, "name"), ==, "测试检查员甲");
  g_assert_cmpstr (json_object_get_string_member (record, "cert_no"), ==, "DLG-0001");
  g_assert_cmpstr (json_object_get_string_member (record, "cert_valid_from"), ==, "2026-01-01");
  g_assert_cmpstr (json_object_get_string_member (record, "cert_valid_until"), ==,
                   "2028-12-31");
  g_assert_cmpstr (json_object_get_string_member (record, "status"), ==, status);
  g_assert_cmpstr (json_object_get_string_member (record, "specialties"), ==, "卷烟零售");
  g_assert_cmpstr (json_object_get_string_member (record, "contact"), ==, "13800000000");
  g_assert_cmpint (json_object_get_int_member (record, "unit_id"), ==, supervisor_unit ());
  g_assert_cmpint (json_object_get_int_member (record, "version"), ==,
                   sui_register_row_get_version (saved.row));

  close_dialog (dialog, &saved);
}

typedef struct
{
  SuiInspectorDialog *dialog;
  const char *specialties;
} Reloaded;

/* The conflict was told and the record as the server now holds it is in the form. */
static gboolean
reloaded (gpointer data)
{
  Reloaded *wait = data;

  return !sui_inspector_dialog_get_busy (wait->dialog) &&
         sui_inspector_dialog_get_message (wait->dialog) != NULL &&
         g_strcmp0 (entry_text (wait->dialog, SUI_TYPE_INSPECTOR_DIALOG, "specialties"),
                    wait->specialties) == 0;
}

/* Someone else saves the inspector while the dialog has it open: the dialog's save is refused
 * as stale and says so; the form then shows the other change and keeps what was typed, marks
 * the field both changed, and the next save, with nothing retyped, goes through on top of
 * the other change. */
static void
test_inspector_stale (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(SuiRegisterRow) record = make_inspector (f, "DLG-0002");
  g_autofree char *other_token = sui_test_daemon_login (test_daemon, SUPERVISOR, DEMO_PASSWORD);
  g_autofree char *bump = NULL;
  g_autofree char *clash = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) bumped = NULL;
  g_autoptr(JsonObject) now = NULL;
  gint64 id = sui_register_row_get_id (record);
  gint64 version = sui_register_row_get_version (record);
  SuiInspectorDialog *dialog;
  Saved saved = { 0 };
  Reloaded wait;

  dialog = open_inspector_dialog (f, record, &saved);
  g_assert_cmpstr (entry_text (dialog, SUI_TYPE_INSPECTOR_DIALOG, "specialties"), ==,
                   "卷烟零售");
  sui_inspector_dialog_set_field (dialog, "name", "对话框测试员乙");
  sui_inspector_dialog_set_field (dialog, "contact", "13800000002");

  /* Meanwhile the same supervisor, in another session, changes the specialties, and the
   * contact to something else again. */
  bump = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT ",\"version\":%" G_GINT64_FORMAT ","
                          "\"specialties\":\"电子烟\",\"contact\":\"13800000003\"}",
                          id, version);
  bumped = sui_test_daemon_rpc_full (test_daemon, other_token, "inspectors.update", bump, NULL,
                                     &error);
  g_assert_no_error (error);

  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL);
  wait.dialog = dialog;
  wait.specialties = "电子烟";
  sui_test_wait_until (reloaded, &wait, WAIT_MS);
  g_assert_cmpstr (sui_inspector_dialog_get_message (dialog), ==,
                   _("Someone else changed this record meanwhile. Their changes are shown, "
                     "and what you entered is kept; the marked fields were changed by both of "
                     "you. Check the form and save again."));
  g_assert_null (saved.row);
  /* What was typed stays; the other change shows where nothing was typed. */
  g_assert_cmpstr (entry_text (dialog, SUI_TYPE_INSPECTOR_DIALOG, "name"), ==,
                   "对话框测试员乙");
  g_assert_cmpstr (entry_text (dialog, SUI_TYPE_INSPECTOR_DIALOG, "contact"), ==,
                   "13800000002");
  clash = g_strdup_printf (_("Someone else changed this to “%s”. Saving keeps what you entered "
                             "here."), "13800000003");
  g_assert_cmpstr (sui_inspector_dialog_get_field_error (dialog, "contact"), ==, clash);
  g_assert_null (sui_inspector_dialog_get_field_error (dialog, "name"));
  g_assert_null (sui_inspector_dialog_get_field_error (dialog, "specialties"));

  /* The stale save changed nothing. */
  now = get_record (f, "inspectors.get", id);
  g_assert_cmpint (json_object_get_int_member (now, "version"), ==, version + 1);
  g_assert_cmpstr (json_object_get_string_member (now, "name"), ==, "对话框测试员");
  g_assert_cmpstr (json_object_get_string_member (now, "contact"), ==, "13800000003");
  g_clear_pointer (&now, json_object_unref);

  /* The second try, nothing retyped, names the version the dialog now holds: what was typed
   * is saved and the other change kept. */
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL);
  sui_test_wait_until (was_saved, &saved, WAIT_MS);
  g_assert_false (saved.created);
  g_assert_cmpint (sui_register_row_get_id (saved.row), ==, id);

  now = get_record (f, "inspectors.get", id);
  g_assert_cmpint (json_object_get_int_member (now, "version"), ==, version + 2);
  g_assert_cmpstr (json_object_get_string_member (now, "name"), ==, "对话框测试员乙");
  g_assert_cmpstr (json_object_get_string_member (now, "specialties"), ==, "电子烟");
  g_assert_cmpstr (json_object_get_string_member (now, "contact"), ==, "13800000002");

  close_dialog (dialog, &saved);
}

/* Emptying an optional field of a stored inspector clears it (sent as null); the fields left
 * as they were stay. */
static void
test_inspector_clear_optional (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(SuiRegisterRow) record = make_inspector (f, "DLG-0003");
  g_autoptr(JsonObject) now = NULL;
  SuiInspectorDialog *dialog;
  Saved saved = { 0 };

  dialog = open_inspector_dialog (f, record, &saved);
  g_assert_cmpstr (entry_text (dialog, SUI_TYPE_INSPECTOR_DIALOG, "contact"), ==,
                   "13800000001");
  sui_inspector_dialog_set_field (dialog, "contact", "");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL);
  sui_test_wait_until (was_saved, &saved, WAIT_MS);
  g_assert_false (saved.created);

  now = get_record (f, "inspectors.get", sui_register_row_get_id (record));
  g_assert_true (json_object_has_member (now, "contact"));
  g_assert_true (json_object_get_null_member (now, "contact"));
  g_assert_cmpstr (json_object_get_string_member (now, "specialties"), ==, "卷烟零售");
  g_assert_cmpstr (json_object_get_string_member (now, "name"), ==, "对话框测试员");
  g_assert_cmpint (json_object_get_int_member (now, "version"), ==,
                   sui_register_row_get_version (record) + 1);

  close_dialog (dialog, &saved);
}

/* Key supervision switched on without a reason is refused at the reason field and writes
 * nothing; with a reason the object is created as typed. */
static void
test_object_key_supervision (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GHashTable) expected = NULL;
  g_autoptr(JsonObject) record = NULL;
  SuiObjectDialog *dialog;
  Saved saved = { 0 };

  dialog = g_object_ref_sink (sui_object_dialog_new (f->client, f->reference, NULL, NULL));
  g_signal_connect (dialog, "saved", G_CALLBACK (on_saved), &saved);
  gtk_window_present (GTK_WINDOW (dialog));

  sui_object_dialog_set_field (dialog, "type", "retail");
  sui_object_dialog_set_field (dialog, "licence_no", "130101999951");
  sui_object_dialog_set_field (dialog, "name", "对话框测试烟酒店");
  sui_object_dialog_set_field (dialog, "key_supervision", "true");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL);
  g_assert_true (sui_object_dialog_get_busy (dialog));
  sui_test_wait_until (object_idle, dialog, WAIT_MS);

  expected = sui_test_daemon_field_messages (test_daemon, f->token, "objects.create",
                                             "{\"type\":\"retail\","
                                             "\"licence_no\":\"130101999951\","
                                             "\"name\":\"对话框测试烟酒店\","
                                             "\"key_supervision\":true}");
  g_assert_cmpuint (g_hash_table_size (expected), ==, 1);
  g_assert_nonnull (g_hash_table_lookup (expected, "key_supervision_reason"));
  g_assert_cmpstr (sui_object_dialog_get_field_error (dialog, "key_supervision_reason"), ==,
                   g_hash_table_lookup (expected, "key_supervision_reason"));
  g_assert_null (sui_object_dialog_get_field_error (dialog, "key_supervision"));
  g_assert_null (sui_object_dialog_get_field_error (dialog, "licence_no"));
  g_assert_cmpstr (sui_object_dialog_get_message (dialog), ==,
                   _("Please correct the marked fields."));
  g_assert_null (saved.row);
  g_assert_cmpint (count_matching (f, "objects.list", "130101999951"), ==, 0);

  sui_object_dialog_set_field (dialog, "key_supervision_reason", "一年内两次违规");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL);
  sui_test_wait_until (was_saved, &saved, WAIT_MS);
  g_assert_true (saved.created);
  g_assert_true (sui_register_row_get_bool (saved.row, "key_supervision"));

  record = get_record (f, "objects.get", sui_register_row_get_id (saved.row));
  g_assert_cmpstr (json_object_get_string_member (record, "type"), ==, "retail");
  g_assert_cmpstr (json_object_get_string_member (record, "licence_no"), ==, "130101999951");
  g_assert_cmpstr (json_object_get_string_member (record, "name"), ==, "对话框测试烟酒店");
  g_assert_true (json_object_get_boolean_member (record, "key_supervision"));
  g_assert_cmpstr (json_object_get_string_member (record, "key_supervision_reason"), ==,
                   "一年内两次违规");
  g_assert_cmpint (json_object_get_int_member (record, "unit_id"), ==, supervisor_unit ());
  g_assert_cmpint (count_matching (f, "objects.list", "130101999951"), ==, 1);

  close_dialog (dialog, &saved);
}

/* An account of one case, so that failed password checks stay with it. */
static SuiUser *
make_account (const char *login,
              const char *password)
{
  g_autoptr(JsonObject) created = NULL;

  created = sui_test_daemon_create_user (test_daemon, login, "对话框测试账号", "supervisor",
                                         supervisor_unit (), password);
  return sui_user_new_from_json (created);
}

static gboolean
password_done (gpointer data)
{
  return *(char **) data != NULL;
}

static void
on_password_done (SuiPasswordDialog  *dialog,
                  const char         *message,
                  char              **done)
{
  *done = g_strdup (message);
}

static gboolean
password_error_shown (gpointer data)
{
  return sui_password_dialog_get_field_error (SUI_PASSWORD_DIALOG (data), "password") != NULL;
}

/* The admin resets a password: a password the server refuses shows its message at the field
 * and the old one still works; two different entries never reach the server; a good one does. */
static void
test_password_reset (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(SuiUser) user = make_account ("dlg_reset", "Old@20260");
  g_autoptr(GHashTable) expected = NULL;
  g_autoptr(SuiRpcClient) admin = sui_rpc_client_new (sui_test_daemon_get_url (test_daemon));
  g_autofree char *admin_token = NULL;
  g_autofree char *params = NULL;
  g_autofree char *done = NULL;
  g_autofree char *token = NULL;
  SuiPasswordDialog *dialog;
  GtkEditable *password;
  GtkEditable *confirm;

  admin_token = sui_test_daemon_login (test_daemon, "admin",
                                       sui_test_daemon_get_password (test_daemon, "admin"));
  sui_rpc_client_set_token (admin, admin_token);

  dialog = g_object_ref_sink (sui_password_dialog_new (admin, user));
  g_signal_connect (dialog, "done", G_CALLBACK (on_password_done), &done);
  gtk_window_present (GTK_WINDOW (dialog));
  password = GTK_EDITABLE (gtk_widget_get_template_child (GTK_WIDGET (dialog),
                                                          SUI_TYPE_PASSWORD_DIALOG,
                                                          "password_row"));
  confirm = GTK_EDITABLE (gtk_widget_get_template_child (GTK_WIDGET (dialog),
                                                         SUI_TYPE_PASSWORD_DIALOG,
                                                         "confirm_row"));

  gtk_editable_set_text (password, "short");
  gtk_editable_set_text (confirm, "short");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL);
  sui_test_wait_until (password_error_shown, dialog, WAIT_MS);
  params = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT ",\"password\":\"short\"}",
                            sui_user_get_id (user));
  expected = sui_test_daemon_field_messages (test_daemon, NULL, "users.reset_password", params);
  g_assert_cmpuint (g_hash_table_size (expected), ==, 1);
  g_assert_cmpstr (sui_password_dialog_get_field_error (dialog, "password"), ==,
                   g_hash_table_lookup (expected, "password"));
  g_assert_null (sui_password_dialog_get_field_error (dialog, "confirm"));
  g_assert_null (done);
  g_free (sui_test_daemon_login (test_daemon, "dlg_reset", "Old@20260"));

  /* Checked before any call: the answer is there at once. */
  gtk_editable_set_text (password, "New@20260");
  gtk_editable_set_text (confirm, "New@20261");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL);
  g_assert_cmpstr (sui_password_dialog_get_field_error (dialog, "confirm"), ==,
                   _("The two new passwords do not match."));
  g_assert_null (sui_password_dialog_get_field_error (dialog, "password"));
  g_assert_false (password_done (&done));
  g_free (sui_test_daemon_login (test_daemon, "dlg_reset", "Old@20260"));

  gtk_editable_set_text (confirm, "New@20260");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL);
  sui_test_wait_until (password_done, &done, WAIT_MS);
  token = sui_test_daemon_login (test_daemon, "dlg_reset", "New@20260");
  g_assert_nonnull (token);

  /* The dialog closed itself once done. */
  g_assert_finalize_object (dialog);
  g_assert_finalize_object (g_steal_pointer (&admin));
}

typedef struct
{
  SuiAccountPage *page;
  const char *error_row;
} FieldWait;

/* The message under a field of the page, by the name of its row in the template. */
static const char *
page_field_error (SuiAccountPage *page,
                  const char     *error_row)
{
  GtkWidget *row = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (page),
                                                              SUI_TYPE_ACCOUNT_PAGE, error_row));

  return gtk_widget_get_visible (row) ? adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row))
                                      : NULL;
}

static gboolean
page_error_shown (gpointer data)
{
  FieldWait *wait = data;

  return page_field_error (wait->page, wait->error_row) != NULL;
}

static gboolean
is_gone (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
set_page_text (SuiAccountPage *page,
               const char     *row,
               const char     *text)
{
  gtk_editable_set_text (GTK_EDITABLE (gtk_widget_get_template_child (GTK_WIDGET (page),
                                                                      SUI_TYPE_ACCOUNT_PAGE,
                                                                      row)),
                         text);
}

/* Changing one's own password with a wrong current password: the server's message shows at
 * that field and the password stays. */
static void
test_wrong_current_password (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(SuiUser) user = make_account ("dlg_own", "Mine@2026");
  g_autofree char *token = sui_test_daemon_login (test_daemon, "dlg_own", "Mine@2026");
  g_autoptr(SuiRpcClient) client = sui_rpc_client_new (sui_test_daemon_get_url (test_daemon));
  g_autoptr(GHashTable) expected = NULL;
  GtkWindow *window;
  SuiAccountPage *page;
  FieldWait wait;

  sui_rpc_client_set_token (client, token);
  window = GTK_WINDOW (gtk_window_new ());
  page = sui_account_page_new (client, user);
  g_object_add_weak_pointer (G_OBJECT (page), (gpointer *) &page);
  gtk_window_set_child (window, GTK_WIDGET (page));
  gtk_window_present (window);

  set_page_text (page, "old_row", "Wrong@2026");
  set_page_text (page, "new_row", "Next@2026");
  set_page_text (page, "confirm_row", "Next@2026");
  gtk_widget_activate_action (GTK_WIDGET (page), "account.change-password", NULL);
  wait.page = page;
  wait.error_row = "old_error";
  sui_test_wait_until (page_error_shown, &wait, WAIT_MS);

  expected = sui_test_daemon_field_messages (test_daemon, token, "auth.change_password",
                                             "{\"old_password\":\"Wrong@2026\","
                                             "\"new_password\":\"Next@2026\"}");
  g_assert_cmpuint (g_hash_table_size (expected), ==, 1);
  g_assert_cmpstr (page_field_error (page, "old_error"), ==,
                   g_hash_table_lookup (expected, "old_password"));
  g_assert_null (page_field_error (page, "new_error"));
  g_assert_null (page_field_error (page, "confirm_error"));
  g_free (sui_test_daemon_login (test_daemon, "dlg_own", "Mine@2026"));

  /* Its calls are cancelled with it; they still report back once before it goes. */
  gtk_window_destroy (window);
  sui_test_wait_until (is_gone, &page, WAIT_MS);
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

  g_test_add ("/register-dialogs/inspector/create", Fixture, NULL,
              fixture_setup, test_inspector_create, fixture_teardown);
  g_test_add ("/register-dialogs/inspector/stale", Fixture, NULL,
              fixture_setup, test_inspector_stale, fixture_teardown);
  g_test_add ("/register-dialogs/inspector/clear-optional", Fixture, NULL,
              fixture_setup, test_inspector_clear_optional, fixture_teardown);
  g_test_add ("/register-dialogs/object/key-supervision", Fixture, NULL,
              fixture_setup, test_object_key_supervision, fixture_teardown);
  g_test_add ("/register-dialogs/password/reset", Fixture, NULL,
              fixture_setup, test_password_reset, fixture_teardown);
  g_test_add ("/register-dialogs/password/wrong-current", Fixture, NULL,
              fixture_setup, test_wrong_current_password, fixture_teardown);

  test_daemon = sui_test_daemon_new (args);
  status = g_test_run ();
  g_clear_pointer (&test_daemon, sui_test_daemon_free);

  return status;
}
