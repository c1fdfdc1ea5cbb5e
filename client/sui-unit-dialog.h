/* sui-unit-dialog.h: create or edit a unit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sui-rpc-client.h"
#include "sui-unit.h"

G_BEGIN_DECLS

#define SUI_TYPE_UNIT_DIALOG (sui_unit_dialog_get_type ())

G_DECLARE_FINAL_TYPE (SuiUnitDialog, sui_unit_dialog, SUI, UNIT_DIALOG, AdwWindow)

SuiUnitDialog *sui_unit_dialog_new             (SuiRpcClient  *client,
                                                GListModel    *units,
                                                SuiUnit       *unit);
const char    *sui_unit_dialog_get_field_error (SuiUnitDialog *self,
                                                const char    *field);
const char    *sui_unit_dialog_get_message     (SuiUnitDialog *self);

G_END_DECLS
