/* sui-account-page.c: "My account": who I am, my unit, my password
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every role has this page, so a supervisor or inspector signs in to something real before
 * their own areas exist.
 */
#include "sui-config.h"

#include <glib/gi18n.h>

#include "sui-account-page.h"
#include "sui-error-data.h"
#include "sui-form.h"
#include "sui-json.h"

struct _SuiAccountPage
{
  AdwBin parent_instance;

  AdwToastOverlay *toast_overlay;
  AdwActionRow *login_row;
  AdwActionRow *name_row;
  AdwActionRow *role_row;
  AdwActionRow *unit_name_row;
  AdwActionRow *unit_code_row;
  AdwActionRow *unit_kind_row;
  AdwEntryRow *old_row;
  AdwActionRow *old_error;
  AdwEntryRow *new_row;
  AdwActionRow *new_error;
  AdwEntryRow *confirm_row;
  AdwActionRow *confirm_error;
  GtkSpinner *spinner;

  SuiRpcClient *client;
  SuiUser *user;
  GCancellable *cancellable;
};

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_USER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SuiAccountPage, sui_account_page, ADW_TYPE_BIN)

static void
toast (SuiAccountPage *self,
       const char     *message)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

static void
set_busy (SuiAccountPage *self,
          gboolean        busy)
{
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.change-password", !busy);
}

static void
unit_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SuiAccountPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *unit;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_debug ("units.get: %s", error != NULL ? error->message : "not an object");
      return;
    }

  unit = json_node_get_object (node);
  adw_action_row_set_subtitle (self->unit_name_row, sui_json_get_string (unit, "name"));
  adw_action_row_set_subtitle (self->unit_code_row, sui_json_get_string (unit, "code"));
  adw_action_row_set_subtitle (self->unit_kind_row,
                               sui_kind_to_label (sui_json_get_string (unit, "kind")));
}

static void
change_password_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(SuiAccountPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) error_data = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, &error_data, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_busy (self, FALSE);

  if (node == NULL)
    {
      g_autoptr(GHashTable) fields = sui_error_data_get_fields (error_data);

      if (!sui_form_apply_errors (fields,
                                  "old_password", self->old_row, self->old_error,
                                  "new_password", self->new_row, self->new_error,
                                  NULL))
        {
          g_autofree char *message = sui_rpc_client_describe_error (error);

          toast (self, message);
        }
      return;
    }

  gtk_editable_set_text (GTK_EDITABLE (self->old_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->new_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->confirm_row), "");
  toast (self, _("Your password was changed."));
}

static void
change_password_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  SuiAccountPage *self = SUI_ACCOUNT_PAGE (widget);
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) params = NULL;
  const char *old_password = gtk_editable_get_text (GTK_EDITABLE (self->old_row));
  const char *new_password = gtk_editable_get_text (GTK_EDITABLE (self->new_row));
  const char *confirm = gtk_editable_get_text (GTK_EDITABLE (self->confirm_row));

  sui_form_apply_errors (NULL,
                         "old_password", self->old_row, self->old_error,
                         "new_password", self->new_row, self->new_error,
                         "confirm", self->confirm_row, self->confirm_error,
                         NULL);

  if (old_password[0] == '\0')
    {
      sui_form_set_field_error (GTK_WIDGET (self->old_row), self->old_error,
                                _("Enter your current password."));
      return;
    }

  if (g_strcmp0 (new_password, confirm) != 0)
    {
      sui_form_set_field_error (GTK_WIDGET (self->confirm_row), self->confirm_error,
                                _("The two new passwords do not match."));
      return;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "old_password");
  json_builder_add_string_value (builder, old_password);
  json_builder_set_member_name (builder, "new_password");
  json_builder_add_string_value (builder, new_password);
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);

  set_busy (self, TRUE);
  sui_rpc_client_call_async (self->client, "auth.change_password", params, self->cancellable,
                             change_password_cb, g_object_ref (self));
}

static void
on_confirm_activated (SuiAccountPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "account.change-password", NULL);
}

static void
sui_account_page_constructed (GObject *object)
{
  SuiAccountPage *self = (SuiAccountPage *)object;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) params = NULL;

  G_OBJECT_CLASS (sui_account_page_parent_class)->constructed (object);

  if (self->user == NULL)
    return;

  adw_action_row_set_subtitle (self->login_row, sui_user_get_login (self->user));
  adw_action_row_set_subtitle (self->name_row, sui_user_get_name (self->user));
  adw_action_row_set_subtitle (self->role_row, sui_role_to_label (sui_user_get_role (self->user)));
  adw_action_row_set_subtitle (self->unit_name_row, sui_user_get_unit_name (self->user));

  if (self->client == NULL)
    return;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, sui_user_get_unit_id (self->user));
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);

  sui_rpc_client_call_async (self->client, "units.get", params, self->cancellable,
                             unit_cb, g_object_ref (self));
}

static void
sui_account_page_dispose (GObject *object)
{
  SuiAccountPage *self = (SuiAccountPage *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  g_clear_object (&self->user);

  G_OBJECT_CLASS (sui_account_page_parent_class)->dispose (object);
}

static void
sui_account_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  SuiAccountPage *self = SUI_ACCOUNT_PAGE (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;

    case PROP_USER:
      g_value_set_object (value, self->user);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sui_account_page_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  SuiAccountPage *self = SUI_ACCOUNT_PAGE (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;

    case PROP_USER:
      self->user = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sui_account_page_class_init (SuiAccountPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = sui_account_page_constructed;
  object_class->dispose = sui_account_page_dispose;
  object_class->get_property = sui_account_page_get_property;
  object_class->set_property = sui_account_page_set_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, SUI_TYPE_RPC_CLIENT,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_USER] =
    g_param_spec_object ("user", NULL, NULL, SUI_TYPE_USER,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/shuangsui/Desk/ui/sui-account-page.ui");
  gtk_widget_class_bind_template_child (widget_class, SuiAccountPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SuiAccountPage, login_row);
  gtk_widget_class_bind_template_child (widget_class, SuiAccountPage, name_row);
  gtk_widget_class_bind_template_child (widget_class, SuiAccountPage, role_row);
  gtk_widget_class_bind_template_child (widget_class, SuiAccountPage, unit_name_row);
  gtk_widget_class_bind_template_child (widget_class, SuiAccountPage, unit_code_row);
  gtk_widget_class_bind_template_child (widget_class, SuiAccountPage, unit_kind_row);
  gtk_widget_class_bind_template_child (widget_class, SuiAccountPage, old_row);
  gtk_widget_class_bind_template_child (widget_class, SuiAccountPage, old_error);
  gtk_widget_class_bind_template_child (widget_class, SuiAccountPage, new_row);
  gtk_widget_class_bind_template_child (widget_class, SuiAccountPage, new_error);
  gtk_widget_class_bind_template_child (widget_class, SuiAccountPage, confirm_row);
  gtk_widget_class_bind_template_child (widget_class, SuiAccountPage, confirm_error);
  gtk_widget_class_bind_template_child (widget_class, SuiAccountPage, spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_confirm_activated);

  gtk_widget_class_install_action (widget_class, "account.change-password", NULL,
                                   change_password_action);
}

static void
sui_account_page_init (SuiAccountPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  sui_form_label_editable (GTK_WIDGET (self->old_row), _("Current password"));
  sui_form_label_editable (GTK_WIDGET (self->new_row), _("New password"));
  sui_form_label_editable (GTK_WIDGET (self->confirm_row), _("Repeat new password"));
}

SuiAccountPage *
sui_account_page_new (SuiRpcClient *client,
                      SuiUser      *user)
{
  return g_object_new (SUI_TYPE_ACCOUNT_PAGE,
                       "client", client,
                       "user", user,
                       NULL);
}
