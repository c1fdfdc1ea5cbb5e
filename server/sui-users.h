/* sui-users.h: the users.* methods
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sui-call.h"

G_BEGIN_DECLS

/* The user record of docs/protocol.md as one json value, for a query that has
 * app_user as `u` joined to its unit as `n`. */
#define SUI_USER_JSON_SQL \
  "json_build_object ('id', u.id, 'login', u.login, 'name', u.name, 'role', u.role," \
  " 'unit_id', u.unit_id, 'unit_name', n.name, 'disabled', u.disabled," \
  " 'version', u.version, 'created_at', u.created_at, 'updated_at', u.updated_at)"

void      sui_users_register     (void);

/* 3–32 of [a-z0-9_.-], as the schema's check on app_user.login. */
gboolean  sui_users_login_valid  (const char *login);

G_END_DECLS
