/* sui-export.h: exporting a list to a CSV or XLSX file the user chooses
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sui-rpc-client.h"

G_BEGIN_DECLS

/* The "Export…" menu of a list page: CSV and XLSX, each firing @action (e.g. "tags.export",
 * installed with a "s" parameter) with "csv" or "xlsx" as its target. */
GMenuModel *sui_export_menu_new         (const char          *action);
void        sui_export_menu_button_init (GtkMenuButton       *button,
                                         const char          *action);

/* What a page's export action does: calls @method (objects.export, tags.export …) with
 * @params (an object or NULL; the list's filter) and @format ("csv" or "xlsx"), asks where
 * to save the file (transient for @page's window), streams it there, and tells the user how
 * it went with toasts on @overlay. Stops quietly when @cancellable is cancelled or the user
 * closes the chooser. */
void        sui_export_run              (GtkWidget           *page,
                                         AdwToastOverlay     *overlay,
                                         SuiRpcClient        *client,
                                         const char          *method,
                                         JsonNode            *params,
                                         const char          *format,
                                         GCancellable        *cancellable);

/* The same without toasts: finishes with FALSE and G_IO_ERROR_CANCELLED when the user
 * closed the chooser. */
void        sui_export_save_async       (SuiRpcClient        *client,
                                         GtkWindow           *parent,
                                         const char          *method,
                                         JsonNode            *params,
                                         const char          *format,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean    sui_export_save_finish      (GAsyncResult        *result,
                                         GError             **error);

/* Streams the stored file @file_id (GET /files/{id}, with the client's server and token)
 * into @destination, replacing it; a failed download leaves no partial file. */
void        sui_export_download_async   (SuiRpcClient        *client,
                                         gint64               file_id,
                                         GFile               *destination,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean    sui_export_download_finish  (GAsyncResult        *result,
                                         GError             **error);

/* For tests: save every export to @file (NULL: ask again) instead of showing a chooser;
 * forgets the last message. */
void        sui_export_set_destination_for_testing (GFile    *file);
/* The last toast sui_export_run() showed ("The export was saved.", an error …), or NULL. */
const char *sui_export_get_last_message            (void);

G_END_DECLS
