/* sui-settings.h: what the client remembers between runs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char     *sui_settings_get_path        (void);
char     *sui_settings_get_server_url  (void);
char     *sui_settings_get_last_login  (void);
gboolean  sui_settings_save            (const char  *server_url,
                                        const char  *last_login,
                                        GError     **error);
gboolean  sui_settings_get_window_size (int         *width,
                                        int         *height,
                                        gboolean    *maximized);
gboolean  sui_settings_save_window_size (int          width,
                                         int          height,
                                         gboolean     maximized,
                                         GError     **error);

G_END_DECLS
