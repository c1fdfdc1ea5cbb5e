/* test-draw-window.c: the draw screen against the real daemon
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A supervisor makes a published task ready, runs its draw from the window, and the client's
 * own verification passes; then the stored result is altered behind the daemon's back (the
 * triggers bypassed) and the client's verification must fail at the drawn objects.
 */
#include "sui-config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "sui-draw-record.h"
#include "sui-draw-window.h"
#include "sui-i18n.h"
#include "sui-plan-labels.h"
#include "sui-rpc-client.h"
#include "sui-test-daemon.h"

#define PASSWORD "Test@2026x"

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

typedef struct
{
  SuiDrawWindow *window;
  SuiDrawCheck want;
} Wait;

static gboolean
window_idle (gpointer data)
{
  return !sui_draw_window_get_busy (SUI_DRAW_WINDOW (data));
}

static gboolean
task_in_state (gpointer data)
{
  Wait *w = data;

  return !sui_draw_window_get_busy (w->window) &&
         sui_draw_window_get_check (w->window) == w->want;
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
  g_assert_nonnull (node);
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

static gint64
make_published_task (const char *sup_token,
                     const char *admin_token)
{
  g_autoptr(JsonObject) plan = NULL;
  g_autoptr(JsonObject) task = NULL;
  g_autoptr(JsonObject) submitted = NULL;
  g_autoptr(JsonObject) approved = NULL;
  g_autoptr(JsonObject) published = NULL;
  g_autofree char *params = NULL;
  gint64 plan_id;

  for (guint i = 0; i < 30; i++)
    {
      g_autofree char *obj = g_strdup_printf ("{\"type\":\"retail\",\"licence_no\":\"1301020%05u\","
                                              "\"name\":\"测试零售户%u\",\"risk_class\":\"%c\"}",
                                              i, i, "ABCD"[i % 4]);
      g_autoptr(JsonObject) created = call_as (sup_token, "objects.create", obj);
    }

  plan = call_as (sup_token, "plans.create", "{\"year\":2026,\"title\":\"2026年度随机抽查计划\"}");
  plan_id = json_object_get_int_member (plan, "id");
  params = g_strdup_printf ("{\"plan_id\":%" G_GINT64_FORMAT ",\"name\":\"卷烟零售户持证经营检查\","
                            "\"window_start\":\"2026-12-01\",\"window_end\":\"2026-12-20\","
                            "\"deadline\":\"2026-12-31\",\"exclusion_months\":0}", plan_id);
  task = call_as (sup_token, "tasks.create", params);
  g_free (params);
  params = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT ",\"version\":%" G_GINT64_FORMAT "}",
                            plan_id, json_object_get_int_member (plan, "version"));
  submitted = call_as (sup_token, "plans.submit", params);
  g_free (params);
  params = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT ",\"version\":%" G_GINT64_FORMAT "}",
                            plan_id, json_object_get_int_member (submitted, "version"));
  approved = call_as (admin_token, "plans.approve", params);
  g_free (params);
  params = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT ",\"version\":%" G_GINT64_FORMAT "}",
                            plan_id, json_object_get_int_member (approved, "version"));
  published = call_as (sup_token, "plans.publish", params);
  g_assert_cmpstr (json_object_get_string_member (published, "state"), ==, "published");

  return json_object_get_int_member (task, "id");
}

static void
test_run_and_verify (void)
{
  g_autofree char *sup_token = sui_test_daemon_login (test_daemon, "sup_d", PASSWORD);
  g_autofree char *admin_token =
    sui_test_daemon_login (test_daemon, "admin", sui_test_daemon_get_password (test_daemon, "admin"));
  g_autoptr(SuiRpcClient) client = sui_rpc_client_new (sui_test_daemon_get_url (test_daemon));
  g_autofree char *sql = NULL;
  g_autofree char *out = NULL;
  g_autofree char *png = NULL;
  g_autoptr(GError) error = NULL;
  SuiDrawWindow *window;
  gint64 task_id;
  Wait w;

  task_id = make_published_task (sup_token, admin_token);
  sui_rpc_client_set_token (client, sup_token);

  window = g_object_ref (sui_draw_window_new (client, NULL, "supervisor", task_id));
  gtk_window_present (GTK_WINDOW (window));
  sui_test_wait_until (window_idle, window, 10000);
  g_assert_cmpstr (sui_draw_window_get_task_state (window), ==, "draft");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "draw.make-ready", NULL));
  g_usleep (1000);
  sui_test_wait_until (window_idle, window, 10000);
  g_assert_cmpstr (sui_draw_window_get_task_state (window), ==, "ready");
  g_assert_nonnull (sui_draw_window_get_shown_commitment (window));
  g_assert_cmpint (strlen (sui_draw_window_get_shown_commitment (window)), ==, 64);
  spin (300);
  shoot (GTK_WIDGET (window), "draw-ready");

  sui_draw_window_set_entropy_text (window, " 3917\n\n0528 \n");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "draw.run", NULL));
  w.window = window;
  w.want = SUI_DRAW_CHECK_PASSED;
  sui_test_wait_until (task_in_state, &w, 20000);
  g_assert_cmpstr (sui_draw_window_get_task_state (window), ==, "objects_drawn");
  g_test_message ("check: %s", sui_draw_window_get_check_message (window));
  spin (300);
  shoot (GTK_WIDGET (window), "draw-passed");

  /* No inspector in the unit: the match is refused as a shortage that names the objects and
   * the rule, nothing is assigned and the task stays where it was. */
  sui_draw_window_set_match_entropy_text (window, "4471\n");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "draw.match", NULL));
  sui_test_wait_until (window_idle, window, 20000);
  g_test_message ("match: %s", sui_draw_window_get_match_text (window));
  {
    g_autofree char *prefix = g_strdup_printf (_("No inspectors were assigned: %s"), "");

    g_assert_true (g_str_has_prefix (sui_draw_window_get_match_text (window), prefix));
  }
  g_assert_nonnull (strstr (sui_draw_window_get_match_text (window), "•"));
  g_assert_nonnull (strstr (sui_draw_window_get_match_text (window), "测试零售户"));
  g_assert_nonnull (strstr (sui_draw_window_get_match_text (window), sui_match_rule_label ("team")));
  g_assert_cmpstr (sui_draw_window_get_task_state (window), ==, "objects_drawn");
  {
    g_autofree char *params = g_strdup_printf ("{\"task_id\":%" G_GINT64_FORMAT "}", task_id);
    g_autoptr(GError) match_error = NULL;
    g_autoptr(JsonNode) none = sui_test_daemon_rpc_full (test_daemon, sup_token, "tasks.assignments",
                                                         params, NULL, &match_error);

    g_assert_error (match_error, SUI_RPC_ERROR, SUI_RPC_ERROR_STATE);
  }
  spin (300);
  shoot (GTK_WIDGET (window), "draw-shortage");

  /* A PNG of the printed record, for a person to look at. */
  png = g_build_filename (g_get_tmp_dir (), "shuangsui-draw-record.png", NULL);
  {
    g_autofree char *params = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT "}",
                                               sui_draw_window_get_draw_id (window));
    g_autoptr(JsonObject) record = call_as (sup_token, "draws.export", params);
    g_autofree char *pdf = g_build_filename (g_get_tmp_dir (), "shuangsui-draw-record.pdf", NULL);

    g_assert_true (sui_draw_record_write_png (record, "卷烟零售户持证经营检查",
                                              sui_draw_window_get_check_message (window),
                                              png, &error));
    g_assert_no_error (error);
    g_assert_true (sui_draw_record_write_pdf (record, "卷烟零售户持证经营检查",
                                              sui_draw_window_get_check_message (window),
                                              pdf, &error));
    g_assert_no_error (error);
  }

  /* Alter the stored result behind the daemon: the first two drawn of a stratum swap. */
  sql = g_strdup_printf ("set session_replication_role = replica; "
                         "update draw_stratum set drawn = drawn[2:2] || drawn[1:1] || drawn[3:] "
                         "where draw_id = %" G_GINT64_FORMAT " and cardinality (drawn) >= 2 "
                         "and name = (select min (name) from draw_stratum where draw_id = %"
                         G_GINT64_FORMAT " and cardinality (drawn) >= 2)",
                         sui_draw_window_get_draw_id (window),
                         sui_draw_window_get_draw_id (window));
  out = sui_test_daemon_psql (test_daemon, sql);
  g_test_message ("psql: %s", out);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "draw.verify", NULL));
  w.want = SUI_DRAW_CHECK_FAILED;
  sui_test_wait_until (task_in_state, &w, 20000);
  g_test_message ("check after tampering: %s", sui_draw_window_get_check_message (window));
  g_assert_nonnull (strstr (sui_draw_window_get_check_message (window), "1"));
  spin (300);
  shoot (GTK_WIDGET (window), "draw-tampered");

  /* A void: requested by the supervisor, approved by the administrator in a window of their
   * own; the voided draw stays listed and the task is ready for a new draw. */
  sui_draw_window_request_void (window, "见证人未全部到场，需重新摇号");
  sui_test_wait_until (window_idle, window, 10000);
  {
    g_autoptr(SuiRpcClient) admin = sui_rpc_client_new (sui_test_daemon_get_url (test_daemon));
    SuiDrawWindow *admin_window;
    g_autofree char *draws = NULL;
    g_autofree char *voided = NULL;

    sui_rpc_client_set_token (admin, admin_token);
    admin_window = g_object_ref (sui_draw_window_new (admin, NULL, "admin", task_id));
    gtk_window_present (GTK_WINDOW (admin_window));
    sui_test_wait_until (window_idle, admin_window, 10000);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (admin_window), "draw.approve-void", NULL));
    g_usleep (1000);
    sui_test_wait_until (window_idle, admin_window, 10000);
    g_assert_cmpstr (sui_draw_window_get_task_state (admin_window), ==, "ready");
    draws = sui_draw_window_get_draws_text (admin_window);
    g_test_message ("draws:\n%s", draws);
    voided = g_strdup_printf ("%s\n", sui_draw_state_label ("voided"));
    g_assert_nonnull (strstr (draws, voided));
    g_assert_nonnull (strstr (draws, sui_draw_state_label ("committed")));
    spin (300);
    shoot (GTK_WIDGET (admin_window), "draw-voided");
    gtk_window_destroy (GTK_WINDOW (admin_window));
    g_assert_finalize_object (admin_window);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

/* A match verified on this computer from its record, and found out once its stored result
 * is altered behind the daemon. The task is drawn and matched over RPC. */
static void
test_match_verified_here (void)
{
  g_autofree char *sup_token = sui_test_daemon_login (test_daemon, "sup_m", PASSWORD);
  g_autofree char *admin_token =
    sui_test_daemon_login (test_daemon, "admin", sui_test_daemon_get_password (test_daemon, "admin"));
  g_autoptr(SuiRpcClient) client = sui_rpc_client_new (sui_test_daemon_get_url (test_daemon));
  g_autoptr(JsonObject) plan = NULL, task = NULL, step = NULL, ready = NULL, match = NULL;
  g_autofree char *sql = NULL, *out = NULL, *params = NULL;
  gint64 unit_id = sui_test_daemon_get_unit_id (test_daemon, "mtest");
  gint64 plan_id, task_id, match_id;
  SuiDrawWindow *window;

  sql = g_strdup_printf ("insert into object (type, licence_no, name, unit_id, district, risk_class)"
                         " select 'retail', '13010990' || lpad (g::text, 4, '0'), '核验零售户' || g,"
                         " %" G_GINT64_FORMAT ", '新华区', (array['A','B','C','D'])[1 + g %% 4]"
                         " from generate_series (1, 12) g;"
                         " insert into inspector (name, unit_id, cert_no, cert_valid_from,"
                         " cert_valid_until, status) select '核验检查员' || g, %" G_GINT64_FORMAT ","
                         " 'MV-000' || g, '2020-01-01', '2099-12-31', 'on_duty'"
                         " from generate_series (1, 6) g", unit_id, unit_id);
  out = sui_test_daemon_psql (test_daemon, sql);
  g_test_message ("psql: %s", out);

  plan = call_as (sup_token, "plans.create", "{\"year\":2027,\"title\":\"2027年度计划\"}");
  plan_id = json_object_get_int_member (plan, "id");
  params = g_strdup_printf ("{\"plan_id\":%" G_GINT64_FORMAT ",\"name\":\"核验任务\","
                            "\"window_start\":\"2027-03-01\",\"window_end\":\"2027-03-31\","
                            "\"deadline\":\"2027-04-30\",\"exclusion_months\":0}", plan_id);
  task = call_as (sup_token, "tasks.create", params);
  task_id = json_object_get_int_member (task, "id");
  g_free (params);
  params = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT ",\"version\":%" G_GINT64_FORMAT "}",
                            plan_id, json_object_get_int_member (plan, "version"));
  step = call_as (sup_token, "plans.submit", params);
  g_free (params);
  params = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT ",\"version\":%" G_GINT64_FORMAT "}",
                            plan_id, json_object_get_int_member (step, "version"));
  g_clear_pointer (&step, json_object_unref);
  step = call_as (admin_token, "plans.approve", params);
  g_free (params);
  params = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT ",\"version\":%" G_GINT64_FORMAT "}",
                            plan_id, json_object_get_int_member (step, "version"));
  g_clear_pointer (&step, json_object_unref);
  step = call_as (sup_token, "plans.publish", params);
  g_free (params);
  params = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT "}", task_id);
  g_clear_pointer (&task, json_object_unref);
  task = call_as (sup_token, "tasks.get", params);
  g_free (params);
  params = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT ",\"version\":%" G_GINT64_FORMAT "}",
                            task_id, json_object_get_int_member (task, "version"));
  ready = call_as (sup_token, "tasks.make_ready", params);
  g_free (params);
  params = g_strdup_printf ("{\"task_id\":%" G_GINT64_FORMAT ",\"entropy\":[\"17\"]}", task_id);
  g_clear_pointer (&step, json_object_unref);
  step = call_as (sup_token, "draws.run", params);
  g_free (params);
  params = g_strdup_printf ("{\"task_id\":%" G_GINT64_FORMAT ",\"entropy\":[\"29\"]}", task_id);
  match = call_as (sup_token, "tasks.match_inspectors", params);
  g_assert_true (json_object_get_boolean_member (match, "ok"));
  match_id = json_object_get_int_member (json_object_get_object_member (match, "draw"), "id");

  sui_rpc_client_set_token (client, sup_token);
  window = g_object_ref (sui_draw_window_new (client, NULL, "supervisor", task_id));
  gtk_window_present (GTK_WINDOW (window));
  sui_test_wait_until (window_idle, window, 10000);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "draw.verify-match", NULL));
  g_usleep (1000);
  sui_test_wait_until (window_idle, window, 20000);
  g_test_message ("match: %s", sui_draw_window_get_match_text (window));
  g_assert_nonnull (strstr (sui_draw_window_get_match_text (window),
                            _("Verified on this computer: the match record re-runs to the same "
                              "teams and result hash.")));

  /* Two inspectors of one object swap places behind the daemon: the record no longer holds. */
  g_free (sql);
  sql = g_strdup_printf ("set session_replication_role = replica; "
                         "update draw_stratum set drawn = drawn[2:2] || drawn[1:1] || drawn[3:] "
                         "where draw_id = %" G_GINT64_FORMAT " and name = (select min (name) "
                         "from draw_stratum where draw_id = %" G_GINT64_FORMAT ")",
                         match_id, match_id);
  g_free (out);
  out = sui_test_daemon_psql (test_daemon, sql);
  sui_draw_window_reload (window);
  sui_test_wait_until (window_idle, window, 10000);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "draw.verify-match", NULL));
  g_usleep (1000);
  sui_test_wait_until (window_idle, window, 20000);
  g_test_message ("match after tampering: %s", sui_draw_window_get_match_text (window));
  g_assert_nonnull (strstr (sui_draw_window_get_match_text (window),
                            _("Verification on this computer did not pass.")));

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

int
main (int   argc,
      char *argv[])
{
  static const char * const args[] = {
    "--unit", "dtest:direct:测试区烟草专卖局",
    "--user", "sup_d:supervisor:dtest:" PASSWORD ":王芳",
    "--unit", "mtest:direct:核验区烟草专卖局",
    "--user", "sup_m:supervisor:mtest:" PASSWORD ":李强",
    NULL
  };
  int status;

  if (sui_test_skip_without_display ())
    return 0;

  gtk_test_init (&argc, &argv, NULL);
  sui_i18n_init ();
  adw_init ();

  g_test_add_func ("/draw-window/run-verify-tamper", test_run_and_verify);
  g_test_add_func ("/draw-window/match-verified-here", test_match_verified_here);

  test_daemon = sui_test_daemon_new (args);
  status = g_test_run ();
  g_clear_pointer (&test_daemon, sui_test_daemon_free);

  return status;
}
