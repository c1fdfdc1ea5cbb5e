/* test-joint-dialog.c: the joint-task assistant against the real daemon
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A lead unit's supervisor invites two departments through the dialog and removes one; the
 * department's supervisor fills in its part (an item of its own list when the server has
 * item lists, the inspectors per object, a note), meets a refused note and a stale version,
 * saves and confirms, all through the widgets; the server's record is checked after every
 * step, and the lead's dialog follows the department's changes through /events.  The
 * administrator sees the same arrangement read-only.
 */
#include "sui-config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "sui-events-client.h"
#include "sui-i18n.h"
#include "sui-joint-dialog.h"
#include "sui-rpc-client.h"
#include "sui-test-daemon.h"

#define PASSWORD "Test@2026x"

static SuiTestDaemon *test_daemon;
static gint64 task_id;
static gboolean have_items;

static JsonNode *
try_call (const char  *token,
          const char  *method,
          const char  *params,
          GError     **error)
{
  return sui_test_daemon_rpc_full (test_daemon, token, method, params, NULL, error);
}

static JsonObject *
call_as (const char *token,
         const char *method,
         const char *params)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = try_call (token, method, params, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return json_object_ref (json_node_get_object (node));
}

static char *
login (const char *who)
{
  return sui_test_daemon_login (test_daemon, who, PASSWORD);
}

static gboolean
dialog_idle (gpointer data)
{
  return !sui_joint_dialog_get_busy (SUI_JOINT_DIALOG (data));
}

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

static void
settle (SuiJointDialog *dialog)
{
  spin (50);
  sui_test_wait_until (dialog_idle, dialog, 20000);
}

/* Open every part's row, so that the picture shows what is inside. */
static void
expand_all (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (ADW_IS_EXPANDER_ROW (child))
        adw_expander_row_set_expanded (ADW_EXPANDER_ROW (child), TRUE);
      expand_all (child);
    }
}

/* With SUI_TEST_SHOT_DIR set: the window as GTK draws it, and the whole X screen. */
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
  g_autofree char *command = NULL;
  graphene_rect_t bounds = GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (widget),
                                               gtk_widget_get_height (widget));

  if (dir == NULL)
    return;

  expand_all (widget);
  spin (400);
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, bounds.size.width, bounds.size.height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)), node,
                                         &bounds);
  path = g_strdup_printf ("%s/%s.png", dir, name);
  gdk_texture_save_to_png (texture, path);
  command = g_strdup_printf ("import -window root %s/%s-screen.png", dir, name);
  g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
}

static GtkScrolledWindow *
find_scrolled (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkScrolledWindow *found;

      if (GTK_IS_SCROLLED_WINDOW (child) && gtk_widget_get_mapped (child))
        return GTK_SCROLLED_WINDOW (child);
      if ((found = find_scrolled (child)) != NULL)
        return found;
    }
  return NULL;
}

/* The top of the window, then its bottom. */
static void
shoot_both (GtkWidget  *widget,
            const char *name)
{
  g_autofree char *bottom = g_strdup_printf ("%s-bottom", name);
  GtkScrolledWindow *scrolled;
  GtkAdjustment *adj;

  if (g_getenv ("SUI_TEST_SHOT_DIR") == NULL)
    return;
  shoot (widget, name);
  scrolled = find_scrolled (widget);
  if (scrolled == NULL)
    return;
  adj = gtk_scrolled_window_get_vadjustment (scrolled);
  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj));
  shoot (widget, bottom);
  gtk_adjustment_set_value (adj, 0);
}

static JsonObject *
whoami (const char *token)
{
  g_autoptr(JsonObject) me = call_as (token, "auth.whoami", "{}");

  return json_object_ref (json_object_get_object_member (me, "user"));
}

static JsonObject *
departments (const char *token)
{
  g_autofree char *params = g_strdup_printf ("{\"task_id\":%" G_GINT64_FORMAT "}", task_id);

  return call_as (token, "tasks.departments", params);
}

static JsonObject *
part_of (JsonObject *data,
         gint64      unit_id)
{
  JsonArray *parts = json_object_get_array_member (data, "departments");

  for (guint i = 0; i < json_array_get_length (parts); i++)
    {
      JsonObject *part = json_array_get_object_element (parts, i);

      if (json_object_get_int_member (part, "unit_id") == unit_id)
        return part;
    }
  return NULL;
}

/* An item of the supervisor's own list, claimed from the catalogue when the list is empty;
 * NULL when the server has no item lists yet. */
static JsonObject *
own_item (const char *token)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = try_call (token, "items.list", "{}", &error);
  JsonArray *items;

  if (node == NULL)
    {
      g_test_message ("items.list: %s (item lists not on this server)", error->message);
      return NULL;
    }
  items = json_object_get_array_member (json_node_get_object (node), "items");
  if (json_array_get_length (items) == 0)
    {
      g_autoptr(JsonObject) catalogue = call_as (token, "catalogue.list", "{}");
      JsonArray *entries = json_object_get_array_member (catalogue, "items");
      g_autofree char *params = NULL;
      g_autoptr(JsonObject) claimed = NULL;

      g_assert_cmpuint (json_array_get_length (entries), >, 0);
      params = g_strdup_printf ("{\"catalogue_id\":%" G_GINT64_FORMAT "}",
                                json_object_get_int_member (json_array_get_object_element (entries, 0),
                                                            "id"));
      claimed = call_as (token, "items.claim", params);
      return g_steal_pointer (&claimed);
    }
  return json_object_ref (json_array_get_object_element (items, 0));
}

static const char *
off_site_method (JsonObject *item)
{
  JsonArray *methods = json_object_get_array_member (item, "methods");

  for (guint i = 0; i < json_array_get_length (methods); i++)
    if (g_strcmp0 (json_array_get_string_element (methods, i), "on_site") != 0)
      return json_array_get_string_element (methods, i);
  return NULL;
}

static void
make_task (void)
{
  g_autofree char *sup = login ("sup_xh");
  g_autoptr(JsonObject) plan = NULL;
  g_autoptr(JsonObject) task = NULL;
  g_autoptr(JsonObject) item = own_item (sup);
  g_autofree char *items = NULL;
  g_autofree char *params = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *out = NULL;

  have_items = item != NULL;
  if (item != NULL)
    {
      const char *method = off_site_method (item);

      items = method != NULL
              ? g_strdup_printf ("[{\"item_id\":%" G_GINT64_FORMAT ",\"method\":\"%s\"}]",
                                 json_object_get_int_member (item, "id"), method)
              : g_strdup_printf ("[{\"item_id\":%" G_GINT64_FORMAT ",\"method\":\"on_site\"}]",
                                 json_object_get_int_member (item, "id"));
    }
  else
    items = g_strdup ("[\"亮证经营及许可证信息一致\"]");

  plan = call_as (sup, "plans.create", "{\"year\":2027,\"title\":\"2027年度随机抽查计划\"}");
  params = g_strdup_printf ("{\"plan_id\":%" G_GINT64_FORMAT ",\"name\":\"卷烟零售户联合检查\","
                            "\"items\":%s,\"window_start\":\"2027-03-01\","
                            "\"window_end\":\"2027-05-31\",\"deadline\":\"2027-06-30\"}",
                            json_object_get_int_member (plan, "id"), items);
  task = call_as (sup, "tasks.create", params);
  task_id = json_object_get_int_member (task, "id");

  /* Inspectors on duty: four of the lead's, three of 市场监督管理局, one of 卫健委. */
  sql = g_strdup_printf ("insert into inspector (name, unit_id, cert_no, cert_valid_from,"
                         " cert_valid_until, status)"
                         " select u.code || '检查员' || g, u.id, 'JD' || u.code || g,"
                         " '2020-01-01', '2099-12-31', 'on_duty'"
                         " from unit u, generate_series (1, 4) g"
                         " where (u.id = %" G_GINT64_FORMAT " and g <= 4)"
                         "    or (u.id = %" G_GINT64_FORMAT " and g <= 3)"
                         "    or (u.id = %" G_GINT64_FORMAT " and g <= 1)",
                         sui_test_daemon_get_unit_id (test_daemon, "xh"),
                         sui_test_daemon_get_unit_id (test_daemon, "scjg"),
                         sui_test_daemon_get_unit_id (test_daemon, "wsj"));
  out = sui_test_daemon_psql (test_daemon, sql);
  g_test_message ("inspectors: %s", out);
}

/* A part's share as the dialog words it. */
static char *
share (int  per_object,
       int  team,
       int  percent,
       guint items,
       guint all_items)
{
  return g_strdup_printf (_("%d of %d inspectors at each object (%d %%), %u of %u items"),
                          per_object, team, percent, items, all_items);
}

static gboolean
zh (void)
{
  const char *lang = g_getenv ("LANG");

  return lang != NULL && g_str_has_prefix (lang, "zh_CN");
}

typedef struct
{
  SuiJointDialog *dialog;
  gint64 unit_id;
  const char *text;
} Wait;

static gboolean
share_contains (gpointer data)
{
  Wait *w = data;
  const char *share = sui_joint_dialog_get_part_share (w->dialog, w->unit_id);

  return !sui_joint_dialog_get_busy (w->dialog) && share != NULL && strstr (share, w->text);
}

static gboolean
state_is (gpointer data)
{
  Wait *w = data;

  return !sui_joint_dialog_get_busy (w->dialog) &&
         g_strcmp0 (sui_joint_dialog_get_part_state (w->dialog, w->unit_id), w->text) == 0;
}

static SuiJointDialog *
open_dialog (SuiRpcClient    *client,
             SuiEventsClient *events,
             JsonObject      *user)
{
  SuiJointDialog *dialog = g_object_ref (sui_joint_dialog_new (NULL, client, events, user,
                                                               task_id));

  gtk_window_set_default_size (GTK_WINDOW (dialog), 900, 780);
  settle (dialog);
  return dialog;
}

static void
close_dialog (SuiJointDialog *dialog)
{
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_finalize_object (dialog);
}

/* The confirmation the remove button asks for, answered as a user would. */
static void
answer_message_dialog (GtkWindow  *parent,
                       const char *response)
{
  GListModel *toplevels = gtk_window_get_toplevels ();  /* owned by GTK */

  spin (100);
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (w) && gtk_window_get_transient_for (w) == parent)
        {
          adw_message_dialog_response (ADW_MESSAGE_DIALOG (w), response);
          gtk_window_destroy (w);
          return;
        }
    }
  g_assert_not_reached ();
}

static void
test_lead_invites (void)
{
  g_autofree char *sup = login ("sup_xh");
  g_autoptr(SuiRpcClient) client = sui_rpc_client_new (sui_test_daemon_get_url (test_daemon));
  g_autoptr(JsonObject) user = whoami (sup);
  g_autoptr(JsonObject) data = NULL;
  gint64 scjg = sui_test_daemon_get_unit_id (test_daemon, "scjg");
  gint64 wsj = sui_test_daemon_get_unit_id (test_daemon, "wsj");
  g_autofree char *expected = NULL;
  SuiJointDialog *dialog;
  JsonObject *part;

  sui_rpc_client_set_token (client, sup);
  dialog = open_dialog (client, NULL, user);
  g_assert_cmpint (sui_joint_dialog_get_mode (dialog), ==, SUI_JOINT_MODE_LEAD);
  g_assert_nonnull (sui_joint_dialog_get_data (dialog));
  /* Not joint yet: the lead's share is the whole visit. */
  g_test_message ("lead share: %s",
                  sui_joint_dialog_get_part_share (dialog,
                                                   sui_test_daemon_get_unit_id (test_daemon, "xh")));
  expected = share (2, 2, 100, 1, 1);
  g_assert_cmpstr (sui_joint_dialog_get_part_share (dialog,
                                                    sui_test_daemon_get_unit_id (test_daemon, "xh")),
                   ==, expected);
  if (zh ())
    g_assert_cmpstr (expected, ==, "每个对象 2 名检查人员中占 2 名（100%），事项 1 项中占 1 项");
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (dialog), "joint.save", NULL) &&
                  sui_joint_dialog_get_busy (dialog));

  /* Invite 市场监督管理局 with three inspectors at each object. */
  g_assert_true (sui_joint_dialog_choose_candidate (dialog, scjg));
  sui_joint_dialog_set_invite_inspectors (dialog, 3);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "joint.invite", NULL));
  settle (dialog);
  data = departments (sup);
  part = part_of (data, scjg);
  g_assert_nonnull (part);
  g_assert_cmpint (json_object_get_int_member (part, "inspectors_per_object"), ==, 3);
  g_assert_false (json_object_get_boolean_member (part, "confirmed"));
  g_assert_cmpstr (sui_joint_dialog_get_part_state (dialog, scjg), ==, _("To be filled in"));
  if (zh ())
    g_assert_cmpstr (sui_joint_dialog_get_part_state (dialog, scjg), ==, "待填写");
  /* Lead 2 + department 3: the department sends three of the five at each object. */
  g_test_message ("share: %s", sui_joint_dialog_get_part_share (dialog, scjg));
  g_free (expected);
  expected = share (3, 5, 60, 0, 1);
  g_assert_cmpstr (sui_joint_dialog_get_part_share (dialog, scjg), ==, expected);
  /* Once invited it is no longer a candidate. */
  g_assert_false (sui_joint_dialog_choose_candidate (dialog, scjg));

  /* Invite 卫健委 too, then remove it again through the confirmation. */
  g_assert_true (sui_joint_dialog_choose_candidate (dialog, wsj));
  sui_joint_dialog_set_invite_inspectors (dialog, 2);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "joint.invite", NULL));
  settle (dialog);
  g_clear_pointer (&data, json_object_unref);
  data = departments (sup);
  g_assert_nonnull (part_of (data, wsj));
  /* One inspector on duty for two per object: the dialog warns before any match fails. */
  shoot (GTK_WIDGET (dialog), "joint-lead-two");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "joint.remove-department",
                                             "x", wsj));
  answer_message_dialog (GTK_WINDOW (dialog), "remove");
  settle (dialog);
  g_clear_pointer (&data, json_object_unref);
  data = departments (sup);
  g_assert_null (part_of (data, wsj));
  g_assert_nonnull (part_of (data, scjg));
  g_assert_null (sui_joint_dialog_get_part_state (dialog, wsj));
  g_assert_true (sui_joint_dialog_choose_candidate (dialog, wsj));
  g_test_message ("after removal: %s", sui_joint_dialog_get_last_message (dialog));

  shoot_both (GTK_WIDGET (dialog), "joint-lead");
  close_dialog (dialog);
}

static gboolean
events_connected (gpointer data)
{
  return sui_events_client_get_connected (SUI_EVENTS_CLIENT (data));
}

static void
test_department_fills_in (void)
{
  g_autofree char *sup = login ("sup_sc");
  g_autofree char *lead_token = login ("sup_xh");
  g_autoptr(SuiRpcClient) client = sui_rpc_client_new (sui_test_daemon_get_url (test_daemon));
  g_autoptr(SuiRpcClient) lead_client = sui_rpc_client_new (sui_test_daemon_get_url (test_daemon));
  g_autoptr(SuiEventsClient) lead_events = NULL;
  g_autoptr(JsonObject) user = whoami (sup);
  g_autoptr(JsonObject) lead_user = whoami (lead_token);
  g_autoptr(JsonObject) data = NULL;
  g_autoptr(JsonObject) item = own_item (sup);
  g_autofree char *long_note = NULL;
  g_autofree char *expected = NULL;
  gint64 scjg = sui_test_daemon_get_unit_id (test_daemon, "scjg");
  SuiJointDialog *dialog;
  SuiJointDialog *lead;
  JsonObject *part;
  gint64 version;
  Wait w;

  sui_rpc_client_set_token (client, sup);
  sui_rpc_client_set_token (lead_client, lead_token);

  /* The lead watches with the /events feed. */
  lead_events = sui_events_client_new (sui_test_daemon_get_url (test_daemon), lead_token);
  sui_events_client_start (lead_events);
  sui_test_wait_until (events_connected, lead_events, 10000);
  lead = open_dialog (lead_client, lead_events, lead_user);

  dialog = open_dialog (client, NULL, user);
  g_assert_cmpint (sui_joint_dialog_get_mode (dialog), ==, SUI_JOINT_MODE_PARTNER);
  data = departments (sup);
  version = json_object_get_int_member (part_of (data, scjg), "version");

  /* A note too long for the server: its message shows at the note, nothing changes. */
  long_note = g_strnfill (2001, 'x');
  sui_joint_dialog_set_note (dialog, long_note);
  g_assert_true (sui_joint_dialog_get_dirty (dialog));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "joint.save", NULL));
  settle (dialog);
  g_test_message ("note error: %s", sui_joint_dialog_get_field_error (dialog, "note"));
  g_assert_nonnull (sui_joint_dialog_get_field_error (dialog, "note"));
  if (zh ())
    g_assert_nonnull (strstr (sui_joint_dialog_get_field_error (dialog, "note"), "2000"));
  g_clear_pointer (&data, json_object_unref);
  data = departments (sup);
  g_assert_cmpint (json_object_get_int_member (part_of (data, scjg), "version"), ==, version);

  /* The part as the department means it: an item of its list (checked off site when the
   * item allows it), four inspectors at each object, a note. */
  if (item != NULL)
    {
      const char *method = off_site_method (item);

      g_assert_cmpuint (sui_joint_dialog_get_n_items_offered (dialog), >, 0);
      if (method != NULL)
        {
          /* On site with no reason while the item allows off site: refused at the item,
           * before anything is sent. */
          g_assert_true (sui_joint_dialog_choose_item (dialog,
                                                       json_object_get_int_member (item, "id"),
                                                       "on_site", NULL));
          g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "joint.save", NULL));
          settle (dialog);
          g_test_message ("reason missing: %s", sui_joint_dialog_get_field_error (dialog, "items"));
          g_assert_nonnull (sui_joint_dialog_get_field_error (dialog, "items"));
          g_clear_pointer (&data, json_object_unref);
          data = departments (sup);
          g_assert_cmpint (json_object_get_int_member (part_of (data, scjg), "version"), ==,
                           version);
        }
      g_assert_true (sui_joint_dialog_choose_item (dialog, json_object_get_int_member (item, "id"),
                                                   method != NULL ? method : "on_site",
                                                   method != NULL ? NULL : "须现场核对"));
    }
  else
    g_test_message ("UNTESTED: choosing items (the server has no item lists yet)");
  sui_joint_dialog_set_inspectors_per_object (dialog, 4);
  sui_joint_dialog_set_note (dialog, "负责价格、计量");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "joint.save", NULL));
  settle (dialog);
  g_test_message ("after save: %s", sui_joint_dialog_get_last_message (dialog));
  g_assert_null (sui_joint_dialog_get_field_error (dialog, "note"));
  g_assert_false (sui_joint_dialog_get_dirty (dialog));
  g_clear_pointer (&data, json_object_unref);
  data = departments (sup);
  part = part_of (data, scjg);
  g_assert_cmpint (json_object_get_int_member (part, "version"), ==, version + 1);
  g_assert_cmpint (json_object_get_int_member (part, "inspectors_per_object"), ==, 4);
  g_assert_cmpstr (json_object_get_string_member (part, "note"), ==, "负责价格、计量");
  if (item != NULL)
    {
      JsonArray *items = json_object_get_array_member (part, "items");

      g_assert_cmpuint (json_array_get_length (items), ==, 1);
      g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (items, 0),
                                                   "item_id"),
                       ==, json_object_get_int_member (item, "id"));
      g_assert_cmpstr (sui_joint_dialog_get_part_state (dialog, scjg), ==,
                       _("Awaiting confirmation"));
      if (zh ())
        g_assert_cmpstr (sui_joint_dialog_get_part_state (dialog, scjg), ==, "待确认");
    }
  version++;

  /* The lead's dialog follows through /events: 2 + 4 at each object now. */
  w.dialog = lead;
  w.unit_id = scjg;
  expected = share (4, 6, 67, item != NULL ? 1 : 0, 1 + (item != NULL ? 1 : 0));
  w.text = expected;
  sui_test_wait_until (share_contains, &w, 10000);
  g_test_message ("lead sees: %s", sui_joint_dialog_get_part_share (lead, scjg));

  /* Someone else saves first: the stale save is refused, the form reloads and says so. */
  {
    g_autofree char *params =
      g_strdup_printf ("{\"task_id\":%" G_GINT64_FORMAT ",\"unit_id\":%" G_GINT64_FORMAT ","
                       "\"version\":%" G_GINT64_FORMAT ",\"note\":\"同事先改的备注\"}",
                       task_id, scjg, version);
    g_autoptr(JsonObject) other = call_as (sup, "tasks.update_department", params);

    g_assert_cmpint (json_object_get_int_member (other, "version"), ==, version + 1);
    version++;
  }
  sui_joint_dialog_set_note (dialog, "我的修改");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "joint.save", NULL));
  settle (dialog);
  g_test_message ("conflict: %s", sui_joint_dialog_get_last_message (dialog));
  g_assert_false (sui_joint_dialog_get_dirty (dialog));
  if (zh ())
    g_assert_nonnull (strstr (sui_joint_dialog_get_last_message (dialog), "他人修改"));
  g_clear_pointer (&data, json_object_unref);
  data = departments (sup);
  g_assert_cmpstr (json_object_get_string_member (part_of (data, scjg), "note"), ==,
                   "同事先改的备注");
  g_assert_cmpint (json_object_get_int_member (part_of (data, scjg), "version"), ==, version);

  /* Confirm. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "joint.confirm", NULL));
  settle (dialog);
  g_test_message ("confirm: %s", sui_joint_dialog_get_last_message (dialog));
  g_clear_pointer (&data, json_object_unref);
  data = departments (sup);
  part = part_of (data, scjg);
  if (item != NULL)
    {
      g_assert_true (json_object_get_boolean_member (part, "confirmed"));
      g_assert_true (json_object_get_boolean_member (data, "all_confirmed"));
      g_assert_cmpstr (sui_joint_dialog_get_part_state (dialog, scjg), ==, _("Confirmed"));
      if (zh ())
        g_assert_cmpstr (sui_joint_dialog_get_part_state (dialog, scjg), ==, "已确认");
      /* ... and the lead sees it confirmed without reloading by hand. */
      w.text = _("Confirmed");
      sui_test_wait_until (state_is, &w, 10000);
    }
  else
    {
      /* No items, nothing to confirm: the server's message shows at the items. */
      g_assert_false (json_object_get_boolean_member (part, "confirmed"));
      g_assert_nonnull (sui_joint_dialog_get_field_error (dialog, "items"));
      g_test_message ("items error: %s", sui_joint_dialog_get_field_error (dialog, "items"));
      g_test_message ("UNTESTED: a successful confirmation (needs item lists on the server)");
    }

  shoot_both (GTK_WIDGET (dialog), "joint-department");
  shoot (GTK_WIDGET (lead), "joint-lead-live");
  close_dialog (dialog);
  close_dialog (lead);
  sui_events_client_stop (lead_events);
}

static void
test_admin_reads (void)
{
  g_autofree char *admin = sui_test_daemon_login (test_daemon, "admin",
                                                  sui_test_daemon_get_password (test_daemon,
                                                                                "admin"));
  g_autoptr(SuiRpcClient) client = sui_rpc_client_new (sui_test_daemon_get_url (test_daemon));
  gint64 scjg = sui_test_daemon_get_unit_id (test_daemon, "scjg");
  SuiJointDialog *dialog;

  sui_rpc_client_set_token (client, admin);
  /* No user given: the dialog asks auth.whoami. */
  dialog = open_dialog (client, NULL, NULL);
  g_assert_cmpint (sui_joint_dialog_get_mode (dialog), ==, SUI_JOINT_MODE_READ_ONLY);
  g_assert_nonnull (sui_joint_dialog_get_part_state (dialog, scjg));
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (dialog), "joint.invite", NULL) &&
                  sui_joint_dialog_get_busy (dialog));
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (dialog), "joint.confirm", NULL) &&
                  sui_joint_dialog_get_busy (dialog));
  shoot_both (GTK_WIDGET (dialog), "joint-admin");
  close_dialog (dialog);

  /* A unit that takes no part is told so, in words. */
  {
    g_autofree char *other = login ("sup_yh");

    sui_rpc_client_set_token (client, other);
    dialog = open_dialog (client, NULL, NULL);
    g_assert_cmpint (sui_joint_dialog_get_mode (dialog), ==, SUI_JOINT_MODE_UNKNOWN);
    g_assert_nonnull (sui_joint_dialog_get_last_message (dialog));
    g_test_message ("outsider: %s", sui_joint_dialog_get_last_message (dialog));
    close_dialog (dialog);
  }
}

int
main (int   argc,
      char *argv[])
{
  static const char * const args[] = {
    "--unit", "xh:direct:新华区烟草专卖局",
    "--unit", "yh:direct:裕华区烟草专卖局",
    "--unit", "scjg:department:市场监督管理局",
    "--unit", "wsj:department:卫生健康委员会",
    "--user", "sup_xh:supervisor:xh:" PASSWORD ":李明",
    "--user", "sup_yh:supervisor:yh:" PASSWORD ":赵强",
    "--user", "sup_sc:supervisor:scjg:" PASSWORD ":王芳",
    "--user", "sup_ws:supervisor:wsj:" PASSWORD ":陈静",
    NULL
  };
  int status;

  if (sui_test_skip_without_display ())
    return 0;

  gtk_test_init (&argc, &argv, NULL);
  sui_i18n_init ();
  adw_init ();

  /* The cases build on each other: one task, invited, filled in, then read. */
  g_test_add_func ("/joint-dialog/lead-invites", test_lead_invites);
  g_test_add_func ("/joint-dialog/department-fills-in", test_department_fills_in);
  g_test_add_func ("/joint-dialog/admin-reads", test_admin_reads);

  test_daemon = sui_test_daemon_new (args);
  make_task ();
  status = g_test_run ();
  g_clear_pointer (&test_daemon, sui_test_daemon_free);

  return status;
}
