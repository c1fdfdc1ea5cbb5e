/* sui-tags.c: tags.list, tags.create_group, tags.update_group, tags.create, tags.update,
 * tags.apply, tags.remove, filters.count
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Tags live in groups (区域, 业态, 经营规模, 风险, 专长 …) that apply to objects,
 * inspectors or both. A group without a unit is city-wide and kept by an admin; a unit's
 * supervisors keep their own groups. A supervisor puts city-wide tags and their unit's
 * tags on their unit's records; a unit's tag never goes on another unit's record.
 * Tagging one record, a list of ids or everything a filter matches is one statement in
 * the call's transaction, written to the audit log once.
 */
#include "sui-tags.h"

#include "sui-filter.h"
#include "sui-pg.h"

#define MAX_NAME 32
#define MAX_DESCRIPTION 256
#define MAX_IDS 100000
/* Up to this many ids are written into the audit row itself; beyond, the count. */
#define AUDIT_IDS 1000

#define GROUP_JSON_SQL \
  "json_build_object ('id', g.id, 'name', g.name, 'applies_to', g.applies_to," \
  " 'unit_id', g.unit_id, 'retired', g.retired, 'version', g.version)"
#define TAG_JSON_SQL \
  "json_build_object ('id', t.id, 'group_id', t.group_id, 'name', t.name," \
  " 'description', t.description, 'retired', t.retired, 'version', t.version)"

static gboolean
fail_literal (GError     **error,
              int          code,
              const char  *message)
{
  g_set_error_literal (error, SUI_RPC_ERROR, code, message);
  return FALSE;
}

static gboolean
applies_valid (const char *applies_to)
{
  static const char * const scopes[] = { "objects", "inspectors", "both", NULL };

  return sui_register_one_of (applies_to, scopes);
}

static void
check_name (SuiValidation *v,
            const char    *name,
            const char    *label)
{
  if (*name == '\0')
    {
      g_autofree char *message = g_strdup_printf ("请填写%s", label);

      sui_validation_add (v, "name", "required", message);
    }
  else if (g_utf8_strlen (name, -1) > MAX_NAME)
    {
      g_autofree char *message = g_strdup_printf ("%s不能超过 32 个字符，请缩短", label);

      sui_validation_add (v, "name", "too_long", message);
    }
}

/* May the caller change this group (unit_text: the group's unit, NULL when city-wide)? */
static gboolean
may_edit_group (SuiCall     *call,
                const char  *unit_text,
                GError     **error)
{
  if (sui_register_is_admin (call))
    return TRUE;
  if (unit_text != NULL && g_ascii_strtoll (unit_text, NULL, 10) == call->user->unit_id)
    return TRUE;
  return fail_literal (error, SUI_RPC_ERROR_FORBIDDEN,
                       unit_text == NULL ? "全市通用的标签由市局管理员维护"
                                         : "您只能维护本单位的标签");
}

static const char *
nullable (PGresult *row,
          int       column)
{
  return PQgetisnull (row, 0, column) ? NULL : PQgetvalue (row, 0, column);
}

/* ---- tags.list ------------------------------------------------------------------ */

static JsonNode *
tags_list (SuiCall  *call,
           GError  **error)
{
  const char *applies_to = NULL;
  gboolean include_retired = FALSE;
  g_autofree char *unit_text = NULL;
  const char *params[3];

  if (!sui_call_get_string (call, "applies_to", FALSE, &applies_to, error) ||
      !sui_call_get_bool (call, "include_retired", FALSE, &include_retired, error))
    return NULL;

  if (!sui_register_is_admin (call))
    unit_text = sui_pg_int_param (call->user->unit_id);
  params[0] = unit_text;
  params[1] = applies_to;
  params[2] = include_retired ? "t" : "f";
  return sui_pg_query_json (
    call->conn,
    "select json_build_object ('groups', coalesce (json_agg ("
    "   (" GROUP_JSON_SQL "::jsonb || jsonb_build_object ('tags',"
    "     (select coalesce (jsonb_agg (" TAG_JSON_SQL "::jsonb order by t.name), '[]')"
    "      from tag t where t.group_id = g.id and ($3::boolean or not t.retired))))"
    "   order by g.unit_id nulls first, g.name), '[]'))"
    " from tag_group g"
    " where ($1::bigint is null or g.unit_id is null or g.unit_id = $1::bigint)"
    "   and ($2::text is null or g.applies_to = $2 or g.applies_to = 'both'"
    "        or $2 = 'both')"
    "   and ($3::boolean or not g.retired)",
    3, params, error);
}

/* ---- tags.create_group, tags.update_group --------------------------------------- */

#define GROUP_NAME_TAKEN_SQL \
  "select 1 from tag_group where name = $1 and coalesce (unit_id, 0) = coalesce ($2::bigint, 0)" \
  " and id <> $3::bigint"
#define TAG_NAME_TAKEN_SQL \
  "select 1 from tag where name = $1 and group_id = $2::bigint and id <> $3::bigint"

/* Adds "taken" with message to v when sql finds another row than self_id with the name in
 * the same scope (a group's unit, a tag's group): $1 the name, $2 scope_text, $3 self_id. */
static gboolean
check_name_free (SuiCall        *call,
                 SuiValidation  *v,
                 const char     *sql,
                 const char     *message,
                 const char     *name,
                 const char     *scope_text,
                 gint64          self_id,
                 GError        **error)
{
  g_autofree char *self_text = sui_pg_int_param (self_id);
  const char *params[3] = { name, scope_text, self_text };

  return sui_register_check_free (call, v, sql, 3, params, "name", message, error);
}

/* The params tags.update_group and tags.update share, in the order they are declared: id,
 * version, name, then other (applies_to or description), retired. */
static gboolean
get_update_params (SuiCall      *call,
                   const char   *other_name,
                   gint64       *id,
                   gint64       *version,
                   const char  **name,
                   const char  **other,
                   gboolean     *retired,
                   GError      **error)
{
  return sui_call_get_id_version (call, id, version, error) &&
         sui_call_get_string (call, "name", FALSE, name, error) &&
         sui_call_get_string (call, other_name, FALSE, other, error) &&
         sui_call_get_bool (call, "retired", FALSE, retired, error);
}

/* row (a group or a tag, NULL when it could not be loaded) may be changed by the caller and
 * is at the version the caller read. */
static gboolean
may_write (SuiCall     *call,
           PGresult    *row,
           int          unit_column,
           int          version_column,
           gint64       version,
           const char  *stale,
           GError     **error)
{
  return row != NULL && may_edit_group (call, nullable (row, unit_column), error) &&
         sui_register_check_row_version (call, row, version_column, version, stale, error);
}

static JsonNode *
tags_create_group (SuiCall  *call,
                   GError  **error)
{
  const char *name_param = NULL;
  const char *applies_to = NULL;
  gint64 unit_id = 0;
  g_autofree char *name = NULL;
  g_autofree char *unit_text = NULL;
  g_autoptr(PGresult) made = NULL;
  SuiValidation *v;
  const char *params[3];

  if (!sui_call_get_string (call, "name", TRUE, &name_param, error) ||
      !sui_call_get_string (call, "applies_to", TRUE, &applies_to, error) ||
      !sui_call_get_int (call, "unit_id", FALSE, &unit_id, error))
    return NULL;
  name = g_strstrip (g_strdup (name_param));

  /* Admins make city-wide groups unless they name a unit; supervisors their unit's. */
  if (sui_call_has (call, "unit_id"))
    unit_text = sui_pg_int_param (unit_id);
  else if (!sui_register_is_admin (call))
    unit_text = sui_pg_int_param (call->user->unit_id);
  if (!may_edit_group (call, unit_text, error))
    return NULL;

  v = sui_validation_new ();
  check_name (v, name, "标签组名称");
  if (!applies_valid (applies_to))
    sui_validation_add (v, "applies_to", "invalid",
                        "适用范围须为检查对象（objects）、检查人员（inspectors）或两者（both）");
  if (unit_text != NULL)
    {
      g_autoptr(PGresult) unit = NULL;
      const char *unit_params[1] = { unit_text };

      unit = sui_pg_exec (call->conn, "select disabled from unit where id = $1::bigint",
                          1, unit_params, error);
      if (unit == NULL)
        goto fail;
      if (PQntuples (unit) != 1)
        sui_validation_add (v, "unit_id", "not_found", "所选单位不存在，请重新选择");
    }
  if (*name != '\0' &&
      !check_name_free (call, v, GROUP_NAME_TAKEN_SQL, "已有同名的标签组，请换一个名称", name,
                        unit_text, 0, error))
    goto fail;
  if (!sui_validation_finish (v, call, error))
    return NULL;

  params[0] = name;
  params[1] = applies_to;
  params[2] = unit_text;
  made = sui_pg_exec (call->conn,
                      "with g as (insert into tag_group (name, applies_to, unit_id)"
                      "  values ($1, $2, $3::bigint) returning *)"
                      " select g.id, " GROUP_JSON_SQL " from g",
                      3, params, error);
  return sui_register_audited (call, "tag_groups", NULL, NULL, made, 1, error);

fail:
  sui_register_discard_validation (v, call);
  return NULL;
}

enum { G_ID, G_NAME, G_APPLIES, G_UNIT, G_RETIRED, G_VERSION, G_JSON };

static PGresult *
load_group (SuiCall  *call,
            gint64    id,
            GError  **error)
{
  return sui_register_load_by_id (call,
                                  "select g.id, g.name, g.applies_to, g.unit_id, g.retired,"
                                  " g.version, " GROUP_JSON_SQL
                                  " from tag_group g where g.id = $1::bigint for update",
                                  id, "该标签组不存在，请刷新后再试", error);
}

static JsonNode *
tags_update_group (SuiCall  *call,
                   GError  **error)
{
  gint64 id = 0;
  gint64 version = 0;
  const char *name_param = NULL;
  const char *applies_to = NULL;
  gboolean retired = FALSE;
  g_autofree char *name = NULL;
  g_autoptr(PGresult) row = NULL;
  g_autoptr(PGresult) used = NULL;
  g_autoptr(PGresult) changed = NULL;
  g_autoptr(JsonNode) before = NULL;
  SuiValidation *v;
  const char *params[4];

  if (!get_update_params (call, "applies_to", &id, &version, &name_param, &applies_to, &retired,
                          error))
    return NULL;

  row = load_group (call, id, error);
  if (!may_write (call, row, G_UNIT, G_VERSION, version, "该标签组已被他人修改，请刷新后再试",
                  error))
    return NULL;

  name = g_strstrip (g_strdup (name_param != NULL ? name_param : PQgetvalue (row, 0, G_NAME)));
  if (applies_to == NULL)
    applies_to = PQgetvalue (row, 0, G_APPLIES);
  if (!sui_call_has (call, "retired"))
    retired = g_str_equal (PQgetvalue (row, 0, G_RETIRED), "t");

  v = sui_validation_new ();
  check_name (v, name, "标签组名称");
  if (!applies_valid (applies_to))
    sui_validation_add (v, "applies_to", "invalid",
                        "适用范围须为检查对象（objects）、检查人员（inspectors）或两者（both）");
  if (*name != '\0' &&
      !check_name_free (call, v, GROUP_NAME_TAKEN_SQL, "已有同名的标签组，请换一个名称", name,
                        nullable (row, G_UNIT), id, error))
    goto fail;

  /* Narrowing the scope must not strand tags already on the other kind of record. */
  params[0] = PQgetvalue (row, 0, G_ID);
  used = sui_pg_exec (call->conn,
                      "select exists (select 1 from object_tag ot join tag t on t.id = ot.tag_id"
                      "               where t.group_id = $1::bigint),"
                      "       exists (select 1 from inspector_tag it join tag t on t.id = it.tag_id"
                      "               where t.group_id = $1::bigint)",
                      1, params, error);
  if (used == NULL)
    goto fail;
  if ((g_str_equal (applies_to, "inspectors") && g_str_equal (PQgetvalue (used, 0, 0), "t")) ||
      (g_str_equal (applies_to, "objects") && g_str_equal (PQgetvalue (used, 0, 1), "t")))
    sui_validation_add (v, "applies_to", "in_use",
                        "该组的标签已用在另一类记录上，请先取消这些标签再缩小适用范围");
  if (!sui_validation_finish (v, call, error))
    return NULL;

  before = sui_register_column_json (row, 0, G_JSON);
  if (g_str_equal (name, PQgetvalue (row, 0, G_NAME)) &&
      g_str_equal (applies_to, PQgetvalue (row, 0, G_APPLIES)) &&
      retired == g_str_equal (PQgetvalue (row, 0, G_RETIRED), "t"))
    return g_steal_pointer (&before);

  params[1] = name;
  params[2] = applies_to;
  params[3] = retired ? "t" : "f";
  changed = sui_pg_exec (call->conn,
                         "with g as (update tag_group set name = $2, applies_to = $3,"
                         "  retired = $4::boolean, version = version + 1, updated_at = now ()"
                         "  where id = $1::bigint returning *)"
                         " select " GROUP_JSON_SQL " from g",
                         4, params, error);
  return sui_register_audited (call, "tag_groups", PQgetvalue (row, 0, G_ID), before, changed,
                               0, error);

fail:
  sui_register_discard_validation (v, call);
  return NULL;
}

/* ---- tags.create, tags.update --------------------------------------------------- */

static JsonNode *
tags_create (SuiCall  *call,
             GError  **error)
{
  gint64 group_id = 0;
  const char *name_param = NULL;
  const char *description_param = NULL;
  g_autofree char *name = NULL;
  g_autofree char *description = NULL;
  g_autoptr(PGresult) group = NULL;
  g_autoptr(PGresult) made = NULL;
  SuiValidation *v;
  const char *params[3];

  if (!sui_call_get_int (call, "group_id", TRUE, &group_id, error) ||
      !sui_call_get_string (call, "name", TRUE, &name_param, error) ||
      !sui_call_get_string (call, "description", FALSE, &description_param, error))
    return NULL;
  name = g_strstrip (g_strdup (name_param));
  if (description_param != NULL)
    description = g_strstrip (g_strdup (description_param));
  if (description != NULL && *description == '\0')
    g_clear_pointer (&description, g_free);

  group = load_group (call, group_id, error);
  if (group == NULL || !may_edit_group (call, nullable (group, G_UNIT), error))
    return NULL;
  if (g_str_equal (PQgetvalue (group, 0, G_RETIRED), "t"))
    {
      fail_literal (error, SUI_RPC_ERROR_STATE, "该标签组已停用，不能再添加标签");
      return NULL;
    }

  v = sui_validation_new ();
  check_name (v, name, "标签名称");
  if (description != NULL && g_utf8_strlen (description, -1) > MAX_DESCRIPTION)
    sui_validation_add (v, "description", "too_long", "说明不能超过 256 个字符，请缩短");
  if (*name != '\0' &&
      !check_name_free (call, v, TAG_NAME_TAKEN_SQL, "该组中已有同名标签，请换一个名称", name,
                        PQgetvalue (group, 0, G_ID), 0, error))
    {
      sui_register_discard_validation (v, call);
      return NULL;
    }
  if (!sui_validation_finish (v, call, error))
    return NULL;

  params[0] = PQgetvalue (group, 0, G_ID);
  params[1] = name;
  params[2] = description;
  made = sui_pg_exec (call->conn,
                      "with t as (insert into tag (group_id, name, description)"
                      "  values ($1::bigint, $2, $3) returning *)"
                      " select t.id, " TAG_JSON_SQL " from t",
                      3, params, error);
  return sui_register_audited (call, "tags", NULL, NULL, made, 1, error);
}

enum { T_ID, T_GROUP, T_NAME, T_DESCRIPTION, T_RETIRED, T_VERSION, T_UNIT, T_APPLIES,
       T_GROUP_RETIRED, T_JSON };

static PGresult *
load_tag (SuiCall  *call,
          gint64    id,
          gboolean  for_update,
          GError  **error)
{
  return sui_register_load_row (call,
                                "select t.id, t.group_id, t.name, t.description, t.retired,"
                                " t.version, g.unit_id, g.applies_to, g.retired, " TAG_JSON_SQL
                                " from tag t join tag_group g on g.id = t.group_id"
                                " where t.id = $1::bigint",
                                " for update of t", for_update, id,
                                "该标签不存在，请刷新后再试", error);
}

static JsonNode *
tags_update (SuiCall  *call,
             GError  **error)
{
  gint64 id = 0;
  gint64 version = 0;
  const char *name_param = NULL;
  const char *description_param = NULL;
  gboolean retired = FALSE;
  g_autofree char *name = NULL;
  g_autofree char *description = NULL;
  g_autoptr(PGresult) row = NULL;
  g_autoptr(PGresult) changed = NULL;
  g_autoptr(JsonNode) before = NULL;
  SuiValidation *v;
  const char *params[4];

  if (!get_update_params (call, "description", &id, &version, &name_param, &description_param,
                          &retired, error))
    return NULL;

  row = load_tag (call, id, TRUE, error);
  if (!may_write (call, row, T_UNIT, T_VERSION, version, "该标签已被他人修改，请刷新后再试", error))
    return NULL;

  name = g_strstrip (g_strdup (name_param != NULL ? name_param : PQgetvalue (row, 0, T_NAME)));
  if (json_object_has_member (call->params, "description"))
    description = description_param != NULL ? g_strstrip (g_strdup (description_param)) : NULL;
  else
    description = g_strdup (nullable (row, T_DESCRIPTION));
  if (description != NULL && *description == '\0')
    g_clear_pointer (&description, g_free);
  if (!sui_call_has (call, "retired"))
    retired = g_str_equal (PQgetvalue (row, 0, T_RETIRED), "t");

  v = sui_validation_new ();
  check_name (v, name, "标签名称");
  if (description != NULL && g_utf8_strlen (description, -1) > MAX_DESCRIPTION)
    sui_validation_add (v, "description", "too_long", "说明不能超过 256 个字符，请缩短");
  if (*name != '\0' &&
      !check_name_free (call, v, TAG_NAME_TAKEN_SQL, "该组中已有同名标签，请换一个名称", name,
                        PQgetvalue (row, 0, T_GROUP), id, error))
    {
      sui_register_discard_validation (v, call);
      return NULL;
    }
  if (!sui_validation_finish (v, call, error))
    return NULL;

  before = sui_register_column_json (row, 0, T_JSON);
  if (g_str_equal (name, PQgetvalue (row, 0, T_NAME)) &&
      g_strcmp0 (description, nullable (row, T_DESCRIPTION)) == 0 &&
      retired == g_str_equal (PQgetvalue (row, 0, T_RETIRED), "t"))
    return g_steal_pointer (&before);

  params[0] = PQgetvalue (row, 0, T_ID);
  params[1] = name;
  params[2] = description;
  params[3] = retired ? "t" : "f";
  changed = sui_pg_exec (call->conn,
                         "with t as (update tag set name = $2, description = $3,"
                         "  retired = $4::boolean, version = version + 1, updated_at = now ()"
                         "  where id = $1::bigint returning *)"
                         " select " TAG_JSON_SQL " from t",
                         4, params, error);
  return sui_register_audited (call, "tags", PQgetvalue (row, 0, T_ID), before, changed, 0,
                               error);
}

/* ---- tags.apply, tags.remove, filters.count ------------------------------------- */

typedef struct
{
  const char *table;        /* object | inspector */
  const char *alias;        /* o | i */
  const char *link;         /* object_tag | inspector_tag */
  const char *link_column;  /* object_id | inspector_id */
  SuiFilterKind kind;
  const char *label;        /* 检查对象 | 检查人员 */
} Target;

static const Target targets[] = {
  { "object", "o", "object_tag", "object_id", SUI_FILTER_OBJECTS, "检查对象" },
  { "inspector", "i", "inspector_tag", "inspector_id", SUI_FILTER_INSPECTORS, "检查人员" },
};

static gboolean
get_target (SuiCall       *call,
            const char    *name,
            const Target **out,
            GError       **error)
{
  const char *target = "objects";
  SuiValidation *v;

  if (!sui_call_get_string (call, name, FALSE, &target, error))
    return FALSE;
  if (g_str_equal (target, "objects"))
    *out = &targets[0];
  else if (g_str_equal (target, "inspectors"))
    *out = &targets[1];
  else
    {
      v = sui_validation_new ();
      sui_validation_add (v, name, "invalid", "须为检查对象（objects）或检查人员（inspectors）");
      return sui_validation_finish (v, call, error);
    }
  return TRUE;
}

/* The caller's scope on the target's alias: supervisors see their unit's records; retired
 * objects are left out unless include_retired. */
static gboolean
scope_condition (SuiCall       *call,
                 const Target  *target,
                 GString       *where,
                 GPtrArray     *params,
                 GError       **error)
{
  gboolean include_retired = FALSE;

  if (!sui_call_get_bool (call, "include_retired", FALSE, &include_retired, error))
    return FALSE;
  sui_register_append_scope (call, target->alias, where, params);
  if (!include_retired && target->kind == SUI_FILTER_OBJECTS)
    g_string_append (where, "not o.retired and ");
  return TRUE;
}

static JsonNode *
filters_count (SuiCall  *call,
               GError  **error)
{
  const Target *target = NULL;
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) where = g_string_new (NULL);
  g_autofree char *sql = NULL;

  if (!get_target (call, "kind", &target, error) ||
      !scope_condition (call, target, where, params, error) ||
      !sui_filter_append_from_call (call, "filter", target->kind, target->alias, where, params,
                                    error))
    return NULL;

  /* target->table and alias are ours, never the caller's. */
  sql = g_strdup_printf ("select json_build_object ('count', count (*)) from %s %s where %s",
                         target->table, target->alias, where->str);
  return sui_pg_query_json (call->conn, sql, params->len, (const char * const *) params->pdata,
                            error);
}

static JsonNode *
apply_or_remove (SuiCall   *call,
                 gboolean   apply,
                 GError   **error)
{
  gint64 tag_id = 0;
  gint64 one_id = 0;
  const Target *target = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(PGresult) tag = NULL;
  g_autoptr(PGresult) done = NULL;
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) where = g_string_new (NULL);
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) record = NULL;
  g_autofree char *tag_p = NULL;
  g_autofree char *actor_p = NULL;
  gboolean has_filter;
  const char *applies;
  int n_ways;
  gint64 matched, changed;

  if (!sui_call_get_int (call, "tag_id", TRUE, &tag_id, error) ||
      !get_target (call, "target", &target, error) ||
      !sui_call_get_int (call, "id", FALSE, &one_id, error) ||
      !sui_register_get_ids (call, "ids", FALSE, &ids, error))
    return NULL;
  has_filter = json_object_has_member (call->params, "filter") &&
               !JSON_NODE_HOLDS_NULL (json_object_get_member (call->params, "filter"));
  n_ways = (sui_call_has (call, "id") ? 1 : 0) + (ids != NULL ? 1 : 0) + (has_filter ? 1 : 0);
  if (n_ways != 1)
    {
      SuiValidation *v = sui_validation_new ();

      sui_validation_add (v, "filter", "one_way",
                          "请给出要处理的记录：一个编号（id）、编号列表（ids）或筛选条件（filter），"
                          "三者选一");
      sui_validation_finish (v, call, error);
      return NULL;
    }
  if (ids != NULL && (ids->len == 0 || ids->len > MAX_IDS))
    {
      SuiValidation *v = sui_validation_new ();

      sui_validation_add (v, "ids", "count", "编号列表须有 1–100000 个编号；更多请用筛选条件");
      sui_validation_finish (v, call, error);
      return NULL;
    }

  tag = load_tag (call, tag_id, FALSE, error);
  if (tag == NULL)
    return NULL;
  if (!sui_register_is_admin (call) && !PQgetisnull (tag, 0, T_UNIT) &&
      g_ascii_strtoll (PQgetvalue (tag, 0, T_UNIT), NULL, 10) != call->user->unit_id)
    {
      fail_literal (error, SUI_RPC_ERROR_FORBIDDEN, "您只能使用全市通用标签和本单位的标签");
      return NULL;
    }
  applies = PQgetvalue (tag, 0, T_APPLIES);
  if (!g_str_equal (applies, "both") &&
      !g_str_equal (applies, target->kind == SUI_FILTER_OBJECTS ? "objects" : "inspectors"))
    {
      SuiValidation *v = sui_validation_new ();
      g_autofree char *message = g_strdup_printf ("该标签不能用于%s", target->label);

      sui_validation_add (v, "tag_id", "applies_to", message);
      sui_validation_finish (v, call, error);
      return NULL;
    }
  if (apply && (g_str_equal (PQgetvalue (tag, 0, T_RETIRED), "t") ||
                g_str_equal (PQgetvalue (tag, 0, T_GROUP_RETIRED), "t")))
    {
      fail_literal (error, SUI_RPC_ERROR_STATE, "该标签已停用，不能再加到记录上");
      return NULL;
    }

  /* Which records: the caller's scope, a unit tag's unit, then the ids or the filter. */
  if (!scope_condition (call, target, where, params, error))
    return NULL;
  if (!PQgetisnull (tag, 0, T_UNIT))
    sui_register_append_unit (target->alias, PQgetvalue (tag, 0, T_UNIT), where, params);
  if (has_filter)
    {
      if (!sui_filter_append_from_call (call, "filter", target->kind, target->alias, where,
                                        params, error))
        return NULL;
    }
  else
    {
      g_autofree char *p = NULL;

      if (ids == NULL)
        {
          ids = g_array_new (FALSE, FALSE, sizeof (gint64));
          g_array_append_val (ids, one_id);
        }
      p = sui_sql_param (params, sui_sql_int_array ((const gint64 *) (gpointer) ids->data,
                                                    ids->len));
      g_string_append_printf (where, "%s.id = any (%s::bigint[])", target->alias, p);
    }

  if (!sui_register_set_actor (call, NULL, error))
    return NULL;

  tag_p = sui_sql_param (params, g_strdup (PQgetvalue (tag, 0, T_ID)));
  actor_p = sui_sql_param (params, sui_pg_int_param (call->user->id));
  /* Only our own table, column and alias names are pasted; every value is a parameter. */
  g_string_append_printf (sql, "with m as (select %s.id from %s %s where %s), ",
                          target->alias, target->table, target->alias, where->str);
  if (apply)
    g_string_append_printf (sql,
                            "c as (insert into %s (%s, tag_id, created_by)"
                            " select m.id, %s::bigint, %s::bigint from m"
                            " on conflict do nothing returning 1)",
                            target->link, target->link_column, tag_p, actor_p);
  else
    g_string_append_printf (sql,
                            "c as (delete from %s l using m where l.%s = m.id"
                            " and l.tag_id = %s::bigint and %s::bigint is not null returning 1)",
                            target->link, target->link_column, tag_p, actor_p);
  g_string_append (sql, " select (select count (*) from m), (select count (*) from c)");

  done = sui_pg_exec (call->conn, sql->str, params->len, (const char * const *) params->pdata,
                      error);
  if (done == NULL)
    return NULL;
  matched = g_ascii_strtoll (PQgetvalue (done, 0, 0), NULL, 10);
  changed = g_ascii_strtoll (PQgetvalue (done, 0, 1), NULL, 10);

  /* Named records must all be in reach; a filter simply matches what it matches. */
  if (!has_filter && matched != (gint64) ids->len)
    {
      g_autoptr(GHashTable) distinct = g_hash_table_new (g_int64_hash, g_int64_equal);

      for (guint i = 0; i < ids->len; i++)
        g_hash_table_add (distinct, &g_array_index (ids, gint64, i));
      if (matched != (gint64) g_hash_table_size (distinct))
        {
          g_autofree char *message =
            g_strdup_printf ("有%s不存在、已退出名录或不在您的管理范围内，未做任何修改",
                             target->label);

          fail_literal (error, SUI_RPC_ERROR_FORBIDDEN, message);
          return NULL;
        }
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "action");
  json_builder_add_string_value (builder, apply ? "apply" : "remove");
  json_builder_set_member_name (builder, "target");
  json_builder_add_string_value (builder, target->kind == SUI_FILTER_OBJECTS ? "objects"
                                                                             : "inspectors");
  json_builder_set_member_name (builder, "tag_id");
  json_builder_add_int_value (builder, tag_id);
  json_builder_set_member_name (builder, "matched");
  json_builder_add_int_value (builder, matched);
  json_builder_set_member_name (builder, "changed");
  json_builder_add_int_value (builder, changed);
  if (has_filter)
    {
      json_builder_set_member_name (builder, "filter");
      json_builder_add_value (builder,
                              json_node_copy (json_object_get_member (call->params, "filter")));
    }
  else if (ids->len <= AUDIT_IDS)
    {
      json_builder_set_member_name (builder, "ids");
      json_builder_begin_array (builder);
      for (guint i = 0; i < ids->len; i++)
        json_builder_add_int_value (builder, g_array_index (ids, gint64, i));
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);
  record = json_builder_get_root (builder);

  if (changed > 0 &&
      !sui_audit_append (call, "tags", PQgetvalue (tag, 0, T_ID), NULL, record, error))
    return NULL;
  return g_steal_pointer (&record);
}

static JsonNode *
tags_apply (SuiCall  *call,
            GError  **error)
{
  return apply_or_remove (call, TRUE, error);
}

static JsonNode *
tags_remove (SuiCall  *call,
             GError  **error)
{
  return apply_or_remove (call, FALSE, error);
}

#define APPLY_PARAMS \
  "tag_id:integer, [target]:string, [id]:integer, [ids]:array, [filter]:object, " \
  "[include_retired]:boolean"

static const SuiMethod tags_methods[] = {
  {
    .name = "tags.list",
    .roles = SUI_ROLE_ANY,
    .params = "[applies_to]:string, [include_retired]:boolean",
    .summary = "Tag groups with their tags (supervisors: city-wide and their unit's)",
    .handler = tags_list,
  },
  {
    .name = "tags.create_group",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "name:string, applies_to:string, [unit_id]:integer",
    .summary = "Create a tag group for objects, inspectors or both (admins: city-wide)",
    .handler = tags_create_group,
  },
  {
    .name = "tags.update_group",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "id:integer, version:integer, [name]:string, [applies_to]:string, "
              "[retired]:boolean",
    .summary = "Rename, rescope or retire a tag group",
    .handler = tags_update_group,
  },
  {
    .name = "tags.create",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "group_id:integer, name:string, [description]:string",
    .summary = "Create a tag in a group",
    .handler = tags_create,
  },
  {
    .name = "tags.update",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "id:integer, version:integer, [name]:string, [description]:string, "
              "[retired]:boolean",
    .summary = "Rename, describe or retire a tag",
    .handler = tags_update,
  },
  {
    .name = "tags.apply",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = APPLY_PARAMS,
    .summary = "Put a tag on one record, a list of ids, or everything a filter matches",
    .handler = tags_apply,
  },
  {
    .name = "tags.remove",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = APPLY_PARAMS,
    .summary = "Take a tag off one record, a list of ids, or everything a filter matches",
    .handler = tags_remove,
  },
  {
    .name = "filters.count",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .params = "[kind]:string, [filter]:object, [include_retired]:boolean",
    .summary = "How many objects (or inspectors) a filter expression matches",
    .handler = filters_count,
  },
};

void
sui_tags_register (void)
{
  sui_methods_register (tags_methods, G_N_ELEMENTS (tags_methods));
}
