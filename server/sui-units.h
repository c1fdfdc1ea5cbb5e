/* sui-units.h: the units.* methods
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sui-call.h"

G_BEGIN_DECLS

/* The unit record of docs/protocol.md as one json value, for a query that has the
 * unit table as `un`. */
#define SUI_UNIT_JSON_SQL \
  "json_build_object ('id', un.id, 'parent_id', un.parent_id, 'code', un.code," \
  " 'name', un.name, 'kind', un.kind, 'disabled', un.disabled, 'version', un.version)"

void      sui_units_register     (void);

/* 2–32 of [a-z0-9_.-] starting with a letter or digit, as the schema's check on
 * unit.code. */
gboolean  sui_units_code_valid   (const char *code);

G_END_DECLS
