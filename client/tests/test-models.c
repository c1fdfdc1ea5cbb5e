/* test-models.c: users and the unit tree built from server records
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sui-config.h"

#include "sui-unit.h"
#include "sui-user.h"

static JsonNode *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  return node;
}

static void
test_user (void)
{
  g_autoptr(JsonNode) node = parse ("{\"id\":7,\"login\":\"sup_changan\",\"name\":\"张伟\","
                                    "\"role\":\"supervisor\",\"unit_id\":\"3\","
                                    "\"unit_name\":\"长安区烟草专卖局\",\"disabled\":true,"
                                    "\"version\":4,\"extra\":null}");
  SuiUser *user = sui_user_new_from_json (json_node_get_object (node));
  g_autofree char *role_label = NULL;
  g_autofree char *status = NULL;

  g_assert_cmpint (sui_user_get_id (user), ==, 7);
  g_assert_cmpint (sui_user_get_unit_id (user), ==, 3);
  g_assert_cmpint (sui_user_get_version (user), ==, 4);
  g_assert_cmpstr (sui_user_get_login (user), ==, "sup_changan");
  g_assert_true (sui_user_get_disabled (user));
  g_object_get (user, "role-label", &role_label, "status-label", &status, NULL);
  g_assert_cmpstr (role_label, ==, "Supervisor");
  g_assert_cmpstr (status, ==, "Disabled");

  g_assert_true (sui_user_matches (user, NULL));
  g_assert_true (sui_user_matches (user, "CHANGAN"));
  g_assert_true (sui_user_matches (user, "张"));
  g_assert_false (sui_user_matches (user, "xinhua"));

  g_assert_finalize_object (user);
}

static void
test_user_missing_members (void)
{
  g_autoptr(JsonNode) node = parse ("{\"id\":1}");
  SuiUser *user = sui_user_new_from_json (json_node_get_object (node));

  g_assert_cmpstr (sui_user_get_login (user), ==, "");
  g_assert_false (sui_user_get_disabled (user));
  g_assert_true (sui_user_matches (user, ""));
  g_assert_finalize_object (user);
}

static void
test_unit_tree (void)
{
  /* Children may come before their parents; an unknown parent makes a root. */
  g_autoptr(JsonNode) node =
    parse ("[{\"id\":2,\"parent_id\":1,\"code\":\"changan\",\"name\":\"长安\","
           "\"kind\":\"direct\"},"
           "{\"id\":1,\"parent_id\":null,\"code\":\"sjz\",\"name\":\"市局\",\"kind\":\"bureau\"},"
           "{\"id\":3,\"parent_id\":2,\"code\":\"a\",\"name\":\"所\",\"kind\":\"direct\"},"
           "{\"id\":4,\"parent_id\":99,\"code\":\"b\",\"name\":\"孤\","
           "\"kind\":\"department\"}]");
  g_autoptr(GListStore) flat = g_list_store_new (SUI_TYPE_UNIT);
  g_autoptr(GListStore) roots = sui_unit_build_tree (json_node_get_array (node), flat);
  g_autoptr(SuiUnit) first = NULL;
  g_autoptr(SuiUnit) child = NULL;
  g_autoptr(SuiUnit) deepest = NULL;
  g_autofree char *title = NULL;
  static const gint64 order[] = { 1, 2, 3, 4 };

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (roots)), ==, 2);
  first = g_list_model_get_item (G_LIST_MODEL (roots), 0);
  g_assert_cmpint (sui_unit_get_id (first), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (sui_unit_get_children (first))), ==, 1);
  child = g_list_model_get_item (G_LIST_MODEL (sui_unit_get_children (first)), 0);
  g_assert_cmpint (sui_unit_get_id (child), ==, 2);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (flat)), ==, 4);
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      g_autoptr(SuiUnit) unit = g_list_model_get_item (G_LIST_MODEL (flat), i);

      g_assert_cmpint (sui_unit_get_id (unit), ==, order[i]);
    }

  deepest = g_list_model_get_item (G_LIST_MODEL (flat), 2);
  g_assert_cmpuint (sui_unit_get_depth (deepest), ==, 2);
  g_object_get (deepest, "title", &title, NULL);
  g_assert_cmpstr (title, ==, "    所");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/models/user", test_user);
  g_test_add_func ("/models/user-missing-members", test_user_missing_members);
  g_test_add_func ("/models/unit-tree", test_unit_tree);

  return g_test_run ();
}
