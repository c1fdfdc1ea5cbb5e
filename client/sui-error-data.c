/* sui-error-data.c: reading the `data` of JSON-RPC errors for the user interface
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server explains a refused call in machine-readable `data` (docs/protocol.md): -32010
 * lists the fields at fault, -32602 names one field, a locked login says until when.
 */
#include "sui-config.h"

#include <glib/gi18n.h>

#include "sui-error-data.h"
#include "sui-rpc-client.h"

static void
add_field (GHashTable *fields,
           const char *field,
           const char *message)
{
  if (field == NULL || field[0] == '\0')
    return;

  /* The first message per field is the one to show; the server lists the most basic first. */
  if (!g_hash_table_contains (fields, field))
    g_hash_table_insert (fields, g_strdup (field),
                         g_strdup (message != NULL && message[0] != '\0'
                                   ? message : _("This value is not valid.")));
}

/**
 * sui_error_data_get_fields:
 * @data: (nullable): the `data` of a -32010 or -32602 error
 *
 * Returns: (transfer full): field name → message to show beside that field; empty when
 *   @data names no field
 */
GHashTable *
sui_error_data_get_fields (JsonNode *data)
{
  g_autoptr(GHashTable) fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  JsonObject *object;

  if (data == NULL || !JSON_NODE_HOLDS_OBJECT (data))
    return g_steal_pointer (&fields);

  object = json_node_get_object (data);

  if (json_object_has_member (object, "fields") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "fields")))
    {
      JsonArray *array = json_object_get_array_member (object, "fields");

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          JsonObject *entry;

          if (!JSON_NODE_HOLDS_OBJECT (element))
            continue;

          entry = json_node_get_object (element);
          add_field (fields,
                     json_object_get_string_member_with_default (entry, "field", NULL),
                     json_object_get_string_member_with_default (entry, "message", NULL));
        }
    }
  else if (json_object_has_member (object, "field"))
    {
      add_field (fields,
                 json_object_get_string_member_with_default (object, "field", NULL),
                 json_object_get_string_member_with_default (object, "reason", NULL));
    }

  return g_steal_pointer (&fields);
}

/**
 * sui_error_data_get_locked_until:
 *
 * Returns: (transfer full) (nullable): the moment a locked login opens again
 */
GDateTime *
sui_error_data_get_locked_until (JsonNode *data)
{
  const char *text;

  if (data == NULL || !JSON_NODE_HOLDS_OBJECT (data))
    return NULL;

  text = json_object_get_string_member_with_default (json_node_get_object (data),
                                                     "locked_until", NULL);
  if (text == NULL)
    return NULL;

  return g_date_time_new_from_iso8601 (text, NULL);
}

/* What the login window says when auth.login fails. */
char *
sui_error_data_describe_login (const GError *error,
                               JsonNode     *data)
{
  g_autoptr(GDateTime) until = NULL;

  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain == SUI_RPC_ERROR && error->code == SUI_RPC_ERROR_NOT_AUTHENTICATED)
    {
      until = sui_error_data_get_locked_until (data);
      if (until != NULL)
        {
          g_autoptr(GDateTime) local = g_date_time_to_local (until);
          g_autofree char *when = g_date_time_format (local, "%Y-%m-%d %H:%M");

          /* Translators: %s is a date and time like 2026-11-28 12:30 */
          return g_strdup_printf (_("Too many failed attempts: this account is locked until %s. "
                                    "Try again after that time or ask an administrator."),
                                  when);
        }

      return g_strdup (_("Wrong login name or password. Check both and try again."));
    }

  return sui_rpc_client_describe_error (error);
}
