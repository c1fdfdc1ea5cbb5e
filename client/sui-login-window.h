/* sui-login-window.h: where a session starts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SUI_TYPE_LOGIN_WINDOW (sui_login_window_get_type ())

G_DECLARE_FINAL_TYPE (SuiLoginWindow, sui_login_window, SUI, LOGIN_WINDOW, AdwApplicationWindow)

SuiLoginWindow *sui_login_window_new               (GtkApplication *application);
const char     *sui_login_window_get_error_message (SuiLoginWindow *self);
void            sui_login_window_set_error_message (SuiLoginWindow *self,
                                                    const char     *message);
gboolean        sui_login_window_get_busy          (SuiLoginWindow *self);

G_END_DECLS
