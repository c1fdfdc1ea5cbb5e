/* sui-matching.h: inspector matching (人员匹配) — tasks.match_inspectors,
 * tasks.assignments, tasks.exclusions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sui-call.h"

G_BEGIN_DECLS

void      sui_matching_register    (void);

/* Inside the call's transaction: makes sure the task has a committed, unused secret for its
 * next match, publishing its commitment in the audit log (area "matching", event
 * "committed") when it makes a new one. Called when a task's objects are drawn and when a
 * match is voided. */
gboolean  sui_matching_commit      (SuiCall     *call,
                                    const char  *task_id,
                                    GError     **error);

G_END_DECLS
