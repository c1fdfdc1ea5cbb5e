/* sui-prompt.c: asking for a reason (or two texts) before a step that needs one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Rejections, change requests and voids all need a sentence from the user; one message
 * dialog with entries keeps them alike. "Accept" stays insensitive until every entry holds
 * some text, since the server refuses an empty reason anyway.
 */
#include "sui-config.h"

#include <glib/gi18n.h>

#include "sui-prompt.h"

typedef struct
{
  GPtrArray *entries;
  SuiPromptCallback callback;
  gpointer user_data;
  GDestroyNotify destroy;
} Prompt;

static void
prompt_free (gpointer data)
{
  Prompt *p = data;

  if (p->destroy != NULL)
    p->destroy (p->user_data);
  g_ptr_array_unref (p->entries);
  g_free (p);
}

static void
on_changed (AdwMessageDialog *dialog)
{
  Prompt *p = g_object_get_data (G_OBJECT (dialog), "sui-prompt");
  gboolean complete = TRUE;

  for (guint i = 0; i < p->entries->len; i++)
    {
      g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (p->entries->pdata[i])));

      complete &= text[0] != '\0';
    }
  adw_message_dialog_set_response_enabled (dialog, "accept", complete);
}

static void
on_response (AdwMessageDialog *dialog,
             const char       *response)
{
  Prompt *p = g_object_get_data (G_OBJECT (dialog), "sui-prompt");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) texts = NULL;

  if (g_strcmp0 (response, "accept") == 0)
    {
      for (guint i = 0; i < p->entries->len; i++)
        {
          g_autofree char *text =
            g_strstrip (g_strdup (gtk_editable_get_text (p->entries->pdata[i])));

          g_strv_builder_add (builder, text);
        }
      texts = g_strv_builder_end (builder);
    }

  p->callback (texts, p->user_data);
}

AdwMessageDialog *
sui_prompt_texts (GtkWindow          *parent,
                  const char         *heading,
                  const char         *body,
                  const char         *accept_label,
                  const char * const *field_labels,
                  SuiPromptCallback   callback,
                  gpointer            user_data,
                  GDestroyNotify      destroy)
{
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, heading, body));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  Prompt *p = g_new0 (Prompt, 1);

  p->entries = g_ptr_array_new ();
  p->callback = callback;
  p->user_data = user_data;
  p->destroy = destroy;

  for (guint i = 0; field_labels != NULL && field_labels[i] != NULL; i++)
    {
      GtkWidget *label = gtk_label_new (field_labels[i]);
      GtkWidget *entry = gtk_entry_new ();

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, field_labels[i], -1);
      gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
      g_signal_connect_object (entry, "changed", G_CALLBACK (on_changed), dialog,
                               G_CONNECT_SWAPPED);
      gtk_box_append (GTK_BOX (box), label);
      gtk_box_append (GTK_BOX (box), entry);
      g_ptr_array_add (p->entries, entry);
    }

  adw_message_dialog_set_extra_child (dialog, box);
  adw_message_dialog_add_responses (dialog, "cancel", _("Cancel"), "accept", accept_label, NULL);
  adw_message_dialog_set_response_appearance (dialog, "accept", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "accept");
  adw_message_dialog_set_close_response (dialog, "cancel");
  adw_message_dialog_set_response_enabled (dialog, "accept", p->entries->len == 0);
  g_object_set_data_full (G_OBJECT (dialog), "sui-prompt", p, prompt_free);
  g_signal_connect (dialog, "response", G_CALLBACK (on_response), NULL);
  gtk_window_present (GTK_WINDOW (dialog));

  return dialog;
}
