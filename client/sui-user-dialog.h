/* sui-user-dialog.h: create or edit a user account
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sui-rpc-client.h"
#include "sui-user.h"

G_BEGIN_DECLS

#define SUI_TYPE_USER_DIALOG (sui_user_dialog_get_type ())

G_DECLARE_FINAL_TYPE (SuiUserDialog, sui_user_dialog, SUI, USER_DIALOG, AdwWindow)

SuiUserDialog *sui_user_dialog_new             (SuiRpcClient  *client,
                                                GListModel    *units,
                                                SuiUser       *user);
const char    *sui_user_dialog_get_field_error (SuiUserDialog *self,
                                                const char    *field);
const char    *sui_user_dialog_get_message     (SuiUserDialog *self);
gboolean       sui_user_dialog_get_busy        (SuiUserDialog *self);

G_END_DECLS
