/* sui-files.h: PUT /files (streamed uploads), GET /files/{id} (streamed downloads),
 * files.get, files.purge_exports and the hourly purge of expired exports
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SuiServer SuiServer;

void sui_files_attach   (SuiServer *server);
void sui_files_register (void);

G_END_DECLS
