/* sui-assignments-view.c: who checks which object of a task, and why the others do not
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * tasks.assignments pages by object id; "Load more" fetches the next page. Each object's
 * "Why not others?" asks tasks.exclusions and lists every inspector of the unit that is not on
 * the team, with the first rule that left them out, or that the random choice did.
 */
#include "sui-config.h"

#include <glib/gi18n.h>

#include "sui-assignments-view.h"
#include "sui-export.h"
#include "sui-json.h"
#include "sui-plan-labels.h"

struct _SuiAssignmentsView
{
  AdwWindow parent_instance;

  AdwToastOverlay *toasts;
  GtkSpinner *spinner;
  GtkListBox *list;
  GtkButton *more_button;
  GtkLabel *summary_label;

  SuiRpcClient *client;
  GCancellable *cancellable;
  gint64 task_id;
  GPtrArray *objects;          /* JsonObject */
  JsonNode *next_after;
  JsonObject *exclusions;
  guint busy;
};

G_DEFINE_FINAL_TYPE (SuiAssignmentsView, sui_assignments_view, ADW_TYPE_WINDOW)

static void
set_busy (SuiAssignmentsView *self,
          gboolean            busy)
{
  self->busy += busy ? 1 : -1;
  gtk_spinner_set_spinning (self->spinner, self->busy > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), self->busy > 0);
}

static void
toast (SuiAssignmentsView *self,
       const char         *message)
{
  AdwToast *t = adw_toast_new (message);

  adw_toast_set_timeout (t, 8);
  adw_toast_overlay_add_toast (self->toasts, t);
}

static char *
team_text (JsonArray *inspectors)
{
  g_autoptr(GString) s = g_string_new (NULL);
  const char *unit = NULL;

  for (guint i = 0; inspectors != NULL && i < json_array_get_length (inspectors); i++)
    {
      JsonObject *p = json_array_get_object_element (inspectors, i);
      const char *u = sui_json_get_string (p, "unit_name");

      if (*u != '\0' && g_strcmp0 (u, unit) != 0)
        {
          g_string_append_printf (s, "%s%s：", s->len > 0 ? "；" : "", u);
          unit = u;
        }
      else if (s->len > 0)
        g_string_append (s, "、");
      g_string_append_printf (s, "%s（%s）", sui_json_get_string (p, "name"),
                              sui_json_get_string (p, "cert_no"));
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
on_why (GtkButton          *button,
        SuiAssignmentsView *self)
{
  sui_assignments_view_show_exclusions (self, *(gint64 *) g_object_get_data (G_OBJECT (button), "object-id"));
}

static void
add_rows (SuiAssignmentsView *self,
          JsonArray          *items)
{
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *o = json_array_get_object_element (items, i);
      JsonNode *inspectors = json_object_get_member (o, "inspectors");
      g_autofree char *team = team_text (inspectors != NULL && JSON_NODE_HOLDS_ARRAY (inspectors)
                                         ? json_node_get_array (inspectors) : NULL);
      g_autofree char *title = g_strdup_printf ("%s · %s", sui_json_get_string (o, "licence_no"),
                                                sui_json_get_string (o, "name"));
      g_autofree char *subtitle = g_strdup_printf (_("Class %s · %s\nInspectors: %s"),
                                                   sui_json_get_string (o, "risk_class"),
                                                   sui_json_get_string (o, "address"), team);
      g_autofree char *accessible = g_strdup_printf (_("Why not others for %s"),
                                                     sui_json_get_string (o, "name"));
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *why = gtk_button_new_with_label (_("Why Not Others?"));
      gint64 id = sui_json_get_id (o, "object_id");

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 4);
      gtk_widget_set_valign (why, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (why), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      accessible, -1);
      g_object_set_data_full (G_OBJECT (why), "object-id", g_memdup2 (&id, sizeof id), g_free);
      g_signal_connect_object (why, "clicked", G_CALLBACK (on_why), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), why);
      gtk_list_box_append (self->list, row);
      g_ptr_array_add (self->objects, json_object_ref (o));
    }
}

static void
page_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SuiAssignmentsView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result,
                                                         NULL, &error);
  g_autofree char *summary = NULL;
  JsonObject *answer;
  JsonNode *items;

  set_busy (self, FALSE);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          toast (self, error->message);
          gtk_label_set_text (self->summary_label, error->message);
        }
      return;
    }
  answer = json_node_get_object (node);
  items = json_object_get_member (answer, "items");
  if (items != NULL && JSON_NODE_HOLDS_ARRAY (items))
    add_rows (self, json_node_get_array (items));
  g_clear_pointer (&self->next_after, json_node_unref);
  if (json_object_has_member (answer, "next_after") &&
      !json_object_get_null_member (answer, "next_after"))
    self->next_after = json_node_copy (json_object_get_member (answer, "next_after"));
  gtk_widget_set_visible (GTK_WIDGET (self->more_button), self->next_after != NULL);
  summary = g_strdup_printf (_("Match %lld: %u objects shown%s"),
                             (long long) sui_json_get_id (answer, "draw_id"), self->objects->len,
                             self->next_after != NULL ? _(", more to load") : "");
  gtk_label_set_text (self->summary_label, summary);
}

static void
load_page (SuiAssignmentsView *self)
{
  JsonObject *o;
  g_autoptr(JsonNode) params = sui_params_new (&o);

  json_object_set_int_member (o, "task_id", self->task_id);
  json_object_set_int_member (o, "limit", 200);
  if (self->next_after != NULL)
    json_object_set_member (o, "after", json_node_copy (self->next_after));
  set_busy (self, TRUE);
  sui_rpc_client_call_async (self->client, "tasks.assignments", params, self->cancellable,
                             page_cb, g_object_ref (self));
}

static void
on_more (SuiAssignmentsView *self)
{
  if (self->busy == 0)
    load_page (self);
}

/* Exclusions */

static void
exclusions_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(SuiAssignmentsView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result,
                                                         NULL, &error);
  JsonObject *x;
  JsonNode *member;
  GtkWidget *dialog;
  GtkWidget *scrolled;
  GtkWidget *list;
  g_autofree char *heading = NULL;
  const char *name = "";

  set_busy (self, FALSE);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, error->message);
      return;
    }
  g_clear_pointer (&self->exclusions, json_object_unref);
  self->exclusions = json_object_ref (json_node_get_object (node));
  x = self->exclusions;

  for (guint i = 0; i < self->objects->len; i++)
    if (sui_json_get_id (self->objects->pdata[i], "object_id") == sui_json_get_id (x, "object_id"))
      name = sui_json_get_string (self->objects->pdata[i], "name");
  heading = g_strdup_printf (_("Inspectors for %s"), name);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading,
                                   _("Every inspector of the unit: on the team, left out by a rule "
                                     "(the first rule that applied), or eligible but not drawn."));
  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Exclusions"), -1);

  member = json_object_get_member (x, "assigned");
  for (guint i = 0; member != NULL && JSON_NODE_HOLDS_ARRAY (member) &&
       i < json_array_get_length (json_node_get_array (member)); i++)
    {
      JsonObject *p = json_array_get_object_element (json_node_get_array (member), i);
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), sui_json_get_string (p, "name"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("On the team"));
      gtk_widget_add_css_class (row, "success");
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
  member = json_object_get_member (x, "excluded");
  for (guint i = 0; member != NULL && JSON_NODE_HOLDS_ARRAY (member) &&
       i < json_array_get_length (json_node_get_array (member)); i++)
    {
      JsonObject *p = json_array_get_object_element (json_node_get_array (member), i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *text = NULL;

      if (*sui_json_get_string (p, "reason") != '\0')
        text = g_strdup_printf (_("Left out: %s — %s"),
                                sui_match_rule_label (sui_json_get_string (p, "rule")),
                                sui_json_get_string (p, "reason"));
      else
        text = g_strdup_printf (_("Left out: %s"),
                                sui_match_rule_label (sui_json_get_string (p, "rule")));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), sui_json_get_string (p, "name"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), text);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
  member = json_object_get_member (x, "not_drawn");
  for (guint i = 0; member != NULL && JSON_NODE_HOLDS_ARRAY (member) &&
       i < json_array_get_length (json_node_get_array (member)); i++)
    {
      JsonObject *p = json_array_get_object_element (json_node_get_array (member), i);
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), sui_json_get_string (p, "name"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Eligible, not drawn by the random choice"));
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }

  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), list);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), 360);
  gtk_scrolled_window_set_min_content_width (GTK_SCROLLED_WINDOW (scrolled), 520);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), scrolled);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

void
sui_assignments_view_show_exclusions (SuiAssignmentsView *self,
                                      gint64              object_id)
{
  JsonObject *o;
  g_autoptr(JsonNode) params = sui_params_new (&o);

  json_object_set_int_member (o, "task_id", self->task_id);
  json_object_set_int_member (o, "object_id", object_id);
  set_busy (self, TRUE);
  sui_rpc_client_call_async (self->client, "tasks.exclusions", params, self->cancellable,
                             exclusions_cb, g_object_ref (self));
}

/* Accessors */

gboolean
sui_assignments_view_get_busy (SuiAssignmentsView *self)
{
  return self->busy > 0;
}

guint
sui_assignments_view_get_n_objects (SuiAssignmentsView *self)
{
  return self->objects->len;
}

JsonObject *
sui_assignments_view_get_object (SuiAssignmentsView *self,
                                 guint               position)
{
  return position < self->objects->len ? self->objects->pdata[position] : NULL;
}

JsonObject *
sui_assignments_view_get_exclusions (SuiAssignmentsView *self)
{
  return self->exclusions;
}

/* GObject */

static void
sui_assignments_view_dispose (GObject *object)
{
  SuiAssignmentsView *self = (SuiAssignmentsView *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  g_clear_pointer (&self->objects, g_ptr_array_unref);
  g_clear_pointer (&self->next_after, json_node_unref);
  g_clear_pointer (&self->exclusions, json_object_unref);

  G_OBJECT_CLASS (sui_assignments_view_parent_class)->dispose (object);
}

/* The teams as the file the inspectors take along (tasks.export_assignments). */

static void
export_saved_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SuiAssignmentsView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!sui_export_save_finish (result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, error->message);
      return;
    }
  toast (self, _("The export was saved."));
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SuiAssignmentsView *self = SUI_ASSIGNMENTS_VIEW (widget);
  JsonObject *o;
  g_autoptr(JsonNode) params = sui_params_new (&o);

  json_object_set_int_member (o, "task_id", self->task_id);
  sui_export_save_async (self->client, GTK_WINDOW (self), "tasks.export_assignments", params,
                         g_variant_get_string (parameter, NULL), self->cancellable,
                         export_saved_cb, g_object_ref (self));
}

static void
sui_assignments_view_class_init (SuiAssignmentsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sui_assignments_view_dispose;
  gtk_widget_class_install_action (widget_class, "assignments.export", "s", export_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
sui_assignments_view_init (SuiAssignmentsView *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *inner = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);

  self->cancellable = g_cancellable_new ();
  self->objects = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  gtk_window_set_default_size (GTK_WINDOW (self), 820, 720);

  self->spinner = GTK_SPINNER (gtk_spinner_new ());
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), GTK_WIDGET (self->spinner));
  {
    g_autoptr(GMenu) menu = g_menu_new ();
    GtkWidget *button = gtk_menu_button_new ();

    g_menu_append (menu, _("Export as CSV (UTF-8)"), "assignments.export::csv");
    g_menu_append (menu, _("Export as Excel Workbook (XLSX)"), "assignments.export::xlsx");
    gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (button), G_MENU_MODEL (menu));
    gtk_menu_button_set_label (GTK_MENU_BUTTON (button), _("Export…"));
    gtk_widget_set_tooltip_text (button, _("Save the teams, object by object, as a file"));
    adw_header_bar_pack_end (ADW_HEADER_BAR (header), button);
  }
  gtk_box_append (GTK_BOX (box), header);

  self->summary_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->summary_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->summary_label), "dim-label");
  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Assignments"), -1);
  self->more_button = GTK_BUTTON (gtk_button_new_with_label (_("Load More")));
  gtk_widget_set_halign (GTK_WIDGET (self->more_button), GTK_ALIGN_CENTER);
  gtk_widget_set_visible (GTK_WIDGET (self->more_button), FALSE);
  g_signal_connect_object (self->more_button, "clicked", G_CALLBACK (on_more), self,
                           G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (inner), GTK_WIDGET (self->summary_label));
  gtk_box_append (GTK_BOX (inner), GTK_WIDGET (self->list));
  gtk_box_append (GTK_BOX (inner), GTK_WIDGET (self->more_button));
  gtk_widget_set_margin_top (inner, 12);
  gtk_widget_set_margin_bottom (inner, 24);
  gtk_widget_set_margin_start (inner, 12);
  gtk_widget_set_margin_end (inner, 12);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 900);
  adw_clamp_set_child (ADW_CLAMP (clamp), inner);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_widget_set_vexpand (scrolled, TRUE);
  self->toasts = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  adw_toast_overlay_set_child (self->toasts, scrolled);
  gtk_widget_set_vexpand (GTK_WIDGET (self->toasts), TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->toasts));
  adw_window_set_content (ADW_WINDOW (self), box);
}

SuiAssignmentsView *
sui_assignments_view_new (SuiRpcClient *client,
                          gint64        task_id,
                          const char   *task_name)
{
  SuiAssignmentsView *self = g_object_new (SUI_TYPE_ASSIGNMENTS_VIEW, NULL);
  g_autofree char *title = g_strdup_printf (_("Assignments: %s"), task_name != NULL ? task_name : "");

  gtk_window_set_title (GTK_WINDOW (self), title);
  self->client = g_object_ref (client);
  self->task_id = task_id;
  load_page (self);
  return self;
}
