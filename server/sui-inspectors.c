/* sui-inspectors.c: inspectors.list, inspectors.get, inspectors.create, inspectors.update,
 * inspectors.expiring, inspectors.add_recusal, inspectors.remove_recusal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The inspector register (执法检查人员名录库): only staff with a valid law-enforcement
 * certificate may ever be matched to an object, so the certificate's number and validity
 * are required, and inspectors.expiring lists what lapses within 30 days and what has
 * lapsed. Recusals (回避关系) pair an inspector with an object they must never check;
 * a removed one is kept with who removed it and why. Admins see every unit, supervisors
 * their own.
 */
#include "sui-inspectors.h"

#include <string.h>

#include "sui-filter.h"
#include "sui-pg.h"

enum
{
  F_NAME, F_UNIT, F_USER, F_CERT_NO, F_CERT_FROM, F_CERT_UNTIL, F_STATUS, F_SPECIALTIES,
  F_CONTACT, N_FIELDS
};

static const SuiField fields[N_FIELDS] = {
  { "name", SUI_FIELD_TEXT },
  { "unit_id", SUI_FIELD_INT },
  { "user_id", SUI_FIELD_INT },
  { "cert_no", SUI_FIELD_TEXT },
  { "cert_valid_from", SUI_FIELD_DATE },
  { "cert_valid_until", SUI_FIELD_DATE },
  { "status", SUI_FIELD_TEXT },
  { "specialties", SUI_FIELD_TEXT },
  { "contact", SUI_FIELD_TEXT },
};

#define INSPECTOR_COLUMNS \
  "i.name, i.unit_id, i.user_id, i.cert_no, i.cert_valid_from, i.cert_valid_until, i.status," \
  " i.specialties, i.contact"
enum { COL_VERSION = N_FIELDS, COL_JSON };

#define INSPECTOR_WRITTEN \
  "name, unit_id, user_id, cert_no, cert_valid_from, cert_valid_until, status, specialties," \
  " contact"

#define INSPECTOR_VALUES "$2, $3::bigint, $4::bigint, $5, $6::date, $7::date, $8, $9, $10"

G_STATIC_ASSERT (N_FIELDS <= SUI_RECORD_MAX_FIELDS);

static PGresult *
load_inspector (SuiCall  *call,
                gint64    id,
                gboolean  for_update,
                GError  **error)
{
  return sui_register_load_scoped (call,
                                   "select " INSPECTOR_COLUMNS ", i.version, "
                                   SUI_INSPECTOR_JSON_SQL
                                   " from inspector i where i.id = $1::bigint",
                                   " for update", for_update, id,
                                   "该检查人员不存在，请刷新后再试", F_UNIT,
                                   for_update ? "您只能修改本单位的检查人员"
                                              : "您只能查看本单位的检查人员", error);
}

/* ---- inspectors.list, inspectors.get, inspectors.expiring ------------------------ */

static JsonNode *
inspectors_list (SuiCall  *call,
                 GError  **error)
{
  return sui_register_list (call, SUI_FILTER_INSPECTORS, SUI_INSPECTOR_JSON_SQL, error);
}

static JsonNode *
inspectors_get (SuiCall  *call,
                GError  **error)
{
  return sui_register_get (
    call, load_inspector,
    "select (" SUI_INSPECTOR_JSON_SQL "::jsonb || jsonb_build_object ("
    " 'tags', " SUI_REGISTER_TAGS_SQL ("i") ","
    " 'history', " SUI_REGISTER_HISTORY_SQL ("inspector_history", "inspector_id", "i") ","
    " 'recusals', (select coalesce (jsonb_agg (jsonb_build_object ('id', rc.id,"
    "            'object_id', rc.object_id, 'object_name', o.name,"
    "            'licence_no', o.licence_no, 'reason', rc.reason,"
    "            'created_at', rc.created_at) order by rc.id), '[]')"
    "          from inspector_recusal rc join object o on o.id = rc.object_id"
    "          where rc.inspector_id = i.id and rc.removed_at is null)))::json"
    " from inspector i where i.id = $1::bigint",
    error);
}

static JsonNode *
inspectors_expiring (SuiCall  *call,
                     GError  **error)
{
  gint64 days = 30;
  g_autofree char *unit_text = NULL;
  g_autofree char *days_text = NULL;
  const char *params[2];

  if (!sui_call_get_int (call, "days", FALSE, &days, error))
    return NULL;
  days = CLAMP (days, 0, 366);
  if (!sui_register_is_admin (call))
    unit_text = sui_pg_int_param (call->user->unit_id);
  days_text = sui_pg_int_param (days);
  params[0] = unit_text;
  params[1] = days_text;

  /* Only those who could otherwise be sent: status 在岗 and the like. */
  return sui_pg_query_json (
    call->conn,
    "select json_build_object ("
    " 'expiring', coalesce (json_agg (" SUI_INSPECTOR_JSON_SQL " order by i.cert_valid_until,"
    "    i.id) filter (where i.cert_valid_until >= current_date), '[]'),"
    " 'expired', coalesce (json_agg (" SUI_INSPECTOR_JSON_SQL " order by i.cert_valid_until,"
    "    i.id) filter (where i.cert_valid_until < current_date), '[]'))"
    " from inspector i join inspector_status s on s.code = i.status"
    " where s.assignable and ($1::bigint is null or i.unit_id = $1::bigint)"
    "   and i.cert_valid_until < current_date + $2::integer",
    2, params, error);
}

/* ---- create and update ---------------------------------------------------------- */

static gboolean
validate (SuiCall    *call,
          SuiRecord  *r,
          gint64      self_id,
          gint64      stored_unit,
          GError    **error)
{
  SuiValidation *v = sui_validation_new ();
  g_autofree char *self_text = sui_pg_int_param (self_id);
  g_autoptr(PGresult) refs = NULL;
  const char *params[5];

  if (r->values[F_STATUS] == NULL)
    r->values[F_STATUS] = g_strdup ("on_duty");
  if (r->values[F_CERT_NO] != NULL)
    {
      char *upper = g_ascii_strup (r->values[F_CERT_NO], -1);

      g_free (r->values[F_CERT_NO]);
      r->values[F_CERT_NO] = upper;
    }
  if (!sui_register_is_admin (call))
    {
      if (r->values[F_UNIT] == NULL)
        r->values[F_UNIT] = sui_pg_int_param (call->user->unit_id);
      else if (g_ascii_strtoll (r->values[F_UNIT], NULL, 10) != call->user->unit_id)
        sui_validation_add (v, "unit_id", "own_unit", "您只能登记本单位的检查人员");
    }

  if (r->values[F_NAME] == NULL)
    sui_validation_add (v, "name", "required", "请填写姓名");
  else if (g_utf8_strlen (r->values[F_NAME], -1) > 64)
    sui_validation_add (v, "name", "too_long", "姓名不能超过 64 个字符，请缩短");
  if (r->values[F_UNIT] == NULL)
    sui_validation_add (v, "unit_id", "required", "请选择所属单位");
  if (r->values[F_CERT_NO] == NULL)
    sui_validation_add (v, "cert_no", "required", "请填写执法证号");
  else if (!g_regex_match_simple ("^[0-9A-Z-]{4,32}$", r->values[F_CERT_NO], 0, 0))
    sui_validation_add (v, "cert_no", "format", "执法证号须为 4–32 位数字、字母或“-”，请核对");
  if (r->values[F_CERT_FROM] == NULL)
    sui_validation_add (v, "cert_valid_from", "required", "请填写执法证有效期起始日");
  else if (!sui_register_date_valid (r->values[F_CERT_FROM]))
    sui_validation_add (v, "cert_valid_from", "date",
                        "执法证有效期起始日须为有效日期，格式为 YYYY-MM-DD");
  if (r->values[F_CERT_UNTIL] == NULL)
    sui_validation_add (v, "cert_valid_until", "required", "请填写执法证有效期截止日");
  else if (!sui_register_date_valid (r->values[F_CERT_UNTIL]))
    sui_validation_add (v, "cert_valid_until", "date",
                        "执法证有效期截止日须为有效日期，格式为 YYYY-MM-DD");
  else if (r->values[F_CERT_FROM] != NULL && sui_register_date_valid (r->values[F_CERT_FROM]) &&
           strcmp (r->values[F_CERT_UNTIL], r->values[F_CERT_FROM]) < 0)
    sui_validation_add (v, "cert_valid_until", "before_start",
                        "执法证有效期截止日不能早于起始日");
  if (r->values[F_SPECIALTIES] != NULL && g_utf8_strlen (r->values[F_SPECIALTIES], -1) > 256)
    sui_validation_add (v, "specialties", "too_long", "专长不能超过 256 个字符，请缩短");
  if (r->values[F_CONTACT] != NULL && g_utf8_strlen (r->values[F_CONTACT], -1) > 64)
    sui_validation_add (v, "contact", "too_long", "联系方式不能超过 64 个字符，请缩短");

  params[0] = r->values[F_STATUS];
  params[1] = r->values[F_UNIT];
  params[2] = r->values[F_CERT_NO];
  params[3] = self_text;
  params[4] = r->values[F_USER];
  refs = sui_pg_exec (call->conn,
                      "select exists (select 1 from inspector_status where code = $1),"
                      "  (select disabled from unit where id = $2::bigint),"
                      "  exists (select 1 from inspector where cert_no = $3"
                      "          and id <> $4::bigint),"
                      "  exists (select 1 from app_user where id = $5::bigint),"
                      "  exists (select 1 from inspector where user_id = $5::bigint"
                      "          and id <> $4::bigint)",
                      5, params, error);
  if (refs == NULL)
    {
      sui_register_discard_validation (v, call);
      return FALSE;
    }
  if (!g_str_equal (PQgetvalue (refs, 0, 0), "t"))
    sui_validation_add (v, "status", "invalid", "人员状态不存在，请从列表中选择");
  if (r->values[F_UNIT] != NULL)
    {
      if (PQgetisnull (refs, 0, 1))
        sui_validation_add (v, "unit_id", "not_found", "所选单位不存在，请重新选择");
      else if (g_str_equal (PQgetvalue (refs, 0, 1), "t") &&
               g_ascii_strtoll (r->values[F_UNIT], NULL, 10) != stored_unit)
        sui_validation_add (v, "unit_id", "disabled", "所选单位已停用，请选择其他单位");
    }
  if (r->values[F_CERT_NO] != NULL && g_str_equal (PQgetvalue (refs, 0, 2), "t"))
    sui_validation_add (v, "cert_no", "taken",
                        "执法证号已存在：同一执法证只能登记一次，请核对");
  if (r->values[F_USER] != NULL)
    {
      if (!g_str_equal (PQgetvalue (refs, 0, 3), "t"))
        sui_validation_add (v, "user_id", "not_found", "所选用户不存在，请重新选择");
      else if (g_str_equal (PQgetvalue (refs, 0, 4), "t"))
        sui_validation_add (v, "user_id", "taken", "该用户已关联到另一名检查人员");
    }
  return sui_validation_finish (v, call, error);
}

static JsonNode *
inspectors_create (SuiCall  *call,
                   GError  **error)
{
  g_auto(SuiRecord) r = { { NULL }, { FALSE } };
  const char *required = NULL;

  if (!sui_call_get_string (call, "name", TRUE, &required, error) ||
      !sui_call_get_string (call, "cert_no", TRUE, &required, error) ||
      !sui_call_get_string (call, "cert_valid_from", TRUE, &required, error) ||
      !sui_call_get_string (call, "cert_valid_until", TRUE, &required, error) ||
      !sui_register_read_fields (call, fields, N_FIELDS, r.values, r.present, error) ||
      !validate (call, &r, 0, -1, error) ||
      !sui_register_set_actor (call, NULL, error))
    return NULL;

  return sui_record_write (&r, N_FIELDS, call, "inspectors", NULL, NULL,
                           "with i as ("
                           "  insert into inspector (" INSPECTOR_WRITTEN ")"
                           "  values (" INSPECTOR_VALUES ") returning *)"
                           " select i.id, " SUI_INSPECTOR_JSON_SQL " from i where $1::text is null",
                           error);
}

static JsonNode *
inspectors_update (SuiCall  *call,
                   GError  **error)
{
  gint64 id = 0;
  gint64 version = 0;
  g_auto(SuiRecord) r = { { NULL }, { FALSE } };
  g_autofree char *id_text = NULL;
  g_autoptr(PGresult) row = NULL;
  g_autoptr(JsonNode) before = NULL;

  if (!sui_call_get_id_version (call, &id, &version, error))
    return NULL;

  row = sui_register_load_for_write (call, load_inspector, id, version, COL_VERSION,
                                    "该检查人员已被他人修改，请刷新后再试", error);
  if (row == NULL)
    return NULL;

  sui_record_load (&r, row, N_FIELDS);
  if (!sui_register_read_fields (call, fields, N_FIELDS, r.values, r.present, error) ||
      !validate (call, &r, id, g_ascii_strtoll (PQgetvalue (row, 0, F_UNIT), NULL, 10), error))
    return NULL;

  before = sui_register_column_json (row, 0, COL_JSON);
  if (!sui_record_differs (&r, row, N_FIELDS))
    return g_steal_pointer (&before);

  if (!sui_register_set_actor (call, NULL, error))
    return NULL;
  id_text = sui_pg_int_param (id);
  return sui_record_write (&r, N_FIELDS, call, "inspectors", id_text, before,
                           "with i as ("
                           "  update inspector set (" INSPECTOR_WRITTEN ") = (" INSPECTOR_VALUES "),"
                           "    version = version + 1, updated_at = now ()"
                           "  where id = $1::bigint returning *)"
                           " select " SUI_INSPECTOR_JSON_SQL " from i",
                           error);
}

/* ---- recusals ------------------------------------------------------------------- */

#define RECUSAL_JSON_SQL \
  "json_build_object ('id', rc.id, 'inspector_id', rc.inspector_id, 'object_id', rc.object_id," \
  " 'reason', rc.reason, 'created_by', rc.created_by, 'created_at', rc.created_at," \
  " 'removed_by', rc.removed_by, 'removed_at', rc.removed_at," \
  " 'removed_reason', rc.removed_reason)"

static JsonNode *
inspectors_add_recusal (SuiCall  *call,
                        GError  **error)
{
  gint64 inspector_id = 0;
  gint64 object_id = 0;
  const char *reason_param = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *object_text = NULL;
  g_autofree char *inspector_text = NULL;
  g_autofree char *actor_text = NULL;
  g_autoptr(PGresult) inspector = NULL;
  g_autoptr(PGresult) object = NULL;
  g_autoptr(PGresult) made = NULL;
  SuiValidation *v;
  const char *params[4];

  if (!sui_call_get_int (call, "inspector_id", TRUE, &inspector_id, error) ||
      !sui_call_get_int (call, "object_id", TRUE, &object_id, error) ||
      !sui_call_get_string (call, "reason", TRUE, &reason_param, error))
    return NULL;
  reason = g_strstrip (g_strdup (reason_param));

  inspector = load_inspector (call, inspector_id, TRUE, error);
  if (inspector == NULL)
    return NULL;

  object_text = sui_pg_int_param (object_id);
  inspector_text = sui_pg_int_param (inspector_id);
  params[0] = object_text;
  params[1] = PQgetvalue (inspector, 0, F_UNIT);
  params[2] = sui_register_is_admin (call) ? "t" : "f";
  params[3] = inspector_text;
  object = sui_pg_exec (call->conn,
                        "select o.unit_id = $2::bigint or $3::boolean,"
                        "  exists (select 1 from inspector_recusal r where r.object_id = o.id"
                        "          and r.inspector_id = $4::bigint and r.removed_at is null)"
                        " from object o where o.id = $1::bigint",
                        4, params, error);
  if (object == NULL)
    return NULL;

  v = sui_validation_new ();
  if (PQntuples (object) != 1)
    sui_validation_add (v, "object_id", "not_found", "所选检查对象不存在，请重新选择");
  else if (!g_str_equal (PQgetvalue (object, 0, 0), "t"))
    sui_validation_add (v, "object_id", "other_unit", "只能登记与本单位检查对象的回避关系");
  else if (g_str_equal (PQgetvalue (object, 0, 1), "t"))
    sui_validation_add (v, "object_id", "taken", "该人员与该对象的回避关系已登记");
  if (*reason == '\0')
    sui_validation_add (v, "reason", "required", "请填写回避原因，例如亲属关系、利害关系");
  else if (g_utf8_strlen (reason, -1) > 256)
    sui_validation_add (v, "reason", "too_long", "回避原因不能超过 256 个字符，请缩短");
  if (!sui_validation_finish (v, call, error))
    return NULL;

  actor_text = sui_pg_int_param (call->user->id);
  params[0] = inspector_text;
  params[1] = object_text;
  params[2] = reason;
  params[3] = actor_text;
  made = sui_pg_exec (call->conn,
                      "with rc as (insert into inspector_recusal"
                      "  (inspector_id, object_id, reason, created_by)"
                      "  values ($1::bigint, $2::bigint, $3, $4::bigint) returning *)"
                      " select rc.id, " RECUSAL_JSON_SQL " from rc",
                      4, params, error);
  return sui_register_audited (call, "recusals", NULL, NULL, made, 1, error);
}

static JsonNode *
inspectors_remove_recusal (SuiCall  *call,
                           GError  **error)
{
  gint64 id = 0;
  const char *reason_param = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *id_text = NULL;
  g_autofree char *actor_text = NULL;
  g_autoptr(PGresult) row = NULL;
  g_autoptr(PGresult) changed = NULL;
  g_autoptr(JsonNode) before = NULL;
  const char *params[3];

  if (!sui_call_get_int (call, "id", TRUE, &id, error) ||
      !sui_call_get_string (call, "reason", FALSE, &reason_param, error))
    return NULL;
  if (reason_param != NULL)
    reason = g_strstrip (g_strdup (reason_param));
  if (reason != NULL && g_utf8_strlen (reason, -1) > 256)
    {
      SuiValidation *v = sui_validation_new ();

      sui_validation_add (v, "reason", "too_long", "原因不能超过 256 个字符，请缩短");
      sui_validation_finish (v, call, error);
      return NULL;
    }

  id_text = sui_pg_int_param (id);
  params[0] = id_text;
  row = sui_pg_exec (call->conn,
                     "select rc.removed_at is not null, i.unit_id, " RECUSAL_JSON_SQL
                     " from inspector_recusal rc join inspector i on i.id = rc.inspector_id"
                     " where rc.id = $1::bigint for update of rc",
                     1, params, error);
  if (row == NULL)
    return NULL;
  if (PQntuples (row) != 1)
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_FOUND,
                           "该回避关系不存在，请刷新后再试");
      return NULL;
    }
  if (!sui_register_check_unit (call, sui_pg_get_int (row, 0, 1),
                                "您只能维护本单位检查人员的回避关系", error))
    return NULL;
  if (g_str_equal (PQgetvalue (row, 0, 0), "t"))
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_STATE, "该回避关系已解除");
      return NULL;
    }

  actor_text = sui_pg_int_param (call->user->id);
  params[1] = actor_text;
  params[2] = reason != NULL && *reason != '\0' ? reason : NULL;
  changed = sui_pg_exec (call->conn,
                         "with rc as (update inspector_recusal set removed_at = now (),"
                         "  removed_by = $2::bigint, removed_reason = $3"
                         "  where id = $1::bigint returning *)"
                         " select " RECUSAL_JSON_SQL " from rc",
                         3, params, error);
  if (changed == NULL)
    return NULL;
  before = sui_register_column_json (row, 0, 2);
  return sui_register_audited (call, "recusals", id_text, before, changed, 0, error);
}

#define INSPECTOR_PARAMS \
  "[name]:string, [unit_id]:integer, [user_id]:integer, [cert_no]:string, " \
  "[cert_valid_from]:string, [cert_valid_until]:string, [status]:string, " \
  "[specialties]:string, [contact]:string"

static const SuiMethod inspectors_methods[] = {
  {
    .name = "inspectors.list",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .params = "[filter]:object, [with_count]:boolean, [order]:string, [descending]:boolean, "
              "[after]:integer, [limit]:integer",
    .summary = "Inspectors matching a filter expression, by id or another order, keyset-paged",
    .handler = inspectors_list,
  },
  {
    .name = "inspectors.get",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .params = "id:integer",
    .summary = "One inspector with tags, history and recusals",
    .handler = inspectors_get,
  },
  {
    .name = "inspectors.create",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "name:string, cert_no:string, cert_valid_from:string, cert_valid_until:string, "
              "[unit_id]:integer, [user_id]:integer, [status]:string, [specialties]:string, "
              "[contact]:string",
    .summary = "Register an inspector",
    .handler = inspectors_create,
  },
  {
    .name = "inspectors.update",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "id:integer, version:integer, " INSPECTOR_PARAMS,
    .summary = "Change an inspector; fields not given stay, null clears",
    .handler = inspectors_update,
  },
  {
    .name = "inspectors.expiring",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .params = "[days]:integer",
    .summary = "Inspectors on duty whose certificate lapses within days (30) or has lapsed",
    .handler = inspectors_expiring,
  },
  {
    .name = "inspectors.add_recusal",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "inspector_id:integer, object_id:integer, reason:string",
    .summary = "Declare a conflict of interest: the inspector never checks the object",
    .handler = inspectors_add_recusal,
  },
  {
    .name = "inspectors.remove_recusal",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "id:integer, [reason]:string",
    .summary = "End a recusal (kept on record with who ended it)",
    .handler = inspectors_remove_recusal,
  },
};

void
sui_inspectors_register (void)
{
  sui_methods_register (inspectors_methods, G_N_ELEMENTS (inspectors_methods));
}
