/* main.c: entry point of the shuangsui desktop client
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sui-config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "sui-application.h"
#include "sui-i18n.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SuiApplication) application = NULL;

  sui_i18n_init ();

  application = sui_application_new ();

  return g_application_run (G_APPLICATION (application), argc, argv);
}
