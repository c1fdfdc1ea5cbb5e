/* sui-events.h: WebSocket /events, fed by PostgreSQL LISTEN/NOTIFY
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SuiServer SuiServer;
typedef struct _SuiEvents SuiEvents;

#define SUI_EVENTS_CHANNEL "sui_changed"

SuiEvents *sui_events_new    (SuiServer  *server);
gboolean   sui_events_start  (SuiEvents  *events,
                              GError    **error);
void       sui_events_free   (SuiEvents  *events);
guint      sui_events_get_n_clients (SuiEvents *events);

G_END_DECLS
