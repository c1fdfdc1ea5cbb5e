/* sui-password-dialog.h: an administrator sets a new password for a user
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sui-rpc-client.h"
#include "sui-user.h"

G_BEGIN_DECLS

#define SUI_TYPE_PASSWORD_DIALOG (sui_password_dialog_get_type ())

G_DECLARE_FINAL_TYPE (SuiPasswordDialog, sui_password_dialog, SUI, PASSWORD_DIALOG, AdwWindow)

SuiPasswordDialog *sui_password_dialog_new             (SuiRpcClient      *client,
                                                        SuiUser           *user);
const char        *sui_password_dialog_get_field_error (SuiPasswordDialog *self,
                                                        const char        *field);

G_END_DECLS
