/* sui-unit-dialog.c: create or edit a unit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Same pattern as the user dialog: the server validates, each message lands under its field,
 * and a stale version reloads the unit.
 */
#include "sui-config.h"

#include <glib/gi18n.h>

#include "sui-error-data.h"
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
  GArray *parent_ids;
  GCancellable *cancellable;
  char *message;
  gboolean busy;
};

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

static void
set_message (SuiUnitDialog *self,
             const char    *message)
{
  if (message != NULL && message[0] == '\0')
    message = NULL;

  g_free (self->message);
  self->message = g_strdup (message);
  gtk_label_set_text (self->message_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), message != NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
}

static void
set_busy (SuiUnitDialog *self,
          gboolean       busy)
{
  self->busy = busy;
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.save", !busy);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static gboolean
apply_field_errors (SuiUnitDialog *self,
                    GHashTable    *fields)
{
  return sui_form_apply_errors (fields,
                                "name", self->name_row, self->name_error,
                                "code", self->code_row, self->code_error,
                                "kind", self->kind_row, self->kind_error,
                                "parent_id", self->parent_row, self->parent_error,
                                NULL);
}

static const char *
get_kind (SuiUnitDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->kind_row);

  return selected < G_N_ELEMENTS (kinds) ? kinds[selected] : NULL;
}

static void
set_kind (SuiUnitDialog *self,
          const char    *kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (g_strcmp0 (kinds[i], kind) == 0)
      adw_combo_row_set_selected (self->kind_row, i);
}

static gint64
get_parent_id (SuiUnitDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->parent_row);

  if (self->parent_ids == NULL || selected >= self->parent_ids->len)
    return 0;

  return g_array_index (self->parent_ids, gint64, selected);
}

static void
set_parent_id (SuiUnitDialog *self,
               gint64         id)
{
  for (guint i = 0; self->parent_ids != NULL && i < self->parent_ids->len; i++)
    if (g_array_index (self->parent_ids, gint64, i) == id)
      adw_combo_row_set_selected (self->parent_row, i);
}

/* "No parent" first, then the enabled units other than this one. */
static void
fill_parents (SuiUnitDialog *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  gint64 self_id = self->unit != NULL ? sui_unit_get_id (self->unit) : 0;
  gint64 current = self->unit != NULL ? sui_unit_get_parent_id (self->unit) : 0;
  gint64 none = 0;

  g_clear_pointer (&self->parent_ids, g_array_unref);
  self->parent_ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  gtk_string_list_append (names, _("(No parent unit)"));
  g_array_append_val (self->parent_ids, none);

  for (guint i = 0; self->units != NULL && i < g_list_model_get_n_items (self->units); i++)
    {
      g_autoptr(SuiUnit) unit = g_list_model_get_item (self->units, i);
      g_autofree char *title = NULL;
      gint64 id = sui_unit_get_id (unit);

      if (id == self_id || (sui_unit_get_disabled (unit) && id != current))
        continue;

      g_object_get (unit, "title", &title, NULL);
      gtk_string_list_append (names, title);
      g_array_append_val (self->parent_ids, id);
    }

  adw_combo_row_set_model (self->parent_row, G_LIST_MODEL (names));
}

static void
fill_from_unit (SuiUnitDialog *self)
{
  if (self->unit == NULL)
    return;

  gtk_editable_set_text (GTK_EDITABLE (self->name_row), sui_unit_get_name (self->unit));
  gtk_editable_set_text (GTK_EDITABLE (self->code_row), sui_unit_get_code (self->unit));
  set_kind (self, sui_unit_get_kind (self->unit));
  set_parent_id (self, sui_unit_get_parent_id (self->unit));
}

static void
reload_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SuiUnitDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_busy (self, FALSE);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autofree char *message = error != NULL ? sui_rpc_client_describe_error (error) : NULL;

      set_message (self, message);
      return;
    }

  g_clear_object (&self->unit);
  self->unit = sui_unit_new_from_json (json_node_get_object (node));
  fill_parents (self);
  fill_from_unit (self);
}

static void
reload_unit (SuiUnitDialog *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) params = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, sui_unit_get_id (self->unit));
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);

  set_busy (self, TRUE);
  sui_rpc_client_call_async (self->client, "units.get", params, self->cancellable,
                             reload_cb, g_object_ref (self));
}

static void
save_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SuiUnitDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) error_data = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(SuiUnit) saved = NULL;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, &error_data, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_busy (self, FALSE);

  if (node == NULL)
    {
      g_autoptr(GHashTable) fields = sui_error_data_get_fields (error_data);
      g_autofree char *message = sui_rpc_client_describe_error (error);

      if (g_error_matches (error, SUI_RPC_ERROR, SUI_RPC_ERROR_CONFLICT) && self->unit != NULL &&
          g_hash_table_size (fields) == 0)
        {
          set_message (self, message);
          reload_unit (self);
          return;
        }

      if (g_error_matches (error, SUI_RPC_ERROR, SUI_RPC_ERROR_CONFLICT) &&
          g_hash_table_size (fields) == 0)
        g_hash_table_insert (fields, g_strdup ("code"), g_strdup (error->message));

      if (apply_field_errors (self, fields))
        set_message (self, _("Please correct the marked fields."));
      else
        set_message (self, message);
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
  gint64 parent_id = get_parent_id (self);
  const char *kind = get_kind (self);

  if (self->busy)
    return;

  set_message (self, NULL);
  apply_field_errors (self, NULL);

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

  set_busy (self, TRUE);
  sui_rpc_client_call_async (self->client,
                             self->unit != NULL ? "units.update" : "units.create",
                             params, self->cancellable, save_cb, g_object_ref (self));
}

const char *
sui_unit_dialog_get_field_error (SuiUnitDialog *self,
                                 const char    *field)
{
  AdwActionRow *row = NULL;

  g_return_val_if_fail (SUI_IS_UNIT_DIALOG (self), NULL);

  if (g_str_equal (field, "name"))
    row = self->name_error;
  else if (g_str_equal (field, "code"))
    row = self->code_error;
  else if (g_str_equal (field, "kind"))
    row = self->kind_error;
  else if (g_str_equal (field, "parent_id"))
    row = self->parent_error;

  if (row == NULL || !gtk_widget_get_visible (GTK_WIDGET (row)))
    return NULL;

  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
}

const char *
sui_unit_dialog_get_message (SuiUnitDialog *self)
{
  g_return_val_if_fail (SUI_IS_UNIT_DIALOG (self), NULL);

  return self->message;
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
      adw_window_title_set_subtitle (self->window_title, sui_unit_get_name (self->unit));
      fill_from_unit (self);
    }
  else if (self->parent_ids->len > 1)
    {
      /* New units are mostly direct units under the bureau, the first root. */
      adw_combo_row_set_selected (self->parent_row, 1);
    }
}

static void
sui_unit_dialog_dispose (GObject *object)
{
  SuiUnitDialog *self = (SuiUnitDialog *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (sui_unit_dialog_parent_class)->dispose (object);
}

static void
sui_unit_dialog_finalize (GObject *object)
{
  SuiUnitDialog *self = (SuiUnitDialog *)object;

  g_clear_object (&self->client);
  g_clear_object (&self->units);
  g_clear_object (&self->unit);
  g_clear_pointer (&self->parent_ids, g_array_unref);
  g_clear_pointer (&self->message, g_free);

  G_OBJECT_CLASS (sui_unit_dialog_parent_class)->finalize (object);
}

static void
sui_unit_dialog_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  SuiUnitDialog *self = SUI_UNIT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;

    case PROP_UNITS:
      g_value_set_object (value, self->units);
      break;

    case PROP_UNIT:
      g_value_set_object (value, self->unit);
      break;

    case PROP_NAME:
      g_value_set_string (value, gtk_editable_get_text (GTK_EDITABLE (self->name_row)));
      break;

    case PROP_CODE:
      g_value_set_string (value, gtk_editable_get_text (GTK_EDITABLE (self->code_row)));
      break;

    case PROP_KIND:
      g_value_set_string (value, get_kind (self));
      break;

    case PROP_PARENT_ID:
      g_value_set_int64 (value, get_parent_id (self));
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    case PROP_MESSAGE:
      g_value_set_string (value, self->message);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sui_unit_dialog_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  SuiUnitDialog *self = SUI_UNIT_DIALOG (object);
  const char *text = G_VALUE_HOLDS_STRING (value) && g_value_get_string (value) != NULL
                     ? g_value_get_string (value) : "";

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;

    case PROP_UNITS:
      self->units = g_value_dup_object (value);
      break;

    case PROP_UNIT:
      self->unit = g_value_dup_object (value);
      break;

    case PROP_NAME:
      gtk_editable_set_text (GTK_EDITABLE (self->name_row), text);
      break;

    case PROP_CODE:
      gtk_editable_set_text (GTK_EDITABLE (self->code_row), text);
      break;

    case PROP_KIND:
      set_kind (self, text);
      break;

    case PROP_PARENT_ID:
      set_parent_id (self, g_value_get_int64 (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sui_unit_dialog_class_init (SuiUnitDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = sui_unit_dialog_constructed;
  object_class->dispose = sui_unit_dialog_dispose;
  object_class->finalize = sui_unit_dialog_finalize;
  object_class->get_property = sui_unit_dialog_get_property;
  object_class->set_property = sui_unit_dialog_set_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, SUI_TYPE_RPC_CLIENT, construct);
  properties[PROP_UNITS] =
    g_param_spec_object ("units", NULL, NULL, G_TYPE_LIST_MODEL, construct);
  properties[PROP_UNIT] =
    g_param_spec_object ("unit", NULL, NULL, SUI_TYPE_UNIT, construct);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, rw);
  properties[PROP_CODE] = g_param_spec_string ("code", NULL, NULL, NULL, rw);
  properties[PROP_KIND] = g_param_spec_string ("kind", NULL, NULL, NULL, rw);
  properties[PROP_PARENT_ID] =
    g_param_spec_int64 ("parent-id", NULL, NULL, 0, G_MAXINT64, 0, rw);
  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE, ro);
  properties[PROP_MESSAGE] = g_param_spec_string ("message", NULL, NULL, NULL, ro);

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

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    gtk_string_list_append (kind_names, sui_kind_to_label (kinds[i]));
  adw_combo_row_set_model (self->kind_row, G_LIST_MODEL (kind_names));

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
