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

#include "sui-error-data.h"
#include "sui-form.h"
#include "sui-json.h"
#include "sui-inspector-dialog.h"

typedef enum { FIELD_ENTRY, FIELD_COMBO, FIELD_SWITCH } FieldKind;

typedef enum
{
  F_NAME, F_UNIT, F_CERT_NO, F_VALID_FROM, F_VALID_UNTIL, F_STATUS, F_SPECIALTIES, F_CONTACT,
  N_FIELDS
} Field;

static const struct
{
  const char *name;
  FieldKind kind;
  const char *title;
} fields[N_FIELDS] = {
  { "name", FIELD_ENTRY, N_("Full name") },
  { "unit_id", FIELD_COMBO, N_("Unit") },
  { "cert_no", FIELD_ENTRY, N_("Certificate number") },
  { "cert_valid_from", FIELD_ENTRY, N_("Certificate valid from (YYYY-MM-DD)") },
  { "cert_valid_until", FIELD_ENTRY, N_("Certificate valid until (YYYY-MM-DD)") },
  { "status", FIELD_COMBO, N_("Duty status") },
  { "specialties", FIELD_ENTRY, N_("Specialties") },
  { "contact", FIELD_ENTRY, N_("Contact") },
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
  /* The codes behind each combo row's entries; "" for "none" / "unchanged". */
  GPtrArray *codes[N_FIELDS];
  GCancellable *cancellable;
  char *message;
  gboolean busy;
};

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SuiInspectorDialog, sui_inspector_dialog, ADW_TYPE_WINDOW)

static void
set_message (SuiInspectorDialog *self,
             const char         *message)
{
  if (message != NULL && message[0] == '\0')
    message = NULL;

  g_free (self->message);
  self->message = g_strdup (message);
  gtk_label_set_text (self->message_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), message != NULL);
}

static void
set_busy (SuiInspectorDialog *self,
          gboolean            busy)
{
  self->busy = busy;
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.save", !busy);
}

static int
field_index (const char *name)
{
  for (int i = 0; i < N_FIELDS; i++)
    if (g_strcmp0 (fields[i].name, name) == 0)
      return i;

  return -1;
}

static gboolean
apply_field_errors (SuiInspectorDialog *self,
                    GHashTable         *messages)
{
  gboolean any = FALSE;

  for (int i = 0; i < N_FIELDS; i++)
    {
      const char *message = messages != NULL ? g_hash_table_lookup (messages, fields[i].name)
                                             : NULL;

      sui_form_set_field_error (self->rows[i], self->errors[i], message);
      any |= message != NULL;
    }

  return any;
}

/* Fills a combo row from a reference list: each entry's code and its label. */
static void
fill_combo (SuiInspectorDialog *self,
            Field               field,
            const char         *none_label,
            JsonArray          *array,
            const char         *code_member,
            const char         *name_member)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

  g_clear_pointer (&self->codes[field], g_ptr_array_unref);
  self->codes[field] = g_ptr_array_new_with_free_func (g_free);

  if (none_label != NULL)
    {
      gtk_string_list_append (names, none_label);
      g_ptr_array_add (self->codes[field], g_strdup (""));
    }

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *entry = json_array_get_object_element (array, i);
      g_autofree char *code = NULL;
      g_autofree char *label = NULL;
      JsonNode *node = json_object_get_member (entry, code_member);

      if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
        continue;
      if (json_node_get_value_type (node) == G_TYPE_INT64)
        code = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
      else
        code = g_strdup (json_node_get_string (node));

      if (name_member != NULL)
        label = g_strdup (sui_json_get_string (entry, name_member));
      else
        label = g_strdup (code);

      gtk_string_list_append (names, label);
      g_ptr_array_add (self->codes[field], g_steal_pointer (&code));
    }

  adw_combo_row_set_model (ADW_COMBO_ROW (self->rows[field]), G_LIST_MODEL (names));
}

static JsonArray *
reference_array (SuiInspectorDialog *self,
                 const char         *member)
{
  JsonNode *node = self->reference != NULL ? json_object_get_member (self->reference, member)
                                           : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static const char *
get_code (SuiInspectorDialog *self,
          Field               field)
{
  guint selected = adw_combo_row_get_selected (ADW_COMBO_ROW (self->rows[field]));

  if (self->codes[field] == NULL || selected >= self->codes[field]->len)
    return "";

  return g_ptr_array_index (self->codes[field], selected);
}

static void
set_code (SuiInspectorDialog *self,
          Field               field,
          const char         *code)
{
  for (guint i = 0; self->codes[field] != NULL && i < self->codes[field]->len; i++)
    if (g_strcmp0 (g_ptr_array_index (self->codes[field], i), code) == 0)
      adw_combo_row_set_selected (ADW_COMBO_ROW (self->rows[field]), i);
}

static void
fill_from_object (SuiInspectorDialog *self)
{
  if (self->inspector == NULL)
    return;

  for (int i = 0; i < N_FIELDS; i++)
    {
      g_autofree char *text = sui_register_row_dup_text (self->inspector, fields[i].name);

      switch (fields[i].kind)
        {
        case FIELD_ENTRY:
          gtk_editable_set_text (GTK_EDITABLE (self->rows[i]), text);
          break;

        case FIELD_COMBO:
          set_code (self, i, text);
          break;

        case FIELD_SWITCH:

        default:
          g_assert_not_reached ();
        }
    }
}

static void
record_reloaded_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(SuiInspectorDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_busy (self, FALSE);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return;

  g_clear_object (&self->inspector);
  self->inspector = sui_register_row_new (json_node_get_object (node));
  fill_from_object (self);
}

static void
add_text (JsonBuilder *builder,
          const char  *member,
          const char  *text,
          gboolean     clear_when_empty)
{
  if (text[0] == '\0' && !clear_when_empty)
    return;

  json_builder_set_member_name (builder, member);
  if (text[0] == '\0')
    json_builder_add_null_value (builder);
  else
    json_builder_add_string_value (builder, text);
}

static void
save_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SuiInspectorDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) error_data = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(SuiRegisterRow) saved = NULL;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, &error_data, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_busy (self, FALSE);

  if (node == NULL)
    {
      g_autoptr(GHashTable) messages = sui_error_data_get_fields (error_data);
      g_autofree char *message = sui_rpc_client_describe_error (error);

      if (g_error_matches (error, SUI_RPC_ERROR, SUI_RPC_ERROR_CONFLICT) && self->inspector != NULL &&
          g_hash_table_size (messages) == 0)
        {
          g_autoptr(JsonBuilder) builder = json_builder_new ();
          g_autoptr(JsonNode) params = NULL;

          set_message (self, message);
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_int_value (builder, sui_register_row_get_id (self->inspector));
          json_builder_end_object (builder);
          params = json_builder_get_root (builder);
          set_busy (self, TRUE);
          sui_rpc_client_call_async (self->client, "inspectors.get", params, self->cancellable,
                                     record_reloaded_cb, g_object_ref (self));
          return;
        }

      if (apply_field_errors (self, messages))
        set_message (self, _("Please correct the marked fields."));
      else
        set_message (self, message);
      return;
    }

  saved = JSON_NODE_HOLDS_OBJECT (node) ? sui_register_row_new (json_node_get_object (node))
                                        : g_object_ref (self->inspector);
  g_signal_emit (self, signals[SAVED], 0, saved, self->inspector == NULL);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SuiInspectorDialog *self = SUI_INSPECTOR_DIALOG (widget);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) params = NULL;
  gboolean editing = self->inspector != NULL;

  if (self->busy)
    return;

  set_message (self, NULL);
  apply_field_errors (self, NULL);

  json_builder_begin_object (builder);
  if (editing)
    {
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, sui_register_row_get_id (self->inspector));
      json_builder_set_member_name (builder, "version");
      json_builder_add_int_value (builder, sui_register_row_get_version (self->inspector));
    }

  for (int i = 0; i < N_FIELDS; i++)
    {
      switch (fields[i].kind)
        {
        case FIELD_ENTRY:
          {
            g_autofree char *text = sui_form_get_text (self->rows[i]);

            /* Required fields are always sent so that the server names what is missing. */
            if (i == F_NAME || i == F_CERT_NO || i == F_VALID_FROM || i == F_VALID_UNTIL)
              {
                json_builder_set_member_name (builder, fields[i].name);
                json_builder_add_string_value (builder, text);
              }
            else
              add_text (builder, fields[i].name, text, editing);
          }
          break;

        case FIELD_COMBO:
          {
            const char *code = get_code (self, i);

            if (i == F_UNIT)
              {
                if (code[0] != '\0' && !editing)
                  {
                    json_builder_set_member_name (builder, "unit_id");
                    json_builder_add_int_value (builder, g_ascii_strtoll (code, NULL, 10));
                  }
              }
            else
              add_text (builder, fields[i].name, code, FALSE);
          }
          break;

        case FIELD_SWITCH:

        default:
          g_assert_not_reached ();
        }
    }
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);

  set_busy (self, TRUE);
  sui_rpc_client_call_async (self->client, editing ? "inspectors.update" : "inspectors.create",
                             params, self->cancellable, save_cb, g_object_ref (self));
}

/* For tests and scripted input: an entry's text, a combo's code, a switch's "true". */
void
sui_inspector_dialog_set_field (SuiInspectorDialog *self,
                                const char         *field,
                                const char         *text)
{
  int i;

  g_return_if_fail (SUI_IS_INSPECTOR_DIALOG (self));

  if ((i = field_index (field)) < 0)
    return;

  if (fields[i].kind == FIELD_ENTRY)
    gtk_editable_set_text (GTK_EDITABLE (self->rows[i]), text != NULL ? text : "");
  else if (fields[i].kind == FIELD_COMBO)
    set_code (self, i, text);
}

const char *
sui_inspector_dialog_get_field_error (SuiInspectorDialog *self,
                                      const char         *field)
{
  int i;

  g_return_val_if_fail (SUI_IS_INSPECTOR_DIALOG (self), NULL);

  if ((i = field_index (field)) < 0 || !gtk_widget_get_visible (GTK_WIDGET (self->errors[i])))
    return NULL;

  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self->errors[i]));
}

const char *
sui_inspector_dialog_get_message (SuiInspectorDialog *self)
{
  g_return_val_if_fail (SUI_IS_INSPECTOR_DIALOG (self), NULL);

  return self->message;
}

gboolean
sui_inspector_dialog_get_busy (SuiInspectorDialog *self)
{
  g_return_val_if_fail (SUI_IS_INSPECTOR_DIALOG (self), FALSE);

  return self->busy;
}

static void
sui_inspector_dialog_dispose (GObject *object)
{
  SuiInspectorDialog *self = (SuiInspectorDialog *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

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
  for (int i = 0; i < N_FIELDS; i++)
    g_clear_pointer (&self->codes[i], g_ptr_array_unref);
  g_clear_pointer (&self->message, g_free);

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
  for (int i = 0; i < N_FIELDS; i++)
    {
      g_autofree char *row = g_strconcat (fields[i].name, "_row", NULL);
      g_autofree char *error = g_strconcat (fields[i].name, "_error", NULL);

      gtk_widget_class_bind_template_child_full (widget_class, row, FALSE,
                                                 G_STRUCT_OFFSET (SuiInspectorDialog, rows) +
                                                 i * sizeof (gpointer));
      gtk_widget_class_bind_template_child_full (widget_class, error, FALSE,
                                                 G_STRUCT_OFFSET (SuiInspectorDialog, errors) +
                                                 i * sizeof (gpointer));
    }

  gtk_widget_class_install_action (widget_class, "dialog.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
sui_inspector_dialog_init (SuiInspectorDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();

  for (int i = 0; i < N_FIELDS; i++)
    if (fields[i].kind == FIELD_ENTRY)
      sui_form_label_editable (self->rows[i], _(fields[i].title));
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

  fill_combo (self, F_STATUS, NULL, reference_array (self, "inspector_statuses"), "code", "name");
  fill_combo (self, F_UNIT, NULL, self->units, "id", "name");
  gtk_widget_set_visible (self->rows[F_UNIT], self->units != NULL && object == NULL);

  if (object != NULL)
    {
      adw_window_title_set_subtitle (self->window_title,
                                     sui_register_row_get_string (object, "cert_no"));
      fill_from_object (self);
    }

  return self;
}
