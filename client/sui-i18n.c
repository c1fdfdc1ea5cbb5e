/* sui-i18n.c: where the client finds its translations
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Installed, the catalogue is under SUI_LOCALEDIR. Run from the build tree, meson has just
 * compiled it into <build>/client/po/<lang>/LC_MESSAGES/, and that one must win so that a
 * developer sees the current translation without installing. SHUANGSUI_LOCALEDIR overrides
 * both.
 */
#include "sui-config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "sui-i18n.h"

static gboolean
running_from_build_tree (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = NULL;
  g_autofree char *build_client = NULL;
  g_autofree char *canonical = NULL;

  if (exe == NULL)
    return FALSE;

  dir = g_path_get_dirname (exe);
  build_client = g_build_filename (SUI_BUILD_ROOT, "client", NULL);
  canonical = g_canonicalize_filename (build_client, NULL);

  /* The program sits in <build>/client, its tests in <build>/client/tests. */
  return g_str_equal (dir, canonical) || g_str_has_prefix (dir, canonical);
}

char *
sui_i18n_find_localedir (void)
{
  const char *env = g_getenv ("SHUANGSUI_LOCALEDIR");

  if (env != NULL && env[0] != '\0')
    return g_strdup (env);

  if (running_from_build_tree ())
    return g_build_filename (SUI_BUILD_ROOT, "client", "po", NULL);

  return g_strdup (SUI_LOCALEDIR);
}

void
sui_i18n_init (void)
{
  g_autofree char *localedir = sui_i18n_find_localedir ();

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}
