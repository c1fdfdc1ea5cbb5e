/* sui-ratios.c: ratios.list, ratios.update, plans.set_ratios — the sampling table per risk
 * class: the city's default (admin) and a plan's own (its unit, while the plan may change)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * DOMAIN.md gives a default table of ratios per credit risk class (A ≤ 5 %, B 5–20 %,
 * C 21–60 %, D 61–100 %), "editable per plan".  Tasks are checked against the table of their
 * plan: the plan's row for a class where it has one, else the city's (sui-tasks.c).  A change
 * never leaves a task of the plan outside its class's range.
 */
#include "sui-ratios.h"

#include "sui-call.h"
#include "sui-filter.h"
#include "sui-pg.h"
#include "sui-plans.h"

static const char *const classes[] = { "A", "B", "C", "D" };

#define TABLE_SQL(plan) \
  "select jsonb_build_object ('plan_id', " plan "::bigint, 'items', jsonb_agg (" \
  " jsonb_build_object ('risk_class', r.risk_class, 'name', r.name," \
  "  'min_bp', coalesce (p.min_bp, r.min_bp), 'max_bp', coalesce (p.max_bp, r.max_bp)," \
  "  'default_bp', coalesce (p.default_bp, r.default_bp), 'frequency', r.frequency," \
  "  'own', p.plan_id is not null," \
  "  'city', jsonb_build_object ('min_bp', r.min_bp, 'max_bp', r.max_bp," \
  "                              'default_bp', r.default_bp, 'version', r.version))" \
  " order by r.risk_class))" \
  " from risk_class_ratio r left join plan_ratio p" \
  "   on p.risk_class = r.risk_class and p.plan_id = " plan "::bigint"

/* ---- ratios.list --------------------------------------------------------------------- */

static JsonNode *
ratios_list (SuiCall  *call,
             GError  **error)
{
  gint64 plan_id = 0;
  g_autofree char *plan_text = NULL;
  const char *params[1];

  if (!sui_call_get_int (call, "plan_id", FALSE, &plan_id, error))
    return NULL;
  if (plan_id > 0)
    {
      g_autoptr(PGresult) plan = sui_plans_load (call, plan_id, FALSE, error);

      if (plan == NULL)
        return NULL;
      plan_text = sui_pg_int_param (plan_id);
    }
  params[0] = plan_text;
  return sui_pg_query_json (call->conn, TABLE_SQL ("$1"), 1, params, error);
}

/* ---- checks shared by both edits --------------------------------------------------- */

/* Adds to v when min ≤ default ≤ max does not hold in 0…10000 for the class. */
static void
check_row (SuiValidation *v,
           const char    *field,
           const char    *risk_class,
           gint64         min_bp,
           gint64         max_bp,
           gint64         default_bp)
{
  g_autofree char *message = NULL;

  if (min_bp < 0 || max_bp > 10000 || min_bp > max_bp)
    message = g_strdup_printf ("%s类的比例范围须在 0%% 至 100%% 之间，且下限不高于上限", risk_class);
  else if (default_bp < min_bp || default_bp > max_bp)
    message = g_strdup_printf ("%s类的默认比例须在其下限与上限之间", risk_class);
  if (message != NULL)
    sui_validation_add (v, field, "range", message);
}

/* Adds to v the tasks of the plan (or, plan_id NULL, of every plan that uses the city's row
 * for the class) whose ratio for the class would fall outside [min, max]. */
static gboolean
check_tasks (SuiCall        *call,
             SuiValidation  *v,
             const char     *field,
             const char     *plan_id,
             const char     *risk_class,
             gint64          min_bp,
             gint64          max_bp,
             GError        **error)
{
  g_autofree char *column = g_strdup_printf ("ratio_%c_bp", g_ascii_tolower (risk_class[0]));
  g_autofree char *min_text = sui_pg_int_param (min_bp);
  g_autofree char *max_text = sui_pg_int_param (max_bp);
  g_autofree char *sql = NULL;
  g_autoptr(PGresult) outside = NULL;
  const char *params[4] = { plan_id, min_text, max_text, risk_class };

  /* Only tasks that can still change are held to a new range: a ready or drawn task keeps
   * the ratio it was drawn with. */
  sql = g_strdup_printf ("select string_agg ('“' || t.name || '”', '、' order by t.id)"
                         " from task t where t.state = 'draft'"
                         "  and t.%s not between $2::integer and $3::integer"
                         "  and case when $1::bigint is not null then t.plan_id = $1::bigint"
                         "      else not exists (select 1 from plan_ratio p"
                         "                       where p.plan_id = t.plan_id"
                         "                         and p.risk_class = $4) end",
                         column);
  outside = sui_pg_exec (call->conn, sql, 4, params, error);
  if (outside == NULL)
    return FALSE;
  if (!PQgetisnull (outside, 0, 0))
    {
      g_autofree char *message =
        g_strdup_printf ("草稿任务%s的%s类比例不在新范围内；请先调整这些任务的比例", 
                         PQgetvalue (outside, 0, 0), risk_class);

      sui_validation_add (v, field, "tasks_outside", message);
    }
  return TRUE;
}

/* ---- ratios.update ----------------------------------------------------------------- */

static JsonNode *
ratios_update (SuiCall  *call,
               GError  **error)
{
  const char *risk_class = NULL, *frequency = NULL;
  gint64 version = 0, min_bp = -1, max_bp = -1, default_bp = -1;
  g_autoptr(PGresult) row = NULL;
  g_autoptr(PGresult) done = NULL;
  g_autoptr(JsonNode) before = NULL;
  g_autoptr(JsonNode) after = NULL;
  g_autofree char *min_text = NULL, *max_text = NULL, *default_text = NULL;
  const char *params[5];
  SuiValidation *v;

  if (!sui_call_get_string (call, "risk_class", TRUE, &risk_class, error) ||
      !sui_call_get_int (call, "version", TRUE, &version, error) ||
      !sui_call_get_int (call, "min_bp", FALSE, &min_bp, error) ||
      !sui_call_get_int (call, "max_bp", FALSE, &max_bp, error) ||
      !sui_call_get_int (call, "default_bp", FALSE, &default_bp, error) ||
      !sui_call_get_string (call, "frequency", FALSE, &frequency, error))
    return NULL;
  params[0] = risk_class;
  row = sui_pg_exec (call->conn,
                     "select version, min_bp, max_bp, default_bp,"
                     " jsonb_build_object ('risk_class', risk_class, 'min_bp', min_bp,"
                     "  'max_bp', max_bp, 'default_bp', default_bp, 'frequency', frequency)"
                     " from risk_class_ratio where risk_class = $1 for update",
                     1, params, error);
  if (row == NULL)
    return NULL;
  if (PQntuples (row) != 1)
    {
      v = sui_validation_new ();
      sui_validation_add (v, "risk_class", "invalid", "风险等级应为 A、B、C 或 D");
      sui_validation_finish (v, call, error);
      return NULL;
    }
  if (!sui_register_check_version (call, sui_pg_get_int (row, 0, 0), version,
                                   "比例表已被他人修改，已为您载入最新内容，请核对后再保存", error))
    return NULL;
  if (min_bp < 0)
    min_bp = sui_pg_get_int (row, 0, 1);
  if (max_bp < 0)
    max_bp = sui_pg_get_int (row, 0, 2);
  if (default_bp < 0)
    default_bp = sui_pg_get_int (row, 0, 3);

  v = sui_validation_new ();
  check_row (v, "min_bp", risk_class, min_bp, max_bp, default_bp);
  if (frequency != NULL && (g_utf8_strlen (frequency, -1) > 64 || *frequency == '\0'))
    sui_validation_add (v, "frequency", "invalid", "抽查频次须为 1 至 64 个字");
  if (!check_tasks (call, v, "min_bp", NULL, risk_class, min_bp, max_bp, error))
    {
      sui_register_discard_validation (v, call);
      return NULL;
    }
  if (!sui_validation_finish (v, call, error))
    return NULL;

  before = sui_register_column_json (row, 0, 4);
  min_text = sui_pg_int_param (min_bp);
  max_text = sui_pg_int_param (max_bp);
  default_text = sui_pg_int_param (default_bp);
  params[1] = min_text;
  params[2] = max_text;
  params[3] = default_text;
  params[4] = frequency;
  done = sui_pg_exec (call->conn,
                      "update risk_class_ratio set min_bp = $2::integer, max_bp = $3::integer,"
                      " default_bp = $4::integer, frequency = coalesce ($5, frequency),"
                      " version = version + 1, updated_at = now ()"
                      " where risk_class = $1"
                      " returning jsonb_build_object ('risk_class', risk_class, 'min_bp', min_bp,"
                      "  'max_bp', max_bp, 'default_bp', default_bp, 'frequency', frequency)",
                      5, params, error);
  if (done == NULL)
    return NULL;
  after = sui_register_column_json (done, 0, 0);
  if (!sui_audit_append (call, "ratios", risk_class, before, after, error))
    return NULL;
  params[0] = NULL;
  return sui_pg_query_json (call->conn, TABLE_SQL ("$1"), 1, params, error);
}

/* ---- plans.set_ratios ------------------------------------------------------------- */

static JsonNode *
plans_set_ratios (SuiCall  *call,
                  GError  **error)
{
  gint64 plan_id = 0, version = 0;
  g_autoptr(PGresult) plan = NULL;
  g_autoptr(PGresult) done = NULL;
  g_autoptr(JsonNode) before = NULL;
  g_autoptr(JsonNode) after = NULL;
  g_autoptr(GString) rows = g_string_new ("[");
  g_autofree char *plan_text = NULL;
  JsonNode *node;
  JsonArray *ratios;
  const char *params[2];
  gboolean seen[G_N_ELEMENTS (classes)] = { FALSE };
  SuiValidation *v;

  if (!sui_call_get_int (call, "id", TRUE, &plan_id, error) ||
      !sui_call_get_int (call, "version", TRUE, &version, error))
    return NULL;
  plan = sui_plans_load (call, plan_id, TRUE, error);
  if (plan == NULL)
    return NULL;
  if (call->user->unit_id != sui_pg_get_int (plan, 0, SUI_PLAN_COL_UNIT))
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_FORBIDDEN,
                           "只有编制该计划的单位可以调整其抽查比例表");
      return NULL;
    }
  if (!sui_register_check_version (call, sui_pg_get_int (plan, 0, SUI_PLAN_COL_VERSION), version,
                                   "该计划已被他人修改，请刷新后再试", error))
    return NULL;
  if (!sui_pg_get_bool (plan, 0, SUI_PLAN_COL_EDITABLE))
    {
      sui_state_error (error, "计划已提交或已发布；调整抽查比例表前请等待审核退回，"
                              "或提出计划变更并经市局批准");
      return NULL;
    }

  node = json_object_get_member (call->params, "ratios");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_INVALID_PARAMS,
                           "参数 ratios 须为列表：每项写明 risk_class、min_bp、max_bp、default_bp");
      return NULL;
    }
  plan_text = sui_pg_int_param (plan_id);
  ratios = json_node_get_array (node);
  v = sui_validation_new ();
  for (guint i = 0; i < json_array_get_length (ratios); i++)
    {
      JsonNode *element = json_array_get_element (ratios, i);
      JsonObject *r = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      const char *risk_class = r != NULL
        ? json_object_get_string_member_with_default (r, "risk_class", "") : "";
      gint64 min_bp = r != NULL ? json_object_get_int_member_with_default (r, "min_bp", -1) : -1;
      gint64 max_bp = r != NULL ? json_object_get_int_member_with_default (r, "max_bp", -1) : -1;
      gint64 default_bp = r != NULL
        ? json_object_get_int_member_with_default (r, "default_bp", -1) : -1;
      g_autofree char *field = g_strdup_printf ("ratios.%u", i);
      int c = -1;

      for (guint k = 0; k < G_N_ELEMENTS (classes); k++)
        if (g_str_equal (risk_class, classes[k]))
          c = (int) k;
      if (c < 0 || seen[c])
        {
          sui_validation_add (v, field, "risk_class",
                              c < 0 ? "每项须写明风险等级 A、B、C 或 D"
                                    : "同一风险等级只能出现一次");
          continue;
        }
      seen[c] = TRUE;
      check_row (v, field, risk_class, min_bp, max_bp, default_bp);
      if (min_bp >= 0 && max_bp >= min_bp &&
          !check_tasks (call, v, field, plan_text, risk_class, min_bp, max_bp, error))
        {
          sui_register_discard_validation (v, call);
          return NULL;
        }
      g_string_append_printf (rows, "%s{\"risk_class\": \"%s\", \"min_bp\": %" G_GINT64_FORMAT
                              ", \"max_bp\": %" G_GINT64_FORMAT ", \"default_bp\": %"
                              G_GINT64_FORMAT "}", rows->len > 1 ? ", " : "", risk_class,
                              min_bp, max_bp, default_bp);
    }
  g_string_append_c (rows, ']');
  if (!sui_validation_finish (v, call, error))
    return NULL;

  params[0] = plan_text;
  params[1] = rows->str;
  before = sui_pg_query_json (call->conn,
                              "select coalesce (jsonb_agg (to_jsonb (p) - 'plan_id'"
                              " order by p.risk_class), '[]') from plan_ratio p"
                              " where p.plan_id = $1::bigint",
                              1, params, error);
  if (before == NULL)
    return NULL;
  /* The plan's rows become exactly the ones given ([] returns it to the city's table). */
  done = sui_pg_exec (call->conn, "delete from plan_ratio where plan_id = $1::bigint",
                      1, params, error);
  if (done == NULL)
    return NULL;
  g_clear_pointer (&done, PQclear);
  /* Two statements: an insert beside a delete of the same keys in one statement would see
   * the old rows still in the unique index. */
  done = sui_pg_exec (call->conn,
                      "insert into plan_ratio (plan_id, risk_class, min_bp, max_bp, default_bp)"
                      " select $1::bigint, r.risk_class, r.min_bp, r.max_bp, r.default_bp"
                      " from jsonb_to_recordset ($2::jsonb)"
                      "      r (risk_class char(1), min_bp integer, max_bp integer,"
                      "         default_bp integer)",
                      2, params, error);
  if (done == NULL)
    return NULL;
  g_clear_pointer (&done, PQclear);
  done = sui_pg_exec (call->conn,
                      "update plan set version = version + 1, updated_at = now ()"
                      " where id = $1::bigint",
                      1, params, error);
  if (done == NULL)
    return NULL;
  after = json_from_string (rows->str, NULL);
  if (!sui_audit_append (call, "plans", plan_text, before, after, error))
    return NULL;
  return sui_pg_query_json (call->conn, TABLE_SQL ("$1"), 1, params, error);
}

static const SuiMethod ratios_methods[] = {
  {
    .name = "ratios.list",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .params = "[plan_id]:integer",
    .summary = "The sampling table per risk class: the city's, or as a plan uses it",
    .handler = ratios_list,
  },
  {
    .name = "ratios.update",
    .roles = SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "risk_class:string, version:integer, [min_bp]:integer, [max_bp]:integer, "
              "[default_bp]:integer, [frequency]:string",
    .summary = "Change the city's default sampling range of a risk class",
    .handler = ratios_update,
  },
  {
    .name = "plans.set_ratios",
    .roles = SUI_ROLE_SUPERVISOR,
    .writes = TRUE,
    .params = "id:integer, version:integer, ratios:array",
    .summary = "Set a plan's own sampling ranges per risk class ([] for the city's)",
    .handler = plans_set_ratios,
  },
};

void
sui_ratios_register (void)
{
  sui_methods_register (ratios_methods, G_N_ELEMENTS (ratios_methods));
}
