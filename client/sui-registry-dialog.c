/* sui-registry-dialog.c: the completeness check 应纳尽纳
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * choose the licence registry's export (CSV) → upload it → registry.check: the licensees
 * missing from the register, the register's active objects the registry lacks, and the
 * particulars that differ field by field → "Add Missing Objects" (registry.commit, one
 * transaction) → the check runs again on the same file, so what is left is what is shown.
 */
#include "sui-config.h"

#include <glib/gi18n.h>

#include "sui-form.h"
#include "sui-json.h"
#include "sui-registry-dialog.h"
#include "sui-upload.h"

#define MAX_SHOWN 200

struct _SuiRegistryDialog
{
  AdwWindow parent_instance;

  SuiUpload upload;
  AdwComboRow *unit_row;
  AdwActionRow *file_row;
  AdwActionRow *columns_row;
  AdwActionRow *counts_row;
  AdwPreferencesGroup *missing_group;
  AdwPreferencesGroup *extra_group;
  AdwPreferencesGroup *mismatched_group;
  AdwPreferencesGroup *invalid_group;
  GtkListBox *missing_list;
  GtkListBox *extra_list;
  GtkListBox *mismatched_list;
  GtkListBox *invalid_list;

  SuiRpcClient *client;
  gint64 file_id;
  JsonObject *report;
  gint64 added;
};

enum {
  ADDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SuiRegistryDialog, sui_registry_dialog, ADW_TYPE_WINDOW)

static void
tell (SuiRegistryDialog *self,
      const char        *heading,
      const char        *body)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
show_error (SuiRegistryDialog *self,
            const GError      *error)
{
  g_autofree char *message = sui_rpc_client_describe_error (error);

  sui_upload_stop_working (&self->upload, self->report != NULL ? "report" : "choose");
  tell (self, _("The check did not go through"), message);
}

static JsonNode *
check_params (SuiRegistryDialog *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  gint64 unit_id = sui_form_combo_get_id (self->unit_row);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "file_id");
  json_builder_add_int_value (builder, self->file_id);
  if (unit_id != 0)
    {
      json_builder_set_member_name (builder, "unit_id");
      json_builder_add_int_value (builder, unit_id);
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static void
add_row (GtkListBox *list,
         const char *title,
         const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  gtk_list_box_append (list, row);
}

/* "3 of 120 shown" under a group whose list the server or the dialog cut short. */
static void
describe_group (AdwPreferencesGroup *group,
                gint64               total,
                guint                shown)
{
  g_autofree char *text = NULL;

  gtk_widget_set_visible (GTK_WIDGET (group), total > 0);
  if (total > shown)
    text = g_strdup_printf (_("%u of %u listed."), shown, (guint) total);
  else
    text = g_strdup_printf (ngettext ("%u record.", "%u records.", (gulong) total),
                            (guint) total);
  adw_preferences_group_set_description (group, text);
}

static JsonArray *
get_array (JsonObject *object,
           const char *name)
{
  return json_object_has_member (object, name) &&
         JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, name))
         ? json_object_get_array_member (object, name) : NULL;
}

static const char *
state_text (const char *state)
{
  if (g_strcmp0 (state, "other_unit") == 0)
    return _("Registered by another unit");
  if (g_strcmp0 (state, "retired") == 0)
    return _("Retired from the register");
  return NULL;
}

static void
show_report (SuiRegistryDialog *self)
{
  JsonObject *report = self->report;
  g_autoptr(GString) columns = g_string_new (NULL);
  g_autofree char *counts = NULL;
  g_autofree char *basename = g_file_get_basename (self->upload.file);
  JsonArray *array;
  guint n;

  adw_action_row_set_subtitle (self->file_row, basename);
  array = get_array (report, "columns");
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *column = json_array_get_object_element (array, i);

      if (sui_json_get_string (column, "field")[0] == '\0')
        continue;
      g_string_append_printf (columns, "%s%s", columns->len > 0 ? "、" : "",
                              sui_json_get_string (column, "header"));
    }
  adw_action_row_set_subtitle (self->columns_row, columns->len > 0 ? columns->str : "—");
  counts = g_strdup_printf (_("%u rows: %u missing, %u not in the registry, %u differ, "
                              "%u match, %u closed licences, %u invalid"),
                            (guint) sui_json_get_int (report, "rows"),
                            (guint) sui_json_get_int (report, "missing"),
                            (guint) sui_json_get_int (report, "extra"),
                            (guint) sui_json_get_int (report, "mismatched"),
                            (guint) sui_json_get_int (report, "matched"),
                            (guint) sui_json_get_int (report, "closed"),
                            (guint) sui_json_get_int (report, "invalid"));
  adw_action_row_set_subtitle (self->counts_row, counts);

  clear_list (self->missing_list);
  array = get_array (report, "missing_rows");
  n = array != NULL ? MIN (json_array_get_length (array), MAX_SHOWN) : 0;
  for (guint i = 0; i < n; i++)
    {
      JsonObject *row = json_array_get_object_element (array, i);
      g_autofree char *title = g_strdup_printf ("%s  %s", sui_json_get_string (row, "licence_no"),
                                                sui_json_get_string (row, "name"));
      g_autofree char *subtitle = g_strdup_printf (_("Line %u · %s"),
                                                   (guint) sui_json_get_int (row, "line"),
                                                   sui_json_get_string (row, "address"));

      add_row (self->missing_list, title, subtitle);
    }
  describe_group (self->missing_group, sui_json_get_int (report, "missing"), n);

  clear_list (self->extra_list);
  array = get_array (report, "extra_rows");
  n = array != NULL ? MIN (json_array_get_length (array), MAX_SHOWN) : 0;
  for (guint i = 0; i < n; i++)
    {
      JsonObject *row = json_array_get_object_element (array, i);
      g_autofree char *title = g_strdup_printf ("%s  %s", sui_json_get_string (row, "licence_no"),
                                                sui_json_get_string (row, "name"));

      add_row (self->extra_list, title, sui_json_get_string (row, "address"));
    }
  describe_group (self->extra_group, sui_json_get_int (report, "extra"), n);

  clear_list (self->mismatched_list);
  array = get_array (report, "mismatched_rows");
  n = array != NULL ? MIN (json_array_get_length (array), MAX_SHOWN) : 0;
  for (guint i = 0; i < n; i++)
    {
      JsonObject *row = json_array_get_object_element (array, i);
      g_autofree char *title = g_strdup_printf ("%s  %s", sui_json_get_string (row, "licence_no"),
                                                sui_json_get_string (row, "name"));
      g_autoptr(GString) subtitle = g_string_new (state_text (sui_json_get_string (row, "state")));
      JsonArray *fields = get_array (row, "fields");

      for (guint j = 0; fields != NULL && j < json_array_get_length (fields); j++)
        {
          JsonObject *field = json_array_get_object_element (fields, j);

          /* 名称：register “…” / registry “…” */
          g_string_append_printf (subtitle, _("%s%s: register “%s”, registry “%s”"),
                                  subtitle->len > 0 ? "\n" : "",
                                  sui_json_get_string (field, "label"),
                                  sui_json_get_string (field, "register"),
                                  sui_json_get_string (field, "registry"));
        }
      add_row (self->mismatched_list, title, subtitle->str);
    }
  describe_group (self->mismatched_group, sui_json_get_int (report, "mismatched"), n);

  clear_list (self->invalid_list);
  array = get_array (report, "invalid_rows");
  n = array != NULL ? MIN (json_array_get_length (array), MAX_SHOWN) : 0;
  for (guint i = 0; i < n; i++)
    {
      JsonObject *row = json_array_get_object_element (array, i);
      g_autofree char *title = g_strdup_printf (_("Line %u"),
                                                (guint) sui_json_get_int (row, "line"));

      add_row (self->invalid_list, title, sui_json_get_string (row, "reason"));
    }
  describe_group (self->invalid_group, sui_json_get_int (report, "invalid"), n);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "registry.add-missing",
                                 sui_json_get_int (report, "missing") > 0);
  sui_upload_stop_working (&self->upload, "report");
}

static void
check_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SuiRegistryDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      if (error != NULL)
        show_error (self, error);
      return;
    }

  g_clear_pointer (&self->report, json_object_unref);
  self->report = json_object_ref (json_node_get_object (node));
  show_report (self);
}

static void
run_check (SuiRegistryDialog *self)
{
  g_autoptr(JsonNode) params = check_params (self);

  sui_upload_set_working (&self->upload, _("Comparing the register with the registry…"));
  sui_rpc_client_call_async (self->client, "registry.check", params, self->upload.cancellable,
                             check_cb, g_object_ref (self));
}

static void
upload_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SuiRegistryDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  self->file_id = sui_upload_finish (&self->upload, object, result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL)
    {
      show_error (self, error);
      return;
    }

  run_check (self);
}

void
sui_registry_dialog_open_file (SuiRegistryDialog *self,
                               GFile             *file)
{
  g_return_if_fail (SUI_IS_REGISTRY_DIALOG (self));
  g_return_if_fail (G_IS_FILE (file));

  g_clear_pointer (&self->report, json_object_unref);
  sui_upload_start (&self->upload, self->client, file, upload_cb);
}

static void
open_chosen (GtkWidget *owner,
             GFile     *file)
{
  sui_registry_dialog_open_file (SUI_REGISTRY_DIALOG (owner), file);
}

static void
choose_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SuiRegistryDialog *self = SUI_REGISTRY_DIALOG (widget);

  sui_upload_choose_csv (&self->upload, FALSE, open_chosen);
}

static void
commit_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SuiRegistryDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *message = NULL;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      if (error != NULL)
        show_error (self, error);
      return;
    }

  self->added = sui_json_get_int (json_node_get_object (node), "added");
  message = g_strdup_printf (ngettext ("%u object was added to the register.",
                                       "%u objects were added to the register.",
                                       (gulong) self->added),
                             (guint) self->added);
  g_signal_emit (self, signals[ADDED], 0);
  /* What is left to do, from the same file. */
  run_check (self);
  tell (self, _("Missing Objects Added"), message);
}

static void
add_missing_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  SuiRegistryDialog *self = SUI_REGISTRY_DIALOG (widget);
  g_autoptr(JsonNode) params = NULL;

  if (self->report == NULL)
    return;

  params = check_params (self);
  sui_upload_set_working (&self->upload, _("Adding the missing objects…"));
  sui_rpc_client_call_async (self->client, "registry.commit", params, self->upload.cancellable,
                             commit_cb, g_object_ref (self));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SuiRegistryDialog *self = SUI_REGISTRY_DIALOG (widget);

  sui_upload_cancel (&self->upload, self->report != NULL ? "report" : "choose");
}

static void
restart_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SuiRegistryDialog *self = SUI_REGISTRY_DIALOG (widget);

  g_clear_pointer (&self->report, json_object_unref);
  gtk_stack_set_visible_child_name (self->upload.stack, "choose");
}

const char *
sui_registry_dialog_get_step (SuiRegistryDialog *self)
{
  g_return_val_if_fail (SUI_IS_REGISTRY_DIALOG (self), NULL);

  return gtk_stack_get_visible_child_name (self->upload.stack);
}

/* Returns: (transfer none) (nullable): the answer of the last registry.check */
JsonObject *
sui_registry_dialog_get_report (SuiRegistryDialog *self)
{
  g_return_val_if_fail (SUI_IS_REGISTRY_DIALOG (self), NULL);

  return self->report;
}

gint64
sui_registry_dialog_get_added (SuiRegistryDialog *self)
{
  g_return_val_if_fail (SUI_IS_REGISTRY_DIALOG (self), 0);

  return self->added;
}

static void
sui_registry_dialog_dispose (GObject *object)
{
  SuiRegistryDialog *self = (SuiRegistryDialog *)object;

  sui_upload_clear (&self->upload);

  G_OBJECT_CLASS (sui_registry_dialog_parent_class)->dispose (object);
}

static void
sui_registry_dialog_finalize (GObject *object)
{
  SuiRegistryDialog *self = (SuiRegistryDialog *)object;

  g_clear_object (&self->client);
  g_clear_pointer (&self->report, json_object_unref);

  G_OBJECT_CLASS (sui_registry_dialog_parent_class)->finalize (object);
}

static void
sui_registry_dialog_class_init (SuiRegistryDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sui_registry_dialog_dispose;
  object_class->finalize = sui_registry_dialog_finalize;

  /* SuiRegistryDialog::added: objects were added to the register. */
  signals[ADDED] = g_signal_new ("added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/shuangsui/Desk/ui/sui-registry-dialog.ui");
  sui_upload_bind_template (widget_class, G_STRUCT_OFFSET (SuiRegistryDialog, upload));
  gtk_widget_class_bind_template_child (widget_class, SuiRegistryDialog, unit_row);
  gtk_widget_class_bind_template_child (widget_class, SuiRegistryDialog, file_row);
  gtk_widget_class_bind_template_child (widget_class, SuiRegistryDialog, columns_row);
  gtk_widget_class_bind_template_child (widget_class, SuiRegistryDialog, counts_row);
  gtk_widget_class_bind_template_child (widget_class, SuiRegistryDialog, missing_group);
  gtk_widget_class_bind_template_child (widget_class, SuiRegistryDialog, extra_group);
  gtk_widget_class_bind_template_child (widget_class, SuiRegistryDialog, mismatched_group);
  gtk_widget_class_bind_template_child (widget_class, SuiRegistryDialog, invalid_group);
  gtk_widget_class_bind_template_child (widget_class, SuiRegistryDialog, missing_list);
  gtk_widget_class_bind_template_child (widget_class, SuiRegistryDialog, extra_list);
  gtk_widget_class_bind_template_child (widget_class, SuiRegistryDialog, mismatched_list);
  gtk_widget_class_bind_template_child (widget_class, SuiRegistryDialog, invalid_list);

  gtk_widget_class_install_action (widget_class, "registry.choose", NULL, choose_action);
  gtk_widget_class_install_action (widget_class, "registry.add-missing", NULL,
                                   add_missing_action);
  gtk_widget_class_install_action (widget_class, "registry.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "registry.restart", NULL, restart_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
sui_registry_dialog_init (SuiRegistryDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  sui_upload_init (&self->upload, GTK_WIDGET (self));
}

/**
 * sui_registry_dialog_new:
 * @units: (nullable): for an admin, the units whose register may be checked
 */
SuiRegistryDialog *
sui_registry_dialog_new (SuiRpcClient *client,
                         JsonArray    *units)
{
  SuiRegistryDialog *self;

  g_return_val_if_fail (SUI_IS_RPC_CLIENT (client), NULL);

  self = g_object_new (SUI_TYPE_REGISTRY_DIALOG, NULL);
  self->client = g_object_ref (client);
  sui_form_combo_fill (self->unit_row, NULL, units, "id", "name", FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->unit_row), units != NULL);
  return self;
}
