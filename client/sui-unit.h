/* sui-unit.h: one unit (bureau, direct unit, partner department) of the unit tree
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define SUI_TYPE_UNIT (sui_unit_get_type ())

G_DECLARE_FINAL_TYPE (SuiUnit, sui_unit, SUI, UNIT, GObject)

SuiUnit    *sui_unit_new_from_json   (JsonObject *object);
gint64      sui_unit_get_id          (SuiUnit    *self);
gint64      sui_unit_get_parent_id   (SuiUnit    *self);
gint64      sui_unit_get_version     (SuiUnit    *self);
const char *sui_unit_get_code        (SuiUnit    *self);
const char *sui_unit_get_name        (SuiUnit    *self);
const char *sui_unit_get_kind        (SuiUnit    *self);
gboolean    sui_unit_get_disabled    (SuiUnit    *self);
guint       sui_unit_get_depth       (SuiUnit    *self);
GListStore *sui_unit_get_children    (SuiUnit    *self);
GListStore *sui_unit_build_tree      (JsonArray  *items,
                                      GListStore *flat);

G_END_DECLS
