/* sui-tags-page.c: the tag library (分类标签库): groups and their tags
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Groups on the left, the selected group's tags on the right. Tags are retired, never
 * deleted: a retired tag stays on the records that carry it and in the filters that name it.
 * City-wide groups belong to the administrators; a supervisor sees them and may only change
 * their own unit's groups, so a city-wide group offers a supervisor nothing to change and says
 * whose it is (the server refuses it all the same).
 *
 * The forms are small message dialogs. A message dialog closes on any answer, so when the
 * server refuses what was entered the form opens again with the entry and the server's reason
 * under it.
 */
#include "sui-config.h"

#include <glib/gi18n.h>

#include "sui-export.h"
#include "sui-json.h"
#include "sui-tags-page.h"

#define RELOAD_DELAY_MS 300

static const char *applies_codes[] = { "objects", "inspectors", "both" };

struct _SuiTagsPage
{
  AdwBin parent_instance;

  AdwToastOverlay *toast_overlay;
  GtkListBox *group_list;
  GtkListBox *tag_list;
  GtkLabel *group_title;
  GtkCheckButton *retired_check;
  GtkMenuButton *export_button;
  GtkLabel *owner_note;

  SuiRpcClient *client;
  SuiEventsClient *events;
  gboolean admin;

  JsonArray *groups;
  gint64 selected_group;
  GCancellable *cancellable;
  gboolean loaded;
  guint reload_source;
};

G_DEFINE_FINAL_TYPE (SuiTagsPage, sui_tags_page, ADW_TYPE_BIN)

typedef enum { FORM_GROUP, FORM_TAG } FormKind;

static void open_form (SuiTagsPage *self,
                       FormKind     kind,
                       JsonObject  *record,
                       const char  *name,
                       const char  *description,
                       guint        applies,
                       const char  *error_text);

static void
toast (SuiTagsPage *self,
       const char  *message)
{
  AdwToast *t = adw_toast_new (message);

  adw_toast_set_priority (t, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_timeout (t, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, t);
}

static GtkWindow *
get_parent_window (SuiTagsPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static const char *
applies_label (const char *code)
{
  if (g_strcmp0 (code, "objects") == 0)
    return _("For objects");
  if (g_strcmp0 (code, "inspectors") == 0)
    return _("For inspectors");
  return _("For objects and inspectors");
}

static JsonObject *
find_group (SuiTagsPage *self,
            gint64       id)
{
  for (guint i = 0; self->groups != NULL && i < json_array_get_length (self->groups); i++)
    {
      JsonObject *group = json_array_get_object_element (self->groups, i);

      if (sui_json_get_id (group, "id") == id)
        return group;
    }

  return NULL;
}

/* An administrator changes any group; a supervisor only their unit's own. */
static gboolean
may_change (SuiTagsPage *self,
            JsonObject  *group)
{
  JsonNode *unit;

  if (group == NULL)
    return FALSE;
  if (self->admin)
    return TRUE;
  unit = json_object_get_member (group, "unit_id");
  return unit != NULL && !JSON_NODE_HOLDS_NULL (unit);
}

static void
update_actions (SuiTagsPage *self)
{
  JsonObject *group = find_group (self, self->selected_group);
  gboolean mine = may_change (self, group);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "tags.edit-group", mine);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "tags.toggle-group", mine);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "tags.new-tag",
                                 mine && !sui_json_get_bool (group, "retired"));
  gtk_widget_set_visible (GTK_WIDGET (self->owner_note), group != NULL && !mine);
}

/* Record calls: a form's save, a retire or a restore */

typedef struct
{
  SuiTagsPage *self;
  FormKind kind;
  JsonObject *record;
  char *name;
  char *description;
  guint applies;
  char *success;
} Save;

static void
save_free (Save *save)
{
  g_clear_object (&save->self);
  g_clear_pointer (&save->record, json_object_unref);
  g_free (save->name);
  g_free (save->description);
  g_free (save->success);
  g_free (save);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Save, save_free)

static void
save_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(Save) save = user_data;
  SuiTagsPage *self = save->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) error_data = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, &error_data, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (node == NULL)
    {
      g_autofree char *message = sui_rpc_client_describe_error (error);

      /* A field message from the server names what to change; show the form again. */
      if (save->name != NULL && g_error_matches (error, SUI_RPC_ERROR, SUI_RPC_ERROR_VALIDATION))
        open_form (self, save->kind, save->record, save->name, save->description, save->applies,
                   error->message);
      else
        toast (self, message);
      sui_tags_page_reload (self);
      return;
    }

  toast (self, save->success);
  if (save->kind == FORM_GROUP && save->record == NULL && JSON_NODE_HOLDS_OBJECT (node))
    self->selected_group = sui_json_get_id (json_node_get_object (node), "id");
  sui_tags_page_reload (self);
}

static void
call_record (SuiTagsPage *self,
             const char  *method,
             JsonNode    *params,
             Save        *save)
{
  save->self = g_object_ref (self);
  sui_rpc_client_call_async (self->client, method, params, self->cancellable, save_cb, save);
}

static void
on_form_response (AdwMessageDialog *dialog,
                  const char       *response,
                  SuiTagsPage      *self)
{
  FormKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "kind"));
  JsonObject *record = g_object_get_data (G_OBJECT (dialog), "record");
  GtkEditable *name_entry = g_object_get_data (G_OBJECT (dialog), "name");
  GtkEditable *description_entry = g_object_get_data (G_OBJECT (dialog), "description");
  GtkDropDown *applies_dropdown = g_object_get_data (G_OBJECT (dialog), "applies");
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) params = NULL;
  Save *save;
  const char *method;

  if (g_strcmp0 (response, "save") != 0)
    return;

  save = g_new0 (Save, 1);
  save->kind = kind;
  save->record = record != NULL ? json_object_ref (record) : NULL;
  save->name = g_strstrip (g_strdup (gtk_editable_get_text (name_entry)));
  save->description = description_entry != NULL
                      ? g_strstrip (g_strdup (gtk_editable_get_text (description_entry)))
                      : NULL;
  save->applies = applies_dropdown != NULL ? gtk_drop_down_get_selected (applies_dropdown) : 0;

  json_builder_begin_object (builder);
  if (record != NULL)
    {
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, sui_json_get_id (record, "id"));
      json_builder_set_member_name (builder, "version");
      json_builder_add_int_value (builder, sui_json_get_int (record, "version"));
    }
  else if (kind == FORM_TAG)
    {
      json_builder_set_member_name (builder, "group_id");
      json_builder_add_int_value (builder, self->selected_group);
    }
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, save->name);
  if (kind == FORM_TAG)
    {
      json_builder_set_member_name (builder, "description");
      json_builder_add_string_value (builder, save->description);
    }
  else if (save->applies < G_N_ELEMENTS (applies_codes))
    {
      json_builder_set_member_name (builder, "applies_to");
      json_builder_add_string_value (builder, applies_codes[save->applies]);
    }
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);

  if (kind == FORM_GROUP)
    method = record != NULL ? "tags.update_group" : "tags.create_group";
  else
    method = record != NULL ? "tags.update" : "tags.create";
  save->success = g_strdup_printf (kind == FORM_GROUP ? _("Group “%s” was saved.")
                                                      : _("Tag “%s” was saved."), save->name);
  call_record (self, method, params, save);
}

static void
open_form (SuiTagsPage *self,
           FormKind     kind,
           JsonObject  *record,
           const char  *name,
           const char  *description,
           guint        applies,
           const char  *error_text)
{
  GtkWidget *dialog;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *name_entry = gtk_entry_new ();
  const char *heading;

  if (kind == FORM_GROUP)
    heading = record != NULL ? _("Edit Group") : _("New Group");
  else
    heading = record != NULL ? _("Edit Tag") : _("New Tag");

  dialog = adw_message_dialog_new (get_parent_window (self), heading, NULL);

  gtk_entry_set_placeholder_text (GTK_ENTRY (name_entry), _("Name"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (name_entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Name"), -1);
  gtk_editable_set_text (GTK_EDITABLE (name_entry), name != NULL ? name : "");
  gtk_entry_set_activates_default (GTK_ENTRY (name_entry), TRUE);
  gtk_box_append (GTK_BOX (box), name_entry);
  g_object_set_data (G_OBJECT (dialog), "name", name_entry);

  if (error_text != NULL)
    {
      GtkWidget *label = gtk_label_new (error_text);

      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_add_css_class (label, "error");
      gtk_widget_add_css_class (name_entry, "error");
      gtk_accessible_update_property (GTK_ACCESSIBLE (name_entry),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, error_text, -1);
      gtk_box_append (GTK_BOX (box), label);
    }

  if (kind == FORM_TAG)
    {
      GtkWidget *description_entry = gtk_entry_new ();

      gtk_entry_set_placeholder_text (GTK_ENTRY (description_entry), _("Description"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (description_entry),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Description"), -1);
      gtk_editable_set_text (GTK_EDITABLE (description_entry),
                             description != NULL ? description : "");
      gtk_box_append (GTK_BOX (box), description_entry);
      g_object_set_data (G_OBJECT (dialog), "description", description_entry);
    }
  else
    {
      const char *names[] = { _("For objects"), _("For inspectors"),
                              _("For objects and inspectors"), NULL };
      GtkWidget *applies_dropdown = gtk_drop_down_new_from_strings (names);

      gtk_drop_down_set_selected (GTK_DROP_DOWN (applies_dropdown), applies);
      gtk_accessible_update_property (GTK_ACCESSIBLE (applies_dropdown),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Applies to"), -1);
      gtk_box_append (GTK_BOX (box), applies_dropdown);
      g_object_set_data (G_OBJECT (dialog), "applies", applies_dropdown);
    }

  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("Cancel"), "save", _("Save"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "save",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "save");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "kind", GINT_TO_POINTER (kind));
  if (record != NULL)
    g_object_set_data_full (G_OBJECT (dialog), "record", json_object_ref (record),
                            (GDestroyNotify) json_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_form_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
set_retired (SuiTagsPage *self,
             FormKind     kind,
             JsonObject  *record)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) params = NULL;
  gboolean retire = !sui_json_get_bool (record, "retired");
  Save *save = g_new0 (Save, 1);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, sui_json_get_id (record, "id"));
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, sui_json_get_int (record, "version"));
  json_builder_set_member_name (builder, "retired");
  json_builder_add_boolean_value (builder, retire);
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);

  save->kind = kind;
  save->success = g_strdup_printf (retire ? _("“%s” was retired.") : _("“%s” was restored."),
                                   sui_json_get_string (record, "name"));
  call_record (self, kind == FORM_GROUP ? "tags.update_group" : "tags.update", params, save);
}

/* Lists */

static GtkWidget *
group_row (JsonObject *group)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (sui_json_get_string (group, "name"));
  g_autofree char *detail = NULL;
  GtkWidget *caption;
  JsonNode *unit = json_object_get_member (group, "unit_id");
  gboolean city_wide = unit == NULL || JSON_NODE_HOLDS_NULL (unit);

  detail = g_strdup_printf ("%s · %s%s", applies_label (sui_json_get_string (group, "applies_to")),
                            city_wide ? _("City-wide") : _("Own unit"),
                            sui_json_get_bool (group, "retired") ? _(" · Retired") : "");
  caption = gtk_label_new (detail);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_xalign (GTK_LABEL (caption), 0);
  gtk_widget_add_css_class (caption, "caption");
  gtk_widget_add_css_class (caption, "dim-label");
  if (sui_json_get_bool (group, "retired"))
    gtk_widget_add_css_class (name, "dim-label");
  gtk_widget_set_margin_top (box, 4);
  gtk_widget_set_margin_bottom (box, 4);
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), caption);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  sui_json_get_string (group, "name"), -1);
  g_object_set_data_full (G_OBJECT (row), "group", json_object_ref (group),
                          (GDestroyNotify) json_object_unref);
  return row;
}

static void
on_edit_tag (GtkButton   *button,
             SuiTagsPage *self)
{
  JsonObject *tag = g_object_get_data (G_OBJECT (button), "tag");

  open_form (self, FORM_TAG, tag, sui_json_get_string (tag, "name"),
             sui_json_get_string (tag, "description"), 0, NULL);
}

static void
on_toggle_tag (GtkButton   *button,
               SuiTagsPage *self)
{
  set_retired (self, FORM_TAG, g_object_get_data (G_OBJECT (button), "tag"));
}

static GtkWidget *
tag_button (SuiTagsPage *self,
            JsonObject  *tag,
            const char  *icon,
            const char  *label,
            GCallback    callback)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  g_object_set_data_full (G_OBJECT (button), "tag", json_object_ref (tag),
                          (GDestroyNotify) json_object_unref);
  g_signal_connect_object (button, "clicked", callback, self, 0);
  return button;
}

static void
show_tags (SuiTagsPage *self)
{
  JsonObject *group = find_group (self, self->selected_group);
  JsonArray *tags;
  GtkWidget *child;
  gboolean show_retired = gtk_check_button_get_active (self->retired_check);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->tag_list))) != NULL)
    gtk_list_box_remove (self->tag_list, child);

  gtk_label_set_text (self->group_title, group != NULL ? sui_json_get_string (group, "name")
                                                       : _("Choose a group"));
  update_actions (self);
  if (group == NULL)
    return;

  tags = json_object_has_member (group, "tags") ? json_object_get_array_member (group, "tags")
                                                : NULL;
  for (guint i = 0; tags != NULL && i < json_array_get_length (tags); i++)
    {
      JsonObject *tag = json_array_get_object_element (tags, i);
      gboolean retired = sui_json_get_bool (tag, "retired");
      GtkWidget *row;
      g_autofree char *title = NULL;

      if (retired && !show_retired)
        continue;

      row = adw_action_row_new ();
      title = retired ? g_strdup_printf (_("%s (retired)"), sui_json_get_string (tag, "name"))
                      : g_strdup (sui_json_get_string (tag, "name"));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), sui_json_get_string (tag, "description"));
      if (may_change (self, group))
        {
          adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                     tag_button (self, tag, "document-edit-symbolic",
                                                 _("Edit Tag"), G_CALLBACK (on_edit_tag)));
          adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                     tag_button (self, tag,
                                                 retired ? "edit-undo-symbolic"
                                                         : "action-unavailable-symbolic",
                                                 retired ? _("Restore Tag") : _("Retire Tag"),
                                                 G_CALLBACK (on_toggle_tag)));
        }
      gtk_list_box_append (self->tag_list, row);
    }

  if (gtk_widget_get_first_child (GTK_WIDGET (self->tag_list)) == NULL)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No tags in this group yet"));
      gtk_list_box_append (self->tag_list, row);
    }
}

static void
show_groups (SuiTagsPage *self)
{
  GtkWidget *child;
  gboolean show_retired = gtk_check_button_get_active (self->retired_check);
  gint64 keep = self->selected_group;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->group_list))) != NULL)
    gtk_list_box_remove (self->group_list, child);

  for (guint i = 0; self->groups != NULL && i < json_array_get_length (self->groups); i++)
    {
      JsonObject *group = json_array_get_object_element (self->groups, i);
      GtkWidget *row;

      if (sui_json_get_bool (group, "retired") && !show_retired)
        continue;

      row = group_row (group);
      gtk_list_box_append (self->group_list, row);
      if (sui_json_get_id (group, "id") == keep || keep == 0)
        {
          gtk_list_box_select_row (self->group_list, GTK_LIST_BOX_ROW (row));
          keep = sui_json_get_id (group, "id");
        }
    }

  self->selected_group = keep;
  show_tags (self);
}

static void
on_group_selected (SuiTagsPage   *self,
                   GtkListBoxRow *row)
{
  JsonObject *group = row != NULL ? g_object_get_data (G_OBJECT (row), "group") : NULL;

  if (group == NULL)
    return;

  self->selected_group = sui_json_get_id (group, "id");
  show_tags (self);
}

static void
on_show_retired_toggled (SuiTagsPage *self)
{
  show_groups (self);
}

static void
list_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SuiTagsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonNode *groups;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node) ||
      (groups = json_object_get_member (json_node_get_object (node), "groups")) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (groups))
    {
      if (error != NULL)
        {
          g_autofree char *message = sui_rpc_client_describe_error (error);

          toast (self, message);
        }
      return;
    }

  g_clear_pointer (&self->groups, json_array_unref);
  self->groups = json_array_ref (json_node_get_array (groups));
  show_groups (self);
}

void
sui_tags_page_reload (SuiTagsPage *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) params = NULL;

  g_return_if_fail (SUI_IS_TAGS_PAGE (self));

  g_clear_handle_id (&self->reload_source, g_source_remove);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "include_retired");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);
  sui_rpc_client_call_async (self->client, "tags.list", params, self->cancellable, list_cb,
                             g_object_ref (self));
}

static gboolean
reload_cb (gpointer user_data)
{
  SuiTagsPage *self = user_data;

  self->reload_source = 0;
  sui_tags_page_reload (self);
  return G_SOURCE_REMOVE;
}

static void
on_events_changed (SuiTagsPage     *self,
                   const char      *area,
                   const char      *id,
                   SuiEventsClient *events)
{
  if (g_strcmp0 (area, "tags") == 0 && self->reload_source == 0)
    self->reload_source = g_timeout_add (RELOAD_DELAY_MS, reload_cb, self);
}

/* Actions */

static void
new_group_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  open_form (SUI_TAGS_PAGE (widget), FORM_GROUP, NULL, NULL, NULL, 0, NULL);
}

static void
edit_group_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  SuiTagsPage *self = SUI_TAGS_PAGE (widget);
  JsonObject *group = find_group (self, self->selected_group);
  guint applies = 0;

  if (group == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (applies_codes); i++)
    if (g_strcmp0 (applies_codes[i], sui_json_get_string (group, "applies_to")) == 0)
      applies = i;
  open_form (self, FORM_GROUP, group, sui_json_get_string (group, "name"), NULL, applies, NULL);
}

static void
toggle_group_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  SuiTagsPage *self = SUI_TAGS_PAGE (widget);
  JsonObject *group = find_group (self, self->selected_group);

  if (group != NULL)
    set_retired (self, FORM_GROUP, group);
}

static void
new_tag_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  open_form (SUI_TAGS_PAGE (widget), FORM_TAG, NULL, NULL, NULL, 0, NULL);
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  sui_tags_page_reload (SUI_TAGS_PAGE (widget));
}

/* tags.export('csv' | 'xlsx'): every tag the user sees, the retired ones when shown. */
static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SuiTagsPage *self = SUI_TAGS_PAGE (widget);
  g_autoptr(JsonNode) params = json_node_new (JSON_NODE_OBJECT);
  JsonObject *o = json_object_new ();

  json_node_take_object (params, o);
  json_object_set_boolean_member (o, "include_retired",
                                  gtk_check_button_get_active (self->retired_check));
  sui_export_run (widget, self->toast_overlay, self->client, "tags.export", params,
                  g_variant_get_string (parameter, NULL), self->cancellable);
}

/* GObject */

/* Accessors for tests */

GtkListBox *
sui_tags_page_get_tag_list (SuiTagsPage *self)
{
  g_return_val_if_fail (SUI_IS_TAGS_PAGE (self), NULL);

  return self->tag_list;
}

GtkLabel *
sui_tags_page_get_owner_note (SuiTagsPage *self)
{
  g_return_val_if_fail (SUI_IS_TAGS_PAGE (self), NULL);

  return self->owner_note;
}

static void
sui_tags_page_dispose (GObject *object)
{
  SuiTagsPage *self = (SuiTagsPage *)object;

  g_clear_handle_id (&self->reload_source, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  g_clear_object (&self->events);

  G_OBJECT_CLASS (sui_tags_page_parent_class)->dispose (object);
}

static void
sui_tags_page_finalize (GObject *object)
{
  SuiTagsPage *self = (SuiTagsPage *)object;

  g_clear_pointer (&self->groups, json_array_unref);

  G_OBJECT_CLASS (sui_tags_page_parent_class)->finalize (object);
}

/* The first time the page is shown: an area the user never opens costs the server nothing. */
static void
sui_tags_page_map (GtkWidget *widget)
{
  SuiTagsPage *self = (SuiTagsPage *)widget;

  GTK_WIDGET_CLASS (sui_tags_page_parent_class)->map (widget);

  if (!self->loaded)
    {
      self->loaded = TRUE;
      sui_tags_page_reload (self);
    }
}

/* Leaving the window (it closes, or the user signs out): calls still under way hold a
 * reference to the page, so stop them now rather than when the page is finalized. */
static void
sui_tags_page_unroot (GtkWidget *widget)
{
  SuiTagsPage *self = (SuiTagsPage *)widget;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_clear_handle_id (&self->reload_source, g_source_remove);

  GTK_WIDGET_CLASS (sui_tags_page_parent_class)->unroot (widget);
}

static void
sui_tags_page_class_init (SuiTagsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sui_tags_page_dispose;
  widget_class->map = sui_tags_page_map;
  widget_class->unroot = sui_tags_page_unroot;
  object_class->finalize = sui_tags_page_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/shuangsui/Desk/ui/sui-tags-page.ui");
  gtk_widget_class_bind_template_child (widget_class, SuiTagsPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SuiTagsPage, group_list);
  gtk_widget_class_bind_template_child (widget_class, SuiTagsPage, tag_list);
  gtk_widget_class_bind_template_child (widget_class, SuiTagsPage, owner_note);
  gtk_widget_class_bind_template_child (widget_class, SuiTagsPage, group_title);
  gtk_widget_class_bind_template_child (widget_class, SuiTagsPage, retired_check);
  gtk_widget_class_bind_template_child (widget_class, SuiTagsPage, export_button);
  gtk_widget_class_bind_template_callback (widget_class, on_group_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_show_retired_toggled);

  gtk_widget_class_install_action (widget_class, "tags.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "tags.new-group", NULL, new_group_action);
  gtk_widget_class_install_action (widget_class, "tags.edit-group", NULL, edit_group_action);
  gtk_widget_class_install_action (widget_class, "tags.toggle-group", NULL, toggle_group_action);
  gtk_widget_class_install_action (widget_class, "tags.new-tag", NULL, new_tag_action);
  gtk_widget_class_install_action (widget_class, "tags.export", "s", export_action);
}

static void
sui_tags_page_init (SuiTagsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  sui_export_menu_button_init (self->export_button, "tags.export");

  self->cancellable = g_cancellable_new ();
  update_actions (self);
}

SuiTagsPage *
sui_tags_page_new (SuiRpcClient    *client,
                   SuiEventsClient *events,
                   gboolean         admin)
{
  SuiTagsPage *self;

  g_return_val_if_fail (SUI_IS_RPC_CLIENT (client), NULL);

  self = g_object_new (SUI_TYPE_TAGS_PAGE, NULL);
  self->client = g_object_ref (client);
  self->events = events != NULL ? g_object_ref (events) : NULL;
  self->admin = admin;

  if (self->events != NULL)
    g_signal_connect_object (self->events, "changed", G_CALLBACK (on_events_changed), self,
                             G_CONNECT_SWAPPED);

  return self;
}
