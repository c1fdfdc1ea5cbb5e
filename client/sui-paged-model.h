/* sui-paged-model.h: a list model that pages through a register by keyset
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sui-register-row.h"
#include "sui-rpc-client.h"

G_BEGIN_DECLS

#define SUI_TYPE_PAGED_MODEL (sui_paged_model_get_type ())

G_DECLARE_FINAL_TYPE (SuiPagedModel, sui_paged_model, SUI, PAGED_MODEL, GObject)

SuiPagedModel  *sui_paged_model_new           (SuiRpcClient   *client,
                                               const char     *method);
void            sui_paged_model_set_filter    (SuiPagedModel  *self,
                                               JsonNode       *filter);
JsonNode       *sui_paged_model_get_filter    (SuiPagedModel  *self);
void            sui_paged_model_set_order     (SuiPagedModel  *self,
                                               const char     *order,
                                               gboolean        descending);
const char     *sui_paged_model_get_order     (SuiPagedModel  *self,
                                               gboolean       *descending);
void            sui_paged_model_add_order     (SuiPagedModel  *self,
                                               JsonBuilder    *builder);
void            sui_paged_model_set_page_size (SuiPagedModel  *self,
                                               guint           page_size);
void            sui_paged_model_cancel        (SuiPagedModel  *self);
void            sui_paged_model_reload        (SuiPagedModel  *self);
gboolean        sui_paged_model_load_more     (SuiPagedModel  *self);
gboolean        sui_paged_model_get_loading   (SuiPagedModel  *self);
gboolean        sui_paged_model_get_has_more  (SuiPagedModel  *self);
gint64          sui_paged_model_get_total     (SuiPagedModel  *self);
gboolean        sui_paged_model_replace       (SuiPagedModel  *self,
                                               SuiRegisterRow *record);
SuiRegisterRow *sui_paged_model_find          (SuiPagedModel  *self,
                                               gint64          id,
                                               guint          *position);

G_END_DECLS
