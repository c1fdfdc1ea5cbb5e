/* sui-objects-page.c: the object register (检查对象名录库)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A unit's register holds tens of thousands of licensees, so the list never loads them all:
 * a SuiPagedModel fetches pages of objects.list by keyset as the user scrolls near the end,
 * and the first page carries the count of every match. The search, the drop-downs and the
 * tag choices make one filter expression of docs/protocol.md; the same expression tags
 * "everything that matches" on the server in one call, without sending ids back and forth.
 * Column sorting orders the rows loaded so far.
 */
#include "sui-config.h"

#include <glib/gi18n.h>

#include "sui-column-sort.h"
#include "sui-export.h"
#include "sui-grades-dialog.h"
#include "sui-import-dialog.h"
#include "sui-registry-dialog.h"
#include "sui-json.h"
#include "sui-object-dialog.h"
#include "sui-objects-page.h"
#include "sui-paged-model.h"
#include "sui-register-row.h"

#define RELOAD_DELAY_MS 300
#define PAGE_SIZE 200

struct _SuiObjectsPage
{
  AdwBin parent_instance;

  AdwToastOverlay *toast_overlay;
  GtkMenuButton *export_button;
  GtkSearchEntry *search_entry;
  GtkDropDown *type_dropdown;
  GtkDropDown *status_dropdown;
  GtkDropDown *risk_dropdown;
  GtkEntry *district_entry;
  GtkMenuButton *tags_button;
  GtkBox *tags_box;
  GtkLabel *filter_label;
  GtkScrolledWindow *scrolled;
  GtkColumnView *objects_view;
  GtkColumnViewColumn *name_column;
  GtkBox *detail_box;
  GtkSpinner *spinner;
  GtkLabel *count_label;

  SuiRpcClient *client;
  SuiEventsClient *events;
  gboolean admin;

  SuiPagedModel *objects;
  GtkMultiSelection *selection;

  JsonObject *reference;
  JsonArray *units;
  GHashTable *tag_names;     /* tag id → "group: name" */
  GHashTable *tag_modes;     /* tag id → SuiTagMode */
  GPtrArray *object_tags;    /* SuiRegisterRow of the tags that apply to objects */
  GPtrArray *type_codes;
  GPtrArray *status_codes;
  GPtrArray *risk_codes;

  SuiRegisterRow *detail;
  GCancellable *cancellable;
  gboolean loaded;
  GCancellable *detail_cancellable;
  char *last_message;
  guint reload_source;
  guint pending_reference;
  gboolean filter_applied;
};

G_DEFINE_FINAL_TYPE (SuiObjectsPage, sui_objects_page, ADW_TYPE_BIN)

static void
toast (SuiObjectsPage *self,
       const char     *message)
{
  AdwToast *t = adw_toast_new (message);

  g_free (self->last_message);
  self->last_message = g_strdup (message);
  adw_toast_set_priority (t, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_timeout (t, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, t);
}

static void
toast_error (SuiObjectsPage *self,
             const GError   *error)
{
  g_autofree char *message = sui_rpc_client_describe_error (error);

  toast (self, message);
}

static GtkWindow *
get_parent_window (SuiObjectsPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

/* Reference data */

static const char *
reference_name (SuiObjectsPage *self,
                const char     *list,
                const char     *code)
{
  JsonNode *node;
  JsonArray *array;

  if (self->reference == NULL || code == NULL || code[0] == '\0' ||
      (node = json_object_get_member (self->reference, list)) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (node))
    return code;

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *entry = json_array_get_object_element (array, i);

      if (g_strcmp0 (sui_json_get_string (entry, "code"), code) == 0)
        return sui_json_get_string (entry, "name");
    }

  return code;
}

static char *
tags_text (SuiObjectsPage *self,
           SuiRegisterRow *record)
{
  JsonNode *node = json_object_get_member (sui_register_row_get_json (record), "tag_ids");
  g_autoptr(GString) text = g_string_new (NULL);
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return g_strdup ("");

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      gint64 id = json_array_get_int_element (array, i);
      const char *name = self->tag_names != NULL
                         ? g_hash_table_lookup (self->tag_names, &id) : NULL;

      if (text->len > 0)
        g_string_append (text, "、");
      if (name != NULL)
        g_string_append (text, strchr (name, ':') != NULL ? strchr (name, ':') + 2 : name);
      else
        g_string_append_printf (text, "#%" G_GINT64_FORMAT, id);
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The text a column shows for a row. */
static char *
cell_text (SuiObjectsPage *self,
           SuiRegisterRow *record,
           const char     *member)
{
  if (g_str_equal (member, "type"))
    return g_strdup (reference_name (self, "types", sui_register_row_get_string (record, "type")));
  if (g_str_equal (member, "status"))
    return g_strdup (reference_name (self, "statuses",
                                     sui_register_row_get_string (record, "status")));
  if (g_str_equal (member, "tag_ids"))
    return tags_text (self, record);
  if (g_str_equal (member, "unit_id"))
    {
      gint64 unit_id = sui_json_get_id (sui_register_row_get_json (record), "unit_id");

      for (guint i = 0; self->units != NULL && i < json_array_get_length (self->units); i++)
        {
          JsonObject *unit = json_array_get_object_element (self->units, i);

          if (sui_json_get_id (unit, "id") == unit_id)
            return g_strdup (sui_json_get_string (unit, "name"));
        }
    }

  return sui_register_row_dup_text (record, member);
}

/* Count and selection */

static void
update_count (SuiObjectsPage *self)
{
  gint64 total = sui_paged_model_get_total (self->objects);
  guint loaded = g_list_model_get_n_items (G_LIST_MODEL (self->objects));
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (
                                                                       self->selection));
  guint64 n_selected = gtk_bitset_get_size (selected);
  g_autofree char *text = NULL;
  gboolean loading = sui_paged_model_get_loading (self->objects);

  if (total < 0)
    text = g_strdup (loading ? _("Loading…") : "");
  else if (n_selected > 0)
    /* Translators: "1820 objects match, 200 loaded, 3 selected" */
    text = g_strdup_printf (ngettext ("%u object matches, %u loaded, %u selected",
                                      "%u objects match, %u loaded, %u selected",
                                      (gulong) total),
                            (guint) total, loaded, (guint) n_selected);
  else
    text = g_strdup_printf (ngettext ("%u object matches, %u loaded",
                                      "%u objects match, %u loaded", (gulong) total),
                            (guint) total, loaded);

  gtk_label_set_text (self->count_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), loading);
  gtk_spinner_set_spinning (self->spinner, loading);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "objects.tag-selected", n_selected > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "objects.untag-selected", n_selected > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "objects.tag-matching", total > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "objects.edit", self->detail != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "objects.retire", self->detail != NULL);
}

/* Scrolling near the end asks for the next page; so does a first page too short to scroll. */
static void
maybe_load_more (SuiObjectsPage *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scrolled);
  double value = gtk_adjustment_get_value (adjustment);
  double page = gtk_adjustment_get_page_size (adjustment);
  double upper = gtk_adjustment_get_upper (adjustment);

  if (upper - (value + page) <= MAX (page, 200.0))
    sui_paged_model_load_more (self->objects);
}

/* Filter */

static gboolean
choice_code (GtkDropDown  *dropdown,
             GPtrArray    *codes,
             const char  **code)
{
  guint selected = gtk_drop_down_get_selected (dropdown);

  /* Entry 0 is "all". */
  if (codes == NULL || selected == 0 || selected == GTK_INVALID_LIST_POSITION ||
      selected > codes->len)
    return FALSE;

  *code = g_ptr_array_index (codes, selected - 1);
  return TRUE;
}

/**
 * sui_objects_page_build_filter:
 *
 * Returns: (transfer full) (nullable): the filter expression the search and the filter bar
 *   stand for, `{"and": [...]}`, or %NULL when nothing narrows the list
 */
JsonNode *
sui_objects_page_build_filter (SuiObjectsPage *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) any = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) none = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *search = NULL;
  g_autofree char *district = NULL;
  const struct { GtkDropDown *dropdown; GPtrArray *codes; const char *member; } choices[] = {
    { self->type_dropdown, self->type_codes, "type" },
    { self->status_dropdown, self->status_codes, "status" },
    { self->risk_dropdown, self->risk_codes, "risk_class" },
  };
  GHashTableIter iter;
  gpointer key, value;
  guint parts = 0;

  g_return_val_if_fail (SUI_IS_OBJECTS_PAGE (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "and");
  json_builder_begin_array (builder);

  search = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry))));
  if (search[0] != '\0')
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "text");
      json_builder_add_string_value (builder, search);
      json_builder_end_object (builder);
      parts++;
    }

  for (guint i = 0; i < G_N_ELEMENTS (choices); i++)
    {
      const char *code;

      if (!choice_code (choices[i].dropdown, choices[i].codes, &code))
        continue;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, choices[i].member);
      json_builder_add_string_value (builder, code);
      json_builder_end_object (builder);
      parts++;
    }

  district = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->district_entry))));
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

      switch ((SuiTagMode) GPOINTER_TO_INT (value))
        {
        case SUI_TAG_MODE_ALL:
          g_array_append_val (all, id);
          break;
        case SUI_TAG_MODE_ANY:
          g_array_append_val (any, id);
          break;
        case SUI_TAG_MODE_NOT:
          g_array_append_val (none, id);
          break;
        case SUI_TAG_MODE_ANY_VALUE:
        default:
          break;
        }
    }
  parts += sui_json_add_tag_conditions (builder, all, any, none);

  json_builder_end_array (builder);
  json_builder_end_object (builder);

  if (parts == 0)
    return NULL;

  return json_builder_get_root (builder);
}

/* @force: fetch again even when the expression has not changed (a reload) */
static void
apply_filter_full (SuiObjectsPage *self,
                   gboolean        force)
{
  g_autoptr(JsonNode) filter = sui_objects_page_build_filter (self);
  guint n_tags = 0;
  GHashTableIter iter;
  gpointer value;
  g_autofree char *label = NULL;

  g_hash_table_iter_init (&iter, self->tag_modes);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    n_tags += GPOINTER_TO_INT (value) != SUI_TAG_MODE_ANY_VALUE;

  if (n_tags > 0)
    label = g_strdup_printf (ngettext ("Tags (%u)", "Tags (%u)", n_tags), n_tags);
  else
    label = g_strdup (_("Tags"));
  gtk_menu_button_set_label (self->tags_button, label);
  gtk_label_set_text (self->filter_label, filter != NULL ? _("Filtered") : "");

  /* The search entry reports its text once more after a delay: the same expression need not
   * start the list over. */
  if (!force && self->filter_applied &&
      ((filter == NULL && sui_paged_model_get_filter (self->objects) == NULL) ||
       (filter != NULL && sui_paged_model_get_filter (self->objects) != NULL &&
        json_node_equal (filter, sui_paged_model_get_filter (self->objects)))))
    return;

  self->filter_applied = TRUE;
  sui_paged_model_set_filter (self->objects, filter);
}

static void
apply_filter (SuiObjectsPage *self)
{
  apply_filter_full (self, FALSE);
}

static void
on_filter_changed (SuiObjectsPage *self)
{
  apply_filter (self);
}

/* Tags filter popover */

static void
on_tag_mode_toggled (GtkToggleButton *button,
                     SuiObjectsPage  *self)
{
  gint64 *id = g_object_get_data (G_OBJECT (button), "tag-id");
  SuiTagMode mode = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "mode"));

  if (!gtk_toggle_button_get_active (button))
    return;

  if (mode == SUI_TAG_MODE_ANY_VALUE)
    g_hash_table_remove (self->tag_modes, id);
  else
    g_hash_table_insert (self->tag_modes, g_memdup2 (id, sizeof *id), GINT_TO_POINTER (mode));

  apply_filter (self);
}

/* One row per tag with four linked toggles: does not matter / must have (AND) / one of
 * these (OR) / must not have (NOT). Visible at a glance, one click each. */
static void
fill_tags_box (SuiObjectsPage *self)
{
  GtkWidget *child;
  const struct { const char *label; const char *meaning; } modes[] = {
    { N_("Any"), N_("does not matter") },
    { N_("AND"), N_("must have") },
    { N_("OR"), N_("one of these") },
    { N_("NOT"), N_("must not have") },
  };

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->tags_box))) != NULL)
    gtk_box_remove (self->tags_box, child);

  for (guint i = 0; i < self->object_tags->len; i++)
    {
      SuiRegisterRow *tag = g_ptr_array_index (self->object_tags, i);
      gint64 id = sui_register_row_get_id (tag);
      const char *name = g_hash_table_lookup (self->tag_names, &id);
      GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      GtkWidget *label = gtk_label_new (name);
      GtkWidget *linked = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
      guint current = GPOINTER_TO_UINT (g_hash_table_lookup (self->tag_modes, &id));
      GtkToggleButton *first = NULL;

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_set_hexpand (label, TRUE);
      gtk_widget_add_css_class (linked, "linked");
      for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
        {
          GtkWidget *button = gtk_toggle_button_new_with_label (_(modes[m].label));
          g_autofree char *accessible = g_strdup_printf ("%s %s", name, _(modes[m].meaning));

          gtk_widget_set_tooltip_text (button, _(modes[m].meaning));
          gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                          accessible, -1);
          if (first == NULL)
            first = GTK_TOGGLE_BUTTON (button);
          else
            gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (button), first);
          gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), m == current);
          g_object_set_data_full (G_OBJECT (button), "tag-id", g_memdup2 (&id, sizeof id), g_free);
          g_object_set_data (G_OBJECT (button), "mode", GUINT_TO_POINTER (m));
          g_signal_connect_object (button, "toggled", G_CALLBACK (on_tag_mode_toggled), self, 0);
          gtk_box_append (GTK_BOX (linked), button);
        }
      gtk_box_append (GTK_BOX (row), label);
      gtk_box_append (GTK_BOX (row), linked);
      gtk_box_append (self->tags_box, row);
    }
}

void
sui_objects_page_set_tag_mode (SuiObjectsPage *self,
                               gint64          tag_id,
                               SuiTagMode      mode)
{
  g_return_if_fail (SUI_IS_OBJECTS_PAGE (self));

  if (mode == SUI_TAG_MODE_ANY_VALUE)
    g_hash_table_remove (self->tag_modes, &tag_id);
  else
    g_hash_table_insert (self->tag_modes, g_memdup2 (&tag_id, sizeof tag_id),
                         GINT_TO_POINTER (mode));

  fill_tags_box (self);
  apply_filter (self);
}

void
sui_objects_page_set_search (SuiObjectsPage *self,
                             const char     *text)
{
  g_return_if_fail (SUI_IS_OBJECTS_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text != NULL ? text : "");
  apply_filter (self);
}

void
sui_objects_page_set_district (SuiObjectsPage *self,
                               const char     *district)
{
  g_return_if_fail (SUI_IS_OBJECTS_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->district_entry), district != NULL ? district : "");
  apply_filter (self);
}

/**
 * sui_objects_page_set_choice:
 * @field: `type`, `status` or `risk_class`
 * @code: (nullable): a code of objects.reference, %NULL for all
 *
 * Returns: %TRUE when the code is one of the choices
 */
gboolean
sui_objects_page_set_choice (SuiObjectsPage *self,
                             const char     *field,
                             const char     *code)
{
  GtkDropDown *dropdown = NULL;
  GPtrArray *codes = NULL;

  g_return_val_if_fail (SUI_IS_OBJECTS_PAGE (self), FALSE);

  if (g_strcmp0 (field, "type") == 0)
    dropdown = self->type_dropdown, codes = self->type_codes;
  else if (g_strcmp0 (field, "status") == 0)
    dropdown = self->status_dropdown, codes = self->status_codes;
  else if (g_strcmp0 (field, "risk_class") == 0)
    dropdown = self->risk_dropdown, codes = self->risk_codes;

  if (dropdown == NULL || codes == NULL)
    return FALSE;

  if (code == NULL)
    {
      gtk_drop_down_set_selected (dropdown, 0);
      return TRUE;
    }

  for (guint i = 0; i < codes->len; i++)
    if (g_strcmp0 (g_ptr_array_index (codes, i), code) == 0)
      {
        gtk_drop_down_set_selected (dropdown, i + 1);
        return TRUE;
      }

  return FALSE;
}

static void
on_choice_changed (SuiObjectsPage *self)
{
  apply_filter (self);
}

static void
fill_choice (SuiObjectsPage  *self,
             GtkDropDown     *dropdown,
             GPtrArray      **codes,
             const char      *all_label,
             const char      *list)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  JsonNode *node = json_object_get_member (self->reference, list);
  g_autofree char *previous = NULL;
  const char *code_before;
  guint selected = 0;

  /* A reload keeps the choice the user made. */
  if (choice_code (dropdown, *codes, &code_before))
    previous = g_strdup (code_before);

  g_clear_pointer (codes, g_ptr_array_unref);
  *codes = g_ptr_array_new_with_free_func (g_free);
  gtk_string_list_append (names, all_label);

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonObject *entry = json_array_get_object_element (array, i);
          const char *code = sui_json_get_string (entry, "code");
          g_autofree char *label = NULL;

          if (g_str_equal (list, "risk_classes"))
            label = g_strdup_printf ("%s %s", code, sui_json_get_string (entry, "name"));
          else
            label = g_strdup (sui_json_get_string (entry, "name"));
          gtk_string_list_append (names, label);
          g_ptr_array_add (*codes, g_strdup (code));
          if (g_strcmp0 (code, previous) == 0)
            selected = (*codes)->len;
        }
    }

  g_signal_handlers_block_by_func (dropdown, on_choice_changed, self);
  gtk_drop_down_set_model (dropdown, G_LIST_MODEL (names));
  gtk_drop_down_set_selected (dropdown, selected);
  g_signal_handlers_unblock_by_func (dropdown, on_choice_changed, self);
}

/* Loading reference data, tags and units */

static void
reference_loaded (SuiObjectsPage *self)
{
  if (--self->pending_reference > 0)
    return;

  /* Labels and tag names are known now: fetch the first page with them. */
  apply_filter_full (self, TRUE);
}

static void
reference_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SuiObjectsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      g_clear_pointer (&self->reference, json_object_unref);
      self->reference = json_object_ref (json_node_get_object (node));
      fill_choice (self, self->type_dropdown, &self->type_codes, _("All types"), "types");
      fill_choice (self, self->status_dropdown, &self->status_codes, _("All statuses"),
                   "statuses");
      fill_choice (self, self->risk_dropdown, &self->risk_codes, _("All risk classes"),
                   "risk_classes");
    }
  else if (error != NULL)
    toast_error (self, error);

  reference_loaded (self);
}

static void
tags_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SuiObjectsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonNode *groups;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node) &&
      (groups = json_object_get_member (json_node_get_object (node), "groups")) != NULL &&
      JSON_NODE_HOLDS_ARRAY (groups))
    {
      JsonArray *array = json_node_get_array (groups);

      g_hash_table_remove_all (self->tag_names);
      g_ptr_array_set_size (self->object_tags, 0);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonObject *group = json_array_get_object_element (array, i);
          JsonArray *tags = json_object_get_array_member (group, "tags");
          gboolean for_objects = !g_str_equal (sui_json_get_string (group, "applies_to"),
                                               "inspectors");

          for (guint j = 0; tags != NULL && j < json_array_get_length (tags); j++)
            {
              JsonObject *tag = json_array_get_object_element (tags, j);
              gint64 id = sui_json_get_id (tag, "id");

              g_hash_table_insert (self->tag_names, g_memdup2 (&id, sizeof id),
                                   g_strdup_printf ("%s: %s",
                                                    sui_json_get_string (group, "name"),
                                                    sui_json_get_string (tag, "name")));
              if (for_objects && !sui_json_get_bool (tag, "retired") &&
                  !sui_json_get_bool (group, "retired"))
                g_ptr_array_add (self->object_tags, sui_register_row_new (tag));
            }
        }
      fill_tags_box (self);
    }
  else if (error != NULL)
    toast_error (self, error);

  reference_loaded (self);
}

static void
units_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SuiObjectsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonNode *items;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node) &&
      (items = json_object_get_member (json_node_get_object (node), "items")) != NULL &&
      JSON_NODE_HOLDS_ARRAY (items))
    {
      JsonArray *all = json_node_get_array (items);

      /* Objects belong to direct units, never to the bureau itself. */
      g_clear_pointer (&self->units, json_array_unref);
      self->units = json_array_new ();
      for (guint i = 0; i < json_array_get_length (all); i++)
        {
          JsonObject *unit = json_array_get_object_element (all, i);

          if (g_str_equal (sui_json_get_string (unit, "kind"), "direct"))
            json_array_add_object_element (self->units, json_object_ref (unit));
        }
    }

  reference_loaded (self);
}

static JsonNode *
empty_params (void)
{
  return json_node_init_object (json_node_alloc (), json_object_new ());
}

/**
 * sui_objects_page_reload:
 *
 * Fetches the reference data and the tags, then the first page of objects.
 */
void
sui_objects_page_reload (SuiObjectsPage *self)
{
  g_autoptr(JsonNode) params = empty_params ();

  g_return_if_fail (SUI_IS_OBJECTS_PAGE (self));

  g_clear_handle_id (&self->reload_source, g_source_remove);
  self->pending_reference = self->admin ? 3 : 2;
  sui_rpc_client_call_async (self->client, "objects.reference", params, self->cancellable,
                             reference_cb, g_object_ref (self));
  sui_rpc_client_call_async (self->client, "tags.list", params, self->cancellable,
                             tags_cb, g_object_ref (self));
  if (self->admin)
    sui_rpc_client_call_async (self->client, "units.list", params, self->cancellable,
                               units_cb, g_object_ref (self));
}

gboolean
sui_objects_page_get_ready (SuiObjectsPage *self)
{
  g_return_val_if_fail (SUI_IS_OBJECTS_PAGE (self), FALSE);

  return self->pending_reference == 0 && self->reference != NULL &&
         sui_paged_model_get_total (self->objects) >= 0;
}

gboolean
sui_objects_page_get_loading (SuiObjectsPage *self)
{
  g_return_val_if_fail (SUI_IS_OBJECTS_PAGE (self), FALSE);

  return self->pending_reference > 0 || sui_paged_model_get_loading (self->objects);
}

/* Detail pane */

static GtkWidget *
detail_group (SuiObjectsPage *self,
              const char     *title)
{
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  gtk_box_append (self->detail_box, group);
  return group;
}

static void
detail_row (GtkWidget  *group,
            const char *title,
            const char *value)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  /* NULL: a row that only says something (no value); "" : a field left empty. */
  if (value != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value[0] != '\0' ? value : "—");
  gtk_widget_add_css_class (row, "property");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
}

static void
clear_detail (SuiObjectsPage *self,
              const char     *placeholder)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->detail_box))) != NULL)
    gtk_box_remove (self->detail_box, child);

  if (placeholder != NULL)
    {
      GtkWidget *label = gtk_label_new (placeholder);

      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_widget_add_css_class (label, "dim-label");
      gtk_widget_set_vexpand (label, TRUE);
      gtk_box_append (self->detail_box, label);
    }
}

static void
show_detail (SuiObjectsPage *self,
             JsonObject     *full)
{
  g_autoptr(SuiRegisterRow) record = sui_register_row_new (full);
  const struct { const char *member; const char *title; } rows[] = {
    { "licence_no", N_("Licence number") },
    { "name", N_("Business name") },
    { "type", N_("Object type") },
    { "credit_code", N_("Unified social credit code") },
    { "legal_rep", N_("Legal representative") },
    { "address", N_("Address") },
    { "district", N_("District") },
    { "status", N_("Business status") },
    { "licence_valid_from", N_("Licence valid from") },
    { "licence_valid_until", N_("Licence valid until") },
    { "credit_grade", N_("Credit grade") },
    { "risk_class", N_("Risk class") },
    { "key_supervision_reason", N_("Reason for key supervision") },
    { "last_check_date", N_("Last check") },
    { "contact", N_("Contact phone") },
  };
  GtkWidget *group;
  JsonArray *array;

  clear_detail (self, NULL);

  group = detail_group (self, sui_json_get_string (full, "name"));
  if (sui_json_get_bool (full, "key_supervision"))
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                           _("Under key supervision"));
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *text = cell_text (self, record, rows[i].member);

      if (g_str_equal (rows[i].member, "risk_class") && text[0] != '\0')
        {
          g_autofree char *with_name = g_strdup_printf ("%s %s", text,
                                                        reference_name (self, "risk_classes",
                                                                        text));
          detail_row (group, _(rows[i].title), with_name);
        }
      else
        detail_row (group, _(rows[i].title), text);
    }

  group = detail_group (self, _("Tags"));
  array = json_object_has_member (full, "tags") ? json_object_get_array_member (full, "tags")
                                                : NULL;
  if (array == NULL || json_array_get_length (array) == 0)
    detail_row (group, _("No tags"), NULL);
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *tag = json_array_get_object_element (array, i);

      detail_row (group, sui_json_get_string (tag, "name"),
                  sui_json_get_string (tag, "group_name"));
    }

  group = detail_group (self, _("History"));
  array = json_object_has_member (full, "history")
          ? json_object_get_array_member (full, "history") : NULL;
  if (array == NULL || json_array_get_length (array) == 0)
    detail_row (group, _("No changes yet"), NULL);
  for (guint i = 0; array != NULL && i < json_array_get_length (array) && i < 50; i++)
    {
      JsonObject *entry = json_array_get_object_element (array, i);
      JsonObject *after = json_object_has_member (entry, "after") &&
                          JSON_NODE_HOLDS_OBJECT (json_object_get_member (entry, "after"))
                          ? json_object_get_object_member (entry, "after") : NULL;
      g_autoptr(GString) what = g_string_new (NULL);
      g_autofree char *title = NULL;
      g_autoptr(GDateTime) at = g_date_time_new_from_iso8601 (sui_json_get_string (entry, "at"),
                                                              NULL);
      g_autoptr(GDateTime) local = at != NULL ? g_date_time_to_local (at) : NULL;
      g_autofree char *when = local != NULL ? g_date_time_format (local, "%Y-%m-%d %H:%M")
                                            : g_strdup (sui_json_get_string (entry, "at"));

      if (after != NULL)
        {
          g_autoptr(GList) members = json_object_get_members (after);

          for (GList *l = members; l != NULL; l = l->next)
            {
              const char *label = l->data;

              /* The changed columns, by the names the form uses. */
              for (guint j = 0; j < G_N_ELEMENTS (rows); j++)
                if (g_str_equal (rows[j].member, l->data))
                  label = _(rows[j].title);
              if (g_str_equal (l->data, "tag_ids"))
                label = _("Tags");
              g_string_append_printf (what, "%s%s", what->len > 0 ? "、" : "", label);
            }
        }
      if (what->len == 0)
        g_string_append (what, sui_json_get_string (entry, "method"));
      title = g_strdup_printf ("%s · %s", when,
                               sui_json_get_string (entry, "actor_name")[0] != '\0'
                               ? sui_json_get_string (entry, "actor_name") : _("System"));
      detail_row (group, title, what->str);
    }
}

static void
detail_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SuiObjectsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autofree char *message = error != NULL ? sui_rpc_client_describe_error (error) : NULL;

      clear_detail (self, message);
      return;
    }

  show_detail (self, json_node_get_object (node));
}

static void
load_detail (SuiObjectsPage *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) params = NULL;

  g_cancellable_cancel (self->detail_cancellable);
  g_clear_object (&self->detail_cancellable);

  if (self->detail == NULL)
    return;

  self->detail_cancellable = g_cancellable_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, sui_register_row_get_id (self->detail));
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);
  sui_rpc_client_call_async (self->client, "objects.get", params, self->detail_cancellable,
                             detail_cb, g_object_ref (self));
}

static void
on_selection_changed (SuiObjectsPage *self)
{
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (
                                                                       self->selection));
  guint64 n = gtk_bitset_get_size (selected);
  g_autoptr(SuiRegisterRow) record = NULL;

  if (n == 1)
    record = g_list_model_get_item (G_LIST_MODEL (self->selection),
                                    gtk_bitset_get_nth (selected, 0));

  if (record != NULL && self->detail != NULL &&
      sui_register_row_get_id (record) == sui_register_row_get_id (self->detail))
    {
      update_count (self);
      return;
    }

  g_set_object (&self->detail, record);
  if (record != NULL)
    load_detail (self);
  else if (n > 1)
    {
      g_autofree char *text = g_strdup_printf (ngettext ("%u object selected. "
                                                         "Use the buttons below to tag them.",
                                                         "%u objects selected. "
                                                         "Use the buttons below to tag them.",
                                                         (guint) n), (guint) n);
      clear_detail (self, text);
    }
  else
    clear_detail (self, _("Select an object to see its details, tags and history."));

  update_count (self);
}

/* Live reload */

static gboolean
reload_cb (gpointer user_data)
{
  SuiObjectsPage *self = user_data;

  self->reload_source = 0;
  sui_paged_model_reload (self->objects);
  load_detail (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_reload (SuiObjectsPage *self)
{
  if (self->reload_source == 0)
    self->reload_source = g_timeout_add (RELOAD_DELAY_MS, reload_cb, self);
}

static void
changed_object_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(SuiObjectsPage) self = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(SuiRegisterRow) record = NULL;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, NULL);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return;

  record = sui_register_row_new (json_node_get_object (node));
  sui_paged_model_replace (self->objects, record);
  if (self->detail != NULL && sui_register_row_get_id (self->detail) == sui_register_row_get_id (record))
    show_detail (self, json_node_get_object (node));
}

static void
on_events_changed (SuiObjectsPage  *self,
                   const char      *area,
                   const char      *id,
                   SuiEventsClient *events)
{
  gint64 object_id = id != NULL ? g_ascii_strtoll (id, NULL, 10) : 0;

  /* One object changed and it is on screen: refresh that row alone, keeping the scroll
   * position. A bulk change (tags, an import) starts the list over. */
  if (g_strcmp0 (area, "objects") == 0 && object_id > 0 &&
      sui_paged_model_find (self->objects, object_id, NULL) != NULL)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) params = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, object_id);
      json_builder_end_object (builder);
      params = json_builder_get_root (builder);
      sui_rpc_client_call_async (self->client, "objects.get", params, self->cancellable,
                                 changed_object_cb, g_object_ref (self));
    }
  else if (g_strcmp0 (area, "objects") == 0 && object_id > 0)
    return;
  else if (g_strcmp0 (area, "objects") == 0 || g_strcmp0 (area, "imports") == 0 ||
           g_strcmp0 (area, "tags") == 0)
    schedule_reload (self);
}

static void
on_events_reconnected (SuiObjectsPage  *self,
                       SuiEventsClient *events)
{
  schedule_reload (self);
}

/* Actions */

static void
on_object_saved (SuiObjectsPage *self,
                 SuiRegisterRow *object,
                 gboolean        created)
{
  g_autofree char *message = NULL;

  if (created)
    message = g_strdup_printf (_("Object “%s” was created."),
                               sui_register_row_get_string (object, "name"));
  else
    message = g_strdup_printf (_("Object “%s” was saved."),
                               sui_register_row_get_string (object, "name"));
  toast (self, message);

  if (!sui_paged_model_replace (self->objects, object))
    schedule_reload (self);
  if (!created)
    load_detail (self);
}

/**
 * sui_objects_page_open_editor:
 * @edit_selected: edit the object shown in the detail pane, else create one
 *
 * Returns: (transfer none) (nullable): the dialog, presented
 */
GtkWindow *
sui_objects_page_open_editor (SuiObjectsPage *self,
                              gboolean        edit_selected)
{
  SuiObjectDialog *dialog;

  g_return_val_if_fail (SUI_IS_OBJECTS_PAGE (self), NULL);

  if (edit_selected && self->detail == NULL)
    return NULL;

  dialog = sui_object_dialog_new (self->client, self->reference,
                                  self->admin ? self->units : NULL,
                                  edit_selected ? self->detail : NULL);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), get_parent_window (self));
  g_signal_connect_object (dialog, "saved", G_CALLBACK (on_object_saved), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));

  return GTK_WINDOW (dialog);
}

static void
new_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  sui_objects_page_open_editor (SUI_OBJECTS_PAGE (widget), FALSE);
}

static void
edit_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  sui_objects_page_open_editor (SUI_OBJECTS_PAGE (widget), TRUE);
}

static void
on_object_activated (SuiObjectsPage *self,
                     guint           position)
{
  gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);
  sui_objects_page_open_editor (self, TRUE);
}

static void
retire_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SuiObjectsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (node == NULL)
    {
      toast_error (self, error);
      return;
    }

  toast (self, _("The object was retired. It stays on record but is no longer drawn."));
  g_clear_object (&self->detail);
  schedule_reload (self);
}

static void
on_retire_response (AdwMessageDialog *dialog,
                    const char       *response,
                    SuiObjectsPage   *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "reason");
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) params = NULL;
  g_autofree char *reason = NULL;

  if (g_strcmp0 (response, "retire") != 0 || self->detail == NULL)
    return;

  reason = g_strstrip (g_strdup (gtk_editable_get_text (entry)));
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, sui_register_row_get_id (self->detail));
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, sui_register_row_get_version (self->detail));
  json_builder_set_member_name (builder, "reason");
  json_builder_add_string_value (builder, reason);
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);
  sui_rpc_client_call_async (self->client, "objects.retire", params, self->cancellable,
                             retire_cb, g_object_ref (self));
}

static void
retire_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SuiObjectsPage *self = SUI_OBJECTS_PAGE (widget);
  g_autofree char *heading = NULL;
  GtkWidget *dialog;
  GtkWidget *entry;

  if (self->detail == NULL)
    return;

  heading = g_strdup_printf (_("Retire “%s”?"), sui_register_row_get_string (self->detail, "name"));
  dialog = adw_message_dialog_new (get_parent_window (self), heading,
                                   _("A retired object is kept with its history but is no "
                                     "longer drawn. Give the reason, e.g. the licence was "
                                     "cancelled."));
  entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Reason"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Reason"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("Cancel"),
                                    "retire", _("Retire"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "retire",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "reason", entry);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_retire_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Bulk tagging */

static void
tag_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(SuiObjectsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *message = NULL;
  JsonObject *answer;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      if (error != NULL)
        toast_error (self, error);
      return;
    }

  answer = json_node_get_object (node);
  if (g_str_equal (sui_json_get_string (answer, "action"), "remove"))
    message = g_strdup_printf (_("Tag removed: %u of %u objects changed."),
                               (guint) sui_json_get_int (answer, "changed"),
                               (guint) sui_json_get_int (answer, "matched"));
  else
    message = g_strdup_printf (_("Tag applied: %u of %u objects changed."),
                               (guint) sui_json_get_int (answer, "changed"),
                               (guint) sui_json_get_int (answer, "matched"));
  toast (self, message);
  schedule_reload (self);
}

/**
 * sui_objects_page_apply_tag:
 * @remove: take the tag off instead of putting it on
 * @matching: every object the current filter matches, else the selected ones
 */
void
sui_objects_page_apply_tag (SuiObjectsPage *self,
                            gint64          tag_id,
                            gboolean        remove,
                            gboolean        matching)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) params = NULL;

  g_return_if_fail (SUI_IS_OBJECTS_PAGE (self));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "tag_id");
  json_builder_add_int_value (builder, tag_id);
  json_builder_set_member_name (builder, "target");
  json_builder_add_string_value (builder, "objects");
  if (matching)
    {
      g_autoptr(JsonNode) filter = sui_objects_page_build_filter (self);

      json_builder_set_member_name (builder, "filter");
      if (filter != NULL)
        json_builder_add_value (builder, g_steal_pointer (&filter));
      else
        {
          json_builder_begin_object (builder);
          json_builder_end_object (builder);
        }
    }
  else
    {
      g_autoptr(GtkBitset) selected =
        gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
      GtkBitsetIter iter;
      guint position;

      json_builder_set_member_name (builder, "ids");
      json_builder_begin_array (builder);
      for (gboolean ok = gtk_bitset_iter_init_first (&iter, selected, &position);
           ok; ok = gtk_bitset_iter_next (&iter, &position))
        {
          g_autoptr(SuiRegisterRow) record = g_list_model_get_item (G_LIST_MODEL (self->selection),
                                                               position);

          json_builder_add_int_value (builder, sui_register_row_get_id (record));
        }
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);

  sui_rpc_client_call_async (self->client, remove ? "tags.remove" : "tags.apply", params,
                             self->cancellable, tag_cb, g_object_ref (self));
}

static void
on_tag_response (AdwMessageDialog *dialog,
                 const char       *response,
                 SuiObjectsPage   *self)
{
  GtkDropDown *dropdown = g_object_get_data (G_OBJECT (dialog), "tags");
  guint selected = gtk_drop_down_get_selected (dropdown);
  gboolean remove = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "remove"));
  gboolean matching = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "matching"));

  if (g_strcmp0 (response, "apply") != 0 || selected >= self->object_tags->len)
    return;

  sui_objects_page_apply_tag (self,
                              sui_register_row_get_id (g_ptr_array_index (self->object_tags,
                                                                    selected)),
                              remove, matching);
}

static void
open_tag_dialog (SuiObjectsPage *self,
                 gboolean        remove,
                 gboolean        matching)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  g_autoptr(GtkBitset) selected =
    gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  g_autofree char *body = NULL;
  GtkWidget *dialog;
  GtkWidget *dropdown;
  guint64 n = gtk_bitset_get_size (selected);
  gint64 total = sui_paged_model_get_total (self->objects);

  for (guint i = 0; i < self->object_tags->len; i++)
    {
      gint64 id = sui_register_row_get_id (g_ptr_array_index (self->object_tags, i));

      gtk_string_list_append (names, g_hash_table_lookup (self->tag_names, &id));
    }

  if (matching)
    body = g_strdup_printf (ngettext ("The tag goes on every object that matches the current "
                                      "search and filters: %u object.",
                                      "The tag goes on every object that matches the current "
                                      "search and filters: %u objects.", (gulong) total),
                            (guint) total);
  else if (remove)
    body = g_strdup_printf (ngettext ("The tag is taken off the %u selected object.",
                                      "The tag is taken off the %u selected objects.",
                                      (gulong) n), (guint) n);
  else
    body = g_strdup_printf (ngettext ("The tag goes on the %u selected object.",
                                      "The tag goes on the %u selected objects.", (gulong) n),
                            (guint) n);

  dialog = adw_message_dialog_new (get_parent_window (self),
                                   remove ? _("Remove Tag") : _("Apply Tag"), body);
  dropdown = gtk_drop_down_new (G_LIST_MODEL (g_object_ref (names)), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (dropdown),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Tag"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), dropdown);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("Cancel"),
                                    "apply", remove ? _("Remove") : _("Apply"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "apply",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "tags", dropdown);
  g_object_set_data (G_OBJECT (dialog), "remove", GINT_TO_POINTER (remove));
  g_object_set_data (G_OBJECT (dialog), "matching", GINT_TO_POINTER (matching));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_tag_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
tag_selected_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  open_tag_dialog (SUI_OBJECTS_PAGE (widget), FALSE, FALSE);
}

static void
untag_selected_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  open_tag_dialog (SUI_OBJECTS_PAGE (widget), TRUE, FALSE);
}

static void
tag_matching_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  open_tag_dialog (SUI_OBJECTS_PAGE (widget), FALSE, TRUE);
}

static void
clear_filters_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  SuiObjectsPage *self = SUI_OBJECTS_PAGE (widget);

  g_hash_table_remove_all (self->tag_modes);
  fill_tags_box (self);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->district_entry), "");
  g_signal_handlers_block_by_func (self->type_dropdown, on_choice_changed, self);
  g_signal_handlers_block_by_func (self->status_dropdown, on_choice_changed, self);
  g_signal_handlers_block_by_func (self->risk_dropdown, on_choice_changed, self);
  gtk_drop_down_set_selected (self->type_dropdown, 0);
  gtk_drop_down_set_selected (self->status_dropdown, 0);
  gtk_drop_down_set_selected (self->risk_dropdown, 0);
  g_signal_handlers_unblock_by_func (self->type_dropdown, on_choice_changed, self);
  g_signal_handlers_unblock_by_func (self->status_dropdown, on_choice_changed, self);
  g_signal_handlers_unblock_by_func (self->risk_dropdown, on_choice_changed, self);
  apply_filter (self);
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  sui_objects_page_reload (SUI_OBJECTS_PAGE (widget));
}

/* Import and export */

static void
on_imported (SuiObjectsPage *self)
{
  schedule_reload (self);
}

static void
import_grades_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  SuiObjectsPage *self = SUI_OBJECTS_PAGE (widget);
  SuiImportDialog *dialog = sui_import_dialog_new (self->client,
                                                   self->admin ? self->units : NULL);

  sui_import_dialog_set_kind (dialog, "credit_grades");
  gtk_window_set_transient_for (GTK_WINDOW (dialog), get_parent_window (self));
  g_signal_connect_object (dialog, "imported", G_CALLBACK (on_imported), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
registry_check_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  SuiObjectsPage *self = SUI_OBJECTS_PAGE (widget);
  SuiRegistryDialog *dialog = sui_registry_dialog_new (self->client,
                                                       self->admin ? self->units : NULL);

  gtk_window_set_transient_for (GTK_WINDOW (dialog), get_parent_window (self));
  g_signal_connect_object (dialog, "added", G_CALLBACK (on_imported), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
grade_mapping_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  SuiObjectsPage *self = SUI_OBJECTS_PAGE (widget);
  SuiGradesDialog *dialog = sui_grades_dialog_new (self->client, self->admin);

  gtk_window_set_transient_for (GTK_WINDOW (dialog), get_parent_window (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SuiObjectsPage *self = SUI_OBJECTS_PAGE (widget);
  SuiImportDialog *dialog = sui_import_dialog_new (self->client,
                                                   self->admin ? self->units : NULL);

  gtk_window_set_transient_for (GTK_WINDOW (dialog), get_parent_window (self));
  g_signal_connect_object (dialog, "imported", G_CALLBACK (on_imported), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* objects.export('csv' | 'xlsx'): what the filter bar matches, as the list shows it (in its
 * order). */
static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SuiObjectsPage *self = SUI_OBJECTS_PAGE (widget);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) params = NULL;
  g_autoptr(JsonNode) filter = sui_objects_page_build_filter (self);
  const char *format = parameter != NULL ? g_variant_get_string (parameter, NULL) : "csv";

  json_builder_begin_object (builder);
  if (filter != NULL)
    {
      json_builder_set_member_name (builder, "filter");
      json_builder_add_value (builder, g_steal_pointer (&filter));
    }
  sui_paged_model_add_order (self->objects, builder);
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);

  sui_export_run (widget, self->toast_overlay, self->client, "objects.export", params, format,
                  self->cancellable);
}

/* Columns */

static void
setup_label (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
bind_label (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  SuiObjectsPage *self = g_object_get_data (G_OBJECT (factory), "page");
  const char *member = user_data;
  GtkWidget *label = gtk_list_item_get_child (item);
  g_autofree char *text = cell_text (self, gtk_list_item_get_item (item), member);

  gtk_label_set_text (GTK_LABEL (label), text);
}

/* @order: the objects.list order its header sorts by, NULL for none */
static GtkColumnViewColumn *
add_column (SuiObjectsPage *self,
            const char     *member,
            const char     *title,
            int             width,
            const char     *order)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *column;

  g_object_set_data (G_OBJECT (factory), "page", self);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_label), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_label), (gpointer) member);
  column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_resizable (column, TRUE);
  if (width > 0)
    gtk_column_view_column_set_fixed_width (column, width);
  else
    gtk_column_view_column_set_expand (column, TRUE);
  if (order != NULL)
    sui_column_sort_set_order (column, order);
  gtk_column_view_append_column (self->objects_view, column);
  g_object_unref (column);

  return column;
}

/* Accessors for tests */

GListModel *
sui_objects_page_get_objects (SuiObjectsPage *self)
{
  g_return_val_if_fail (SUI_IS_OBJECTS_PAGE (self), NULL);

  return G_LIST_MODEL (self->objects);
}

GtkSelectionModel *
sui_objects_page_get_selection (SuiObjectsPage *self)
{
  g_return_val_if_fail (SUI_IS_OBJECTS_PAGE (self), NULL);

  return GTK_SELECTION_MODEL (self->selection);
}

GtkAdjustment *
sui_objects_page_get_vadjustment (SuiObjectsPage *self)
{
  g_return_val_if_fail (SUI_IS_OBJECTS_PAGE (self), NULL);

  return gtk_scrolled_window_get_vadjustment (self->scrolled);
}

gint64
sui_objects_page_get_total (SuiObjectsPage *self)
{
  g_return_val_if_fail (SUI_IS_OBJECTS_PAGE (self), -1);

  return sui_paged_model_get_total (self->objects);
}

const char *
sui_objects_page_get_last_message (SuiObjectsPage *self)
{
  g_return_val_if_fail (SUI_IS_OBJECTS_PAGE (self), NULL);

  return self->last_message;
}

/* GObject */

static void
on_model_error (SuiObjectsPage *self,
                GError         *error)
{
  toast_error (self, error);
}

static void
sui_objects_page_dispose (GObject *object)
{
  SuiObjectsPage *self = (SuiObjectsPage *)object;

  if (self->objects_view != NULL)
    sui_column_sort_detach (self->objects_view);
  g_clear_handle_id (&self->reload_source, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->detail_cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->detail_cancellable);

  if (self->objects != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->objects, self);
      sui_paged_model_cancel (self->objects);
    }
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  if (self->scrolled != NULL)
    g_signal_handlers_disconnect_by_data (gtk_scrolled_window_get_vadjustment (self->scrolled),
                                          self);

  g_clear_object (&self->selection);
  g_clear_object (&self->objects);
  g_clear_object (&self->detail);
  g_clear_object (&self->client);
  g_clear_object (&self->events);

  G_OBJECT_CLASS (sui_objects_page_parent_class)->dispose (object);
}

static void
sui_objects_page_finalize (GObject *object)
{
  SuiObjectsPage *self = (SuiObjectsPage *)object;

  g_clear_pointer (&self->reference, json_object_unref);
  g_clear_pointer (&self->units, json_array_unref);
  g_clear_pointer (&self->tag_names, g_hash_table_unref);
  g_clear_pointer (&self->tag_modes, g_hash_table_unref);
  g_clear_pointer (&self->object_tags, g_ptr_array_unref);
  g_clear_pointer (&self->type_codes, g_ptr_array_unref);
  g_clear_pointer (&self->status_codes, g_ptr_array_unref);
  g_clear_pointer (&self->risk_codes, g_ptr_array_unref);
  g_clear_pointer (&self->last_message, g_free);

  G_OBJECT_CLASS (sui_objects_page_parent_class)->finalize (object);
}

/* The first time the page is shown: an area the user never opens costs the server nothing. */
static void
sui_objects_page_map (GtkWidget *widget)
{
  SuiObjectsPage *self = (SuiObjectsPage *)widget;

  GTK_WIDGET_CLASS (sui_objects_page_parent_class)->map (widget);

  if (!self->loaded)
    {
      self->loaded = TRUE;
      sui_objects_page_reload (self);
    }
}

/* Leaving the window (it closes, or the user signs out): calls still under way hold a
 * reference to the page, so stop them now rather than when the page is finalized. */
static void
sui_objects_page_unroot (GtkWidget *widget)
{
  SuiObjectsPage *self = (SuiObjectsPage *)widget;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_cancellable_cancel (self->detail_cancellable);
  g_clear_handle_id (&self->reload_source, g_source_remove);
  if (self->objects != NULL)
    sui_paged_model_cancel (self->objects);

  GTK_WIDGET_CLASS (sui_objects_page_parent_class)->unroot (widget);
}

static void
sui_objects_page_class_init (SuiObjectsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sui_objects_page_dispose;
  widget_class->map = sui_objects_page_map;
  widget_class->unroot = sui_objects_page_unroot;
  object_class->finalize = sui_objects_page_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/shuangsui/Desk/ui/sui-objects-page.ui");
  gtk_widget_class_bind_template_child (widget_class, SuiObjectsPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SuiObjectsPage, export_button);
  gtk_widget_class_bind_template_child (widget_class, SuiObjectsPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, SuiObjectsPage, type_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SuiObjectsPage, status_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SuiObjectsPage, risk_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SuiObjectsPage, district_entry);
  gtk_widget_class_bind_template_child (widget_class, SuiObjectsPage, tags_button);
  gtk_widget_class_bind_template_child (widget_class, SuiObjectsPage, tags_box);
  gtk_widget_class_bind_template_child (widget_class, SuiObjectsPage, filter_label);
  gtk_widget_class_bind_template_child (widget_class, SuiObjectsPage, scrolled);
  gtk_widget_class_bind_template_child (widget_class, SuiObjectsPage, objects_view);
  gtk_widget_class_bind_template_child (widget_class, SuiObjectsPage, detail_box);
  gtk_widget_class_bind_template_child (widget_class, SuiObjectsPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, SuiObjectsPage, count_label);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_object_activated);

  gtk_widget_class_install_action (widget_class, "objects.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "objects.new", NULL, new_action);
  gtk_widget_class_install_action (widget_class, "objects.edit", NULL, edit_action);
  gtk_widget_class_install_action (widget_class, "objects.retire", NULL, retire_action);
  gtk_widget_class_install_action (widget_class, "objects.tag-selected", NULL,
                                   tag_selected_action);
  gtk_widget_class_install_action (widget_class, "objects.untag-selected", NULL,
                                   untag_selected_action);
  gtk_widget_class_install_action (widget_class, "objects.tag-matching", NULL,
                                   tag_matching_action);
  gtk_widget_class_install_action (widget_class, "objects.clear-filters", NULL,
                                   clear_filters_action);
  gtk_widget_class_install_action (widget_class, "objects.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "objects.export", "s", export_action);
  gtk_widget_class_install_action (widget_class, "objects.import-grades", NULL,
                                   import_grades_action);
  gtk_widget_class_install_action (widget_class, "objects.registry-check", NULL,
                                   registry_check_action);
  gtk_widget_class_install_action (widget_class, "objects.grade-mapping", NULL,
                                   grade_mapping_action);
}

static void
sui_objects_page_init (SuiObjectsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  sui_export_menu_button_init (self->export_button, "objects.export");

  self->cancellable = g_cancellable_new ();
  self->tag_names = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->tag_modes = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->object_tags = g_ptr_array_new_with_free_func (g_object_unref);

  /* Sized so that every column, the tags included, shows beside the detail pane in the
   * default window, for an admin with the unit column too (the name narrows for it). */
  add_column (self, "licence_no", _("Licence No."), 100, "licence_no");
  self->name_column = add_column (self, "name", _("Business name"), 170, "name");
  add_column (self, "type", _("Type"), 84, "type");
  add_column (self, "district", _("District"), 56, "district");
  add_column (self, "status", _("Status"), 44, "status");
  add_column (self, "risk_class", _("Risk"), 42, "risk_class");
  add_column (self, "credit_grade", _("Credit"), 46, "credit_grade");
  add_column (self, "tag_ids", _("Tags"), 0, NULL);

  g_signal_connect_swapped (self->type_dropdown, "notify::selected",
                            G_CALLBACK (on_choice_changed), self);
  g_signal_connect_swapped (self->status_dropdown, "notify::selected",
                            G_CALLBACK (on_choice_changed), self);
  g_signal_connect_swapped (self->risk_dropdown, "notify::selected",
                            G_CALLBACK (on_choice_changed), self);

  clear_detail (self, _("Select an object to see its details, tags and history."));
}

SuiObjectsPage *
sui_objects_page_new (SuiRpcClient    *client,
                      SuiEventsClient *events,
                      gboolean         admin)
{
  SuiObjectsPage *self;

  g_return_val_if_fail (SUI_IS_RPC_CLIENT (client), NULL);

  self = g_object_new (SUI_TYPE_OBJECTS_PAGE, NULL);
  self->client = g_object_ref (client);
  self->events = events != NULL ? g_object_ref (events) : NULL;
  self->admin = admin;

  /* An admin sees every unit's objects: say whose each one is. */
  if (admin)
    {
      GtkColumnViewColumn *column = add_column (self, "unit_id", _("Unit"), 120, "unit");

      gtk_column_view_column_set_fixed_width (self->name_column, 130);

      g_object_ref (column);
      gtk_column_view_remove_column (self->objects_view, column);
      gtk_column_view_insert_column (self->objects_view, 2, column);
      g_object_unref (column);
    }

  /* objects (pages by keyset, in the order the headers ask the server for) → multi-selection
   * → column view */
  self->objects = sui_paged_model_new (client, "objects.list");
  sui_paged_model_set_page_size (self->objects, PAGE_SIZE);
  sui_column_sort_attach (self->objects_view, self->objects);
  self->selection = gtk_multi_selection_new (g_object_ref (G_LIST_MODEL (self->objects)));
  gtk_column_view_set_model (self->objects_view, GTK_SELECTION_MODEL (self->selection));

  g_signal_connect_object (self->objects, "notify::total", G_CALLBACK (update_count), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->objects, "notify::loading", G_CALLBACK (update_count), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->objects, "items-changed", G_CALLBACK (update_count), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->objects, "error", G_CALLBACK (on_model_error), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "selection-changed",
                           G_CALLBACK (on_selection_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->scrolled), "value-changed",
                           G_CALLBACK (maybe_load_more), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->scrolled), "changed",
                           G_CALLBACK (maybe_load_more), self, G_CONNECT_SWAPPED);

  if (self->events != NULL)
    {
      g_signal_connect_object (self->events, "changed", G_CALLBACK (on_events_changed), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (self->events, "reconnected",
                               G_CALLBACK (on_events_reconnected), self, G_CONNECT_SWAPPED);
    }

  update_count (self);
  return self;
}
