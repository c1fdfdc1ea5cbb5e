/* sui-matching.c: inspector matching (人员匹配) — tasks.match_inspectors,
 * tasks.assignments, tasks.exclusions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For each object drawn for a task, the inspectors of the task's unit are put through the
 * hard rules in a fixed order (docs/draw-algorithm.md, "Inspector matching"): certificate
 * over the whole window, on duty, not recused, not the last inspector of the object, the
 * task's tags, the caps per month and per task. Every exclusion is kept with its rule and
 * reason. Among the eligible the choice is shuangsui-match/1 (common/sui-draw.c): the keys
 * of the object draw's algorithm, the objects walked in the order of their keys in the
 * object draw so that the per-task cap is deterministic. When some object cannot get a
 * full team nothing is written but an audit row, and the answer names the objects and the
 * rule that left each one short.
 */
#include "sui-matching.h"

#include <stdlib.h>
#include <string.h>

#include "sui-draws.h"
#include "sui-pg.h"
#include "sui-plans.h"

#define DEFAULT_LIMIT   100
#define MAX_LIMIT       1000
#define MAX_SHORT_SHOWN 200   /* objects named in a failed match's answer */

/* The rules, numbered as in the document; 7 is the team size (only a shortage names it). */
enum
{
  RULE_NONE = 0,
  RULE_CERTIFICATE = 1,
  RULE_DUTY = 2,
  RULE_RECUSAL = 3,
  RULE_LAST_INSPECTOR = 4,
  RULE_TAGS = 5,
  RULE_CAP = 6,
  RULE_TEAM = 7,
};

static const char *
rule_code (int rule,
           gboolean month)
{
  switch (rule)
    {
    case RULE_CERTIFICATE:
      return "certificate";
    case RULE_DUTY:
      return "duty";
    case RULE_RECUSAL:
      return "recusal";
    case RULE_LAST_INSPECTOR:
      return "last_inspector";
    case RULE_TAGS:
      return "tags";
    case RULE_CAP:
      return month ? "month_cap" : "task_cap";
    default:
      return "team";
    }
}

static const char *
rule_label (int rule)
{
  static const char *const labels[] = {
    "", "执法证有效期", "在岗状态", "回避关系", "上次检查人员回避", "所需标签", "分配上限",
    "每个对象的检查人员人数",
  };

  return rule >= 0 && rule < (int) G_N_ELEMENTS (labels) ? labels[rule] : "";
}

typedef struct
{
  gint64  id;
  char   *id_text;
  char   *name;
  int     rule;        /* the first inspector-wide rule it fails, or RULE_NONE */
  gboolean month;      /* with RULE_CAP: the month cap */
  char   *reason;
  int     capacity;    /* most objects it may take in this task */
  int     month_room;  /* what the month cap leaves (≥ capacity when the task cap binds) */
  guint   used;
  guint   last_position;
  guint   part;        /* index into Match.parts */
} Inspector;

typedef struct
{
  char    *id_text;
  char    *risk;
  gint64   last_inspector;
  guint8   key[SUI_DRAW_HASH_SIZE];
  guint    position;       /* 1-based */
  GArray  *pairs;          /* Pair: recusals and the last inspector */
} Object;

typedef struct
{
  guint  inspector;   /* index */
  int    rule;
  char  *reason;
} Pair;

static void
inspector_clear (gpointer data)
{
  Inspector *inspector = data;

  g_free (inspector->id_text);
  g_free (inspector->name);
  g_free (inspector->reason);
}

static void
pair_clear (gpointer data)
{
  g_free (((Pair *) data)->reason);
}

static void
object_clear (gpointer data)
{
  Object *object = data;

  g_free (object->id_text);
  g_free (object->risk);
  g_clear_pointer (&object->pairs, g_array_unref);
}

static int
compare_objects (const void *a,
                 const void *b)
{
  const Object *oa = a, *ob = b;
  int c = memcmp (oa->key, ob->key, SUI_DRAW_HASH_SIZE);

  return c != 0 ? c : strcmp (oa->id_text, ob->id_text);
}

/* An element of a PostgreSQL array literal, quoted (reasons hold commas and spaces). */
static void
append_array_text (GString    *array,
                   const char *text)
{
  if (array->len > 1)
    g_string_append_c (array, ',');
  if (text == NULL)
    {
      g_string_append (array, "NULL");
      return;
    }
  g_string_append_c (array, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (array, '\\');
      g_string_append_c (array, *p);
    }
  g_string_append_c (array, '"');
}

/* Millions of ids go through these two for one match: no printf. */
static void
append_array_int (GString *array,
                  gint64   value)
{
  char digits[24];
  char *p = digits + sizeof digits;
  guint64 magnitude = value < 0 ? -(guint64) value : (guint64) value;

  if (array->len > 1)
    g_string_append_c (array, ',');
  do
    {
      *--p = (char) ('0' + magnitude % 10);
      magnitude /= 10;
    }
  while (magnitude != 0);
  if (value < 0)
    *--p = '-';
  g_string_append_len (array, p, digits + sizeof digits - p);
}

/* An id already in decimal text (as loaded from PostgreSQL), unquoted. */
static void
append_array_id (GString    *array,
                 const char *id)
{
  if (array->len > 1)
    g_string_append_c (array, ',');
  g_string_append (array, id);
}

static gboolean
get_entropy (SuiCall    *call,
             GPtrArray **out,
             GError    **error)
{
  JsonNode *node = json_object_get_member (call->params, "entropy");
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (g_free);
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    goto wrong;
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        goto wrong;
      g_ptr_array_add (entries, g_strdup (json_node_get_string (element)));
    }
  *out = g_steal_pointer (&entries);
  return TRUE;

wrong:
  sui_call_set_error_data (call, json_from_string ("{\"field\": \"entropy\", "
                                                   "\"reason\": \"must be an array of strings\"}",
                                                   NULL));
  g_set_error (error, SUI_RPC_ERROR, SUI_RPC_ERROR_INVALID_PARAMS,
               "参数 entropy 须为字符串数组（见证人当场给出的随机数）");
  return FALSE;
}

/* ---- the committed secret ------------------------------------------------------------ */

gboolean
sui_matching_commit (SuiCall     *call,
                     const char  *task_id,
                     GError     **error)
{
  g_autoptr(PGresult) open = NULL;
  g_autoptr(PGresult) made = NULL;
  g_autoptr(JsonNode) after = NULL;
  g_autofree char *secret = NULL, *commitment = NULL, *actor = NULL;
  const char *params[4];

  params[0] = task_id;
  open = sui_pg_exec (call->conn,
                      "select id from matching_secret where task_id = $1::bigint"
                      " and draw_id is null",
                      1, params, error);
  if (open == NULL)
    return FALSE;
  /* Unused, so still unknown to anyone: its published commitment stays good. */
  if (PQntuples (open) > 0)
    return TRUE;

  sui_draws_new_secret (&secret, &commitment);
  actor = call->user != NULL ? sui_pg_int_param (call->user->id) : NULL;
  params[1] = secret;
  params[2] = commitment;
  params[3] = actor;
  made = sui_pg_exec (call->conn,
                      "insert into matching_secret (task_id, secret, commitment, committed_by)"
                      " values ($1::bigint, decode ($2, 'hex'), decode ($3, 'hex'), $4::bigint)"
                      " returning id",
                      4, params, error);
  if (made == NULL)
    return FALSE;
  params[1] = PQgetvalue (made, 0, 0);
  after = sui_pg_query_json (call->conn,
                             "select jsonb_build_object ('event', 'committed',"
                             " 'task_id', m.task_id, 'matching_secret_id', m.id,"
                             " 'algorithm', '" SUI_MATCH_ALGORITHM "',"
                             " 'commitment', encode (m.commitment, 'hex'))"
                             " from matching_secret m where m.id = $2::bigint"
                             " and m.task_id = $1::bigint",
                             2, params, error);
  if (after == NULL)
    return FALSE;
  return sui_audit_append (call, "matching", task_id, NULL, after, error);
}

/* ---- tasks.match_inspectors ------------------------------------------------------------ */

enum
{
  T_ID, T_STATE, T_UNIT, T_START, T_END, T_TAGS, T_TASK_CAP, T_MONTH_CAP, T_AVOID_LAST,
  T_PER_OBJECT,
};

typedef struct
{
  SuiCall     *call;
  PGresult    *task;
  const char  *task_id;
  GPtrArray   *entropy;
  GArray      *inspectors;   /* Inspector, by id */
  GArray      *objects;      /* Object, in processing order */
  GArray      *eligible;     /* guint indices of inspectors with no inspector-wide rule */
  GArray      *parts;        /* Part: the task's unit first, then its partner departments */
  GArray      *strata;       /* StratumRef, in processing order */
  gboolean     joint;        /* partner departments take part: strata are "object:unit" */
  guint        k;
  int          task_cap;
  int          month_cap;
  char        *object_draw_id;
} Match;

/* One part of the task: the owning unit's, or a partner department's (joint tasks). Each
 * object gets a team of k from every part, drawn from that part's inspectors only. */
typedef struct
{
  char    *unit_id;     /* decimal text */
  char    *unit_name;
  guint    k;
  GArray  *eligible;    /* guint indices of its inspectors with no inspector-wide rule */
} Part;

/* A stratum of the match: one object's team from one part. */
typedef struct
{
  guint  object;        /* index into Match.objects */
  guint  part;          /* index into Match.parts */
} StratumRef;

static void
part_clear (gpointer data)
{
  Part *part = data;

  g_free (part->unit_id);
  g_free (part->unit_name);
  g_clear_pointer (&part->eligible, g_array_unref);
}

static void
match_clear (Match *m)
{
  g_clear_pointer (&m->parts, g_array_unref);
  g_clear_pointer (&m->strata, g_array_unref);
  g_clear_pointer (&m->inspectors, g_array_unref);
  g_clear_pointer (&m->objects, g_array_unref);
  g_clear_pointer (&m->eligible, g_array_unref);
  g_clear_pointer (&m->object_draw_id, g_free);
}

/* Orders a part's eligible inspectors by id text, bytewise: the order in which a draw takes
 * a stratum's candidates (step 1), so that each object's candidates come in already sorted. */
static int
compare_eligible (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  GArray *inspectors = user_data;

  return strcmp (g_array_index (inspectors, Inspector, *(const guint *) a).id_text,
                 g_array_index (inspectors, Inspector, *(const guint *) b).id_text);
}

/* The parts: the task's own unit (its k and tags are the task's), then each partner
 * department of a joint task by unit id. */
static gboolean
load_parts (Match   *m,
            GError **error)
{
  const char *params[1] = { m->task_id };
  g_autoptr(PGresult) rows = NULL;

  rows = sui_pg_exec (m->call->conn,
                      "select p.unit_id, u.name, p.k from ("
                      "  select t.unit_id, t.inspectors_per_object k, 0 sort from task t"
                      "   where t.id = $1::bigint"
                      "  union all"
                      "  select d.unit_id, d.inspectors_per_object, 1 from task_department d"
                      "   where d.task_id = $1::bigint) p"
                      " join unit u on u.id = p.unit_id order by p.sort, p.unit_id",
                      1, params, error);
  if (rows == NULL)
    return FALSE;
  m->parts = g_array_new (FALSE, TRUE, sizeof (Part));
  g_array_set_clear_func (m->parts, part_clear);
  for (int r = 0; r < PQntuples (rows); r++)
    {
      Part part = { 0 };

      part.unit_id = g_strdup (PQgetvalue (rows, r, 0));
      part.unit_name = g_strdup (PQgetvalue (rows, r, 1));
      part.k = (guint) sui_pg_get_int (rows, r, 2);
      part.eligible = g_array_new (FALSE, FALSE, sizeof (guint));
      g_array_append_val (m->parts, part);
    }
  m->joint = m->parts->len > 1;
  return TRUE;
}

static guint
find_part (Match      *m,
           const char *unit_id)
{
  for (guint i = 0; i < m->parts->len; i++)
    if (g_str_equal (g_array_index (m->parts, Part, i).unit_id, unit_id))
      return i;
  return G_MAXUINT;
}

/* The inspectors of every part's unit with their inspector-wide rules (1, 2, 5, month cap);
 * the tags are the part's (the task's for its own unit). */
static gboolean
load_inspectors (Match   *m,
                 GError **error)
{
  const char *params[3] = {
    PQgetvalue (m->task, 0, T_START), PQgetvalue (m->task, 0, T_END), m->task_id,
  };
  g_autoptr(PGresult) rows = NULL;

  /* The load of a month counts the live assignments of the other tasks whose window
   * touches it; the peak month over this task's window is what limits it. */
  rows = sui_pg_exec (m->call->conn,
                      "with parts as ("
                      "  select t.unit_id, t.inspector_tag_ids tags from task t"
                      "   where t.id = $3::bigint"
                      "  union all"
                      "  select d.unit_id, d.inspector_tag_ids from task_department d"
                      "   where d.task_id = $3::bigint),"
                      " mon as ("
                      "  select g::date m0, (g + interval '1 month' - interval '1 day')::date m1"
                      "    from generate_series (date_trunc ('month', $1::date), $2::date,"
                      "                          interval '1 month') g),"
                      " load as ("
                      "  select a.inspector_id, mon.m0, count (*) n"
                      "    from inspector_assignment_live a"
                      "    join task o on o.id = a.task_id"
                      "    join mon on o.window_start <= mon.m1 and o.window_end >= mon.m0"
                      "    join inspector i on i.id = a.inspector_id"
                      "     and i.unit_id in (select unit_id from parts)"
                      "   where a.task_id <> $3::bigint group by 1, 2),"
                      " peak as ("
                      "  select distinct on (inspector_id) inspector_id, m0, n from load"
                      "   order by inspector_id, n desc, m0)"
                      " select i.id, i.name,"
                      "  i.cert_valid_from <= $1::date and i.cert_valid_until >= $2::date,"
                      "  i.cert_valid_from, i.cert_valid_until, s.assignable, s.name,"
                      "  (select string_agg (coalesce (t.name, x::text), '、' order by x)"
                      "     from unnest (pa.tags) x left join tag t on t.id = x"
                      "    where not x = any (i.tag_ids)),"
                      "  coalesce (p.n, 0), to_char (p.m0, 'YYYY-MM'), i.unit_id"
                      " from inspector i join inspector_status s on s.code = i.status"
                      " join parts pa on pa.unit_id = i.unit_id"
                      " left join peak p on p.inspector_id = i.id"
                      " order by i.id",
                      3, params, error);
  if (rows == NULL)
    return FALSE;

  m->inspectors = g_array_sized_new (FALSE, TRUE, sizeof (Inspector), PQntuples (rows));
  g_array_set_clear_func (m->inspectors, inspector_clear);
  m->eligible = g_array_new (FALSE, FALSE, sizeof (guint));
  for (int r = 0; r < PQntuples (rows); r++)
    {
      Inspector inspector = { 0 };
      gint64 load = sui_pg_get_int (rows, r, 8);

      inspector.id = sui_pg_get_int (rows, r, 0);
      inspector.id_text = g_strdup (PQgetvalue (rows, r, 0));
      inspector.name = g_strdup (PQgetvalue (rows, r, 1));
      inspector.part = find_part (m, PQgetvalue (rows, r, 10));
      inspector.month_room = m->month_cap - (int) MIN (load, G_MAXINT / 2);
      inspector.capacity = MIN (m->task_cap, inspector.month_room);
      if (!sui_pg_get_bool (rows, r, 2))
        {
          inspector.rule = RULE_CERTIFICATE;
          inspector.reason = g_strdup_printf ("执法证有效期 %s 至 %s，未覆盖任务检查期间 %s 至 %s",
                                              PQgetvalue (rows, r, 3), PQgetvalue (rows, r, 4),
                                              params[0], params[1]);
        }
      else if (!sui_pg_get_bool (rows, r, 5))
        {
          inspector.rule = RULE_DUTY;
          inspector.reason = g_strdup_printf ("人员状态为“%s”，不在岗", PQgetvalue (rows, r, 6));
        }
      else if (!PQgetisnull (rows, r, 7))
        {
          inspector.rule = RULE_TAGS;
          inspector.reason = g_strdup_printf ("缺少任务要求的标签：%s", PQgetvalue (rows, r, 7));
        }
      else if (inspector.capacity <= 0)
        {
          inspector.rule = RULE_CAP;
          inspector.month = TRUE;
          inspector.reason = g_strdup_printf ("%s 月已有其他任务分配 %" G_GINT64_FORMAT
                                              " 个对象，达到每月上限 %d 个",
                                              PQgetvalue (rows, r, 9), load, m->month_cap);
        }
      else
        {
          guint index = m->inspectors->len;

          g_array_append_val (m->eligible, index);
          g_array_append_val (g_array_index (m->parts, Part, inspector.part).eligible, index);
        }
      g_array_append_val (m->inspectors, inspector);
    }
  for (guint p = 0; p < m->parts->len; p++)
    {
      GArray *eligible = g_array_index (m->parts, Part, p).eligible;

      g_qsort_with_data (eligible->data, eligible->len, sizeof (guint), compare_eligible,
                         m->inspectors);
    }
  return TRUE;
}

static guint
find_inspector (Match  *m,
                gint64  id)
{
  guint lo = 0, hi = m->inspectors->len;

  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      gint64 at = g_array_index (m->inspectors, Inspector, mid).id;

      if (at == id)
        return mid;
      if (at < id)
        lo = mid + 1;
      else
        hi = mid;
    }
  return G_MAXUINT;
}

/* The objects of the live object draw, in the order of their keys in it (ascending, then
 * id bytewise), with the last inspector of each and the recusals of the unit's inspectors. */
static gboolean
load_objects (Match   *m,
              GError **error)
{
  const char *params[3] = { m->task_id, PQgetvalue (m->task, 0, T_UNIT), m->task_id };
  g_autoptr(PGresult) draw = NULL;
  g_autoptr(PGresult) rows = NULL;
  g_autoptr(PGresult) recusals = NULL;
  g_autoptr(GHashTable) by_id = NULL;
  guint8 seed[SUI_DRAW_HASH_SIZE];
  gboolean avoid_last = g_str_equal (PQgetvalue (m->task, 0, T_AVOID_LAST), "t");

  draw = sui_pg_exec (m->call->conn,
                      "select id, encode (seed, 'hex') from draw_public"
                      " where task_id = $1::bigint and kind = 'objects' and state = 'run'",
                      1, params, error);
  if (draw == NULL)
    return FALSE;
  if (PQntuples (draw) != 1)
    return sui_state_error (error, "该任务没有有效的对象摇号结果，请先完成对象摇号");
  m->object_draw_id = g_strdup (PQgetvalue (draw, 0, 0));
  sui_draw_parse_hex (PQgetvalue (draw, 0, 1), seed, sizeof seed);

  params[0] = m->object_draw_id;
  rows = sui_pg_exec (m->call->conn,
                      "select s.name, x.id, o.last_inspector_id"
                      " from draw_stratum s cross join unnest (s.drawn) x (id)"
                      " join object o on o.id = x.id where s.draw_id = $1::bigint",
                      1, params, error);
  if (rows == NULL)
    return FALSE;

  m->objects = g_array_sized_new (FALSE, TRUE, sizeof (Object), PQntuples (rows));
  g_array_set_clear_func (m->objects, object_clear);
  for (int r = 0; r < PQntuples (rows); r++)
    {
      Object object = { 0 };

      object.risk = g_strdup (PQgetvalue (rows, r, 0));
      object.id_text = g_strdup (PQgetvalue (rows, r, 1));
      object.last_inspector = avoid_last && !PQgetisnull (rows, r, 2)
                              ? sui_pg_get_int (rows, r, 2) : 0;
      sui_draw_key (seed, object.risk, object.id_text, object.key);
      object.pairs = g_array_new (FALSE, FALSE, sizeof (Pair));
      g_array_set_clear_func (object.pairs, pair_clear);
      g_array_append_val (m->objects, object);
    }
  qsort (m->objects->data, m->objects->len, sizeof (Object), compare_objects);

  by_id = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < m->objects->len; i++)
    {
      Object *object = &g_array_index (m->objects, Object, i);

      object->position = i + 1;
      g_hash_table_insert (by_id, object->id_text, object);
    }

  params[1] = PQgetvalue (m->task, 0, T_UNIT);
  recusals = sui_pg_exec (m->call->conn,
                          "select r.object_id, r.inspector_id, r.reason"
                          " from draw_stratum s cross join unnest (s.drawn) x (id)"
                          " join inspector_recusal r on r.object_id = x.id"
                          " join inspector i on i.id = r.inspector_id"
                          " where s.draw_id = $1::bigint and r.removed_at is null"
                          "   and (i.unit_id = $2::bigint or i.unit_id in ("
                          "        select d.unit_id from task_department d"
                          "         where d.task_id = $3::bigint))",
                          3, params, error);
  if (recusals == NULL)
    return FALSE;
  for (int r = 0; r < PQntuples (recusals); r++)
    {
      Object *object = g_hash_table_lookup (by_id, PQgetvalue (recusals, r, 0));
      Pair pair = { 0 };

      pair.inspector = find_inspector (m, sui_pg_get_int (recusals, r, 1));
      if (object == NULL || pair.inspector == G_MAXUINT)
        continue;
      pair.rule = RULE_RECUSAL;
      pair.reason = g_strdup_printf ("已登记回避：%s", PQgetvalue (recusals, r, 2));
      g_array_append_val (object->pairs, pair);
    }
  for (guint i = 0; i < m->objects->len; i++)
    {
      Object *object = &g_array_index (m->objects, Object, i);
      Pair pair = { 0 };
      gboolean recused = FALSE;

      if (object->last_inspector == 0)
        continue;
      pair.inspector = find_inspector (m, object->last_inspector);
      if (pair.inspector == G_MAXUINT)
        continue;
      /* Recusal comes first: one exclusion per pair, under its first rule. */
      for (guint j = 0; j < object->pairs->len; j++)
        recused |= g_array_index (object->pairs, Pair, j).inspector == pair.inspector;
      if (recused)
        continue;
      pair.rule = RULE_LAST_INSPECTOR;
      pair.reason = g_strdup ("上次检查该对象的检查人员，本次默认回避");
      g_array_append_val (object->pairs, pair);
    }
  return TRUE;
}

static gboolean
pair_excluded (Object *object,
               guint   inspector)
{
  for (guint j = 0; j < object->pairs->len; j++)
    if (g_array_index (object->pairs, Pair, j).inspector == inspector)
      return TRUE;
  return FALSE;
}

/* The rule that left a short object short in a part: following the rules in order from
 * the part's inspectors, the first after which fewer than k remain. */
static int
static_short_rule (Match  *m,
                   Object *object,
                   guint   part_index,
                   guint  *eligible_out)
{
  Part *part = &g_array_index (m->parts, Part, part_index);
  guint left = 0;
  guint counts[RULE_CAP + 1] = { 0 };

  for (guint i = 0; i < m->inspectors->len; i++)
    {
      Inspector *inspector = &g_array_index (m->inspectors, Inspector, i);
      int rule = inspector->rule;

      if (inspector->part != part_index)
        continue;
      left++;

      /* A pair rule (3, 4) comes before the inspector-wide rules 5 and 6. */
      if (rule != RULE_CERTIFICATE && rule != RULE_DUTY)
        for (guint j = 0; j < object->pairs->len; j++)
          if (g_array_index (object->pairs, Pair, j).inspector == i)
            rule = g_array_index (object->pairs, Pair, j).rule;
      if (rule != RULE_NONE)
        counts[rule]++;
    }
  if (left < part->k)
    {
      *eligible_out = left;
      return RULE_TEAM;
    }
  for (int rule = RULE_CERTIFICATE; rule <= RULE_CAP; rule++)
    {
      left -= counts[rule];
      if (left < part->k)
        {
          *eligible_out = 0;
          for (int later = rule + 1; later <= RULE_CAP; later++)
            left -= MIN (left, counts[later]);
          *eligible_out = left;
          return rule;
        }
    }
  *eligible_out = left;
  return RULE_TEAM;
}

static void
add_shortage (JsonBuilder *b,
              Match       *m,
              Object      *object,
              guint        part_index,
              guint        eligible,
              int          rule,
              gboolean     month)
{
  Part *part = &g_array_index (m->parts, Part, part_index);
  guint k = part->k;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "object_id");
  json_builder_add_int_value (b, g_ascii_strtoll (object->id_text, NULL, 10));
  json_builder_set_member_name (b, "unit_id");
  json_builder_add_int_value (b, g_ascii_strtoll (part->unit_id, NULL, 10));
  json_builder_set_member_name (b, "unit_name");
  json_builder_add_string_value (b, part->unit_name);
  json_builder_set_member_name (b, "position");
  json_builder_add_int_value (b, object->position);
  json_builder_set_member_name (b, "eligible");
  json_builder_add_int_value (b, eligible);
  json_builder_set_member_name (b, "needed");
  json_builder_add_int_value (b, k);
  json_builder_set_member_name (b, "rule");
  json_builder_add_string_value (b, rule_code (rule, month));
  json_builder_set_member_name (b, "rule_no");
  json_builder_add_int_value (b, rule);
  json_builder_set_member_name (b, "message");
  if (rule == RULE_TEAM)
    {
      g_autofree char *text = g_strdup_printf ("%s的检查人员总数不足每个对象所需的 %u 名",
                                               part->unit_name, k);

      json_builder_add_string_value (b, text);
    }
  else
    {
      g_autofree char *text = m->joint
        ? g_strdup_printf ("%s：按“%s”规则排除后只剩 %u 名符合条件的检查人员，需要 %u 名",
                           part->unit_name, rule_label (rule), eligible, k)
        : g_strdup_printf ("按“%s”规则排除后只剩 %u 名符合条件的检查人员，需要 %u 名",
                           rule_label (rule), eligible, k);

      json_builder_add_string_value (b, text);
    }
  json_builder_end_object (b);
}

/* A failed match: nothing but an audit row; the answer says which objects and why. */
static JsonNode *
shortage_answer (Match       *m,
                 JsonBuilder *shortages,
                 guint        n_short,
                 const char  *stage,
                 GError     **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(JsonNode) after = NULL;
  JsonObject *audit;

  json_builder_end_array (shortages);
  list = json_builder_get_root (shortages);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ok");
  json_builder_add_boolean_value (b, FALSE);
  json_builder_set_member_name (b, "task_id");
  json_builder_add_int_value (b, g_ascii_strtoll (m->task_id, NULL, 10));
  json_builder_set_member_name (b, "stage");
  json_builder_add_string_value (b, stage);
  json_builder_set_member_name (b, "short_count");
  json_builder_add_int_value (b, n_short);
  json_builder_set_member_name (b, "message");
  {
    g_autofree char *text = m->joint
      ? g_strdup_printf ("有 %u 处检查对象的部门检查组凑不齐所需人数，本次未分配任何人员；"
                         "请按所列部门和规则补充人员、调整任务要求或上限后重新匹配", n_short)
      : g_strdup_printf ("有 %u 个检查对象凑不齐 %u 名符合条件的检查人员，"
                         "本次未分配任何人员；请按所列规则补充人员、调整"
                         "任务要求或上限后重新匹配", n_short, m->k);

    json_builder_add_string_value (b, text);
  }
  json_builder_set_member_name (b, "shortages");
  json_builder_add_value (b, json_node_copy (list));
  json_builder_end_object (b);
  answer = json_builder_get_root (b);

  after = json_node_copy (answer);
  audit = json_node_get_object (after);
  json_object_set_string_member (audit, "event", "match_failed");
  {
    JsonArray *entropy = json_array_new ();

    for (guint i = 0; i < m->entropy->len; i++)
      json_array_add_string_element (entropy, g_ptr_array_index (m->entropy, i));
    json_object_set_array_member (audit, "entropy", entropy);
  }
  if (!sui_audit_append (m->call, "matching", m->task_id, NULL, after, error))
    return NULL;
  return g_steal_pointer (&answer);
}

/* One exclusion as a row for COPY into inspector_exclusion. */
static void
add_exclusion (GByteArray *x,
               gint64      task_id,
               gint64      draw_id,
               const char *object_id,
               gint64      inspector_id,
               int         rule,
               gboolean    month,
               const char *reason,
               guint       from_position)
{
  sui_draws_copy_row (x, 8);
  sui_draws_copy_int8 (x, task_id);
  sui_draws_copy_int8 (x, draw_id);
  if (object_id == NULL)
    sui_draws_copy_null (x);
  else
    sui_draws_copy_int8 (x, g_ascii_strtoll (object_id, NULL, 10));
  sui_draws_copy_int8 (x, inspector_id);
  sui_draws_copy_text (x, rule_code (rule, month));
  sui_draws_copy_int4 (x, rule);
  sui_draws_copy_text (x, reason);
  if (from_position == 0)
    sui_draws_copy_null (x);
  else
    sui_draws_copy_int4 (x, (gint32) from_position);
}

static GString *
array_new (void)
{
  return g_string_new ("{");
}

static const char *
array_end (GString *array)
{
  g_string_append_c (array, '}');
  return array->str;
}

/* Stores the match: draw (committed, then run), strata, its order and capacities, the
 * assignments, the exclusions, and the task's new state; audited. The strata, assignments
 * and exclusions go in by COPY (binary), each stratum's candidates packed (migration 0014):
 * 3.7 million ids for 10 000 objects and 500 inspectors. */
static JsonNode *
store_match (Match          *m,
             SuiDrawInput   *input,
             SuiDrawResult  *result,
             PGresult       *secret_row,
             GError        **error)
{
  g_autoptr(GString) order = array_new (), cap_ids = array_new (), cap_values = array_new ();
  g_autoptr(GByteArray) strata = NULL, assignments = NULL, exclusions = NULL;
  g_autoptr(GByteArray) packed = g_byte_array_new ();
  g_autoptr(GArray) drawn_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(PGresult) made = NULL;
  g_autoptr(PGresult) step = NULL;
  g_autoptr(JsonNode) entropy_json = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GHashTable) inputs = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GString) stratum_order = array_new ();
  g_autofree char *candidate_hash = NULL, *seed = NULL, *result_hash = NULL;
  g_autofree char *count = NULL, *drawn_count = NULL, *actor = NULL, *entropy_text = NULL;
  g_autofree char *rules = NULL;
  guint64 n_pairs = 0, n_drawn = 0;
  gint64 task_id = g_ascii_strtoll (m->task_id, NULL, 10), draw_id;
  gint64 t0 = g_get_monotonic_time (), t_strata = 0, t_audit = 0, t_assignments = 0;
  gint64 t_exclusions = 0;
  const char *params[9];

  for (guint i = 0; i < input->strata->len; i++)
    n_pairs += ((SuiDrawStratum *) g_ptr_array_index (input->strata, i))->candidates->len;
  for (guint i = 0; i < m->objects->len; i++)
    append_array_id (order, g_array_index (m->objects, Object, i).id_text);
  for (guint i = 0; m->joint && i < m->strata->len; i++)
    {
      StratumRef *ref = &g_array_index (m->strata, StratumRef, i);
      g_autofree char *name =
        g_strdup_printf ("%s:%s", g_array_index (m->objects, Object, ref->object).id_text,
                         g_array_index (m->parts, Part, ref->part).unit_id);

      append_array_text (stratum_order, name);
    }
  for (guint i = 0; i < input->strata->len; i++)
    {
      SuiDrawStratum *in = g_ptr_array_index (input->strata, i);

      g_hash_table_insert (inputs, in->name, in);
    }
  for (guint i = 0; i < m->inspectors->len; i++)
    {
      Inspector *inspector = &g_array_index (m->inspectors, Inspector, i);

      if (inspector->rule != RULE_NONE)
        continue;
      append_array_int (cap_ids, inspector->id);
      append_array_int (cap_values, inspector->capacity);
    }

  /* The draw row: committed with the secret published when the objects were drawn. */
  candidate_hash = sui_draw_hex (result->candidate_hash, SUI_DRAW_HASH_SIZE);
  count = sui_pg_int_param ((gint64) n_pairs);
  actor = sui_pg_int_param (m->call->user->id);
  params[0] = m->task_id;
  params[1] = PQgetvalue (secret_row, 0, 1);
  params[2] = candidate_hash;
  params[3] = count;
  params[4] = actor;
  made = sui_pg_exec (m->call->conn,
                      "insert into draw (task_id, kind, algorithm, replaces, secret, commitment,"
                      "                  candidate_hash, candidate_count, committed_by)"
                      " select $1::bigint, 'inspectors', '" SUI_MATCH_ALGORITHM "',"
                      "   (select max (id) from draw where task_id = $1::bigint"
                      "      and kind = 'inspectors' and state = 'voided'),"
                      "   decode ($2, 'hex'), sha256 (decode ($2, 'hex')),"
                      "   decode ($3, 'hex'), $4::bigint, $5::bigint returning id",
                      5, params, error);
  if (made == NULL)
    return NULL;
  draw_id = g_ascii_strtoll (PQgetvalue (made, 0, 0), NULL, 10);

  /* Strata in name order, as the result lists them; each stratum's candidates packed, its
   * drawn ids by rank; and each drawn id an assignment. */
  strata = sui_draws_copy_new ();
  assignments = sui_draws_copy_new ();
  for (guint i = 0; i < result->strata->len; i++)
    {
      SuiDrawStratumResult *stratum = g_ptr_array_index (result->strata, i);
      SuiDrawStratum *in = g_hash_table_lookup (inputs, stratum->name);
      StratumRef *ref = &g_array_index (m->strata, StratumRef, stratum->position - 1);
      Object *object = &g_array_index (m->objects, Object, ref->object);
      Part *part = &g_array_index (m->parts, Part, ref->part);
      gint64 object_id = g_ascii_strtoll (object->id_text, NULL, 10);
      gint64 part_unit_id = g_ascii_strtoll (part->unit_id, NULL, 10);

      g_byte_array_set_size (packed, 0);
      if (!sui_draws_pack_texts (packed, in->candidates))
        {
          g_message ("match of task %s: a candidate of stratum %s is not an id", m->task_id,
                     stratum->name);
          g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_INTERNAL,
                               "人员匹配计算失败，未保存任何结果；请联系管理员");
          return NULL;
        }
      g_array_set_size (drawn_ids, 0);
      for (guint j = 0; j < stratum->drawn->len; j++)
        {
          gint64 inspector_id = g_ascii_strtoll (g_ptr_array_index (stratum->drawn, j), NULL, 10);

          g_array_append_val (drawn_ids, inspector_id);
          sui_draws_copy_row (assignments, 7);
          sui_draws_copy_int8 (assignments, task_id);
          sui_draws_copy_int8 (assignments, draw_id);
          sui_draws_copy_int8 (assignments, object_id);
          sui_draws_copy_int8 (assignments, inspector_id);
          sui_draws_copy_int4 (assignments, (gint32) j + 1);
          sui_draws_copy_int4 (assignments, (gint32) object->position);
          sui_draws_copy_int8 (assignments, part_unit_id);
          n_drawn++;
        }
      sui_draws_copy_row (strata, 6);
      sui_draws_copy_int8 (strata, draw_id);
      sui_draws_copy_text (strata, stratum->name);
      sui_draws_copy_int8 (strata, stratum->k);
      sui_draws_copy_int8 (strata, in->candidates->len);
      sui_draws_copy_bytes (strata, packed->data, packed->len);
      sui_draws_copy_int8_array (strata, (const gint64 *) drawn_ids->data, drawn_ids->len);
    }
  if (!sui_draws_copy_send (m->call->conn,
                            "copy draw_stratum (draw_id, name, k, n, candidates_packed, drawn)"
                            " from stdin (format binary)",
                            strata, error))
    return NULL;
  t_strata = g_get_monotonic_time ();

  {
    g_autoptr(JsonBuilder) rb = json_builder_new ();
    g_autoptr(JsonNode) rules_node = NULL;

    json_builder_begin_object (rb);
    json_builder_set_member_name (rb, "window_start");
    json_builder_add_string_value (rb, PQgetvalue (m->task, 0, T_START));
    json_builder_set_member_name (rb, "window_end");
    json_builder_add_string_value (rb, PQgetvalue (m->task, 0, T_END));
    json_builder_set_member_name (rb, "inspectors_per_object");
    json_builder_add_int_value (rb, m->k);
    json_builder_set_member_name (rb, "inspector_task_cap");
    json_builder_add_int_value (rb, m->task_cap);
    json_builder_set_member_name (rb, "inspector_month_cap");
    json_builder_add_int_value (rb, m->month_cap);
    json_builder_set_member_name (rb, "avoid_last_inspector");
    json_builder_add_boolean_value (rb, g_str_equal (PQgetvalue (m->task, 0, T_AVOID_LAST), "t"));
    json_builder_set_member_name (rb, "inspector_tag_ids");
    json_builder_add_string_value (rb, PQgetvalue (m->task, 0, T_TAGS));
    json_builder_set_member_name (rb, "object_draw_id");
    json_builder_add_int_value (rb, g_ascii_strtoll (m->object_draw_id, NULL, 10));
    json_builder_set_member_name (rb, "parts");
    json_builder_begin_array (rb);
    for (guint i = 0; i < m->parts->len; i++)
      {
        Part *part = &g_array_index (m->parts, Part, i);

        json_builder_begin_object (rb);
        json_builder_set_member_name (rb, "unit_id");
        json_builder_add_int_value (rb, g_ascii_strtoll (part->unit_id, NULL, 10));
        json_builder_set_member_name (rb, "unit_name");
        json_builder_add_string_value (rb, part->unit_name);
        json_builder_set_member_name (rb, "inspectors_per_object");
        json_builder_add_int_value (rb, part->k);
        json_builder_end_object (rb);
      }
    json_builder_end_array (rb);
    json_builder_end_object (rb);
    rules_node = json_builder_get_root (rb);
    rules = sui_json_to_string (rules_node);
  }
  params[0] = PQgetvalue (made, 0, 0);
  params[1] = m->task_id;
  params[2] = m->object_draw_id;
  params[3] = array_end (order);
  params[4] = array_end (cap_ids);
  params[5] = array_end (cap_values);
  params[6] = rules;
  params[7] = m->joint ? array_end (stratum_order) : NULL;
  step = sui_pg_exec (m->call->conn,
                      "insert into matching (draw_id, task_id, object_draw_id, object_order,"
                      "                      capacity_ids, capacity_values, rules, stratum_order)"
                      " values ($1::bigint, $2::bigint, $3::bigint, $4::bigint[], $5::bigint[],"
                      "         $6::integer[], $7::jsonb, $8::text[])",
                      8, params, error);
  if (step == NULL)
    return NULL;
  g_clear_pointer (&step, PQclear);

  params[1] = PQgetvalue (secret_row, 0, 0);
  step = sui_pg_exec (m->call->conn,
                      "update matching_secret set draw_id = $1::bigint where id = $2::bigint",
                      2, params, error);
  if (step == NULL || !sui_draws_audit_committed (m->call, params[0], error))
    return NULL;
  g_clear_pointer (&step, PQclear);
  t_audit = g_get_monotonic_time ();

  if (!sui_draws_copy_send (m->call->conn,
                            "copy inspector_assignment (task_id, draw_id, object_id, inspector_id,"
                            " rank, position, part_unit_id) from stdin (format binary)",
                            assignments, error))
    return NULL;
  t_assignments = g_get_monotonic_time ();

  /* Exclusions: inspector-wide, pairs (only for inspectors past rules 1 and 2), and the
   * caps that filled during the walk. */
  exclusions = sui_draws_copy_new ();
  for (guint i = 0; i < m->inspectors->len; i++)
    {
      Inspector *inspector = &g_array_index (m->inspectors, Inspector, i);

      if (inspector->rule != RULE_NONE)
        add_exclusion (exclusions, task_id, draw_id, NULL, inspector->id, inspector->rule,
                       inspector->month, inspector->reason, 0);
      else if ((int) inspector->used >= inspector->capacity &&
               inspector->last_position < m->objects->len)
        {
          gboolean month = inspector->capacity < m->task_cap;
          g_autofree char *reason =
            month ? g_strdup_printf ("本任务已分配 %u 个对象，连同其他任务已达每月上限 %d 个"
                                     "（第 %u 个对象起）", inspector->used, m->month_cap,
                                     inspector->last_position + 1)
                  : g_strdup_printf ("本任务已分配 %u 个对象，达到每个任务上限 %d 个"
                                     "（第 %u 个对象起）", inspector->used, m->task_cap,
                                     inspector->last_position + 1);

          add_exclusion (exclusions, task_id, draw_id, NULL, inspector->id, RULE_CAP, month,
                         reason, inspector->last_position + 1);
        }
    }
  for (guint i = 0; i < m->objects->len; i++)
    {
      Object *object = &g_array_index (m->objects, Object, i);

      for (guint j = 0; j < object->pairs->len; j++)
        {
          Pair *pair = &g_array_index (object->pairs, Pair, j);
          Inspector *inspector = &g_array_index (m->inspectors, Inspector, pair->inspector);

          if (inspector->rule == RULE_CERTIFICATE || inspector->rule == RULE_DUTY)
            continue;
          add_exclusion (exclusions, task_id, draw_id, object->id_text, inspector->id,
                         pair->rule, FALSE, pair->reason, 0);
        }
    }
  if (!sui_draws_copy_send (m->call->conn,
                            "copy inspector_exclusion (task_id, draw_id, object_id, inspector_id,"
                            " rule, rule_no, reason, from_position) from stdin (format binary)",
                            exclusions, error))
    return NULL;
  t_exclusions = g_get_monotonic_time ();

  json_builder_begin_array (b);
  for (guint i = 0; i < m->entropy->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (m->entropy, i));
  json_builder_end_array (b);
  entropy_json = json_builder_get_root (b);
  entropy_text = sui_json_to_string (entropy_json);
  seed = sui_draw_hex (result->seed, SUI_DRAW_HASH_SIZE);
  result_hash = sui_draw_hex (result->result_hash, SUI_DRAW_HASH_SIZE);
  drawn_count = sui_pg_int_param ((gint64) n_drawn);
  params[1] = entropy_text;
  params[2] = seed;
  params[3] = result_hash;
  params[4] = drawn_count;
  params[5] = actor;
  step = sui_pg_exec (m->call->conn,
                      "update draw set state = 'run', entropy = $2::jsonb,"
                      " seed = decode ($3, 'hex'), result_hash = decode ($4, 'hex'),"
                      " drawn_count = $5::bigint, run_by = $6::bigint, run_at = now ()"
                      " where id = $1::bigint",
                      6, params, error);
  if (step == NULL)
    return NULL;
  g_clear_pointer (&step, PQclear);

  step = sui_pg_exec (m->call->conn,
                      "update task set state = 'inspectors_drawn', version = version + 1,"
                      " updated_at = now () where id = $1::bigint",
                      1, &m->task_id, error);
  if (step == NULL || !sui_draws_audit_event (m->call, params[0], "run", NULL, error))
    return NULL;

  g_debug ("store of the match of task %s: strata %.0f ms, commitment audited %.0f ms,"
           " assignments %.0f ms, exclusions %.0f ms, the rest %.0f ms", m->task_id,
           (t_strata - t0) / 1000.0, (t_audit - t_strata) / 1000.0,
           (t_assignments - t_audit) / 1000.0,
           (t_exclusions - t_assignments) / 1000.0,
           (g_get_monotonic_time () - t_exclusions) / 1000.0);
  return sui_pg_query_json (m->call->conn,
                            "select jsonb_build_object ('ok', true, 'task_id', d.task_id,"
                            " 'draw', " SUI_DRAW_SUMMARY_SQL ","
                            " 'objects', (select count (*) from draw_stratum s"
                            "             where s.draw_id = d.id),"
                            " 'assignments', d.drawn_count,"
                            " 'exclusions', (select count (*) from inspector_exclusion e"
                            "                where e.draw_id = d.id))"
                            " from draw_public d where d.id = $1::bigint",
                            1, params, error);
}

static JsonNode *
tasks_match_inspectors (SuiCall  *call,
                        GError  **error)
{
  gint64 task_id = 0;
  g_autofree char *task_text = NULL;
  g_autoptr(GPtrArray) entropy = NULL;
  g_autoptr(PGresult) task = NULL;
  g_autoptr(PGresult) secret = NULL;
  g_autoptr(GError) draw_error = NULL;
  g_autoptr(SuiDrawInput) input = NULL;
  g_autoptr(SuiDrawResult) result = NULL;
  g_autoptr(JsonBuilder) shortages = NULL;
  g_autofree char *entropy_checked = NULL;
  Match m = { 0 };
  gint64 t_start = g_get_monotonic_time (), t_loaded = 0, t_rules = 0, t_run = 0;
  guint n_short = 0;
  JsonNode *answer = NULL;
  const char *params[1];

  if (!sui_call_get_int (call, "task_id", TRUE, &task_id, error) ||
      !get_entropy (call, &entropy, error))
    return NULL;

  task_text = sui_pg_int_param (task_id);
  params[0] = task_text;
  task = sui_pg_exec (call->conn,
                      "select id, state, unit_id, window_start, window_end,"
                      " inspector_tag_ids::text, inspector_task_cap, inspector_month_cap,"
                      " avoid_last_inspector, inspectors_per_object"
                      " from task where id = $1::bigint for update",
                      1, params, error);
  if (task == NULL)
    return NULL;
  if (PQntuples (task) != 1)
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_FOUND,
                           "该抽查任务不存在，请刷新后再试");
      return NULL;
    }
  if (!sui_plans_check_unit (call, sui_pg_get_int (task, 0, T_UNIT), "抽查任务", error))
    return NULL;
  if (!g_str_equal (PQgetvalue (task, 0, T_STATE), "objects_drawn"))
    {
      const char *state = PQgetvalue (task, 0, T_STATE);

      sui_state_error (error, g_str_equal (state, "draft") || g_str_equal (state, "ready")
                              ? "请先完成对象摇号，再匹配检查人员"
                              : "该任务已经匹配检查人员；如需重新匹配，请申请作废本次匹配并经市局批准");
      return NULL;
    }

  entropy_checked = sui_draw_entropy_text (entropy, &draw_error);
  if (entropy_checked == NULL)
    {
      SuiValidation *v = sui_validation_new ();

      sui_validation_add (v, "entropy", "invalid", draw_error->message);
      sui_validation_finish (v, call, error);
      return NULL;
    }

  secret = sui_pg_exec (call->conn,
                        "select id, encode (secret, 'hex') from matching_secret"
                        " where task_id = $1::bigint and draw_id is null for update",
                        1, params, error);
  if (secret == NULL)
    return NULL;
  if (PQntuples (secret) != 1)
    {
      /* A task drawn before matching existed: publish a commitment now and let the
       * witnesses give their numbers after it. */
      if (sui_matching_commit (call, task_text, error))
        {
          call->commit_on_error = TRUE;
          sui_state_error (error, "人员匹配的承诺值刚刚公示；请在公示之后由见证人重新给出随机数，"
                                  "再进行匹配");
        }
      return NULL;
    }

  m.call = call;
  m.task = task;
  m.task_id = task_text;
  m.entropy = entropy;
  m.k = (guint) sui_pg_get_int (task, 0, T_PER_OBJECT);
  m.task_cap = (int) sui_pg_get_int (task, 0, T_TASK_CAP);
  m.month_cap = (int) sui_pg_get_int (task, 0, T_MONTH_CAP);
  if (!load_parts (&m, error) || !load_inspectors (&m, error) || !load_objects (&m, error))
    goto out;
  t_loaded = g_get_monotonic_time ();

  /* Rules 1–6 as they stand before the walk: an object short here is short whatever the
   * entropy. */
  shortages = json_builder_new ();
  json_builder_begin_array (shortages);
  input = sui_draw_input_new ();
  sui_draw_input_set_match (input);
  if (!sui_draw_input_set_secret_hex (input, PQgetvalue (secret, 0, 1), &draw_error))
    goto internal;
  for (guint i = 0; i < entropy->len; i++)
    sui_draw_input_add_entropy (input, g_ptr_array_index (entropy, i));
  for (guint e = 0; e < m.eligible->len; e++)
    {
      Inspector *inspector = &g_array_index (m.inspectors, Inspector,
                                             g_array_index (m.eligible, guint, e));

      sui_draw_input_set_capacity (input, inspector->id_text, (guint) inspector->capacity);
    }
  /* One stratum per object and part: named by the object id alone when the task's unit is
   * the only part (as before joint tasks), "object:unit" in a joint task. */
  m.strata = g_array_new (FALSE, FALSE, sizeof (StratumRef));
  for (guint i = 0; i < m.objects->len; i++)
    {
      Object *object = &g_array_index (m.objects, Object, i);

      for (guint p = 0; p < m.parts->len; p++)
        {
          Part *part = &g_array_index (m.parts, Part, p);
          g_autofree char *name = m.joint ? g_strdup_printf ("%s:%s", object->id_text,
                                                             part->unit_id)
                                          : g_strdup (object->id_text);
          SuiDrawStratum *stratum = sui_draw_input_add_stratum_k (input, name, part->k);
          StratumRef ref = { i, p };
          guint n = 0;

          g_array_append_val (m.strata, ref);
          sui_draw_input_add_order (input, name);
          for (guint e = 0; e < part->eligible->len; e++)
            {
              guint index = g_array_index (part->eligible, guint, e);

              if (object->pairs->len > 0 && pair_excluded (object, index))
                continue;
              sui_draw_input_add_candidate (input, stratum,
                                            g_array_index (m.inspectors, Inspector, index).id_text);
              n++;
            }
          if (n < part->k)
            {
              guint eligible = 0;
              int rule = static_short_rule (&m, object, p, &eligible);

              if (n_short++ < MAX_SHORT_SHOWN)
                add_shortage (shortages, &m, object, p, eligible, rule, FALSE);
            }
        }
    }
  if (m.objects->len == 0)
    {
      sui_state_error (error, "对象摇号没有抽中任何对象，无需匹配检查人员");
      goto out;
    }
  if (n_short > 0)
    {
      answer = shortage_answer (&m, shortages, n_short, "rules", error);
      goto out;
    }

  t_rules = g_get_monotonic_time ();
  result = sui_draw_run (input, &draw_error);
  t_run = g_get_monotonic_time ();
  if (result == NULL)
    goto internal;

  /* The walk: count what each inspector took and where, and find a cap that left an
   * object short (this depends on the entropy, so the attempt stays in the audit log). */
  {
    g_autoptr(GHashTable) index = g_hash_table_new (g_str_hash, g_str_equal);

    for (guint i = 0; i < m.inspectors->len; i++)
      {
        Inspector *inspector = &g_array_index (m.inspectors, Inspector, i);

        g_hash_table_insert (index, inspector->id_text, inspector);
      }
    for (guint i = 0; i < result->strata->len; i++)
      {
        SuiDrawStratumResult *stratum = g_ptr_array_index (result->strata, i);

        StratumRef *ref = &g_array_index (m.strata, StratumRef, stratum->position - 1);
        guint position = g_array_index (m.objects, Object, ref->object).position;

        for (guint j = 0; j < stratum->drawn->len; j++)
          {
            Inspector *inspector = g_hash_table_lookup (index, g_ptr_array_index (stratum->drawn, j));

            inspector->used++;
            inspector->last_position = MAX (inspector->last_position, position);
          }
      }
    if (result->n_short > 0)
      {
        for (guint i = 0; i < result->strata->len; i++)
          {
            SuiDrawStratumResult *stratum = g_ptr_array_index (result->strata, i);
            StratumRef *ref = &g_array_index (m.strata, StratumRef, stratum->position - 1);
            Object *object = &g_array_index (m.objects, Object, ref->object);
            gboolean month = FALSE;
            SuiDrawStratum *in = NULL;

            if (stratum->drawn->len >= stratum->k)
              continue;
            for (guint j = 0; j < input->strata->len && in == NULL; j++)
              if (g_str_equal (((SuiDrawStratum *) g_ptr_array_index (input->strata, j))->name,
                               stratum->name))
                in = g_ptr_array_index (input->strata, j);
            for (guint j = 0; in != NULL && j < in->candidates->len; j++)
              {
                Inspector *inspector = g_hash_table_lookup (index,
                                                            g_ptr_array_index (in->candidates, j));

                month |= inspector->capacity < m.task_cap;
              }
            if (n_short++ < MAX_SHORT_SHOWN)
              add_shortage (shortages, &m, object, ref->part, stratum->drawn->len, RULE_CAP,
                            month);
          }
        answer = shortage_answer (&m, shortages, n_short, "caps", error);
        goto out;
      }
  }

  answer = store_match (&m, input, result, secret, error);
  /* Where the time of a large match goes (G_MESSAGES_DEBUG=all shows it). */
  g_debug ("match of task %s: load %.0f ms, rules %.0f ms, draw %.0f ms, store %.0f ms",
           task_text, (t_loaded - t_start) / 1000.0, (t_rules - t_loaded) / 1000.0,
           (t_run - t_rules) / 1000.0, (g_get_monotonic_time () - t_run) / 1000.0);
  goto out;

internal:
  g_message ("inspector match of task %s: %s", task_text, draw_error->message);
  g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_INTERNAL,
                       "人员匹配计算失败，未保存任何结果；请联系管理员");
out:
  match_clear (&m);
  return answer;
}

/* ---- tasks.assignments, tasks.exclusions --------------------------------------------- */

/* The task (for a reader) and its live match; -32004, -32003, -32011. */
static PGresult *
load_match (SuiCall   *call,
            gint64     task_id,
            GError   **error)
{
  g_autofree char *task_text = sui_pg_int_param (task_id);
  g_autofree char *unit_text = sui_pg_int_param (call->user->unit_id);
  const char *params[2] = { task_text, unit_text };
  g_autoptr(PGresult) row = NULL;

  row = sui_pg_exec (call->conn,
                     "select t.id, t.unit_id, d.id,"
                     " exists (select 1 from task_department p"
                     "         where p.task_id = t.id and p.unit_id = $2::bigint) from task t"
                     " left join draw d on d.task_id = t.id and d.kind = 'inspectors'"
                     "  and d.state <> 'voided' and d.run_at is not null"
                     " where t.id = $1::bigint",
                     2, params, error);
  if (row == NULL)
    return NULL;
  if (PQntuples (row) != 1)
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_FOUND,
                           "该抽查任务不存在，请刷新后再试");
      return NULL;
    }
  /* The partner departments of a joint task see the whole match: one visit per object. */
  if (!sui_pg_get_bool (row, 0, 3) &&
      !sui_plans_check_unit (call, sui_pg_get_int (row, 0, 1), "抽查任务", error))
    return NULL;
  if (PQgetisnull (row, 0, 2))
    {
      sui_state_error (error, "该任务尚未匹配检查人员");
      return NULL;
    }
  return g_steal_pointer (&row);
}

static JsonNode *
tasks_assignments (SuiCall  *call,
                   GError  **error)
{
  gint64 task_id = 0, after = 0, limit = DEFAULT_LIMIT;
  g_autoptr(PGresult) row = NULL;
  g_autofree char *after_p = NULL, *limit_p = NULL;
  const char *params[3];

  if (!sui_call_get_int (call, "task_id", TRUE, &task_id, error) ||
      !sui_call_get_int (call, "after", FALSE, &after, error) ||
      !sui_call_get_int (call, "limit", FALSE, &limit, error))
    return NULL;
  limit = CLAMP (limit, 1, MAX_LIMIT);
  row = load_match (call, task_id, error);
  if (row == NULL)
    return NULL;
  after_p = sui_pg_int_param (after);
  limit_p = sui_pg_int_param (limit);
  params[0] = PQgetvalue (row, 0, 2);
  params[1] = after_p;
  params[2] = limit_p;
  return sui_pg_query_json (call->conn,
                            "with page as ("
                            "  select a.object_id, min (a.position) position,"
                            "         jsonb_agg (jsonb_build_object ('id', i.id, 'name', i.name,"
                            "           'cert_no', i.cert_no, 'rank', a.rank,"
                            "           'unit_id', i.unit_id, 'unit_name', u.name)"
                            "           order by a.part_unit_id = t.unit_id desc,"
                            "                    a.part_unit_id, a.rank) inspectors"
                            "    from inspector_assignment a join inspector i on i.id = a.inspector_id"
                            "    join unit u on u.id = i.unit_id join task t on t.id = a.task_id"
                            "   where a.draw_id = $1::bigint and a.object_id > $2::bigint"
                            "   group by a.object_id order by a.object_id limit $3::bigint)"
                            " select jsonb_build_object ('draw_id', $1::bigint,"
                            "  'items', coalesce (jsonb_agg (jsonb_build_object ("
                            "     'object_id', p.object_id, 'position', p.position,"
                            "     'name', o.name, 'licence_no', o.licence_no,"
                            "     'risk_class', o.risk_class, 'address', o.address,"
                            "     'inspectors', p.inspectors) order by p.object_id), '[]'),"
                            "  'next_after', case when count (*) = $3::bigint"
                            "                     then max (p.object_id) end)"
                            " from page p join object o on o.id = p.object_id",
                            3, params, error);
}

static JsonNode *
tasks_exclusions (SuiCall  *call,
                  GError  **error)
{
  gint64 task_id = 0, object_id = 0;
  g_autoptr(PGresult) row = NULL;
  g_autoptr(PGresult) place = NULL;
  g_autofree char *object_p = NULL;
  const char *params[3];

  if (!sui_call_get_int (call, "task_id", TRUE, &task_id, error) ||
      !sui_call_get_int (call, "object_id", TRUE, &object_id, error))
    return NULL;
  row = load_match (call, task_id, error);
  if (row == NULL)
    return NULL;
  object_p = sui_pg_int_param (object_id);
  params[0] = PQgetvalue (row, 0, 2);
  params[1] = object_p;
  place = sui_pg_exec (call->conn,
                       "select min (position)::text from inspector_assignment"
                       " where draw_id = $1::bigint and object_id = $2::bigint",
                       2, params, error);
  if (place == NULL)
    return NULL;
  if (PQgetisnull (place, 0, 0))
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_FOUND,
                           "该对象不在本任务的抽中名单中");
      return NULL;
    }
  params[2] = PQgetvalue (place, 0, 0);
  /* Per inspector the first rule that excluded it here; the eligible who were not drawn
   * are listed apart (the random choice, not a rule, left them out). */
  return sui_pg_query_json (call->conn,
                            "with ex as ("
                            "  select distinct on (e.inspector_id) e.inspector_id, e.rule,"
                            "         e.rule_no, e.reason"
                            "    from inspector_exclusion e"
                            "   where e.draw_id = $1::bigint"
                            "     and (e.object_id = $2::bigint"
                            "          or (e.object_id is null"
                            "              and (e.from_position is null"
                            "                   or e.from_position <= $3::integer)))"
                            "   order by e.inspector_id, e.rule_no),"
                            " st as (select candidates, candidates_packed, drawn from draw_stratum"
                            "         where draw_id = $1::bigint and name = $2::bigint::text)"
                            " select jsonb_build_object ('task_id', t.task_id, 'draw_id', $1::bigint,"
                            "  'object_id', $2::bigint, 'position', $3::integer,"
                            "  'assigned', (select jsonb_agg (jsonb_build_object ('id', i.id,"
                            "       'name', i.name, 'rank', a.rank) order by a.rank)"
                            "     from inspector_assignment a join inspector i on i.id = a.inspector_id"
                            "    where a.draw_id = $1::bigint and a.object_id = $2::bigint),"
                            "  'excluded', coalesce ((select jsonb_agg (jsonb_build_object ("
                            "       'inspector_id', ex.inspector_id, 'name', i.name,"
                            "       'rule', ex.rule, 'rule_no', ex.rule_no, 'reason', ex.reason)"
                            "       order by ex.rule_no, ex.inspector_id)"
                            "     from ex join inspector i on i.id = ex.inspector_id), '[]'),"
                            "  'not_drawn', coalesce ((select jsonb_agg (jsonb_build_object ("
                            "       'inspector_id', i.id, 'name', i.name) order by i.id)"
                            "     from st, unnest (coalesce (st.candidates,"
                            "                                sui_draw_ids (st.candidates_packed))) c (id)"
                            "     join inspector i on i.id = c.id"
                            "    where not c.id = any (st.drawn)"
                            "      and not exists (select 1 from ex where ex.inspector_id = c.id)),"
                            "    '[]'))"
                            " from draw t where t.id = $1::bigint",
                            3, params, error);
}

static const SuiMethod matching_methods[] = {
  {
    .name = "tasks.match_inspectors",
    .roles = SUI_ROLE_SUPERVISOR,
    .writes = TRUE,
    .params = "task_id:integer, entropy:array",
    .summary = "Match inspectors to a task's drawn objects by the hard rules and a re-runnable draw",
    .handler = tasks_match_inspectors,
  },
  {
    .name = "tasks.assignments",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .params = "task_id:integer, [after]:integer, [limit]:integer",
    .summary = "The inspectors matched to each object of a task, by object id",
    .handler = tasks_assignments,
  },
  {
    .name = "tasks.exclusions",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .params = "task_id:integer, object_id:integer",
    .summary = "Why the other inspectors were not matched to one object of a task",
    .handler = tasks_exclusions,
  },
};

void
sui_matching_register (void)
{
  sui_methods_register (matching_methods, G_N_ELEMENTS (matching_methods));
}
