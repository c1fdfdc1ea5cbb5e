/* sui-inspectors-page.c: the inspector register (执法检查人员名录库)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only inspectors with a valid certificate may ever be sent, so the certificate's state is
 * the column that matters: shown in words, lapsing ones in the warning colour and lapsed ones
 * in the error colour. The detail pane lists the declared conflicts of interest (回避) with
 * objects; a removed one stays on record on the server.
 */
#include "sui-config.h"

#include <glib/gi18n.h>

#include "sui-column-sort.h"
#include "sui-export.h"
#include "sui-import-dialog.h"
#include "sui-inspector-dialog.h"
#include "sui-inspectors-page.h"
#include "sui-json.h"
#include "sui-paged-model.h"
#include "sui-register-row.h"

#define RELOAD_DELAY_MS 300

static const char *cert_codes[] = { NULL, "valid", "expiring", "expired" };

struct _SuiInspectorsPage
{
  AdwBin parent_instance;

  AdwToastOverlay *toast_overlay;
  GtkMenuButton *export_button;
  GtkSearchEntry *search_entry;
  GtkDropDown *cert_dropdown;
  GtkScrolledWindow *scrolled;
  GtkColumnView *inspectors_view;
  GtkBox *detail_box;
  GtkSpinner *spinner;
  GtkLabel *count_label;

  SuiRpcClient *client;
  SuiEventsClient *events;
  gboolean admin;

  SuiPagedModel *inspectors;
  GtkSingleSelection *selection;
  JsonObject *reference;
  JsonArray *units;
  SuiRegisterRow *detail;
  GCancellable *cancellable;
  gboolean loaded;
  GCancellable *detail_cancellable;
  guint reload_source;
};

G_DEFINE_FINAL_TYPE (SuiInspectorsPage, sui_inspectors_page, ADW_TYPE_BIN)

static void
toast (SuiInspectorsPage *self,
       const char        *message)
{
  AdwToast *t = adw_toast_new (message);

  adw_toast_set_priority (t, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_timeout (t, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, t);
}

static void
toast_error (SuiInspectorsPage *self,
             const GError      *error)
{
  g_autofree char *message = sui_rpc_client_describe_error (error);

  toast (self, message);
}

static GtkWindow *
get_parent_window (SuiInspectorsPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static const char *
cert_state_label (const char *state)
{
  if (g_strcmp0 (state, "valid") == 0)
    return _("Valid");
  if (g_strcmp0 (state, "expiring") == 0)
    return _("Expiring soon");
  if (g_strcmp0 (state, "expired") == 0)
    return _("Expired");
  if (g_strcmp0 (state, "not_yet") == 0)
    return _("Not yet valid");
  return state;
}

static const char *
status_label (SuiInspectorsPage *self,
              const char        *code)
{
  JsonNode *node;
  JsonArray *array;

  if (self->reference == NULL ||
      (node = json_object_get_member (self->reference, "inspector_statuses")) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (node))
    return code;

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *entry = json_array_get_object_element (array, i);

      if (g_strcmp0 (sui_json_get_string (entry, "code"), code) == 0)
        return sui_json_get_string (entry, "name");
    }

  return code;
}

static char *
cell_text (SuiInspectorsPage *self,
           SuiRegisterRow    *row,
           const char        *member)
{
  if (g_str_equal (member, "cert_state"))
    return g_strdup (cert_state_label (sui_register_row_get_string (row, "cert_state")));
  if (g_str_equal (member, "status"))
    return g_strdup (status_label (self, sui_register_row_get_string (row, "status")));

  return sui_register_row_dup_text (row, member);
}

static void
update_count (SuiInspectorsPage *self)
{
  gint64 total = sui_paged_model_get_total (self->inspectors);
  gboolean loading = sui_paged_model_get_loading (self->inspectors);
  g_autofree char *text = NULL;

  if (total >= 0)
    text = g_strdup_printf (ngettext ("%u inspector", "%u inspectors", (gulong) total),
                            (guint) total);
  gtk_label_set_text (self->count_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), loading);
  gtk_spinner_set_spinning (self->spinner, loading);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inspectors.edit", self->detail != NULL);
}

static void
maybe_load_more (SuiInspectorsPage *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scrolled);

  if (gtk_adjustment_get_upper (adjustment) -
      (gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment)) <=
      MAX (gtk_adjustment_get_page_size (adjustment), 200.0))
    sui_paged_model_load_more (self->inspectors);
}

static void
apply_filter (SuiInspectorsPage *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) filter = NULL;
  g_autofree char *search = NULL;
  guint cert = gtk_drop_down_get_selected (self->cert_dropdown);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "and");
  json_builder_begin_array (builder);
  search = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry))));
  if (search[0] != '\0')
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "text");
      json_builder_add_string_value (builder, search);
      json_builder_end_object (builder);
    }
  if (cert > 0 && cert < G_N_ELEMENTS (cert_codes))
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "cert");
      json_builder_add_string_value (builder, cert_codes[cert]);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  filter = json_builder_get_root (builder);

  if (sui_paged_model_get_filter (self->inspectors) != NULL &&
      json_node_equal (filter, sui_paged_model_get_filter (self->inspectors)) &&
      sui_paged_model_get_total (self->inspectors) >= 0)
    return;

  sui_paged_model_set_filter (self->inspectors, filter);
}

static void
on_filter_changed (SuiInspectorsPage *self)
{
  apply_filter (self);
}

/* Detail */

static GtkWidget *
detail_group (SuiInspectorsPage *self,
              const char        *title)
{
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  gtk_box_append (self->detail_box, group);
  return group;
}

static GtkWidget *
detail_row (GtkWidget  *group,
            const char *title,
            const char *value)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  /* NULL: a row that only says something (no value); "" : a field left empty. */
  if (value != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value[0] != '\0' ? value : "—");
  gtk_widget_add_css_class (row, "property");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  return row;
}

static void
clear_detail (SuiInspectorsPage *self,
              const char        *placeholder)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->detail_box))) != NULL)
    gtk_box_remove (self->detail_box, child);

  if (placeholder != NULL)
    {
      GtkWidget *label = gtk_label_new (placeholder);

      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_widget_add_css_class (label, "dim-label");
      gtk_widget_set_vexpand (label, TRUE);
      gtk_box_append (self->detail_box, label);
    }
}

static void load_detail (SuiInspectorsPage *self);

static void
recusal_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SuiInspectorsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (node == NULL)
    toast_error (self, error);
  else
    toast (self, _("The recusals were updated."));
  load_detail (self);
}

static void
on_remove_recusal (GtkButton         *button,
                   SuiInspectorsPage *self)
{
  gint64 *id = g_object_get_data (G_OBJECT (button), "recusal-id");
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) params = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, *id);
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);
  sui_rpc_client_call_async (self->client, "inspectors.remove_recusal", params, self->cancellable,
                             recusal_done_cb, g_object_ref (self));
}

static void
add_recusal_for (SuiInspectorsPage *self,
                 gint64             object_id,
                 const char        *reason)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) params = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "inspector_id");
  json_builder_add_int_value (builder, sui_register_row_get_id (self->detail));
  json_builder_set_member_name (builder, "object_id");
  json_builder_add_int_value (builder, object_id);
  json_builder_set_member_name (builder, "reason");
  json_builder_add_string_value (builder, reason);
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);
  sui_rpc_client_call_async (self->client, "inspectors.add_recusal", params, self->cancellable,
                             recusal_done_cb, g_object_ref (self));
}

typedef struct
{
  SuiInspectorsPage *self;
  char *licence;
  char *reason;
} FindObject;

static void
find_object_free (FindObject *find)
{
  g_clear_object (&find->self);
  g_free (find->licence);
  g_free (find->reason);
  g_free (find);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FindObject, find_object_free)

/* The recusal names the object by id; the user knows it by its licence number. */
static void
find_object_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(FindObject) find = user_data;
  SuiInspectorsPage *self = find->self;
  const char *licence = find->licence;
  const char *reason = find->reason;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonArray *items;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->detail == NULL)
    return;

  if (node == NULL)
    {
      toast_error (self, error);
      return;
    }

  items = json_object_get_array_member (json_node_get_object (node), "items");
  for (guint i = 0; items != NULL && i < json_array_get_length (items); i++)
    {
      JsonObject *candidate = json_array_get_object_element (items, i);

      if (g_ascii_strcasecmp (sui_json_get_string (candidate, "licence_no"), licence) == 0)
        {
          add_recusal_for (self, sui_json_get_id (candidate, "id"), reason);
          return;
        }
    }

  toast (self, _("No object of your unit has that licence number."));
}

static void
on_add_recusal_response (AdwMessageDialog  *dialog,
                         const char        *response,
                         SuiInspectorsPage *self)
{
  GtkEditable *licence = g_object_get_data (G_OBJECT (dialog), "licence");
  GtkEditable *reason = g_object_get_data (G_OBJECT (dialog), "reason");
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) params = NULL;
  g_autofree char *licence_text = NULL;
  FindObject *find;

  if (g_strcmp0 (response, "add") != 0 || self->detail == NULL)
    return;

  licence_text = g_strstrip (g_strdup (gtk_editable_get_text (licence)));
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "filter");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "text");
  json_builder_add_string_value (builder, licence_text);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "limit");
  json_builder_add_int_value (builder, 20);
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);

  find = g_new0 (FindObject, 1);
  find->self = g_object_ref (self);
  find->licence = g_steal_pointer (&licence_text);
  find->reason = g_strstrip (g_strdup (gtk_editable_get_text (reason)));
  sui_rpc_client_call_async (self->client, "objects.list", params, self->cancellable,
                             find_object_cb, find);
}

static void
on_add_recusal_clicked (SuiInspectorsPage *self)
{
  GtkWidget *dialog;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *licence = gtk_entry_new ();
  GtkWidget *reason = gtk_entry_new ();

  gtk_entry_set_placeholder_text (GTK_ENTRY (licence), _("Licence number of the object"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (licence), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Licence number of the object"), -1);
  gtk_entry_set_placeholder_text (GTK_ENTRY (reason), _("Reason, e.g. a relative runs the shop"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (reason), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Reason"), -1);
  gtk_box_append (GTK_BOX (box), licence);
  gtk_box_append (GTK_BOX (box), reason);

  dialog = adw_message_dialog_new (get_parent_window (self), _("Declare a Recusal"),
                                   _("The inspector will never be drawn for this object."));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("Cancel"), "add", _("Add"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "add",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "licence", licence);
  g_object_set_data (G_OBJECT (dialog), "reason", reason);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_add_recusal_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
show_detail (SuiInspectorsPage *self,
             JsonObject        *full)
{
  g_autoptr(SuiRegisterRow) row = sui_register_row_new (full);
  const struct { const char *member; const char *title; } rows[] = {
    { "name", N_("Full name") },
    { "cert_no", N_("Certificate number") },
    { "cert_valid_from", N_("Certificate valid from") },
    { "cert_valid_until", N_("Certificate valid until") },
    { "cert_state", N_("Certificate state") },
    { "status", N_("Duty status") },
    { "specialties", N_("Specialties") },
    { "contact", N_("Contact") },
  };
  GtkWidget *group;
  GtkWidget *button;
  JsonArray *array;

  clear_detail (self, NULL);
  group = detail_group (self, sui_json_get_string (full, "name"));
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *text = cell_text (self, row, rows[i].member);

      detail_row (group, _(rows[i].title), text);
    }

  group = detail_group (self, _("Recusals"));
  button = gtk_button_new_with_label (_("Add…"));
  gtk_widget_add_css_class (button, "flat");
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Declare a Recusal"), -1);
  g_signal_connect_object (button, "clicked", G_CALLBACK (on_add_recusal_clicked), self,
                           G_CONNECT_SWAPPED);
  adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (group), button);

  array = json_object_has_member (full, "recusals")
          ? json_object_get_array_member (full, "recusals") : NULL;
  if (array == NULL || json_array_get_length (array) == 0)
    detail_row (group, _("No recusals declared"), NULL);
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *recusal = json_array_get_object_element (array, i);
      g_autofree char *title = g_strdup_printf ("%s %s",
                                                sui_json_get_string (recusal, "licence_no"),
                                                sui_json_get_string (recusal, "object_name"));
      GtkWidget *item = detail_row (group, title, sui_json_get_string (recusal, "reason"));
      GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
      gint64 id = sui_json_get_id (recusal, "id");

      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_set_tooltip_text (remove, _("Remove Recusal"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Remove Recusal"), -1);
      g_object_set_data_full (G_OBJECT (remove), "recusal-id", g_memdup2 (&id, sizeof id),
                              g_free);
      g_signal_connect_object (remove, "clicked", G_CALLBACK (on_remove_recusal), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (item), remove);
    }

  group = detail_group (self, _("History"));
  array = json_object_has_member (full, "history")
          ? json_object_get_array_member (full, "history") : NULL;
  if (array == NULL || json_array_get_length (array) == 0)
    detail_row (group, _("No changes yet"), NULL);
  for (guint i = 0; array != NULL && i < json_array_get_length (array) && i < 30; i++)
    {
      JsonObject *entry = json_array_get_object_element (array, i);
      JsonNode *after_node = json_object_get_member (entry, "after");
      g_autoptr(GDateTime) at = g_date_time_new_from_iso8601 (sui_json_get_string (entry, "at"),
                                                              NULL);
      g_autoptr(GDateTime) local = at != NULL ? g_date_time_to_local (at) : NULL;
      g_autofree char *when = local != NULL ? g_date_time_format (local, "%Y-%m-%d %H:%M")
                                            : g_strdup (sui_json_get_string (entry, "at"));
      const char *actor = sui_json_get_string (entry, "actor_name");
      g_autofree char *title = g_strdup_printf ("%s · %s", when,
                                                actor[0] != '\0' ? actor : _("System"));
      g_autoptr(GString) what = g_string_new (NULL);

      if (after_node != NULL && JSON_NODE_HOLDS_OBJECT (after_node))
        {
          g_autoptr(GList) members = json_object_get_members (json_node_get_object (after_node));

          for (GList *l = members; l != NULL; l = l->next)
            {
              const char *label = l->data;

              for (guint j = 0; j < G_N_ELEMENTS (rows); j++)
                if (g_str_equal (rows[j].member, l->data))
                  label = _(rows[j].title);
              g_string_append_printf (what, "%s%s", what->len > 0 ? "、" : "", label);
            }
        }
      if (what->len == 0)
        g_string_append (what, sui_json_get_string (entry, "method"));
      detail_row (group, title, what->str);
    }
}

static void
detail_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SuiInspectorsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autofree char *message = error != NULL ? sui_rpc_client_describe_error (error) : NULL;

      clear_detail (self, message);
      return;
    }

  show_detail (self, json_node_get_object (node));
}

static void
load_detail (SuiInspectorsPage *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) params = NULL;

  g_cancellable_cancel (self->detail_cancellable);
  g_clear_object (&self->detail_cancellable);
  if (self->detail == NULL)
    return;

  self->detail_cancellable = g_cancellable_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, sui_register_row_get_id (self->detail));
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);
  sui_rpc_client_call_async (self->client, "inspectors.get", params, self->detail_cancellable,
                             detail_cb, g_object_ref (self));
}

static void
on_selection_changed (SuiInspectorsPage *self)
{
  SuiRegisterRow *row = gtk_single_selection_get_selected_item (self->selection);

  if (row != NULL && self->detail != NULL &&
      sui_register_row_get_id (row) == sui_register_row_get_id (self->detail))
    return;

  g_set_object (&self->detail, row);
  if (row != NULL)
    load_detail (self);
  else
    clear_detail (self, _("Select an inspector to see the certificate, recusals and history."));
  update_count (self);
}

/* Reference data */

static void
reference_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SuiInspectorsPage) self = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      g_clear_pointer (&self->reference, json_object_unref);
      self->reference = json_object_ref (json_node_get_object (node));
    }
  sui_paged_model_reload (self->inspectors);
}

static void
units_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SuiInspectorsPage) self = user_data;
  g_autoptr(JsonNode) node = NULL;
  JsonNode *items;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, NULL);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node) ||
      (items = json_object_get_member (json_node_get_object (node), "items")) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (items))
    return;

  g_clear_pointer (&self->units, json_array_unref);
  self->units = json_array_new ();
  for (guint i = 0; i < json_array_get_length (json_node_get_array (items)); i++)
    {
      JsonObject *unit = json_array_get_object_element (json_node_get_array (items), i);

      if (g_str_equal (sui_json_get_string (unit, "kind"), "direct"))
        json_array_add_object_element (self->units, json_object_ref (unit));
    }
}

void
sui_inspectors_page_reload (SuiInspectorsPage *self)
{
  g_autoptr(JsonNode) params = json_node_init_object (json_node_alloc (), json_object_new ());

  g_return_if_fail (SUI_IS_INSPECTORS_PAGE (self));

  g_clear_handle_id (&self->reload_source, g_source_remove);
  sui_rpc_client_call_async (self->client, "objects.reference", params, self->cancellable,
                             reference_cb, g_object_ref (self));
  if (self->admin)
    sui_rpc_client_call_async (self->client, "units.list", params, self->cancellable,
                               units_cb, g_object_ref (self));
}

static gboolean
reload_cb (gpointer user_data)
{
  SuiInspectorsPage *self = user_data;

  self->reload_source = 0;
  sui_paged_model_reload (self->inspectors);
  load_detail (self);
  return G_SOURCE_REMOVE;
}

static void
on_events_changed (SuiInspectorsPage *self,
                   const char        *area,
                   const char        *id,
                   SuiEventsClient   *events)
{
  if ((g_strcmp0 (area, "inspectors") == 0 || g_strcmp0 (area, "tags") == 0) &&
      self->reload_source == 0)
    self->reload_source = g_timeout_add (RELOAD_DELAY_MS, reload_cb, self);
}

/* Actions */

static void
on_inspector_saved (SuiInspectorsPage *self,
                    SuiRegisterRow    *inspector,
                    gboolean           created)
{
  g_autofree char *message = g_strdup_printf (created ? _("Inspector “%s” was created.")
                                                      : _("Inspector “%s” was saved."),
                                              sui_register_row_get_string (inspector, "name"));

  toast (self, message);
  if (!sui_paged_model_replace (self->inspectors, inspector))
    sui_paged_model_reload (self->inspectors);
  load_detail (self);
}

static void
open_editor (SuiInspectorsPage *self,
             SuiRegisterRow    *inspector)
{
  SuiInspectorDialog *dialog = sui_inspector_dialog_new (self->client, self->reference,
                                                         self->admin ? self->units : NULL,
                                                         inspector);

  gtk_window_set_transient_for (GTK_WINDOW (dialog), get_parent_window (self));
  g_signal_connect_object (dialog, "saved", G_CALLBACK (on_inspector_saved), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
new_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  open_editor (SUI_INSPECTORS_PAGE (widget), NULL);
}

static void
edit_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SuiInspectorsPage *self = SUI_INSPECTORS_PAGE (widget);

  if (self->detail != NULL)
    open_editor (self, self->detail);
}

static void
on_inspector_activated (SuiInspectorsPage *self,
                        guint              position)
{
  gtk_single_selection_set_selected (self->selection, position);
  gtk_widget_activate_action (GTK_WIDGET (self), "inspectors.edit", NULL);
}

static void
on_imported (SuiInspectorsPage *self)
{
  sui_inspectors_page_reload (self);
}

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SuiInspectorsPage *self = SUI_INSPECTORS_PAGE (widget);
  SuiImportDialog *dialog = sui_import_dialog_new (self->client,
                                                   self->admin ? self->units : NULL);

  sui_import_dialog_set_kind (dialog, "inspectors");
  gtk_window_set_transient_for (GTK_WINDOW (dialog), get_parent_window (self));
  g_signal_connect_object (dialog, "imported", G_CALLBACK (on_imported), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* inspectors.export('csv' | 'xlsx'): the inspectors the search and certificate filter match,
 * in the list's order. */
static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SuiInspectorsPage *self = SUI_INSPECTORS_PAGE (widget);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) params = NULL;
  JsonNode *filter = sui_paged_model_get_filter (self->inspectors);

  json_builder_begin_object (builder);
  if (filter != NULL)
    {
      json_builder_set_member_name (builder, "filter");
      json_builder_add_value (builder, json_node_copy (filter));
    }
  sui_paged_model_add_order (self->inspectors, builder);
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);

  sui_export_run (widget, self->toast_overlay, self->client, "inspectors.export", params,
                  g_variant_get_string (parameter, NULL), self->cancellable);
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  sui_inspectors_page_reload (SUI_INSPECTORS_PAGE (widget));
}

static void
add_expiring_group (GtkWidget  *page,
                    const char *title,
                    JsonArray  *list)
{
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  if (list == NULL || json_array_get_length (list) == 0)
    detail_row (group, _("None"), NULL);
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      JsonObject *inspector = json_array_get_object_element (list, i);
      g_autofree char *title_text = g_strdup_printf ("%s  %s",
                                                     sui_json_get_string (inspector, "name"),
                                                     sui_json_get_string (inspector, "cert_no"));
      g_autofree char *subtitle = g_strdup_printf (_("Valid until %s"),
                                                   sui_json_get_string (inspector,
                                                                        "cert_valid_until"));
      detail_row (group, title_text, subtitle);
    }
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));
}

static void
expiring_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(SuiInspectorsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *answer;
  GtkWidget *window;
  GtkWidget *box;
  GtkWidget *page;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      if (error != NULL)
        toast_error (self, error);
      return;
    }

  answer = json_node_get_object (node);
  window = adw_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), _("Expiring Certificates"));
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  gtk_window_set_transient_for (GTK_WINDOW (window), get_parent_window (self));
  gtk_window_set_default_size (GTK_WINDOW (window), 480, 600);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  page = adw_preferences_page_new ();
  gtk_widget_set_vexpand (page, TRUE);
  add_expiring_group (page, _("Expired: these inspectors can no longer be sent"),
                      json_object_has_member (answer, "expired")
                      ? json_object_get_array_member (answer, "expired") : NULL);
  add_expiring_group (page, _("Expiring within 30 days"),
                      json_object_has_member (answer, "expiring")
                      ? json_object_get_array_member (answer, "expiring") : NULL);
  gtk_box_append (GTK_BOX (box), page);
  adw_window_set_content (ADW_WINDOW (window), box);
  gtk_window_present (GTK_WINDOW (window));
}

static void
expiring_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  SuiInspectorsPage *self = SUI_INSPECTORS_PAGE (widget);
  g_autoptr(JsonNode) params = json_node_init_object (json_node_alloc (), json_object_new ());

  sui_rpc_client_call_async (self->client, "inspectors.expiring", params, self->cancellable,
                             expiring_cb, g_object_ref (self));
}

/* Columns */

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
            gpointer                  user_data)
{
  SuiInspectorsPage *self = g_object_get_data (G_OBJECT (factory), "page");
  const char *member = user_data;
  SuiRegisterRow *row = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);
  g_autofree char *text = cell_text (self, row, member);
  const char *state = sui_register_row_get_string (row, "cert_state");

  gtk_label_set_text (GTK_LABEL (label), text);
  gtk_widget_remove_css_class (label, "warning");
  gtk_widget_remove_css_class (label, "error");
  if (g_str_equal (member, "cert_state") && g_strcmp0 (state, "expiring") == 0)
    gtk_widget_add_css_class (label, "warning");
  else if (g_str_equal (member, "cert_state") &&
           (g_strcmp0 (state, "expired") == 0 || g_strcmp0 (state, "not_yet") == 0))
    gtk_widget_add_css_class (label, "error");
}

/* @order: the inspectors.list order its header sorts by */
static void
add_column (SuiInspectorsPage *self,
            const char        *member,
            const char        *title,
            int                width,
            const char        *order)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *column;

  g_object_set_data (G_OBJECT (factory), "page", self);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_label), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_label), (gpointer) member);
  column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_resizable (column, TRUE);
  if (width > 0)
    gtk_column_view_column_set_fixed_width (column, width);
  else
    gtk_column_view_column_set_expand (column, TRUE);
  sui_column_sort_set_order (column, order);
  gtk_column_view_append_column (self->inspectors_view, column);
  g_object_unref (column);
}

GListModel *
sui_inspectors_page_get_inspectors (SuiInspectorsPage *self)
{
  g_return_val_if_fail (SUI_IS_INSPECTORS_PAGE (self), NULL);

  return G_LIST_MODEL (self->inspectors);
}

gboolean
sui_inspectors_page_get_loading (SuiInspectorsPage *self)
{
  g_return_val_if_fail (SUI_IS_INSPECTORS_PAGE (self), FALSE);

  return sui_paged_model_get_loading (self->inspectors);
}

static void
on_model_error (SuiInspectorsPage *self,
                GError            *error)
{
  toast_error (self, error);
}

static void
sui_inspectors_page_dispose (GObject *object)
{
  SuiInspectorsPage *self = (SuiInspectorsPage *)object;

  if (self->inspectors_view != NULL)
    sui_column_sort_detach (self->inspectors_view);
  g_clear_handle_id (&self->reload_source, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->detail_cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->detail_cancellable);
  if (self->inspectors != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->inspectors, self);
      sui_paged_model_cancel (self->inspectors);
    }
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  if (self->scrolled != NULL)
    g_signal_handlers_disconnect_by_data (gtk_scrolled_window_get_vadjustment (self->scrolled),
                                          self);

  g_clear_object (&self->selection);
  g_clear_object (&self->inspectors);
  g_clear_object (&self->detail);
  g_clear_object (&self->client);
  g_clear_object (&self->events);

  G_OBJECT_CLASS (sui_inspectors_page_parent_class)->dispose (object);
}

static void
sui_inspectors_page_finalize (GObject *object)
{
  SuiInspectorsPage *self = (SuiInspectorsPage *)object;

  g_clear_pointer (&self->reference, json_object_unref);
  g_clear_pointer (&self->units, json_array_unref);

  G_OBJECT_CLASS (sui_inspectors_page_parent_class)->finalize (object);
}

/* The first time the page is shown: an area the user never opens costs the server nothing. */
static void
sui_inspectors_page_map (GtkWidget *widget)
{
  SuiInspectorsPage *self = (SuiInspectorsPage *)widget;

  GTK_WIDGET_CLASS (sui_inspectors_page_parent_class)->map (widget);

  if (!self->loaded)
    {
      self->loaded = TRUE;
      sui_inspectors_page_reload (self);
    }
}

/* Leaving the window (it closes, or the user signs out): calls still under way hold a
 * reference to the page, so stop them now rather than when the page is finalized. */
static void
sui_inspectors_page_unroot (GtkWidget *widget)
{
  SuiInspectorsPage *self = (SuiInspectorsPage *)widget;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_cancellable_cancel (self->detail_cancellable);
  g_clear_handle_id (&self->reload_source, g_source_remove);
  if (self->inspectors != NULL)
    sui_paged_model_cancel (self->inspectors);

  GTK_WIDGET_CLASS (sui_inspectors_page_parent_class)->unroot (widget);
}

static void
sui_inspectors_page_class_init (SuiInspectorsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sui_inspectors_page_dispose;
  widget_class->map = sui_inspectors_page_map;
  widget_class->unroot = sui_inspectors_page_unroot;
  object_class->finalize = sui_inspectors_page_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/shuangsui/Desk/ui/sui-inspectors-page.ui");
  gtk_widget_class_bind_template_child (widget_class, SuiInspectorsPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SuiInspectorsPage, export_button);
  gtk_widget_class_bind_template_child (widget_class, SuiInspectorsPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, SuiInspectorsPage, cert_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SuiInspectorsPage, scrolled);
  gtk_widget_class_bind_template_child (widget_class, SuiInspectorsPage, inspectors_view);
  gtk_widget_class_bind_template_child (widget_class, SuiInspectorsPage, detail_box);
  gtk_widget_class_bind_template_child (widget_class, SuiInspectorsPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, SuiInspectorsPage, count_label);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_inspector_activated);

  gtk_widget_class_install_action (widget_class, "inspectors.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "inspectors.new", NULL, new_action);
  gtk_widget_class_install_action (widget_class, "inspectors.edit", NULL, edit_action);
  gtk_widget_class_install_action (widget_class, "inspectors.expiring", NULL, expiring_action);
  gtk_widget_class_install_action (widget_class, "inspectors.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "inspectors.export", "s", export_action);
}

static void
sui_inspectors_page_init (SuiInspectorsPage *self)
{
  const char *cert_names[] = { _("All certificates"), _("Valid"), _("Expiring soon"),
                               _("Expired"), NULL };
  g_autoptr(GtkStringList) names = gtk_string_list_new (cert_names);

  gtk_widget_init_template (GTK_WIDGET (self));
  sui_export_menu_button_init (self->export_button, "inspectors.export");

  self->cancellable = g_cancellable_new ();
  gtk_drop_down_set_model (self->cert_dropdown, G_LIST_MODEL (names));
  g_signal_connect_swapped (self->cert_dropdown, "notify::selected",
                            G_CALLBACK (on_filter_changed), self);

  /* Narrow enough that all columns fit beside the detail pane in the default window. */
  add_column (self, "name", _("Name"), 70, "name");
  add_column (self, "cert_no", _("Certificate No."), 120, "cert_no");
  add_column (self, "cert_valid_until", _("Valid Until"), 85, "cert_valid_until");
  /* A certificate's state follows from its end date. */
  add_column (self, "cert_state", _("Certificate"), 75, "cert_valid_until");
  add_column (self, "status", _("Duty"), 55, "status");
  add_column (self, "specialties", _("Specialties"), 0, "specialties");
  add_column (self, "contact", _("Contact"), 110, "contact");

  clear_detail (self, _("Select an inspector to see the certificate, recusals and history."));
}

SuiInspectorsPage *
sui_inspectors_page_new (SuiRpcClient    *client,
                         SuiEventsClient *events,
                         gboolean         admin)
{
  SuiInspectorsPage *self;

  g_return_val_if_fail (SUI_IS_RPC_CLIENT (client), NULL);

  self = g_object_new (SUI_TYPE_INSPECTORS_PAGE, NULL);
  self->client = g_object_ref (client);
  self->events = events != NULL ? g_object_ref (events) : NULL;
  self->admin = admin;

  self->inspectors = sui_paged_model_new (client, "inspectors.list");
  sui_column_sort_attach (self->inspectors_view, self->inspectors);

  /* An admin sees every unit's inspectors: say whose each one is, after the name. */
  if (admin)
    {
      /* name, unit, certificate no., valid until, certificate, duty, specialties, contact */
      static const int admin_widths[] = { 64, 116, 120, 82, 66, 46, 0, 110 };
      GtkColumnViewColumn *column;

      add_column (self, "unit_name", _("Unit"), 120, "unit");
      column = g_list_model_get_item (gtk_column_view_get_columns (self->inspectors_view),
                                      g_list_model_get_n_items (
                                        gtk_column_view_get_columns (self->inspectors_view)) - 1);
      gtk_column_view_remove_column (self->inspectors_view, column);
      gtk_column_view_insert_column (self->inspectors_view, 1, column);
      g_object_unref (column);

      /* The others give way so that all still fit beside the detail pane (0: the
       * specialties, which take what is left). */
      for (guint i = 0; i < G_N_ELEMENTS (admin_widths); i++)
        {
          g_autoptr(GtkColumnViewColumn) each =
            g_list_model_get_item (gtk_column_view_get_columns (self->inspectors_view), i);

          if (admin_widths[i] > 0)
            gtk_column_view_column_set_fixed_width (each, admin_widths[i]);
        }
    }
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->inspectors)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->inspectors_view, GTK_SELECTION_MODEL (self->selection));

  g_signal_connect_object (self->inspectors, "notify::total", G_CALLBACK (update_count), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->inspectors, "notify::loading", G_CALLBACK (update_count),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->inspectors, "error", G_CALLBACK (on_model_error), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "notify::selected",
                           G_CALLBACK (on_selection_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->scrolled), "value-changed",
                           G_CALLBACK (maybe_load_more), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->scrolled), "changed",
                           G_CALLBACK (maybe_load_more), self, G_CONNECT_SWAPPED);
  if (self->events != NULL)
    g_signal_connect_object (self->events, "changed", G_CALLBACK (on_events_changed), self,
                             G_CONNECT_SWAPPED);

  update_count (self);
  return self;
}
