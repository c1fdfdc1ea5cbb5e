/* sui-draws.c: the draw of a task's objects — draws.run, draws.get, draws.export,
 * draws.verify, draws.request_void, draws.approve_void — and `shuangsuid --verify-draw`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The algorithm is common/sui-draw.c (docs/draw-algorithm.md); this file feeds it the
 * candidate set frozen by tasks.make_ready and keeps the record. A draw row is never
 * deleted: a voided one stays with its reason and approval, and the next draw of the task
 * gets a new secret.
 */
#include "sui-draws.h"

#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "sui-filter.h"
#include "sui-matching.h"
#include "sui-pg.h"
#include "sui-plans.h"

/* ---- shuangsuid --verify-draw FILE ------------------------------------------------- */

static const char *
step_label (int code)
{
  switch ((SuiDrawError) code)
    {
    case SUI_DRAW_ERROR_UNSUPPORTED:
      return "第 1 项 算法版本";
    case SUI_DRAW_ERROR_INVALID:
      return "第 2 项 记录格式";
    case SUI_DRAW_ERROR_COMMITMENT:
      return "第 3 项 承诺值";
    case SUI_DRAW_ERROR_CANDIDATE_HASH:
      return "第 4 项 候选名单哈希";
    case SUI_DRAW_ERROR_SEED:
      return "第 5 项 种子";
    case SUI_DRAW_ERROR_COUNT:
      return "第 6 项 候选数与抽取数";
    case SUI_DRAW_ERROR_RESULT:
      return "第 7 项 抽取结果";
    case SUI_DRAW_ERROR_RESULT_HASH:
      return "第 8 项 结果哈希";
    default:
      return "核验";
    }
}

/* The text member of a verified record, or "". */
static const char *
member_text (JsonObject *record,
             const char *member)
{
  JsonNode *node = json_object_get_member (record, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return "";
  return json_node_get_string (node);
}

int
sui_draws_verify_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autofree char *text = NULL;
  gsize length = 0;
  JsonObject *record;
  JsonArray *strata;
  guint drawn = 0;

  if (!g_file_get_contents (path, &text, &length, &error))
    {
      printf ("无法读取摇号记录文件：%s\n", error->message);
      return 1;
    }

  if (!sui_draw_verify_text (text, (gssize) length, &error))
    {
      printf ("摇号记录核验未通过（%s）：%s\n",
              error->domain == SUI_DRAW_ERROR ? step_label (error->code) : "核验",
              error->message);
      printf ("该记录与 %s 算法的重新计算结果不一致，不能作为有效的摇号记录。\n",
              SUI_DRAW_ALGORITHM);
      return 1;
    }

  /* It verified, so it parses and has the members the algorithm needs. */
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, text, (gssize) length, &error))
    {
      printf ("无法读取摇号记录文件：%s\n", error->message);
      return 1;
    }
  record = json_node_get_object (json_parser_get_root (parser));
  strata = json_object_get_array_member (record, "strata");

  printf ("摇号记录核验通过：按 %s 重新计算，承诺值、候选名单哈希、种子、各分层抽取结果和结果哈希"
          "全部一致。\n", member_text (record, "algorithm"));
  for (guint i = 0; i < json_array_get_length (strata); i++)
    {
      JsonObject *stratum = json_array_get_object_element (strata, i);

      drawn += (guint) json_object_get_int_member (stratum, "k");
      printf ("  分层 %s：候选 %" G_GINT64_FORMAT " 个，抽取 %" G_GINT64_FORMAT " 个\n",
              json_object_get_string_member (stratum, "name"),
              json_object_get_int_member (stratum, "n"),
              json_object_get_int_member (stratum, "k"));
    }
  printf ("  共抽取 %u 个\n", drawn);
  printf ("承诺值        %s\n", member_text (record, "commitment"));
  printf ("候选名单哈希  %s\n", member_text (record, "candidate_hash"));
  printf ("结果哈希      %s\n", member_text (record, "result_hash"));
  printf ("请把承诺值和候选名单哈希与摇号前（任务就绪时）公示的值核对：两者都相同，"
          "才能证明这就是当时公示的那次摇号。\n");
  return 0;
}


/* ---- shared with tasks.make_ready --------------------------------------------------- */

void
sui_draws_new_secret (char **secret_hex,
                      char **commitment_hex)
{
  guint8 secret[SUI_DRAW_SECRET_SIZE];
  guint8 commitment[SUI_DRAW_HASH_SIZE];

  randombytes_buf (secret, sizeof secret);
  sui_draw_commitment (secret, commitment);
  *secret_hex = sui_draw_hex (secret, sizeof secret);
  *commitment_hex = sui_draw_hex (commitment, sizeof commitment);
  sodium_memzero (secret, sizeof secret);
}

void
sui_draws_add_array (SuiDrawInput   *input,
                     SuiDrawStratum *stratum,
                     const char     *array_text)
{
  const char *p = array_text;

  /* "{1,2,3}": bigint elements are plain decimal, never quoted. */
  if (*p == '{')
    p++;
  while (*p != '\0' && *p != '}')
    {
      const char *end = p;
      char id[24];

      while (*end != ',' && *end != '}' && *end != '\0')
        end++;
      if (end > p && (gsize) (end - p) < sizeof id)
        {
          memcpy (id, p, end - p);
          id[end - p] = '\0';
          sui_draw_input_add_candidate (input, stratum, id);
        }
      p = *end == ',' ? end + 1 : end;
    }
}

/* What an audit row of a draw holds: the published values, never the secret before the
 * run. event is "committed", "run", "run_failed", "void_requested", "void_rejected" or
 * "voided". */
static gboolean
audit_draw (SuiCall     *call,
            const char  *draw_id,
            const char  *event,
            JsonNode    *extra,
            GError     **error)
{
  g_autofree char *extra_text = extra != NULL ? sui_json_to_string (extra) : NULL;
  const char *params[3] = { draw_id, event, extra_text };
  g_autoptr(JsonNode) after = NULL;

  after = sui_pg_query_json (call->conn,
                             "select jsonb_build_object ('event', $2::text,"
                             " 'draw_id', d.id, 'task_id', d.task_id, 'kind', d.kind,"
                             " 'state', d.state, 'algorithm', d.algorithm,"
                             " 'commitment', encode (d.commitment, 'hex'),"
                             " 'candidate_hash', encode (d.candidate_hash, 'hex'),"
                             " 'candidate_count', d.candidate_count,"
                             " 'secret', encode (d.secret, 'hex'), 'entropy', d.entropy,"
                             " 'seed', encode (d.seed, 'hex'),"
                             " 'result_hash', encode (d.result_hash, 'hex'),"
                             " 'replaces', d.replaces, 'void_reason', d.void_reason,"
                             " 'strata', (select jsonb_agg (jsonb_build_object ('name', s.name,"
                             "     'ratio_bp', s.ratio_bp, 'n', s.n, 'k', s.k) order by s.name)"
                             "   from draw_stratum s where s.draw_id = d.id))"
                             " || coalesce ($3::jsonb, '{}')"
                             " from draw_public d where d.id = $1::bigint",
                             3, params, error);
  if (after == NULL)
    return FALSE;
  return sui_audit_append (call, "draws", draw_id, NULL, after, error);
}

gboolean
sui_draws_audit_committed (SuiCall     *call,
                           const char  *draw_id,
                           GError     **error)
{
  return audit_draw (call, draw_id, "committed", NULL, error);
}

gboolean
sui_draws_audit_event (SuiCall     *call,
                       const char  *draw_id,
                       const char  *event,
                       JsonNode    *extra,
                       GError     **error)
{
  return audit_draw (call, draw_id, event, extra, error);
}

/* ---- loading ------------------------------------------------------------------------ */

enum { D_ID, D_TASK, D_UNIT, D_KIND, D_STATE, D_TASK_STATE, D_RUN, D_VOID_REQUESTED };

/* The draw (locked with its task when for_update) and its task's unit; -32004, -32003. */
static PGresult *
load_draw (SuiCall   *call,
           gint64     id,
           gboolean   for_update,
           GError   **error)
{
  g_autofree char *id_text = sui_pg_int_param (id);
  const char *params[1] = { id_text };
  g_autoptr(PGresult) result = NULL;

#define DRAW_SELECT \
  "select d.id, d.task_id, t.unit_id, d.kind, d.state, t.state, d.run_at is not null," \
  " d.void_requested_at is not null" \
  " from draw_public d join task t on t.id = d.task_id where d.id = $1::bigint"

  result = sui_pg_exec (call->conn, DRAW_SELECT, 1, params, error);
#undef DRAW_SELECT
  if (result == NULL)
    return NULL;
  if (PQntuples (result) != 1)
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_FOUND,
                           "该摇号记录不存在，请刷新后再试");
      return NULL;
    }
  if (!sui_plans_check_unit (call, sui_pg_get_int (result, 0, D_UNIT), "摇号记录", error))
    return NULL;
  if (for_update)
    {
      /* The task first, then the draw: the order draws.run takes them in. */
      g_autoptr(PGresult) locked = sui_pg_exec (call->conn,
                                                "select 1 from task t join draw d"
                                                " on d.task_id = t.id where d.id = $1::bigint"
                                                " for update",
                                                1, params, error);
      if (locked == NULL)
        return NULL;
      g_clear_pointer (&result, PQclear);
      return load_draw (call, id, FALSE, error);
    }
  return g_steal_pointer (&result);
}

/* The record of docs/draw-algorithm.md, plus who ran it and when and any void; built by
 * PostgreSQL from draw_public, so the secret is there only after the run. Candidates in
 * step-1 order (bytewise), strata by name. */
static JsonNode *
export_record (SuiCall     *call,
               const char  *draw_id,
               GError     **error)
{
  const char *params[1] = { draw_id };

  return sui_pg_query_json (call->conn,
                            "select jsonb_build_object ("
                            " 'algorithm', d.algorithm,"
                            " 'commitment', encode (d.commitment, 'hex'),"
                            " 'secret', encode (d.secret, 'hex'), 'entropy', d.entropy,"
                            " 'candidate_hash', encode (d.candidate_hash, 'hex'),"
                            " 'seed', encode (d.seed, 'hex'),"
                            " 'strata', coalesce ((select jsonb_agg (jsonb_build_object ("
                            "     'name', s.name, 'n', s.n, 'k', s.k,"
                            "     'candidates', coalesce ((select jsonb_agg (x::text"
                            "         order by x::text collate \"C\") from unnest (s.candidates) x),"
                            "       '[]'),"
                            "     'drawn', coalesce ((select jsonb_agg (u.x::text order by u.o)"
                            "         from unnest (s.drawn) with ordinality u (x, o)), '[]'))"
                            "     || case when s.ratio_bp is not null"
                            "             then jsonb_build_object ('ratio_bp', s.ratio_bp)"
                            "             else '{}' end"
                            "     order by s.name collate \"C\")"
                            "   from draw_stratum s where s.draw_id = d.id), '[]'),"
                            " 'result_hash', encode (d.result_hash, 'hex'),"
                            " 'draw_id', d.id, 'task_id', d.task_id, 'kind', d.kind,"
                            " 'state', d.state, 'committed_at', d.committed_at,"
                            " 'run_by', d.run_by,"
                            " 'run_by_name', (select u.name from app_user u where u.id = d.run_by),"
                            " 'run_at', d.run_at, 'replaces', d.replaces,"
                            " 'void_reason', d.void_reason, 'voided_at', d.voided_at,"
                            " 'void_approved_by', d.void_approved_by)"
                            " || coalesce ((select jsonb_build_object ("
                            "     'order', coalesce (to_jsonb (m.stratum_order),"
                            "               (select jsonb_agg (x::text order by o)"
                            "                from unnest (m.object_order) with ordinality u (x, o))),"
                            "     'capacity', (select jsonb_object_agg (c.i::text, c.v)"
                            "                  from unnest (m.capacity_ids, m.capacity_values) c (i, v)))"
                            "   from matching m where m.draw_id = d.id), '{}')"
                            " from draw_public d where d.id = $1::bigint and d.run_at is not null",
                            1, params, error);
}

/* ---- draws.run ---------------------------------------------------------------------- */

static JsonNode *draw_details (SuiCall     *call,
                               const char  *id,
                               GError     **error);

static gboolean
get_entropy (SuiCall    *call,
             GPtrArray **out,
             GError    **error)
{
  JsonNode *node = json_object_get_member (call->params, "entropy");
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (g_free);
  JsonArray *array;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      sui_call_set_error_data (call, json_from_string ("{\"field\": \"entropy\", "
                                                       "\"reason\": \"is required\"}", NULL));
      g_set_error (error, SUI_RPC_ERROR, SUI_RPC_ERROR_INVALID_PARAMS,
                   "缺少参数 entropy");
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_ARRAY (node))
    goto wrong;
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        goto wrong;
      g_ptr_array_add (entries, g_strdup (json_node_get_string (element)));
    }
  *out = g_steal_pointer (&entries);
  return TRUE;

wrong:
  sui_call_set_error_data (call, json_from_string ("{\"field\": \"entropy\", "
                                                   "\"reason\": \"must be an array of strings\"}",
                                                   NULL));
  g_set_error (error, SUI_RPC_ERROR, SUI_RPC_ERROR_INVALID_PARAMS,
               "参数 entropy 须为字符串数组");
  return FALSE;
}

/* Everything of the run but the audit row of a failure; inside a savepoint. */
static JsonNode *
run_draw (SuiCall    *call,
          PGresult   *task,
          GPtrArray  *entropy,
          char      **draw_id_out,
          GError    **error)
{
  const char *task_state = PQgetvalue (task, 0, 1);
  g_autoptr(PGresult) draw = NULL;
  g_autoptr(PGresult) strata = NULL;
  g_autoptr(PGresult) step = NULL;
  g_autoptr(SuiDrawInput) input = sui_draw_input_new ();
  g_autoptr(SuiDrawResult) result = NULL;
  g_autoptr(GError) draw_error = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonNode) entropy_json = NULL;
  g_autofree char *entropy_text = NULL, *entropy_checked = NULL;
  g_autofree char *seed = NULL, *result_hash = NULL, *actor = NULL, *drawn_count = NULL;
  guint64 total = 0;
  guint8 stored_hash[SUI_DRAW_HASH_SIZE];
  const char *params[7];

  if (!g_str_equal (task_state, "ready"))
    {
      sui_state_error (error, g_str_equal (task_state, "draft")
                              ? "任务还是草稿：请先将任务设为就绪（冻结候选名单并公示承诺值），再进行摇号"
                              : "该任务已经摇号；如需重新摇号，请申请作废本次摇号并经市局批准");
      return NULL;
    }

  /* Entropy first: a typing slip of a witness is the likely failure. */
  entropy_checked = sui_draw_entropy_text (entropy, &draw_error);
  if (entropy_checked == NULL)
    {
      SuiValidation *v = sui_validation_new ();

      sui_validation_add (v, "entropy", "invalid", draw_error->message);
      sui_validation_finish (v, call, error);
      return NULL;
    }

  /* The secret is read from the table itself: draws.run is the one reader before the run. */
  params[0] = PQgetvalue (task, 0, 0);
  draw = sui_pg_exec (call->conn,
                      "select id, encode (secret, 'hex'), encode (candidate_hash, 'hex')"
                      " from draw where task_id = $1::bigint and kind = 'objects'"
                      " and state = 'committed' for update",
                      1, params, error);
  if (draw == NULL)
    return NULL;
  if (PQntuples (draw) != 1)
    {
      sui_state_error (error, "该任务没有待摇号的记录，请重新将任务设为就绪");
      return NULL;
    }
  *draw_id_out = g_strdup (PQgetvalue (draw, 0, 0));

  params[0] = PQgetvalue (draw, 0, 0);
  strata = sui_pg_exec (call->conn,
                        "select name, ratio_bp, k, candidates::text from draw_stratum"
                        " where draw_id = $1::bigint order by name collate \"C\"",
                        1, params, error);
  if (strata == NULL)
    return NULL;

  if (!sui_draw_input_set_secret_hex (input, PQgetvalue (draw, 0, 1), &draw_error))
    goto internal;
  for (guint i = 0; i < entropy->len; i++)
    sui_draw_input_add_entropy (input, g_ptr_array_index (entropy, i));
  for (int r = 0; r < PQntuples (strata); r++)
    {
      SuiDrawStratum *stratum =
        PQgetisnull (strata, r, 1)
        ? sui_draw_input_add_stratum_k (input, PQgetvalue (strata, r, 0),
                                        (guint) sui_pg_get_int (strata, r, 2))
        : sui_draw_input_add_stratum (input, PQgetvalue (strata, r, 0),
                                      (int) sui_pg_get_int (strata, r, 1));

      sui_draws_add_array (input, stratum, PQgetvalue (strata, r, 3));
    }

  result = sui_draw_run (input, &draw_error);
  if (result == NULL)
    goto internal;

  /* The candidates must be those published at make_ready. */
  sui_draw_parse_hex (PQgetvalue (draw, 0, 2), stored_hash, sizeof stored_hash);
  if (memcmp (stored_hash, result->candidate_hash, sizeof stored_hash) != 0)
    {
      sui_state_error (error, "候选名单与就绪时公示的哈希不一致，摇号已停止；请联系管理员核查");
      return NULL;
    }

  for (guint i = 0; i < result->strata->len; i++)
    {
      SuiDrawStratumResult *stratum = g_ptr_array_index (result->strata, i);
      g_autoptr(GString) drawn = g_string_new ("{");
      g_autofree char *k = sui_pg_int_param (stratum->k);

      for (guint j = 0; j < stratum->drawn->len; j++)
        {
          if (j > 0)
            g_string_append_c (drawn, ',');
          g_string_append (drawn, g_ptr_array_index (stratum->drawn, j));
        }
      g_string_append_c (drawn, '}');
      total += stratum->k;

      params[0] = PQgetvalue (draw, 0, 0);
      params[1] = stratum->name;
      params[2] = k;
      params[3] = drawn->str;
      g_clear_pointer (&step, PQclear);
      step = sui_pg_exec (call->conn,
                          "update draw_stratum set k = $3::bigint, drawn = $4::bigint[]"
                          " where draw_id = $1::bigint and name = $2",
                          4, params, error);
      if (step == NULL)
        return NULL;
    }

  b = json_builder_new ();
  json_builder_begin_array (b);
  for (guint i = 0; i < entropy->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (entropy, i));
  json_builder_end_array (b);
  entropy_json = json_builder_get_root (b);
  entropy_text = sui_json_to_string (entropy_json);
  seed = sui_draw_hex (result->seed, SUI_DRAW_HASH_SIZE);
  result_hash = sui_draw_hex (result->result_hash, SUI_DRAW_HASH_SIZE);
  actor = sui_pg_int_param (call->user->id);
  drawn_count = sui_pg_int_param ((gint64) total);

  params[0] = PQgetvalue (draw, 0, 0);
  params[1] = entropy_text;
  params[2] = seed;
  params[3] = result_hash;
  params[4] = drawn_count;
  params[5] = actor;
  g_clear_pointer (&step, PQclear);
  step = sui_pg_exec (call->conn,
                      "update draw set state = 'run', entropy = $2::jsonb,"
                      " seed = decode ($3, 'hex'), result_hash = decode ($4, 'hex'),"
                      " drawn_count = $5::bigint, run_by = $6::bigint, run_at = now ()"
                      " where id = $1::bigint",
                      6, params, error);
  if (step == NULL)
    return NULL;

  params[0] = PQgetvalue (task, 0, 0);
  g_clear_pointer (&step, PQclear);
  step = sui_pg_exec (call->conn,
                      "update task set state = 'objects_drawn', version = version + 1,"
                      " updated_at = now () where id = $1::bigint",
                      1, params, error);
  if (step == NULL)
    return NULL;
  /* The secret of the inspector match is committed now, before anyone gives its entropy. */
  if (!sui_matching_commit (call, PQgetvalue (task, 0, 0), error))
    return NULL;

  if (!audit_draw (call, PQgetvalue (draw, 0, 0), "run", NULL, error))
    return NULL;
  /* Not the whole record: with a million candidates that is for draws.export. */
  return draw_details (call, PQgetvalue (draw, 0, 0), error);

internal:
  g_message ("draw of task %s: %s", PQgetvalue (task, 0, 0), draw_error->message);
  g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_INTERNAL,
                       "摇号计算失败，未保存任何结果；请联系管理员");
  return NULL;
}

/* Runs the committed draw of a task. A run that fails leaves nothing of itself but an
 * audit row saying so: the work is done in a savepoint that is rolled back, and the
 * transaction is committed with that row only. */
static JsonNode *
draws_run (SuiCall  *call,
           GError  **error)
{
  gint64 task_id = 0;
  g_autofree char *task_text = NULL;
  g_autofree char *draw_id = NULL;
  g_autoptr(GPtrArray) entropy = NULL;
  g_autoptr(PGresult) task = NULL;
  g_autoptr(PGresult) mark = NULL;
  g_autoptr(GError) failure = NULL;
  g_autoptr(JsonNode) record = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonNode) after = NULL;
  g_autoptr(PGresult) undo = NULL;
  const char *params[1];

  if (!sui_call_get_int (call, "task_id", TRUE, &task_id, error) ||
      !get_entropy (call, &entropy, error))
    return NULL;

  task_text = sui_pg_int_param (task_id);
  params[0] = task_text;
  task = sui_pg_exec (call->conn,
                      "select id, state, unit_id from task where id = $1::bigint for update",
                      1, params, error);
  if (task == NULL)
    return NULL;
  if (PQntuples (task) != 1)
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_FOUND,
                           "该抽查任务不存在，请刷新后再试");
      return NULL;
    }
  if (!sui_plans_check_unit (call, sui_pg_get_int (task, 0, 2), "抽查任务", error))
    return NULL;

  mark = sui_pg_exec (call->conn, "savepoint draw_run", 0, NULL, error);
  if (mark == NULL)
    return NULL;

  record = run_draw (call, task, entropy, &draw_id, &failure);
  if (record != NULL)
    return g_steal_pointer (&record);

  /* Keep the attempt on record, then answer with what went wrong. */
  undo = sui_pg_exec (call->conn, "rollback to savepoint draw_run", 0, NULL, NULL);
  if (undo != NULL)
    {
      g_autoptr(GError) audit_error = NULL;
      g_autoptr(JsonNode) data = NULL;

      b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "event");
      json_builder_add_string_value (b, "run_failed");
      json_builder_set_member_name (b, "task_id");
      json_builder_add_int_value (b, task_id);
      json_builder_set_member_name (b, "error_code");
      json_builder_add_int_value (b, failure->code);
      json_builder_set_member_name (b, "error");
      json_builder_add_string_value (b, failure->message);
      json_builder_set_member_name (b, "entropy");
      json_builder_begin_array (b);
      for (guint i = 0; i < entropy->len; i++)
        json_builder_add_string_value (b, g_ptr_array_index (entropy, i));
      json_builder_end_array (b);
      json_builder_end_object (b);
      after = json_builder_get_root (b);

      /* The validation data of the failure must survive the audit call. */
      data = call->error_data != NULL ? json_node_ref (call->error_data) : NULL;
      /* Without a draw (wrong state, bad entropy) the row names the task in `after`. */
      if (sui_audit_append (call, "draws", draw_id, NULL, after, &audit_error))
        call->commit_on_error = TRUE;
      else
        g_message ("could not audit a failed draw of task %s: %s", task_text,
                   audit_error->message);
      sui_call_set_error_data (call, g_steal_pointer (&data));
    }
  g_propagate_error (error, g_steal_pointer (&failure));
  return NULL;
}

/* ---- draws.get, draws.list, draws.export ------------------------------------------- */

static JsonNode *
draw_details (SuiCall     *call,
              const char  *id,
              GError     **error)
{
  const char *params[1] = { id };

  return sui_pg_query_json (call->conn,
                            "select " SUI_DRAW_SUMMARY_SQL " || jsonb_build_object ("
                            " 'task_name', (select t.name from task t where t.id = d.task_id),"
                            " 'strata', coalesce ((select jsonb_agg (jsonb_build_object ("
                            "     'name', s.name, 'ratio_bp', s.ratio_bp, 'n', s.n, 'k', s.k,"
                            "     'drawn', (select jsonb_agg (u.x::text order by u.o)"
                            "               from unnest (s.drawn) with ordinality u (x, o)))"
                            "     order by s.name collate \"C\")"
                            "   from draw_stratum s where s.draw_id = d.id), '[]'))"
                            " from draw_public d where d.id = $1::bigint",
                            1, params, error);
}

static JsonNode *
draws_get (SuiCall  *call,
           GError  **error)
{
  gint64 id = 0;
  g_autoptr(PGresult) row = NULL;

  if (!sui_call_get_int (call, "id", TRUE, &id, error))
    return NULL;
  row = load_draw (call, id, FALSE, error);
  if (row == NULL)
    return NULL;
  return draw_details (call, PQgetvalue (row, 0, D_ID), error);
}

static JsonNode *
draws_list (SuiCall  *call,
            GError  **error)
{
  gint64 task_id = 0;
  g_autofree char *task_text = NULL;
  g_autoptr(PGresult) task = NULL;
  const char *params[1];

  if (!sui_call_get_int (call, "task_id", TRUE, &task_id, error))
    return NULL;
  task_text = sui_pg_int_param (task_id);
  params[0] = task_text;
  task = sui_pg_exec (call->conn, "select unit_id from task where id = $1::bigint",
                      1, params, error);
  if (task == NULL)
    return NULL;
  if (PQntuples (task) != 1)
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_FOUND,
                           "该抽查任务不存在，请刷新后再试");
      return NULL;
    }
  if (!sui_plans_check_unit (call, sui_pg_get_int (task, 0, 0), "抽查任务", error))
    return NULL;
  return sui_pg_query_json (call->conn,
                            "select jsonb_build_object ('items', coalesce (jsonb_agg ("
                            SUI_DRAW_SUMMARY_SQL " order by d.id), '[]'))"
                            " from draw_public d where d.task_id = $1::bigint",
                            1, params, error);
}

static JsonNode *
draws_export (SuiCall  *call,
              GError  **error)
{
  gint64 id = 0;
  g_autoptr(PGresult) row = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *record;

  if (!sui_call_get_int (call, "id", TRUE, &id, error))
    return NULL;
  row = load_draw (call, id, FALSE, error);
  if (row == NULL)
    return NULL;
  record = export_record (call, PQgetvalue (row, 0, D_ID), &local_error);
  if (record == NULL && local_error == NULL)
    sui_state_error (&local_error, "尚未摇号：摇号前只公示承诺值和候选名单哈希，摇号后才能导出完整记录");
  if (record == NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return record;
}

/* ---- draws.verify ------------------------------------------------------------------- */

static void
add_id_array (JsonBuilder *b,
              const char  *array_text)
{
  const char *p = array_text;

  json_builder_begin_array (b);
  if (*p == '{')
    p++;
  while (*p != '\0' && *p != '}')
    {
      const char *end = p;
      char id[24];

      while (*end != ',' && *end != '}' && *end != '\0')
        end++;
      if (end > p && (gsize) (end - p) < sizeof id)
        {
          memcpy (id, p, end - p);
          id[end - p] = '\0';
          json_builder_add_string_value (b, id);
        }
      p = *end == ',' ? end + 1 : end;
    }
  json_builder_end_array (b);
}

/* The order and capacities of an inspector match (shuangsui-match/1), if it is one. */
static gboolean
add_match_members (SuiCall      *call,
                   JsonBuilder  *b,
                   const char   *draw_id,
                   GError      **error)
{
  const char *params[1] = { draw_id };
  g_autoptr(PGresult) match = NULL;
  g_auto(GStrv) ids = NULL, values = NULL;

  match = sui_pg_exec (call->conn,
                       "select coalesce (stratum_order::text, object_order::text),"
                       " array_to_string (capacity_ids, ','), array_to_string (capacity_values, ',')"
                       " from matching where draw_id = $1::bigint",
                       1, params, error);
  if (match == NULL)
    return FALSE;
  if (PQntuples (match) != 1)
    return TRUE;
  json_builder_set_member_name (b, "order");
  add_id_array (b, PQgetvalue (match, 0, 0));
  json_builder_set_member_name (b, "capacity");
  json_builder_begin_object (b);
  ids = g_strsplit (PQgetvalue (match, 0, 1), ",", -1);
  values = g_strsplit (PQgetvalue (match, 0, 2), ",", -1);
  for (guint i = 0; ids[i] != NULL && values[i] != NULL && *ids[i] != '\0'; i++)
    {
      json_builder_set_member_name (b, ids[i]);
      json_builder_add_int_value (b, g_ascii_strtoll (values[i], NULL, 10));
    }
  json_builder_end_object (b);
  return TRUE;
}

/* The same record as export_record (the members verification reads), built here from the
 * arrays as stored: sorting and aggregating a million ids as jsonb in PostgreSQL takes
 * seconds, and a record's candidates may come in any order. NULL without error before
 * the run. */
static JsonNode *
verify_record (SuiCall     *call,
               const char  *draw_id,
               PGresult   **strata_out,
               GError     **error)
{
  const char *params[1] = { draw_id };
  g_autoptr(PGresult) draw = NULL;
  g_autoptr(PGresult) strata = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  static const char *const hex_members[] = { "commitment", "secret", "candidate_hash", "seed",
                                             "result_hash" };

  draw = sui_pg_exec (call->conn,
                      "select algorithm, encode (commitment, 'hex'), encode (secret, 'hex'),"
                      " encode (candidate_hash, 'hex'), encode (seed, 'hex'),"
                      " encode (result_hash, 'hex'), entropy::text"
                      " from draw_public where id = $1::bigint and run_at is not null",
                      1, params, error);
  if (draw == NULL || PQntuples (draw) != 1)
    return NULL;
  strata = sui_pg_exec (call->conn,
                        "select name, ratio_bp, n, k, candidates::text, drawn::text"
                        " from draw_stratum where draw_id = $1::bigint",
                        1, params, error);
  if (strata == NULL)
    return NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "algorithm");
  json_builder_add_string_value (b, PQgetvalue (draw, 0, 0));
  for (guint i = 0; i < G_N_ELEMENTS (hex_members); i++)
    {
      json_builder_set_member_name (b, hex_members[i]);
      json_builder_add_string_value (b, PQgetvalue (draw, 0, 1 + (int) i));
    }
  json_builder_set_member_name (b, "entropy");
  json_builder_add_value (b, json_from_string (PQgetvalue (draw, 0, 6), NULL));
  json_builder_set_member_name (b, "strata");
  json_builder_begin_array (b);
  for (int r = 0; r < PQntuples (strata); r++)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, PQgetvalue (strata, r, 0));
      if (!PQgetisnull (strata, r, 1))
        {
          json_builder_set_member_name (b, "ratio_bp");
          json_builder_add_int_value (b, sui_pg_get_int (strata, r, 1));
        }
      json_builder_set_member_name (b, "n");
      json_builder_add_int_value (b, sui_pg_get_int (strata, r, 2));
      json_builder_set_member_name (b, "k");
      json_builder_add_int_value (b, sui_pg_get_int (strata, r, 3));
      /* Left empty here: fill_candidates() puts them straight into the input. */
      json_builder_set_member_name (b, "candidates");
      json_builder_begin_array (b);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "drawn");
      add_id_array (b, PQgetvalue (strata, r, 5));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  if (!add_match_members (call, b, draw_id, error))
    return NULL;
  json_builder_end_object (b);
  *strata_out = g_steal_pointer (&strata);
  return json_builder_get_root (b);
}

/* The candidates of each stratum, from the array text of verify_record()'s rows (in the
 * order of the record's strata, so of the input's), into the input's string chunk. */
static void
fill_candidates (SuiDrawInput *input,
                 PGresult     *strata)
{
  for (int r = 0; r < PQntuples (strata) && (guint) r < input->strata->len; r++)
    {
      SuiDrawStratum *stratum = g_ptr_array_index (input->strata, r);
      const char *p = PQgetvalue (strata, r, 4);

      if (*p == '{')
        p++;
      while (*p != '\0' && *p != '}')
        {
          const char *end = p;

          while (*end != ',' && *end != '}' && *end != '\0')
            end++;
          if (end > p)
            g_ptr_array_add (stratum->candidates,
                             g_string_chunk_insert_len (input->text, p, end - p));
          p = *end == ',' ? end + 1 : end;
        }
    }
}

static const char *
step_code (GError *error)
{
  static const char *const codes[] = {
    [SUI_DRAW_ERROR_INVALID] = "invalid",
    [SUI_DRAW_ERROR_UNSUPPORTED] = "unsupported",
    [SUI_DRAW_ERROR_COMMITMENT] = "commitment",
    [SUI_DRAW_ERROR_CANDIDATE_HASH] = "candidate_hash",
    [SUI_DRAW_ERROR_SEED] = "seed",
    [SUI_DRAW_ERROR_COUNT] = "count",
    [SUI_DRAW_ERROR_RESULT] = "result",
    [SUI_DRAW_ERROR_RESULT_HASH] = "result_hash",
  };

  if (error->domain == SUI_DRAW_ERROR && error->code >= 0 &&
      (gsize) error->code < G_N_ELEMENTS (codes))
    return codes[error->code];
  return "invalid";
}

/* Recomputes the stored record, then compares its commitment and candidate hash with the
 * ones published (in the hash-chained audit log) when the draw was committed, and its
 * result hash with the one published when it was run. */
static JsonNode *
draws_verify (SuiCall  *call,
              GError  **error)
{
  gint64 id = 0;
  g_autoptr(PGresult) row = NULL;
  g_autoptr(PGresult) published = NULL;
  g_autoptr(JsonNode) record = NULL;
  g_autoptr(PGresult) strata = NULL;
  g_autoptr(SuiDrawInput) input = NULL;
  g_autoptr(GError) verify_error = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *problem = NULL;
  const char *step = NULL;
  const char *params[1];
  JsonObject *object;

  if (!sui_call_get_int (call, "id", TRUE, &id, error))
    return NULL;
  row = load_draw (call, id, FALSE, error);
  if (row == NULL)
    return NULL;
  params[0] = PQgetvalue (row, 0, D_ID);

  record = verify_record (call, params[0], &strata, error);
  if (record == NULL)
    {
      if (error == NULL || *error == NULL)
        sui_state_error (error, "尚未摇号，无法核验；摇号前可核对已公示的承诺值和候选名单哈希");
      return NULL;
    }
  object = json_node_get_object (record);

  published = sui_pg_exec (call->conn,
                           "select (select a.after ->> 'commitment' from audit_log a"
                           "        where a.area = 'draws' and a.record_id = $1"
                           "          and a.after ->> 'event' = 'committed'"
                           "        order by a.seq limit 1),"
                           "       (select a.after ->> 'candidate_hash' from audit_log a"
                           "        where a.area = 'draws' and a.record_id = $1"
                           "          and a.after ->> 'event' = 'committed'"
                           "        order by a.seq limit 1),"
                           "       (select a.after ->> 'result_hash' from audit_log a"
                           "        where a.area = 'draws' and a.record_id = $1"
                           "          and a.after ->> 'event' = 'run'"
                           "        order by a.seq limit 1),"
                           "       (select to_json (a.at) #>> '{}' from audit_log a"
                           "        where a.area = 'draws' and a.record_id = $1"
                           "          and a.after ->> 'event' = 'committed'"
                           "        order by a.seq limit 1)",
                           1, params, error);
  if (published == NULL)
    return NULL;

  input = sui_draw_input_new_from_record (record, &verify_error);
  if (input != NULL)
    fill_candidates (input, strata);
  if (input == NULL || !sui_draw_verify_input (input, record, &verify_error))
    {
      step = step_code (verify_error);
      problem = g_strdup (verify_error->message);
    }
  else
    {
      static const struct { const char *member; int column; const char *code; const char *label; }
      checks[] = {
        { "commitment", 0, "published_commitment", "承诺值" },
        { "candidate_hash", 1, "published_candidate_hash", "候选名单哈希" },
        { "result_hash", 2, "published_result_hash", "结果哈希" },
      };

      for (gsize i = 0; i < G_N_ELEMENTS (checks) && step == NULL; i++)
        {
          const char *recorded = json_object_get_string_member (object, checks[i].member);

          if (PQgetisnull (published, 0, checks[i].column))
            {
              step = checks[i].code;
              problem = g_strdup_printf ("审计日志中找不到公示的%s，无法证明这就是当时公示的摇号",
                                         checks[i].label);
            }
          else if (g_ascii_strcasecmp (recorded, PQgetvalue (published, 0, checks[i].column)) != 0)
            {
              step = checks[i].code;
              problem = g_strdup_printf ("%s与公示的不一致：记录为 %s，公示为 %s",
                                         checks[i].label, recorded,
                                         PQgetvalue (published, 0, checks[i].column));
            }
        }
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ok");
  json_builder_add_boolean_value (b, step == NULL);
  json_builder_set_member_name (b, "draw_id");
  json_builder_add_int_value (b, id);
  json_builder_set_member_name (b, "algorithm");
  json_builder_add_string_value (b, json_object_get_string_member (object, "algorithm"));
  json_builder_set_member_name (b, "step");
  if (step != NULL)
    json_builder_add_string_value (b, step);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "problem");
  if (problem != NULL)
    json_builder_add_string_value (b, problem);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "published");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "commitment");
  json_builder_add_string_value (b, PQgetvalue (published, 0, 0));
  json_builder_set_member_name (b, "candidate_hash");
  json_builder_add_string_value (b, PQgetvalue (published, 0, 1));
  json_builder_set_member_name (b, "result_hash");
  json_builder_add_string_value (b, PQgetvalue (published, 0, 2));
  json_builder_set_member_name (b, "committed_at");
  json_builder_add_string_value (b, PQgetvalue (published, 0, 3));
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* ---- voiding ------------------------------------------------------------------------ */

static JsonNode *
draw_summary (SuiCall     *call,
              const char  *id,
              GError     **error)
{
  const char *params[1] = { id };

  return sui_pg_query_json (call->conn,
                            "select " SUI_DRAW_SUMMARY_SQL " from draw_public d"
                            " where d.id = $1::bigint",
                            1, params, error);
}

static JsonNode *
draws_request_void (SuiCall  *call,
                    GError  **error)
{
  gint64 id = 0;
  const char *reason_param = NULL;
  g_autofree char *reason = NULL, *actor = NULL;
  g_autoptr(PGresult) row = NULL;
  g_autoptr(PGresult) done = NULL;
  SuiValidation *v;
  const char *params[3];

  if (!sui_call_get_int (call, "id", TRUE, &id, error) ||
      !sui_call_get_string (call, "reason", TRUE, &reason_param, error))
    return NULL;
  row = load_draw (call, id, TRUE, error);
  if (row == NULL)
    return NULL;
  if (!g_str_equal (PQgetvalue (row, 0, D_STATE), "run"))
    {
      sui_state_error (error, g_str_equal (PQgetvalue (row, 0, D_STATE), "voided")
                              ? "该摇号已经作废"
                              : "尚未摇号，不需要作废；请先进行摇号");
      return NULL;
    }
  if (sui_pg_get_bool (row, 0, D_VOID_REQUESTED))
    {
      sui_state_error (error, "已经申请作废，正在等待市局审批");
      return NULL;
    }

  reason = g_strstrip (g_strdup (reason_param));
  v = sui_validation_new ();
  if (*reason == '\0')
    sui_validation_add (v, "reason", "required", "请填写作废理由");
  else if (g_utf8_strlen (reason, -1) > 500)
    sui_validation_add (v, "reason", "too_long", "作废理由不能超过 500 个字符，请缩短");
  if (!sui_validation_finish (v, call, error))
    return NULL;

  actor = sui_pg_int_param (call->user->id);
  params[0] = PQgetvalue (row, 0, D_ID);
  params[1] = reason;
  params[2] = actor;
  done = sui_pg_exec (call->conn,
                      "update draw set void_reason = $2, void_requested_by = $3::bigint,"
                      " void_requested_at = now () where id = $1::bigint",
                      3, params, error);
  if (done == NULL || !audit_draw (call, params[0], "void_requested", NULL, error))
    return NULL;
  return draw_summary (call, params[0], error);
}

static JsonNode *
draws_reject_void (SuiCall  *call,
                   GError  **error)
{
  gint64 id = 0;
  const char *reason_param = NULL;
  g_autofree char *reason = NULL;
  g_autoptr(PGresult) row = NULL;
  g_autoptr(PGresult) done = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) extra = NULL;
  SuiValidation *v;
  const char *params[1];

  if (!sui_call_get_int (call, "id", TRUE, &id, error) ||
      !sui_call_get_string (call, "reason", TRUE, &reason_param, error))
    return NULL;
  row = load_draw (call, id, TRUE, error);
  if (row == NULL)
    return NULL;
  if (!g_str_equal (PQgetvalue (row, 0, D_STATE), "run") ||
      !sui_pg_get_bool (row, 0, D_VOID_REQUESTED))
    {
      sui_state_error (error, "该摇号没有待审批的作废申请");
      return NULL;
    }
  reason = g_strstrip (g_strdup (reason_param));
  v = sui_validation_new ();
  if (*reason == '\0')
    sui_validation_add (v, "reason", "required", "请填写驳回理由");
  if (!sui_validation_finish (v, call, error))
    return NULL;

  /* The request (with its reason) is in the audit log; the draw goes back to plain run. */
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "reject_reason");
  json_builder_add_string_value (b, reason);
  json_builder_end_object (b);
  extra = json_builder_get_root (b);

  params[0] = PQgetvalue (row, 0, D_ID);
  done = sui_pg_exec (call->conn,
                      "update draw set void_reason = null, void_requested_by = null,"
                      " void_requested_at = null where id = $1::bigint",
                      1, params, error);
  if (done == NULL || !audit_draw (call, params[0], "void_rejected", extra, error))
    return NULL;
  return draw_summary (call, params[0], error);
}

/* The admin approves a void: the draw stays, voided; the task goes back to ready with a
 * new committed draw over the same frozen candidates and a new secret. */
static JsonNode *
draws_approve_void (SuiCall  *call,
                    GError  **error)
{
  gint64 id = 0;
  g_autoptr(PGresult) row = NULL;
  g_autoptr(PGresult) step = NULL;
  g_autoptr(PGresult) made = NULL;
  g_autofree char *actor = NULL, *secret = NULL, *commitment = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  const char *params[4];

  if (!sui_call_get_int (call, "id", TRUE, &id, error))
    return NULL;
  row = load_draw (call, id, TRUE, error);
  if (row == NULL)
    return NULL;
  if (!g_str_equal (PQgetvalue (row, 0, D_STATE), "run") ||
      !sui_pg_get_bool (row, 0, D_VOID_REQUESTED))
    {
      sui_state_error (error, "该摇号没有待审批的作废申请；请先由直属单位提出作废申请并说明理由");
      return NULL;
    }
  if (g_str_equal (PQgetvalue (row, 0, D_KIND), "objects") &&
      !g_str_equal (PQgetvalue (row, 0, D_TASK_STATE), "objects_drawn"))
    {
      sui_state_error (error, "任务已匹配检查人员或已开始检查，请先作废人员匹配，再作废对象摇号");
      return NULL;
    }

  if (g_str_equal (PQgetvalue (row, 0, D_KIND), "inspectors") &&
      !g_str_equal (PQgetvalue (row, 0, D_TASK_STATE), "inspectors_drawn"))
    {
      sui_state_error (error, "任务已开始检查，不能再作废人员匹配");
      return NULL;
    }

  actor = sui_pg_int_param (call->user->id);
  params[0] = PQgetvalue (row, 0, D_ID);
  params[1] = actor;
  step = sui_pg_exec (call->conn,
                      "update draw set state = 'voided', void_approved_by = $2::bigint,"
                      " voided_at = now () where id = $1::bigint",
                      2, params, error);
  if (step == NULL || !audit_draw (call, params[0], "voided", NULL, error))
    return NULL;
  g_clear_pointer (&step, PQclear);

  /* A voided match keeps its assignments and exclusions (as history); the task goes back
   * to objects_drawn and the next match gets a new committed secret. */
  if (g_str_equal (PQgetvalue (row, 0, D_KIND), "inspectors"))
    {
      params[0] = PQgetvalue (row, 0, D_TASK);
      step = sui_pg_exec (call->conn,
                          "update task set state = 'objects_drawn', version = version + 1,"
                          " updated_at = now () where id = $1::bigint",
                          1, params, error);
      if (step == NULL || !sui_matching_commit (call, PQgetvalue (row, 0, D_TASK), error))
        return NULL;
      {
        g_autoptr(JsonNode) voided = draw_summary (call, PQgetvalue (row, 0, D_ID), error);

        if (voided == NULL)
          return NULL;
        json_builder_begin_object (b);
        json_builder_set_member_name (b, "voided");
        json_builder_add_value (b, g_steal_pointer (&voided));
        json_builder_set_member_name (b, "next");
        json_builder_add_null_value (b);
        json_builder_end_object (b);
      }
      return json_builder_get_root (b);
    }

  sui_draws_new_secret (&secret, &commitment);
  params[1] = secret;
  params[2] = commitment;
  params[3] = actor;
  made = sui_pg_exec (call->conn,
                      "insert into draw (task_id, kind, algorithm, replaces, secret, commitment,"
                      "                  candidate_hash, candidate_count, committed_by)"
                      " select task_id, kind, algorithm, id, decode ($2, 'hex'),"
                      "        decode ($3, 'hex'), candidate_hash, candidate_count, $4::bigint"
                      " from draw where id = $1::bigint returning id",
                      4, params, error);
  if (made == NULL)
    return NULL;
  params[1] = PQgetvalue (made, 0, 0);
  step = sui_pg_exec (call->conn,
                      "insert into draw_stratum (draw_id, name, ratio_bp, k, n, candidates)"
                      " select $2::bigint, name, ratio_bp,"
                      "        case when ratio_bp is null then k end, n, candidates"
                      " from draw_stratum where draw_id = $1::bigint",
                      2, params, error);
  if (step == NULL)
    return NULL;
  g_clear_pointer (&step, PQclear);

  params[0] = PQgetvalue (row, 0, D_TASK);
  step = sui_pg_exec (call->conn,
                      "update task set state = 'ready', version = version + 1,"
                      " updated_at = now () where id = $1::bigint",
                      1, params, error);
  if (step == NULL || !sui_draws_audit_committed (call, PQgetvalue (made, 0, 0), error))
    return NULL;

  {
    g_autoptr(JsonNode) voided = draw_summary (call, PQgetvalue (row, 0, D_ID), error);
    g_autoptr(JsonNode) next = NULL;

    if (voided == NULL)
      return NULL;
    next = draw_summary (call, PQgetvalue (made, 0, 0), error);
    if (next == NULL)
      return NULL;
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "voided");
    json_builder_add_value (b, g_steal_pointer (&voided));
    json_builder_set_member_name (b, "next");
    json_builder_add_value (b, g_steal_pointer (&next));
    json_builder_end_object (b);
  }
  return json_builder_get_root (b);
}

static const SuiMethod draws_methods[] = {
  {
    .name = "draws.run",
    .roles = SUI_ROLE_SUPERVISOR,
    .writes = TRUE,
    .params = "task_id:integer, entropy:array",
    .summary = "Run a ready task's object draw with the entropy given in public",
    .handler = draws_run,
  },
  {
    .name = "draws.get",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .params = "id:integer",
    .summary = "A draw with its strata and drawn ids (the secret only after the run)",
    .handler = draws_get,
  },
  {
    .name = "draws.list",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .params = "task_id:integer",
    .summary = "Every draw of a task, voided ones included",
    .handler = draws_list,
  },
  {
    .name = "draws.export",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .params = "id:integer",
    .summary = "The full record of a run draw (docs/draw-algorithm.md), for --verify-draw",
    .handler = draws_export,
  },
  {
    .name = "draws.verify",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .params = "id:integer",
    .summary = "Recompute a draw and compare it with what was published before and at the run",
    .handler = draws_verify,
  },
  {
    .name = "draws.request_void",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "id:integer, reason:string",
    .summary = "Ask to void a run draw, with a reason",
    .handler = draws_request_void,
  },
  {
    .name = "draws.approve_void",
    .roles = SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "id:integer",
    .summary = "Void a draw (it stays on record); the task gets a new secret and is ready again",
    .handler = draws_approve_void,
  },
  {
    .name = "draws.reject_void",
    .roles = SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "id:integer, reason:string",
    .summary = "Refuse a request to void a draw, with a reason",
    .handler = draws_reject_void,
  },
};

void
sui_draws_register (void)
{
  sui_methods_register (draws_methods, G_N_ELEMENTS (draws_methods));
}
