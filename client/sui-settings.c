/* sui-settings.c: what the client remembers between runs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A small GKeyFile under $XDG_CONFIG_HOME/shuangsui/ rather than GSettings: the program runs
 * from its build tree and from a plain install, and neither needs a compiled schema then.
 * The password is never stored. Besides the connection it keeps the main window's size, so
 * that the desk opens as it was left.
 */
#include "sui-config.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "sui-rpc-client.h"
#include "sui-settings.h"

#define GROUP "connection"
#define WINDOW_GROUP "window"

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

static gboolean
save_key_file (GKeyFile  *key_file,
               GError   **error)
{
  g_autofree char *path = sui_settings_get_path ();
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "%s: %s", dir, g_strerror (saved_errno));
      return FALSE;
    }

  return g_key_file_save_to_file (key_file, path, error);
}

gboolean
sui_settings_save (const char  *server_url,
                   const char  *last_login,
                   GError     **error)
{
  g_autoptr(GKeyFile) key_file = load_key_file ();

  if (server_url != NULL)
    g_key_file_set_string (key_file, GROUP, "server-url", server_url);
  if (last_login != NULL)
    g_key_file_set_string (key_file, GROUP, "last-login", last_login);

  return save_key_file (key_file, error);
}

/* A size outside these bounds is a damaged file, not a window anyone had. */
#define WINDOW_MIN 200
#define WINDOW_MAX 16384

/**
 * sui_settings_get_window_size:
 * @width: (out): the main window's width when it was last closed (unmaximized)
 * @height: (out): its height
 * @maximized: (out): whether it was maximized
 *
 * Returns: whether a usable size was remembered; if not, the outs are untouched
 */
gboolean
sui_settings_get_window_size (int      *width,
                              int      *height,
                              gboolean *maximized)
{
  g_autoptr(GKeyFile) key_file = load_key_file ();
  g_autoptr(GError) error = NULL;
  int w, h;
  gboolean max;

  w = g_key_file_get_integer (key_file, WINDOW_GROUP, "width", &error);
  if (error == NULL)
    h = g_key_file_get_integer (key_file, WINDOW_GROUP, "height", &error);
  if (error == NULL)
    max = g_key_file_get_boolean (key_file, WINDOW_GROUP, "maximized", &error);
  if (error != NULL || w < WINDOW_MIN || w > WINDOW_MAX || h < WINDOW_MIN || h > WINDOW_MAX)
    return FALSE;

  *width = w;
  *height = h;
  *maximized = max;
  return TRUE;
}

gboolean
sui_settings_save_window_size (int        width,
                               int        height,
                               gboolean   maximized,
                               GError   **error)
{
  g_autoptr(GKeyFile) key_file = load_key_file ();

  g_return_val_if_fail (width > 0 && height > 0, FALSE);

  g_key_file_set_integer (key_file, WINDOW_GROUP, "width", width);
  g_key_file_set_integer (key_file, WINDOW_GROUP, "height", height);
  g_key_file_set_boolean (key_file, WINDOW_GROUP, "maximized", maximized);

  return save_key_file (key_file, error);
}
