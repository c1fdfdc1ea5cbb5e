/* sui-inspectors-page.h: the inspector register (执法检查人员名录库)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sui-events-client.h"
#include "sui-rpc-client.h"

G_BEGIN_DECLS

#define SUI_TYPE_INSPECTORS_PAGE (sui_inspectors_page_get_type ())

G_DECLARE_FINAL_TYPE (SuiInspectorsPage, sui_inspectors_page, SUI, INSPECTORS_PAGE, AdwBin)

SuiInspectorsPage *sui_inspectors_page_new            (SuiRpcClient      *client,
                                                       SuiEventsClient   *events,
                                                       gboolean           admin);
void               sui_inspectors_page_reload         (SuiInspectorsPage *self);
GListModel        *sui_inspectors_page_get_inspectors (SuiInspectorsPage *self);
gboolean           sui_inspectors_page_get_loading    (SuiInspectorsPage *self);

G_END_DECLS
