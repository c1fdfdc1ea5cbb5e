/* sui-grades.c: grades.list, grades.update — the table mapping tobacco credit grades
 * (AAA … D) onto the risk classes A–D
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Changing a mapping never re-classes objects behind anyone's back: grades.update answers
 * how many objects hold that grade with another class (would_change), and only with
 * reclassify: true moves them, in the same transaction, each change kept in the objects'
 * risk history with source `mapping`. grades.list shows per grade how many objects are
 * out of line with the table, so a mapping changed without reclassifying stays visible;
 * an update with the same class and reclassify: true brings them in line later.
 */
#include "sui-grades.h"

#include "sui-filter.h"
#include "sui-pg.h"

static JsonNode *
grades_list (SuiCall  *call,
             GError  **error)
{
  g_autofree char *unit_text = NULL;
  const char *params[1];

  if (!sui_register_is_admin (call))
    unit_text = sui_pg_int_param (call->user->unit_id);
  params[0] = unit_text;

  return sui_pg_query_json (
    call->conn,
    "select json_build_object ('items', coalesce (json_agg (json_build_object ("
    "  'grade', g.grade, 'risk_class', g.risk_class, 'sort', g.sort, 'version', g.version,"
    "  'updated_at', g.updated_at, 'objects', coalesce (n.objects, 0),"
    "  'mismatched', coalesce (n.mismatched, 0)) order by g.sort, g.grade), '[]'))"
    " from credit_grade_class g left join lateral ("
    "  select count (*) as objects, count (*) filter (where o.risk_class <> g.risk_class)"
    "   as mismatched from object o where o.credit_grade = g.grade and not o.retired"
    "   and ($1::bigint is null or o.unit_id = $1::bigint)) n on true",
    1, params, error);
}

static JsonNode *
grades_update (SuiCall  *call,
               GError  **error)
{
  const char *grade = NULL;
  const char *risk_class = NULL;
  gint64 version = 0;
  gboolean reclassify = FALSE;
  g_autoptr(PGresult) row = NULL;
  g_autoptr(PGresult) changed = NULL;
  g_autoptr(PGresult) count = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonNode) before = NULL;
  g_autoptr(JsonNode) after = NULL;
  g_autofree char *note = NULL;
  const char *params[2];
  gboolean same;
  gint64 current;
  gint64 would_change;
  gint64 reclassified = 0;
  gint64 new_version;

  if (!sui_call_get_string (call, "grade", TRUE, &grade, error) ||
      !sui_call_get_string (call, "risk_class", TRUE, &risk_class, error) ||
      !sui_call_get_int (call, "version", TRUE, &version, error) ||
      !sui_call_get_bool (call, "reclassify", FALSE, &reclassify, error))
    return NULL;
  if (!g_str_equal (risk_class, "A") && !g_str_equal (risk_class, "B") &&
      !g_str_equal (risk_class, "C") && !g_str_equal (risk_class, "D"))
    {
      SuiValidation *v = sui_validation_new ();

      sui_validation_add (v, "risk_class", "invalid", "风险等级应为 A、B、C 或 D");
      sui_validation_finish (v, call, error);
      return NULL;
    }

  params[0] = grade;
  row = sui_pg_exec (call->conn,
                     "select risk_class, version from credit_grade_class where grade = $1"
                     " for update",
                     1, params, error);
  if (row == NULL)
    return NULL;
  if (PQntuples (row) != 1)
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_FOUND,
                           "该信用等级不存在，请刷新后再试");
      return NULL;
    }
  current = g_ascii_strtoll (PQgetvalue (row, 0, 1), NULL, 10);
  if (!sui_register_check_version (call, current, version,
                                   "该映射已被他人修改，请刷新后再试", error))
    return NULL;
  same = g_str_equal (PQgetvalue (row, 0, 0), risk_class);

  params[1] = risk_class;
  count = sui_pg_exec (call->conn,
                       "select count (*) from object where credit_grade = $1"
                       " and not retired and risk_class <> $2::bpchar",
                       2, params, error);
  if (count == NULL)
    return NULL;
  would_change = g_ascii_strtoll (PQgetvalue (count, 0, 0), NULL, 10);

  new_version = current;
  if (!same)
    {
      g_autoptr(PGresult) updated = NULL;

      updated = sui_pg_exec (call->conn,
                             "update credit_grade_class set risk_class = $2::bpchar,"
                             " version = version + 1, updated_at = now ()"
                             " where grade = $1 returning version",
                             2, params, error);
      if (updated == NULL)
        return NULL;
      new_version = g_ascii_strtoll (PQgetvalue (updated, 0, 0), NULL, 10);
    }

  if (reclassify && would_change > 0)
    {
      note = g_strdup_printf ("信用等级 %s 对应风险等级 %s", grade, risk_class);
      if (!sui_register_set_actor (call, "mapping", error))
        return NULL;
      {
        g_autoptr(PGresult) set = sui_pg_exec (call->conn,
                                               "select set_config ('sui.risk_note', $1, true)",
                                               1, (const char *[]) { note }, error);

        if (set == NULL)
          return NULL;
      }
      changed = sui_pg_exec (call->conn,
                             "update object set risk_class = $2::bpchar,"
                             " version = version + 1, updated_at = now ()"
                             " where credit_grade = $1 and not retired"
                             " and risk_class <> $2::bpchar",
                             2, params, error);
      if (changed == NULL)
        return NULL;
      reclassified = g_ascii_strtoll (PQcmdTuples (changed), NULL, 10);
    }

  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "grade");
  json_builder_add_string_value (b, grade);
  json_builder_set_member_name (b, "risk_class");
  json_builder_add_string_value (b, risk_class);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, new_version);
  json_builder_set_member_name (b, "would_change");
  json_builder_add_int_value (b, reclassify ? would_change - reclassified : would_change);
  json_builder_set_member_name (b, "reclassified");
  json_builder_add_int_value (b, reclassified);
  json_builder_end_object (b);
  after = json_builder_get_root (b);

  if (!same || reclassified > 0)
    {
      g_autoptr(JsonBuilder) old = json_builder_new ();

      json_builder_begin_object (old);
      json_builder_set_member_name (old, "grade");
      json_builder_add_string_value (old, grade);
      json_builder_set_member_name (old, "risk_class");
      json_builder_add_string_value (old, PQgetvalue (row, 0, 0));
      json_builder_set_member_name (old, "version");
      json_builder_add_int_value (old, current);
      json_builder_end_object (old);
      before = json_builder_get_root (old);
      if (!sui_audit_append (call, "credit_grades", grade, before, after, error))
        return NULL;
    }
  return g_steal_pointer (&after);
}

static const SuiMethod grades_methods[] = {
  {
    .name = "grades.list",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .params = "",
    .summary = "The credit grade → risk class table, with how many objects hold each grade "
               "and how many are out of line",
    .handler = grades_list,
  },
  {
    .name = "grades.update",
    .roles = SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "grade:string, risk_class:string, version:integer, [reclassify]:boolean",
    .summary = "Map a credit grade onto another risk class; with reclassify, move the objects "
               "of that grade too",
    .handler = grades_update,
  },
};

void
sui_grades_register (void)
{
  sui_methods_register (grades_methods, G_N_ELEMENTS (grades_methods));
}
