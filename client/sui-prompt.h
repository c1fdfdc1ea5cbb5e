/* sui-prompt.h: asking for a reason (or two texts) before a step that needs one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* @texts: the trimmed entries in order, NULL when cancelled. */
typedef void (*SuiPromptCallback) (GStrv     texts,
                                   gpointer  user_data);

AdwMessageDialog *sui_prompt_texts (GtkWindow          *parent,
                                    const char         *heading,
                                    const char         *body,
                                    const char         *accept_label,
                                    const char * const *field_labels,
                                    SuiPromptCallback   callback,
                                    gpointer            user_data,
                                    GDestroyNotify      destroy);

G_END_DECLS
