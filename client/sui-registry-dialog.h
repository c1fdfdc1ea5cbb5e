/* sui-registry-dialog.h: the completeness check 应纳尽纳 (register against a licence-registry
 * export)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sui-rpc-client.h"

G_BEGIN_DECLS

#define SUI_TYPE_REGISTRY_DIALOG (sui_registry_dialog_get_type ())

G_DECLARE_FINAL_TYPE (SuiRegistryDialog, sui_registry_dialog, SUI, REGISTRY_DIALOG, AdwWindow)

SuiRegistryDialog *sui_registry_dialog_new        (SuiRpcClient      *client,
                                                   JsonArray         *units);
void               sui_registry_dialog_open_file  (SuiRegistryDialog *self,
                                                   GFile             *file);
const char        *sui_registry_dialog_get_step   (SuiRegistryDialog *self);
JsonObject        *sui_registry_dialog_get_report (SuiRegistryDialog *self);
gint64             sui_registry_dialog_get_added  (SuiRegistryDialog *self);

G_END_DECLS
