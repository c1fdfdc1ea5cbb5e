/* sui-imports.h: CSV imports into the registers (imports.preview, imports.commit) and
 * CSV exports (objects.export)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sui-call.h"

G_BEGIN_DECLS

void      sui_imports_register   (void);

/* Exposed for tests and other importers: the text of bytes as UTF-8, from UTF-8 with or
 * without a BOM or from GB18030 (which covers GBK and GB2312). *encoding receives
 * "UTF-8", "UTF-8-BOM" or "GB18030". NULL when the bytes are neither. */
char     *sui_imports_decode     (const char  *bytes,
                                  gsize        length,
                                  const char **encoding);

G_END_DECLS
