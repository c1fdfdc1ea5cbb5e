/* sui-password-dialog.c: an administrator sets a new password for a user
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sui-config.h"

#include <glib/gi18n.h>

#include "sui-error-data.h"
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
  GCancellable *cancellable;
};

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
set_busy (SuiPasswordDialog *self,
          gboolean           busy)
{
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.save", !busy);
}

static void
set_message (SuiPasswordDialog *self,
             const char        *message)
{
  gtk_label_set_text (self->message_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), message != NULL);
}

static void
save_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SuiPasswordDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) error_data = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *done = NULL;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, &error_data, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_busy (self, FALSE);

  if (node == NULL)
    {
      g_autoptr(GHashTable) fields = sui_error_data_get_fields (error_data);

      if (!sui_form_apply_errors (fields,
                                  "password", self->password_row, self->password_error,
                                  NULL))
        {
          g_autofree char *message = sui_rpc_client_describe_error (error);

          set_message (self, message);
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

  set_message (self, NULL);
  sui_form_apply_errors (NULL,
                         "password", self->password_row, self->password_error,
                         "confirm", self->confirm_row, self->confirm_error,
                         NULL);

  if (g_strcmp0 (password, confirm) != 0)
    {
      sui_form_set_field_error (GTK_WIDGET (self->confirm_row), self->confirm_error,
                                _("The two new passwords do not match."));
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, sui_user_get_id (self->user));
  json_builder_set_member_name (builder, "password");
  json_builder_add_string_value (builder, password);
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);

  set_busy (self, TRUE);
  sui_rpc_client_call_async (self->client, "users.reset_password", params, self->cancellable,
                             save_cb, g_object_ref (self));
}

const char *
sui_password_dialog_get_field_error (SuiPasswordDialog *self,
                                     const char        *field)
{
  AdwActionRow *row = NULL;

  g_return_val_if_fail (SUI_IS_PASSWORD_DIALOG (self), NULL);

  if (g_str_equal (field, "password"))
    row = self->password_error;
  else if (g_str_equal (field, "confirm"))
    row = self->confirm_error;

  if (row == NULL || !gtk_widget_get_visible (GTK_WIDGET (row)))
    return NULL;

  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
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

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (sui_password_dialog_parent_class)->dispose (object);
}

static void
sui_password_dialog_finalize (GObject *object)
{
  SuiPasswordDialog *self = (SuiPasswordDialog *)object;

  g_clear_object (&self->client);
  g_clear_object (&self->user);

  G_OBJECT_CLASS (sui_password_dialog_parent_class)->finalize (object);
}

static void
sui_password_dialog_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  SuiPasswordDialog *self = SUI_PASSWORD_DIALOG (object);

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
sui_password_dialog_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  SuiPasswordDialog *self = SUI_PASSWORD_DIALOG (object);

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
sui_password_dialog_class_init (SuiPasswordDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = sui_password_dialog_constructed;
  object_class->dispose = sui_password_dialog_dispose;
  object_class->finalize = sui_password_dialog_finalize;
  object_class->get_property = sui_password_dialog_get_property;
  object_class->set_property = sui_password_dialog_set_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, SUI_TYPE_RPC_CLIENT,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_USER] =
    g_param_spec_object ("user", NULL, NULL, SUI_TYPE_USER,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

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

  self->cancellable = g_cancellable_new ();
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
