/* sui-form.c: field-level messages in AdwPreferencesGroup forms
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each field row is followed by a hidden AdwActionRow that carries the server's message for
 * that field; the field row gets the "error" style and the message as its accessible
 * description, so a screen reader reads it with the field.
 */
#include "sui-config.h"

#include "sui-form.h"

void
sui_form_set_field_error (GtkWidget    *field_row,
                          AdwActionRow *error_row,
                          const char   *message)
{
  gboolean has_error = message != NULL && message[0] != '\0';

  g_return_if_fail (GTK_IS_WIDGET (field_row));
  g_return_if_fail (ADW_IS_ACTION_ROW (error_row));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (error_row), has_error ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (error_row), has_error);

  if (has_error)
    {
      gtk_widget_add_css_class (field_row, "error");
      gtk_accessible_update_property (GTK_ACCESSIBLE (field_row),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message,
                                      -1);
    }
  else
    {
      gtk_widget_remove_css_class (field_row, "error");
      gtk_accessible_reset_property (GTK_ACCESSIBLE (field_row),
                                     GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
    }
}

/**
 * sui_form_apply_errors:
 * @fields: field name → message, or %NULL to clear every message
 * @...: triples of (const char *field name, GtkWidget *field row, AdwActionRow *error row),
 *   ending with %NULL
 *
 * Returns: %TRUE when at least one of the listed fields got a message; the caller shows the
 *   others in a general message
 */
gboolean
sui_form_apply_errors (GHashTable *fields,
                       ...)
{
  gboolean any = FALSE;
  const char *name;
  va_list args;

  va_start (args, fields);
  while ((name = va_arg (args, const char *)) != NULL)
    {
      GtkWidget *field_row = va_arg (args, GtkWidget *);
      AdwActionRow *error_row = va_arg (args, AdwActionRow *);
      const char *message = fields != NULL ? g_hash_table_lookup (fields, name) : NULL;

      sui_form_set_field_error (field_row, error_row, message);
      any |= message != NULL;
    }
  va_end (args);

  return any;
}

/* AdwEntryRow shows its title, but the text inside is what assistive technology focuses;
 * label that text too so it can be found by role and name. */
void
sui_form_label_editable (GtkWidget  *row,
                         const char *label)
{
  GtkEditable *delegate;

  g_return_if_fail (GTK_IS_WIDGET (row));

  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);

  if (GTK_IS_EDITABLE (row) &&
      (delegate = gtk_editable_get_delegate (GTK_EDITABLE (row))) != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (delegate),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                    -1);
}

char *
sui_form_get_text (GtkWidget *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}
