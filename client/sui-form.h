/* sui-form.h: what the edit dialogs share: field messages, saving, combo codes, properties
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sui-register-row.h"
#include "sui-rpc-client.h"

G_BEGIN_DECLS

void     sui_form_set_field_error  (GtkWidget   *field_row,
                                    AdwActionRow *error_row,
                                    const char  *message);
void     sui_form_label_editable   (GtkWidget   *row,
                                    const char  *label);
char    *sui_form_get_text         (GtkWidget   *row);

/* What an edit dialog keeps: the message above the fields, the spinner and the save action
 * while a call runs, each field's message, and the cancellable of its calls. */
typedef struct _SuiForm SuiForm;

/* Called with the record a reload fetched. */
typedef void (*SuiFormReloaded) (GtkWidget  *owner,
                                 JsonObject *record);

SuiForm      *sui_form_new               (GtkWidget       *owner,
                                          GtkLabel        *message_label,
                                          GtkSpinner      *spinner,
                                          const char      *save_action);
void          sui_form_free              (SuiForm         *form);
void          sui_form_notify            (SuiForm         *form,
                                          GParamSpec      *busy_pspec,
                                          GParamSpec      *message_pspec);
void          sui_form_add_field         (SuiForm         *form,
                                          const char      *name,
                                          GtkWidget       *row,
                                          GtkWidget       *error);
void          sui_form_cancel            (SuiForm         *form);
GCancellable *sui_form_get_cancellable   (SuiForm         *form);

void          sui_form_set_message       (SuiForm         *form,
                                          const char      *message);
const char   *sui_form_get_message       (SuiForm         *form);
void          sui_form_set_busy          (SuiForm         *form,
                                          gboolean         busy);
gboolean      sui_form_get_busy          (SuiForm         *form);
gboolean      sui_form_show_field_errors (SuiForm         *form,
                                          GHashTable      *fields);
void          sui_form_show_field_error  (SuiForm         *form,
                                          const char      *name,
                                          const char      *message);
const char   *sui_form_get_field_error   (SuiForm         *form,
                                          const char      *name);

gboolean      sui_form_begin_save        (SuiForm         *form);
void          sui_form_call              (SuiForm         *form,
                                          SuiRpcClient    *client,
                                          const char      *method,
                                          JsonNode        *params,
                                          GAsyncReadyCallback callback);
JsonNode     *sui_form_call_finish       (SuiForm         *form,
                                          GObject         *client,
                                          GAsyncResult    *result,
                                          GHashTable     **fields,
                                          GError         **error);
void          sui_form_show_error        (SuiForm         *form,
                                          const GError    *error,
                                          GHashTable      *fields);
void          sui_form_reload            (SuiForm         *form,
                                          SuiRpcClient    *client,
                                          const char      *method,
                                          gint64           id,
                                          gboolean         tell_failure,
                                          SuiFormReloaded  reloaded);

/* Combo rows whose entries stand for codes (or ids as text) */
void          sui_form_combo_set_choices (AdwComboRow     *row,
                                          GtkStringList   *labels,
                                          GPtrArray       *codes);
void          sui_form_combo_fill        (AdwComboRow     *row,
                                          const char      *none_label,
                                          JsonArray       *array,
                                          const char      *code_member,
                                          const char      *name_member,
                                          gboolean         code_in_label);
const char   *sui_form_combo_get_code    (AdwComboRow     *row);
void          sui_form_combo_set_code    (AdwComboRow     *row,
                                          const char      *code);
gint64        sui_form_combo_get_id      (AdwComboRow     *row);
void          sui_form_combo_set_id      (AdwComboRow     *row,
                                          gint64           id);

/* Properties that stand for a member of the instance struct: the text of an editable row, a
 * construct-only object, the choice in a combo row, the state of a SuiForm. A class whose
 * properties all come from these uses sui_form_get_property / sui_form_set_property. */
GParamSpec   *sui_form_text_property     (const char      *name,
                                          gsize            row_offset);
GParamSpec   *sui_form_object_property   (const char      *name,
                                          GType            type,
                                          gsize            member_offset);
GParamSpec   *sui_form_code_property     (const char      *name,
                                          gsize            row_offset);
GParamSpec   *sui_form_id_property       (const char      *name,
                                          gsize            row_offset);
GParamSpec   *sui_form_busy_property     (gsize            form_offset);
GParamSpec   *sui_form_message_property  (const char      *name,
                                          gsize            form_offset);
void          sui_form_get_property      (GObject         *object,
                                          guint            prop_id,
                                          GValue          *value,
                                          GParamSpec      *pspec);
void          sui_form_set_property      (GObject         *object,
                                          guint            prop_id,
                                          const GValue    *value,
                                          GParamSpec      *pspec);

/* Fields described by a table, bound from a template as "<name>_row" and "<name>_error" */
typedef enum
{
  SUI_FIELD_ENTRY,
  SUI_FIELD_COMBO,
  SUI_FIELD_SWITCH,
} SuiFieldKind;

typedef enum
{
  SUI_FIELD_OPTIONAL = 0,       /* left out when empty */
  SUI_FIELD_REQUIRED = 1 << 0,  /* always sent, so that the server names what is missing */
  SUI_FIELD_CLEARABLE = 1 << 1, /* when editing, sent as null when emptied */
  SUI_FIELD_ID = 1 << 2,        /* a combo of ids, sent as a number and only on create */
} SuiFieldFlags;

typedef struct
{
  const char   *name;
  SuiFieldKind  kind;
  const char   *title;
  SuiFieldFlags flags;
} SuiFieldSpec;

void          sui_form_bind_fields       (GtkWidgetClass     *widget_class,
                                          const SuiFieldSpec *specs,
                                          guint               n_specs,
                                          gsize               rows_offset,
                                          gsize               errors_offset);
void          sui_form_add_fields        (SuiForm            *form,
                                          const SuiFieldSpec *specs,
                                          guint               n_specs,
                                          GtkWidget         **rows,
                                          AdwActionRow      **errors);
int           sui_form_spec_index        (const SuiFieldSpec *specs,
                                          guint               n_specs,
                                          const char         *name);
void          sui_form_set_field_text    (const SuiFieldSpec *spec,
                                          GtkWidget          *row,
                                          const char         *text);
void          sui_form_add_members       (JsonBuilder        *builder,
                                          const SuiFieldSpec *specs,
                                          guint               n_specs,
                                          GtkWidget         **rows,
                                          gboolean            editing);
GPtrArray    *sui_form_dup_fields_text   (const SuiFieldSpec *specs,
                                          guint               n_specs,
                                          GtkWidget         **rows);
/* Fills a form from the record its owner holds, first making @record that record if not NULL */
typedef void (*SuiFormFill) (GtkWidget     *owner,
                             JsonObject    *record,
                             gconstpointer  data);

void          sui_form_merge_record      (SuiForm            *form,
                                          const SuiFieldSpec *specs,
                                          guint               n_specs,
                                          GtkWidget         **rows,
                                          SuiFormFill         fill,
                                          gconstpointer       fill_data,
                                          JsonObject         *record);
void          sui_form_merge_stale       (SuiForm            *form,
                                          const SuiFieldSpec *specs,
                                          guint               n_specs,
                                          GtkWidget         **rows,
                                          GPtrArray          *typed,
                                          GPtrArray          *before,
                                          GPtrArray          *stored);

/* The register dialogs (objects, inspectors): a record edited through a field table */
typedef struct
{
  const char         *create_method;
  const char         *update_method;
  const char         *get_method;
  const SuiFieldSpec *specs;
  guint               n_specs;
  gsize               client_offset;  /* SuiRpcClient * in the owner */
  gsize               record_offset;  /* SuiRegisterRow *, NULL for a new record */
  gsize               rows_offset;    /* GtkWidget *rows[n_specs] */
  void              (*fill)          (GtkWidget *owner);
} SuiRecordForm;

void          sui_form_save_record       (SuiForm             *form,
                                          const SuiRecordForm *record_form);

G_END_DECLS
