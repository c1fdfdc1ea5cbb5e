/* sui-application.c: the shuangsui desktop application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One window at a time: the login window until auth.login succeeds, then the main window
 * until the user logs out or the session ends.
 */
#include "sui-config.h"

#include <glib/gi18n.h>

#include "sui-application.h"
#include "sui-login-window.h"
#include "sui-rpc-client.h"
#include "sui-window.h"

struct _SuiApplication
{
  AdwApplication parent_instance;

  GtkWindow *window;
};

G_DEFINE_FINAL_TYPE (SuiApplication, sui_application, ADW_TYPE_APPLICATION)

static void
replace_window (SuiApplication *self,
                GtkWindow      *window)
{
  GtkWindow *old = self->window;

  self->window = window;
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &self->window);
  gtk_window_present (window);

  if (old != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (old), (gpointer *) &self->window);
      gtk_window_destroy (old);
    }
}

static void
on_logged_in (SuiLoginWindow *login_window,
              SuiRpcClient   *client,
              JsonNode       *user,
              SuiApplication *self)
{
  SuiWindow *window = sui_window_new (GTK_APPLICATION (self), client, user);

  replace_window (self, GTK_WINDOW (window));
}

void
sui_application_show_login (SuiApplication *self,
                            const char     *message)
{
  SuiLoginWindow *login_window;

  g_return_if_fail (SUI_IS_APPLICATION (self));

  login_window = sui_login_window_new (GTK_APPLICATION (self));
  g_signal_connect_object (login_window, "logged-in", G_CALLBACK (on_logged_in), self, 0);
  if (message != NULL)
    sui_login_window_set_error_message (login_window, message);

  replace_window (self, GTK_WINDOW (login_window));
}

static void
sui_application_activate (GApplication *application)
{
  SuiApplication *self = SUI_APPLICATION (application);

  if (self->window != NULL)
    {
      gtk_window_present (self->window);
      return;
    }

  sui_application_show_login (self, NULL);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  GtkApplication *application = GTK_APPLICATION (user_data);
  GList *windows = g_list_copy (gtk_application_get_windows (application));

  /* Close each window as its close button would, so that the main window remembers its size;
   * quitting alone would tear them down without asking. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));
  g_list_free (windows);

  g_application_quit (G_APPLICATION (application));
}

static void
sui_application_startup (GApplication *application)
{
  static const GActionEntry entries[] = {
    { "quit", quit_action },
  };
  static const char *quit_accels[] = { "<Control>q", NULL };

  G_APPLICATION_CLASS (sui_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (application), entries,
                                   G_N_ELEMENTS (entries), application);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "app.quit", quit_accels);
}

static void
sui_application_class_init (SuiApplicationClass *klass)
{
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  application_class->activate = sui_application_activate;
  application_class->startup = sui_application_startup;
}

static void
sui_application_init (SuiApplication *self)
{
}

SuiApplication *
sui_application_new (void)
{
  return g_object_new (SUI_TYPE_APPLICATION,
                       "application-id", "org.shuangsui.Desk",
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/org/shuangsui/Desk",
                       NULL);
}
