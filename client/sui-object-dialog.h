/* sui-object-dialog.h: create or edit an inspection object
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sui-register-row.h"
#include "sui-rpc-client.h"

G_BEGIN_DECLS

#define SUI_TYPE_OBJECT_DIALOG (sui_object_dialog_get_type ())

G_DECLARE_FINAL_TYPE (SuiObjectDialog, sui_object_dialog, SUI, OBJECT_DIALOG, AdwWindow)

SuiObjectDialog *sui_object_dialog_new             (SuiRpcClient    *client,
                                                    JsonObject      *reference,
                                                    JsonArray       *units,
                                                    SuiRegisterRow  *object);
void             sui_object_dialog_set_field       (SuiObjectDialog *self,
                                                    const char      *field,
                                                    const char      *text);
const char      *sui_object_dialog_get_field_error (SuiObjectDialog *self,
                                                    const char      *field);
const char      *sui_object_dialog_get_message     (SuiObjectDialog *self);
gboolean         sui_object_dialog_get_busy        (SuiObjectDialog *self);

G_END_DECLS
