/* sui-events-client.h: the WebSocket /events feed of shuangsuid
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SUI_TYPE_EVENTS_CLIENT (sui_events_client_get_type ())

G_DECLARE_FINAL_TYPE (SuiEventsClient, sui_events_client, SUI, EVENTS_CLIENT, GObject)

SuiEventsClient *sui_events_client_new              (const char      *base_url,
                                                     const char      *token);
void             sui_events_client_start            (SuiEventsClient *self);
void             sui_events_client_stop             (SuiEventsClient *self);
gboolean         sui_events_client_get_connected    (SuiEventsClient *self);
gboolean         sui_events_client_get_disconnected (SuiEventsClient *self);

G_END_DECLS
