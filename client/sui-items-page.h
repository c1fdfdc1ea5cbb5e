/* sui-items-page.h: the item list (抽查事项清单) and the catalogue it is claimed from
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sui-events-client.h"
#include "sui-register-row.h"
#include "sui-rpc-client.h"

G_BEGIN_DECLS

#define SUI_TYPE_ITEMS_PAGE (sui_items_page_get_type ())

G_DECLARE_FINAL_TYPE (SuiItemsPage, sui_items_page, SUI, ITEMS_PAGE, AdwBin)

SuiItemsPage *sui_items_page_new                (SuiRpcClient    *client,
                                                 SuiEventsClient *events,
                                                 gboolean         admin);
void          sui_items_page_reload             (SuiItemsPage    *self);
gboolean      sui_items_page_get_ready          (SuiItemsPage    *self);
GListModel   *sui_items_page_get_items          (SuiItemsPage    *self);
GListModel   *sui_items_page_get_catalogue      (SuiItemsPage    *self);
const char   *sui_items_page_get_view           (SuiItemsPage    *self);
gboolean      sui_items_page_select             (SuiItemsPage    *self,
                                                 const char      *view,
                                                 gint64           id);
void          sui_items_page_set_search         (SuiItemsPage    *self,
                                                 const char      *text);
void          sui_items_page_set_unit           (SuiItemsPage    *self,
                                                 gint64           unit_id);
char         *sui_items_page_dup_cell_text      (SuiItemsPage    *self,
                                                 SuiRegisterRow  *row,
                                                 const char      *column);
GtkWindow    *sui_items_page_open_editor        (SuiItemsPage    *self,
                                                 gboolean         create);
void          sui_items_page_release_selected   (SuiItemsPage    *self,
                                                 const char      *reason);
char         *sui_items_page_dup_release_body   (JsonObject      *item);
void          sui_items_page_retire_selected    (SuiItemsPage    *self,
                                                 const char      *reason);
const char   *sui_items_page_get_changes_text   (SuiItemsPage    *self);
JsonArray    *sui_items_page_get_last_affected  (SuiItemsPage    *self);
const char   *sui_items_page_get_last_message   (SuiItemsPage    *self);

G_END_DECLS
