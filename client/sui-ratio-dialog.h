/* sui-ratio-dialog.h: the sampling table per risk class — a plan's own, or the city's
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sui-rpc-client.h"

G_BEGIN_DECLS

#define SUI_TYPE_RATIO_DIALOG (sui_ratio_dialog_get_type ())

G_DECLARE_FINAL_TYPE (SuiRatioDialog, sui_ratio_dialog, SUI, RATIO_DIALOG, AdwWindow)

/* plan_id 0: the city's table (an admin edits it); otherwise the plan's (its unit's
 * supervisor edits it while the plan may change). Shown at once; emits "saved". */
SuiRatioDialog *sui_ratio_dialog_new         (GtkWindow      *parent,
                                              SuiRpcClient   *client,
                                              gint64          plan_id,
                                              gboolean        editable);
guint           sui_ratio_dialog_get_pending (SuiRatioDialog *self);
void            sui_ratio_dialog_set_value   (SuiRatioDialog *self,
                                              const char     *risk_class,
                                              const char     *member,
                                              gint64          bp);
const char     *sui_ratio_dialog_get_message (SuiRatioDialog *self);

G_END_DECLS
