/* sui-import-dialog.h: the import assistant for the registers (objects, inspectors, credit
 * grades)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sui-rpc-client.h"

G_BEGIN_DECLS

#define SUI_TYPE_IMPORT_DIALOG (sui_import_dialog_get_type ())

G_DECLARE_FINAL_TYPE (SuiImportDialog, sui_import_dialog, SUI, IMPORT_DIALOG, AdwWindow)

SuiImportDialog *sui_import_dialog_new              (SuiRpcClient    *client,
                                                    JsonArray       *units);
void             sui_import_dialog_open_file        (SuiImportDialog *self,
                                                    GFile           *file);
void             sui_import_dialog_set_kind         (SuiImportDialog *self,
                                                    const char      *kind);
const char      *sui_import_dialog_get_kind         (SuiImportDialog *self);
void             sui_import_dialog_set_skip_invalid (SuiImportDialog *self,
                                                    gboolean         skip);
gboolean         sui_import_dialog_get_can_commit   (SuiImportDialog *self);
const char      *sui_import_dialog_get_step         (SuiImportDialog *self);
JsonObject      *sui_import_dialog_get_preview      (SuiImportDialog *self);
const char      *sui_import_dialog_get_summary      (SuiImportDialog *self);

G_END_DECLS
