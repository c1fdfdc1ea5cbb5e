/* sui-joint-dialog.c: the joint-task assistant (联合抽查向导) of one task
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One window shows the whole arrangement of a joint task (一业一查) from tasks.departments:
 * the lead unit's part, every department's part with its state, items, inspectors and share
 * of the visit.  What the user may change depends on who they are:
 *
 *  - a supervisor of the lead unit invites departments and removes them;
 *  - a supervisor of a department fills in their own part (items from their item list, each
 *    with a check method, inspectors per object, a note), saves it and confirms it;
 *  - the administrator and anyone else only looks.
 *
 * The dialog follows others' changes through the /events feed when it has one (the server
 * names the task in area `tasks`); an edited form is never overwritten by such a reload: a
 * stale save gets -32009 and then the form reloads and says so.
 */
#include "sui-config.h"

#include <glib/gi18n.h>

#include "sui-error-data.h"
#include "sui-form.h"
#include "sui-joint-dialog.h"
#include "sui-json.h"
#include "sui-plan-labels.h"

/* One item of the department's list offered in the form. */
typedef struct
{
  gint64 item_id;
  char *name;
  GStrv codes;                /* the methods the item allows, in the dropdown's order */
  gboolean allows_off_site;
  AdwActionRow *row;
  GtkCheckButton *check;
  GtkDropDown *method;
  AdwEntryRow *reason_row;
} ItemChoice;

struct _SuiJointDialog
{
  AdwWindow parent_instance;

  AdwWindowTitle *window_title;
  GtkSpinner *spinner;
  AdwToastOverlay *toast_overlay;
  GtkStack *stack;
  AdwStatusPage *status_page;
  AdwActionRow *state_row;
  AdwActionRow *progress_row;
  AdwActionRow *team_row;
  AdwPreferencesGroup *mine_group;
  GtkWidget *save_button;
  GtkWidget *confirm_button;
  AdwActionRow *mine_state_row;
  AdwActionRow *per_object_row;
  GtkSpinButton *per_object_spin;
  AdwActionRow *per_object_error;
  AdwEntryRow *note_row;
  AdwActionRow *note_error;
  AdwPreferencesGroup *items_group;
  AdwActionRow *items_error;
  AdwPreferencesGroup *invite_group;
  AdwComboRow *candidate_row;
  AdwActionRow *candidate_error;
  GtkSpinButton *invite_spin;
  AdwActionRow *invite_count_row;
  AdwActionRow *invite_count_error;
  AdwPreferencesGroup *parts_group;

  SuiRpcClient *client;
  SuiEventsClient *events;
  JsonObject *user;
  gint64 task_id;
  GCancellable *cancellable;

  JsonObject *data;           /* the last tasks.departments */
  GHashTable *methods;        /* code → JsonObject {code, name, off_site} */
  GHashTable *items;          /* item id → JsonObject item, of every list loaded */
  JsonArray *my_items;        /* the user's own unit's item list */
  gboolean items_missing;     /* the server has no item list (yet) */
  GArray *candidate_ids;      /* gint64, in the combo row's order */
  GPtrArray *part_rows;       /* the rows in parts_group */
  GPtrArray *choices;         /* ItemChoice, in items_group */
  GPtrArray *item_rows;       /* every row added to items_group */
  GHashTable *part_state;     /* unit id → state label shown */
  GHashTable *part_share;     /* unit id → share shown */
  GHashTable *field_errors;   /* field → message shown */
  char *last_message;
  SuiJointMode mode;
  gint64 form_version;        /* the version of the part the form was filled from */
  guint busy;
  guint pending;              /* loads of the current reload still on their way */
  gboolean writing;
  gboolean dirty;
  gboolean populating;
  gboolean reload_again;
  gboolean force_form;
  gboolean confirm_after_save;
};

G_DEFINE_FINAL_TYPE (SuiJointDialog, sui_joint_dialog, ADW_TYPE_WINDOW)

static void render (SuiJointDialog *self);
static void update_actions (SuiJointDialog *self);
static void confirm_part (SuiJointDialog *self);

static void
item_choice_free (gpointer data)
{
  ItemChoice *c = data;

  g_free (c->name);
  g_strfreev (c->codes);
  g_free (c);
}

/* ---- small helpers ---------------------------------------------------------------- */

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

static guint
array_length (JsonArray *array)
{
  return array != NULL ? json_array_get_length (array) : 0;
}

static gint64 *
int64_key (gint64 value)
{
  gint64 *key = g_new (gint64, 1);

  *key = value;
  return key;
}

static void
show_message (SuiJointDialog *self,
              const char     *message)
{
  AdwToast *toast;

  g_free (self->last_message);
  self->last_message = g_strdup (message);
  toast = adw_toast_new (message);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_timeout (toast, 8);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
set_busy (SuiJointDialog *self,
          gboolean        busy)
{
  self->busy += busy ? 1 : -1;
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), self->busy > 0);
  gtk_spinner_set_spinning (self->spinner, self->busy > 0);
}

static gint64
user_unit (SuiJointDialog *self)
{
  return sui_json_get_id (self->user, "unit_id");
}

static const char *
task_state (SuiJointDialog *self)
{
  return sui_json_get_string (self->data, "state");
}

static gboolean
is_draft (SuiJointDialog *self)
{
  return g_strcmp0 (task_state (self), "draft") == 0;
}

static JsonObject *
find_part (SuiJointDialog *self,
           gint64          unit_id)
{
  JsonArray *parts = get_array (self->data, "departments");

  for (guint i = 0; i < array_length (parts); i++)
    {
      JsonObject *part = json_array_get_object_element (parts, i);

      if (sui_json_get_id (part, "unit_id") == unit_id)
        return part;
    }
  return NULL;
}

static const char *
method_name (SuiJointDialog *self,
             const char     *code)
{
  JsonObject *m = self->methods != NULL ? g_hash_table_lookup (self->methods, code) : NULL;

  if (m != NULL && *sui_json_get_string (m, "name") != '\0')
    return sui_json_get_string (m, "name");
  return code;
}

static gboolean
method_off_site (SuiJointDialog *self,
                 const char     *code)
{
  JsonObject *m = self->methods != NULL ? g_hash_table_lookup (self->methods, code) : NULL;

  if (m != NULL)
    return sui_json_get_bool (m, "off_site");
  /* Without the table: every method but on site is one of the off-site ones. */
  return g_strcmp0 (code, "on_site") != 0;
}

static const char *
level_label (const char *level)
{
  if (g_strcmp0 (level, "key") == 0)
    return _("Key item");
  if (g_strcmp0 (level, "general") == 0)
    return _("General item");
  return "";
}

/* The part's state as the people involved say it. */
static const char *
part_state_label (JsonObject *part)
{
  if (sui_json_get_bool (part, "confirmed"))
    return _("Confirmed");
  if (array_length (get_array (part, "items")) > 0)
    return _("Awaiting confirmation");
  return _("To be filled in");
}

static const char *
part_state_style (JsonObject *part)
{
  if (sui_json_get_bool (part, "confirmed"))
    return "success";
  if (array_length (get_array (part, "items")) > 0)
    return "accent";
  return "warning";
}

/* One entry of a part's items: {item_id, method, reason?}, an item id, or (in tasks written
 * before the item list) a name. */
static void
describe_entry (SuiJointDialog  *self,
                JsonNode        *entry,
                char           **title,
                char           **subtitle)
{
  gint64 id = 0;
  const char *method = NULL;
  const char *reason = NULL;
  JsonObject *item;

  if (JSON_NODE_HOLDS_OBJECT (entry))
    {
      JsonObject *o = json_node_get_object (entry);

      id = sui_json_get_id (o, "item_id");
      method = sui_json_get_string (o, "method");
      reason = sui_json_get_string (o, "reason");
    }
  else if (JSON_NODE_HOLDS_VALUE (entry) && json_node_get_value_type (entry) == G_TYPE_STRING)
    {
      *title = g_strdup (json_node_get_string (entry));
      *subtitle = g_strdup ("");
      return;
    }
  else if (JSON_NODE_HOLDS_VALUE (entry))
    id = json_node_get_int (entry);

  item = self->items != NULL ? g_hash_table_lookup (self->items, &id) : NULL;
  if (item != NULL)
    *title = g_strdup (sui_json_get_string (item, "name"));
  else
    {
      g_autofree char *no = g_strdup_printf ("%" G_GINT64_FORMAT, id);

      *title = g_strdup_printf (_("Item no. %s"), no);
    }

  if (method == NULL || *method == '\0')
    *subtitle = g_strdup ("");
  else if (reason != NULL && *reason != '\0')
    *subtitle = g_strdup_printf (_("%s — reason: %s"), method_name (self, method), reason);
  else
    *subtitle = g_strdup (method_name (self, method));
}

static void
set_field_error (SuiJointDialog *self,
                 const char     *field,
                 GtkWidget      *field_row,
                 AdwActionRow   *error_row,
                 const char     *message)
{
  sui_form_set_field_error (field_row, error_row, message);
  if (message != NULL && *message != '\0')
    g_hash_table_insert (self->field_errors, g_strdup (field), g_strdup (message));
  else
    g_hash_table_remove (self->field_errors, field);
}

static void
clear_form_errors (SuiJointDialog *self)
{
  set_field_error (self, "items", GTK_WIDGET (self->items_error), self->items_error, NULL);
  set_field_error (self, "inspectors_per_object", GTK_WIDGET (self->per_object_row),
                   self->per_object_error, NULL);
  set_field_error (self, "note", GTK_WIDGET (self->note_row), self->note_error, NULL);
  for (guint i = 0; self->choices != NULL && i < self->choices->len; i++)
    gtk_widget_remove_css_class (GTK_WIDGET (((ItemChoice *) self->choices->pdata[i])->reason_row),
                                 "error");
}

static void
clear_invite_errors (SuiJointDialog *self)
{
  set_field_error (self, "unit_id", GTK_WIDGET (self->candidate_row), self->candidate_error,
                   NULL);
  set_field_error (self, "invite_inspectors_per_object", GTK_WIDGET (self->invite_count_row),
                   self->invite_count_error, NULL);
}

/* ---- loading ---------------------------------------------------------------------- */

static gboolean
cancelled (GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
load_done (SuiJointDialog *self)
{
  g_assert (self->pending > 0);
  self->pending--;
  set_busy (self, FALSE);
  if (self->pending > 0)
    return;

  if (self->data != NULL)
    render (self);
  if (self->reload_again)
    {
      self->reload_again = FALSE;
      sui_joint_dialog_reload (self);
    }
}

static void
methods_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SuiJointDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result,
                                                         NULL, &error);
  JsonArray *list;

  if (cancelled (error))
    return;
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node) &&
      (list = get_array (json_node_get_object (node), "items")) != NULL)
    {
      g_clear_pointer (&self->methods, g_hash_table_unref);
      self->methods = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) json_object_unref);
      for (guint i = 0; i < json_array_get_length (list); i++)
        {
          JsonObject *m = json_array_get_object_element (list, i);

          if (m != NULL)
            g_hash_table_insert (self->methods, g_strdup (sui_json_get_string (m, "code")),
                                 json_object_ref (m));
        }
    }
  load_done (self);
}

static void
remember_items (SuiJointDialog *self,
                JsonArray      *list)
{
  for (guint i = 0; i < array_length (list); i++)
    {
      JsonObject *item = json_array_get_object_element (list, i);

      if (item != NULL)
        g_hash_table_insert (self->items, int64_key (sui_json_get_id (item, "id")),
                             json_object_ref (item));
    }
}

static void
items_done (SuiJointDialog *self,
            GAsyncResult   *result,
            gboolean        own)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = sui_rpc_client_call_finish (self->client, result, NULL, &error);
  JsonArray *list;

  if (cancelled (error))
    return;
  if (g_error_matches (error, SUI_RPC_ERROR, SUI_RPC_ERROR_METHOD_NOT_FOUND))
    self->items_missing = TRUE;
  else if (node != NULL && JSON_NODE_HOLDS_OBJECT (node) &&
           (list = get_array (json_node_get_object (node), "items")) != NULL)
    {
      self->items_missing = FALSE;
      remember_items (self, list);
      if (own)
        {
          g_clear_pointer (&self->my_items, json_array_unref);
          self->my_items = json_array_ref (list);
        }
    }
  load_done (self);
}

static void
own_items_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SuiJointDialog) self = user_data;

  items_done (self, result, TRUE);
}

static void
unit_items_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(SuiJointDialog) self = user_data;

  items_done (self, result, FALSE);
}

static void
load_items (SuiJointDialog *self,
            gint64          unit_id)
{
  JsonObject *o;
  g_autoptr(JsonNode) params = sui_params_new (&o);

  /* Supervisors always get their own unit's list; the administrator names the unit. */
  if (unit_id != 0)
    json_object_set_int_member (o, "unit_id", unit_id);
  json_object_set_boolean_member (o, "include_released", TRUE);
  self->pending++;
  set_busy (self, TRUE);
  sui_rpc_client_call_async (self->client, "items.list", params, self->cancellable,
                             unit_id == 0 ? own_items_cb : unit_items_cb, g_object_ref (self));
}

static SuiJointMode
decide_mode (SuiJointDialog *self)
{
  const char *role = sui_json_get_string (self->user, "role");
  JsonObject *lead = get_object (self->data, "lead");

  if (g_strcmp0 (role, "supervisor") != 0)
    return SUI_JOINT_MODE_READ_ONLY;
  if (sui_json_get_id (lead, "unit_id") == user_unit (self))
    return SUI_JOINT_MODE_LEAD;
  if (find_part (self, user_unit (self)) != NULL)
    return SUI_JOINT_MODE_PARTNER;
  return SUI_JOINT_MODE_READ_ONLY;
}

static void
departments_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SuiJointDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result,
                                                         NULL, &error);

  if (cancelled (error))
    return;
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autofree char *message = error != NULL ? sui_rpc_client_describe_error (error)
                                               : g_strdup (_("The server gave no answer."));

      if (self->data == NULL)
        {
          g_free (self->last_message);
          self->last_message = g_strdup (message);
          adw_status_page_set_description (self->status_page, message);
          gtk_stack_set_visible_child_name (self->stack, "error");
        }
      else
        show_message (self, message);
      load_done (self);
      return;
    }

  g_clear_pointer (&self->data, json_object_unref);
  self->data = json_object_ref (json_node_get_object (node));
  self->mode = decide_mode (self);

  if (self->methods == NULL)
    {
      self->pending++;
      set_busy (self, TRUE);
      sui_rpc_client_call_async (self->client, "check_methods.list", NULL, self->cancellable,
                                 methods_cb, g_object_ref (self));
    }

  g_hash_table_remove_all (self->items);
  if (g_strcmp0 (sui_json_get_string (self->user, "role"), "admin") == 0)
    {
      JsonArray *parts = get_array (self->data, "departments");

      load_items (self, sui_json_get_id (get_object (self->data, "lead"), "unit_id"));
      for (guint i = 0; i < array_length (parts); i++)
        load_items (self, sui_json_get_id (json_array_get_object_element (parts, i), "unit_id"));
    }
  else if (self->mode == SUI_JOINT_MODE_LEAD || self->mode == SUI_JOINT_MODE_PARTNER)
    load_items (self, 0);

  load_done (self);
}

static void
load_departments (SuiJointDialog *self)
{
  JsonObject *o;
  g_autoptr(JsonNode) params = sui_params_new (&o);

  json_object_set_int_member (o, "task_id", self->task_id);
  self->pending++;
  set_busy (self, TRUE);
  sui_rpc_client_call_async (self->client, "tasks.departments", params, self->cancellable,
                             departments_cb, g_object_ref (self));
}

static void
whoami_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SuiJointDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result,
                                                         NULL, &error);
  JsonObject *user;

  if (cancelled (error))
    return;
  user = node != NULL && JSON_NODE_HOLDS_OBJECT (node)
         ? get_object (json_node_get_object (node), "user") : NULL;
  if (user == NULL)
    {
      g_autofree char *message = error != NULL ? sui_rpc_client_describe_error (error)
                                               : g_strdup (_("The server gave no answer."));

      g_free (self->last_message);
      self->last_message = g_strdup (message);
      adw_status_page_set_description (self->status_page, message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      load_done (self);
      return;
    }
  self->user = json_object_ref (user);
  load_departments (self);
  load_done (self);
}

void
sui_joint_dialog_reload (SuiJointDialog *self)
{
  g_return_if_fail (SUI_IS_JOINT_DIALOG (self));

  if (self->pending > 0)
    {
      self->reload_again = TRUE;
      return;
    }
  if (self->user == NULL)
    {
      self->pending++;
      set_busy (self, TRUE);
      sui_rpc_client_call_async (self->client, "auth.whoami", NULL, self->cancellable,
                                 whoami_cb, g_object_ref (self));
      return;
    }
  load_departments (self);
}

/* ---- showing it ------------------------------------------------------------------- */

static guint
part_item_count (JsonObject *part)
{
  return array_length (get_array (part, "items"));
}

/* A part's share of the visit: its inspectors out of the whole team at each object, and
 * its items out of all the items checked. */
static char *
share_text (gint64 per_object,
            gint64 team,
            guint  items,
            guint  all_items)
{
  int percent = team > 0 ? (int) ((per_object * 100 + team / 2) / team) : 0;

  return g_strdup_printf (_("%d of %d inspectors at each object (%d %%), %u of %u items"),
                          (int) per_object, (int) team, percent, items, all_items);
}

static char *
on_duty_text (gint64 on_duty,
              gint64 per_object)
{
  if (on_duty < per_object)
    return g_strdup_printf (_("%d on duty: fewer than the %d needed at each object, so the "
                              "match would fall short. Add inspectors to the register or lower "
                              "the number."),
                            (int) on_duty, (int) per_object);
  return g_strdup_printf (_("%d on duty"), (int) on_duty);
}

static GtkWidget *
info_row (const char *title,
          const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL && *subtitle != '\0')
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 4);
  return row;
}

static void
render_candidates (SuiJointDialog *self)
{
  JsonArray *candidates = get_array (self->data, "candidates");
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  gint64 chosen = 0;
  guint selected = GTK_INVALID_LIST_POSITION;
  guint old = adw_combo_row_get_selected (self->candidate_row);

  if (old != GTK_INVALID_LIST_POSITION && old < self->candidate_ids->len)
    chosen = g_array_index (self->candidate_ids, gint64, old);

  g_array_set_size (self->candidate_ids, 0);
  for (guint i = 0; i < array_length (candidates); i++)
    {
      JsonObject *c = json_array_get_object_element (candidates, i);
      gint64 id = sui_json_get_id (c, "unit_id");

      gtk_string_list_append (names, sui_json_get_string (c, "unit_name"));
      g_array_append_val (self->candidate_ids, id);
      if (id == chosen)
        selected = i;
    }
  adw_combo_row_set_model (self->candidate_row, G_LIST_MODEL (names));
  gtk_widget_set_sensitive (GTK_WIDGET (self->candidate_row), self->candidate_ids->len > 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->invite_count_row), self->candidate_ids->len > 0);
  if (self->candidate_ids->len > 0)
    adw_combo_row_set_selected (self->candidate_row, selected != GTK_INVALID_LIST_POSITION
                                                     ? selected : 0);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->candidate_row),
                               self->candidate_ids->len == 0
                               ? _("No other department can be invited: every department "
                                   "takes part already, or the administrator has not set up "
                                   "any (units of kind “department”).")
                               : "");
}

static void
render_items_into (SuiJointDialog *self,
                   JsonArray      *items,
                   AdwExpanderRow *expander)
{
  if (array_length (items) == 0)
    {
      adw_expander_row_add_row (expander, info_row (_("No items yet."), NULL));
      return;
    }
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;

      describe_entry (self, json_array_get_element (items, i), &title, &subtitle);
      adw_expander_row_add_row (expander, info_row (title, subtitle));
    }
}

/* One unit's part of the visit: a row that opens onto its items, its inspectors and (for a
 * department) its note and confirmation. */
static GtkWidget *
part_row (SuiJointDialog *self,
          JsonObject     *part,
          const char     *badge_text,
          const char     *badge_style,
          const char     *share)
{
  gint64 per_object = sui_json_get_int (part, "inspectors_per_object");
  g_autofree char *per_text = g_strdup_printf ("%d", (int) per_object);
  g_autofree char *duty = on_duty_text (sui_json_get_int (part, "inspectors_on_duty"),
                                        per_object);
  g_autofree char *description = g_strdup_printf ("%s · %s", badge_text, share);
  GtkWidget *row = adw_expander_row_new ();
  GtkWidget *badge = gtk_label_new (badge_text);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 sui_json_get_string (part, "unit_name"));
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), share);
  gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (badge, "heading");
  gtk_widget_add_css_class (badge, badge_style);
  if (sui_json_get_int (part, "inspectors_on_duty") < per_object)
    {
      /* Seen without opening the row: this part cannot form its teams as it stands. */
      GtkWidget *warning = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

      gtk_widget_add_css_class (warning, "warning");
      gtk_widget_set_tooltip_text (warning, duty);
      gtk_accessible_update_property (GTK_ACCESSIBLE (warning),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, duty, -1);
      adw_expander_row_add_action (ADW_EXPANDER_ROW (row), warning);
    }
  adw_expander_row_add_action (ADW_EXPANDER_ROW (row), badge);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description, -1);

  render_items_into (self, get_array (part, "items"), ADW_EXPANDER_ROW (row));
  adw_expander_row_add_row (ADW_EXPANDER_ROW (row),
                            info_row (_("Inspectors at each object"), per_text));
  adw_expander_row_add_row (ADW_EXPANDER_ROW (row), info_row (_("Inspectors on duty"), duty));
  if (*sui_json_get_string (part, "note") != '\0')
    adw_expander_row_add_row (ADW_EXPANDER_ROW (row),
                              info_row (_("Department's note"),
                                        sui_json_get_string (part, "note")));
  if (sui_json_get_bool (part, "confirmed"))
    {
      g_autofree char *when = sui_json_format_time (part, "confirmed_at");
      g_autofree char *by = g_strdup_printf ("%s %s",
                                             sui_json_get_string (part, "confirmed_by_name"),
                                             when);

      adw_expander_row_add_row (ADW_EXPANDER_ROW (row), info_row (_("Confirmed by"), by));
    }
  return row;
}

static void
render_parts (SuiJointDialog *self,
              gint64          team,
              guint           all_items)
{
  JsonObject *lead = get_object (self->data, "lead");
  JsonArray *parts = get_array (self->data, "departments");
  gboolean can_remove = self->mode == SUI_JOINT_MODE_LEAD && is_draft (self);
  g_autofree char *lead_share = share_text (sui_json_get_int (lead, "inspectors_per_object"),
                                            team, array_length (get_array (lead, "items")),
                                            all_items);
  GtkWidget *row;

  for (guint i = 0; i < self->part_rows->len; i++)
    adw_preferences_group_remove (self->parts_group, self->part_rows->pdata[i]);
  g_ptr_array_set_size (self->part_rows, 0);

  /* The lead unit first: it draws the objects and its team is listed first at each one. */
  row = part_row (self, lead, _("Lead unit"), "dim-label", lead_share);
  adw_preferences_group_add (self->parts_group, row);
  g_ptr_array_add (self->part_rows, row);
  g_hash_table_insert (self->part_share, int64_key (sui_json_get_id (lead, "unit_id")),
                       g_strdup (lead_share));

  for (guint i = 0; i < array_length (parts); i++)
    {
      JsonObject *part = json_array_get_object_element (parts, i);
      gint64 unit_id = sui_json_get_id (part, "unit_id");
      const char *state = part_state_label (part);
      g_autofree char *share = share_text (sui_json_get_int (part, "inspectors_per_object"),
                                           team, part_item_count (part), all_items);

      row = part_row (self, part, state, part_state_style (part), share);
      if (can_remove)
        {
          GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
          g_autofree char *tip = g_strdup_printf (_("Remove %s from this task"),
                                                  sui_json_get_string (part, "unit_name"));

          gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
          gtk_widget_add_css_class (remove, "flat");
          gtk_widget_set_tooltip_text (remove, tip);
          gtk_accessible_update_property (GTK_ACCESSIBLE (remove),
                                          GTK_ACCESSIBLE_PROPERTY_LABEL, tip, -1);
          gtk_actionable_set_action_name (GTK_ACTIONABLE (remove), "joint.remove-department");
          gtk_actionable_set_action_target_value (GTK_ACTIONABLE (remove),
                                                  g_variant_new_int64 (unit_id));
          adw_expander_row_add_action (ADW_EXPANDER_ROW (row), remove);
        }
      adw_preferences_group_add (self->parts_group, row);
      g_ptr_array_add (self->part_rows, row);
      g_hash_table_insert (self->part_state, int64_key (unit_id), g_strdup (state));
      g_hash_table_insert (self->part_share, int64_key (unit_id), g_strdup (share));
    }
}

/* ---- the department's own part ---------------------------------------------------- */

static gboolean
choice_needs_reason (SuiJointDialog *self,
                     ItemChoice     *c)
{
  guint selected = gtk_drop_down_get_selected (c->method);

  return gtk_check_button_get_active (c->check) && c->allows_off_site &&
         selected < g_strv_length (c->codes) &&
         g_strcmp0 (c->codes[selected], "on_site") == 0;
}

static void
update_choices (SuiJointDialog *self)
{
  for (guint i = 0; i < self->choices->len; i++)
    {
      ItemChoice *c = self->choices->pdata[i];
      gboolean editable = self->mode == SUI_JOINT_MODE_PARTNER && is_draft (self);

      gtk_widget_set_sensitive (GTK_WIDGET (c->method),
                                editable && gtk_check_button_get_active (c->check));
      gtk_widget_set_sensitive (GTK_WIDGET (c->check), editable);
      gtk_widget_set_sensitive (GTK_WIDGET (c->reason_row), editable);
      gtk_widget_set_visible (GTK_WIDGET (c->reason_row), choice_needs_reason (self, c));
    }
}

static void
update_mine_state (SuiJointDialog *self)
{
  JsonObject *part = find_part (self, user_unit (self));
  g_autoptr(GString) text = g_string_new (NULL);

  if (part == NULL)
    return;
  g_string_append (text, part_state_label (part));
  if (sui_json_get_bool (part, "confirmed"))
    {
      g_autofree char *when = sui_json_format_time (part, "confirmed_at");

      g_string_append_printf (text, _(" by %s, %s. A change withdraws the confirmation."),
                              sui_json_get_string (part, "confirmed_by_name"), when);
    }
  else if (part_item_count (part) > 0)
    g_string_append (text, _(": check it once more, then confirm it. The task cannot be made "
                             "ready before every department has confirmed."));
  else
    g_string_append (text, _(": choose your items and save, then confirm."));
  if (!is_draft (self))
    g_string_append (text, _(" The task is no longer a draft: the part cannot change."));
  else if (self->dirty)
    g_string_append (text, _(" Unsaved changes."));
  adw_action_row_set_subtitle (self->mine_state_row, text->str);
}

static void
on_form_edited (SuiJointDialog *self)
{
  if (self->populating)
    return;
  self->dirty = TRUE;
  update_choices (self);
  update_mine_state (self);
  update_actions (self);
}

static ItemChoice *
add_choice (SuiJointDialog *self,
            gint64          item_id,
            const char     *name,
            const char     *subtitle,
            GStrv           codes,
            JsonObject     *chosen)
{
  ItemChoice *c = g_new0 (ItemChoice, 1);
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  g_autofree char *reason_label = NULL;
  guint selected = 0;
  gboolean default_found = FALSE;

  c->item_id = item_id;
  c->name = g_strdup (name);
  c->codes = codes;
  for (guint i = 0; codes[i] != NULL; i++)
    {
      gtk_string_list_append (names, method_name (self, codes[i]));
      if (method_off_site (self, codes[i]))
        {
          c->allows_off_site = TRUE;
          /* Off site whenever the item allows it: the first such method is the default. */
          if (!default_found)
            {
              selected = i;
              default_found = TRUE;
            }
        }
    }
  if (chosen != NULL)
    for (guint i = 0; codes[i] != NULL; i++)
      if (g_strcmp0 (codes[i], sui_json_get_string (chosen, "method")) == 0)
        selected = i;

  c->row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (c->row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (c->row), name);
  adw_action_row_set_subtitle (c->row, subtitle);
  adw_action_row_set_subtitle_lines (c->row, 2);

  c->check = GTK_CHECK_BUTTON (gtk_check_button_new ());
  gtk_widget_set_valign (GTK_WIDGET (c->check), GTK_ALIGN_CENTER);
  gtk_check_button_set_active (c->check, chosen != NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (c->check),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  adw_action_row_add_prefix (c->row, GTK_WIDGET (c->check));
  adw_action_row_set_activatable_widget (c->row, GTK_WIDGET (c->check));

  c->method = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_object_ref (names)), NULL));
  gtk_widget_set_valign (GTK_WIDGET (c->method), GTK_ALIGN_CENTER);
  gtk_drop_down_set_selected (c->method, selected);
  gtk_widget_set_tooltip_text (GTK_WIDGET (c->method), _("Check method"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (c->method),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Check method"), -1);
  adw_action_row_add_suffix (c->row, GTK_WIDGET (c->method));

  c->reason_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  reason_label = g_strdup_printf (_("Why “%s” must be checked on site"), name);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (c->reason_row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (c->reason_row), reason_label);
  sui_form_label_editable (GTK_WIDGET (c->reason_row), reason_label);
  if (chosen != NULL)
    gtk_editable_set_text (GTK_EDITABLE (c->reason_row), sui_json_get_string (chosen, "reason"));

  g_signal_connect_object (c->check, "toggled", G_CALLBACK (on_form_edited), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (c->method, "notify::selected", G_CALLBACK (on_form_edited), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (c->reason_row, "changed", G_CALLBACK (on_form_edited), self,
                           G_CONNECT_SWAPPED);

  adw_preferences_group_add (self->items_group, GTK_WIDGET (c->row));
  adw_preferences_group_add (self->items_group, GTK_WIDGET (c->reason_row));
  g_ptr_array_add (self->item_rows, c->row);
  g_ptr_array_add (self->item_rows, c->reason_row);
  g_ptr_array_add (self->choices, c);
  return c;
}

static GStrv
item_methods (JsonObject *item)
{
  JsonArray *methods = get_array (item, "methods");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < array_length (methods); i++)
    {
      JsonNode *m = json_array_get_element (methods, i);

      if (JSON_NODE_HOLDS_VALUE (m) && json_node_get_value_type (m) == G_TYPE_STRING)
        g_strv_builder_add (builder, json_node_get_string (m));
    }
  return g_strv_builder_end (builder);
}

static void
build_form (SuiJointDialog *self)
{
  JsonObject *part = find_part (self, user_unit (self));
  JsonArray *entries = get_array (part, "items");
  g_autoptr(GHashTable) chosen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                        NULL);

  self->populating = TRUE;
  for (guint i = 0; i < self->item_rows->len; i++)
    adw_preferences_group_remove (self->items_group, self->item_rows->pdata[i]);
  g_ptr_array_set_size (self->item_rows, 0);
  g_ptr_array_set_size (self->choices, 0);

  for (guint i = 0; i < array_length (entries); i++)
    {
      JsonObject *e = json_array_get_object_element (entries, i);

      if (e != NULL)
        g_hash_table_insert (chosen, int64_key (sui_json_get_id (e, "item_id")), e);
    }

  if (self->items_missing)
    {
      GtkWidget *row = info_row (_("The server has no item lists yet, so items cannot be "
                                   "chosen here. Set the inspectors and the note now; choose "
                                   "the items once the item list is available."), NULL);

      adw_preferences_group_add (self->items_group, row);
      g_ptr_array_add (self->item_rows, row);
    }
  else
    {
      for (guint i = 0; i < array_length (self->my_items); i++)
        {
          JsonObject *item = json_array_get_object_element (self->my_items, i);
          gint64 id = sui_json_get_id (item, "id");
          JsonObject *entry = g_hash_table_lookup (chosen, &id);
          gboolean released = g_strcmp0 (sui_json_get_string (item, "state"), "active") != 0;
          g_auto(GStrv) codes = item_methods (item);
          g_autofree char *methods = NULL;
          g_autofree char *subtitle = NULL;
          g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
          g_auto(GStrv) name_list = NULL;

          /* A released item stays in view only while the part still lists it. */
          if ((released && entry == NULL) || codes[0] == NULL)
            continue;
          for (guint m = 0; codes[m] != NULL; m++)
            g_strv_builder_add (names, method_name (self, codes[m]));
          name_list = g_strv_builder_end (names);
          methods = g_strjoinv (_(", "), name_list);
          if (released)
            subtitle = g_strdup_printf (_("%s · released from your item list: untick it"),
                                        sui_json_get_string (item, "code"));
          else
            subtitle = g_strdup_printf (_("%s · %s · may be checked by: %s"),
                                        sui_json_get_string (item, "code"),
                                        level_label (sui_json_get_string (item, "level")),
                                        methods);
          add_choice (self, id, sui_json_get_string (item, "name"), subtitle,
                      g_steal_pointer (&codes), entry);
          g_hash_table_remove (chosen, &id);
        }

      /* What the part lists but the item list no longer has. */
      for (guint i = 0; i < array_length (entries); i++)
        {
          JsonObject *e = json_array_get_object_element (entries, i);
          gint64 id = sui_json_get_id (e, "item_id");
          g_autofree char *no = g_strdup_printf ("%" G_GINT64_FORMAT, id);
          g_autofree char *name = NULL;
          GStrv codes;

          if (e == NULL || !g_hash_table_contains (chosen, &id))
            continue;
          name = g_strdup_printf (_("Item no. %s"), no);
          codes = g_new0 (char *, 2);
          codes[0] = g_strdup (sui_json_get_string (e, "method"));
          add_choice (self, id, name, _("Not in your item list any more: untick it"), codes, e);
        }

      if (self->choices->len == 0)
        {
          GtkWidget *row = info_row (_("Your department's item list is empty. Claim the items "
                                       "you check from the catalogue on the item list page "
                                       "first, then come back."), NULL);

          adw_preferences_group_add (self->items_group, row);
          g_ptr_array_add (self->item_rows, row);
        }
    }

  gtk_spin_button_set_value (self->per_object_spin,
                             MAX (2, sui_json_get_int (part, "inspectors_per_object")));
  gtk_editable_set_text (GTK_EDITABLE (self->note_row), sui_json_get_string (part, "note"));
  self->form_version = sui_json_get_int (part, "version");
  self->dirty = FALSE;
  self->populating = FALSE;
  update_choices (self);
  update_mine_state (self);
}

static void
render_mine (SuiJointDialog *self)
{
  gboolean partner = self->mode == SUI_JOINT_MODE_PARTNER;
  JsonObject *part = partner ? find_part (self, user_unit (self)) : NULL;
  gboolean editable = partner && is_draft (self);

  gtk_widget_set_visible (GTK_WIDGET (self->mine_group), partner);
  gtk_widget_set_visible (GTK_WIDGET (self->items_group), partner);
  if (!partner || part == NULL)
    return;

  /* Others' changes do not overwrite what the user is typing; a save then meets -32009. */
  if (!self->dirty || self->force_form)
    build_form (self);
  else
    update_mine_state (self);
  self->force_form = FALSE;

  gtk_widget_set_sensitive (GTK_WIDGET (self->per_object_row), editable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->note_row), editable);
  gtk_widget_set_visible (self->save_button, editable);
  gtk_widget_set_visible (self->confirm_button, editable);
  update_choices (self);
}

static void
render (SuiJointDialog *self)
{
  JsonObject *lead = get_object (self->data, "lead");
  JsonArray *parts = get_array (self->data, "departments");
  gint64 team = sui_json_get_int (lead, "inspectors_per_object");
  guint all_items = array_length (get_array (lead, "items"));
  guint confirmed = 0;
  g_autofree char *progress = NULL;
  g_autofree char *team_text = NULL;

  g_hash_table_remove_all (self->part_state);
  g_hash_table_remove_all (self->part_share);
  for (guint i = 0; i < array_length (parts); i++)
    {
      JsonObject *part = json_array_get_object_element (parts, i);

      team += sui_json_get_int (part, "inspectors_per_object");
      all_items += part_item_count (part);
      confirmed += sui_json_get_bool (part, "confirmed") ? 1 : 0;
    }

  adw_window_title_set_subtitle (self->window_title, sui_json_get_string (self->data, "task_name"));
  adw_action_row_set_subtitle (self->state_row, sui_task_state_label (task_state (self)));
  if (array_length (parts) == 0)
    progress = g_strdup (self->mode == SUI_JOINT_MODE_LEAD && is_draft (self)
                         ? _("Not a joint task yet: invite the departments that check the same "
                             "businesses, so they come along on one visit.")
                         : _("Not a joint task: only the lead unit checks."));
  else if (confirmed == array_length (parts))
    progress = g_strdup_printf (_("%u taking part, all confirmed: the task can be made ready."),
                                array_length (parts));
  else
    progress = g_strdup_printf (_("%u taking part, %u confirmed: the task can be made ready "
                                  "only when every department has confirmed its part."),
                                array_length (parts), confirmed);
  adw_action_row_set_subtitle (self->progress_row, progress);
  team_text = g_strdup_printf (_("%d inspectors and %u items at each object"), (int) team,
                               all_items);
  adw_action_row_set_subtitle (self->team_row, team_text);

  gtk_widget_set_visible (GTK_WIDGET (self->invite_group),
                          self->mode == SUI_JOINT_MODE_LEAD && is_draft (self));
  if (self->mode == SUI_JOINT_MODE_LEAD)
    render_candidates (self);
  render_parts (self, team, all_items);
  render_mine (self);

  gtk_stack_set_visible_child_name (self->stack, "main");
  update_actions (self);
}

static void
update_actions (SuiJointDialog *self)
{
  GtkWidget *w = GTK_WIDGET (self);
  gboolean draft = self->data != NULL && is_draft (self);
  gboolean lead = self->mode == SUI_JOINT_MODE_LEAD && draft && !self->writing;
  gboolean partner = self->mode == SUI_JOINT_MODE_PARTNER && draft && !self->writing;
  JsonObject *part = partner ? find_part (self, user_unit (self)) : NULL;

  gtk_widget_action_set_enabled (w, "joint.invite", lead && self->candidate_ids->len > 0);
  gtk_widget_action_set_enabled (w, "joint.remove-department", lead);
  gtk_widget_action_set_enabled (w, "joint.save", partner && part != NULL && self->dirty);
  gtk_widget_action_set_enabled (w, "joint.confirm",
                                 partner && part != NULL &&
                                 (self->dirty || !sui_json_get_bool (part, "confirmed")));
}

/* ---- writing ---------------------------------------------------------------------- */

static void
begin_write (SuiJointDialog *self)
{
  self->writing = TRUE;
  set_busy (self, TRUE);
  update_actions (self);
}

static gboolean
end_write (SuiJointDialog *self)
{
  self->writing = FALSE;
  set_busy (self, FALSE);
  update_actions (self);
  return TRUE;
}

static void
invite_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SuiJointDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) error_data = NULL;
  g_autoptr(JsonNode) node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result,
                                                         &error_data, &error);

  if (cancelled (error))
    return;
  end_write (self);
  if (node == NULL)
    {
      g_autoptr(GHashTable) fields = sui_error_data_get_fields (error_data);
      g_autofree char *message = sui_rpc_client_describe_error (error);

      set_field_error (self, "unit_id", GTK_WIDGET (self->candidate_row), self->candidate_error,
                       g_hash_table_lookup (fields, "unit_id"));
      set_field_error (self, "invite_inspectors_per_object", GTK_WIDGET (self->invite_count_row),
                       self->invite_count_error,
                       g_hash_table_lookup (fields, "inspectors_per_object"));
      if (g_hash_table_size (fields) > 0)
        show_message (self, _("The department was not invited: see the marked fields."));
      else
        show_message (self, message);
      sui_joint_dialog_reload (self);
      return;
    }
  {
    g_autofree char *text =
      g_strdup_printf (_("%s was invited. Its supervisors now fill in and confirm its part."),
                       sui_json_get_string (json_node_get_object (node), "unit_name"));

    show_message (self, text);
  }
  sui_joint_dialog_reload (self);
}

static void
invite_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SuiJointDialog *self = SUI_JOINT_DIALOG (widget);
  guint selected = adw_combo_row_get_selected (self->candidate_row);
  JsonObject *o;
  g_autoptr(JsonNode) params = NULL;

  clear_invite_errors (self);
  if (selected == GTK_INVALID_LIST_POSITION || selected >= self->candidate_ids->len)
    {
      set_field_error (self, "unit_id", GTK_WIDGET (self->candidate_row), self->candidate_error,
                       _("Choose the department to invite."));
      return;
    }
  params = sui_params_new (&o);
  json_object_set_int_member (o, "task_id", self->task_id);
  json_object_set_int_member (o, "unit_id", g_array_index (self->candidate_ids, gint64, selected));
  json_object_set_int_member (o, "inspectors_per_object",
                              gtk_spin_button_get_value_as_int (self->invite_spin));
  begin_write (self);
  sui_rpc_client_call_async (self->client, "tasks.add_department", params, self->cancellable,
                             invite_cb, g_object_ref (self));
}

static void
remove_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SuiJointDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result,
                                                         NULL, &error);

  if (cancelled (error))
    return;
  end_write (self);
  if (node == NULL)
    {
      g_autofree char *message = sui_rpc_client_describe_error (error);

      show_message (self, message);
    }
  else
    show_message (self, _("The department was removed from the task."));
  sui_joint_dialog_reload (self);
}

static void
on_remove_response (AdwMessageDialog *dialog,
                    const char       *response,
                    gpointer          user_data)
{
  SuiJointDialog *self = user_data;
  gint64 unit_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "unit-id"));
  JsonObject *o;
  g_autoptr(JsonNode) params = NULL;

  if (g_strcmp0 (response, "remove") != 0 || self->writing)
    return;
  params = sui_params_new (&o);
  json_object_set_int_member (o, "task_id", self->task_id);
  json_object_set_int_member (o, "unit_id", unit_id);
  begin_write (self);
  sui_rpc_client_call_async (self->client, "tasks.remove_department", params, self->cancellable,
                             remove_cb, g_object_ref (self));
}

static void
remove_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SuiJointDialog *self = SUI_JOINT_DIALOG (widget);
  gint64 unit_id = g_variant_get_int64 (parameter);
  JsonObject *part = find_part (self, unit_id);
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  if (part == NULL)
    return;
  heading = g_strdup_printf (_("Remove %s from This Task?"),
                             sui_json_get_string (part, "unit_name"));
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading,
                                   _("Its part — items, inspectors per object, note and "
                                     "confirmation — is deleted. You can invite it again while "
                                     "the task is a draft."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("Cancel"),
                                    "remove", _("Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "unit-id", GSIZE_TO_POINTER ((gsize) unit_id));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_remove_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The items as the form has them; NULL (with the reasons marked) when one lacks its reason. */
static JsonArray *
build_items (SuiJointDialog *self)
{
  g_autoptr(JsonArray) items = json_array_new ();
  const char *missing = NULL;

  for (guint i = 0; i < self->choices->len; i++)
    {
      ItemChoice *c = self->choices->pdata[i];
      guint selected = gtk_drop_down_get_selected (c->method);
      g_autofree char *reason = sui_form_get_text (GTK_WIDGET (c->reason_row));
      JsonObject *entry;

      gtk_widget_remove_css_class (GTK_WIDGET (c->reason_row), "error");
      if (!gtk_check_button_get_active (c->check) || selected >= g_strv_length (c->codes))
        continue;
      if (choice_needs_reason (self, c) && *reason == '\0')
        {
          gtk_widget_add_css_class (GTK_WIDGET (c->reason_row), "error");
          if (missing == NULL)
            missing = c->name;
          continue;
        }
      entry = json_object_new ();
      json_object_set_int_member (entry, "item_id", c->item_id);
      json_object_set_string_member (entry, "method", c->codes[selected]);
      if (g_strcmp0 (c->codes[selected], "on_site") == 0 && *reason != '\0')
        json_object_set_string_member (entry, "reason", reason);
      json_array_add_object_element (items, entry);
    }
  if (missing != NULL)
    {
      g_autofree char *message =
        g_strdup_printf (_("“%s” can be checked off site. To check it on site, write down why; "
                           "otherwise choose an off-site method."), missing);

      set_field_error (self, "items", GTK_WIDGET (self->items_error), self->items_error,
                       message);
      return NULL;
    }
  return g_steal_pointer (&items);
}

static void
apply_part_errors (SuiJointDialog *self,
                   JsonNode       *error_data,
                   GError         *error,
                   const char     *refused)
{
  g_autoptr(GHashTable) fields = sui_error_data_get_fields (error_data);
  g_autofree char *message = sui_rpc_client_describe_error (error);

  set_field_error (self, "items", GTK_WIDGET (self->items_error), self->items_error,
                   g_hash_table_lookup (fields, "items"));
  set_field_error (self, "inspectors_per_object", GTK_WIDGET (self->per_object_row),
                   self->per_object_error, g_hash_table_lookup (fields, "inspectors_per_object"));
  set_field_error (self, "note", GTK_WIDGET (self->note_row), self->note_error,
                   g_hash_table_lookup (fields, "note"));
  if (g_hash_table_size (fields) > 0)
    {
      const char *tags = g_hash_table_lookup (fields, "inspector_tag_ids");

      show_message (self, tags != NULL ? tags : refused);
    }
  else
    show_message (self, message);
}

/* A stale version: somebody else saved the part first. */
static void
reload_after_conflict (SuiJointDialog *self,
                       GError         *error)
{
  show_message (self, error->message != NULL && *error->message != '\0'
                      ? error->message
                      : _("Your department's part was changed by someone else. The latest "
                          "version is shown now: check it, then make your changes again."));
  self->dirty = FALSE;
  self->force_form = TRUE;
  sui_joint_dialog_reload (self);
}

static void
save_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SuiJointDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) error_data = NULL;
  g_autoptr(JsonNode) node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result,
                                                         &error_data, &error);
  gboolean then_confirm = self->confirm_after_save;

  if (cancelled (error))
    return;
  self->confirm_after_save = FALSE;
  end_write (self);
  if (node == NULL)
    {
      if (g_error_matches (error, SUI_RPC_ERROR, SUI_RPC_ERROR_CONFLICT))
        reload_after_conflict (self, error);
      else
        apply_part_errors (self, error_data, error,
                           _("The part was not saved: correct the marked fields, then save "
                             "again."));
      return;
    }

  self->form_version = sui_json_get_int (json_node_get_object (node), "version");
  self->dirty = FALSE;
  self->force_form = TRUE;
  if (then_confirm)
    {
      confirm_part (self);
      return;
    }
  show_message (self, _("Your department's part was saved. Confirm it when it is complete."));
  sui_joint_dialog_reload (self);
}

static gboolean
save_part (SuiJointDialog *self)
{
  JsonObject *o;
  g_autoptr(JsonNode) params = NULL;
  g_autofree char *note = NULL;
  JsonArray *items = NULL;

  clear_form_errors (self);
  if (!self->items_missing && (items = build_items (self)) == NULL)
    {
      show_message (self, _("The part was not saved: correct the marked fields, then save "
                            "again."));
      return FALSE;
    }
  params = sui_params_new (&o);
  json_object_set_int_member (o, "task_id", self->task_id);
  json_object_set_int_member (o, "unit_id", user_unit (self));
  json_object_set_int_member (o, "version", self->form_version);
  /* Without an item list on the server the part's items stay as they are. */
  if (items != NULL)
    json_object_set_array_member (o, "items", items);
  json_object_set_int_member (o, "inspectors_per_object",
                              gtk_spin_button_get_value_as_int (self->per_object_spin));
  note = sui_form_get_text (GTK_WIDGET (self->note_row));
  json_object_set_string_member (o, "note", note);
  begin_write (self);
  sui_rpc_client_call_async (self->client, "tasks.update_department", params, self->cancellable,
                             save_cb, g_object_ref (self));
  return TRUE;
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  save_part (SUI_JOINT_DIALOG (widget));
}

static void
confirm_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SuiJointDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) error_data = NULL;
  g_autoptr(JsonNode) node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result,
                                                         &error_data, &error);

  if (cancelled (error))
    return;
  end_write (self);
  if (node == NULL)
    {
      if (g_error_matches (error, SUI_RPC_ERROR, SUI_RPC_ERROR_CONFLICT))
        reload_after_conflict (self, error);
      else
        {
          apply_part_errors (self, error_data, error,
                             _("The part was not confirmed: correct the marked fields, save, "
                               "then confirm again."));
          sui_joint_dialog_reload (self);
        }
      return;
    }
  show_message (self, _("Your department's part is confirmed. The lead unit can make the task "
                        "ready once every department has confirmed."));
  self->force_form = TRUE;
  sui_joint_dialog_reload (self);
}

static void
confirm_part (SuiJointDialog *self)
{
  JsonObject *o;
  g_autoptr(JsonNode) params = sui_params_new (&o);

  json_object_set_int_member (o, "task_id", self->task_id);
  json_object_set_int_member (o, "unit_id", user_unit (self));
  json_object_set_int_member (o, "version", self->form_version);
  begin_write (self);
  sui_rpc_client_call_async (self->client, "tasks.confirm_department", params,
                             self->cancellable, confirm_cb, g_object_ref (self));
}

static void
confirm_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SuiJointDialog *self = SUI_JOINT_DIALOG (widget);

  /* What is confirmed is what the form shows: save it first. */
  if (self->dirty)
    {
      self->confirm_after_save = save_part (self);
      return;
    }
  clear_form_errors (self);
  confirm_part (self);
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  sui_joint_dialog_reload (SUI_JOINT_DIALOG (widget));
}

/* ---- others' changes -------------------------------------------------------------- */

static void
on_events_changed (SuiJointDialog  *self,
                   const char      *area,
                   const char      *id,
                   SuiEventsClient *events)
{
  gboolean ours = g_strcmp0 (area, "tasks") == 0 &&
                  g_ascii_strtoll (id != NULL ? id : "", NULL, 10) == self->task_id;
  gboolean lists = g_strcmp0 (area, "items") == 0 || g_strcmp0 (area, "inspectors") == 0 ||
                   g_strcmp0 (area, "units") == 0;

  if (ours || lists)
    sui_joint_dialog_reload (self);
}

static void
on_events_reconnected (SuiJointDialog  *self,
                       SuiEventsClient *events)
{
  sui_joint_dialog_reload (self);
}

/* ---- accessors -------------------------------------------------------------------- */

gboolean
sui_joint_dialog_get_busy (SuiJointDialog *self)
{
  g_return_val_if_fail (SUI_IS_JOINT_DIALOG (self), FALSE);

  return self->busy > 0;
}

SuiJointMode
sui_joint_dialog_get_mode (SuiJointDialog *self)
{
  g_return_val_if_fail (SUI_IS_JOINT_DIALOG (self), SUI_JOINT_MODE_UNKNOWN);

  return self->mode;
}

JsonObject *
sui_joint_dialog_get_data (SuiJointDialog *self)
{
  g_return_val_if_fail (SUI_IS_JOINT_DIALOG (self), NULL);

  return self->data;
}

const char *
sui_joint_dialog_get_last_message (SuiJointDialog *self)
{
  g_return_val_if_fail (SUI_IS_JOINT_DIALOG (self), NULL);

  return self->last_message;
}

const char *
sui_joint_dialog_get_part_state (SuiJointDialog *self,
                                 gint64          unit_id)
{
  g_return_val_if_fail (SUI_IS_JOINT_DIALOG (self), NULL);

  return g_hash_table_lookup (self->part_state, &unit_id);
}

const char *
sui_joint_dialog_get_part_share (SuiJointDialog *self,
                                 gint64          unit_id)
{
  g_return_val_if_fail (SUI_IS_JOINT_DIALOG (self), NULL);

  return g_hash_table_lookup (self->part_share, &unit_id);
}

const char *
sui_joint_dialog_get_field_error (SuiJointDialog *self,
                                  const char     *field)
{
  g_return_val_if_fail (SUI_IS_JOINT_DIALOG (self), NULL);

  return g_hash_table_lookup (self->field_errors, field);
}

gboolean
sui_joint_dialog_get_dirty (SuiJointDialog *self)
{
  g_return_val_if_fail (SUI_IS_JOINT_DIALOG (self), FALSE);

  return self->dirty;
}

gboolean
sui_joint_dialog_choose_candidate (SuiJointDialog *self,
                                   gint64          unit_id)
{
  g_return_val_if_fail (SUI_IS_JOINT_DIALOG (self), FALSE);

  for (guint i = 0; i < self->candidate_ids->len; i++)
    if (g_array_index (self->candidate_ids, gint64, i) == unit_id)
      {
        adw_combo_row_set_selected (self->candidate_row, i);
        return TRUE;
      }
  return FALSE;
}

void
sui_joint_dialog_set_invite_inspectors (SuiJointDialog *self,
                                        int             count)
{
  g_return_if_fail (SUI_IS_JOINT_DIALOG (self));

  gtk_spin_button_set_value (self->invite_spin, count);
}

gboolean
sui_joint_dialog_choose_item (SuiJointDialog *self,
                              gint64          item_id,
                              const char     *method,
                              const char     *reason)
{
  g_return_val_if_fail (SUI_IS_JOINT_DIALOG (self), FALSE);

  for (guint i = 0; i < self->choices->len; i++)
    {
      ItemChoice *c = self->choices->pdata[i];

      if (c->item_id != item_id)
        continue;
      if (method == NULL)
        {
          gtk_check_button_set_active (c->check, FALSE);
          return TRUE;
        }
      for (guint m = 0; c->codes[m] != NULL; m++)
        if (g_strcmp0 (c->codes[m], method) == 0)
          {
            gtk_check_button_set_active (c->check, TRUE);
            gtk_drop_down_set_selected (c->method, m);
            gtk_editable_set_text (GTK_EDITABLE (c->reason_row), reason != NULL ? reason : "");
            return TRUE;
          }
      return FALSE;
    }
  return FALSE;
}

guint
sui_joint_dialog_get_n_items_offered (SuiJointDialog *self)
{
  g_return_val_if_fail (SUI_IS_JOINT_DIALOG (self), 0);

  return self->choices->len;
}

void
sui_joint_dialog_set_inspectors_per_object (SuiJointDialog *self,
                                            int             count)
{
  g_return_if_fail (SUI_IS_JOINT_DIALOG (self));

  gtk_spin_button_set_value (self->per_object_spin, count);
}

void
sui_joint_dialog_set_note (SuiJointDialog *self,
                           const char     *note)
{
  g_return_if_fail (SUI_IS_JOINT_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->note_row), note);
}

/* ---- GObject ---------------------------------------------------------------------- */

static void
sui_joint_dialog_dispose (GObject *object)
{
  SuiJointDialog *self = (SuiJointDialog *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  g_clear_object (&self->events);
  g_clear_pointer (&self->user, json_object_unref);
  g_clear_pointer (&self->data, json_object_unref);
  g_clear_pointer (&self->methods, g_hash_table_unref);
  g_clear_pointer (&self->items, g_hash_table_unref);
  g_clear_pointer (&self->my_items, json_array_unref);
  g_clear_pointer (&self->candidate_ids, g_array_unref);
  g_clear_pointer (&self->part_rows, g_ptr_array_unref);
  g_clear_pointer (&self->choices, g_ptr_array_unref);
  g_clear_pointer (&self->item_rows, g_ptr_array_unref);
  g_clear_pointer (&self->part_state, g_hash_table_unref);
  g_clear_pointer (&self->part_share, g_hash_table_unref);
  g_clear_pointer (&self->field_errors, g_hash_table_unref);
  g_clear_pointer (&self->last_message, g_free);

  G_OBJECT_CLASS (sui_joint_dialog_parent_class)->dispose (object);
}

static void
sui_joint_dialog_class_init (SuiJointDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sui_joint_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/shuangsui/Desk/ui/sui-joint-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SuiJointDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, SuiJointDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, SuiJointDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SuiJointDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, SuiJointDialog, status_page);
  gtk_widget_class_bind_template_child (widget_class, SuiJointDialog, state_row);
  gtk_widget_class_bind_template_child (widget_class, SuiJointDialog, progress_row);
  gtk_widget_class_bind_template_child (widget_class, SuiJointDialog, team_row);
  gtk_widget_class_bind_template_child (widget_class, SuiJointDialog, mine_group);
  gtk_widget_class_bind_template_child (widget_class, SuiJointDialog, save_button);
  gtk_widget_class_bind_template_child (widget_class, SuiJointDialog, confirm_button);
  gtk_widget_class_bind_template_child (widget_class, SuiJointDialog, mine_state_row);
  gtk_widget_class_bind_template_child (widget_class, SuiJointDialog, per_object_row);
  gtk_widget_class_bind_template_child (widget_class, SuiJointDialog, per_object_spin);
  gtk_widget_class_bind_template_child (widget_class, SuiJointDialog, per_object_error);
  gtk_widget_class_bind_template_child (widget_class, SuiJointDialog, note_row);
  gtk_widget_class_bind_template_child (widget_class, SuiJointDialog, note_error);
  gtk_widget_class_bind_template_child (widget_class, SuiJointDialog, items_group);
  gtk_widget_class_bind_template_child (widget_class, SuiJointDialog, items_error);
  gtk_widget_class_bind_template_child (widget_class, SuiJointDialog, invite_group);
  gtk_widget_class_bind_template_child (widget_class, SuiJointDialog, candidate_row);
  gtk_widget_class_bind_template_child (widget_class, SuiJointDialog, candidate_error);
  gtk_widget_class_bind_template_child (widget_class, SuiJointDialog, invite_spin);
  gtk_widget_class_bind_template_child (widget_class, SuiJointDialog, invite_count_row);
  gtk_widget_class_bind_template_child (widget_class, SuiJointDialog, invite_count_error);
  gtk_widget_class_bind_template_child (widget_class, SuiJointDialog, parts_group);

  gtk_widget_class_install_action (widget_class, "joint.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "joint.invite", NULL, invite_action);
  gtk_widget_class_install_action (widget_class, "joint.remove-department", "x", remove_action);
  gtk_widget_class_install_action (widget_class, "joint.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "joint.confirm", NULL, confirm_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "joint.reload", NULL);
}

static void
sui_joint_dialog_init (SuiJointDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->items = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                       (GDestroyNotify) json_object_unref);
  self->candidate_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->part_rows = g_ptr_array_new ();
  self->choices = g_ptr_array_new_with_free_func (item_choice_free);
  self->item_rows = g_ptr_array_new ();
  self->part_state = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->part_share = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->field_errors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_signal_connect_object (self->per_object_spin, "value-changed", G_CALLBACK (on_form_edited),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->note_row, "changed", G_CALLBACK (on_form_edited), self,
                           G_CONNECT_SWAPPED);
  sui_form_label_editable (GTK_WIDGET (self->note_row), _("Department's note"));
  update_actions (self);
}

SuiJointDialog *
sui_joint_dialog_new (GtkWindow       *parent,
                      SuiRpcClient    *client,
                      SuiEventsClient *events,
                      JsonObject      *user,
                      gint64           task_id)
{
  SuiJointDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (SUI_IS_RPC_CLIENT (client), NULL);
  g_return_val_if_fail (events == NULL || SUI_IS_EVENTS_CLIENT (events), NULL);

  self = g_object_new (SUI_TYPE_JOINT_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->client = g_object_ref (client);
  self->events = events != NULL ? g_object_ref (events) : NULL;
  self->user = user != NULL ? json_object_ref (user) : NULL;
  self->task_id = task_id;
  if (self->events != NULL)
    {
      g_signal_connect_object (self->events, "changed", G_CALLBACK (on_events_changed), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (self->events, "reconnected", G_CALLBACK (on_events_reconnected),
                               self, G_CONNECT_SWAPPED);
    }
  gtk_window_present (GTK_WINDOW (self));
  sui_joint_dialog_reload (self);

  return self;
}
