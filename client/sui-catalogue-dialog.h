/* sui-catalogue-dialog.h: edit a catalogue item (上级事项目录) or a unit's refinement of one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sui-rpc-client.h"

G_BEGIN_DECLS

#define SUI_TYPE_CATALOGUE_DIALOG (sui_catalogue_dialog_get_type ())

G_DECLARE_FINAL_TYPE (SuiCatalogueDialog, sui_catalogue_dialog, SUI, CATALOGUE_DIALOG, AdwWindow)

SuiCatalogueDialog *sui_catalogue_dialog_new_catalogue (SuiRpcClient       *client,
                                                        JsonArray          *check_methods,
                                                        JsonArray          *object_types,
                                                        JsonObject         *record);
SuiCatalogueDialog *sui_catalogue_dialog_new_refine    (SuiRpcClient       *client,
                                                        JsonArray          *check_methods,
                                                        JsonObject         *item,
                                                        JsonObject         *catalogue_item);
gboolean            sui_catalogue_dialog_set_field     (SuiCatalogueDialog *self,
                                                        const char         *field,
                                                        const char         *text);
gboolean            sui_catalogue_dialog_set_choice    (SuiCatalogueDialog *self,
                                                        const char         *field,
                                                        const char         *code,
                                                        gboolean            active);
const char         *sui_catalogue_dialog_get_field_error (SuiCatalogueDialog *self,
                                                          const char         *field);
const char         *sui_catalogue_dialog_get_message   (SuiCatalogueDialog *self);
gboolean            sui_catalogue_dialog_get_busy      (SuiCatalogueDialog *self);

/* Percent text ("12.5", "12.5%") ↔ basis points; shared with the item list page. */
gboolean            sui_percent_to_bp                  (const char         *text,
                                                        gint64             *bp);
char               *sui_bp_to_percent                  (gint64              bp);

G_END_DECLS
