/* sui-users.c: users.list, users.get, users.create, users.update, users.disable,
 * users.enable, users.reset_password
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Admins only. Every change names the version it read and is written to the audit log
 * with the record before and after (never the password hash). Disabling a user or
 * setting a new password ends all their sessions. An admin cannot disable themselves
 * or drop their own admin role, so the system always keeps one admin who can act.
 */
#include "sui-users.h"

#include <string.h>

#include "sui-auth.h"
#include "sui-filter.h"
#include "sui-pg.h"

#define MAX_NAME 64
#define MIN_PASSWORD 8
#define MAX_PASSWORD 256

/* Columns of a loaded user, in this order, then its json. */
#define USER_SELECT \
  "select u.id, u.login, u.name, u.role, u.unit_id, u.disabled, u.version, " \
  SUI_USER_JSON_SQL " from app_user u join unit n on n.id = u.unit_id"

enum { COL_ID, COL_LOGIN, COL_NAME, COL_ROLE, COL_UNIT, COL_DISABLED, COL_VERSION, COL_JSON };

/* The statement that changes a user: $1 the id, then the assignments. */
#define USER_UPDATE(assignments) \
  "with u as (update app_user set " assignments ", version = version + 1," \
  " updated_at = now () where id = $1::bigint returning *)" \
  " select " SUI_USER_JSON_SQL " from u join unit n on n.id = u.unit_id"

gboolean
sui_users_login_valid (const char *login)
{
  return sui_register_code_valid (login, 3, 32);
}

static gboolean
role_valid (const char *role)
{
  static const char * const roles[] = { "admin", "supervisor", "inspector", NULL };

  return sui_register_one_of (role, roles);
}

static PGresult *
load_user (SuiCall   *call,
           gint64     id,
           gboolean   for_update,
           GError   **error)
{
  return sui_register_load_row (call, USER_SELECT " where u.id = $1::bigint", " for update of u",
                                for_update, id, "该用户不存在，可能已被删除，请刷新后再试", error);
}

static void
check_name (SuiValidation *v,
            const char    *name)
{
  if (*name == '\0')
    sui_validation_add (v, "name", "required", "请填写姓名");
  else if (g_utf8_strlen (name, -1) > MAX_NAME)
    sui_validation_add (v, "name", "too_long", "姓名不能超过 64 个字符，请缩短");
}

static void
check_role (SuiValidation *v,
            const char    *role)
{
  if (!role_valid (role))
    sui_validation_add (v, "role", "invalid",
                        "角色须为管理员（admin）、监管人员（supervisor）"
                        "或执法检查人员（inspector）");
}

static void
check_password (SuiValidation *v,
                const char    *password)
{
  glong length = g_utf8_strlen (password, -1);

  if (length < MIN_PASSWORD)
    sui_validation_add (v, "password", "too_short", "密码至少需要 8 个字符，请换一个更长的密码");
  else if (length > MAX_PASSWORD)
    sui_validation_add (v, "password", "too_long", "密码不能超过 256 个字符");
}

/* Finishes v with the check of the new password; its hash when all is well. */
static char *
checked_hash (SuiCall        *call,
              SuiValidation  *v,
              const char     *password,
              GError        **error)
{
  check_password (v, password);
  if (!sui_validation_finish (v, call, error))
    return NULL;
  return sui_auth_hash_password (password, error);
}

/* The unit must exist and be enabled, unless the user is already in it. */
static gboolean
check_unit (SuiCall        *call,
            SuiValidation  *v,
            gint64          unit_id,
            gint64          current_unit,
            GError        **error)
{
  g_autofree char *unit_text = sui_pg_int_param (unit_id);
  g_autoptr(PGresult) found = NULL;
  const char *params[1] = { unit_text };

  found = sui_pg_exec (call->conn, "select disabled from unit where id = $1::bigint",
                       1, params, error);
  if (found == NULL)
    return FALSE;
  if (PQntuples (found) != 1)
    sui_validation_add (v, "unit_id", "not_found", "所选单位不存在，请重新选择");
  else if (sui_pg_get_bool (found, 0, 0) && unit_id != current_unit)
    sui_validation_add (v, "unit_id", "disabled", "所选单位已停用，请选择其他单位");
  return TRUE;
}

static gboolean
revoke_sessions (SuiCall     *call,
                 const char  *user_id,
                 GError     **error)
{
  const char *params[1] = { user_id };

  return sui_pg_exec_ok (call->conn,
                         "update user_session set revoked_at = now ()"
                         " where user_id = $1::bigint and revoked_at is null",
                         1, params, error);
}

/* ---- users.list, users.get ------------------------------------------------------ */

static JsonNode *
users_list (SuiCall  *call,
            GError  **error)
{
  gint64 unit_id = 0;
  const char *role = NULL;
  const char *search = NULL;
  gboolean include_disabled = FALSE;
  gint64 after = 0;
  gint64 limit = 100;
  g_autofree char *unit_text = NULL;
  g_autofree char *after_text = NULL;
  g_autofree char *limit_text = NULL;
  g_autofree char *search_text = NULL;
  const char *params[6];

  if (!sui_call_get_int (call, "unit_id", FALSE, &unit_id, error) ||
      !sui_call_get_string (call, "role", FALSE, &role, error) ||
      !sui_call_get_string (call, "search", FALSE, &search, error) ||
      !sui_call_get_bool (call, "include_disabled", FALSE, &include_disabled, error) ||
      !sui_call_get_int (call, "after", FALSE, &after, error) ||
      !sui_call_get_int (call, "limit", FALSE, &limit, error))
    return NULL;

  if (role != NULL && !role_valid (role))
    {
      sui_call_param_error (call, "role", "must be admin, supervisor or inspector", error);
      return NULL;
    }
  if (!sui_call_page_params (call, after, limit, &after_text, &limit_text, error))
    return NULL;

  if (sui_call_has (call, "unit_id"))
    unit_text = sui_pg_int_param (unit_id);
  if (search != NULL)
    {
      search_text = g_strstrip (g_strdup (search));
      if (*search_text == '\0')
        g_clear_pointer (&search_text, g_free);
    }

  params[0] = unit_text;
  params[1] = role;
  params[2] = search_text;
  params[3] = include_disabled ? "t" : "f";
  params[4] = after_text;
  params[5] = limit_text;

  /* strpos rather than LIKE: nothing in the search text acts as a wildcard. One row
   * more than asked tells whether there is a next page. */
  return sui_pg_query_json (call->conn,
    "with page as ("
    "  select p.*, row_number () over (order by p.id) as rn"
    "  from (select * from app_user"
    "        where ($1::bigint is null or unit_id = $1::bigint)"
    "          and ($2::text is null or role = $2)"
    "          and ($3::text is null or strpos (login, lower ($3)) > 0"
    "               or strpos (lower (name), lower ($3)) > 0)"
    "          and ($4::boolean or not disabled)"
    "          and ($5::bigint is null or id > $5::bigint)"
    "        order by id limit $6::int + 1) p)"
    " select json_build_object ("
    "   'items', coalesce (json_agg (" SUI_USER_JSON_SQL " order by u.id)"
    "                      filter (where u.rn <= $6::int), '[]'::json),"
    "   'next_after', case when count (*) > $6::int"
    "                      then max (u.id) filter (where u.rn <= $6::int) end)"
    " from page u join unit n on n.id = u.unit_id",
    6, params, error);
}

static JsonNode *
users_get (SuiCall  *call,
           GError  **error)
{
  gint64 id = 0;

  if (!sui_call_get_int (call, "id", TRUE, &id, error))
    return NULL;

  return sui_register_reload (call, load_user, id, COL_JSON, error);
}

/* ---- users.create --------------------------------------------------------------- */

static JsonNode *
users_create (SuiCall  *call,
              GError  **error)
{
  const char *login = NULL;
  const char *name_param = NULL;
  const char *role = NULL;
  const char *password = NULL;
  gint64 unit_id = 0;
  g_autofree char *name = NULL;
  g_autofree char *unit_text = NULL;
  g_autofree char *hash = NULL;
  g_autoptr(PGresult) made = NULL;
  SuiValidation *v;
  const char *params[5];

  if (!sui_call_get_string (call, "login", TRUE, &login, error) ||
      !sui_call_get_string (call, "name", TRUE, &name_param, error) ||
      !sui_call_get_string (call, "role", TRUE, &role, error) ||
      !sui_call_get_int (call, "unit_id", TRUE, &unit_id, error) ||
      !sui_call_get_string (call, "password", TRUE, &password, error))
    return NULL;
  name = g_strstrip (g_strdup (name_param));

  v = sui_validation_new ();
  if (!sui_users_login_valid (login))
    sui_validation_add (v, "login", "format",
                        "登录名须为 3–32 个小写字母、数字或 _ . - 字符，例如 zhang.wei");
  else
    {
      params[0] = login;
      if (!sui_register_check_free (call, v, "select 1 from app_user where login = $1",
                                    1, params, "login", "登录名已被使用，请换一个", error))
        {
          sui_register_discard_validation (v, call);
          return NULL;
        }
    }
  check_name (v, name);
  check_role (v, role);
  if (!check_unit (call, v, unit_id, -1, error))
    {
      sui_register_discard_validation (v, call);
      return NULL;
    }
  hash = checked_hash (call, v, password, error);
  if (hash == NULL)
    return NULL;

  unit_text = sui_pg_int_param (unit_id);
  params[0] = login;
  params[1] = name;
  params[2] = role;
  params[3] = unit_text;
  params[4] = hash;
  made = sui_pg_exec (call->conn,
                      "with u as ("
                      "  insert into app_user (login, name, role, unit_id, password_hash)"
                      "  values ($1, $2, $3, $4::bigint, $5) returning *)"
                      " select u.id, " SUI_USER_JSON_SQL " from u join unit n on n.id = u.unit_id",
                      5, params, error);
  return sui_register_audited (call, "users", NULL, NULL, made, 1, error);
}

/* ---- users.update --------------------------------------------------------------- */

static JsonNode *
users_update (SuiCall  *call,
              GError  **error)
{
  gint64 id = 0;
  gint64 version = 0;
  const char *name_param = NULL;
  const char *role = NULL;
  gint64 unit_id = 0;
  gint64 current_unit;
  g_autofree char *name = NULL;
  g_autofree char *id_text = NULL;
  g_autofree char *unit_text = NULL;
  g_autoptr(PGresult) row = NULL;
  g_autoptr(PGresult) changed = NULL;
  g_autoptr(JsonNode) before = NULL;
  SuiValidation *v;
  const char *params[4];

  if (!sui_call_get_id_version (call, &id, &version, error) ||
      !sui_call_get_string (call, "name", FALSE, &name_param, error) ||
      !sui_call_get_string (call, "role", FALSE, &role, error) ||
      !sui_call_get_int (call, "unit_id", FALSE, &unit_id, error))
    return NULL;

  row = sui_register_load_for_write (call, load_user, id, version, COL_VERSION,
                                    "该用户已被他人修改，请刷新后再试", error);
  if (row == NULL)
    return NULL;

  current_unit = g_ascii_strtoll (PQgetvalue (row, 0, COL_UNIT), NULL, 10);
  name = g_strstrip (g_strdup (name_param != NULL ? name_param : PQgetvalue (row, 0, COL_NAME)));
  if (role == NULL)
    role = PQgetvalue (row, 0, COL_ROLE);
  if (!sui_call_has (call, "unit_id"))
    unit_id = current_unit;

  v = sui_validation_new ();
  check_name (v, name);
  check_role (v, role);
  if (role_valid (role) && !g_str_equal (role, "admin") && id == call->user->id)
    sui_validation_add (v, "role", "self_admin",
                        "不能取消自己的管理员角色，请由另一位管理员操作");
  if (!check_unit (call, v, unit_id, current_unit, error))
    {
      sui_register_discard_validation (v, call);
      return NULL;
    }
  if (!sui_validation_finish (v, call, error))
    return NULL;

  before = sui_register_column_json (row, 0, COL_JSON);
  if (g_str_equal (name, PQgetvalue (row, 0, COL_NAME)) &&
      g_str_equal (role, PQgetvalue (row, 0, COL_ROLE)) &&
      unit_id == current_unit)
    return g_steal_pointer (&before);   /* nothing to change, nothing to audit */

  id_text = sui_pg_int_param (id);
  unit_text = sui_pg_int_param (unit_id);
  params[0] = id_text;
  params[1] = name;
  params[2] = role;
  params[3] = unit_text;
  changed = sui_pg_exec (call->conn,
                         USER_UPDATE ("name = $2, role = $3, unit_id = $4::bigint"),
                         4, params, error);
  return sui_register_audited (call, "users", id_text, before, changed, 0, error);
}

/* ---- users.disable, users.enable ------------------------------------------------ */

static JsonNode *
set_disabled (SuiCall   *call,
              gboolean   disabled,
              GError   **error)
{
  gint64 id = 0;
  gint64 version = 0;
  g_autofree char *id_text = NULL;
  g_autoptr(PGresult) row = NULL;
  g_autoptr(PGresult) changed = NULL;
  g_autoptr(JsonNode) before = NULL;
  const char *params[2];

  if (!sui_call_get_id_version (call, &id, &version, error))
    return NULL;

  if (disabled && id == call->user->id)
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_STATE,
                           "不能停用自己的账号，请由另一位管理员操作");
      return NULL;
    }

  row = sui_register_load_for_write (call, load_user, id, version, COL_VERSION,
                                    "该用户已被他人修改，请刷新后再试", error);
  if (row == NULL)
    return NULL;

  before = sui_register_column_json (row, 0, COL_JSON);
  if (sui_pg_get_bool (row, 0, COL_DISABLED) == disabled)
    return g_steal_pointer (&before);

  id_text = sui_pg_int_param (id);
  params[0] = id_text;

  if (!disabled)
    {
      g_autoptr(PGresult) unit = NULL;

      unit = sui_pg_exec (call->conn,
                          "select n.disabled from app_user u join unit n on n.id = u.unit_id"
                          " where u.id = $1::bigint",
                          1, params, error);
      if (unit == NULL)
        return NULL;
      if (sui_pg_get_bool (unit, 0, 0))
        {
          g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_STATE,
                               "该用户所在的单位已停用，请先启用单位或把用户调到其他单位");
          return NULL;
        }
    }

  params[1] = disabled ? "t" : "f";
  changed = sui_pg_exec (call->conn, USER_UPDATE ("disabled = $2::boolean"), 2, params, error);
  if (changed == NULL)
    return NULL;

  if (disabled && !revoke_sessions (call, id_text, error))
    return NULL;

  return sui_register_audited (call, "users", id_text, before, changed, 0, error);
}

static JsonNode *
users_disable (SuiCall  *call,
               GError  **error)
{
  return set_disabled (call, TRUE, error);
}

static JsonNode *
users_enable (SuiCall  *call,
              GError  **error)
{
  return set_disabled (call, FALSE, error);
}

/* ---- users.reset_password ------------------------------------------------------- */

static JsonNode *
users_reset_password (SuiCall  *call,
                      GError  **error)
{
  gint64 id = 0;
  const char *password = NULL;
  g_autofree char *id_text = NULL;
  g_autofree char *hash = NULL;
  g_autoptr(PGresult) row = NULL;
  g_autoptr(PGresult) changed = NULL;
  g_autoptr(JsonNode) before = NULL;
  g_autoptr(JsonNode) after = NULL;
  SuiValidation *v;
  const char *params[2];

  if (!sui_call_get_int (call, "id", TRUE, &id, error) ||
      !sui_call_get_string (call, "password", TRUE, &password, error))
    return NULL;

  row = load_user (call, id, TRUE, error);
  if (row == NULL)
    return NULL;

  v = sui_validation_new ();
  hash = checked_hash (call, v, password, error);
  if (hash == NULL)
    return NULL;

  id_text = sui_pg_int_param (id);
  params[0] = id_text;
  params[1] = hash;
  changed = sui_pg_exec (call->conn, USER_UPDATE ("password_hash = $2"), 2, params, error);
  if (changed == NULL)
    return NULL;

  /* Whoever knew the old password is logged out. */
  if (!revoke_sessions (call, id_text, error))
    return NULL;

  before = sui_register_column_json (row, 0, COL_JSON);
  after = sui_register_audited (call, "users", id_text, before, changed, 0, error);
  if (after == NULL)
    return NULL;
  return json_node_init_boolean (json_node_alloc (), TRUE);
}

static const SuiMethod users_methods[] = {
  {
    .name = "users.list",
    .roles = SUI_ROLE_ADMIN,
    .params = "[unit_id]:integer, [role]:string, [search]:string, "
              "[include_disabled]:boolean, [after]:integer, [limit]:integer",
    .summary = "Users ordered by id, paged by keyset",
    .handler = users_list,
  },
  {
    .name = "users.get",
    .roles = SUI_ROLE_ADMIN,
    .params = "id:integer",
    .summary = "One user",
    .handler = users_get,
  },
  {
    .name = "users.create",
    .roles = SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "login:string, name:string, role:string, unit_id:integer, password:string",
    .summary = "Create a user account",
    .handler = users_create,
  },
  {
    .name = "users.update",
    .roles = SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "id:integer, version:integer, [name]:string, [role]:string, [unit_id]:integer",
    .summary = "Change a user's name, role or unit; version is the one read",
    .handler = users_update,
  },
  {
    .name = "users.disable",
    .roles = SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "id:integer, version:integer",
    .summary = "Disable a user and end all their sessions",
    .handler = users_disable,
  },
  {
    .name = "users.enable",
    .roles = SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "id:integer, version:integer",
    .summary = "Enable a disabled user again",
    .handler = users_enable,
  },
  {
    .name = "users.reset_password",
    .roles = SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "id:integer, password:string",
    .summary = "Set a new password for a user and end all their sessions",
    .handler = users_reset_password,
  },
};

void
sui_users_register (void)
{
  sui_methods_register (users_methods, G_N_ELEMENTS (users_methods));
}
