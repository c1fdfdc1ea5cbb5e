/* sui-form.h: field-level messages in AdwPreferencesGroup forms
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

void     sui_form_set_field_error  (GtkWidget   *field_row,
                                    AdwActionRow *error_row,
                                    const char  *message);
gboolean sui_form_apply_errors     (GHashTable  *fields,
                                    ...) G_GNUC_NULL_TERMINATED;
void     sui_form_label_editable   (GtkWidget   *row,
                                    const char  *label);
char    *sui_form_get_text         (GtkWidget   *row);

G_END_DECLS
