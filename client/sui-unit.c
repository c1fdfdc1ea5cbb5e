/* sui-unit.c: one unit (bureau, direct unit, partner department) of the unit tree
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sui-config.h"

#include <glib/gi18n.h>

#include "sui-json.h"
#include "sui-unit.h"

struct _SuiUnit
{
  GObject parent_instance;

  gint64 id;
  gint64 parent_id;
  gint64 version;
  char *code;
  char *name;
  char *kind;
  gboolean disabled;
  guint depth;
  GListStore *children;
};

enum {
  PROP_0,
  PROP_ID,
  PROP_PARENT_ID,
  PROP_VERSION,
  PROP_CODE,
  PROP_NAME,
  PROP_KIND,
  PROP_KIND_LABEL,
  PROP_DISABLED,
  PROP_DEPTH,
  PROP_TITLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_TYPE (SuiUnit, sui_unit, G_TYPE_OBJECT)

static void
sui_unit_dispose (GObject *object)
{
  SuiUnit *self = (SuiUnit *)object;

  g_clear_object (&self->children);

  G_OBJECT_CLASS (sui_unit_parent_class)->dispose (object);
}

static void
sui_unit_finalize (GObject *object)
{
  SuiUnit *self = (SuiUnit *)object;

  g_clear_pointer (&self->code, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->kind, g_free);

  G_OBJECT_CLASS (sui_unit_parent_class)->finalize (object);
}

static void
sui_unit_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  SuiUnit *self = SUI_UNIT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;

    case PROP_PARENT_ID:
      g_value_set_int64 (value, self->parent_id);
      break;

    case PROP_VERSION:
      g_value_set_int64 (value, self->version);
      break;

    case PROP_CODE:
      g_value_set_string (value, self->code);
      break;

    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_KIND:
      g_value_set_string (value, self->kind);
      break;

    case PROP_KIND_LABEL:
      g_value_set_string (value, sui_kind_to_label (self->kind));
      break;

    case PROP_DISABLED:
      g_value_set_boolean (value, self->disabled);
      break;

    case PROP_DEPTH:
      g_value_set_uint (value, self->depth);
      break;

    case PROP_TITLE:
      /* Indented, for drop-downs that cannot show a tree. */
      g_value_take_string (value, g_strdup_printf ("%*s%s", (int) self->depth * 2, "", self->name));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sui_unit_class_init (SuiUnitClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->dispose = sui_unit_dispose;
  object_class->finalize = sui_unit_finalize;
  object_class->get_property = sui_unit_get_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_PARENT_ID] =
    g_param_spec_int64 ("parent-id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_VERSION] = g_param_spec_int64 ("version", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_CODE] = g_param_spec_string ("code", NULL, NULL, NULL, flags);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_KIND] = g_param_spec_string ("kind", NULL, NULL, NULL, flags);
  properties[PROP_KIND_LABEL] = g_param_spec_string ("kind-label", NULL, NULL, NULL, flags);
  properties[PROP_DISABLED] = g_param_spec_boolean ("disabled", NULL, NULL, FALSE, flags);
  properties[PROP_DEPTH] = g_param_spec_uint ("depth", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sui_unit_init (SuiUnit *self)
{
  self->children = g_list_store_new (SUI_TYPE_UNIT);
}

SuiUnit *
sui_unit_new_from_json (JsonObject *object)
{
  SuiUnit *self = g_object_new (SUI_TYPE_UNIT, NULL);

  self->id = sui_json_get_id (object, "id");
  self->parent_id = sui_json_get_id (object, "parent_id");
  self->version = sui_json_get_int (object, "version");
  self->code = g_strdup (sui_json_get_string (object, "code"));
  self->name = g_strdup (sui_json_get_string (object, "name"));
  self->kind = g_strdup (sui_json_get_string (object, "kind"));
  self->disabled = sui_json_get_bool (object, "disabled");

  return self;
}

gint64
sui_unit_get_id (SuiUnit *self)
{
  g_return_val_if_fail (SUI_IS_UNIT (self), 0);

  return self->id;
}

gint64
sui_unit_get_parent_id (SuiUnit *self)
{
  g_return_val_if_fail (SUI_IS_UNIT (self), 0);

  return self->parent_id;
}

gint64
sui_unit_get_version (SuiUnit *self)
{
  g_return_val_if_fail (SUI_IS_UNIT (self), 0);

  return self->version;
}

const char *
sui_unit_get_code (SuiUnit *self)
{
  g_return_val_if_fail (SUI_IS_UNIT (self), NULL);

  return self->code;
}

const char *
sui_unit_get_name (SuiUnit *self)
{
  g_return_val_if_fail (SUI_IS_UNIT (self), NULL);

  return self->name;
}

const char *
sui_unit_get_kind (SuiUnit *self)
{
  g_return_val_if_fail (SUI_IS_UNIT (self), NULL);

  return self->kind;
}

gboolean
sui_unit_get_disabled (SuiUnit *self)
{
  g_return_val_if_fail (SUI_IS_UNIT (self), FALSE);

  return self->disabled;
}

guint
sui_unit_get_depth (SuiUnit *self)
{
  g_return_val_if_fail (SUI_IS_UNIT (self), 0);

  return self->depth;
}

/**
 * sui_unit_get_children:
 *
 * Returns: (transfer none): the sub-units, filled by sui_unit_build_tree()
 */
GListStore *
sui_unit_get_children (SuiUnit *self)
{
  g_return_val_if_fail (SUI_IS_UNIT (self), NULL);

  return self->children;
}

static void
flatten (GListModel *level,
         guint       depth,
         GListStore *flat)
{
  for (guint i = 0; i < g_list_model_get_n_items (level); i++)
    {
      g_autoptr(SuiUnit) unit = g_list_model_get_item (level, i);

      unit->depth = depth;
      g_list_store_append (flat, unit);
      flatten (G_LIST_MODEL (unit->children), depth + 1, flat);
    }
}

/**
 * sui_unit_build_tree:
 * @items: the `items` of units.list
 * @flat: (nullable): filled with every unit in tree order (parents before children)
 *
 * Returns: (transfer full): the roots; a unit whose parent is not in @items is a root, so a
 *   non-admin who sees only their own unit still gets a tree
 */
GListStore *
sui_unit_build_tree (JsonArray  *items,
                     GListStore *flat)
{
  g_autoptr(GHashTable) by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                                       NULL, g_object_unref);
  g_autoptr(GPtrArray) in_order = g_ptr_array_new ();
  GListStore *roots = g_list_store_new (SUI_TYPE_UNIT);

  for (guint i = 0; items != NULL && i < json_array_get_length (items); i++)
    {
      JsonNode *node = json_array_get_element (items, i);
      SuiUnit *unit;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;

      unit = sui_unit_new_from_json (json_node_get_object (node));
      g_hash_table_insert (by_id, &unit->id, unit);
      g_ptr_array_add (in_order, unit);
    }

  for (guint i = 0; i < in_order->len; i++)
    {
      SuiUnit *unit = g_ptr_array_index (in_order, i);
      SuiUnit *parent = NULL;

      if (unit->parent_id != 0 && unit->parent_id != unit->id)
        parent = g_hash_table_lookup (by_id, &unit->parent_id);

      g_list_store_append (parent != NULL ? parent->children : roots, unit);
    }

  if (flat != NULL)
    flatten (G_LIST_MODEL (roots), 0, flat);

  return roots;
}
