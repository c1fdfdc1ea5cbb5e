/* sui-form.c: what the edit dialogs share: field messages, saving, combo codes, properties
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each field row is followed by a hidden AdwActionRow that carries the server's message for
 * that field; the field row gets the "error" style and the message as its accessible
 * description, so a screen reader reads it with the field.
 *
 * SuiForm is what every edit dialog shares around that: the message above the fields, the
 * busy state while a call runs, showing a refused save (-32010 data.fields) at its fields and
 * reloading a record whose version went stale. Combo rows keep the code behind each entry;
 * properties that only mirror a row, a construct-only object or the form's state need no code
 * in their owner; and the register dialogs (objects, inspectors), which differ only in their
 * field table, save through sui_form_save_record().
 */
#include "sui-config.h"

#include <glib/gi18n.h>

#include "sui-error-data.h"
#include "sui-form.h"
#include "sui-json.h"

static void
mark_field (GtkWidget  *field_row,
            const char *message)
{
  if (message != NULL)
    {
      gtk_widget_add_css_class (field_row, "error");
      gtk_accessible_update_property (GTK_ACCESSIBLE (field_row),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message,
                                      -1);
    }
  else
    {
      gtk_widget_remove_css_class (field_row, "error");
      gtk_accessible_reset_property (GTK_ACCESSIBLE (field_row),
                                     GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
    }
}

void
sui_form_set_field_error (GtkWidget    *field_row,
                          AdwActionRow *error_row,
                          const char   *message)
{
  gboolean has_error = message != NULL && message[0] != '\0';

  g_return_if_fail (GTK_IS_WIDGET (field_row));
  g_return_if_fail (ADW_IS_ACTION_ROW (error_row));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (error_row), has_error ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (error_row), has_error);
  mark_field (field_row, has_error ? message : NULL);
}

/* A field that is no row (a text view) carries its message in a label below it. */
static void
set_field_error (GtkWidget  *field,
                 GtkWidget  *error,
                 const char *message)
{
  gboolean has_error = message != NULL && message[0] != '\0';

  if (ADW_IS_ACTION_ROW (error))
    {
      sui_form_set_field_error (field, ADW_ACTION_ROW (error), message);
      return;
    }

  gtk_label_set_text (GTK_LABEL (error), has_error ? message : "");
  gtk_widget_set_visible (error, has_error);
  mark_field (field, has_error ? message : NULL);
}

static const char *
get_field_error (GtkWidget *error)
{
  if (!gtk_widget_get_visible (error))
    return NULL;

  if (ADW_IS_ACTION_ROW (error))
    return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (error));
  return gtk_label_get_text (GTK_LABEL (error));
}

/* AdwEntryRow shows its title, but the text inside is what assistive technology focuses;
 * label that text too so it can be found by role and name. */
void
sui_form_label_editable (GtkWidget  *row,
                         const char *label)
{
  GtkEditable *delegate;

  g_return_if_fail (GTK_IS_WIDGET (row));

  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);

  if (GTK_IS_EDITABLE (row) &&
      (delegate = gtk_editable_get_delegate (GTK_EDITABLE (row))) != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (delegate),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                    -1);
}

char *
sui_form_get_text (GtkWidget *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

/* SuiForm */

typedef struct
{
  const char *name;
  GtkWidget *row;
  GtkWidget *error;
} FormField;

struct _SuiForm
{
  GtkWidget *owner;           /* unowned: the owner frees the form in its finalize */
  GtkLabel *message_label;    /* nullable: a page may tell the user otherwise */
  GtkSpinner *spinner;
  char *save_action;
  GParamSpec *busy_pspec;
  GParamSpec *message_pspec;
  GArray *fields;             /* FormField */
  GCancellable *cancellable;
  char *message;
  gboolean busy;
};

/**
 * sui_form_new:
 * @owner: the dialog or page; it calls sui_form_cancel() in dispose and sui_form_free() in
 *   finalize
 * @message_label: (nullable): where the message for the whole form shows
 * @save_action: the action that is disabled while a call runs
 */
SuiForm *
sui_form_new (GtkWidget  *owner,
              GtkLabel   *message_label,
              GtkSpinner *spinner,
              const char *save_action)
{
  SuiForm *form = g_new0 (SuiForm, 1);

  form->owner = owner;
  form->message_label = message_label;
  form->spinner = spinner;
  form->save_action = g_strdup (save_action);
  form->fields = g_array_new (FALSE, FALSE, sizeof (FormField));
  form->cancellable = g_cancellable_new ();

  return form;
}

void
sui_form_free (SuiForm *form)
{
  if (form == NULL)
    return;

  sui_form_cancel (form);
  g_array_unref (form->fields);
  g_free (form->save_action);
  g_free (form->message);
  g_free (form);
}

/* The owner's "busy" and "message" properties, if it has them, to notify on change. */
void
sui_form_notify (SuiForm    *form,
                 GParamSpec *busy_pspec,
                 GParamSpec *message_pspec)
{
  form->busy_pspec = busy_pspec;
  form->message_pspec = message_pspec;
}

/**
 * sui_form_add_field:
 * @name: the member name the server uses for it in -32010 data.fields
 * @row: the widget the value is entered in
 * @error: the #AdwActionRow, or a #GtkLabel, that shows the field's message
 */
void
sui_form_add_field (SuiForm    *form,
                    const char *name,
                    GtkWidget  *row,
                    GtkWidget  *error)
{
  FormField field = { name, row, error };

  g_array_append_val (form->fields, field);
}

/* Cancels the calls under way; later ones still get a cancellable. */
void
sui_form_cancel (SuiForm *form)
{
  g_cancellable_cancel (form->cancellable);
  g_clear_object (&form->cancellable);
}

GCancellable *
sui_form_get_cancellable (SuiForm *form)
{
  if (form->cancellable == NULL)
    form->cancellable = g_cancellable_new ();

  return form->cancellable;
}

void
sui_form_set_message (SuiForm    *form,
                      const char *message)
{
  if (message != NULL && message[0] == '\0')
    message = NULL;

  if (g_strcmp0 (message, form->message) == 0)
    return;

  g_free (form->message);
  form->message = g_strdup (message);
  if (form->message_label != NULL)
    {
      gtk_label_set_text (form->message_label, message != NULL ? message : "");
      gtk_widget_set_visible (GTK_WIDGET (form->message_label), message != NULL);
    }
  if (form->message_pspec != NULL)
    g_object_notify_by_pspec (G_OBJECT (form->owner), form->message_pspec);
}

const char *
sui_form_get_message (SuiForm *form)
{
  return form->message;
}

void
sui_form_set_busy (SuiForm  *form,
                   gboolean  busy)
{
  gboolean changed = form->busy != busy;

  form->busy = busy;
  gtk_widget_set_visible (GTK_WIDGET (form->spinner), busy);
  gtk_spinner_set_spinning (form->spinner, busy);
  gtk_widget_action_set_enabled (form->owner, form->save_action, !busy);
  if (changed && form->busy_pspec != NULL)
    g_object_notify_by_pspec (G_OBJECT (form->owner), form->busy_pspec);
}

gboolean
sui_form_get_busy (SuiForm *form)
{
  return form->busy;
}

/**
 * sui_form_show_field_errors:
 * @fields: (nullable): field name → message, or %NULL to clear every message
 *
 * Returns: %TRUE when at least one of the form's fields got a message; the caller shows the
 *   others in a general message
 */
gboolean
sui_form_show_field_errors (SuiForm    *form,
                            GHashTable *fields)
{
  gboolean any = FALSE;

  for (guint i = 0; i < form->fields->len; i++)
    {
      FormField *field = &g_array_index (form->fields, FormField, i);
      const char *message = fields != NULL ? g_hash_table_lookup (fields, field->name) : NULL;

      set_field_error (field->row, field->error, message);
      any |= message != NULL;
    }

  return any;
}

static FormField *
find_field (SuiForm    *form,
            const char *name)
{
  for (guint i = 0; i < form->fields->len; i++)
    {
      FormField *field = &g_array_index (form->fields, FormField, i);

      if (g_strcmp0 (field->name, name) == 0)
        return field;
    }

  return NULL;
}

/* A message the client itself found, e.g. two passwords that differ. */
void
sui_form_show_field_error (SuiForm    *form,
                           const char *name,
                           const char *message)
{
  FormField *field = find_field (form, name);

  g_return_if_fail (field != NULL);

  set_field_error (field->row, field->error, message);
}

/* Returns: (nullable): the message shown under the field @name */
const char *
sui_form_get_field_error (SuiForm    *form,
                          const char *name)
{
  FormField *field = find_field (form, name);

  return field != NULL ? get_field_error (field->error) : NULL;
}

/* Returns: %FALSE while a call runs; else clears the messages of the last try. */
gboolean
sui_form_begin_save (SuiForm *form)
{
  if (form->busy)
    return FALSE;

  sui_form_set_message (form, NULL);
  sui_form_show_field_errors (form, NULL);
  return TRUE;
}

/* Calls @method with the form busy; @callback gets a reference to the owner as user data. */
void
sui_form_call (SuiForm             *form,
               SuiRpcClient        *client,
               const char          *method,
               JsonNode            *params,
               GAsyncReadyCallback  callback)
{
  sui_form_set_busy (form, TRUE);
  sui_rpc_client_call_async (client, method, params, sui_form_get_cancellable (form), callback,
                             g_object_ref (form->owner));
}

/**
 * sui_form_call_finish:
 * @fields: (out) (optional): when the call failed, the server's message per field
 *
 * Ends the busy state unless the call was cancelled (then the owner may be gone from screen
 * and nothing is touched).
 *
 * Returns: (transfer full) (nullable): the answer, %NULL with @error set
 */
JsonNode *
sui_form_call_finish (SuiForm       *form,
                      GObject       *client,
                      GAsyncResult  *result,
                      GHashTable   **fields,
                      GError       **error)
{
  g_autoptr(JsonNode) error_data = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *node;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (client), result, &error_data, &local_error);
  if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    sui_form_set_busy (form, FALSE);

  if (node == NULL && fields != NULL)
    *fields = sui_error_data_get_fields (error_data);
  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));

  return node;
}

/**
 * sui_form_show_error:
 * @fields: (nullable): the server's message per field
 *
 * Shows a failed save: each field's message under it and a word above that points there, or
 * else the error itself above the fields. A cancelled call shows nothing.
 */
void
sui_form_show_error (SuiForm      *form,
                     const GError *error,
                     GHashTable   *fields)
{
  g_autofree char *message = NULL;

  if (error == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (sui_form_show_field_errors (form, fields))
    {
      sui_form_set_message (form, _("Please correct the marked fields."));
      return;
    }

  message = sui_rpc_client_describe_error (error);
  sui_form_set_message (form, message);
}

typedef struct
{
  SuiForm *form;
  GtkWidget *owner;
  SuiFormReloaded reloaded;
  const SuiRecordForm *record_form;   /* or a register record to replace */
  gboolean tell_failure;
} Reload;

static void record_reloaded (SuiForm             *form,
                             GtkWidget           *owner,
                             const SuiRecordForm *record_form,
                             JsonObject          *json);

static void
reload_free (Reload *reload)
{
  g_object_unref (reload->owner);
  g_free (reload);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reload, reload_free)

static void
reload_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(Reload) reload = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  sui_form_set_busy (reload->form, FALSE);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autofree char *message = error != NULL ? sui_rpc_client_describe_error (error) : NULL;

      if (reload->tell_failure)
        sui_form_set_message (reload->form, message);
      return;
    }

  if (reload->record_form != NULL)
    record_reloaded (reload->form, reload->owner, reload->record_form,
                     json_node_get_object (node));
  else
    reload->reloaded (reload->owner, json_node_get_object (node));
}

static void
start_reload (SuiForm             *form,
              SuiRpcClient        *client,
              const char          *method,
              gint64               id,
              gboolean             tell_failure,
              SuiFormReloaded      reloaded,
              const SuiRecordForm *record_form)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) params = NULL;
  Reload *reload = g_new0 (Reload, 1);

  reload->form = form;
  reload->owner = g_object_ref (form->owner);
  reload->reloaded = reloaded;
  reload->record_form = record_form;
  reload->tell_failure = tell_failure;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, id);
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);

  sui_form_set_busy (form, TRUE);
  sui_rpc_client_call_async (client, method, params, sui_form_get_cancellable (form), reload_cb,
                             reload);
}

/**
 * sui_form_reload:
 * @method: the `.get` method of the record
 * @tell_failure: whether a failed reload replaces the message with its own
 * @reloaded: gets the record as the server now holds it
 *
 * Fetches a record anew, typically after a stale version (-32009).
 */
void
sui_form_reload (SuiForm         *form,
                 SuiRpcClient    *client,
                 const char      *method,
                 gint64           id,
                 gboolean         tell_failure,
                 SuiFormReloaded  reloaded)
{
  start_reload (form, client, method, id, tell_failure, reloaded, NULL);
}

/* Combo rows with codes */

#define CODES_KEY "sui-form-codes"

/**
 * sui_form_combo_set_choices:
 * @labels: what the row shows
 * @codes: (transfer full): a string per label, the code it stands for
 */
void
sui_form_combo_set_choices (AdwComboRow   *row,
                            GtkStringList *labels,
                            GPtrArray     *codes)
{
  g_object_set_data_full (G_OBJECT (row), CODES_KEY, codes, (GDestroyNotify) g_ptr_array_unref);
  adw_combo_row_set_model (row, G_LIST_MODEL (labels));
}

/**
 * sui_form_combo_fill:
 * @none_label: (nullable): a first entry that stands for no code ("")
 * @array: (nullable): reference entries, objects with @code_member (string or number)
 * @name_member: (nullable): the label; %NULL to show the code
 * @code_in_label: show "code name" where an entry has a name
 */
void
sui_form_combo_fill (AdwComboRow *row,
                     const char  *none_label,
                     JsonArray   *array,
                     const char  *code_member,
                     const char  *name_member,
                     gboolean     code_in_label)
{
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  GPtrArray *codes = g_ptr_array_new_with_free_func (g_free);

  if (none_label != NULL)
    {
      gtk_string_list_append (labels, none_label);
      g_ptr_array_add (codes, g_strdup (""));
    }

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *entry = json_array_get_object_element (array, i);
      JsonNode *node = json_object_get_member (entry, code_member);
      const char *name = name_member != NULL ? sui_json_get_string (entry, name_member) : NULL;
      g_autofree char *code = NULL;
      g_autofree char *label = NULL;

      if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
        continue;
      if (json_node_get_value_type (node) == G_TYPE_INT64)
        code = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
      else
        code = g_strdup (json_node_get_string (node));

      if (code_in_label && name != NULL && name[0] != '\0')
        label = g_strdup_printf ("%s %s", code, name);
      else
        label = g_strdup (name != NULL ? name : code);

      gtk_string_list_append (labels, label);
      g_ptr_array_add (codes, g_steal_pointer (&code));
    }

  sui_form_combo_set_choices (row, labels, codes);
}

/* Returns: (nullable): the code of the chosen entry */
const char *
sui_form_combo_get_code (AdwComboRow *row)
{
  GPtrArray *codes = g_object_get_data (G_OBJECT (row), CODES_KEY);
  guint selected = adw_combo_row_get_selected (row);

  if (codes == NULL || selected >= codes->len)
    return NULL;

  return g_ptr_array_index (codes, selected);
}

void
sui_form_combo_set_code (AdwComboRow *row,
                         const char  *code)
{
  GPtrArray *codes = g_object_get_data (G_OBJECT (row), CODES_KEY);

  for (guint i = 0; codes != NULL && i < codes->len; i++)
    if (g_strcmp0 (g_ptr_array_index (codes, i), code) == 0)
      adw_combo_row_set_selected (row, i);
}

/* Returns: the id the chosen entry stands for, 0 for none */
gint64
sui_form_combo_get_id (AdwComboRow *row)
{
  const char *code = sui_form_combo_get_code (row);

  return code != NULL ? g_ascii_strtoll (code, NULL, 10) : 0;
}

void
sui_form_combo_set_id (AdwComboRow *row,
                       gint64       id)
{
  g_autofree char *code = g_strdup_printf ("%" G_GINT64_FORMAT, id);

  sui_form_combo_set_code (row, code);
}

/* Member properties */

typedef enum
{
  MEMBER_TEXT = 1,    /* an editable row's text */
  MEMBER_OBJECT,      /* a construct-only object */
  MEMBER_CODE,        /* the code chosen in a combo row */
  MEMBER_ID,          /* the id chosen in a combo row */
  MEMBER_BUSY,        /* a SuiForm's busy state */
  MEMBER_MESSAGE,     /* a SuiForm's message */
} MemberKind;

static GQuark
member_offset_quark (void)
{
  return g_quark_from_static_string ("sui-form-member-offset");
}

static GQuark
member_kind_quark (void)
{
  return g_quark_from_static_string ("sui-form-member-kind");
}

static GParamSpec *
bind_member (GParamSpec *pspec,
             MemberKind  kind,
             gsize       offset)
{
  g_param_spec_set_qdata (pspec, member_kind_quark (), GUINT_TO_POINTER (kind));
  g_param_spec_set_qdata (pspec, member_offset_quark (), GSIZE_TO_POINTER (offset));
  return pspec;
}

/* A read-write string that is the text of the editable row at @row_offset. */
GParamSpec *
sui_form_text_property (const char *name,
                        gsize       row_offset)
{
  return bind_member (g_param_spec_string (name, NULL, NULL, NULL,
                                           G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS),
                      MEMBER_TEXT, row_offset);
}

/* A construct-only object kept at @member_offset; the owner clears it in finalize. */
GParamSpec *
sui_form_object_property (const char *name,
                          GType       type,
                          gsize       member_offset)
{
  return bind_member (g_param_spec_object (name, NULL, NULL, type,
                                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                                           G_PARAM_STATIC_STRINGS),
                      MEMBER_OBJECT, member_offset);
}

/* A read-write string: the code of the entry chosen in the combo row at @row_offset. */
GParamSpec *
sui_form_code_property (const char *name,
                        gsize       row_offset)
{
  return bind_member (g_param_spec_string (name, NULL, NULL, NULL,
                                           G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS),
                      MEMBER_CODE, row_offset);
}

/* A read-write id: the one chosen in the combo row at @row_offset, 0 for none. */
GParamSpec *
sui_form_id_property (const char *name,
                      gsize       row_offset)
{
  return bind_member (g_param_spec_int64 (name, NULL, NULL, 0, G_MAXINT64, 0,
                                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS),
                      MEMBER_ID, row_offset);
}

/* "busy", read-only: whether the SuiForm at @form_offset waits for a call. */
GParamSpec *
sui_form_busy_property (gsize form_offset)
{
  return bind_member (g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                                            G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                            G_PARAM_STATIC_STRINGS),
                      MEMBER_BUSY, form_offset);
}

/* A read-only string: the message of the SuiForm at @form_offset. */
GParamSpec *
sui_form_message_property (const char *name,
                           gsize       form_offset)
{
  return bind_member (g_param_spec_string (name, NULL, NULL, NULL,
                                           G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                           G_PARAM_STATIC_STRINGS),
                      MEMBER_MESSAGE, form_offset);
}

static MemberKind
member (GObject     *object,
        GParamSpec  *pspec,
        gpointer   **field)
{
  gsize offset = GPOINTER_TO_SIZE (g_param_spec_get_qdata (pspec, member_offset_quark ()));

  *field = &G_STRUCT_MEMBER (gpointer, object, offset);
  return GPOINTER_TO_UINT (g_param_spec_get_qdata (pspec, member_kind_quark ()));
}

/* A get_property for classes whose properties all come from the constructors above. */
void
sui_form_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  gpointer *field;

  switch (member (object, pspec, &field))
    {
    case MEMBER_TEXT:
      g_value_set_string (value, gtk_editable_get_text (GTK_EDITABLE (*field)));
      break;

    case MEMBER_OBJECT:
      g_value_set_object (value, *field);
      break;

    case MEMBER_CODE:
      g_value_set_string (value, sui_form_combo_get_code (*field));
      break;

    case MEMBER_ID:
      g_value_set_int64 (value, sui_form_combo_get_id (*field));
      break;

    case MEMBER_BUSY:
      g_value_set_boolean (value, sui_form_get_busy (*field));
      break;

    case MEMBER_MESSAGE:
      g_value_set_string (value, sui_form_get_message (*field));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

void
sui_form_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  gpointer *field;

  switch (member (object, pspec, &field))
    {
    case MEMBER_TEXT:
      gtk_editable_set_text (GTK_EDITABLE (*field), g_value_get_string (value) != NULL
                                                    ? g_value_get_string (value) : "");
      break;

    case MEMBER_OBJECT:
      g_clear_object ((GObject **) field);
      *field = g_value_dup_object (value);
      break;

    case MEMBER_CODE:
      sui_form_combo_set_code (*field, g_value_get_string (value));
      break;

    case MEMBER_ID:
      sui_form_combo_set_id (*field, g_value_get_int64 (value));
      break;

    case MEMBER_BUSY:
    case MEMBER_MESSAGE:
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* Table-driven fields */

void
sui_form_bind_fields (GtkWidgetClass     *widget_class,
                      const SuiFieldSpec *specs,
                      guint               n_specs,
                      gsize               rows_offset,
                      gsize               errors_offset)
{
  for (guint i = 0; i < n_specs; i++)
    {
      g_autofree char *row = g_strconcat (specs[i].name, "_row", NULL);
      g_autofree char *error = g_strconcat (specs[i].name, "_error", NULL);

      gtk_widget_class_bind_template_child_full (widget_class, row, FALSE,
                                                 rows_offset + i * sizeof (gpointer));
      gtk_widget_class_bind_template_child_full (widget_class, error, FALSE,
                                                 errors_offset + i * sizeof (gpointer));
    }
}

/* Registers the table's fields with @form and labels the entries for assistive technology. */
void
sui_form_add_fields (SuiForm             *form,
                     const SuiFieldSpec  *specs,
                     guint                n_specs,
                     GtkWidget          **rows,
                     AdwActionRow       **errors)
{
  for (guint i = 0; i < n_specs; i++)
    {
      sui_form_add_field (form, specs[i].name, rows[i], GTK_WIDGET (errors[i]));
      if (specs[i].kind == SUI_FIELD_ENTRY)
        sui_form_label_editable (rows[i], _(specs[i].title));
    }
}

int
sui_form_spec_index (const SuiFieldSpec *specs,
                     guint               n_specs,
                     const char         *name)
{
  for (guint i = 0; i < n_specs; i++)
    if (g_strcmp0 (specs[i].name, name) == 0)
      return i;

  return -1;
}

/* An optional text member: left out when empty, or sent as null to clear it. */
static void
add_text_member (JsonBuilder *builder,
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

static GtkSwitch *
row_switch (GtkWidget *row)
{
  return GTK_SWITCH (adw_action_row_get_activatable_widget (ADW_ACTION_ROW (row)));
}

/* Sets a field from text: an entry's text, a combo's code, a switch's "true". */
void
sui_form_set_field_text (const SuiFieldSpec *spec,
                         GtkWidget          *row,
                         const char         *text)
{
  switch (spec->kind)
    {
    case SUI_FIELD_ENTRY:
      gtk_editable_set_text (GTK_EDITABLE (row), text != NULL ? text : "");
      break;

    case SUI_FIELD_COMBO:
      sui_form_combo_set_code (ADW_COMBO_ROW (row), text);
      break;

    case SUI_FIELD_SWITCH:
      gtk_switch_set_active (row_switch (row), g_strcmp0 (text, "true") == 0);
      break;

    default:
      g_assert_not_reached ();
    }
}

/* Returns: a field as text: an entry's trimmed text, a combo's code ("" for none), a
 *   switch's "true" or "false" */
static char *
dup_field_text (const SuiFieldSpec *spec,
                GtkWidget          *row)
{
  const char *code;

  switch (spec->kind)
    {
    case SUI_FIELD_ENTRY:
      return sui_form_get_text (row);

    case SUI_FIELD_COMBO:
      code = sui_form_combo_get_code (ADW_COMBO_ROW (row));
      return g_strdup (code != NULL ? code : "");

    case SUI_FIELD_SWITCH:
      return g_strdup (gtk_switch_get_active (row_switch (row)) ? "true" : "false");

    default:
      g_assert_not_reached ();
    }
}

/* Adds the table's fields to a create (or, with @editing, an update) call, as their flags say. */
void
sui_form_add_members (JsonBuilder         *builder,
                      const SuiFieldSpec  *specs,
                      guint                n_specs,
                      GtkWidget          **rows,
                      gboolean             editing)
{
  for (guint i = 0; i < n_specs; i++)
    {
      g_autofree char *text = dup_field_text (&specs[i], rows[i]);

      if (specs[i].kind == SUI_FIELD_SWITCH)
        {
          json_builder_set_member_name (builder, specs[i].name);
          json_builder_add_boolean_value (builder, g_str_equal (text, "true"));
        }
      else if (specs[i].flags & SUI_FIELD_REQUIRED)
        {
          json_builder_set_member_name (builder, specs[i].name);
          json_builder_add_string_value (builder, text);
        }
      else if (specs[i].flags & SUI_FIELD_ID)
        {
          if (text[0] != '\0' && !editing)
            {
              json_builder_set_member_name (builder, specs[i].name);
              json_builder_add_int_value (builder, g_ascii_strtoll (text, NULL, 10));
            }
        }
      else
        add_text_member (builder, specs[i].name, text,
                         editing && (specs[i].flags & SUI_FIELD_CLEARABLE));
    }
}

/* Saving a register record */

typedef struct
{
  SuiForm *form;
  GtkWidget *owner;
  const SuiRecordForm *record_form;
} RecordSave;

static void
record_save_free (RecordSave *save)
{
  g_object_unref (save->owner);
  g_free (save);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RecordSave, record_save_free)

static SuiRegisterRow **
owner_record (GtkWidget           *owner,
              const SuiRecordForm *record_form)
{
  return &G_STRUCT_MEMBER (SuiRegisterRow *, owner, record_form->record_offset);
}

static SuiRpcClient *
owner_client (GtkWidget           *owner,
              const SuiRecordForm *record_form)
{
  return G_STRUCT_MEMBER (SuiRpcClient *, owner, record_form->client_offset);
}

/**
 * sui_form_dup_fields_text:
 *
 * Returns: (transfer full): each field of the table as text, in the table's order
 */
GPtrArray *
sui_form_dup_fields_text (const SuiFieldSpec *specs,
                          guint               n_specs,
                          GtkWidget         **rows)
{
  GPtrArray *texts = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < n_specs; i++)
    g_ptr_array_add (texts, dup_field_text (&specs[i], rows[i]));
  return texts;
}

/**
 * sui_form_merge_stale:
 * @typed: the fields as the user left them before the record was fetched anew
 * @before: the fields as the record the user started from fills them
 * @stored: the fields as the record someone else saved fills them (what @rows show now)
 *
 * Merges a record someone else saved with what the user typed: a field the user changed
 * keeps their value, any other shows the stored one, and a field both changed says so at the
 * field. The three sets are the fields' texts, so they compare in the terms the form shows.
 */
void
sui_form_merge_stale (SuiForm            *form,
                      const SuiFieldSpec *specs,
                      guint               n_specs,
                      GtkWidget         **rows,
                      GPtrArray          *typed,
                      GPtrArray          *before,
                      GPtrArray          *stored)
{
  gboolean both = FALSE;

  for (guint i = 0; i < n_specs; i++)
    {
      const SuiFieldSpec *spec = &specs[i];
      const char *mine = g_ptr_array_index (typed, i);
      const char *base = g_ptr_array_index (before, i);
      const char *theirs = g_ptr_array_index (stored, i);

      if (g_str_equal (mine, base))
        continue;
      sui_form_set_field_text (spec, rows[i], mine);
      if (!g_str_equal (theirs, base) && !g_str_equal (theirs, mine))
        {
          g_autofree char *message = NULL;

          if (spec->kind == SUI_FIELD_ENTRY)
            message = g_strdup_printf (_("Someone else changed this to “%s”. Saving keeps "
                                         "what you entered here."), theirs);
          else
            message = g_strdup (_("Someone else changed this too. Saving keeps your choice "
                                  "here."));
          sui_form_show_field_error (form, spec->name, message);
          both = TRUE;
        }
    }

  sui_form_set_message (form,
                        both ? _("Someone else changed this record meanwhile. Their changes "
                                 "are shown, and what you entered is kept; the marked fields "
                                 "were changed by both of you. Check the form and save again.")
                             : _("Someone else changed this record meanwhile. Their changes "
                                 "are shown, and what you entered is kept. Check the form and "
                                 "save again."));
}

/**
 * sui_form_merge_record:
 * @fill: fills @rows from the record the owner holds, after making @record that record when it
 *   is not %NULL
 * @fill_data: passed to @fill
 * @record: the record as someone else saved it
 *
 * The record someone else saved, merged with what the user typed (sui_form_merge_stale()); the
 * three versions are read off @rows as @fill leaves them, so they compare in the form's terms.
 */
void
sui_form_merge_record (SuiForm            *form,
                       const SuiFieldSpec *specs,
                       guint               n_specs,
                       GtkWidget         **rows,
                       SuiFormFill         fill,
                       gconstpointer       fill_data,
                       JsonObject         *record)
{
  g_autoptr(GPtrArray) typed = sui_form_dup_fields_text (specs, n_specs, rows);
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) stored = NULL;

  fill (form->owner, NULL, fill_data);
  before = sui_form_dup_fields_text (specs, n_specs, rows);
  fill (form->owner, record, fill_data);
  stored = sui_form_dup_fields_text (specs, n_specs, rows);
  sui_form_merge_stale (form, specs, n_specs, rows, typed, before, stored);
}

/* A register dialog's fill(), taking the new record first when there is one. */
static void
fill_register_record (GtkWidget     *owner,
                      JsonObject    *json,
                      gconstpointer  data)
{
  const SuiRecordForm *record_form = data;

  if (json != NULL)
    {
      SuiRegisterRow **record = owner_record (owner, record_form);

      g_clear_object (record);
      *record = sui_register_row_new (json);
    }
  record_form->fill (owner);
}

static void
record_reloaded (SuiForm             *form,
                 GtkWidget           *owner,
                 const SuiRecordForm *record_form,
                 JsonObject          *json)
{
  sui_form_merge_record (form, record_form->specs, record_form->n_specs,
                         &G_STRUCT_MEMBER (GtkWidget *, owner, record_form->rows_offset),
                         fill_register_record, record_form, json);
}

static void
record_saved_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(RecordSave) save = user_data;
  SuiRegisterRow *record = *owner_record (save->owner, save->record_form);
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) messages = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(SuiRegisterRow) saved = NULL;

  node = sui_form_call_finish (save->form, object, result, &messages, &error);
  if (node == NULL)
    {
      /* A stale version: say so, and fetch the record as it now is. */
      if (g_error_matches (error, SUI_RPC_ERROR, SUI_RPC_ERROR_CONFLICT) && record != NULL &&
          g_hash_table_size (messages) == 0)
        {
          sui_form_show_error (save->form, error, NULL);
          start_reload (save->form, owner_client (save->owner, save->record_form),
                        save->record_form->get_method, sui_register_row_get_id (record), FALSE,
                        NULL, save->record_form);
          return;
        }

      sui_form_show_error (save->form, error, messages);
      return;
    }

  saved = JSON_NODE_HOLDS_OBJECT (node) ? sui_register_row_new (json_node_get_object (node))
                                        : g_object_ref (record);
  g_signal_emit_by_name (save->owner, "saved", saved, record == NULL);
  gtk_window_destroy (GTK_WINDOW (save->owner));
}

/**
 * sui_form_save_record:
 *
 * Sends the record's fields to the create or update method. On success the owner emits
 * "saved" (the record as the server now holds it, whether it is new) and closes; a refusal
 * shows at the fields, and a stale version reloads the record into the form.
 */
void
sui_form_save_record (SuiForm             *form,
                      const SuiRecordForm *record_form)
{
  SuiRegisterRow *record = *owner_record (form->owner, record_form);
  GtkWidget **rows = &G_STRUCT_MEMBER (GtkWidget *, form->owner, record_form->rows_offset);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) params = NULL;
  RecordSave *save;

  if (!sui_form_begin_save (form))
    return;

  json_builder_begin_object (builder);
  if (record != NULL)
    {
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, sui_register_row_get_id (record));
      json_builder_set_member_name (builder, "version");
      json_builder_add_int_value (builder, sui_register_row_get_version (record));
    }
  sui_form_add_members (builder, record_form->specs, record_form->n_specs, rows, record != NULL);
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);

  save = g_new0 (RecordSave, 1);
  save->form = form;
  save->owner = g_object_ref (form->owner);
  save->record_form = record_form;

  sui_form_set_busy (form, TRUE);
  sui_rpc_client_call_async (owner_client (form->owner, record_form),
                             record != NULL ? record_form->update_method
                                            : record_form->create_method,
                             params, sui_form_get_cancellable (form), record_saved_cb, save);
}
