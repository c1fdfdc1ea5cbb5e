/* sui-register-row.c: one row of a register (object, inspector, tag) as the server sent it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The registers have many columns and the server is their definition, so a row keeps the
 * JSON object it came as instead of copying each member into a property; the pages format the
 * members they show. Rows are immutable: a change on the server gives a new row.
 */
#include "sui-config.h"

#include "sui-json.h"
#include "sui-register-row.h"

struct _SuiRegisterRow
{
  GObject parent_instance;

  JsonObject *json;
};

enum {
  PROP_0,
  PROP_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SuiRegisterRow, sui_register_row, G_TYPE_OBJECT)

static void
sui_register_row_finalize (GObject *object)
{
  SuiRegisterRow *self = (SuiRegisterRow *)object;

  g_clear_pointer (&self->json, json_object_unref);

  G_OBJECT_CLASS (sui_register_row_parent_class)->finalize (object);
}

static void
sui_register_row_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  SuiRegisterRow *self = SUI_REGISTER_ROW (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, sui_register_row_get_id (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sui_register_row_class_init (SuiRegisterRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sui_register_row_finalize;
  object_class->get_property = sui_register_row_get_property;

  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sui_register_row_init (SuiRegisterRow *self)
{
}

SuiRegisterRow *
sui_register_row_new (JsonObject *json)
{
  SuiRegisterRow *self;

  g_return_val_if_fail (json != NULL, NULL);

  self = g_object_new (SUI_TYPE_REGISTER_ROW, NULL);
  self->json = json_object_ref (json);

  return self;
}

/* Returns: (transfer none) */
JsonObject *
sui_register_row_get_json (SuiRegisterRow *self)
{
  g_return_val_if_fail (SUI_IS_REGISTER_ROW (self), NULL);

  return self->json;
}

gint64
sui_register_row_get_id (SuiRegisterRow *self)
{
  g_return_val_if_fail (SUI_IS_REGISTER_ROW (self), 0);

  return sui_json_get_id (self->json, "id");
}

gint64
sui_register_row_get_version (SuiRegisterRow *self)
{
  g_return_val_if_fail (SUI_IS_REGISTER_ROW (self), 0);

  return sui_json_get_int (self->json, "version");
}

/* Returns: (nullable): the member when it is a string */
const char *
sui_register_row_get_string (SuiRegisterRow *self,
                             const char     *member)
{
  g_return_val_if_fail (SUI_IS_REGISTER_ROW (self), NULL);

  return sui_json_get_string (self->json, member);
}

gboolean
sui_register_row_get_bool (SuiRegisterRow *self,
                           const char     *member)
{
  g_return_val_if_fail (SUI_IS_REGISTER_ROW (self), FALSE);

  return sui_json_get_bool (self->json, member);
}

/* Any scalar member as text; "" for null or absent. */
char *
sui_register_row_dup_text (SuiRegisterRow *self,
                           const char     *member)
{
  JsonNode *node;

  g_return_val_if_fail (SUI_IS_REGISTER_ROW (self), NULL);

  node = json_object_get_member (self->json, member);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return g_strdup ("");

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (node));
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    case G_TYPE_BOOLEAN:
      return g_strdup (json_node_get_boolean (node) ? "true" : "false");
    case G_TYPE_DOUBLE:
      return g_strdup_printf ("%g", json_node_get_double (node));
    default:
      return g_strdup ("");
    }
}

gboolean
sui_register_row_has_tag (SuiRegisterRow *self,
                          gint64          tag_id)
{
  JsonNode *node;
  JsonArray *array;

  g_return_val_if_fail (SUI_IS_REGISTER_ROW (self), FALSE);

  node = json_object_get_member (self->json, "tag_ids");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (json_array_get_int_element (array, i) == tag_id)
      return TRUE;

  return FALSE;
}
