/* sui-unit-dialog.c: create or edit a unit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Same pattern as the user dialog: the server validates, each message lands under its field,
 * and a stale version shows the unit as someone else saved it, keeping what was typed.
 */
#include "sui-config.h"

#include <glib/gi18n.h>

#include "sui-form.h"
#include "sui-json.h"
#include "sui-unit-dialog.h"

static const char *kinds[] = { "direct", "department", "bureau" };

struct _SuiUnitDialog
{
  AdwWindow parent_instance;

  AdwWindowTitle *window_title;
  GtkLabel *message_label;
  GtkSpinner *spinner;
  AdwEntryRow *name_row;
  AdwActionRow *name_error;
  AdwEntryRow *code_row;
  AdwActionRow *code_error;
  AdwComboRow *kind_row;
  AdwActionRow *kind_error;
  AdwComboRow *parent_row;
  AdwActionRow *parent_error;

  SuiRpcClient *client;
  GListModel *units;
  SuiUnit *unit;
  SuiForm *form;
};

#define MEMBER(member) G_STRUCT_OFFSET (SuiUnitDialog, member)

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_UNITS,
  PROP_UNIT,
  PROP_NAME,
  PROP_CODE,
  PROP_KIND,
  PROP_PARENT_ID,
  PROP_BUSY,
  PROP_MESSAGE,
  N_PROPS
};

enum {
  SAVED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SuiUnitDialog, sui_unit_dialog, ADW_TYPE_WINDOW)

/* "No parent" first, then the enabled units other than this one. */
static void
fill_parents (SuiUnitDialog *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  gint64 self_id = self->unit != NULL ? sui_unit_get_id (self->unit) : 0;
  gint64 current = self->unit != NULL ? sui_unit_get_parent_id (self->unit) : 0;

  gtk_string_list_append (names, _("(No parent unit)"));
  g_ptr_array_add (ids, g_strdup ("0"));

  for (guint i = 0; self->units != NULL && i < g_list_model_get_n_items (self->units); i++)
    {
      g_autoptr(SuiUnit) unit = g_list_model_get_item (self->units, i);
      g_autofree char *title = NULL;
      gint64 id = sui_unit_get_id (unit);

      if (id == self_id || (sui_unit_get_disabled (unit) && id != current))
        continue;

      g_object_get (unit, "title", &title, NULL);
      gtk_string_list_append (names, title);
      g_ptr_array_add (ids, g_strdup_printf ("%" G_GINT64_FORMAT, id));
    }

  sui_form_combo_set_choices (self->parent_row, names, ids);
}

static void
fill_from_unit (SuiUnitDialog *self)
{
  if (self->unit == NULL)
    return;

  /* The record held names the window, also after someone else's change was fetched. */
  adw_window_title_set_subtitle (self->window_title, sui_unit_get_name (self->unit));
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), sui_unit_get_name (self->unit));
  gtk_editable_set_text (GTK_EDITABLE (self->code_row), sui_unit_get_code (self->unit));
  sui_form_combo_set_code (self->kind_row, sui_unit_get_kind (self->unit));
  sui_form_combo_set_id (self->parent_row, sui_unit_get_parent_id (self->unit));
}

/* The fields compared when someone else saved the unit first; the parent combo's codes are
 * the units' ids. */
static const SuiFieldSpec merged_fields[] = {
  { "name", SUI_FIELD_ENTRY, NULL, SUI_FIELD_REQUIRED },
  { "code", SUI_FIELD_ENTRY, NULL, SUI_FIELD_REQUIRED },
  { "kind", SUI_FIELD_COMBO, NULL, SUI_FIELD_REQUIRED },
  { "parent_id", SUI_FIELD_COMBO, NULL, SUI_FIELD_OPTIONAL },
};

static void
fill_unit (GtkWidget     *owner,
           JsonObject    *record,
           gconstpointer  data)
{
  SuiUnitDialog *self = SUI_UNIT_DIALOG (owner);

  if (record != NULL)
    {
      g_clear_object (&self->unit);
      self->unit = sui_unit_new_from_json (record);
      fill_parents (self);
    }
  fill_from_unit (self);
}

/* Someone else saved the unit first: show their version, keeping what the user typed. */
static void
unit_reloaded (GtkWidget  *owner,
               JsonObject *record)
{
  SuiUnitDialog *self = SUI_UNIT_DIALOG (owner);
  GtkWidget *rows[] = { GTK_WIDGET (self->name_row), GTK_WIDGET (self->code_row),
                        GTK_WIDGET (self->kind_row), GTK_WIDGET (self->parent_row) };

  G_STATIC_ASSERT (G_N_ELEMENTS (rows) == G_N_ELEMENTS (merged_fields));
  sui_form_merge_record (self->form, merged_fields, G_N_ELEMENTS (rows), rows, fill_unit, NULL,
                         record);
}

static void
save_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SuiUnitDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) fields = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(SuiUnit) saved = NULL;

  node = sui_form_call_finish (self->form, object, result, &fields, &error);
  if (node == NULL)
    {
      gboolean stale = g_error_matches (error, SUI_RPC_ERROR, SUI_RPC_ERROR_CONFLICT) &&
                       g_hash_table_size (fields) == 0;

      if (stale && self->unit != NULL)
        {
          sui_form_show_error (self->form, error, NULL);
          sui_form_reload (self->form, self->client, "units.get", sui_unit_get_id (self->unit),
                           TRUE, unit_reloaded);
          return;
        }

      /* On create a conflict means the code is taken. */
      if (stale)
        g_hash_table_insert (fields, g_strdup ("code"), g_strdup (error->message));

      sui_form_show_error (self->form, error, fields);
      return;
    }

  if (JSON_NODE_HOLDS_OBJECT (node))
    saved = sui_unit_new_from_json (json_node_get_object (node));
  else
    saved = g_object_ref (self->unit);

  g_signal_emit (self, signals[SAVED], 0, saved, self->unit == NULL);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SuiUnitDialog *self = SUI_UNIT_DIALOG (widget);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) params = NULL;
  g_autofree char *name = sui_form_get_text (GTK_WIDGET (self->name_row));
  g_autofree char *code = sui_form_get_text (GTK_WIDGET (self->code_row));
  gint64 parent_id = sui_form_combo_get_id (self->parent_row);
  const char *kind = sui_form_combo_get_code (self->kind_row);

  if (!sui_form_begin_save (self->form))
    return;

  json_builder_begin_object (builder);
  if (self->unit != NULL)
    {
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, sui_unit_get_id (self->unit));
      json_builder_set_member_name (builder, "version");
      json_builder_add_int_value (builder, sui_unit_get_version (self->unit));
    }
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, code);
  if (kind != NULL)
    {
      json_builder_set_member_name (builder, "kind");
      json_builder_add_string_value (builder, kind);
    }
  if (parent_id != 0)
    {
      json_builder_set_member_name (builder, "parent_id");
      json_builder_add_int_value (builder, parent_id);
    }
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);

  sui_form_call (self->form, self->client, self->unit != NULL ? "units.update" : "units.create",
                 params, save_cb);
}

const char *
sui_unit_dialog_get_field_error (SuiUnitDialog *self,
                                 const char    *field)
{
  g_return_val_if_fail (SUI_IS_UNIT_DIALOG (self), NULL);

  return sui_form_get_field_error (self->form, field);
}

const char *
sui_unit_dialog_get_message (SuiUnitDialog *self)
{
  g_return_val_if_fail (SUI_IS_UNIT_DIALOG (self), NULL);

  return sui_form_get_message (self->form);
}

static void
sui_unit_dialog_constructed (GObject *object)
{
  SuiUnitDialog *self = (SuiUnitDialog *)object;
  const char *title = self->unit != NULL ? _("Edit Unit") : _("New Unit");

  G_OBJECT_CLASS (sui_unit_dialog_parent_class)->constructed (object);

  adw_window_title_set_title (self->window_title, title);
  gtk_window_set_title (GTK_WINDOW (self), title);
  fill_parents (self);

  if (self->unit != NULL)
    {
      fill_from_unit (self);
    }
  else if (g_list_model_get_n_items (adw_combo_row_get_model (self->parent_row)) > 1)
    {
      /* New units are mostly direct units under the bureau, the first root. */
      adw_combo_row_set_selected (self->parent_row, 1);
    }
}

static void
sui_unit_dialog_dispose (GObject *object)
{
  SuiUnitDialog *self = (SuiUnitDialog *)object;

  sui_form_cancel (self->form);

  G_OBJECT_CLASS (sui_unit_dialog_parent_class)->dispose (object);
}

static void
sui_unit_dialog_finalize (GObject *object)
{
  SuiUnitDialog *self = (SuiUnitDialog *)object;

  g_clear_object (&self->client);
  g_clear_object (&self->units);
  g_clear_object (&self->unit);
  g_clear_pointer (&self->form, sui_form_free);

  G_OBJECT_CLASS (sui_unit_dialog_parent_class)->finalize (object);
}

static void
sui_unit_dialog_class_init (SuiUnitDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = sui_unit_dialog_constructed;
  object_class->dispose = sui_unit_dialog_dispose;
  object_class->finalize = sui_unit_dialog_finalize;
  object_class->get_property = sui_form_get_property;
  object_class->set_property = sui_form_set_property;

  properties[PROP_CLIENT] =
    sui_form_object_property ("client", SUI_TYPE_RPC_CLIENT, MEMBER (client));
  properties[PROP_UNITS] = sui_form_object_property ("units", G_TYPE_LIST_MODEL, MEMBER (units));
  properties[PROP_UNIT] = sui_form_object_property ("unit", SUI_TYPE_UNIT, MEMBER (unit));
  properties[PROP_NAME] = sui_form_text_property ("name", MEMBER (name_row));
  properties[PROP_CODE] = sui_form_text_property ("code", MEMBER (code_row));
  properties[PROP_KIND] = sui_form_code_property ("kind", MEMBER (kind_row));
  properties[PROP_PARENT_ID] = sui_form_id_property ("parent-id", MEMBER (parent_row));
  properties[PROP_BUSY] = sui_form_busy_property (MEMBER (form));
  properties[PROP_MESSAGE] = sui_form_message_property ("message", MEMBER (form));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SAVED] =
    g_signal_new ("saved",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, SUI_TYPE_UNIT, G_TYPE_BOOLEAN);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/shuangsui/Desk/ui/sui-unit-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SuiUnitDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, SuiUnitDialog, message_label);
  gtk_widget_class_bind_template_child (widget_class, SuiUnitDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, SuiUnitDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, SuiUnitDialog, name_error);
  gtk_widget_class_bind_template_child (widget_class, SuiUnitDialog, code_row);
  gtk_widget_class_bind_template_child (widget_class, SuiUnitDialog, code_error);
  gtk_widget_class_bind_template_child (widget_class, SuiUnitDialog, kind_row);
  gtk_widget_class_bind_template_child (widget_class, SuiUnitDialog, kind_error);
  gtk_widget_class_bind_template_child (widget_class, SuiUnitDialog, parent_row);
  gtk_widget_class_bind_template_child (widget_class, SuiUnitDialog, parent_error);

  gtk_widget_class_install_action (widget_class, "dialog.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
sui_unit_dialog_init (SuiUnitDialog *self)
{
  g_autoptr(GtkStringList) kind_names = gtk_string_list_new (NULL);
  GPtrArray *kind_codes = g_ptr_array_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  self->form = sui_form_new (GTK_WIDGET (self), self->message_label, self->spinner,
                             "dialog.save");
  sui_form_notify (self->form, properties[PROP_BUSY], properties[PROP_MESSAGE]);
  sui_form_add_field (self->form, "name", GTK_WIDGET (self->name_row),
                      GTK_WIDGET (self->name_error));
  sui_form_add_field (self->form, "code", GTK_WIDGET (self->code_row),
                      GTK_WIDGET (self->code_error));
  sui_form_add_field (self->form, "kind", GTK_WIDGET (self->kind_row),
                      GTK_WIDGET (self->kind_error));
  sui_form_add_field (self->form, "parent_id", GTK_WIDGET (self->parent_row),
                      GTK_WIDGET (self->parent_error));

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      gtk_string_list_append (kind_names, sui_kind_to_label (kinds[i]));
      g_ptr_array_add (kind_codes, (gpointer) kinds[i]);
    }
  sui_form_combo_set_choices (self->kind_row, kind_names, kind_codes);

  sui_form_label_editable (GTK_WIDGET (self->name_row), _("Unit name"));
  sui_form_label_editable (GTK_WIDGET (self->code_row), _("Unit code"));
}

SuiUnitDialog *
sui_unit_dialog_new (SuiRpcClient *client,
                     GListModel   *units,
                     SuiUnit      *unit)
{
  return g_object_new (SUI_TYPE_UNIT_DIALOG,
                       "client", client,
                       "units", units,
                       "unit", unit,
                       NULL);
}
