/* sui-filter.h: the filter expressions of the registers, and helpers the register
 * modules (objects, inspectors, tags) share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A filter is JSON stored as data (a task keeps the one that chose its candidates), e.g.
 *
 *   {"and": [{"tag": 3}, {"or": [{"tag": 7}, {"tag": 8}]}, {"not": {"tag": 12}},
 *            {"district": "长安区"}, {"risk_class": ["C", "D"]}, {"text": "便利店"}]}
 *
 * Each node is an object with exactly one key; docs/protocol.md lists them. It becomes a
 * SQL condition over a fixed grammar in which every value is a parameter: nothing the
 * caller sends is pasted into the SQL text.
 */
#pragma once

#include "sui-call.h"

G_BEGIN_DECLS

typedef enum
{
  SUI_FILTER_OBJECTS,
  SUI_FILTER_INSPECTORS,
} SuiFilterKind;

/* Appends to sql a condition on the row called alias ("o" for object, "i" for inspector)
 * that holds exactly for the rows filter matches; values are appended to params (char *,
 * freed by the array) and referred to as $n, n counting from params' current length.
 * A NULL, JSON null or empty object filter matches everything. FALSE with a Chinese
 * *problem when the filter is malformed. */
gboolean    sui_filter_to_sql        (JsonNode       *filter,
                                      SuiFilterKind   kind,
                                      const char     *alias,
                                      GString        *sql,
                                      GPtrArray      *params,
                                      char          **problem);

/* The same for the call's parameter `name`; a malformed filter is -32010 on that field. */
gboolean    sui_filter_from_call     (SuiCall        *call,
                                      const char     *name,
                                      SuiFilterKind   kind,
                                      const char     *alias,
                                      GString        *sql,
                                      GPtrArray      *params,
                                      GError        **error);

/* Appends value (taken) to params and returns its placeholder "$n" (newly allocated). */
char       *sui_sql_param            (GPtrArray      *params,
                                      char           *value);

/* PostgreSQL array literals for text params: {1,2,3} and {"a","b"}. */
char       *sui_sql_int_array        (const gint64   *values,
                                      gsize           n_values);
char       *sui_sql_text_array       (const char * const *values,
                                      gsize           n_values);

/* "%text%" for ILIKE, with % _ and \ in text escaped. */
char       *sui_sql_like_contains    (const char     *text);

/* ---- shared by the register modules ------------------------------------------------ */

gboolean    sui_register_is_admin    (SuiCall        *call);

/* Tells the history triggers who is writing (transaction-local settings sui.actor_id,
 * sui.method) and where a change of risk class comes from (sui.risk_source; NULL: the
 * trigger's default). */
gboolean    sui_register_set_actor   (SuiCall        *call,
                                      const char     *risk_source,
                                      GError        **error);

/* -32009 with data {current_version} and message when current != version. */
gboolean    sui_register_check_version (SuiCall      *call,
                                        gint64        current,
                                        gint64        version,
                                        const char   *message,
                                        GError      **error);

/* Runs sql with id as $1::bigint and returns its one row; -32004 with not_found (a Chinese
 * sentence) when there is none. */
PGresult   *sui_register_load_by_id  (SuiCall        *call,
                                      const char     *sql,
                                      gint64          id,
                                      const char     *not_found,
                                      GError        **error);

/* A query failed half-way through validating: the query's error is the answer. */
void        sui_register_discard_validation (SuiValidation *v,
                                             SuiCall       *call);

/* An optional array of integers (ids); -32602 naming the field when it is something else.
 * *out is NULL when the parameter is absent or null. */
gboolean    sui_register_get_ids     (SuiCall        *call,
                                      const char     *name,
                                      gboolean        required,
                                      GArray        **out,
                                      GError        **error);

/* Fields of a record that create and update read alike. */
typedef enum
{
  SUI_FIELD_TEXT,
  SUI_FIELD_DATE,    /* YYYY-MM-DD, checked by sui_register_date_valid */
  SUI_FIELD_BOOL,
  SUI_FIELD_INT,
} SuiFieldKind;

typedef struct
{
  const char *name;       /* parameter and column */
  SuiFieldKind kind;
} SuiField;

/* For every field given in the call's params: present[i] = TRUE and values[i] = its text
 * form (trimmed; an empty text and JSON null are NULL; booleans "t"/"f"). Fields not given
 * are left as they are. -32602 naming the field when a value has the wrong type. */
gboolean    sui_register_read_fields (SuiCall        *call,
                                      const SuiField *fields,
                                      gsize           n_fields,
                                      char          **values,
                                      gboolean       *present,
                                      GError        **error);

gboolean    sui_register_date_valid  (const char     *text);

JsonNode   *sui_register_column_json (PGresult       *result,
                                      int             row,
                                      int             column);

G_END_DECLS
