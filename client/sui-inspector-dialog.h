/* sui-inspector-dialog.h: create or edit a law-enforcement inspector
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sui-register-row.h"
#include "sui-rpc-client.h"

G_BEGIN_DECLS

#define SUI_TYPE_INSPECTOR_DIALOG (sui_inspector_dialog_get_type ())

G_DECLARE_FINAL_TYPE (SuiInspectorDialog, sui_inspector_dialog, SUI, INSPECTOR_DIALOG, AdwWindow)

SuiInspectorDialog *sui_inspector_dialog_new             (SuiRpcClient    *client,
                                                    JsonObject      *reference,
                                                    JsonArray       *units,
                                                    SuiRegisterRow  *object);
void             sui_inspector_dialog_set_field       (SuiInspectorDialog *self,
                                                    const char      *field,
                                                    const char      *text);
const char      *sui_inspector_dialog_get_field_error (SuiInspectorDialog *self,
                                                    const char      *field);
const char      *sui_inspector_dialog_get_message     (SuiInspectorDialog *self);
gboolean         sui_inspector_dialog_get_busy        (SuiInspectorDialog *self);

G_END_DECLS
