/* sui-export.h: exporting a register list to a CSV or XLSX file the user chooses
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "sui-rpc-client.h"

G_BEGIN_DECLS

/* Calls @method (objects.export, inspectors.export) with @params (an object or NULL; the
 * list's filter) and format @format ("csv" or "xlsx"), fetches the file it made with
 * exports.download, asks where to save it (transient for @parent) and writes it there.
 * Finishes with FALSE and G_IO_ERROR_CANCELLED when the user closed the chooser. */
void      sui_export_save_async   (SuiRpcClient        *client,
                                   GtkWindow           *parent,
                                   const char          *method,
                                   JsonNode            *params,
                                   const char          *format,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data);
gboolean  sui_export_save_finish  (GAsyncResult        *result,
                                   GError             **error);

G_END_DECLS
