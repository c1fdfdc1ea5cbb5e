/* sui-application.h: the shuangsui desktop application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SUI_TYPE_APPLICATION (sui_application_get_type ())

G_DECLARE_FINAL_TYPE (SuiApplication, sui_application, SUI, APPLICATION, AdwApplication)

SuiApplication *sui_application_new        (void);
void            sui_application_show_login (SuiApplication *self,
                                            const char     *message);

G_END_DECLS
