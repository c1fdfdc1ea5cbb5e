/* main.c: shuangsuid
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sui-daemon.h"

int
main (int    argc,
      char **argv)
{
  return sui_daemon_main (argc, argv);
}
