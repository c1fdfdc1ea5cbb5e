/* sui-plans-page.c: the annual plans of a unit (or of every unit, for the administrator)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A list of plans by year (and unit, for the administrator); activating one shows its plan
 * page (SuiPlanView) in place, with a way back.
 */
#include "sui-config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sui-joint-dialog.h"
#include "sui-json.h"
#include "sui-plan-labels.h"
#include "sui-plans-page.h"
#include "sui-prompt.h"
#include "sui-ratio-dialog.h"

struct _SuiPlansPage
{
  GtkBox parent_instance;

  GtkStack *stack;
  AdwToastOverlay *toasts;
  GtkSpinButton *year_spin;
  GtkDropDown *unit_dropdown;
  GtkListBox *list;
  GtkLabel *empty_label;
  GtkListBox *joint_list;       /* the joint tasks the unit leads or takes part in */
  GtkWidget *joint_heading;
  GtkWidget *new_button;
  GtkWidget *ratios_button;
  SuiPlanView *view;

  SuiRpcClient *client;
  SuiEventsClient *events;
  char *role;
  GCancellable *cancellable;
  GPtrArray *plans;           /* JsonObject */
  GArray *unit_ids;           /* the unit dropdown's entries after "all units" */
  char *last_message;
  guint busy;
  gboolean loaded;
};

G_DEFINE_FINAL_TYPE (SuiPlansPage, sui_plans_page, GTK_TYPE_BOX)

static void
toast (SuiPlansPage *self,
       const char   *message)
{
  AdwToast *t = adw_toast_new (message);

  g_free (self->last_message);
  self->last_message = g_strdup (message);
  adw_toast_set_priority (t, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_timeout (t, 8);
  adw_toast_overlay_add_toast (self->toasts, t);
}

static gboolean
is_admin (SuiPlansPage *self)
{
  return g_strcmp0 (self->role, "admin") == 0;
}

static gint64
chosen_unit (SuiPlansPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->unit_dropdown);

  if (selected == 0 || selected == GTK_INVALID_LIST_POSITION || selected > self->unit_ids->len)
    return 0;
  return g_array_index (self->unit_ids, gint64, selected - 1);
}

static void
on_open_clicked (GtkButton    *button,
                 SuiPlansPage *self)
{
  JsonObject *plan = g_object_get_data (G_OBJECT (button), "plan");

  sui_plans_page_open_plan (self, sui_json_get_id (plan, "id"));
}

static void
show_plans (SuiPlansPage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);

  for (guint i = 0; i < self->plans->len; i++)
    {
      JsonObject *plan = self->plans->pdata[i];
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *year = g_strdup_printf ("%" G_GINT64_FORMAT,
                                               sui_json_get_int (plan, "year"));
      const char *plan_title = sui_json_get_string (plan, "title");
      /* Titles usually name their year already ("2026年…"); say it only when they do not. */
      g_autofree char *title = strstr (plan_title, year) != NULL
                               ? g_strdup (plan_title)
                               : g_strdup_printf ("%s · %s", year, plan_title);
      g_autofree char *subtitle = NULL;
      g_autofree char *tasks = g_strdup_printf (ngettext ("%lld task", "%lld tasks",
                                                          sui_json_get_int (plan, "task_count")),
                                                (long long) sui_json_get_int (plan, "task_count"));
      JsonNode *change = json_object_get_member (plan, "open_change");

      subtitle = g_strdup_printf ("%s · %s · %s%s", sui_json_get_string (plan, "unit_name"),
                                  sui_plan_state_label (sui_json_get_string (plan, "state")), tasks,
                                  change != NULL && JSON_NODE_HOLDS_OBJECT (change)
                                  ? _(" · change requested") : "");
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      {
        GtkWidget *open = gtk_button_new_from_icon_name ("go-next-symbolic");
        g_autofree char *accessible = g_strdup_printf (_("Open %s · %s"),
                                                       sui_json_get_string (plan, "unit_name"), title);

        gtk_widget_add_css_class (open, "flat");
        gtk_widget_set_valign (open, GTK_ALIGN_CENTER);
        gtk_widget_set_tooltip_text (open, _("Open the plan"));
        gtk_accessible_update_property (GTK_ACCESSIBLE (open), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        accessible, -1);
        g_object_set_data (G_OBJECT (open), "plan", plan);
        g_signal_connect_object (open, "clicked", G_CALLBACK (on_open_clicked), self, 0);
        adw_action_row_add_suffix (ADW_ACTION_ROW (row), open);
      }
      g_object_set_data (G_OBJECT (row), "plan", plan);
      gtk_list_box_append (self->list, row);
    }
  /* An empty boxed list would draw as a stray line above the empty-state text. */
  gtk_widget_set_visible (GTK_WIDGET (self->list), self->plans->len > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->empty_label), self->plans->len == 0);
}

static void
plans_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SuiPlansPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result,
                                                         NULL, &error);
  JsonNode *items;

  self->busy--;
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, error->message);
      return;
    }
  g_ptr_array_set_size (self->plans, 0);
  items = json_object_get_member (json_node_get_object (node), "items");
  for (guint i = 0; items != NULL && JSON_NODE_HOLDS_ARRAY (items) &&
       i < json_array_get_length (json_node_get_array (items)); i++)
    g_ptr_array_add (self->plans,
                     json_object_ref (json_array_get_object_element (json_node_get_array (items), i)));
  show_plans (self);
}

/* Joint tasks (一业一查): a partner department has no plan of its own that holds them, so
 * they are listed here, each with the way to its part. */

static void
on_joint_clicked (GtkButton    *button,
                  SuiPlansPage *self)
{
  gint64 task_id = *(gint64 *) g_object_get_data (G_OBJECT (button), "task-id");
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  sui_joint_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->client,
                        self->events, NULL, task_id);
}

static GtkWidget *
joint_row (SuiPlansPage *self,
           JsonObject   *task)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *open = gtk_button_new_with_label (_("Parts…"));
  const char *role = sui_json_get_string (task, "role");
  JsonNode *mine = json_object_get_member (task, "my_part");
  gint64 id = sui_json_get_id (task, "task_id");
  g_autofree char *accessible = g_strdup_printf (_("Parts of %s"),
                                                 sui_json_get_string (task, "task_name"));
  g_autofree char *subtitle = NULL;
  const char *mine_text = "";

  if (mine != NULL && JSON_NODE_HOLDS_OBJECT (mine))
    mine_text = sui_json_get_bool (json_node_get_object (mine), "confirmed")
                ? _(" · our part confirmed") : _(" · our part awaits confirmation");
  subtitle = g_strdup_printf (_("%s leads · %s · %lld of %lld departments confirmed%s"),
                              sui_json_get_string (task, "lead_unit_name"),
                              sui_task_state_label (sui_json_get_string (task, "state")),
                              (long long) sui_json_get_int (task, "confirmed"),
                              (long long) sui_json_get_int (task, "departments"), mine_text);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 sui_json_get_string (task, "task_name"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  if (g_strcmp0 (role, "partner") == 0)
    gtk_widget_add_css_class (open, "suggested-action");
  gtk_widget_set_valign (open, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (open), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible, -1);
  g_object_set_data_full (G_OBJECT (open), "task-id", g_memdup2 (&id, sizeof id), g_free);
  g_signal_connect_object (open, "clicked", G_CALLBACK (on_joint_clicked), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), open);
  return row;
}

static void
joint_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SuiPlansPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result,
                                                         NULL, &error);
  JsonArray *items;
  GtkWidget *child;

  self->busy--;
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, error->message);
      return;
    }
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->joint_list))) != NULL)
    gtk_list_box_remove (self->joint_list, child);
  items = json_object_get_array_member (json_node_get_object (node), "items");
  for (guint i = 0; items != NULL && i < json_array_get_length (items); i++)
    gtk_list_box_append (self->joint_list,
                         joint_row (self, json_array_get_object_element (items, i)));
  gtk_widget_set_visible (GTK_WIDGET (self->joint_list), json_array_get_length (items) > 0);
  gtk_widget_set_visible (self->joint_heading, json_array_get_length (items) > 0);
}

static void
reload_joint (SuiPlansPage *self)
{
  JsonObject *o;
  g_autoptr(JsonNode) params = sui_params_new (&o);

  json_object_set_int_member (o, "year", gtk_spin_button_get_value_as_int (self->year_spin));
  self->busy++;
  sui_rpc_client_call_async (self->client, "tasks.joint_list", params, self->cancellable,
                             joint_cb, g_object_ref (self));
}

guint
sui_plans_page_get_n_joint_tasks (SuiPlansPage *self)
{
  guint n = 0;

  g_return_val_if_fail (SUI_IS_PLANS_PAGE (self), 0);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->joint_list));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    n++;
  return n;
}

void
sui_plans_page_reload (SuiPlansPage *self)
{
  JsonObject *o;
  g_autoptr(JsonNode) params = sui_params_new (&o);

  json_object_set_int_member (o, "year", gtk_spin_button_get_value_as_int (self->year_spin));
  if (chosen_unit (self) != 0)
    json_object_set_int_member (o, "unit_id", chosen_unit (self));
  json_object_set_int_member (o, "limit", 1000);
  self->busy++;
  sui_rpc_client_call_async (self->client, "plans.list", params, self->cancellable,
                             plans_cb, g_object_ref (self));
  reload_joint (self);
}

static void
units_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SuiPlansPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result,
                                                         NULL, &error);
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  JsonNode *items;

  self->busy--;
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return;

  gtk_string_list_append (names, _("All units"));
  g_array_set_size (self->unit_ids, 0);
  items = json_object_get_member (json_node_get_object (node), "items");
  for (guint i = 0; items != NULL && JSON_NODE_HOLDS_ARRAY (items) &&
       i < json_array_get_length (json_node_get_array (items)); i++)
    {
      JsonObject *unit = json_array_get_object_element (json_node_get_array (items), i);
      gint64 id = sui_json_get_id (unit, "id");

      /* Plans belong to the direct units. */
      if (!g_str_equal (sui_json_get_string (unit, "kind"), "direct"))
        continue;
      g_array_append_val (self->unit_ids, id);
      gtk_string_list_append (names, sui_json_get_string (unit, "name"));
    }
  gtk_drop_down_set_model (self->unit_dropdown, G_LIST_MODEL (names));
}

static void
on_filter_changed (SuiPlansPage *self)
{
  sui_plans_page_reload (self);
}

static void
on_row_activated (SuiPlansPage  *self,
                  GtkListBoxRow *row)
{
  JsonObject *plan = g_object_get_data (G_OBJECT (row), "plan");

  if (plan != NULL)
    sui_plans_page_open_plan (self, sui_json_get_id (plan, "id"));
}

void
sui_plans_page_open_plan (SuiPlansPage *self,
                          gint64        plan_id)
{
  sui_plan_view_load (self->view, plan_id);
  gtk_stack_set_visible_child_name (self->stack, "plan");
}

static void
on_back (SuiPlansPage *self)
{
  gtk_stack_set_visible_child_name (self->stack, "list");
  sui_plans_page_reload (self);
}

static void
created_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SuiPlansPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) data = NULL;
  g_autoptr(JsonNode) node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result,
                                                         &data, &error);

  self->busy--;
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, error->message);
      return;
    }
  sui_plans_page_reload (self);
  sui_plans_page_open_plan (self, sui_json_get_id (json_node_get_object (node), "id"));
}

void
sui_plans_page_create_plan (SuiPlansPage *self,
                            const char   *title)
{
  JsonObject *o;
  g_autoptr(JsonNode) params = sui_params_new (&o);

  json_object_set_int_member (o, "year", gtk_spin_button_get_value_as_int (self->year_spin));
  json_object_set_string_member (o, "title", title);
  self->busy++;
  sui_rpc_client_call_async (self->client, "plans.create", params, self->cancellable,
                             created_cb, g_object_ref (self));
}

static void
title_cb (GStrv    texts,
          gpointer user_data)
{
  if (texts != NULL)
    sui_plans_page_create_plan (SUI_PLANS_PAGE (user_data), texts[0]);
}

static void
new_plan_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  SuiPlansPage *self = SUI_PLANS_PAGE (widget);
  const char * const labels[] = { _("Title"), NULL };
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *heading = g_strdup_printf (_("New Plan for %d"),
                                              gtk_spin_button_get_value_as_int (self->year_spin));
  AdwMessageDialog *dialog;
  GtkWidget *entry;

  dialog = sui_prompt_texts (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading,
                             _("One plan per unit and year. Tasks are added to it next."),
                             _("Create"), labels, title_cb, g_object_ref (self), g_object_unref);
  /* A title to start from: most units call it the same. */
  entry = gtk_widget_get_last_child (adw_message_dialog_get_extra_child (dialog));
  if (GTK_IS_EDITABLE (entry))
    {
      g_autofree char *title = g_strdup_printf (_("%d Annual Random Inspection Plan"),
                                                gtk_spin_button_get_value_as_int (self->year_spin));

      gtk_editable_set_text (GTK_EDITABLE (entry), title);
    }
}

/* The city's sampling table per risk class, kept by the administrator. */
static void
city_ratios_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  GtkRoot *root = gtk_widget_get_root (widget);

  sui_ratio_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                        SUI_PLANS_PAGE (widget)->client, 0, TRUE);
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  sui_plans_page_reload (SUI_PLANS_PAGE (widget));
}

static void
on_events_changed (SuiPlansPage    *self,
                   const char      *area,
                   const char      *id,
                   SuiEventsClient *events)
{
  if (self->busy == 0 && (g_strcmp0 (area, "plans") == 0 || g_strcmp0 (area, "tasks") == 0) &&
      g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "list") == 0)
    sui_plans_page_reload (self);
}

/* Accessors */

gboolean
sui_plans_page_get_busy (SuiPlansPage *self)
{
  return self->busy > 0 || sui_plan_view_get_busy (self->view);
}

void
sui_plans_page_set_year (SuiPlansPage *self,
                         int           year)
{
  gtk_spin_button_set_value (self->year_spin, year);
}

guint
sui_plans_page_get_n_plans (SuiPlansPage *self)
{
  return self->plans->len;
}

JsonObject *
sui_plans_page_get_plan (SuiPlansPage *self,
                         guint         position)
{
  return position < self->plans->len ? self->plans->pdata[position] : NULL;
}

SuiPlanView *
sui_plans_page_get_plan_view (SuiPlansPage *self)
{
  return self->view;
}

gboolean
sui_plans_page_get_showing_plan (SuiPlansPage *self)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "plan") == 0;
}

const char *
sui_plans_page_get_last_message (SuiPlansPage *self)
{
  return self->last_message;
}

/* Building */

static void
build (SuiPlansPage *self)
{
  GtkWidget *list_page = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *label = gtk_label_new (_("Year"));
  GtkWidget *new_button = gtk_button_new_with_label (_("New Plan…"));

  self->new_button = new_button;
  GtkWidget *reload = gtk_button_new_from_icon_name ("view-refresh-symbolic");
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *inner = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  gtk_widget_set_margin_start (bar, 18);
  gtk_widget_set_margin_end (bar, 18);
  gtk_widget_set_margin_top (bar, 12);
  gtk_widget_set_margin_bottom (bar, 12);
  gtk_box_append (GTK_BOX (bar), label);
  self->year_spin = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (2000, 2100, 1));
  gtk_spin_button_set_value (self->year_spin, g_date_time_get_year (now));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->year_spin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Year"), -1);
  g_signal_connect_object (self->year_spin, "value-changed", G_CALLBACK (on_filter_changed), self,
                           G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->year_spin));
  self->unit_dropdown = GTK_DROP_DOWN (gtk_drop_down_new_from_strings ((const char *[]) { _("All units"), NULL }));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->unit_dropdown),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Unit"), -1);
  g_signal_connect_object (self->unit_dropdown, "notify::selected", G_CALLBACK (on_filter_changed),
                           self, G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->unit_dropdown));
  gtk_widget_set_hexpand (GTK_WIDGET (self->unit_dropdown), FALSE);
  label = gtk_label_new (NULL);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (bar), label);
  self->ratios_button = gtk_button_new_with_label (_("City's Sampling Ratios…"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->ratios_button), "plans.city-ratios");
  gtk_box_append (GTK_BOX (bar), self->ratios_button);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (new_button), "plans.new");
  gtk_widget_add_css_class (new_button, "suggested-action");
  gtk_box_append (GTK_BOX (bar), new_button);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (reload), "plans.reload");
  gtk_widget_set_tooltip_text (reload, _("Reload"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (reload), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Reload"), -1);
  gtk_box_append (GTK_BOX (bar), reload);

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Plans"), -1);
  g_signal_connect_object (self->list, "row-activated", G_CALLBACK (on_row_activated), self,
                           G_CONNECT_SWAPPED);
  self->empty_label = GTK_LABEL (gtk_label_new (_("No plan for this year yet.")));
  gtk_widget_add_css_class (GTK_WIDGET (self->empty_label), "dim-label");
  gtk_widget_set_margin_top (GTK_WIDGET (self->empty_label), 24);
  gtk_box_append (GTK_BOX (inner), GTK_WIDGET (self->list));
  gtk_box_append (GTK_BOX (inner), GTK_WIDGET (self->empty_label));

  self->joint_heading = gtk_label_new (_("Joint Tasks of the Year"));
  gtk_widget_add_css_class (self->joint_heading, "heading");
  gtk_label_set_xalign (GTK_LABEL (self->joint_heading), 0);
  gtk_widget_set_margin_top (self->joint_heading, 12);
  gtk_widget_set_visible (self->joint_heading, FALSE);
  self->joint_list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->joint_list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->joint_list), "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->joint_list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Joint Tasks"), -1);
  gtk_widget_set_visible (GTK_WIDGET (self->joint_list), FALSE);
  gtk_box_append (GTK_BOX (inner), self->joint_heading);
  gtk_box_append (GTK_BOX (inner), GTK_WIDGET (self->joint_list));
  gtk_widget_set_margin_start (inner, 12);
  gtk_widget_set_margin_end (inner, 12);
  gtk_widget_set_margin_bottom (inner, 24);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 900);
  adw_clamp_set_child (ADW_CLAMP (clamp), inner);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (list_page), bar);
  gtk_box_append (GTK_BOX (list_page), scrolled);

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_set_transition_type (self->stack, GTK_STACK_TRANSITION_TYPE_SLIDE_LEFT_RIGHT);
  gtk_stack_add_named (self->stack, list_page, "list");
  self->toasts = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  adw_toast_overlay_set_child (self->toasts, GTK_WIDGET (self->stack));
  gtk_widget_set_vexpand (GTK_WIDGET (self->toasts), TRUE);
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->toasts));
}

/* GObject */

static void
sui_plans_page_dispose (GObject *object)
{
  SuiPlansPage *self = (SuiPlansPage *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  g_clear_object (&self->events);
  g_clear_pointer (&self->plans, g_ptr_array_unref);
  g_clear_pointer (&self->unit_ids, g_array_unref);
  g_clear_pointer (&self->role, g_free);
  g_clear_pointer (&self->last_message, g_free);

  G_OBJECT_CLASS (sui_plans_page_parent_class)->dispose (object);
}

/* The first time the page is shown: units (for the administrator) and the year's plans. */
static void
sui_plans_page_map (GtkWidget *widget)
{
  SuiPlansPage *self = SUI_PLANS_PAGE (widget);

  GTK_WIDGET_CLASS (sui_plans_page_parent_class)->map (widget);

  if (self->loaded)
    return;
  self->loaded = TRUE;
  if (is_admin (self))
    {
      JsonObject *o;
      g_autoptr(JsonNode) params = sui_params_new (&o);

      self->busy++;
      sui_rpc_client_call_async (self->client, "units.list", params, self->cancellable,
                                 units_cb, g_object_ref (self));
    }
  sui_plans_page_reload (self);
}

static void
sui_plans_page_class_init (SuiPlansPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sui_plans_page_dispose;
  widget_class->map = sui_plans_page_map;

  gtk_widget_class_install_action (widget_class, "plans.new", NULL, new_plan_action);
  gtk_widget_class_install_action (widget_class, "plans.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "plans.city-ratios", NULL, city_ratios_action);
}

static void
sui_plans_page_init (SuiPlansPage *self)
{
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  self->cancellable = g_cancellable_new ();
  self->plans = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  self->unit_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  build (self);
}

SuiPlansPage *
sui_plans_page_new (SuiRpcClient    *client,
                    SuiEventsClient *events,
                    const char      *role)
{
  SuiPlansPage *self = g_object_new (SUI_TYPE_PLANS_PAGE, NULL);

  self->client = g_object_ref (client);
  self->events = events != NULL ? g_object_ref (events) : NULL;
  self->role = g_strdup (role);
  self->view = sui_plan_view_new (client, events, role);
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->view), "plan");
  g_signal_connect_object (self->view, "back", G_CALLBACK (on_back), self, G_CONNECT_SWAPPED);
  if (self->events != NULL)
    g_signal_connect_object (self->events, "changed", G_CALLBACK (on_events_changed), self,
                             G_CONNECT_SWAPPED);

  /* Only a supervisor drafts plans; the administrator chooses the unit to look at. Nothing is
   * fetched before the page is first shown (sui_plans_page_map). */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "plans.new", g_strcmp0 (role, "supervisor") == 0);
  gtk_widget_set_visible (self->new_button, g_strcmp0 (role, "supervisor") == 0);
  /* Say what to do about an empty year: a supervisor drafts, the administrator waits. */
  gtk_label_set_text (self->empty_label,
                      g_strcmp0 (role, "supervisor") == 0
                      ? _("No plan for this year yet. Use “New Plan…” to draft your unit's "
                          "plan for the year.")
                      : _("No plan for this year yet. The units' plans appear here as soon "
                          "as they draft them."));
  gtk_label_set_wrap (self->empty_label, TRUE);
  gtk_label_set_justify (self->empty_label, GTK_JUSTIFY_CENTER);
  gtk_widget_set_visible (GTK_WIDGET (self->unit_dropdown), is_admin (self));
  gtk_widget_set_visible (self->ratios_button, is_admin (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "plans.city-ratios", is_admin (self));
  return self;
}
