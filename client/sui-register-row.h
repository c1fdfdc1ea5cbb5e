/* sui-register-row.h: one row of a register (object, inspector, tag) as the server sent it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define SUI_TYPE_REGISTER_ROW (sui_register_row_get_type ())

G_DECLARE_FINAL_TYPE (SuiRegisterRow, sui_register_row, SUI, REGISTER_ROW, GObject)

SuiRegisterRow *sui_register_row_new         (JsonObject     *json);
JsonObject     *sui_register_row_get_json    (SuiRegisterRow *self);
gint64          sui_register_row_get_id      (SuiRegisterRow *self);
gint64          sui_register_row_get_version (SuiRegisterRow *self);
char           *sui_register_row_dup_text    (SuiRegisterRow *self,
                                              const char     *member);
const char     *sui_register_row_get_string  (SuiRegisterRow *self,
                                              const char     *member);
gboolean        sui_register_row_get_bool    (SuiRegisterRow *self,
                                              const char     *member);
gboolean        sui_register_row_has_tag     (SuiRegisterRow *self,
                                              gint64          tag_id);

G_END_DECLS
