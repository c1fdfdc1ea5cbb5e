/* test-plans-page.c: the plans area against the real daemon
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A supervisor creates a plan in the plans page, adds a task in the task editor (a ratio out
 * of its range is refused and the message shows at that field), submits; the administrator
 * approves in a plan page of their own; the supervisor publishes. A change request is
 * approved, the task's ratio changed and a task added, the plan published again, and the two
 * versions compared. Finally the task is made ready. At each step the labels the window shows
 * and the data the daemon holds must agree.
 */
#include "sui-config.h"

#include <adwaita.h>
#include <stdio.h>
#include <string.h>

#include "sui-i18n.h"
#include "sui-items-page.h"
#include "sui-plan-labels.h"
#include "sui-plans-page.h"
#include "sui-ratio-dialog.h"
#include "sui-rpc-client.h"
#include "sui-task-editor.h"
#include "sui-test-daemon.h"

#define PASSWORD "Test@2026x"
#define YEAR 2027

static SuiTestDaemon *test_daemon;

static JsonObject *
call_as (const char *token,
         const char *method,
         const char *params)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = sui_test_daemon_rpc_full (test_daemon, token, method, params,
                                                       NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return json_object_ref (json_node_get_object (node));
}

/* With SUI_TEST_SHOT_DIR set, the window as drawn goes to DIR/NAME.png for a person to see. */
static void
shoot (GtkWidget  *widget,
       const char *name)
{
  const char *dir = g_getenv ("SUI_TEST_SHOT_DIR");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  graphene_rect_t bounds = GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (widget),
                                               gtk_widget_get_height (widget));

  if (dir == NULL)
    return;

  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, bounds.size.width, bounds.size.height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL)
    return;
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)), node,
                                         &bounds);
  path = g_strdup_printf ("%s/%s.png", dir, name);
  gdk_texture_save_to_png (texture, path);
}

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

static gboolean
view_idle (gpointer data)
{
  SuiPlanView *view = data;

  return !sui_plan_view_get_busy (view) && sui_plan_view_get_plan (view) != NULL;
}

static gboolean
page_idle (gpointer data)
{
  return !sui_plans_page_get_busy (SUI_PLANS_PAGE (data));
}

static gboolean
editor_idle (gpointer data)
{
  return sui_task_editor_get_ready (SUI_TASK_EDITOR (data));
}

static void
act (SuiPlanView *view,
     const char  *action)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), action, NULL));
  sui_test_wait_until (view_idle, view, 10000);
}

static char *
plan_state (const char *token,
            gint64      plan_id)
{
  g_autofree char *params = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT "}", plan_id);
  g_autoptr(JsonObject) plan = call_as (token, "plans.get", params);

  return g_strdup (json_object_get_string_member (plan, "state"));
}

static char *
task_state (const char *token,
            gint64      task_id)
{
  g_autofree char *params = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT "}", task_id);
  g_autoptr(JsonObject) task = call_as (token, "tasks.get", params);

  return g_strdup (json_object_get_string_member (task, "state"));
}

static void
assert_plan_state (SuiPlanView *view,
                   const char  *token,
                   const char  *state)
{
  g_autofree char *stored = plan_state (token, sui_plan_view_get_plan_id (view));

  g_assert_cmpstr (stored, ==, state);
  g_assert_cmpstr (sui_plan_view_get_state_text (view), ==, sui_plan_state_label (state));
}

static void
save_editor (SuiTaskEditor *editor)
{
  sui_task_editor_save (editor);
  g_assert_true (sui_task_editor_get_busy (editor));
  sui_test_wait_until (editor_idle, editor, 10000);
}

static void
fill_task (SuiTaskEditor *editor,
           const char    *name)
{
  sui_task_editor_set_field_text (editor, "name", name);
  sui_task_editor_set_field_text (editor, "window_start", "2027-03-01");
  sui_task_editor_set_field_text (editor, "window_end", "2027-04-30");
  sui_task_editor_set_field_text (editor, "deadline", "2027-05-31");
  sui_task_editor_set_field_text (editor, "exclusion_months", "0");
}

static void
test_plan_workflow (void)
{
  g_autofree char *sup_token = sui_test_daemon_login (test_daemon, "sup_p", PASSWORD);
  g_autofree char *admin_token =
    sui_test_daemon_login (test_daemon, "admin", sui_test_daemon_get_password (test_daemon, "admin"));
  g_autoptr(SuiRpcClient) sup = sui_rpc_client_new (sui_test_daemon_get_url (test_daemon));
  g_autoptr(SuiRpcClient) admin = sui_rpc_client_new (sui_test_daemon_get_url (test_daemon));
  g_autofree char *stored = NULL;
  g_autofree char *text = NULL;
  GtkWidget *window;
  GtkWidget *admin_window;
  SuiPlansPage *page;
  SuiPlanView *view;
  SuiPlanView *admin_view;
  SuiTaskEditor *editor;
  const char *message;
  gint64 plan_id;
  gint64 task_id;
  gint64 task2_id;

  sui_rpc_client_set_token (sup, sup_token);
  sui_rpc_client_set_token (admin, admin_token);

  for (guint i = 0; i < 24; i++)
    {
      g_autofree char *obj = g_strdup_printf ("{\"type\":\"retail\",\"licence_no\":\"1302020%05u\","
                                              "\"name\":\"计划测试零售户%u\",\"risk_class\":\"%c\"}",
                                              i, i, "ABCD"[i % 4]);
      g_autoptr(JsonObject) created = call_as (sup_token, "objects.create", obj);
    }

  /* The supervisor's plans page: no plan yet for the year, then one made from the page. */
  page = sui_plans_page_new (sup, NULL, "supervisor");
  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 760);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  gtk_window_present (GTK_WINDOW (window));
  sui_plans_page_set_year (page, YEAR);
  sui_test_wait_until (page_idle, page, 10000);
  g_assert_cmpuint (sui_plans_page_get_n_plans (page), ==, 0);

  sui_plans_page_create_plan (page, "2027年度随机抽查计划");
  view = sui_plans_page_get_plan_view (page);
  sui_test_wait_until (view_idle, view, 10000);
  g_assert_true (sui_plans_page_get_showing_plan (page));
  plan_id = sui_plan_view_get_plan_id (view);
  g_assert_cmpint (plan_id, >, 0);
  assert_plan_state (view, sup_token, "draft");
  sui_test_wait_until (page_idle, page, 10000);
  g_assert_cmpuint (sui_plans_page_get_n_plans (page), ==, 1);
  g_assert_cmpint (json_object_get_int_member (sui_plans_page_get_plan (page, 0), "id"), ==, plan_id);

  /* Submitting with no task is refused, and the daemon's sentence is shown. */
  act (view, "plan.submit");
  message = sui_plan_view_get_last_message (view);
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "任务"));
  assert_plan_state (view, sup_token, "draft");

  /* A task: a ratio out of its class's range is refused at that field. */
  editor = SUI_TASK_EDITOR (g_object_ref (sui_plan_view_open_task (view, 0)));
  sui_test_wait_until (editor_idle, editor, 10000);
  fill_task (editor, "卷烟零售户持证经营检查");
  sui_task_editor_set_field_text (editor, "ratio_b_bp", "50");
  save_editor (editor);
  g_assert_cmpint (sui_task_editor_get_task_id (editor), ==, 0);
  message = sui_task_editor_get_field_error (editor, "ratio_b_bp");
  g_test_message ("ratio_b_bp: %s", message);
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "B"));
  g_assert_null (sui_task_editor_get_field_error (editor, "ratio_a_bp"));
  g_assert_null (sui_task_editor_get_field_error (editor, "name"));
  spin (200);
  shoot (GTK_WIDGET (editor), "task-editor-error");

  /* A malformed number never reaches the server. */
  sui_task_editor_set_field_text (editor, "ratio_b_bp", "十");
  sui_task_editor_save (editor);
  g_assert_nonnull (sui_task_editor_get_field_error (editor, "ratio_b_bp"));

  sui_task_editor_set_field_text (editor, "ratio_b_bp", "10");
  sui_task_editor_set_scope_type (editor, "retail");
  sui_task_editor_set_field_text (editor, "inspector_task_cap", "12");
  sui_task_editor_set_field_text (editor, "inspector_month_cap", "40");
  sui_task_editor_set_field_text (editor, "avoid_last_inspector", "false");
  save_editor (editor);
  task_id = sui_task_editor_get_task_id (editor);
  g_assert_cmpint (task_id, >, 0);
  g_assert_null (sui_task_editor_get_field_error (editor, "ratio_b_bp"));
  {
    g_autofree char *params = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT "}", task_id);
    g_autoptr(JsonObject) task = call_as (sup_token, "tasks.get", params);
    g_autofree char *scope = json_to_string (json_object_get_member (task, "scope"), FALSE);

    g_assert_cmpint (json_object_get_int_member (task, "ratio_b_bp"), ==, 1000);
    g_assert_cmpstr (json_object_get_string_member (task, "window_end"), ==, "2027-04-30");
    g_assert_cmpstr (scope, ==, "{\"and\":[{\"type\":\"retail\"}]}");
    g_assert_cmpint (json_object_get_int_member (task, "inspector_task_cap"), ==, 12);
    g_assert_cmpint (json_object_get_int_member (task, "inspector_month_cap"), ==, 40);
    g_assert_false (json_object_get_boolean_member (task, "avoid_last_inspector"));
  }
  /* The preview shows the candidates per class: six of each. */
  g_assert_nonnull (sui_task_editor_get_preview (editor));
  g_assert_cmpint (json_object_get_int_member (sui_task_editor_get_preview (editor), "n"), ==, 24);
  spin (200);
  shoot (GTK_WIDGET (editor), "task-editor-saved");
  gtk_window_destroy (GTK_WINDOW (editor));
  g_assert_finalize_object (editor);

  sui_test_wait_until (view_idle, view, 10000);
  g_assert_cmpstr (sui_plan_view_get_task_state_text (view, task_id), ==,
                   sui_task_state_label ("draft"));

  act (view, "plan.submit");
  assert_plan_state (view, sup_token, "submitted");

  /* The administrator approves in a plan page of their own. */
  admin_view = sui_plan_view_new (admin, NULL, "admin");
  admin_window = gtk_window_new ();
  gtk_window_set_child (GTK_WINDOW (admin_window), GTK_WIDGET (admin_view));
  gtk_window_present (GTK_WINDOW (admin_window));
  sui_plan_view_load (admin_view, plan_id);
  sui_test_wait_until (view_idle, admin_view, 10000);
  assert_plan_state (admin_view, admin_token, "submitted");
  sui_plan_view_reject (admin_view, "比例需再斟酌");
  sui_test_wait_until (view_idle, admin_view, 10000);
  assert_plan_state (admin_view, admin_token, "draft");
  g_assert_cmpstr (json_object_get_string_member (sui_plan_view_get_plan (admin_view), "reject_reason"),
                   ==, "比例需再斟酌");
  sui_plan_view_reload (view);
  sui_test_wait_until (view_idle, view, 10000);
  act (view, "plan.submit");
  sui_plan_view_reload (admin_view);
  sui_test_wait_until (view_idle, admin_view, 10000);
  act (admin_view, "plan.approve");
  assert_plan_state (admin_view, admin_token, "approved");

  sui_plan_view_reload (view);
  sui_test_wait_until (view_idle, view, 10000);
  act (view, "plan.publish");
  assert_plan_state (view, sup_token, "published");
  g_assert_cmpint (json_object_get_int_member (sui_plan_view_get_plan (view), "revision"), ==, 1);
  spin (200);
  shoot (window, "plan-published");

  /* A change: requested, approved, made, published as version 2. */
  sui_plan_view_request_change (view, "B类比例调至20%，增加电子烟任务", "上级部署电子烟专项");
  sui_test_wait_until (view_idle, view, 10000);
  g_assert_nonnull (json_object_get_member (sui_plan_view_get_plan (view), "open_change"));
  sui_plan_view_reload (admin_view);
  sui_test_wait_until (view_idle, admin_view, 10000);
  act (admin_view, "plan.approve-change");
  sui_plan_view_reload (view);
  sui_test_wait_until (view_idle, view, 10000);
  g_assert_true (json_object_get_boolean_member (sui_plan_view_get_plan (view), "editable"));

  editor = SUI_TASK_EDITOR (g_object_ref (sui_plan_view_open_task (view, task_id)));
  sui_test_wait_until (editor_idle, editor, 10000);
  sui_task_editor_set_field_text (editor, "ratio_b_bp", "20");
  save_editor (editor);
  g_assert_cmpint (json_object_get_int_member (sui_task_editor_get_task (editor), "ratio_b_bp"),
                   ==, 2000);
  gtk_window_destroy (GTK_WINDOW (editor));
  g_assert_finalize_object (editor);

  editor = SUI_TASK_EDITOR (g_object_ref (sui_plan_view_open_task (view, 0)));
  sui_test_wait_until (editor_idle, editor, 10000);
  fill_task (editor, "电子烟零售检查");
  sui_task_editor_set_scope_type (editor, "ecig");
  save_editor (editor);
  task2_id = sui_task_editor_get_task_id (editor);
  g_assert_cmpint (task2_id, >, 0);
  gtk_window_destroy (GTK_WINDOW (editor));
  g_assert_finalize_object (editor);

  sui_test_wait_until (view_idle, view, 10000);
  act (view, "plan.publish");
  g_assert_cmpint (json_object_get_int_member (sui_plan_view_get_plan (view), "revision"), ==, 2);

  sui_plan_view_compare (view, 1, 2);
  sui_test_wait_until (view_idle, view, 10000);
  g_assert_nonnull (sui_plan_view_get_comparison (view));
  text = sui_plan_view_get_comparison_text (view);
  g_test_message ("comparison:\n%s", text);
  g_assert_nonnull (strstr (text, "电子烟零售检查"));
  g_assert_nonnull (strstr (text, sui_task_field_label ("ratio_b_bp")));
  g_assert_nonnull (strstr (text, "10.00 % → 20.00 %"));
  {
    JsonArray *added = json_object_get_array_member (sui_plan_view_get_comparison (view), "added");

    g_assert_cmpuint (json_array_get_length (added), ==, 1);
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (added, 0), "id"),
                     ==, task2_id);
  }
  spin (200);
  shoot (window, "plan-compare");

  /* Make ready from the task editor: the row and the daemon say "ready". */
  editor = SUI_TASK_EDITOR (g_object_ref (sui_plan_view_open_task (view, task_id)));
  sui_test_wait_until (editor_idle, editor, 10000);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "task.make-ready", NULL));
  sui_test_wait_until (editor_idle, editor, 10000);
  stored = task_state (sup_token, task_id);
  g_assert_cmpstr (stored, ==, "ready");
  g_assert_cmpstr (json_object_get_string_member (sui_task_editor_get_task (editor), "state"), ==,
                   "ready");
  gtk_window_destroy (GTK_WINDOW (editor));
  g_assert_finalize_object (editor);
  sui_plan_view_reload (view);
  sui_test_wait_until (view_idle, view, 10000);
  g_assert_cmpstr (sui_plan_view_get_task_state_text (view, task_id), ==,
                   sui_task_state_label ("ready"));
  spin (200);
  shoot (window, "plan-ready");

  /* Back to the list: the plan shows as published. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "plan.back", NULL));
  g_assert_false (sui_plans_page_get_showing_plan (page));
  sui_test_wait_until (page_idle, page, 10000);
  g_assert_cmpstr (json_object_get_string_member (sui_plans_page_get_plan (page, 0), "state"), ==,
                   "published");

  g_object_ref (admin_view);
  gtk_window_destroy (GTK_WINDOW (admin_window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (admin_view);
  g_object_ref (page);
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (page);
}

static gboolean
has_method (JsonObject *item,
            const char *code)
{
  JsonArray *methods = json_object_get_array_member (item, "methods");

  for (guint i = 0; i < json_array_get_length (methods); i++)
    if (g_strcmp0 (json_array_get_string_element (methods, i), code) == 0)
      return TRUE;
  return FALSE;
}

/* Items from the unit's list, each with a method; on site needs a reason when the item also
 * allows an off-site check (docs: items API). */
static void
test_task_items (void)
{
  g_autofree char *sup_token = sui_test_daemon_login (test_daemon, "sup_p", PASSWORD);
  g_autoptr(SuiRpcClient) sup = sui_rpc_client_new (sui_test_daemon_get_url (test_daemon));
  g_autoptr(JsonObject) catalogue = NULL;
  g_autoptr(JsonObject) item = NULL;
  g_autoptr(JsonObject) plan = NULL;
  g_autoptr(JsonObject) task = NULL;
  g_autoptr(JsonNode) probe = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *params = NULL;
  g_autofree char *probe_params = NULL;
  JsonObject *chosen = NULL;
  JsonArray *items;
  SuiTaskEditor *editor;
  const char *message;
  gint64 task_id;

  sui_rpc_client_set_token (sup, sup_token);
  catalogue = call_as (sup_token, "catalogue.list", "{}");
  items = json_object_get_array_member (catalogue, "items");
  for (guint i = 0; chosen == NULL && i < json_array_get_length (items); i++)
    {
      JsonObject *c = json_array_get_object_element (items, i);

      if (has_method (c, "on_site") && json_array_get_length (json_object_get_array_member (c, "methods")) > 1)
        chosen = c;
    }
  g_assert_nonnull (chosen);
  params = g_strdup_printf ("{\"catalogue_id\":%" G_GINT64_FORMAT "}",
                            json_object_get_int_member (chosen, "id"));
  item = call_as (sup_token, "items.claim", params);
  g_clear_pointer (&params, g_free);

  plan = call_as (sup_token, "plans.create", "{\"year\":2031,\"title\":\"2031年度随机抽查计划\"}");

  /* Until the daemon takes items as {item_id, method}, there is nothing to check here. */
  probe_params = g_strdup_printf ("{\"plan_id\":%" G_GINT64_FORMAT ",\"name\":\"探测\","
                                  "\"items\":[{\"item_id\":%" G_GINT64_FORMAT ",\"method\":\"%s\"}]}",
                                  json_object_get_int_member (plan, "id"),
                                  json_object_get_int_member (item, "id"),
                                  json_array_get_string_element (json_object_get_array_member (item, "methods"), 0));
  probe = sui_test_daemon_rpc_full (test_daemon, sup_token, "tasks.create", probe_params, NULL, &error);
  if (probe == NULL)
    {
      g_test_skip ("the daemon does not take task items as {item_id, method} yet");
      return;
    }

  editor = SUI_TASK_EDITOR (g_object_ref (sui_task_editor_new (sup, json_object_get_int_member (plan, "id"),
                                                              0, TRUE, TRUE)));
  gtk_window_present (GTK_WINDOW (editor));
  sui_test_wait_until (editor_idle, editor, 10000);
  fill_task (editor, "亮证经营检查");
  g_assert_true (sui_task_editor_choose_item (editor, json_object_get_int_member (item, "id"),
                                              "on_site", NULL));
  save_editor (editor);
  message = sui_task_editor_get_field_error (editor, "items");
  g_test_message ("items: %s", message);
  g_assert_nonnull (message);
  g_assert_cmpint (sui_task_editor_get_task_id (editor), ==, 0);
  spin (200);
  shoot (GTK_WIDGET (editor), "task-editor-items-error");

  sui_task_editor_choose_item (editor, json_object_get_int_member (item, "id"), "on_site",
                               "举报线索指向该店，须现场核实");
  save_editor (editor);
  g_assert_null (sui_task_editor_get_field_error (editor, "items"));
  task_id = sui_task_editor_get_task_id (editor);
  g_assert_cmpint (task_id, >, 0);
  params = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT "}", task_id);
  task = call_as (sup_token, "tasks.get", params);
  items = json_object_get_array_member (task, "items");
  g_assert_cmpuint (json_array_get_length (items), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (items, 0), "item_id"),
                   ==, json_object_get_int_member (item, "id"));
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 0), "method"),
                   ==, "on_site");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 0), "reason"),
                   ==, "举报线索指向该店，须现场核实");
  gtk_window_destroy (GTK_WINDOW (editor));
  g_assert_finalize_object (editor);
}

typedef struct
{
  SuiTaskEditor *editor;
  gint64 n;       /* candidates in total */
  gint64 k;       /* to draw in total; -1: any */
} PreviewWant;

/* The preview has settled on these numbers (nothing scheduled or under way). */
static gboolean
preview_shows (gpointer data)
{
  PreviewWant *want = data;
  JsonObject *preview = sui_task_editor_get_preview (want->editor);

  return !sui_task_editor_get_preview_pending (want->editor) && preview != NULL &&
         json_object_get_int_member (preview, "n") == want->n &&
         (want->k < 0 || json_object_get_int_member (preview, "k") == want->k);
}

static gboolean
preview_refused (gpointer data)
{
  SuiTaskEditor *editor = data;

  return !sui_task_editor_get_preview_pending (editor) &&
         sui_task_editor_get_preview_message (editor) != NULL;
}

static GtkWidget *
find_named (GtkWidget  *widget,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_named (c, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Scrolls the form so that the widget named name is at the top, as a user would to look
 * at it. */
static gboolean
scroll_to_named (GtkWidget  *root,
                 const char *name)
{
  GtkWidget *target = find_named (root, name);
  GtkWidget *scrolled = target != NULL ? gtk_widget_get_ancestor (target, GTK_TYPE_SCROLLED_WINDOW)
                                       : NULL;
  GtkAdjustment *adj;
  graphene_rect_t bounds;

  if (scrolled == NULL || !gtk_widget_compute_bounds (target, scrolled, &bounds))
    return FALSE;
  adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  gtk_adjustment_set_value (adj, gtk_adjustment_get_value (adj) + bounds.origin.y - 12);
  return TRUE;
}

static void
wait_preview (SuiTaskEditor *editor,
              gint64         n,
              gint64         k)
{
  PreviewWant want = { editor, n, k };

  sui_test_wait_until (preview_shows, &want, 10000);
}

/* The candidates follow the form: changing the scope, a ratio or a value that cannot be
 * counted updates the preview without saving or pressing anything, and only the answer to
 * the last change counts. */
static void
test_live_preview (void)
{
  g_autofree char *sup_token = sui_test_daemon_login (test_daemon, "sup_p", PASSWORD);
  g_autoptr(SuiRpcClient) sup = sui_rpc_client_new (sui_test_daemon_get_url (test_daemon));
  g_autoptr(JsonObject) plan = NULL;
  SuiTaskEditor *editor;
  const char *message;
  JsonArray *strata;

  sui_rpc_client_set_token (sup, sup_token);
  /* Ten e-cigarette shops of one district: A 3, B 3, C 2, D 2. */
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *obj = g_strdup_printf ("{\"type\":\"ecig\",\"licence_no\":\"1302990%05u\","
                                              "\"name\":\"预览测试电子烟店%u\",\"district\":\"预览测试区\","
                                              "\"risk_class\":\"%c\"}",
                                              i, i, "ABCD"[i % 4]);
      g_autoptr(JsonObject) created = call_as (sup_token, "objects.create", obj);
    }
  plan = call_as (sup_token, "plans.create", "{\"year\":2045,\"title\":\"2045年度随机抽查计划\"}");

  /* A new task, never saved: the preview is there as soon as the editor is. */
  editor = SUI_TASK_EDITOR (g_object_ref (sui_task_editor_new (sup, json_object_get_int_member (plan, "id"),
                                                              0, TRUE, TRUE)));
  gtk_window_present (GTK_WINDOW (editor));
  sui_test_wait_until (editor_idle, editor, 10000);
  g_assert_nonnull (sui_task_editor_get_preview (editor));
  g_assert_cmpint (json_object_get_int_member (sui_task_editor_get_preview (editor), "n"), >=, 10);

  /* The district typed: counted for it, with the default ratios (A 5 %, B 10 %, C 30 %,
   * D 61 %: 1 + 1 + 1 + 2 to draw). */
  sui_task_editor_set_field_text (editor, "district", "预览测试区");
  g_assert_true (sui_task_editor_get_preview_pending (editor));
  wait_preview (editor, 10, 5);
  strata = json_object_get_array_member (sui_task_editor_get_preview (editor), "strata");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (strata, 0), "n"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (strata, 3), "n"), ==, 2);

  /* Another type, then back; a ratio. */
  sui_task_editor_set_scope_type (editor, "retail");
  wait_preview (editor, 0, 0);
  sui_task_editor_set_scope_type (editor, "ecig");
  wait_preview (editor, 10, 5);
  sui_task_editor_set_field_text (editor, "ratio_a_bp", "0");
  wait_preview (editor, 10, 4);

  /* Quick changes: only the last one is shown. */
  sui_task_editor_set_field_text (editor, "district", "没有这个区");
  sui_task_editor_set_field_text (editor, "district", "预览");
  sui_task_editor_set_field_text (editor, "district", "预览测试区");
  wait_preview (editor, 10, 4);
  sui_task_editor_set_field_text (editor, "district", "没有这个区");
  wait_preview (editor, 0, 0);
  sui_task_editor_set_field_text (editor, "district", "预览测试区");
  wait_preview (editor, 10, 4);

  /* A ratio out of its range: the server's message for the field, no numbers. */
  sui_task_editor_set_field_text (editor, "ratio_b_bp", "50");
  sui_test_wait_until (preview_refused, editor, 10000);
  message = sui_task_editor_get_preview_message (editor);
  g_test_message ("preview: %s", message);
  g_assert_nonnull (strstr (message, "B"));
  g_assert_null (sui_task_editor_get_preview (editor));
  /* Not a number at all: said without asking the server. */
  sui_task_editor_set_field_text (editor, "ratio_b_bp", "十");
  sui_test_wait_until (preview_refused, editor, 10000);
  g_assert_nonnull (strstr (sui_task_editor_get_preview_message (editor), "%"));
  sui_task_editor_set_field_text (editor, "ratio_b_bp", "20");
  wait_preview (editor, 10, 4);
  g_assert_null (sui_task_editor_get_preview_message (editor));
  g_assert_cmpint (sui_task_editor_get_task_id (editor), ==, 0);

  /* Two shops checked lately with no problem found (result 1) and one with a problem (A):
   * the no-problem period leaves out the two, and 0 turns it off. */
  {
    g_autofree char *out =
      sui_test_daemon_psql (test_daemon,
                            "update object set last_check_date = current_date - 10,"
                            " last_check_result = '1'"
                            " where licence_no in ('130299000000', '130299000004');"
                            " update object set last_check_date = current_date - 10,"
                            " last_check_result = 'A' where licence_no = '130299000001'");
    g_autofree char *back = NULL;

    sui_task_editor_set_field_text (editor, "clean_exclusion_months", "6");
    wait_preview (editor, 8, 4);
    g_assert_cmpint (json_object_get_int_member (sui_task_editor_get_preview (editor),
                                                 "excluded_clean"), ==, 2);
    strata = json_object_get_array_member (sui_task_editor_get_preview (editor), "strata");
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (strata, 0),
                                                 "excluded_clean"), ==, 2);
    sui_task_editor_set_field_text (editor, "clean_exclusion_months", "0");
    wait_preview (editor, 10, 4);
    g_assert_cmpint (json_object_get_int_member (sui_task_editor_get_preview (editor),
                                                 "excluded_clean"), ==, 0);
    back = sui_test_daemon_psql (test_daemon,
                                 "update object set last_check_date = null,"
                                 " last_check_result = null"
                                 " where licence_no like '1302990%'");
    sui_task_editor_set_field_text (editor, "clean_exclusion_months", "12");
    wait_preview (editor, 10, 4);
  }
  spin (200);
  g_assert_true (scroll_to_named (GTK_WIDGET (editor), "candidates-preview"));
  spin (300);
  shoot (GTK_WIDGET (editor), "task-editor-live-preview");
  /* What it says while the draft cannot be counted. */
  sui_task_editor_set_field_text (editor, "ratio_b_bp", "50");
  sui_test_wait_until (preview_refused, editor, 10000);
  spin (300);
  shoot (GTK_WIDGET (editor), "task-editor-live-preview-refused");
  sui_task_editor_set_field_text (editor, "ratio_b_bp", "20");
  wait_preview (editor, 10, 4);

  /* Saved, the task is previewed by its id with the values on screen. */
  sui_task_editor_set_field_text (editor, "name", "电子烟预览检查");
  save_editor (editor);
  g_assert_cmpint (sui_task_editor_get_task_id (editor), >, 0);
  wait_preview (editor, 10, 4);
  g_assert_cmpint (json_object_get_int_member (sui_task_editor_get_preview (editor), "task_id"),
                   ==, sui_task_editor_get_task_id (editor));
  sui_task_editor_set_field_text (editor, "ratio_d_bp", "100");
  wait_preview (editor, 10, 4);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (
    json_object_get_array_member (sui_task_editor_get_preview (editor), "strata"), 3),
    "ratio_bp"), ==, 10000);

  gtk_window_destroy (GTK_WINDOW (editor));
  g_assert_finalize_object (editor);
}

static gboolean
items_page_ready (gpointer data)
{
  return sui_items_page_get_ready (SUI_ITEMS_PAGE (data));
}

/* The message dialog open now whose body contains text, or NULL. */
static AdwMessageDialog *
find_dialog (const char *text)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* transfer none */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)) &&
          strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (window)), text) != NULL)
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

static gboolean
dialog_shown (gpointer data)
{
  return find_dialog (data) != NULL;
}

/* An item a task not yet drawn still lists: the release confirmation names the task, the
 * server refuses and its message is shown, the item stays; once the task no longer lists it,
 * it is released. */
static void
test_release_used_item (void)
{
  g_autofree char *sup_token = sui_test_daemon_login (test_daemon, "sup_p", PASSWORD);
  g_autoptr(SuiRpcClient) sup = sui_rpc_client_new (sui_test_daemon_get_url (test_daemon));
  g_autoptr(JsonObject) catalogue = NULL;
  g_autoptr(JsonObject) item = NULL;
  g_autoptr(JsonObject) plan = NULL;
  g_autoptr(JsonObject) task = NULL;
  g_autoptr(JsonObject) stored = NULL;
  g_autofree char *params = NULL;
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;
  SuiItemsPage *page;
  GtkWidget *window;
  JsonArray *entries;
  const char *message;
  gint64 item_id = 0;

  sui_rpc_client_set_token (sup, sup_token);
  catalogue = call_as (sup_token, "catalogue.list", "{\"query\":\"DZY-02\"}");
  entries = json_object_get_array_member (catalogue, "items");
  g_assert_cmpuint (json_array_get_length (entries), >=, 1);
  params = g_strdup_printf ("{\"catalogue_id\":%" G_GINT64_FORMAT "}",
                            json_object_get_int_member (json_array_get_object_element (entries, 0),
                                                        "id"));
  item = call_as (sup_token, "items.claim", params);
  item_id = json_object_get_int_member (item, "id");
  g_clear_pointer (&params, g_free);

  plan = call_as (sup_token, "plans.create", "{\"year\":2046,\"title\":\"2046年度随机抽查计划\"}");
  params = g_strdup_printf ("{\"plan_id\":%" G_GINT64_FORMAT ",\"name\":\"电子烟调味专项检查\","
                            "\"items\":[{\"item_id\":%" G_GINT64_FORMAT ",\"method\":\"online\"}]}",
                            json_object_get_int_member (plan, "id"), item_id);
  task = call_as (sup_token, "tasks.create", params);
  g_clear_pointer (&params, g_free);

  page = SUI_ITEMS_PAGE (g_object_ref (sui_items_page_new (sup, NULL, FALSE)));
  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 760);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  gtk_window_present (GTK_WINDOW (window));
  sui_test_wait_until (items_page_ready, page, 20000);
  g_assert_true (sui_items_page_select (page, "items", item_id));
  sui_test_wait_until (items_page_ready, page, 10000);

  /* The confirmation says which task still uses it. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "items.release", NULL));
  sui_test_wait_until (dialog_shown, (gpointer) "电子烟调味专项检查", 10000);
  dialog = find_dialog ("电子烟调味专项检查");
  g_test_message ("confirmation: %s", adw_message_dialog_get_body (dialog));
  spin (300);
  shoot (GTK_WIDGET (dialog), "items-release-confirm-used");
  gtk_window_destroy (GTK_WINDOW (dialog));
  sui_test_wait_until (items_page_ready, page, 10000);

  /* Released anyway: refused, the server's sentence shown, the item as it was. */
  sui_items_page_release_selected (page, "职能调整");
  sui_test_wait_until (items_page_ready, page, 10000);
  message = sui_items_page_get_last_message (page);
  g_test_message ("refused: %s", message);
  g_assert_nonnull (strstr (message, "“电子烟调味专项检查”"));
  g_assert_nonnull (strstr (message, "尚未抽取"));
  g_assert_nonnull (find_dialog ("电子烟调味专项检查"));
  params = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT "}", item_id);
  stored = call_as (sup_token, "items.get", params);
  g_assert_cmpstr (json_object_get_string_member (stored, "state"), ==, "active");
  g_assert_cmpint (json_object_get_int_member (stored, "version"), ==,
                   json_object_get_int_member (item, "version"));
  spin (300);
  shoot (window, "items-release-refused");
  gtk_window_destroy (GTK_WINDOW (find_dialog ("电子烟调味专项检查")));

  /* Taken out of the task, it is released. */
  g_clear_pointer (&params, g_free);
  params = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT ",\"version\":%" G_GINT64_FORMAT
                            ",\"items\":[]}",
                            json_object_get_int_member (task, "id"),
                            json_object_get_int_member (task, "version"));
  g_clear_pointer (&task, json_object_unref);
  task = call_as (sup_token, "tasks.update", params);
  sui_items_page_reload (page);
  sui_test_wait_until (items_page_ready, page, 10000);
  g_assert_true (sui_items_page_select (page, "items", item_id));
  sui_test_wait_until (items_page_ready, page, 10000);
  g_clear_pointer (&stored, json_object_unref);
  g_clear_pointer (&params, g_free);
  params = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT "}", item_id);
  stored = call_as (sup_token, "items.get", params);
  body = sui_items_page_dup_release_body (stored);
  g_assert_null (strstr (body, "电子烟调味专项检查"));
  sui_items_page_release_selected (page, "职能调整");
  sui_test_wait_until (items_page_ready, page, 10000);
  g_clear_pointer (&stored, json_object_unref);
  stored = call_as (sup_token, "items.get", params);
  g_assert_cmpstr (json_object_get_string_member (stored, "state"), ==, "released");

  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (page);
}

static gboolean
ratios_idle (gpointer data)
{
  return sui_ratio_dialog_get_pending (SUI_RATIO_DIALOG (data)) == 0;
}

/* The plan's sampling table: a class set in the dialog becomes the plan's own row; a range
 * the wrong way round is refused with the server's message and nothing changes; the city's
 * table is the admin's. */
static void
test_ratios (void)
{
  g_autofree char *sup_token = sui_test_daemon_login (test_daemon, "sup_p", PASSWORD);
  g_autofree char *admin_token =
    sui_test_daemon_login (test_daemon, "admin", sui_test_daemon_get_password (test_daemon, "admin"));
  g_autoptr(SuiRpcClient) sup = sui_rpc_client_new (sui_test_daemon_get_url (test_daemon));
  g_autoptr(SuiRpcClient) admin = sui_rpc_client_new (sui_test_daemon_get_url (test_daemon));
  g_autoptr(JsonObject) plan = NULL;
  g_autoptr(JsonObject) table = NULL;
  g_autofree char *params = NULL;
  SuiRatioDialog *dialog;
  JsonObject *d;

  sui_rpc_client_set_token (sup, sup_token);
  sui_rpc_client_set_token (admin, admin_token);
  plan = call_as (sup_token, "plans.create", "{\"year\": 2041, \"title\": \"2041 年度计划\"}");

  dialog = sui_ratio_dialog_new (NULL, sup, json_object_get_int_member (plan, "id"), TRUE);
  sui_test_wait_until (ratios_idle, dialog, 10000);
  sui_ratio_dialog_set_value (dialog, "D", "min_bp", 8000);
  sui_ratio_dialog_set_value (dialog, "D", "default_bp", 9000);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "ratios.save", NULL));
  sui_test_wait_until (ratios_idle, dialog, 10000);
  params = g_strdup_printf ("{\"plan_id\": %" G_GINT64_FORMAT "}",
                            json_object_get_int_member (plan, "id"));
  table = call_as (sup_token, "ratios.list", params);
  d = json_array_get_object_element (json_object_get_array_member (table, "items"), 3);
  g_assert_true (json_object_get_boolean_member (d, "own"));
  g_assert_cmpint (json_object_get_int_member (d, "min_bp"), ==, 8000);
  g_assert_cmpint (json_object_get_int_member (d, "default_bp"), ==, 9000);
  g_assert_false (json_object_get_boolean_member (
    json_array_get_object_element (json_object_get_array_member (table, "items"), 0), "own"));

  /* The wrong way round: the server's message, and the plan's row as it was. */
  sui_ratio_dialog_set_value (dialog, "D", "max_bp", 7000);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "ratios.save", NULL));
  sui_test_wait_until (ratios_idle, dialog, 10000);
  g_assert_nonnull (strstr (sui_ratio_dialog_get_message (dialog), "D类"));
  spin (300);
  shoot (GTK_WIDGET (dialog), "plan-ratios-error");
  g_clear_pointer (&table, json_object_unref);
  table = call_as (sup_token, "ratios.list", params);
  d = json_array_get_object_element (json_object_get_array_member (table, "items"), 3);
  g_assert_cmpint (json_object_get_int_member (d, "max_bp"), ==, 10000);
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* The city's table, as the admin: B up to 25 %. */
  dialog = sui_ratio_dialog_new (NULL, admin, 0, TRUE);
  sui_test_wait_until (ratios_idle, dialog, 10000);
  sui_ratio_dialog_set_value (dialog, "B", "max_bp", 2500);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "ratios.save", NULL));
  sui_test_wait_until (ratios_idle, dialog, 10000);
  g_clear_pointer (&table, json_object_unref);
  table = call_as (admin_token, "ratios.list", "{}");
  d = json_array_get_object_element (json_object_get_array_member (table, "items"), 1);
  g_assert_cmpint (json_object_get_int_member (d, "max_bp"), ==, 2500);

  /* Two classes at once, one refused: its message stays, whichever answer comes last. */
  sui_ratio_dialog_set_value (dialog, "A", "min_bp", 9900);
  sui_ratio_dialog_set_value (dialog, "B", "max_bp", 2400);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "ratios.save", NULL));
  sui_test_wait_until (ratios_idle, dialog, 10000);
  g_test_message ("mixed save: %s", sui_ratio_dialog_get_message (dialog));
  g_assert_nonnull (strstr (sui_ratio_dialog_get_message (dialog), "A类"));
  g_clear_pointer (&table, json_object_unref);
  table = call_as (admin_token, "ratios.list", "{}");
  d = json_array_get_object_element (json_object_get_array_member (table, "items"), 1);
  g_assert_cmpint (json_object_get_int_member (d, "max_bp"), ==, 2400);
  d = json_array_get_object_element (json_object_get_array_member (table, "items"), 0);
  g_assert_cmpint (json_object_get_int_member (d, "min_bp"), !=, 9900);
  gtk_window_destroy (GTK_WINDOW (dialog));
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

int
main (int   argc,
      char *argv[])
{
  static const char * const args[] = {
    "--unit", "ptest:direct:计划测试区烟草专卖局",
    "--user", "sup_p:supervisor:ptest:" PASSWORD ":赵敏",
    NULL
  };
  int status;

  if (sui_test_skip_without_display ())
    return 0;

  gtk_test_init (&argc, &argv, NULL);
  sui_i18n_init ();
  adw_init ();

  g_test_add_func ("/plans-page/workflow", test_plan_workflow);
  g_test_add_func ("/plans-page/task-items", test_task_items);
  g_test_add_func ("/plans-page/ratios", test_ratios);
  g_test_add_func ("/plans-page/live-preview", test_live_preview);
  g_test_add_func ("/plans-page/release-used-item", test_release_used_item);

  test_daemon = sui_test_daemon_new (args);
  status = g_test_run ();
  g_clear_pointer (&test_daemon, sui_test_daemon_free);

  return status;
}
