/* sui-grades-dialog.c: the credit grade → risk class mapping, kept by admins
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One row per grade (grades.list): its class, how many objects hold it and how many of those
 * are out of line with the table. Saving sends grades.update for each grade whose class was
 * changed (or, with re-classing on, whose objects are out of line), one call after the other,
 * each with the version it read; the server moves objects only when asked to.
 */
#include "sui-config.h"

#include <glib/gi18n.h>

#include "sui-grades-dialog.h"
#include "sui-json.h"

static const char * const risk_classes[] = { "A", "B", "C", "D" };

struct _SuiGradesDialog
{
  AdwWindow parent_instance;

  AdwPreferencesGroup *grades_group;
  GtkSwitch *reclassify_switch;
  GtkButton *save_button;

  SuiRpcClient *client;
  gboolean admin;
  JsonArray *items;
  GPtrArray *rows;          /* AdwComboRow, one per item */
  GQueue pending;           /* indexes (GUINT_TO_POINTER (i + 1)) still to save */
  GCancellable *cancellable;
  gboolean ready;
  guint saved;
  guint moved;
};

G_DEFINE_FINAL_TYPE (SuiGradesDialog, sui_grades_dialog, ADW_TYPE_WINDOW)

static void load (SuiGradesDialog *self);

static void
tell (SuiGradesDialog *self,
      const char      *heading,
      const char      *body)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static guint
class_index (const char *risk_class)
{
  for (guint i = 0; i < G_N_ELEMENTS (risk_classes); i++)
    if (g_strcmp0 (risk_classes[i], risk_class) == 0)
      return i;
  return 0;
}

static void
show_items (SuiGradesDialog *self)
{
  g_autoptr(GtkStringList) names = NULL;

  for (guint i = 0; i < self->rows->len; i++)
    adw_preferences_group_remove (self->grades_group, g_ptr_array_index (self->rows, i));
  g_ptr_array_set_size (self->rows, 0);

  names = gtk_string_list_new ((const char * const[]) { _("A (low risk)"), _("B (normal)"),
                                                        _("C (raised)"), _("D (high risk)"),
                                                        NULL });
  for (guint i = 0; i < json_array_get_length (self->items); i++)
    {
      JsonObject *item = json_array_get_object_element (self->items, i);
      GtkWidget *row = adw_combo_row_new ();
      g_autofree char *subtitle = NULL;
      gint64 mismatched = sui_json_get_int (item, "mismatched");

      if (mismatched > 0)
        subtitle = g_strdup_printf (_("%u objects hold it, %u of them with another class"),
                                    (guint) sui_json_get_int (item, "objects"),
                                    (guint) mismatched);
      else
        subtitle = g_strdup_printf (_("%u objects hold it"),
                                    (guint) sui_json_get_int (item, "objects"));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     sui_json_get_string (item, "grade"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (names));
      adw_combo_row_set_selected (ADW_COMBO_ROW (row),
                                  class_index (sui_json_get_string (item, "risk_class")));
      gtk_widget_set_sensitive (row, self->admin);
      adw_preferences_group_add (self->grades_group, row);
      g_ptr_array_add (self->rows, row);
    }
  self->ready = TRUE;
}

static void
list_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SuiGradesDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *answer;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autofree char *message = error != NULL ? sui_rpc_client_describe_error (error) : NULL;

      tell (self, _("The mapping could not be loaded"), message);
      return;
    }

  answer = json_node_get_object (node);
  g_clear_pointer (&self->items, json_array_unref);
  self->items = json_array_ref (json_object_get_array_member (answer, "items"));
  show_items (self);
}

static void
load (SuiGradesDialog *self)
{
  self->ready = FALSE;
  sui_rpc_client_call_async (self->client, "grades.list", NULL, self->cancellable, list_cb,
                             g_object_ref (self));
}

static void save_next (SuiGradesDialog *self);

static void
update_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SuiGradesDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autofree char *message = error != NULL ? sui_rpc_client_describe_error (error) : NULL;

      g_queue_clear (&self->pending);
      gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), TRUE);
      tell (self, _("The mapping was not saved"), message);
      load (self);
      return;
    }

  self->saved++;
  self->moved += (guint) sui_json_get_int (json_node_get_object (node), "reclassified");
  save_next (self);
}

static void
save_next (SuiGradesDialog *self)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) params = NULL;
  JsonObject *item;
  guint i;

  if (g_queue_is_empty (&self->pending))
    {
      g_autofree char *message =
        g_strdup_printf (_("%u grades saved, %u objects re-classed."), self->saved, self->moved);

      gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), TRUE);
      if (self->saved > 0)
        tell (self, _("Mapping Saved"), message);
      load (self);
      return;
    }

  i = GPOINTER_TO_UINT (g_queue_pop_head (&self->pending)) - 1;
  item = json_array_get_object_element (self->items, i);
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "grade");
  json_builder_add_string_value (builder, sui_json_get_string (item, "grade"));
  json_builder_set_member_name (builder, "risk_class");
  json_builder_add_string_value (builder,
                                 risk_classes[MIN (adw_combo_row_get_selected (
                                                     g_ptr_array_index (self->rows, i)), 3)]);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, sui_json_get_int (item, "version"));
  json_builder_set_member_name (builder, "reclassify");
  json_builder_add_boolean_value (builder, gtk_switch_get_active (self->reclassify_switch));
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);
  sui_rpc_client_call_async (self->client, "grades.update", params, self->cancellable,
                             update_cb, g_object_ref (self));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SuiGradesDialog *self = SUI_GRADES_DIALOG (widget);
  gboolean reclassify = gtk_switch_get_active (self->reclassify_switch);

  if (!self->ready || !self->admin || !g_queue_is_empty (&self->pending))
    return;

  self->saved = 0;
  self->moved = 0;
  for (guint i = 0; i < self->rows->len; i++)
    {
      JsonObject *item = json_array_get_object_element (self->items, i);
      guint chosen = adw_combo_row_get_selected (g_ptr_array_index (self->rows, i));

      if (chosen != class_index (sui_json_get_string (item, "risk_class")) ||
          (reclassify && sui_json_get_int (item, "mismatched") > 0))
        g_queue_push_tail (&self->pending, GUINT_TO_POINTER (i + 1));
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), FALSE);
  save_next (self);
}

gboolean
sui_grades_dialog_get_ready (SuiGradesDialog *self)
{
  g_return_val_if_fail (SUI_IS_GRADES_DIALOG (self), FALSE);

  return self->ready && g_queue_is_empty (&self->pending);
}

void
sui_grades_dialog_set_class (SuiGradesDialog *self,
                             const char      *grade,
                             const char      *risk_class)
{
  g_return_if_fail (SUI_IS_GRADES_DIALOG (self));

  for (guint i = 0; self->items != NULL && i < self->rows->len; i++)
    if (g_strcmp0 (sui_json_get_string (json_array_get_object_element (self->items, i),
                                        "grade"), grade) == 0)
      adw_combo_row_set_selected (g_ptr_array_index (self->rows, i), class_index (risk_class));
}

void
sui_grades_dialog_set_reclassify (SuiGradesDialog *self,
                                  gboolean         reclassify)
{
  g_return_if_fail (SUI_IS_GRADES_DIALOG (self));

  gtk_switch_set_active (self->reclassify_switch, reclassify);
}

/* Returns: (transfer none) (nullable): the last grades.list items */
JsonArray *
sui_grades_dialog_get_items (SuiGradesDialog *self)
{
  g_return_val_if_fail (SUI_IS_GRADES_DIALOG (self), NULL);

  return self->items;
}

static void
sui_grades_dialog_dispose (GObject *object)
{
  SuiGradesDialog *self = (SuiGradesDialog *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_queue_clear (&self->pending);

  G_OBJECT_CLASS (sui_grades_dialog_parent_class)->dispose (object);
}

static void
sui_grades_dialog_finalize (GObject *object)
{
  SuiGradesDialog *self = (SuiGradesDialog *)object;

  g_clear_object (&self->client);
  g_clear_pointer (&self->items, json_array_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);

  G_OBJECT_CLASS (sui_grades_dialog_parent_class)->finalize (object);
}

static void
sui_grades_dialog_class_init (SuiGradesDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sui_grades_dialog_dispose;
  object_class->finalize = sui_grades_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/shuangsui/Desk/ui/sui-grades-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SuiGradesDialog, grades_group);
  gtk_widget_class_bind_template_child (widget_class, SuiGradesDialog, reclassify_switch);
  gtk_widget_class_bind_template_child (widget_class, SuiGradesDialog, save_button);
  gtk_widget_class_install_action (widget_class, "grades.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
sui_grades_dialog_init (SuiGradesDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->rows = g_ptr_array_new ();
  self->cancellable = g_cancellable_new ();
  g_queue_init (&self->pending);
}

/**
 * sui_grades_dialog_new:
 * @admin: whether the user may change the mapping (others only see it)
 */
SuiGradesDialog *
sui_grades_dialog_new (SuiRpcClient *client,
                       gboolean      admin)
{
  SuiGradesDialog *self;

  g_return_val_if_fail (SUI_IS_RPC_CLIENT (client), NULL);

  self = g_object_new (SUI_TYPE_GRADES_DIALOG, NULL);
  self->client = g_object_ref (client);
  self->admin = admin;
  gtk_widget_set_visible (GTK_WIDGET (self->save_button), admin);
  gtk_widget_set_sensitive (GTK_WIDGET (self->reclassify_switch), admin);
  load (self);
  return self;
}
