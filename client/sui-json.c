/* sui-json.c: small helpers to read records the server sends
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Lenient on purpose: a missing or null member reads as empty, so that a newer server adding
 * or dropping an optional member does not break the client.
 */
#include "sui-config.h"

#include <glib/gi18n.h>

#include "sui-json.h"

/* Ids may come as numbers or as strings (bigint ids travel as strings in events). */
gint64
sui_json_get_id (JsonObject *object,
                 const char *member)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL ||
      !JSON_NODE_HOLDS_VALUE (node))
    return 0;

  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_ascii_strtoll (json_node_get_string (node), NULL, 10);
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);

  return 0;
}

const char *
sui_json_get_string (JsonObject *object,
                     const char *member)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL ||
      !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return "";

  return json_node_get_string (node);
}

gboolean
sui_json_get_bool (JsonObject *object,
                   const char *member)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL ||
      !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return FALSE;

  return json_node_get_boolean (node);
}

gint64
sui_json_get_int (JsonObject *object,
                  const char *member)
{
  return sui_json_get_id (object, member);
}

const char *
sui_role_to_label (const char *role)
{
  if (g_strcmp0 (role, "admin") == 0)
    return _("Administrator");
  if (g_strcmp0 (role, "supervisor") == 0)
    return _("Supervisor");
  if (g_strcmp0 (role, "inspector") == 0)
    return _("Inspector");

  return role != NULL ? role : "";
}

const char *
sui_kind_to_label (const char *kind)
{
  if (g_strcmp0 (kind, "bureau") == 0)
    return _("Municipal bureau");
  if (g_strcmp0 (kind, "direct") == 0)
    return _("Direct unit");
  if (g_strcmp0 (kind, "department") == 0)
    return _("Partner department");

  return kind != NULL ? kind : "";
}

/* The time the server wrote (ISO 8601, with microseconds and offset) as people read it, in
 * local time to the second: "2026-03-01 09:30:05". Empty for none; the text itself when it is
 * not a time. */
char *
sui_json_format_time (JsonObject *object,
                      const char *member)
{
  const char *iso = sui_json_get_string (object, member);
  g_autoptr(GDateTime) t = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (*iso == '\0')
    return g_strdup ("");
  t = g_date_time_new_from_iso8601 (iso, NULL);
  if (t == NULL)
    return g_strdup (iso);
  local = g_date_time_to_local (t);
  return g_date_time_format (local, "%Y-%m-%d %H:%M:%S");
}

static void
add_tag_list (JsonBuilder *builder,
              GArray      *ids,
              const char  *member,
              gboolean     negate)
{
  if (ids->len == 0)
    return;

  json_builder_begin_object (builder);
  if (negate)
    {
      json_builder_set_member_name (builder, "not");
      json_builder_begin_object (builder);
    }
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (guint i = 0; i < ids->len; i++)
    json_builder_add_int_value (builder, g_array_index (ids, gint64, i));
  json_builder_end_array (builder);
  if (negate)
    json_builder_end_object (builder);
  json_builder_end_object (builder);
}

static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  gint64 x = *(const gint64 *)a;
  gint64 y = *(const gint64 *)b;

  return x < y ? -1 : x > y;
}

/* The tag conditions of a filter expression (docs/protocol.md) inside the builder's open
 * array: every tag of @all, any of @any, none of @none; each list sorted first, so that the
 * same choices make the same expression. Returns how many conditions were added. */
guint
sui_json_add_tag_conditions (JsonBuilder *builder,
                             GArray      *all,
                             GArray      *any,
                             GArray      *none)
{
  g_array_sort (all, compare_ids);
  g_array_sort (any, compare_ids);
  g_array_sort (none, compare_ids);
  add_tag_list (builder, all, "tags_all", FALSE);
  add_tag_list (builder, any, "tags_any", FALSE);
  add_tag_list (builder, none, "tags_any", TRUE);
  return (all->len > 0) + (any->len > 0) + (none->len > 0);
}
