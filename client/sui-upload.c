/* sui-upload.c: choosing a file and uploading it, for the file assistants
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The import assistant and the registry check go the same way: choose a CSV file (or take a
 * path), upload it with PUT /files while a "working" page pulses, then call a method on the
 * file's id. The steps are the pages of a GtkStack; cancelling goes back to the page the
 * assistant names and leaves a fresh cancellable for what comes next.
 */
#include "sui-config.h"

#include <glib/gi18n.h>

#include "sui-json.h"
#include "sui-upload.h"

#define PULSE_MS 120

/* Binds the stack, the working label and the bar of the SuiUpload at @upload_offset. */
void
sui_upload_bind_template (GtkWidgetClass *widget_class,
                          gsize           upload_offset)
{
  gtk_widget_class_bind_template_child_full (widget_class, "stack", FALSE,
                                             upload_offset + G_STRUCT_OFFSET (SuiUpload, stack));
  gtk_widget_class_bind_template_child_full (widget_class, "working_label", FALSE,
                                             upload_offset +
                                             G_STRUCT_OFFSET (SuiUpload, working_label));
  gtk_widget_class_bind_template_child_full (widget_class, "progress", FALSE,
                                             upload_offset +
                                             G_STRUCT_OFFSET (SuiUpload, progress));
}

void
sui_upload_init (SuiUpload *upload,
                 GtkWidget *owner)
{
  upload->owner = owner;
  upload->cancellable = g_cancellable_new ();
}

/* For the owner's dispose: stops the bar and cancels what runs. */
void
sui_upload_clear (SuiUpload *upload)
{
  g_clear_handle_id (&upload->pulse_source, g_source_remove);
  g_cancellable_cancel (upload->cancellable);
  g_clear_object (&upload->cancellable);
  g_clear_object (&upload->file);
}

static gboolean
pulse_cb (gpointer user_data)
{
  SuiUpload *upload = user_data;

  gtk_progress_bar_pulse (upload->progress);
  return G_SOURCE_CONTINUE;
}

void
sui_upload_set_working (SuiUpload  *upload,
                        const char *what)
{
  gtk_label_set_text (upload->working_label, what);
  gtk_stack_set_visible_child_name (upload->stack, "working");
  if (upload->pulse_source == 0)
    upload->pulse_source = g_timeout_add (PULSE_MS, pulse_cb, upload);
}

void
sui_upload_stop_working (SuiUpload  *upload,
                         const char *step)
{
  g_clear_handle_id (&upload->pulse_source, g_source_remove);
  gtk_stack_set_visible_child_name (upload->stack, step);
}

/* Cancels what runs and shows @step; later calls get a new cancellable. */
void
sui_upload_cancel (SuiUpload  *upload,
                   const char *step)
{
  g_cancellable_cancel (upload->cancellable);
  g_clear_object (&upload->cancellable);
  upload->cancellable = g_cancellable_new ();
  sui_upload_stop_working (upload, step);
}

static void
on_file_chosen (GtkNativeDialog *chooser,
                int              response,
                GtkWidget       *owner)
{
  /* Embedded in @owner, which the connection keeps alive for as long as it runs. */
  SuiUpload *upload = g_object_get_data (G_OBJECT (chooser), "sui-upload");
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT &&
      (file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser))) != NULL)
    upload->open (owner, file);

  g_object_unref (chooser);
}

/**
 * sui_upload_choose_csv:
 * @any_file: offer text files and "All files" besides CSV files
 * @open: gets the chosen file, unless the owner is gone by then
 */
void
sui_upload_choose_csv (SuiUpload     *upload,
                       gboolean       any_file,
                       SuiUploadOpen  open)
{
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) csv = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (_("Choose a CSV File"), GTK_WINDOW (upload->owner),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (csv, _("CSV files"));
  gtk_file_filter_add_pattern (csv, "*.csv");
  gtk_file_filter_add_pattern (csv, "*.CSV");
  if (any_file)
    gtk_file_filter_add_pattern (csv, "*.txt");
  gtk_file_filter_add_mime_type (csv, "text/csv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), csv);
  if (any_file)
    {
      g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

      gtk_file_filter_set_name (all, _("All files"));
      gtk_file_filter_add_pattern (all, "*");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);
    }

  upload->open = open;
  g_object_set_data (G_OBJECT (chooser), "sui-upload", upload);
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_file_chosen), upload->owner, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* Uploads @file (PUT /files) with the "working" page up; @callback gets a reference to the
 * owner as user data and calls sui_upload_finish(). */
void
sui_upload_start (SuiUpload           *upload,
                  SuiRpcClient        *client,
                  GFile               *file,
                  GAsyncReadyCallback  callback)
{
  g_set_object (&upload->file, file);
  g_clear_object (&upload->cancellable);
  upload->cancellable = g_cancellable_new ();

  sui_upload_set_working (upload, _("Uploading the file…"));
  sui_rpc_client_upload_async (client, file, upload->cancellable, callback,
                               g_object_ref (upload->owner));
}

/* Returns: the id of the uploaded file, 0 with @error set */
gint64
sui_upload_finish (SuiUpload     *upload,
                   GObject       *client,
                   GAsyncResult  *result,
                   GError       **error)
{
  g_autoptr(JsonObject) file = NULL;

  file = sui_rpc_client_upload_finish (SUI_RPC_CLIENT (client), result, error);

  return file != NULL ? sui_json_get_id (file, "id") : 0;
}
