/* sui-files.h: PUT /files (streamed uploads) and files.get
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
