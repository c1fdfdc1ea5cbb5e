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
  SuiForm *form;
};

#define MEMBER(member) G_STRUCT_OFFSET (SuiAccountPage, member)

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
  g_autoptr(GHashTable) fields = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = sui_form_call_finish (self->form, object, result, &fields, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (node == NULL)
    {
      if (!sui_form_show_field_errors (self->form, fields))
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

  if (!sui_form_begin_save (self->form))
    return;

  if (old_password[0] == '\0')
    {
      sui_form_show_field_error (self->form, "old_password", _("Enter your current password."));
      return;
    }

  if (g_strcmp0 (new_password, confirm) != 0)
    {
      sui_form_show_field_error (self->form, "confirm", _("The two new passwords do not match."));
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

  sui_form_call (self->form, self->client, "auth.change_password", params, change_password_cb);
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

  sui_rpc_client_call_async (self->client, "units.get", params,
                             sui_form_get_cancellable (self->form), unit_cb, g_object_ref (self));
}

static void
sui_account_page_dispose (GObject *object)
{
  SuiAccountPage *self = (SuiAccountPage *)object;

  sui_form_cancel (self->form);
  g_clear_object (&self->client);
  g_clear_object (&self->user);

  G_OBJECT_CLASS (sui_account_page_parent_class)->dispose (object);
}

static void
sui_account_page_finalize (GObject *object)
{
  SuiAccountPage *self = (SuiAccountPage *)object;

  g_clear_pointer (&self->form, sui_form_free);

  G_OBJECT_CLASS (sui_account_page_parent_class)->finalize (object);
}

static void
sui_account_page_class_init (SuiAccountPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = sui_account_page_constructed;
  object_class->dispose = sui_account_page_dispose;
  object_class->finalize = sui_account_page_finalize;
  object_class->get_property = sui_form_get_property;
  object_class->set_property = sui_form_set_property;

  properties[PROP_CLIENT] =
    sui_form_object_property ("client", SUI_TYPE_RPC_CLIENT, MEMBER (client));
  properties[PROP_USER] = sui_form_object_property ("user", SUI_TYPE_USER, MEMBER (user));

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

  /* No message line: the page tells what is not about a field in a toast. */
  self->form = sui_form_new (GTK_WIDGET (self), NULL, self->spinner, "account.change-password");
  sui_form_add_field (self->form, "old_password", GTK_WIDGET (self->old_row),
                      GTK_WIDGET (self->old_error));
  sui_form_add_field (self->form, "new_password", GTK_WIDGET (self->new_row),
                      GTK_WIDGET (self->new_error));
  sui_form_add_field (self->form, "confirm", GTK_WIDGET (self->confirm_row),
                      GTK_WIDGET (self->confirm_error));
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
