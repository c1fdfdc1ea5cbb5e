/* sui-json.h: small helpers to read records the server sends
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

gint64      sui_json_get_id     (JsonObject *object,
                                 const char *member);
const char *sui_json_get_string (JsonObject *object,
                                 const char *member);
gboolean    sui_json_get_bool   (JsonObject *object,
                                 const char *member);
gint64      sui_json_get_int    (JsonObject *object,
                                 const char *member);
char       *sui_json_format_time (JsonObject *object,
                                  const char *member);
guint       sui_json_add_tag_conditions (JsonBuilder *builder,
                                         GArray      *all,
                                         GArray      *any,
                                         GArray      *none);

const char *sui_role_to_label   (const char *role);
const char *sui_kind_to_label   (const char *kind);

G_END_DECLS
