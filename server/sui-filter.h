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

/* sui_filter_from_call, the condition appended in parentheses. */
gboolean    sui_filter_append_from_call (SuiCall        *call,
                                         const char     *name,
                                         SuiFilterKind   kind,
                                         const char     *alias,
                                         GString        *where,
                                         GPtrArray      *params,
                                         GError        **error);

/* Appends "<alias>.unit_id = $n::bigint and " to where, unit_text (copied) being $n. */
void        sui_register_append_unit (const char     *alias,
                                      const char     *unit_text,
                                      GString        *where,
                                      GPtrArray      *params);

/* The caller's scope on alias: for anyone but an admin, their own unit's rows only. */
void        sui_register_append_scope (SuiCall       *call,
                                       const char    *alias,
                                       GString       *where,
                                       GPtrArray     *params);

/* The rows of a register that a list or an export shows the caller, as a condition on "o"
 * (objects) or "i" (inspectors) appended to where: the caller's scope, for objects those
 * not retired unless the param include_retired is true, and the param filter. */
gboolean    sui_register_list_condition (SuiCall       *call,
                                         SuiFilterKind  kind,
                                         GString       *where,
                                         GPtrArray     *params,
                                         GError       **error);

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
/* "text%" for LIKE, escaped the same way. */
char       *sui_sql_like_prefix      (const char     *text);

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

/* sui_register_check_version with the version stored at column of row's first row. */
gboolean    sui_register_check_row_version (SuiCall    *call,
                                            PGresult   *row,
                                            int         column,
                                            gint64      version,
                                            const char *message,
                                            GError    **error);

/* -32003 with message (a Chinese sentence) unless the caller is an admin or works at
 * unit_id: supervisors see and keep only their own unit's records. */
gboolean    sui_register_check_unit  (SuiCall        *call,
                                      gint64          unit_id,
                                      const char     *message,
                                      GError        **error);

/* The tail of every write: the record after it is the json at column of written's first
 * row; appends the audit row of area and record_id (NULL: written's first column) with
 * before (may be NULL) and after, and returns after. NULL when written is NULL (the
 * write failed and set error) or the audit row cannot be written. */
JsonNode   *sui_register_audited     (SuiCall        *call,
                                      const char     *area,
                                      const char     *record_id,
                                      JsonNode       *before,
                                      PGresult       *written,
                                      int             column,
                                      GError        **error);

/* The same for a record read again after the write: after (taken; NULL when it could not
 * be read, error then set) is the record after it; appends the audit row and returns
 * after, NULL when the audit row cannot be written. */
JsonNode   *sui_register_audit_after (SuiCall        *call,
                                      const char     *area,
                                      const char     *record_id,
                                      JsonNode       *before,
                                      JsonNode       *after,
                                      GError        **error);

/* Loads the record id, locked when for_update; -32004 when absent, -32003 when the caller
 * may not see it. */
typedef PGresult *(*SuiRegisterLoad) (SuiCall   *call,
                                      gint64     id,
                                      gboolean   for_update,
                                      GError   **error);

/* Loads the record id for a write with load (locked) and checks that its version, at
 * version_column, is the version the caller read (-32009 with stale otherwise). */
PGresult   *sui_register_load_for_write (SuiCall        *call,
                                         SuiRegisterLoad load,
                                         gint64          id,
                                         gint64          version,
                                         int             version_column,
                                         const char     *stale,
                                         GError        **error);

/* The json at json_column of the record id as load reads it (not locked). */
JsonNode   *sui_register_reload      (SuiCall        *call,
                                      SuiRegisterLoad load,
                                      gint64          id,
                                      int             json_column,
                                      GError        **error);

/* A create whose sql (with n_params params) inserts the record and returns its id: the
 * record read back with sui_register_reload, after the audit row of area is appended. */
JsonNode   *sui_register_insert      (SuiCall             *call,
                                      const char          *area,
                                      const char          *sql,
                                      int                  n_params,
                                      const char * const  *params,
                                      SuiRegisterLoad      load,
                                      int                  json_column,
                                      GError             **error);

/* A get method: loads the record named by the required param id with load (so that the
 * same errors come), then answers the one json value sql gives with $1 the id. */
JsonNode   *sui_register_get         (SuiCall        *call,
                                      SuiRegisterLoad load,
                                      const char     *sql,
                                      GError        **error);

/* One keyset page of table (called alias in where and json_sql) whose rows satisfy where (a
 * condition whose values are already in params: after and limit are appended to them),
 * ordered by id, after the id after: {"items": [json_sql of each row], "next_after": the
 * last id, or null when the page is not full, and with with_count "total": the rows
 * satisfying where}. The ids come first (an index-only scan in id order that stops at the
 * page's last row); only the page's rows are then read from the table. */
JsonNode   *sui_register_list_page   (SuiCall        *call,
                                      const char     *table,
                                      const char     *alias,
                                      const char     *json_sql,
                                      const char     *where,
                                      GPtrArray      *params,
                                      gboolean        with_count,
                                      gint64          after,
                                      gint64          limit,
                                      GError        **error);

/* objects.list and inspectors.list: a keyset page (the params after, limit and with_count)
 * of the register kind's rows that sui_register_list_condition chooses, each as json_sql. */
char       *sui_register_order_by    (SuiCall        *call,
                                      SuiFilterKind   kind,
                                      const char     *alias,
                                      GError        **error);
JsonNode   *sui_register_list        (SuiCall        *call,
                                      SuiFilterKind   kind,
                                      const char     *json_sql,
                                      GError        **error);

/* Parts of the answer of objects.get and inspectors.get, for a jsonb_build_object on the
 * register row alias: its tags with their groups, and its history (newest first) from
 * table, whose key refers to the row. */
#define SUI_REGISTER_TAGS_SQL(alias) \
  "(select coalesce (jsonb_agg (jsonb_build_object ('id', t.id, 'name', t.name," \
  "            'group_id', g.id, 'group_name', g.name) order by g.name, t.name), '[]')" \
  "          from tag t join tag_group g on g.id = t.group_id" \
  "          where t.id = any (" alias ".tag_ids))"
#define SUI_REGISTER_HISTORY_SQL(table, key, alias) \
  "(select coalesce (jsonb_agg (jsonb_build_object ('id', h.id, 'at', h.at," \
  "            'actor_id', h.actor_id, 'actor_name', u.name, 'method', h.method," \
  "            'before', h.before, 'after', h.after) order by h.id desc), '[]')" \
  "          from " table " h left join app_user u on u.id = h.actor_id" \
  "          where h." key " = " alias ".id)"

/* Adds to v: field "required" 请填写<label> when required and text is NULL or empty,
 * field "too_long" when text is longer than max characters. */
void        sui_register_check_text  (SuiValidation  *v,
                                      const char     *field,
                                      const char     *text,
                                      gboolean        required,
                                      glong           max,
                                      const char     *label);

/* Adds field "taken" with message to v when sql (a query for the rows that already hold
 * the value) returns any row. FALSE when the query fails. */
gboolean    sui_register_check_free  (SuiCall             *call,
                                      SuiValidation       *v,
                                      const char          *sql,
                                      int                  n_params,
                                      const char * const  *params,
                                      const char          *field,
                                      const char          *message,
                                      GError             **error);

/* sui_register_load_by_id of select_sql, followed by lock_sql (e.g. " for update") when
 * for_update. */
PGresult   *sui_register_load_row    (SuiCall        *call,
                                      const char     *select_sql,
                                      const char     *lock_sql,
                                      gboolean        for_update,
                                      gint64          id,
                                      const char     *not_found,
                                      GError        **error);

/* sui_register_load_row of a record kept by a unit, then sui_register_check_unit of the
 * unit id at unit_column with forbidden. */
PGresult   *sui_register_load_scoped (SuiCall        *call,
                                      const char     *select_sql,
                                      const char     *lock_sql,
                                      gboolean        for_update,
                                      gint64          id,
                                      const char     *not_found,
                                      int             unit_column,
                                      const char     *forbidden,
                                      GError        **error);

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

/* A record of a register being created or updated: the text form of each of its fields
 * (in the order of its SuiField table; NULL for SQL NULL) and which of them the call gave. */
#define SUI_RECORD_MAX_FIELDS 24

typedef struct
{
  char *values[SUI_RECORD_MAX_FIELDS];
  gboolean present[SUI_RECORD_MAX_FIELDS];
} SuiRecord;

void        sui_record_clear         (SuiRecord      *r);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SuiRecord, sui_record_clear)

/* The stored record: the values of row 0's first n_fields columns. */
void        sui_record_load          (SuiRecord      *r,
                                      PGresult       *row,
                                      gsize           n_fields);

/* Whether any of the n_fields values differs from row 0's first n_fields columns. */
gboolean    sui_record_differs       (SuiRecord      *r,
                                      PGresult       *row,
                                      gsize           n_fields);

/* Writes the record: runs sql with $1 id_text (NULL for a new record) and the n_fields
 * values as $2 …, whose first row is the new record's (id, json) or the updated record's
 * (json), and appends the audit row of area with before (NULL for a new record). Returns
 * the record's json. */
JsonNode   *sui_record_write         (SuiRecord      *r,
                                      gsize           n_fields,
                                      SuiCall        *call,
                                      const char     *area,
                                      const char     *id_text,
                                      JsonNode       *before,
                                      const char     *sql,
                                      GError        **error);

gboolean    sui_register_date_valid  (const char     *text);

/* text is min … max characters long, each a lower-case ASCII letter, a digit or _ . - (the
 * form of logins and unit codes). */
gboolean    sui_register_code_valid  (const char     *text,
                                      gsize           min,
                                      gsize           max);

/* text (may be NULL) is one of the NULL-terminated choices. */
gboolean    sui_register_one_of      (const char          *text,
                                      const char * const  *choices);

JsonNode   *sui_register_column_json (PGresult       *result,
                                      int             row,
                                      int             column);

G_END_DECLS
