/* sui-joint.c: tasks.departments, tasks.add_department, tasks.remove_department,
 * tasks.update_department, tasks.confirm_department, reports.joint_share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A joint task (一业一查) is led by the unit that owns it (发起部门): it draws the objects
 * once.  Its supervisors invite partner departments (配合部门, units of kind department);
 * each partner's supervisors then fill in their part — the items they check, from their own
 * item list, how many of their inspectors go to every object and the tags those need — and
 * confirm it.  The task can be made ready only when every part is confirmed, and the match
 * forms one team per part for every object (sui-matching.c), so that every object gets one
 * visit covering all the parts' items.  Parts change only while the task is a draft of an
 * editable plan; a change to a confirmed part withdraws its confirmation.
 */
#include "sui-joint.h"

#include "sui-call.h"
#include "sui-filter.h"
#include "sui-pg.h"
#include "sui-plans.h"

#define MAX_NOTE 2000
#define MAX_REASON 500

/* A part's items with what a reader of another unit cannot look up in its own list: the
 * item's code, name and level and the method's name. */
#define ITEMS_JSON_SQL(column) \
  "(select coalesce (jsonb_agg (x.e || jsonb_build_object ('code', i.code, 'name', i.name," \
  "   'level', i.level, 'method_name', m.name) order by x.o), '[]'::jsonb)" \
  "  from jsonb_array_elements (" column ") with ordinality x (e, o)" \
  "  left join item i on i.id = (x.e ->> 'item_id')::bigint" \
  "  left join check_method m on m.code = x.e ->> 'method')"

#define PART_JSON_SQL \
  "jsonb_build_object ('id', d.id, 'task_id', d.task_id, 'unit_id', d.unit_id," \
  " 'unit_name', u.name, 'items', " ITEMS_JSON_SQL ("d.items") "," \
  " 'inspectors_per_object', d.inspectors_per_object," \
  " 'inspector_tag_ids', to_jsonb (d.inspector_tag_ids), 'note', d.note," \
  " 'confirmed', d.confirmed_at is not null, 'confirmed_by', d.confirmed_by," \
  " 'confirmed_by_name', (select c.name from app_user c where c.id = d.confirmed_by)," \
  " 'confirmed_at', d.confirmed_at, 'version', d.version," \
  " 'inspectors_on_duty', (select count (*) from inspector i" \
  "                        join inspector_status s on s.code = i.status" \
  "                        where i.unit_id = d.unit_id and s.assignable))"

/* The task (locked for a write), with its plan's editability; columns below. */
#define TASK_SQL \
  "select t.id, t.unit_id, t.state," \
  " (p.state = 'draft' or (p.state = 'published' and exists (" \
  "   select 1 from plan_change c where c.plan_id = p.id and c.state = 'approved')))," \
  " t.name from task t join plan p on p.id = t.plan_id where t.id = $1::bigint"

enum
{
  T_ID, T_UNIT, T_STATE, T_EDITABLE, T_NAME,
};

static PGresult *
load_task (SuiCall   *call,
           gint64     task_id,
           gboolean   for_update,
           GError   **error)
{
  g_autofree char *id = sui_pg_int_param (task_id);
  const char *params[1] = { id };
  g_autoptr(PGresult) row = NULL;

  row = sui_pg_exec (call->conn,
                     for_update ? TASK_SQL " for update of t" : TASK_SQL,
                     1, params, error);
  if (row == NULL)
    return NULL;
  if (PQntuples (row) != 1)
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_FOUND,
                           "该抽查任务不存在，请刷新后再试");
      return NULL;
    }
  return g_steal_pointer (&row);
}

static gboolean
forbidden (GError     **error,
           const char  *message)
{
  g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_FORBIDDEN, message);
  return FALSE;
}

/* Only while the task is a draft of an editable plan. */
static gboolean
check_draft (PGresult  *task,
             GError   **error)
{
  if (!g_str_equal (PQgetvalue (task, 0, T_STATE), "draft"))
    return sui_state_error (error, "任务已不是草稿，联合部门及其分工不能再改；"
                                   "如需调整，请通过计划变更处理");
  if (!sui_pg_get_bool (task, 0, T_EDITABLE))
    return sui_state_error (error, "所属计划当前不可修改；请先提出计划变更并经市局批准");
  return TRUE;
}

/* The caller leads the task (a supervisor of its unit). */
static gboolean
check_lead (SuiCall   *call,
            PGresult  *task,
            GError   **error)
{
  if (call->user->role != SUI_ROLE_SUPERVISOR ||
      call->user->unit_id != sui_pg_get_int (task, 0, T_UNIT))
    return forbidden (error, "只有发起任务的单位的监管人员可以邀请或移除联合部门");
  return TRUE;
}

/* The caller works at the partner unit_id. */
static gboolean
check_partner (SuiCall  *call,
               gint64    unit_id,
               GError  **error)
{
  if (call->user->role != SUI_ROLE_SUPERVISOR || call->user->unit_id != unit_id)
    return forbidden (error, "只有该联合部门自己的监管人员可以填写或确认本部门的分工");
  return TRUE;
}

static JsonNode *
part_json (SuiCall      *call,
           const char   *task_id,
           const char   *unit_id,
           GError      **error)
{
  const char *params[2] = { task_id, unit_id };

  return sui_pg_query_json (call->conn,
                            "select " PART_JSON_SQL " from task_department d"
                            " join unit u on u.id = d.unit_id"
                            " where d.task_id = $1::bigint and d.unit_id = $2::bigint",
                            2, params, error);
}

/* The part of unit_id in the task, locked: -32004 when the department takes no part. */
static PGresult *
load_part (SuiCall     *call,
           const char  *task_id,
           const char  *unit_id,
           GError     **error)
{
  const char *params[2] = { task_id, unit_id };
  g_autoptr(PGresult) row = NULL;

  row = sui_pg_exec (call->conn,
                     "select d.id, d.version, d.items::text, d.inspectors_per_object,"
                     " d.inspector_tag_ids::text, d.note, d.confirmed_at is not null"
                     " from task_department d"
                     " where d.task_id = $1::bigint and d.unit_id = $2::bigint for update",
                     2, params, error);
  if (row == NULL)
    return NULL;
  if (PQntuples (row) != 1)
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_FOUND,
                           "该部门没有参与这项联合任务，请刷新后再试");
      return NULL;
    }
  return g_steal_pointer (&row);
}

/* The caller's own part of a draft task, locked and at the version they saw: what
 * tasks.update_department and tasks.confirm_department start from. */
static PGresult *
load_own_part (SuiCall     *call,
               gint64       task_id,
               gint64       unit_id,
               gint64       version,
               char       **task_text,
               char       **unit_text,
               GError     **error)
{
  g_autoptr(PGresult) task = NULL;
  g_autoptr(PGresult) part = NULL;

  if (!check_partner (call, unit_id, error))
    return NULL;
  task = load_task (call, task_id, TRUE, error);
  if (task == NULL || !check_draft (task, error))
    return NULL;
  *task_text = sui_pg_int_param (task_id);
  *unit_text = sui_pg_int_param (unit_id);
  part = load_part (call, *task_text, *unit_text, error);
  if (part == NULL ||
      !sui_register_check_version (call, sui_pg_get_int (part, 0, 1), version,
                                   "本部门分工已被他人修改，已为您载入最新内容，请核对后再操作",
                                   error))
    return NULL;
  return g_steal_pointer (&part);
}

/* ---- tasks.departments ------------------------------------------------------------ */

static JsonNode *
tasks_departments (SuiCall  *call,
                   GError  **error)
{
  gint64 task_id = 0;
  g_autoptr(PGresult) task = NULL;
  g_autofree char *id = NULL;
  const char *params[1];

  if (!sui_call_get_int (call, "task_id", TRUE, &task_id, error))
    return NULL;
  task = load_task (call, task_id, FALSE, error);
  if (task == NULL)
    return NULL;
  id = sui_pg_int_param (task_id);
  params[0] = id;

  /* Admins, the lead's people and each partner's people read the whole arrangement. */
  if (!sui_plans_is_admin (call) && call->user->unit_id != sui_pg_get_int (task, 0, T_UNIT))
    {
      g_autofree char *unit = sui_pg_int_param (call->user->unit_id);
      const char *p2[2] = { id, unit };
      g_autoptr(PGresult) part = sui_pg_exec (call->conn,
                                              "select 1 from task_department"
                                              " where task_id = $1::bigint"
                                              "   and unit_id = $2::bigint",
                                              2, p2, error);

      if (part == NULL)
        return NULL;
      if (PQntuples (part) == 0)
        {
          forbidden (error, "您所在单位没有参与这项任务，无权查看");
          return NULL;
        }
    }

  return sui_pg_query_json (call->conn,
                            "select jsonb_build_object ('task_id', t.id, 'task_name', t.name,"
                            " 'state', t.state,"
                            " 'joint', exists (select 1 from task_department d"
                            "                  where d.task_id = t.id),"
                            " 'all_confirmed', not exists (select 1 from task_department d"
                            "                  where d.task_id = t.id"
                            "                    and d.confirmed_at is null),"
                            " 'lead', jsonb_build_object ('unit_id', t.unit_id,"
                            "   'unit_name', lu.name, 'items', " ITEMS_JSON_SQL ("t.items") ","
                            "   'inspectors_per_object', t.inspectors_per_object,"
                            "   'inspector_tag_ids', to_jsonb (t.inspector_tag_ids),"
                            "   'inspectors_on_duty', (select count (*) from inspector i"
                            "      join inspector_status s on s.code = i.status"
                            "      where i.unit_id = t.unit_id and s.assignable)),"
                            " 'departments', coalesce ((select jsonb_agg (" PART_JSON_SQL
                            "   order by u.name, d.unit_id)"
                            "   from task_department d join unit u on u.id = d.unit_id"
                            "   where d.task_id = t.id), '[]'::jsonb),"
                            " 'candidates', (select jsonb_agg (jsonb_build_object ("
                            "   'unit_id', u.id, 'unit_name', u.name) order by u.name, u.id)"
                            "   from unit u where u.kind = 'department' and not u.disabled"
                            "     and not exists (select 1 from task_department d"
                            "                     where d.task_id = t.id"
                            "                       and d.unit_id = u.id)))"
                            " from task t join unit lu on lu.id = t.unit_id"
                            " where t.id = $1::bigint",
                            1, params, error);
}

/* ---- tasks.joint_list ------------------------------------------------------------ */

/* The joint tasks the caller takes part in: as lead (their unit owns the task and has
 * invited someone) or as partner; an admin sees every joint task. */
static JsonNode *
tasks_joint_list (SuiCall  *call,
                  GError  **error)
{
  gint64 year = 0;
  g_autofree char *year_text = NULL, *unit_text = NULL;
  const char *params[2];

  if (!sui_call_get_int (call, "year", FALSE, &year, error))
    return NULL;
  year_text = year > 0 ? sui_pg_int_param (year) : NULL;
  unit_text = sui_plans_is_admin (call) ? NULL : sui_pg_int_param (call->user->unit_id);
  params[0] = year_text;
  params[1] = unit_text;
  return sui_pg_query_json (call->conn,
                            "select jsonb_build_object ('items', coalesce (jsonb_agg ("
                            "  jsonb_build_object ('task_id', t.id, 'task_name', t.name,"
                            "   'state', t.state, 'plan_id', p.id, 'year', p.year,"
                            "   'window_start', t.window_start, 'window_end', t.window_end,"
                            "   'lead_unit_id', t.unit_id, 'lead_unit_name', lu.name,"
                            "   'role', case when t.unit_id = $2::bigint then 'lead'"
                            "                when $2::bigint is null then 'admin'"
                            "                else 'partner' end,"
                            "   'my_part', (select jsonb_build_object ('confirmed',"
                            "                 m.confirmed_at is not null, 'version', m.version,"
                            "                 'items', jsonb_array_length (m.items))"
                            "               from task_department m"
                            "               where m.task_id = t.id and m.unit_id = $2::bigint),"
                            "   'departments', (select count (*) from task_department d"
                            "                   where d.task_id = t.id),"
                            "   'confirmed', (select count (*) from task_department d"
                            "                 where d.task_id = t.id and d.confirmed_at is not null))"
                            "  order by p.year desc, t.id desc), '[]'::jsonb))"
                            " from task t join plan p on p.id = t.plan_id"
                            " join unit lu on lu.id = t.unit_id"
                            " where exists (select 1 from task_department d where d.task_id = t.id"
                            "               and ($2::bigint is null or d.unit_id = $2::bigint"
                            "                    or t.unit_id = $2::bigint))"
                            "   and ($1::integer is null or p.year = $1::integer)",
                            2, params, error);
}

/* ---- tasks.add_department, tasks.remove_department --------------------------------- */

static JsonNode *
tasks_add_department (SuiCall  *call,
                      GError  **error)
{
  gint64 task_id = 0, unit_id = 0, per_object = 2;
  g_autoptr(PGresult) task = NULL;
  g_autoptr(PGresult) unit = NULL;
  g_autoptr(PGresult) made = NULL;
  g_autofree char *task_text = NULL, *unit_text = NULL, *per_text = NULL, *actor = NULL;
  g_autoptr(JsonNode) after = NULL;
  const char *params[4];
  SuiValidation *v;

  if (!sui_call_get_int (call, "task_id", TRUE, &task_id, error) ||
      !sui_call_get_int (call, "unit_id", TRUE, &unit_id, error) ||
      !sui_call_get_int (call, "inspectors_per_object", FALSE, &per_object, error))
    return NULL;
  task = load_task (call, task_id, TRUE, error);
  if (task == NULL || !check_lead (call, task, error) || !check_draft (task, error))
    return NULL;

  task_text = sui_pg_int_param (task_id);
  unit_text = sui_pg_int_param (unit_id);
  params[0] = task_text;
  params[1] = unit_text;
  unit = sui_pg_exec (call->conn,
                      "select u.kind, u.disabled, exists (select 1 from task_department d"
                      "   where d.task_id = $1::bigint and d.unit_id = u.id)"
                      " from unit u where u.id = $2::bigint",
                      2, params, error);
  if (unit == NULL)
    return NULL;

  v = sui_validation_new ();
  if (PQntuples (unit) != 1)
    sui_validation_add (v, "unit_id", "not_found", "找不到该部门，请从列表中重新选择");
  else if (!g_str_equal (PQgetvalue (unit, 0, 0), "department"))
    sui_validation_add (v, "unit_id", "not_department",
                        "只能邀请协作部门（如市场监督管理局）参与联合抽查，不能邀请烟草系统内的单位");
  else if (sui_pg_get_bool (unit, 0, 1))
    sui_validation_add (v, "unit_id", "disabled", "该部门已停用，请选择其他部门");
  else if (sui_pg_get_bool (unit, 0, 2))
    sui_validation_add (v, "unit_id", "taken", "该部门已经参与这项任务");
  if (per_object < 2 || per_object > 10)
    sui_validation_add (v, "inspectors_per_object", "range",
                        "每个对象的本部门检查人员须为 2 至 10 名");
  if (!sui_validation_finish (v, call, error))
    return NULL;

  per_text = sui_pg_int_param (per_object);
  actor = sui_pg_int_param (call->user->id);
  params[2] = per_text;
  params[3] = actor;
  made = sui_pg_exec (call->conn,
                      "insert into task_department (task_id, unit_id, inspectors_per_object,"
                      "                             added_by)"
                      " values ($1::bigint, $2::bigint, $3::integer, $4::bigint)",
                      4, params, error);
  if (made == NULL)
    return NULL;
  after = part_json (call, task_text, unit_text, error);
  if (after == NULL || !sui_audit_append (call, "tasks", task_text, NULL, after, error))
    return NULL;
  return g_steal_pointer (&after);
}

static JsonNode *
tasks_remove_department (SuiCall  *call,
                         GError  **error)
{
  gint64 task_id = 0, unit_id = 0;
  g_autoptr(PGresult) task = NULL;
  g_autoptr(PGresult) part = NULL;
  g_autoptr(PGresult) gone = NULL;
  g_autofree char *task_text = NULL, *unit_text = NULL;
  g_autoptr(JsonNode) before = NULL;
  const char *params[2];

  if (!sui_call_get_int (call, "task_id", TRUE, &task_id, error) ||
      !sui_call_get_int (call, "unit_id", TRUE, &unit_id, error))
    return NULL;
  task = load_task (call, task_id, TRUE, error);
  if (task == NULL || !check_lead (call, task, error) || !check_draft (task, error))
    return NULL;
  task_text = sui_pg_int_param (task_id);
  unit_text = sui_pg_int_param (unit_id);
  part = load_part (call, task_text, unit_text, error);
  if (part == NULL)
    return NULL;
  before = part_json (call, task_text, unit_text, error);
  if (before == NULL)
    return NULL;
  params[0] = task_text;
  params[1] = unit_text;
  gone = sui_pg_exec (call->conn,
                      "delete from task_department where task_id = $1::bigint"
                      " and unit_id = $2::bigint",
                      2, params, error);
  if (gone == NULL || !sui_audit_append (call, "tasks", task_text, before, NULL, error))
    return NULL;
  return tasks_departments (call, error);
}

/* ---- tasks.update_department, tasks.confirm_department ------------------------------ */

/* A reason for an on-site check: some text that is not only blanks, 500 characters at most. */
static gboolean
reason_given (const char *reason)
{
  g_autofree char *trimmed = NULL;

  if (reason == NULL)
    return FALSE;
  trimmed = g_strstrip (g_strdup (reason));
  return *trimmed != '\0' && g_utf8_strlen (reason, -1) <= MAX_REASON;
}

/* The part's items: [{item_id, method, reason?}], each an active item of the department's
 * own item list with a method it allows; on site needs a reason when the item also allows
 * an off-site method.  Returns the array as jsonb text, or NULL after adding to v. */
static char *
check_items (SuiCall        *call,
             JsonNode       *node,
             const char     *unit_text,
             SuiValidation  *v,
             GError        **error)
{
  g_autoptr(GString) ids = g_string_new ("{");
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GArray) keys = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(PGresult) items = NULL;
  JsonArray *array;
  const char *params[2];

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      sui_validation_add (v, "items", "type", "检查事项须为列表，每项写明事项和检查方式");
      return NULL;
    }
  array = json_node_get_array (node);
  if (json_array_get_length (array) > 100)
    {
      sui_validation_add (v, "items", "too_many", "一个部门的检查事项不能超过 100 项");
      return NULL;
    }
  g_array_set_size (keys, json_array_get_length (array));
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *item;
      gint64 id;

      if (!JSON_NODE_HOLDS_OBJECT (element) ||
          !json_object_has_member (item = json_node_get_object (element), "item_id") ||
          json_node_get_value_type (json_object_get_member (item, "item_id")) != G_TYPE_INT64 ||
          (id = json_object_get_int_member (item, "item_id")) <= 0 ||
          !json_object_has_member (item, "method") ||
          json_node_get_value_type (json_object_get_member (item, "method")) != G_TYPE_STRING)
        {
          g_autofree char *text = g_strdup_printf ("第 %u 项须写明事项编号（item_id）和检查方式"
                                                   "（method）", i + 1);

          sui_validation_add (v, "items", "invalid", text);
          return NULL;
        }
      g_array_index (keys, gint64, i) = id;
      if (g_hash_table_contains (seen, &g_array_index (keys, gint64, i)))
        {
          sui_validation_add (v, "items", "duplicate", "同一检查事项只能列入一次");
          return NULL;
        }
      g_hash_table_add (seen, &g_array_index (keys, gint64, i));
      if (ids->len > 1)
        g_string_append_c (ids, ',');
      g_string_append_printf (ids, "%" G_GINT64_FORMAT, id);
    }
  g_string_append_c (ids, '}');

  params[0] = ids->str;
  params[1] = unit_text;
  /* Held against a concurrent items.release, as tasks.update holds a task's own items. */
  items = sui_pg_exec (call->conn,
                       "select i.id, i.name, i.state = 'active',"
                       " i.methods::text[],"
                       " exists (select 1 from check_method m"
                       "         where m.code = any (i.methods::text[]) and m.off_site)"
                       " from item i where i.id = any ($1::bigint[]) and i.unit_id = $2::bigint"
                       " for share of i",
                       2, params, error);
  if (items == NULL)
    return NULL;

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *item = json_array_get_object_element (array, i);
      gint64 id = g_array_index (keys, gint64, i);
      const char *method = json_object_get_string_member (item, "method");
      const char *reason = json_object_get_string_member_with_default (item, "reason", NULL);
      int row = -1;

      for (int r = 0; r < PQntuples (items) && row < 0; r++)
        if (sui_pg_get_int (items, r, 0) == id)
          row = r;
      if (row < 0)
        {
          g_autofree char *text = g_strdup_printf ("第 %u 项不是本部门抽查事项清单中的事项，"
                                                   "请先在事项清单中认领", i + 1);

          sui_validation_add (v, "items", "not_found", text);
          return NULL;
        }
      if (!sui_pg_get_bool (items, row, 2))
        {
          g_autofree char *text = g_strdup_printf ("“%s”已从本部门事项清单中撤销，不能再列入任务",
                                                   PQgetvalue (items, row, 1));

          sui_validation_add (v, "items", "released", text);
          return NULL;
        }
      {
        g_autofree char *needle = g_strdup_printf (",%s,", method);
        g_autofree char *list = g_strdup (PQgetvalue (items, row, 3));

        /* "{a,b}" → ",a,b," */
        list[0] = ',';
        list[strlen (list) - 1] = ',';
        if (strstr (list, needle) == NULL)
          {
            g_autofree char *text = g_strdup_printf ("“%s”不允许检查方式“%s”，请改选该事项允许的方式",
                                                     PQgetvalue (items, row, 1), method);

            sui_validation_add (v, "items", "method", text);
            return NULL;
          }
      }
      if (g_str_equal (method, "on_site") && sui_pg_get_bool (items, row, 4) &&
          !reason_given (reason))
        {
          g_autofree char *text = g_strdup_printf ("“%s”可以非现场检查；选择现场检查须写明理由"
                                                   "（500 字以内）", PQgetvalue (items, row, 1));

          sui_validation_add (v, "items", "on_site_reason", text);
          return NULL;
        }
    }
  return sui_json_to_string (node);
}

static JsonNode *
tasks_update_department (SuiCall  *call,
                         GError  **error)
{
  gint64 task_id = 0, unit_id = 0, version = 0, per_object = 0;
  g_autoptr(PGresult) part = NULL;
  g_autoptr(PGresult) done = NULL;
  g_autoptr(GArray) tags = NULL;
  g_autofree char *task_text = NULL, *unit_text = NULL, *items = NULL, *per_text = NULL;
  g_autofree char *tags_text = NULL;
  g_autoptr(JsonNode) before = NULL;
  JsonNode *after;
  const char *note = NULL;
  const char *params[6];
  SuiValidation *v;

  if (!sui_call_get_int (call, "task_id", TRUE, &task_id, error) ||
      !sui_call_get_int (call, "unit_id", TRUE, &unit_id, error) ||
      !sui_call_get_int (call, "version", TRUE, &version, error) ||
      !sui_call_get_int (call, "inspectors_per_object", FALSE, &per_object, error) ||
      !sui_call_get_string (call, "note", FALSE, &note, error) ||
      !sui_register_get_ids (call, "inspector_tag_ids", FALSE, &tags, error))
    return NULL;
  part = load_own_part (call, task_id, unit_id, version, &task_text, &unit_text, error);
  if (part == NULL)
    return NULL;

  v = sui_validation_new ();
  if (sui_call_has (call, "items"))
    {
      items = check_items (call, json_object_get_member (call->params, "items"), unit_text, v,
                           error);
      if (items == NULL && error != NULL && *error != NULL)
        {
          sui_register_discard_validation (v, call);
          return NULL;
        }
    }
  if (sui_call_has (call, "inspectors_per_object") && (per_object < 2 || per_object > 10))
    sui_validation_add (v, "inspectors_per_object", "range",
                        "每个对象的本部门检查人员须为 2 至 10 名");
  if (note != NULL && g_utf8_strlen (note, -1) > MAX_NOTE)
    sui_validation_add (v, "note", "too_long", "备注不能超过 2000 字");
  if (tags != NULL)
    {
      g_autoptr(PGresult) known = NULL;

      tags_text = sui_sql_int_array ((const gint64 *) tags->data, tags->len);
      params[0] = tags_text;
      params[1] = unit_text;
      known = sui_pg_exec (call->conn,
                           "select count (*) from tag t join tag_group g on g.id = t.group_id"
                           " where t.id = any ($1::bigint[]) and not t.retired"
                           "   and g.applies_to in ('inspectors', 'both')"
                           "   and (g.unit_id is null or g.unit_id = $2::bigint)",
                           2, params, error);
      if (known == NULL)
        {
          sui_register_discard_validation (v, call);
          return NULL;
        }
      if (sui_pg_get_int (known, 0, 0) != (gint64) tags->len)
        sui_validation_add (v, "inspector_tag_ids", "unknown",
                            "所需标签中有不存在、已停用或不适用于检查人员的标签，请重新选择");
    }
  if (!sui_validation_finish (v, call, error))
    return NULL;

  before = part_json (call, task_text, unit_text, error);
  if (before == NULL)
    return NULL;
  per_text = sui_call_has (call, "inspectors_per_object") ? sui_pg_int_param (per_object) : NULL;
  params[0] = task_text;
  params[1] = unit_text;
  params[2] = items;
  params[3] = per_text;
  params[4] = tags_text;
  params[5] = sui_call_has (call, "note") ? note : NULL;
  /* Any change withdraws the confirmation: the part must be confirmed as it now stands. */
  done = sui_pg_exec (call->conn,
                      "update task_department d set"
                      " items = coalesce ($3::jsonb, d.items),"
                      " inspectors_per_object = coalesce ($4::integer, d.inspectors_per_object),"
                      " inspector_tag_ids = coalesce ($5::bigint[], d.inspector_tag_ids),"
                      " note = case when $6::text is null then d.note"
                      "             else nullif (btrim ($6::text), '') end,"
                      " confirmed_by = null, confirmed_at = null,"
                      " version = d.version + 1, updated_at = now ()"
                      " where d.task_id = $1::bigint and d.unit_id = $2::bigint"
                      "   and (d.items is distinct from coalesce ($3::jsonb, d.items)"
                      "        or d.inspectors_per_object is distinct from"
                      "           coalesce ($4::integer, d.inspectors_per_object)"
                      "        or d.inspector_tag_ids is distinct from"
                      "           coalesce ($5::bigint[], d.inspector_tag_ids)"
                      "        or ($6::text is not null"
                      "            and d.note is distinct from nullif (btrim ($6::text), '')))",
                      6, params, error);
  if (done == NULL)
    return NULL;
  after = part_json (call, task_text, unit_text, error);
  if (after == NULL)
    return NULL;
  if (g_strcmp0 (PQcmdTuples (done), "0") != 0 &&
      !sui_audit_append (call, "tasks", task_text, before, after, error))
    {
      json_node_unref (after);
      return NULL;
    }
  return after;
}

static JsonNode *
tasks_confirm_department (SuiCall  *call,
                          GError  **error)
{
  gint64 task_id = 0, unit_id = 0, version = 0;
  g_autoptr(PGresult) part = NULL;
  g_autoptr(PGresult) done = NULL;
  g_autofree char *task_text = NULL, *unit_text = NULL, *actor = NULL;
  g_autoptr(JsonNode) before = NULL;
  JsonNode *after;
  const char *params[3];

  if (!sui_call_get_int (call, "task_id", TRUE, &task_id, error) ||
      !sui_call_get_int (call, "unit_id", TRUE, &unit_id, error) ||
      !sui_call_get_int (call, "version", TRUE, &version, error))
    return NULL;
  part = load_own_part (call, task_id, unit_id, version, &task_text, &unit_text, error);
  if (part == NULL)
    return NULL;
  if (sui_pg_get_bool (part, 0, 6))
    {
      sui_state_error (error, "本部门分工已经确认，无需再次确认");
      return NULL;
    }
  if (g_str_equal (PQgetvalue (part, 0, 2), "[]"))
    {
      SuiValidation *v = sui_validation_new ();

      sui_validation_add (v, "items", "empty", "请先列出本部门要检查的事项，再确认分工");
      sui_validation_finish (v, call, error);
      return NULL;
    }

  before = part_json (call, task_text, unit_text, error);
  if (before == NULL)
    return NULL;
  actor = sui_pg_int_param (call->user->id);
  params[0] = task_text;
  params[1] = unit_text;
  params[2] = actor;
  done = sui_pg_exec (call->conn,
                      "update task_department set confirmed_by = $3::bigint,"
                      " confirmed_at = now (), version = version + 1, updated_at = now ()"
                      " where task_id = $1::bigint and unit_id = $2::bigint",
                      3, params, error);
  if (done == NULL)
    return NULL;
  after = part_json (call, task_text, unit_text, error);
  if (after == NULL)
    return NULL;
  if (!sui_audit_append (call, "tasks", task_text, before, after, error))
    {
      json_node_unref (after);
      return NULL;
    }
  return after;
}

/* ---- reports.joint_share --------------------------------------------------------- */

/* The share of joint tasks among the published tasks of a year, and of jointly checked
 * objects among the objects with inspectors assigned (target: 100 % of both). */
static JsonNode *
reports_joint_share (SuiCall  *call,
                     GError  **error)
{
  gint64 year = 0, unit_id = 0;
  g_autofree char *year_text = NULL, *unit_text = NULL;
  const char *params[2];

  if (!sui_call_get_int (call, "year", TRUE, &year, error) ||
      !sui_call_get_int (call, "unit_id", FALSE, &unit_id, error))
    return NULL;
  if (year < 2000 || year > 2100)
    {
      SuiValidation *v = sui_validation_new ();

      sui_validation_add (v, "year", "range", "年度须在 2000 至 2100 之间");
      sui_validation_finish (v, call, error);
      return NULL;
    }
  if (!sui_plans_is_admin (call))
    unit_id = call->user->unit_id;
  year_text = sui_pg_int_param (year);
  unit_text = unit_id > 0 ? sui_pg_int_param (unit_id) : NULL;
  params[0] = year_text;
  params[1] = unit_text;
  return sui_pg_query_json (call->conn,
                            "with tasks as ("
                            "  select t.id, exists (select 1 from task_department d"
                            "                       where d.task_id = t.id) joint"
                            "    from task t join plan p on p.id = t.plan_id"
                            "   where p.year = $1::integer and t.published_revision is not null"
                            "     and ($2::bigint is null or t.unit_id = $2::bigint)),"
                            " checked as ("
                            "  select a.object_id, bool_or (x.joint) joint"
                            "    from inspector_assignment_live a join tasks x on x.id = a.task_id"
                            "   group by a.object_id)"
                            " select jsonb_build_object ('year', $1::integer,"
                            "  'unit_id', $2::bigint,"
                            "  'tasks', (select count (*) from tasks),"
                            "  'joint_tasks', (select count (*) from tasks where joint),"
                            "  'task_share_bp', (select case when count (*) = 0 then null else"
                            "     (10000 * count (*) filter (where joint) / count (*))::integer"
                            "     end from tasks),"
                            "  'objects', (select count (*) from checked),"
                            "  'joint_objects', (select count (*) from checked where joint),"
                            "  'object_share_bp', (select case when count (*) = 0 then null else"
                            "     (10000 * count (*) filter (where joint) / count (*))::integer"
                            "     end from checked))",
                            2, params, error);
}

static const SuiMethod joint_methods[] = {
  {
    .name = "tasks.departments",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .params = "task_id:integer",
    .summary = "The parts of a joint task: the lead's and each partner department's",
    .handler = tasks_departments,
  },
  {
    .name = "tasks.joint_list",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .params = "[year]:integer",
    .summary = "The joint tasks the caller's unit leads or takes part in (admin: all)",
    .handler = tasks_joint_list,
  },
  {
    .name = "tasks.add_department",
    .roles = SUI_ROLE_SUPERVISOR,
    .writes = TRUE,
    .params = "task_id:integer, unit_id:integer, [inspectors_per_object]:integer",
    .summary = "Invite a partner department into a draft task (lead unit)",
    .handler = tasks_add_department,
  },
  {
    .name = "tasks.remove_department",
    .roles = SUI_ROLE_SUPERVISOR,
    .writes = TRUE,
    .params = "task_id:integer, unit_id:integer",
    .summary = "Take a partner department out of a draft task (lead unit)",
    .handler = tasks_remove_department,
  },
  {
    .name = "tasks.update_department",
    .roles = SUI_ROLE_SUPERVISOR,
    .writes = TRUE,
    .params = "task_id:integer, unit_id:integer, version:integer, [items]:array, "
              "[inspectors_per_object]:integer, [inspector_tag_ids]:array, [note]:string",
    .summary = "Fill in a department's part of a joint task (that department)",
    .handler = tasks_update_department,
  },
  {
    .name = "tasks.confirm_department",
    .roles = SUI_ROLE_SUPERVISOR,
    .writes = TRUE,
    .params = "task_id:integer, unit_id:integer, version:integer",
    .summary = "Confirm a department's part of a joint task (that department)",
    .handler = tasks_confirm_department,
  },
  {
    .name = "reports.joint_share",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .params = "year:integer, [unit_id]:integer",
    .summary = "Share of joint tasks and of jointly checked objects in a year",
    .handler = reports_joint_share,
  },
};

void
sui_joint_register (void)
{
  sui_methods_register (joint_methods, G_N_ELEMENTS (joint_methods));
}
