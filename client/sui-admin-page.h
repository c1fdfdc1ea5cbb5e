/* sui-admin-page.h: system administration: units and user accounts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sui-events-client.h"
#include "sui-rpc-client.h"

G_BEGIN_DECLS

#define SUI_TYPE_ADMIN_PAGE (sui_admin_page_get_type ())

G_DECLARE_FINAL_TYPE (SuiAdminPage, sui_admin_page, SUI, ADMIN_PAGE, AdwBin)

SuiAdminPage *sui_admin_page_new              (SuiRpcClient    *client,
                                               SuiEventsClient *events);
void          sui_admin_page_reload           (SuiAdminPage    *self);
gboolean      sui_admin_page_get_loading      (SuiAdminPage    *self);
GListModel   *sui_admin_page_get_users        (SuiAdminPage    *self);
GListModel   *sui_admin_page_get_units        (SuiAdminPage    *self);
gboolean      sui_admin_page_select_user      (SuiAdminPage    *self,
                                               gint64           id);
gboolean      sui_admin_page_select_unit      (SuiAdminPage    *self,
                                               gint64           id);

G_END_DECLS
