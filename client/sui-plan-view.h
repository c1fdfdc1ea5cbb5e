/* sui-plan-view.h: one annual plan, its tasks, its workflow and its versions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sui-events-client.h"
#include "sui-rpc-client.h"

G_BEGIN_DECLS

#define SUI_TYPE_PLAN_VIEW (sui_plan_view_get_type ())

G_DECLARE_FINAL_TYPE (SuiPlanView, sui_plan_view, SUI, PLAN_VIEW, GtkBox)

SuiPlanView *sui_plan_view_new                (SuiRpcClient    *client,
                                               SuiEventsClient *events,
                                               const char      *role);
void         sui_plan_view_load               (SuiPlanView     *self,
                                               gint64           plan_id);
void         sui_plan_view_reload             (SuiPlanView     *self);
gint64       sui_plan_view_get_plan_id        (SuiPlanView     *self);
JsonObject  *sui_plan_view_get_plan           (SuiPlanView     *self);
gboolean     sui_plan_view_get_busy           (SuiPlanView     *self);
const char  *sui_plan_view_get_state_text     (SuiPlanView     *self);
const char  *sui_plan_view_get_task_state_text (SuiPlanView    *self,
                                               gint64           task_id);
const char  *sui_plan_view_get_last_message   (SuiPlanView     *self);
void         sui_plan_view_reject             (SuiPlanView     *self,
                                               const char      *reason);
void         sui_plan_view_request_change     (SuiPlanView     *self,
                                               const char      *what,
                                               const char      *why);
void         sui_plan_view_reject_change      (SuiPlanView     *self,
                                               const char      *reason);
void         sui_plan_view_compare            (SuiPlanView     *self,
                                               gint64           from_revision,
                                               gint64           to_revision);
JsonObject  *sui_plan_view_get_comparison     (SuiPlanView     *self);
char        *sui_plan_view_get_comparison_text (SuiPlanView    *self);
GtkWindow   *sui_plan_view_open_task          (SuiPlanView     *self,
                                               gint64           task_id);
GtkWindow   *sui_plan_view_open_draw          (SuiPlanView     *self,
                                               gint64           task_id);

G_END_DECLS
