/* test-tags-page.c: the tag library page offers a supervisor only what they may change
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * City-wide groups are the administrators'; a supervisor sees them with nothing to change
 * and a note saying whose they are, while their own unit's groups can be edited.
 */
#include "sui-config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "sui-i18n.h"
#include "sui-json.h"
#include "sui-rpc-client.h"
#include "sui-tags-page.h"
#include "sui-test-daemon.h"

#define PASSWORD "Test@2026x"

static SuiTestDaemon *test_daemon;

typedef struct
{
  SuiRpcClient *client;
  GtkWindow *window;
  SuiTagsPage *page;
  char *token;
  char *city_group;
  char *own_group;
} Fixture;

/* The group list: the first list box, on the left. */
static GtkListBox *
group_list (Fixture *f)
{
  return GTK_LIST_BOX (sui_test_find_widget (GTK_WIDGET (f->page), GTK_TYPE_LIST_BOX));
}

static GtkListBoxRow *
group_row (Fixture    *f,
           const char *name)
{
  for (int i = 0;; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (group_list (f), i);
      JsonObject *group;

      if (row == NULL)
        return NULL;
      group = g_object_get_data (G_OBJECT (row), "group");
      if (group != NULL && g_strcmp0 (sui_json_get_string (group, "name"), name) == 0)
        return row;
    }
}

static gboolean
groups_shown (gpointer data)
{
  Fixture *f = data;

  return group_row (f, f->city_group) != NULL && group_row (f, f->own_group) != NULL;
}

static void
make_group (const char *token,
            const char *name)
{
  g_autofree char *params = g_strdup_printf ("{\"name\":\"%s\",\"applies_to\":\"objects\"}",
                                             name);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) group = sui_test_daemon_rpc_full (test_daemon, token, "tags.create_group",
                                                        params, NULL, &error);
  g_autofree char *tag = NULL;
  g_autoptr(JsonNode) made = NULL;

  g_assert_no_error (error);
  tag = g_strdup_printf ("{\"group_id\":%" G_GINT64_FORMAT ",\"name\":\"%s标签\"}",
                         json_object_get_int_member (json_node_get_object (group), "id"), name);
  made = sui_test_daemon_rpc_full (test_daemon, token, "tags.create", tag, NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  static guint serial;
  g_autofree char *admin = sui_test_daemon_login (test_daemon, "admin",
                                                  sui_test_daemon_get_password (test_daemon,
                                                                                "admin"));

  serial++;
  f->city_group = g_strdup_printf ("全市分组%u", serial);
  f->own_group = g_strdup_printf ("本单位分组%u", serial);
  f->token = sui_test_daemon_login (test_daemon, "sup", PASSWORD);
  make_group (admin, f->city_group);
  make_group (f->token, f->own_group);

  f->client = sui_test_daemon_client (test_daemon, f->token);
  f->page = g_object_ref (sui_tags_page_new (f->client, NULL, FALSE));
  f->window = sui_test_show (GTK_WIDGET (f->page));
  sui_test_wait_until (groups_shown, f, 20000);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  sui_test_close (f->window);
  g_assert_finalize_object (f->page);
  g_assert_finalize_object (f->client);
  g_free (f->token);
  g_free (f->city_group);
  g_free (f->own_group);
}

static GtkWidget *
find_by_action (GtkWidget  *widget,
                const char *action)
{
  if (GTK_IS_ACTIONABLE (widget) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_by_action (child, action);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* How many of the tag rows offer buttons (edit, retire). */
static guint
rows_with_buttons (Fixture *f)
{
  GtkWidget *tags = GTK_WIDGET (sui_tags_page_get_tag_list (f->page));
  guint n = 0;

  for (GtkWidget *row = gtk_widget_get_first_child (tags); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (sui_test_find_widget (row, GTK_TYPE_BUTTON) != NULL)
      n++;
  return n;
}

static void
test_city_wide_read_only (Fixture       *f,
                          gconstpointer  data)
{
  GtkWidget *new_tag = find_by_action (GTK_WIDGET (f->page), "tags.new-tag");
  GtkWidget *note = GTK_WIDGET (sui_tags_page_get_owner_note (f->page));

  g_assert_nonnull (new_tag);

  gtk_list_box_select_row (group_list (f), group_row (f, f->city_group));
  g_assert_false (gtk_widget_is_sensitive (new_tag));
  g_assert_true (gtk_widget_get_visible (note));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (note)), ==,
                   "此分组为全市通用，由市局管理员维护；本单位可在自建的分组中添加标签。");
  g_assert_cmpuint (rows_with_buttons (f), ==, 0);

  gtk_list_box_select_row (group_list (f), group_row (f, f->own_group));
  g_assert_true (gtk_widget_is_sensitive (new_tag));
  g_assert_false (gtk_widget_get_visible (note));
  g_assert_cmpuint (rows_with_buttons (f), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  static const char * const args[] = {
    "--unit", "changan:direct:长安区烟草专卖局",
    "--user", "sup:supervisor:changan:" PASSWORD ":张伟",
    NULL
  };
  int status;

  if (sui_test_skip_without_display ())
    return 0;

  gtk_test_init (&argc, &argv, NULL);
  sui_i18n_init ();
  adw_init ();

  g_test_add ("/tags-page/city-wide-read-only", Fixture, NULL,
              fixture_setup, test_city_wide_read_only, fixture_teardown);

  test_daemon = sui_test_daemon_new (args);
  status = g_test_run ();
  g_clear_pointer (&test_daemon, sui_test_daemon_free);

  return status;
}
