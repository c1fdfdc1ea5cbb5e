/* sui-tasks.c: spot-check tasks (抽查任务) — tasks.list, tasks.get, tasks.create,
 * tasks.update, tasks.preview, tasks.make_ready
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A task belongs to a plan and is edited while the plan is (a draft, or has an approved
 * change). Its object scope is a filter of the registers (sui-filter.c); the candidates
 * are the unit's objects in that scope that may be drawn: not retired, in business, not
 * under key supervision (重点监管 is checked outside the random pool), not left out by
 * either exclusion period (drawn lately by another task for one of the same items; checked
 * lately with no problem found). tasks.make_ready freezes them per risk class, makes the
 * draw's secret and publishes only its commitment and the candidate hash (sui-draws.c runs it).
 * A task's items are items of its unit's list, each with a check method (sui-items.c checks
 * them); a general item caps the task's ratios. The task also carries the rules its
 * inspectors are matched by (sui-matching.c). tasks.preview counts the candidates per risk
 * class for the stored task or for the unsaved values of the editor (a draft on top of the
 * stored task, of a new task of a plan, or of the caller's unit), reading only.
 */
#include "sui-tasks.h"

#include <string.h>

#include "sui-draws.h"
#include "sui-filter.h"
#include "sui-items.h"
#include "sui-plans.h"

static const char *const risk_classes[] = { "A", "B", "C", "D" };
static const char *const ratio_fields[] = { "ratio_a_bp", "ratio_b_bp", "ratio_c_bp",
                                            "ratio_d_bp" };

#define TASK_JSON_SQL \
  "(" SUI_TASK_PLAN_FIELDS_SQL " || jsonb_build_object ('plan_id', t.plan_id," \
  " 'unit_id', t.unit_id, 'state', t.state, 'published_revision', t.published_revision," \
  " 'created_by', t.created_by, 'version', t.version, 'created_at', t.created_at," \
  " 'updated_at', t.updated_at, 'clean_exclusion_months', t.clean_exclusion_months," \
  " 'draw', (select " SUI_DRAW_SUMMARY_SQL " from draw_public d" \
  "          where d.task_id = t.id and d.kind = 'objects' and d.state <> 'voided')))"

enum { COL_ID, COL_PLAN, COL_UNIT, COL_STATE, COL_VERSION, COL_PLAN_EDITABLE, COL_JSON,
       COL_ITEMS };

/* The task (locked when for_update) with whether its plan may be edited now. */
static PGresult *
load_task (SuiCall   *call,
           gint64     id,
           gboolean   for_update,
           GError   **error)
{
  return sui_register_load_scoped (call,
                                   "select t.id, t.plan_id, t.unit_id, t.state, t.version,"
                                   " (p.state = 'draft' or (p.state = 'published' and exists ("
                                   "   select 1 from plan_change c where c.plan_id = p.id"
                                   "   and c.state = 'approved'))), " TASK_JSON_SQL
                                   ", t.items::text from task t join plan p on p.id = t.plan_id"
                                   " where t.id = $1::bigint",
                                   " for update of t", for_update, id,
                                   "该抽查任务不存在，请刷新后再试", COL_UNIT,
                                   "您只能处理本单位的抽查任务", error);
}

static JsonNode *
reload (SuiCall  *call,
        gint64    id,
        GError  **error)
{
  return sui_register_reload (call, load_task, id, COL_JSON, error);
}

/* ---- tasks.list, tasks.get ---------------------------------------------------------- */

static JsonNode *
tasks_list (SuiCall  *call,
            GError  **error)
{
  gint64 plan_id = 0, after = 0, limit = 0;
  const char *state = NULL;
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_free);

  if (!sui_call_get_int (call, "plan_id", FALSE, &plan_id, error) ||
      !sui_call_get_string (call, "state", FALSE, &state, error) ||
      !sui_call_get_page (call, &after, &limit, error))
    return NULL;

  g_ptr_array_add (params, sui_call_has (call, "plan_id") ? sui_pg_int_param (plan_id) : NULL);
  g_ptr_array_add (params, sui_plans_is_admin (call) ? NULL
                                                     : sui_pg_int_param (call->user->unit_id));
  g_ptr_array_add (params, g_strdup (state));
  return sui_register_list_page (call, "task", "t", TASK_JSON_SQL,
                                 "($1::bigint is null or t.plan_id = $1::bigint)"
                                 " and ($2::bigint is null or t.unit_id = $2::bigint)"
                                 " and ($3::text is null or t.state = $3)",
                                 params, FALSE, after, limit, error);
}

static JsonNode *
tasks_get (SuiCall  *call,
          GError  **error)
{
  return sui_register_get (call, load_task,
                           "select " TASK_JSON_SQL " || jsonb_build_object ("
                           " 'plan', (select jsonb_build_object ('id', p.id, 'year', p.year,"
                           "            'title', p.title, 'state', p.state,"
                           "            'revision', p.revision)"
                           "          from plan p where p.id = t.plan_id),"
                           " 'draws', coalesce ((select jsonb_agg (" SUI_DRAW_SUMMARY_SQL
                           "            order by d.id)"
                           "          from draw_public d where d.task_id = t.id), '[]'))"
                           " from task t where t.id = $1::bigint",
                           error);
}

/* ---- tasks.create, tasks.update ----------------------------------------------------- */

/* The item ids of a task's stored items (jsonb text; NULL for a new task). */
static GArray *
stored_ids (const char *stored_items)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(JsonNode) node = stored_items != NULL ? json_from_string (stored_items, NULL) : NULL;

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *e = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_OBJECT (e))
            {
              gint64 id = json_object_get_int_member_with_default (json_node_get_object (e),
                                                                   "item_id", 0);

              g_array_append_val (ids, id);
            }
        }
    }
  return ids;
}

static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* ---- the checks tasks.create, tasks.update and tasks.preview share ------------------ */

/* The scope must be a filter of the object register (sui-filter.c) or null. */
static void
check_scope (JsonObject    *fields,
             SuiValidation *v)
{
  JsonNode *node = json_object_get_member (fields, "scope");

  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      g_autoptr(GString) sql = g_string_new (NULL);
      g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *problem = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        sui_validation_add (v, "scope", "type", "检查对象范围须为筛选条件（JSON 对象）");
      else if (!sui_filter_to_sql (node, SUI_FILTER_OBJECTS, "o", sql, params, &problem))
        sui_validation_add (v, "scope", "invalid", problem);
    }
}

/* Each class's ratio within the plan's range (load_ranges). */
static void
check_ratios (JsonObject    *fields,
              PGresult      *ranges,
              SuiValidation *v)
{
  for (int i = 0; i < PQntuples (ranges); i++)
    {
      const char *field = ratio_fields[i];
      gint64 min = sui_pg_get_int (ranges, i, 1), max = sui_pg_get_int (ranges, i, 2);
      gint64 value = json_object_get_int_member (fields, field);

      if (value < min || value > max)
        {
          g_autofree char *message =
            g_strdup_printf ("%s类（%s）的抽查比例须在 %.2f%% 至 %.2f%% 之间（以基点计为 %"
                             G_GINT64_FORMAT "–%" G_GINT64_FORMAT "）",
                             PQgetvalue (ranges, i, 0), PQgetvalue (ranges, i, 3),
                             min / 100.0, max / 100.0, min, max);
          sui_validation_add (v, field, "range", message);
        }
    }
}

/* 一般检查事项 cap the ratio; 重点检查事项 do not. items: the stored form (jsonb text). */
static gboolean
check_general_cap (SuiCall        *call,
                   JsonObject     *fields,
                   const char     *items,
                   SuiValidation  *v,
                   GError        **error)
{
  gint64 cap = -1;
  g_autofree char *cap_name = NULL;

  if (!sui_items_general_cap (call, items, &cap, &cap_name, error))
    return FALSE;
  for (gsize i = 0; cap >= 0 && i < G_N_ELEMENTS (ratio_fields); i++)
    if (json_object_get_int_member (fields, ratio_fields[i]) > cap)
      {
        g_autofree char *message =
          g_strdup_printf ("任务含一般检查事项“%s”，%s类的抽查比例不能超过该事项的比例上限 "
                           "%.2f%%（%" G_GINT64_FORMAT " 基点）；如需更高比例，请只列入"
                           "重点检查事项", cap_name, risk_classes[i], cap / 100.0, cap);

        sui_validation_add (v, ratio_fields[i], "general_cap", message);
      }
  return TRUE;
}

static void
check_exclusion (JsonObject    *fields,
                 SuiValidation *v)
{
  if (json_object_get_int_member (fields, "exclusion_months") < 0 ||
      json_object_get_int_member (fields, "exclusion_months") > 120)
    sui_validation_add (v, "exclusion_months", "range",
                        "同一事项排除期须在 0 至 120 个月之间（0 表示不排除），请重新填写");
  if (json_object_get_int_member (fields, "clean_exclusion_months") < 0 ||
      json_object_get_int_member (fields, "clean_exclusion_months") > 120)
    sui_validation_add (v, "clean_exclusion_months", "range",
                        "近期无问题排除期须在 0 至 120 个月之间（0 表示不排除），请重新填写");
}

/* The task's rules for its inspectors (0004): the tags they must hold (inspector tags the
 * unit can see), the caps (null: the default) and whether the last inspector is avoided. */
static gboolean
merge_rules (SuiCall        *call,
             JsonObject     *fields,
             const char     *unit_text,
             SuiValidation  *v,
             GError        **error)
{
  static const struct { const char *name; gint64 fallback; const char *label; } caps[] = {
    { "inspector_task_cap", 30, "每名执法人员在本任务中最多承担的检查对象数" },
    { "inspector_month_cap", 60, "每名执法人员每月最多承担的检查对象数" },
  };
  g_autoptr(GArray) tags = NULL;
  gboolean avoid = TRUE;

  for (gsize i = 0; i < G_N_ELEMENTS (caps); i++)
    {
      gint64 value = 0;

      if (!sui_call_get_int (call, caps[i].name, FALSE, &value, error))
        return FALSE;
      if (sui_call_has (call, caps[i].name))
        json_object_set_int_member (fields, caps[i].name, value);
      else if (json_object_has_member (call->params, caps[i].name))
        json_object_set_int_member (fields, caps[i].name, caps[i].fallback);
      value = json_object_get_int_member (fields, caps[i].name);
      if (value < 1 || value > 10000)
        {
          g_autofree char *message = g_strdup_printf ("%s须在 1 至 10000 之间（留空则为 %"
                                                      G_GINT64_FORMAT "）",
                                                      caps[i].label, caps[i].fallback);

          sui_validation_add (v, caps[i].name, "range", message);
        }
    }

  if (!sui_call_get_bool (call, "avoid_last_inspector", FALSE, &avoid, error))
    return FALSE;
  if (json_object_has_member (call->params, "avoid_last_inspector"))
    json_object_set_boolean_member (fields, "avoid_last_inspector", avoid);

  if (!sui_register_get_ids (call, "inspector_tag_ids", FALSE, &tags, error))
    return FALSE;
  if (tags == NULL && json_object_has_member (call->params, "inspector_tag_ids"))
    tags = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (tags != NULL)
    {
      JsonArray *array = json_array_new ();

      g_array_sort (tags, compare_ids);
      for (guint i = 0; i < tags->len; i++)
        if (i == 0 || g_array_index (tags, gint64, i) != g_array_index (tags, gint64, i - 1))
          json_array_add_int_element (array, g_array_index (tags, gint64, i));
      json_object_set_array_member (fields, "inspector_tag_ids", array);

      if (tags->len > 0)
        {
          g_autofree char *ids = sui_sql_int_array ((const gint64 *) (void *) tags->data,
                                                    tags->len);
          const char *params[2] = { ids, unit_text };
          g_autoptr(PGresult) bad = NULL;

          bad = sui_pg_exec (call->conn,
                             "select array_to_string (array ("
                             "  select x from unnest ($1::bigint[]) x"
                             "  where not exists (select 1 from tag t"
                             "                    join tag_group g on g.id = t.group_id"
                             "                    where t.id = x"
                             "                      and g.applies_to in ('inspectors', 'both')"
                             "                      and (g.unit_id is null"
                             "                           or g.unit_id = $2::bigint))"
                             "  order by x), '、')",
                             2, params, error);
          if (bad == NULL)
            return FALSE;
          if (*PQgetvalue (bad, 0, 0) != '\0')
            {
              g_autofree char *message =
                g_strdup_printf ("执法人员标签 %s 不存在、不适用于执法人员或不是本单位可用的标签，"
                                 "请从标签库中重新选择", PQgetvalue (bad, 0, 0));

              sui_validation_add (v, "inspector_tag_ids", "invalid", message);
            }
        }
    }
  return TRUE;
}

/* Overlays the call's params on fields (the current task, or the defaults of a new one),
 * checks every field and adds the problems to v. Wrong JSON types are -32602. */
static gboolean
merge_fields (SuiCall        *call,
              JsonObject     *fields,
              PGresult       *ranges,
              const char     *unit_text,
              const char     *stored_items,
              char          **items_out,
              SuiValidation  *v,
              GError        **error)
{
  static const char *const text_fields[] = { "name", "note" };
  static const char *const int_fields[] = { "ratio_a_bp", "ratio_b_bp", "ratio_c_bp",
                                            "ratio_d_bp", "exclusion_months",
                                            "clean_exclusion_months", "inspectors_per_object" };
  static const char *const date_fields[] = { "window_start", "window_end", "deadline" };
  const char *name = NULL;
  const char *note = NULL;
  JsonNode *node;

  for (gsize i = 0; i < G_N_ELEMENTS (text_fields); i++)
    {
      const char *value = NULL;

      if (!sui_call_get_string (call, text_fields[i], FALSE, &value, error))
        return FALSE;
      if (value != NULL)
        {
          g_autofree char *trimmed = g_strstrip (g_strdup (value));

          if (*trimmed == '\0' && g_str_equal (text_fields[i], "note"))
            json_object_set_null_member (fields, text_fields[i]);
          else
            json_object_set_string_member (fields, text_fields[i], trimmed);
        }
      else if (json_object_has_member (call->params, text_fields[i]))
        json_object_set_null_member (fields, text_fields[i]);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (int_fields); i++)
    {
      gint64 value = 0;

      if (!sui_call_get_int (call, int_fields[i], FALSE, &value, error))
        return FALSE;
      if (sui_call_has (call, int_fields[i]))
        json_object_set_int_member (fields, int_fields[i], value);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (date_fields); i++)
    {
      const char *value = NULL;

      if (!sui_call_get_string (call, date_fields[i], FALSE, &value, error))
        return FALSE;
      if (value != NULL && *value != '\0')
        json_object_set_string_member (fields, date_fields[i], value);
      else if (json_object_has_member (call->params, date_fields[i]))
        json_object_set_null_member (fields, date_fields[i]);
    }

  /* The items are kept apart from fields (which shows them with their names): *items_out
   * is what will be stored. */
  node = json_object_get_member (call->params, "items");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      g_autoptr(GArray) kept = stored_ids (stored_items);

      *items_out = sui_items_check_task_items (call, node, g_ascii_strtoll (unit_text, NULL, 10),
                                               kept, v, error);
      if (*items_out == NULL && error != NULL && *error != NULL)
        return FALSE;
    }
  else
    *items_out = g_strdup (node != NULL ? "[]" : stored_items);

  if (!merge_rules (call, fields, unit_text, v, error))
    return FALSE;

  node = json_object_get_member (call->params, "scope");
  if (node != NULL)
    json_object_set_member (fields, "scope", json_node_copy (node));

  /* Now check the whole record as it would be stored. */
  if (json_object_has_member (fields, "name") && !json_object_get_null_member (fields, "name"))
    name = json_object_get_string_member (fields, "name");
  if (name == NULL || *name == '\0')
    sui_validation_add (v, "name", "required", "请填写任务名称");
  else if (g_utf8_strlen (name, -1) > 128)
    sui_validation_add (v, "name", "too_long", "任务名称不能超过 128 个字符，请缩短");

  if (json_object_has_member (fields, "note") && !json_object_get_null_member (fields, "note"))
    note = json_object_get_string_member (fields, "note");
  if (note != NULL && g_utf8_strlen (note, -1) > 2000)
    sui_validation_add (v, "note", "too_long", "说明不能超过 2000 个字符，请缩短");

  check_scope (fields, v);
  check_ratios (fields, ranges, v);
  if (*items_out != NULL && !check_general_cap (call, fields, *items_out, v, error))
    return FALSE;
  check_exclusion (fields, v);
  if (json_object_get_int_member (fields, "inspectors_per_object") < 2 ||
      json_object_get_int_member (fields, "inspectors_per_object") > 10)
    sui_validation_add (v, "inspectors_per_object", "range",
                        "每个检查对象须由 2 至 10 名执法人员检查（行政处罚法第四十二条：至少 2 名）");

  {
    const char *dates[3] = { NULL, NULL, NULL };

    for (gsize i = 0; i < G_N_ELEMENTS (date_fields); i++)
      if (json_object_has_member (fields, date_fields[i]) &&
          !json_object_get_null_member (fields, date_fields[i]))
        {
          dates[i] = json_object_get_string_member (fields, date_fields[i]);
          if (!sui_register_date_valid (dates[i]))
            {
              sui_validation_add (v, date_fields[i], "date", "日期格式须为 YYYY-MM-DD，且是有效日期");
              dates[i] = NULL;
            }
        }
    /* YYYY-MM-DD compares as text. */
    if (dates[0] != NULL && dates[1] != NULL && strcmp (dates[1], dates[0]) < 0)
      sui_validation_add (v, "window_end", "order", "检查结束日期不能早于开始日期");
    if (dates[1] != NULL && dates[2] != NULL && strcmp (dates[2], dates[1]) < 0)
      sui_validation_add (v, "deadline", "order", "结果录入截止日期不能早于检查结束日期");
  }
  return TRUE;
}

static PGresult *
load_ranges (SuiCall     *call,
             const char  *plan_id,
             GError     **error)
{
  const char *params[1] = { plan_id };

  /* The plan's own row for a class where it has one (0011), else the city's table. */
  return sui_pg_exec (call->conn,
                      "select r.risk_class, coalesce (p.min_bp, r.min_bp),"
                      " coalesce (p.max_bp, r.max_bp), r.name,"
                      " coalesce (p.default_bp, r.default_bp)"
                      " from risk_class_ratio r left join plan_ratio p"
                      "   on p.risk_class = r.risk_class and p.plan_id = $1::bigint"
                      " order by r.risk_class",
                      1, params, error);
}

/* The params of the insert or update: $1 id or plan, then the fields in this order, items
 * being the stored form (items_text). */
static void
fields_params (JsonObject  *fields,
               const char  *items_text,
               GPtrArray   *params)
{
  static const char *const order[] = { "name", "items", "scope", "ratio_a_bp", "ratio_b_bp",
                                       "ratio_c_bp", "ratio_d_bp", "exclusion_months",
                                       "inspectors_per_object", "window_start", "window_end",
                                       "deadline", "note", "inspector_tag_ids",
                                       "inspector_task_cap", "inspector_month_cap",
                                       "avoid_last_inspector", "clean_exclusion_months" };

  for (gsize i = 0; i < G_N_ELEMENTS (order); i++)
    {
      JsonNode *node = json_object_get_member (fields, order[i]);

      if (g_str_equal (order[i], "items"))
        g_ptr_array_add (params, g_strdup (items_text));
      else if (g_str_equal (order[i], "inspector_tag_ids"))
        {
          JsonArray *array = json_node_get_array (node);
          GString *text = g_string_new ("{");

          for (guint j = 0; j < json_array_get_length (array); j++)
            g_string_append_printf (text, "%s%" G_GINT64_FORMAT, j > 0 ? "," : "",
                                    json_array_get_int_element (array, j));
          g_string_append_c (text, '}');
          g_ptr_array_add (params, g_string_free (text, FALSE));
        }
      else if (node == NULL || JSON_NODE_HOLDS_NULL (node))
        g_ptr_array_add (params, NULL);
      else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        g_ptr_array_add (params, g_strdup (json_node_get_string (node)));
      else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN)
        g_ptr_array_add (params, g_strdup (json_node_get_boolean (node) ? "t" : "f"));
      else if (JSON_NODE_HOLDS_VALUE (node))
        g_ptr_array_add (params, sui_pg_int_param (json_node_get_int (node)));
      else
        g_ptr_array_add (params, sui_json_to_string (node));
    }
}

static JsonNode *
tasks_create (SuiCall  *call,
              GError  **error)
{
  gint64 plan_id = 0;
  const char *name = NULL;
  g_autoptr(PGresult) plan = NULL;
  g_autoptr(PGresult) ranges = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *items = NULL;
  SuiValidation *v;

  if (!sui_call_get_int (call, "plan_id", TRUE, &plan_id, error) ||
      !sui_call_get_string (call, "name", TRUE, &name, error))
    return NULL;

  plan = sui_plans_load (call, plan_id, TRUE, error);
  if (plan == NULL)
    return NULL;
  if (!sui_pg_get_bool (plan, 0, SUI_PLAN_COL_EDITABLE))
    {
      sui_state_error (error, g_str_equal (PQgetvalue (plan, 0, SUI_PLAN_COL_STATE), "published")
                              ? "计划已发布，增加任务前请先提出变更申请并经市局批准"
                              : "计划已提交审核，不能增加任务；如需修改，请等待审核退回");
      return NULL;
    }

  ranges = load_ranges (call, PQgetvalue (plan, 0, SUI_PLAN_COL_ID), error);
  if (ranges == NULL)
    return NULL;
  json_object_set_null_member (fields, "scope");
  for (int i = 0; i < PQntuples (ranges); i++)
    json_object_set_int_member (fields, ratio_fields[i], sui_pg_get_int (ranges, i, 4));
  json_object_set_int_member (fields, "exclusion_months", 12);
  json_object_set_int_member (fields, "clean_exclusion_months", 12);
  json_object_set_int_member (fields, "inspectors_per_object", 2);
  /* The defaults of 0004_matching.sql. */
  json_object_set_array_member (fields, "inspector_tag_ids", json_array_new ());
  json_object_set_int_member (fields, "inspector_task_cap", 30);
  json_object_set_int_member (fields, "inspector_month_cap", 60);
  json_object_set_boolean_member (fields, "avoid_last_inspector", TRUE);

  v = sui_validation_new ();
  if (!merge_fields (call, fields, ranges, PQgetvalue (plan, 0, SUI_PLAN_COL_UNIT), "[]", &items,
                     v, error))
    {
      sui_register_discard_validation (v, call);
      return NULL;
    }
  if (!sui_validation_finish (v, call, error))
    return NULL;

  g_ptr_array_add (params, g_strdup (PQgetvalue (plan, 0, SUI_PLAN_COL_ID)));
  fields_params (fields, items, params);
  g_ptr_array_add (params, g_strdup (PQgetvalue (plan, 0, SUI_PLAN_COL_UNIT)));
  g_ptr_array_add (params, sui_pg_int_param (call->user->id));
  return sui_register_insert (call, "tasks",
                              "insert into task (plan_id, name, items, scope, ratio_a_bp,"
                              " ratio_b_bp, ratio_c_bp, ratio_d_bp, exclusion_months,"
                              " inspectors_per_object, window_start, window_end, deadline, note,"
                              " inspector_tag_ids, inspector_task_cap, inspector_month_cap,"
                              " avoid_last_inspector, clean_exclusion_months, unit_id,"
                              " created_by)"
                              " values ($1::bigint, $2, $3::jsonb, $4::jsonb, $5::integer,"
                              " $6::integer, $7::integer, $8::integer, $9::integer, $10::integer,"
                              " $11::date, $12::date, $13::date, $14, $15::bigint[], $16::integer,"
                              " $17::integer, $18::boolean, $19::integer, $20::bigint,"
                              " $21::bigint) returning id",
                              (int) params->len, (const char * const *) params->pdata, load_task,
                              COL_JSON, error);
}

static JsonNode *
tasks_update (SuiCall  *call,
              GError  **error)
{
  gint64 id = 0, version = 0;
  g_autoptr(PGresult) row = NULL;
  g_autoptr(PGresult) ranges = NULL;
  g_autoptr(PGresult) done = NULL;
  g_autoptr(JsonNode) before = NULL;
  g_autoptr(JsonNode) after = NULL;
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *items = NULL;
  g_autoptr(JsonNode) stored_items = NULL;
  g_autoptr(JsonNode) new_items = NULL;
  JsonObject *fields;
  SuiValidation *v;

  if (!sui_call_get_id_version (call, &id, &version, error))
    return NULL;
  row = sui_register_load_for_write (call, load_task, id, version, COL_VERSION,
                                     "该抽查任务已被他人修改，请刷新后再试", error);
  if (row == NULL)
    return NULL;
  if (!g_str_equal (PQgetvalue (row, 0, COL_STATE), "draft"))
    {
      sui_state_error (error, "任务已就绪（候选名单已冻结），不能再修改；如需调整，请申请作废摇号或提出计划变更");
      return NULL;
    }
  if (!sui_pg_get_bool (row, 0, COL_PLAN_EDITABLE))
    {
      sui_state_error (error, "任务所在的计划已提交或已发布；修改任务前请等待审核退回，"
                              "或提出计划变更并经市局批准");
      return NULL;
    }

  ranges = load_ranges (call, PQgetvalue (row, 0, COL_PLAN), error);
  if (ranges == NULL)
    return NULL;
  before = sui_register_column_json (row, 0, COL_JSON);
  {
    /* json_node_copy shares the object: a deep copy through its text. */
    g_autofree char *text = sui_json_to_string (before);

    after = json_from_string (text, NULL);
  }
  fields = json_node_get_object (after);

  v = sui_validation_new ();
  if (!merge_fields (call, fields, ranges, PQgetvalue (row, 0, COL_UNIT),
                     PQgetvalue (row, 0, COL_ITEMS), &items, v, error))
    {
      sui_register_discard_validation (v, call);
      return NULL;
    }
  if (!sui_validation_finish (v, call, error))
    return NULL;
  stored_items = json_from_string (PQgetvalue (row, 0, COL_ITEMS), NULL);
  new_items = json_from_string (items, NULL);
  if (json_node_equal (before, after) && json_node_equal (stored_items, new_items))
    return g_steal_pointer (&before);

  g_ptr_array_add (params, g_strdup (PQgetvalue (row, 0, COL_ID)));
  fields_params (fields, items, params);
  g_clear_pointer (&after, json_node_unref);
  done = sui_pg_exec (call->conn,
                      "update task set name = $2, items = $3::jsonb, scope = $4::jsonb,"
                      " ratio_a_bp = $5::integer, ratio_b_bp = $6::integer,"
                      " ratio_c_bp = $7::integer, ratio_d_bp = $8::integer,"
                      " exclusion_months = $9::integer, inspectors_per_object = $10::integer,"
                      " window_start = $11::date, window_end = $12::date, deadline = $13::date,"
                      " note = $14, inspector_tag_ids = $15::bigint[],"
                      " inspector_task_cap = $16::integer, inspector_month_cap = $17::integer,"
                      " avoid_last_inspector = $18::boolean,"
                      " clean_exclusion_months = $19::integer, version = version + 1,"
                      " updated_at = now ()"
                      " where id = $1::bigint",
                      (int) params->len, (const char * const *) params->pdata, error);
  if (done == NULL)
    return NULL;

  after = reload (call, id, error);
  return sui_register_audit_after (call, "tasks", PQgetvalue (row, 0, COL_ID), before,
                                   g_steal_pointer (&after), error);
}

/* ---- the candidates of a task --------------------------------------------------------- */

/* Appends the FROM and WHERE of the candidate query over `object o` to sql for a task of
 * unit_text with these fields (scope, exclusion_months, clean_exclusion_months,
 * window_start), its own items (items_text, the stored form [{item_id, method, reason}])
 * and its id (task_text, NULL for a new task; a stored joint task adds its parts' items):
 * the unit's objects that may be drawn (not retired, status active) in the scope. "key",
 * "recent" and "clean" are the three exclusions, as SQL expressions the caller can count
 * or filter by:
 *   key     under key supervision (重点监管 is checked outside the random pool);
 *   recent  the same-item rule (exclusion_months, 0 = off): drawn by a run, not voided,
 *           object draw of another task (of any unit) that lists an item of the same
 *           catalogue item as one of this task's items (its own or a part's), run within
 *           that many months before window_start (today when there is none);
 *   clean   checked recently with no problem (clean_exclusion_months, 0 = off): the
 *           register's last_check_date within that many months before window_start and
 *           last_check_result '1' or 未发现问题; a last check that found a problem does not
 *           leave the object out. */
static gboolean
candidate_query (JsonObject  *fields,
                 const char  *unit_text,
                 const char  *task_text,
                 const char  *items_text,
                 GString     *sql,
                 GPtrArray   *params,
                 GError     **error)
{
  JsonNode *scope = json_object_get_member (fields, "scope");
  g_autofree char *unit_p = NULL, *months_p = NULL, *start_p = NULL;
  g_autofree char *clean_p = NULL, *task_p = NULL, *items_p = NULL;
  g_autofree char *problem = NULL;
  const char *start = NULL;
  gint64 clean = 12;

  if (json_object_has_member (fields, "window_start") &&
      !json_object_get_null_member (fields, "window_start"))
    start = json_object_get_string_member (fields, "window_start");
  if (json_object_has_member (fields, "clean_exclusion_months"))
    clean = json_object_get_int_member (fields, "clean_exclusion_months");

  unit_p = sui_sql_param (params, g_strdup (unit_text));
  months_p = sui_sql_param (params, sui_pg_int_param (json_object_get_int_member (
                                      fields, "exclusion_months")));
  start_p = sui_sql_param (params, g_strdup (start));
  clean_p = sui_sql_param (params, sui_pg_int_param (clean));
  task_p = sui_sql_param (params, g_strdup (task_text));
  items_p = sui_sql_param (params, g_strdup (items_text != NULL ? items_text : "[]"));

  g_string_append_printf (sql,
                          " from object o join object_status os on os.code = o.status,"
                          " lateral (select o.key_supervision as key,"
                          "   (%s::integer > 0 and o.id in ("
                          "     select s.x from draw d join draw_stratum ds on ds.draw_id = d.id"
                          "       cross join unnest (ds.drawn) s (x)"
                          "     where d.kind = 'objects' and d.state = 'run'"
                          "       and d.task_id is distinct from %s::bigint"
                          "       and d.run_at::date > (coalesce (%s::date, current_date)"
                          "           - make_interval (months => %s::integer))::date"
                          "       and exists ("
                          "         select 1 from (select t2.items from task t2"
                          "                        where t2.id = d.task_id"
                          "                        union all select td2.items"
                          "                        from task_department td2"
                          "                        where td2.task_id = d.task_id) p2,"
                          "           jsonb_array_elements (p2.items) e2"
                          "           join item i2 on i2.id = (e2->>'item_id')::bigint"
                          "         where i2.catalogue_id in ("
                          "           select i1.catalogue_id"
                          "           from (select %s::jsonb as items"
                          "                 union all select td1.items from task_department td1"
                          "                 where td1.task_id = %s::bigint) p1,"
                          "             jsonb_array_elements (p1.items) e1"
                          "             join item i1 on i1.id = (e1->>'item_id')::bigint))))"
                          "   as recent,"
                          "   (%s::integer > 0 and o.last_check_date is not null"
                          "    and o.last_check_date > (coalesce (%s::date, current_date)"
                          "        - make_interval (months => %s::integer))::date"
                          "    and btrim (coalesce (o.last_check_result, '')) in ('1', '未发现问题'))"
                          "   as clean) x"
                          " where o.unit_id = %s::bigint and not o.retired and os.active and (",
                          months_p, task_p, start_p, months_p, items_p, task_p,
                          clean_p, start_p, clean_p, unit_p);
  if (!sui_filter_to_sql (scope, SUI_FILTER_OBJECTS, "o", sql, params, &problem))
    {
      /* It was checked when stored; a filter that no longer compiles is a state problem. */
      g_set_error (error, SUI_RPC_ERROR, SUI_RPC_ERROR_STATE,
                   "任务的检查对象范围已无法使用（%s），请修改任务后再试", problem);
      return FALSE;
    }
  g_string_append_c (sql, ')');
  return TRUE;
}

static gboolean
task_candidate_query (PGresult   *task,
                      GString    *sql,
                      GPtrArray  *params,
                      GError    **error)
{
  g_autoptr(JsonNode) json = sui_register_column_json (task, 0, COL_JSON);

  return candidate_query (json_node_get_object (json), PQgetvalue (task, 0, COL_UNIT),
                          PQgetvalue (task, 0, COL_ID), PQgetvalue (task, 0, COL_ITEMS), sql,
                          params, error);
}

static gint64
task_ratio (PGresult *task,
            int       class_index)
{
  g_autoptr(JsonNode) json = sui_register_column_json (task, 0, COL_JSON);

  return json_object_get_int_member (json_node_get_object (json), ratio_fields[class_index]);
}

/* ---- tasks.preview ------------------------------------------------------------------- */

/* What tasks.preview counts with: the stored task (id), a new task of a plan (plan_id) or
 * of the caller's unit under the city's table (neither), with the draft's values on top.
 * Fills fields, *unit_text and *ranges; the draft is checked as tasks.update checks it. */
static gboolean
preview_fields (SuiCall     *call,
                JsonObject  *fields,
                char       **unit_text,
                gint64      *task_id,
                gint64      *plan_id,
                char       **items_out,
                GError     **error)
{
  static const char *const int_fields[] = { "ratio_a_bp", "ratio_b_bp", "ratio_c_bp",
                                            "ratio_d_bp", "exclusion_months",
                                            "clean_exclusion_months" };
  g_autoptr(PGresult) task = NULL;
  g_autoptr(PGresult) plan = NULL;
  g_autoptr(PGresult) ranges = NULL;
  g_autofree char *plan_text = NULL;
  g_autofree char *items = NULL;
  const char *start = NULL;
  JsonNode *node;
  SuiValidation *v;

  *task_id = 0;
  *plan_id = 0;
  if (!sui_call_get_int (call, "id", FALSE, task_id, error) ||
      !sui_call_get_int (call, "plan_id", FALSE, plan_id, error))
    return FALSE;

  if (sui_call_has (call, "id"))
    {
      g_autoptr(JsonNode) stored = NULL;
      JsonObjectIter iter;
      const char *member;
      JsonNode *value;

      task = load_task (call, *task_id, FALSE, error);
      if (task == NULL)
        return FALSE;
      if (sui_call_has (call, "plan_id") && *plan_id != sui_pg_get_int (task, 0, COL_PLAN))
        {
          v = sui_validation_new ();
          sui_validation_add (v, "plan_id", "mismatch", "该任务不属于所给的计划，请刷新后再试");
          return sui_validation_finish (v, call, error);
        }
      *plan_id = sui_pg_get_int (task, 0, COL_PLAN);
      stored = sui_register_column_json (task, 0, COL_JSON);
      json_object_iter_init (&iter, json_node_get_object (stored));
      while (json_object_iter_next (&iter, &member, &value))
        json_object_set_member (fields, member, json_node_copy (value));
      *unit_text = g_strdup (PQgetvalue (task, 0, COL_UNIT));
      plan_text = sui_pg_int_param (*plan_id);
      items = g_strdup (PQgetvalue (task, 0, COL_ITEMS));
    }
  else if (sui_call_has (call, "plan_id"))
    {
      plan = sui_plans_load (call, *plan_id, FALSE, error);
      if (plan == NULL)
        return FALSE;
      *unit_text = g_strdup (PQgetvalue (plan, 0, SUI_PLAN_COL_UNIT));
      plan_text = g_strdup (PQgetvalue (plan, 0, SUI_PLAN_COL_ID));
    }
  else
    *unit_text = sui_pg_int_param (call->user->unit_id);

  /* A plan's own ranges, or the city's table (no plan_ratio row matches null). */
  ranges = load_ranges (call, plan_text, error);
  if (ranges == NULL)
    return FALSE;
  if (task == NULL)
    {
      /* The defaults tasks.create gives a new task. */
      json_object_set_null_member (fields, "scope");
      json_object_set_null_member (fields, "window_start");
      for (int i = 0; i < PQntuples (ranges); i++)
        json_object_set_int_member (fields, ratio_fields[i], sui_pg_get_int (ranges, i, 4));
      json_object_set_int_member (fields, "exclusion_months", 12);
      json_object_set_int_member (fields, "clean_exclusion_months", 12);
      items = g_strdup ("[]");
    }

  /* The draft on top, by the names and rules of tasks.update. */
  for (gsize i = 0; i < G_N_ELEMENTS (int_fields); i++)
    {
      gint64 value = 0;

      if (!sui_call_get_int (call, int_fields[i], FALSE, &value, error))
        return FALSE;
      if (sui_call_has (call, int_fields[i]))
        json_object_set_int_member (fields, int_fields[i], value);
    }
  if (!sui_call_get_string (call, "window_start", FALSE, &start, error))
    return FALSE;
  if (start != NULL && *start != '\0')
    json_object_set_string_member (fields, "window_start", start);
  else if (json_object_has_member (call->params, "window_start"))
    json_object_set_null_member (fields, "window_start");
  node = json_object_get_member (call->params, "scope");
  if (node != NULL)
    json_object_set_member (fields, "scope", json_node_copy (node));

  /* A stored task as it is was checked when saved (a later change of the plan's ranges
   * must not hide its candidates); a draft is checked whole, as tasks.update would. */
  {
    static const char *const draft[] = { "scope", "ratio_a_bp", "ratio_b_bp", "ratio_c_bp",
                                         "ratio_d_bp", "exclusion_months",
                                         "clean_exclusion_months", "window_start", "items" };
    gboolean any = task == NULL;

    for (gsize i = 0; !any && i < G_N_ELEMENTS (draft); i++)
      any = json_object_has_member (call->params, draft[i]);
    if (!any)
      {
        *items_out = g_steal_pointer (&items);
        return TRUE;
      }
  }

  v = sui_validation_new ();
  node = json_object_get_member (call->params, "items");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      g_autoptr(GArray) kept = stored_ids (items);

      g_clear_pointer (&items, g_free);
      items = sui_items_check_task_items (call, node, g_ascii_strtoll (*unit_text, NULL, 10),
                                          kept, v, error);
      if (items == NULL && error != NULL && *error != NULL)
        {
          sui_register_discard_validation (v, call);
          return FALSE;
        }
    }
  else if (node != NULL)
    {
      g_clear_pointer (&items, g_free);
      items = g_strdup ("[]");
    }
  check_scope (fields, v);
  check_ratios (fields, ranges, v);
  if (items != NULL && !check_general_cap (call, fields, items, v, error))
    {
      sui_register_discard_validation (v, call);
      return FALSE;
    }
  check_exclusion (fields, v);
  if (json_object_has_member (fields, "window_start") &&
      !json_object_get_null_member (fields, "window_start") &&
      !sui_register_date_valid (json_object_get_string_member (fields, "window_start")))
    sui_validation_add (v, "window_start", "date", "日期格式须为 YYYY-MM-DD，且是有效日期");
  if (!sui_validation_finish (v, call, error))
    return FALSE;
  *items_out = g_steal_pointer (&items);
  return TRUE;
}

static JsonNode *
tasks_preview (SuiCall  *call,
               GError  **error)
{
  gint64 task_id = 0, plan_id = 0;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autofree char *unit_text = NULL, *items = NULL, *task_text = NULL;
  g_autoptr(PGresult) counts = NULL;
  /* Each object counts under its first exclusion: key supervision, the same item, then
   * checked recently with no problem. */
  g_autoptr(GString) sql = g_string_new ("select o.risk_class,"
                                         " count (*) filter (where not x.key and not x.recent"
                                         "                   and not x.clean),"
                                         " count (*) filter (where x.key),"
                                         " count (*) filter (where not x.key and x.recent),"
                                         " count (*) filter (where not x.key and not x.recent"
                                         "                   and x.clean)");
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  gint64 total_n = 0, total_k = 0, total_key = 0, total_recent = 0, total_clean = 0;

  if (!preview_fields (call, fields, &unit_text, &task_id, &plan_id, &items, error))
    return NULL;
  if (task_id > 0)
    task_text = sui_pg_int_param (task_id);
  if (!candidate_query (fields, unit_text, task_text, items, sql, params, error))
    return NULL;
  g_string_append (sql, " group by o.risk_class");
  counts = sui_pg_exec (call->conn, sql->str, (int) params->len,
                        (const char * const *) params->pdata, error);
  if (counts == NULL)
    return NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "task_id");
  if (task_id > 0)
    json_builder_add_int_value (b, task_id);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "plan_id");
  if (plan_id > 0)
    json_builder_add_int_value (b, plan_id);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "strata");
  json_builder_begin_array (b);
  for (guint c = 0; c < G_N_ELEMENTS (risk_classes); c++)
    {
      gint64 n = 0, key = 0, recent = 0, clean = 0;
      gint64 ratio = json_object_get_int_member (fields, ratio_fields[c]);
      gint64 k;

      for (int r = 0; r < PQntuples (counts); r++)
        if (g_str_equal (PQgetvalue (counts, r, 0), risk_classes[c]))
          {
            n = sui_pg_get_int (counts, r, 1);
            key = sui_pg_get_int (counts, r, 2);
            recent = sui_pg_get_int (counts, r, 3);
            clean = sui_pg_get_int (counts, r, 4);
          }
      k = (gint64) sui_draw_k_for_ratio ((guint64) n, (guint) ratio);
      total_n += n;
      total_k += k;
      total_key += key;
      total_recent += recent;
      total_clean += clean;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, risk_classes[c]);
      json_builder_set_member_name (b, "ratio_bp");
      json_builder_add_int_value (b, ratio);
      json_builder_set_member_name (b, "n");
      json_builder_add_int_value (b, n);
      json_builder_set_member_name (b, "k");
      json_builder_add_int_value (b, k);
      json_builder_set_member_name (b, "excluded_key_supervision");
      json_builder_add_int_value (b, key);
      json_builder_set_member_name (b, "excluded_recent");
      json_builder_add_int_value (b, recent);
      json_builder_set_member_name (b, "excluded_clean");
      json_builder_add_int_value (b, clean);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "n");
  json_builder_add_int_value (b, total_n);
  json_builder_set_member_name (b, "k");
  json_builder_add_int_value (b, total_k);
  json_builder_set_member_name (b, "excluded_key_supervision");
  json_builder_add_int_value (b, total_key);
  json_builder_set_member_name (b, "excluded_recent");
  json_builder_add_int_value (b, total_recent);
  json_builder_set_member_name (b, "excluded_clean");
  json_builder_add_int_value (b, total_clean);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* ---- tasks.make_ready --------------------------------------------------------------- */

static JsonNode *
tasks_make_ready (SuiCall  *call,
                  GError  **error)
{
  gint64 id = 0, version = 0, count = 0;
  g_autoptr(PGresult) task = NULL;
  g_autoptr(PGresult) strata = NULL;
  g_autoptr(PGresult) made = NULL;
  g_autoptr(PGresult) step = NULL;
  g_autoptr(GString) sql = g_string_new ("select o.risk_class,"
                                         " array_agg (o.id order by o.id)::text");
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(SuiDrawInput) input = sui_draw_input_new ();
  g_autoptr(JsonNode) before = NULL;
  g_autoptr(JsonNode) after = NULL;
  g_autofree char *secret = NULL, *commitment = NULL, *hash_hex = NULL;
  g_autofree char *count_p = NULL, *actor = NULL;
  const char *arrays[G_N_ELEMENTS (risk_classes)];
  guint8 hash[SUI_DRAW_HASH_SIZE];
  const char *state;

  if (!sui_call_get_id_version (call, &id, &version, error))
    return NULL;
  task = sui_register_load_for_write (call, load_task, id, version, COL_VERSION,
                                      "该抽查任务已被他人修改，请刷新后再试", error);
  if (task == NULL)
    return NULL;

  state = PQgetvalue (task, 0, COL_STATE);
  before = sui_register_column_json (task, 0, COL_JSON);
  if (!g_str_equal (state, "draft"))
    {
      sui_state_error (error, "任务已经就绪，候选名单和承诺值已公示；下一步请进行摇号");
      return NULL;
    }
  {
    JsonObject *fields = json_node_get_object (before);

    if (json_object_get_null_member (fields, "published_revision"))
      {
        sui_state_error (error, "任务所在的计划尚未发布（或任务是变更中新增的、尚未随新版本发布），"
                                "请先发布计划再设为就绪");
        return NULL;
      }
    if (json_object_get_null_member (fields, "window_start") ||
        json_object_get_null_member (fields, "window_end"))
      {
        sui_state_error (error, "请先填写检查时间窗口（开始和结束日期），再将任务设为就绪");
        return NULL;
      }
  }

  /* A joint task (一业一查) goes ahead only when every partner has confirmed its part. */
  {
    const char *p[1] = { PQgetvalue (task, 0, COL_ID) };

    step = sui_pg_exec (call->conn,
                        "select string_agg (u.name, '、' order by u.name)"
                        " from task_department d join unit u on u.id = d.unit_id"
                        " where d.task_id = $1::bigint and d.confirmed_at is null",
                        1, p, error);
    if (step == NULL)
      return NULL;
    if (!PQgetisnull (step, 0, 0))
      {
        g_autofree char *message =
          g_strdup_printf ("配合部门%s尚未确认其检查内容；请待所有配合部门确认后再将任务设为就绪",
                           PQgetvalue (step, 0, 0));

        sui_state_error (error, message);
        return NULL;
      }
    g_clear_pointer (&step, PQclear);
  }

  /* The candidates per risk class, frozen now: the same query tasks.preview counts. */
  if (!task_candidate_query (task, sql, params, error))
    return NULL;
  g_string_append (sql, " and not x.key and not x.recent and not x.clean"
                       " group by o.risk_class");
  strata = sui_pg_exec (call->conn, sql->str, (int) params->len,
                        (const char * const *) params->pdata, error);
  if (strata == NULL)
    return NULL;

  for (guint c = 0; c < G_N_ELEMENTS (risk_classes); c++)
    {
      SuiDrawStratum *stratum = sui_draw_input_add_stratum (input, risk_classes[c],
                                                            (int) task_ratio (task, (int) c));

      arrays[c] = "{}";
      for (int r = 0; r < PQntuples (strata); r++)
        if (g_str_equal (PQgetvalue (strata, r, 0), risk_classes[c]))
          arrays[c] = PQgetvalue (strata, r, 1);
      sui_draws_add_array (input, stratum, arrays[c]);
      count += stratum->candidates->len;
    }
  if (count == 0)
    {
      sui_state_error (error, "检查对象范围内没有可抽取的对象，请调整任务的对象范围后再设为就绪");
      return NULL;
    }
  if (!sui_draw_candidate_hash (input, hash, error))
    {
      /* Register ids are always valid draw ids: this would be a bug, not a user error. */
      g_message ("candidate hash of task %" G_GINT64_FORMAT ": %s", id, (*error)->message);
      g_clear_error (error);
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_INTERNAL,
                           "候选名单无法计算哈希，请联系管理员");
      return NULL;
    }

  sui_draws_new_secret (&secret, &commitment);
  hash_hex = sui_draw_hex (hash, sizeof hash);
  count_p = sui_pg_int_param (count);
  actor = sui_pg_int_param (call->user->id);
  {
    const char *p[6] = { PQgetvalue (task, 0, COL_ID), secret, commitment, hash_hex, count_p,
                         actor };

    made = sui_pg_exec (call->conn,
                        "insert into draw (task_id, kind, secret, commitment, candidate_hash,"
                        "                  candidate_count, committed_by)"
                        " values ($1::bigint, 'objects', decode ($2, 'hex'), decode ($3, 'hex'),"
                        "         decode ($4, 'hex'), $5::bigint, $6::bigint) returning id",
                        6, p, error);
  }
  if (made == NULL)
    return NULL;

  for (guint c = 0; c < G_N_ELEMENTS (risk_classes); c++)
    {
      g_autofree char *ratio = sui_pg_int_param (task_ratio (task, (int) c));
      const char *p[4] = { PQgetvalue (made, 0, 0), risk_classes[c], ratio, arrays[c] };

      step = sui_pg_exec (call->conn,
                          "insert into draw_stratum (draw_id, name, ratio_bp, n, candidates)"
                          " values ($1::bigint, $2, $3::integer,"
                          "         cardinality ($4::bigint[]), $4::bigint[])",
                          4, p, error);
      if (step == NULL)
        return NULL;
      g_clear_pointer (&step, PQclear);
    }

  {
    const char *p[1] = { PQgetvalue (task, 0, COL_ID) };

    step = sui_pg_exec (call->conn,
                        "update task set state = 'ready', version = version + 1,"
                        " updated_at = now () where id = $1::bigint",
                        1, p, error);
    if (step == NULL)
      return NULL;
  }

  if (!sui_draws_audit_committed (call, PQgetvalue (made, 0, 0), error))
    return NULL;
  return reload (call, id, error);
}

/* The fields of a task that create and update take alike. */
#define TASK_PARAMS \
  "[items]:array, [scope]:object, [ratio_a_bp]:integer, [ratio_b_bp]:integer, " \
  "[ratio_c_bp]:integer, [ratio_d_bp]:integer, [exclusion_months]:integer, " \
  "[clean_exclusion_months]:integer, " \
  "[inspectors_per_object]:integer, [window_start]:string, [window_end]:string, " \
  "[deadline]:string, [note]:string, [inspector_tag_ids]:array, " \
  "[inspector_task_cap]:integer, [inspector_month_cap]:integer, " \
  "[avoid_last_inspector]:boolean"

static const SuiMethod tasks_methods[] = {
  {
    .name = "tasks.list",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .params = "[plan_id]:integer, [state]:string, [after]:integer, [limit]:integer",
    .summary = "Tasks (supervisors: their unit's), keyset-paged by id",
    .handler = tasks_list,
  },
  {
    .name = "tasks.get",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .params = "id:integer",
    .summary = "A task with its plan and every draw (voided ones too)",
    .handler = tasks_get,
  },
  {
    .name = "tasks.create",
    .roles = SUI_ROLE_SUPERVISOR,
    .writes = TRUE,
    .params = "plan_id:integer, name:string, " TASK_PARAMS,
    .summary = "Add a task to an editable plan",
    .handler = tasks_create,
  },
  {
    .name = "tasks.update",
    .roles = SUI_ROLE_SUPERVISOR,
    .writes = TRUE,
    .params = "id:integer, version:integer, [name]:string, " TASK_PARAMS,
    .summary = "Change a draft task of an editable plan",
    .handler = tasks_update,
  },
  {
    .name = "tasks.preview",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .params = "[id]:integer, [plan_id]:integer, [scope]:object, [ratio_a_bp]:integer, "
              "[ratio_b_bp]:integer, [ratio_c_bp]:integer, [ratio_d_bp]:integer, "
              "[exclusion_months]:integer, [clean_exclusion_months]:integer, "
              "[window_start]:string, [items]:array",
    .summary = "Candidates per risk class and how many would be drawn, for a stored task, "
               "a plan's new task or the caller's unit, with unsaved draft values on top",
    .handler = tasks_preview,
  },
  {
    .name = "tasks.make_ready",
    .roles = SUI_ROLE_SUPERVISOR,
    .writes = TRUE,
    .params = "id:integer, version:integer",
    .summary = "Freeze the candidates, make the draw's secret, publish its commitment",
    .handler = tasks_make_ready,
  },
};

void
sui_tasks_register (void)
{
  sui_methods_register (tasks_methods, G_N_ELEMENTS (tasks_methods));
}
