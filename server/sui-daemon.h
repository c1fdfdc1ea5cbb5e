/* sui-daemon.h: shuangsuid's command line, start-up and shutdown
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int sui_daemon_main (int    argc,
                     char **argv);

G_END_DECLS
