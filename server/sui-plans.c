/* sui-plans.c: annual plans (年度随机抽查计划) — plans.list, plans.get, plans.create,
 * plans.update, plans.submit, plans.approve, plans.reject, plans.publish,
 * plans.request_change, plans.approve_change, plans.reject_change, plans.compare
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A unit drafts its plan for a year as a set of tasks (sui-tasks.c); the admin approves
 * it; publishing it stores a frozen copy as revision 1. Changing a published plan takes a
 * change request (what, why) that the admin approves; the unit then edits the plan and
 * publishes it again as the next revision. Every revision stays readable, and
 * plans.compare says what changed between two of them.
 */
#include "sui-plans.h"

#include <string.h>

#include "sui-filter.h"

#define MAX_TITLE     128

#define PLAN_JSON_SQL \
  "json_build_object ('id', p.id, 'unit_id', p.unit_id," \
  " 'unit_name', (select un.name from unit un where un.id = p.unit_id)," \
  " 'year', p.year, 'title', p.title, 'note', p.note, 'state', p.state," \
  " 'revision', p.revision, 'reject_reason', p.reject_reason," \
  " 'submitted_by', p.submitted_by, 'submitted_at', p.submitted_at," \
  " 'approved_by', p.approved_by, 'approved_at', p.approved_at," \
  " 'published_at', p.published_at," \
  " 'open_change', (select json_build_object ('id', c.id, 'state', c.state, 'what', c.what," \
  "                   'why', c.why, 'requested_at', c.requested_at)" \
  "                 from plan_change c where c.plan_id = p.id" \
  "                  and c.state in ('requested', 'approved'))," \
  " 'editable', " EDITABLE_SQL "," \
  " 'task_count', (select count (*) from task t where t.plan_id = p.id)," \
  " 'version', p.version, 'created_at', p.created_at, 'updated_at', p.updated_at)"

#define EDITABLE_SQL \
  "(p.state = 'draft' or (p.state = 'published' and exists (" \
  "  select 1 from plan_change c where c.plan_id = p.id and c.state = 'approved')))"

#define CHANGE_JSON_SQL \
  "json_build_object ('id', c.id, 'plan_id', c.plan_id, 'what', c.what, 'why', c.why," \
  " 'state', c.state, 'from_revision', c.from_revision, 'to_revision', c.to_revision," \
  " 'requested_by', c.requested_by, 'requested_at', c.requested_at," \
  " 'decided_by', c.decided_by, 'decided_at', c.decided_at," \
  " 'decision_note', c.decision_note, 'published_at', c.published_at)"

/* ---- shared with sui-tasks.c and sui-draws.c ---------------------------------------- */

gboolean
sui_plans_is_admin (SuiCall *call)
{
  return sui_register_is_admin (call);
}

gboolean
sui_plans_check_unit (SuiCall     *call,
                      gint64       unit_id,
                      const char  *what,
                      GError     **error)
{
  g_autofree char *message = g_strdup_printf ("您只能处理本单位的%s", what);

  return sui_register_check_unit (call, unit_id, message, error);
}

gboolean
sui_state_error (GError     **error,
                 const char  *message)
{
  g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_STATE, message);
  return FALSE;
}

PGresult *
sui_plans_load (SuiCall     *call,
                gint64       id,
                gboolean     for_update,
                GError     **error)
{
  return sui_register_load_scoped (call,
                                   "select p.id, p.unit_id, p.state, p.revision, p.version, "
                                   EDITABLE_SQL ", " PLAN_JSON_SQL
                                   " from plan p where p.id = $1::bigint",
                                   " for update", for_update, id, "该计划不存在，请刷新后再试",
                                   SUI_PLAN_COL_UNIT, "您只能处理本单位的计划", error);
}

/* ---- local helpers ------------------------------------------------------------------ */

static JsonNode *
reload (SuiCall  *call,
        gint64    id,
        GError  **error)
{
  return sui_register_reload (call, sui_plans_load, id, SUI_PLAN_COL_JSON, error);
}

/* The plan id, locked, at the version the caller read. */
static PGresult *
load_for_write (SuiCall  *call,
                gint64    id,
                gint64    version,
                GError  **error)
{
  return sui_register_load_for_write (call, sui_plans_load, id, version, SUI_PLAN_COL_VERSION,
                                      "该计划已被他人修改，请刷新后再试", error);
}

static const char *
state_of (PGresult *row)
{
  return PQgetvalue (row, 0, SUI_PLAN_COL_STATE);
}

/* Runs sql with the plan id as $1, the caller's id as $2 and extra as $3…, then appends
 * the audit row with the plan before and after. */
static JsonNode *
change_plan (SuiCall            *call,
             PGresult           *row,
             const char         *sql,
             int                 n_extra,
             const char * const *extra,
             GError            **error)
{
  g_autofree char *actor = sui_pg_int_param (call->user->id);
  const char *id_text = PQgetvalue (row, 0, SUI_PLAN_COL_ID);
  const char *params[8] = { id_text, actor };
  g_autoptr(PGresult) done = NULL;
  g_autoptr(JsonNode) before = sui_register_column_json (row, 0, SUI_PLAN_COL_JSON);
  g_autoptr(JsonNode) after = NULL;

  g_assert (n_extra <= 6);
  for (int i = 0; i < n_extra; i++)
    params[2 + i] = extra[i];
  done = sui_pg_exec (call->conn, sql, 2 + n_extra, params, error);
  if (done == NULL)
    return NULL;
  after = reload (call, sui_pg_get_int (row, 0, SUI_PLAN_COL_ID), error);
  return sui_register_audit_after (call, "plans", id_text, before, g_steal_pointer (&after), error);
}

/* ---- plans.list, plans.get ---------------------------------------------------------- */

static JsonNode *
plans_list (SuiCall  *call,
            GError  **error)
{
  gint64 year = 0, unit_id = 0, after = 0, limit = 0;
  const char *state = NULL;
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_free);

  if (!sui_call_get_int (call, "year", FALSE, &year, error) ||
      !sui_call_get_int (call, "unit_id", FALSE, &unit_id, error) ||
      !sui_call_get_string (call, "state", FALSE, &state, error) ||
      !sui_call_get_page (call, &after, &limit, error))
    return NULL;

  /* A supervisor lists their own unit's plans, whatever unit_id says. */
  if (!sui_plans_is_admin (call))
    unit_id = call->user->unit_id;

  g_ptr_array_add (params, sui_call_has (call, "year") ? sui_pg_int_param (year) : NULL);
  g_ptr_array_add (params, unit_id != 0 ? sui_pg_int_param (unit_id) : NULL);
  g_ptr_array_add (params, g_strdup (state));
  return sui_register_list_page (call, "plan", "p", PLAN_JSON_SQL,
                                 "($1::integer is null or p.year = $1::integer)"
                                 " and ($2::bigint is null or p.unit_id = $2::bigint)"
                                 " and ($3::text is null or p.state = $3)",
                                 params, FALSE, after, limit, error);
}

static JsonNode *
plans_get (SuiCall  *call,
           GError  **error)
{
  gint64 id = 0, revision = 0;
  g_autoptr(PGresult) row = NULL;
  g_autofree char *revision_p = NULL;
  JsonNode *answer;
  const char *params[2];

  if (!sui_call_get_int (call, "id", TRUE, &id, error) ||
      !sui_call_get_int (call, "revision", FALSE, &revision, error))
    return NULL;

  row = sui_plans_load (call, id, FALSE, error);
  if (row == NULL)
    return NULL;
  params[0] = PQgetvalue (row, 0, SUI_PLAN_COL_ID);

  if (sui_call_has (call, "revision"))
    {
      revision_p = sui_pg_int_param (revision);
      params[1] = revision_p;
      answer = sui_pg_query_json (call->conn,
                                  "select json_build_object ('plan_id', r.plan_id,"
                                  " 'revision', r.revision, 'content', r.content,"
                                  " 'change_id', r.change_id, 'published_by', r.published_by,"
                                  " 'published_at', r.published_at)"
                                  " from plan_revision r"
                                  " where r.plan_id = $1::bigint and r.revision = $2::integer",
                                  2, params, error);
      if (answer == NULL && (error == NULL || *error == NULL))
        g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_FOUND,
                             "该计划没有这个版本");
      return answer;
    }

  return sui_pg_query_json (call->conn,
                            "select (" PLAN_JSON_SQL ")::jsonb || jsonb_build_object ("
                            " 'tasks', coalesce ((select jsonb_agg (" SUI_TASK_PLAN_FIELDS_SQL
                            "   || jsonb_build_object ('state', t.state, 'version', t.version,"
                            "        'published_revision', t.published_revision,"
                            "        'clean_exclusion_months', t.clean_exclusion_months)"
                            "   order by t.id) from task t where t.plan_id = p.id), '[]'),"
                            " 'revisions', coalesce ((select jsonb_agg (jsonb_build_object ("
                            "   'revision', r.revision, 'change_id', r.change_id,"
                            "   'published_by', r.published_by, 'published_at', r.published_at)"
                            "   order by r.revision) from plan_revision r"
                            "   where r.plan_id = p.id), '[]'),"
                            " 'changes', coalesce ((select jsonb_agg ((" CHANGE_JSON_SQL ")::jsonb"
                            "   order by c.id) from plan_change c where c.plan_id = p.id), '[]'))"
                            " from plan p where p.id = $1::bigint",
                            1, params, error);
}

/* ---- plans.create, plans.update ----------------------------------------------------- */

static JsonNode *
plans_create (SuiCall  *call,
              GError  **error)
{
  gint64 year = 0;
  const char *title_param = NULL, *note_param = NULL;
  g_autofree char *title = NULL, *note = NULL, *year_p = NULL, *unit_p = NULL, *actor = NULL;
  g_autoptr(PGresult) taken = NULL;
  SuiValidation *v;
  const char *params[5];

  if (!sui_call_get_int (call, "year", TRUE, &year, error) ||
      !sui_call_get_string (call, "title", TRUE, &title_param, error) ||
      !sui_call_get_string (call, "note", FALSE, &note_param, error))
    return NULL;
  title = g_strstrip (g_strdup (title_param));
  note = note_param != NULL ? g_strstrip (g_strdup (note_param)) : NULL;

  year_p = sui_pg_int_param (year);
  unit_p = sui_pg_int_param (call->user->unit_id);
  actor = sui_pg_int_param (call->user->id);

  v = sui_validation_new ();
  sui_register_check_text (v, "title", title, TRUE, MAX_TITLE, "计划名称");
  sui_register_check_text (v, "note", note, FALSE, 2000, "说明");
  if (year < 2000 || year > 2100)
    sui_validation_add (v, "year", "range", "年度须在 2000 至 2100 之间");
  else
    {
      params[0] = unit_p;
      params[1] = year_p;
      taken = sui_pg_exec (call->conn,
                           "select 1 from plan where unit_id = $1::bigint and year = $2::integer",
                           2, params, error);
      if (taken == NULL)
        {
          sui_register_discard_validation (v, call);
          return NULL;
        }
      if (PQntuples (taken) > 0)
        sui_validation_add (v, "year", "taken",
                            "本单位该年度的计划已经存在，请打开它继续编辑或提出变更");
    }
  if (!sui_validation_finish (v, call, error))
    return NULL;

  params[0] = unit_p;
  params[1] = year_p;
  params[2] = title;
  params[3] = note != NULL && *note != '\0' ? note : NULL;
  params[4] = actor;
  return sui_register_insert (call, "plans",
                              "insert into plan (unit_id, year, title, note, created_by)"
                              " values ($1::bigint, $2::integer, $3, $4, $5::bigint) returning id",
                              5, params, sui_plans_load, SUI_PLAN_COL_JSON, error);
}

static JsonNode *
plans_update (SuiCall  *call,
              GError  **error)
{
  gint64 id = 0, version = 0;
  const char *title_param = NULL, *note_param = NULL;
  g_autofree char *title = NULL, *note = NULL;
  g_autoptr(PGresult) row = NULL;
  SuiValidation *v;

  if (!sui_call_get_id_version (call, &id, &version, error) ||
      !sui_call_get_string (call, "title", FALSE, &title_param, error) ||
      !sui_call_get_string (call, "note", FALSE, &note_param, error))
    return NULL;

  row = load_for_write (call, id, version, error);
  if (row == NULL)
    return NULL;
  if (!sui_pg_get_bool (row, 0, SUI_PLAN_COL_EDITABLE))
    {
      sui_state_error (error, g_str_equal (state_of (row), "published")
                              ? "计划已发布，修改前请先提出变更申请并经市局批准"
                              : "计划已提交审核，不能修改；如需修改，请等待审核退回");
      return NULL;
    }

  title = title_param != NULL ? g_strstrip (g_strdup (title_param)) : NULL;
  note = note_param != NULL ? g_strstrip (g_strdup (note_param)) : NULL;
  v = sui_validation_new ();
  if (title != NULL)
    sui_register_check_text (v, "title", title, TRUE, MAX_TITLE, "计划名称");
  sui_register_check_text (v, "note", note, FALSE, 2000, "说明");
  if (!sui_validation_finish (v, call, error))
    return NULL;

  if (title == NULL && !sui_call_has (call, "note"))
    return sui_register_column_json (row, 0, SUI_PLAN_COL_JSON);

  {
    const char *extra[3] = { title, sui_call_has (call, "note") ? "t" : "f", note };

    return change_plan (call, row,
                        "update plan set title = coalesce ($3, title),"
                        " note = case when $4::boolean then nullif ($5, '') else note end,"
                        " version = version + 1, updated_at = now ()"
                        " where id = $1::bigint and $2::bigint is not null",
                        3, extra, error);
  }
}

/* ---- plans.submit, plans.approve, plans.reject -------------------------------------- */

static JsonNode *
plans_submit (SuiCall  *call,
              GError  **error)
{
  gint64 id = 0, version = 0;
  g_autoptr(PGresult) row = NULL;
  g_autoptr(PGresult) tasks = NULL;
  const char *params[1];

  if (!sui_call_get_id_version (call, &id, &version, error))
    return NULL;
  row = load_for_write (call, id, version, error);
  if (row == NULL)
    return NULL;
  if (!g_str_equal (state_of (row), "draft"))
    {
      sui_state_error (error, g_str_equal (state_of (row), "submitted")
                              ? "计划已提交，正在等待市局审核"
                              : "只有草稿状态的计划才能提交审核；已发布的计划如需修改，请提出变更申请");
      return NULL;
    }

  params[0] = PQgetvalue (row, 0, SUI_PLAN_COL_ID);
  tasks = sui_pg_exec (call->conn, "select 1 from task where plan_id = $1::bigint limit 1",
                       1, params, error);
  if (tasks == NULL)
    return NULL;
  if (PQntuples (tasks) == 0)
    {
      sui_state_error (error, "计划中还没有抽查任务，请先添加任务再提交审核");
      return NULL;
    }

  return change_plan (call, row,
                      "update plan set state = 'submitted', submitted_by = $2::bigint,"
                      " submitted_at = now (), reject_reason = null,"
                      " version = version + 1, updated_at = now () where id = $1::bigint",
                      0, NULL, error);
}

static JsonNode *
plans_approve (SuiCall  *call,
               GError  **error)
{
  gint64 id = 0, version = 0;
  g_autoptr(PGresult) row = NULL;

  if (!sui_call_get_id_version (call, &id, &version, error))
    return NULL;
  row = load_for_write (call, id, version, error);
  if (row == NULL)
    return NULL;
  if (!g_str_equal (state_of (row), "submitted"))
    {
      sui_state_error (error, "只有已提交审核的计划才能批准；请等待直属单位提交");
      return NULL;
    }
  return change_plan (call, row,
                      "update plan set state = 'approved', approved_by = $2::bigint,"
                      " approved_at = now (), version = version + 1, updated_at = now ()"
                      " where id = $1::bigint",
                      0, NULL, error);
}

static JsonNode *
plans_reject (SuiCall  *call,
              GError  **error)
{
  gint64 id = 0, version = 0;
  const char *reason_param = NULL;
  g_autofree char *reason = NULL;
  g_autoptr(PGresult) row = NULL;
  SuiValidation *v;
  const char *extra[1];

  if (!sui_call_get_id_version (call, &id, &version, error) ||
      !sui_call_get_string (call, "reason", TRUE, &reason_param, error))
    return NULL;
  row = load_for_write (call, id, version, error);
  if (row == NULL)
    return NULL;
  if (!g_str_equal (state_of (row), "submitted"))
    {
      sui_state_error (error, "只有已提交审核的计划才能退回");
      return NULL;
    }

  reason = g_strstrip (g_strdup (reason_param));
  v = sui_validation_new ();
  sui_register_check_text (v, "reason", reason, TRUE, 500, "退回理由");
  if (!sui_validation_finish (v, call, error))
    return NULL;

  extra[0] = reason;
  return change_plan (call, row,
                      "update plan set state = 'draft', reject_reason = $3,"
                      " version = version + 1, updated_at = now ()"
                      " where id = $1::bigint and $2::bigint is not null",
                      1, extra, error);
}

/* ---- plans.publish ------------------------------------------------------------------ */

/* The first publication of an approved plan makes revision 1; publishing after an
 * approved change makes the next revision and closes the change. Tasks published for
 * the first time are marked with their revision: only they may be made ready. */
static JsonNode *
plans_publish (SuiCall  *call,
               GError  **error)
{
  gint64 id = 0, version = 0;
  g_autoptr(PGresult) row = NULL;
  g_autoptr(PGresult) change = NULL;
  g_autoptr(PGresult) step = NULL;
  g_autofree char *revision = NULL;
  g_autofree char *actor = NULL;
  const char *change_id = NULL;
  const char *state;
  const char *params[4];

  if (!sui_call_get_id_version (call, &id, &version, error))
    return NULL;
  row = load_for_write (call, id, version, error);
  if (row == NULL)
    return NULL;
  state = state_of (row);
  params[0] = PQgetvalue (row, 0, SUI_PLAN_COL_ID);

  if (g_str_equal (state, "published"))
    {
      change = sui_pg_exec (call->conn,
                            "select id from plan_change"
                            " where plan_id = $1::bigint and state = 'approved' for update",
                            1, params, error);
      if (change == NULL)
        return NULL;
      if (PQntuples (change) == 0)
        {
          sui_state_error (error, "该计划的当前版本已经发布；如需修改，请先提出变更申请");
          return NULL;
        }
      change_id = PQgetvalue (change, 0, 0);
    }
  else if (!g_str_equal (state, "approved"))
    {
      sui_state_error (error, g_str_equal (state, "submitted")
                              ? "计划尚未经市局批准，批准后才能发布"
                              : "计划还是草稿，请先提交市局审核，批准后才能发布");
      return NULL;
    }

  revision = sui_pg_int_param (sui_pg_get_int (row, 0, SUI_PLAN_COL_REVISION) + 1);
  actor = sui_pg_int_param (call->user->id);
  params[1] = revision;
  params[2] = change_id;
  params[3] = actor;

  step = sui_pg_exec (call->conn,
                      "update task set published_revision = $2::integer"
                      " where plan_id = $1::bigint and published_revision is null",
                      2, params, error);
  if (step == NULL)
    return NULL;
  g_clear_pointer (&step, PQclear);

  step = sui_pg_exec (call->conn,
                      "insert into plan_revision (plan_id, revision, content, change_id,"
                      "                           published_by)"
                      " select p.id, $2::integer, jsonb_build_object ("
                      "   'plan', jsonb_build_object ('unit_id', p.unit_id, 'year', p.year,"
                      "                               'title', p.title, 'note', p.note)"
                      /* The plan's own sampling rows (0011), when it has any. */
                      "     || coalesce ((select jsonb_build_object ('ratios',"
                      "          jsonb_object_agg (r.risk_class, jsonb_build_object ("
                      "            'min_bp', r.min_bp, 'max_bp', r.max_bp,"
                      "            'default_bp', r.default_bp)))"
                      "        from plan_ratio r where r.plan_id = p.id"
                      "        having count (*) > 0), '{}'),"
                      "   'tasks', coalesce ((select jsonb_agg (" SUI_TASK_PLAN_FIELDS_SQL
                      "                       order by t.id)"
                      "                       from task t where t.plan_id = p.id), '[]')),"
                      "   $3::bigint, $4::bigint"
                      " from plan p where p.id = $1::bigint",
                      4, params, error);
  if (step == NULL)
    return NULL;
  g_clear_pointer (&step, PQclear);

  if (change_id != NULL)
    {
      const char *change_params[2] = { change_id, revision };

      step = sui_pg_exec (call->conn,
                          "update plan_change set state = 'published',"
                          " to_revision = $2::integer, published_at = now ()"
                          " where id = $1::bigint",
                          2, change_params, error);
      if (step == NULL)
        return NULL;
    }

  {
    const char *extra[1] = { revision };

    return change_plan (call, row,
                        "update plan set state = 'published', revision = $3::integer,"
                        " published_at = now (), version = version + 1, updated_at = now ()"
                        " where id = $1::bigint and $2::bigint is not null",
                        1, extra, error);
  }
}

/* ---- change requests ---------------------------------------------------------------- */

/* The change with this id (locked) and its plan's unit; -32004 / -32003. */
static PGresult *
load_change (SuiCall  *call,
             gint64    id,
             GError  **error)
{
  g_autofree char *id_text = sui_pg_int_param (id);
  const char *params[1] = { id_text };
  g_autoptr(PGresult) result = NULL;

  result = sui_pg_exec (call->conn,
                        "select c.id, c.plan_id, c.state, p.unit_id, " CHANGE_JSON_SQL
                        " from plan_change c join plan p on p.id = c.plan_id"
                        " where c.id = $1::bigint for update of c",
                        1, params, error);
  if (result == NULL)
    return NULL;
  if (PQntuples (result) != 1)
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_FOUND,
                           "该变更申请不存在，请刷新后再试");
      return NULL;
    }
  if (!sui_plans_check_unit (call, sui_pg_get_int (result, 0, 3), "计划", error))
    return NULL;
  return g_steal_pointer (&result);
}

static JsonNode *
change_json (SuiCall     *call,
             const char  *id_text,
             GError     **error)
{
  const char *params[1] = { id_text };

  return sui_pg_query_json (call->conn,
                            "select " CHANGE_JSON_SQL " from plan_change c where c.id = $1::bigint",
                            1, params, error);
}

static JsonNode *
plans_request_change (SuiCall  *call,
                      GError  **error)
{
  gint64 id = 0;
  const char *what_param = NULL, *why_param = NULL;
  g_autofree char *what = NULL, *why = NULL, *actor = NULL;
  g_autoptr(PGresult) row = NULL;
  g_autoptr(PGresult) made = NULL;
  g_autoptr(JsonNode) after = NULL;
  g_autoptr(JsonNode) plan = NULL;
  SuiValidation *v;
  const char *params[5];

  if (!sui_call_get_int (call, "id", TRUE, &id, error) ||
      !sui_call_get_string (call, "what", TRUE, &what_param, error) ||
      !sui_call_get_string (call, "why", TRUE, &why_param, error))
    return NULL;
  row = sui_plans_load (call, id, TRUE, error);
  if (row == NULL)
    return NULL;
  if (!g_str_equal (state_of (row), "published"))
    {
      sui_state_error (error, "计划尚未发布，可以直接修改，不需要变更申请");
      return NULL;
    }
  plan = sui_register_column_json (row, 0, SUI_PLAN_COL_JSON);
  if (!json_node_is_null (json_object_get_member (json_node_get_object (plan), "open_change")))
    {
      sui_state_error (error, "该计划已有一项未完成的变更，请等它发布或被驳回后再提出新的变更");
      return NULL;
    }

  what = g_strstrip (g_strdup (what_param));
  why = g_strstrip (g_strdup (why_param));
  v = sui_validation_new ();
  sui_register_check_text (v, "what", what, TRUE, 1000, "变更内容");
  sui_register_check_text (v, "why", why, TRUE, 1000, "变更理由");
  if (!sui_validation_finish (v, call, error))
    return NULL;

  actor = sui_pg_int_param (call->user->id);
  params[0] = PQgetvalue (row, 0, SUI_PLAN_COL_ID);
  params[1] = what;
  params[2] = why;
  params[3] = PQgetvalue (row, 0, SUI_PLAN_COL_REVISION);
  params[4] = actor;
  made = sui_pg_exec (call->conn,
                      "insert into plan_change (plan_id, what, why, from_revision, requested_by)"
                      " values ($1::bigint, $2, $3, $4::integer, $5::bigint) returning id",
                      5, params, error);
  if (made == NULL)
    return NULL;
  after = change_json (call, PQgetvalue (made, 0, 0), error);
  return sui_register_audit_after (call, "plans", PQgetvalue (row, 0, SUI_PLAN_COL_ID), NULL,
                                   g_steal_pointer (&after), error);
}

static JsonNode *
decide_change (SuiCall   *call,
               gboolean   approve,
               GError   **error)
{
  gint64 id = 0;
  const char *note_param = NULL;
  g_autofree char *note = NULL, *actor = NULL;
  g_autoptr(PGresult) row = NULL;
  g_autoptr(PGresult) done = NULL;
  g_autoptr(JsonNode) before = NULL;
  g_autoptr(JsonNode) after = NULL;
  SuiValidation *v;
  const char *params[4];

  if (!sui_call_get_int (call, "change_id", TRUE, &id, error) ||
      !sui_call_get_string (call, approve ? "note" : "reason", !approve, &note_param, error))
    return NULL;
  row = load_change (call, id, error);
  if (row == NULL)
    return NULL;
  if (!g_str_equal (PQgetvalue (row, 0, 2), "requested"))
    {
      sui_state_error (error, "该变更申请已经处理过，不能再次批准或驳回");
      return NULL;
    }

  note = note_param != NULL ? g_strstrip (g_strdup (note_param)) : NULL;
  v = sui_validation_new ();
  sui_register_check_text (v, approve ? "note" : "reason", note, !approve, 500,
                           approve ? "审批意见" : "驳回理由");
  if (!sui_validation_finish (v, call, error))
    return NULL;

  before = sui_register_column_json (row, 0, 4);
  actor = sui_pg_int_param (call->user->id);
  params[0] = PQgetvalue (row, 0, 0);
  params[1] = approve ? "approved" : "rejected";
  params[2] = actor;
  params[3] = note != NULL && *note != '\0' ? note : NULL;
  done = sui_pg_exec (call->conn,
                      "update plan_change set state = $2, decided_by = $3::bigint,"
                      " decided_at = now (), decision_note = $4 where id = $1::bigint",
                      4, params, error);
  if (done == NULL)
    return NULL;
  after = change_json (call, PQgetvalue (row, 0, 0), error);
  return sui_register_audit_after (call, "plans", PQgetvalue (row, 0, 1), before,
                                   g_steal_pointer (&after), error);
}

static JsonNode *
plans_approve_change (SuiCall  *call,
                      GError  **error)
{
  return decide_change (call, TRUE, error);
}

static JsonNode *
plans_reject_change (SuiCall  *call,
                     GError  **error)
{
  return decide_change (call, FALSE, error);
}

/* ---- plans.compare ------------------------------------------------------------------ */

static JsonNode *
plans_compare (SuiCall  *call,
               GError  **error)
{
  gint64 id = 0, from = 0, to = 0;
  g_autoptr(PGresult) row = NULL;
  g_autoptr(PGresult) found = NULL;
  g_autofree char *from_p = NULL, *to_p = NULL;
  const char *params[3];

  if (!sui_call_get_int (call, "id", TRUE, &id, error) ||
      !sui_call_get_int (call, "from_version", TRUE, &from, error) ||
      !sui_call_get_int (call, "to_version", TRUE, &to, error))
    return NULL;
  row = sui_plans_load (call, id, FALSE, error);
  if (row == NULL)
    return NULL;

  from_p = sui_pg_int_param (from);
  to_p = sui_pg_int_param (to);
  params[0] = PQgetvalue (row, 0, SUI_PLAN_COL_ID);
  params[1] = from_p;
  params[2] = to_p;
  found = sui_pg_exec (call->conn,
                       "select count (*) from plan_revision"
                       " where plan_id = $1::bigint and revision in ($2::integer, $3::integer)",
                       3, params, error);
  if (found == NULL)
    return NULL;
  if (sui_pg_get_int (found, 0, 0) != (from == to ? 1 : 2))
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_FOUND,
                           "要比较的计划版本不存在，请从已发布的版本中选择");
      return NULL;
    }

  /* sui_row_diff (migration 0002) gives the members that differ, before and after. */
  return sui_pg_query_json (call->conn,
                            "with a as (select content from plan_revision"
                            "           where plan_id = $1::bigint and revision = $2::integer),"
                            " b as (select content from plan_revision"
                            "       where plan_id = $1::bigint and revision = $3::integer),"
                            " ta as (select (e ->> 'id')::bigint as id, e as t"
                            "        from a, jsonb_array_elements (a.content -> 'tasks') e),"
                            " tb as (select (e ->> 'id')::bigint as id, e as t"
                            "        from b, jsonb_array_elements (b.content -> 'tasks') e)"
                            " select jsonb_build_object ("
                            "  'plan_id', $1::bigint, 'from_version', $2::integer,"
                            "  'to_version', $3::integer,"
                            "  'plan', (select jsonb_build_object ('before', coalesce (d.before,"
                            "             '{}'), 'after', d.after)"
                            "           from a, b, sui_row_diff (a.content -> 'plan',"
                            "                                    b.content -> 'plan') d),"
                            "  'added', coalesce ((select jsonb_agg (tb.t order by tb.id) from tb"
                            "     where not exists (select 1 from ta where ta.id = tb.id)), '[]'),"
                            "  'removed', coalesce ((select jsonb_agg (ta.t order by ta.id) from ta"
                            "     where not exists (select 1 from tb where tb.id = ta.id)), '[]'),"
                            "  'changed', coalesce ((select jsonb_agg (jsonb_build_object ("
                            "       'id', ta.id, 'name', tb.t ->> 'name',"
                            "       'before', d.before, 'after', d.after) order by ta.id)"
                            "     from ta join tb on tb.id = ta.id,"
                            "          sui_row_diff (ta.t, tb.t) d"
                            "     where d.after <> '{}'), '[]'))",
                            3, params, error);
}

static const SuiMethod plans_methods[] = {
  {
    .name = "plans.list",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .params = "[year]:integer, [unit_id]:integer, [state]:string, [after]:integer, "
              "[limit]:integer",
    .summary = "Annual plans (supervisors: their unit's), keyset-paged by id",
    .handler = plans_list,
  },
  {
    .name = "plans.get",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .params = "id:integer, [revision]:integer",
    .summary = "A plan with its tasks, published revisions and changes; or one revision",
    .handler = plans_get,
  },
  {
    .name = "plans.create",
    .roles = SUI_ROLE_SUPERVISOR,
    .writes = TRUE,
    .params = "year:integer, title:string, [note]:string",
    .summary = "Draft the caller's unit's plan for a year",
    .handler = plans_create,
  },
  {
    .name = "plans.update",
    .roles = SUI_ROLE_SUPERVISOR,
    .writes = TRUE,
    .params = "id:integer, version:integer, [title]:string, [note]:string",
    .summary = "Change a draft plan (or one with an approved change)",
    .handler = plans_update,
  },
  {
    .name = "plans.submit",
    .roles = SUI_ROLE_SUPERVISOR,
    .writes = TRUE,
    .params = "id:integer, version:integer",
    .summary = "Submit a draft plan with at least one task for approval",
    .handler = plans_submit,
  },
  {
    .name = "plans.approve",
    .roles = SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "id:integer, version:integer",
    .summary = "Approve a submitted plan",
    .handler = plans_approve,
  },
  {
    .name = "plans.reject",
    .roles = SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "id:integer, version:integer, reason:string",
    .summary = "Return a submitted plan to its unit as a draft, with a reason",
    .handler = plans_reject,
  },
  {
    .name = "plans.publish",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "id:integer, version:integer",
    .summary = "Publish an approved plan, or the next revision after an approved change",
    .handler = plans_publish,
  },
  {
    .name = "plans.request_change",
    .roles = SUI_ROLE_SUPERVISOR,
    .writes = TRUE,
    .params = "id:integer, what:string, why:string",
    .summary = "Ask to change a published plan",
    .handler = plans_request_change,
  },
  {
    .name = "plans.approve_change",
    .roles = SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "change_id:integer, [note]:string",
    .summary = "Approve a change request: the unit may then edit and re-publish the plan",
    .handler = plans_approve_change,
  },
  {
    .name = "plans.reject_change",
    .roles = SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "change_id:integer, reason:string",
    .summary = "Reject a change request, with a reason",
    .handler = plans_reject_change,
  },
  {
    .name = "plans.compare",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .params = "id:integer, from_version:integer, to_version:integer",
    .summary = "What changed between two published revisions of a plan",
    .handler = plans_compare,
  },
};

void
sui_plans_register (void)
{
  sui_methods_register (plans_methods, G_N_ELEMENTS (plans_methods));
}
