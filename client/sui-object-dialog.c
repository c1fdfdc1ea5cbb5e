/* sui-object-dialog.c: create or edit an inspection object
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server judges what is valid (the credit code's check character, the licence format,
 * dates, …): the dialog sends what was entered and shows each -32010 message under its field.
 * A stale version (-32009) reloads the record and asks to try again rather than overwriting
 * someone else's change. The choices (types, statuses, grades, risk classes) come from
 * objects.reference, so they stay data on the server.
 */
#include "sui-config.h"

#include <glib/gi18n.h>

#include "sui-form.h"
#include "sui-object-dialog.h"

typedef enum
{
  F_TYPE, F_UNIT, F_LICENCE, F_CREDIT_CODE, F_NAME, F_LEGAL_REP, F_ADDRESS, F_DISTRICT,
  F_STATUS, F_VALID_FROM, F_VALID_UNTIL, F_KEY, F_KEY_REASON, F_GRADE, F_RISK, F_CONTACT,
  N_FIELDS
} Field;

static const SuiFieldSpec fields[N_FIELDS] = {
  { "type", SUI_FIELD_COMBO, N_("Object type"), SUI_FIELD_OPTIONAL },
  { "unit_id", SUI_FIELD_COMBO, N_("Unit"), SUI_FIELD_ID },
  { "licence_no", SUI_FIELD_ENTRY, N_("Licence number"), SUI_FIELD_REQUIRED },
  { "credit_code", SUI_FIELD_ENTRY, N_("Unified social credit code"), SUI_FIELD_CLEARABLE },
  { "name", SUI_FIELD_ENTRY, N_("Business name"), SUI_FIELD_REQUIRED },
  { "legal_rep", SUI_FIELD_ENTRY, N_("Legal representative"), SUI_FIELD_CLEARABLE },
  { "address", SUI_FIELD_ENTRY, N_("Address"), SUI_FIELD_CLEARABLE },
  { "district", SUI_FIELD_ENTRY, N_("District"), SUI_FIELD_CLEARABLE },
  { "status", SUI_FIELD_COMBO, N_("Business status"), SUI_FIELD_OPTIONAL },
  { "licence_valid_from", SUI_FIELD_ENTRY, N_("Licence valid from (YYYY-MM-DD)"),
    SUI_FIELD_CLEARABLE },
  { "licence_valid_until", SUI_FIELD_ENTRY, N_("Licence valid until (YYYY-MM-DD)"),
    SUI_FIELD_CLEARABLE },
  { "key_supervision", SUI_FIELD_SWITCH, N_("Key supervision"), SUI_FIELD_OPTIONAL },
  { "key_supervision_reason", SUI_FIELD_ENTRY, N_("Reason for key supervision"),
    SUI_FIELD_CLEARABLE },
  { "credit_grade", SUI_FIELD_COMBO, N_("Credit grade"), SUI_FIELD_CLEARABLE },
  { "risk_class", SUI_FIELD_COMBO, N_("Risk class"), SUI_FIELD_OPTIONAL },
  { "contact", SUI_FIELD_ENTRY, N_("Contact phone"), SUI_FIELD_CLEARABLE },
};

struct _SuiObjectDialog
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
  SuiRegisterRow *object;
  SuiForm *form;
};

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SuiObjectDialog, sui_object_dialog, ADW_TYPE_WINDOW)

static JsonArray *
reference_array (SuiObjectDialog *self,
                 const char      *member)
{
  JsonNode *node = self->reference != NULL ? json_object_get_member (self->reference, member)
                                           : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static void
fill_from_object (GtkWidget *owner)
{
  SuiObjectDialog *self = SUI_OBJECT_DIALOG (owner);

  if (self->object == NULL)
    return;

  /* The record held names the window, also after someone else's change was fetched. */
  adw_window_title_set_subtitle (self->window_title,
                                 sui_register_row_get_string (self->object, "licence_no"));
  for (int i = 0; i < N_FIELDS; i++)
    {
      g_autofree char *text = sui_register_row_dup_text (self->object, fields[i].name);

      /* The risk class stays "unchanged" unless the user picks one. */
      if (i != F_RISK)
        sui_form_set_field_text (&fields[i], self->rows[i], text);
    }

  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->rows[F_RISK]),
                               sui_register_row_get_string (self->object, "risk_class"));
}

static const SuiRecordForm record_form = {
  .create_method = "objects.create",
  .update_method = "objects.update",
  .get_method = "objects.get",
  .specs = fields,
  .n_specs = N_FIELDS,
  .client_offset = G_STRUCT_OFFSET (SuiObjectDialog, client),
  .record_offset = G_STRUCT_OFFSET (SuiObjectDialog, object),
  .rows_offset = G_STRUCT_OFFSET (SuiObjectDialog, rows),
  .fill = fill_from_object,
};

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SuiObjectDialog *self = SUI_OBJECT_DIALOG (widget);

  sui_form_save_record (self->form, &record_form);
}

/* For tests and scripted input: an entry's text, a combo's code, a switch's "true". */
void
sui_object_dialog_set_field (SuiObjectDialog *self,
                             const char      *field,
                             const char      *text)
{
  int i;

  g_return_if_fail (SUI_IS_OBJECT_DIALOG (self));

  if ((i = sui_form_spec_index (fields, N_FIELDS, field)) < 0)
    return;

  sui_form_set_field_text (&fields[i], self->rows[i], text);
}

const char *
sui_object_dialog_get_field_error (SuiObjectDialog *self,
                                   const char      *field)
{
  g_return_val_if_fail (SUI_IS_OBJECT_DIALOG (self), NULL);

  return sui_form_get_field_error (self->form, field);
}

const char *
sui_object_dialog_get_message (SuiObjectDialog *self)
{
  g_return_val_if_fail (SUI_IS_OBJECT_DIALOG (self), NULL);

  return sui_form_get_message (self->form);
}

gboolean
sui_object_dialog_get_busy (SuiObjectDialog *self)
{
  g_return_val_if_fail (SUI_IS_OBJECT_DIALOG (self), FALSE);

  return sui_form_get_busy (self->form);
}

static void
sui_object_dialog_dispose (GObject *object)
{
  SuiObjectDialog *self = (SuiObjectDialog *)object;

  sui_form_cancel (self->form);

  G_OBJECT_CLASS (sui_object_dialog_parent_class)->dispose (object);
}

static void
sui_object_dialog_finalize (GObject *object)
{
  SuiObjectDialog *self = (SuiObjectDialog *)object;

  g_clear_object (&self->client);
  g_clear_object (&self->object);
  g_clear_pointer (&self->reference, json_object_unref);
  g_clear_pointer (&self->units, json_array_unref);
  g_clear_pointer (&self->form, sui_form_free);

  G_OBJECT_CLASS (sui_object_dialog_parent_class)->finalize (object);
}

static void
sui_object_dialog_class_init (SuiObjectDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sui_object_dialog_dispose;
  object_class->finalize = sui_object_dialog_finalize;

  /**
   * SuiObjectDialog::saved:
   * @object: the record as the server now holds it
   * @created: %TRUE for a new object
   */
  signals[SAVED] =
    g_signal_new ("saved",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, SUI_TYPE_REGISTER_ROW, G_TYPE_BOOLEAN);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/shuangsui/Desk/ui/sui-object-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SuiObjectDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, SuiObjectDialog, message_label);
  gtk_widget_class_bind_template_child (widget_class, SuiObjectDialog, spinner);
  sui_form_bind_fields (widget_class, fields, N_FIELDS, G_STRUCT_OFFSET (SuiObjectDialog, rows),
                        G_STRUCT_OFFSET (SuiObjectDialog, errors));

  gtk_widget_class_install_action (widget_class, "dialog.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
sui_object_dialog_init (SuiObjectDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->form = sui_form_new (GTK_WIDGET (self), self->message_label, self->spinner,
                             "dialog.save");
  sui_form_add_fields (self->form, fields, N_FIELDS, self->rows, self->errors);
}

/**
 * sui_object_dialog_new:
 * @reference: the answer of objects.reference
 * @units: (nullable): units an admin may choose from (`units.list` items); %NULL for a
 *   supervisor, whose objects are always their own unit's
 * @object: (nullable): the object to edit, %NULL for a new one
 */
SuiObjectDialog *
sui_object_dialog_new (SuiRpcClient   *client,
                       JsonObject     *reference,
                       JsonArray      *units,
                       SuiRegisterRow *object)
{
  SuiObjectDialog *self;
  const char *title = object != NULL ? _("Edit Object") : _("New Object");

  g_return_val_if_fail (SUI_IS_RPC_CLIENT (client), NULL);

  self = g_object_new (SUI_TYPE_OBJECT_DIALOG, NULL);
  self->client = g_object_ref (client);
  self->reference = reference != NULL ? json_object_ref (reference) : NULL;
  self->units = units != NULL ? json_array_ref (units) : NULL;
  self->object = object != NULL ? g_object_ref (object) : NULL;

  adw_window_title_set_title (self->window_title, title);
  gtk_window_set_title (GTK_WINDOW (self), title);

  sui_form_combo_fill (ADW_COMBO_ROW (self->rows[F_TYPE]), NULL, reference_array (self, "types"),
                       "code", "name", FALSE);
  sui_form_combo_fill (ADW_COMBO_ROW (self->rows[F_STATUS]), NULL,
                       reference_array (self, "statuses"), "code", "name", FALSE);
  sui_form_combo_fill (ADW_COMBO_ROW (self->rows[F_GRADE]), _("None"),
                       reference_array (self, "credit_grades"), "grade", NULL, FALSE);
  sui_form_combo_fill (ADW_COMBO_ROW (self->rows[F_RISK]),
                       object != NULL ? _("Unchanged") : _("From the credit grade"),
                       reference_array (self, "risk_classes"), "code", "name", TRUE);
  sui_form_combo_fill (ADW_COMBO_ROW (self->rows[F_UNIT]), NULL, self->units, "id", "name", FALSE);
  gtk_widget_set_visible (self->rows[F_UNIT], self->units != NULL && object == NULL);

  if (object != NULL)
    fill_from_object (GTK_WIDGET (self));

  return self;
}
