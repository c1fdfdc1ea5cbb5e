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
