/* sui-user-dialog.c: create or edit a user account
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server is the judge of what is valid: the dialog sends what was entered and shows each
 * -32010 message under its field. A stale version (-32009) fetches the record anew and shows
 * someone else's change beside what the administrator typed, who then saves again; nothing is
 * overwritten unseen.
 */
#include "sui-config.h"

#include <glib/gi18n.h>

#include "sui-form.h"
#include "sui-json.h"
#include "sui-unit.h"
#include "sui-user-dialog.h"

static const char *roles[] = { "inspector", "supervisor", "admin" };

struct _SuiUserDialog
{
  AdwWindow parent_instance;

  AdwWindowTitle *window_title;
  GtkLabel *message_label;
  GtkSpinner *spinner;
  AdwEntryRow *login_row;
  AdwActionRow *login_error;
  AdwEntryRow *name_row;
  AdwActionRow *name_error;
  AdwComboRow *role_row;
  AdwActionRow *role_error;
  AdwComboRow *unit_row;
  AdwActionRow *unit_error;
  AdwEntryRow *password_row;
  AdwActionRow *password_error;

  SuiRpcClient *client;
  GListModel *units;
  SuiUser *user;
  SuiForm *form;
};

#define MEMBER(member) G_STRUCT_OFFSET (SuiUserDialog, member)

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_UNITS,
  PROP_USER,
  PROP_LOGIN,
  PROP_NAME,
  PROP_ROLE,
  PROP_UNIT_ID,
  PROP_PASSWORD,
  PROP_BUSY,
  PROP_MESSAGE,
  N_PROPS
};

enum {
  SAVED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SuiUserDialog, sui_user_dialog, ADW_TYPE_WINDOW)

/* Enabled units only, plus the user's own even if it was disabled since. */
static void
fill_units (SuiUserDialog *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  gint64 current = self->user != NULL ? sui_user_get_unit_id (self->user) : 0;

  for (guint i = 0; self->units != NULL && i < g_list_model_get_n_items (self->units); i++)
    {
      g_autoptr(SuiUnit) unit = g_list_model_get_item (self->units, i);
      g_autofree char *title = NULL;
      gint64 id = sui_unit_get_id (unit);

      if (sui_unit_get_disabled (unit) && id != current)
        continue;

      g_object_get (unit, "title", &title, NULL);
      gtk_string_list_append (names, title);
      g_ptr_array_add (ids, g_strdup_printf ("%" G_GINT64_FORMAT, id));
    }

  sui_form_combo_set_choices (self->unit_row, names, ids);
}

static void
fill_from_user (SuiUserDialog *self)
{
  if (self->user == NULL)
    return;

  gtk_editable_set_text (GTK_EDITABLE (self->login_row), sui_user_get_login (self->user));
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), sui_user_get_name (self->user));
  sui_form_combo_set_code (self->role_row, sui_user_get_role (self->user));
  sui_form_combo_set_id (self->unit_row, sui_user_get_unit_id (self->user));
}

/* The fields compared when someone else saved the user first (the login cannot change); the
 * unit combo's codes are the units' ids. */
static const SuiFieldSpec merged_fields[] = {
  { "name", SUI_FIELD_ENTRY, NULL, SUI_FIELD_REQUIRED },
  { "role", SUI_FIELD_COMBO, NULL, SUI_FIELD_REQUIRED },
  { "unit_id", SUI_FIELD_COMBO, NULL, SUI_FIELD_REQUIRED },
};

static void
fill_user (GtkWidget     *owner,
           JsonObject    *record,
           gconstpointer  data)
{
  SuiUserDialog *self = SUI_USER_DIALOG (owner);

  if (record != NULL)
    {
      g_clear_object (&self->user);
      self->user = sui_user_new_from_json (record);
      fill_units (self);
    }
  fill_from_user (self);
}

/* Someone else saved the user first: show their version, keeping what the admin typed. */
static void
user_reloaded (GtkWidget  *owner,
               JsonObject *record)
{
  SuiUserDialog *self = SUI_USER_DIALOG (owner);
  GtkWidget *rows[] = { GTK_WIDGET (self->name_row), GTK_WIDGET (self->role_row),
                        GTK_WIDGET (self->unit_row) };

  G_STATIC_ASSERT (G_N_ELEMENTS (rows) == G_N_ELEMENTS (merged_fields));
  sui_form_merge_record (self->form, merged_fields, G_N_ELEMENTS (rows), rows, fill_user, NULL,
                         record);
}

static void
save_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SuiUserDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) fields = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(SuiUser) saved = NULL;

  node = sui_form_call_finish (self->form, object, result, &fields, &error);
  if (node == NULL)
    {
      gboolean conflict = g_error_matches (error, SUI_RPC_ERROR, SUI_RPC_ERROR_CONFLICT);

      if (conflict && self->user != NULL)
        {
          sui_form_show_error (self->form, error, NULL);
          sui_form_reload (self->form, self->client, "users.get", sui_user_get_id (self->user),
                           TRUE, user_reloaded);
          return;
        }

      /* On create a conflict means the login is taken. */
      if (conflict && g_hash_table_size (fields) == 0)
        g_hash_table_insert (fields, g_strdup ("login"), g_strdup (error->message));

      sui_form_show_error (self->form, error, fields);
      return;
    }

  if (JSON_NODE_HOLDS_OBJECT (node))
    saved = sui_user_new_from_json (json_node_get_object (node));
  else
    saved = g_object_ref (self->user);

  g_signal_emit (self, signals[SAVED], 0, saved, self->user == NULL);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SuiUserDialog *self = SUI_USER_DIALOG (widget);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) params = NULL;
  g_autofree char *login = sui_form_get_text (GTK_WIDGET (self->login_row));
  g_autofree char *name = sui_form_get_text (GTK_WIDGET (self->name_row));
  gint64 unit_id = sui_form_combo_get_id (self->unit_row);
  const char *role = sui_form_combo_get_code (self->role_row);

  if (!sui_form_begin_save (self->form))
    return;

  json_builder_begin_object (builder);
  if (self->user != NULL)
    {
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, sui_user_get_id (self->user));
      json_builder_set_member_name (builder, "version");
      json_builder_add_int_value (builder, sui_user_get_version (self->user));
    }
  else
    {
      json_builder_set_member_name (builder, "login");
      json_builder_add_string_value (builder, login);
      json_builder_set_member_name (builder, "password");
      json_builder_add_string_value (builder,
                                     gtk_editable_get_text (GTK_EDITABLE (self->password_row)));
    }
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  if (role != NULL)
    {
      json_builder_set_member_name (builder, "role");
      json_builder_add_string_value (builder, role);
    }
  if (unit_id != 0)
    {
      json_builder_set_member_name (builder, "unit_id");
      json_builder_add_int_value (builder, unit_id);
    }
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);

  if (self->user == NULL && unit_id == 0)
    {
      sui_form_show_field_error (self->form, "unit_id",
                                 _("Choose the unit the user belongs to."));
      return;
    }

  sui_form_call (self->form, self->client, self->user != NULL ? "users.update" : "users.create",
                 params, save_cb);
}

const char *
sui_user_dialog_get_field_error (SuiUserDialog *self,
                                 const char    *field)
{
  g_return_val_if_fail (SUI_IS_USER_DIALOG (self), NULL);

  return sui_form_get_field_error (self->form, field);
}

const char *
sui_user_dialog_get_message (SuiUserDialog *self)
{
  g_return_val_if_fail (SUI_IS_USER_DIALOG (self), NULL);

  return sui_form_get_message (self->form);
}

gboolean
sui_user_dialog_get_busy (SuiUserDialog *self)
{
  g_return_val_if_fail (SUI_IS_USER_DIALOG (self), FALSE);

  return sui_form_get_busy (self->form);
}

static void
sui_user_dialog_constructed (GObject *object)
{
  SuiUserDialog *self = (SuiUserDialog *)object;
  const char *title = self->user != NULL ? _("Edit User") : _("New User");

  G_OBJECT_CLASS (sui_user_dialog_parent_class)->constructed (object);

  adw_window_title_set_title (self->window_title, title);
  gtk_window_set_title (GTK_WINDOW (self), title);
  fill_units (self);

  if (self->user != NULL)
    {
      /* users.update cannot change the login or the password. */
      gtk_editable_set_editable (GTK_EDITABLE (self->login_row), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->login_row), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->password_row), FALSE);
      adw_window_title_set_subtitle (self->window_title, sui_user_get_login (self->user));
      fill_from_user (self);
    }
}

static void
sui_user_dialog_dispose (GObject *object)
{
  SuiUserDialog *self = (SuiUserDialog *)object;

  sui_form_cancel (self->form);

  G_OBJECT_CLASS (sui_user_dialog_parent_class)->dispose (object);
}

static void
sui_user_dialog_finalize (GObject *object)
{
  SuiUserDialog *self = (SuiUserDialog *)object;

  g_clear_object (&self->client);
  g_clear_object (&self->units);
  g_clear_object (&self->user);
  g_clear_pointer (&self->form, sui_form_free);

  G_OBJECT_CLASS (sui_user_dialog_parent_class)->finalize (object);
}

static void
sui_user_dialog_class_init (SuiUserDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = sui_user_dialog_constructed;
  object_class->dispose = sui_user_dialog_dispose;
  object_class->finalize = sui_user_dialog_finalize;
  object_class->get_property = sui_form_get_property;
  object_class->set_property = sui_form_set_property;

  properties[PROP_CLIENT] =
    sui_form_object_property ("client", SUI_TYPE_RPC_CLIENT, MEMBER (client));
  properties[PROP_UNITS] = sui_form_object_property ("units", G_TYPE_LIST_MODEL, MEMBER (units));
  properties[PROP_USER] = sui_form_object_property ("user", SUI_TYPE_USER, MEMBER (user));
  properties[PROP_LOGIN] = sui_form_text_property ("login", MEMBER (login_row));
  properties[PROP_NAME] = sui_form_text_property ("name", MEMBER (name_row));
  properties[PROP_ROLE] = sui_form_code_property ("role", MEMBER (role_row));
  properties[PROP_UNIT_ID] = sui_form_id_property ("unit-id", MEMBER (unit_row));
  properties[PROP_PASSWORD] = sui_form_text_property ("password", MEMBER (password_row));
  properties[PROP_BUSY] = sui_form_busy_property (MEMBER (form));
  properties[PROP_MESSAGE] = sui_form_message_property ("message", MEMBER (form));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SuiUserDialog::saved:
   * @user: the record as the server now holds it
   * @created: %TRUE for a new user
   */
  signals[SAVED] =
    g_signal_new ("saved",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, SUI_TYPE_USER, G_TYPE_BOOLEAN);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/shuangsui/Desk/ui/sui-user-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SuiUserDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, SuiUserDialog, message_label);
  gtk_widget_class_bind_template_child (widget_class, SuiUserDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, SuiUserDialog, login_row);
  gtk_widget_class_bind_template_child (widget_class, SuiUserDialog, login_error);
  gtk_widget_class_bind_template_child (widget_class, SuiUserDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, SuiUserDialog, name_error);
  gtk_widget_class_bind_template_child (widget_class, SuiUserDialog, role_row);
  gtk_widget_class_bind_template_child (widget_class, SuiUserDialog, role_error);
  gtk_widget_class_bind_template_child (widget_class, SuiUserDialog, unit_row);
  gtk_widget_class_bind_template_child (widget_class, SuiUserDialog, unit_error);
  gtk_widget_class_bind_template_child (widget_class, SuiUserDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, SuiUserDialog, password_error);

  gtk_widget_class_install_action (widget_class, "dialog.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
sui_user_dialog_init (SuiUserDialog *self)
{
  g_autoptr(GtkStringList) role_names = gtk_string_list_new (NULL);
  GPtrArray *role_codes = g_ptr_array_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  self->form = sui_form_new (GTK_WIDGET (self), self->message_label, self->spinner,
                             "dialog.save");
  sui_form_notify (self->form, properties[PROP_BUSY], properties[PROP_MESSAGE]);
  sui_form_add_field (self->form, "login", GTK_WIDGET (self->login_row),
                      GTK_WIDGET (self->login_error));
  sui_form_add_field (self->form, "name", GTK_WIDGET (self->name_row),
                      GTK_WIDGET (self->name_error));
  sui_form_add_field (self->form, "role", GTK_WIDGET (self->role_row),
                      GTK_WIDGET (self->role_error));
  sui_form_add_field (self->form, "unit_id", GTK_WIDGET (self->unit_row),
                      GTK_WIDGET (self->unit_error));
  sui_form_add_field (self->form, "password", GTK_WIDGET (self->password_row),
                      GTK_WIDGET (self->password_error));

  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    {
      gtk_string_list_append (role_names, sui_role_to_label (roles[i]));
      g_ptr_array_add (role_codes, (gpointer) roles[i]);
    }
  sui_form_combo_set_choices (self->role_row, role_names, role_codes);

  sui_form_label_editable (GTK_WIDGET (self->login_row), _("Login name"));
  sui_form_label_editable (GTK_WIDGET (self->name_row), _("Full name"));
  sui_form_label_editable (GTK_WIDGET (self->password_row), _("Initial password"));
}

SuiUserDialog *
sui_user_dialog_new (SuiRpcClient *client,
                     GListModel   *units,
                     SuiUser      *user)
{
  return g_object_new (SUI_TYPE_USER_DIALOG,
                       "client", client,
                       "units", units,
                       "user", user,
                       NULL);
}
