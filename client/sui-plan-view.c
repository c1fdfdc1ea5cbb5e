/* sui-plan-view.c: one annual plan, its tasks, its workflow and its versions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The buttons follow the plan's state and the user's role; the server decides (-32011 for a
 * wrong step) and its sentence is shown as it is. Steps that need a sentence from the user
 * (rejection, change request) ask for it with sui_prompt_texts(); tests call the public
 * functions those prompts end in.
 */
#include "sui-config.h"

#include <glib/gi18n.h>

#include "sui-assignments-view.h"
#include "sui-draw-window.h"
#include "sui-joint-dialog.h"
#include "sui-json.h"
#include "sui-plan-labels.h"
#include "sui-plan-view.h"
#include "sui-prompt.h"
#include "sui-ratio-dialog.h"
#include "sui-task-editor.h"

struct _SuiPlanView
{
  GtkBox parent_instance;

  AdwToastOverlay *toasts;
  GtkLabel *title_label;
  GtkLabel *state_label;
  GtkSpinner *spinner;
  AdwActionRow *state_row;
  AdwActionRow *revision_row;
  AdwActionRow *reject_row;
  AdwActionRow *change_row;
  AdwPreferencesGroup *tasks_group;
  GPtrArray *task_rows;
  AdwPreferencesGroup *changes_group;
  GPtrArray *change_rows;
  GtkDropDown *from_dropdown;
  GtkDropDown *to_dropdown;
  GtkBox *compare_box;
  GtkWidget *compare_group;
  GHashTable *step_buttons;   /* action name → button, shown only while the step is possible */

  SuiRpcClient *client;
  SuiEventsClient *events;
  char *role;
  GCancellable *cancellable;
  gint64 plan_id;
  JsonObject *plan;
  JsonObject *comparison;
  GArray *revisions;
  char *last_message;
  guint busy;
};

G_DEFINE_FINAL_TYPE (SuiPlanView, sui_plan_view, GTK_TYPE_BOX)

static void
toast (SuiPlanView *self,
       const char  *message)
{
  AdwToast *t = adw_toast_new (message);

  g_free (self->last_message);
  self->last_message = g_strdup (message);
  adw_toast_set_priority (t, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_timeout (t, 8);
  adw_toast_overlay_add_toast (self->toasts, t);
}

static void
set_busy (SuiPlanView *self,
          gboolean     busy)
{
  self->busy += busy ? 1 : -1;
  gtk_spinner_set_spinning (self->spinner, self->busy > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), self->busy > 0);
}

static gboolean
is_role (SuiPlanView *self,
         const char  *role)
{
  return g_strcmp0 (self->role, role) == 0;
}

static JsonNode *
params_new (JsonObject **o)
{
  return sui_params_new (o);
}

static JsonObject *
open_change (SuiPlanView *self)
{
  JsonNode *node;

  if (self->plan == NULL)
    return NULL;
  node = json_object_get_member (self->plan, "open_change");
  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static void
set_step (SuiPlanView *self,
          const char  *action,
          gboolean     enabled)
{
  GtkWidget *button = g_hash_table_lookup (self->step_buttons, action);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), action, enabled);
  if (button != NULL)
    gtk_widget_set_visible (button, enabled);
}

static void
update_actions (SuiPlanView *self)
{
  const char *state = self->plan != NULL ? sui_json_get_string (self->plan, "state") : "";
  JsonObject *change = open_change (self);
  const char *change_state = change != NULL ? sui_json_get_string (change, "state") : "";
  gboolean supervisor = is_role (self, "supervisor");
  gboolean admin = is_role (self, "admin");
  gboolean editable = self->plan != NULL && sui_json_get_bool (self->plan, "editable");

  set_step (self, "plan.submit",
                                 supervisor && g_strcmp0 (state, "draft") == 0);
  set_step (self, "plan.approve", admin && g_strcmp0 (state, "submitted") == 0);
  set_step (self, "plan.reject", admin && g_strcmp0 (state, "submitted") == 0);
  set_step (self, "plan.publish",
                                 (supervisor || admin) &&
                                 (g_strcmp0 (state, "approved") == 0 ||
                                  (g_strcmp0 (state, "published") == 0 &&
                                   g_strcmp0 (change_state, "approved") == 0)));
  set_step (self, "plan.request-change",
                                 supervisor && g_strcmp0 (state, "published") == 0 &&
                                 change == NULL);
  set_step (self, "plan.approve-change",
                                 admin && g_strcmp0 (change_state, "requested") == 0);
  set_step (self, "plan.reject-change",
                                 admin && g_strcmp0 (change_state, "requested") == 0);
  set_step (self, "plan.new-task", supervisor && editable);
  set_step (self, "plan.compare",
                                 self->revisions != NULL && self->revisions->len >= 2);
}

/* Tasks */

static void
on_task_button (GtkButton   *button,
                SuiPlanView *self)
{
  gint64 id = *(gint64 *) g_object_get_data (G_OBJECT (button), "task-id");
  const char *what = g_object_get_data (G_OBJECT (button), "what");

  if (g_str_equal (what, "edit"))
    sui_plan_view_open_task (self, id);
  else if (g_str_equal (what, "draw"))
    sui_plan_view_open_draw (self, id);
  else if (g_str_equal (what, "joint"))
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

      sui_joint_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->client,
                            self->events, NULL, id);
    }
  else if (g_str_equal (what, "assignments"))
    {
      const char *name = g_object_get_data (G_OBJECT (button), "task-name");
      SuiAssignmentsView *view = sui_assignments_view_new (self->client, id, name);
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

      if (GTK_IS_WINDOW (root))
        gtk_window_set_transient_for (GTK_WINDOW (view), GTK_WINDOW (root));
      gtk_window_present (GTK_WINDOW (view));
    }
}

static GtkWidget *
task_button (SuiPlanView *self,
             JsonObject  *task,
             const char  *what,
             const char  *label)
{
  gint64 id = sui_json_get_id (task, "id");
  GtkWidget *button = gtk_button_new_with_label (label);
  g_autofree char *accessible = g_strdup_printf ("%s %s", label, sui_json_get_string (task, "name"));

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible, -1);
  g_object_set_data_full (G_OBJECT (button), "task-id", g_memdup2 (&id, sizeof id), g_free);
  g_object_set_data (G_OBJECT (button), "what", (gpointer) what);
  g_object_set_data_full (G_OBJECT (button), "task-name",
                          g_strdup (sui_json_get_string (task, "name")), g_free);
  g_signal_connect_object (button, "clicked", G_CALLBACK (on_task_button), self, 0);
  return button;
}

static void
show_tasks (SuiPlanView *self,
            JsonArray   *tasks)
{
  gboolean editable = sui_json_get_bool (self->plan, "editable") && is_role (self, "supervisor");

  for (guint i = 0; i < self->task_rows->len; i++)
    adw_preferences_group_remove (self->tasks_group, self->task_rows->pdata[i]);
  g_ptr_array_set_size (self->task_rows, 0);

  for (guint i = 0; tasks != NULL && i < json_array_get_length (tasks); i++)
    {
      JsonObject *task = json_array_get_object_element (tasks, i);
      const char *state = sui_json_get_string (task, "state");
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *subtitle = NULL;
      gint64 revision = sui_json_get_int (task, "published_revision");
      gboolean draft = g_strcmp0 (state, "draft") == 0;

      if (revision > 0)
        subtitle = g_strdup_printf (_("%s · published in version %lld · %s to %s"),
                                    sui_task_state_label (state), (long long) revision,
                                    *sui_json_get_string (task, "window_start") != '\0'
                                    ? sui_json_get_string (task, "window_start") : "—",
                                    *sui_json_get_string (task, "window_end") != '\0'
                                    ? sui_json_get_string (task, "window_end") : "—");
      else
        subtitle = g_strdup_printf (_("%s · not yet published"), sui_task_state_label (state));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), sui_json_get_string (task, "name"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      g_object_set_data_full (G_OBJECT (row), "state-text",
                              g_strdup (sui_task_state_label (state)), g_free);
      g_object_set_data_full (G_OBJECT (row), "task-id",
                              g_memdup2 (&(gint64) { sui_json_get_id (task, "id") }, sizeof (gint64)),
                              g_free);

      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 task_button (self, task, "edit",
                                              editable && draft ? _("Edit") : _("Details")));
      /* 一业一查: the partner departments and their parts of the task. */
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 task_button (self, task, "joint", _("Joint Departments…")));
      if (revision > 0)
        adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                   task_button (self, task, "draw", _("Draw…")));
      if (!draft && g_strcmp0 (state, "ready") != 0 && g_strcmp0 (state, "objects_drawn") != 0)
        adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                   task_button (self, task, "assignments", _("Assignments")));
      adw_preferences_group_add (self->tasks_group, row);
      g_ptr_array_add (self->task_rows, row);
    }

  if (self->task_rows->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     _("No task yet. A plan needs at least one task before it is submitted."));
      adw_preferences_group_add (self->tasks_group, row);
      g_ptr_array_add (self->task_rows, row);
    }
}

static void
show_changes (SuiPlanView *self,
              JsonArray   *changes)
{
  for (guint i = 0; i < self->change_rows->len; i++)
    adw_preferences_group_remove (self->changes_group, self->change_rows->pdata[i]);
  g_ptr_array_set_size (self->change_rows, 0);

  for (guint i = 0; changes != NULL && i < json_array_get_length (changes); i++)
    {
      JsonObject *c = json_array_get_object_element (changes, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *title = g_strdup_printf (_("Change: %s"), sui_json_get_string (c, "what"));
      g_autoptr(GString) subtitle = g_string_new (NULL);

      g_string_append_printf (subtitle, _("Why: %s · %s"), sui_json_get_string (c, "why"),
                              sui_change_state_label (sui_json_get_string (c, "state")));
      if (*sui_json_get_string (c, "decision_note") != '\0')
        g_string_append_printf (subtitle, _(" · Decision: %s"),
                                sui_json_get_string (c, "decision_note"));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
      adw_preferences_group_add (self->changes_group, row);
      g_ptr_array_add (self->change_rows, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->changes_group), self->change_rows->len > 0);
}

static void
show_revisions (SuiPlanView *self,
                JsonArray   *revisions)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

  g_array_set_size (self->revisions, 0);
  for (guint i = 0; revisions != NULL && i < json_array_get_length (revisions); i++)
    {
      JsonObject *r = json_array_get_object_element (revisions, i);
      gint64 no = sui_json_get_int (r, "revision");
      g_autofree char *day = g_strndup (sui_json_get_string (r, "published_at"), 10);
      g_autofree char *label = g_strdup_printf (_("Version %lld (%s)"), (long long) no, day);

      g_array_append_val (self->revisions, no);
      gtk_string_list_append (names, label);
    }
  gtk_drop_down_set_model (self->from_dropdown, G_LIST_MODEL (names));
  gtk_drop_down_set_model (self->to_dropdown, G_LIST_MODEL (names));
  gtk_widget_set_visible (self->compare_group, self->revisions->len >= 2);
  if (self->revisions->len >= 2)
    {
      gtk_drop_down_set_selected (self->from_dropdown, self->revisions->len - 2);
      gtk_drop_down_set_selected (self->to_dropdown, self->revisions->len - 1);
    }
}

static void
plan_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SuiPlanView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result,
                                                         NULL, &error);
  g_autofree char *title = NULL;
  g_autofree char *revision = NULL;
  g_autofree char *state_text = NULL;
  JsonObject *change;
  JsonNode *member;
  const char *state;

  set_busy (self, FALSE);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, error->message);
      return;
    }

  g_clear_pointer (&self->plan, json_object_unref);
  self->plan = json_object_ref (json_node_get_object (node));
  state = sui_json_get_string (self->plan, "state");

  title = g_strdup_printf ("%" G_GINT64_FORMAT " · %s · %s", sui_json_get_int (self->plan, "year"),
                           sui_json_get_string (self->plan, "title"),
                           sui_json_get_string (self->plan, "unit_name"));
  gtk_label_set_text (self->title_label, title);
  gtk_label_set_text (self->state_label, sui_plan_state_label (state));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->state_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, sui_plan_state_label (state), -1);
  state_text = g_strdup_printf ("%s%s", sui_plan_state_label (state),
                                sui_json_get_bool (self->plan, "editable")
                                ? _(" · tasks may be changed") : "");
  adw_action_row_set_subtitle (self->state_row, state_text);
  if (sui_json_get_int (self->plan, "revision") > 0)
    revision = g_strdup_printf (_("Version %lld"),
                                (long long) sui_json_get_int (self->plan, "revision"));
  else
    revision = g_strdup (_("Not yet published"));
  adw_action_row_set_subtitle (self->revision_row, revision);
  adw_action_row_set_subtitle (self->reject_row, sui_json_get_string (self->plan, "reject_reason"));
  gtk_widget_set_visible (GTK_WIDGET (self->reject_row),
                          *sui_json_get_string (self->plan, "reject_reason") != '\0' &&
                          g_strcmp0 (state, "draft") == 0);
  change = open_change (self);
  if (change != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("%s — why: %s (%s)"),
                                               sui_json_get_string (change, "what"),
                                               sui_json_get_string (change, "why"),
                                               sui_change_state_label (sui_json_get_string (change, "state")));

      adw_action_row_set_subtitle (self->change_row, text);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->change_row), change != NULL);

  member = json_object_get_member (self->plan, "tasks");
  show_tasks (self, member != NULL && JSON_NODE_HOLDS_ARRAY (member)
              ? json_node_get_array (member) : NULL);
  member = json_object_get_member (self->plan, "changes");
  show_changes (self, member != NULL && JSON_NODE_HOLDS_ARRAY (member)
                ? json_node_get_array (member) : NULL);
  member = json_object_get_member (self->plan, "revisions");
  show_revisions (self, member != NULL && JSON_NODE_HOLDS_ARRAY (member)
                  ? json_node_get_array (member) : NULL);
  update_actions (self);
}

void
sui_plan_view_reload (SuiPlanView *self)
{
  JsonObject *o;
  g_autoptr(JsonNode) params = NULL;

  if (self->plan_id == 0)
    return;
  params = params_new (&o);
  json_object_set_int_member (o, "id", self->plan_id);
  set_busy (self, TRUE);
  sui_rpc_client_call_async (self->client, "plans.get", params, self->cancellable,
                             plan_cb, g_object_ref (self));
}

void
sui_plan_view_load (SuiPlanView *self,
                    gint64       plan_id)
{
  g_return_if_fail (SUI_IS_PLAN_VIEW (self));

  if (plan_id != self->plan_id)
    {
      g_clear_pointer (&self->plan, json_object_unref);
      g_clear_pointer (&self->comparison, json_object_unref);
      gtk_label_set_text (self->title_label, "");
      gtk_label_set_text (self->state_label, "");
      for (GtkWidget *c; (c = gtk_widget_get_first_child (GTK_WIDGET (self->compare_box))) != NULL;)
        gtk_box_remove (self->compare_box, c);
    }
  self->plan_id = plan_id;
  update_actions (self);
  sui_plan_view_reload (self);
}

/* Workflow steps */

static void
step_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SuiPlanView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result,
                                                         NULL, &error);

  set_busy (self, FALSE);
  if (node == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          toast (self, error->message);
          sui_plan_view_reload (self);
        }
      return;
    }
  toast (self, g_object_get_data (G_OBJECT (self), "step-done"));
  sui_plan_view_reload (self);
}

static void
call_step (SuiPlanView *self,
           const char  *method,
           JsonNode    *params,
           const char  *done)
{
  g_object_set_data_full (G_OBJECT (self), "step-done", g_strdup (done), g_free);
  /* No second click while the first is on its way. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "plan.submit", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "plan.approve", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "plan.publish", FALSE);
  set_busy (self, TRUE);
  sui_rpc_client_call_async (self->client, method, params, self->cancellable,
                             step_cb, g_object_ref (self));
}

static JsonNode *
versioned_params (SuiPlanView *self)
{
  JsonObject *o;
  JsonNode *params = params_new (&o);

  json_object_set_int_member (o, "id", self->plan_id);
  json_object_set_int_member (o, "version", sui_json_get_int (self->plan, "version"));
  return params;
}

static void
submit_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SuiPlanView *self = SUI_PLAN_VIEW (widget);
  g_autoptr(JsonNode) params = versioned_params (self);

  call_step (self, "plans.submit", params, _("The plan was submitted for approval."));
}

static void
approve_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SuiPlanView *self = SUI_PLAN_VIEW (widget);
  g_autoptr(JsonNode) params = versioned_params (self);

  call_step (self, "plans.approve", params, _("The plan was approved."));
}

static void
publish_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SuiPlanView *self = SUI_PLAN_VIEW (widget);
  g_autoptr(JsonNode) params = versioned_params (self);

  call_step (self, "plans.publish", params, _("The plan was published."));
}

void
sui_plan_view_reject (SuiPlanView *self,
                      const char  *reason)
{
  g_autoptr(JsonNode) params = versioned_params (self);

  json_object_set_string_member (json_node_get_object (params), "reason", reason);
  call_step (self, "plans.reject", params, _("The plan was returned to its unit."));
}

void
sui_plan_view_request_change (SuiPlanView *self,
                              const char  *what,
                              const char  *why)
{
  JsonObject *o;
  g_autoptr(JsonNode) params = params_new (&o);

  json_object_set_int_member (o, "id", self->plan_id);
  json_object_set_string_member (o, "what", what);
  json_object_set_string_member (o, "why", why);
  call_step (self, "plans.request_change", params,
             _("The change was requested; the administrator decides."));
}

static gint64
open_change_id (SuiPlanView *self)
{
  JsonObject *change = open_change (self);

  return change != NULL ? sui_json_get_id (change, "id") : 0;
}

void
sui_plan_view_reject_change (SuiPlanView *self,
                             const char  *reason)
{
  JsonObject *o;
  g_autoptr(JsonNode) params = params_new (&o);

  json_object_set_int_member (o, "change_id", open_change_id (self));
  json_object_set_string_member (o, "reason", reason);
  call_step (self, "plans.reject_change", params, _("The change request was rejected."));
}

static void
approve_change_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  SuiPlanView *self = SUI_PLAN_VIEW (widget);
  JsonObject *o;
  g_autoptr(JsonNode) params = params_new (&o);

  json_object_set_int_member (o, "change_id", open_change_id (self));
  call_step (self, "plans.approve_change", params,
             _("The change was approved: the unit may now edit the plan and publish it again."));
}

static void
prompt_cb (GStrv    texts,
           gpointer user_data)
{
  SuiPlanView *self = user_data;
  const char *what = g_object_get_data (G_OBJECT (self), "prompt");

  if (texts == NULL)
    return;
  if (g_str_equal (what, "reject"))
    sui_plan_view_reject (self, texts[0]);
  else if (g_str_equal (what, "request-change"))
    sui_plan_view_request_change (self, texts[0], texts[1]);
  else if (g_str_equal (what, "reject-change"))
    sui_plan_view_reject_change (self, texts[0]);
}

static void
prompt (SuiPlanView        *self,
        const char         *what,
        const char         *heading,
        const char         *body,
        const char         *accept,
        const char * const *labels)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  g_object_set_data (G_OBJECT (self), "prompt", (gpointer) what);
  sui_prompt_texts (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, body, accept,
                    labels, prompt_cb, g_object_ref (self), g_object_unref);
}

static void
reject_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  const char * const labels[] = { _("Reason"), NULL };

  prompt (SUI_PLAN_VIEW (widget), "reject", _("Return the Plan?"),
          _("The plan goes back to its unit as a draft, with your reason."), _("Return"), labels);
}

static void
request_change_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  const char * const labels[] = { _("What is to change"), _("Why"), NULL };

  prompt (SUI_PLAN_VIEW (widget), "request-change", _("Request a Change of the Plan?"),
          _("The administrator must approve the change; the plan then becomes a new version "
            "that is published again. The current version stays readable."),
          _("Request Change"), labels);
}

static void
reject_change_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  const char * const labels[] = { _("Reason"), NULL };

  prompt (SUI_PLAN_VIEW (widget), "reject-change", _("Reject the Change Request?"), NULL,
          _("Reject"), labels);
}

/* Tasks, draws */

static void
on_task_saved (SuiPlanView *self)
{
  sui_plan_view_reload (self);
}

GtkWindow *
sui_plan_view_open_task (SuiPlanView *self,
                         gint64       task_id)
{
  gboolean editable = self->plan != NULL && sui_json_get_bool (self->plan, "editable");
  SuiTaskEditor *editor = sui_task_editor_new (self->client, self->plan_id, task_id,
                                               is_role (self, "supervisor"), editable);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (editor), GTK_WINDOW (root));
  g_signal_connect_object (editor, "saved", G_CALLBACK (on_task_saved), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (editor));
  return GTK_WINDOW (editor);
}

GtkWindow *
sui_plan_view_open_draw (SuiPlanView *self,
                         gint64       task_id)
{
  SuiDrawWindow *window = sui_draw_window_new (self->client, self->events, self->role, task_id);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (root));
  g_signal_connect_object (window, "destroy", G_CALLBACK (sui_plan_view_reload), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (window));
  return GTK_WINDOW (window);
}

/* The plan's sampling table per risk class: its unit edits it while the plan may change. */
static void
ratios_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SuiPlanView *self = SUI_PLAN_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  gboolean editable = self->plan != NULL && sui_json_get_bool (self->plan, "editable") &&
                      is_role (self, "supervisor");
  SuiRatioDialog *dialog = sui_ratio_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                 self->client, self->plan_id, editable);

  g_signal_connect_object (dialog, "saved", G_CALLBACK (sui_plan_view_reload), self,
                           G_CONNECT_SWAPPED);
}

static void
new_task_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  sui_plan_view_open_task (SUI_PLAN_VIEW (widget), 0);
}

/* Versions */

static char *
value_text (const char *field,
            JsonNode   *value)
{
  if (value == NULL || JSON_NODE_HOLDS_NULL (value))
    return g_strdup (_("(none)"));
  if (JSON_NODE_HOLDS_VALUE (value))
    {
      GType type = json_node_get_value_type (value);

      if (type == G_TYPE_STRING)
        return g_strdup (json_node_get_string (value));
      if (type == G_TYPE_BOOLEAN)
        return g_strdup (json_node_get_boolean (value) ? _("yes") : _("no"));
      if (g_str_has_prefix (field, "ratio_"))
        return g_strdup_printf ("%.2f %%", json_node_get_int (value) / 100.0);
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (value));
    }
  if (JSON_NODE_HOLDS_ARRAY (value) && g_str_equal (field, "items"))
    {
      JsonArray *a = json_node_get_array (value);
      g_autoptr(GString) s = g_string_new (NULL);

      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          JsonNode *e = json_array_get_element (a, i);

          if (i > 0)
            g_string_append (s, "、");
          if (JSON_NODE_HOLDS_OBJECT (e))
            {
              JsonObject *o = json_node_get_object (e);

              if (*sui_json_get_string (o, "name") != '\0')
                g_string_append (s, sui_json_get_string (o, "name"));
              else
                g_string_append_printf (s, _("item %lld"), (long long) sui_json_get_id (o, "item_id"));
              if (*sui_json_get_string (o, "method") != '\0')
                g_string_append_printf (s, "（%s）", sui_method_label (sui_json_get_string (o, "method")));
            }
          else if (json_node_get_value_type (e) == G_TYPE_STRING)
            g_string_append (s, json_node_get_string (e));
          else
            g_string_append_printf (s, _("item %lld"), (long long) json_node_get_int (e));
        }
      return g_string_free (g_steal_pointer (&s), FALSE);
    }
  /* A plan's own sampling rows: {"D": {min_bp, max_bp, default_bp}, …}. */
  if (JSON_NODE_HOLDS_OBJECT (value) && g_str_equal (field, "ratios"))
    {
      JsonObject *ratios = json_node_get_object (value);
      g_autoptr(GString) s = g_string_new (NULL);
      static const char *const classes[] = { "A", "B", "C", "D" };

      for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
        {
          JsonObject *r;

          if (!json_object_has_member (ratios, classes[i]))
            continue;
          r = json_object_get_object_member (ratios, classes[i]);
          g_string_append_printf (s, _("%sclass %s %.2f–%.2f %% (default %.2f %%)"),
                                  s->len > 0 ? _("; ") : "", classes[i],
                                  sui_json_get_int (r, "min_bp") / 100.0,
                                  sui_json_get_int (r, "max_bp") / 100.0,
                                  sui_json_get_int (r, "default_bp") / 100.0);
        }
      return g_string_free (g_steal_pointer (&s), FALSE);
    }
  return json_to_string (value, FALSE);
}

static void
compare_line (SuiPlanView *self,
              const char  *text,
              const char  *css)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  if (css != NULL)
    gtk_widget_add_css_class (label, css);
  gtk_box_append (self->compare_box, label);
}

static void
compare_fields (SuiPlanView *self,
                JsonObject  *before,
                JsonObject  *after)
{
  g_autoptr(GList) members = after != NULL ? json_object_get_members (after) : NULL;

  if (members == NULL && before != NULL)
    members = json_object_get_members (before);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *field = l->data;
      g_autofree char *was = value_text (field, before != NULL ? json_object_get_member (before, field) : NULL);
      g_autofree char *now = value_text (field, after != NULL ? json_object_get_member (after, field) : NULL);
      g_autofree char *line = g_strdup_printf (_("    %s: %s → %s"), sui_task_field_label (field),
                                               was, now);

      compare_line (self, line, NULL);
    }
}

static void
compare_tasks (SuiPlanView *self,
               JsonObject  *diff,
               const char  *member,
               const char  *prefix)
{
  JsonNode *node = json_object_get_member (diff, member);
  JsonArray *tasks = node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;

  for (guint i = 0; tasks != NULL && i < json_array_get_length (tasks); i++)
    {
      JsonObject *t = json_array_get_object_element (tasks, i);
      g_autofree char *line = g_strdup_printf ("%s%s", prefix, sui_json_get_string (t, "name"));

      compare_line (self, line, "heading");
      if (g_str_equal (member, "changed"))
        {
          JsonNode *b = json_object_get_member (t, "before");
          JsonNode *a = json_object_get_member (t, "after");

          compare_fields (self, b != NULL && JSON_NODE_HOLDS_OBJECT (b) ? json_node_get_object (b) : NULL,
                          a != NULL && JSON_NODE_HOLDS_OBJECT (a) ? json_node_get_object (a) : NULL);
        }
    }
}

static guint
count_children (GtkBox *box)
{
  guint n = 0;

  for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (box)); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    n++;
  return n;
}

static void
compare_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SuiPlanView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result,
                                                         NULL, &error);
  g_autofree char *heading = NULL;
  JsonObject *diff;
  JsonNode *plan;
  guint before;

  set_busy (self, FALSE);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, error->message);
      return;
    }
  g_clear_pointer (&self->comparison, json_object_unref);
  self->comparison = json_object_ref (json_node_get_object (node));
  diff = self->comparison;

  for (GtkWidget *c; (c = gtk_widget_get_first_child (GTK_WIDGET (self->compare_box))) != NULL;)
    gtk_box_remove (self->compare_box, c);

  heading = g_strdup_printf (_("From version %lld to version %lld:"),
                             (long long) sui_json_get_int (diff, "from_version"),
                             (long long) sui_json_get_int (diff, "to_version"));
  compare_line (self, heading, "title-4");
  plan = json_object_get_member (diff, "plan");
  if (plan != NULL && JSON_NODE_HOLDS_OBJECT (plan))
    {
      JsonObject *p = json_node_get_object (plan);
      JsonNode *b = json_object_get_member (p, "before");
      JsonNode *a = json_object_get_member (p, "after");

      if (a != NULL && JSON_NODE_HOLDS_OBJECT (a) && json_object_get_size (json_node_get_object (a)) > 0)
        {
          compare_line (self, _("The plan itself:"), "heading");
          compare_fields (self, b != NULL && JSON_NODE_HOLDS_OBJECT (b) ? json_node_get_object (b) : NULL,
                          json_node_get_object (a));
        }
    }
  before = count_children (self->compare_box);
  compare_tasks (self, diff, "added", _("Added task: "));
  compare_tasks (self, diff, "removed", _("Removed task: "));
  compare_tasks (self, diff, "changed", _("Changed task: "));
  if (count_children (self->compare_box) == before)
    compare_line (self, _("No task differs between these versions."), "dim-label");
}

void
sui_plan_view_compare (SuiPlanView *self,
                       gint64       from_revision,
                       gint64       to_revision)
{
  JsonObject *o;
  g_autoptr(JsonNode) params = params_new (&o);

  json_object_set_int_member (o, "id", self->plan_id);
  json_object_set_int_member (o, "from_version", from_revision);
  json_object_set_int_member (o, "to_version", to_revision);
  set_busy (self, TRUE);
  sui_rpc_client_call_async (self->client, "plans.compare", params, self->cancellable,
                             compare_cb, g_object_ref (self));
}

static void
compare_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SuiPlanView *self = SUI_PLAN_VIEW (widget);
  guint from = gtk_drop_down_get_selected (self->from_dropdown);
  guint to = gtk_drop_down_get_selected (self->to_dropdown);

  if (from >= self->revisions->len || to >= self->revisions->len)
    return;
  sui_plan_view_compare (self, g_array_index (self->revisions, gint64, from),
                         g_array_index (self->revisions, gint64, to));
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  sui_plan_view_reload (SUI_PLAN_VIEW (widget));
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  g_signal_emit_by_name (widget, "back");
}

static void
on_events_changed (SuiPlanView     *self,
                   const char      *area,
                   const char      *id,
                   SuiEventsClient *events)
{
  if (self->busy == 0 && self->plan_id != 0 &&
      (g_strcmp0 (area, "plans") == 0 || g_strcmp0 (area, "tasks") == 0 ||
       g_strcmp0 (area, "draws") == 0))
    sui_plan_view_reload (self);
}

/* Accessors */

gint64
sui_plan_view_get_plan_id (SuiPlanView *self)
{
  return self->plan_id;
}

JsonObject *
sui_plan_view_get_plan (SuiPlanView *self)
{
  return self->plan;
}

gboolean
sui_plan_view_get_busy (SuiPlanView *self)
{
  return self->busy > 0;
}

const char *
sui_plan_view_get_state_text (SuiPlanView *self)
{
  return gtk_label_get_text (self->state_label);
}

const char *
sui_plan_view_get_task_state_text (SuiPlanView *self,
                                   gint64       task_id)
{
  for (guint i = 0; i < self->task_rows->len; i++)
    {
      gint64 *id = g_object_get_data (self->task_rows->pdata[i], "task-id");

      if (id != NULL && *id == task_id)
        return g_object_get_data (self->task_rows->pdata[i], "state-text");
    }
  return NULL;
}

const char *
sui_plan_view_get_last_message (SuiPlanView *self)
{
  return self->last_message;
}

JsonObject *
sui_plan_view_get_comparison (SuiPlanView *self)
{
  return self->comparison;
}

/* Everything the comparison shows, one line each. */
char *
sui_plan_view_get_comparison_text (SuiPlanView *self)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (self->compare_box)); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    if (GTK_IS_LABEL (c))
      g_string_append_printf (s, "%s\n", gtk_label_get_text (GTK_LABEL (c)));
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* Building */

static GtkWidget *
step_button (SuiPlanView *self,
             const char  *label,
             const char  *action,
             const char  *css)
{
  GtkWidget *button = gtk_button_new_with_label (label);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  if (css != NULL)
    gtk_widget_add_css_class (button, css);
  g_hash_table_insert (self->step_buttons, g_strdup (action), button);
  return button;
}

static GtkWidget *
action_button (const char *label,
               const char *action,
               const char *css)
{
  GtkWidget *button = gtk_button_new_with_label (label);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  if (css != NULL)
    gtk_widget_add_css_class (button, css);
  return button;
}

static AdwActionRow *
info_row (AdwPreferencesGroup *group,
          const char          *title)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_group_add (group, row);
  return ADW_ACTION_ROW (row);
}

static void
build (SuiPlanView *self)
{
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *titles = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *back = gtk_button_new_from_icon_name ("go-previous-symbolic");
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *page = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  GtkWidget *info = adw_preferences_group_new ();
  GtkWidget *compare_group = adw_preferences_group_new ();
  GtkWidget *compare_row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *label;

  gtk_widget_set_margin_start (header, 18);
  gtk_widget_set_margin_end (header, 18);
  gtk_widget_set_margin_top (header, 12);
  gtk_widget_set_margin_bottom (header, 6);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (back), "plan.back");
  gtk_widget_set_tooltip_text (back, _("Back to the plans"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (back), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Back to the plans"), -1);
  gtk_widget_set_valign (back, GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (header), back);
  self->title_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->title_label, 0);
  gtk_label_set_wrap (self->title_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->title_label), "title-2");
  self->state_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->state_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "accent");
  gtk_box_append (GTK_BOX (titles), GTK_WIDGET (self->title_label));
  gtk_box_append (GTK_BOX (titles), GTK_WIDGET (self->state_label));
  gtk_widget_set_hexpand (titles, TRUE);
  gtk_box_append (GTK_BOX (header), titles);
  self->spinner = GTK_SPINNER (gtk_spinner_new ());
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (self->spinner));
  {
    GtkWidget *reload = gtk_button_new_from_icon_name ("view-refresh-symbolic");

    gtk_actionable_set_action_name (GTK_ACTIONABLE (reload), "plan.reload");
    gtk_widget_set_tooltip_text (reload, _("Reload"));
    gtk_accessible_update_property (GTK_ACCESSIBLE (reload), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    _("Reload"), -1);
    gtk_widget_set_valign (reload, GTK_ALIGN_START);
    gtk_box_append (GTK_BOX (header), reload);
  }

  gtk_widget_set_margin_start (buttons, 18);
  gtk_widget_set_margin_end (buttons, 18);
  gtk_widget_set_margin_bottom (buttons, 12);
  gtk_box_append (GTK_BOX (buttons), step_button (self, _("New Task"), "plan.new-task", NULL));
  gtk_box_append (GTK_BOX (buttons), action_button (_("Sampling Ratios…"), "plan.ratios", NULL));
  gtk_box_append (GTK_BOX (buttons), step_button (self, _("Submit for Approval"), "plan.submit", "suggested-action"));
  gtk_box_append (GTK_BOX (buttons), step_button (self, _("Approve"), "plan.approve", "suggested-action"));
  gtk_box_append (GTK_BOX (buttons), step_button (self, _("Return…"), "plan.reject", "destructive-action"));
  gtk_box_append (GTK_BOX (buttons), step_button (self, _("Publish"), "plan.publish", "suggested-action"));
  gtk_box_append (GTK_BOX (buttons), step_button (self, _("Request Change…"), "plan.request-change", NULL));
  gtk_box_append (GTK_BOX (buttons), step_button (self, _("Approve Change"), "plan.approve-change", "suggested-action"));
  gtk_box_append (GTK_BOX (buttons), step_button (self, _("Reject Change…"), "plan.reject-change", "destructive-action"));

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (info), _("Plan"));
  self->state_row = info_row (ADW_PREFERENCES_GROUP (info), _("State"));
  self->revision_row = info_row (ADW_PREFERENCES_GROUP (info), _("Published version"));
  self->reject_row = info_row (ADW_PREFERENCES_GROUP (info), _("Returned by the administrator because"));
  gtk_widget_add_css_class (GTK_WIDGET (self->reject_row), "error");
  self->change_row = info_row (ADW_PREFERENCES_GROUP (info), _("Open change request"));

  self->tasks_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->tasks_group, _("Tasks"));
  self->changes_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->changes_group, _("Change requests"));

  self->compare_group = compare_group;
  gtk_widget_set_visible (compare_group, FALSE);
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (compare_group), _("Compare versions"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (compare_group),
                                         _("Every published version stays readable. Pick two to see which tasks were added, removed or changed."));
  self->from_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (NULL, NULL));
  self->to_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (NULL, NULL));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->from_dropdown), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Earlier version"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->to_dropdown), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Later version"), -1);
  label = gtk_label_new (_("From"));
  gtk_box_append (GTK_BOX (compare_row), label);
  gtk_box_append (GTK_BOX (compare_row), GTK_WIDGET (self->from_dropdown));
  label = gtk_label_new (_("to"));
  gtk_box_append (GTK_BOX (compare_row), label);
  gtk_box_append (GTK_BOX (compare_row), GTK_WIDGET (self->to_dropdown));
  gtk_box_append (GTK_BOX (compare_row), action_button (_("Compare"), "plan.compare", NULL));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (compare_group), compare_row);
  self->compare_box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 4));
  gtk_widget_set_margin_top (GTK_WIDGET (self->compare_box), 12);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (compare_group), GTK_WIDGET (self->compare_box));

  gtk_box_append (GTK_BOX (page), info);
  gtk_box_append (GTK_BOX (page), GTK_WIDGET (self->tasks_group));
  gtk_box_append (GTK_BOX (page), GTK_WIDGET (self->changes_group));
  gtk_box_append (GTK_BOX (page), compare_group);
  gtk_widget_set_margin_top (page, 12);
  gtk_widget_set_margin_bottom (page, 24);
  gtk_widget_set_margin_start (page, 12);
  gtk_widget_set_margin_end (page, 12);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 900);
  adw_clamp_set_child (ADW_CLAMP (clamp), page);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);

  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), buttons);
  gtk_box_append (GTK_BOX (box), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));
  gtk_box_append (GTK_BOX (box), scrolled);
  self->toasts = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  adw_toast_overlay_set_child (self->toasts, box);
  gtk_widget_set_vexpand (GTK_WIDGET (self->toasts), TRUE);
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->toasts));
}

/* GObject */

static void
sui_plan_view_dispose (GObject *object)
{
  SuiPlanView *self = (SuiPlanView *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  g_clear_object (&self->events);
  g_clear_pointer (&self->plan, json_object_unref);
  g_clear_pointer (&self->comparison, json_object_unref);
  g_clear_pointer (&self->revisions, g_array_unref);
  g_clear_pointer (&self->task_rows, g_ptr_array_unref);
  g_clear_pointer (&self->change_rows, g_ptr_array_unref);
  g_clear_pointer (&self->step_buttons, g_hash_table_unref);
  g_clear_pointer (&self->role, g_free);
  g_clear_pointer (&self->last_message, g_free);

  G_OBJECT_CLASS (sui_plan_view_parent_class)->dispose (object);
}

static void
sui_plan_view_class_init (SuiPlanViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sui_plan_view_dispose;

  g_signal_new ("back", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "plan.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "plan.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "plan.submit", NULL, submit_action);
  gtk_widget_class_install_action (widget_class, "plan.approve", NULL, approve_action);
  gtk_widget_class_install_action (widget_class, "plan.reject", NULL, reject_action);
  gtk_widget_class_install_action (widget_class, "plan.publish", NULL, publish_action);
  gtk_widget_class_install_action (widget_class, "plan.request-change", NULL,
                                   request_change_action);
  gtk_widget_class_install_action (widget_class, "plan.approve-change", NULL,
                                   approve_change_action);
  gtk_widget_class_install_action (widget_class, "plan.reject-change", NULL,
                                   reject_change_action);
  gtk_widget_class_install_action (widget_class, "plan.new-task", NULL, new_task_action);
  gtk_widget_class_install_action (widget_class, "plan.ratios", NULL, ratios_action);
  gtk_widget_class_install_action (widget_class, "plan.compare", NULL, compare_action);
}

static void
sui_plan_view_init (SuiPlanView *self)
{
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  self->cancellable = g_cancellable_new ();
  self->revisions = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->task_rows = g_ptr_array_new ();
  self->change_rows = g_ptr_array_new ();
  self->step_buttons = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  build (self);
}

SuiPlanView *
sui_plan_view_new (SuiRpcClient    *client,
                   SuiEventsClient *events,
                   const char      *role)
{
  SuiPlanView *self = g_object_new (SUI_TYPE_PLAN_VIEW, NULL);

  self->client = g_object_ref (client);
  self->events = events != NULL ? g_object_ref (events) : NULL;
  self->role = g_strdup (role);
  if (self->events != NULL)
    g_signal_connect_object (self->events, "changed", G_CALLBACK (on_events_changed), self,
                             G_CONNECT_SWAPPED);
  update_actions (self);
  return self;
}
