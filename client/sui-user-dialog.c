/* sui-user-dialog.c: create or edit a user account
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server is the judge of what is valid: the dialog sends what was entered and shows each
 * -32010 message under its field. A stale version (-32009) reloads the record and asks the
 * administrator to try again rather than overwriting someone else's change.
 */
#include "sui-config.h"

#include <glib/gi18n.h>

#include "sui-error-data.h"
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
  GArray *unit_ids;
  GCancellable *cancellable;
  char *message;
  gboolean busy;
};

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

static void
set_message (SuiUserDialog *self,
             const char    *message)
{
  if (message != NULL && message[0] == '\0')
    message = NULL;

  g_free (self->message);
  self->message = g_strdup (message);
  gtk_label_set_text (self->message_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), message != NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
}

static void
set_busy (SuiUserDialog *self,
          gboolean       busy)
{
  self->busy = busy;
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.save", !busy);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static gboolean
apply_field_errors (SuiUserDialog *self,
                    GHashTable    *fields)
{
  return sui_form_apply_errors (fields,
                                "login", self->login_row, self->login_error,
                                "name", self->name_row, self->name_error,
                                "role", self->role_row, self->role_error,
                                "unit_id", self->unit_row, self->unit_error,
                                "password", self->password_row, self->password_error,
                                NULL);
}

static const char *
get_role (SuiUserDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->role_row);

  return selected < G_N_ELEMENTS (roles) ? roles[selected] : NULL;
}

static void
set_role (SuiUserDialog *self,
          const char    *role)
{
  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    if (g_strcmp0 (roles[i], role) == 0)
      adw_combo_row_set_selected (self->role_row, i);
}

static gint64
get_unit_id (SuiUserDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->unit_row);

  if (self->unit_ids == NULL || selected >= self->unit_ids->len)
    return 0;

  return g_array_index (self->unit_ids, gint64, selected);
}

static void
set_unit_id (SuiUserDialog *self,
             gint64         id)
{
  for (guint i = 0; self->unit_ids != NULL && i < self->unit_ids->len; i++)
    if (g_array_index (self->unit_ids, gint64, i) == id)
      adw_combo_row_set_selected (self->unit_row, i);
}

/* Enabled units only, plus the user's own even if it was disabled since. */
static void
fill_units (SuiUserDialog *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  gint64 current = self->user != NULL ? sui_user_get_unit_id (self->user) : 0;

  g_clear_pointer (&self->unit_ids, g_array_unref);
  self->unit_ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; self->units != NULL && i < g_list_model_get_n_items (self->units); i++)
    {
      g_autoptr(SuiUnit) unit = g_list_model_get_item (self->units, i);
      g_autofree char *title = NULL;
      gint64 id = sui_unit_get_id (unit);

      if (sui_unit_get_disabled (unit) && id != current)
        continue;

      g_object_get (unit, "title", &title, NULL);
      gtk_string_list_append (names, title);
      g_array_append_val (self->unit_ids, id);
    }

  adw_combo_row_set_model (self->unit_row, G_LIST_MODEL (names));
}

static void
fill_from_user (SuiUserDialog *self)
{
  if (self->user == NULL)
    return;

  gtk_editable_set_text (GTK_EDITABLE (self->login_row), sui_user_get_login (self->user));
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), sui_user_get_name (self->user));
  set_role (self, sui_user_get_role (self->user));
  set_unit_id (self, sui_user_get_unit_id (self->user));
}

static void
reload_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SuiUserDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_busy (self, FALSE);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autofree char *message = error != NULL ? sui_rpc_client_describe_error (error) : NULL;

      set_message (self, message);
      return;
    }

  g_clear_object (&self->user);
  self->user = sui_user_new_from_json (json_node_get_object (node));
  fill_units (self);
  fill_from_user (self);
}

static void
reload_user (SuiUserDialog *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) params = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, sui_user_get_id (self->user));
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);

  set_busy (self, TRUE);
  sui_rpc_client_call_async (self->client, "users.get", params, self->cancellable,
                             reload_cb, g_object_ref (self));
}

static void
save_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SuiUserDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) error_data = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(SuiUser) saved = NULL;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, &error_data, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_busy (self, FALSE);

  if (node == NULL)
    {
      g_autoptr(GHashTable) fields = sui_error_data_get_fields (error_data);
      g_autofree char *message = sui_rpc_client_describe_error (error);

      if (g_error_matches (error, SUI_RPC_ERROR, SUI_RPC_ERROR_CONFLICT) && self->user != NULL)
        {
          set_message (self, message);
          reload_user (self);
          return;
        }

      if (g_error_matches (error, SUI_RPC_ERROR, SUI_RPC_ERROR_CONFLICT) &&
          g_hash_table_size (fields) == 0)
        {
          /* On create a conflict means the login is taken. */
          g_hash_table_insert (fields, g_strdup ("login"), g_strdup (error->message));
        }

      if (apply_field_errors (self, fields))
        set_message (self, _("Please correct the marked fields."));
      else
        set_message (self, message);
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
  gint64 unit_id = get_unit_id (self);
  const char *role = get_role (self);

  if (self->busy)
    return;

  set_message (self, NULL);
  apply_field_errors (self, NULL);

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
      sui_form_set_field_error (GTK_WIDGET (self->unit_row), self->unit_error,
                                _("Choose the unit the user belongs to."));
      return;
    }

  set_busy (self, TRUE);
  sui_rpc_client_call_async (self->client,
                             self->user != NULL ? "users.update" : "users.create",
                             params, self->cancellable, save_cb, g_object_ref (self));
}

const char *
sui_user_dialog_get_field_error (SuiUserDialog *self,
                                 const char    *field)
{
  AdwActionRow *row = NULL;

  g_return_val_if_fail (SUI_IS_USER_DIALOG (self), NULL);

  if (g_str_equal (field, "login"))
    row = self->login_error;
  else if (g_str_equal (field, "name"))
    row = self->name_error;
  else if (g_str_equal (field, "role"))
    row = self->role_error;
  else if (g_str_equal (field, "unit_id"))
    row = self->unit_error;
  else if (g_str_equal (field, "password"))
    row = self->password_error;

  if (row == NULL || !gtk_widget_get_visible (GTK_WIDGET (row)))
    return NULL;

  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
}

const char *
sui_user_dialog_get_message (SuiUserDialog *self)
{
  g_return_val_if_fail (SUI_IS_USER_DIALOG (self), NULL);

  return self->message;
}

gboolean
sui_user_dialog_get_busy (SuiUserDialog *self)
{
  g_return_val_if_fail (SUI_IS_USER_DIALOG (self), FALSE);

  return self->busy;
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

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (sui_user_dialog_parent_class)->dispose (object);
}

static void
sui_user_dialog_finalize (GObject *object)
{
  SuiUserDialog *self = (SuiUserDialog *)object;

  g_clear_object (&self->client);
  g_clear_object (&self->units);
  g_clear_object (&self->user);
  g_clear_pointer (&self->unit_ids, g_array_unref);
  g_clear_pointer (&self->message, g_free);

  G_OBJECT_CLASS (sui_user_dialog_parent_class)->finalize (object);
}

static void
sui_user_dialog_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  SuiUserDialog *self = SUI_USER_DIALOG (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;

    case PROP_UNITS:
      g_value_set_object (value, self->units);
      break;

    case PROP_USER:
      g_value_set_object (value, self->user);
      break;

    case PROP_LOGIN:
      g_value_set_string (value, gtk_editable_get_text (GTK_EDITABLE (self->login_row)));
      break;

    case PROP_NAME:
      g_value_set_string (value, gtk_editable_get_text (GTK_EDITABLE (self->name_row)));
      break;

    case PROP_ROLE:
      g_value_set_string (value, get_role (self));
      break;

    case PROP_UNIT_ID:
      g_value_set_int64 (value, get_unit_id (self));
      break;

    case PROP_PASSWORD:
      g_value_set_string (value, gtk_editable_get_text (GTK_EDITABLE (self->password_row)));
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    case PROP_MESSAGE:
      g_value_set_string (value, self->message);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sui_user_dialog_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  SuiUserDialog *self = SUI_USER_DIALOG (object);
  const char *text = G_VALUE_HOLDS_STRING (value) && g_value_get_string (value) != NULL
                     ? g_value_get_string (value) : "";

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;

    case PROP_UNITS:
      self->units = g_value_dup_object (value);
      break;

    case PROP_USER:
      self->user = g_value_dup_object (value);
      break;

    case PROP_LOGIN:
      gtk_editable_set_text (GTK_EDITABLE (self->login_row), text);
      break;

    case PROP_NAME:
      gtk_editable_set_text (GTK_EDITABLE (self->name_row), text);
      break;

    case PROP_ROLE:
      set_role (self, text);
      break;

    case PROP_UNIT_ID:
      set_unit_id (self, g_value_get_int64 (value));
      break;

    case PROP_PASSWORD:
      gtk_editable_set_text (GTK_EDITABLE (self->password_row), text);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sui_user_dialog_class_init (SuiUserDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = sui_user_dialog_constructed;
  object_class->dispose = sui_user_dialog_dispose;
  object_class->finalize = sui_user_dialog_finalize;
  object_class->get_property = sui_user_dialog_get_property;
  object_class->set_property = sui_user_dialog_set_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, SUI_TYPE_RPC_CLIENT, construct);
  properties[PROP_UNITS] =
    g_param_spec_object ("units", NULL, NULL, G_TYPE_LIST_MODEL, construct);
  properties[PROP_USER] =
    g_param_spec_object ("user", NULL, NULL, SUI_TYPE_USER, construct);
  properties[PROP_LOGIN] = g_param_spec_string ("login", NULL, NULL, NULL, rw);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, rw);
  properties[PROP_ROLE] = g_param_spec_string ("role", NULL, NULL, NULL, rw);
  properties[PROP_UNIT_ID] =
    g_param_spec_int64 ("unit-id", NULL, NULL, 0, G_MAXINT64, 0, rw);
  properties[PROP_PASSWORD] = g_param_spec_string ("password", NULL, NULL, NULL, rw);
  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE, ro);
  properties[PROP_MESSAGE] = g_param_spec_string ("message", NULL, NULL, NULL, ro);

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

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();

  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    gtk_string_list_append (role_names, sui_role_to_label (roles[i]));
  adw_combo_row_set_model (self->role_row, G_LIST_MODEL (role_names));

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
