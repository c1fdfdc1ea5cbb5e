/* sui-demo-registers.c: the registers' part of `shuangsuid --demo-data`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * About 40 000 objects over the demo's direct units (plausible shop names, addresses in each
 * district, valid 统一社会信用代码, credit grades and their risk classes), about 300
 * inspectors (some certificates lapsing within 30 days, some lapsed), city-wide tag groups
 * with tags on both, and a few recusals. The rows are made here with a fixed seed, so every
 * run makes the same register, and sent as one jsonb parameter per table.
 * Idempotent: when the first demo licence number exists, nothing is done.
 */
#include "sui-demo-registers.h"

#include <string.h>

#include "sui-audit.h"
#include "sui-credit-code.h"
#include "sui-pg.h"

#define DEMO_METHOD "cli.demo_data"
#define OBJECTS_PER_UNIT 1820
#define INSPECTORS_PER_UNIT 14

static const char * const surnames[] = {
  "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高",
  "林", "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧",
  "程", "曹", "袁", "邓", "许", "傅", "沈", "曾", "彭", "吕", "苏", "卢", "蒋", "蔡", "贾",
};
static const char * const given[] = {
  "建华", "志强", "丽娟", "海涛", "国栋", "晓明", "秀英", "桂兰", "玉梅", "红梅", "建国",
  "建军", "立新", "春生", "小龙", "海燕", "雪梅", "文斌", "永刚", "振宇", "子涵", "浩然",
  "思远", "雨轩", "明辉", "淑珍", "凤英", "德胜", "宝林", "金凤", "俊杰", "秋菊",
};
static const char * const words[] = {
  "鑫源", "福满多", "百家乐", "好邻居", "惠民", "万家", "顺达", "兴隆", "金穗", "永盛",
  "宏发", "盛世", "嘉禾", "和顺", "利民", "天天", "佳佳", "友谊", "安康", "聚福", "隆昌",
  "泰和", "新时代", "益民", "乐购", "喜洋洋", "旺角", "春晖", "红星", "东方",
};
static const char * const shops[] = {
  "便利店", "超市", "烟酒商行", "副食店", "日用百货店", "商店", "烟酒店", "食品店",
  "便民店", "购物中心",
};
static const char * const roads[] = {
  "中山路", "建设大街", "中华大街", "裕华路", "和平路", "胜利大街", "友谊大街", "槐安路",
  "体育大街", "石获路", "平安大街", "红旗大街", "育才街", "新华路", "东岗路", "兴华街",
  "民族路", "光明路", "府前街", "解放街",
};

/* Tag groups (city-wide) and their tags; the first three give every object one tag each. */
static const struct
{
  const char *group;
  const char *applies_to;
  const char *tags[7];
} tag_groups[] = {
  { "业态", "objects", { "超市", "便利店", "烟酒店", "商场", "餐饮娱乐", "其他业态", NULL } },
  { "经营规模", "objects", { "大型", "中型", "小型", NULL } },
  { "区域", "objects", { "城区", "城乡结合部", "农村", NULL } },
  { "风险", "objects", { "有违规记录", "新办户", "临近学校", NULL } },
  { "专长", "inspectors", { "卷烟真伪鉴别", "电子烟监管", "案件查办", "市场检查", "法制审核",
                            NULL } },
};

static const char *
pick (GRand              *rand,
      const char * const *list,
      gsize               n)
{
  return list[g_rand_int_range (rand, 0, (gint32) n)];
}

#define PICK(rand, list) pick ((rand), (list), G_N_ELEMENTS (list))

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

static void
add_int (JsonBuilder *b,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static char *
make_credit_code (GRand      *rand,
                  const char *head)
{
  static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  char code[SUI_CREDIT_CODE_LENGTH + 1];

  memcpy (code, head, 8);
  for (int i = 8; i < 17; i++)
    code[i] = alphabet[g_rand_int_range (rand, 0, 31)];
  code[17] = sui_credit_code_check_character (code);
  code[18] = '\0';
  return g_strdup (code);
}

static const char *
grade_for (GRand *rand)
{
  int r = g_rand_int_range (rand, 0, 100);

  return r < 5 ? "AAA" : r < 20 ? "AA" : r < 60 ? "A" : r < 85 ? "B" : r < 95 ? "C" : "D";
}

static char *
objects_json (GRand     *rand,
              PGresult  *units)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (b);
  for (int u = 0; u < PQntuples (units); u++)
    {
      g_autofree char *district = NULL;
      const char *unit_name = PQgetvalue (units, u, 1);
      const char *suffix = strstr (unit_name, "烟草专卖局");

      district = suffix != NULL ? g_strndup (unit_name, suffix - unit_name) : g_strdup (unit_name);
      for (int n = 1; n <= OBJECTS_PER_UNIT; n++)
        {
          int kind = g_rand_int_range (rand, 0, 1000);
          const char *type = kind < 950 ? "retail" : kind < 995 ? "ecig" : "wholesale";
          int state = g_rand_int_range (rand, 0, 100);
          int year = g_rand_int_range (rand, 2020, 2026);
          gboolean company = g_rand_int_range (rand, 0, 100) < 12 || g_str_equal (type,
                                                                                 "wholesale");
          g_autofree char *licence = g_strdup_printf ("1301%02d%06d", u + 1, 100000 + n);
          g_autofree char *head = g_strdup_printf ("%s1301%02d", company ? "91" : "92", u + 1);
          g_autofree char *code = make_credit_code (rand, head);
          g_autofree char *owner = g_strconcat (PICK (rand, surnames), PICK (rand, given), NULL);
          g_autofree char *name = g_str_equal (type, "wholesale")
            ? g_strdup_printf ("%s烟草公司%s营销部", district, PICK (rand, words))
            : g_rand_int_range (rand, 0, 3) == 0
              ? g_strdup_printf ("%s记%s", PICK (rand, surnames), PICK (rand, shops))
              : g_strdup_printf ("%s%s%s", PICK (rand, words), district,
                                 PICK (rand, shops));
          g_autofree char *address = g_strdup_printf ("石家庄市%s%s%d号", district,
                                                      PICK (rand, roads),
                                                      g_rand_int_range (rand, 1, 400));
          g_autofree char *from = g_strdup_printf ("%d-%02d-%02d", year,
                                                   g_rand_int_range (rand, 1, 13),
                                                   g_rand_int_range (rand, 1, 29));
          g_autofree char *phone = g_strdup_printf ("1%d%09d", g_rand_int_range (rand, 30, 90),
                                                    g_rand_int_range (rand, 0, 1000000000));
          int scale = g_rand_int_range (rand, 0, 100);

          json_builder_begin_object (b);
          add_int (b, "unit_id", g_ascii_strtoll (PQgetvalue (units, u, 0), NULL, 10));
          add_string (b, "type", type);
          add_string (b, "licence_no", licence);
          add_string (b, "credit_code", code);
          add_string (b, "name", name);
          add_string (b, "legal_rep", owner);
          add_string (b, "address", address);
          add_string (b, "district", district);
          add_string (b, "status", state < 92 ? "open" : state < 97 ? "suspended"
                                                                     : "deregistered");
          add_string (b, "licence_valid_from", from);
          add_string (b, "credit_grade", grade_for (rand));
          add_string (b, "contact", phone);
          add_int (b, "key", g_rand_int_range (rand, 0, 100) == 0);
          json_builder_set_member_name (b, "tags");
          json_builder_begin_array (b);
          json_builder_add_string_value (b, g_str_equal (type, "wholesale") ? "其他业态"
                                         : tag_groups[0].tags[g_rand_int_range (rand, 0, 5)]);
          json_builder_add_string_value (b, scale < 10 ? "大型" : scale < 40 ? "中型" : "小型");
          json_builder_add_string_value (b, tag_groups[2].tags[g_rand_int_range (rand, 0, 3)]);
          if (g_rand_int_range (rand, 0, 100) < 3)
            json_builder_add_string_value (b, "有违规记录");
          if (year >= 2025)
            json_builder_add_string_value (b, "新办户");
          if (g_rand_int_range (rand, 0, 100) < 4)
            json_builder_add_string_value (b, "临近学校");
          json_builder_end_array (b);
          json_builder_end_object (b);
        }
    }
  json_builder_end_array (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

static char *
inspectors_json (GRand     *rand,
                 PGresult  *units)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  int seq = 0;

  json_builder_begin_array (b);
  for (int u = 0; u < PQntuples (units); u++)
    for (int n = 0; n < INSPECTORS_PER_UNIT; n++)
      {
        int r = g_rand_int_range (rand, 0, 100);
        /* Most certificates run for years; some lapse within 30 days, some have lapsed. */
        int until_days = r < 6 ? g_rand_int_range (rand, 0, 30)
                       : r < 11 ? -g_rand_int_range (rand, 1, 200)
                       : g_rand_int_range (rand, 60, 1500);
        int status = g_rand_int_range (rand, 0, 100);
        g_autofree char *cert_no = g_strdup_printf ("HE1301-%02d-%04d", u + 1, ++seq);
        g_autofree char *name = g_strconcat (PICK (rand, surnames), PICK (rand, given), NULL);
        g_autofree char *phone = g_strdup_printf ("0311-8%07d", g_rand_int_range (rand, 0,
                                                                                   10000000));

        json_builder_begin_object (b);
        add_int (b, "unit_id", g_ascii_strtoll (PQgetvalue (units, u, 0), NULL, 10));
        add_string (b, "name", name);
        add_string (b, "cert_no", cert_no);
        add_int (b, "from_days", -g_rand_int_range (rand, 400, 1800));
        add_int (b, "until_days", until_days);
        add_string (b, "status", status < 90 ? "on_duty" : status < 96 ? "off_duty"
                                                                       : "transferred");
        add_string (b, "specialties", tag_groups[4].tags[g_rand_int_range (rand, 0, 5)]);
        add_string (b, "contact", phone);
        json_builder_set_member_name (b, "tags");
        json_builder_begin_array (b);
        json_builder_add_string_value (b, tag_groups[4].tags[g_rand_int_range (rand, 0, 5)]);
        json_builder_end_array (b);
        json_builder_end_object (b);
      }
  json_builder_end_array (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

static gboolean
ensure_tags (PGconn  *conn,
             GError **error)
{
  for (gsize g = 0; g < G_N_ELEMENTS (tag_groups); g++)
    {
      const char *params[3] = { tag_groups[g].group, tag_groups[g].applies_to, NULL };

      if (!sui_pg_exec_ok (conn,
                    "insert into tag_group (name, applies_to) select $1, $2"
                    " where not exists (select 1 from tag_group where name = $1"
                    "                   and unit_id is null)",
                    2, params, error))
        return FALSE;
      for (int t = 0; tag_groups[g].tags[t] != NULL; t++)
        {
          params[2] = tag_groups[g].tags[t];
          if (!sui_pg_exec_ok (conn,
                        "insert into tag (group_id, name)"
                        " select id, $3 from tag_group where name = $1 and unit_id is null"
                        "   and $2::text is not null"
                        " on conflict (group_id, name) do nothing",
                        3, params, error))
            return FALSE;
        }
    }
  return TRUE;
}

gboolean
sui_demo_registers_load (PGconn  *conn,
                         GError **error)
{
  g_autoptr(PGresult) done = NULL;
  g_autoptr(PGresult) units = NULL;
  g_autoptr(PGresult) counts = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261128);
  g_autofree char *objects = NULL;
  g_autofree char *inspectors = NULL;
  g_autoptr(JsonNode) after = NULL;
  const char *params[1];

  done = sui_pg_exec (conn, "select 1 from object where licence_no = '130101100001'",
                      0, NULL, error);
  if (done == NULL)
    return FALSE;
  if (PQntuples (done) > 0)
    return TRUE;

  units = sui_pg_exec (conn, "select id, name from unit where kind = 'direct' and not disabled"
                             " and parent_id = (select id from unit where parent_id is null)"
                             " order by id",
                       0, NULL, error);
  if (units == NULL || !ensure_tags (conn, error) ||
      !sui_pg_exec_ok (conn, "select set_config ('sui.method', '" DEMO_METHOD "', true),"
                      " set_config ('sui.risk_source', 'create', true)", 0, NULL, error))
    return FALSE;

  objects = objects_json (rand, units);
  params[0] = objects;
  if (!sui_pg_exec_ok (conn,
                "insert into object (unit_id, type, licence_no, credit_code, name, legal_rep,"
                "  address, district, status, licence_valid_from, licence_valid_until,"
                "  credit_grade, risk_class, contact, key_supervision, key_supervision_reason)"
                " select r.unit_id, r.type, r.licence_no, r.credit_code, r.name, r.legal_rep,"
                "  r.address, r.district, r.status, r.licence_valid_from,"
                "  r.licence_valid_from + interval '5 years' - interval '1 day',"
                "  r.credit_grade, g.risk_class, r.contact, r.key = 1,"
                "  case when r.key = 1 then '近两年内多次发现违规经营' end"
                " from jsonb_to_recordset ($1::jsonb) as r (unit_id bigint, type text,"
                "   licence_no text, credit_code text, name text, legal_rep text, address text,"
                "   district text, status text, licence_valid_from date, credit_grade text,"
                "   contact text, key int)"
                " join credit_grade_class g on g.grade = r.credit_grade"
                " on conflict (licence_no) do nothing",
                1, params, error) ||
      !sui_pg_exec_ok (conn,
                "insert into object_tag (object_id, tag_id)"
                " select o.id, t.id"
                " from jsonb_to_recordset ($1::jsonb) as r (licence_no text, tags text[])"
                " join object o on o.licence_no = r.licence_no"
                " cross join unnest (r.tags) as tn (name)"
                " join tag t on t.name = tn.name"
                " join tag_group g on g.id = t.group_id and g.unit_id is null"
                " on conflict do nothing",
                1, params, error))
    return FALSE;

  inspectors = inspectors_json (rand, units);
  params[0] = inspectors;
  if (!sui_pg_exec_ok (conn,
                "insert into inspector (unit_id, name, cert_no, cert_valid_from,"
                "  cert_valid_until, status, specialties, contact)"
                " select r.unit_id, r.name, r.cert_no, current_date + r.from_days,"
                "  current_date + r.until_days, r.status, r.specialties, r.contact"
                " from jsonb_to_recordset ($1::jsonb) as r (unit_id bigint, name text,"
                "   cert_no text, from_days int, until_days int, status text,"
                "   specialties text, contact text)"
                " on conflict (cert_no) do nothing",
                1, params, error) ||
      !sui_pg_exec_ok (conn,
                "insert into inspector_tag (inspector_id, tag_id)"
                " select i.id, t.id"
                " from jsonb_to_recordset ($1::jsonb) as r (cert_no text, tags text[])"
                " join inspector i on i.cert_no = r.cert_no"
                " cross join unnest (r.tags) as tn (name)"
                " join tag t on t.name = tn.name"
                " join tag_group g on g.id = t.group_id and g.unit_id is null"
                " on conflict do nothing",
                1, params, error))
    return FALSE;

  /* A few declared conflicts: the first inspector of each unit and one of its shops. */
  if (!sui_pg_exec_ok (conn,
                "insert into inspector_recusal (inspector_id, object_id, reason)"
                " select distinct on (i.unit_id) i.id,"
                "  (select o.id from object o where o.unit_id = i.unit_id order by o.id"
                "   offset 7 limit 1), '近亲属经营该店'"
                " from inspector i order by i.unit_id, i.id"
                " on conflict do nothing",
                0, NULL, error))
    return FALSE;

  counts = sui_pg_exec (conn,
                        "select json_build_object ('objects', (select count (*) from object),"
                        " 'inspectors', (select count (*) from inspector),"
                        " 'tags', (select count (*) from tag))",
                        0, NULL, error);
  if (counts == NULL)
    return FALSE;
  after = json_from_string (PQgetvalue (counts, 0, 0), NULL);
  return sui_audit_append_system (conn, DEMO_METHOD, "objects", NULL, NULL, after, error);
}
