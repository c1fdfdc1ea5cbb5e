/* sui-items-page.c: the item list (抽查事项清单) and the catalogue it is claimed from
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two views in one page. A supervisor sees their unit's list (what the unit may check, as
 * refined) and the catalogue items the unit has not claimed yet, to claim from. An
 * administrator keeps the catalogue (上级事项目录) and looks at any unit's list, read-only.
 *
 * Lists and catalogue are small (tens of items), so both load whole and the search and the
 * column sorting work on the rows at hand. A change of the catalogue marks the claims of it
 * "changed" on the server; the detail pane then shows what changed since the version the
 * unit acknowledged, from the catalogue's history, next to the button that acknowledges it.
 */
#include "sui-config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sui-catalogue-dialog.h"
#include "sui-export.h"
#include "sui-items-page.h"
#include "sui-json.h"
#include "sui-plan-labels.h"
#include "sui-prompt.h"

#define RELOAD_DELAY_MS 300
#define CATALOGUE_PAGE 500
#define HISTORY_ROWS 50

struct _SuiItemsPage
{
  AdwBin parent_instance;

  AdwToastOverlay *toast_overlay;
  GtkMenuButton *export_button;
  GtkStack *view_stack;
  GtkDropDown *unit_dropdown;
  GtkSearchEntry *search_entry;
  GtkCheckButton *inactive_check;
  GtkColumnView *items_view;
  GtkColumnView *catalogue_view;
  GtkBox *items_detail;
  GtkBox *catalogue_detail;
  GtkWidget *refine_button;
  GtkWidget *acknowledge_button;
  GtkWidget *release_button;
  GtkWidget *claim_button;
  GtkWidget *new_catalogue_button;
  GtkWidget *edit_catalogue_button;
  GtkWidget *retire_catalogue_button;
  GtkSpinner *spinner;
  GtkLabel *count_label;

  SuiRpcClient *client;
  SuiEventsClient *events;
  gboolean admin;

  GListStore *items;
  GListStore *catalogue;
  GtkFilterListModel *items_filtered;
  GtkFilterListModel *catalogue_filtered;
  GtkSingleSelection *items_selection;
  GtkSingleSelection *catalogue_selection;

  JsonArray *check_methods;   /* check_methods.list items */
  JsonArray *object_types;    /* objects.reference types */
  JsonArray *units;           /* direct units (admin) */
  GHashTable *claimed;        /* catalogue id → TRUE: the shown unit holds an active claim */

  /* A load in flight: the catalogue comes in pages, the list in one answer. */
  guint generation;
  guint pending;
  guint pending_reference;
  JsonArray *new_catalogue;
  JsonArray *new_items;
  gboolean data_loaded;
  guint busy_calls;
  gboolean item_detail_pending;
  gboolean catalogue_detail_pending;

  gint64 unit_id;             /* admin: the unit whose list is shown, 0 for every unit */
  gint64 select_after_load;   /* an item just claimed: show it once the list has it */
  char *changes_text;
  JsonArray *last_affected;
  char *last_message;

  GCancellable *cancellable;
  GCancellable *detail_cancellable;
  GCancellable *catalogue_detail_cancellable;
  gboolean loaded;
  gboolean applying;
  guint reload_source;
};

G_DEFINE_FINAL_TYPE (SuiItemsPage, sui_items_page, ADW_TYPE_BIN)

static void load_data (SuiItemsPage *self);
static void update_state (SuiItemsPage *self);

static void
toast (SuiItemsPage *self,
       const char   *message)
{
  AdwToast *t = adw_toast_new (message);

  g_free (self->last_message);
  self->last_message = g_strdup (message);
  adw_toast_set_priority (t, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_timeout (t, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, t);
}

static void
toast_error (SuiItemsPage *self,
             const GError *error)
{
  g_autofree char *message = sui_rpc_client_describe_error (error);

  toast (self, message);
}

static GtkWindow *
get_parent_window (SuiItemsPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static JsonArray *
get_array (JsonObject *object,
           const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static JsonObject *
get_object (JsonObject *object,
            const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonNode *
id_params (gint64 id)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, id);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* Labels */

static const char *
level_label (const char *level)
{
  if (g_strcmp0 (level, "key") == 0)
    return _("Key");
  if (g_strcmp0 (level, "general") == 0)
    return _("General");
  return level != NULL ? level : "";
}

static const char *
state_label (const char *state)
{
  if (g_strcmp0 (state, "active") == 0)
    return _("In use");
  if (g_strcmp0 (state, "released") == 0)
    return _("Released");
  if (g_strcmp0 (state, "retired") == 0)
    return _("Retired");
  return state != NULL ? state : "";
}

static const char *
code_name (JsonArray  *list,
           const char *code)
{
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      JsonObject *entry = json_array_get_object_element (list, i);

      if (g_strcmp0 (sui_json_get_string (entry, "code"), code) == 0)
        return sui_json_get_string (entry, "name");
    }

  return code;
}

/* Method or object type codes as their names, "、"-separated. */
static char *
codes_text (JsonArray *names,
            JsonArray *codes)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; codes != NULL && i < json_array_get_length (codes); i++)
    {
      JsonNode *node = json_array_get_element (codes, i);

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        continue;
      if (text->len > 0)
        g_string_append (text, "、");
      g_string_append (text, code_name (names, json_node_get_string (node)));
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static char *
ratio_text (JsonObject *record)
{
  g_autofree char *min = NULL;
  g_autofree char *max = NULL;

  if (!json_object_has_member (record, "ratio_min_bp"))
    return g_strdup ("");

  min = sui_bp_to_percent (sui_json_get_int (record, "ratio_min_bp"));
  max = sui_bp_to_percent (sui_json_get_int (record, "ratio_max_bp"));
  return g_strdup_printf ("%s%%–%s%%", min, max);
}

static const struct { const char *member; const char *title; } field_titles[] = {
  { "code", N_("Code") },
  { "name", N_("Item name") },
  { "level", N_("Level") },
  { "legal_basis", N_("Legal basis") },
  { "content", N_("What is checked") },
  { "object_types", N_("Object types") },
  { "methods", N_("Check methods") },
  { "ratio_min_bp", N_("Lowest ratio") },
  { "ratio_max_bp", N_("Highest ratio") },
  { "frequency", N_("Frequency") },
  { "state", N_("State") },
  { "retire_reason", N_("Reason for retiring") },
  { "release_reason", N_("Reason for releasing") },
  { "catalogue_version", N_("Catalogue version acknowledged") },
};

static const char *
field_title (const char *member)
{
  for (guint i = 0; i < G_N_ELEMENTS (field_titles); i++)
    if (g_str_equal (field_titles[i].member, member))
      return _(field_titles[i].title);

  return NULL;
}

/* One value of a history entry's before or after, as a person reads it. */
static char *
value_text (SuiItemsPage *self,
            const char   *member,
            JsonNode     *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("—");

  if (JSON_NODE_HOLDS_ARRAY (node))
    return codes_text (g_str_equal (member, "methods") ? self->check_methods
                                                       : self->object_types,
                       json_node_get_array (node));

  if (!JSON_NODE_HOLDS_VALUE (node))
    return g_strdup ("…");

  if (g_str_has_suffix (member, "_bp"))
    {
      g_autofree char *percent = sui_bp_to_percent (json_node_get_int (node));

      return g_strdup_printf ("%s%%", percent);
    }
  if (g_str_equal (member, "level"))
    return g_strdup (level_label (json_node_get_string (node)));
  if (g_str_equal (member, "state"))
    return g_strdup (state_label (json_node_get_string (node)));
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node)[0] != '\0' ? json_node_get_string (node)
                                                            : "—");
  return g_strdup ("…");
}

static const char *
action_label (const char *action)
{
  const struct { const char *code; const char *label; } actions[] = {
    { "create", N_("Created") },
    { "update", N_("Changed") },
    { "retire", N_("Retired") },
    { "claim", N_("Claimed") },
    { "reclaim", N_("Claimed again") },
    { "reactivate", N_("Claimed again") },
    { "release", N_("Released") },
    { "acknowledge", N_("Catalogue change acknowledged") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    if (g_strcmp0 (actions[i].code, action) == 0)
      return _(actions[i].label);

  return _("Changed");
}

/* The text a column shows for a row. */
char *
sui_items_page_dup_cell_text (SuiItemsPage   *self,
                              SuiRegisterRow *row,
                              const char     *column)
{
  JsonObject *json = sui_register_row_get_json (row);

  if (g_str_equal (column, "level"))
    return g_strdup (level_label (sui_json_get_string (json, "level")));
  if (g_str_equal (column, "state"))
    return g_strdup (state_label (sui_json_get_string (json, "state")));
  if (g_str_equal (column, "methods"))
    return codes_text (self->check_methods, get_array (json, "methods"));
  if (g_str_equal (column, "object_types"))
    return codes_text (self->object_types, get_array (json, "object_types"));
  if (g_str_equal (column, "ratio"))
    return ratio_text (json);
  if (g_str_equal (column, "claimed"))
    {
      JsonArray *claims = get_array (json, "claimed_by");

      return g_strdup_printf ("%u", claims != NULL ? json_array_get_length (claims) : 0);
    }
  if (g_str_equal (column, "mark"))
    {
      if (!sui_json_get_bool (json, "catalogue_changed"))
        return g_strdup ("");
      if (g_strcmp0 (sui_json_get_string (json, "catalogue_state"), "retired") == 0)
        return g_strdup (_("Catalogue retired"));
      return g_strdup (_("Catalogue changed"));
    }

  return sui_register_row_dup_text (row, column);
}

/* Rows and selection */

static SuiRegisterRow *
selected_row (GtkSingleSelection *selection)
{
  return gtk_single_selection_get_selected_item (selection);
}

static JsonObject *
find_catalogue_item (SuiItemsPage *self,
                     gint64        id)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->catalogue)); i++)
    {
      g_autoptr(SuiRegisterRow) row = g_list_model_get_item (G_LIST_MODEL (self->catalogue), i);

      if (sui_register_row_get_id (row) == id)
        return sui_register_row_get_json (row);
    }

  return NULL;
}

static gboolean
select_in (GtkSingleSelection *selection,
           gint64              id)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (selection)); i++)
    {
      g_autoptr(SuiRegisterRow) row = g_list_model_get_item (G_LIST_MODEL (selection), i);

      if (sui_register_row_get_id (row) == id)
        {
          gtk_single_selection_set_selected (selection, i);
          return TRUE;
        }
    }

  gtk_single_selection_set_selected (selection, GTK_INVALID_LIST_POSITION);
  return FALSE;
}

static gboolean
showing_items (SuiItemsPage *self)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (self->view_stack), "items") == 0;
}

static void
update_actions (SuiItemsPage *self)
{
  SuiRegisterRow *item = selected_row (self->items_selection);
  SuiRegisterRow *entry = selected_row (self->catalogue_selection);
  gboolean item_active = item != NULL &&
                         g_strcmp0 (sui_register_row_get_string (item, "state"), "active") == 0;
  gboolean entry_active = entry != NULL &&
                          g_strcmp0 (sui_register_row_get_string (entry, "state"), "active") == 0;
  GtkWidget *widget = GTK_WIDGET (self);

  gtk_widget_action_set_enabled (widget, "items.refine", !self->admin && item_active);
  gtk_widget_action_set_enabled (widget, "items.release", !self->admin && item_active);
  /* A retired catalogue item is not acknowledged but released. */
  gtk_widget_action_set_enabled (widget, "items.acknowledge",
                                 !self->admin && item_active &&
                                 sui_register_row_get_bool (item, "catalogue_changed") &&
                                 g_strcmp0 (sui_register_row_get_string (item,
                                                                         "catalogue_state"),
                                            "retired") != 0);
  gtk_widget_action_set_enabled (widget, "items.claim", !self->admin && entry_active);
  gtk_widget_action_set_enabled (widget, "catalogue.new", self->admin);
  gtk_widget_action_set_enabled (widget, "catalogue.edit", self->admin && entry_active);
  gtk_widget_action_set_enabled (widget, "catalogue.retire", self->admin && entry_active);
}

static void
update_count (SuiItemsPage *self)
{
  g_autofree char *text = NULL;
  gboolean loading = self->pending > 0 || self->pending_reference > 0 || self->busy_calls > 0;

  if (!self->data_loaded)
    text = g_strdup (loading ? _("Loading…") : "");
  else if (showing_items (self))
    {
      guint total = g_list_model_get_n_items (G_LIST_MODEL (self->items));
      guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->items_filtered));
      guint changed = 0;

      for (guint i = 0; i < total; i++)
        {
          g_autoptr(SuiRegisterRow) row = g_list_model_get_item (G_LIST_MODEL (self->items), i);

          changed += sui_register_row_get_bool (row, "catalogue_changed") &&
                     g_strcmp0 (sui_register_row_get_string (row, "state"), "active") == 0;
        }
      if (changed > 0)
        /* Translators: "12 items, 12 shown; 2 need a catalogue change acknowledged" */
        text = g_strdup_printf (ngettext ("%u item, %u shown; %u awaits acknowledging a "
                                          "catalogue change",
                                          "%u items, %u shown; %u await acknowledging a "
                                          "catalogue change", changed),
                                total, shown, changed);
      else
        text = g_strdup_printf (ngettext ("%u item, %u shown", "%u items, %u shown", total),
                                total, shown);
    }
  else
    {
      guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->catalogue_filtered));

      if (self->admin)
        text = g_strdup_printf (ngettext ("%u catalogue item, %u shown",
                                          "%u catalogue items, %u shown",
                                          g_list_model_get_n_items (G_LIST_MODEL (
                                                                      self->catalogue))),
                                g_list_model_get_n_items (G_LIST_MODEL (self->catalogue)),
                                shown);
      else
        text = g_strdup_printf (ngettext ("%u catalogue item your unit can still claim",
                                          "%u catalogue items your unit can still claim",
                                          shown), shown);
    }

  gtk_label_set_text (self->count_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), loading);
  gtk_spinner_set_spinning (self->spinner, loading);
}

static void
update_state (SuiItemsPage *self)
{
  update_actions (self);
  update_count (self);
}

/* Filters */

static gboolean
matches_search (SuiItemsPage   *self,
                SuiRegisterRow *row)
{
  g_autofree char *needle = NULL;
  const char *members[] = { "code", "name", "content", "legal_basis", "unit_name" };
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  if (text == NULL || text[0] == '\0')
    return TRUE;

  needle = g_utf8_casefold (text, -1);
  g_strstrip (needle);
  if (needle[0] == '\0')
    return TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      g_autofree char *hay = g_utf8_casefold (sui_register_row_get_string (row, members[i]), -1);

      if (strstr (hay, needle) != NULL)
        return TRUE;
    }

  return FALSE;
}

static gboolean
filter_items (gpointer item,
              gpointer user_data)
{
  SuiItemsPage *self = user_data;
  SuiRegisterRow *row = item;

  if (!gtk_check_button_get_active (self->inactive_check) &&
      g_strcmp0 (sui_register_row_get_string (row, "state"), "active") != 0)
    return FALSE;

  return matches_search (self, row);
}

static gboolean
filter_catalogue (gpointer item,
                  gpointer user_data)
{
  SuiItemsPage *self = user_data;
  SuiRegisterRow *row = item;
  gint64 id = sui_register_row_get_id (row);
  gboolean active = g_strcmp0 (sui_register_row_get_string (row, "state"), "active") == 0;

  /* A supervisor claims from here: only what is in force and not on the list yet. */
  if (!self->admin && (!active || g_hash_table_contains (self->claimed, &id)))
    return FALSE;
  if (self->admin && !active && !gtk_check_button_get_active (self->inactive_check))
    return FALSE;

  return matches_search (self, row);
}

static void
refilter (SuiItemsPage *self)
{
  gtk_filter_changed (gtk_filter_list_model_get_filter (self->items_filtered),
                      GTK_FILTER_CHANGE_DIFFERENT);
  gtk_filter_changed (gtk_filter_list_model_get_filter (self->catalogue_filtered),
                      GTK_FILTER_CHANGE_DIFFERENT);
  update_state (self);
}

static void
on_search_changed (SuiItemsPage *self)
{
  refilter (self);
}

void
sui_items_page_set_search (SuiItemsPage *self,
                           const char   *text)
{
  g_return_if_fail (SUI_IS_ITEMS_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text != NULL ? text : "");
  refilter (self);
}

static void
on_view_changed (SuiItemsPage *self)
{
  gboolean items;

  /* The stack reports its first page while the template is still being built. */
  if (self->items_selection == NULL)
    return;

  items = showing_items (self);

  /* The check shows what the view hides by default; a supervisor's catalogue view shows
   * only what can be claimed. */
  gtk_check_button_set_label (self->inactive_check,
                              items ? _("Show released") : _("Show retired"));
  gtk_widget_set_visible (GTK_WIDGET (self->inactive_check), items || self->admin);
  /* An admin picks the unit whose list to read; the catalogue is everyone's. */
  gtk_widget_set_visible (GTK_WIDGET (self->unit_dropdown), self->admin && items);
  update_state (self);
}

/* Detail panes */

static void
clear_box (GtkBox     *box,
           const char *placeholder)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (box))) != NULL)
    gtk_box_remove (box, child);

  if (placeholder != NULL)
    {
      GtkWidget *label = gtk_label_new (placeholder);

      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
      gtk_widget_add_css_class (label, "dim-label");
      gtk_widget_set_vexpand (label, TRUE);
      gtk_box_append (box, label);
    }
}

/* AdwPreferencesGroup ellipsizes its title; an item's name is often longer than the pane and
 * shown nowhere else there, so its title label wraps instead. */
static void
wrap_title_label (GtkWidget  *widget,
                  const char *title)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LABEL (child) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (child)), title) == 0)
        {
          gtk_label_set_ellipsize (GTK_LABEL (child), PANGO_ELLIPSIZE_NONE);
          gtk_label_set_wrap (GTK_LABEL (child), TRUE);
          gtk_label_set_wrap_mode (GTK_LABEL (child), PANGO_WRAP_WORD_CHAR);
          return;
        }
      wrap_title_label (child, title);
    }
}

static GtkWidget *
detail_group (GtkBox     *box,
              const char *title,
              const char *description)
{
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  if (description != NULL)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), description);
  if (title != NULL && title[0] != '\0')
    wrap_title_label (group, title);
  gtk_box_append (box, group);
  return group;
}

static GtkWidget *
detail_row (GtkWidget  *group,
            const char *title,
            const char *value)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  if (value != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value[0] != '\0' ? value : "—");
  gtk_widget_add_css_class (row, "property");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  return row;
}

static void
add_record_rows (SuiItemsPage *self,
                 GtkWidget    *group,
                 JsonObject   *record)
{
  g_autofree char *types = codes_text (self->object_types, get_array (record, "object_types"));
  g_autofree char *methods = codes_text (self->check_methods, get_array (record, "methods"));
  g_autofree char *ratio = ratio_text (record);

  detail_row (group, _("Legal basis"), sui_json_get_string (record, "legal_basis"));
  detail_row (group, _("What is checked"), sui_json_get_string (record, "content"));
  detail_row (group, _("Check methods"), methods);
  detail_row (group, _("Sampling ratio"), ratio);
  detail_row (group, _("Frequency"), sui_json_get_string (record, "frequency"));
  detail_row (group, _("Object types"), types);
}

static void
add_history (SuiItemsPage *self,
             GtkBox       *box,
             JsonObject   *record)
{
  JsonArray *history = get_array (record, "history");
  GtkWidget *group = detail_group (box, _("History"), NULL);
  guint n = history != NULL ? json_array_get_length (history) : 0;

  if (n == 0)
    detail_row (group, _("No changes yet"), NULL);

  /* Newest first, whatever order the server sends. */
  for (guint k = 0; k < n && k < HISTORY_ROWS; k++)
    {
      gboolean ascending = n > 1 &&
        sui_json_get_int (json_array_get_object_element (history, 0), "version") <
        sui_json_get_int (json_array_get_object_element (history, n - 1), "version");
      JsonObject *entry = json_array_get_object_element (history, ascending ? n - 1 - k : k);
      JsonObject *before = get_object (entry, "before");
      JsonObject *after = get_object (entry, "after");
      g_autoptr(GString) what = g_string_new (action_label (sui_json_get_string (entry,
                                                                                 "action")));
      g_autoptr(GDateTime) at = g_date_time_new_from_iso8601 (sui_json_get_string (entry,
                                                                                   "changed_at"),
                                                              NULL);
      g_autoptr(GDateTime) local = at != NULL ? g_date_time_to_local (at) : NULL;
      g_autofree char *when = local != NULL ? g_date_time_format (local, "%Y-%m-%d %H:%M")
                                            : g_strdup (sui_json_get_string (entry,
                                                                             "changed_at"));
      const char *who = sui_json_get_string (entry, "changed_by_name");
      g_autofree char *title = NULL;
      guint changed = 0;

      for (guint i = 0; after != NULL && before != NULL && i < G_N_ELEMENTS (field_titles); i++)
        {
          JsonNode *a = json_object_get_member (after, field_titles[i].member);
          JsonNode *b = json_object_get_member (before, field_titles[i].member);

          if (a == NULL || (b != NULL && json_node_equal (a, b)))
            continue;
          g_string_append_printf (what, "%s%s", changed++ == 0 ? _(": ") : "、",
                                  _(field_titles[i].title));
        }
      if (sui_json_get_string (entry, "note")[0] != '\0')
        g_string_append_printf (what, "（%s）", sui_json_get_string (entry, "note"));
      if (sui_json_get_string (entry, "reason")[0] != '\0')
        g_string_append_printf (what, "（%s）", sui_json_get_string (entry, "reason"));

      /* Translators: "Version 3 · 2026-11-28 10:15 · 王芳" */
      title = g_strdup_printf (_("Version %u · %s · %s"),
                               (guint) sui_json_get_int (entry, "version"), when,
                               who[0] != '\0' ? who : _("System"));
      detail_row (group, title, what->str);
    }
}

/* What changed in the catalogue since @version: one row per field and version. */
static void
add_changes (SuiItemsPage *self,
             GtkWidget    *group,
             JsonObject   *catalogue,
             gint64        version)
{
  JsonArray *history = get_array (catalogue, "history");
  g_autoptr(GString) all = g_string_new (NULL);
  g_autoptr(GPtrArray) entries = g_ptr_array_new ();

  for (guint i = 0; history != NULL && i < json_array_get_length (history); i++)
    {
      JsonObject *entry = json_array_get_object_element (history, i);

      if (sui_json_get_int (entry, "version") > version)
        g_ptr_array_add (entries, entry);
    }

  /* Oldest first: the changes read in the order they were made. */
  for (guint k = 0; k < entries->len; k++)
    for (guint j = k + 1; j < entries->len; j++)
      if (sui_json_get_int (entries->pdata[j], "version") <
          sui_json_get_int (entries->pdata[k], "version"))
        {
          gpointer swap = entries->pdata[k];

          entries->pdata[k] = entries->pdata[j];
          entries->pdata[j] = swap;
        }

  for (guint k = 0; k < entries->len; k++)
    {
      JsonObject *entry = entries->pdata[k];
      JsonObject *before = get_object (entry, "before");
      JsonObject *after = get_object (entry, "after");

      for (guint i = 0; after != NULL && i < G_N_ELEMENTS (field_titles); i++)
        {
          const char *member = field_titles[i].member;
          JsonNode *a = json_object_get_member (after, member);
          JsonNode *b = before != NULL ? json_object_get_member (before, member) : NULL;
          g_autofree char *old_text = NULL;
          g_autofree char *new_text = NULL;
          g_autofree char *change = NULL;
          GtkWidget *row;

          if (a == NULL || (b != NULL && json_node_equal (a, b)))
            continue;

          old_text = value_text (self, member, b);
          new_text = value_text (self, member, a);
          change = g_strdup_printf ("%s → %s", old_text, new_text);
          row = detail_row (group, field_title (member), change);
          gtk_widget_add_css_class (row, "sui-catalogue-change");
          g_string_append_printf (all, "%s: %s\n", field_title (member), change);
        }
    }

  if (all->len == 0)
    {
      detail_row (group, _("The catalogue item has a newer version"), NULL);
      g_string_append (all, _("The catalogue item has a newer version"));
    }

  g_free (self->changes_text);
  self->changes_text = g_string_free (g_steal_pointer (&all), FALSE);
}

static void
on_acknowledge_clicked (GtkButton    *button,
                        SuiItemsPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "items.acknowledge", NULL);
}

static void
show_item_detail (SuiItemsPage *self,
                  JsonObject   *item,
                  JsonObject   *catalogue)
{
  g_autofree char *description = NULL;
  const char *state = sui_json_get_string (item, "state");
  GtkWidget *group;

  clear_box (self->items_detail, NULL);

  description = g_strdup_printf (self->admin ? "%s · %s · %s" : "%s · %s%s",
                                 sui_json_get_string (item, "code"),
                                 level_label (sui_json_get_string (item, "level")),
                                 self->admin ? sui_json_get_string (item, "unit_name") : "");
  group = detail_group (self->items_detail, sui_json_get_string (item, "name"), description);

  if (sui_json_get_bool (item, "catalogue_changed") && g_strcmp0 (state, "active") == 0)
    {
      gboolean retired = g_strcmp0 (sui_json_get_string (item, "catalogue_state"),
                                    "retired") == 0;
      GtkWidget *changes;

      if (retired)
        changes = detail_group (self->items_detail, _("Catalogue Item Retired"),
                                self->admin
                                ? _("The superior level retired this item; the unit has not "
                                    "released it yet.")
                                : _("The superior level retired this item. Release it from "
                                    "your list; it can no longer be used in new tasks."));
      else
        changes = detail_group (self->items_detail, _("Catalogue Changed"),
                                self->admin
                                ? _("The catalogue item changed after this unit claimed it; "
                                    "the unit has not acknowledged the change yet.")
                                : _("The catalogue item changed after your unit claimed it. "
                                    "Check the changes below, then acknowledge them: methods "
                                    "and ratios outside the new bounds are adjusted to them."));
      gtk_widget_add_css_class (changes, "sui-catalogue-changed");
      if (catalogue != NULL)
        add_changes (self, changes, catalogue, sui_json_get_int (item, "catalogue_version"));
      if (!self->admin && !retired)
        {
          GtkWidget *button = gtk_button_new_with_label (_("Acknowledge Change"));

          gtk_widget_add_css_class (button, "suggested-action");
          gtk_widget_set_valign (button, GTK_ALIGN_START);
          g_signal_connect_object (button, "clicked", G_CALLBACK (on_acknowledge_clicked), self,
                                   0);
          adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (changes), button);
        }
    }

  /* Tasks not yet drawn that list the item: they keep it from being released. */
  {
    JsonArray *tasks = get_array (item, "used_by_tasks");

    if (tasks != NULL && json_array_get_length (tasks) > 0 && g_strcmp0 (state, "active") == 0)
      {
        GtkWidget *used = detail_group (self->items_detail, _("Used by Tasks Not Yet Drawn"),
                                        _("These tasks still list the item, so it cannot be "
                                          "released; remove it from them in the task editor "
                                          "first. Tasks already drawn keep it as history."));

        gtk_widget_add_css_class (used, "sui-used-by-tasks");
        for (guint i = 0; i < json_array_get_length (tasks); i++)
          {
            JsonObject *task = json_array_get_object_element (tasks, i);

            detail_row (used, sui_json_get_string (task, "name"),
                        sui_task_state_label (sui_json_get_string (task, "state")));
          }
      }
  }

  group = detail_group (self->items_detail, _("Item"), NULL);
  add_record_rows (self, group, item);
  detail_row (group, _("State"), state_label (state));
  if (g_strcmp0 (state, "released") == 0)
    detail_row (group, _("Reason for releasing"), sui_json_get_string (item, "release_reason"));
  {
    g_autofree char *version = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                sui_json_get_int (item, "catalogue_version"));

    detail_row (group, _("Catalogue version acknowledged"), version);
  }

  add_history (self, self->items_detail, item);
}

typedef struct
{
  SuiItemsPage *self;
  JsonObject *item;
} ItemDetail;

static void
item_detail_free (ItemDetail *detail)
{
  g_clear_object (&detail->self);
  g_clear_pointer (&detail->item, json_object_unref);
  g_free (detail);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ItemDetail, item_detail_free)

static void
item_catalogue_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(ItemDetail) detail = user_data;
  SuiItemsPage *self = detail->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->item_detail_pending = FALSE;
  show_item_detail (self, detail->item,
                    node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node)
                                                                  : NULL);
  update_count (self);
}

static void
item_detail_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(ItemDetail) detail = user_data;
  SuiItemsPage *self = detail->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *item;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autofree char *message = error != NULL ? sui_rpc_client_describe_error (error) : NULL;

      self->item_detail_pending = FALSE;
      clear_box (self->items_detail, message);
      update_count (self);
      return;
    }

  item = json_node_get_object (node);
  if (sui_json_get_bool (item, "catalogue_changed"))
    {
      g_autoptr(JsonNode) params = id_params (sui_json_get_id (item, "catalogue_id"));

      /* What changed comes from the catalogue's own history. */
      detail->item = json_object_ref (item);
      sui_rpc_client_call_async (self->client, "catalogue.get", params,
                                 self->detail_cancellable, item_catalogue_cb,
                                 g_steal_pointer (&detail));
      return;
    }

  self->item_detail_pending = FALSE;
  show_item_detail (self, item, NULL);
  update_count (self);
}

static void
load_item_detail (SuiItemsPage *self)
{
  SuiRegisterRow *row = selected_row (self->items_selection);
  g_autoptr(JsonNode) params = NULL;
  ItemDetail *detail;

  g_cancellable_cancel (self->detail_cancellable);
  g_clear_object (&self->detail_cancellable);
  self->item_detail_pending = FALSE;
  g_clear_pointer (&self->changes_text, g_free);

  if (row == NULL)
    {
      clear_box (self->items_detail,
                 self->admin ? _("Select an item to see its legal basis, content and history.")
                             : _("Select an item to see its legal basis, content and history, "
                                 "and to refine or release it."));
      return;
    }

  self->detail_cancellable = g_cancellable_new ();
  self->item_detail_pending = TRUE;
  detail = g_new0 (ItemDetail, 1);
  detail->self = g_object_ref (self);
  params = id_params (sui_register_row_get_id (row));
  sui_rpc_client_call_async (self->client, "items.get", params, self->detail_cancellable,
                             item_detail_cb, detail);
}

static void
show_catalogue_detail (SuiItemsPage *self,
                       JsonObject   *entry)
{
  g_autofree char *description = NULL;
  g_autofree char *version = NULL;
  const char *state = sui_json_get_string (entry, "state");
  JsonArray *claims = get_array (entry, "claimed_by");
  GtkWidget *group;

  clear_box (self->catalogue_detail, NULL);

  description = g_strdup_printf ("%s · %s", sui_json_get_string (entry, "code"),
                                 level_label (sui_json_get_string (entry, "level")));
  group = detail_group (self->catalogue_detail, sui_json_get_string (entry, "name"),
                        description);
  add_record_rows (self, group, entry);
  detail_row (group, _("State"), state_label (state));
  if (g_strcmp0 (state, "retired") == 0)
    detail_row (group, _("Reason for retiring"), sui_json_get_string (entry, "retire_reason"));
  version = g_strdup_printf ("%" G_GINT64_FORMAT, sui_json_get_int (entry, "version"));
  detail_row (group, _("Version"), version);

  if (self->admin)
    {
      group = detail_group (self->catalogue_detail, _("Claimed By"),
                            _("A change or retirement marks these units' lists."));
      if (claims == NULL || json_array_get_length (claims) == 0)
        detail_row (group, _("No unit has claimed this item yet"), NULL);
      for (guint i = 0; claims != NULL && i < json_array_get_length (claims); i++)
        detail_row (group, sui_json_get_string (json_array_get_object_element (claims, i),
                                                "unit_name"), NULL);
    }

  add_history (self, self->catalogue_detail, entry);
}

static void
catalogue_detail_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(SuiItemsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->catalogue_detail_pending = FALSE;
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autofree char *message = error != NULL ? sui_rpc_client_describe_error (error) : NULL;

      clear_box (self->catalogue_detail, message);
    }
  else
    show_catalogue_detail (self, json_node_get_object (node));
  update_count (self);
}

static void
load_catalogue_detail (SuiItemsPage *self)
{
  SuiRegisterRow *row = selected_row (self->catalogue_selection);
  g_autoptr(JsonNode) params = NULL;

  g_cancellable_cancel (self->catalogue_detail_cancellable);
  g_clear_object (&self->catalogue_detail_cancellable);
  self->catalogue_detail_pending = FALSE;

  if (row == NULL)
    {
      clear_box (self->catalogue_detail,
                 self->admin ? _("Select a catalogue item to see it, its history and the "
                                 "units that claimed it.")
                             : _("Select a catalogue item to see what it checks, then claim "
                                 "it for your unit's list."));
      return;
    }

  self->catalogue_detail_cancellable = g_cancellable_new ();
  self->catalogue_detail_pending = TRUE;
  params = id_params (sui_register_row_get_id (row));
  sui_rpc_client_call_async (self->client, "catalogue.get", params,
                             self->catalogue_detail_cancellable, catalogue_detail_cb,
                             g_object_ref (self));
}

static void
on_item_selected (SuiItemsPage *self)
{
  if (self->applying)
    return;

  load_item_detail (self);
  update_state (self);
}

static void
on_catalogue_selected (SuiItemsPage *self)
{
  if (self->applying)
    return;

  load_catalogue_detail (self);
  update_state (self);
}

/* Loading */

static void
replace_rows (GListStore *store,
              JsonArray  *records)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; records != NULL && i < json_array_get_length (records); i++)
    {
      JsonNode *node = json_array_get_element (records, i);

      if (JSON_NODE_HOLDS_OBJECT (node))
        g_ptr_array_add (rows, sui_register_row_new (json_node_get_object (node)));
    }

  g_list_store_splice (store, 0, g_list_model_get_n_items (G_LIST_MODEL (store)), rows->pdata,
                       rows->len);
}

/* Both answers are in: show them, keeping the rows the user had selected. */
static void
apply_data (SuiItemsPage *self)
{
  SuiRegisterRow *row;
  gint64 item_id, entry_id;

  row = selected_row (self->items_selection);
  item_id = row != NULL ? sui_register_row_get_id (row) : 0;
  row = selected_row (self->catalogue_selection);
  entry_id = row != NULL ? sui_register_row_get_id (row) : 0;

  if (self->select_after_load > 0)
    {
      item_id = self->select_after_load;
      self->select_after_load = 0;
    }

  g_hash_table_remove_all (self->claimed);
  for (guint i = 0; self->new_items != NULL && i < json_array_get_length (self->new_items); i++)
    {
      JsonObject *item = json_array_get_object_element (self->new_items, i);

      if (g_strcmp0 (sui_json_get_string (item, "state"), "active") == 0)
        {
          gint64 id = sui_json_get_id (item, "catalogue_id");

          g_hash_table_add (self->claimed, g_memdup2 (&id, sizeof id));
        }
    }

  self->applying = TRUE;
  replace_rows (self->catalogue, self->new_catalogue);
  replace_rows (self->items, self->new_items);
  refilter (self);
  if (item_id > 0)
    select_in (self->items_selection, item_id);
  if (entry_id > 0)
    select_in (self->catalogue_selection, entry_id);
  self->applying = FALSE;

  g_clear_pointer (&self->new_catalogue, json_array_unref);
  g_clear_pointer (&self->new_items, json_array_unref);
  self->data_loaded = TRUE;

  load_item_detail (self);
  load_catalogue_detail (self);
  update_state (self);
}

typedef struct
{
  SuiItemsPage *self;
  guint generation;
} Load;

static Load *
load_new (SuiItemsPage *self)
{
  Load *load = g_new0 (Load, 1);

  load->self = g_object_ref (self);
  load->generation = self->generation;
  return load;
}

static void
load_free (Load *load)
{
  g_clear_object (&load->self);
  g_free (load);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Load, load_free)

static void
data_part_done (SuiItemsPage *self)
{
  if (--self->pending == 0)
    apply_data (self);
  update_count (self);
}

static void
request_catalogue (SuiItemsPage *self,
                   gint64        after,
                   Load         *load);

static void
catalogue_list_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(Load) load = user_data;
  SuiItemsPage *self = load->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonArray *items;
  JsonNode *next;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      load->generation != self->generation)
    return;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node) ||
      (items = get_array (json_node_get_object (node), "items")) == NULL)
    {
      if (error != NULL)
        toast_error (self, error);
      data_part_done (self);
      return;
    }

  for (guint i = 0; i < json_array_get_length (items); i++)
    json_array_add_element (self->new_catalogue,
                            json_node_copy (json_array_get_element (items, i)));

  /* The catalogue pages by id; follow it to the end. */
  next = json_object_get_member (json_node_get_object (node), "next_after");
  if (next != NULL && JSON_NODE_HOLDS_VALUE (next) && json_array_get_length (items) > 0)
    {
      request_catalogue (self, json_node_get_int (next), g_steal_pointer (&load));
      return;
    }

  data_part_done (self);
}

static void
request_catalogue (SuiItemsPage *self,
                   gint64        after,
                   Load         *load)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) params = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "include_retired");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_set_member_name (builder, "limit");
  json_builder_add_int_value (builder, CATALOGUE_PAGE);
  if (after > 0)
    {
      json_builder_set_member_name (builder, "after");
      json_builder_add_int_value (builder, after);
    }
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);
  sui_rpc_client_call_async (self->client, "catalogue.list", params, self->cancellable,
                             catalogue_list_cb, load);
}

static void
items_list_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(Load) load = user_data;
  SuiItemsPage *self = load->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonArray *items;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      load->generation != self->generation)
    return;

  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node) &&
      (items = get_array (json_node_get_object (node), "items")) != NULL)
    {
      g_clear_pointer (&self->new_items, json_array_unref);
      self->new_items = json_array_ref (items);
    }
  else if (error != NULL)
    toast_error (self, error);

  data_part_done (self);
}

static void
load_data (SuiItemsPage *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) params = NULL;

  g_clear_handle_id (&self->reload_source, g_source_remove);

  /* A newer load makes the answers of an older one moot. */
  self->generation++;
  self->pending = 2;
  g_clear_pointer (&self->new_catalogue, json_array_unref);
  g_clear_pointer (&self->new_items, json_array_unref);
  self->new_catalogue = json_array_new ();

  request_catalogue (self, 0, load_new (self));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "include_released");
  json_builder_add_boolean_value (builder, TRUE);
  if (self->admin && self->unit_id > 0)
    {
      json_builder_set_member_name (builder, "unit_id");
      json_builder_add_int_value (builder, self->unit_id);
    }
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);
  sui_rpc_client_call_async (self->client, "items.list", params, self->cancellable,
                             items_list_cb, load_new (self));
  update_count (self);
}

static void
reference_done (SuiItemsPage *self)
{
  self->pending_reference--;
  /* Names of methods and types are known now: the cells can say them. */
  if (self->pending_reference == 0)
    refilter (self);
  update_count (self);
}

static void
check_methods_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SuiItemsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonArray *items;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node) &&
      (items = get_array (json_node_get_object (node), "items")) != NULL)
    {
      g_clear_pointer (&self->check_methods, json_array_unref);
      self->check_methods = json_array_ref (items);
    }
  else if (error != NULL)
    toast_error (self, error);

  reference_done (self);
}

static void
object_types_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SuiItemsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonArray *types;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node) &&
      (types = get_array (json_node_get_object (node), "types")) != NULL)
    {
      g_clear_pointer (&self->object_types, json_array_unref);
      self->object_types = json_array_ref (types);
    }

  reference_done (self);
}

static void on_unit_changed (SuiItemsPage *self);

static void
units_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SuiItemsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonArray *all;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node) &&
      (all = get_array (json_node_get_object (node), "items")) != NULL)
    {
      g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
      guint selected = 0;

      /* Lists belong to direct units, never to the bureau itself. */
      g_clear_pointer (&self->units, json_array_unref);
      self->units = json_array_new ();
      gtk_string_list_append (names, _("All units"));
      for (guint i = 0; i < json_array_get_length (all); i++)
        {
          JsonObject *unit = json_array_get_object_element (all, i);

          if (!g_str_equal (sui_json_get_string (unit, "kind"), "direct"))
            continue;
          json_array_add_object_element (self->units, json_object_ref (unit));
          gtk_string_list_append (names, sui_json_get_string (unit, "name"));
          if (sui_json_get_id (unit, "id") == self->unit_id)
            selected = json_array_get_length (self->units);
        }

      g_signal_handlers_block_by_func (self->unit_dropdown, on_unit_changed, self);
      gtk_drop_down_set_model (self->unit_dropdown, G_LIST_MODEL (names));
      gtk_drop_down_set_selected (self->unit_dropdown, selected);
      g_signal_handlers_unblock_by_func (self->unit_dropdown, on_unit_changed, self);
    }

  reference_done (self);
}

/**
 * sui_items_page_reload:
 *
 * Fetches the check methods, the object types (and, for an admin, the units), then the
 * catalogue and the list.
 */
void
sui_items_page_reload (SuiItemsPage *self)
{
  g_autoptr(JsonNode) params = json_node_init_object (json_node_alloc (), json_object_new ());

  g_return_if_fail (SUI_IS_ITEMS_PAGE (self));

  self->pending_reference += self->admin ? 3 : 2;
  sui_rpc_client_call_async (self->client, "check_methods.list", params, self->cancellable,
                             check_methods_cb, g_object_ref (self));
  sui_rpc_client_call_async (self->client, "objects.reference", params, self->cancellable,
                             object_types_cb, g_object_ref (self));
  if (self->admin)
    sui_rpc_client_call_async (self->client, "units.list", params, self->cancellable,
                               units_cb, g_object_ref (self));
  load_data (self);
}

gboolean
sui_items_page_get_ready (SuiItemsPage *self)
{
  g_return_val_if_fail (SUI_IS_ITEMS_PAGE (self), FALSE);

  return self->data_loaded && self->pending == 0 && self->pending_reference == 0 &&
         self->busy_calls == 0 && !self->item_detail_pending &&
         !self->catalogue_detail_pending && self->reload_source == 0;
}

static void
on_unit_changed (SuiItemsPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->unit_dropdown);

  self->unit_id = 0;
  if (self->units != NULL && selected != GTK_INVALID_LIST_POSITION && selected > 0 &&
      selected <= json_array_get_length (self->units))
    self->unit_id = sui_json_get_id (json_array_get_object_element (self->units, selected - 1),
                                     "id");
  load_data (self);
}

/* Export: the view as it stands — the unit's list (an admin's chosen unit, or every unit's)
 * or the catalogue — with the released or retired ones when they are shown. */

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SuiItemsPage *self = SUI_ITEMS_PAGE (widget);
  gboolean items = showing_items (self);
  gboolean inactive = gtk_check_button_get_active (self->inactive_check);
  JsonObject *o;
  g_autoptr(JsonNode) params = sui_params_new (&o);

  if (items && self->admin && self->unit_id > 0)
    json_object_set_int_member (o, "unit_id", self->unit_id);
  json_object_set_boolean_member (o, items ? "include_released" : "include_retired", inactive);
  sui_export_run (widget, self->toast_overlay, self->client,
                  items ? "items.export" : "catalogue.export", params,
                  g_variant_get_string (parameter, NULL), self->cancellable);
}

void
sui_items_page_set_unit (SuiItemsPage *self,
                         gint64        unit_id)
{
  g_return_if_fail (SUI_IS_ITEMS_PAGE (self));

  for (guint i = 0; self->units != NULL && i < json_array_get_length (self->units); i++)
    if (sui_json_get_id (json_array_get_object_element (self->units, i), "id") == unit_id)
      {
        gtk_drop_down_set_selected (self->unit_dropdown, i + 1);
        return;
      }

  gtk_drop_down_set_selected (self->unit_dropdown, 0);
}

/* Live refresh */

static gboolean
reload_cb (gpointer user_data)
{
  SuiItemsPage *self = user_data;

  self->reload_source = 0;
  load_data (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_reload (SuiItemsPage *self)
{
  if (self->reload_source == 0)
    self->reload_source = g_timeout_add (RELOAD_DELAY_MS, reload_cb, self);
}

static void
on_events_changed (SuiItemsPage    *self,
                   const char      *area,
                   const char      *id,
                   SuiEventsClient *events)
{
  if (self->loaded &&
      (g_strcmp0 (area, "catalogue") == 0 || g_strcmp0 (area, "items") == 0))
    schedule_reload (self);
}

static void
on_events_reconnected (SuiItemsPage    *self,
                       SuiEventsClient *events)
{
  if (self->loaded)
    schedule_reload (self);
}

/* Calls that change something */

typedef struct
{
  SuiItemsPage *self;
  char *success;
  gboolean show_affected;
  gboolean to_items;
  char *refused_heading;      /* set: a refusal is also shown in a dialog with this heading */
} Change;

static void
change_free (Change *change)
{
  g_clear_object (&change->self);
  g_free (change->success);
  g_free (change->refused_heading);
  g_free (change);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Change, change_free)

/* After a catalogue change: the units whose lists it marks, from `affected`. */
static void
show_affected (SuiItemsPage *self,
               JsonObject   *answer,
               const char   *done)
{
  JsonArray *affected = get_array (answer, "affected");
  g_autoptr(GString) names = g_string_new (NULL);
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  g_clear_pointer (&self->last_affected, json_array_unref);
  self->last_affected = affected != NULL ? json_array_ref (affected) : json_array_new ();

  if (json_array_get_length (self->last_affected) == 0)
    {
      g_autofree char *message = g_strdup_printf (_("%s No unit has claimed this item, so no "
                                                    "list is affected."), done);

      toast (self, message);
      return;
    }

  for (guint i = 0; i < json_array_get_length (self->last_affected); i++)
    g_string_append_printf (names, "%s%s", i > 0 ? "、" : "",
                            sui_json_get_string (json_array_get_object_element (
                                                   self->last_affected, i), "unit_name"));

  /* Translators: "Catalogue item “X” was saved. The lists of 2 units are marked …: A、B." */
  body = g_strdup_printf (ngettext ("%s The list of %u unit is marked and must acknowledge "
                                    "the change: %s.",
                                    "%s The lists of %u units are marked and each must "
                                    "acknowledge the change: %s.",
                                    json_array_get_length (self->last_affected)),
                          done, json_array_get_length (self->last_affected), names->str);
  toast (self, body);
  dialog = adw_message_dialog_new (get_parent_window (self), _("Affected Unit Lists"), body);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
change_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(Change) change = user_data;
  SuiItemsPage *self = change->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->busy_calls--;
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      if (error != NULL)
        toast_error (self, error);
      if (error != NULL && change->refused_heading != NULL)
        {
          g_autofree char *message = sui_rpc_client_describe_error (error);
          GtkWidget *dialog = adw_message_dialog_new (get_parent_window (self),
                                                      change->refused_heading, message);

          adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("Close"));
          gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
          gtk_window_present (GTK_WINDOW (dialog));
        }
      load_data (self);
      return;
    }

  if (change->show_affected)
    show_affected (self, json_node_get_object (node), change->success);
  else
    toast (self, change->success);

  if (change->to_items)
    {
      self->select_after_load = sui_json_get_id (json_node_get_object (node), "id");
      gtk_stack_set_visible_child_name (self->view_stack, "items");
    }
  load_data (self);
}

static void
call_change (SuiItemsPage *self,
             const char   *method,
             JsonNode     *params,
             Change       *change)
{
  change->self = g_object_ref (self);
  self->busy_calls++;
  update_count (self);
  sui_rpc_client_call_async (self->client, method, params, self->cancellable, change_cb,
                             change);
}

static JsonNode *
id_version_params (SuiRegisterRow *row,
                   const char     *member,
                   const char     *value)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, sui_register_row_get_id (row));
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, sui_register_row_get_version (row));
  if (member != NULL)
    {
      json_builder_set_member_name (builder, member);
      json_builder_add_string_value (builder, value);
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
claim_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  SuiItemsPage *self = SUI_ITEMS_PAGE (widget);
  SuiRegisterRow *row = selected_row (self->catalogue_selection);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) params = NULL;
  Change *change;

  if (row == NULL)
    return;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "catalogue_id");
  json_builder_add_int_value (builder, sui_register_row_get_id (row));
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);

  change = g_new0 (Change, 1);
  change->success = g_strdup_printf (_("“%s” is on your unit's list now. Refine its content, "
                                       "methods and ratio if needed."),
                                     sui_register_row_get_string (row, "name"));
  change->to_items = TRUE;
  call_change (self, "items.claim", params, change);
}

static void
acknowledge_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  SuiItemsPage *self = SUI_ITEMS_PAGE (widget);
  SuiRegisterRow *row = selected_row (self->items_selection);
  g_autoptr(JsonNode) params = NULL;
  Change *change;

  if (row == NULL)
    return;

  params = id_version_params (row, NULL, NULL);
  change = g_new0 (Change, 1);
  change->success = g_strdup_printf (_("The catalogue change to “%s” was acknowledged; its "
                                       "methods and ratio now keep to the new bounds."),
                                     sui_register_row_get_string (row, "name"));
  call_change (self, "items.acknowledge", params, change);
}

/**
 * sui_items_page_release_selected:
 * @reason: why the unit no longer checks this item
 */
void
sui_items_page_release_selected (SuiItemsPage *self,
                                 const char   *reason)
{
  SuiRegisterRow *row;
  g_autoptr(JsonNode) params = NULL;
  Change *change;

  g_return_if_fail (SUI_IS_ITEMS_PAGE (self));

  if ((row = selected_row (self->items_selection)) == NULL)
    return;

  params = id_version_params (row, "reason", reason);
  change = g_new0 (Change, 1);
  change->success = g_strdup_printf (_("“%s” was released. It stays on record and can be "
                                       "claimed again from the catalogue."),
                                     sui_register_row_get_string (row, "name"));
  change->refused_heading = g_strdup_printf (_("“%s” Was Not Released"),
                                             sui_register_row_get_string (row, "name"));
  call_change (self, "items.release", params, change);
}

static void
release_prompt_cb (GStrv    texts,
                   gpointer user_data)
{
  SuiItemsPage *self = user_data;

  if (texts != NULL)
    sui_items_page_release_selected (self, texts[0]);
}

/**
 * sui_items_page_dup_release_body:
 * @item: (nullable): the item as items.get gives it
 *
 * Returns: (transfer full): what the confirmation of a release says: the tasks not yet drawn
 *   that still list the item, if any, since the server refuses to release it then
 */
char *
sui_items_page_dup_release_body (JsonObject *item)
{
  JsonArray *tasks = get_array (item, "used_by_tasks");
  g_autoptr(GString) names = g_string_new (NULL);

  if (tasks == NULL || json_array_get_length (tasks) == 0)
    return g_strdup (_("Your unit no longer checks this item: it leaves the list and cannot be "
                       "used in new tasks. The item and its history are kept. Give the reason."));

  for (guint i = 0; i < json_array_get_length (tasks); i++)
    g_string_append_printf (names, "%s“%s”", i > 0 ? "、" : "",
                            sui_json_get_string (json_array_get_object_element (tasks, i),
                                                 "name"));
  /* Translators: %s lists the tasks, e.g. “A”、“B” */
  return g_strdup_printf (ngettext ("The task %s is not drawn yet and still lists this item: it "
                                    "cannot be released until you remove it from that task in "
                                    "the task editor. Tasks already drawn keep it as history.",
                                    "The tasks %s are not drawn yet and still list this item: it "
                                    "cannot be released until you remove it from those tasks in "
                                    "the task editor. Tasks already drawn keep it as history.",
                                    json_array_get_length (tasks)),
                          names->str);
}

static void
release_check_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SuiItemsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  const char *fields[] = { _("Reason"), NULL };
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  SuiRegisterRow *row;
  JsonObject *item;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->busy_calls--;
  update_count (self);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      if (error != NULL)
        toast_error (self, error);
      return;
    }
  item = json_node_get_object (node);
  /* The user chose another item meanwhile: that one was not asked about. */
  row = selected_row (self->items_selection);
  if (row == NULL || sui_register_row_get_id (row) != sui_json_get_id (item, "id"))
    return;

  heading = g_strdup_printf (_("Release “%s”?"), sui_register_row_get_string (row, "name"));
  body = sui_items_page_dup_release_body (item);
  sui_prompt_texts (get_parent_window (self), heading, body, _("Release"), fields,
                    release_prompt_cb, g_object_ref (self), g_object_unref);
}

/* The confirmation says which tasks not yet drawn still use the item, asked of the server
 * now rather than taken from a detail pane that may be older. */
static void
release_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SuiItemsPage *self = SUI_ITEMS_PAGE (widget);
  SuiRegisterRow *row = selected_row (self->items_selection);
  g_autoptr(JsonNode) params = NULL;

  if (row == NULL)
    return;

  params = id_params (sui_register_row_get_id (row));
  self->busy_calls++;
  update_count (self);
  sui_rpc_client_call_async (self->client, "items.get", params, self->cancellable,
                             release_check_cb, g_object_ref (self));
}

/**
 * sui_items_page_retire_selected:
 * @reason: why the catalogue item is withdrawn
 */
void
sui_items_page_retire_selected (SuiItemsPage *self,
                                const char   *reason)
{
  SuiRegisterRow *row;
  g_autoptr(JsonNode) params = NULL;
  Change *change;

  g_return_if_fail (SUI_IS_ITEMS_PAGE (self));

  if ((row = selected_row (self->catalogue_selection)) == NULL)
    return;

  params = id_version_params (row, "reason", reason);
  change = g_new0 (Change, 1);
  change->success = g_strdup_printf (_("Catalogue item “%s” was retired."),
                                     sui_register_row_get_string (row, "name"));
  change->show_affected = TRUE;
  call_change (self, "catalogue.retire", params, change);
}

static void
retire_prompt_cb (GStrv    texts,
                  gpointer user_data)
{
  SuiItemsPage *self = user_data;

  if (texts != NULL)
    sui_items_page_retire_selected (self, texts[0]);
}

static void
retire_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SuiItemsPage *self = SUI_ITEMS_PAGE (widget);
  SuiRegisterRow *row = selected_row (self->catalogue_selection);
  const char *fields[] = { _("Reason"), NULL };
  g_autofree char *heading = NULL;

  if (row == NULL)
    return;

  heading = g_strdup_printf (_("Retire “%s”?"), sui_register_row_get_string (row, "name"));
  sui_prompt_texts (get_parent_window (self), heading,
                    _("A retired catalogue item can no longer be claimed; the units that "
                      "claimed it see it marked and should release it. Give the reason, e.g. "
                      "the regulation was repealed."),
                    _("Retire"), fields, retire_prompt_cb, g_object_ref (self),
                    g_object_unref);
}

/* Forms */

static void
on_item_saved (SuiItemsPage *self,
               JsonObject   *item)
{
  g_autofree char *message = g_strdup_printf (_("“%s” was saved."),
                                              sui_json_get_string (item, "name"));

  toast (self, message);
  load_data (self);
}

static void
on_catalogue_saved (SuiItemsPage *self,
                    JsonObject   *entry,
                    gpointer      dialog)
{
  g_autofree char *done = g_strdup_printf (_("Catalogue item “%s” was saved."),
                                           sui_json_get_string (entry, "name"));

  if (json_object_has_member (entry, "affected"))
    show_affected (self, entry, done);
  else
    toast (self, done);
  load_data (self);
}

/**
 * sui_items_page_open_editor:
 * @create: a new catalogue item (admin); otherwise the selected row of the visible view:
 *   the refinement of an item (supervisor) or a catalogue item (admin)
 *
 * Returns: (transfer none) (nullable): the dialog, presented
 */
GtkWindow *
sui_items_page_open_editor (SuiItemsPage *self,
                            gboolean      create)
{
  SuiCatalogueDialog *dialog = NULL;

  g_return_val_if_fail (SUI_IS_ITEMS_PAGE (self), NULL);

  if (self->admin)
    {
      SuiRegisterRow *row = create ? NULL : selected_row (self->catalogue_selection);

      if (!create && row == NULL)
        return NULL;
      dialog = sui_catalogue_dialog_new_catalogue (self->client, self->check_methods,
                                                   self->object_types,
                                                   row != NULL ? sui_register_row_get_json (row)
                                                               : NULL);
      g_signal_connect_object (dialog, "saved", G_CALLBACK (on_catalogue_saved), self,
                               G_CONNECT_SWAPPED);
    }
  else
    {
      SuiRegisterRow *row = selected_row (self->items_selection);
      JsonObject *item;

      if (create || row == NULL)
        return NULL;
      item = sui_register_row_get_json (row);
      dialog = sui_catalogue_dialog_new_refine (self->client, self->check_methods, item,
                                                find_catalogue_item (self,
                                                                     sui_json_get_id (
                                                                       item, "catalogue_id")));
      g_signal_connect_object (dialog, "saved", G_CALLBACK (on_item_saved), self,
                               G_CONNECT_SWAPPED);
    }

  gtk_window_set_transient_for (GTK_WINDOW (dialog), get_parent_window (self));
  gtk_window_present (GTK_WINDOW (dialog));
  return GTK_WINDOW (dialog);
}

static void
refine_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  sui_items_page_open_editor (SUI_ITEMS_PAGE (widget), FALSE);
}

static void
new_catalogue_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  sui_items_page_open_editor (SUI_ITEMS_PAGE (widget), TRUE);
}

static void
edit_catalogue_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  sui_items_page_open_editor (SUI_ITEMS_PAGE (widget), FALSE);
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  sui_items_page_reload (SUI_ITEMS_PAGE (widget));
}

static void
on_item_activated (SuiItemsPage *self,
                   guint         position)
{
  if (!self->admin)
    gtk_widget_activate_action (GTK_WIDGET (self), "items.refine", NULL);
}

static void
on_catalogue_activated (SuiItemsPage *self,
                        guint         position)
{
  gtk_widget_activate_action (GTK_WIDGET (self), self->admin ? "catalogue.edit" : "items.claim",
                              NULL);
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
  SuiItemsPage *self = g_object_get_data (G_OBJECT (factory), "page");
  const char *column = user_data;
  GtkWidget *label = gtk_list_item_get_child (item);
  g_autofree char *text = sui_items_page_dup_cell_text (self, gtk_list_item_get_item (item),
                                                        column);

  gtk_label_set_text (GTK_LABEL (label), text);
  gtk_widget_set_tooltip_text (label, text[0] != '\0' ? text : NULL);

  /* What needs the user's attention stands out; what is out of use steps back. */
  if (g_str_equal (column, "mark") && text[0] != '\0')
    gtk_widget_add_css_class (label, "warning");
  else
    gtk_widget_remove_css_class (label, "warning");
  if (g_str_equal (column, "state") &&
      g_strcmp0 (sui_register_row_get_string (gtk_list_item_get_item (item), "state"),
                 "active") != 0)
    gtk_widget_add_css_class (label, "dim-label");
  else
    gtk_widget_remove_css_class (label, "dim-label");
}

typedef struct
{
  SuiItemsPage *self;
  const char *column;
} SortData;

static int
compare_cells (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  SortData *data = user_data;
  g_autofree char *x = sui_items_page_dup_cell_text (data->self, SUI_REGISTER_ROW ((gpointer) a),
                                                     data->column);
  g_autofree char *y = sui_items_page_dup_cell_text (data->self, SUI_REGISTER_ROW ((gpointer) b),
                                                     data->column);

  if (g_str_equal (data->column, "claimed"))
    return (int) (g_ascii_strtoll (x, NULL, 10) - g_ascii_strtoll (y, NULL, 10));
  return g_utf8_collate (x, y);
}

static void
add_column (SuiItemsPage  *self,
            GtkColumnView *view,
            const char    *column,
            const char    *title,
            int            width)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *col;
  SortData *data = g_new0 (SortData, 1);
  GtkSorter *sorter;

  data->self = self;
  data->column = column;

  g_object_set_data (G_OBJECT (factory), "page", self);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_label), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_label), (gpointer) column);
  col = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_resizable (col, TRUE);
  /* A negative width: the column takes the room left, but never less than that; the list
   * scrolls sideways rather than squeeze the names to nothing. */
  gtk_column_view_column_set_fixed_width (col, ABS (width));
  gtk_column_view_column_set_expand (col, width < 0);
  sorter = GTK_SORTER (gtk_custom_sorter_new (compare_cells, data, g_free));
  gtk_column_view_column_set_sorter (col, sorter);
  g_object_unref (sorter);
  gtk_column_view_append_column (view, col);
  g_object_unref (col);
}

/* store → filter (search, state) → sort (column headers) → single selection → view */
static GtkSingleSelection *
chain_models (SuiItemsPage        *self,
              GtkColumnView       *view,
              GListStore          *store,
              GtkCustomFilterFunc  filter_func,
              GtkFilterListModel **filtered)
{
  GtkCustomFilter *filter = gtk_custom_filter_new (filter_func, self, NULL);
  GtkSortListModel *sorted;
  GtkSingleSelection *selection;

  *filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (store)),
                                         GTK_FILTER (filter));
  sorted = gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (*filtered)),
                                    g_object_ref (gtk_column_view_get_sorter (view)));
  selection = gtk_single_selection_new (G_LIST_MODEL (sorted));
  gtk_single_selection_set_autoselect (selection, FALSE);
  gtk_single_selection_set_can_unselect (selection, TRUE);
  gtk_column_view_set_model (view, GTK_SELECTION_MODEL (selection));
  return selection;
}

/* Accessors for tests */

GListModel *
sui_items_page_get_items (SuiItemsPage *self)
{
  g_return_val_if_fail (SUI_IS_ITEMS_PAGE (self), NULL);

  return G_LIST_MODEL (self->items);
}

/* Returns: (transfer none): the catalogue rows the catalogue view shows */
GListModel *
sui_items_page_get_catalogue (SuiItemsPage *self)
{
  g_return_val_if_fail (SUI_IS_ITEMS_PAGE (self), NULL);

  return G_LIST_MODEL (self->catalogue_filtered);
}

const char *
sui_items_page_get_view (SuiItemsPage *self)
{
  g_return_val_if_fail (SUI_IS_ITEMS_PAGE (self), NULL);

  return gtk_stack_get_visible_child_name (self->view_stack);
}

/**
 * sui_items_page_select:
 * @view: `items` or `catalogue`
 * @id: the row to select there
 *
 * Returns: %TRUE when the view shows that row
 */
gboolean
sui_items_page_select (SuiItemsPage *self,
                       const char   *view,
                       gint64        id)
{
  gboolean items;

  g_return_val_if_fail (SUI_IS_ITEMS_PAGE (self), FALSE);

  items = g_strcmp0 (view, "items") == 0;
  gtk_stack_set_visible_child_name (self->view_stack, items ? "items" : "catalogue");
  return select_in (items ? self->items_selection : self->catalogue_selection, id);
}

const char *
sui_items_page_get_changes_text (SuiItemsPage *self)
{
  g_return_val_if_fail (SUI_IS_ITEMS_PAGE (self), NULL);

  return self->changes_text;
}

JsonArray *
sui_items_page_get_last_affected (SuiItemsPage *self)
{
  g_return_val_if_fail (SUI_IS_ITEMS_PAGE (self), NULL);

  return self->last_affected;
}

const char *
sui_items_page_get_last_message (SuiItemsPage *self)
{
  g_return_val_if_fail (SUI_IS_ITEMS_PAGE (self), NULL);

  return self->last_message;
}

/* GObject */

static void
sui_items_page_dispose (GObject *object)
{
  SuiItemsPage *self = (SuiItemsPage *)object;

  g_clear_handle_id (&self->reload_source, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->detail_cancellable);
  g_cancellable_cancel (self->catalogue_detail_cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->detail_cancellable);
  g_clear_object (&self->catalogue_detail_cancellable);

  if (self->items_selection != NULL)
    g_signal_handlers_disconnect_by_data (self->items_selection, self);
  if (self->catalogue_selection != NULL)
    g_signal_handlers_disconnect_by_data (self->catalogue_selection, self);
  if (self->items_view != NULL)
    gtk_column_view_set_model (self->items_view, NULL);
  if (self->catalogue_view != NULL)
    gtk_column_view_set_model (self->catalogue_view, NULL);

  g_clear_object (&self->items_selection);
  g_clear_object (&self->catalogue_selection);
  g_clear_object (&self->items_filtered);
  g_clear_object (&self->catalogue_filtered);
  g_clear_object (&self->items);
  g_clear_object (&self->catalogue);
  g_clear_object (&self->client);
  g_clear_object (&self->events);

  G_OBJECT_CLASS (sui_items_page_parent_class)->dispose (object);
}

static void
sui_items_page_finalize (GObject *object)
{
  SuiItemsPage *self = (SuiItemsPage *)object;

  g_clear_pointer (&self->check_methods, json_array_unref);
  g_clear_pointer (&self->object_types, json_array_unref);
  g_clear_pointer (&self->units, json_array_unref);
  g_clear_pointer (&self->claimed, g_hash_table_unref);
  g_clear_pointer (&self->new_catalogue, json_array_unref);
  g_clear_pointer (&self->new_items, json_array_unref);
  g_clear_pointer (&self->last_affected, json_array_unref);
  g_clear_pointer (&self->changes_text, g_free);
  g_clear_pointer (&self->last_message, g_free);

  G_OBJECT_CLASS (sui_items_page_parent_class)->finalize (object);
}

/* The first time the page is shown: an area the user never opens costs the server nothing. */
static void
sui_items_page_map (GtkWidget *widget)
{
  SuiItemsPage *self = (SuiItemsPage *)widget;

  GTK_WIDGET_CLASS (sui_items_page_parent_class)->map (widget);

  if (!self->loaded)
    {
      self->loaded = TRUE;
      sui_items_page_reload (self);
    }
}

/* Leaving the window (it closes, or the user signs out): calls still under way hold a
 * reference to the page, so stop them now rather than when the page is finalized. */
static void
sui_items_page_unroot (GtkWidget *widget)
{
  SuiItemsPage *self = (SuiItemsPage *)widget;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_cancellable_cancel (self->detail_cancellable);
  g_cancellable_cancel (self->catalogue_detail_cancellable);
  g_clear_handle_id (&self->reload_source, g_source_remove);

  GTK_WIDGET_CLASS (sui_items_page_parent_class)->unroot (widget);
}

static void
sui_items_page_class_init (SuiItemsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sui_items_page_dispose;
  object_class->finalize = sui_items_page_finalize;
  widget_class->map = sui_items_page_map;
  widget_class->unroot = sui_items_page_unroot;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/shuangsui/Desk/ui/sui-items-page.ui");
  gtk_widget_class_bind_template_child (widget_class, SuiItemsPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SuiItemsPage, export_button);
  gtk_widget_class_bind_template_child (widget_class, SuiItemsPage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, SuiItemsPage, unit_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SuiItemsPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, SuiItemsPage, inactive_check);
  gtk_widget_class_bind_template_child (widget_class, SuiItemsPage, items_view);
  gtk_widget_class_bind_template_child (widget_class, SuiItemsPage, catalogue_view);
  gtk_widget_class_bind_template_child (widget_class, SuiItemsPage, items_detail);
  gtk_widget_class_bind_template_child (widget_class, SuiItemsPage, catalogue_detail);
  gtk_widget_class_bind_template_child (widget_class, SuiItemsPage, refine_button);
  gtk_widget_class_bind_template_child (widget_class, SuiItemsPage, acknowledge_button);
  gtk_widget_class_bind_template_child (widget_class, SuiItemsPage, release_button);
  gtk_widget_class_bind_template_child (widget_class, SuiItemsPage, claim_button);
  gtk_widget_class_bind_template_child (widget_class, SuiItemsPage, new_catalogue_button);
  gtk_widget_class_bind_template_child (widget_class, SuiItemsPage, edit_catalogue_button);
  gtk_widget_class_bind_template_child (widget_class, SuiItemsPage, retire_catalogue_button);
  gtk_widget_class_bind_template_child (widget_class, SuiItemsPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, SuiItemsPage, count_label);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_view_changed);

  gtk_widget_class_install_action (widget_class, "items.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "items.export", "s", export_action);
  gtk_widget_class_install_action (widget_class, "items.claim", NULL, claim_action);
  gtk_widget_class_install_action (widget_class, "items.refine", NULL, refine_action);
  gtk_widget_class_install_action (widget_class, "items.acknowledge", NULL, acknowledge_action);
  gtk_widget_class_install_action (widget_class, "items.release", NULL, release_action);
  gtk_widget_class_install_action (widget_class, "catalogue.new", NULL, new_catalogue_action);
  gtk_widget_class_install_action (widget_class, "catalogue.edit", NULL, edit_catalogue_action);
  gtk_widget_class_install_action (widget_class, "catalogue.retire", NULL, retire_action);
}

static void
sui_items_page_init (SuiItemsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  sui_export_menu_button_init (self->export_button, "items.export");

  self->cancellable = g_cancellable_new ();
  self->claimed = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->items = g_list_store_new (SUI_TYPE_REGISTER_ROW);
  self->catalogue = g_list_store_new (SUI_TYPE_REGISTER_ROW);
}

SuiItemsPage *
sui_items_page_new (SuiRpcClient    *client,
                    SuiEventsClient *events,
                    gboolean         admin)
{
  SuiItemsPage *self;
  GtkStackPage *page;

  g_return_val_if_fail (SUI_IS_RPC_CLIENT (client), NULL);

  self = g_object_new (SUI_TYPE_ITEMS_PAGE, NULL);
  self->client = g_object_ref (client);
  self->events = events != NULL ? g_object_ref (events) : NULL;
  self->admin = admin;

  add_column (self, self->items_view, "code", _("Code"), 72);
  add_column (self, self->items_view, "name", _("Item name"), -180);
  if (admin)
    add_column (self, self->items_view, "unit_name", _("Unit"), 120);
  add_column (self, self->items_view, "level", _("Level"), 48);
  add_column (self, self->items_view, "methods", _("Methods"), 190);
  add_column (self, self->items_view, "ratio", _("Sampling ratio"), 84);
  add_column (self, self->items_view, "state", _("State"), 52);
  add_column (self, self->items_view, "mark", _("Catalogue"), 88);

  add_column (self, self->catalogue_view, "code", _("Code"), 72);
  add_column (self, self->catalogue_view, "name", _("Item name"), -150);
  add_column (self, self->catalogue_view, "level", _("Level"), 48);
  add_column (self, self->catalogue_view, "object_types", _("Object types"), 90);
  add_column (self, self->catalogue_view, "methods", _("Methods"), 140);
  add_column (self, self->catalogue_view, "ratio", _("Sampling ratio"), 80);
  if (admin)
    {
      add_column (self, self->catalogue_view, "state", _("State"), 52);
      add_column (self, self->catalogue_view, "claimed", _("Claims"), 72);
    }

  self->items_selection = chain_models (self, self->items_view, self->items, filter_items,
                                        &self->items_filtered);
  self->catalogue_selection = chain_models (self, self->catalogue_view, self->catalogue,
                                            filter_catalogue, &self->catalogue_filtered);
  g_signal_connect_object (self->items_selection, "notify::selected-item",
                           G_CALLBACK (on_item_selected), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->catalogue_selection, "notify::selected-item",
                           G_CALLBACK (on_catalogue_selected), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->items_view, "activate", G_CALLBACK (on_item_activated), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->catalogue_view, "activate",
                           G_CALLBACK (on_catalogue_activated), self, G_CONNECT_SWAPPED);

  /* A supervisor keeps the list and claims from the catalogue; an admin keeps the catalogue
   * and reads the units' lists. */
  page = gtk_stack_get_page (self->view_stack, gtk_stack_get_child_by_name (self->view_stack,
                                                                            "items"));
  gtk_stack_page_set_title (page, admin ? _("Unit Lists") : _("Our Item List"));
  page = gtk_stack_get_page (self->view_stack, gtk_stack_get_child_by_name (self->view_stack,
                                                                            "catalogue"));
  gtk_stack_page_set_title (page, admin ? _("Item Catalogue") : _("Claim from Catalogue"));

  /* An admin reads a unit's list and changes nothing there: no bar of actions at all. */
  gtk_widget_set_visible (gtk_widget_get_parent (self->refine_button), !admin);
  gtk_widget_set_visible (self->refine_button, !admin);
  gtk_widget_set_visible (self->acknowledge_button, !admin);
  gtk_widget_set_visible (self->release_button, !admin);
  gtk_widget_set_visible (self->claim_button, !admin);
  gtk_widget_set_visible (self->new_catalogue_button, admin);
  gtk_widget_set_visible (self->edit_catalogue_button, admin);
  gtk_widget_set_visible (self->retire_catalogue_button, admin);
  g_signal_connect_object (self->unit_dropdown, "notify::selected",
                           G_CALLBACK (on_unit_changed), self, G_CONNECT_SWAPPED);

  if (admin)
    {
      /* The catalogue is what an admin keeps: show it first. */
      gtk_stack_set_visible_child_name (self->view_stack, "catalogue");
    }

  if (self->events != NULL)
    {
      g_signal_connect_object (self->events, "changed", G_CALLBACK (on_events_changed), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (self->events, "reconnected",
                               G_CALLBACK (on_events_reconnected), self, G_CONNECT_SWAPPED);
    }

  on_view_changed (self);
  load_item_detail (self);
  load_catalogue_detail (self);
  return self;
}
