/* sui-ratios.h: the sampling table per risk class, the city's and a plan's own
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void sui_ratios_register (void);

G_END_DECLS
