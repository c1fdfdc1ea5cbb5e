/* sui-column-sort.c: a register's column headers sort on the server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A register page shows a SuiPagedModel, which holds only the pages loaded so far: sorting
 * those rows in the client would sort two hundred of a hundred thousand and show the result
 * as if it were the register's order. Clicking a column header instead asks the server for
 * the whole register in that order (the list method's `order`, docs/protocol.md) and pages
 * through it from the start.
 *
 * GTK 4.8 does not say which column a view sorts by (GtkColumnViewSorter's
 * primary-sort-column came with 4.10). So each column's sorter here compares nothing, except
 * while a probe is under way, when the first one asked notes its order and answers "smaller".
 * The view's sorter asks its primary column first and inverts that answer for a descending
 * sort, so comparing two placeholder items once tells both the column and the direction.
 * (With GTK 4.10 this is gtk_column_view_sorter_get_primary_sort_column() and _order().)
 */
#include "sui-config.h"

#include "sui-column-sort.h"

typedef struct
{
  const char *order;
  gboolean answered;
} Probe;

/* The probe under way, on the main thread; NULL outside one. */
static Probe *probe;

static int
compare_for_probe (gconstpointer a,
                   gconstpointer b,
                   gpointer      order)
{
  if (probe == NULL || probe->answered)
    return GTK_ORDERING_EQUAL;

  probe->order = order;
  probe->answered = TRUE;
  return GTK_ORDERING_SMALLER;
}

/**
 * sui_column_sort_set_order:
 * @order: the list method's order for this column
 *
 * Makes the column's header sort the register by @order. A column without such a sorter
 * cannot be sorted by.
 */
void
sui_column_sort_set_order (GtkColumnViewColumn *column,
                           const char          *order)
{
  g_autoptr(GtkSorter) sorter = NULL;

  g_return_if_fail (GTK_IS_COLUMN_VIEW_COLUMN (column));
  g_return_if_fail (order != NULL);

  sorter = GTK_SORTER (gtk_custom_sorter_new (compare_for_probe, g_strdup (order), g_free));
  gtk_column_view_column_set_sorter (column, sorter);
}

static void
on_sort_changed (GtkSorter       *sorter,
                 GtkSorterChange  change,
                 SuiPagedModel   *model)
{
  Probe answer = { NULL, FALSE };
  GtkOrdering ordering;

  g_return_if_fail (probe == NULL);

  /* Any two distinct items: gtk_sorter_compare() calls two equal ones equal unasked. */
  probe = &answer;
  ordering = gtk_sorter_compare (sorter, sorter, model);
  probe = NULL;

  g_debug ("sorting by %s%s", answer.order != NULL ? answer.order : "id",
           ordering == GTK_ORDERING_LARGER ? ", descending" : "");
  sui_paged_model_set_order (model, answer.order, ordering == GTK_ORDERING_LARGER);
}

/**
 * sui_column_sort_attach:
 *
 * From now on a click on a sortable header of @view reloads @model in that column's order.
 */
void
sui_column_sort_attach (GtkColumnView *view,
                        SuiPagedModel *model)
{
  g_return_if_fail (GTK_IS_COLUMN_VIEW (view));
  g_return_if_fail (SUI_IS_PAGED_MODEL (model));

  g_signal_connect_object (gtk_column_view_get_sorter (view), "changed",
                           G_CALLBACK (on_sort_changed), model, 0);
}

/**
 * sui_column_sort_detach:
 *
 * Stops @view's headers from reloading the model; for the page's dispose, before the view
 * drops its columns (which the view's sorter reports as a change of order).
 */
void
sui_column_sort_detach (GtkColumnView *view)
{
  g_return_if_fail (GTK_IS_COLUMN_VIEW (view));

  g_signal_handlers_disconnect_matched (gtk_column_view_get_sorter (view),
                                        G_SIGNAL_MATCH_FUNC, 0, 0, NULL, on_sort_changed, NULL);
}
