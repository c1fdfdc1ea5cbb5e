/* sui-items.c: the item list (抽查事项清单) — catalogue.list, catalogue.get,
 * catalogue.create, catalogue.update, catalogue.retire, check_methods.list, items.list,
 * items.get, items.claim, items.update, items.acknowledge, items.release
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The municipal bureau's admin keeps the catalogue (上级事项目录); a unit's supervisors claim
 * (认领) the catalogue items their unit is responsible for, which makes its item list, and
 * may narrow each (content, a subset of the methods, a ratio range inside the catalogue's).
 * A claim keeps the catalogue item as the unit last acknowledged it; when the admin changes
 * or retires a catalogue item, the units that claimed it are told (the answer's `affected`,
 * the item's catalogue_changed) and acknowledge the change, which clips their refinement to
 * the new bounds, or release the claim.  Migration 0005 holds the same rules as constraints
 * and writes the history; this file tells it who writes, which action and why.  A claim a
 * task not yet drawn still lists cannot be released (items.get shows those tasks).
 */
#include "sui-items.h"

#include <string.h>

#include "sui-filter.h"
#include "sui-pg.h"
#include "sui-plans.h"

#define MAX_REASON    500

#define CATALOGUE_JSON_SQL \
  "jsonb_build_object ('id', c.id, 'code', c.code, 'name', c.name," \
  " 'legal_basis', c.legal_basis, 'content', c.content," \
  " 'object_types', to_jsonb (c.object_types), 'level', c.level," \
  " 'methods', to_jsonb (c.methods), 'ratio_min_bp', c.ratio_min_bp," \
  " 'ratio_max_bp', c.ratio_max_bp, 'frequency', c.frequency, 'state', c.state," \
  " 'retire_reason', c.retire_reason, 'version', c.version," \
  " 'claimed_by', " CLAIMS_JSON_SQL "," \
  " 'created_at', c.created_at, 'updated_at', c.updated_at)"

/* The active claims of the catalogue item `c`: who is affected by a change to it. */
#define CLAIMS_JSON_SQL \
  "coalesce ((select jsonb_agg (jsonb_build_object ('unit_id', ci.unit_id," \
  "   'unit_name', cu.name, 'item_id', ci.id) order by ci.unit_id)" \
  "  from item ci join unit cu on cu.id = ci.unit_id" \
  "  where ci.catalogue_id = c.id and ci.state = 'active'), '[]'::jsonb)"

#define ITEM_JSON_SQL \
  "jsonb_build_object ('id', i.id, 'unit_id', i.unit_id, 'unit_name', u.name," \
  " 'catalogue_id', i.catalogue_id, 'code', i.code, 'name', i.name," \
  " 'legal_basis', i.legal_basis, 'level', i.level," \
  " 'object_types', to_jsonb (i.object_types), 'content', i.content," \
  " 'methods', to_jsonb (i.methods), 'ratio_min_bp', i.ratio_min_bp," \
  " 'ratio_max_bp', i.ratio_max_bp, 'frequency', i.frequency, 'state', i.state," \
  " 'release_reason', i.release_reason, 'catalogue_version', i.catalogue_version," \
  " 'catalogue_state', c.state," \
  " 'catalogue_changed', (c.version > i.catalogue_version or c.state = 'retired')," \
  " 'version', i.version, 'created_at', i.created_at, 'updated_at', i.updated_at)"

#define ITEM_FROM_SQL \
  " from item i join catalogue_item c on c.id = i.catalogue_id join unit u on u.id = i.unit_id"

/* The tasks not yet drawn (draft or ready) that list the item `i`, in their own items or in
 * a joint task's department part.  Drawn tasks keep their reference as history; these would
 * be stuck with an item the unit no longer holds, so they block items.release. */
#define USED_BY_TASKS_SQL \
  "coalesce ((select jsonb_agg (jsonb_build_object ('id', ut.id, 'name', ut.name," \
  "   'state', ut.state, 'plan_id', ut.plan_id) order by ut.id)" \
  "  from task ut where ut.state in ('draft', 'ready')" \
  "   and (ut.items @> jsonb_build_array (jsonb_build_object ('item_id', i.id))" \
  "        or exists (select 1 from task_department utd where utd.task_id = ut.id" \
  "                   and utd.items @> jsonb_build_array (jsonb_build_object (" \
  "                         'item_id', i.id))))), '[]'::jsonb)"

/* Newest first, as objects.get gives its history. */
#define HISTORY_JSON_SQL(table, key, alias) \
  "coalesce ((select jsonb_agg (jsonb_build_object ('version', h.version," \
  "   'changed_by', h.changed_by, 'changed_by_name', hu.name, 'changed_at', h.changed_at," \
  "   'action', h.action, 'before', h.before, 'after', h.after, 'note', h.note)" \
  "   order by h.id desc)" \
  "  from " table " h left join app_user hu on hu.id = h.changed_by" \
  "  where h." key " = " alias ".id), '[]'::jsonb)"

/* ---- small helpers ---------------------------------------------------------------------- */

/* An array of strings (codes). *out stays NULL when the parameter is absent; JSON null gives
 * an empty array (which validation then refuses). */
static gboolean
get_codes (SuiCall     *call,
           const char  *name,
           gboolean     required,
           GPtrArray  **out,
           GError     **error)
{
  JsonNode *node = json_object_get_member (call->params, name);
  g_autoptr(GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);
  JsonArray *array;

  *out = NULL;
  if (node == NULL)
    return required ? sui_call_param_error (call, name, "is required", error) : TRUE;
  if (JSON_NODE_HOLDS_NULL (node))
    {
      *out = g_steal_pointer (&codes);
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return sui_call_param_error (call, name, "must be an array of strings", error);
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *e = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING)
        return sui_call_param_error (call, name, "must be an array of strings", error);
      g_ptr_array_add (codes, g_strstrip (g_strdup (json_node_get_string (e))));
    }
  *out = g_steal_pointer (&codes);
  return TRUE;
}

static GPtrArray *
split_codes (const char *csv)
{
  GPtrArray *codes = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) parts = g_strsplit (csv, ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] != '\0')
      g_ptr_array_add (codes, g_strdup (parts[i]));
  return codes;
}

static char *
join_codes (GPtrArray *codes)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < codes->len; i++)
    {
      if (i > 0)
        g_string_append_c (text, ',');
      g_string_append (text, g_ptr_array_index (codes, i));
    }
  return g_string_free (text, FALSE);
}

static char *
codes_array (GPtrArray *codes)
{
  return sui_sql_text_array ((const char * const *) codes->pdata, codes->len);
}

static gboolean
has_code (GPtrArray  *codes,
          const char *code)
{
  for (guint i = 0; i < codes->len; i++)
    if (g_str_equal (g_ptr_array_index (codes, i), code))
      return TRUE;
  return FALSE;
}

static gboolean
has_duplicates (GPtrArray *codes)
{
  for (guint i = 0; i < codes->len; i++)
    for (guint j = i + 1; j < codes->len; j++)
      if (g_str_equal (g_ptr_array_index (codes, i), g_ptr_array_index (codes, j)))
        return TRUE;
  return FALSE;
}

static char *
percent (gint64 bp)
{
  return g_strdup_printf ("%.2f%%", bp / 100.0);
}

/* The Chinese names of the check methods in codes (comma-separated), "、"-joined. */
static char *
method_names (SuiCall     *call,
              const char  *codes,
              GError     **error)
{
  const char *params[1] = { codes };
  g_autoptr(PGresult) r = NULL;

  r = sui_pg_exec (call->conn,
                   "select coalesce (string_agg (m.name, '、' order by m.sort), '')"
                   " from check_method m where m.code = any (string_to_array ($1, ','))",
                   1, params, error);
  return r != NULL ? g_strdup (PQgetvalue (r, 0, 0)) : NULL;
}

/* Tells the triggers of 0005 (and 0002's settings) who writes, the history action and a
 * note for the history row. */
static gboolean
set_history (SuiCall     *call,
             const char  *action,
             const char  *note,
             GError     **error)
{
  g_autoptr(PGresult) r = NULL;
  const char *params[2] = { action, note };

  if (!sui_register_set_actor (call, NULL, error))
    return FALSE;
  r = sui_pg_exec (call->conn,
                   "select set_config ('sui.history_action', coalesce ($1, ''), true),"
                   "       set_config ('sui.history_note', coalesce ($2, ''), true)",
                   2, params, error);
  return r != NULL;
}

static char *
trimmed (const char *text)
{
  return text != NULL ? g_strstrip (g_strdup (text)) : NULL;
}

/* The params of a retirement or a release, in the order they are declared: id, version and
 * the reason (required, 500 characters at most), which is returned. */
static char *
get_reason (SuiCall     *call,
            gint64      *id,
            gint64      *version,
            const char  *label,
            GError     **error)
{
  const char *param = NULL;
  g_autofree char *reason = NULL;
  SuiValidation *v;

  if (!sui_call_get_id_version (call, id, version, error) ||
      !sui_call_get_string (call, "reason", TRUE, &param, error))
    return NULL;
  reason = trimmed (param);
  v = sui_validation_new ();
  sui_register_check_text (v, "reason", reason, TRUE, MAX_REASON, label);
  if (!sui_validation_finish (v, call, error))
    return NULL;
  return g_steal_pointer (&reason);
}

/* Ends the record $1 (a catalogue item or an item) for reason: sql sets its state, the
 * reason ($2), who ($3) and when. */
static gboolean
end_record (SuiCall     *call,
            const char  *sql,
            const char  *id_text,
            const char  *reason,
            GError     **error)
{
  g_autofree char *actor = sui_pg_int_param (call->user->id);
  const char *params[3] = { id_text, reason, actor };

  return sui_pg_exec_ok (call->conn, sql, 3, params, error);
}

/* ---- check_methods.list ----------------------------------------------------------------- */

static JsonNode *
check_methods_list (SuiCall  *call,
                    GError  **error)
{
  return sui_pg_query_json (call->conn,
                            "select json_build_object ('items', coalesce (json_agg ("
                            "  json_build_object ('code', code, 'name', name,"
                            "                     'off_site', off_site) order by sort, code),"
                            "  '[]'::json)) from check_method",
                            0, NULL, error);
}

/* ---- the catalogue ---------------------------------------------------------------------- */

typedef struct
{
  char *code;
  char *name;
  char *legal_basis;
  char *content;
  char *level;
  char *frequency;
  GPtrArray *object_types;
  GPtrArray *methods;
  gint64 ratio_min;
  gint64 ratio_max;
} Catalogue;

static void
catalogue_clear (Catalogue *c)
{
  g_clear_pointer (&c->code, g_free);
  g_clear_pointer (&c->name, g_free);
  g_clear_pointer (&c->legal_basis, g_free);
  g_clear_pointer (&c->content, g_free);
  g_clear_pointer (&c->level, g_free);
  g_clear_pointer (&c->frequency, g_free);
  g_clear_pointer (&c->object_types, g_ptr_array_unref);
  g_clear_pointer (&c->methods, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Catalogue, catalogue_clear)

enum
{
  CC_ID, CC_STATE, CC_VERSION, CC_CODE, CC_NAME, CC_LEGAL, CC_CONTENT, CC_TYPES, CC_LEVEL,
  CC_METHODS, CC_MIN, CC_MAX, CC_FREQUENCY, CC_JSON,
};

#define CATALOGUE_SELECT_SQL \
  "select c.id, c.state, c.version, c.code, c.name, c.legal_basis, c.content," \
  " array_to_string (c.object_types, ','), c.level, array_to_string (c.methods, ','), " \
  " c.ratio_min_bp, c.ratio_max_bp, c.frequency, " CATALOGUE_JSON_SQL \
  " from catalogue_item c where c.id = $1::bigint"

static PGresult *
load_catalogue (SuiCall   *call,
                gint64     id,
                gboolean   for_update,
                GError   **error)
{
  return sui_register_load_by_id (call, for_update ? CATALOGUE_SELECT_SQL " for update"
                                                   : CATALOGUE_SELECT_SQL,
                                  id, "该上级目录事项不存在，请刷新后再试", error);
}

static void
catalogue_from_row (Catalogue *c,
                    PGresult  *row)
{
  c->code = g_strdup (PQgetvalue (row, 0, CC_CODE));
  c->name = g_strdup (PQgetvalue (row, 0, CC_NAME));
  c->legal_basis = g_strdup (PQgetvalue (row, 0, CC_LEGAL));
  c->content = g_strdup (PQgetvalue (row, 0, CC_CONTENT));
  c->object_types = split_codes (PQgetvalue (row, 0, CC_TYPES));
  c->level = g_strdup (PQgetvalue (row, 0, CC_LEVEL));
  c->methods = split_codes (PQgetvalue (row, 0, CC_METHODS));
  c->ratio_min = sui_pg_get_int (row, 0, CC_MIN);
  c->ratio_max = sui_pg_get_int (row, 0, CC_MAX);
  c->frequency = PQgetisnull (row, 0, CC_FREQUENCY) ? NULL
                 : g_strdup (PQgetvalue (row, 0, CC_FREQUENCY));
}

/* Overlays the call's params on c. required: catalogue.create, every field but frequency
 * must be there (-32602 naming it otherwise). */
static gboolean
catalogue_read (SuiCall    *call,
                Catalogue  *c,
                gboolean    required,
                GError    **error)
{
  struct { const char *name; char **field; gboolean optional; } texts[] = {
    { "code", &c->code, FALSE },
    { "name", &c->name, FALSE },
    { "legal_basis", &c->legal_basis, FALSE },
    { "content", &c->content, FALSE },
    { "level", &c->level, FALSE },
    { "frequency", &c->frequency, TRUE },
  };
  const char *ints[] = { "ratio_min_bp", "ratio_max_bp" };
  gint64 *int_fields[] = { &c->ratio_min, &c->ratio_max };
  GPtrArray *codes = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      const char *value = NULL;

      if (!sui_call_get_string (call, texts[i].name, required && !texts[i].optional, &value,
                                error))
        return FALSE;
      if (value != NULL)
        {
          g_free (*texts[i].field);
          *texts[i].field = trimmed (value);
          if (**texts[i].field == '\0')
            g_clear_pointer (texts[i].field, g_free);
        }
      else if (json_object_has_member (call->params, texts[i].name))
        g_clear_pointer (texts[i].field, g_free);
    }

  if (!get_codes (call, "object_types", required, &codes, error))
    return FALSE;
  if (codes != NULL)
    {
      g_clear_pointer (&c->object_types, g_ptr_array_unref);
      c->object_types = codes;
    }
  if (!get_codes (call, "methods", required, &codes, error))
    return FALSE;
  if (codes != NULL)
    {
      g_clear_pointer (&c->methods, g_ptr_array_unref);
      c->methods = codes;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (ints); i++)
    if (!sui_call_get_int (call, ints[i], required, int_fields[i], error))
      return FALSE;
  return TRUE;
}

static gboolean
catalogue_equal (Catalogue *a,
                 Catalogue *b)
{
  g_autofree char *a_types = join_codes (a->object_types);
  g_autofree char *b_types = join_codes (b->object_types);
  g_autofree char *a_methods = join_codes (a->methods);
  g_autofree char *b_methods = join_codes (b->methods);

  return g_strcmp0 (a->code, b->code) == 0 && g_strcmp0 (a->name, b->name) == 0 &&
         g_strcmp0 (a->legal_basis, b->legal_basis) == 0 &&
         g_strcmp0 (a->content, b->content) == 0 && g_strcmp0 (a->level, b->level) == 0 &&
         g_strcmp0 (a->frequency, b->frequency) == 0 && g_str_equal (a_types, b_types) &&
         g_str_equal (a_methods, b_methods) && a->ratio_min == b->ratio_min &&
         a->ratio_max == b->ratio_max;
}

/* Checks the whole record as it would be stored; self_id is 0 for a new one. */
static gboolean
catalogue_validate (SuiCall    *call,
                    Catalogue  *c,
                    gint64      self_id,
                    GError    **error)
{
  SuiValidation *v = sui_validation_new ();
  g_autofree char *self_text = sui_pg_int_param (self_id);
  g_autofree char *types = NULL, *methods = NULL;
  g_autoptr(PGresult) refs = NULL;
  const char *params[4];

  if (c->code == NULL)
    sui_validation_add (v, "code", "required", "请填写事项编码");
  else if (!g_regex_match_simple ("^[A-Za-z0-9-]{1,32}$", c->code, 0, 0))
    sui_validation_add (v, "code", "format", "事项编码须为 1–32 位字母、数字或“-”，例如 YC-01");
  sui_register_check_text (v, "name", c->name, TRUE, 128, "事项名称");
  sui_register_check_text (v, "legal_basis", c->legal_basis, TRUE, 1000, "检查依据");
  sui_register_check_text (v, "content", c->content, TRUE, 2000, "检查内容");
  sui_register_check_text (v, "frequency", c->frequency, FALSE, 64, "检查频次");
  if (c->level == NULL || !(g_str_equal (c->level, "general") || g_str_equal (c->level, "key")))
    sui_validation_add (v, "level", "invalid",
                        "事项类别须为一般检查事项（general）或重点检查事项（key）");

  if (c->object_types == NULL || c->object_types->len == 0)
    sui_validation_add (v, "object_types", "required", "请至少选择一种检查对象类型");
  else if (has_duplicates (c->object_types))
    sui_validation_add (v, "object_types", "duplicate", "检查对象类型不能重复");
  if (c->methods == NULL || c->methods->len == 0)
    sui_validation_add (v, "methods", "required", "请至少选择一种检查方式");
  else if (has_duplicates (c->methods))
    sui_validation_add (v, "methods", "duplicate", "检查方式不能重复");

  if (c->ratio_min < 0 || c->ratio_min > 10000)
    sui_validation_add (v, "ratio_min_bp", "range",
                        "抽查比例下限须在 0 至 10000 基点（0%–100%）之间");
  if (c->ratio_max < 0 || c->ratio_max > 10000)
    sui_validation_add (v, "ratio_max_bp", "range",
                        "抽查比例上限须在 0 至 10000 基点（0%–100%）之间");
  else if (c->ratio_min >= 0 && c->ratio_min > c->ratio_max)
    sui_validation_add (v, "ratio_max_bp", "order", "抽查比例上限不能低于下限");

  types = c->object_types != NULL ? codes_array (c->object_types) : g_strdup ("{}");
  methods = c->methods != NULL ? codes_array (c->methods) : g_strdup ("{}");
  params[0] = c->code;
  params[1] = self_text;
  params[2] = types;
  params[3] = methods;
  refs = sui_pg_exec (call->conn,
                      "select exists (select 1 from catalogue_item"
                      "               where code = $1 and id <> $2::bigint),"
                      " (select count (*) from unnest ($3::text[]) x"
                      "  where not exists (select 1 from object_type t where t.code = x)),"
                      " (select count (*) from unnest ($4::text[]) x"
                      "  where not exists (select 1 from check_method m where m.code = x))",
                      4, params, error);
  if (refs == NULL)
    {
      sui_register_discard_validation (v, call);
      return FALSE;
    }
  if (c->code != NULL && sui_pg_get_bool (refs, 0, 0))
    sui_validation_add (v, "code", "taken", "事项编码已被其他目录事项使用，请换一个编码");
  if (sui_pg_get_int (refs, 0, 1) > 0)
    sui_validation_add (v, "object_types", "invalid", "检查对象类型不存在，请从列表中选择");
  if (sui_pg_get_int (refs, 0, 2) > 0)
    sui_validation_add (v, "methods", "invalid", "检查方式不存在，请从列表中选择");
  return sui_validation_finish (v, call, error);
}

/* Parameters $1 … $10 of a catalogue write, in the column order of the SQL below. */
static void
catalogue_params (Catalogue    *c,
                  GPtrArray    *params)
{
  g_ptr_array_add (params, g_strdup (c->code));
  g_ptr_array_add (params, g_strdup (c->name));
  g_ptr_array_add (params, g_strdup (c->legal_basis));
  g_ptr_array_add (params, g_strdup (c->content));
  g_ptr_array_add (params, codes_array (c->object_types));
  g_ptr_array_add (params, g_strdup (c->level));
  g_ptr_array_add (params, codes_array (c->methods));
  g_ptr_array_add (params, sui_pg_int_param (c->ratio_min));
  g_ptr_array_add (params, sui_pg_int_param (c->ratio_max));
  g_ptr_array_add (params, g_strdup (c->frequency));
}

static JsonNode *
catalogue_json (SuiCall     *call,
                const char  *id_text,
                gboolean     with_affected,
                GError     **error)
{
  const char *params[1] = { id_text };

  return sui_pg_query_json (call->conn,
                            with_affected
                            ? "select " CATALOGUE_JSON_SQL " || jsonb_build_object ('affected', "
                              CLAIMS_JSON_SQL ") from catalogue_item c where c.id = $1::bigint"
                            : "select " CATALOGUE_JSON_SQL
                              " from catalogue_item c where c.id = $1::bigint",
                            1, params, error);
}

/* The answer of a catalogue write: the item and `affected` (the units whose claims see the
 * change), with `affected` left out of the audit row. */
static JsonNode *
catalogue_answer (SuiCall     *call,
                  const char  *id_text,
                  JsonNode    *before,
                  GError     **error)
{
  g_autoptr(JsonNode) after = catalogue_json (call, id_text, TRUE, error);
  g_autoptr(JsonNode) audited = NULL;
  g_autofree char *text = NULL;

  if (after == NULL)
    return NULL;
  /* json_node_copy shares the object: a deep copy through its text. */
  text = sui_json_to_string (after);
  audited = json_from_string (text, NULL);
  json_object_remove_member (json_node_get_object (audited), "affected");
  if (!sui_audit_append (call, "catalogue", id_text, before, audited, error))
    return NULL;
  return g_steal_pointer (&after);
}

static JsonNode *
catalogue_list (SuiCall  *call,
                GError  **error)
{
  gint64 after = 0, limit = 0;
  gboolean include_retired = FALSE;
  const char *query = NULL;
  g_autofree char *like = NULL;
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_free);

  if (!sui_call_get_string (call, "query", FALSE, &query, error) ||
      !sui_call_get_bool (call, "include_retired", FALSE, &include_retired, error) ||
      !sui_call_get_page (call, &after, &limit, error))
    return NULL;
  if (query != NULL)
    {
      g_autofree char *q = trimmed (query);

      if (*q != '\0')
        like = sui_sql_like_contains (q);
    }
  g_ptr_array_add (params, g_steal_pointer (&like));
  g_ptr_array_add (params, g_strdup (include_retired ? "t" : "f"));
  return sui_register_list_page (call, "catalogue_item", "c", CATALOGUE_JSON_SQL,
                                 "($2::boolean or c.state = 'active')"
                                 " and ($1::text is null or c.code ilike $1 or c.name ilike $1"
                                 "      or c.content ilike $1 or c.legal_basis ilike $1)",
                                 params, FALSE, after, limit, error);
}

static JsonNode *
catalogue_get (SuiCall  *call,
              GError  **error)
{
  return sui_register_get (call, load_catalogue,
                           "select " CATALOGUE_JSON_SQL " || jsonb_build_object ('history', "
                           HISTORY_JSON_SQL ("catalogue_item_history", "catalogue_id", "c") ")"
                           " from catalogue_item c where c.id = $1::bigint",
                           error);
}

static JsonNode *
catalogue_create (SuiCall  *call,
                  GError  **error)
{
  g_auto(Catalogue) c = { NULL };
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(PGresult) made = NULL;

  if (!catalogue_read (call, &c, TRUE, error) ||
      !catalogue_validate (call, &c, 0, error) ||
      !set_history (call, "create", NULL, error))
    return NULL;

  catalogue_params (&c, params);
  g_ptr_array_add (params, sui_pg_int_param (call->user->id));
  made = sui_pg_exec (call->conn,
                      "insert into catalogue_item (code, name, legal_basis, content, object_types,"
                      " level, methods, ratio_min_bp, ratio_max_bp, frequency, created_by)"
                      " values ($1, $2, $3, $4, $5::text[], $6, $7::text[], $8::integer,"
                      " $9::integer, $10, $11::bigint) returning id",
                      (int) params->len, (const char * const *) params->pdata, error);
  if (made == NULL)
    return NULL;
  return catalogue_answer (call, PQgetvalue (made, 0, 0), NULL, error);
}

/* The catalogue item id, locked, at the version read and not retired (-32011 retired). */
static PGresult *
load_catalogue_for_write (SuiCall     *call,
                          gint64       id,
                          gint64       version,
                          const char  *retired,
                          GError     **error)
{
  g_autoptr(PGresult) row = NULL;

  row = sui_register_load_for_write (call, load_catalogue, id, version, CC_VERSION,
                                     "该上级目录事项已被他人修改，请刷新后再试", error);
  if (row == NULL)
    return NULL;
  if (g_str_equal (PQgetvalue (row, 0, CC_STATE), "retired"))
    {
      sui_state_error (error, retired);
      return NULL;
    }
  return g_steal_pointer (&row);
}

static JsonNode *
catalogue_update (SuiCall  *call,
                  GError  **error)
{
  gint64 id = 0, version = 0;
  g_auto(Catalogue) stored = { NULL };
  g_auto(Catalogue) c = { NULL };
  g_autoptr(PGresult) row = NULL;
  g_autoptr(PGresult) done = NULL;
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonNode) before = NULL;

  if (!sui_call_get_id_version (call, &id, &version, error))
    return NULL;
  row = load_catalogue_for_write (call, id, version, "该上级目录事项已废止，不能再修改", error);
  if (row == NULL)
    return NULL;

  catalogue_from_row (&stored, row);
  catalogue_from_row (&c, row);
  if (!catalogue_read (call, &c, FALSE, error) || !catalogue_validate (call, &c, id, error))
    return NULL;

  before = sui_register_column_json (row, 0, CC_JSON);
  if (catalogue_equal (&stored, &c))
    {
      /* Nothing changed: no new version, nobody affected. */
      json_object_set_array_member (json_node_get_object (before), "affected", json_array_new ());
      return g_steal_pointer (&before);
    }

  if (!set_history (call, "update", NULL, error))
    return NULL;
  catalogue_params (&c, params);
  g_ptr_array_add (params, g_strdup (PQgetvalue (row, 0, CC_ID)));
  done = sui_pg_exec (call->conn,
                      "update catalogue_item set (code, name, legal_basis, content, object_types,"
                      " level, methods, ratio_min_bp, ratio_max_bp, frequency) ="
                      " ($1, $2, $3, $4, $5::text[], $6, $7::text[], $8::integer, $9::integer, $10),"
                      " version = version + 1, updated_at = now () where id = $11::bigint",
                      (int) params->len, (const char * const *) params->pdata, error);
  if (done == NULL)
    return NULL;
  return catalogue_answer (call, PQgetvalue (row, 0, CC_ID), before, error);
}

static JsonNode *
catalogue_retire (SuiCall  *call,
                  GError  **error)
{
  gint64 id = 0, version = 0;
  g_autofree char *reason = NULL;
  g_autoptr(PGresult) row = NULL;
  g_autoptr(JsonNode) before = NULL;

  reason = get_reason (call, &id, &version, "废止原因", error);
  if (reason == NULL)
    return NULL;
  row = load_catalogue_for_write (call, id, version, "该上级目录事项已经废止", error);
  if (row == NULL)
    return NULL;
  if (!set_history (call, "retire", reason, error))
    return NULL;

  before = sui_register_column_json (row, 0, CC_JSON);
  if (!end_record (call,
                   "update catalogue_item set state = 'retired', retire_reason = $2,"
                   " retired_by = $3::bigint, retired_at = now (), version = version + 1,"
                   " updated_at = now () where id = $1::bigint",
                   PQgetvalue (row, 0, CC_ID), reason, error))
    return NULL;
  return catalogue_answer (call, PQgetvalue (row, 0, CC_ID), before, error);
}

/* ---- a unit's item list ----------------------------------------------------------------- */

enum
{
  IC_ID, IC_UNIT, IC_STATE, IC_VERSION, IC_CONTENT, IC_METHODS, IC_MIN, IC_MAX, IC_SEEN,
  IC_C_STATE, IC_C_VERSION, IC_C_METHODS, IC_C_MIN, IC_C_MAX, IC_JSON,
};

#define ITEM_SELECT_SQL \
  "select i.id, i.unit_id, i.state, i.version, i.content, array_to_string (i.methods, ',')," \
  " i.ratio_min_bp, i.ratio_max_bp, i.catalogue_version, c.state, c.version," \
  " array_to_string (c.methods, ','), c.ratio_min_bp, c.ratio_max_bp, " ITEM_JSON_SQL \
  ITEM_FROM_SQL " where i.id = $1::bigint"

static PGresult *
load_item (SuiCall   *call,
           gint64     id,
           gboolean   for_update,
           GError   **error)
{
  return sui_register_load_scoped (call, ITEM_SELECT_SQL, " for update of i", for_update, id,
                                   "该抽查事项不存在，请刷新后再试", IC_UNIT,
                                   "您只能处理本单位的抽查事项", error);
}

static JsonNode *
item_json (SuiCall     *call,
           const char  *id_text,
           GError     **error)
{
  const char *params[1] = { id_text };

  return sui_pg_query_json (call->conn, "select " ITEM_JSON_SQL ITEM_FROM_SQL
                                        " where i.id = $1::bigint",
                            1, params, error);
}

/* Reloads the item written and appends the audit row. */
static JsonNode *
item_answer (SuiCall     *call,
             const char  *id_text,
             JsonNode    *before,
             GError     **error)
{
  return sui_register_audit_after (call, "items", id_text, before,
                                   item_json (call, id_text, error), error);
}

/* Loads the item for a write by a supervisor: the version read, the item still claimed. */
static PGresult *
load_item_for_write (SuiCall   *call,
                     gint64    *id,
                     GError   **error)
{
  gint64 version = 0;
  g_autoptr(PGresult) row = NULL;

  if (!sui_call_get_id_version (call, id, &version, error))
    return NULL;
  row = sui_register_load_for_write (call, load_item, *id, version, IC_VERSION,
                                     "该抽查事项已被他人修改，请刷新后再试", error);
  if (row == NULL)
    return NULL;
  if (g_str_equal (PQgetvalue (row, 0, IC_STATE), "released"))
    {
      sui_state_error (error, "该事项已撤销认领；如需恢复，请在上级目录中重新认领");
      return NULL;
    }
  return g_steal_pointer (&row);
}

static JsonNode *
items_list (SuiCall  *call,
            GError  **error)
{
  gint64 unit_id = 0;
  gboolean include_released = FALSE;
  const char *query = NULL;
  g_autofree char *unit_p = NULL, *like = NULL;
  const char *params[3];

  if (!sui_call_get_int (call, "unit_id", FALSE, &unit_id, error) ||
      !sui_call_get_bool (call, "include_released", FALSE, &include_released, error) ||
      !sui_call_get_string (call, "query", FALSE, &query, error))
    return NULL;
  /* A supervisor lists their own unit's items, whatever unit_id says. */
  if (!sui_plans_is_admin (call))
    unit_p = sui_pg_int_param (call->user->unit_id);
  else if (sui_call_has (call, "unit_id"))
    unit_p = sui_pg_int_param (unit_id);
  if (query != NULL)
    {
      g_autofree char *q = trimmed (query);

      if (*q != '\0')
        like = sui_sql_like_contains (q);
    }
  params[0] = unit_p;
  params[1] = include_released ? "t" : "f";
  params[2] = like;
  return sui_pg_query_json (call->conn,
                            "select jsonb_build_object ('items', coalesce (jsonb_agg ("
                            ITEM_JSON_SQL " order by i.unit_id, i.code, i.id), '[]'::jsonb))"
                            ITEM_FROM_SQL
                            " where ($1::bigint is null or i.unit_id = $1::bigint)"
                            "   and ($2::boolean or i.state = 'active')"
                            "   and ($3::text is null or i.code ilike $3 or i.name ilike $3"
                            "        or i.content ilike $3 or i.legal_basis ilike $3)",
                            3, params, error);
}

static JsonNode *
items_get (SuiCall  *call,
          GError  **error)
{
  return sui_register_get (call, load_item,
                           "select " ITEM_JSON_SQL " || jsonb_build_object ('history', "
                           HISTORY_JSON_SQL ("item_history", "item_id", "i") ","
                           " 'used_by_tasks', " USED_BY_TASKS_SQL ")"
                           ITEM_FROM_SQL " where i.id = $1::bigint",
                           error);
}

static JsonNode *
items_claim (SuiCall  *call,
             GError  **error)
{
  gint64 catalogue_id = 0;
  g_autofree char *catalogue_p = NULL, *unit_p = NULL, *actor = NULL;
  g_autoptr(PGresult) cat = NULL;
  g_autoptr(PGresult) claim = NULL;
  g_autoptr(PGresult) done = NULL;
  g_autoptr(JsonNode) before = NULL;
  const char *params[3];

  if (!sui_call_get_int (call, "catalogue_id", TRUE, &catalogue_id, error))
    return NULL;
  /* Shared lock: the catalogue item does not change under the claim. */
  cat = sui_register_load_by_id (call,
                                 "select c.state, c.name from catalogue_item c"
                                 " where c.id = $1::bigint for share",
                                 catalogue_id, "该上级目录事项不存在，请刷新后再试", error);
  if (cat == NULL)
    return NULL;
  if (g_str_equal (PQgetvalue (cat, 0, 0), "retired"))
    {
      sui_state_error (error, "该上级目录事项已废止，不能认领");
      return NULL;
    }

  catalogue_p = sui_pg_int_param (catalogue_id);
  unit_p = sui_pg_int_param (call->user->unit_id);
  actor = sui_pg_int_param (call->user->id);
  params[0] = unit_p;
  params[1] = catalogue_p;
  params[2] = actor;
  claim = sui_pg_exec (call->conn,
                       "select i.id, i.state, " ITEM_JSON_SQL ITEM_FROM_SQL
                       " where i.unit_id = $1::bigint and i.catalogue_id = $2::bigint"
                       " for update of i",
                       2, params, error);
  if (claim == NULL)
    return NULL;

  if (PQntuples (claim) == 0)
    {
      if (!set_history (call, "claim", NULL, error))
        return NULL;
      done = sui_pg_exec (call->conn,
                          "insert into item (unit_id, catalogue_id, catalogue_version, code, name,"
                          " legal_basis, level, object_types, frequency, content, methods,"
                          " ratio_min_bp, ratio_max_bp, created_by)"
                          " select $1::bigint, c.id, c.version, c.code, c.name, c.legal_basis,"
                          " c.level, c.object_types, c.frequency, c.content, c.methods,"
                          " c.ratio_min_bp, c.ratio_max_bp, $3::bigint"
                          " from catalogue_item c where c.id = $2::bigint returning id",
                          3, params, error);
      if (done == NULL)
        return NULL;
      return item_answer (call, PQgetvalue (done, 0, 0), NULL, error);
    }

  if (g_str_equal (PQgetvalue (claim, 0, 1), "active"))
    {
      SuiValidation *v = sui_validation_new ();
      g_autofree char *message = g_strdup_printf ("本单位已认领“%s”，不能重复认领",
                                                  PQgetvalue (cat, 0, 1));

      sui_validation_add (v, "catalogue_id", "taken", message);
      sui_validation_finish (v, call, error);
      return NULL;
    }

  /* A released claim comes back: same row, its history kept, the catalogue as it is now. */
  if (!set_history (call, "reclaim", NULL, error))
    return NULL;
  before = sui_register_column_json (claim, 0, 2);
  {
    const char *p[2] = { PQgetvalue (claim, 0, 0), catalogue_p };

    done = sui_pg_exec (call->conn,
                        "update item i set state = 'active', release_reason = null,"
                        " released_by = null, released_at = null,"
                        " catalogue_version = c.version, code = c.code, name = c.name,"
                        " legal_basis = c.legal_basis, level = c.level,"
                        " object_types = c.object_types, frequency = c.frequency,"
                        " content = c.content, methods = c.methods,"
                        " ratio_min_bp = c.ratio_min_bp, ratio_max_bp = c.ratio_max_bp,"
                        " version = i.version + 1, updated_at = now ()"
                        " from catalogue_item c"
                        " where i.id = $1::bigint and c.id = $2::bigint",
                        2, p, error);
  }
  if (done == NULL)
    return NULL;
  return item_answer (call, PQgetvalue (claim, 0, 0), before, error);
}

static JsonNode *
items_update (SuiCall  *call,
              GError  **error)
{
  gint64 id = 0, ratio_min, ratio_max, c_min, c_max;
  g_autoptr(PGresult) row = NULL;
  g_autoptr(PGresult) done = NULL;
  g_autoptr(GPtrArray) methods = NULL;
  g_autoptr(GPtrArray) c_methods = NULL;
  g_autoptr(JsonNode) before = NULL;
  g_autofree char *content = NULL, *methods_csv = NULL, *methods_p = NULL;
  g_autofree char *min_p = NULL, *max_p = NULL;
  const char *content_param = NULL;
  SuiValidation *v;

  row = load_item_for_write (call, &id, error);
  if (row == NULL)
    return NULL;
  if (g_str_equal (PQgetvalue (row, 0, IC_C_STATE), "retired"))
    {
      sui_state_error (error, "上级目录已废止该事项，不能再调整；请撤销认领");
      return NULL;
    }

  content = g_strdup (PQgetvalue (row, 0, IC_CONTENT));
  ratio_min = sui_pg_get_int (row, 0, IC_MIN);
  ratio_max = sui_pg_get_int (row, 0, IC_MAX);
  c_min = sui_pg_get_int (row, 0, IC_C_MIN);
  c_max = sui_pg_get_int (row, 0, IC_C_MAX);
  c_methods = split_codes (PQgetvalue (row, 0, IC_C_METHODS));
  if (!sui_call_get_string (call, "content", FALSE, &content_param, error) ||
      !get_codes (call, "methods", FALSE, &methods, error) ||
      !sui_call_get_int (call, "ratio_min_bp", FALSE, &ratio_min, error) ||
      !sui_call_get_int (call, "ratio_max_bp", FALSE, &ratio_max, error))
    return NULL;
  if (content_param != NULL)
    {
      g_free (content);
      content = trimmed (content_param);
    }
  else if (json_object_has_member (call->params, "content"))
    g_clear_pointer (&content, g_free);
  if (methods == NULL)
    methods = split_codes (PQgetvalue (row, 0, IC_METHODS));

  v = sui_validation_new ();
  sui_register_check_text (v, "content", content, TRUE, 2000, "检查内容");
  if (methods->len == 0)
    sui_validation_add (v, "methods", "required", "请至少选择一种检查方式");
  else if (has_duplicates (methods))
    sui_validation_add (v, "methods", "duplicate", "检查方式不能重复");
  else
    for (guint i = 0; i < methods->len; i++)
      if (!has_code (c_methods, g_ptr_array_index (methods, i)))
        {
          g_autofree char *names = method_names (call, PQgetvalue (row, 0, IC_C_METHODS), error);
          g_autofree char *message = NULL;

          if (names == NULL)
            {
              sui_register_discard_validation (v, call);
              return NULL;
            }
          message = g_strdup_printf ("检查方式只能从上级目录规定的方式中选择：%s", names);
          sui_validation_add (v, "methods", "not_allowed", message);
          break;
        }
  if (ratio_min < c_min)
    {
      g_autofree char *bound = percent (c_min);
      g_autofree char *message =
        g_strdup_printf ("抽查比例下限不能低于上级目录规定的 %s（%" G_GINT64_FORMAT " 基点）",
                         bound, c_min);

      sui_validation_add (v, "ratio_min_bp", "below_catalogue", message);
    }
  if (ratio_max > c_max)
    {
      g_autofree char *bound = percent (c_max);
      g_autofree char *message =
        g_strdup_printf ("抽查比例上限不能高于上级目录规定的 %s（%" G_GINT64_FORMAT " 基点）",
                         bound, c_max);

      sui_validation_add (v, "ratio_max_bp", "above_catalogue", message);
    }
  if (ratio_min >= c_min && ratio_max <= c_max && ratio_min > ratio_max)
    sui_validation_add (v, "ratio_max_bp", "order", "抽查比例上限不能低于下限");
  if (!sui_validation_finish (v, call, error))
    return NULL;

  methods_csv = join_codes (methods);
  before = sui_register_column_json (row, 0, IC_JSON);
  if (g_str_equal (content, PQgetvalue (row, 0, IC_CONTENT)) &&
      g_str_equal (methods_csv, PQgetvalue (row, 0, IC_METHODS)) &&
      ratio_min == sui_pg_get_int (row, 0, IC_MIN) && ratio_max == sui_pg_get_int (row, 0, IC_MAX))
    return g_steal_pointer (&before);   /* nothing to change, nothing to audit */

  if (!set_history (call, "update", NULL, error))
    return NULL;
  methods_p = codes_array (methods);
  min_p = sui_pg_int_param (ratio_min);
  max_p = sui_pg_int_param (ratio_max);
  {
    const char *p[5] = { PQgetvalue (row, 0, IC_ID), content, methods_p, min_p, max_p };

    done = sui_pg_exec (call->conn,
                        "update item set content = $2, methods = $3::text[],"
                        " ratio_min_bp = $4::integer, ratio_max_bp = $5::integer,"
                        " version = version + 1, updated_at = now () where id = $1::bigint",
                        5, p, error);
  }
  if (done == NULL)
    return NULL;
  return item_answer (call, PQgetvalue (row, 0, IC_ID), before, error);
}

static JsonNode *
items_acknowledge (SuiCall  *call,
                   GError  **error)
{
  gint64 id = 0, ratio_min, ratio_max, c_min, c_max, new_min, new_max;
  g_autoptr(PGresult) row = NULL;
  g_autoptr(PGresult) done = NULL;
  g_autoptr(GPtrArray) methods = NULL;
  g_autoptr(GPtrArray) c_methods = NULL;
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) dropped = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) note = g_string_new (NULL);
  g_autoptr(JsonNode) before = NULL;
  g_autofree char *methods_p = NULL, *min_p = NULL, *max_p = NULL;

  row = load_item_for_write (call, &id, error);
  if (row == NULL)
    return NULL;
  if (g_str_equal (PQgetvalue (row, 0, IC_C_STATE), "retired"))
    {
      sui_state_error (error, "上级目录已废止该事项，无需确认；请撤销认领");
      return NULL;
    }
  before = sui_register_column_json (row, 0, IC_JSON);
  if (sui_pg_get_int (row, 0, IC_SEEN) == sui_pg_get_int (row, 0, IC_C_VERSION))
    return g_steal_pointer (&before);   /* already the current version */

  /* Clip the unit's refinement to the new bounds. */
  methods = split_codes (PQgetvalue (row, 0, IC_METHODS));
  c_methods = split_codes (PQgetvalue (row, 0, IC_C_METHODS));
  for (guint i = 0; i < methods->len; i++)
    g_ptr_array_add (has_code (c_methods, g_ptr_array_index (methods, i)) ? kept : dropped,
                     g_strdup (g_ptr_array_index (methods, i)));
  if (kept->len == 0)
    for (guint i = 0; i < c_methods->len; i++)
      g_ptr_array_add (kept, g_strdup (g_ptr_array_index (c_methods, i)));
  ratio_min = sui_pg_get_int (row, 0, IC_MIN);
  ratio_max = sui_pg_get_int (row, 0, IC_MAX);
  c_min = sui_pg_get_int (row, 0, IC_C_MIN);
  c_max = sui_pg_get_int (row, 0, IC_C_MAX);
  new_min = CLAMP (ratio_min, c_min, c_max);
  new_max = CLAMP (ratio_max, c_min, c_max);

  g_string_append_printf (note, "确认上级目录第 %s 版", PQgetvalue (row, 0, IC_C_VERSION));
  if (dropped->len > 0)
    {
      g_autofree char *csv = join_codes (dropped);
      g_autofree char *names = method_names (call, csv, error);

      if (names == NULL)
        return NULL;
      g_string_append_printf (note, "；上级目录已不允许的检查方式已去掉：%s", names);
    }
  if (new_min != ratio_min)
    {
      g_autofree char *from = percent (ratio_min), *to = percent (new_min);

      g_string_append_printf (note, "；抽查比例下限由 %s 调整为 %s", from, to);
    }
  if (new_max != ratio_max)
    {
      g_autofree char *from = percent (ratio_max), *to = percent (new_max);

      g_string_append_printf (note, "；抽查比例上限由 %s 调整为 %s", from, to);
    }
  if (dropped->len == 0 && new_min == ratio_min && new_max == ratio_max)
    g_string_append (note, "；本单位的细化内容在新范围内，未作调整");

  if (!set_history (call, "acknowledge", note->str, error))
    return NULL;
  methods_p = codes_array (kept);
  min_p = sui_pg_int_param (new_min);
  max_p = sui_pg_int_param (new_max);
  {
    const char *p[4] = { PQgetvalue (row, 0, IC_ID), methods_p, min_p, max_p };

    done = sui_pg_exec (call->conn,
                        "update item i set catalogue_version = c.version, code = c.code,"
                        " name = c.name, legal_basis = c.legal_basis, level = c.level,"
                        " object_types = c.object_types, frequency = c.frequency,"
                        " methods = $2::text[], ratio_min_bp = $3::integer,"
                        " ratio_max_bp = $4::integer, version = i.version + 1,"
                        " updated_at = now ()"
                        " from catalogue_item c where i.id = $1::bigint and c.id = i.catalogue_id",
                        4, p, error);
  }
  if (done == NULL)
    return NULL;
  return item_answer (call, PQgetvalue (row, 0, IC_ID), before, error);
}

/* -32011 naming the tasks when a task not yet drawn still lists the item (locked by the
 * caller: tasks.create/update take a share lock on the items they list, so none is added
 * meanwhile).  error.data.tasks lists them for the client. */
static gboolean
release_unused (SuiCall     *call,
                const char  *id_text,
                GError     **error)
{
  const char *params[1] = { id_text };
  g_autoptr(PGresult) r = NULL;
  g_autoptr(JsonNode) tasks = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GString) names = g_string_new (NULL);
  JsonArray *array;
  guint n;

  r = sui_pg_exec (call->conn, "select " USED_BY_TASKS_SQL "::text from item i"
                               " where i.id = $1::bigint",
                   1, params, error);
  if (r == NULL)
    return FALSE;
  tasks = json_from_string (PQgetvalue (r, 0, 0), NULL);
  array = tasks != NULL && JSON_NODE_HOLDS_ARRAY (tasks) ? json_node_get_array (tasks) : NULL;
  n = array != NULL ? json_array_get_length (array) : 0;
  if (n == 0)
    return TRUE;

  for (guint i = 0; i < n && i < 5; i++)
    g_string_append_printf (names, "%s“%s”", i > 0 ? "、" : "",
                            json_object_get_string_member (json_array_get_object_element (array, i),
                                                           "name"));
  if (n > 5)
    g_string_append_printf (names, "等 %u 个任务", n);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "tasks");
  json_builder_add_value (b, g_steal_pointer (&tasks));
  json_builder_end_object (b);
  sui_call_set_error_data (call, json_builder_get_root (b));
  g_set_error (error, SUI_RPC_ERROR, SUI_RPC_ERROR_STATE,
               "该事项仍被任务%s使用（尚未抽取），请先从这些任务中移除该事项再释放",
               names->str);
  return FALSE;
}

static JsonNode *
items_release (SuiCall  *call,
               GError  **error)
{
  gint64 id = 0, version = 0;
  g_autofree char *reason = NULL;
  g_autoptr(PGresult) row = NULL;
  g_autoptr(JsonNode) before = NULL;

  reason = get_reason (call, &id, &version, "撤销认领的原因", error);
  if (reason == NULL)
    return NULL;
  row = load_item_for_write (call, &id, error);
  if (row == NULL || !release_unused (call, PQgetvalue (row, 0, IC_ID), error) ||
      !set_history (call, "release", reason, error))
    return NULL;

  before = sui_register_column_json (row, 0, IC_JSON);
  if (!end_record (call,
                   "update item set state = 'released', release_reason = $2,"
                   " released_by = $3::bigint, released_at = now (), version = version + 1,"
                   " updated_at = now () where id = $1::bigint",
                   PQgetvalue (row, 0, IC_ID), reason, error))
    return NULL;
  return item_answer (call, PQgetvalue (row, 0, IC_ID), before, error);
}

/* ---- task items (tasks.create, tasks.update) ------------------------------------------- */

static gboolean
id_in (GArray *ids,
       gint64  id)
{
  for (guint i = 0; ids != NULL && i < ids->len; i++)
    if (g_array_index (ids, gint64, i) == id)
      return TRUE;
  return FALSE;
}

#define ITEMS_OF_TASK_SQL \
  "select i.id, i.name, i.state, ',' || array_to_string (i.methods, ',') || ','," \
  " exists (select 1 from check_method m" \
  "         where m.code = any (i.methods) and m.off_site)," \
  " (select m.name from check_method m where m.code = 'on_site')" \
  " from item i where i.id = any ($1::bigint[]) and i.unit_id = $2::bigint"

char *
sui_items_check_task_items (SuiCall        *call,
                            JsonNode       *node,
                            gint64          unit_id,
                            GArray         *kept_ids,
                            SuiValidation  *v,
                            GError        **error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(PGresult) rows = NULL;
  g_autofree char *ids_p = NULL, *unit_p = NULL;
  g_autoptr(JsonNode) normal = NULL;
  const SuiMethod *writer;
  JsonArray *array;
  gboolean ok = TRUE;
  const char *params[2];

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      sui_validation_add (v, "items", "type",
                          "检查事项须为列表，每项写明事项（item_id）和检查方式（method）");
      return NULL;
    }
  array = json_node_get_array (node);
  if (json_array_get_length (array) > 100)
    {
      sui_validation_add (v, "items", "too_many", "一个任务的检查事项不能超过 100 项");
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *item = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element)
                                                          : NULL;
      JsonNode *id_node = item != NULL ? json_object_get_member (item, "item_id") : NULL;
      JsonNode *method = item != NULL ? json_object_get_member (item, "method") : NULL;
      JsonNode *reason = item != NULL ? json_object_get_member (item, "reason") : NULL;
      gint64 id;

      if (id_node == NULL || !JSON_NODE_HOLDS_VALUE (id_node) ||
          json_node_get_value_type (id_node) != G_TYPE_INT64 ||
          (id = json_node_get_int (id_node)) <= 0 ||
          method == NULL || !JSON_NODE_HOLDS_VALUE (method) ||
          json_node_get_value_type (method) != G_TYPE_STRING ||
          (reason != NULL && !JSON_NODE_HOLDS_NULL (reason) &&
           (!JSON_NODE_HOLDS_VALUE (reason) ||
            json_node_get_value_type (reason) != G_TYPE_STRING)))
        {
          g_autofree char *text = g_strdup_printf ("第 %u 项须写明事项编号（item_id）和检查方式"
                                                   "（method），理由（reason）须为文字", i + 1);

          sui_validation_add (v, "items", "invalid", text);
          return NULL;
        }
      if (id_in (ids, id))
        {
          sui_validation_add (v, "items", "duplicate", "同一检查事项只能列入一次");
          return NULL;
        }
      g_array_append_val (ids, id);
    }

  ids_p = sui_sql_int_array ((const gint64 *) (void *) ids->data, ids->len);
  unit_p = sui_pg_int_param (unit_id);
  params[0] = ids_p;
  params[1] = unit_p;
  /* A write (tasks.create, tasks.update) holds its items against a concurrent
   * items.release, which looks for the tasks listing the item once it has locked it. */
  writer = sui_methods_lookup (call->method);
  rows = sui_pg_exec (call->conn,
                      writer != NULL && writer->writes
                      ? ITEMS_OF_TASK_SQL " for share of i" : ITEMS_OF_TASK_SQL,
                      2, params, error);
  if (rows == NULL)
    return NULL;

  json_builder_begin_array (b);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *item = json_array_get_object_element (array, i);
      gint64 id = g_array_index (ids, gint64, i);
      const char *method = json_object_get_string_member (item, "method");
      JsonNode *reason_node = json_object_get_member (item, "reason");
      g_autofree char *reason = NULL;
      g_autofree char *needle = NULL;
      int row = -1;

      if (reason_node != NULL && !JSON_NODE_HOLDS_NULL (reason_node))
        {
          reason = trimmed (json_node_get_string (reason_node));
          if (*reason == '\0')
            g_clear_pointer (&reason, g_free);
        }
      for (int r = 0; r < PQntuples (rows) && row < 0; r++)
        if (sui_pg_get_int (rows, r, 0) == id)
          row = r;

      if (row < 0)
        {
          g_autofree char *text = g_strdup_printf ("第 %u 项不是本单位抽查事项清单中的事项，"
                                                   "请先在事项清单中认领", i + 1);

          sui_validation_add (v, "items", "not_found", text);
          ok = FALSE;
          continue;
        }
      if (g_str_equal (PQgetvalue (rows, row, 2), "released") && !id_in (kept_ids, id))
        {
          g_autofree char *text = g_strdup_printf ("“%s”已撤销认领，不能列入任务；"
                                                   "请先在事项清单中重新认领",
                                                   PQgetvalue (rows, row, 1));

          sui_validation_add (v, "items", "released", text);
          ok = FALSE;
          continue;
        }
      needle = g_strdup_printf (",%s,", method);
      if (strstr (PQgetvalue (rows, row, 3), needle) == NULL)
        {
          g_autofree char *csv = g_strndup (PQgetvalue (rows, row, 3) + 1,
                                            strlen (PQgetvalue (rows, row, 3)) - 2);
          g_autofree char *names = method_names (call, csv, error);
          g_autofree char *text = NULL;

          if (names == NULL)
            return NULL;
          text = g_strdup_printf ("“%s”不允许检查方式“%s”，请改选该事项允许的方式：%s",
                                  PQgetvalue (rows, row, 1), method, names);
          sui_validation_add (v, "items", "method", text);
          ok = FALSE;
          continue;
        }
      if (g_str_equal (method, "on_site") && sui_pg_get_bool (rows, row, 4) && reason == NULL)
        {
          g_autofree char *text = g_strdup_printf ("“%s”可以非现场检查，应优先选用；"
                                                   "选择%s须写明理由（500 字以内）",
                                                   PQgetvalue (rows, row, 1),
                                                   PQgetvalue (rows, row, 5));

          sui_validation_add (v, "items", "on_site_reason", text);
          ok = FALSE;
          continue;
        }
      if (reason != NULL && g_utf8_strlen (reason, -1) > MAX_REASON)
        {
          g_autofree char *text = g_strdup_printf ("“%s”的理由不能超过 500 个字符，请缩短",
                                                   PQgetvalue (rows, row, 1));

          sui_validation_add (v, "items", "reason_too_long", text);
          ok = FALSE;
          continue;
        }

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "item_id");
      json_builder_add_int_value (b, id);
      json_builder_set_member_name (b, "method");
      json_builder_add_string_value (b, method);
      if (reason != NULL)
        {
          json_builder_set_member_name (b, "reason");
          json_builder_add_string_value (b, reason);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  if (!ok)
    return NULL;
  normal = json_builder_get_root (b);
  return sui_json_to_string (normal);
}

gboolean
sui_items_general_cap (SuiCall     *call,
                       const char  *items,
                       gint64      *cap_bp,
                       char       **name,
                       GError     **error)
{
  const char *params[1] = { items };
  g_autoptr(PGresult) r = NULL;

  *cap_bp = -1;
  *name = NULL;
  r = sui_pg_exec (call->conn,
                   "select i.ratio_max_bp, i.name from item i"
                   " where i.level = 'general' and i.id in ("
                   "   select (e ->> 'item_id')::bigint from jsonb_array_elements ($1::jsonb) e"
                   "   where jsonb_typeof (e) = 'object')"
                   " order by i.ratio_max_bp, i.id limit 1",
                   1, params, error);
  if (r == NULL)
    return FALSE;
  if (PQntuples (r) == 1)
    {
      *cap_bp = sui_pg_get_int (r, 0, 0);
      *name = g_strdup (PQgetvalue (r, 0, 1));
    }
  return TRUE;
}

/* ---- the methods ------------------------------------------------------------------------ */

#define CATALOGUE_FIELDS \
  "[frequency]:string"

static const SuiMethod items_methods[] = {
  {
    .name = "check_methods.list",
    .roles = SUI_ROLE_ANY,
    .params = "",
    .summary = "The check methods (核查方式) and whether each is off site",
    .handler = check_methods_list,
  },
  {
    .name = "catalogue.list",
    .roles = SUI_ROLE_ANY,
    .params = "[query]:string, [include_retired]:boolean, [after]:integer, [limit]:integer",
    .summary = "The catalogue (上级事项目录), keyset-paged by id, with who claimed each item",
    .handler = catalogue_list,
  },
  {
    .name = "catalogue.get",
    .roles = SUI_ROLE_ANY,
    .params = "id:integer",
    .summary = "A catalogue item with its history",
    .handler = catalogue_get,
  },
  {
    .name = "catalogue.create",
    .roles = SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "code:string, name:string, legal_basis:string, content:string, "
              "object_types:array, level:string, methods:array, ratio_min_bp:integer, "
              "ratio_max_bp:integer, " CATALOGUE_FIELDS,
    .summary = "Add an item to the catalogue",
    .handler = catalogue_create,
  },
  {
    .name = "catalogue.update",
    .roles = SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "id:integer, version:integer, [code]:string, [name]:string, "
              "[legal_basis]:string, [content]:string, [object_types]:array, [level]:string, "
              "[methods]:array, [ratio_min_bp]:integer, [ratio_max_bp]:integer, "
              CATALOGUE_FIELDS,
    .summary = "Change a catalogue item; the answer lists the units whose claims it affects",
    .handler = catalogue_update,
  },
  {
    .name = "catalogue.retire",
    .roles = SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "id:integer, version:integer, reason:string",
    .summary = "Retire a catalogue item (kept, never deleted), listing the affected claims",
    .handler = catalogue_retire,
  },
  {
    .name = "items.list",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .params = "[unit_id]:integer, [include_released]:boolean, [query]:string",
    .summary = "A unit's item list (supervisors: their own unit's; admin: any or all)",
    .handler = items_list,
  },
  {
    .name = "items.get",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .params = "id:integer",
    .summary = "An item of a unit's list with its history",
    .handler = items_get,
  },
  {
    .name = "items.claim",
    .roles = SUI_ROLE_SUPERVISOR,
    .writes = TRUE,
    .params = "catalogue_id:integer",
    .summary = "Claim a catalogue item for the caller's unit (a released claim comes back)",
    .handler = items_claim,
  },
  {
    .name = "items.update",
    .roles = SUI_ROLE_SUPERVISOR,
    .writes = TRUE,
    .params = "id:integer, version:integer, [content]:string, [methods]:array, "
              "[ratio_min_bp]:integer, [ratio_max_bp]:integer",
    .summary = "Refine a claimed item within the catalogue's bounds",
    .handler = items_update,
  },
  {
    .name = "items.acknowledge",
    .roles = SUI_ROLE_SUPERVISOR,
    .writes = TRUE,
    .params = "id:integer, version:integer",
    .summary = "Take the catalogue's current version, clipping the refinement to its bounds",
    .handler = items_acknowledge,
  },
  {
    .name = "items.release",
    .roles = SUI_ROLE_SUPERVISOR,
    .writes = TRUE,
    .params = "id:integer, version:integer, reason:string",
    .summary = "Release a claim, with a reason (kept; it can be claimed again)",
    .handler = items_release,
  },
};

void
sui_items_register (void)
{
  sui_methods_register (items_methods, G_N_ELEMENTS (items_methods));
}
