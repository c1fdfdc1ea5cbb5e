/* sui-objects.c: objects.list, objects.get, objects.create, objects.update,
 * objects.retire, objects.reference
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The object register (检查对象名录库): every licensee that may be drawn. Admins see and
 * keep every unit's objects, supervisors their own unit's. Objects are retired, never
 * deleted. The triggers of 0002_registers.sql keep each object's history (who, when,
 * which columns) and its risk-class history; this file tells them who is writing.
 */
#include "sui-objects.h"

#include <string.h>

#include "sui-credit-code.h"
#include "sui-filter.h"
#include "sui-pg.h"

enum
{
  F_TYPE, F_LICENCE, F_CREDIT, F_NAME, F_LEGAL_REP, F_ADDRESS, F_UNIT, F_DISTRICT, F_STATUS,
  F_VALID_FROM, F_VALID_UNTIL, F_KEY, F_KEY_REASON, F_GRADE, F_GRADE_DATE, F_RISK,
  F_LAST_DATE, F_LAST_RESULT, F_CONTACT, N_FIELDS
};

static const SuiField fields[N_FIELDS] = {
  { "type", SUI_FIELD_TEXT },
  { "licence_no", SUI_FIELD_TEXT },
  { "credit_code", SUI_FIELD_TEXT },
  { "name", SUI_FIELD_TEXT },
  { "legal_rep", SUI_FIELD_TEXT },
  { "address", SUI_FIELD_TEXT },
  { "unit_id", SUI_FIELD_INT },
  { "district", SUI_FIELD_TEXT },
  { "status", SUI_FIELD_TEXT },
  { "licence_valid_from", SUI_FIELD_DATE },
  { "licence_valid_until", SUI_FIELD_DATE },
  { "key_supervision", SUI_FIELD_BOOL },
  { "key_supervision_reason", SUI_FIELD_TEXT },
  { "credit_grade", SUI_FIELD_TEXT },
  { "credit_grade_date", SUI_FIELD_DATE },
  { "risk_class", SUI_FIELD_TEXT },
  { "last_check_date", SUI_FIELD_DATE },
  { "last_check_result", SUI_FIELD_TEXT },
  { "contact", SUI_FIELD_TEXT },
};

/* The editable columns in the order of fields[], as text, then these. */
#define OBJECT_COLUMNS \
  "o.type, o.licence_no, o.credit_code, o.name, o.legal_rep, o.address, o.unit_id," \
  " o.district, o.status, o.licence_valid_from, o.licence_valid_until, o.key_supervision," \
  " o.key_supervision_reason, o.credit_grade, o.credit_grade_date, o.risk_class," \
  " o.last_check_date, o.last_check_result, o.contact"
enum { COL_VERSION = N_FIELDS, COL_RETIRED, COL_JSON };

/* The same columns, to write. */
#define OBJECT_WRITTEN \
  "type, licence_no, credit_code, name, legal_rep, address, unit_id, district, status," \
  " licence_valid_from, licence_valid_until, key_supervision, key_supervision_reason," \
  " credit_grade, credit_grade_date, risk_class, last_check_date, last_check_result, contact"

/* The values of fields[] as parameters $2 … $20 ($1 is the id on update). */
#define OBJECT_VALUES \
  "$2, $3, $4, $5, $6, $7, $8::bigint, $9, $10, $11::date, $12::date, $13::boolean, $14," \
  " $15, $16::date, $17, $18::date, $19, $20"

G_STATIC_ASSERT (N_FIELDS <= SUI_RECORD_MAX_FIELDS);

static PGresult *
load_object (SuiCall  *call,
             gint64    id,
             gboolean  for_update,
             GError  **error)
{
  return sui_register_load_scoped (call,
                                   "select " OBJECT_COLUMNS ", o.version, o.retired, "
                                   SUI_OBJECT_JSON_SQL " from object o where o.id = $1::bigint",
                                   " for update", for_update, id,
                                   "该检查对象不存在，请刷新后再试", F_UNIT,
                                   for_update ? "您只能修改本单位的检查对象"
                                              : "您只能查看本单位的检查对象", error);
}

/* The object id, locked, at the version the caller read and still in the register (-32011
 * with retired otherwise). */
static PGresult *
load_object_for_write (SuiCall     *call,
                       gint64       id,
                       gint64       version,
                       const char  *retired,
                       GError     **error)
{
  g_autoptr(PGresult) row = NULL;

  row = sui_register_load_for_write (call, load_object, id, version, COL_VERSION,
                                     "该检查对象已被他人修改，请刷新后再试", error);
  if (row == NULL)
    return NULL;
  if (sui_pg_get_bool (row, 0, COL_RETIRED))
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_STATE, retired);
      return NULL;
    }
  return g_steal_pointer (&row);
}

/* ---- objects.list, objects.get --------------------------------------------------- */

static JsonNode *
objects_list (SuiCall  *call,
              GError  **error)
{
  return sui_register_list (call, SUI_FILTER_OBJECTS, SUI_OBJECT_JSON_SQL, error);
}

static JsonNode *
objects_get (SuiCall  *call,
             GError  **error)
{
  return sui_register_get (
    call, load_object,
    "select (" SUI_OBJECT_JSON_SQL "::jsonb || jsonb_build_object ("
    " 'tags', " SUI_REGISTER_TAGS_SQL ("o") ","
    " 'history', " SUI_REGISTER_HISTORY_SQL ("object_history", "object_id", "o") ","
    " 'risk_history', (select coalesce (jsonb_agg (jsonb_build_object ('at', r.at,"
    "            'risk_class', r.risk_class, 'credit_grade', r.credit_grade,"
    "            'source', r.source, 'actor_id', r.actor_id, 'note', r.note)"
    "            order by r.id desc), '[]')"
    "          from object_risk_history r where r.object_id = o.id),"
    " 'recusals', (select coalesce (jsonb_agg (jsonb_build_object ('id', rc.id,"
    "            'inspector_id', rc.inspector_id, 'inspector_name', i.name,"
    "            'reason', rc.reason, 'created_at', rc.created_at) order by rc.id), '[]')"
    "          from inspector_recusal rc join inspector i on i.id = rc.inspector_id"
    "          where rc.object_id = o.id and rc.removed_at is null)))::json"
    " from object o where o.id = $1::bigint",
    error);
}

/* ---- validation shared by create and update ------------------------------------- */

static void
check_length (SuiValidation *v,
              SuiRecord     *r,
              int            field,
              glong          max,
              const char    *label)
{
  if (r->values[field] != NULL && g_utf8_strlen (r->values[field], -1) > max)
    {
      g_autofree char *message = g_strdup_printf ("%s不能超过 %ld 个字符，请缩短", label, max);

      sui_validation_add (v, fields[field].name, "too_long", message);
    }
}

static void
check_date (SuiValidation *v,
            SuiRecord     *r,
            int            field,
            const char    *label)
{
  if (r->values[field] != NULL && !sui_register_date_valid (r->values[field]))
    {
      g_autofree char *message =
        g_strdup_printf ("%s须为有效日期，格式为 YYYY-MM-DD，例如 2026-03-01", label);

      sui_validation_add (v, fields[field].name, "date", message);
    }
}

static gboolean
all_digits (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

/* Checks the whole record r (already merged with what was stored, for an update) and
 * fills in the defaults. *mapped_class receives the risk class the credit grade maps to
 * (NULL without a grade). */
static gboolean
validate (SuiCall        *call,
          SuiRecord      *r,
          gint64          self_id,
          gint64          stored_unit,
          char          **mapped_class,
          GError        **error)
{
  SuiValidation *v = sui_validation_new ();
  g_autofree char *self_text = sui_pg_int_param (self_id);
  g_autoptr(PGresult) refs = NULL;
  const char *params[6];

  /* Normal forms first: upper-case codes, defaults. */
  if (r->values[F_LICENCE] != NULL)
    {
      char *upper = g_ascii_strup (r->values[F_LICENCE], -1);

      g_free (r->values[F_LICENCE]);
      r->values[F_LICENCE] = upper;
    }
  if (r->values[F_CREDIT] != NULL)
    {
      char *normal = sui_credit_code_normalize (r->values[F_CREDIT]);

      g_free (r->values[F_CREDIT]);
      r->values[F_CREDIT] = normal;
    }
  if (r->values[F_RISK] != NULL)
    {
      char *upper = g_ascii_strup (r->values[F_RISK], -1);

      g_free (r->values[F_RISK]);
      r->values[F_RISK] = upper;
    }
  if (r->values[F_GRADE] != NULL)
    {
      char *upper = g_ascii_strup (r->values[F_GRADE], -1);

      g_free (r->values[F_GRADE]);
      r->values[F_GRADE] = upper;
    }
  if (r->values[F_STATUS] == NULL)
    r->values[F_STATUS] = g_strdup ("open");
  if (r->values[F_KEY] == NULL)
    r->values[F_KEY] = g_strdup ("f");
  if (!sui_register_is_admin (call))
    {
      if (r->values[F_UNIT] == NULL)
        r->values[F_UNIT] = sui_pg_int_param (call->user->unit_id);
      else if (g_ascii_strtoll (r->values[F_UNIT], NULL, 10) != call->user->unit_id)
        sui_validation_add (v, "unit_id", "own_unit", "您只能在本单位登记检查对象");
    }

  if (r->values[F_TYPE] == NULL)
    sui_validation_add (v, "type", "required", "请选择对象类型");
  if (r->values[F_NAME] == NULL)
    sui_validation_add (v, "name", "required", "请填写对象名称");
  if (r->values[F_UNIT] == NULL)
    sui_validation_add (v, "unit_id", "required", "请选择所属单位");

  if (r->values[F_LICENCE] == NULL)
    sui_validation_add (v, "licence_no", "required", "请填写许可证号");
  else if (!g_regex_match_simple ("^[0-9A-Z-]{4,32}$", r->values[F_LICENCE], 0, 0))
    sui_validation_add (v, "licence_no", "format",
                        "许可证号须为 4–32 位数字、大写字母或“-”，请核对");
  else if ((g_strcmp0 (r->values[F_TYPE], "retail") == 0 ||
            g_strcmp0 (r->values[F_TYPE], "ecig") == 0) &&
           (strlen (r->values[F_LICENCE]) != 12 || !all_digits (r->values[F_LICENCE])))
    sui_validation_add (v, "licence_no", "format",
                        "烟草专卖零售许可证号应为 12 位数字，请核对");

  if (r->values[F_CREDIT] != NULL)
    {
      g_autofree char *reason = NULL;
      SuiCreditCodeProblem problem = sui_credit_code_validate (r->values[F_CREDIT], &reason);

      if (problem != SUI_CREDIT_CODE_OK)
        sui_validation_add (v, "credit_code", sui_credit_code_problem_name (problem), reason);
    }

  check_length (v, r, F_NAME, 128, "对象名称");
  check_length (v, r, F_LEGAL_REP, 64, "法定代表人（负责人）");
  check_length (v, r, F_ADDRESS, 256, "经营地址");
  check_length (v, r, F_DISTRICT, 32, "所在区县");
  check_length (v, r, F_CONTACT, 64, "联系方式");
  check_length (v, r, F_KEY_REASON, 256, "重点监管原因");
  check_length (v, r, F_LAST_RESULT, 32, "最近检查结果");
  check_date (v, r, F_VALID_FROM, "许可证有效期起始日");
  check_date (v, r, F_VALID_UNTIL, "许可证有效期截止日");
  check_date (v, r, F_GRADE_DATE, "信用等级评定日期");
  check_date (v, r, F_LAST_DATE, "最近检查日期");
  if (r->values[F_VALID_FROM] != NULL && r->values[F_VALID_UNTIL] != NULL &&
      sui_register_date_valid (r->values[F_VALID_FROM]) &&
      sui_register_date_valid (r->values[F_VALID_UNTIL]) &&
      strcmp (r->values[F_VALID_UNTIL], r->values[F_VALID_FROM]) < 0)
    sui_validation_add (v, "licence_valid_until", "before_start",
                        "许可证有效期截止日不能早于起始日");
  if (g_str_equal (r->values[F_KEY], "t") && r->values[F_KEY_REASON] == NULL)
    sui_validation_add (v, "key_supervision_reason", "required",
                        "列为重点监管对象时须填写原因");
  if (r->values[F_RISK] != NULL && !g_regex_match_simple ("^[ABCD]$", r->values[F_RISK], 0, 0))
    sui_validation_add (v, "risk_class", "invalid",
                        "风险等级须为 A（低）、B（一般）、C（较高）或 D（高）");

  /* What only the database knows, in one round trip. */
  params[0] = r->values[F_TYPE];
  params[1] = r->values[F_STATUS];
  params[2] = r->values[F_GRADE];
  params[3] = r->values[F_UNIT];
  params[4] = r->values[F_LICENCE];
  params[5] = self_text;
  refs = sui_pg_exec (call->conn,
                      "select exists (select 1 from object_type where code = $1),"
                      "  exists (select 1 from object_status where code = $2),"
                      "  (select risk_class from credit_grade_class where grade = $3),"
                      "  (select disabled from unit where id = $4::bigint),"
                      "  exists (select 1 from object where licence_no = $5"
                      "          and id <> $6::bigint)",
                      6, params, error);
  if (refs == NULL)
    {
      sui_register_discard_validation (v, call);
      return FALSE;
    }

  if (r->values[F_TYPE] != NULL && !g_str_equal (PQgetvalue (refs, 0, 0), "t"))
    sui_validation_add (v, "type", "invalid", "对象类型不存在，请从列表中选择");
  if (!g_str_equal (PQgetvalue (refs, 0, 1), "t"))
    sui_validation_add (v, "status", "invalid", "经营状态不存在，请从列表中选择");
  if (r->values[F_GRADE] != NULL && PQgetisnull (refs, 0, 2))
    sui_validation_add (v, "credit_grade", "invalid",
                        "信用等级须为 AAA、AA、A、B、C 或 D 等已设定的等级");
  if (r->values[F_UNIT] != NULL)
    {
      if (PQgetisnull (refs, 0, 3))
        sui_validation_add (v, "unit_id", "not_found", "所选单位不存在，请重新选择");
      else if (g_str_equal (PQgetvalue (refs, 0, 3), "t") &&
               g_ascii_strtoll (r->values[F_UNIT], NULL, 10) != stored_unit)
        sui_validation_add (v, "unit_id", "disabled", "所选单位已停用，请选择其他单位");
    }
  if (r->values[F_LICENCE] != NULL && g_str_equal (PQgetvalue (refs, 0, 4), "t"))
    sui_validation_add (v, "licence_no", "taken",
                        "许可证号已存在：同一许可证号只能登记一次，请核对，或查找已登记的对象");

  *mapped_class = PQgetisnull (refs, 0, 2) ? NULL : g_strdup (PQgetvalue (refs, 0, 2));
  if (!sui_validation_finish (v, call, error))
    {
      g_clear_pointer (mapped_class, g_free);
      return FALSE;
    }
  return TRUE;
}

/* ---- objects.create ------------------------------------------------------------- */

static JsonNode *
objects_create (SuiCall  *call,
                GError  **error)
{
  g_auto(SuiRecord) r = { { NULL }, { FALSE } };
  g_autofree char *mapped = NULL;
  const char *required = NULL;

  /* A missing required param is -32602 naming it; an empty one is -32010 below. */
  if (!sui_call_get_string (call, "type", TRUE, &required, error) ||
      !sui_call_get_string (call, "licence_no", TRUE, &required, error) ||
      !sui_call_get_string (call, "name", TRUE, &required, error) ||
      !sui_register_read_fields (call, fields, N_FIELDS, r.values, r.present, error))
    return NULL;
  if (!validate (call, &r, 0, -1, &mapped, error))
    return NULL;
  if (r.values[F_RISK] == NULL)
    r.values[F_RISK] = g_strdup (mapped != NULL ? mapped : "B");

  if (!sui_register_set_actor (call, NULL, error))
    return NULL;

  return sui_record_write (&r, N_FIELDS, call, "objects", NULL, NULL,
                           "with o as ("
                           "  insert into object (" OBJECT_WRITTEN ")"
                           "  values (" OBJECT_VALUES ") returning *)"
                           " select o.id, " SUI_OBJECT_JSON_SQL " from o where $1::text is null",
                           error);
}

/* ---- objects.update ------------------------------------------------------------- */

static JsonNode *
objects_update (SuiCall  *call,
                GError  **error)
{
  gint64 id = 0;
  gint64 version = 0;
  gint64 stored_unit;
  g_auto(SuiRecord) r = { { NULL }, { FALSE } };
  g_autofree char *mapped = NULL;
  g_autofree char *id_text = NULL;
  g_autoptr(PGresult) row = NULL;
  g_autoptr(JsonNode) before = NULL;
  const char *risk_source = NULL;

  if (!sui_call_get_id_version (call, &id, &version, error))
    return NULL;

  row = load_object_for_write (call, id, version, "该检查对象已退出名录，不能再修改", error);
  if (row == NULL)
    return NULL;

  /* What is not given stays as it is. */
  sui_record_load (&r, row, N_FIELDS);
  if (!sui_register_read_fields (call, fields, N_FIELDS, r.values, r.present, error))
    return NULL;

  stored_unit = g_ascii_strtoll (PQgetvalue (row, 0, F_UNIT), NULL, 10);
  if (!validate (call, &r, id, stored_unit, &mapped, error))
    return NULL;

  /* A new credit grade moves the risk class with it, unless a class is given too. */
  if (r.present[F_GRADE] && !r.present[F_RISK] &&
      g_strcmp0 (r.values[F_GRADE], PQgetisnull (row, 0, F_GRADE) ? NULL
                                    : PQgetvalue (row, 0, F_GRADE)) != 0 && mapped != NULL)
    {
      g_free (r.values[F_RISK]);
      r.values[F_RISK] = g_strdup (mapped);
      risk_source = "mapping";
    }
  else
    risk_source = "manual";
  if (r.values[F_RISK] == NULL)
    r.values[F_RISK] = g_strdup (PQgetvalue (row, 0, F_RISK));

  before = sui_register_column_json (row, 0, COL_JSON);
  if (!sui_record_differs (&r, row, N_FIELDS))
    return g_steal_pointer (&before);   /* nothing to change, nothing to audit */

  if (!sui_register_set_actor (call, risk_source, error))
    return NULL;

  id_text = sui_pg_int_param (id);
  return sui_record_write (&r, N_FIELDS, call, "objects", id_text, before,
                           "with o as ("
                           "  update object set (" OBJECT_WRITTEN ") = (" OBJECT_VALUES "),"
                           "    version = version + 1, updated_at = now ()"
                           "  where id = $1::bigint returning *)"
                           " select " SUI_OBJECT_JSON_SQL " from o",
                           error);
}

/* ---- objects.retire ------------------------------------------------------------- */

static JsonNode *
objects_retire (SuiCall  *call,
                GError  **error)
{
  gint64 id = 0;
  gint64 version = 0;
  const char *reason_param = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *id_text = NULL;
  g_autoptr(PGresult) row = NULL;
  g_autoptr(PGresult) changed = NULL;
  g_autoptr(JsonNode) before = NULL;
  const char *params[2];

  if (!sui_call_get_id_version (call, &id, &version, error) ||
      !sui_call_get_string (call, "reason", TRUE, &reason_param, error))
    return NULL;
  reason = g_strstrip (g_strdup (reason_param));

  if (*reason == '\0' || g_utf8_strlen (reason, -1) > 256)
    {
      SuiValidation *v = sui_validation_new ();

      sui_validation_add (v, "reason", *reason == '\0' ? "required" : "too_long",
                          *reason == '\0' ? "请填写退出名录的原因"
                                          : "原因不能超过 256 个字符，请缩短");
      sui_validation_finish (v, call, error);
      return NULL;
    }

  row = load_object_for_write (call, id, version, "该检查对象已退出名录", error);
  if (row == NULL)
    return NULL;

  if (!sui_register_set_actor (call, NULL, error))
    return NULL;

  before = sui_register_column_json (row, 0, COL_JSON);
  id_text = sui_pg_int_param (id);
  params[0] = id_text;
  params[1] = reason;
  changed = sui_pg_exec (call->conn,
                         "with o as ("
                         "  update object set retired = true, retired_at = now (),"
                         "    retired_reason = $2, version = version + 1, updated_at = now ()"
                         "  where id = $1::bigint returning *)"
                         " select " SUI_OBJECT_JSON_SQL " from o",
                         2, params, error);
  return sui_register_audited (call, "objects", id_text, before, changed, 0, error);
}

/* ---- objects.reference ---------------------------------------------------------- */

static JsonNode *
objects_reference (SuiCall  *call,
                   GError  **error)
{
  return sui_pg_query_json (
    call->conn,
    "select json_build_object ("
    " 'types', (select json_agg (json_build_object ('code', code, 'name', name)"
    "           order by sort, code) from object_type),"
    " 'statuses', (select json_agg (json_build_object ('code', code, 'name', name,"
    "           'active', active) order by sort, code) from object_status),"
    " 'credit_grades', (select json_agg (json_build_object ('grade', grade,"
    "           'risk_class', risk_class, 'version', version) order by sort, grade)"
    "           from credit_grade_class),"
    " 'inspector_statuses', (select json_agg (json_build_object ('code', code, 'name', name,"
    "           'assignable', assignable) order by sort, code) from inspector_status),"
    " 'risk_classes', json_build_array ("
    "   json_build_object ('code', 'A', 'name', '低风险'),"
    "   json_build_object ('code', 'B', 'name', '一般风险'),"
    "   json_build_object ('code', 'C', 'name', '较高风险'),"
    "   json_build_object ('code', 'D', 'name', '高风险')))",
    0, NULL, error);
}

#define OBJECT_PARAMS \
  "[credit_code]:string, [legal_rep]:string, [address]:string, [unit_id]:integer, " \
  "[district]:string, [status]:string, [licence_valid_from]:string, " \
  "[licence_valid_until]:string, " \
  "[key_supervision]:boolean, [key_supervision_reason]:string, [credit_grade]:string, " \
  "[credit_grade_date]:string, [risk_class]:string, [last_check_date]:string, " \
  "[last_check_result]:string, [contact]:string"

static const SuiMethod objects_methods[] = {
  {
    .name = "objects.list",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .params = "[filter]:object, [include_retired]:boolean, [with_count]:boolean, "
              "[order]:string, [descending]:boolean, [after]:integer, [limit]:integer",
    .summary = "Objects matching a filter expression, by id or another order, keyset-paged "
               "(supervisors: their unit's)",
    .handler = objects_list,
  },
  {
    .name = "objects.get",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .params = "id:integer",
    .summary = "One object with its tags, history, risk-class history and recusals",
    .handler = objects_get,
  },
  {
    .name = "objects.create",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "type:string, licence_no:string, name:string, " OBJECT_PARAMS,
    .summary = "Register an object",
    .handler = objects_create,
  },
  {
    .name = "objects.update",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "id:integer, version:integer, [type]:string, [licence_no]:string, [name]:string, "
              OBJECT_PARAMS,
    .summary = "Change an object; fields not given stay, null clears; version is the one read",
    .handler = objects_update,
  },
  {
    .name = "objects.retire",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "id:integer, version:integer, reason:string",
    .summary = "Take an object out of the register (kept, never deleted)",
    .handler = objects_retire,
  },
  {
    .name = "objects.reference",
    .roles = SUI_ROLE_ANY,
    .params = "",
    .summary = "Object types, statuses, credit grades and their risk classes, inspector "
               "statuses",
    .handler = objects_reference,
  },
};

void
sui_objects_register (void)
{
  sui_methods_register (objects_methods, G_N_ELEMENTS (objects_methods));
}
