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

#define DEFAULT_LIMIT 100
#define MAX_LIMIT 1000

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

#define INSPECTOR_VALUES "$2, $3::bigint, $4::bigint, $5, $6::date, $7::date, $8, $9, $10"

typedef struct
{
  char *values[N_FIELDS];
  gboolean present[N_FIELDS];
} Record;

static void
record_clear (Record *r)
{
  for (int i = 0; i < N_FIELDS; i++)
    g_clear_pointer (&r->values[i], g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Record, record_clear)

static PGresult *
load_inspector (SuiCall  *call,
                gint64    id,
                gboolean  for_update,
                GError  **error)
{
  g_autoptr(PGresult) result = NULL;
  const char *sql;

  sql = for_update
        ? "select " INSPECTOR_COLUMNS ", i.version, " SUI_INSPECTOR_JSON_SQL
          " from inspector i where i.id = $1::bigint for update"
        : "select " INSPECTOR_COLUMNS ", i.version, " SUI_INSPECTOR_JSON_SQL
          " from inspector i where i.id = $1::bigint";
  result = sui_register_load_by_id (call, sql, id, "该检查人员不存在，请刷新后再试", error);
  if (result == NULL)
    return NULL;
  if (!sui_register_is_admin (call) &&
      g_ascii_strtoll (PQgetvalue (result, 0, F_UNIT), NULL, 10) != call->user->unit_id)
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_FORBIDDEN,
                           for_update ? "您只能修改本单位的检查人员"
                                      : "您只能查看本单位的检查人员");
      return NULL;
    }
  return g_steal_pointer (&result);
}

/* ---- inspectors.list, inspectors.get, inspectors.expiring ------------------------ */

static JsonNode *
inspectors_list (SuiCall  *call,
                 GError  **error)
{
  gint64 after = 0;
  gint64 limit = DEFAULT_LIMIT;
  gboolean with_count = FALSE;
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) where = g_string_new (NULL);
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autofree char *after_p = NULL;
  g_autofree char *limit_p = NULL;

  if (!sui_call_get_int (call, "after", FALSE, &after, error) ||
      !sui_call_get_int (call, "limit", FALSE, &limit, error) ||
      !sui_call_get_bool (call, "with_count", FALSE, &with_count, error))
    return NULL;
  limit = CLAMP (limit, 1, MAX_LIMIT);

  if (!sui_register_is_admin (call))
    {
      g_autofree char *p = sui_sql_param (params, sui_pg_int_param (call->user->unit_id));

      g_string_append_printf (where, "i.unit_id = %s::bigint and ", p);
    }
  g_string_append_c (where, '(');
  if (!sui_filter_from_call (call, "filter", SUI_FILTER_INSPECTORS, "i", where, params, error))
    return NULL;
  g_string_append_c (where, ')');
  after_p = sui_sql_param (params, sui_pg_int_param (after));
  limit_p = sui_sql_param (params, sui_pg_int_param (limit));

  g_string_append_printf (sql,
                          "with page as (select i.* from inspector i where %s"
                          " and i.id > %s::bigint order by i.id limit %s::integer)"
                          " select json_build_object ("
                          "  'items', coalesce ((select json_agg (" SUI_INSPECTOR_JSON_SQL
                          "     order by i.id) from page i), '[]'),"
                          "  'next_after', (select case when count (*) = %s::integer"
                          "     then max (page.id) end from page)",
                          where->str, after_p, limit_p, limit_p);
  if (with_count)
    g_string_append_printf (sql, ", 'total', (select count (*) from inspector i where %s)",
                            where->str);
  g_string_append_c (sql, ')');
  return sui_pg_query_json (call->conn, sql->str, params->len,
                            (const char * const *) params->pdata, error);
}

static JsonNode *
inspectors_get (SuiCall  *call,
                GError  **error)
{
  gint64 id = 0;
  g_autoptr(PGresult) row = NULL;
  g_autofree char *id_text = NULL;
  const char *params[1];

  if (!sui_call_get_int (call, "id", TRUE, &id, error))
    return NULL;
  row = load_inspector (call, id, FALSE, error);
  if (row == NULL)
    return NULL;

  id_text = sui_pg_int_param (id);
  params[0] = id_text;
  return sui_pg_query_json (
    call->conn,
    "select (" SUI_INSPECTOR_JSON_SQL "::jsonb || jsonb_build_object ("
    " 'tags', (select coalesce (jsonb_agg (jsonb_build_object ('id', t.id, 'name', t.name,"
    "            'group_id', g.id, 'group_name', g.name) order by g.name, t.name), '[]')"
    "          from tag t join tag_group g on g.id = t.group_id where t.id = any (i.tag_ids)),"
    " 'history', (select coalesce (jsonb_agg (jsonb_build_object ('id', h.id, 'at', h.at,"
    "            'actor_id', h.actor_id, 'actor_name', u.name, 'method', h.method,"
    "            'before', h.before, 'after', h.after) order by h.id desc), '[]')"
    "          from inspector_history h left join app_user u on u.id = h.actor_id"
    "          where h.inspector_id = i.id),"
    " 'recusals', (select coalesce (jsonb_agg (jsonb_build_object ('id', rc.id,"
    "            'object_id', rc.object_id, 'object_name', o.name,"
    "            'licence_no', o.licence_no, 'reason', rc.reason,"
    "            'created_at', rc.created_at) order by rc.id), '[]')"
    "          from inspector_recusal rc join object o on o.id = rc.object_id"
    "          where rc.inspector_id = i.id and rc.removed_at is null)))::json"
    " from inspector i where i.id = $1::bigint",
    1, params, error);
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
validate (SuiCall  *call,
          Record   *r,
          gint64    self_id,
          gint64    stored_unit,
          GError  **error)
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

static void
fill_params (const char **params,
             const char  *id_text,
             Record      *r)
{
  params[0] = id_text;
  for (int i = 0; i < N_FIELDS; i++)
    params[i + 1] = r->values[i];
}

static JsonNode *
inspectors_create (SuiCall  *call,
                   GError  **error)
{
  g_auto(Record) r = { { NULL }, { FALSE } };
  g_autoptr(PGresult) made = NULL;
  g_autoptr(JsonNode) after = NULL;
  const char *params[N_FIELDS + 1];
  const char *required = NULL;

  if (!sui_call_get_string (call, "name", TRUE, &required, error) ||
      !sui_call_get_string (call, "cert_no", TRUE, &required, error) ||
      !sui_call_get_string (call, "cert_valid_from", TRUE, &required, error) ||
      !sui_call_get_string (call, "cert_valid_until", TRUE, &required, error) ||
      !sui_register_read_fields (call, fields, N_FIELDS, r.values, r.present, error) ||
      !validate (call, &r, 0, -1, error) ||
      !sui_register_set_actor (call, NULL, error))
    return NULL;

  fill_params (params, NULL, &r);
  made = sui_pg_exec (call->conn,
                      "with i as ("
                      "  insert into inspector (name, unit_id, user_id, cert_no, cert_valid_from,"
                      "    cert_valid_until, status, specialties, contact)"
                      "  values (" INSPECTOR_VALUES ") returning *)"
                      " select i.id, " SUI_INSPECTOR_JSON_SQL " from i where $1::text is null",
                      N_FIELDS + 1, params, error);
  if (made == NULL)
    return NULL;

  after = sui_register_column_json (made, 0, 1);
  if (!sui_audit_append (call, "inspectors", PQgetvalue (made, 0, 0), NULL, after, error))
    return NULL;
  return g_steal_pointer (&after);
}

static JsonNode *
inspectors_update (SuiCall  *call,
                   GError  **error)
{
  gint64 id = 0;
  gint64 version = 0;
  g_auto(Record) r = { { NULL }, { FALSE } };
  g_autofree char *id_text = NULL;
  g_autoptr(PGresult) row = NULL;
  g_autoptr(PGresult) changed = NULL;
  g_autoptr(JsonNode) before = NULL;
  g_autoptr(JsonNode) after = NULL;
  gboolean any_change = FALSE;
  const char *params[N_FIELDS + 1];

  if (!sui_call_get_int (call, "id", TRUE, &id, error) ||
      !sui_call_get_int (call, "version", TRUE, &version, error))
    return NULL;

  row = load_inspector (call, id, TRUE, error);
  if (row == NULL ||
      !sui_register_check_version (call, g_ascii_strtoll (PQgetvalue (row, 0, COL_VERSION),
                                                          NULL, 10),
                                   version, "该检查人员已被他人修改，请刷新后再试", error))
    return NULL;

  for (int i = 0; i < N_FIELDS; i++)
    if (!PQgetisnull (row, 0, i))
      r.values[i] = g_strdup (PQgetvalue (row, 0, i));
  if (!sui_register_read_fields (call, fields, N_FIELDS, r.values, r.present, error) ||
      !validate (call, &r, id, g_ascii_strtoll (PQgetvalue (row, 0, F_UNIT), NULL, 10), error))
    return NULL;

  for (int i = 0; i < N_FIELDS && !any_change; i++)
    any_change = g_strcmp0 (r.values[i], PQgetisnull (row, 0, i) ? NULL
                                          : PQgetvalue (row, 0, i)) != 0;
  before = sui_register_column_json (row, 0, COL_JSON);
  if (!any_change)
    return g_steal_pointer (&before);

  if (!sui_register_set_actor (call, NULL, error))
    return NULL;
  id_text = sui_pg_int_param (id);
  fill_params (params, id_text, &r);
  changed = sui_pg_exec (call->conn,
                         "with i as ("
                         "  update inspector set (name, unit_id, user_id, cert_no, cert_valid_from,"
                         "    cert_valid_until, status, specialties, contact) = ("
                         INSPECTOR_VALUES "), version = version + 1, updated_at = now ()"
                         "  where id = $1::bigint returning *)"
                         " select " SUI_INSPECTOR_JSON_SQL " from i",
                         N_FIELDS + 1, params, error);
  if (changed == NULL)
    return NULL;

  after = sui_register_column_json (changed, 0, 0);
  if (!sui_audit_append (call, "inspectors", id_text, before, after, error))
    return NULL;
  return g_steal_pointer (&after);
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
  g_autoptr(JsonNode) after = NULL;
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
  if (made == NULL)
    return NULL;
  after = sui_register_column_json (made, 0, 1);
  if (!sui_audit_append (call, "recusals", PQgetvalue (made, 0, 0), NULL, after, error))
    return NULL;
  return g_steal_pointer (&after);
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
  g_autoptr(JsonNode) after = NULL;
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
  if (!sui_register_is_admin (call) &&
      g_ascii_strtoll (PQgetvalue (row, 0, 1), NULL, 10) != call->user->unit_id)
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_FORBIDDEN,
                           "您只能维护本单位检查人员的回避关系");
      return NULL;
    }
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
  after = sui_register_column_json (changed, 0, 0);
  if (!sui_audit_append (call, "recusals", id_text, before, after, error))
    return NULL;
  return g_steal_pointer (&after);
}

#define INSPECTOR_PARAMS \
  "[name]:string, [unit_id]:integer, [user_id]:integer, [cert_no]:string, " \
  "[cert_valid_from]:string, [cert_valid_until]:string, [status]:string, " \
  "[specialties]:string, [contact]:string"

static const SuiMethod inspectors_methods[] = {
  {
    .name = "inspectors.list",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .params = "[filter]:object, [with_count]:boolean, [after]:integer, [limit]:integer",
    .summary = "Inspectors matching a filter expression, by id, keyset-paged",
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
