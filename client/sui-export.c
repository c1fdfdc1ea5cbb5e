/* sui-export.c: exporting a register list to a CSV or XLSX file the user chooses
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server writes the file (Chinese headers, dates as dates in XLSX) and keeps it; the
 * client fetches its bytes by id and saves them where the user says. Nothing here blocks
 * the main loop: the two calls, the chooser and the write are chained through one GTask.
 */
#include "sui-config.h"

#include <glib/gi18n.h>

#include "sui-export.h"
#include "sui-json.h"

typedef struct
{
  SuiRpcClient *client;
  GtkWindow *parent;
  GBytes *bytes;
  char *name;
} Export;

static void
export_free (Export *export)
{
  g_clear_object (&export->client);
  g_clear_object (&export->parent);
  g_clear_pointer (&export->bytes, g_bytes_unref);
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

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_chosen (GtkNativeDialog *chooser,
           int              response,
           GTask           *task)
{
  Export *export = g_task_get_task_data (task);
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT &&
      (file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser))) != NULL)
    g_file_replace_contents_bytes_async (file, export->bytes, NULL, FALSE,
                                         G_FILE_CREATE_REPLACE_DESTINATION,
                                         g_task_get_cancellable (task), saved_cb,
                                         g_object_ref (task));
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                             _("The export was not saved."));

  g_object_unref (chooser);
  g_object_unref (task);
}

static void
downloaded_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Export *export = g_task_get_task_data (task);
  g_autoptr(JsonNode) node = NULL;
  GtkFileChooserNative *chooser;
  GError *error = NULL;
  guchar *data;
  gsize length = 0;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      if (error == NULL)
        error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                     _("The server sent no file. Please try again."));
      g_task_return_error (task, error);
      return;
    }

  data = g_base64_decode (sui_json_get_string (json_node_get_object (node), "data"), &length);
  export->bytes = g_bytes_new_take (data, length);

  chooser = gtk_file_chooser_native_new (_("Save Export"), export->parent,
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), export->name);
  g_signal_connect (chooser, "response", G_CALLBACK (on_chosen), g_object_ref (task));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
exported_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Export *export = g_task_get_task_data (task);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) params = NULL;
  JsonObject *answer;
  GError *error = NULL;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      if (error == NULL)
        error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                     _("The server sent no file. Please try again."));
      g_task_return_error (task, error);
      return;
    }

  answer = json_node_get_object (node);
  export->name = g_strdup (sui_json_get_string (answer, "name"));
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "file_id");
  json_builder_add_int_value (builder, sui_json_get_id (answer, "file_id"));
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);
  sui_rpc_client_call_async (export->client, "exports.download", params,
                             g_task_get_cancellable (task), downloaded_cb, g_object_ref (task));
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
