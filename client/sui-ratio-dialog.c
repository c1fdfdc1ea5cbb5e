/* sui-ratio-dialog.c: the sampling table per risk class — a plan's own, or the city's
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One row per class A–D with the range and default in percent. For a plan (its unit's
 * supervisor, while the plan may change) a class that differs from the city's becomes the
 * plan's own row (plans.set_ratios); "全市默认" brings the city's back. For the city (the
 * admin) each changed class is saved with ratios.update. The server's field messages (a
 * range the wrong way round, draft tasks that would fall outside) are shown under the table.
 */
#include "sui-config.h"

#include <glib/gi18n.h>

#include "sui-json.h"
#include "sui-plan-labels.h"
#include "sui-ratio-dialog.h"

#define N_CLASSES 4

struct _SuiRatioDialog
{
  AdwWindow parent_instance;

  AdwToastOverlay *toasts;
  GtkSpinButton *spins[N_CLASSES][3];   /* min, max, default, in percent */
  GtkLabel *rows[N_CLASSES];            /* "plan's own" / "city" per class */
  GtkLabel *message;
  GtkWidget *save_button;
  GtkWidget *city_button;

  SuiRpcClient *client;
  GCancellable *cancellable;
  gint64 plan_id;                       /* 0: the city's table */
  gint64 plan_version;
  gboolean editable;
  JsonArray *items;                     /* the rows as last loaded */
  guint pending;
  gboolean save_failed;                 /* some call of the save under way was refused */
  AdwToast *saved_toast;                /* the last "saved", taken back by a later error */
};

G_DEFINE_FINAL_TYPE (SuiRatioDialog, sui_ratio_dialog, ADW_TYPE_WINDOW)

enum { SIGNAL_SAVED, N_SIGNALS };
static guint signals[N_SIGNALS];

static const char *const classes[N_CLASSES] = { "A", "B", "C", "D" };
static const char *const class_names[N_CLASSES] = {
  N_("Class A, low risk"), N_("Class B, normal risk"), N_("Class C, raised risk"),
  N_("Class D, high risk"),
};
static const char *const members[3] = { "min_bp", "max_bp", "default_bp" };

static void load (SuiRatioDialog *self);

static void
say (SuiRatioDialog *self,
     const char     *text)
{
  gtk_label_set_text (self->message, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message), text != NULL && *text != '\0');
}

static gint64
spin_bp (GtkSpinButton *spin)
{
  return (gint64) (gtk_spin_button_get_value (spin) * 100 + 0.5);
}

static void
show_items (SuiRatioDialog *self)
{
  for (guint c = 0; c < N_CLASSES && c < json_array_get_length (self->items); c++)
    {
      JsonObject *row = json_array_get_object_element (self->items, c);
      JsonObject *city = json_object_get_object_member (row, "city");
      g_autofree char *origin = NULL;

      for (guint k = 0; k < 3; k++)
        {
          gtk_spin_button_set_value (self->spins[c][k], sui_json_get_int (row, members[k]) / 100.0);
          gtk_widget_set_sensitive (GTK_WIDGET (self->spins[c][k]), self->editable);
        }
      if (self->plan_id > 0 && sui_json_get_bool (row, "own"))
        origin = g_strdup_printf (_("Plan's own (city: %.2f–%.2f %%)"),
                                  sui_json_get_int (city, "min_bp") / 100.0,
                                  sui_json_get_int (city, "max_bp") / 100.0);
      else
        origin = g_strdup (self->plan_id > 0 ? _("City's table") : sui_json_get_string (row, "frequency"));
      gtk_label_set_text (self->rows[c], origin);
    }
  gtk_widget_set_sensitive (self->save_button, self->editable);
  gtk_widget_set_visible (self->city_button, self->plan_id > 0 && self->editable);
}

static void
loaded_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SuiRatioDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL,
                                                         &error);

  self->pending--;
  if (node == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        say (self, error->message);
      return;
    }
  g_clear_pointer (&self->items, json_array_unref);
  self->items = json_array_ref (json_object_get_array_member (json_node_get_object (node),
                                                              "items"));
  show_items (self);
}

static void
plan_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SuiRatioDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL,
                                                         &error);

  self->pending--;
  if (node == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        say (self, error->message);
      return;
    }
  self->plan_version = sui_json_get_int (json_node_get_object (node), "version");
  self->editable = sui_json_get_bool (json_node_get_object (node), "editable") &&
                   self->editable;
  if (self->items != NULL)
    show_items (self);
}

static void
load (SuiRatioDialog *self)
{
  JsonObject *o;
  g_autoptr(JsonNode) params = sui_params_new (&o);

  if (self->plan_id > 0)
    {
      g_autoptr(JsonNode) plan_params = NULL;
      JsonObject *p;

      json_object_set_int_member (o, "plan_id", self->plan_id);
      plan_params = sui_params_new (&p);
      json_object_set_int_member (p, "id", self->plan_id);
      self->pending++;
      sui_rpc_client_call_async (self->client, "plans.get", plan_params, self->cancellable,
                                 plan_cb, g_object_ref (self));
    }
  self->pending++;
  sui_rpc_client_call_async (self->client, "ratios.list", params, self->cancellable, loaded_cb,
                             g_object_ref (self));
}

/* Saving */

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SuiRatioDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) error_data = NULL;
  g_autoptr(JsonNode) node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result,
                                                         &error_data, &error);

  self->pending--;
  if (node == NULL)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      JsonNode *fields = error_data != NULL && JSON_NODE_HOLDS_OBJECT (error_data)
                         ? json_object_get_member (json_node_get_object (error_data), "fields")
                         : NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* The table was not saved: every field's message, else the error's, and no earlier
       * "saved" left beside it. */
      self->save_failed = TRUE;
      if (self->saved_toast != NULL)
        adw_toast_dismiss (self->saved_toast);
      for (guint i = 0; fields != NULL && JSON_NODE_HOLDS_ARRAY (fields) &&
           i < json_array_get_length (json_node_get_array (fields)); i++)
        g_string_append_printf (text, "%s%s", text->len > 0 ? "\n" : "",
                                sui_json_get_string (json_array_get_object_element (
                                  json_node_get_array (fields), i), "message"));
      say (self, text->len > 0 ? text->str : error->message);
      load (self);
      return;
    }
  /* With several classes saved at once, one refused keeps its message. */
  if (!self->save_failed)
    say (self, NULL);
  if (self->pending == 0)
    {
      if (!self->save_failed)
        {
          g_clear_object (&self->saved_toast);
          self->saved_toast = adw_toast_new (_("The table was saved."));
          adw_toast_overlay_add_toast (self->toasts, g_object_ref (self->saved_toast));
        }
      g_signal_emit (self, signals[SIGNAL_SAVED], 0);
      load (self);
    }
}

static void
save_plan (SuiRatioDialog *self,
           gboolean        city)
{
  JsonObject *o;
  g_autoptr(JsonNode) params = sui_params_new (&o);
  JsonArray *ratios = json_array_new ();

  json_object_set_int_member (o, "id", self->plan_id);
  json_object_set_int_member (o, "version", self->plan_version);
  /* A class becomes the plan's own where it differs from the city's row. */
  for (guint c = 0; !city && c < N_CLASSES && c < json_array_get_length (self->items); c++)
    {
      JsonObject *cityrow = json_object_get_object_member (
        json_array_get_object_element (self->items, c), "city");
      gboolean differs = FALSE;
      JsonObject *r = json_object_new ();

      json_object_set_string_member (r, "risk_class", classes[c]);
      for (guint k = 0; k < 3; k++)
        {
          json_object_set_int_member (r, members[k], spin_bp (self->spins[c][k]));
          differs |= spin_bp (self->spins[c][k]) != sui_json_get_int (cityrow, members[k]);
        }
      if (differs)
        json_array_add_object_element (ratios, r);
      else
        json_object_unref (r);
    }
  json_object_set_array_member (o, "ratios", ratios);
  self->pending++;
  sui_rpc_client_call_async (self->client, "plans.set_ratios", params, self->cancellable,
                             saved_cb, g_object_ref (self));
}

static void
save_city (SuiRatioDialog *self)
{
  for (guint c = 0; c < N_CLASSES && c < json_array_get_length (self->items); c++)
    {
      JsonObject *row = json_array_get_object_element (self->items, c);
      JsonObject *o;
      g_autoptr(JsonNode) params = sui_params_new (&o);
      gboolean differs = FALSE;

      for (guint k = 0; k < 3; k++)
        {
          json_object_set_int_member (o, members[k], spin_bp (self->spins[c][k]));
          differs |= spin_bp (self->spins[c][k]) != sui_json_get_int (row, members[k]);
        }
      if (!differs)
        continue;
      json_object_set_string_member (o, "risk_class", classes[c]);
      json_object_set_int_member (o, "version",
                                  sui_json_get_int (json_object_get_object_member (row, "city"),
                                                    "version"));
      self->pending++;
      sui_rpc_client_call_async (self->client, "ratios.update", params, self->cancellable,
                                 saved_cb, g_object_ref (self));
    }
  if (self->pending == 0)
    say (self, _("Nothing changed."));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SuiRatioDialog *self = SUI_RATIO_DIALOG (widget);

  if (self->items == NULL || !self->editable || self->pending > 0)
    return;
  self->save_failed = FALSE;
  if (self->plan_id > 0)
    save_plan (self, FALSE);
  else
    save_city (self);
}

static void
city_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SuiRatioDialog *self = SUI_RATIO_DIALOG (widget);

  if (self->plan_id > 0 && self->editable && self->pending == 0)
    {
      self->save_failed = FALSE;
      save_plan (self, TRUE);
    }
}

/* GObject */

static void
sui_ratio_dialog_dispose (GObject *object)
{
  SuiRatioDialog *self = SUI_RATIO_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  g_clear_pointer (&self->items, json_array_unref);
  g_clear_object (&self->saved_toast);

  G_OBJECT_CLASS (sui_ratio_dialog_parent_class)->dispose (object);
}

static void
sui_ratio_dialog_class_init (SuiRatioDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sui_ratio_dialog_dispose;
  signals[SIGNAL_SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  gtk_widget_class_install_action (widget_class, "ratios.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "ratios.city", NULL, city_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
sui_ratio_dialog_init (SuiRatioDialog *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  const char *heads[] = { N_("Risk class"), N_("Lowest %"), N_("Highest %"), N_("Default %"),
                          N_("Source") };

  self->cancellable = g_cancellable_new ();
  gtk_window_set_default_size (GTK_WINDOW (self), 720, 420);
  gtk_box_append (GTK_BOX (box), header);

  gtk_grid_set_row_spacing (GTK_GRID (grid), 8);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  for (guint k = 0; k < G_N_ELEMENTS (heads); k++)
    {
      GtkWidget *label = gtk_label_new (_(heads[k]));

      gtk_widget_add_css_class (label, "heading");
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_grid_attach (GTK_GRID (grid), label, (int) k, 0, 1, 1);
    }
  for (guint c = 0; c < N_CLASSES; c++)
    {
      GtkWidget *name = gtk_label_new (_(class_names[c]));

      gtk_label_set_xalign (GTK_LABEL (name), 0);
      gtk_grid_attach (GTK_GRID (grid), name, 0, (int) c + 1, 1, 1);
      for (guint k = 0; k < 3; k++)
        {
          g_autofree char *accessible = g_strdup_printf ("%s %s", _(class_names[c]),
                                                         _(heads[k + 1]));

          self->spins[c][k] = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (0, 100, 0.5));
          gtk_spin_button_set_digits (self->spins[c][k], 2);
          gtk_accessible_update_property (GTK_ACCESSIBLE (self->spins[c][k]),
                                          GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
          gtk_grid_attach (GTK_GRID (grid), GTK_WIDGET (self->spins[c][k]), (int) k + 1,
                           (int) c + 1, 1, 1);
        }
      self->rows[c] = GTK_LABEL (gtk_label_new (NULL));
      gtk_label_set_xalign (self->rows[c], 0);
      gtk_widget_add_css_class (GTK_WIDGET (self->rows[c]), "dim-label");
      gtk_grid_attach (GTK_GRID (grid), GTK_WIDGET (self->rows[c]), 4, (int) c + 1, 1, 1);
    }

  self->message = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->message, TRUE);
  gtk_label_set_xalign (self->message, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->message), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->message), FALSE);

  self->city_button = gtk_button_new_with_label (_("Use the City's Table"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->city_button), "ratios.city");
  self->save_button = gtk_button_new_with_label (_("Save"));
  gtk_widget_add_css_class (self->save_button, "suggested-action");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->save_button), "ratios.save");
  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  gtk_box_append (GTK_BOX (buttons), self->city_button);
  gtk_box_append (GTK_BOX (buttons), self->save_button);

  gtk_box_append (GTK_BOX (content), grid);
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->message));
  gtk_box_append (GTK_BOX (content), buttons);
  gtk_widget_set_margin_start (content, 24);
  gtk_widget_set_margin_end (content, 24);
  gtk_widget_set_margin_top (content, 18);
  gtk_widget_set_margin_bottom (content, 18);
  self->toasts = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  adw_toast_overlay_set_child (self->toasts, content);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->toasts));
  adw_window_set_content (ADW_WINDOW (self), box);
}

SuiRatioDialog *
sui_ratio_dialog_new (GtkWindow    *parent,
                      SuiRpcClient *client,
                      gint64        plan_id,
                      gboolean      editable)
{
  SuiRatioDialog *self = g_object_new (SUI_TYPE_RATIO_DIALOG, NULL);

  gtk_window_set_title (GTK_WINDOW (self), plan_id > 0 ? _("Sampling Ratios of the Plan")
                                                       : _("City's Sampling Ratios"));
  if (parent != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (self), parent);
  self->client = g_object_ref (client);
  self->plan_id = plan_id;
  self->editable = editable;
  load (self);
  gtk_window_present (GTK_WINDOW (self));
  return self;
}

guint
sui_ratio_dialog_get_pending (SuiRatioDialog *self)
{
  g_return_val_if_fail (SUI_IS_RATIO_DIALOG (self), 0);
  return self->pending;
}

void
sui_ratio_dialog_set_value (SuiRatioDialog *self,
                            const char     *risk_class,
                            const char     *member,
                            gint64          bp)
{
  g_return_if_fail (SUI_IS_RATIO_DIALOG (self));

  for (guint c = 0; c < N_CLASSES; c++)
    for (guint k = 0; k < 3; k++)
      if (g_str_equal (classes[c], risk_class) && g_str_equal (members[k], member))
        gtk_spin_button_set_value (self->spins[c][k], bp / 100.0);
}

const char *
sui_ratio_dialog_get_message (SuiRatioDialog *self)
{
  g_return_val_if_fail (SUI_IS_RATIO_DIALOG (self), NULL);
  return gtk_label_get_text (self->message);
}
