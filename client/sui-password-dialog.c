/* sui-password-dialog.c: an administrator sets a new password for a user
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sui-config.h"

#include <glib/gi18n.h>

#include "sui-form.h"
#include "sui-password-dialog.h"

struct _SuiPasswordDialog
{
  AdwWindow parent_instance;

  AdwWindowTitle *window_title;
  GtkLabel *message_label;
  GtkSpinner *spinner;
  AdwEntryRow *password_row;
  AdwActionRow *password_error;
  AdwEntryRow *confirm_row;
  AdwActionRow *confirm_error;

  SuiRpcClient *client;
  SuiUser *user;
  SuiForm *form;
};

#define MEMBER(member) G_STRUCT_OFFSET (SuiPasswordDialog, member)

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_USER,
  N_PROPS
};

enum {
  DONE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SuiPasswordDialog, sui_password_dialog, ADW_TYPE_WINDOW)

static void
save_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SuiPasswordDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) fields = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *done = NULL;

  node = sui_form_call_finish (self->form, object, result, &fields, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (node == NULL)
    {
      if (!sui_form_show_field_errors (self->form, fields))
        {
          g_autofree char *message = sui_rpc_client_describe_error (error);

          sui_form_set_message (self->form, message);
        }
      return;
    }

  done = g_strdup_printf (_("The password of “%s” was reset."), sui_user_get_login (self->user));
  g_signal_emit (self, signals[DONE], 0, done);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SuiPasswordDialog *self = SUI_PASSWORD_DIALOG (widget);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) params = NULL;
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  const char *confirm = gtk_editable_get_text (GTK_EDITABLE (self->confirm_row));

  if (!sui_form_begin_save (self->form))
    return;

  if (g_strcmp0 (password, confirm) != 0)
    {
      sui_form_show_field_error (self->form, "confirm", _("The two new passwords do not match."));
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, sui_user_get_id (self->user));
  json_builder_set_member_name (builder, "password");
  json_builder_add_string_value (builder, password);
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);

  sui_form_call (self->form, self->client, "users.reset_password", params, save_cb);
}

const char *
sui_password_dialog_get_field_error (SuiPasswordDialog *self,
                                     const char        *field)
{
  g_return_val_if_fail (SUI_IS_PASSWORD_DIALOG (self), NULL);

  return sui_form_get_field_error (self->form, field);
}

static void
sui_password_dialog_constructed (GObject *object)
{
  SuiPasswordDialog *self = (SuiPasswordDialog *)object;

  G_OBJECT_CLASS (sui_password_dialog_parent_class)->constructed (object);

  if (self->user != NULL)
    {
      g_autofree char *subtitle = g_strdup_printf ("%s（%s）", sui_user_get_name (self->user),
                                                   sui_user_get_login (self->user));

      adw_window_title_set_subtitle (self->window_title, subtitle);
    }
}

static void
sui_password_dialog_dispose (GObject *object)
{
  SuiPasswordDialog *self = (SuiPasswordDialog *)object;

  sui_form_cancel (self->form);

  G_OBJECT_CLASS (sui_password_dialog_parent_class)->dispose (object);
}

static void
sui_password_dialog_finalize (GObject *object)
{
  SuiPasswordDialog *self = (SuiPasswordDialog *)object;

  g_clear_object (&self->client);
  g_clear_object (&self->user);
  g_clear_pointer (&self->form, sui_form_free);

  G_OBJECT_CLASS (sui_password_dialog_parent_class)->finalize (object);
}

static void
sui_password_dialog_class_init (SuiPasswordDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = sui_password_dialog_constructed;
  object_class->dispose = sui_password_dialog_dispose;
  object_class->finalize = sui_password_dialog_finalize;
  object_class->get_property = sui_form_get_property;
  object_class->set_property = sui_form_set_property;

  properties[PROP_CLIENT] =
    sui_form_object_property ("client", SUI_TYPE_RPC_CLIENT, MEMBER (client));
  properties[PROP_USER] = sui_form_object_property ("user", SUI_TYPE_USER, MEMBER (user));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Emitted with a sentence to show as a toast once the password was set. */
  signals[DONE] =
    g_signal_new ("done",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/shuangsui/Desk/ui/sui-password-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SuiPasswordDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, SuiPasswordDialog, message_label);
  gtk_widget_class_bind_template_child (widget_class, SuiPasswordDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, SuiPasswordDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, SuiPasswordDialog, password_error);
  gtk_widget_class_bind_template_child (widget_class, SuiPasswordDialog, confirm_row);
  gtk_widget_class_bind_template_child (widget_class, SuiPasswordDialog, confirm_error);

  gtk_widget_class_install_action (widget_class, "dialog.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
sui_password_dialog_init (SuiPasswordDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->form = sui_form_new (GTK_WIDGET (self), self->message_label, self->spinner,
                             "dialog.save");
  sui_form_add_field (self->form, "password", GTK_WIDGET (self->password_row),
                      GTK_WIDGET (self->password_error));
  sui_form_add_field (self->form, "confirm", GTK_WIDGET (self->confirm_row),
                      GTK_WIDGET (self->confirm_error));
  sui_form_label_editable (GTK_WIDGET (self->password_row), _("New password"));
  sui_form_label_editable (GTK_WIDGET (self->confirm_row), _("Repeat new password"));
}

SuiPasswordDialog *
sui_password_dialog_new (SuiRpcClient *client,
                         SuiUser      *user)
{
  return g_object_new (SUI_TYPE_PASSWORD_DIALOG,
                       "client", client,
                       "user", user,
                       NULL);
}
