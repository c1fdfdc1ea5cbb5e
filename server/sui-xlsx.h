/* sui-xlsx.h: list exports as CSV (UTF-8 with BOM) or XLSX (objects.export,
 * inspectors.export, items.export, catalogue.export, tasks.export_assignments, tags.export,
 * users.export) and exports.download
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libpq-fe.h>

#include "sui-call.h"

G_BEGIN_DECLS

void      sui_xlsx_register      (void);

/* The rows of result as an XLSX workbook of one sheet: headers in bold on the first row
 * (frozen, with an autofilter), date columns as Excel dates, integer columns as numbers,
 * everything else as text (so that a licence number never turns into 1.3E+11). */
GBytes   *sui_xlsx_from_result   (PGresult            *result,
                                  const char * const  *headers,
                                  const char          *sheet,
                                  GError             **error);

/* The same rows as CSV: UTF-8 with a BOM, CRLF, columns named in text_columns (a bitmask)
 * written as ="…" so that Excel keeps long digit strings as text. */
GBytes   *sui_csv_from_result    (PGresult            *result,
                                  const char * const  *headers,
                                  guint64              text_columns);

G_END_DECLS
