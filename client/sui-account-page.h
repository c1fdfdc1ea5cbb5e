/* sui-account-page.h: "My account": who I am, my unit, my password
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sui-rpc-client.h"
#include "sui-user.h"

G_BEGIN_DECLS

#define SUI_TYPE_ACCOUNT_PAGE (sui_account_page_get_type ())

G_DECLARE_FINAL_TYPE (SuiAccountPage, sui_account_page, SUI, ACCOUNT_PAGE, AdwBin)

SuiAccountPage *sui_account_page_new (SuiRpcClient *client,
                                      SuiUser      *user);

G_END_DECLS
