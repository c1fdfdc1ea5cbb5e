/* sui-login-window.c: where a session starts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Asks for the server, login and password, calls auth.login and hands the signed-in client to
 * the application through "logged-in". The call is asynchronous; while it runs the form is
 * insensitive and a spinner turns, and closing the window cancels it.
 */
#include "sui-config.h"

#include <glib/gi18n.h>

#include "sui-error-data.h"
#include "sui-form.h"
#include "sui-login-window.h"
#include "sui-rpc-client.h"
#include "sui-settings.h"

struct _SuiLoginWindow
{
  AdwApplicationWindow parent_instance;

  AdwEntryRow *server_row;
  AdwEntryRow *login_row;
  AdwEntryRow *password_row;
  GtkLabel *error_label;
  GtkButton *login_button;
  GtkSpinner *spinner;

  SuiForm *form;
};

#define MEMBER(member) G_STRUCT_OFFSET (SuiLoginWindow, member)

enum {
  PROP_0,
  PROP_SERVER_URL,
  PROP_LOGIN,
  PROP_PASSWORD,
  PROP_BUSY,
  PROP_ERROR_MESSAGE,
  N_PROPS
};

enum {
  LOGGED_IN,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SuiLoginWindow, sui_login_window, ADW_TYPE_APPLICATION_WINDOW)

static void
set_busy (SuiLoginWindow *self,
          gboolean        busy)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->server_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->login_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->password_row), !busy);
  sui_form_set_busy (self->form, busy);
}

void
sui_login_window_set_error_message (SuiLoginWindow *self,
                                    const char     *message)
{
  g_return_if_fail (SUI_IS_LOGIN_WINDOW (self));

  sui_form_set_message (self->form, message);
}

const char *
sui_login_window_get_error_message (SuiLoginWindow *self)
{
  g_return_val_if_fail (SUI_IS_LOGIN_WINDOW (self), NULL);

  return sui_form_get_message (self->form);
}

gboolean
sui_login_window_get_busy (SuiLoginWindow *self)
{
  g_return_val_if_fail (SUI_IS_LOGIN_WINDOW (self), FALSE);

  return sui_form_get_busy (self->form);
}

static void
login_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  SuiRpcClient *client = SUI_RPC_CLIENT (object);
  g_autoptr(SuiLoginWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) save_error = NULL;
  g_autoptr(JsonNode) error_data = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *login = NULL;
  JsonObject *object_result;
  JsonNode *user;
  const char *token;

  node = sui_rpc_client_call_finish (client, result, &error_data, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_busy (self, FALSE);

  if (node == NULL)
    {
      g_autofree char *message = sui_error_data_describe_login (error, error_data);

      sui_login_window_set_error_message (self, message);
      if (error->domain == SUI_RPC_ERROR)
        {
          gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
          gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
        }
      return;
    }

  if (!JSON_NODE_HOLDS_OBJECT (node) ||
      (token = json_object_get_string_member_with_default (
         (object_result = json_node_get_object (node)), "token", NULL)) == NULL ||
      (user = json_object_get_member (object_result, "user")) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (user))
    {
      sui_login_window_set_error_message (self, _("The server gave an unexpected answer. "
                                                   "Check that the address points to a "
                                                   "Shuangsui server."));
      return;
    }

  sui_rpc_client_set_token (client, token);

  login = sui_form_get_text (GTK_WIDGET (self->login_row));
  if (!sui_settings_save (sui_rpc_client_get_base_url (client), login, &save_error))
    g_warning ("Could not remember the server address: %s", save_error->message);

  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  sui_login_window_set_error_message (self, NULL);
  g_signal_emit (self, signals[LOGGED_IN], 0, client, user);
}

static void
sui_login_window_submit (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  SuiLoginWindow *self = SUI_LOGIN_WINDOW (widget);
  g_autoptr(SuiRpcClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) params = NULL;
  g_autofree char *url = NULL;
  g_autofree char *login = NULL;
  const char *password;

  if (sui_form_get_busy (self->form))
    return;

  url = sui_rpc_client_normalize_url (gtk_editable_get_text (GTK_EDITABLE (self->server_row)),
                                      &error);
  if (url == NULL)
    {
      sui_login_window_set_error_message (self, error->message);
      gtk_widget_grab_focus (GTK_WIDGET (self->server_row));
      return;
    }

  login = sui_form_get_text (GTK_WIDGET (self->login_row));
  if (login[0] == '\0')
    {
      sui_login_window_set_error_message (self, _("Enter your login name."));
      gtk_widget_grab_focus (GTK_WIDGET (self->login_row));
      return;
    }

  password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  if (password[0] == '\0')
    {
      sui_login_window_set_error_message (self, _("Enter your password."));
      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
      return;
    }

  sui_login_window_set_error_message (self, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->server_row), url);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "login");
  json_builder_add_string_value (builder, login);
  json_builder_set_member_name (builder, "password");
  json_builder_add_string_value (builder, password);
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);

  sui_form_cancel (self->form);

  client = sui_rpc_client_new (url);
  set_busy (self, TRUE);
  sui_rpc_client_call_async (client, "auth.login", params, sui_form_get_cancellable (self->form),
                             login_cb, g_object_ref (self));
}

static void
on_server_activated (SuiLoginWindow *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->login_row));
}

static void
on_login_activated (SuiLoginWindow *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
}

static void
on_password_activated (SuiLoginWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "login.submit", NULL);
}

static void
sui_login_window_dispose (GObject *object)
{
  SuiLoginWindow *self = (SuiLoginWindow *)object;

  sui_form_cancel (self->form);

  G_OBJECT_CLASS (sui_login_window_parent_class)->dispose (object);
}

static void
sui_login_window_finalize (GObject *object)
{
  SuiLoginWindow *self = (SuiLoginWindow *)object;

  g_clear_pointer (&self->form, sui_form_free);

  G_OBJECT_CLASS (sui_login_window_parent_class)->finalize (object);
}

static void
sui_login_window_class_init (SuiLoginWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sui_login_window_dispose;
  object_class->finalize = sui_login_window_finalize;
  object_class->get_property = sui_form_get_property;
  object_class->set_property = sui_form_set_property;

  properties[PROP_SERVER_URL] = sui_form_text_property ("server-url", MEMBER (server_row));
  properties[PROP_LOGIN] = sui_form_text_property ("login", MEMBER (login_row));
  properties[PROP_PASSWORD] = sui_form_text_property ("password", MEMBER (password_row));
  properties[PROP_BUSY] = sui_form_busy_property (MEMBER (form));
  properties[PROP_ERROR_MESSAGE] = sui_form_message_property ("error-message", MEMBER (form));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SuiLoginWindow::logged-in:
   * @client: the #SuiRpcClient now carrying the session token
   * @user: the user record of auth.login, a #JsonNode holding an object
   */
  signals[LOGGED_IN] =
    g_signal_new ("logged-in",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, SUI_TYPE_RPC_CLIENT, JSON_TYPE_NODE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/shuangsui/Desk/ui/sui-login-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SuiLoginWindow, server_row);
  gtk_widget_class_bind_template_child (widget_class, SuiLoginWindow, login_row);
  gtk_widget_class_bind_template_child (widget_class, SuiLoginWindow, password_row);
  gtk_widget_class_bind_template_child (widget_class, SuiLoginWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, SuiLoginWindow, login_button);
  gtk_widget_class_bind_template_child (widget_class, SuiLoginWindow, spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_server_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_login_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_password_activated);

  gtk_widget_class_install_action (widget_class, "login.submit", NULL, sui_login_window_submit);
}

static void
sui_login_window_init (SuiLoginWindow *self)
{
  g_autofree char *url = NULL;
  g_autofree char *last_login = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->form = sui_form_new (GTK_WIDGET (self), self->error_label, self->spinner,
                             "login.submit");
  sui_form_notify (self->form, properties[PROP_BUSY], properties[PROP_ERROR_MESSAGE]);

  sui_form_label_editable (GTK_WIDGET (self->server_row), _("Server address"));
  sui_form_label_editable (GTK_WIDGET (self->login_row), _("Login name"));
  sui_form_label_editable (GTK_WIDGET (self->password_row), _("Password"));

  url = sui_settings_get_server_url ();
  last_login = sui_settings_get_last_login ();
  gtk_editable_set_text (GTK_EDITABLE (self->server_row), url);
  if (last_login != NULL)
    {
      /* Someone who signed in here before mostly only needs to type the password. */
      gtk_editable_set_text (GTK_EDITABLE (self->login_row), last_login);
      gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->password_row));
    }
}

SuiLoginWindow *
sui_login_window_new (GtkApplication *application)
{
  return g_object_new (SUI_TYPE_LOGIN_WINDOW,
                       "application", application,
                       NULL);
}
