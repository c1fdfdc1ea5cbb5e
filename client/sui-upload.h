/* sui-upload.h: choosing a file and uploading it, for the file assistants
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sui-rpc-client.h"

G_BEGIN_DECLS

/* Embedded in the assistant's instance struct; the template names the stack "stack", its
 * "working" page's label "working_label" and its bar "progress". */
/* Called with the file the user chose. */
typedef void (*SuiUploadOpen) (GtkWidget *owner,
                               GFile     *file);

typedef struct
{
  GtkWidget      *owner;
  SuiUploadOpen   open;
  GtkStack       *stack;
  GtkLabel       *working_label;
  GtkProgressBar *progress;
  guint           pulse_source;
  GCancellable   *cancellable;
  GFile          *file;
} SuiUpload;

void    sui_upload_bind_template (GtkWidgetClass      *widget_class,
                                  gsize                upload_offset);
void    sui_upload_init          (SuiUpload           *upload,
                                  GtkWidget           *owner);
void    sui_upload_clear         (SuiUpload           *upload);

void    sui_upload_choose_csv    (SuiUpload           *upload,
                                  gboolean             any_file,
                                  SuiUploadOpen        open);
void    sui_upload_start         (SuiUpload           *upload,
                                  SuiRpcClient        *client,
                                  GFile               *file,
                                  GAsyncReadyCallback  callback);
gint64  sui_upload_finish        (SuiUpload           *upload,
                                  GObject             *client,
                                  GAsyncResult        *result,
                                  GError             **error);

void    sui_upload_set_working   (SuiUpload           *upload,
                                  const char          *what);
void    sui_upload_stop_working  (SuiUpload           *upload,
                                  const char          *step);
void    sui_upload_cancel        (SuiUpload           *upload,
                                  const char          *step);

G_END_DECLS
