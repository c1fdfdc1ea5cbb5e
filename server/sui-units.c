/* sui-units.c: units.list, units.get, units.create, units.update, units.disable,
 * units.enable
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The units form a tree under the one municipal bureau. Admins manage it; everyone
 * else sees only their own unit. Every change is checked against the version the
 * caller read and written to the audit log with the record before and after.
 */
#include "sui-units.h"

#include <string.h>

#include "sui-filter.h"
#include "sui-pg.h"

#define MAX_NAME 64

/* Columns of a loaded unit, in this order, then its json. */
#define UNIT_SELECT \
  "select un.id, un.parent_id, un.code, un.name, un.kind, un.disabled, un.version, " \
  SUI_UNIT_JSON_SQL " from unit un"

enum { COL_ID, COL_PARENT, COL_CODE, COL_NAME, COL_KIND, COL_DISABLED, COL_VERSION, COL_JSON };

gboolean
sui_units_code_valid (const char *code)
{
  /* A unit code also starts with a letter or a digit. */
  return sui_register_code_valid (code, 2, 32) &&
         (g_ascii_islower (code[0]) || g_ascii_isdigit (code[0]));
}

static gboolean
kind_valid (const char *kind)
{
  static const char * const kinds[] = { "bureau", "direct", "department", NULL };

  return sui_register_one_of (kind, kinds);
}

/* The unit with this id, locked for the rest of the transaction when for_update;
 * -32004 when there is none. */
static PGresult *
load_unit (SuiCall   *call,
           gint64     id,
           gboolean   for_update,
           GError   **error)
{
  return sui_register_load_row (call, UNIT_SELECT " where un.id = $1::bigint", " for update",
                                for_update, id, "该单位不存在，可能已被删除，请刷新后再试", error);
}

/* ---- units.list, units.get -------------------------------------------------------- */

static JsonNode *
units_list (SuiCall  *call,
            GError  **error)
{
  gboolean include_disabled = FALSE;
  g_autofree char *own_unit = NULL;
  const char *params[2];

  if (!sui_call_get_bool (call, "include_disabled", FALSE, &include_disabled, error))
    return NULL;

  /* Non-admins see their own unit only, disabled or not. */
  if (!sui_register_is_admin (call))
    own_unit = sui_pg_int_param (call->user->unit_id);

  params[0] = include_disabled ? "t" : "f";
  params[1] = own_unit;
  return sui_pg_query_json (call->conn,
                            "select json_build_object ('items', coalesce (json_agg ("
                            SUI_UNIT_JSON_SQL " order by un.id), '[]'::json))"
                            " from unit un"
                            " where case when $2::bigint is not null then un.id = $2::bigint"
                            "            else $1::boolean or not un.disabled end",
                            2, params, error);
}

static JsonNode *
units_get (SuiCall  *call,
           GError  **error)
{
  gint64 id = 0;

  if (!sui_call_get_int (call, "id", TRUE, &id, error) ||
      !sui_register_check_unit (call, id, "您只能查看本单位的信息", error))
    return NULL;
  return sui_register_reload (call, load_unit, id, COL_JSON, error);
}

/* ---- validation shared by create and update ------------------------------------- */

static void
check_name (SuiValidation *v,
            const char    *name)
{
  if (*name == '\0')
    sui_validation_add (v, "name", "required", "请填写单位名称");
  else if (g_utf8_strlen (name, -1) > MAX_NAME)
    sui_validation_add (v, "name", "too_long", "单位名称不能超过 64 个字符，请缩短");
}

static gboolean
check_code (SuiCall        *call,
            SuiValidation  *v,
            const char     *code,
            gint64          self_id,
            GError        **error)
{
  g_autofree char *self_text = sui_pg_int_param (self_id);
  const char *params[2] = { code, self_text };

  if (!sui_units_code_valid (code))
    {
      sui_validation_add (v, "code", "format",
                          "单位代码须为 2–32 个小写字母、数字或 _ . - 字符，"
                          "以字母或数字开头，例如 changan");
      return TRUE;
    }

  return sui_register_check_free (call, v,
                                  "select 1 from unit where code = $1 and id <> $2::bigint",
                                  2, params, "code", "单位代码已被使用，请换一个", error);
}

/* The parent of a non-root unit: it must exist, be enabled (unless it is already the
 * parent) and not lie under the unit itself. */
static gboolean
check_parent (SuiCall        *call,
              SuiValidation  *v,
              gint64          parent_id,
              gint64          self_id,
              gint64          current_parent,
              GError        **error)
{
  g_autofree char *parent_text = sui_pg_int_param (parent_id);
  g_autofree char *self_text = sui_pg_int_param (self_id);
  g_autoptr(PGresult) found = NULL;
  const char *params[2] = { parent_text, self_text };

  /* Walks up from the new parent: meeting the unit itself means a cycle. */
  found = sui_pg_exec (call->conn,
                       "with recursive up (id, parent_id) as ("
                       "  select id, parent_id from unit where id = $1::bigint"
                       "  union"
                       "  select u.id, u.parent_id from unit u join up on u.id = up.parent_id)"
                       " select p.disabled, exists (select 1 from up where up.id = $2::bigint)"
                       " from unit p where p.id = $1::bigint",
                       2, params, error);
  if (found == NULL)
    return FALSE;

  if (PQntuples (found) != 1)
    sui_validation_add (v, "parent_id", "not_found", "所选上级单位不存在，请重新选择");
  else if (sui_pg_get_bool (found, 0, 1))
    sui_validation_add (v, "parent_id", "cycle",
                        "不能把单位放到它自己或它的下级单位之下，请选择其他上级单位");
  else if (sui_pg_get_bool (found, 0, 0) && parent_id != current_parent)
    sui_validation_add (v, "parent_id", "disabled", "所选上级单位已停用，请选择其他上级单位");
  return TRUE;
}

static PGresult *
find_root (SuiCall  *call,
           GError  **error)
{
  return sui_pg_exec (call->conn, "select id from unit where parent_id is null", 0, NULL, error);
}

/* ---- units.create --------------------------------------------------------------- */

static JsonNode *
units_create (SuiCall  *call,
              GError  **error)
{
  const char *name_param = NULL;
  const char *code = NULL;
  const char *kind = NULL;
  gint64 parent_id = 0;
  gboolean has_parent;
  g_autofree char *name = NULL;
  g_autofree char *parent_text = NULL;
  g_autoptr(PGresult) root = NULL;
  g_autoptr(PGresult) made = NULL;
  SuiValidation *v;
  const char *params[4];

  if (!sui_call_get_string (call, "name", TRUE, &name_param, error) ||
      !sui_call_get_string (call, "code", TRUE, &code, error) ||
      !sui_call_get_string (call, "kind", TRUE, &kind, error) ||
      !sui_call_get_int (call, "parent_id", FALSE, &parent_id, error))
    return NULL;
  has_parent = sui_call_has (call, "parent_id");
  name = g_strstrip (g_strdup (name_param));

  root = find_root (call, error);
  if (root == NULL)
    return NULL;

  v = sui_validation_new ();
  check_name (v, name);
  if (!check_code (call, v, code, 0, error))
    goto fail;

  if (!kind_valid (kind))
    sui_validation_add (v, "kind", "invalid",
                        "单位类型须为市局（bureau）、直属单位（direct）或协作部门（department）");
  else if (g_str_equal (kind, "bureau"))
    {
      if (PQntuples (root) > 0)
        sui_validation_add (v, "kind", "one_bureau", "系统中已有市局，只能有一个市局");
      else if (has_parent)
        sui_validation_add (v, "parent_id", "bureau_is_root",
                            "市局是最上级单位，不能有上级单位");
    }
  else if (!has_parent && PQntuples (root) == 0)
    sui_validation_add (v, "parent_id", "required", "请先建立市局，再建立它的下级单位");
  else
    {
      /* Without a parent a direct unit or department goes under the bureau. */
      if (!has_parent)
        parent_id = g_ascii_strtoll (PQgetvalue (root, 0, 0), NULL, 10);
      if (!check_parent (call, v, parent_id, 0, -1, error))
        goto fail;
      parent_text = sui_pg_int_param (parent_id);
    }

  if (!sui_validation_finish (v, call, error))
    return NULL;

  params[0] = parent_text;
  params[1] = code;
  params[2] = name;
  params[3] = kind;
  made = sui_pg_exec (call->conn,
                      "with un as ("
                      "  insert into unit (parent_id, code, name, kind)"
                      "  values ($1::bigint, $2, $3, $4) returning *)"
                      " select un.id, " SUI_UNIT_JSON_SQL " from un",
                      4, params, error);
  return sui_register_audited (call, "units", NULL, NULL, made, 1, error);

fail:
  sui_register_discard_validation (v, call);
  return NULL;
}

/* ---- units.update --------------------------------------------------------------- */

static JsonNode *
units_update (SuiCall  *call,
              GError  **error)
{
  gint64 id = 0;
  gint64 version = 0;
  const char *name_param = NULL;
  const char *code = NULL;
  const char *kind = NULL;
  gint64 parent_id = 0;
  gint64 current_parent;
  gboolean is_root;
  g_autofree char *name = NULL;
  g_autofree char *id_text = NULL;
  g_autofree char *parent_text = NULL;
  g_autoptr(PGresult) row = NULL;
  g_autoptr(PGresult) changed = NULL;
  g_autoptr(JsonNode) before = NULL;
  SuiValidation *v;
  const char *params[5];

  if (!sui_call_get_id_version (call, &id, &version, error) ||
      !sui_call_get_string (call, "name", FALSE, &name_param, error) ||
      !sui_call_get_string (call, "code", FALSE, &code, error) ||
      !sui_call_get_string (call, "kind", FALSE, &kind, error) ||
      !sui_call_get_int (call, "parent_id", FALSE, &parent_id, error))
    return NULL;

  row = sui_register_load_for_write (call, load_unit, id, version, COL_VERSION,
                                    "该单位已被他人修改，请刷新后再试", error);
  if (row == NULL)
    return NULL;

  is_root = PQgetisnull (row, 0, COL_PARENT);
  current_parent = is_root ? -1 : g_ascii_strtoll (PQgetvalue (row, 0, COL_PARENT), NULL, 10);

  /* What is not given stays as it is. */
  name = g_strstrip (g_strdup (name_param != NULL ? name_param : PQgetvalue (row, 0, COL_NAME)));
  if (code == NULL)
    code = PQgetvalue (row, 0, COL_CODE);
  if (kind == NULL)
    kind = PQgetvalue (row, 0, COL_KIND);
  if (!sui_call_has (call, "parent_id"))
    parent_id = current_parent;

  v = sui_validation_new ();
  check_name (v, name);
  if (!check_code (call, v, code, id, error))
    goto fail;

  if (!kind_valid (kind))
    sui_validation_add (v, "kind", "invalid",
                        "单位类型须为市局（bureau）、直属单位（direct）或协作部门（department）");
  else if (is_root)
    {
      if (!g_str_equal (kind, "bureau"))
        sui_validation_add (v, "kind", "bureau_is_root", "市局的单位类型不能修改");
      if (parent_id != current_parent)
        sui_validation_add (v, "parent_id", "bureau_is_root", "市局是最上级单位，不能有上级单位");
    }
  else
    {
      if (g_str_equal (kind, "bureau"))
        sui_validation_add (v, "kind", "one_bureau", "系统中已有市局，只能有一个市局");
      if (!check_parent (call, v, parent_id, id, current_parent, error))
        goto fail;
      parent_text = sui_pg_int_param (parent_id);
    }

  if (!sui_validation_finish (v, call, error))
    return NULL;

  before = sui_register_column_json (row, 0, COL_JSON);
  if (g_str_equal (name, PQgetvalue (row, 0, COL_NAME)) &&
      g_str_equal (code, PQgetvalue (row, 0, COL_CODE)) &&
      g_str_equal (kind, PQgetvalue (row, 0, COL_KIND)) &&
      parent_id == current_parent)
    return g_steal_pointer (&before);   /* nothing to change, nothing to audit */

  id_text = sui_pg_int_param (id);
  params[0] = id_text;
  params[1] = parent_text;
  params[2] = code;
  params[3] = name;
  params[4] = kind;
  changed = sui_pg_exec (call->conn,
                         "with un as ("
                         "  update unit set parent_id = $2::bigint, code = $3, name = $4,"
                         "    kind = $5, version = version + 1, updated_at = now ()"
                         "  where id = $1::bigint returning *)"
                         " select " SUI_UNIT_JSON_SQL " from un",
                         5, params, error);
  return sui_register_audited (call, "units", id_text, before, changed, 0, error);

fail:
  sui_register_discard_validation (v, call);
  return NULL;
}

/* ---- units.disable, units.enable ------------------------------------------------ */

static JsonNode *
set_disabled (SuiCall   *call,
              gboolean   disabled,
              GError   **error)
{
  gint64 id = 0;
  gint64 version = 0;
  g_autofree char *id_text = NULL;
  g_autoptr(PGresult) row = NULL;
  g_autoptr(PGresult) blocked = NULL;
  g_autoptr(PGresult) changed = NULL;
  g_autoptr(JsonNode) before = NULL;
  const char *params[2];

  if (!sui_call_get_id_version (call, &id, &version, error))
    return NULL;

  row = sui_register_load_for_write (call, load_unit, id, version, COL_VERSION,
                                    "该单位已被他人修改，请刷新后再试", error);
  if (row == NULL)
    return NULL;

  before = sui_register_column_json (row, 0, COL_JSON);
  if (sui_pg_get_bool (row, 0, COL_DISABLED) == disabled)
    return g_steal_pointer (&before);

  id_text = sui_pg_int_param (id);
  params[0] = id_text;

  if (disabled)
    {
      if (PQgetisnull (row, 0, COL_PARENT))
        {
          g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_STATE, "市局不能停用");
          return NULL;
        }

      blocked = sui_pg_exec (call->conn,
                             "select exists (select 1 from app_user"
                             "               where unit_id = $1::bigint and not disabled),"
                             "       exists (select 1 from unit"
                             "               where parent_id = $1::bigint and not disabled)",
                             1, params, error);
      if (blocked == NULL)
        return NULL;
      if (sui_pg_get_bool (blocked, 0, 0) || sui_pg_get_bool (blocked, 0, 1))
        {
          g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_STATE,
                               sui_pg_get_bool (blocked, 0, 0)
                               ? "该单位还有未停用的用户，请先停用这些用户或把他们调到其他单位"
                               : "该单位还有未停用的下级单位，请先停用下级单位");
          return NULL;
        }
    }
  else
    {
      blocked = sui_pg_exec (call->conn,
                             "select p.disabled from unit un join unit p on p.id = un.parent_id"
                             " where un.id = $1::bigint",
                             1, params, error);
      if (blocked == NULL)
        return NULL;
      if (PQntuples (blocked) == 1 && sui_pg_get_bool (blocked, 0, 0))
        {
          g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_STATE,
                               "上级单位已停用，请先启用上级单位");
          return NULL;
        }
    }

  params[1] = disabled ? "t" : "f";
  changed = sui_pg_exec (call->conn,
                         "with un as ("
                         "  update unit set disabled = $2::boolean, version = version + 1,"
                         "    updated_at = now ()"
                         "  where id = $1::bigint returning *)"
                         " select " SUI_UNIT_JSON_SQL " from un",
                         2, params, error);
  return sui_register_audited (call, "units", id_text, before, changed, 0, error);
}

static JsonNode *
units_disable (SuiCall  *call,
               GError  **error)
{
  return set_disabled (call, TRUE, error);
}

static JsonNode *
units_enable (SuiCall  *call,
              GError  **error)
{
  return set_disabled (call, FALSE, error);
}

static const SuiMethod units_methods[] = {
  {
    .name = "units.list",
    .roles = SUI_ROLE_ANY,
    .params = "[include_disabled]:boolean",
    .summary = "The unit tree (admins: every unit; others: their own unit)",
    .handler = units_list,
  },
  {
    .name = "units.get",
    .roles = SUI_ROLE_ANY,
    .params = "id:integer",
    .summary = "One unit (non-admins: their own unit only)",
    .handler = units_get,
  },
  {
    .name = "units.create",
    .roles = SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "name:string, code:string, kind:string, [parent_id]:integer",
    .summary = "Create a unit (kind bureau, direct or department)",
    .handler = units_create,
  },
  {
    .name = "units.update",
    .roles = SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "id:integer, version:integer, [name]:string, [code]:string, [kind]:string, "
              "[parent_id]:integer",
    .summary = "Change a unit; version is the one read",
    .handler = units_update,
  },
  {
    .name = "units.disable",
    .roles = SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "id:integer, version:integer",
    .summary = "Disable a unit that has no enabled users or sub-units",
    .handler = units_disable,
  },
  {
    .name = "units.enable",
    .roles = SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "id:integer, version:integer",
    .summary = "Enable a disabled unit again (its parent must be enabled)",
    .handler = units_enable,
  },
};

void
sui_units_register (void)
{
  sui_methods_register (units_methods, G_N_ELEMENTS (units_methods));
}
