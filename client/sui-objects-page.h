/* sui-objects-page.h: the object register (检查对象名录库)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sui-events-client.h"
#include "sui-rpc-client.h"

G_BEGIN_DECLS

typedef enum
{
  SUI_TAG_MODE_ANY_VALUE, /* the tag does not matter */
  SUI_TAG_MODE_ALL,       /* must carry it (AND) */
  SUI_TAG_MODE_ANY,       /* carries at least one of these (OR) */
  SUI_TAG_MODE_NOT,       /* must not carry it (NOT) */
} SuiTagMode;

#define SUI_TYPE_OBJECTS_PAGE (sui_objects_page_get_type ())

G_DECLARE_FINAL_TYPE (SuiObjectsPage, sui_objects_page, SUI, OBJECTS_PAGE, AdwBin)

SuiObjectsPage    *sui_objects_page_new              (SuiRpcClient    *client,
                                                      SuiEventsClient *events,
                                                      gboolean         admin);
void               sui_objects_page_reload           (SuiObjectsPage  *self);
gboolean           sui_objects_page_get_loading      (SuiObjectsPage  *self);
gboolean           sui_objects_page_get_ready        (SuiObjectsPage  *self);
GListModel        *sui_objects_page_get_objects      (SuiObjectsPage  *self);
GtkSelectionModel *sui_objects_page_get_selection    (SuiObjectsPage  *self);
GtkAdjustment     *sui_objects_page_get_vadjustment  (SuiObjectsPage  *self);
gint64             sui_objects_page_get_total        (SuiObjectsPage  *self);
JsonNode          *sui_objects_page_build_filter     (SuiObjectsPage  *self);
void               sui_objects_page_set_search       (SuiObjectsPage  *self,
                                                      const char      *text);
gboolean           sui_objects_page_set_choice       (SuiObjectsPage  *self,
                                                      const char      *field,
                                                      const char      *code);
void               sui_objects_page_set_district     (SuiObjectsPage  *self,
                                                      const char      *district);
void               sui_objects_page_set_tag_mode     (SuiObjectsPage  *self,
                                                      gint64           tag_id,
                                                      SuiTagMode       mode);
void               sui_objects_page_apply_tag        (SuiObjectsPage  *self,
                                                      gint64           tag_id,
                                                      gboolean         remove,
                                                      gboolean         matching);
GtkWindow         *sui_objects_page_open_editor      (SuiObjectsPage  *self,
                                                      gboolean         edit_selected);
const char        *sui_objects_page_get_last_message (SuiObjectsPage  *self);

G_END_DECLS
