/* sui-draw-record.h: checking and printing an exported draw record in the client
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The record is consistent in itself (SUI_DRAW_ERROR otherwise) but is not the draw whose
 * commitment and candidate hash were shown before it ran. */
#define SUI_DRAW_RECORD_ERROR (sui_draw_record_error_quark ())

typedef enum
{
  SUI_DRAW_RECORD_ERROR_PUBLISHED_COMMITMENT,
  SUI_DRAW_RECORD_ERROR_PUBLISHED_CANDIDATE_HASH,
} SuiDrawRecordError;

GQuark    sui_draw_record_error_quark      (void);

void      sui_draw_record_verify_async     (JsonNode            *record,
                                            const char          *shown_commitment,
                                            const char          *shown_candidate_hash,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean  sui_draw_record_verify_finish    (GAsyncResult        *result,
                                            GError             **error);
char     *sui_draw_record_describe_failure (const GError        *error);

gboolean  sui_draw_record_write_pdf        (JsonObject          *record,
                                            const char          *task_name,
                                            const char          *verification,
                                            const char          *path,
                                            GError             **error);
gboolean  sui_draw_record_write_png        (JsonObject          *record,
                                            const char          *task_name,
                                            const char          *verification,
                                            const char          *path,
                                            GError             **error);
void      sui_draw_record_save_pdf_async   (JsonObject          *record,
                                            const char          *task_name,
                                            const char          *verification,
                                            GFile               *file,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean  sui_draw_record_save_pdf_finish  (GAsyncResult        *result,
                                            GError             **error);

G_END_DECLS
