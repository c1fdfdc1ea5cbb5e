/* sui-grades-dialog.h: the credit grade → risk class mapping, kept by admins
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sui-rpc-client.h"

G_BEGIN_DECLS

#define SUI_TYPE_GRADES_DIALOG (sui_grades_dialog_get_type ())

G_DECLARE_FINAL_TYPE (SuiGradesDialog, sui_grades_dialog, SUI, GRADES_DIALOG, AdwWindow)

SuiGradesDialog *sui_grades_dialog_new            (SuiRpcClient    *client,
                                                   gboolean         admin);
gboolean         sui_grades_dialog_get_ready      (SuiGradesDialog *self);
/* Chooses @risk_class (A–D) for @grade in the form, as a user would. */
void             sui_grades_dialog_set_class      (SuiGradesDialog *self,
                                                   const char      *grade,
                                                   const char      *risk_class);
void             sui_grades_dialog_set_reclassify (SuiGradesDialog *self,
                                                   gboolean         reclassify);
JsonArray       *sui_grades_dialog_get_items      (SuiGradesDialog *self);

G_END_DECLS
