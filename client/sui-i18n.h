/* sui-i18n.h: where the client finds its translations
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *sui_i18n_find_localedir (void);
void  sui_i18n_init           (void);

G_END_DECLS
