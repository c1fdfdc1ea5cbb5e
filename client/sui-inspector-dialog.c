/* sui-inspector-dialog.c: create or edit a law-enforcement inspector
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Like the object form: the server judges what is valid (the certificate number, its validity
 * dates, the status) and each -32010 message shows under its field; a stale version reloads
 * the record. The statuses come from objects.reference (inspector_statuses).
 */
#include "sui-config.h"

#include <glib/gi18n.h>

#include "sui-form.h"
#include "sui-inspector-dialog.h"

typedef enum
{
  F_NAME, F_UNIT, F_CERT_NO, F_VALID_FROM, F_VALID_UNTIL, F_STATUS, F_SPECIALTIES, F_CONTACT,
  N_FIELDS
} Field;

static const SuiFieldSpec fields[N_FIELDS] = {
  { "name", SUI_FIELD_ENTRY, N_("Full name"), SUI_FIELD_REQUIRED },
  { "unit_id", SUI_FIELD_COMBO, N_("Unit"), SUI_FIELD_ID },
  { "cert_no", SUI_FIELD_ENTRY, N_("Certificate number"), SUI_FIELD_REQUIRED },
  { "cert_valid_from", SUI_FIELD_ENTRY, N_("Certificate valid from (YYYY-MM-DD)"),
    SUI_FIELD_REQUIRED },
  { "cert_valid_until", SUI_FIELD_ENTRY, N_("Certificate valid until (YYYY-MM-DD)"),
    SUI_FIELD_REQUIRED },
  { "status", SUI_FIELD_COMBO, N_("Duty status"), SUI_FIELD_OPTIONAL },
  { "specialties", SUI_FIELD_ENTRY, N_("Specialties"), SUI_FIELD_CLEARABLE },
  { "contact", SUI_FIELD_ENTRY, N_("Contact"), SUI_FIELD_CLEARABLE },
};

struct _SuiInspectorDialog
{
  AdwWindow parent_instance;

  AdwWindowTitle *window_title;
  GtkLabel *message_label;
  GtkSpinner *spinner;
  GtkWidget *rows[N_FIELDS];
  AdwActionRow *errors[N_FIELDS];

  SuiRpcClient *client;
  JsonObject *reference;
  JsonArray *units;
  SuiRegisterRow *inspector;
  SuiForm *form;
};

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SuiInspectorDialog, sui_inspector_dialog, ADW_TYPE_WINDOW)

static JsonArray *
reference_array (SuiInspectorDialog *self,
                 const char         *member)
{
  JsonNode *node = self->reference != NULL ? json_object_get_member (self->reference, member)
                                           : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static void
fill_from_object (GtkWidget *owner)
{
  SuiInspectorDialog *self = SUI_INSPECTOR_DIALOG (owner);

  if (self->inspector == NULL)
    return;

  /* The record held names the window, also after someone else's change was fetched. */
  adw_window_title_set_subtitle (self->window_title,
                                 sui_register_row_get_string (self->inspector, "cert_no"));
  for (int i = 0; i < N_FIELDS; i++)
    {
      g_autofree char *text = sui_register_row_dup_text (self->inspector, fields[i].name);

      sui_form_set_field_text (&fields[i], self->rows[i], text);
    }
}

static const SuiRecordForm record_form = {
  .create_method = "inspectors.create",
  .update_method = "inspectors.update",
  .get_method = "inspectors.get",
  .specs = fields,
  .n_specs = N_FIELDS,
  .client_offset = G_STRUCT_OFFSET (SuiInspectorDialog, client),
  .record_offset = G_STRUCT_OFFSET (SuiInspectorDialog, inspector),
  .rows_offset = G_STRUCT_OFFSET (SuiInspectorDialog, rows),
  .fill = fill_from_object,
};

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SuiInspectorDialog *self = SUI_INSPECTOR_DIALOG (widget);

  sui_form_save_record (self->form, &record_form);
}

/* For tests and scripted input: an entry's text, a combo's code, a switch's "true". */
void
sui_inspector_dialog_set_field (SuiInspectorDialog *self,
                                const char         *field,
                                const char         *text)
{
  int i;

  g_return_if_fail (SUI_IS_INSPECTOR_DIALOG (self));

  if ((i = sui_form_spec_index (fields, N_FIELDS, field)) < 0)
    return;

  sui_form_set_field_text (&fields[i], self->rows[i], text);
}

const char *
sui_inspector_dialog_get_field_error (SuiInspectorDialog *self,
                                      const char         *field)
{
  g_return_val_if_fail (SUI_IS_INSPECTOR_DIALOG (self), NULL);

  return sui_form_get_field_error (self->form, field);
}

const char *
sui_inspector_dialog_get_message (SuiInspectorDialog *self)
{
  g_return_val_if_fail (SUI_IS_INSPECTOR_DIALOG (self), NULL);

  return sui_form_get_message (self->form);
}

gboolean
sui_inspector_dialog_get_busy (SuiInspectorDialog *self)
{
  g_return_val_if_fail (SUI_IS_INSPECTOR_DIALOG (self), FALSE);

  return sui_form_get_busy (self->form);
}

static void
sui_inspector_dialog_dispose (GObject *object)
{
  SuiInspectorDialog *self = (SuiInspectorDialog *)object;

  sui_form_cancel (self->form);

  G_OBJECT_CLASS (sui_inspector_dialog_parent_class)->dispose (object);
}

static void
sui_inspector_dialog_finalize (GObject *object)
{
  SuiInspectorDialog *self = (SuiInspectorDialog *)object;

  g_clear_object (&self->client);
  g_clear_object (&self->inspector);
  g_clear_pointer (&self->reference, json_object_unref);
  g_clear_pointer (&self->units, json_array_unref);
  g_clear_pointer (&self->form, sui_form_free);

  G_OBJECT_CLASS (sui_inspector_dialog_parent_class)->finalize (object);
}

static void
sui_inspector_dialog_class_init (SuiInspectorDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sui_inspector_dialog_dispose;
  object_class->finalize = sui_inspector_dialog_finalize;

  /**
   * SuiInspectorDialog::saved:
   * @inspector: the record as the server now holds it
   * @created: %TRUE for a new inspector
   */
  signals[SAVED] =
    g_signal_new ("saved",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, SUI_TYPE_REGISTER_ROW, G_TYPE_BOOLEAN);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/shuangsui/Desk/ui/sui-inspector-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SuiInspectorDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, SuiInspectorDialog, message_label);
  gtk_widget_class_bind_template_child (widget_class, SuiInspectorDialog, spinner);
  sui_form_bind_fields (widget_class, fields, N_FIELDS, G_STRUCT_OFFSET (SuiInspectorDialog, rows),
                        G_STRUCT_OFFSET (SuiInspectorDialog, errors));

  gtk_widget_class_install_action (widget_class, "dialog.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
sui_inspector_dialog_init (SuiInspectorDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->form = sui_form_new (GTK_WIDGET (self), self->message_label, self->spinner,
                             "dialog.save");
  sui_form_add_fields (self->form, fields, N_FIELDS, self->rows, self->errors);
}

/**
 * sui_inspector_dialog_new:
 * @reference: the answer of objects.reference
 * @units: (nullable): units an admin may choose from (`units.list` items); %NULL for a
 *   supervisor, whose inspectors are always their own unit's
 * @object: (nullable): the inspector to edit, %NULL for a new one
 */
SuiInspectorDialog *
sui_inspector_dialog_new (SuiRpcClient   *client,
                          JsonObject     *reference,
                          JsonArray      *units,
                          SuiRegisterRow *object)
{
  SuiInspectorDialog *self;
  const char *title = object != NULL ? _("Edit Inspector") : _("New Inspector");

  g_return_val_if_fail (SUI_IS_RPC_CLIENT (client), NULL);

  self = g_object_new (SUI_TYPE_INSPECTOR_DIALOG, NULL);
  self->client = g_object_ref (client);
  self->reference = reference != NULL ? json_object_ref (reference) : NULL;
  self->units = units != NULL ? json_array_ref (units) : NULL;
  self->inspector = object != NULL ? g_object_ref (object) : NULL;

  adw_window_title_set_title (self->window_title, title);
  gtk_window_set_title (GTK_WINDOW (self), title);

  sui_form_combo_fill (ADW_COMBO_ROW (self->rows[F_STATUS]), NULL,
                       reference_array (self, "inspector_statuses"), "code", "name", FALSE);
  sui_form_combo_fill (ADW_COMBO_ROW (self->rows[F_UNIT]), NULL, self->units, "id", "name", FALSE);
  gtk_widget_set_visible (self->rows[F_UNIT], self->units != NULL && object == NULL);

  if (object != NULL)
    fill_from_object (GTK_WIDGET (self));

  return self;
}
