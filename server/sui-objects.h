/* sui-objects.h: the object register (检查对象名录库): objects.*
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sui-call.h"

G_BEGIN_DECLS

/* The object record of docs/protocol.md as one json value, for a query that has the
 * object table as `o`. */
#define SUI_OBJECT_JSON_SQL \
  "json_build_object ('id', o.id, 'type', o.type, 'licence_no', o.licence_no," \
  " 'credit_code', o.credit_code, 'name', o.name, 'legal_rep', o.legal_rep," \
  " 'address', o.address, 'unit_id', o.unit_id, 'district', o.district, 'status', o.status," \
  " 'licence_valid_from', o.licence_valid_from, 'licence_valid_until', o.licence_valid_until," \
  " 'key_supervision', o.key_supervision, 'key_supervision_reason', o.key_supervision_reason," \
  " 'credit_grade', o.credit_grade, 'credit_grade_date', o.credit_grade_date," \
  " 'risk_class', o.risk_class, 'last_check_date', o.last_check_date," \
  " 'last_check_result', o.last_check_result, 'contact', o.contact, 'tag_ids', o.tag_ids," \
  " 'retired', o.retired, 'retired_at', o.retired_at, 'retired_reason', o.retired_reason," \
  " 'version', o.version, 'created_at', o.created_at, 'updated_at', o.updated_at)"

void      sui_objects_register   (void);

G_END_DECLS
