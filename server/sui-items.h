/* sui-items.h: the item list (抽查事项清单) — catalogue.*, check_methods.list, items.*
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sui-call.h"

G_BEGIN_DECLS

void      sui_items_register          (void);

/* A task's items as tasks.create / tasks.update take them: [{item_id, method, [reason]}],
 * each an active item of unit_id's list (a released one only when kept_ids, the items the
 * task has now, already holds it), a method the item allows, a reason (1–500 characters)
 * for an on-site check of an item that allows an off-site one, no item twice.  Problems go
 * to v under "items"; returns the normalised array as jsonb text, or NULL (with *error set
 * when a query failed). */
char     *sui_items_check_task_items  (SuiCall        *call,
                                       JsonNode       *node,
                                       gint64          unit_id,
                                       GArray         *kept_ids,
                                       SuiValidation  *v,
                                       GError        **error);

/* The tightest ratio cap of the general items among items (jsonb text of the stored form):
 * *cap_bp = the smallest ratio_max_bp, *name = that item's name; *cap_bp = -1 when the
 * items hold no general item. */
gboolean  sui_items_general_cap       (SuiCall        *call,
                                       const char     *items,
                                       gint64         *cap_bp,
                                       char          **name,
                                       GError        **error);

/* The task's items for output: [{item_id, code, name, level, method, method_name, reason}]
 * as one jsonb value, for a query with the task's stored items as the jsonb expression
 * given (e.g. "t.items"). */
#define SUI_TASK_ITEMS_JSON_SQL(items) \
  "coalesce ((select jsonb_agg (jsonb_build_object ('item_id', e -> 'item_id'," \
  "   'code', ti.code, 'name', coalesce (ti.name, case when jsonb_typeof (e) = 'string'" \
  "                                                then e #>> '{}' end)," \
  "   'level', ti.level, 'method', e -> 'method', 'method_name', tm.name," \
  "   'reason', e -> 'reason') order by x.n)" \
  "  from jsonb_array_elements (" items ") with ordinality x (e, n)" \
  "       left join item ti on jsonb_typeof (e) = 'object'" \
  "                        and ti.id = (e ->> 'item_id')::bigint" \
  "       left join check_method tm on jsonb_typeof (e) = 'object'" \
  "                                and tm.code = e ->> 'method'), '[]'::jsonb)"

G_END_DECLS
