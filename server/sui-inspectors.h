/* sui-inspectors.h: the inspector register (执法检查人员名录库): inspectors.*
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sui-call.h"

G_BEGIN_DECLS

/* The inspector record of docs/protocol.md as one json value, for a query that has the
 * inspector table as `i`. cert_state: valid, expiring (within 30 days), expired, not_yet. */
#define SUI_INSPECTOR_JSON_SQL \
  "json_build_object ('id', i.id, 'name', i.name, 'unit_id', i.unit_id," \
  " 'unit_name', (select u.name from unit u where u.id = i.unit_id), 'user_id', i.user_id," \
  " 'cert_no', i.cert_no, 'cert_valid_from', i.cert_valid_from," \
  " 'cert_valid_until', i.cert_valid_until," \
  " 'cert_state', case when i.cert_valid_until < current_date then 'expired'" \
  "                    when i.cert_valid_from > current_date then 'not_yet'" \
  "                    when i.cert_valid_until < current_date + 30 then 'expiring'" \
  "                    else 'valid' end," \
  " 'status', i.status, 'specialties', i.specialties, 'contact', i.contact," \
  " 'tag_ids', i.tag_ids, 'version', i.version, 'created_at', i.created_at," \
  " 'updated_at', i.updated_at)"

void      sui_inspectors_register (void);

G_END_DECLS
