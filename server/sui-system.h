/* sui-system.h: system.ping, system.version, system.describe
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void sui_system_register (void);

G_END_DECLS
