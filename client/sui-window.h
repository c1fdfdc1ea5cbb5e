/* sui-window.h: the main window of a signed-in user
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

#include "sui-events-client.h"
#include "sui-rpc-client.h"

G_BEGIN_DECLS

#define SUI_TYPE_WINDOW (sui_window_get_type ())

G_DECLARE_FINAL_TYPE (SuiWindow, sui_window, SUI, WINDOW, AdwApplicationWindow)

SuiWindow       *sui_window_new             (GtkApplication *application,
                                             SuiRpcClient   *client,
                                             JsonNode       *user);
SuiEventsClient *sui_window_get_events      (SuiWindow      *self);
gboolean         sui_window_get_connection_lost (SuiWindow  *self);
const char      *sui_window_get_visible_area (SuiWindow     *self);
void             sui_window_set_visible_area (SuiWindow     *self,
                                              const char    *area);
gboolean         sui_window_has_area         (SuiWindow     *self,
                                              const char    *area);

G_END_DECLS
