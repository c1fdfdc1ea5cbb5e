/* sui-tags-page.h: the tag library (分类标签库): groups and their tags
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sui-events-client.h"
#include "sui-rpc-client.h"

G_BEGIN_DECLS

#define SUI_TYPE_TAGS_PAGE (sui_tags_page_get_type ())

G_DECLARE_FINAL_TYPE (SuiTagsPage, sui_tags_page, SUI, TAGS_PAGE, AdwBin)

SuiTagsPage *sui_tags_page_new    (SuiRpcClient    *client,
                                   SuiEventsClient *events,
                                   gboolean         admin);
void         sui_tags_page_reload (SuiTagsPage     *self);

GtkListBox  *sui_tags_page_get_tag_list   (SuiTagsPage *self);
GtkLabel    *sui_tags_page_get_owner_note (SuiTagsPage *self);

G_END_DECLS
