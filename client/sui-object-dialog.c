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

#include "sui-error-data.h"
#include "sui-form.h"
#include "sui-json.h"
#include "sui-object-dialog.h"

typedef enum { FIELD_ENTRY, FIELD_COMBO, FIELD_SWITCH } FieldKind;

typedef enum
{
  F_TYPE, F_UNIT, F_LICENCE, F_CREDIT_CODE, F_NAME, F_LEGAL_REP, F_ADDRESS, F_DISTRICT,
  F_STATUS, F_VALID_FROM, F_VALID_UNTIL, F_KEY, F_KEY_REASON, F_GRADE, F_RISK, F_CONTACT,
  N_FIELDS
} Field;

static const struct
{
  const char *name;
  FieldKind kind;
  const char *title;
} fields[N_FIELDS] = {
  { "type", FIELD_COMBO, N_("Object type") },
  { "unit_id", FIELD_COMBO, N_("Unit") },
  { "licence_no", FIELD_ENTRY, N_("Licence number") },
  { "credit_code", FIELD_ENTRY, N_("Unified social credit code") },
  { "name", FIELD_ENTRY, N_("Business name") },
  { "legal_rep", FIELD_ENTRY, N_("Legal representative") },
  { "address", FIELD_ENTRY, N_("Address") },
  { "district", FIELD_ENTRY, N_("District") },
  { "status", FIELD_COMBO, N_("Business status") },
  { "licence_valid_from", FIELD_ENTRY, N_("Licence valid from (YYYY-MM-DD)") },
  { "licence_valid_until", FIELD_ENTRY, N_("Licence valid until (YYYY-MM-DD)") },
  { "key_supervision", FIELD_SWITCH, N_("Key supervision") },
  { "key_supervision_reason", FIELD_ENTRY, N_("Reason for key supervision") },
  { "credit_grade", FIELD_COMBO, N_("Credit grade") },
  { "risk_class", FIELD_COMBO, N_("Risk class") },
  { "contact", FIELD_ENTRY, N_("Contact phone") },
};

struct _SuiObjectDialog
{
  AdwWindow parent_instance;

  AdwWindowTitle *window_title;
  GtkLabel *message_label;
  GtkSpinner *spinner;
  GtkWidget *rows[N_FIELDS];
  AdwActionRow *errors[N_FIELDS];
  GtkSwitch *key_supervision_switch;

  SuiRpcClient *client;
  JsonObject *reference;
  JsonArray *units;
  SuiRegisterRow *object;
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

G_DEFINE_FINAL_TYPE (SuiObjectDialog, sui_object_dialog, ADW_TYPE_WINDOW)

static void
set_message (SuiObjectDialog *self,
             const char      *message)
{
  if (message != NULL && message[0] == '\0')
    message = NULL;

  g_free (self->message);
  self->message = g_strdup (message);
  gtk_label_set_text (self->message_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), message != NULL);
}

static void
set_busy (SuiObjectDialog *self,
          gboolean         busy)
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
apply_field_errors (SuiObjectDialog *self,
                    GHashTable      *messages)
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
fill_combo (SuiObjectDialog *self,
            Field            field,
            const char      *none_label,
            JsonArray       *array,
            const char      *code_member,
            const char      *name_member)
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

      if (name_member != NULL && g_strcmp0 (code_member, "code") == 0 &&
          g_strcmp0 (json_object_get_string_member_with_default (entry, name_member, ""),
                     "") != 0 && field == F_RISK)
        label = g_strdup_printf ("%s %s", code, sui_json_get_string (entry, name_member));
      else if (name_member != NULL)
        label = g_strdup (sui_json_get_string (entry, name_member));
      else
        label = g_strdup (code);

      gtk_string_list_append (names, label);
      g_ptr_array_add (self->codes[field], g_steal_pointer (&code));
    }

  adw_combo_row_set_model (ADW_COMBO_ROW (self->rows[field]), G_LIST_MODEL (names));
}

static JsonArray *
reference_array (SuiObjectDialog *self,
                 const char      *member)
{
  JsonNode *node = self->reference != NULL ? json_object_get_member (self->reference, member)
                                           : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static const char *
get_code (SuiObjectDialog *self,
          Field            field)
{
  guint selected = adw_combo_row_get_selected (ADW_COMBO_ROW (self->rows[field]));

  if (self->codes[field] == NULL || selected >= self->codes[field]->len)
    return "";

  return g_ptr_array_index (self->codes[field], selected);
}

static void
set_code (SuiObjectDialog *self,
          Field            field,
          const char      *code)
{
  for (guint i = 0; self->codes[field] != NULL && i < self->codes[field]->len; i++)
    if (g_strcmp0 (g_ptr_array_index (self->codes[field], i), code) == 0)
      adw_combo_row_set_selected (ADW_COMBO_ROW (self->rows[field]), i);
}

static void
fill_from_object (SuiObjectDialog *self)
{
  if (self->object == NULL)
    return;

  for (int i = 0; i < N_FIELDS; i++)
    {
      g_autofree char *text = sui_register_row_dup_text (self->object, fields[i].name);

      switch (fields[i].kind)
        {
        case FIELD_ENTRY:
          gtk_editable_set_text (GTK_EDITABLE (self->rows[i]), text);
          break;

        case FIELD_COMBO:
          /* The risk class stays "unchanged" unless the user picks one. */
          if (i != F_RISK)
            set_code (self, i, text);
          break;

        case FIELD_SWITCH:
          gtk_switch_set_active (self->key_supervision_switch,
                                 sui_register_row_get_bool (self->object, fields[i].name));
          break;

        default:
          g_assert_not_reached ();
        }
    }

  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->rows[F_RISK]),
                               sui_register_row_get_string (self->object, "risk_class"));
}

static void
record_reloaded_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(SuiObjectDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_busy (self, FALSE);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return;

  g_clear_object (&self->object);
  self->object = sui_register_row_new (json_node_get_object (node));
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
  g_autoptr(SuiObjectDialog) self = user_data;
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

      if (g_error_matches (error, SUI_RPC_ERROR, SUI_RPC_ERROR_CONFLICT) && self->object != NULL &&
          g_hash_table_size (messages) == 0)
        {
          g_autoptr(JsonBuilder) builder = json_builder_new ();
          g_autoptr(JsonNode) params = NULL;

          set_message (self, message);
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_int_value (builder, sui_register_row_get_id (self->object));
          json_builder_end_object (builder);
          params = json_builder_get_root (builder);
          set_busy (self, TRUE);
          sui_rpc_client_call_async (self->client, "objects.get", params, self->cancellable,
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
                                        : g_object_ref (self->object);
  g_signal_emit (self, signals[SAVED], 0, saved, self->object == NULL);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SuiObjectDialog *self = SUI_OBJECT_DIALOG (widget);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) params = NULL;
  gboolean editing = self->object != NULL;

  if (self->busy)
    return;

  set_message (self, NULL);
  apply_field_errors (self, NULL);

  json_builder_begin_object (builder);
  if (editing)
    {
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, sui_register_row_get_id (self->object));
      json_builder_set_member_name (builder, "version");
      json_builder_add_int_value (builder, sui_register_row_get_version (self->object));
    }

  for (int i = 0; i < N_FIELDS; i++)
    {
      switch (fields[i].kind)
        {
        case FIELD_ENTRY:
          {
            g_autofree char *text = sui_form_get_text (self->rows[i]);

            /* Required fields are always sent so that the server names what is missing. */
            if (i == F_LICENCE || i == F_NAME)
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
            else if (i == F_RISK)
              {
                if (code[0] != '\0')
                  add_text (builder, fields[i].name, code, FALSE);
              }
            else
              add_text (builder, fields[i].name, code, editing && i == F_GRADE);
          }
          break;

        case FIELD_SWITCH:
          json_builder_set_member_name (builder, fields[i].name);
          json_builder_add_boolean_value (builder,
                                          gtk_switch_get_active (self->key_supervision_switch));
          break;

        default:
          g_assert_not_reached ();
        }
    }
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);

  set_busy (self, TRUE);
  sui_rpc_client_call_async (self->client, editing ? "objects.update" : "objects.create",
                             params, self->cancellable, save_cb, g_object_ref (self));
}

/* For tests and scripted input: an entry's text, a combo's code, a switch's "true". */
void
sui_object_dialog_set_field (SuiObjectDialog *self,
                             const char      *field,
                             const char      *text)
{
  int i;

  g_return_if_fail (SUI_IS_OBJECT_DIALOG (self));

  if ((i = field_index (field)) < 0)
    return;

  if (fields[i].kind == FIELD_ENTRY)
    gtk_editable_set_text (GTK_EDITABLE (self->rows[i]), text != NULL ? text : "");
  else if (fields[i].kind == FIELD_COMBO)
    set_code (self, i, text);
  else
    gtk_switch_set_active (self->key_supervision_switch, g_strcmp0 (text, "true") == 0);
}

const char *
sui_object_dialog_get_field_error (SuiObjectDialog *self,
                                   const char      *field)
{
  int i;

  g_return_val_if_fail (SUI_IS_OBJECT_DIALOG (self), NULL);

  if ((i = field_index (field)) < 0 || !gtk_widget_get_visible (GTK_WIDGET (self->errors[i])))
    return NULL;

  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self->errors[i]));
}

const char *
sui_object_dialog_get_message (SuiObjectDialog *self)
{
  g_return_val_if_fail (SUI_IS_OBJECT_DIALOG (self), NULL);

  return self->message;
}

gboolean
sui_object_dialog_get_busy (SuiObjectDialog *self)
{
  g_return_val_if_fail (SUI_IS_OBJECT_DIALOG (self), FALSE);

  return self->busy;
}

static void
sui_object_dialog_dispose (GObject *object)
{
  SuiObjectDialog *self = (SuiObjectDialog *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

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
  for (int i = 0; i < N_FIELDS; i++)
    g_clear_pointer (&self->codes[i], g_ptr_array_unref);
  g_clear_pointer (&self->message, g_free);

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
  gtk_widget_class_bind_template_child (widget_class, SuiObjectDialog, key_supervision_switch);
  for (int i = 0; i < N_FIELDS; i++)
    {
      g_autofree char *row = g_strconcat (fields[i].name, "_row", NULL);
      g_autofree char *error = g_strconcat (fields[i].name, "_error", NULL);

      gtk_widget_class_bind_template_child_full (widget_class, row, FALSE,
                                                 G_STRUCT_OFFSET (SuiObjectDialog, rows) +
                                                 i * sizeof (gpointer));
      gtk_widget_class_bind_template_child_full (widget_class, error, FALSE,
                                                 G_STRUCT_OFFSET (SuiObjectDialog, errors) +
                                                 i * sizeof (gpointer));
    }

  gtk_widget_class_install_action (widget_class, "dialog.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
sui_object_dialog_init (SuiObjectDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();

  for (int i = 0; i < N_FIELDS; i++)
    if (fields[i].kind == FIELD_ENTRY)
      sui_form_label_editable (self->rows[i], _(fields[i].title));
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

  fill_combo (self, F_TYPE, NULL, reference_array (self, "types"), "code", "name");
  fill_combo (self, F_STATUS, NULL, reference_array (self, "statuses"), "code", "name");
  fill_combo (self, F_GRADE, _("None"), reference_array (self, "credit_grades"), "grade", NULL);
  fill_combo (self, F_RISK, object != NULL ? _("Unchanged") : _("From the credit grade"),
              reference_array (self, "risk_classes"), "code", "name");
  fill_combo (self, F_UNIT, NULL, self->units, "id", "name");
  gtk_widget_set_visible (self->rows[F_UNIT], self->units != NULL && object == NULL);

  if (object != NULL)
    {
      adw_window_title_set_subtitle (self->window_title,
                                     sui_register_row_get_string (object, "licence_no"));
      fill_from_object (self);
    }

  return self;
}
