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

  GCancellable *cancellable;
  char *error_message;
  gboolean busy;
};

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
  if (self->busy == busy)
    return;

  self->busy = busy;
  gtk_widget_set_sensitive (GTK_WIDGET (self->server_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->login_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->password_row), !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "login.submit", !busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

void
sui_login_window_set_error_message (SuiLoginWindow *self,
                                    const char     *message)
{
  g_return_if_fail (SUI_IS_LOGIN_WINDOW (self));

  if (message != NULL && message[0] == '\0')
    message = NULL;

  if (g_strcmp0 (message, self->error_message) == 0)
    return;

  g_free (self->error_message);
  self->error_message = g_strdup (message);
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
}

const char *
sui_login_window_get_error_message (SuiLoginWindow *self)
{
  g_return_val_if_fail (SUI_IS_LOGIN_WINDOW (self), NULL);

  return self->error_message;
}

gboolean
sui_login_window_get_busy (SuiLoginWindow *self)
{
  g_return_val_if_fail (SUI_IS_LOGIN_WINDOW (self), FALSE);

  return self->busy;
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

  if (self->busy)
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

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  client = sui_rpc_client_new (url);
  set_busy (self, TRUE);
  sui_rpc_client_call_async (client, "auth.login", params, self->cancellable,
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

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (sui_login_window_parent_class)->dispose (object);
}

static void
sui_login_window_finalize (GObject *object)
{
  SuiLoginWindow *self = (SuiLoginWindow *)object;

  g_clear_pointer (&self->error_message, g_free);

  G_OBJECT_CLASS (sui_login_window_parent_class)->finalize (object);
}

static void
sui_login_window_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  SuiLoginWindow *self = SUI_LOGIN_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SERVER_URL:
      g_value_set_string (value, gtk_editable_get_text (GTK_EDITABLE (self->server_row)));
      break;

    case PROP_LOGIN:
      g_value_set_string (value, gtk_editable_get_text (GTK_EDITABLE (self->login_row)));
      break;

    case PROP_PASSWORD:
      g_value_set_string (value, gtk_editable_get_text (GTK_EDITABLE (self->password_row)));
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sui_login_window_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  SuiLoginWindow *self = SUI_LOGIN_WINDOW (object);
  const char *text = NULL;

  if (G_VALUE_HOLDS_STRING (value))
    text = g_value_get_string (value) ? g_value_get_string (value) : "";

  switch (prop_id)
    {
    case PROP_SERVER_URL:
      gtk_editable_set_text (GTK_EDITABLE (self->server_row), text);
      break;

    case PROP_LOGIN:
      gtk_editable_set_text (GTK_EDITABLE (self->login_row), text);
      break;

    case PROP_PASSWORD:
      gtk_editable_set_text (GTK_EDITABLE (self->password_row), text);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sui_login_window_class_init (SuiLoginWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sui_login_window_dispose;
  object_class->finalize = sui_login_window_finalize;
  object_class->get_property = sui_login_window_get_property;
  object_class->set_property = sui_login_window_set_property;

  properties[PROP_SERVER_URL] =
    g_param_spec_string ("server-url", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  properties[PROP_LOGIN] =
    g_param_spec_string ("login", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  properties[PROP_PASSWORD] =
    g_param_spec_string ("password", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

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
