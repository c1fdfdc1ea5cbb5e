/* sui-user.h: one user account as the server describes it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define SUI_TYPE_USER (sui_user_get_type ())

G_DECLARE_FINAL_TYPE (SuiUser, sui_user, SUI, USER, GObject)

SuiUser    *sui_user_new_from_json   (JsonObject *object);
gint64      sui_user_get_id          (SuiUser    *self);
gint64      sui_user_get_version     (SuiUser    *self);
const char *sui_user_get_login       (SuiUser    *self);
const char *sui_user_get_name        (SuiUser    *self);
const char *sui_user_get_role        (SuiUser    *self);
gint64      sui_user_get_unit_id     (SuiUser    *self);
const char *sui_user_get_unit_name   (SuiUser    *self);
gboolean    sui_user_get_disabled    (SuiUser    *self);
gboolean    sui_user_matches         (SuiUser    *self,
                                      const char *search);

G_END_DECLS
