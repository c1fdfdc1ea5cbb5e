/* sui-admin-page.c: system administration: units and user accounts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The unit tree on the left, the users on the right. Users are fetched page by page with the
 * keyset cursor of users.list and swapped in at once when the last page has come, so the list
 * never shows a half-loaded state. A change announced on /events reloads the affected list
 * after a short pause, which folds a burst of notifications into one reload.
 */
#include "sui-config.h"

#include <glib/gi18n.h>

#include "sui-admin-page.h"
#include "sui-export.h"
#include "sui-json.h"
#include "sui-password-dialog.h"
#include "sui-unit-dialog.h"
#include "sui-unit.h"
#include "sui-user-dialog.h"
#include "sui-user.h"

#define USERS_PAGE_SIZE 500
#define RELOAD_DELAY_MS 200

struct _SuiAdminPage
{
  AdwBin parent_instance;

  AdwToastOverlay *toast_overlay;
  GtkListView *unit_view;
  GtkSearchEntry *search_entry;
  GtkButton *toggle_button;
  GtkMenuButton *export_button;
  GtkColumnView *users_view;
  GtkColumnViewColumn *login_column;
  GtkColumnViewColumn *name_column;
  GtkColumnViewColumn *role_column;
  GtkColumnViewColumn *unit_column;
  GtkColumnViewColumn *status_column;
  GtkSpinner *spinner;
  GtkLabel *count_label;

  SuiRpcClient *client;
  SuiEventsClient *events;

  GListStore *users;
  GtkCustomFilter *filter;
  GtkSortListModel *sorted_users;
  GtkSingleSelection *user_selection;
  GPtrArray *pending_users;
  GCancellable *users_cancellable;

  GListStore *unit_roots;
  GListStore *units_flat;
  GtkSingleSelection *unit_selection;
  GCancellable *units_cancellable;

  GCancellable *cancellable;
  gint64 select_unit_after_load;
  gint64 select_user_after_load;
  guint reload_users_source;
  guint reload_units_source;
  guint loading_users : 1;
  guint loading_units : 1;
};

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_EVENTS,
  PROP_SEARCH_TEXT,
  PROP_LOADING,
  PROP_N_USERS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SuiAdminPage, sui_admin_page, ADW_TYPE_BIN)

static void load_users (SuiAdminPage *self);
static void load_units (SuiAdminPage *self);

static void
toast (SuiAdminPage *self,
       const char   *message)
{
  AdwToast *t = adw_toast_new (message);

  /* The newest news first: a queue of older toasts would lag behind what happened. */
  adw_toast_set_priority (t, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_timeout (t, 4);
  adw_toast_overlay_add_toast (self->toast_overlay, t);
}

static void
toast_error (SuiAdminPage *self,
             const GError *error)
{
  g_autofree char *message = sui_rpc_client_describe_error (error);

  toast (self, message);
}

static void
update_loading (SuiAdminPage *self)
{
  gboolean loading = sui_admin_page_get_loading (self);

  gtk_widget_set_visible (GTK_WIDGET (self->spinner), loading);
  gtk_spinner_set_spinning (self->spinner, loading);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static SuiUser *
get_selected_user (SuiAdminPage *self)
{
  return gtk_single_selection_get_selected_item (self->user_selection);
}

/* Returns: (transfer none) (nullable) */
static SuiUnit *
get_selected_unit (SuiAdminPage *self)
{
  GtkTreeListRow *row = gtk_single_selection_get_selected_item (self->unit_selection);
  g_autoptr(GObject) item = NULL;

  if (row == NULL)
    return NULL;

  /* The row holds its own reference to the unit, so returning it unowned is safe. */
  item = gtk_tree_list_row_get_item (row);
  return SUI_UNIT (item);
}

static void
update_actions (SuiAdminPage *self)
{
  SuiUser *user = get_selected_user (self);
  SuiUnit *unit = get_selected_unit (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "admin.edit-user", user != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "admin.reset-password",
                                 user != NULL && !sui_user_get_disabled (user));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "admin.toggle-user", user != NULL);
  gtk_button_set_label (self->toggle_button,
                        user != NULL && sui_user_get_disabled (user) ? _("Enable") : _("Disable"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "admin.edit-unit", unit != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "admin.disable-unit",
                                 unit != NULL && !sui_unit_get_disabled (unit));
}

static void
update_count (SuiAdminPage *self)
{
  guint total = g_list_model_get_n_items (G_LIST_MODEL (self->users));
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->sorted_users));
  g_autofree char *text = NULL;

  if (shown == total)
    text = g_strdup_printf (ngettext ("%u user", "%u users", total), total);
  else
    /* Translators: 3 of 120 users are shown, the others are filtered out by the search */
    text = g_strdup_printf (ngettext ("%u of %u user", "%u of %u users", total), shown, total);

  gtk_label_set_text (self->count_label, text);
}

/* Users */

static JsonNode *
users_params (JsonNode *after)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "include_disabled");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_set_member_name (builder, "limit");
  json_builder_add_int_value (builder, USERS_PAGE_SIZE);
  if (after != NULL)
    {
      json_builder_set_member_name (builder, "after");
      json_builder_add_value (builder, json_node_copy (after));
    }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static void
commit_users (SuiAdminPage *self)
{
  g_autoptr(GPtrArray) items = g_steal_pointer (&self->pending_users);
  SuiUser *selected = get_selected_user (self);
  gint64 selected_id = selected != NULL ? sui_user_get_id (selected) : 0;

  if (self->select_user_after_load != 0)
    selected_id = self->select_user_after_load;
  self->select_user_after_load = 0;

  g_list_store_splice (self->users, 0, g_list_model_get_n_items (G_LIST_MODEL (self->users)),
                       items->pdata, items->len);

  if (selected_id != 0)
    sui_admin_page_select_user (self, selected_id);

  update_count (self);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_USERS]);
}

static void
users_page_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(SuiAdminPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) params = NULL;
  JsonObject *page;
  JsonNode *items;
  JsonNode *next_after;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      if (error != NULL)
        toast_error (self, error);
      g_clear_pointer (&self->pending_users, g_ptr_array_unref);
      self->loading_users = FALSE;
      update_loading (self);
      return;
    }

  page = json_node_get_object (node);
  items = json_object_get_member (page, "items");
  if (items != NULL && JSON_NODE_HOLDS_ARRAY (items))
    {
      JsonArray *array = json_node_get_array (items);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_OBJECT (element))
            g_ptr_array_add (self->pending_users,
                             sui_user_new_from_json (json_node_get_object (element)));
        }
    }

  next_after = json_object_get_member (page, "next_after");
  if (next_after != NULL && !JSON_NODE_HOLDS_NULL (next_after))
    {
      params = users_params (next_after);
      sui_rpc_client_call_async (self->client, "users.list", params, self->users_cancellable,
                                 users_page_cb, g_object_ref (self));
      return;
    }

  commit_users (self);
  self->loading_users = FALSE;
  update_loading (self);
}

static void
load_users (SuiAdminPage *self)
{
  g_autoptr(JsonNode) params = users_params (NULL);

  g_clear_handle_id (&self->reload_users_source, g_source_remove);

  /* A newer load makes an older one pointless: drop it. */
  g_cancellable_cancel (self->users_cancellable);
  g_clear_object (&self->users_cancellable);
  self->users_cancellable = g_cancellable_new ();
  g_clear_pointer (&self->pending_users, g_ptr_array_unref);
  self->pending_users = g_ptr_array_new_with_free_func (g_object_unref);

  self->loading_users = TRUE;
  update_loading (self);
  sui_rpc_client_call_async (self->client, "users.list", params, self->users_cancellable,
                             users_page_cb, g_object_ref (self));
}

/* Units */

static void
units_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SuiAdminPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GListStore) roots = NULL;
  g_autoptr(GListStore) flat = NULL;
  g_autoptr(GPtrArray) root_items = NULL;
  g_autoptr(GPtrArray) flat_items = NULL;
  SuiUnit *selected;
  gint64 selected_id;
  JsonNode *items;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->loading_units = FALSE;
  update_loading (self);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      if (error != NULL)
        toast_error (self, error);
      return;
    }

  items = json_object_get_member (json_node_get_object (node), "items");
  flat = g_list_store_new (SUI_TYPE_UNIT);
  roots = sui_unit_build_tree (items != NULL && JSON_NODE_HOLDS_ARRAY (items)
                               ? json_node_get_array (items) : NULL,
                               flat);

  selected = get_selected_unit (self);
  selected_id = selected != NULL ? sui_unit_get_id (selected) : 0;
  if (self->select_unit_after_load != 0)
    selected_id = self->select_unit_after_load;
  self->select_unit_after_load = 0;

  root_items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (roots)); i++)
    g_ptr_array_add (root_items, g_list_model_get_item (G_LIST_MODEL (roots), i));
  flat_items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (flat)); i++)
    g_ptr_array_add (flat_items, g_list_model_get_item (G_LIST_MODEL (flat), i));

  g_list_store_splice (self->units_flat, 0,
                       g_list_model_get_n_items (G_LIST_MODEL (self->units_flat)),
                       flat_items->pdata, flat_items->len);
  g_list_store_splice (self->unit_roots, 0,
                       g_list_model_get_n_items (G_LIST_MODEL (self->unit_roots)),
                       root_items->pdata, root_items->len);

  if (selected_id != 0)
    sui_admin_page_select_unit (self, selected_id);
  update_actions (self);
}

static void
load_units (SuiAdminPage *self)
{
  g_autoptr(JsonNode) params = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_clear_handle_id (&self->reload_units_source, g_source_remove);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "include_disabled");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);

  g_cancellable_cancel (self->units_cancellable);
  g_clear_object (&self->units_cancellable);
  self->units_cancellable = g_cancellable_new ();

  self->loading_units = TRUE;
  update_loading (self);
  sui_rpc_client_call_async (self->client, "units.list", params, self->units_cancellable,
                             units_cb, g_object_ref (self));
}

void
sui_admin_page_reload (SuiAdminPage *self)
{
  g_return_if_fail (SUI_IS_ADMIN_PAGE (self));

  if (self->client == NULL)
    return;

  load_units (self);
  load_users (self);
}

static gboolean
reload_users_cb (gpointer user_data)
{
  SuiAdminPage *self = user_data;

  self->reload_users_source = 0;
  load_users (self);

  return G_SOURCE_REMOVE;
}

static gboolean
reload_units_cb (gpointer user_data)
{
  SuiAdminPage *self = user_data;

  self->reload_units_source = 0;
  load_units (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_reload (SuiAdminPage *self,
                 gboolean      users,
                 gboolean      units)
{
  if (users && self->reload_users_source == 0)
    self->reload_users_source = g_timeout_add (RELOAD_DELAY_MS, reload_users_cb, self);
  if (units && self->reload_units_source == 0)
    self->reload_units_source = g_timeout_add (RELOAD_DELAY_MS, reload_units_cb, self);
}

static void
on_events_changed (SuiAdminPage    *self,
                   const char      *area,
                   const char      *id,
                   SuiEventsClient *events)
{
  /* A renamed unit shows in the user list too. */
  if (g_strcmp0 (area, "users") == 0)
    schedule_reload (self, TRUE, FALSE);
  else if (g_strcmp0 (area, "units") == 0)
    schedule_reload (self, TRUE, TRUE);
}

static void
on_events_reconnected (SuiAdminPage    *self,
                       SuiEventsClient *events)
{
  schedule_reload (self, TRUE, TRUE);
}

/* Selection helpers, public for tests and for keeping the selection across reloads */

gboolean
sui_admin_page_select_user (SuiAdminPage *self,
                            gint64        id)
{
  GListModel *model;

  g_return_val_if_fail (SUI_IS_ADMIN_PAGE (self), FALSE);

  model = G_LIST_MODEL (self->user_selection);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(SuiUser) user = g_list_model_get_item (model, i);

      if (sui_user_get_id (user) == id)
        {
          gtk_single_selection_set_selected (self->user_selection, i);
          return TRUE;
        }
    }

  return FALSE;
}

gboolean
sui_admin_page_select_unit (SuiAdminPage *self,
                            gint64        id)
{
  GListModel *model;

  g_return_val_if_fail (SUI_IS_ADMIN_PAGE (self), FALSE);

  model = G_LIST_MODEL (self->unit_selection);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (model, i);
      g_autoptr(SuiUnit) unit = gtk_tree_list_row_get_item (row);

      if (sui_unit_get_id (unit) == id)
        {
          gtk_single_selection_set_selected (self->unit_selection, i);
          return TRUE;
        }
    }

  return FALSE;
}

/* Actions */

static GtkWindow *
get_parent_window (SuiAdminPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
on_user_saved (SuiAdminPage *self,
               SuiUser      *user,
               gboolean      created)
{
  g_autofree char *message = NULL;

  if (created)
    message = g_strdup_printf (_("User “%s” was created."), sui_user_get_login (user));
  else
    message = g_strdup_printf (_("User “%s” was saved."), sui_user_get_login (user));

  toast (self, message);
  self->select_user_after_load = sui_user_get_id (user);
  load_users (self);
}

static void
open_user_dialog (SuiAdminPage *self,
                  SuiUser      *user)
{
  SuiUserDialog *dialog;

  dialog = sui_user_dialog_new (self->client, G_LIST_MODEL (self->units_flat), user);

  /* A new user goes into the unit selected in the tree, the usual way to work. */
  if (user == NULL && get_selected_unit (self) != NULL)
    g_object_set (dialog, "unit-id", sui_unit_get_id (get_selected_unit (self)), NULL);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), get_parent_window (self));
  g_signal_connect_object (dialog, "saved", G_CALLBACK (on_user_saved), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
new_user_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  open_user_dialog (SUI_ADMIN_PAGE (widget), NULL);
}

static void
edit_user_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  SuiAdminPage *self = SUI_ADMIN_PAGE (widget);
  SuiUser *user = get_selected_user (self);

  if (user != NULL)
    open_user_dialog (self, user);
}

static void
on_user_activated (SuiAdminPage *self,
                   guint         position)
{
  gtk_single_selection_set_selected (self->user_selection, position);
  gtk_widget_activate_action (GTK_WIDGET (self), "admin.edit-user", NULL);
}

static void
reset_password_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  SuiAdminPage *self = SUI_ADMIN_PAGE (widget);
  SuiUser *user = get_selected_user (self);
  SuiPasswordDialog *dialog;

  if (user == NULL)
    return;

  dialog = sui_password_dialog_new (self->client, user);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), get_parent_window (self));
  g_signal_connect_object (dialog, "done", G_CALLBACK (toast), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

typedef struct
{
  SuiAdminPage *self;
  char *method;
  gint64 id;
  gint64 version;
  char *success;
} RecordCall;

static void
record_call_free (RecordCall *call)
{
  g_clear_object (&call->self);
  g_free (call->method);
  g_free (call->success);
  g_free (call);
}

static void
record_call_done (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  RecordCall *call = user_data;
  SuiAdminPage *self = call->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (node == NULL)
        toast_error (self, error);
      else
        toast (self, call->success);

      load_units (self);
      load_users (self);
    }

  record_call_free (call);
}

static void
call_on_record (SuiAdminPage *self,
                const char   *method,
                gint64        id,
                gint64        version,
                const char   *success)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) params = NULL;
  RecordCall *call;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, id);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, version);
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);

  call = g_new0 (RecordCall, 1);
  call->self = g_object_ref (self);
  call->method = g_strdup (method);
  call->success = g_strdup (success);
  sui_rpc_client_call_async (self->client, method, params, self->cancellable,
                             record_call_done, call);
}

static void
on_confirm_response (AdwMessageDialog *dialog,
                     const char       *response,
                     SuiAdminPage     *self)
{
  const char *method = g_object_get_data (G_OBJECT (dialog), "method");
  const char *success = g_object_get_data (G_OBJECT (dialog), "success");
  gint64 *id = g_object_get_data (G_OBJECT (dialog), "id");
  gint64 *version = g_object_get_data (G_OBJECT (dialog), "version");

  if (g_strcmp0 (response, "confirm") == 0)
    call_on_record (self, method, *id, *version, success);
}

static void
confirm_and_call (SuiAdminPage *self,
                  const char   *heading,
                  const char   *body,
                  const char   *confirm_label,
                  const char   *method,
                  gint64        id,
                  gint64        version,
                  const char   *success)
{
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (get_parent_window (self), heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("Cancel"),
                                    "confirm", confirm_label,
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "confirm",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  g_object_set_data_full (G_OBJECT (dialog), "method", g_strdup (method), g_free);
  g_object_set_data_full (G_OBJECT (dialog), "success", g_strdup (success), g_free);
  g_object_set_data_full (G_OBJECT (dialog), "id", g_memdup2 (&id, sizeof id), g_free);
  g_object_set_data_full (G_OBJECT (dialog), "version",
                          g_memdup2 (&version, sizeof version), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_confirm_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
toggle_user_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  SuiAdminPage *self = SUI_ADMIN_PAGE (widget);
  SuiUser *user = get_selected_user (self);
  g_autofree char *heading = NULL;
  g_autofree char *success = NULL;

  if (user == NULL)
    return;

  if (sui_user_get_disabled (user))
    {
      success = g_strdup_printf (_("User “%s” was enabled."), sui_user_get_login (user));
      call_on_record (self, "users.enable", sui_user_get_id (user), sui_user_get_version (user),
                      success);
      return;
    }

  heading = g_strdup_printf (_("Disable user “%s”?"), sui_user_get_login (user));
  success = g_strdup_printf (_("User “%s” was disabled."), sui_user_get_login (user));
  confirm_and_call (self, heading,
                    _("The user can no longer log in and is signed out everywhere. "
                      "You can enable the account again later."),
                    _("Disable"), "users.disable",
                    sui_user_get_id (user), sui_user_get_version (user), success);
}

static void
on_unit_saved (SuiAdminPage *self,
               SuiUnit      *unit,
               gboolean      created)
{
  g_autofree char *message = NULL;

  if (created)
    message = g_strdup_printf (_("Unit “%s” was created."), sui_unit_get_name (unit));
  else
    message = g_strdup_printf (_("Unit “%s” was saved."), sui_unit_get_name (unit));

  toast (self, message);
  self->select_unit_after_load = sui_unit_get_id (unit);
  load_units (self);
  load_users (self);
}

static void
open_unit_dialog (SuiAdminPage *self,
                  SuiUnit      *unit)
{
  SuiUnitDialog *dialog;

  dialog = sui_unit_dialog_new (self->client, G_LIST_MODEL (self->units_flat), unit);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), get_parent_window (self));
  g_signal_connect_object (dialog, "saved", G_CALLBACK (on_unit_saved), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
new_unit_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  open_unit_dialog (SUI_ADMIN_PAGE (widget), NULL);
}

static void
edit_unit_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  SuiAdminPage *self = SUI_ADMIN_PAGE (widget);
  SuiUnit *unit = get_selected_unit (self);

  if (unit != NULL)
    open_unit_dialog (self, unit);
}

static void
disable_unit_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  SuiAdminPage *self = SUI_ADMIN_PAGE (widget);
  SuiUnit *unit = get_selected_unit (self);
  g_autofree char *heading = NULL;
  g_autofree char *success = NULL;

  if (unit == NULL)
    return;

  heading = g_strdup_printf (_("Disable unit “%s”?"), sui_unit_get_name (unit));
  success = g_strdup_printf (_("Unit “%s” was disabled."), sui_unit_get_name (unit));
  confirm_and_call (self, heading,
                    _("A unit can only be disabled when it has no enabled users or sub-units."),
                    _("Disable"), "units.disable",
                    sui_unit_get_id (unit), sui_unit_get_version (unit), success);
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  sui_admin_page_reload (SUI_ADMIN_PAGE (widget));
}

/* admin.export-users('csv' | 'xlsx'): the users the list shows (the search applied). */
static void
export_users_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  SuiAdminPage *self = SUI_ADMIN_PAGE (widget);
  const char *search = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autoptr(JsonNode) params = json_node_new (JSON_NODE_OBJECT);
  JsonObject *o = json_object_new ();

  json_node_take_object (params, o);
  json_object_set_boolean_member (o, "include_disabled", TRUE);
  if (search != NULL && search[0] != '\0')
    json_object_set_string_member (o, "search", search);
  sui_export_run (widget, self->toast_overlay, self->client, "users.export", params,
                  g_variant_get_string (parameter, NULL), self->cancellable);
}

static void
on_search_changed (SuiAdminPage   *self,
                   GtkSearchEntry *entry)
{
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_count (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH_TEXT]);
}

static gboolean
filter_user (gpointer item,
             gpointer user_data)
{
  SuiAdminPage *self = user_data;

  return sui_user_matches (SUI_USER (item),
                           gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

/* List item factories */

static void
setup_label (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
bind_label (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            const char               *property)
{
  GtkWidget *label = gtk_list_item_get_child (item);
  g_autofree char *text = NULL;
  GObject *object = gtk_list_item_get_item (item);

  g_object_get (object, property, &text, NULL);
  gtk_label_set_text (GTK_LABEL (label), text != NULL ? text : "");

  if (SUI_IS_USER (object) && sui_user_get_disabled (SUI_USER (object)))
    gtk_widget_add_css_class (label, "dim-label");
  else
    gtk_widget_remove_css_class (label, "dim-label");
}

static void
free_property_name (gpointer  data,
                    GClosure *closure)
{
  g_free (data);
}

static void
set_up_column (GtkColumnViewColumn *column,
               const char          *property)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkSorter *sorter;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_label), NULL);
  g_signal_connect_data (factory, "bind", G_CALLBACK (bind_label),
                         g_strdup (property), free_property_name, 0);
  gtk_column_view_column_set_factory (column, factory);
  g_object_unref (factory);

  sorter = GTK_SORTER (gtk_string_sorter_new (gtk_property_expression_new (SUI_TYPE_USER, NULL,
                                                                           property)));
  gtk_column_view_column_set_sorter (column, sorter);
  g_object_unref (sorter);
}

static void
setup_unit_row (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  GtkWidget *expander = gtk_tree_expander_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *kind = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (name, TRUE);
  gtk_widget_add_css_class (kind, "dim-label");
  gtk_widget_add_css_class (kind, "caption");
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), kind);
  gtk_tree_expander_set_child (GTK_TREE_EXPANDER (expander), box);
  gtk_list_item_set_child (item, expander);
}

static void
bind_unit_row (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  GtkTreeListRow *row = gtk_list_item_get_item (item);
  GtkWidget *expander = gtk_list_item_get_child (item);
  GtkWidget *box = gtk_tree_expander_get_child (GTK_TREE_EXPANDER (expander));
  GtkWidget *name = gtk_widget_get_first_child (box);
  GtkWidget *kind = gtk_widget_get_next_sibling (name);
  g_autoptr(SuiUnit) unit = gtk_tree_list_row_get_item (row);
  g_autofree char *kind_text = NULL;

  gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (expander), row);
  gtk_label_set_text (GTK_LABEL (name), sui_unit_get_name (unit));

  if (sui_unit_get_disabled (unit))
    kind_text = g_strdup_printf ("%s · %s", sui_kind_to_label (sui_unit_get_kind (unit)),
                                 _("Disabled"));
  else
    kind_text = g_strdup (sui_kind_to_label (sui_unit_get_kind (unit)));
  gtk_label_set_text (GTK_LABEL (kind), kind_text);
}

static GListModel *
create_unit_children (gpointer item,
                      gpointer user_data)
{
  GListStore *children = sui_unit_get_children (SUI_UNIT (item));

  if (g_list_model_get_n_items (G_LIST_MODEL (children)) == 0)
    return NULL;

  return g_object_ref (G_LIST_MODEL (children));
}

static void
on_user_selection_changed (SuiAdminPage *self)
{
  update_actions (self);
}

/* GObject */

gboolean
sui_admin_page_get_loading (SuiAdminPage *self)
{
  g_return_val_if_fail (SUI_IS_ADMIN_PAGE (self), FALSE);

  return self->loading_users || self->loading_units;
}

/**
 * sui_admin_page_get_users:
 *
 * Returns: (transfer none): the users as shown: filtered by the search and sorted
 */
GListModel *
sui_admin_page_get_users (SuiAdminPage *self)
{
  g_return_val_if_fail (SUI_IS_ADMIN_PAGE (self), NULL);

  return G_LIST_MODEL (self->sorted_users);
}

/**
 * sui_admin_page_get_units:
 *
 * Returns: (transfer none): every unit, parents before their children
 */
GListModel *
sui_admin_page_get_units (SuiAdminPage *self)
{
  g_return_val_if_fail (SUI_IS_ADMIN_PAGE (self), NULL);

  return G_LIST_MODEL (self->units_flat);
}

static void
sui_admin_page_constructed (GObject *object)
{
  SuiAdminPage *self = (SuiAdminPage *)object;

  G_OBJECT_CLASS (sui_admin_page_parent_class)->constructed (object);

  if (self->events != NULL)
    {
      g_signal_connect_object (self->events, "changed",
                               G_CALLBACK (on_events_changed), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->events, "reconnected",
                               G_CALLBACK (on_events_reconnected), self, G_CONNECT_SWAPPED);
    }

  sui_admin_page_reload (self);
}

static void
sui_admin_page_dispose (GObject *object)
{
  SuiAdminPage *self = (SuiAdminPage *)object;

  g_clear_handle_id (&self->reload_users_source, g_source_remove);
  g_clear_handle_id (&self->reload_units_source, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->users_cancellable);
  g_cancellable_cancel (self->units_cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->users_cancellable);
  g_clear_object (&self->units_cancellable);
  g_clear_pointer (&self->pending_users, g_ptr_array_unref);

  /* Tearing down the column view changes the sorter and so the models; nothing may reach
   * the already-disposed labels from there. */
  if (self->sorted_users != NULL)
    g_signal_handlers_disconnect_by_data (self->sorted_users, self);
  if (self->user_selection != NULL)
    g_signal_handlers_disconnect_by_data (self->user_selection, self);
  if (self->unit_selection != NULL)
    g_signal_handlers_disconnect_by_data (self->unit_selection, self);

  g_clear_object (&self->user_selection);
  g_clear_object (&self->sorted_users);
  g_clear_object (&self->filter);
  g_clear_object (&self->users);
  g_clear_object (&self->unit_selection);
  g_clear_object (&self->unit_roots);
  g_clear_object (&self->units_flat);
  g_clear_object (&self->client);
  g_clear_object (&self->events);

  G_OBJECT_CLASS (sui_admin_page_parent_class)->dispose (object);
}

static void
sui_admin_page_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  SuiAdminPage *self = SUI_ADMIN_PAGE (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;

    case PROP_EVENTS:
      g_value_set_object (value, self->events);
      break;

    case PROP_SEARCH_TEXT:
      g_value_set_string (value, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
      break;

    case PROP_LOADING:
      g_value_set_boolean (value, sui_admin_page_get_loading (self));
      break;

    case PROP_N_USERS:
      g_value_set_uint (value, g_list_model_get_n_items (G_LIST_MODEL (self->users)));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sui_admin_page_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  SuiAdminPage *self = SUI_ADMIN_PAGE (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;

    case PROP_EVENTS:
      self->events = g_value_dup_object (value);
      break;

    case PROP_SEARCH_TEXT:
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry),
                             g_value_get_string (value) ? g_value_get_string (value) : "");
      /* Apply now rather than after the entry's typing delay. */
      on_search_changed (self, self->search_entry);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sui_admin_page_class_init (SuiAdminPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = sui_admin_page_constructed;
  object_class->dispose = sui_admin_page_dispose;
  object_class->get_property = sui_admin_page_get_property;
  object_class->set_property = sui_admin_page_set_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, SUI_TYPE_RPC_CLIENT,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_EVENTS] =
    g_param_spec_object ("events", NULL, NULL, SUI_TYPE_EVENTS_CLIENT,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_SEARCH_TEXT] =
    g_param_spec_string ("search-text", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_N_USERS] =
    g_param_spec_uint ("n-users", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/shuangsui/Desk/ui/sui-admin-page.ui");
  gtk_widget_class_bind_template_child (widget_class, SuiAdminPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SuiAdminPage, unit_view);
  gtk_widget_class_bind_template_child (widget_class, SuiAdminPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, SuiAdminPage, toggle_button);
  gtk_widget_class_bind_template_child (widget_class, SuiAdminPage, export_button);
  gtk_widget_class_bind_template_child (widget_class, SuiAdminPage, users_view);
  gtk_widget_class_bind_template_child (widget_class, SuiAdminPage, login_column);
  gtk_widget_class_bind_template_child (widget_class, SuiAdminPage, name_column);
  gtk_widget_class_bind_template_child (widget_class, SuiAdminPage, role_column);
  gtk_widget_class_bind_template_child (widget_class, SuiAdminPage, unit_column);
  gtk_widget_class_bind_template_child (widget_class, SuiAdminPage, status_column);
  gtk_widget_class_bind_template_child (widget_class, SuiAdminPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, SuiAdminPage, count_label);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_user_activated);

  gtk_widget_class_install_action (widget_class, "admin.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "admin.export-users", "s", export_users_action);
  gtk_widget_class_install_action (widget_class, "admin.new-user", NULL, new_user_action);
  gtk_widget_class_install_action (widget_class, "admin.edit-user", NULL, edit_user_action);
  gtk_widget_class_install_action (widget_class, "admin.toggle-user", NULL, toggle_user_action);
  gtk_widget_class_install_action (widget_class, "admin.reset-password", NULL,
                                   reset_password_action);
  gtk_widget_class_install_action (widget_class, "admin.new-unit", NULL, new_unit_action);
  gtk_widget_class_install_action (widget_class, "admin.edit-unit", NULL, edit_unit_action);
  gtk_widget_class_install_action (widget_class, "admin.disable-unit", NULL, disable_unit_action);
}

static void
sui_admin_page_init (SuiAdminPage *self)
{
  g_autoptr(GtkFilterListModel) filtered = NULL;
  g_autoptr(GtkTreeListModel) tree = NULL;
  GtkListItemFactory *factory;

  gtk_widget_init_template (GTK_WIDGET (self));
  sui_export_menu_button_init (self->export_button, "admin.export-users");

  self->cancellable = g_cancellable_new ();

  /* users → filter (search) → sort (column headers) → selection → column view */
  self->users = g_list_store_new (SUI_TYPE_USER);
  self->filter = gtk_custom_filter_new (filter_user, self, NULL);
  filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->users)),
                                        g_object_ref (GTK_FILTER (self->filter)));
  set_up_column (self->login_column, "login");
  set_up_column (self->name_column, "name");
  set_up_column (self->role_column, "role-label");
  set_up_column (self->unit_column, "unit-name");
  set_up_column (self->status_column, "status-label");
  self->sorted_users =
    gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (filtered)),
                             g_object_ref (gtk_column_view_get_sorter (self->users_view)));
  self->user_selection =
    gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->sorted_users)));
  gtk_single_selection_set_autoselect (self->user_selection, FALSE);
  gtk_single_selection_set_can_unselect (self->user_selection, TRUE);
  gtk_column_view_set_model (self->users_view, GTK_SELECTION_MODEL (self->user_selection));
  gtk_column_view_sort_by_column (self->users_view, self->login_column, GTK_SORT_ASCENDING);
  g_signal_connect_object (self->user_selection, "notify::selected",
                           G_CALLBACK (on_user_selection_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->sorted_users, "items-changed",
                           G_CALLBACK (update_count), self, G_CONNECT_SWAPPED);

  /* units → tree → selection → list view */
  self->unit_roots = g_list_store_new (SUI_TYPE_UNIT);
  self->units_flat = g_list_store_new (SUI_TYPE_UNIT);
  tree = gtk_tree_list_model_new (g_object_ref (G_LIST_MODEL (self->unit_roots)),
                                  FALSE, TRUE, create_unit_children, NULL, NULL);
  self->unit_selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (tree)));
  gtk_single_selection_set_autoselect (self->unit_selection, FALSE);
  gtk_single_selection_set_can_unselect (self->unit_selection, TRUE);
  g_signal_connect_object (self->unit_selection, "notify::selected",
                           G_CALLBACK (on_user_selection_changed), self, G_CONNECT_SWAPPED);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_unit_row), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_unit_row), NULL);
  gtk_list_view_set_factory (self->unit_view, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->unit_view, GTK_SELECTION_MODEL (self->unit_selection));

  update_count (self);
  update_actions (self);
}

SuiAdminPage *
sui_admin_page_new (SuiRpcClient    *client,
                    SuiEventsClient *events)
{
  return g_object_new (SUI_TYPE_ADMIN_PAGE,
                       "client", client,
                       "events", events,
                       NULL);
}
