/* sui-export.c: exporting a list to a CSV or XLSX file the user chooses
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server writes the file (Chinese headers, dates as dates in XLSX) and keeps it for a
 * day; the client asks where to save it, then streams it there from GET /files/{id}, so a
 * large export never sits in memory whole (nor in base64 inside a JSON answer). Nothing here
 * blocks the main loop: the call, the chooser and the download are chained through one
 * GTask. Every list page uses the same menu, action and toasts from here.
 */
#include "sui-config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "sui-export.h"
#include "sui-json.h"

static GFile *test_destination;
static char *last_message;

/* ---- the menu -------------------------------------------------------------------------- */

GMenuModel *
sui_export_menu_new (const char *action)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) section = g_menu_new ();
  g_autoptr(GMenuItem) csv = g_menu_item_new (_("Export as CSV (UTF-8)"), NULL);
  g_autoptr(GMenuItem) xlsx = g_menu_item_new (_("Export as Excel Workbook (XLSX)"), NULL);

  g_return_val_if_fail (action != NULL, NULL);

  g_menu_item_set_action_and_target (csv, action, "s", "csv");
  g_menu_item_set_action_and_target (xlsx, action, "s", "xlsx");
  g_menu_append_item (section, csv);
  g_menu_append_item (section, xlsx);
  g_menu_append_section (menu, NULL, G_MENU_MODEL (section));
  return G_MENU_MODEL (g_steal_pointer (&menu));
}

void
sui_export_menu_button_init (GtkMenuButton *button,
                             const char    *action)
{
  g_autoptr(GMenuModel) menu = NULL;

  g_return_if_fail (GTK_IS_MENU_BUTTON (button));

  menu = sui_export_menu_new (action);
  gtk_menu_button_set_menu_model (button, menu);
}

/* ---- GET /files/{id} into a file -------------------------------------------------------- */

typedef struct
{
  SuiRpcClient *client;
  SoupSession *session;
  SoupMessage *message;
  GFile *destination;
  GInputStream *body;
  goffset expected;
} Download;

static void
download_free (Download *download)
{
  g_clear_object (&download->client);
  if (download->session != NULL)
    soup_session_abort (download->session);
  g_clear_object (&download->session);
  g_clear_object (&download->message);
  g_clear_object (&download->destination);
  g_clear_object (&download->body);
  g_free (download);
}

/* A download that failed half-way must not leave a file that looks complete. */
static void
download_fail (GTask  *task,
               GError *error)
{
  Download *download = g_task_get_task_data (task);

  g_file_delete_async (download->destination, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  g_task_return_error (task, error);
}

static void
download_spliced_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Download *download = g_task_get_task_data (task);
  GError *error = NULL;
  gssize written;

  written = g_output_stream_splice_finish (G_OUTPUT_STREAM (object), result, &error);
  if (written < 0)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *detail = g_strdup (error->message);

          g_clear_error (&error);
          error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("The file could not be saved completely (%s). "
                                 "Check the connection and the free space, then export again."),
                               detail);
        }
      download_fail (task, error);
      return;
    }
  if (download->expected >= 0 && written != download->expected)
    {
      download_fail (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                                                _("The download was cut short. "
                                                  "Check the connection and export again.")));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
download_opened_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Download *download = g_task_get_task_data (task);
  g_autoptr(GFileOutputStream) output = NULL;
  g_autoptr(GError) error = NULL;

  output = g_file_replace_finish (G_FILE (object), result, &error);
  if (output == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                                 _("The file cannot be written here (%s). "
                                   "Choose another folder or name."), error->message);
      return;
    }

  g_output_stream_splice_async (G_OUTPUT_STREAM (output), download->body,
                                G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                                G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                download_spliced_cb, g_object_ref (task));
}

static void
download_sent_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Download *download = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  guint status;

  download->body = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (download->body == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, SUI_RPC_CLIENT_ERROR, SUI_RPC_CLIENT_ERROR_UNREACHABLE,
                                 "%s", error->message);
      return;
    }

  status = soup_message_get_status (download->message);
  if (status == SOUP_STATUS_UNAUTHORIZED)
    {
      g_signal_emit_by_name (download->client, "unauthorized");
      g_task_return_new_error (task, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_AUTHENTICATED,
                               _("Your session has ended. Please log in again."));
      return;
    }
  if (status == SOUP_STATUS_NOT_FOUND)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("The exported file is no longer on the server "
                                 "(exports are kept for a day). Export again."));
      return;
    }
  if (status != SOUP_STATUS_OK)
    {
      g_task_return_new_error (task, SUI_RPC_CLIENT_ERROR, SUI_RPC_CLIENT_ERROR_HTTP,
                               _("The server gave an unexpected answer (HTTP %u). "
                                 "Check that the address points to a Shuangsui server."),
                               status);
      return;
    }

  download->expected =
    soup_message_headers_get_encoding (soup_message_get_response_headers (download->message))
    == SOUP_ENCODING_CONTENT_LENGTH
    ? soup_message_headers_get_content_length (soup_message_get_response_headers (download->message))
    : -1;
  g_file_replace_async (download->destination, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                        G_PRIORITY_DEFAULT, g_task_get_cancellable (task), download_opened_cb,
                        g_object_ref (task));
}

void
sui_export_download_async (SuiRpcClient        *client,
                           gint64               file_id,
                           GFile               *destination,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *base = NULL;
  g_autofree char *url = NULL;
  const char *token;
  Download *download;

  g_return_if_fail (SUI_IS_RPC_CLIENT (client));
  g_return_if_fail (G_IS_FILE (destination));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, sui_export_download_async);
  download = g_new0 (Download, 1);
  download->client = g_object_ref (client);
  download->destination = g_object_ref (destination);
  download->expected = -1;
  g_task_set_task_data (task, download, (GDestroyNotify) download_free);

  base = sui_rpc_client_normalize_url (sui_rpc_client_get_base_url (client), &error);
  if (base == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  url = g_strdup_printf ("%s/files/%" G_GINT64_FORMAT, base, file_id);
  download->message = soup_message_new (SOUP_METHOD_GET, url);
  if (download->message == NULL)
    {
      g_task_return_new_error (task, SUI_RPC_CLIENT_ERROR, SUI_RPC_CLIENT_ERROR_BAD_URL,
                               _("The server address is not valid. "
                                 "Enter it like http://127.0.0.1:8470."));
      return;
    }
  token = sui_rpc_client_get_token (client);
  if (token != NULL)
    {
      g_autofree char *authorization = g_strconcat ("Bearer ", token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (download->message),
                                    "Authorization", authorization);
    }

  /* A session of its own: a download of many megabytes must not hold up the list calls
   * queued on the RPC client's connection; the timeout is for a stalled socket. */
  download->session = g_object_new (SOUP_TYPE_SESSION,
                                    "timeout", 60,
                                    "user-agent", "shuangsui/" SUI_VERSION,
                                    NULL);
  soup_session_send_async (download->session, download->message, G_PRIORITY_DEFAULT,
                           cancellable, download_sent_cb, g_steal_pointer (&task));
}

gboolean
sui_export_download_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- export, choose, download -------------------------------------------------------------- */

typedef struct
{
  SuiRpcClient *client;
  GtkWindow *parent;
  char *name;
  gint64 file_id;
} Export;

static void
export_free (Export *export)
{
  g_clear_object (&export->client);
  g_clear_object (&export->parent);
  g_free (export->name);
  g_free (export);
}

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!sui_export_download_finish (result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
save_to (GTask *task,
         GFile *file)
{
  Export *export = g_task_get_task_data (task);

  sui_export_download_async (export->client, export->file_id, file,
                             g_task_get_cancellable (task), saved_cb, g_object_ref (task));
}

static void
on_chosen (GtkNativeDialog *chooser,
           int              response,
           GTask           *task)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT &&
      (file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser))) != NULL)
    save_to (task, file);
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                             _("The export was not saved."));

  g_object_unref (chooser);
  g_object_unref (task);
}

static void
exported_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Export *export = g_task_get_task_data (task);
  g_autoptr(JsonNode) node = NULL;
  GtkFileChooserNative *chooser;
  JsonObject *answer;
  GError *error = NULL;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node) ||
      sui_json_get_id (json_node_get_object (node), "file_id") <= 0)
    {
      if (error == NULL)
        error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                     _("The server sent no file. Please try again."));
      g_task_return_error (task, error);
      return;
    }

  answer = json_node_get_object (node);
  export->name = g_strdup (sui_json_get_string (answer, "name"));
  export->file_id = sui_json_get_id (answer, "file_id");

  if (test_destination != NULL)
    {
      save_to (task, test_destination);
      return;
    }

  chooser = gtk_file_chooser_native_new (_("Save Export"), export->parent,
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  if (export->name != NULL)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), export->name);
  g_signal_connect (chooser, "response", G_CALLBACK (on_chosen), g_object_ref (task));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

void
sui_export_save_async (SuiRpcClient        *client,
                       GtkWindow           *parent,
                       const char          *method,
                       JsonNode            *params,
                       const char          *format,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonNode) call_params = NULL;
  Export *export;
  JsonObject *object;

  g_return_if_fail (SUI_IS_RPC_CLIENT (client));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, sui_export_save_async);
  export = g_new0 (Export, 1);
  export->client = g_object_ref (client);
  export->parent = parent != NULL ? g_object_ref (parent) : NULL;
  g_task_set_task_data (task, export, (GDestroyNotify) export_free);

  call_params = params != NULL && JSON_NODE_HOLDS_OBJECT (params)
                ? json_node_copy (params) : json_node_init_object (json_node_alloc (),
                                                                     json_object_new ());
  object = json_node_get_object (call_params);
  json_object_set_string_member (object, "format", format);
  sui_rpc_client_call_async (client, method, call_params, cancellable, exported_cb,
                             g_steal_pointer (&task));
}

gboolean
sui_export_save_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- from a page, with toasts -------------------------------------------------------------- */

static void
toast (AdwToastOverlay *overlay,
       const char      *message)
{
  AdwToast *t = adw_toast_new (message);

  g_free (last_message);
  last_message = g_strdup (message);
  /* The newest news first: an older toast queued in front would lag behind. */
  adw_toast_set_priority (t, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_timeout (t, 5);
  adw_toast_overlay_add_toast (overlay, t);
}

static void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(AdwToastOverlay) overlay = user_data;
  g_autoptr(GError) error = NULL;

  if (sui_export_save_finish (result, &error))
    toast (overlay, _("The export was saved."));
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *message = sui_rpc_client_describe_error (error);

      toast (overlay, message);
    }
}

void
sui_export_run (GtkWidget       *page,
                AdwToastOverlay *overlay,
                SuiRpcClient    *client,
                const char      *method,
                JsonNode        *params,
                const char      *format,
                GCancellable    *cancellable)
{
  GtkRoot *root;

  g_return_if_fail (GTK_IS_WIDGET (page));
  g_return_if_fail (ADW_IS_TOAST_OVERLAY (overlay));
  g_return_if_fail (SUI_IS_RPC_CLIENT (client));

  root = gtk_widget_get_root (page);
  toast (overlay, _("Preparing the export…"));
  sui_export_save_async (client, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, method,
                         params, format != NULL ? format : "csv", cancellable, run_done_cb,
                         g_object_ref (overlay));
}

void
sui_export_set_destination_for_testing (GFile *file)
{
  g_set_object (&test_destination, file);
  g_clear_pointer (&last_message, g_free);
}

const char *
sui_export_get_last_message (void)
{
  return last_message;
}
