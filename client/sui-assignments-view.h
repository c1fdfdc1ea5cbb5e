/* sui-assignments-view.h: who checks which object of a task, and why the others do not
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sui-rpc-client.h"

G_BEGIN_DECLS

#define SUI_TYPE_ASSIGNMENTS_VIEW (sui_assignments_view_get_type ())

G_DECLARE_FINAL_TYPE (SuiAssignmentsView, sui_assignments_view, SUI, ASSIGNMENTS_VIEW, AdwWindow)

SuiAssignmentsView *sui_assignments_view_new             (SuiRpcClient       *client,
                                                          gint64              task_id,
                                                          const char         *task_name);
gboolean            sui_assignments_view_get_busy        (SuiAssignmentsView *self);
guint               sui_assignments_view_get_n_objects   (SuiAssignmentsView *self);
JsonObject         *sui_assignments_view_get_object      (SuiAssignmentsView *self,
                                                          guint               position);
void                sui_assignments_view_show_exclusions (SuiAssignmentsView *self,
                                                          gint64              object_id);
JsonObject         *sui_assignments_view_get_exclusions  (SuiAssignmentsView *self);

G_END_DECLS
