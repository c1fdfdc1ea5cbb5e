/* sui-plans.h: the plans.* methods, and what tasks and draws share with them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sui-call.h"
#include "sui-items.h"
#include "sui-pg.h"

G_BEGIN_DECLS

/* The fields of a task that belong to the plan (what a published version keeps and
 * plans.compare compares), as one jsonb value, for a query with the task table as `t`. */
/* items are given with their codes, names and method names (sui-items.h), so that a
 * published revision keeps them as they were. */
#define SUI_TASK_PLAN_FIELDS_SQL \
  "jsonb_build_object ('id', t.id, 'name', t.name," \
  " 'items', " SUI_TASK_ITEMS_JSON_SQL ("t.items") ", 'scope', t.scope," \
  " 'ratio_a_bp', t.ratio_a_bp, 'ratio_b_bp', t.ratio_b_bp, 'ratio_c_bp', t.ratio_c_bp," \
  " 'ratio_d_bp', t.ratio_d_bp, 'exclusion_months', t.exclusion_months," \
  " 'inspectors_per_object', t.inspectors_per_object, 'window_start', t.window_start," \
  " 'window_end', t.window_end, 'deadline', t.deadline, 'note', t.note," \
  " 'inspector_tag_ids', to_jsonb (t.inspector_tag_ids)," \
  " 'inspector_task_cap', t.inspector_task_cap, 'inspector_month_cap', t.inspector_month_cap," \
  " 'avoid_last_inspector', t.avoid_last_inspector)"

/* Columns of sui_plans_load()'s row. */
enum
{
  SUI_PLAN_COL_ID,
  SUI_PLAN_COL_UNIT,
  SUI_PLAN_COL_STATE,
  SUI_PLAN_COL_REVISION,
  SUI_PLAN_COL_VERSION,
  SUI_PLAN_COL_EDITABLE,   /* "t": draft, or published with an approved change open */
  SUI_PLAN_COL_JSON,
};

void        sui_plans_register      (void);

gboolean    sui_plans_is_admin      (SuiCall     *call);

/* -32003 unless the caller is an admin or works at unit_id; what names the record
 * ("计划", "任务", "摇号记录"). */
gboolean    sui_plans_check_unit    (SuiCall     *call,
                                     gint64       unit_id,
                                     const char  *what,
                                     GError     **error);

/* The plan with this id (locked when for_update), -32004 when there is none, -32003 when
 * the caller may not see it. */
PGresult   *sui_plans_load          (SuiCall     *call,
                                     gint64       id,
                                     gboolean     for_update,
                                     GError     **error);

/* -32011 with message. */
gboolean    sui_state_error         (GError     **error,
                                     const char  *message);


G_END_DECLS
