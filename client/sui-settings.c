/* sui-settings.c: what the client remembers between runs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A small GKeyFile under $XDG_CONFIG_HOME/shuangsui/ rather than GSettings: the program runs
 * from its build tree and from a plain install, and neither needs a compiled schema then.
 * The password is never stored.
 */
#include "sui-config.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "sui-rpc-client.h"
#include "sui-settings.h"

#define GROUP "connection"

char *
sui_settings_get_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "shuangsui", "client.ini", NULL);
}

static GKeyFile *
load_key_file (void)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autofree char *path = sui_settings_get_path ();
  g_autoptr(GError) error = NULL;

  if (!g_key_file_load_from_file (key_file, path, G_KEY_FILE_KEEP_COMMENTS, &error) &&
      !g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    g_warning ("Ignoring unreadable settings %s: %s", path, error->message);

  return g_steal_pointer (&key_file);
}

char *
sui_settings_get_server_url (void)
{
  g_autoptr(GKeyFile) key_file = load_key_file ();
  g_autofree char *url = g_key_file_get_string (key_file, GROUP, "server-url", NULL);

  if (url == NULL || url[0] == '\0')
    return g_strdup (SUI_DEFAULT_SERVER_URL);

  return g_steal_pointer (&url);
}

char *
sui_settings_get_last_login (void)
{
  g_autoptr(GKeyFile) key_file = load_key_file ();

  return g_key_file_get_string (key_file, GROUP, "last-login", NULL);
}

gboolean
sui_settings_save (const char  *server_url,
                   const char  *last_login,
                   GError     **error)
{
  g_autoptr(GKeyFile) key_file = load_key_file ();
  g_autofree char *path = sui_settings_get_path ();
  g_autofree char *dir = g_path_get_dirname (path);

  if (server_url != NULL)
    g_key_file_set_string (key_file, GROUP, "server-url", server_url);
  if (last_login != NULL)
    g_key_file_set_string (key_file, GROUP, "last-login", last_login);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "%s: %s", dir, g_strerror (saved_errno));
      return FALSE;
    }

  return g_key_file_save_to_file (key_file, path, error);
}
