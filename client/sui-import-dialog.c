/* sui-import-dialog.c: the import assistant for the registers (objects, inspectors, credit
 * grades)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * choose a CSV file → upload it (PUT /files, streamed) → imports.preview: encoding, recognised
 * columns, what would be new / changed / unchanged / invalid, each invalid row with its line
 * and reason → imports.commit → a summary that can be saved as a text file. Nothing is
 * written before the commit, and the commit is all or nothing on the server, so cancelling
 * while waiting leaves the register as it was unless the server had already finished.
 */
#include "sui-config.h"

#include <glib/gi18n.h>

#include "sui-form.h"
#include "sui-import-dialog.h"
#include "sui-json.h"
#include "sui-upload.h"

struct _SuiImportDialog
{
  AdwWindow parent_instance;

  SuiUpload upload;
  AdwWindowTitle *window_title;
  AdwStatusPage *choose_page;
  AdwComboRow *kind_row;
  AdwComboRow *unit_row;
  AdwEntryRow *path_row;
  AdwActionRow *file_row;
  AdwActionRow *encoding_row;
  AdwActionRow *columns_row;
  AdwActionRow *ignored_row;
  AdwActionRow *counts_row;
  GtkSwitch *skip_switch;
  AdwPreferencesGroup *invalid_group;
  GtkListBox *invalid_list;
  GtkButton *commit_button;
  AdwStatusPage *done_page;

  SuiRpcClient *client;
  gboolean has_units;        /* an admin picks the unit the file is for */
  gint64 file_id;
  JsonObject *preview;
  char *summary;
  gboolean can_commit;
  guint kind;
};

/* What each kind of file is, in the words the assistant uses for it. */
static const struct
{
  const char *kind;
  const char *name;
  const char *title;
  const char *description;
  const char *working;
  gboolean needs_unit;
} kinds[] = {
  { "objects", N_("Inspection objects"), N_("Import Objects"),
    N_("A CSV file as Excel saves it (UTF-8 or GB18030), with the column names in the first "
       "row. The licence number column (许可证号) is required. Nothing is written before you "
       "have seen the preview."),
    N_("Writing the objects…"), TRUE },
  { "inspectors", N_("Inspectors"), N_("Import Inspectors"),
    N_("A CSV file as Excel saves it (UTF-8 or GB18030), with the column names in the first "
       "row. The certificate number column (执法证号) is required; a new inspector also needs "
       "the name (姓名) and both validity dates (证件有效期起, 证件有效期止). Nothing is "
       "written before you have seen the preview."),
    N_("Writing the inspectors…"), TRUE },
  { "credit_grades", N_("Credit grades"), N_("Import Credit Grades"),
    N_("A CSV file with the licence number (许可证号) or the unified social credit code "
       "(统一社会信用代码), the credit grade (信用等级, AAA to D) and, if known, the rating "
       "date (评定日期). Each object's risk class follows the grade mapping, and every change "
       "is kept in its risk history. Nothing is written before you have seen the preview."),
    N_("Writing the credit grades…"), FALSE },
};

enum {
  IMPORTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SuiImportDialog, sui_import_dialog, ADW_TYPE_WINDOW)

static void
show_error (SuiImportDialog *self,
            const GError    *error)
{
  g_autofree char *message = sui_rpc_client_describe_error (error);
  GtkWidget *dialog;

  sui_upload_stop_working (&self->upload, self->preview != NULL ? "preview" : "choose");
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("The import did not go through"),
                                   message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static JsonNode *
import_params (SuiImportDialog *self,
               gboolean         commit)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  gint64 unit_id = sui_form_combo_get_id (self->unit_row);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "file_id");
  json_builder_add_int_value (builder, self->file_id);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, kinds[self->kind].kind);
  if (unit_id != 0 && kinds[self->kind].needs_unit)
    {
      json_builder_set_member_name (builder, "unit_id");
      json_builder_add_int_value (builder, unit_id);
    }
  if (commit)
    {
      json_builder_set_member_name (builder, "skip_invalid");
      json_builder_add_boolean_value (builder, gtk_switch_get_active (self->skip_switch));
    }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static char *
counts_text (JsonObject *counts)
{
  return g_strdup_printf (_("%u rows: %u new, %u changed, %u unchanged, %u invalid"),
                          (guint) sui_json_get_int (counts, "rows"),
                          (guint) sui_json_get_int (counts, "new"),
                          (guint) sui_json_get_int (counts, "changed"),
                          (guint) sui_json_get_int (counts, "unchanged"),
                          (guint) sui_json_get_int (counts, "invalid"));
}

/* The server writes nothing while a row is invalid unless told to skip them: say so by
 * allowing the commit only then. */
static void
update_commit (SuiImportDialog *self)
{
  gint64 invalid;
  gint64 writable;

  if (self->preview == NULL)
    {
      self->can_commit = FALSE;
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.commit", FALSE);
      return;
    }

  invalid = sui_json_get_int (self->preview, "invalid");
  writable = sui_json_get_int (self->preview, "new") + sui_json_get_int (self->preview, "changed");
  self->can_commit = writable > 0 &&
                     (invalid == 0 || gtk_switch_get_active (self->skip_switch));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.commit", self->can_commit);
}

static void
show_preview (SuiImportDialog *self)
{
  JsonObject *preview = self->preview;
  g_autoptr(GString) recognised = g_string_new (NULL);
  g_autoptr(GString) ignored = g_string_new (NULL);
  g_autofree char *counts = counts_text (preview);
  g_autofree char *basename = g_file_get_basename (self->upload.file);
  JsonArray *array;
  GtkWidget *child;
  gint64 invalid = sui_json_get_int (preview, "invalid");

  adw_action_row_set_subtitle (self->file_row, basename);
  adw_action_row_set_subtitle (self->encoding_row, sui_json_get_string (preview, "encoding"));

  array = json_object_has_member (preview, "columns")
          ? json_object_get_array_member (preview, "columns") : NULL;
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *column = json_array_get_object_element (array, i);
      const char *field = sui_json_get_string (column, "field");
      const char *header = sui_json_get_string (column, "header");
      const char *label = sui_json_get_string (column, "label");
      GString *into = field[0] != '\0' ? recognised : ignored;

      g_string_append_printf (into, "%s%s", into->len > 0 ? "、" : "", header);
      /* Say what a header was taken for when it is not the register's own word. */
      if (field[0] != '\0' && label[0] != '\0' && !g_str_equal (label, header))
        g_string_append_printf (into, " → %s", label);
    }
  adw_action_row_set_subtitle (self->columns_row, recognised->len > 0 ? recognised->str : "—");
  adw_action_row_set_subtitle (self->ignored_row, ignored->len > 0 ? ignored->str : "—");
  adw_action_row_set_subtitle (self->counts_row, counts);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->invalid_list))) != NULL)
    gtk_list_box_remove (self->invalid_list, child);

  array = json_object_has_member (preview, "invalid_rows")
          ? json_object_get_array_member (preview, "invalid_rows") : NULL;
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *row = json_array_get_object_element (array, i);
      GtkWidget *item = adw_action_row_new ();
      g_autofree char *title = g_strdup_printf (_("Line %u"),
                                                (guint) sui_json_get_int (row, "line"));

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (item), title);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (item), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (item), sui_json_get_string (row, "reason"));
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (item), 0);
      gtk_list_box_append (self->invalid_list, item);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->invalid_group), invalid > 0);
  if (invalid > (gint64) (array != NULL ? json_array_get_length (array) : 0))
    {
      g_autofree char *description =
        g_strdup_printf (_("The first %u of %u invalid rows are listed."),
                         array != NULL ? json_array_get_length (array) : 0, (guint) invalid);
      adw_preferences_group_set_description (self->invalid_group, description);
    }
  else
    adw_preferences_group_set_description (self->invalid_group, NULL);

  gtk_switch_set_active (self->skip_switch, FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->skip_switch), invalid > 0);
  update_commit (self);

  sui_upload_stop_working (&self->upload, "preview");
}

static void
preview_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SuiImportDialog) self = user_data;
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

  g_clear_pointer (&self->preview, json_object_unref);
  self->preview = json_object_ref (json_node_get_object (node));
  show_preview (self);
}

static void
upload_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SuiImportDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) params = NULL;

  self->file_id = sui_upload_finish (&self->upload, object, result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (error != NULL)
    {
      show_error (self, error);
      return;
    }

  params = import_params (self, FALSE);
  sui_upload_set_working (&self->upload, _("Checking every row…"));
  sui_rpc_client_call_async (self->client, "imports.preview", params, self->upload.cancellable,
                             preview_cb, g_object_ref (self));
}

/**
 * sui_import_dialog_open_file:
 *
 * Uploads @file and shows its preview; the file chooser ends here too.
 */
void
sui_import_dialog_open_file (SuiImportDialog *self,
                             GFile           *file)
{
  g_return_if_fail (SUI_IS_IMPORT_DIALOG (self));
  g_return_if_fail (G_IS_FILE (file));

  g_clear_pointer (&self->preview, json_object_unref);
  sui_upload_start (&self->upload, self->client, file, upload_cb);
}

static void
open_chosen (GtkWidget *owner,
             GFile     *file)
{
  sui_import_dialog_open_file (SUI_IMPORT_DIALOG (owner), file);
}

static void
choose_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SuiImportDialog *self = SUI_IMPORT_DIALOG (widget);

  sui_upload_choose_csv (&self->upload, TRUE, open_chosen);
}

/* A path typed or pasted (a share on the office network, say) instead of the chooser. */
static void
open_path_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  SuiImportDialog *self = SUI_IMPORT_DIALOG (widget);
  g_autofree char *path = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (
                                                                         self->path_row))));
  g_autoptr(GFile) file = NULL;

  if (path[0] == '\0')
    return;

  file = g_file_parse_name (path);
  sui_import_dialog_open_file (self, file);
}

static void
on_path_changed (SuiImportDialog *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->path_row));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.open-path",
                                 text != NULL && text[0] != '\0');
}

static void
on_path_activated (SuiImportDialog *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "import.open-path", NULL);
}

static void
commit_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SuiImportDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GString) summary = g_string_new (NULL);
  g_autofree char *basename = NULL;
  g_autofree char *counts = NULL;
  g_autofree char *written = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *when = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");
  JsonObject *answer;
  JsonArray *invalid;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      if (error != NULL)
        show_error (self, error);
      return;
    }

  answer = json_node_get_object (node);
  basename = g_file_get_basename (self->upload.file);
  counts = counts_text (answer);
  if (self->kind == 0)
    written = g_strdup_printf (ngettext ("%u object written.", "%u objects written.",
                                         (gulong) sui_json_get_int (answer, "written")),
                               (guint) sui_json_get_int (answer, "written"));
  else
    written = g_strdup_printf (ngettext ("%u record written.", "%u records written.",
                                         (gulong) sui_json_get_int (answer, "written")),
                               (guint) sui_json_get_int (answer, "written"));

  if (self->kind == 0)
    g_string_append_printf (summary, "%s\n", _("Import of inspection objects"));
  else
    g_string_append_printf (summary, "%s: %s\n", _("Import"), _(kinds[self->kind].name));
  g_string_append_printf (summary, "%s: %s\n", _("File name"), basename);
  g_string_append_printf (summary, "%s: %s\n", _("Encoding"),
                          sui_json_get_string (answer, "encoding"));
  g_string_append_printf (summary, "%s: %s\n", _("Time"), when);
  g_string_append_printf (summary, "%s\n%s\n", counts, written);
  if (json_object_has_member (answer, "class_changes"))
    {
      g_string_append_printf (summary, _("%u objects changed risk class."),
                              (guint) sui_json_get_int (answer, "class_changes"));
      g_string_append_c (summary, '\n');
    }
  invalid = self->preview != NULL && json_object_has_member (self->preview, "invalid_rows")
            ? json_object_get_array_member (self->preview, "invalid_rows") : NULL;
  if (invalid != NULL && json_array_get_length (invalid) > 0)
    {
      g_string_append_printf (summary, "\n%s\n", _("Invalid rows (not written):"));
      for (guint i = 0; i < json_array_get_length (invalid); i++)
        {
          JsonObject *row = json_array_get_object_element (invalid, i);

          g_string_append_printf (summary, "%" G_GINT64_FORMAT "\t%s\n",
                                  sui_json_get_int (row, "line"),
                                  sui_json_get_string (row, "reason"));
        }
    }

  g_free (self->summary);
  self->summary = g_string_free (g_steal_pointer (&summary), FALSE);

  adw_status_page_set_title (self->done_page, _("Import Finished"));
  adw_status_page_set_description (self->done_page, written);
  sui_upload_stop_working (&self->upload, "done");
  g_signal_emit (self, signals[IMPORTED], 0);
}

static void
commit_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SuiImportDialog *self = SUI_IMPORT_DIALOG (widget);
  g_autoptr(JsonNode) params = NULL;

  if (self->file_id == 0)
    return;

  params = import_params (self, TRUE);
  sui_upload_set_working (&self->upload, _(kinds[self->kind].working));
  sui_rpc_client_call_async (self->client, "imports.commit", params, self->upload.cancellable,
                             commit_cb, g_object_ref (self));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SuiImportDialog *self = SUI_IMPORT_DIALOG (widget);

  sui_upload_cancel (&self->upload, self->preview != NULL ? "preview" : "choose");
}

static void
restart_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SuiImportDialog *self = SUI_IMPORT_DIALOG (widget);

  g_clear_pointer (&self->preview, json_object_unref);
  self->file_id = 0;
  gtk_stack_set_visible_child_name (self->upload.stack, "choose");
}

static void
summary_saved_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SuiImportDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    show_error (self, error);
}

static void
on_summary_chosen (GtkNativeDialog *chooser,
                   int              response,
                   SuiImportDialog *self)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GBytes) bytes = NULL;

  if (response == GTK_RESPONSE_ACCEPT && self->summary != NULL &&
      (file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser))) != NULL)
    {
      bytes = g_bytes_new (self->summary, strlen (self->summary));
      g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE,
                                           G_FILE_CREATE_REPLACE_DESTINATION,
                                           self->upload.cancellable,
                                           summary_saved_cb, g_object_ref (self));
    }

  g_object_unref (chooser);
}

static void
save_summary_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  SuiImportDialog *self = SUI_IMPORT_DIALOG (widget);
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Save Summary"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), _("import-summary.txt"));
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_summary_chosen), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
on_kind_changed (SuiImportDialog *self)
{
  guint kind = adw_combo_row_get_selected (self->kind_row);

  if (kind >= G_N_ELEMENTS (kinds))
    return;
  self->kind = kind;
  gtk_window_set_title (GTK_WINDOW (self), _(kinds[kind].title));
  adw_window_title_set_title (self->window_title, _(kinds[kind].title));
  adw_status_page_set_description (self->choose_page, _(kinds[kind].description));
  gtk_widget_set_visible (GTK_WIDGET (self->unit_row),
                          self->has_units && kinds[kind].needs_unit);
}

/**
 * sui_import_dialog_set_kind:
 * @kind: "objects", "inspectors" or "credit_grades"
 */
void
sui_import_dialog_set_kind (SuiImportDialog *self,
                            const char      *kind)
{
  g_return_if_fail (SUI_IS_IMPORT_DIALOG (self));

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (g_strcmp0 (kinds[i].kind, kind) == 0)
      {
        adw_combo_row_set_selected (self->kind_row, i);
        on_kind_changed (self);
      }
}

const char *
sui_import_dialog_get_kind (SuiImportDialog *self)
{
  g_return_val_if_fail (SUI_IS_IMPORT_DIALOG (self), NULL);

  return kinds[self->kind].kind;
}

void
sui_import_dialog_set_skip_invalid (SuiImportDialog *self,
                                    gboolean         skip)
{
  g_return_if_fail (SUI_IS_IMPORT_DIALOG (self));

  gtk_switch_set_active (self->skip_switch, skip);
}

gboolean
sui_import_dialog_get_can_commit (SuiImportDialog *self)
{
  g_return_val_if_fail (SUI_IS_IMPORT_DIALOG (self), FALSE);

  return self->can_commit;
}

const char *
sui_import_dialog_get_step (SuiImportDialog *self)
{
  g_return_val_if_fail (SUI_IS_IMPORT_DIALOG (self), NULL);

  return gtk_stack_get_visible_child_name (self->upload.stack);
}

/* Returns: (transfer none) (nullable): the answer of imports.preview */
JsonObject *
sui_import_dialog_get_preview (SuiImportDialog *self)
{
  g_return_val_if_fail (SUI_IS_IMPORT_DIALOG (self), NULL);

  return self->preview;
}

const char *
sui_import_dialog_get_summary (SuiImportDialog *self)
{
  g_return_val_if_fail (SUI_IS_IMPORT_DIALOG (self), NULL);

  return self->summary;
}

static void
sui_import_dialog_dispose (GObject *object)
{
  SuiImportDialog *self = (SuiImportDialog *)object;

  sui_upload_clear (&self->upload);

  G_OBJECT_CLASS (sui_import_dialog_parent_class)->dispose (object);
}

static void
sui_import_dialog_finalize (GObject *object)
{
  SuiImportDialog *self = (SuiImportDialog *)object;

  g_clear_object (&self->client);
  g_clear_pointer (&self->preview, json_object_unref);
  g_clear_pointer (&self->summary, g_free);

  G_OBJECT_CLASS (sui_import_dialog_parent_class)->finalize (object);
}

static void
sui_import_dialog_class_init (SuiImportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sui_import_dialog_dispose;
  object_class->finalize = sui_import_dialog_finalize;

  /* SuiImportDialog::imported: the commit wrote to the register. */
  signals[IMPORTED] =
    g_signal_new ("imported",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/shuangsui/Desk/ui/sui-import-dialog.ui");
  sui_upload_bind_template (widget_class, G_STRUCT_OFFSET (SuiImportDialog, upload));
  gtk_widget_class_bind_template_child (widget_class, SuiImportDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, SuiImportDialog, choose_page);
  gtk_widget_class_bind_template_child (widget_class, SuiImportDialog, kind_row);
  gtk_widget_class_bind_template_callback (widget_class, on_kind_changed);
  gtk_widget_class_bind_template_child (widget_class, SuiImportDialog, unit_row);
  gtk_widget_class_bind_template_child (widget_class, SuiImportDialog, path_row);
  gtk_widget_class_bind_template_callback (widget_class, on_path_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_path_activated);
  gtk_widget_class_bind_template_child (widget_class, SuiImportDialog, file_row);
  gtk_widget_class_bind_template_child (widget_class, SuiImportDialog, encoding_row);
  gtk_widget_class_bind_template_child (widget_class, SuiImportDialog, columns_row);
  gtk_widget_class_bind_template_child (widget_class, SuiImportDialog, ignored_row);
  gtk_widget_class_bind_template_child (widget_class, SuiImportDialog, counts_row);
  gtk_widget_class_bind_template_child (widget_class, SuiImportDialog, skip_switch);
  gtk_widget_class_bind_template_child (widget_class, SuiImportDialog, invalid_group);
  gtk_widget_class_bind_template_child (widget_class, SuiImportDialog, invalid_list);
  gtk_widget_class_bind_template_child (widget_class, SuiImportDialog, commit_button);
  gtk_widget_class_bind_template_child (widget_class, SuiImportDialog, done_page);

  gtk_widget_class_install_action (widget_class, "import.choose", NULL, choose_action);
  gtk_widget_class_install_action (widget_class, "import.open-path", NULL, open_path_action);
  gtk_widget_class_install_action (widget_class, "import.commit", NULL, commit_action);
  gtk_widget_class_install_action (widget_class, "import.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "import.restart", NULL, restart_action);
  gtk_widget_class_install_action (widget_class, "import.save-summary", NULL,
                                   save_summary_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
sui_import_dialog_init (SuiImportDialog *self)
{
  g_autoptr(GtkStringList) kind_names = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    gtk_string_list_append (kind_names, _(kinds[i].name));
  adw_combo_row_set_model (self->kind_row, G_LIST_MODEL (kind_names));

  sui_upload_init (&self->upload, GTK_WIDGET (self));
  g_signal_connect_swapped (self->skip_switch, "notify::active", G_CALLBACK (update_commit), self);
  sui_form_label_editable (GTK_WIDGET (self->path_row), _("Path of the file"));
  on_path_changed (self);
}

/**
 * sui_import_dialog_new:
 * @units: (nullable): for an admin, the units the objects may go to (`units.list` items)
 */
SuiImportDialog *
sui_import_dialog_new (SuiRpcClient *client,
                       JsonArray    *units)
{
  SuiImportDialog *self;

  g_return_val_if_fail (SUI_IS_RPC_CLIENT (client), NULL);

  self = g_object_new (SUI_TYPE_IMPORT_DIALOG, NULL);
  self->client = g_object_ref (client);

  self->has_units = units != NULL;
  sui_form_combo_fill (self->unit_row, NULL, units, "id", "name", FALSE);
  on_kind_changed (self);

  return self;
}
