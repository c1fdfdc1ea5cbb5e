/* sui-catalogue-dialog.c: edit a catalogue item (上级事项目录) or a unit's refinement of one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One form in two shapes. An administrator keeps the catalogue: every field of a catalogue
 * item. A supervisor refines the item their unit claimed: only the content, the methods (a
 * subset of the catalogue's) and the ratio range (inside the catalogue's), with the
 * catalogue's bounds shown beside the fields. Either way the server judges what is valid and
 * each -32010 message appears under its field; ratios are entered in percent and travel in
 * basis points.
 */
#include "sui-config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sui-catalogue-dialog.h"
#include "sui-form.h"
#include "sui-json.h"

typedef enum { KIND_ENTRY, KIND_TEXT, KIND_LEVEL, KIND_CHECKS } FieldKind;

typedef struct
{
  const char *name;
  const char *title;
  FieldKind kind;
  GtkWidget *widget;        /* entry row, text view, combo row, or the group of check rows */
  GtkWidget *error;         /* AdwActionRow (rows) or GtkLabel (text views), for the form */
  GPtrArray *checks;        /* KIND_CHECKS: GtkCheckButton with "code" data */
} Field;

struct _SuiCatalogueDialog
{
  AdwWindow parent_instance;

  AdwWindowTitle *window_title;
  GtkLabel *message_label;
  GtkSpinner *spinner;
  AdwPreferencesPage *page;

  SuiRpcClient *client;
  JsonObject *record;       /* the catalogue item or the unit's item; NULL for a new one */
  gboolean refine;
  GArray *fields;           /* Field */
  SuiForm *form;
};

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SuiCatalogueDialog, sui_catalogue_dialog, ADW_TYPE_WINDOW)

/* Percent ↔ basis points */

/**
 * sui_percent_to_bp:
 * @text: "12", "12.5", "12.50 %"
 *
 * Returns: %TRUE when @text is a percentage from 0 to 100 with at most two decimals
 */
gboolean
sui_percent_to_bp (const char *text,
                   gint64     *bp)
{
  g_autofree char *copy = g_strstrip (g_strdup (text != NULL ? text : ""));
  gint64 whole = 0, fraction = 0;
  guint digits = 0, decimals = 0;
  char *p = copy;
  gsize len = strlen (copy);

  if (len > 0 && (copy[len - 1] == '%'))
    {
      copy[len - 1] = '\0';
      g_strstrip (copy);
    }
  else if (len >= 3 && g_str_has_suffix (copy, "％"))
    {
      copy[len - 3] = '\0';
      g_strstrip (copy);
    }

  for (; g_ascii_isdigit (*p); p++, digits++)
    {
      whole = whole * 10 + (*p - '0');
      if (whole > 100)
        return FALSE;
    }
  if (*p == '.')
    for (p++; g_ascii_isdigit (*p); p++, decimals++)
      {
        if (decimals >= 2)
          return FALSE;
        fraction = fraction * 10 + (*p - '0');
      }
  if (*p != '\0' || (digits == 0 && decimals == 0))
    return FALSE;
  if (decimals == 1)
    fraction *= 10;

  *bp = whole * 100 + fraction;
  return *bp <= 10000;
}

char *
sui_bp_to_percent (gint64 bp)
{
  if (bp % 100 == 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT, bp / 100);
  if (bp % 10 == 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT ".%" G_GINT64_FORMAT, bp / 100, (bp % 100) / 10);
  return g_strdup_printf ("%" G_GINT64_FORMAT ".%02" G_GINT64_FORMAT, bp / 100, bp % 100);
}

/* State */

static Field *
find_field (SuiCatalogueDialog *self,
            const char         *name)
{
  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *field = &g_array_index (self->fields, Field, i);

      if (g_strcmp0 (field->name, name) == 0)
        return field;
    }

  return NULL;
}

/* The server names a field, sometimes with an index ("methods[1]"): show it at the field.
 * Returns: (transfer full): form field name → message; the messages stay @messages' */
static GHashTable *
by_form_field (GHashTable *messages)
{
  GHashTable *by_field = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, messages);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autofree char *base = g_strndup (key, strcspn (key, "[."));

      /* Ratios travel in basis points; the form's fields are in percent. */
      if (g_str_has_suffix (base, "_bp"))
        base[strlen (base) - 3] = '\0';

      if (!g_hash_table_contains (by_field, base))
        g_hash_table_insert (by_field, g_steal_pointer (&base), value);
    }

  return by_field;
}

static void
add_field (SuiCatalogueDialog *self,
           Field              *field)
{
  sui_form_add_field (self->form, field->name, field->widget, field->error);
  g_array_append_val (self->fields, *field);
}

/* Building the form */

static GtkWidget *
error_row (void)
{
  GtkWidget *row = adw_action_row_new ();

  gtk_widget_set_visible (row, FALSE);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  gtk_widget_add_css_class (row, "sui-field-error");
  return row;
}

static GtkWidget *
add_group (SuiCatalogueDialog *self,
           const char         *title,
           const char         *description)
{
  GtkWidget *group = adw_preferences_group_new ();

  if (title != NULL)
    adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  if (description != NULL)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), description);
  adw_preferences_page_add (self->page, ADW_PREFERENCES_GROUP (group));
  return group;
}

static void
add_entry (SuiCatalogueDialog *self,
           GtkWidget          *group,
           const char         *name,
           const char         *title,
           const char         *text)
{
  Field field = { name, title, KIND_ENTRY, adw_entry_row_new (), error_row (), NULL };

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (field.widget), title);
  gtk_editable_set_text (GTK_EDITABLE (field.widget), text != NULL ? text : "");
  sui_form_label_editable (field.widget, title);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), field.widget);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), field.error);
  add_field (self, &field);
}

/* Legal basis and content run to paragraphs: a text view under the group's title. */
static void
add_text (SuiCatalogueDialog *self,
          const char         *name,
          const char         *title,
          const char         *description,
          const char         *text)
{
  GtkWidget *group = add_group (self, title, description);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *view = gtk_text_view_new ();
  Field field = { name, title, KIND_TEXT, view, gtk_label_new (NULL), NULL };

  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)),
                            text != NULL ? text : "", -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), 96);
  gtk_widget_add_css_class (scrolled, "card");

  gtk_label_set_wrap (GTK_LABEL (field.error), TRUE);
  gtk_label_set_xalign (GTK_LABEL (field.error), 0);
  gtk_widget_set_margin_top (field.error, 4);
  gtk_widget_add_css_class (field.error, "error");
  gtk_widget_add_css_class (field.error, "caption");
  gtk_widget_set_visible (field.error, FALSE);

  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), scrolled);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), field.error);
  add_field (self, &field);
}

static gboolean
array_has_string (JsonArray  *array,
                  const char *value)
{
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING &&
          g_strcmp0 (json_node_get_string (node), value) == 0)
        return TRUE;
    }

  return FALSE;
}

static JsonArray *
get_array (JsonObject *object,
           const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

/* One check row per choice; @allowed (nullable) limits the choices, @chosen ticks them. */
static void
add_checks (SuiCatalogueDialog *self,
            const char         *name,
            const char         *title,
            const char         *description,
            JsonArray          *choices,
            JsonArray          *allowed,
            JsonArray          *chosen,
            gboolean            with_off_site)
{
  GtkWidget *group = add_group (self, title, description);
  Field field = { name, title, KIND_CHECKS, group, error_row (), g_ptr_array_new () };

  for (guint i = 0; choices != NULL && i < json_array_get_length (choices); i++)
    {
      JsonObject *choice = json_array_get_object_element (choices, i);
      const char *code = sui_json_get_string (choice, "code");
      GtkWidget *row;
      GtkWidget *check;

      /* A method the catalogue dropped stays visible while the item still has it. */
      if (allowed != NULL && !array_has_string (allowed, code) && !array_has_string (chosen, code))
        continue;

      row = adw_action_row_new ();
      check = gtk_check_button_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), sui_json_get_string (choice,
                                                                                     "name"));
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      if (with_off_site && sui_json_get_bool (choice, "off_site"))
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Off-site check"));
      if (allowed != NULL && !array_has_string (allowed, code))
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                     _("No longer allowed by the catalogue: untick it"));
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), array_has_string (chosen, code));
      gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      sui_json_get_string (choice, "name"), -1);
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      g_object_set_data_full (G_OBJECT (check), "code", g_strdup (code), g_free);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
      g_ptr_array_add (field.checks, check);
    }

  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), field.error);
  add_field (self, &field);
}

static const char *levels[] = { "general", "key" };

static void
add_level (SuiCatalogueDialog *self,
           GtkWidget          *group,
           const char         *level)
{
  const char *names[] = { _("General item"), _("Key item"), NULL };
  Field field = { "level", _("Level"), KIND_LEVEL, adw_combo_row_new (), error_row (), NULL };
  g_autoptr(GtkStringList) model = gtk_string_list_new (names);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (field.widget), _("Level"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (field.widget),
                               _("General items have a capped ratio; key items have none."));
  adw_combo_row_set_model (ADW_COMBO_ROW (field.widget), G_LIST_MODEL (model));
  adw_combo_row_set_selected (ADW_COMBO_ROW (field.widget), g_strcmp0 (level, "key") == 0);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), field.widget);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), field.error);
  add_field (self, &field);
}

static char *
record_percent (JsonObject *record,
                const char *member)
{
  if (record == NULL || !json_object_has_member (record, member))
    return g_strdup ("");

  return sui_bp_to_percent (sui_json_get_int (record, member));
}

/* Reading the form */

static char *
field_text (Field *field)
{
  if (field->kind == KIND_TEXT)
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (field->widget));
      GtkTextIter start, end;

      gtk_text_buffer_get_bounds (buffer, &start, &end);
      return g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
    }

  return sui_form_get_text (field->widget);
}

static void
add_member_text (JsonBuilder *builder,
                 Field       *field)
{
  g_autofree char *text = field_text (field);

  json_builder_set_member_name (builder, field->name);
  json_builder_add_string_value (builder, text);
}

static void
add_member_checks (JsonBuilder *builder,
                   Field       *field)
{
  json_builder_set_member_name (builder, field->name);
  json_builder_begin_array (builder);
  for (guint i = 0; i < field->checks->len; i++)
    if (gtk_check_button_get_active (field->checks->pdata[i]))
      json_builder_add_string_value (builder, g_object_get_data (field->checks->pdata[i],
                                                                 "code"));
  json_builder_end_array (builder);
}

/* Returns: %FALSE when the text is no percentage; the field says so, and @first_error
 * names the first such field for the message at the top. */
static gboolean
add_member_ratio (JsonBuilder  *builder,
                  Field        *field,
                  GHashTable   *local_errors,
                  char        **first_error)
{
  g_autofree char *text = field_text (field);
  g_autofree char *member = g_strconcat (field->name, "_bp", NULL);
  gint64 bp;

  if (!sui_percent_to_bp (text, &bp))
    {
      const char *message = _("Enter a percentage from 0 to 100, e.g. 12.5.");

      if (*first_error == NULL)
        *first_error = g_strconcat (field->title, _(": "), message, NULL);
      g_hash_table_insert (local_errors, g_steal_pointer (&member), g_strdup (message));
      return FALSE;
    }

  json_builder_set_member_name (builder, member);
  json_builder_add_int_value (builder, bp);
  return TRUE;
}

static void
reloaded_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(SuiCatalogueDialog) self = user_data;
  g_autoptr(JsonNode) node = NULL;

  /* A reload cancelled because the dialog went away ends here too. */
  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, NULL);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return;

  /* Keep what the user entered; only the version moves on, so saving again is deliberate. */
  g_clear_pointer (&self->record, json_object_unref);
  self->record = json_object_ref (json_node_get_object (node));
}

static void
save_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SuiCatalogueDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) messages = NULL;
  g_autoptr(GHashTable) by_field = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = sui_form_call_finish (self->form, object, result, &messages, &error);
  if (node == NULL)
    {
      if (g_error_matches (error, SUI_RPC_ERROR, SUI_RPC_ERROR_CONFLICT) && self->record != NULL)
        {
          g_autoptr(JsonBuilder) builder = json_builder_new ();
          g_autoptr(JsonNode) params = NULL;

          sui_form_set_message (self->form,
                                _("Someone else changed this item meanwhile. Its latest "
                                  "version has been fetched: check your entries and save "
                                  "again to replace it."));
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_int_value (builder, sui_json_get_id (self->record, "id"));
          json_builder_end_object (builder);
          params = json_builder_get_root (builder);
          sui_rpc_client_call_async (self->client, self->refine ? "items.get" : "catalogue.get",
                                     params, sui_form_get_cancellable (self->form), reloaded_cb,
                                     g_object_ref (self));
          return;
        }

      by_field = by_form_field (messages);
      sui_form_show_error (self->form, error, by_field);
      return;
    }

  if (JSON_NODE_HOLDS_OBJECT (node))
    g_signal_emit (self, signals[SAVED], 0, json_node_get_object (node));
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SuiCatalogueDialog *self = SUI_CATALOGUE_DIALOG (widget);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) params = NULL;
  g_autoptr(GHashTable) local_errors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                              g_free);
  g_autofree char *first_error = NULL;
  const char *method;

  if (!sui_form_begin_save (self->form))
    return;

  json_builder_begin_object (builder);
  if (self->record != NULL)
    {
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, sui_json_get_id (self->record, "id"));
      json_builder_set_member_name (builder, "version");
      json_builder_add_int_value (builder, sui_json_get_int (self->record, "version"));
    }

  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *field = &g_array_index (self->fields, Field, i);

      if (g_str_has_prefix (field->name, "ratio_"))
        add_member_ratio (builder, field, local_errors, &first_error);
      else if (field->kind == KIND_CHECKS)
        add_member_checks (builder, field);
      else if (field->kind == KIND_LEVEL)
        {
          guint selected = adw_combo_row_get_selected (ADW_COMBO_ROW (field->widget));

          json_builder_set_member_name (builder, "level");
          json_builder_add_string_value (builder, levels[selected == 1]);
        }
      else
        add_member_text (builder, field);
    }
  json_builder_end_object (builder);

  /* A ratio that is no number never reaches the server. */
  if (g_hash_table_size (local_errors) > 0)
    {
      /* The ratio rows may be out of sight below: say which field it is. */
      g_autoptr(GHashTable) by_field = by_form_field (local_errors);

      sui_form_show_field_errors (self->form, by_field);
      sui_form_set_message (self->form, first_error);
      return;
    }

  params = json_builder_get_root (builder);
  if (self->refine)
    method = "items.update";
  else
    method = self->record != NULL ? "catalogue.update" : "catalogue.create";

  sui_form_call (self->form, self->client, method, params, save_cb);
}

/* For tests and scripted input */

/**
 * sui_catalogue_dialog_set_field:
 * @field: an entry or text field by its member name (`ratio_min` and `ratio_max` in percent),
 *   or `level` with `general` / `key`
 *
 * Returns: %TRUE when the form has that field
 */
gboolean
sui_catalogue_dialog_set_field (SuiCatalogueDialog *self,
                                const char         *field,
                                const char         *text)
{
  Field *f;

  g_return_val_if_fail (SUI_IS_CATALOGUE_DIALOG (self), FALSE);

  if ((f = find_field (self, field)) == NULL)
    return FALSE;

  switch (f->kind)
    {
    case KIND_ENTRY:
      gtk_editable_set_text (GTK_EDITABLE (f->widget), text != NULL ? text : "");
      return TRUE;

    case KIND_TEXT:
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (f->widget)),
                                text != NULL ? text : "", -1);
      return TRUE;

    case KIND_LEVEL:
      adw_combo_row_set_selected (ADW_COMBO_ROW (f->widget), g_strcmp0 (text, "key") == 0);
      return TRUE;

    case KIND_CHECKS:
    default:
      return FALSE;
    }
}

/**
 * sui_catalogue_dialog_set_choice:
 * @field: `methods` or `object_types`
 *
 * Returns: %TRUE when the form offers @code
 */
gboolean
sui_catalogue_dialog_set_choice (SuiCatalogueDialog *self,
                                 const char         *field,
                                 const char         *code,
                                 gboolean            active)
{
  Field *f;

  g_return_val_if_fail (SUI_IS_CATALOGUE_DIALOG (self), FALSE);

  if ((f = find_field (self, field)) == NULL || f->kind != KIND_CHECKS)
    return FALSE;

  for (guint i = 0; i < f->checks->len; i++)
    if (g_strcmp0 (g_object_get_data (f->checks->pdata[i], "code"), code) == 0)
      {
        gtk_check_button_set_active (f->checks->pdata[i], active);
        return TRUE;
      }

  return FALSE;
}

/* @field: a member name as the server names it (`ratio_min_bp` or `ratio_min` alike) */
const char *
sui_catalogue_dialog_get_field_error (SuiCatalogueDialog *self,
                                      const char         *field)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (SUI_IS_CATALOGUE_DIALOG (self), NULL);

  name = g_str_has_suffix (field, "_bp") ? g_strndup (field, strlen (field) - 3)
                                         : g_strdup (field);
  return sui_form_get_field_error (self->form, name);
}

const char *
sui_catalogue_dialog_get_message (SuiCatalogueDialog *self)
{
  g_return_val_if_fail (SUI_IS_CATALOGUE_DIALOG (self), NULL);

  return sui_form_get_message (self->form);
}

gboolean
sui_catalogue_dialog_get_busy (SuiCatalogueDialog *self)
{
  g_return_val_if_fail (SUI_IS_CATALOGUE_DIALOG (self), FALSE);

  return sui_form_get_busy (self->form);
}

/* GObject */

static void
field_clear (gpointer data)
{
  Field *field = data;

  g_clear_pointer (&field->checks, g_ptr_array_unref);
}

static void
sui_catalogue_dialog_dispose (GObject *object)
{
  SuiCatalogueDialog *self = (SuiCatalogueDialog *)object;

  sui_form_cancel (self->form);

  G_OBJECT_CLASS (sui_catalogue_dialog_parent_class)->dispose (object);
}

static void
sui_catalogue_dialog_finalize (GObject *object)
{
  SuiCatalogueDialog *self = (SuiCatalogueDialog *)object;

  g_clear_object (&self->client);
  g_clear_pointer (&self->record, json_object_unref);
  g_clear_pointer (&self->fields, g_array_unref);
  g_clear_pointer (&self->form, sui_form_free);

  G_OBJECT_CLASS (sui_catalogue_dialog_parent_class)->finalize (object);
}

static void
sui_catalogue_dialog_class_init (SuiCatalogueDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sui_catalogue_dialog_dispose;
  object_class->finalize = sui_catalogue_dialog_finalize;

  /**
   * SuiCatalogueDialog::saved:
   * @record: the server's answer: the catalogue item (with `affected` after an update) or
   *   the unit's item
   */
  signals[SAVED] =
    g_signal_new ("saved",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, JSON_TYPE_OBJECT);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/shuangsui/Desk/ui/sui-catalogue-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SuiCatalogueDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, SuiCatalogueDialog, message_label);
  gtk_widget_class_bind_template_child (widget_class, SuiCatalogueDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, SuiCatalogueDialog, page);

  gtk_widget_class_install_action (widget_class, "dialog.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
sui_catalogue_dialog_init (SuiCatalogueDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->form = sui_form_new (GTK_WIDGET (self), self->message_label, self->spinner,
                             "dialog.save");
  self->fields = g_array_new (FALSE, TRUE, sizeof (Field));
  g_array_set_clear_func (self->fields, field_clear);
}

static void
set_title (SuiCatalogueDialog *self,
           const char         *title,
           const char         *subtitle)
{
  adw_window_title_set_title (self->window_title, title);
  adw_window_title_set_subtitle (self->window_title, subtitle != NULL ? subtitle : "");
  gtk_window_set_title (GTK_WINDOW (self), title);
}

/**
 * sui_catalogue_dialog_new_catalogue:
 * @check_methods: `check_methods.list` items
 * @object_types: the `types` of objects.reference
 * @record: (nullable): the catalogue item to edit, %NULL for a new one
 */
SuiCatalogueDialog *
sui_catalogue_dialog_new_catalogue (SuiRpcClient *client,
                                    JsonArray    *check_methods,
                                    JsonArray    *object_types,
                                    JsonObject   *record)
{
  SuiCatalogueDialog *self;
  GtkWidget *group;

  g_return_val_if_fail (SUI_IS_RPC_CLIENT (client), NULL);

  self = g_object_new (SUI_TYPE_CATALOGUE_DIALOG, NULL);
  self->client = g_object_ref (client);
  self->record = record != NULL ? json_object_ref (record) : NULL;

  if (record != NULL)
    set_title (self, _("Edit Catalogue Item"), sui_json_get_string (record, "code"));
  else
    set_title (self, _("New Catalogue Item"), NULL);

  group = add_group (self, NULL, NULL);
  add_entry (self, group, "code", _("Code"), sui_json_get_string (record, "code"));
  add_entry (self, group, "name", _("Item name"), sui_json_get_string (record, "name"));
  add_level (self, group, sui_json_get_string (record, "level"));
  add_entry (self, group, "frequency", _("Frequency, e.g. at most once a year"),
             sui_json_get_string (record, "frequency"));

  add_text (self, "legal_basis", _("Legal Basis"),
            _("The laws and articles the check rests on."),
            sui_json_get_string (record, "legal_basis"));
  add_text (self, "content", _("What Is Checked"),
            _("Units start from this text and may make it more precise."),
            sui_json_get_string (record, "content"));

  group = add_group (self, _("Sampling Ratio"),
                     _("The range a unit's ratio must stay in, in percent."));
  {
    g_autofree char *min = record_percent (record, "ratio_min_bp");
    g_autofree char *max = record_percent (record, "ratio_max_bp");

    add_entry (self, group, "ratio_min", _("Lowest ratio (%)"), min);
    add_entry (self, group, "ratio_max", _("Highest ratio (%)"), max);
  }

  add_checks (self, "object_types", _("Object Types"),
              _("The kinds of objects the item applies to."), object_types, NULL,
              get_array (record, "object_types"), FALSE);
  add_checks (self, "methods", _("Check Methods"),
              _("Allow the off-site methods that suffice; units then prefer them."),
              check_methods, NULL, get_array (record, "methods"), TRUE);

  return self;
}

/**
 * sui_catalogue_dialog_new_refine:
 * @item: the unit's item (items.get or items.list)
 * @catalogue_item: (nullable): its catalogue item, for the bounds to show
 */
SuiCatalogueDialog *
sui_catalogue_dialog_new_refine (SuiRpcClient *client,
                                 JsonArray    *check_methods,
                                 JsonObject   *item,
                                 JsonObject   *catalogue_item)
{
  SuiCatalogueDialog *self;
  GtkWidget *group;
  g_autofree char *bounds = NULL;
  g_autofree char *min = NULL;
  g_autofree char *max = NULL;

  g_return_val_if_fail (SUI_IS_RPC_CLIENT (client), NULL);
  g_return_val_if_fail (item != NULL, NULL);

  self = g_object_new (SUI_TYPE_CATALOGUE_DIALOG, NULL);
  self->client = g_object_ref (client);
  self->record = json_object_ref (item);
  self->refine = TRUE;

  set_title (self, _("Refine Item"), sui_json_get_string (item, "name"));

  add_text (self, "content", _("What Is Checked"),
            _("Make the catalogue's text precise for your unit; it may not be empty."),
            sui_json_get_string (item, "content"));

  add_checks (self, "methods", _("Check Methods"),
              _("Choose among the methods the catalogue allows; prefer off-site checks "
                "whenever they suffice."),
              check_methods, catalogue_item != NULL ? get_array (catalogue_item, "methods")
                                                    : get_array (item, "methods"),
              get_array (item, "methods"), TRUE);

  if (catalogue_item != NULL)
    {
      g_autofree char *cmin = sui_bp_to_percent (sui_json_get_int (catalogue_item,
                                                                   "ratio_min_bp"));
      g_autofree char *cmax = sui_bp_to_percent (sui_json_get_int (catalogue_item,
                                                                   "ratio_max_bp"));

      /* Translators: the catalogue's bounds, e.g. "The catalogue allows 5 % to 20 %." */
      bounds = g_strdup_printf (_("The catalogue allows %s %% to %s %%."), cmin, cmax);
    }
  group = add_group (self, _("Sampling Ratio"), bounds);
  min = record_percent (item, "ratio_min_bp");
  max = record_percent (item, "ratio_max_bp");
  add_entry (self, group, "ratio_min", _("Lowest ratio (%)"), min);
  add_entry (self, group, "ratio_max", _("Highest ratio (%)"), max);

  return self;
}
