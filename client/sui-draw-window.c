/* sui-draw-window.c: the public draw of one task
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Before the run the window shows the commitment and the candidate hash (and remembers what
 * it showed); after it, the client fetches draws.export and re-runs the record itself in a
 * worker thread, comparing with what it showed, so the witnesses need not trust the server.
 */
#include "sui-config.h"

#include <glib/gi18n.h>

#include "sui-assignments-view.h"
#include "sui-draw-record.h"
#include "sui-draw-window.h"
#include "sui-json.h"
#include "sui-prompt.h"
#include "sui-plan-labels.h"

struct _SuiDrawWindow
{
  AdwWindow parent_instance;

  AdwWindowTitle *window_title;
  GtkSpinner *spinner;
  AdwToastOverlay *toast_overlay;
  AdwActionRow *task_row;
  AdwActionRow *state_row;
  GtkWidget *make_ready_button;
  GtkGrid *strata_grid;
  AdwPreferencesGroup *entropy_group;
  AdwPreferencesGroup *result_group;
  AdwActionRow *commitment_row;
  AdwActionRow *candidate_hash_row;
  GtkTextView *entropy_view;
  AdwActionRow *run_row;
  AdwActionRow *secret_row;
  AdwActionRow *entropy_row;
  AdwActionRow *result_hash_row;
  AdwActionRow *client_verify_row;
  GtkImage *client_verify_icon;
  AdwActionRow *server_verify_row;
  GtkListBox *draws_list;
  AdwPreferencesGroup *match_group;
  GtkWidget *match_entropy_frame;
  GtkTextView *match_entropy_view;
  GtkLabel *match_label;

  SuiRpcClient *client;
  SuiEventsClient *events;
  char *role;
  gint64 task_id;
  GCancellable *cancellable;

  JsonObject *task;
  JsonObject *draw;      /* the live draw's summary, NULL without one */
  JsonObject *record;    /* the last export */
  JsonObject *match;     /* the live inspector draw's summary, NULL without one */
  char *shown_commitment;
  char *shown_candidate_hash;
  char *check_message;
  SuiDrawCheck check;
  guint busy;
};

G_DEFINE_FINAL_TYPE (SuiDrawWindow, sui_draw_window, ADW_TYPE_WINDOW)

static void
toast (SuiDrawWindow *self,
       const char    *message)
{
  AdwToast *t = adw_toast_new (message);

  adw_toast_set_priority (t, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_overlay_add_toast (self->toast_overlay, t);
}

static void
set_busy (SuiDrawWindow *self,
          gboolean       busy)
{
  self->busy += busy ? 1 : -1;
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), self->busy > 0);
  gtk_spinner_set_spinning (self->spinner, self->busy > 0);
}

static const char *
draw_state (SuiDrawWindow *self)
{
  return self->draw != NULL ? sui_json_get_string (self->draw, "state") : "";
}

/* What a void request or approval applies to: the live match once inspectors are drawn
 * (the objects cannot be voided past that step), else the object draw. */
static JsonObject *
void_target (SuiDrawWindow *self)
{
  const char *task_state = self->task != NULL ? sui_json_get_string (self->task, "state") : "";

  if (self->match != NULL && g_strcmp0 (task_state, "inspectors_drawn") == 0)
    return self->match;
  return self->draw;
}

static void
update_actions (SuiDrawWindow *self)
{
  const char *task_state = self->task != NULL ? sui_json_get_string (self->task, "state") : "";
  gboolean supervisor = g_strcmp0 (self->role, "supervisor") == 0;
  gboolean admin = g_strcmp0 (self->role, "admin") == 0;
  gboolean run = g_strcmp0 (draw_state (self), "run") == 0;
  JsonObject *target = void_target (self);
  gboolean pending = target != NULL &&
                     *sui_json_get_string (target, "void_requested_at") != '\0' &&
                     *sui_json_get_string (target, "voided_at") == '\0';
  GtkWidget *w = GTK_WIDGET (self);

  gtk_widget_action_set_enabled (w, "draw.make-ready",
                                 supervisor && g_strcmp0 (task_state, "draft") == 0);
  gtk_widget_action_set_enabled (w, "draw.run",
                                 supervisor && g_strcmp0 (draw_state (self), "committed") == 0);
  gtk_widget_action_set_enabled (w, "draw.verify", run);
  gtk_widget_action_set_enabled (w, "draw.server-verify", run);
  gtk_widget_action_set_enabled (w, "draw.save-pdf", run && self->record != NULL);
  gtk_widget_action_set_enabled (w, "draw.request-void", run && !pending && (supervisor || admin));
  gtk_widget_action_set_enabled (w, "draw.approve-void", run && pending && admin);
  gtk_widget_action_set_enabled (w, "draw.reject-void", run && pending && admin);
  gtk_widget_set_visible (GTK_WIDGET (self->make_ready_button),
                          g_strcmp0 (task_state, "draft") == 0);
  gtk_widget_set_visible (GTK_WIDGET (self->entropy_group),
                          g_strcmp0 (draw_state (self), "committed") == 0);
  gtk_widget_set_visible (GTK_WIDGET (self->result_group), run);
  gtk_widget_action_set_enabled (w, "draw.match",
                                 supervisor && g_strcmp0 (task_state, "objects_drawn") == 0);
  gtk_widget_action_set_enabled (w, "draw.assignments", self->match != NULL);
  gtk_widget_action_set_enabled (w, "draw.verify-match", self->match != NULL &&
                                 g_strcmp0 (sui_json_get_string (self->match, "state"),
                                            "run") == 0);
  gtk_widget_set_visible (GTK_WIDGET (self->match_group), run);
  gtk_widget_set_visible (self->match_entropy_frame,
                          g_strcmp0 (task_state, "objects_drawn") == 0);
}

static void
set_check (SuiDrawWindow *self,
           SuiDrawCheck   check,
           const char    *message)
{
  static const char *icons[] = {
    "content-loading-symbolic", "content-loading-symbolic",
    "emblem-ok-symbolic", "dialog-error-symbolic"
  };

  self->check = check;
  g_free (self->check_message);
  self->check_message = g_strdup (message);
  adw_action_row_set_subtitle (self->client_verify_row, message != NULL ? message : "");
  gtk_image_set_from_icon_name (self->client_verify_icon, icons[check]);
  gtk_widget_remove_css_class (GTK_WIDGET (self->client_verify_row), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->client_verify_row), "error");
  if (check == SUI_DRAW_CHECK_PASSED)
    gtk_widget_add_css_class (GTK_WIDGET (self->client_verify_row), "success");
  else if (check == SUI_DRAW_CHECK_FAILED)
    gtk_widget_add_css_class (GTK_WIDGET (self->client_verify_row), "error");
}

/* Strata: the grid of name, ratio, n, k and the drawn ids. */
static void
show_strata (SuiDrawWindow *self,
             JsonArray     *strata)
{
  GtkWidget *child;
  const char *headers[] = { N_("Risk class"), N_("Ratio"), N_("Candidates (n)"),
                            N_("To draw (k)"), N_("Drawn") };

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->strata_grid))) != NULL)
    gtk_grid_remove (self->strata_grid, child);

  for (guint c = 0; c < G_N_ELEMENTS (headers); c++)
    {
      GtkWidget *label = gtk_label_new (_(headers[c]));

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_add_css_class (label, "heading");
      gtk_grid_attach (self->strata_grid, label, c, 0, 1, 1);
    }

  for (guint i = 0; strata != NULL && i < json_array_get_length (strata); i++)
    {
      JsonObject *s = json_array_get_object_element (strata, i);
      JsonNode *k = json_object_get_member (s, "k");
      JsonNode *drawn = json_object_get_member (s, "drawn");
      g_autofree char *ratio = g_strdup_printf ("%.2f %%", sui_json_get_int (s, "ratio_bp") / 100.0);
      g_autofree char *n = g_strdup_printf ("%" G_GINT64_FORMAT, sui_json_get_int (s, "n"));
      g_autofree char *k_text = NULL;
      g_autoptr(GString) ids = g_string_new (NULL);
      const char *cells[5];

      if (k != NULL && JSON_NODE_HOLDS_VALUE (k))
        k_text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (k));
      else
        k_text = g_strdup ("—");
      if (drawn != NULL && JSON_NODE_HOLDS_ARRAY (drawn))
        {
          JsonArray *a = json_node_get_array (drawn);
          guint shown = MIN (json_array_get_length (a), 40);

          for (guint j = 0; j < shown; j++)
            {
              JsonNode *e = json_array_get_element (a, j);

              if (j > 0)
                g_string_append (ids, ", ");
              if (json_node_get_value_type (e) == G_TYPE_STRING)
                g_string_append (ids, json_node_get_string (e));
              else
                g_string_append_printf (ids, "%" G_GINT64_FORMAT, json_node_get_int (e));
            }
          if (json_array_get_length (a) > shown)
            g_string_append_printf (ids, _(" … and %u more (see the printed record)"),
                                    json_array_get_length (a) - shown);
        }

      cells[0] = sui_json_get_string (s, "name");
      cells[1] = ratio;
      cells[2] = n;
      cells[3] = k_text;
      cells[4] = ids->len > 0 ? ids->str : "—";
      for (guint c = 0; c < 5; c++)
        {
          GtkWidget *label = gtk_label_new (cells[c]);

          gtk_label_set_xalign (GTK_LABEL (label), 0);
          gtk_label_set_selectable (GTK_LABEL (label), TRUE);
          if (c == 4)
            {
              gtk_label_set_wrap (GTK_LABEL (label), TRUE);
              gtk_label_set_max_width_chars (GTK_LABEL (label), 60);
              gtk_widget_set_hexpand (label, TRUE);
            }
          gtk_grid_attach (self->strata_grid, label, c, i + 1, 1, 1);
        }
    }
}

static void
show_draws (SuiDrawWindow *self,
            JsonArray     *draws)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->draws_list))) != NULL)
    gtk_list_box_remove (self->draws_list, child);

  for (guint i = 0; draws != NULL && i < json_array_get_length (draws); i++)
    {
      JsonObject *d = json_array_get_object_element (draws, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *no = g_strdup_printf ("%" G_GINT64_FORMAT, sui_json_get_id (d, "id"));
      g_autofree char *title = g_strdup_printf (_("Draw %s · %s · %s"), no,
                                                g_strcmp0 (sui_json_get_string (d, "kind"), "inspectors") == 0
                                                ? _("inspectors") : _("objects"),
                                                sui_draw_state_label (sui_json_get_string (d, "state")));
      g_autofree char *subtitle = NULL;

      if (*sui_json_get_string (d, "void_reason") != '\0')
        subtitle = g_strdup_printf (_("Void reason: %s%s"), sui_json_get_string (d, "void_reason"),
                                    *sui_json_get_string (d, "voided_at") == '\0'
                                    ? _(" (awaiting the administrator)") : "");
      else
        subtitle = g_strdup_printf (_("Commitment %s"), sui_json_get_string (d, "commitment"));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_list_box_append (self->draws_list, row);
    }
}

static void export_and_verify (SuiDrawWindow *self);

static void
draw_get_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(SuiDrawWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result,
                                                         NULL, &error);
  JsonNode *strata;

  set_busy (self, FALSE);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && error != NULL)
        toast (self, error->message);
      return;
    }
  strata = json_object_get_member (json_node_get_object (node), "strata");
  show_strata (self, strata != NULL && JSON_NODE_HOLDS_ARRAY (strata)
               ? json_node_get_array (strata) : NULL);
}

static void
preview_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  draw_get_cb (object, result, user_data);
}

static JsonNode *
id_params (const char *member,
           gint64      id)
{
  JsonObject *o;
  JsonNode *params = sui_params_new (&o);

  json_object_set_int_member (o, member, id);
  return params;
}

static void
task_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SuiDrawWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result,
                                                         NULL, &error);
  g_autoptr(JsonNode) params = NULL;
  g_autofree char *task_text = NULL;
  JsonNode *draw;
  JsonNode *draws;

  set_busy (self, FALSE);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && error != NULL)
        toast (self, error->message);
      return;
    }

  g_clear_pointer (&self->task, json_object_unref);
  g_clear_pointer (&self->draw, json_object_unref);
  self->task = json_object_ref (json_node_get_object (node));
  draw = json_object_get_member (self->task, "draw");
  if (draw != NULL && JSON_NODE_HOLDS_OBJECT (draw))
    self->draw = json_object_ref (json_node_get_object (draw));

  adw_window_title_set_subtitle (self->window_title, sui_json_get_string (self->task, "name"));
  task_text = g_strdup_printf ("%s (%" G_GINT64_FORMAT ")", sui_json_get_string (self->task, "name"),
                               self->task_id);
  adw_action_row_set_subtitle (self->task_row, task_text);
  adw_action_row_set_subtitle (self->state_row,
                               sui_task_state_label (sui_json_get_string (self->task, "state")));

  if (self->draw != NULL)
    {
      const char *commitment = sui_json_get_string (self->draw, "commitment");
      const char *candidate_hash = sui_json_get_string (self->draw, "candidate_hash");

      adw_action_row_set_subtitle (self->commitment_row, commitment);
      adw_action_row_set_subtitle (self->candidate_hash_row, candidate_hash);
      /* What the witnesses saw first is what the result is held to later. */
      if (self->shown_commitment == NULL ||
          g_strcmp0 (draw_state (self), "committed") == 0)
        {
          g_free (self->shown_commitment);
          g_free (self->shown_candidate_hash);
          self->shown_commitment = g_strdup (commitment);
          self->shown_candidate_hash = g_strdup (candidate_hash);
        }
      params = id_params ("id", sui_json_get_id (self->draw, "id"));
      set_busy (self, TRUE);
      sui_rpc_client_call_async (self->client, "draws.get", params, self->cancellable,
                                 draw_get_cb, g_object_ref (self));
    }
  else
    {
      adw_action_row_set_subtitle (self->commitment_row, _("Not yet: make the task ready first."));
      adw_action_row_set_subtitle (self->candidate_hash_row, "—");
      params = id_params ("id", self->task_id);
      set_busy (self, TRUE);
      sui_rpc_client_call_async (self->client, "tasks.preview", params, self->cancellable,
                                 preview_cb, g_object_ref (self));
    }

  draws = json_object_get_member (self->task, "draws");
  show_draws (self, draws != NULL && JSON_NODE_HOLDS_ARRAY (draws)
              ? json_node_get_array (draws) : NULL);
  g_clear_pointer (&self->match, json_object_unref);
  for (guint i = 0; draws != NULL && JSON_NODE_HOLDS_ARRAY (draws) &&
       i < json_array_get_length (json_node_get_array (draws)); i++)
    {
      JsonObject *d = json_array_get_object_element (json_node_get_array (draws), i);

      if (g_strcmp0 (sui_json_get_string (d, "kind"), "inspectors") == 0 &&
          g_strcmp0 (sui_json_get_string (d, "state"), "voided") != 0)
        {
          g_clear_pointer (&self->match, json_object_unref);
          self->match = json_object_ref (d);
        }
    }
  if (self->match != NULL && g_strcmp0 (sui_json_get_string (self->match, "state"), "run") == 0)
    {
      g_autofree char *text = g_strdup_printf (_("Inspectors were matched (draw %lld, %lld "
                                                 "assignments, result hash %s)."),
                                               (long long) sui_json_get_id (self->match, "id"),
                                               (long long) sui_json_get_int (self->match, "drawn_count"),
                                               sui_json_get_string (self->match, "result_hash"));

      gtk_label_set_text (self->match_label, text);
    }
  else if (g_strcmp0 (sui_json_get_string (self->task, "state"), "objects_drawn") == 0 &&
           g_object_get_data (G_OBJECT (self), "shortage") == NULL)
    gtk_label_set_text (self->match_label, _("Not matched yet."));

  if (g_strcmp0 (draw_state (self), "run") == 0)
    {
      g_autofree char *run_at = sui_json_format_time (self->draw, "run_at");
      const char *name = sui_json_get_string (self->draw, "run_by_name");
      g_autofree char *run_by = *name != '\0'
                                ? g_strdup (name)
                                : g_strdup_printf ("%" G_GINT64_FORMAT,
                                                   sui_json_get_id (self->draw, "run_by"));
      g_autofree char *run = g_strdup_printf (_("%s by user %s"), run_at, run_by);
      JsonNode *entropy = json_object_get_member (self->draw, "entropy");
      g_autofree char *entropy_text = entropy != NULL ? json_to_string (entropy, FALSE) : NULL;

      adw_action_row_set_subtitle (self->run_row, run);
      adw_action_row_set_subtitle (self->secret_row, sui_json_get_string (self->draw, "secret"));
      adw_action_row_set_subtitle (self->entropy_row, entropy_text != NULL ? entropy_text : "");
      adw_action_row_set_subtitle (self->result_hash_row,
                                   sui_json_get_string (self->draw, "result_hash"));
      export_and_verify (self);
    }
  else
    {
      g_clear_pointer (&self->record, json_object_unref);
      set_check (self, SUI_DRAW_CHECK_NONE, _("The draw has not run yet."));
      adw_action_row_set_subtitle (self->server_verify_row, "");
    }

  update_actions (self);
}

void
sui_draw_window_reload (SuiDrawWindow *self)
{
  g_autoptr(JsonNode) params = id_params ("id", self->task_id);

  set_busy (self, TRUE);
  sui_rpc_client_call_async (self->client, "tasks.get", params, self->cancellable,
                             task_cb, g_object_ref (self));
}

/* Verification */

static void
verified_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(SuiDrawWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  set_busy (self, FALSE);
  if (sui_draw_record_verify_finish (result, &error))
    set_check (self, SUI_DRAW_CHECK_PASSED,
               _("Passed: the record re-runs to the same result, and its commitment and "
                 "candidate hash are the ones shown before the draw."));
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *failure = sui_draw_record_describe_failure (error);
      g_autofree char *message = g_strdup_printf (_("Not passed. %s"), failure);

      set_check (self, SUI_DRAW_CHECK_FAILED, message);
    }
  update_actions (self);
}

static void
export_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SuiDrawWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result,
                                                         NULL, &error);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      set_busy (self, FALSE);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_check (self, SUI_DRAW_CHECK_FAILED, error != NULL ? error->message : "");
      return;
    }

  g_clear_pointer (&self->record, json_object_unref);
  self->record = json_object_ref (json_node_get_object (node));
  sui_draw_record_verify_async (node, self->shown_commitment, self->shown_candidate_hash,
                                self->cancellable, verified_cb, g_object_ref (self));
}

static void
export_and_verify (SuiDrawWindow *self)
{
  g_autoptr(JsonNode) params = NULL;

  if (self->draw == NULL)
    return;

  params = id_params ("id", sui_json_get_id (self->draw, "id"));
  set_check (self, SUI_DRAW_CHECK_RUNNING, _("Checking the record…"));
  set_busy (self, TRUE);
  sui_rpc_client_call_async (self->client, "draws.export", params, self->cancellable,
                             export_cb, g_object_ref (self));
}

/* The match's record re-run here (common/sui-draw.c, shuangsui-match/1), as for the objects:
 * the outcome is added to the match's line. */
static void
match_verified_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(SuiDrawWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  set_busy (self, FALSE);
  if (sui_draw_record_verify_finish (result, &error))
    text = g_strdup_printf ("%s\n%s", gtk_label_get_text (self->match_label),
                            _("Verified on this computer: the match record re-runs to the same "
                              "teams and result hash."));
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *failure = sui_draw_record_describe_failure (error);

      text = g_strdup_printf ("%s\n%s %s", gtk_label_get_text (self->match_label),
                              _("Verification on this computer did not pass."), failure);
    }
  if (text != NULL)
    gtk_label_set_text (self->match_label, text);
  update_actions (self);
}

static void
match_export_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SuiDrawWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result,
                                                         NULL, &error);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      set_busy (self, FALSE);
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, error->message);
      return;
    }
  sui_draw_record_verify_async (node, NULL, NULL, self->cancellable, match_verified_cb,
                                g_object_ref (self));
}

static void
verify_match_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  SuiDrawWindow *self = SUI_DRAW_WINDOW (widget);
  g_autoptr(JsonNode) params = NULL;

  if (self->match == NULL)
    return;
  params = id_params ("id", sui_json_get_id (self->match, "id"));
  set_busy (self, TRUE);
  sui_rpc_client_call_async (self->client, "draws.export", params, self->cancellable,
                             match_export_cb, g_object_ref (self));
}

static void
verify_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  export_and_verify (SUI_DRAW_WINDOW (widget));
}

static void
server_verify_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SuiDrawWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result,
                                                         NULL, &error);
  JsonObject *o;
  g_autofree char *text = NULL;

  set_busy (self, FALSE);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        adw_action_row_set_subtitle (self->server_verify_row, error->message);
      return;
    }
  o = json_node_get_object (node);
  if (sui_json_get_bool (o, "ok"))
    text = g_strdup (_("Passed, and the record matches what the audit log published."));
  else
    text = g_strdup_printf (_("Not passed at step “%s”: %s"), sui_json_get_string (o, "step"),
                            sui_json_get_string (o, "problem"));
  adw_action_row_set_subtitle (self->server_verify_row, text);
}

static void
server_verify_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  SuiDrawWindow *self = SUI_DRAW_WINDOW (widget);
  g_autoptr(JsonNode) params = id_params ("id", sui_json_get_id (self->draw, "id"));

  set_busy (self, TRUE);
  sui_rpc_client_call_async (self->client, "draws.verify", params, self->cancellable,
                             server_verify_cb, g_object_ref (self));
}

/* Steps that change the draw: each reloads the window when done. */

static void
step_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SuiDrawWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result,
                                                         NULL, &error);

  set_busy (self, FALSE);
  if (node == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          toast (self, error->message);
          update_actions (self);
        }
      return;
    }
  sui_draw_window_reload (self);
}

static void
call_step (SuiDrawWindow *self,
           const char    *method,
           JsonNode      *params)
{
  /* No second click while the first is on its way. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "draw.run", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "draw.make-ready", FALSE);
  set_busy (self, TRUE);
  sui_rpc_client_call_async (self->client, method, params, self->cancellable,
                             step_cb, g_object_ref (self));
}

static void
make_ready_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  SuiDrawWindow *self = SUI_DRAW_WINDOW (widget);
  g_autoptr(JsonNode) params = id_params ("id", self->task_id);

  json_object_set_int_member (json_node_get_object (params), "version",
                              sui_json_get_int (self->task, "version"));
  call_step (self, "tasks.make_ready", params);
}

static JsonArray *parse_entropy (SuiDrawWindow *self,
                                 GtkTextView   *view);

static void
run_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  SuiDrawWindow *self = SUI_DRAW_WINDOW (widget);
  g_autoptr(JsonNode) params = id_params ("task_id", self->task_id);
  JsonArray *entropy = parse_entropy (self, self->entropy_view);

  if (entropy == NULL)
    return;
  json_object_set_array_member (json_node_get_object (params), "entropy", entropy);
  call_step (self, "draws.run", params);
}

/* The witnesses' numbers, one per line; NULL (and a toast) when a line is not a number. */
static JsonArray *
parse_entropy (SuiDrawWindow *self,
               GtkTextView   *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  JsonArray *entropy = json_array_new ();

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);

      if (*line == '\0')
        continue;
      for (const char *c = line; *c; c++)
        if (!g_ascii_isdigit (*c))
          {
            toast (self, _("Each line of the entropy must be a number in ASCII digits 0–9."));
            json_array_unref (entropy);
            return NULL;
          }
      json_array_add_string_element (entropy, line);
    }
  if (json_array_get_length (entropy) == 0)
    {
      toast (self, _("Type at least one number given by a witness."));
      json_array_unref (entropy);
      return NULL;
    }
  return entropy;
}

static void render_shortage      (SuiDrawWindow *self,
                                  JsonObject    *answer,
                                  GHashTable    *names);
static void fetch_shortage_names (SuiDrawWindow *self,
                                  JsonObject    *answer);

static void
match_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SuiDrawWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result,
                                                         NULL, &error);
  JsonObject *answer;

  set_busy (self, FALSE);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          gtk_label_set_text (self->match_label, error->message);
          toast (self, error->message);
          update_actions (self);
        }
      return;
    }
  answer = json_node_get_object (node);
  if (sui_json_get_bool (answer, "ok"))
    {
      g_object_set_data (G_OBJECT (self), "shortage", NULL);
      toast (self, _("The inspectors were matched."));
      sui_draw_window_reload (self);
      return;
    }

  /* A shortage is an answer, not an error: nothing was assigned. Show it at once by object
   * id, then again with the objects' names once they are fetched. */
  render_shortage (self, answer, NULL);
  fetch_shortage_names (self, answer);
  g_object_set_data (G_OBJECT (self), "shortage", GINT_TO_POINTER (1));
  update_actions (self);
}

static void
render_shortage (SuiDrawWindow *self,
                 JsonObject    *answer,
                 GHashTable    *names)
{
  g_autoptr(GString) text = g_string_new (NULL);
  JsonNode *shortages;

  g_string_append_printf (text, _("No inspectors were assigned: %s"),
                          sui_json_get_string (answer, "message"));
  if (g_strcmp0 (sui_json_get_string (answer, "stage"), "caps") == 0)
    g_string_append (text, _(" (a cap filled during this attempt; other numbers may succeed, "
                             "and the attempt is in the audit log)"));
  shortages = json_object_get_member (answer, "shortages");
  for (guint i = 0; shortages != NULL && JSON_NODE_HOLDS_ARRAY (shortages) &&
       i < json_array_get_length (json_node_get_array (shortages)); i++)
    {
      JsonObject *s = json_array_get_object_element (json_node_get_array (shortages), i);
      const char *unit = sui_json_get_string (s, "unit_name");

      gint64 object_id = sui_json_get_id (s, "object_id");
      const char *name = names != NULL ? g_hash_table_lookup (names, &object_id) : NULL;
      g_autofree char *object = name != NULL ? g_strdup (name)
                                             : g_strdup_printf ("%lld", (long long) object_id);

      g_string_append_printf (text, _("\n• Object %s%s%s: %lld eligible of %lld needed; "
                                      "rule %lld “%s”. %s"),
                              object, *unit != '\0' ? " · " : "", unit,
                              (long long) sui_json_get_int (s, "eligible"),
                              (long long) sui_json_get_int (s, "needed"),
                              (long long) sui_json_get_int (s, "rule_no"),
                              sui_match_rule_label (sui_json_get_string (s, "rule")),
                              sui_json_get_string (s, "message"));
    }
  gtk_label_set_text (self->match_label, text->str);
}

static void
shortage_names_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(SuiDrawWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result,
                                                         NULL, &error);
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  JsonObject *answer = g_object_get_data (G_OBJECT (self), "shortage-answer");
  JsonNode *items;

  set_busy (self, FALSE);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node) || answer == NULL)
    return;
  items = json_object_get_member (json_node_get_object (node), "items");
  for (guint i = 0; items != NULL && JSON_NODE_HOLDS_ARRAY (items) &&
       i < json_array_get_length (json_node_get_array (items)); i++)
    {
      JsonObject *o = json_array_get_object_element (json_node_get_array (items), i);
      gint64 id = sui_json_get_id (o, "id");

      g_hash_table_insert (names, g_memdup2 (&id, sizeof id),
                           g_strdup_printf ("%s（%s）", sui_json_get_string (o, "name"),
                                            sui_json_get_string (o, "licence_no")));
    }
  render_shortage (self, answer, names);
}

static void
fetch_shortage_names (SuiDrawWindow *self,
                      JsonObject    *answer)
{
  JsonNode *shortages = json_object_get_member (answer, "shortages");
  g_autoptr(JsonNode) params = NULL;
  JsonObject *filter = json_object_new ();
  JsonArray *ids = json_array_new ();
  JsonObject *o;

  for (guint i = 0; shortages != NULL && JSON_NODE_HOLDS_ARRAY (shortages) &&
       i < json_array_get_length (json_node_get_array (shortages)); i++)
    json_array_add_int_element (ids, sui_json_get_id (json_array_get_object_element (
                                  json_node_get_array (shortages), i), "object_id"));
  json_object_set_array_member (filter, "id", ids);
  params = sui_params_new (&o);
  json_object_set_object_member (o, "filter", filter);
  json_object_set_int_member (o, "limit", 1000);
  g_object_set_data_full (G_OBJECT (self), "shortage-answer", json_object_ref (answer),
                          (GDestroyNotify) json_object_unref);
  set_busy (self, TRUE);
  sui_rpc_client_call_async (self->client, "objects.list", params, self->cancellable,
                             shortage_names_cb, g_object_ref (self));
}

static void
match_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  SuiDrawWindow *self = SUI_DRAW_WINDOW (widget);
  g_autoptr(JsonNode) params = id_params ("task_id", self->task_id);
  JsonArray *entropy = parse_entropy (self, self->match_entropy_view);

  if (entropy == NULL)
    return;
  json_object_set_array_member (json_node_get_object (params), "entropy", entropy);
  gtk_widget_action_set_enabled (widget, "draw.match", FALSE);
  set_busy (self, TRUE);
  sui_rpc_client_call_async (self->client, "tasks.match_inspectors", params, self->cancellable,
                             match_cb, g_object_ref (self));
}

static void
assignments_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  SuiDrawWindow *self = SUI_DRAW_WINDOW (widget);
  SuiAssignmentsView *view =
    sui_assignments_view_new (self->client, self->task_id,
                              self->task != NULL ? sui_json_get_string (self->task, "name") : NULL);

  gtk_window_set_transient_for (GTK_WINDOW (view), GTK_WINDOW (self));
  gtk_window_present (GTK_WINDOW (view));
}

static void
void_reason_cb (GStrv    texts,
                gpointer user_data)
{
  SuiDrawWindow *self = user_data;
  const char *method = g_object_get_data (G_OBJECT (self), "void-method");
  g_autoptr(JsonNode) params = NULL;

  if (texts == NULL || void_target (self) == NULL)
    return;
  params = id_params ("id", sui_json_get_id (void_target (self), "id"));
  json_object_set_string_member (json_node_get_object (params), "reason", texts[0]);
  call_step (self, method, params);
}

/* What the reason prompts end in; tests call them directly. */
void
sui_draw_window_request_void (SuiDrawWindow *self,
                              const char    *reason)
{
  const char *texts[] = { reason, NULL };

  g_object_set_data (G_OBJECT (self), "void-method", (gpointer) "draws.request_void");
  void_reason_cb ((GStrv) texts, self);
}

/* The titles of the draws listed under "Voiding and Earlier Draws", one per line. */
char *
sui_draw_window_get_draws_text (SuiDrawWindow *self)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->draws_list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (ADW_IS_PREFERENCES_ROW (row))
      g_string_append_printf (s, "%s\n", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)));
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
request_void_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  const char * const labels[] = { _("Reason"), NULL };

  g_object_set_data (G_OBJECT (widget), "void-method", (gpointer) "draws.request_void");
  sui_prompt_texts (GTK_WINDOW (widget), _("Request to Void This Draw?"),
                    _("The administrator must approve. The draw stays on record, voided, and "
                      "the next draw uses a new secret."),
                    _("Request Void"), labels, void_reason_cb, g_object_ref (widget),
                    g_object_unref);
}

static void
reject_void_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  const char * const labels[] = { _("Reason"), NULL };

  g_object_set_data (G_OBJECT (widget), "void-method", (gpointer) "draws.reject_void");
  sui_prompt_texts (GTK_WINDOW (widget), _("Reject the Void Request?"), NULL,
                    _("Reject"), labels, void_reason_cb, g_object_ref (widget),
                    g_object_unref);
}

static void
approve_void_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  SuiDrawWindow *self = SUI_DRAW_WINDOW (widget);
  g_autoptr(JsonNode) params = id_params ("id", sui_json_get_id (void_target (self), "id"));

  call_step (self, "draws.approve_void", params);
}

/* The printed record */

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SuiDrawWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  set_busy (self, FALSE);
  if (sui_draw_record_save_pdf_finish (result, &error))
    toast (self, _("The draw record was saved."));
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    toast (self, error->message);
}

static void
on_save_response (GtkNativeDialog *chooser,
                  int              response,
                  gpointer         user_data)
{
  SuiDrawWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT && self->record != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      set_busy (self, TRUE);
      sui_draw_record_save_pdf_async (self->record,
                                      sui_json_get_string (self->task, "name"),
                                      self->check_message, file, self->cancellable,
                                      saved_cb, g_object_ref (self));
    }
  g_object_unref (chooser);
  g_object_unref (self);
}

static void
save_pdf_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  SuiDrawWindow *self = SUI_DRAW_WINDOW (widget);
  GtkFileChooserNative *chooser =
    gtk_file_chooser_native_new (_("Save Draw Record"), GTK_WINDOW (self),
                                 GTK_FILE_CHOOSER_ACTION_SAVE, _("Save"), _("Cancel"));
  g_autofree char *no = g_strdup_printf ("%" G_GINT64_FORMAT, sui_json_get_id (self->draw, "id"));
  g_autofree char *name = g_strdup_printf (_("draw-record-%s.pdf"), no);

  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  g_signal_connect (chooser, "response", G_CALLBACK (on_save_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  sui_draw_window_reload (SUI_DRAW_WINDOW (widget));
}

static void
on_events_changed (SuiDrawWindow   *self,
                   const char      *area,
                   const char      *id,
                   SuiEventsClient *events)
{
  if (self->busy == 0 && (g_strcmp0 (area, "draws") == 0 || g_strcmp0 (area, "tasks") == 0))
    sui_draw_window_reload (self);
}

/* Accessors */

gboolean
sui_draw_window_get_busy (SuiDrawWindow *self)
{
  return self->busy > 0;
}

const char *
sui_draw_window_get_task_state (SuiDrawWindow *self)
{
  return self->task != NULL ? sui_json_get_string (self->task, "state") : NULL;
}

gint64
sui_draw_window_get_draw_id (SuiDrawWindow *self)
{
  return self->draw != NULL ? sui_json_get_id (self->draw, "id") : 0;
}

SuiDrawCheck
sui_draw_window_get_check (SuiDrawWindow *self)
{
  return self->check;
}

const char *
sui_draw_window_get_check_message (SuiDrawWindow *self)
{
  return self->check_message;
}

const char *
sui_draw_window_get_match_text (SuiDrawWindow *self)
{
  return gtk_label_get_text (self->match_label);
}

void
sui_draw_window_set_match_entropy_text (SuiDrawWindow *self,
                                        const char    *text)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->match_entropy_view), text, -1);
}

const char *
sui_draw_window_get_shown_commitment (SuiDrawWindow *self)
{
  return self->shown_commitment;
}

void
sui_draw_window_set_entropy_text (SuiDrawWindow *self,
                                  const char    *text)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->entropy_view), text, -1);
}

/* GObject */

static void
sui_draw_window_dispose (GObject *object)
{
  SuiDrawWindow *self = (SuiDrawWindow *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  g_clear_object (&self->events);
  g_clear_pointer (&self->task, json_object_unref);
  g_clear_pointer (&self->draw, json_object_unref);
  g_clear_pointer (&self->record, json_object_unref);
  g_clear_pointer (&self->match, json_object_unref);
  g_clear_pointer (&self->role, g_free);
  g_clear_pointer (&self->shown_commitment, g_free);
  g_clear_pointer (&self->shown_candidate_hash, g_free);
  g_clear_pointer (&self->check_message, g_free);

  G_OBJECT_CLASS (sui_draw_window_parent_class)->dispose (object);
}

static void
sui_draw_window_class_init (SuiDrawWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sui_draw_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/shuangsui/Desk/ui/sui-draw-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SuiDrawWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, SuiDrawWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, SuiDrawWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SuiDrawWindow, task_row);
  gtk_widget_class_bind_template_child (widget_class, SuiDrawWindow, state_row);
  gtk_widget_class_bind_template_child (widget_class, SuiDrawWindow, make_ready_button);
  gtk_widget_class_bind_template_child (widget_class, SuiDrawWindow, strata_grid);
  gtk_widget_class_bind_template_child (widget_class, SuiDrawWindow, entropy_group);
  gtk_widget_class_bind_template_child (widget_class, SuiDrawWindow, result_group);
  gtk_widget_class_bind_template_child (widget_class, SuiDrawWindow, commitment_row);
  gtk_widget_class_bind_template_child (widget_class, SuiDrawWindow, candidate_hash_row);
  gtk_widget_class_bind_template_child (widget_class, SuiDrawWindow, entropy_view);
  gtk_widget_class_bind_template_child (widget_class, SuiDrawWindow, run_row);
  gtk_widget_class_bind_template_child (widget_class, SuiDrawWindow, secret_row);
  gtk_widget_class_bind_template_child (widget_class, SuiDrawWindow, entropy_row);
  gtk_widget_class_bind_template_child (widget_class, SuiDrawWindow, result_hash_row);
  gtk_widget_class_bind_template_child (widget_class, SuiDrawWindow, client_verify_row);
  gtk_widget_class_bind_template_child (widget_class, SuiDrawWindow, client_verify_icon);
  gtk_widget_class_bind_template_child (widget_class, SuiDrawWindow, server_verify_row);
  gtk_widget_class_bind_template_child (widget_class, SuiDrawWindow, draws_list);
  gtk_widget_class_bind_template_child (widget_class, SuiDrawWindow, match_group);
  gtk_widget_class_bind_template_child (widget_class, SuiDrawWindow, match_entropy_frame);
  gtk_widget_class_bind_template_child (widget_class, SuiDrawWindow, match_entropy_view);
  gtk_widget_class_bind_template_child (widget_class, SuiDrawWindow, match_label);

  gtk_widget_class_install_action (widget_class, "draw.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "draw.make-ready", NULL, make_ready_action);
  gtk_widget_class_install_action (widget_class, "draw.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "draw.verify", NULL, verify_action);
  gtk_widget_class_install_action (widget_class, "draw.server-verify", NULL,
                                   server_verify_action);
  gtk_widget_class_install_action (widget_class, "draw.request-void", NULL,
                                   request_void_action);
  gtk_widget_class_install_action (widget_class, "draw.approve-void", NULL,
                                   approve_void_action);
  gtk_widget_class_install_action (widget_class, "draw.reject-void", NULL, reject_void_action);
  gtk_widget_class_install_action (widget_class, "draw.save-pdf", NULL, save_pdf_action);
  gtk_widget_class_install_action (widget_class, "draw.match", NULL, match_action);
  gtk_widget_class_install_action (widget_class, "draw.verify-match", NULL, verify_match_action);
  gtk_widget_class_install_action (widget_class, "draw.assignments", NULL, assignments_action);
}

static void
sui_draw_window_init (SuiDrawWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

SuiDrawWindow *
sui_draw_window_new (SuiRpcClient    *client,
                     SuiEventsClient *events,
                     const char      *role,
                     gint64           task_id)
{
  SuiDrawWindow *self = g_object_new (SUI_TYPE_DRAW_WINDOW, NULL);

  self->client = g_object_ref (client);
  self->events = events != NULL ? g_object_ref (events) : NULL;
  self->role = g_strdup (role);
  self->task_id = task_id;
  gtk_window_set_title (GTK_WINDOW (self), _("Public Draw"));
  if (self->events != NULL)
    g_signal_connect_object (self->events, "changed", G_CALLBACK (on_events_changed), self,
                             G_CONNECT_SWAPPED);
  update_actions (self);
  set_check (self, SUI_DRAW_CHECK_NONE, NULL);
  sui_draw_window_reload (self);

  return self;
}
