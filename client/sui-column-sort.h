/* sui-column-sort.h: a register's column headers sort on the server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "sui-paged-model.h"

G_BEGIN_DECLS

void sui_column_sort_set_order (GtkColumnViewColumn *column,
                                const char          *order);
void sui_column_sort_attach    (GtkColumnView       *view,
                                SuiPagedModel       *model);
void sui_column_sort_detach    (GtkColumnView       *view);

G_END_DECLS
