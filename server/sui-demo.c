/* sui-demo.c: the demo data — Shijiazhuang's bureau, its direct units, two partner
 * departments, one supervisor and one inspector per direct unit, and each direct unit's item
 * list (its claims of the seeded catalogue)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Idempotent: units are matched by code and users by login, and what exists is left
 * alone, so a second run changes nothing (and writes no audit rows). Everything that
 * is added goes to the audit log as done by "system".
 */
#include "sui-demo.h"

#include "sui-audit.h"
#include "sui-auth.h"
#include "sui-pg.h"
#include "sui-units.h"
#include "sui-users.h"

#define DEMO_METHOD "cli.demo_data"
#define ADMIN_PASSWORD "Admin@2026"
#define DEMO_PASSWORD "Demo@2026"

typedef struct
{
  const char *code;
  const char *name;
  const char *kind;
} DemoUnit;

static const DemoUnit demo_units[] = {
  { "changan", "长安区烟草专卖局", "direct" },
  { "qiaoxi", "桥西区烟草专卖局", "direct" },
  { "xinhua", "新华区烟草专卖局", "direct" },
  { "yuhua", "裕华区烟草专卖局", "direct" },
  { "kuangqu", "井陉矿区烟草专卖局", "direct" },
  { "gaocheng", "藁城区烟草专卖局", "direct" },
  { "luquan", "鹿泉区烟草专卖局", "direct" },
  { "luancheng", "栾城区烟草专卖局", "direct" },
  { "jingxing", "井陉县烟草专卖局", "direct" },
  { "zhengding", "正定县烟草专卖局", "direct" },
  { "xingtang", "行唐县烟草专卖局", "direct" },
  { "lingshou", "灵寿县烟草专卖局", "direct" },
  { "gaoyi", "高邑县烟草专卖局", "direct" },
  { "shenze", "深泽县烟草专卖局", "direct" },
  { "zanhuang", "赞皇县烟草专卖局", "direct" },
  { "wuji", "无极县烟草专卖局", "direct" },
  { "pingshan", "平山县烟草专卖局", "direct" },
  { "yuanshi", "元氏县烟草专卖局", "direct" },
  { "zhaoxian", "赵县烟草专卖局", "direct" },
  { "xinji", "辛集市烟草专卖局", "direct" },
  { "jinzhou", "晋州市烟草专卖局", "direct" },
  { "xinle", "新乐市烟草专卖局", "direct" },
  { "scjg", "石家庄市市场监督管理局", "department" },
  { "gaj", "石家庄市公安局", "department" },
};

/* One supervisor and one inspector per direct unit, in the order of demo_units. */
static const char * const demo_names[][2] = {
  { "王建华", "李志强" },
  { "张丽娟", "刘海涛" },
  { "陈国栋", "杨晓明" },
  { "赵文静", "黄伟" },
  { "周立新", "吴振宇" },
  { "徐春梅", "孙浩然" },
  { "马俊峰", "朱红霞" },
  { "胡建军", "郭晓燕" },
  { "何永刚", "高志远" },
  { "林秀英", "罗世杰" },
  { "郑海燕", "梁国庆" },
  { "谢宏伟", "宋佳琪" },
  { "唐卫东", "韩雪" },
  { "冯建平", "邓立军" },
  { "曹丽华", "彭明亮" },
  { "曾德胜", "肖文博" },
  { "田玉兰", "董志刚" },
  { "袁学军", "潘红梅" },
  { "蒋国华", "蔡志明" },
  { "贾秀芳", "魏晓东" },
  { "薛建国", "叶海波" },
  { "阎淑珍", "余振华" },
};

G_STATIC_ASSERT (G_N_ELEMENTS (demo_names) == 22);

/* Inserts a unit unless its code exists; audits it when it was added. */
static gboolean
ensure_unit (PGconn      *conn,
             const char  *parent_id,
             const char  *code,
             const char  *name,
             const char  *kind,
             GError     **error)
{
  g_autoptr(PGresult) made = NULL;
  g_autoptr(JsonNode) after = NULL;
  const char *params[4] = { parent_id, code, name, kind };

  made = sui_pg_exec (conn,
                      "with un as ("
                      "  insert into unit (parent_id, code, name, kind)"
                      "  values ($1::bigint, $2, $3, $4)"
                      "  on conflict (code) do nothing returning *)"
                      " select un.id, " SUI_UNIT_JSON_SQL " from un",
                      4, params, error);
  if (made == NULL)
    return FALSE;
  if (PQntuples (made) == 0)
    return TRUE;

  after = json_from_string (PQgetvalue (made, 0, 1), NULL);
  return sui_audit_append_system (conn, DEMO_METHOD, "units", PQgetvalue (made, 0, 0),
                                  NULL, after, error);
}

/* Inserts a user into the unit with this code unless the login exists. */
static gboolean
ensure_user (PGconn      *conn,
             const char  *login,
             const char  *name,
             const char  *role,
             const char  *unit_code,
             const char  *hash,
             GError     **error)
{
  g_autoptr(PGresult) made = NULL;
  g_autoptr(JsonNode) after = NULL;
  const char *params[5] = { login, name, role, unit_code, hash };

  made = sui_pg_exec (conn,
                      "with u as ("
                      "  insert into app_user (login, name, role, unit_id, password_hash)"
                      "  select $1, $2, $3, id, $5 from unit where code = $4"
                      "  on conflict (login) do nothing returning *)"
                      " select u.id, " SUI_USER_JSON_SQL " from u join unit n on n.id = u.unit_id",
                      5, params, error);
  if (made == NULL)
    return FALSE;
  if (PQntuples (made) == 0)
    return TRUE;

  after = json_from_string (PQgetvalue (made, 0, 1), NULL);
  return sui_audit_append_system (conn, DEMO_METHOD, "users", PQgetvalue (made, 0, 0),
                                  NULL, after, error);
}

/* The direct unit's claims of the seeded catalogue (0005): every unit claims the e-cigarette
 * items and the key item; the general cigarette items are left out by a few units, as real
 * lists differ.  Only claims that do not exist yet are added, each audited. */
static gboolean
ensure_claims (PGconn      *conn,
               const char  *unit_code,
               guint        index,
               GError     **error)
{
  g_autoptr(PGresult) made = NULL;
  GString *codes = g_string_new ("{YC-01,DZY-01,DZY-02");
  g_autofree char *codes_text = NULL;
  const char *params[2];

  if (index % 3 != 1)
    g_string_append (codes, ",YC-02");
  if (index % 4 != 3)
    g_string_append (codes, ",YC-03");
  g_string_append_c (codes, '}');
  codes_text = g_string_free (codes, FALSE);

  params[0] = unit_code;
  params[1] = codes_text;
  made = sui_pg_exec (conn,
                      "with i as ("
                      "  insert into item (unit_id, catalogue_id, catalogue_version, code, name,"
                      "    legal_basis, level, object_types, frequency, content, methods,"
                      "    ratio_min_bp, ratio_max_bp)"
                      "  select u.id, c.id, c.version, c.code, c.name, c.legal_basis, c.level,"
                      "    c.object_types, c.frequency, c.content, c.methods, c.ratio_min_bp,"
                      "    c.ratio_max_bp"
                      "  from unit u, catalogue_item c"
                      "  where u.code = $1 and c.code = any ($2::text[]) and c.state = 'active'"
                      "  order by c.id"
                      "  on conflict (unit_id, catalogue_id) do nothing returning *)"
                      " select i.id, jsonb_build_object ('id', i.id, 'unit_id', i.unit_id,"
                      "   'catalogue_id', i.catalogue_id, 'code', i.code, 'name', i.name,"
                      "   'methods', to_jsonb (i.methods), 'ratio_min_bp', i.ratio_min_bp,"
                      "   'ratio_max_bp', i.ratio_max_bp, 'state', i.state)"
                      " from i order by i.id",
                      2, params, error);
  if (made == NULL)
    return FALSE;
  for (int r = 0; r < PQntuples (made); r++)
    {
      g_autoptr(JsonNode) after = json_from_string (PQgetvalue (made, r, 1), NULL);

      if (!sui_audit_append_system (conn, DEMO_METHOD, "items", PQgetvalue (made, r, 0),
                                    NULL, after, error))
        return FALSE;
    }
  return TRUE;
}

/* The bureau: made when missing; the placeholder that --create-admin makes on an empty
 * database becomes Shijiazhuang's bureau; any other bureau is kept as it is. Returns
 * its code. */
static char *
ensure_bureau (PGconn  *conn,
               GError **error)
{
  g_autoptr(PGresult) root = NULL;
  g_autoptr(PGresult) changed = NULL;
  g_autoptr(JsonNode) before = NULL;
  g_autoptr(JsonNode) after = NULL;

  root = sui_pg_exec (conn,
                      "select un.id, un.code, un.name, " SUI_UNIT_JSON_SQL
                      " from unit un where un.parent_id is null for update",
                      0, NULL, error);
  if (root == NULL)
    return NULL;

  if (PQntuples (root) == 0)
    {
      if (!ensure_unit (conn, NULL, "sjz", "石家庄市烟草专卖局", "bureau", error))
        return NULL;
      return g_strdup ("sjz");
    }

  if (!g_str_equal (PQgetvalue (root, 0, 1), "bureau") ||
      !g_str_equal (PQgetvalue (root, 0, 2), "市烟草专卖局"))
    return g_strdup (PQgetvalue (root, 0, 1));

  changed = sui_pg_exec (conn,
                         "with un as ("
                         "  update unit set code = 'sjz', name = '石家庄市烟草专卖局',"
                         "    version = version + 1, updated_at = now ()"
                         "  where parent_id is null returning *)"
                         " select " SUI_UNIT_JSON_SQL " from un",
                         0, NULL, error);
  if (changed == NULL)
    return NULL;

  before = json_from_string (PQgetvalue (root, 0, 3), NULL);
  after = json_from_string (PQgetvalue (changed, 0, 0), NULL);
  if (!sui_audit_append_system (conn, DEMO_METHOD, "units", PQgetvalue (root, 0, 0),
                                before, after, error))
    return NULL;
  return g_strdup ("sjz");
}

gboolean
sui_demo_load (PGconn  *conn,
               GError **error)
{
  g_autofree char *bureau = NULL;
  g_autofree char *bureau_id = NULL;
  g_autofree char *admin_hash = NULL;
  g_autofree char *demo_hash = NULL;
  g_autoptr(PGresult) root = NULL;
  const char *params[1];
  guint direct = 0;

  bureau = ensure_bureau (conn, error);
  if (bureau == NULL)
    return FALSE;

  params[0] = bureau;
  root = sui_pg_exec (conn, "select id from unit where code = $1", 1, params, error);
  if (root == NULL)
    return FALSE;
  bureau_id = g_strdup (PQgetvalue (root, 0, 0));

  for (guint i = 0; i < G_N_ELEMENTS (demo_units); i++)
    if (!ensure_unit (conn, bureau_id, demo_units[i].code, demo_units[i].name,
                      demo_units[i].kind, error))
      return FALSE;

  /* Argon2id is slow on purpose: two hashes, shared by every demo account. */
  admin_hash = sui_auth_hash_password (ADMIN_PASSWORD, error);
  if (admin_hash == NULL)
    return FALSE;
  demo_hash = sui_auth_hash_password (DEMO_PASSWORD, error);
  if (demo_hash == NULL)
    return FALSE;

  if (!ensure_user (conn, "admin", "系统管理员", "admin", bureau, admin_hash, error))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (demo_units); i++)
    {
      g_autofree char *supervisor = NULL;
      g_autofree char *inspector = NULL;

      if (!g_str_equal (demo_units[i].kind, "direct"))
        continue;

      supervisor = g_strconcat ("sup_", demo_units[i].code, NULL);
      inspector = g_strconcat ("ins_", demo_units[i].code, NULL);
      if (!ensure_user (conn, supervisor, demo_names[direct][0], "supervisor",
                        demo_units[i].code, demo_hash, error) ||
          !ensure_user (conn, inspector, demo_names[direct][1], "inspector",
                        demo_units[i].code, demo_hash, error) ||
          !ensure_claims (conn, demo_units[i].code, direct, error))
        return FALSE;
      direct++;
    }

  return TRUE;
}
