/* sui-task-editor.c: editing one task of an annual plan
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One form for every field of a task (docs/protocol.md, tasks), each followed by a hidden row
 * for the server's message about it. The object scope is built here as the same filter JSON
 * the objects page builds (type, district, tags with AND/OR/NOT), and read back from it when
 * it has that shape; any other stored filter is kept as it is. Items come from the unit's
 * item list (items.list) with a check method each; the server decides what is valid.
 * The candidates per risk class follow the form: tasks.preview is asked with the values on
 * screen shortly after the user stops changing the scope, ratios, exclusion or window.
 */
#include "sui-config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "sui-error-data.h"
#include "sui-form.h"
#include "sui-json.h"
#include "sui-plan-labels.h"
#include "sui-task-editor.h"

typedef enum
{
  TAG_ANY_VALUE,
  TAG_ALL,
  TAG_ANY,
  TAG_NOT,
} TagMode;

typedef struct
{
  gint64 id;
  GtkWidget *row;
  JsonObject *item;
  GtkSwitch *check;       /* a switch: GTK 4.8 gives check buttons no accessible action */
  GtkDropDown *method;
  GPtrArray *method_codes;
  GtkWidget *reason_row;
  gboolean has_off_site;
} ItemRow;

struct _SuiTaskEditor
{
  AdwWindow parent_instance;

  AdwWindowTitle *window_title;
  AdwToastOverlay *toasts;
  GtkSpinner *spinner;
  AdwPreferencesPage *page;
  AdwActionRow *state_row;
  AdwPreferencesGroup *items_group;
  AdwActionRow *items_note;
  GPtrArray *item_rows;       /* ItemRow */
  AdwComboRow *type_row;
  AdwActionRow *tags_row;
  GtkBox *tags_box;
  AdwActionRow *custom_scope_row;
  AdwExpanderRow *inspector_tags_row;
  GtkSwitch *avoid_last_switch;
  AdwPreferencesGroup *preview_group;
  GtkGrid *preview_grid;
  GtkWidget *ready_button;
  AdwActionRow *preview_total_row;
  GtkSpinner *preview_spinner;

  GHashTable *fields;         /* field name → editable row */
  GHashTable *error_rows;     /* field name → AdwActionRow */
  GHashTable *errors;         /* field name → message shown */
  GHashTable *tag_modes;      /* object tag id → TagMode */
  GHashTable *inspector_tags; /* inspector tag id → GtkCheckButton */
  GPtrArray *type_codes;

  SuiRpcClient *client;
  GCancellable *cancellable;
  gint64 plan_id;
  gint64 task_id;
  gboolean supervisor;
  gboolean plan_editable;
  JsonObject *task;
  JsonObject *preview;
  JsonNode *custom_scope;     /* a stored scope this form cannot show, kept as it is */
  GHashTable *methods;        /* code → JsonObject of check_methods.list */
  JsonArray *items;           /* items.list, NULL when the server has no item list */
  JsonArray *tag_groups;
  char *last_message;
  guint busy;
  guint pending;
  gboolean items_touched;

  /* The live preview: one call PREVIEW_DELAY_MS after the last change of what decides the
   * candidates; a newer call cancels the one under way, and only the newest answer counts. */
  guint preview_source;
  GCancellable *preview_cancellable;
  guint preview_serial;
  gboolean preview_loading;
  gboolean filling;           /* the form is being filled from the task, not edited */
  char *preview_message;      /* why the draft cannot be counted, NULL when it was */
};

G_DEFINE_FINAL_TYPE (SuiTaskEditor, sui_task_editor, ADW_TYPE_WINDOW)

static const char *ratio_fields[] = { "ratio_a_bp", "ratio_b_bp", "ratio_c_bp", "ratio_d_bp" };

#define PREVIEW_DELAY_MS 400

static void schedule_preview (SuiTaskEditor *self);

static void
item_row_free (gpointer data)
{
  ItemRow *r = data;

  g_clear_pointer (&r->item, json_object_unref);
  g_clear_pointer (&r->method_codes, g_ptr_array_unref);
  g_free (r);
}

static void
toast (SuiTaskEditor *self,
       const char    *message)
{
  AdwToast *t = adw_toast_new (message);

  g_free (self->last_message);
  self->last_message = g_strdup (message);
  adw_toast_set_priority (t, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_timeout (t, 10);
  adw_toast_overlay_add_toast (self->toasts, t);
}

static void
set_busy (SuiTaskEditor *self,
          gboolean       busy)
{
  self->busy += busy ? 1 : -1;
  gtk_spinner_set_spinning (self->spinner, self->busy > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), self->busy > 0);
}

static const char *
task_state (SuiTaskEditor *self)
{
  return self->task != NULL ? sui_json_get_string (self->task, "state") : "draft";
}

static gboolean
can_edit (SuiTaskEditor *self)
{
  return self->supervisor && self->plan_editable && g_strcmp0 (task_state (self), "draft") == 0;
}

static void
update_actions (SuiTaskEditor *self)
{
  gboolean published = self->task != NULL &&
                       sui_json_get_int (self->task, "published_revision") > 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "task.save", can_edit (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "task.make-ready",
                                 self->supervisor && published &&
                                 g_strcmp0 (task_state (self), "draft") == 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "task.preview", TRUE);
  gtk_widget_set_visible (self->ready_button,
                          self->supervisor && published &&
                          g_strcmp0 (task_state (self), "draft") == 0);
}

/* Field errors */

static void
show_error (SuiTaskEditor *self,
            const char    *field,
            const char    *message)
{
  AdwActionRow *error_row = g_hash_table_lookup (self->error_rows, field);
  GtkWidget *field_row = g_hash_table_lookup (self->fields, field);

  if (error_row == NULL)
    return;
  if (field_row == NULL)
    field_row = GTK_WIDGET (error_row);
  sui_form_set_field_error (field_row, error_row, message);
  if (message != NULL)
    g_hash_table_insert (self->errors, g_strdup (field), g_strdup (message));
  else
    g_hash_table_remove (self->errors, field);
}

static void
clear_errors (SuiTaskEditor *self)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->error_rows);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    show_error (self, key, NULL);
}

/* The server names fields as the protocol does; an item's problem may name "items" or a
 * member below it. Returns the messages no field of the form shows. */
static char *
apply_errors (SuiTaskEditor *self,
              GHashTable    *fields)
{
  g_autoptr(GString) rest = g_string_new (NULL);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, fields);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *field = key;
      g_autofree char *base = g_strndup (field, strcspn (field, ".["));

      if (g_hash_table_contains (self->error_rows, field))
        show_error (self, field, value);
      else if (g_hash_table_contains (self->error_rows, base))
        show_error (self, base, value);
      else
        g_string_append_printf (rest, "%s%s", rest->len > 0 ? "；" : "", (const char *) value);
    }
  return rest->len > 0 ? g_string_free (g_steal_pointer (&rest), FALSE) : NULL;
}

/* Rows */

static GtkWidget *
error_row_new (SuiTaskEditor       *self,
               AdwPreferencesGroup *group,
               const char          *field)
{
  GtkWidget *row = adw_action_row_new ();

  gtk_widget_add_css_class (row, "error");
  gtk_widget_add_css_class (row, "sui-field-error");
  gtk_widget_set_visible (row, FALSE);
  adw_preferences_group_add (group, row);
  g_hash_table_insert (self->error_rows, g_strdup (field), row);
  return row;
}

static GtkWidget *
entry_row (SuiTaskEditor       *self,
           AdwPreferencesGroup *group,
           const char          *field,
           const char          *title)
{
  GtkWidget *row = adw_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  sui_form_label_editable (row, title);
  adw_preferences_group_add (group, row);
  g_hash_table_insert (self->fields, g_strdup (field), row);
  error_row_new (self, group, field);
  return row;
}

static void
set_text (SuiTaskEditor *self,
          const char    *field,
          const char    *text)
{
  GtkWidget *row = g_hash_table_lookup (self->fields, field);

  if (row != NULL && GTK_IS_EDITABLE (row))
    gtk_editable_set_text (GTK_EDITABLE (row), text != NULL ? text : "");
}

static char *
get_text (SuiTaskEditor *self,
          const char    *field)
{
  GtkWidget *row = g_hash_table_lookup (self->fields, field);

  return row != NULL && GTK_IS_EDITABLE (row) ? sui_form_get_text (row) : g_strdup ("");
}

/* Scope: the filter JSON of docs/protocol.md, as the objects page builds it */

/**
 * sui_task_editor_build_scope:
 *
 * Returns: (transfer full) (nullable): the scope the form stands for, %NULL for every object
 *   of the unit
 */
JsonNode *
sui_task_editor_build_scope (SuiTaskEditor *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) any = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) none = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *district = get_text (self, "district");
  guint selected = adw_combo_row_get_selected (self->type_row);
  GHashTableIter iter;
  gpointer key, value;
  guint parts = 0;

  if (self->custom_scope != NULL)
    return json_node_copy (self->custom_scope);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "and");
  json_builder_begin_array (builder);
  if (selected > 0 && selected != GTK_INVALID_LIST_POSITION && selected <= self->type_codes->len)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, g_ptr_array_index (self->type_codes, selected - 1));
      json_builder_end_object (builder);
      parts++;
    }
  if (district[0] != '\0')
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "district");
      json_builder_add_string_value (builder, district);
      json_builder_end_object (builder);
      parts++;
    }
  g_hash_table_iter_init (&iter, self->tag_modes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gint64 id = *(gint64 *)key;

      switch ((TagMode) GPOINTER_TO_INT (value))
        {
        case TAG_ALL:
          g_array_append_val (all, id);
          break;
        case TAG_ANY:
          g_array_append_val (any, id);
          break;
        case TAG_NOT:
          g_array_append_val (none, id);
          break;
        case TAG_ANY_VALUE:
        default:
          break;
        }
    }
  parts += sui_json_add_tag_conditions (builder, all, any, none);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return parts > 0 ? json_builder_get_root (builder) : NULL;
}

static void
set_tag_mode_ids (SuiTaskEditor *self,
                  JsonNode      *ids,
                  TagMode        mode)
{
  JsonArray *a = JSON_NODE_HOLDS_ARRAY (ids) ? json_node_get_array (ids) : NULL;

  for (guint i = 0; a != NULL && i < json_array_get_length (a); i++)
    {
      gint64 id = json_array_get_int_element (a, i);

      g_hash_table_insert (self->tag_modes, g_memdup2 (&id, sizeof id), GINT_TO_POINTER (mode));
    }
}

/* Reads a stored scope into the form; FALSE when it has a part the form cannot show. */
static gboolean
read_scope (SuiTaskEditor *self,
            JsonNode      *scope,
            const char   **type,
            const char   **district)
{
  JsonArray *parts;

  if (scope == NULL || JSON_NODE_HOLDS_NULL (scope))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (scope) ||
      json_object_get_size (json_node_get_object (scope)) != 1 ||
      !json_object_has_member (json_node_get_object (scope), "and") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (scope), "and")))
    return json_object_get_size (json_node_get_object (scope)) == 0;

  parts = json_object_get_array_member (json_node_get_object (scope), "and");
  for (guint i = 0; i < json_array_get_length (parts); i++)
    {
      JsonNode *part = json_array_get_element (parts, i);
      JsonObject *o = JSON_NODE_HOLDS_OBJECT (part) ? json_node_get_object (part) : NULL;
      JsonNode *v;

      if (o == NULL || json_object_get_size (o) != 1)
        return FALSE;
      if ((v = json_object_get_member (o, "type")) != NULL &&
          JSON_NODE_HOLDS_VALUE (v) && *type == NULL)
        *type = json_node_get_string (v);
      else if ((v = json_object_get_member (o, "district")) != NULL &&
               JSON_NODE_HOLDS_VALUE (v) && *district == NULL)
        *district = json_node_get_string (v);
      else if ((v = json_object_get_member (o, "tags_all")) != NULL)
        set_tag_mode_ids (self, v, TAG_ALL);
      else if ((v = json_object_get_member (o, "tags_any")) != NULL)
        set_tag_mode_ids (self, v, TAG_ANY);
      else if ((v = json_object_get_member (o, "not")) != NULL && JSON_NODE_HOLDS_OBJECT (v) &&
               json_object_has_member (json_node_get_object (v), "tags_any"))
        set_tag_mode_ids (self, json_object_get_member (json_node_get_object (v), "tags_any"),
                          TAG_NOT);
      else
        return FALSE;
    }
  return TRUE;
}

static void
on_scope_edited (SuiTaskEditor *self)
{
  /* Touching the form replaces a filter it could not show. */
  if (self->custom_scope != NULL && self->pending == 0 && self->task != NULL)
    {
      g_clear_pointer (&self->custom_scope, json_node_unref);
      gtk_widget_set_visible (GTK_WIDGET (self->custom_scope_row), FALSE);
    }
  schedule_preview (self);
}

static void
show_tag_summary (SuiTaskEditor *self)
{
  guint n = g_hash_table_size (self->tag_modes);
  g_autofree char *text = NULL;

  if (n == 0)
    text = g_strdup (_("Any tags. For each tag: does not matter, must have, one of these, must not have"));
  else
    text = g_strdup_printf (ngettext ("%u tag condition", "%u tag conditions", n), n);
  adw_action_row_set_subtitle (self->tags_row, text);
}

static void
on_tag_mode_toggled (GtkToggleButton *button,
                     SuiTaskEditor   *self)
{
  gint64 *id = g_object_get_data (G_OBJECT (button), "tag-id");
  TagMode mode = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "mode"));

  if (!gtk_toggle_button_get_active (button))
    return;
  if (mode == TAG_ANY_VALUE)
    g_hash_table_remove (self->tag_modes, id);
  else
    g_hash_table_insert (self->tag_modes, g_memdup2 (id, sizeof *id), GINT_TO_POINTER (mode));
  show_tag_summary (self);
  on_scope_edited (self);
}

static void
fill_tags (SuiTaskEditor *self)
{
  const struct { const char *label; const char *meaning; } modes[] = {
    { N_("Any"), N_("does not matter") },
    { N_("AND"), N_("must have") },
    { N_("OR"), N_("one of these") },
    { N_("NOT"), N_("must not have") },
  };
  JsonObject *task = self->task;
  guint object_tags = 0;

  for (guint g = 0; self->tag_groups != NULL && g < json_array_get_length (self->tag_groups); g++)
    {
      JsonObject *group = json_array_get_object_element (self->tag_groups, g);
      JsonArray *tags = json_object_get_array_member (group, "tags");
      gboolean for_inspectors = g_str_equal (sui_json_get_string (group, "applies_to"), "inspectors");
      gboolean for_objects = g_str_equal (sui_json_get_string (group, "applies_to"), "objects") ||
                             !for_inspectors;

      if (sui_json_get_bool (group, "retired"))
        continue;
      for (guint j = 0; tags != NULL && j < json_array_get_length (tags); j++)
        {
          JsonObject *tag = json_array_get_object_element (tags, j);
          gint64 id = sui_json_get_id (tag, "id");
          g_autofree char *name = g_strdup_printf ("%s: %s", sui_json_get_string (group, "name"),
                                                   sui_json_get_string (tag, "name"));

          if (sui_json_get_bool (tag, "retired"))
            continue;
          if (for_objects && !g_str_equal (sui_json_get_string (group, "applies_to"), "inspectors"))
            {
              GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
              GtkWidget *label = gtk_label_new (name);
              GtkWidget *linked = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
              guint current = GPOINTER_TO_UINT (g_hash_table_lookup (self->tag_modes, &id));
              GtkToggleButton *first = NULL;

              gtk_label_set_xalign (GTK_LABEL (label), 0);
              gtk_widget_set_hexpand (label, TRUE);
              gtk_box_append (GTK_BOX (row), label);
              gtk_widget_add_css_class (linked, "linked");
              gtk_widget_set_valign (linked, GTK_ALIGN_CENTER);
              for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
                {
                  GtkWidget *button = gtk_toggle_button_new_with_label (_(modes[m].label));
                  g_autofree char *accessible = g_strdup_printf ("%s %s", name, _(modes[m].meaning));

                  gtk_widget_set_tooltip_text (button, _(modes[m].meaning));
                  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
                  if (first == NULL)
                    first = GTK_TOGGLE_BUTTON (button);
                  else
                    gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (button), first);
                  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), m == current);
                  g_object_set_data_full (G_OBJECT (button), "tag-id",
                                          g_memdup2 (&id, sizeof id), g_free);
                  g_object_set_data (G_OBJECT (button), "mode", GUINT_TO_POINTER (m));
                  g_signal_connect_object (button, "toggled", G_CALLBACK (on_tag_mode_toggled),
                                           self, 0);
                  gtk_box_append (GTK_BOX (linked), button);
                }
              gtk_box_append (GTK_BOX (row), linked);
              gtk_box_append (self->tags_box, row);
              object_tags++;
            }
          if (for_inspectors || g_str_equal (sui_json_get_string (group, "applies_to"), "both"))
            {
              GtkWidget *row = adw_action_row_new ();
              GtkWidget *check = gtk_check_button_new ();
              JsonNode *chosen = task != NULL ? json_object_get_member (task, "inspector_tag_ids") : NULL;

              adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
              gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                              name, -1);
              adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
              adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
              for (guint k = 0; chosen != NULL && JSON_NODE_HOLDS_ARRAY (chosen) &&
                   k < json_array_get_length (json_node_get_array (chosen)); k++)
                if (json_array_get_int_element (json_node_get_array (chosen), k) == id)
                  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
              adw_expander_row_add_row (self->inspector_tags_row, row);
              g_hash_table_insert (self->inspector_tags, g_memdup2 (&id, sizeof id), check);
            }
        }
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->tags_row), object_tags > 0);
  show_tag_summary (self);
}

/* Items */

static void
update_item_row (ItemRow *r)
{
  guint selected = gtk_drop_down_get_selected (r->method);
  const char *code = selected < r->method_codes->len ? r->method_codes->pdata[selected] : NULL;
  gboolean chosen = gtk_switch_get_active (r->check);

  gtk_widget_set_sensitive (GTK_WIDGET (r->method), chosen);
  /* Off site whenever the item allows it: on site needs a reason then. */
  gtk_widget_set_visible (r->reason_row,
                          chosen && r->has_off_site && g_strcmp0 (code, "on_site") == 0);
}

static void
on_item_changed (GObject    *widget,
                 GParamSpec *pspec)
{
  SuiTaskEditor *self = SUI_TASK_EDITOR (gtk_widget_get_root (GTK_WIDGET (widget)));

  update_item_row (g_object_get_data (widget, "item-row"));
  if (self != NULL)
    self->items_touched = TRUE;
}

/* Items a task names the old way (ids or free text, before the item list existed). */
static char *
legacy_items (SuiTaskEditor *self)
{
  JsonNode *items = self->task != NULL ? json_object_get_member (self->task, "items") : NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; items != NULL && JSON_NODE_HOLDS_ARRAY (items) &&
       i < json_array_get_length (json_node_get_array (items)); i++)
    {
      JsonNode *e = json_array_get_element (json_node_get_array (items), i);

      if (JSON_NODE_HOLDS_OBJECT (e))
        continue;
      if (text->len > 0)
        g_string_append (text, "、");
      if (json_node_get_value_type (e) == G_TYPE_STRING)
        g_string_append (text, json_node_get_string (e));
      else
        g_string_append_printf (text, "%lld", (long long) json_node_get_int (e));
    }
  return text->len > 0 ? g_string_free (g_steal_pointer (&text), FALSE) : NULL;
}

static gboolean
method_off_site (SuiTaskEditor *self,
                 const char    *code)
{
  JsonObject *m = self->methods != NULL ? g_hash_table_lookup (self->methods, code) : NULL;

  if (m != NULL)
    return sui_json_get_bool (m, "off_site");
  return g_strcmp0 (code, "on_site") != 0;
}

static const char *
method_name (SuiTaskEditor *self,
             const char    *code)
{
  JsonObject *m = self->methods != NULL ? g_hash_table_lookup (self->methods, code) : NULL;

  return m != NULL ? sui_json_get_string (m, "name") : sui_method_label (code);
}

static JsonObject *
task_item (SuiTaskEditor *self,
           gint64         item_id)
{
  JsonNode *items = self->task != NULL ? json_object_get_member (self->task, "items") : NULL;

  for (guint i = 0; items != NULL && JSON_NODE_HOLDS_ARRAY (items) &&
       i < json_array_get_length (json_node_get_array (items)); i++)
    {
      JsonNode *e = json_array_get_element (json_node_get_array (items), i);

      if (JSON_NODE_HOLDS_OBJECT (e) &&
          sui_json_get_id (json_node_get_object (e), "item_id") == item_id)
        return json_node_get_object (e);
    }
  return NULL;
}

static void
fill_items (SuiTaskEditor *self)
{
  for (guint i = 0; i < self->item_rows->len; i++)
    {
      ItemRow *r = self->item_rows->pdata[i];

      adw_preferences_group_remove (self->items_group, r->row);
      adw_preferences_group_remove (self->items_group, r->reason_row);
    }
  g_ptr_array_set_size (self->item_rows, 0);

  if (self->items == NULL)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->items_note),
                                     _("The unit's item list cannot be read from this server yet; "
                                       "the task keeps the items it has."));
      gtk_widget_set_visible (GTK_WIDGET (self->items_note), TRUE);
      return;
    }
  {
    g_autofree char *legacy = legacy_items (self);
    g_autofree char *note = NULL;

    if (legacy != NULL)
      note = g_strdup_printf (_("This task names its items in the old way: %s. They are kept "
                                "until you choose items from the list below."), legacy);
    else if (json_array_get_length (self->items) == 0)
      note = g_strdup (_("The unit's item list is empty: claim items from the catalogue first."));
    gtk_widget_set_visible (GTK_WIDGET (self->items_note), note != NULL);
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->items_note), note != NULL ? note : "");
  }

  for (guint i = 0; i < json_array_get_length (self->items); i++)
    {
      JsonObject *item = json_array_get_object_element (self->items, i);
      JsonArray *methods = json_object_get_array_member (item, "methods");
      JsonObject *chosen = task_item (self, sui_json_get_id (item, "id"));
      ItemRow *r = g_new0 (ItemRow, 1);
      GtkWidget *row = adw_action_row_new ();
      g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
      g_autofree char *title = g_strdup_printf ("%s %s", sui_json_get_string (item, "code"),
                                                sui_json_get_string (item, "name"));
      g_autofree char *accessible = NULL;
      guint selected = 0;

      r->id = sui_json_get_id (item, "id");
      r->row = row;
      r->item = json_object_ref (item);
      r->method_codes = g_ptr_array_new_with_free_func (g_free);
      for (guint m = 0; methods != NULL && m < json_array_get_length (methods); m++)
        {
          const char *code = json_array_get_string_element (methods, m);

          g_ptr_array_add (r->method_codes, g_strdup (code));
          gtk_string_list_append (names, method_name (self, code));
          r->has_off_site |= method_off_site (self, code);
        }
      /* The default method is the first off-site one the item allows. */
      for (guint m = 0; m < r->method_codes->len; m++)
        if (method_off_site (self, r->method_codes->pdata[m]))
          {
            selected = m;
            break;
          }
      if (chosen != NULL)
        for (guint m = 0; m < r->method_codes->len; m++)
          if (g_strcmp0 (r->method_codes->pdata[m], sui_json_get_string (chosen, "method")) == 0)
            selected = m;

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   g_str_equal (sui_json_get_string (item, "level"), "key")
                                   ? _("Key item: no ratio cap") : _("General item: the ratio is capped"));
      r->check = GTK_SWITCH (gtk_switch_new ());
      gtk_widget_set_valign (GTK_WIDGET (r->check), GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (r->check), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      title, -1);
      gtk_switch_set_active (r->check, chosen != NULL);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), GTK_WIDGET (r->check));
      r->method = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_object_ref (names)), NULL));
      gtk_drop_down_set_selected (r->method, selected);
      gtk_widget_set_valign (GTK_WIDGET (r->method), GTK_ALIGN_CENTER);
      accessible = g_strdup_printf (_("Check method of %s"), title);
      gtk_accessible_update_property (GTK_ACCESSIBLE (r->method), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      accessible, -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), GTK_WIDGET (r->method));
      adw_preferences_group_add (self->items_group, row);

      r->reason_row = adw_entry_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (r->reason_row),
                                     _("Why on site (the item allows an off-site check)"));
      g_free (accessible);
      accessible = g_strdup_printf (_("Reason for checking %s on site"), title);
      sui_form_label_editable (r->reason_row, accessible);
      if (chosen != NULL)
        gtk_editable_set_text (GTK_EDITABLE (r->reason_row), sui_json_get_string (chosen, "reason"));
      adw_preferences_group_add (self->items_group, r->reason_row);

      g_object_set_data (G_OBJECT (r->check), "item-row", r);
      g_object_set_data (G_OBJECT (r->method), "item-row", r);
      g_signal_connect (r->check, "notify::active", G_CALLBACK (on_item_changed), NULL);
      g_signal_connect (r->method, "notify::selected", G_CALLBACK (on_item_changed), NULL);
      g_ptr_array_add (self->item_rows, r);
      update_item_row (r);
    }
  /* The error row stays last in the group. */
  {
    g_autoptr(GtkWidget) error_row = g_object_ref (g_hash_table_lookup (self->error_rows, "items"));

    adw_preferences_group_remove (self->items_group, error_row);
    adw_preferences_group_add (self->items_group, error_row);
  }
}

static gboolean
has_legacy_items (SuiTaskEditor *self)
{
  g_autofree char *legacy = legacy_items (self);

  return legacy != NULL;
}

static JsonArray *
build_items (SuiTaskEditor *self)
{
  JsonArray *items = json_array_new ();

  for (guint i = 0; i < self->item_rows->len; i++)
    {
      ItemRow *r = self->item_rows->pdata[i];
      guint selected = gtk_drop_down_get_selected (r->method);
      JsonObject *o;

      if (!gtk_switch_get_active (r->check))
        continue;
      o = json_object_new ();
      json_object_set_int_member (o, "item_id", r->id);
      if (selected < r->method_codes->len)
        json_object_set_string_member (o, "method", r->method_codes->pdata[selected]);
      if (gtk_widget_get_visible (r->reason_row))
        {
          g_autofree char *reason = sui_form_get_text (r->reason_row);

          if (reason[0] != '\0')
            json_object_set_string_member (o, "reason", reason);
        }
      json_array_add_object_element (items, o);
    }
  return items;
}

/* Loading */

static void
show_task (SuiTaskEditor *self)
{
  JsonObject *t = self->task;
  const char *type = NULL;
  const char *district = NULL;
  g_autofree char *title = NULL;
  JsonNode *scope;
  guint selected = 0;

  if (t == NULL)
    return;

  self->filling = TRUE;
  set_text (self, "name", sui_json_get_string (t, "name"));
  set_text (self, "note", sui_json_get_string (t, "note"));
  for (guint i = 0; i < G_N_ELEMENTS (ratio_fields); i++)
    {
      g_autofree char *text = NULL;
      gint64 bp = sui_json_get_int (t, ratio_fields[i]);

      text = bp % 100 == 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, bp / 100)
                           : g_strdup_printf ("%.2f", bp / 100.0);
      set_text (self, ratio_fields[i], text);
    }
  {
    const char *ints[] = { "exclusion_months", "clean_exclusion_months",
                           "inspectors_per_object", "inspector_task_cap", "inspector_month_cap" };

    for (guint i = 0; i < G_N_ELEMENTS (ints); i++)
      {
        JsonNode *v = json_object_get_member (t, ints[i]);
        g_autofree char *text = v != NULL && JSON_NODE_HOLDS_VALUE (v)
                                ? g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (v))
                                : NULL;

        if (text != NULL || v != NULL)
          set_text (self, ints[i], text);
      }
  }
  if (json_object_has_member (t, "avoid_last_inspector"))
    gtk_switch_set_active (self->avoid_last_switch, sui_json_get_bool (t, "avoid_last_inspector"));
  set_text (self, "window_start", sui_json_get_string (t, "window_start"));
  set_text (self, "window_end", sui_json_get_string (t, "window_end"));
  set_text (self, "deadline", sui_json_get_string (t, "deadline"));

  g_hash_table_remove_all (self->tag_modes);
  g_clear_pointer (&self->custom_scope, json_node_unref);
  scope = json_object_get_member (t, "scope");
  if (!read_scope (self, scope, &type, &district))
    {
      g_hash_table_remove_all (self->tag_modes);
      self->custom_scope = json_node_copy (scope);
      type = district = NULL;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->custom_scope_row), self->custom_scope != NULL);
  for (guint i = 0; type != NULL && i < self->type_codes->len; i++)
    if (g_strcmp0 (self->type_codes->pdata[i], type) == 0)
      selected = i + 1;
  adw_combo_row_set_selected (self->type_row, selected);
  set_text (self, "district", district);

  title = g_strdup_printf ("%s · %s", sui_json_get_string (t, "name"),
                           sui_task_state_label (task_state (self)));
  adw_window_title_set_subtitle (self->window_title, title);
  adw_action_row_set_subtitle (self->state_row, sui_task_state_label (task_state (self)));
  self->filling = FALSE;
}

static void
show_preview (SuiTaskEditor *self)
{
  /* The three reasons for leaving objects out share one heading above them, so that no
   * heading is wrapped in the middle of a word. */
  const char *headers[] = { N_("Risk class"), N_("Ratio"), N_("Candidates (n)"),
                            N_("To draw (k)"), N_("Key supervision"),
                            N_("Same item"), N_("Checked, no problem") };
  JsonNode *strata = json_object_get_member (self->preview, "strata");
  g_autofree char *total = NULL;
  GtkWidget *child;
  GtkWidget *left_out;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->preview_grid))) != NULL)
    gtk_grid_remove (self->preview_grid, child);
  left_out = gtk_label_new (_("Left out"));
  gtk_label_set_xalign (GTK_LABEL (left_out), 0);
  gtk_widget_add_css_class (left_out, "heading");
  gtk_grid_attach (self->preview_grid, left_out, 4, 0, 3, 1);
  for (guint c = 0; c < G_N_ELEMENTS (headers); c++)
    {
      GtkWidget *label = gtk_label_new (_(headers[c]));

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_add_css_class (label, "heading");
      gtk_grid_attach (self->preview_grid, label, c, 1, 1, 1);
    }
  for (guint i = 0; strata != NULL && JSON_NODE_HOLDS_ARRAY (strata) &&
       i < json_array_get_length (json_node_get_array (strata)); i++)
    {
      JsonObject *s = json_array_get_object_element (json_node_get_array (strata), i);
      char *cells[7];

      cells[0] = g_strdup (sui_json_get_string (s, "name"));
      cells[1] = g_strdup_printf ("%.2f %%", sui_json_get_int (s, "ratio_bp") / 100.0);
      cells[2] = g_strdup_printf ("%" G_GINT64_FORMAT, sui_json_get_int (s, "n"));
      cells[3] = g_strdup_printf ("%" G_GINT64_FORMAT, sui_json_get_int (s, "k"));
      cells[4] = g_strdup_printf ("%" G_GINT64_FORMAT, sui_json_get_int (s, "excluded_key_supervision"));
      cells[5] = g_strdup_printf ("%" G_GINT64_FORMAT, sui_json_get_int (s, "excluded_recent"));
      cells[6] = g_strdup_printf ("%" G_GINT64_FORMAT, sui_json_get_int (s, "excluded_clean"));
      for (guint c = 0; c < G_N_ELEMENTS (cells); c++)
        {
          GtkWidget *label = gtk_label_new (cells[c]);

          gtk_label_set_xalign (GTK_LABEL (label), 0);
          gtk_grid_attach (self->preview_grid, label, c, i + 2, 1, 1);
          g_free (cells[c]);
        }
    }
  total = g_strdup_printf (_("%lld candidates, %lld to draw; left out: %lld under key supervision, "
                             "%lld drawn recently for the same item, %lld checked recently with "
                             "no problem"),
                           (long long) sui_json_get_int (self->preview, "n"),
                           (long long) sui_json_get_int (self->preview, "k"),
                           (long long) sui_json_get_int (self->preview, "excluded_key_supervision"),
                           (long long) sui_json_get_int (self->preview, "excluded_recent"),
                           (long long) sui_json_get_int (self->preview, "excluded_clean"));
  adw_action_row_set_subtitle (self->preview_total_row, total);
}

/* A number typed in a field: a percentage (to basis points) or a whole number. FALSE when the
 * text is not one; an empty text is FALSE with *empty set. */
static gboolean
parse_number (const char *text,
              gboolean    percent,
              gint64     *out,
              gboolean   *empty)
{
  char *end = NULL;
  double value;

  *empty = text[0] == '\0';
  if (*empty)
    return FALSE;
  value = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || !isfinite (value) ||
      value > 1e9 || value < -1e9 || (!percent && value != (double) (gint64) value))
    return FALSE;
  /* Rounded to the nearest basis point without libm. */
  value = percent ? value * 100 : value;
  *out = (gint64) (value + (value >= 0 ? 0.5 : -0.5));
  return TRUE;
}

static void
show_preview_problem (SuiTaskEditor *self,
                      const char    *message)
{
  GtkWidget *child;

  g_free (self->preview_message);
  self->preview_message = g_strdup (message);
  g_clear_pointer (&self->preview, json_object_unref);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->preview_grid))) != NULL)
    gtk_grid_remove (self->preview_grid, child);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->preview_total_row),
                                 _("Cannot count the candidates yet"));
  adw_action_row_set_subtitle (self->preview_total_row, message);
  gtk_widget_add_css_class (GTK_WIDGET (self->preview_total_row), "error");
}

static void
set_preview_loading (SuiTaskEditor *self,
                     gboolean       loading)
{
  self->preview_loading = loading;
  gtk_spinner_set_spinning (self->preview_spinner, loading);
  gtk_widget_set_visible (GTK_WIDGET (self->preview_spinner), loading);
}

typedef struct
{
  SuiTaskEditor *self;
  guint serial;
} PreviewCall;

static void
preview_call_free (PreviewCall *pc)
{
  g_clear_object (&pc->self);
  g_free (pc);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PreviewCall, preview_call_free)

static void
preview_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(PreviewCall) pc = user_data;
  SuiTaskEditor *self = pc->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) data = NULL;
  g_autoptr(JsonNode) node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result,
                                                         &data, &error);

  /* An answer to a call a newer one replaced describes values no longer on screen. */
  if (pc->serial != self->preview_serial ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_preview_loading (self, FALSE);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autoptr(GHashTable) fields = sui_error_data_get_fields (data);
      g_autoptr(GString) text = g_string_new (NULL);
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, fields);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        g_string_append_printf (text, "%s%s", text->len > 0 ? "；" : "", (const char *) value);
      if (text->len == 0)
        {
          g_autofree char *described = error != NULL ? sui_rpc_client_describe_error (error)
                                                     : NULL;

          g_string_append (text, described != NULL ? described
                                                   : _("The server gave no answer; try again."));
        }
      show_preview_problem (self, text->str);
      return;
    }
  g_clear_pointer (&self->preview_message, g_free);
  g_clear_pointer (&self->preview, json_object_unref);
  self->preview = json_object_ref (json_node_get_object (node));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->preview_total_row), _("In total"));
  gtk_widget_remove_css_class (GTK_WIDGET (self->preview_total_row), "error");
  show_preview (self);
}

/* The values on screen that decide the candidates, by the names of tasks.update; NULL with
 * *problem when one of them cannot be read. A task that cannot be edited is counted as
 * stored. */
static JsonNode *
preview_params (SuiTaskEditor  *self,
                char          **problem)
{
  const char *numbers[] = { "ratio_a_bp", "ratio_b_bp", "ratio_c_bp", "ratio_d_bp",
                            "exclusion_months", "clean_exclusion_months" };
  JsonObject *o;
  g_autoptr(JsonNode) params = sui_params_new (&o);
  g_autofree char *start = NULL;
  JsonNode *scope;

  if (self->task_id != 0)
    json_object_set_int_member (o, "id", self->task_id);
  else
    json_object_set_int_member (o, "plan_id", self->plan_id);
  if (self->task_id != 0 && !can_edit (self))
    return g_steal_pointer (&params);

  scope = sui_task_editor_build_scope (self);
  if (scope != NULL)
    json_object_set_member (o, "scope", scope);
  else
    json_object_set_null_member (o, "scope");
  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    {
      g_autofree char *text = get_text (self, numbers[i]);
      gboolean percent = g_str_has_prefix (numbers[i], "ratio_");
      gboolean empty = FALSE;
      gint64 value = 0;

      if (parse_number (text, percent, &value, &empty))
        json_object_set_int_member (o, numbers[i], value);
      else if (!empty)
        {
          GtkWidget *row = g_hash_table_lookup (self->fields, numbers[i]);

          *problem = g_strdup_printf (percent ? _("%s: enter a percentage, for example 5 or 12.5.")
                                              : _("%s: enter a whole number."),
                                      adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)));
          return NULL;
        }
    }
  start = get_text (self, "window_start");
  if (start[0] != '\0')
    json_object_set_string_member (o, "window_start", start);
  else
    json_object_set_null_member (o, "window_start");
  return g_steal_pointer (&params);
}

/* Asks for the candidates of what the form shows now, dropping any call under way. */
static void
load_preview (SuiTaskEditor *self)
{
  g_autoptr(JsonNode) params = NULL;
  g_autofree char *problem = NULL;
  PreviewCall *pc;

  g_clear_handle_id (&self->preview_source, g_source_remove);
  g_cancellable_cancel (self->preview_cancellable);
  g_clear_object (&self->preview_cancellable);
  self->preview_serial++;

  params = preview_params (self, &problem);
  if (params == NULL)
    {
      set_preview_loading (self, FALSE);
      show_preview_problem (self, problem);
      return;
    }
  self->preview_cancellable = g_cancellable_new ();
  pc = g_new0 (PreviewCall, 1);
  pc->self = g_object_ref (self);
  pc->serial = self->preview_serial;
  set_preview_loading (self, TRUE);
  sui_rpc_client_call_async (self->client, "tasks.preview", params, self->preview_cancellable,
                             preview_cb, pc);
}

static gboolean
preview_timeout_cb (gpointer user_data)
{
  SuiTaskEditor *self = user_data;

  self->preview_source = 0;
  load_preview (self);
  return G_SOURCE_REMOVE;
}

/* After a change of the scope, a ratio, the exclusion or the window: once the user has
 * stopped typing for a moment. Not while the form is filled from the server. */
static void
schedule_preview (SuiTaskEditor *self)
{
  if (self->pending > 0 || self->filling || self->client == NULL)
    return;
  g_clear_handle_id (&self->preview_source, g_source_remove);
  self->preview_source = g_timeout_add (PREVIEW_DELAY_MS, preview_timeout_cb, self);
}

static void
on_count_field_changed (SuiTaskEditor *self)
{
  schedule_preview (self);
}

static void
loaded_one (SuiTaskEditor *self)
{
  if (self->pending > 0 && --self->pending > 0)
    return;
  /* Everything the rows need is here: lay out what depends on it. */
  fill_items (self);
  show_task (self);
  fill_tags (self);
  update_actions (self);
  gtk_widget_set_sensitive (GTK_WIDGET (self->page), TRUE);
  load_preview (self);
}

static JsonNode *
finish (SuiTaskEditor *self,
        GObject       *object,
        GAsyncResult  *result,
        GError       **error)
{
  JsonNode *node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, error);

  set_busy (self, FALSE);
  if (node != NULL && !JSON_NODE_HOLDS_OBJECT (node))
    g_clear_pointer (&node, json_node_unref);
  return node;
}

static void
task_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SuiTaskEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = finish (self, object, result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (node != NULL)
    {
      g_clear_pointer (&self->task, json_object_unref);
      self->task = json_object_ref (json_node_get_object (node));
    }
  else if (error != NULL)
    toast (self, error->message);
  loaded_one (self);
}

static void
methods_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SuiTaskEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = finish (self, object, result, &error);
  JsonNode *items;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (node != NULL && (items = json_object_get_member (json_node_get_object (node), "items")) != NULL &&
      JSON_NODE_HOLDS_ARRAY (items))
    for (guint i = 0; i < json_array_get_length (json_node_get_array (items)); i++)
      {
        JsonObject *m = json_array_get_object_element (json_node_get_array (items), i);

        g_hash_table_insert (self->methods, g_strdup (sui_json_get_string (m, "code")),
                             json_object_ref (m));
      }
  loaded_one (self);
}

static void
items_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SuiTaskEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = finish (self, object, result, &error);
  JsonNode *items;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_pointer (&self->items, json_array_unref);
  if (node != NULL && (items = json_object_get_member (json_node_get_object (node), "items")) != NULL &&
      JSON_NODE_HOLDS_ARRAY (items))
    {
      self->items = json_array_new ();
      for (guint i = 0; i < json_array_get_length (json_node_get_array (items)); i++)
        {
          JsonObject *item = json_array_get_object_element (json_node_get_array (items), i);

          if (g_strcmp0 (sui_json_get_string (item, "state"), "released") != 0)
            json_array_add_object_element (self->items, json_object_ref (item));
        }
    }
  loaded_one (self);
}

static void
reference_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SuiTaskEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = finish (self, object, result, &error);
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  JsonNode *types;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  gtk_string_list_append (names, _("All types"));
  g_ptr_array_set_size (self->type_codes, 0);
  if (node != NULL && (types = json_object_get_member (json_node_get_object (node), "types")) != NULL &&
      JSON_NODE_HOLDS_ARRAY (types))
    for (guint i = 0; i < json_array_get_length (json_node_get_array (types)); i++)
      {
        JsonObject *t = json_array_get_object_element (json_node_get_array (types), i);

        g_ptr_array_add (self->type_codes, g_strdup (sui_json_get_string (t, "code")));
        gtk_string_list_append (names, sui_json_get_string (t, "name"));
      }
  adw_combo_row_set_model (self->type_row, G_LIST_MODEL (names));
  loaded_one (self);
}

static void
tags_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SuiTaskEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = finish (self, object, result, &error);
  JsonNode *groups;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (node != NULL && (groups = json_object_get_member (json_node_get_object (node), "groups")) != NULL &&
      JSON_NODE_HOLDS_ARRAY (groups))
    {
      g_clear_pointer (&self->tag_groups, json_array_unref);
      self->tag_groups = json_array_ref (json_node_get_array (groups));
    }
  loaded_one (self);
}

static void
call (SuiTaskEditor       *self,
      const char          *method,
      JsonNode            *params,
      GAsyncReadyCallback  callback)
{
  set_busy (self, TRUE);
  sui_rpc_client_call_async (self->client, method, params, self->cancellable, callback,
                             g_object_ref (self));
}

static void
load (SuiTaskEditor *self)
{
  JsonObject *o;
  g_autoptr(JsonNode) empty = sui_params_new (&o);

  gtk_widget_set_sensitive (GTK_WIDGET (self->page), FALSE);
  if (self->task_id == 0)
    {
      /* The defaults of a new task (risk_class_ratio's defaults, docs/protocol.md). */
      const char *defaults[][2] = {
        { "ratio_a_bp", "5" }, { "ratio_b_bp", "10" }, { "ratio_c_bp", "30" },
        { "ratio_d_bp", "61" }, { "exclusion_months", "12" },
        { "clean_exclusion_months", "12" }, { "inspectors_per_object", "2" },
        { "inspector_task_cap", "30" }, { "inspector_month_cap", "60" },
      };

      for (guint i = 0; i < G_N_ELEMENTS (defaults); i++)
        set_text (self, defaults[i][0], defaults[i][1]);
    }
  self->pending = self->task_id != 0 ? 5 : 4;
  call (self, "check_methods.list", empty, methods_cb);
  call (self, "items.list", empty, items_cb);
  call (self, "objects.reference", empty, reference_cb);
  call (self, "tags.list", empty, tags_cb);
  if (self->task_id != 0)
    {
      g_autoptr(JsonNode) params = sui_params_new (&o);

      json_object_set_int_member (o, "id", self->task_id);
      call (self, "tasks.get", params, task_cb);
    }
}

/* Saving */

static gboolean
put_int (SuiTaskEditor *self,
         JsonObject    *o,
         const char    *field,
         gboolean       percent)
{
  g_autofree char *text = get_text (self, field);
  gboolean empty = FALSE;
  gint64 value = 0;

  if (parse_number (text, percent, &value, &empty))
    {
      json_object_set_int_member (o, field, value);
      return TRUE;
    }
  if (empty)
    {
      json_object_set_null_member (o, field);
      return TRUE;
    }
  show_error (self, field, percent ? _("Enter a percentage, for example 5 or 12.5.")
                                   : _("Enter a whole number."));
  return FALSE;
}

static gboolean
is_null_member (JsonObject *o,
                const char *member)
{
  JsonNode *node = json_object_get_member (o, member);

  return node != NULL && JSON_NODE_HOLDS_NULL (node);
}

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SuiTaskEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) data = NULL;
  g_autoptr(JsonNode) node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result,
                                                         &data, &error);

  set_busy (self, FALSE);
  update_actions (self);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autoptr(GHashTable) fields = NULL;
      g_autofree char *rest = NULL;

      if (error == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      fields = sui_error_data_get_fields (data);
      rest = apply_errors (self, fields);
      if (g_hash_table_size (fields) == 0)
        toast (self, error->message);
      else if (rest != NULL)
        toast (self, rest);
      else
        toast (self, _("Some fields need correcting: see the messages below them."));
      return;
    }

  g_clear_pointer (&self->task, json_object_unref);
  self->task = json_object_ref (json_node_get_object (node));
  self->task_id = sui_json_get_id (self->task, "id");
  adw_window_title_set_title (self->window_title, _("Task"));
  gtk_window_set_title (GTK_WINDOW (self), _("Task"));
  show_task (self);
  update_actions (self);
  toast (self, _("The task was saved."));
  g_signal_emit_by_name (self, "saved");
  load_preview (self);
}

void
sui_task_editor_save (SuiTaskEditor *self)
{
  JsonObject *o;
  g_autoptr(JsonNode) params = sui_params_new (&o);
  g_autofree char *name = get_text (self, "name");
  g_autofree char *note = get_text (self, "note");
  const char *ints[] = { "exclusion_months", "clean_exclusion_months", "inspectors_per_object",
                         "inspector_task_cap", "inspector_month_cap" };
  const char *dates[] = { "window_start", "window_end", "deadline" };
  JsonNode *scope;
  JsonArray *tag_ids = json_array_new ();
  GHashTableIter iter;
  gpointer key, value;
  gboolean ok = TRUE;

  if (!can_edit (self))
    {
      json_array_unref (tag_ids);
      return;
    }
  clear_errors (self);

  if (self->task_id != 0)
    {
      json_object_set_int_member (o, "id", self->task_id);
      json_object_set_int_member (o, "version", sui_json_get_int (self->task, "version"));
    }
  else
    json_object_set_int_member (o, "plan_id", self->plan_id);
  json_object_set_string_member (o, "name", name);
  if (note[0] != '\0')
    json_object_set_string_member (o, "note", note);
  else
    json_object_set_null_member (o, "note");
  /* Items named the old way stay until the user chooses from the list. */
  if (self->items != NULL && (self->items_touched || self->task_id == 0 || !has_legacy_items (self)))
    json_object_set_array_member (o, "items", build_items (self));
  scope = sui_task_editor_build_scope (self);
  if (scope != NULL)
    json_object_set_member (o, "scope", scope);
  else
    json_object_set_null_member (o, "scope");
  for (guint i = 0; i < G_N_ELEMENTS (ratio_fields); i++)
    ok &= put_int (self, o, ratio_fields[i], TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (ints); i++)
    ok &= put_int (self, o, ints[i], FALSE);
  /* Absent means "the server's default" for what a new task leaves empty. */
  for (guint i = 0; i < G_N_ELEMENTS (ints); i++)
    if (self->task_id == 0 && is_null_member (o, ints[i]))
      json_object_remove_member (o, ints[i]);
  for (guint i = 0; i < G_N_ELEMENTS (ratio_fields); i++)
    if (self->task_id == 0 && is_null_member (o, ratio_fields[i]))
      json_object_remove_member (o, ratio_fields[i]);
  for (guint i = 0; i < G_N_ELEMENTS (dates); i++)
    {
      g_autofree char *text = get_text (self, dates[i]);

      if (text[0] != '\0')
        json_object_set_string_member (o, dates[i], text);
      else
        json_object_set_null_member (o, dates[i]);
    }
  g_hash_table_iter_init (&iter, self->inspector_tags);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (gtk_check_button_get_active (value))
      json_array_add_int_element (tag_ids, *(gint64 *) key);
  json_object_set_array_member (o, "inspector_tag_ids", tag_ids);
  json_object_set_boolean_member (o, "avoid_last_inspector",
                                  gtk_switch_get_active (self->avoid_last_switch));

  if (!ok)
    {
      toast (self, _("Some fields need correcting: see the messages below them."));
      return;
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "task.save", FALSE);
  call (self, self->task_id != 0 ? "tasks.update" : "tasks.create", params, saved_cb);
}

static void
ready_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SuiTaskEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result,
                                                         NULL, &error);

  set_busy (self, FALSE);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, error->message);
      update_actions (self);
      return;
    }
  g_clear_pointer (&self->task, json_object_unref);
  self->task = json_object_ref (json_node_get_object (node));
  show_task (self);
  update_actions (self);
  toast (self, _("The task is ready to draw: its candidates are frozen and the commitment is published."));
  g_signal_emit_by_name (self, "saved");
}

void
sui_task_editor_make_ready (SuiTaskEditor *self)
{
  JsonObject *o;
  g_autoptr(JsonNode) params = sui_params_new (&o);

  if (self->task == NULL)
    return;
  json_object_set_int_member (o, "id", self->task_id);
  json_object_set_int_member (o, "version", sui_json_get_int (self->task, "version"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "task.make-ready", FALSE);
  call (self, "tasks.make_ready", params, ready_cb);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  sui_task_editor_save (SUI_TASK_EDITOR (widget));
}

static void
make_ready_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  sui_task_editor_make_ready (SUI_TASK_EDITOR (widget));
}

static void
preview_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  load_preview (SUI_TASK_EDITOR (widget));
}

/* Accessors */

gboolean
sui_task_editor_get_busy (SuiTaskEditor *self)
{
  return self->busy > 0;
}

gboolean
sui_task_editor_get_ready (SuiTaskEditor *self)
{
  return self->pending == 0 && self->busy == 0 && self->preview_source == 0 &&
         !self->preview_loading;
}

gint64
sui_task_editor_get_task_id (SuiTaskEditor *self)
{
  return self->task_id;
}

JsonObject *
sui_task_editor_get_task (SuiTaskEditor *self)
{
  return self->task;
}

JsonObject *
sui_task_editor_get_preview (SuiTaskEditor *self)
{
  return self->preview;
}

/* TRUE from a change of what decides the candidates until tasks.preview has answered. */
gboolean
sui_task_editor_get_preview_pending (SuiTaskEditor *self)
{
  return self->preview_source != 0 || self->preview_loading;
}

const char *
sui_task_editor_get_preview_message (SuiTaskEditor *self)
{
  return self->preview_message;
}

const char *
sui_task_editor_get_last_message (SuiTaskEditor *self)
{
  return self->last_message;
}

void
sui_task_editor_set_field_text (SuiTaskEditor *self,
                                const char    *field,
                                const char    *text)
{
  if (g_str_equal (field, "avoid_last_inspector"))
    gtk_switch_set_active (self->avoid_last_switch, g_strcmp0 (text, "true") == 0);
  else
    set_text (self, field, text);
}

const char *
sui_task_editor_get_field_error (SuiTaskEditor *self,
                                 const char    *field)
{
  AdwActionRow *row = g_hash_table_lookup (self->error_rows, field);

  if (row == NULL || !gtk_widget_get_visible (GTK_WIDGET (row)))
    return NULL;
  return g_hash_table_lookup (self->errors, field);
}

gboolean
sui_task_editor_choose_item (SuiTaskEditor *self,
                             gint64         item_id,
                             const char    *method,
                             const char    *reason)
{
  for (guint i = 0; i < self->item_rows->len; i++)
    {
      ItemRow *r = self->item_rows->pdata[i];

      if (r->id != item_id)
        continue;
      gtk_switch_set_active (r->check, method != NULL);
      for (guint m = 0; method != NULL && m < r->method_codes->len; m++)
        if (g_str_equal (r->method_codes->pdata[m], method))
          gtk_drop_down_set_selected (r->method, m);
      gtk_editable_set_text (GTK_EDITABLE (r->reason_row), reason != NULL ? reason : "");
      return TRUE;
    }
  return FALSE;
}

void
sui_task_editor_set_scope_type (SuiTaskEditor *self,
                                const char    *type)
{
  guint selected = 0;

  for (guint i = 0; type != NULL && i < self->type_codes->len; i++)
    if (g_str_equal (self->type_codes->pdata[i], type))
      selected = i + 1;
  adw_combo_row_set_selected (self->type_row, selected);
}

/* Building */

static AdwPreferencesGroup *
group_new (SuiTaskEditor *self,
           const char    *title,
           const char    *description)
{
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  if (description != NULL)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), description);
  adw_preferences_page_add (self->page, ADW_PREFERENCES_GROUP (group));
  return ADW_PREFERENCES_GROUP (group);
}

static void
build (SuiTaskEditor *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *save = gtk_button_new_with_label (_("Save"));
  GtkWidget *ready = gtk_button_new_with_label (_("Make Ready"));
  GtkWidget *refresh = gtk_button_new_with_label (_("Refresh"));
  const char *ratio_titles[] = { N_("Class A, low risk (%)"), N_("Class B, normal risk (%)"),
                                 N_("Class C, raised risk (%)"), N_("Class D, high risk (%)") };
  AdwPreferencesGroup *g;
  GtkWidget *row;

  self->window_title = ADW_WINDOW_TITLE (adw_window_title_new (_("Task"), NULL));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), GTK_WIDGET (self->window_title));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (save), "task.save");
  gtk_widget_add_css_class (save, "suggested-action");
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), save);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (ready), "task.make-ready");
  gtk_widget_set_tooltip_text (ready, _("Freeze the candidates and publish the commitment of the draw"));
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), ready);
  self->ready_button = ready;
  self->spinner = GTK_SPINNER (gtk_spinner_new ());
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), GTK_WIDGET (self->spinner));
  gtk_box_append (GTK_BOX (box), header);

  self->page = ADW_PREFERENCES_PAGE (adw_preferences_page_new ());

  g = group_new (self, _("Task"), NULL);
  self->state_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->state_row), _("State"));
  adw_action_row_set_subtitle (self->state_row, _("New, not yet saved"));
  adw_preferences_group_add (g, GTK_WIDGET (self->state_row));
  entry_row (self, g, "name", _("Task name"));
  entry_row (self, g, "note", _("Note"));

  self->items_group = group_new (self, _("Check items and methods"),
                                 _("Off-site methods (written review, data sharing, online "
                                   "monitoring, video) come first whenever the item allows them; "
                                   "checking on site then needs a reason."));
  self->items_note = ADW_ACTION_ROW (adw_action_row_new ());
  gtk_widget_add_css_class (GTK_WIDGET (self->items_note), "dim-label");
  adw_preferences_group_add (self->items_group, GTK_WIDGET (self->items_note));
  error_row_new (self, self->items_group, "items");

  g = group_new (self, _("Objects to draw from"),
                 _("Objects of the unit that match, not retired, open, not under key "
                   "supervision, not drawn by another task for the same item within the "
                   "same-item period, and not checked with no problem found within the "
                   "no-problem period."));
  self->type_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->type_row), _("Object type"));
  g_signal_connect_object (self->type_row, "notify::selected", G_CALLBACK (on_scope_edited), self,
                           G_CONNECT_SWAPPED);
  adw_preferences_group_add (g, GTK_WIDGET (self->type_row));
  row = entry_row (self, g, "district", _("District (empty: every district)"));
  g_signal_connect_object (row, "changed", G_CALLBACK (on_scope_edited), self, G_CONNECT_SWAPPED);
  {
    GtkWidget *menu = gtk_menu_button_new ();
    GtkWidget *popover = gtk_popover_new ();
    GtkWidget *scrolled = gtk_scrolled_window_new ();

    self->tags_row = ADW_ACTION_ROW (adw_action_row_new ());
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->tags_row), _("Object tags"));
    self->tags_box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 6));
    gtk_widget_set_margin_start (GTK_WIDGET (self->tags_box), 6);
    gtk_widget_set_margin_end (GTK_WIDGET (self->tags_box), 6);
    gtk_widget_set_margin_top (GTK_WIDGET (self->tags_box), 6);
    gtk_widget_set_margin_bottom (GTK_WIDGET (self->tags_box), 6);
    gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->tags_box));
    gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                    GTK_POLICY_AUTOMATIC);
    gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
    gtk_scrolled_window_set_propagate_natural_width (GTK_SCROLLED_WINDOW (scrolled), TRUE);
    gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 420);
    gtk_popover_set_child (GTK_POPOVER (popover), scrolled);
    gtk_menu_button_set_popover (GTK_MENU_BUTTON (menu), popover);
    gtk_menu_button_set_label (GTK_MENU_BUTTON (menu), _("Choose…"));
    gtk_widget_set_valign (menu, GTK_ALIGN_CENTER);
    gtk_accessible_update_property (GTK_ACCESSIBLE (menu), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    _("Choose object tags"), -1);
    adw_action_row_add_suffix (self->tags_row, menu);
    adw_preferences_group_add (g, GTK_WIDGET (self->tags_row));
  }
  self->custom_scope_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->custom_scope_row),
                                 _("The stored scope has parts this form cannot show; it is kept as it is until you change the choices above."));
  gtk_widget_set_visible (GTK_WIDGET (self->custom_scope_row), FALSE);
  adw_preferences_group_add (g, GTK_WIDGET (self->custom_scope_row));
  error_row_new (self, g, "scope");

  g = group_new (self, _("Sampling per risk class"),
                 _("Percent of each class's candidates drawn. Default ranges: A up to 5 %, "
                   "B 5–20 %, C 21–60 %, D 61–100 %; a general item caps them further."));
  for (guint i = 0; i < G_N_ELEMENTS (ratio_fields); i++)
    {
      row = entry_row (self, g, ratio_fields[i], _(ratio_titles[i]));
      g_signal_connect_object (row, "changed", G_CALLBACK (on_count_field_changed), self,
                               G_CONNECT_SWAPPED);
    }
  row = entry_row (self, g, "exclusion_months",
                   _("Same item: leave out objects drawn for it within (months)"));
  g_signal_connect_object (row, "changed", G_CALLBACK (on_count_field_changed), self,
                           G_CONNECT_SWAPPED);
  row = entry_row (self, g, "clean_exclusion_months",
                   _("No problem: leave out objects checked clean within (months)"));
  g_signal_connect_object (row, "changed", G_CALLBACK (on_count_field_changed), self,
                           G_CONNECT_SWAPPED);

  /* Right below what decides the candidates, so that the numbers are seen changing. */
  self->preview_group = group_new (self, _("Candidates now"),
                                   _("What the draw would take with the values above, per risk "
                                     "class. It follows your changes; saving is not needed."));
  gtk_widget_set_name (GTK_WIDGET (self->preview_group), "candidates-preview");
  {
    GtkWidget *suffix = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

    self->preview_spinner = GTK_SPINNER (gtk_spinner_new ());
    gtk_widget_set_visible (GTK_WIDGET (self->preview_spinner), FALSE);
    gtk_widget_set_valign (GTK_WIDGET (self->preview_spinner), GTK_ALIGN_CENTER);
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->preview_spinner),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, _("Counting the candidates"),
                                    -1);
    gtk_box_append (GTK_BOX (suffix), GTK_WIDGET (self->preview_spinner));
    gtk_actionable_set_action_name (GTK_ACTIONABLE (refresh), "task.preview");
    gtk_widget_set_valign (refresh, GTK_ALIGN_CENTER);
    gtk_widget_set_tooltip_text (refresh, _("Count again now, e.g. after the registers changed"));
    gtk_box_append (GTK_BOX (suffix), refresh);
    adw_preferences_group_set_header_suffix (self->preview_group, suffix);
  }
  self->preview_total_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->preview_total_row), _("In total"));
  adw_action_row_set_subtitle (self->preview_total_row, _("Counting the candidates…"));
  adw_preferences_group_add (self->preview_group, GTK_WIDGET (self->preview_total_row));
  self->preview_grid = GTK_GRID (gtk_grid_new ());
  gtk_grid_set_column_spacing (self->preview_grid, 18);
  gtk_grid_set_row_spacing (self->preview_grid, 6);
  gtk_widget_set_margin_top (GTK_WIDGET (self->preview_grid), 12);
  adw_preferences_group_add (self->preview_group, GTK_WIDGET (self->preview_grid));

  g = group_new (self, _("Inspectors"),
                 _("At least two inspectors per object, each with a certificate valid for the "
                   "whole window, on duty and not recused."));
  entry_row (self, g, "inspectors_per_object", _("Inspectors per object"));
  self->inspector_tags_row = ADW_EXPANDER_ROW (adw_expander_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->inspector_tags_row),
                                 _("Tags every inspector must have"));
  adw_preferences_group_add (g, GTK_WIDGET (self->inspector_tags_row));
  error_row_new (self, g, "inspector_tag_ids");
  entry_row (self, g, "inspector_task_cap", _("At most objects per inspector in this task"));
  entry_row (self, g, "inspector_month_cap", _("At most objects per inspector per month"));
  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 _("Do not send the inspector who checked the object last time"));
  self->avoid_last_switch = GTK_SWITCH (gtk_switch_new ());
  gtk_switch_set_active (self->avoid_last_switch, TRUE);
  gtk_widget_set_valign (GTK_WIDGET (self->avoid_last_switch), GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->avoid_last_switch),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Do not send the inspector who checked the object last time"), -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), GTK_WIDGET (self->avoid_last_switch));
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), GTK_WIDGET (self->avoid_last_switch));
  adw_preferences_group_add (g, row);
  g_hash_table_insert (self->fields, g_strdup ("avoid_last_inspector"), row);
  error_row_new (self, g, "avoid_last_inspector");

  g = group_new (self, _("Window and deadline"), _("Dates as YYYY-MM-DD."));
  row = entry_row (self, g, "window_start", _("Checks from"));
  /* The exclusion period counts back from the start of the window. */
  g_signal_connect_object (row, "changed", G_CALLBACK (on_count_field_changed), self,
                           G_CONNECT_SWAPPED);
  entry_row (self, g, "window_end", _("Checks until"));
  entry_row (self, g, "deadline", _("Results due"));


  self->toasts = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  adw_toast_overlay_set_child (self->toasts, GTK_WIDGET (self->page));
  gtk_widget_set_vexpand (GTK_WIDGET (self->toasts), TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->toasts));
  adw_window_set_content (ADW_WINDOW (self), box);
}

/* GObject */

static void
sui_task_editor_dispose (GObject *object)
{
  SuiTaskEditor *self = (SuiTaskEditor *)object;

  g_clear_handle_id (&self->preview_source, g_source_remove);
  /* An answer that comes anyway finds its call outdated and touches no widget. */
  self->preview_serial++;
  g_cancellable_cancel (self->preview_cancellable);
  g_clear_object (&self->preview_cancellable);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  g_clear_pointer (&self->task, json_object_unref);
  g_clear_pointer (&self->preview, json_object_unref);
  g_clear_pointer (&self->custom_scope, json_node_unref);
  g_clear_pointer (&self->items, json_array_unref);
  g_clear_pointer (&self->tag_groups, json_array_unref);
  g_clear_pointer (&self->methods, g_hash_table_unref);
  g_clear_pointer (&self->item_rows, g_ptr_array_unref);
  g_clear_pointer (&self->fields, g_hash_table_unref);
  g_clear_pointer (&self->error_rows, g_hash_table_unref);
  g_clear_pointer (&self->errors, g_hash_table_unref);
  g_clear_pointer (&self->tag_modes, g_hash_table_unref);
  g_clear_pointer (&self->inspector_tags, g_hash_table_unref);
  g_clear_pointer (&self->type_codes, g_ptr_array_unref);
  g_clear_pointer (&self->last_message, g_free);
  g_clear_pointer (&self->preview_message, g_free);

  G_OBJECT_CLASS (sui_task_editor_parent_class)->dispose (object);
}

static void
sui_task_editor_class_init (SuiTaskEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sui_task_editor_dispose;

  g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "task.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "task.make-ready", NULL, make_ready_action);
  gtk_widget_class_install_action (widget_class, "task.preview", NULL, preview_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
sui_task_editor_init (SuiTaskEditor *self)
{
  self->cancellable = g_cancellable_new ();
  self->item_rows = g_ptr_array_new_with_free_func (item_row_free);
  self->fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->error_rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->errors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->tag_modes = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->inspector_tags = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->methods = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) json_object_unref);
  self->type_codes = g_ptr_array_new_with_free_func (g_free);
  gtk_window_set_default_size (GTK_WINDOW (self), 820, 900);
  build (self);
}

SuiTaskEditor *
sui_task_editor_new (SuiRpcClient *client,
                     gint64        plan_id,
                     gint64        task_id,
                     gboolean      supervisor,
                     gboolean      plan_editable)
{
  SuiTaskEditor *self = g_object_new (SUI_TYPE_TASK_EDITOR, NULL);

  self->client = g_object_ref (client);
  self->plan_id = plan_id;
  self->task_id = task_id;
  self->supervisor = supervisor;
  self->plan_editable = plan_editable;
  adw_window_title_set_title (self->window_title, task_id != 0 ? _("Task") : _("New Task"));
  gtk_window_set_title (GTK_WINDOW (self), task_id != 0 ? _("Task") : _("New Task"));
  update_actions (self);
  load (self);
  return self;
}
