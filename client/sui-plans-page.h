/* sui-plans-page.h: the annual plans of a unit (or of every unit, for the administrator)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sui-events-client.h"
#include "sui-plan-view.h"
#include "sui-rpc-client.h"

G_BEGIN_DECLS

#define SUI_TYPE_PLANS_PAGE (sui_plans_page_get_type ())

G_DECLARE_FINAL_TYPE (SuiPlansPage, sui_plans_page, SUI, PLANS_PAGE, GtkBox)

SuiPlansPage *sui_plans_page_new              (SuiRpcClient    *client,
                                               SuiEventsClient *events,
                                               const char      *role);
void          sui_plans_page_reload           (SuiPlansPage    *self);
gboolean      sui_plans_page_get_busy         (SuiPlansPage    *self);
void          sui_plans_page_set_year         (SuiPlansPage    *self,
                                               int              year);
guint         sui_plans_page_get_n_plans      (SuiPlansPage    *self);
guint         sui_plans_page_get_n_joint_tasks (SuiPlansPage   *self);
JsonObject   *sui_plans_page_get_plan         (SuiPlansPage    *self,
                                               guint            position);
void          sui_plans_page_create_plan      (SuiPlansPage    *self,
                                               const char      *title);
void          sui_plans_page_open_plan        (SuiPlansPage    *self,
                                               gint64           plan_id);
SuiPlanView  *sui_plans_page_get_plan_view    (SuiPlansPage    *self);
gboolean      sui_plans_page_get_showing_plan (SuiPlansPage    *self);
const char   *sui_plans_page_get_last_message (SuiPlansPage    *self);

G_END_DECLS
