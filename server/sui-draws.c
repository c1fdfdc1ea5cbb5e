/* sui-draws.c: the draw of a task's objects — draws.run, draws.get, draws.export,
 * draws.verify, draws.request_void, draws.approve_void — and `shuangsuid --verify-draw`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The algorithm is common/sui-draw.c (docs/draw-algorithm.md); this file feeds it the
 * candidate set frozen by tasks.make_ready and keeps the record. A draw row is never
 * deleted: a voided one stays with its reason and approval, and the next draw of the task
 * gets a new secret.
 */
#include "sui-draws.h"

#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "sui-filter.h"
#include "sui-matching.h"
#include "sui-pg.h"
#include "sui-plans.h"

/* ---- shuangsuid --verify-draw FILE ------------------------------------------------- */

static const char *
step_label (int code)
{
  switch ((SuiDrawError) code)
    {
    case SUI_DRAW_ERROR_UNSUPPORTED:
      return "第 1 项 算法版本";
    case SUI_DRAW_ERROR_INVALID:
      return "第 2 项 记录格式";
    case SUI_DRAW_ERROR_COMMITMENT:
      return "第 3 项 承诺值";
    case SUI_DRAW_ERROR_CANDIDATE_HASH:
      return "第 4 项 候选名单哈希";
    case SUI_DRAW_ERROR_SEED:
      return "第 5 项 种子";
    case SUI_DRAW_ERROR_COUNT:
      return "第 6 项 候选数与抽取数";
    case SUI_DRAW_ERROR_RESULT:
      return "第 7 项 抽取结果";
    case SUI_DRAW_ERROR_RESULT_HASH:
      return "第 8 项 结果哈希";
    default:
      return "核验";
    }
}

/* The text member of a verified record, or "". */
static const char *
member_text (JsonObject *record,
             const char *member)
{
  JsonNode *node = json_object_get_member (record, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return "";
  return json_node_get_string (node);
}

int
sui_draws_verify_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autofree char *text = NULL;
  gsize length = 0;
  JsonObject *record;
  JsonArray *strata;
  guint drawn = 0;

  if (!g_file_get_contents (path, &text, &length, &error))
    {
      printf ("无法读取摇号记录文件：%s\n", error->message);
      return 1;
    }

  if (!sui_draw_verify_text (text, (gssize) length, &error))
    {
      printf ("摇号记录核验未通过（%s）：%s\n",
              error->domain == SUI_DRAW_ERROR ? step_label (error->code) : "核验",
              error->message);
      printf ("该记录与 %s 算法的重新计算结果不一致，不能作为有效的摇号记录。\n",
              SUI_DRAW_ALGORITHM);
      return 1;
    }

  /* It verified, so it parses and has the members the algorithm needs. */
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, text, (gssize) length, &error))
    {
      printf ("无法读取摇号记录文件：%s\n", error->message);
      return 1;
    }
  record = json_node_get_object (json_parser_get_root (parser));
  strata = json_object_get_array_member (record, "strata");

  printf ("摇号记录核验通过：按 %s 重新计算，承诺值、候选名单哈希、种子、各分层抽取结果和结果哈希"
          "全部一致。\n", member_text (record, "algorithm"));
  for (guint i = 0; i < json_array_get_length (strata); i++)
    {
      JsonObject *stratum = json_array_get_object_element (strata, i);

      drawn += (guint) json_object_get_int_member (stratum, "k");
      printf ("  分层 %s：候选 %" G_GINT64_FORMAT " 个，抽取 %" G_GINT64_FORMAT " 个\n",
              json_object_get_string_member (stratum, "name"),
              json_object_get_int_member (stratum, "n"),
              json_object_get_int_member (stratum, "k"));
    }
  printf ("  共抽取 %u 个\n", drawn);
  printf ("承诺值        %s\n", member_text (record, "commitment"));
  printf ("候选名单哈希  %s\n", member_text (record, "candidate_hash"));
  printf ("结果哈希      %s\n", member_text (record, "result_hash"));
  printf ("请把承诺值和候选名单哈希与摇号前（任务就绪时）公示的值核对：两者都相同，"
          "才能证明这就是当时公示的那次摇号。\n");
  return 0;
}


/* ---- shared with tasks.make_ready --------------------------------------------------- */

void
sui_draws_new_secret (char **secret_hex,
                      char **commitment_hex)
{
  guint8 secret[SUI_DRAW_SECRET_SIZE];
  guint8 commitment[SUI_DRAW_HASH_SIZE];

  randombytes_buf (secret, sizeof secret);
  sui_draw_commitment (secret, commitment);
  *secret_hex = sui_draw_hex (secret, sizeof secret);
  *commitment_hex = sui_draw_hex (commitment, sizeof commitment);
  sodium_memzero (secret, sizeof secret);
}

void
sui_draws_add_array (SuiDrawInput   *input,
                     SuiDrawStratum *stratum,
                     const char     *array_text)
{
  const char *p = array_text;

  /* "{1,2,3}": bigint elements are plain decimal, never quoted. */
  if (*p == '{')
    p++;
  while (*p != '\0' && *p != '}')
    {
      const char *end = p;
      char id[24];

      while (*end != ',' && *end != '}' && *end != '\0')
        end++;
      if (end > p && (gsize) (end - p) < sizeof id)
        {
          memcpy (id, p, end - p);
          id[end - p] = '\0';
          sui_draw_input_add_candidate (input, stratum, id);
        }
      p = *end == ',' ? end + 1 : end;
    }
}

/* ---- packed candidate lists, binary arrays, step-1 order ---------------------------- */

/* Room for an id as decimal text: 20 digits and the NUL. */
#define ID_TEXT_SIZE 21

/* draw_stratum.candidates_packed (migration 0014): the ids ascending, each as the
 * difference from the one before (the first as itself) in unsigned LEB128. */
void
sui_draws_pack_ids (GByteArray    *out,
                    const guint64 *ids,
                    gsize          n)
{
  guint64 previous = 0;

  for (gsize i = 0; i < n; i++)
    {
      guint64 delta = ids[i] - previous;
      guint8 bytes[10];
      guint length = 0;

      previous = ids[i];
      do
        {
          bytes[length] = delta & 0x7f;
          delta >>= 7;
          if (delta != 0)
            bytes[length] |= 0x80;
          length++;
        }
      while (delta != 0);
      g_byte_array_append (out, bytes, length);
    }
}

static int
compare_values (const void *a,
                const void *b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;

  return x < y ? -1 : x > y;
}

/* Decimal digits, no sign, no leading zero, below 2^63: a database id written as text.
 * Returns its length, 0 when it is not one. */
static guint
parse_id (const char *text,
          guint64    *value)
{
  guint64 v = 0;
  const char *p = text;

  if (*p == '\0' || (*p == '0' && p[1] != '\0'))
    return 0;
  for (; *p != '\0'; p++)
    {
      if (*p < '0' || *p > '9' || p - text >= 19)
        return 0;
      v = v * 10 + (guint64) (*p - '0');
    }
  if (v > G_MAXINT64)
    return 0;
  *value = v;
  return (guint) (p - text);
}

gboolean
sui_draws_pack_texts (GByteArray *out,
                      GPtrArray  *ids)
{
  guint n = ids->len;
  g_autofree guint64 *values = g_new (guint64, MAX (n, 1));
  g_autofree guint64 *ascending = g_new (guint64, MAX (n, 1));
  g_autofree guint8 *lengths = g_new (guint8, MAX (n, 1));
  guint count[ID_TEXT_SIZE] = { 0 }, start[ID_TEXT_SIZE] = { 0 };
  gboolean sorted = TRUE;

  /* Ids in step-1 (bytewise) order are in numeric order within each length: spreading them
   * by length, keeping their order, sorts them numerically. Any other order is sorted. */
  for (guint i = 0; i < n; i++)
    {
      lengths[i] = (guint8) parse_id (g_ptr_array_index (ids, i), &values[i]);
      if (lengths[i] == 0)
        return FALSE;
      count[lengths[i]]++;
    }
  for (guint l = 1; l < G_N_ELEMENTS (count); l++)
    start[l] = start[l - 1] + count[l - 1];
  for (guint i = 0; i < n; i++)
    ascending[start[lengths[i]]++] = values[i];
  for (guint i = 1; i < n && sorted; i++)
    sorted = ascending[i - 1] < ascending[i];
  if (!sorted)
    qsort (ascending, n, sizeof (guint64), compare_values);
  sui_draws_pack_ids (out, ascending, n);
  return TRUE;
}

static gboolean
unpack_ids (const guint8 *data,
            gsize         length,
            GArray       *values)
{
  guint64 previous = 0, value = 0;
  guint shift = 0, n = values->len;
  guint64 *out;

  /* At most one id a byte. */
  g_array_set_size (values, n + (guint) length);
  out = (guint64 *) values->data;
  for (gsize i = 0; i < length; i++)
    {
      if (shift > 63)
        {
          g_array_set_size (values, n);
          return FALSE;
        }
      value |= (guint64) (data[i] & 0x7f) << shift;
      if (data[i] & 0x80)
        {
          shift += 7;
          continue;
        }
      previous += value;
      out[n++] = previous;
      value = 0;
      shift = 0;
    }
  g_array_set_size (values, n);
  return shift == 0;
}

static guint32
read_be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

static guint64
read_be64 (const guint8 *p)
{
  return (guint64) read_be32 (p) << 32 | read_be32 (p + 4);
}

/* A bigint[] in PostgreSQL's binary form: dimensions, flags, element type (int8, oid 20),
 * then each dimension's size and lower bound, then each element as length and value. */
static gboolean
parse_int8_array (const guint8 *p,
                  gsize         length,
                  GArray       *values)
{
  guint32 n;

  if (length < 12)
    return FALSE;
  if (read_be32 (p) == 0)
    return TRUE;
  if (read_be32 (p) != 1 || read_be32 (p + 8) != 20 || length < 20)
    return FALSE;
  n = read_be32 (p + 12);
  if ((length - 20) / 12 < n)
    return FALSE;
  p += 20;
  for (guint32 i = 0; i < n; i++, p += 12)
    {
      guint64 value;

      if (read_be32 (p) != 8)
        return FALSE;
      value = read_be64 (p + 4);
      g_array_append_val (values, value);
    }
  return TRUE;
}

/* The values of a binary result's column: a bigint[] or (packed) a bytea of 0014. */
static gboolean
column_ids (PGresult *result,
            int       row,
            int       column,
            gboolean  packed,
            GArray   *values)
{
  const guint8 *data = (const guint8 *) PQgetvalue (result, row, column);
  gsize length = (gsize) PQgetlength (result, row, column);

  if (PQgetisnull (result, row, column))
    return TRUE;
  return packed ? unpack_ids (data, length, values) : parse_int8_array (data, length, values);
}

static gint64
column_int (PGresult *result,
            int       row,
            int       column)
{
  const guint8 *data = (const guint8 *) PQgetvalue (result, row, column);

  if (PQgetlength (result, row, column) == 8)
    return (gint64) read_be64 (data);
  if (PQgetlength (result, row, column) == 4)
    return (gint32) read_be32 (data);
  return 0;
}

/* v in decimal at out (at least ID_TEXT_SIZE bytes); returns its length. */
static guint
format_id (guint64  v,
           char    *out)
{
  char digits[ID_TEXT_SIZE];
  guint n = 0;

  do
    {
      digits[n++] = (char) ('0' + v % 10);
      v /= 10;
    }
  while (v != 0);
  for (guint i = 0; i < n; i++)
    out[i] = digits[n - 1 - i];
  out[n] = '\0';
  return n;
}

static const guint64 powers_of_ten[ID_TEXT_SIZE] = {
  1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull, 100000000ull,
  1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull, 10000000000000ull,
  100000000000000ull, 1000000000000000ull, 10000000000000000ull, 100000000000000000ull,
  1000000000000000000ull, 10000000000000000000ull, 0,
};

static guint
decimal_length (guint64 v)
{
  guint n = 1;

  while (n < 20 && v >= powers_of_ten[n])
    n++;
  return n;
}

/* The bytewise order of the decimal texts of a (la digits) and b (lb digits), ids below
 * 2^63: a number comes before the longer ones it is a prefix of. a comes first when it is
 * at most b's first la digits, i.e. when a · 10^(lb−la) ≤ b (no overflow: both sides have
 * at most 19 digits). */
static int
compare_decimal (guint64 a,
                 guint   la,
                 guint64 b,
                 guint   lb)
{
  if (la == lb)
    return a < b ? -1 : a > b;
  if (la < lb)
    return a * powers_of_ten[lb - la] <= b ? -1 : 1;
  return a < b * powers_of_ten[la - lb] ? -1 : 1;
}

/* Puts values (ids) in step-1 order, the bytewise order of their decimal texts. Numbers of
 * one length are in that order when they are in numeric order, so once the values are
 * ascending it is enough to merge the runs of each length (at most 20). */
static void
order_ids (GArray *values)
{
  guint64 *v = (guint64 *) values->data;
  guint n = values->len;
  guint head[ID_TEXT_SIZE], end[ID_TEXT_SIZE], length[ID_TEXT_SIZE];
  guint n_runs = 0;
  g_autofree guint64 *merged = NULL;

  for (guint i = 1; i < n; i++)
    if (v[i - 1] > v[i])
      {
        qsort (v, n, sizeof (guint64), compare_values);
        break;
      }
  for (guint i = 0; i < n; i++)
    {
      guint l = decimal_length (v[i]);

      if (n_runs == 0 || l != length[n_runs - 1])
        {
          if (n_runs > 0)
            end[n_runs - 1] = i;
          head[n_runs] = i;
          length[n_runs++] = l;
        }
    }
  if (n_runs <= 1)
    return;
  end[n_runs - 1] = n;
  merged = g_new (guint64, n);
  for (guint out = 0; out < n; out++)
    {
      guint best = G_MAXUINT;

      for (guint r = 0; r < n_runs; r++)
        if (head[r] < end[r] &&
            (best == G_MAXUINT ||
             compare_decimal (v[head[r]], length[r], v[head[best]], length[best]) < 0))
          best = r;
      merged[out] = v[head[best]++];
    }
  memcpy (v, merged, n * sizeof (guint64));
}

/* A stratum's candidates from a binary row of draw_stratum (candidates at column, the packed
 * list at column + 1), in step-1 order. */
static gboolean
stratum_candidates (PGresult *strata,
                    int       row,
                    int       column,
                    GArray   *values)
{
  g_array_set_size (values, 0);
  if (!column_ids (strata, row, column, FALSE, values) ||
      !column_ids (strata, row, column + 1, TRUE, values))
    return FALSE;
  order_ids (values);
  return TRUE;
}

/* The ids as candidates of a draw's stratum, as decimal text in the input's string chunk:
 * written one after the other into a buffer that the chunk copies at once. */
static void
add_candidates (SuiDrawInput   *input,
                SuiDrawStratum *stratum,
                GArray         *values)
{
  g_autofree char *text = g_malloc ((gsize) MAX (values->len, 1) * ID_TEXT_SIZE);
  g_autofree guint *offsets = g_new (guint, MAX (values->len, 1));
  gsize length = 0;
  const char *copy;

  for (guint i = 0; i < values->len; i++)
    {
      offsets[i] = (guint) length;
      length += format_id (g_array_index (values, guint64, i), text + length) + 1;
    }
  g_ptr_array_set_size (stratum->candidates, 0);
  if (length == 0)
    return;
  copy = g_string_chunk_insert_len (input->text, text, (gssize) length);
  for (guint i = 0; i < values->len; i++)
    g_ptr_array_add (stratum->candidates, (gpointer) (copy + offsets[i]));
}

/* ---- COPY … FROM STDIN (FORMAT binary) ---------------------------------------------- */

GByteArray *
sui_draws_copy_new (void)
{
  static const guint8 header[] = { 'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xff, '\r', '\n', 0,
                                   0, 0, 0, 0, 0, 0, 0, 0 };
  GByteArray *copy = g_byte_array_sized_new (1 << 16);

  g_byte_array_append (copy, header, sizeof header);
  return copy;
}

static void
put_be32 (GByteArray *copy,
          guint32     value)
{
  guint8 bytes[4] = { value >> 24, value >> 16, value >> 8, value };

  g_byte_array_append (copy, bytes, 4);
}

static void
put_be64 (GByteArray *copy,
          guint64     value)
{
  put_be32 (copy, (guint32) (value >> 32));
  put_be32 (copy, (guint32) value);
}

void
sui_draws_copy_row (GByteArray *copy,
                    guint       n_fields)
{
  guint8 bytes[2] = { n_fields >> 8, n_fields };

  g_byte_array_append (copy, bytes, 2);
}

void
sui_draws_copy_null (GByteArray *copy)
{
  put_be32 (copy, 0xffffffff);
}

void
sui_draws_copy_int8 (GByteArray *copy,
                     gint64      value)
{
  put_be32 (copy, 8);
  put_be64 (copy, (guint64) value);
}

void
sui_draws_copy_int4 (GByteArray *copy,
                     gint32      value)
{
  put_be32 (copy, 4);
  put_be32 (copy, (guint32) value);
}

void
sui_draws_copy_bytes (GByteArray   *copy,
                      const guint8 *data,
                      gsize         length)
{
  put_be32 (copy, (guint32) length);
  g_byte_array_append (copy, data, (guint) length);
}

void
sui_draws_copy_text (GByteArray *copy,
                     const char *text)
{
  if (text == NULL)
    sui_draws_copy_null (copy);
  else
    sui_draws_copy_bytes (copy, (const guint8 *) text, strlen (text));
}

/* A one-dimensional bigint[] with no nulls, lower bound 1. */
void
sui_draws_copy_int8_array (GByteArray   *copy,
                           const gint64 *values,
                           guint         n)
{
  if (n == 0)
    {
      put_be32 (copy, 12);
      put_be32 (copy, 0);
      put_be32 (copy, 0);
      put_be32 (copy, 20);
      return;
    }
  put_be32 (copy, 20 + 12 * n);
  put_be32 (copy, 1);
  put_be32 (copy, 0);
  put_be32 (copy, 20);
  put_be32 (copy, n);
  put_be32 (copy, 1);
  for (guint i = 0; i < n; i++)
    {
      put_be32 (copy, 8);
      put_be64 (copy, (guint64) values[i]);
    }
}

/* Logs a failed statement and says so as sui_pg_exec would. */
static void
set_copy_failure (PGconn      *conn,
                  PGresult    *result,
                  const char  *sql,
                  GError     **error)
{
  const char *state = result != NULL ? PQresultErrorField (result, PG_DIAG_SQLSTATE) : NULL;

  if (PQstatus (conn) != CONNECTION_OK || state == NULL)
    {
      g_message ("database unavailable: %s", PQerrorMessage (conn));
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_INTERNAL,
                           "数据库暂时不可用，请稍后重试");
      return;
    }
  g_message ("query failed (%s): %s -- in: %.200s", state,
             result != NULL ? PQresultErrorMessage (result) : PQerrorMessage (conn), sql);
  if (g_str_equal (state, "23505") || g_str_equal (state, "40001") ||
      g_str_equal (state, "40P01"))
    g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_CONFLICT,
                         "有人同时在修改相同的数据，请再试一次");
  else
    g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_INTERNAL,
                         "服务器内部错误，请稍后重试或联系管理员");
}

gboolean
sui_draws_copy_send (PGconn      *conn,
                     const char  *sql,
                     GByteArray  *copy,
                     GError     **error)
{
  static const guint8 trailer[2] = { 0xff, 0xff };
  g_autoptr(PGresult) started = PQexec (conn, sql);
  PGresult *result;
  gboolean ok = TRUE;
  gsize sent = 0;

  if (PQresultStatus (started) != PGRES_COPY_IN)
    {
      set_copy_failure (conn, started, sql, error);
      return FALSE;
    }
  g_byte_array_append (copy, trailer, sizeof trailer);
  /* In pieces: libpq copies each one into its buffer. */
  while (ok && sent < copy->len)
    {
      gsize piece = MIN (copy->len - sent, (gsize) 1 << 20);

      ok = PQputCopyData (conn, (const char *) copy->data + sent, (int) piece) == 1;
      sent += piece;
    }
  if (PQputCopyEnd (conn, ok ? NULL : "the daemon could not send the rows") != 1)
    ok = FALSE;
  while ((result = PQgetResult (conn)) != NULL)
    {
      if (PQresultStatus (result) != PGRES_COMMAND_OK && ok)
        {
          set_copy_failure (conn, result, sql, error);
          ok = FALSE;
        }
      PQclear (result);
    }
  if (!ok && (error == NULL || *error == NULL))
    set_copy_failure (conn, NULL, sql, error);
  return ok;
}

/* sui_pg_exec with text parameters and a binary result (arrays without their text form). */
static PGresult *
exec_binary (PGconn             *conn,
             const char         *sql,
             int                 n_params,
             const char * const *params,
             GError            **error)
{
  PGresult *result = PQexecParams (conn, sql, n_params, NULL, params, NULL, NULL, 1);

  if (PQresultStatus (result) == PGRES_TUPLES_OK)
    return result;
  set_copy_failure (conn, result, sql, error);
  PQclear (result);
  return NULL;
}

/* What an audit row of a draw holds: the published values, never the secret before the
 * run. event is "committed", "run", "run_failed", "void_requested", "void_rejected" or
 * "voided". */
static gboolean
audit_draw (SuiCall     *call,
            const char  *draw_id,
            const char  *event,
            JsonNode    *extra,
            GError     **error)
{
  g_autofree char *extra_text = extra != NULL ? sui_json_to_string (extra) : NULL;
  g_autofree char *actor_id = call->user != NULL ? sui_pg_int_param (call->user->id) : NULL;
  const char *params[7] = {
    draw_id, event, extra_text, actor_id, call->user != NULL ? call->user->login : "anonymous",
    call->method, call->peer,
  };
  g_autoptr(PGresult) appended = NULL;

  /* What sui_audit_append() does, with the row built in the same statement: a match's row
   * lists 10 000 strata (half a megabyte), which need not travel to the daemon and back. */
  appended = sui_pg_exec (call->conn,
                          "select sui_audit_append ($4::bigint, $5, $6, 'draws', $1, null,"
                          " jsonb_build_object ('event', $2::text,"
                          " 'draw_id', d.id, 'task_id', d.task_id, 'kind', d.kind,"
                          " 'state', d.state, 'algorithm', d.algorithm,"
                          " 'commitment', encode (d.commitment, 'hex'),"
                          " 'candidate_hash', encode (d.candidate_hash, 'hex'),"
                          " 'candidate_count', d.candidate_count,"
                          " 'secret', encode (d.secret, 'hex'), 'entropy', d.entropy,"
                          " 'seed', encode (d.seed, 'hex'),"
                          " 'result_hash', encode (d.result_hash, 'hex'),"
                          " 'replaces', d.replaces, 'void_reason', d.void_reason,"
                          " 'strata', (select jsonb_agg (jsonb_build_object ('name', s.name,"
                          "     'ratio_bp', s.ratio_bp, 'n', s.n, 'k', s.k) order by s.name)"
                          "   from draw_stratum s where s.draw_id = d.id))"
                          " || coalesce ($3::jsonb, '{}'), $7)"
                          " from draw_public d where d.id = $1::bigint",
                          7, params, error);
  if (appended == NULL)
    return FALSE;
  if (PQntuples (appended) != 1)
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_INTERNAL,
                           "服务器内部错误，请稍后重试或联系管理员");
      return FALSE;
    }
  return TRUE;
}

gboolean
sui_draws_audit_committed (SuiCall     *call,
                           const char  *draw_id,
                           GError     **error)
{
  return audit_draw (call, draw_id, "committed", NULL, error);
}

gboolean
sui_draws_audit_event (SuiCall     *call,
                       const char  *draw_id,
                       const char  *event,
                       JsonNode    *extra,
                       GError     **error)
{
  return audit_draw (call, draw_id, event, extra, error);
}

/* ---- loading ------------------------------------------------------------------------ */

enum { D_ID, D_TASK, D_UNIT, D_KIND, D_STATE, D_TASK_STATE, D_RUN, D_VOID_REQUESTED };

/* The draw (locked with its task when for_update) and its task's unit; -32004, -32003. */
static PGresult *
load_draw (SuiCall   *call,
           gint64     id,
           gboolean   for_update,
           GError   **error)
{
  g_autofree char *id_text = sui_pg_int_param (id);
  const char *params[1] = { id_text };
  g_autoptr(PGresult) result = NULL;

#define DRAW_SELECT \
  "select d.id, d.task_id, t.unit_id, d.kind, d.state, t.state, d.run_at is not null," \
  " d.void_requested_at is not null" \
  " from draw_public d join task t on t.id = d.task_id where d.id = $1::bigint"

  result = sui_pg_exec (call->conn, DRAW_SELECT, 1, params, error);
#undef DRAW_SELECT
  if (result == NULL)
    return NULL;
  if (PQntuples (result) != 1)
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_FOUND,
                           "该摇号记录不存在，请刷新后再试");
      return NULL;
    }
  if (!sui_plans_check_unit (call, sui_pg_get_int (result, 0, D_UNIT), "摇号记录", error))
    return NULL;
  if (for_update)
    {
      /* The task first, then the draw: the order draws.run takes them in. */
      g_autoptr(PGresult) locked = sui_pg_exec (call->conn,
                                                "select 1 from task t join draw d"
                                                " on d.task_id = t.id where d.id = $1::bigint"
                                                " for update",
                                                1, params, error);
      if (locked == NULL)
        return NULL;
      g_clear_pointer (&result, PQclear);
      return load_draw (call, id, FALSE, error);
    }
  return g_steal_pointer (&result);
}

/* A member of an object being built in jsonb's key order (shorter keys first, then
 * bytewise): the order in which draws.export has always listed them, when PostgreSQL built
 * the record as jsonb. */
typedef struct
{
  const char *name;
  JsonNode   *node;
} Member;

static int
compare_members (const void *a,
                 const void *b)
{
  const Member *ma = a, *mb = b;
  gsize la = strlen (ma->name), lb = strlen (mb->name);

  if (la != lb)
    return la < lb ? -1 : 1;
  return memcmp (ma->name, mb->name, la);
}

static void
member_clear (gpointer data)
{
  g_clear_pointer (&((Member *) data)->node, json_node_unref);
}

static GArray *
members_new (void)
{
  GArray *members = g_array_new (FALSE, FALSE, sizeof (Member));

  g_array_set_clear_func (members, member_clear);
  return members;
}

static void
add_member (GArray     *members,
            const char *name,
            JsonNode   *node)
{
  Member member = { name, node };

  g_array_append_val (members, member);
}

static JsonNode *
string_or_null (PGresult *result,
                int       row,
                int       column)
{
  if (PQgetisnull (result, row, column))
    return json_node_new (JSON_NODE_NULL);
  return json_node_init_string (json_node_alloc (), PQgetvalue (result, row, column));
}

static JsonNode *
int_or_null (PGresult *result,
             int       row,
             int       column)
{
  if (PQgetisnull (result, row, column))
    return json_node_new (JSON_NODE_NULL);
  return json_node_init_int (json_node_alloc (),
                             g_ascii_strtoll (PQgetvalue (result, row, column), NULL, 10));
}

/* The members, sorted, as one object node; takes the nodes. */
static JsonNode *
object_of_members (GArray *members)
{
  JsonObject *object = json_object_new ();
  JsonNode *node;

  qsort (members->data, members->len, sizeof (Member), compare_members);
  for (guint i = 0; i < members->len; i++)
    {
      Member *member = &g_array_index (members, Member, i);

      json_object_set_member (object, member->name, g_steal_pointer (&member->node));
    }
  node = json_node_init_object (json_node_alloc (), object);
  json_object_unref (object);
  return node;
}

static JsonNode *
id_array_node (GArray *values)
{
  JsonArray *array = json_array_sized_new (values->len);
  JsonNode *node;

  for (guint i = 0; i < values->len; i++)
    {
      char text[ID_TEXT_SIZE];

      format_id (g_array_index (values, guint64, i), text);
      json_array_add_string_element (array, text);
    }
  node = json_node_init_array (json_node_alloc (), array);
  json_array_unref (array);
  return node;
}

enum
{
  E_ALGORITHM, E_COMMITMENT, E_SECRET, E_ENTROPY, E_CANDIDATE_HASH, E_SEED, E_RESULT_HASH,
  E_ID, E_TASK, E_KIND, E_STATE, E_COMMITTED_AT, E_RUN_BY, E_RUN_BY_NAME, E_RUN_AT,
  E_REPLACES, E_VOID_REASON, E_VOIDED_AT, E_VOID_APPROVED_BY,
};

/* The record of docs/draw-algorithm.md, plus who ran it and when and any void, from
 * draw_public (so the secret is there only after the run); NULL without error before the
 * run. Candidates in step-1 order (bytewise), strata by name. The lists are read in binary
 * and the record built here: with a million candidates, PostgreSQL's jsonb_agg took
 * seconds. The members and their order are those PostgreSQL gave (jsonb's key order), so
 * the exported text is the same as before. */
static JsonNode *
export_record (SuiCall     *call,
               const char  *draw_id,
               GError     **error)
{
  const char *params[1] = { draw_id };
  g_autoptr(PGresult) draw = NULL;
  g_autoptr(PGresult) strata = NULL;
  g_autoptr(PGresult) match = NULL;
  g_autoptr(GArray) members = members_new ();
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(JsonArray) list = NULL;
  JsonNode *node;
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (guint64));

  draw = sui_pg_exec (call->conn,
                      "select d.algorithm, encode (d.commitment, 'hex'), encode (d.secret, 'hex'),"
                      " d.entropy::text, encode (d.candidate_hash, 'hex'),"
                      " encode (d.seed, 'hex'), encode (d.result_hash, 'hex'),"
                      " d.id, d.task_id, d.kind, d.state, to_jsonb (d.committed_at) #>> '{}',"
                      " d.run_by, (select u.name from app_user u where u.id = d.run_by),"
                      " to_jsonb (d.run_at) #>> '{}', d.replaces, d.void_reason,"
                      " to_jsonb (d.voided_at) #>> '{}', d.void_approved_by"
                      " from draw_public d where d.id = $1::bigint and d.run_at is not null",
                      1, params, error);
  if (draw == NULL || PQntuples (draw) != 1)
    return NULL;
  strata = exec_binary (call->conn,
                        "select name, ratio_bp, n, k, candidates, candidates_packed, drawn"
                        " from draw_stratum where draw_id = $1::bigint order by name collate \"C\"",
                        1, params, error);
  if (strata == NULL)
    return NULL;
  match = sui_pg_exec (call->conn,
                       "select jsonb_build_object ("
                       "  'order', coalesce (to_jsonb (m.stratum_order),"
                       "           (select jsonb_agg (x::text order by o)"
                       "            from unnest (m.object_order) with ordinality u (x, o))),"
                       "  'capacity', (select jsonb_object_agg (c.i::text, c.v)"
                       "               from unnest (m.capacity_ids, m.capacity_values) c (i, v)))::text"
                       " from matching m where m.draw_id = $1::bigint",
                       1, params, error);
  if (match == NULL)
    return NULL;

  add_member (members, "algorithm", string_or_null (draw, 0, E_ALGORITHM));
  add_member (members, "commitment", string_or_null (draw, 0, E_COMMITMENT));
  add_member (members, "secret", string_or_null (draw, 0, E_SECRET));
  if (PQgetisnull (draw, 0, E_ENTROPY) ||
      !json_parser_load_from_data (parser, PQgetvalue (draw, 0, E_ENTROPY), -1, NULL))
    add_member (members, "entropy", json_node_new (JSON_NODE_NULL));
  else
    add_member (members, "entropy", json_node_copy (json_parser_get_root (parser)));
  add_member (members, "candidate_hash", string_or_null (draw, 0, E_CANDIDATE_HASH));
  add_member (members, "seed", string_or_null (draw, 0, E_SEED));
  add_member (members, "result_hash", string_or_null (draw, 0, E_RESULT_HASH));
  add_member (members, "draw_id", int_or_null (draw, 0, E_ID));
  add_member (members, "task_id", int_or_null (draw, 0, E_TASK));
  add_member (members, "kind", string_or_null (draw, 0, E_KIND));
  add_member (members, "state", string_or_null (draw, 0, E_STATE));
  add_member (members, "committed_at", string_or_null (draw, 0, E_COMMITTED_AT));
  add_member (members, "run_by", int_or_null (draw, 0, E_RUN_BY));
  add_member (members, "run_by_name", string_or_null (draw, 0, E_RUN_BY_NAME));
  add_member (members, "run_at", string_or_null (draw, 0, E_RUN_AT));
  add_member (members, "replaces", int_or_null (draw, 0, E_REPLACES));
  add_member (members, "void_reason", string_or_null (draw, 0, E_VOID_REASON));
  add_member (members, "voided_at", string_or_null (draw, 0, E_VOIDED_AT));
  add_member (members, "void_approved_by", int_or_null (draw, 0, E_VOID_APPROVED_BY));

  list = json_array_sized_new (PQntuples (strata));
  for (int r = 0; r < PQntuples (strata); r++)
    {
      g_autoptr(GArray) stratum = members_new ();
      g_autoptr(GArray) drawn = g_array_new (FALSE, FALSE, sizeof (guint64));

      if (!stratum_candidates (strata, r, 4, values) || !column_ids (strata, r, 6, FALSE, drawn))
        {
          g_message ("draw %s: the candidates of a stratum cannot be read", draw_id);
          g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_INTERNAL,
                               "服务器内部错误，请稍后重试或联系管理员");
          return NULL;
        }
      add_member (stratum, "name", json_node_init_string (json_node_alloc (),
                                                          PQgetvalue (strata, r, 0)));
      add_member (stratum, "n", json_node_init_int (json_node_alloc (), column_int (strata, r, 2)));
      add_member (stratum, "k", PQgetisnull (strata, r, 3)
                                ? json_node_new (JSON_NODE_NULL)
                                : json_node_init_int (json_node_alloc (),
                                                      column_int (strata, r, 3)));
      add_member (stratum, "candidates", id_array_node (values));
      add_member (stratum, "drawn", id_array_node (drawn));
      if (!PQgetisnull (strata, r, 1))
        add_member (stratum, "ratio_bp", json_node_init_int (json_node_alloc (),
                                                             column_int (strata, r, 1)));
      json_array_add_element (list, object_of_members (stratum));
    }
  node = json_node_init_array (json_node_alloc (), list);
  add_member (members, "strata", node);

  /* A match: its order and capacities, as PostgreSQL builds them (a few thousand). */
  if (PQntuples (match) == 1)
    {
      g_autoptr(JsonParser) match_parser = json_parser_new_immutable ();
      JsonObject *extra;

      if (!json_parser_load_from_data (match_parser, PQgetvalue (match, 0, 0), -1, error))
        {
          g_clear_error (error);
          g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_INTERNAL,
                               "服务器内部错误，请稍后重试或联系管理员");
          return NULL;
        }
      extra = json_node_get_object (json_parser_get_root (match_parser));
      add_member (members, "order", json_node_copy (json_object_get_member (extra, "order")));
      add_member (members, "capacity",
                  json_node_copy (json_object_get_member (extra, "capacity")));
    }
  return object_of_members (members);
}

/* ---- draws.run ---------------------------------------------------------------------- */

static JsonNode *draw_details (SuiCall     *call,
                               const char  *id,
                               GError     **error);

static gboolean
get_entropy (SuiCall    *call,
             GPtrArray **out,
             GError    **error)
{
  JsonNode *node = json_object_get_member (call->params, "entropy");
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (g_free);
  JsonArray *array;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      sui_call_set_error_data (call, json_from_string ("{\"field\": \"entropy\", "
                                                       "\"reason\": \"is required\"}", NULL));
      g_set_error (error, SUI_RPC_ERROR, SUI_RPC_ERROR_INVALID_PARAMS,
                   "缺少参数 entropy");
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_ARRAY (node))
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
               "参数 entropy 须为字符串数组");
  return FALSE;
}

/* Everything of the run but the audit row of a failure; inside a savepoint. */
static JsonNode *
run_draw (SuiCall    *call,
          PGresult   *task,
          GPtrArray  *entropy,
          char      **draw_id_out,
          GError    **error)
{
  const char *task_state = PQgetvalue (task, 0, 1);
  g_autoptr(PGresult) draw = NULL;
  g_autoptr(PGresult) strata = NULL;
  g_autoptr(PGresult) step = NULL;
  g_autoptr(SuiDrawInput) input = sui_draw_input_new ();
  g_autoptr(SuiDrawResult) result = NULL;
  g_autoptr(GError) draw_error = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonNode) entropy_json = NULL;
  g_autofree char *entropy_text = NULL, *entropy_checked = NULL;
  g_autofree char *seed = NULL, *result_hash = NULL, *actor = NULL, *drawn_count = NULL;
  guint64 total = 0;
  guint8 stored_hash[SUI_DRAW_HASH_SIZE];
  const char *params[7];

  if (!g_str_equal (task_state, "ready"))
    {
      sui_state_error (error, g_str_equal (task_state, "draft")
                              ? "任务还是草稿：请先将任务设为就绪（冻结候选名单并公示承诺值），再进行摇号"
                              : "该任务已经摇号；如需重新摇号，请申请作废本次摇号并经市局批准");
      return NULL;
    }

  /* Entropy first: a typing slip of a witness is the likely failure. */
  entropy_checked = sui_draw_entropy_text (entropy, &draw_error);
  if (entropy_checked == NULL)
    {
      SuiValidation *v = sui_validation_new ();

      sui_validation_add (v, "entropy", "invalid", draw_error->message);
      sui_validation_finish (v, call, error);
      return NULL;
    }

  /* The secret is read from the table itself: draws.run is the one reader before the run. */
  params[0] = PQgetvalue (task, 0, 0);
  draw = sui_pg_exec (call->conn,
                      "select id, encode (secret, 'hex'), encode (candidate_hash, 'hex')"
                      " from draw where task_id = $1::bigint and kind = 'objects'"
                      " and state = 'committed' for update",
                      1, params, error);
  if (draw == NULL)
    return NULL;
  if (PQntuples (draw) != 1)
    {
      sui_state_error (error, "该任务没有待摇号的记录，请重新将任务设为就绪");
      return NULL;
    }
  *draw_id_out = g_strdup (PQgetvalue (draw, 0, 0));

  params[0] = PQgetvalue (draw, 0, 0);
  strata = exec_binary (call->conn,
                        "select name, ratio_bp, k, candidates, candidates_packed from draw_stratum"
                        " where draw_id = $1::bigint order by name collate \"C\"",
                        1, params, error);
  if (strata == NULL)
    return NULL;

  if (!sui_draw_input_set_secret_hex (input, PQgetvalue (draw, 0, 1), &draw_error))
    goto internal;
  for (guint i = 0; i < entropy->len; i++)
    sui_draw_input_add_entropy (input, g_ptr_array_index (entropy, i));
  for (int r = 0; r < PQntuples (strata); r++)
    {
      SuiDrawStratum *stratum =
        PQgetisnull (strata, r, 1)
        ? sui_draw_input_add_stratum_k (input, PQgetvalue (strata, r, 0),
                                        (guint) column_int (strata, r, 2))
        : sui_draw_input_add_stratum (input, PQgetvalue (strata, r, 0),
                                      (int) column_int (strata, r, 1));
      g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (guint64));

      /* In step-1 order: the draw has nothing to sort. */
      if (!stratum_candidates (strata, r, 3, values))
        {
          g_set_error_literal (&draw_error, SUI_DRAW_ERROR, SUI_DRAW_ERROR_INVALID,
                               "a stored candidate list cannot be read");
          goto internal;
        }
      add_candidates (input, stratum, values);
    }

  result = sui_draw_run (input, &draw_error);
  if (result == NULL)
    goto internal;

  /* The candidates must be those published at make_ready. */
  sui_draw_parse_hex (PQgetvalue (draw, 0, 2), stored_hash, sizeof stored_hash);
  if (memcmp (stored_hash, result->candidate_hash, sizeof stored_hash) != 0)
    {
      sui_state_error (error, "候选名单与就绪时公示的哈希不一致，摇号已停止；请联系管理员核查");
      return NULL;
    }

  for (guint i = 0; i < result->strata->len; i++)
    {
      SuiDrawStratumResult *stratum = g_ptr_array_index (result->strata, i);
      g_autoptr(GString) drawn = g_string_new ("{");
      g_autofree char *k = sui_pg_int_param (stratum->k);

      for (guint j = 0; j < stratum->drawn->len; j++)
        {
          if (j > 0)
            g_string_append_c (drawn, ',');
          g_string_append (drawn, g_ptr_array_index (stratum->drawn, j));
        }
      g_string_append_c (drawn, '}');
      total += stratum->k;

      params[0] = PQgetvalue (draw, 0, 0);
      params[1] = stratum->name;
      params[2] = k;
      params[3] = drawn->str;
      g_clear_pointer (&step, PQclear);
      step = sui_pg_exec (call->conn,
                          "update draw_stratum set k = $3::bigint, drawn = $4::bigint[]"
                          " where draw_id = $1::bigint and name = $2",
                          4, params, error);
      if (step == NULL)
        return NULL;
    }

  b = json_builder_new ();
  json_builder_begin_array (b);
  for (guint i = 0; i < entropy->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (entropy, i));
  json_builder_end_array (b);
  entropy_json = json_builder_get_root (b);
  entropy_text = sui_json_to_string (entropy_json);
  seed = sui_draw_hex (result->seed, SUI_DRAW_HASH_SIZE);
  result_hash = sui_draw_hex (result->result_hash, SUI_DRAW_HASH_SIZE);
  actor = sui_pg_int_param (call->user->id);
  drawn_count = sui_pg_int_param ((gint64) total);

  params[0] = PQgetvalue (draw, 0, 0);
  params[1] = entropy_text;
  params[2] = seed;
  params[3] = result_hash;
  params[4] = drawn_count;
  params[5] = actor;
  g_clear_pointer (&step, PQclear);
  step = sui_pg_exec (call->conn,
                      "update draw set state = 'run', entropy = $2::jsonb,"
                      " seed = decode ($3, 'hex'), result_hash = decode ($4, 'hex'),"
                      " drawn_count = $5::bigint, run_by = $6::bigint, run_at = now ()"
                      " where id = $1::bigint",
                      6, params, error);
  if (step == NULL)
    return NULL;

  params[0] = PQgetvalue (task, 0, 0);
  g_clear_pointer (&step, PQclear);
  step = sui_pg_exec (call->conn,
                      "update task set state = 'objects_drawn', version = version + 1,"
                      " updated_at = now () where id = $1::bigint",
                      1, params, error);
  if (step == NULL)
    return NULL;
  /* The secret of the inspector match is committed now, before anyone gives its entropy. */
  if (!sui_matching_commit (call, PQgetvalue (task, 0, 0), error))
    return NULL;

  if (!audit_draw (call, PQgetvalue (draw, 0, 0), "run", NULL, error))
    return NULL;
  /* Not the whole record: with a million candidates that is for draws.export. */
  return draw_details (call, PQgetvalue (draw, 0, 0), error);

internal:
  g_message ("draw of task %s: %s", PQgetvalue (task, 0, 0), draw_error->message);
  g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_INTERNAL,
                       "摇号计算失败，未保存任何结果；请联系管理员");
  return NULL;
}

/* Runs the committed draw of a task. A run that fails leaves nothing of itself but an
 * audit row saying so: the work is done in a savepoint that is rolled back, and the
 * transaction is committed with that row only. */
static JsonNode *
draws_run (SuiCall  *call,
           GError  **error)
{
  gint64 task_id = 0;
  g_autofree char *task_text = NULL;
  g_autofree char *draw_id = NULL;
  g_autoptr(GPtrArray) entropy = NULL;
  g_autoptr(PGresult) task = NULL;
  g_autoptr(PGresult) mark = NULL;
  g_autoptr(GError) failure = NULL;
  g_autoptr(JsonNode) record = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonNode) after = NULL;
  g_autoptr(PGresult) undo = NULL;
  const char *params[1];

  if (!sui_call_get_int (call, "task_id", TRUE, &task_id, error) ||
      !get_entropy (call, &entropy, error))
    return NULL;

  task_text = sui_pg_int_param (task_id);
  params[0] = task_text;
  task = sui_pg_exec (call->conn,
                      "select id, state, unit_id from task where id = $1::bigint for update",
                      1, params, error);
  if (task == NULL)
    return NULL;
  if (PQntuples (task) != 1)
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_FOUND,
                           "该抽查任务不存在，请刷新后再试");
      return NULL;
    }
  if (!sui_plans_check_unit (call, sui_pg_get_int (task, 0, 2), "抽查任务", error))
    return NULL;

  mark = sui_pg_exec (call->conn, "savepoint draw_run", 0, NULL, error);
  if (mark == NULL)
    return NULL;

  record = run_draw (call, task, entropy, &draw_id, &failure);
  if (record != NULL)
    return g_steal_pointer (&record);

  /* Keep the attempt on record, then answer with what went wrong. */
  undo = sui_pg_exec (call->conn, "rollback to savepoint draw_run", 0, NULL, NULL);
  if (undo != NULL)
    {
      g_autoptr(GError) audit_error = NULL;
      g_autoptr(JsonNode) data = NULL;

      b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "event");
      json_builder_add_string_value (b, "run_failed");
      json_builder_set_member_name (b, "task_id");
      json_builder_add_int_value (b, task_id);
      json_builder_set_member_name (b, "error_code");
      json_builder_add_int_value (b, failure->code);
      json_builder_set_member_name (b, "error");
      json_builder_add_string_value (b, failure->message);
      json_builder_set_member_name (b, "entropy");
      json_builder_begin_array (b);
      for (guint i = 0; i < entropy->len; i++)
        json_builder_add_string_value (b, g_ptr_array_index (entropy, i));
      json_builder_end_array (b);
      json_builder_end_object (b);
      after = json_builder_get_root (b);

      /* The validation data of the failure must survive the audit call. */
      data = call->error_data != NULL ? json_node_ref (call->error_data) : NULL;
      /* Without a draw (wrong state, bad entropy) the row names the task in `after`. */
      if (sui_audit_append (call, "draws", draw_id, NULL, after, &audit_error))
        call->commit_on_error = TRUE;
      else
        g_message ("could not audit a failed draw of task %s: %s", task_text,
                   audit_error->message);
      sui_call_set_error_data (call, g_steal_pointer (&data));
    }
  g_propagate_error (error, g_steal_pointer (&failure));
  return NULL;
}

/* ---- draws.get, draws.list, draws.export ------------------------------------------- */

static JsonNode *
draw_details (SuiCall     *call,
              const char  *id,
              GError     **error)
{
  const char *params[1] = { id };

  return sui_pg_query_json (call->conn,
                            "select " SUI_DRAW_SUMMARY_SQL " || jsonb_build_object ("
                            " 'task_name', (select t.name from task t where t.id = d.task_id),"
                            " 'strata', coalesce ((select jsonb_agg (jsonb_build_object ("
                            "     'name', s.name, 'ratio_bp', s.ratio_bp, 'n', s.n, 'k', s.k,"
                            "     'drawn', (select jsonb_agg (u.x::text order by u.o)"
                            "               from unnest (s.drawn) with ordinality u (x, o)))"
                            "     order by s.name collate \"C\")"
                            "   from draw_stratum s where s.draw_id = d.id), '[]'))"
                            " from draw_public d where d.id = $1::bigint",
                            1, params, error);
}

static JsonNode *
draws_get (SuiCall  *call,
           GError  **error)
{
  gint64 id = 0;
  g_autoptr(PGresult) row = NULL;

  if (!sui_call_get_int (call, "id", TRUE, &id, error))
    return NULL;
  row = load_draw (call, id, FALSE, error);
  if (row == NULL)
    return NULL;
  return draw_details (call, PQgetvalue (row, 0, D_ID), error);
}

static JsonNode *
draws_list (SuiCall  *call,
            GError  **error)
{
  gint64 task_id = 0;
  g_autofree char *task_text = NULL;
  g_autoptr(PGresult) task = NULL;
  const char *params[1];

  if (!sui_call_get_int (call, "task_id", TRUE, &task_id, error))
    return NULL;
  task_text = sui_pg_int_param (task_id);
  params[0] = task_text;
  task = sui_pg_exec (call->conn, "select unit_id from task where id = $1::bigint",
                      1, params, error);
  if (task == NULL)
    return NULL;
  if (PQntuples (task) != 1)
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_FOUND,
                           "该抽查任务不存在，请刷新后再试");
      return NULL;
    }
  if (!sui_plans_check_unit (call, sui_pg_get_int (task, 0, 0), "抽查任务", error))
    return NULL;
  return sui_pg_query_json (call->conn,
                            "select jsonb_build_object ('items', coalesce (jsonb_agg ("
                            SUI_DRAW_SUMMARY_SQL " order by d.id), '[]'))"
                            " from draw_public d where d.task_id = $1::bigint",
                            1, params, error);
}

static JsonNode *
draws_export (SuiCall  *call,
              GError  **error)
{
  gint64 id = 0;
  g_autoptr(PGresult) row = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *record;

  if (!sui_call_get_int (call, "id", TRUE, &id, error))
    return NULL;
  row = load_draw (call, id, FALSE, error);
  if (row == NULL)
    return NULL;
  record = export_record (call, PQgetvalue (row, 0, D_ID), &local_error);
  if (record == NULL && local_error == NULL)
    sui_state_error (&local_error, "尚未摇号：摇号前只公示承诺值和候选名单哈希，摇号后才能导出完整记录");
  if (record == NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return record;
}

/* ---- draws.verify ------------------------------------------------------------------- */

static void
add_id_array (JsonBuilder *b,
              const char  *array_text)
{
  const char *p = array_text;

  json_builder_begin_array (b);
  if (*p == '{')
    p++;
  while (*p != '\0' && *p != '}')
    {
      const char *end = p;
      char id[24];

      while (*end != ',' && *end != '}' && *end != '\0')
        end++;
      if (end > p && (gsize) (end - p) < sizeof id)
        {
          memcpy (id, p, end - p);
          id[end - p] = '\0';
          json_builder_add_string_value (b, id);
        }
      p = *end == ',' ? end + 1 : end;
    }
  json_builder_end_array (b);
}

/* The order and capacities of an inspector match (shuangsui-match/1), if it is one. */
static gboolean
add_match_members (SuiCall      *call,
                   JsonBuilder  *b,
                   const char   *draw_id,
                   GError      **error)
{
  const char *params[1] = { draw_id };
  g_autoptr(PGresult) match = NULL;
  g_auto(GStrv) ids = NULL, values = NULL;

  match = sui_pg_exec (call->conn,
                       "select coalesce (stratum_order::text, object_order::text),"
                       " array_to_string (capacity_ids, ','), array_to_string (capacity_values, ',')"
                       " from matching where draw_id = $1::bigint",
                       1, params, error);
  if (match == NULL)
    return FALSE;
  if (PQntuples (match) != 1)
    return TRUE;
  json_builder_set_member_name (b, "order");
  add_id_array (b, PQgetvalue (match, 0, 0));
  json_builder_set_member_name (b, "capacity");
  json_builder_begin_object (b);
  ids = g_strsplit (PQgetvalue (match, 0, 1), ",", -1);
  values = g_strsplit (PQgetvalue (match, 0, 2), ",", -1);
  for (guint i = 0; ids[i] != NULL && values[i] != NULL && *ids[i] != '\0'; i++)
    {
      json_builder_set_member_name (b, ids[i]);
      json_builder_add_int_value (b, g_ascii_strtoll (values[i], NULL, 10));
    }
  json_builder_end_object (b);
  return TRUE;
}

/* The same record as export_record (the members verification reads), built here from the
 * arrays as stored: sorting and aggregating a million ids as jsonb in PostgreSQL takes
 * seconds, and a record's candidates may come in any order. NULL without error before
 * the run. */
static JsonNode *
verify_record (SuiCall     *call,
               const char  *draw_id,
               PGresult   **strata_out,
               GError     **error)
{
  const char *params[1] = { draw_id };
  g_autoptr(PGresult) draw = NULL;
  g_autoptr(PGresult) strata = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  static const char *const hex_members[] = { "commitment", "secret", "candidate_hash", "seed",
                                             "result_hash" };

  draw = sui_pg_exec (call->conn,
                      "select algorithm, encode (commitment, 'hex'), encode (secret, 'hex'),"
                      " encode (candidate_hash, 'hex'), encode (seed, 'hex'),"
                      " encode (result_hash, 'hex'), entropy::text"
                      " from draw_public where id = $1::bigint and run_at is not null",
                      1, params, error);
  if (draw == NULL || PQntuples (draw) != 1)
    return NULL;
  strata = exec_binary (call->conn,
                        "select name, ratio_bp, n, k, candidates, candidates_packed, drawn"
                        " from draw_stratum where draw_id = $1::bigint",
                        1, params, error);
  if (strata == NULL)
    return NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "algorithm");
  json_builder_add_string_value (b, PQgetvalue (draw, 0, 0));
  for (guint i = 0; i < G_N_ELEMENTS (hex_members); i++)
    {
      json_builder_set_member_name (b, hex_members[i]);
      json_builder_add_string_value (b, PQgetvalue (draw, 0, 1 + (int) i));
    }
  json_builder_set_member_name (b, "entropy");
  json_builder_add_value (b, json_from_string (PQgetvalue (draw, 0, 6), NULL));
  json_builder_set_member_name (b, "strata");
  json_builder_begin_array (b);
  for (int r = 0; r < PQntuples (strata); r++)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, PQgetvalue (strata, r, 0));
      g_autoptr(GArray) drawn = g_array_new (FALSE, FALSE, sizeof (guint64));

      if (!PQgetisnull (strata, r, 1))
        {
          json_builder_set_member_name (b, "ratio_bp");
          json_builder_add_int_value (b, column_int (strata, r, 1));
        }
      json_builder_set_member_name (b, "n");
      json_builder_add_int_value (b, column_int (strata, r, 2));
      json_builder_set_member_name (b, "k");
      json_builder_add_int_value (b, column_int (strata, r, 3));
      /* Left empty here: fill_candidates() puts them straight into the input. */
      json_builder_set_member_name (b, "candidates");
      json_builder_begin_array (b);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "drawn");
      json_builder_begin_array (b);
      if (column_ids (strata, r, 6, FALSE, drawn))
        for (guint i = 0; i < drawn->len; i++)
          {
            char id[ID_TEXT_SIZE];

            g_snprintf (id, sizeof id, "%" G_GUINT64_FORMAT, g_array_index (drawn, guint64, i));
            json_builder_add_string_value (b, id);
          }
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  if (!add_match_members (call, b, draw_id, error))
    return NULL;
  json_builder_end_object (b);
  *strata_out = g_steal_pointer (&strata);
  return json_builder_get_root (b);
}

/* The candidates of each stratum, from the binary rows of verify_record() (in the order of
 * the record's strata, so of the input's), into the input's string chunk in step-1 order
 * (the draw then has nothing to sort). FALSE when a stored list cannot be read. */
static gboolean
fill_candidates (SuiDrawInput *input,
                 PGresult     *strata)
{
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (guint64));

  for (int r = 0; r < PQntuples (strata) && (guint) r < input->strata->len; r++)
    {
      if (!stratum_candidates (strata, r, 4, values))
        return FALSE;
      add_candidates (input, g_ptr_array_index (input->strata, r), values);
    }
  return TRUE;
}

static const char *
step_code (GError *error)
{
  static const char *const codes[] = {
    [SUI_DRAW_ERROR_INVALID] = "invalid",
    [SUI_DRAW_ERROR_UNSUPPORTED] = "unsupported",
    [SUI_DRAW_ERROR_COMMITMENT] = "commitment",
    [SUI_DRAW_ERROR_CANDIDATE_HASH] = "candidate_hash",
    [SUI_DRAW_ERROR_SEED] = "seed",
    [SUI_DRAW_ERROR_COUNT] = "count",
    [SUI_DRAW_ERROR_RESULT] = "result",
    [SUI_DRAW_ERROR_RESULT_HASH] = "result_hash",
  };

  if (error->domain == SUI_DRAW_ERROR && error->code >= 0 &&
      (gsize) error->code < G_N_ELEMENTS (codes))
    return codes[error->code];
  return "invalid";
}

/* Recomputes the stored record, then compares its commitment and candidate hash with the
 * ones published (in the hash-chained audit log) when the draw was committed, and its
 * result hash with the one published when it was run. */
static JsonNode *
draws_verify (SuiCall  *call,
              GError  **error)
{
  gint64 id = 0;
  g_autoptr(PGresult) row = NULL;
  g_autoptr(PGresult) published = NULL;
  g_autoptr(JsonNode) record = NULL;
  g_autoptr(PGresult) strata = NULL;
  g_autoptr(SuiDrawInput) input = NULL;
  g_autoptr(GError) verify_error = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *problem = NULL;
  const char *step = NULL;
  const char *params[1];
  JsonObject *object;
  gint64 t0 = g_get_monotonic_time (), t_read = 0, t_published = 0, t_filled = 0;

  if (!sui_call_get_int (call, "id", TRUE, &id, error))
    return NULL;
  row = load_draw (call, id, FALSE, error);
  if (row == NULL)
    return NULL;
  params[0] = PQgetvalue (row, 0, D_ID);

  record = verify_record (call, params[0], &strata, error);
  if (record == NULL)
    {
      if (error == NULL || *error == NULL)
        sui_state_error (error, "尚未摇号，无法核验；摇号前可核对已公示的承诺值和候选名单哈希");
      return NULL;
    }
  object = json_node_get_object (record);
  t_read = g_get_monotonic_time ();

  published = sui_pg_exec (call->conn,
                           "select (select a.after ->> 'commitment' from audit_log a"
                           "        where a.area = 'draws' and a.record_id = $1"
                           "          and a.after ->> 'event' = 'committed'"
                           "        order by a.seq limit 1),"
                           "       (select a.after ->> 'candidate_hash' from audit_log a"
                           "        where a.area = 'draws' and a.record_id = $1"
                           "          and a.after ->> 'event' = 'committed'"
                           "        order by a.seq limit 1),"
                           "       (select a.after ->> 'result_hash' from audit_log a"
                           "        where a.area = 'draws' and a.record_id = $1"
                           "          and a.after ->> 'event' = 'run'"
                           "        order by a.seq limit 1),"
                           "       (select to_json (a.at) #>> '{}' from audit_log a"
                           "        where a.area = 'draws' and a.record_id = $1"
                           "          and a.after ->> 'event' = 'committed'"
                           "        order by a.seq limit 1)",
                           1, params, error);
  if (published == NULL)
    return NULL;

  t_published = g_get_monotonic_time ();
  input = sui_draw_input_new_from_record (record, &verify_error);
  if (input != NULL && !fill_candidates (input, strata))
    g_set_error_literal (&verify_error, SUI_DRAW_ERROR, SUI_DRAW_ERROR_INVALID,
                         "数据库中保存的候选名单无法读取，记录不完整");
  t_filled = g_get_monotonic_time ();
  if (input == NULL || verify_error != NULL ||
      !sui_draw_verify_input (input, record, &verify_error))
    {
      step = step_code (verify_error);
      problem = g_strdup (verify_error->message);
    }
  else
    {
      static const struct { const char *member; int column; const char *code; const char *label; }
      checks[] = {
        { "commitment", 0, "published_commitment", "承诺值" },
        { "candidate_hash", 1, "published_candidate_hash", "候选名单哈希" },
        { "result_hash", 2, "published_result_hash", "结果哈希" },
      };

      for (gsize i = 0; i < G_N_ELEMENTS (checks) && step == NULL; i++)
        {
          const char *recorded = json_object_get_string_member (object, checks[i].member);

          if (PQgetisnull (published, 0, checks[i].column))
            {
              step = checks[i].code;
              problem = g_strdup_printf ("审计日志中找不到公示的%s，无法证明这就是当时公示的摇号",
                                         checks[i].label);
            }
          else if (g_ascii_strcasecmp (recorded, PQgetvalue (published, 0, checks[i].column)) != 0)
            {
              step = checks[i].code;
              problem = g_strdup_printf ("%s与公示的不一致：记录为 %s，公示为 %s",
                                         checks[i].label, recorded,
                                         PQgetvalue (published, 0, checks[i].column));
            }
        }
    }

  /* Where the time of a large verification goes (G_MESSAGES_DEBUG=all shows it). */
  g_debug ("verify of draw %s: read %.0f ms, published values %.0f ms, candidates %.0f ms,"
           " re-run %.0f ms", params[0], (t_read - t0) / 1000.0, (t_published - t_read) / 1000.0,
           (t_filled - t_published) / 1000.0, (g_get_monotonic_time () - t_filled) / 1000.0);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ok");
  json_builder_add_boolean_value (b, step == NULL);
  json_builder_set_member_name (b, "draw_id");
  json_builder_add_int_value (b, id);
  json_builder_set_member_name (b, "algorithm");
  json_builder_add_string_value (b, json_object_get_string_member (object, "algorithm"));
  json_builder_set_member_name (b, "step");
  if (step != NULL)
    json_builder_add_string_value (b, step);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "problem");
  if (problem != NULL)
    json_builder_add_string_value (b, problem);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "published");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "commitment");
  json_builder_add_string_value (b, PQgetvalue (published, 0, 0));
  json_builder_set_member_name (b, "candidate_hash");
  json_builder_add_string_value (b, PQgetvalue (published, 0, 1));
  json_builder_set_member_name (b, "result_hash");
  json_builder_add_string_value (b, PQgetvalue (published, 0, 2));
  json_builder_set_member_name (b, "committed_at");
  json_builder_add_string_value (b, PQgetvalue (published, 0, 3));
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* ---- voiding ------------------------------------------------------------------------ */

static JsonNode *
draw_summary (SuiCall     *call,
              const char  *id,
              GError     **error)
{
  const char *params[1] = { id };

  return sui_pg_query_json (call->conn,
                            "select " SUI_DRAW_SUMMARY_SQL " from draw_public d"
                            " where d.id = $1::bigint",
                            1, params, error);
}

static JsonNode *
draws_request_void (SuiCall  *call,
                    GError  **error)
{
  gint64 id = 0;
  const char *reason_param = NULL;
  g_autofree char *reason = NULL, *actor = NULL;
  g_autoptr(PGresult) row = NULL;
  g_autoptr(PGresult) done = NULL;
  SuiValidation *v;
  const char *params[3];

  if (!sui_call_get_int (call, "id", TRUE, &id, error) ||
      !sui_call_get_string (call, "reason", TRUE, &reason_param, error))
    return NULL;
  row = load_draw (call, id, TRUE, error);
  if (row == NULL)
    return NULL;
  if (!g_str_equal (PQgetvalue (row, 0, D_STATE), "run"))
    {
      sui_state_error (error, g_str_equal (PQgetvalue (row, 0, D_STATE), "voided")
                              ? "该摇号已经作废"
                              : "尚未摇号，不需要作废；请先进行摇号");
      return NULL;
    }
  if (sui_pg_get_bool (row, 0, D_VOID_REQUESTED))
    {
      sui_state_error (error, "已经申请作废，正在等待市局审批");
      return NULL;
    }

  reason = g_strstrip (g_strdup (reason_param));
  v = sui_validation_new ();
  if (*reason == '\0')
    sui_validation_add (v, "reason", "required", "请填写作废理由");
  else if (g_utf8_strlen (reason, -1) > 500)
    sui_validation_add (v, "reason", "too_long", "作废理由不能超过 500 个字符，请缩短");
  if (!sui_validation_finish (v, call, error))
    return NULL;

  actor = sui_pg_int_param (call->user->id);
  params[0] = PQgetvalue (row, 0, D_ID);
  params[1] = reason;
  params[2] = actor;
  done = sui_pg_exec (call->conn,
                      "update draw set void_reason = $2, void_requested_by = $3::bigint,"
                      " void_requested_at = now () where id = $1::bigint",
                      3, params, error);
  if (done == NULL || !audit_draw (call, params[0], "void_requested", NULL, error))
    return NULL;
  return draw_summary (call, params[0], error);
}

static JsonNode *
draws_reject_void (SuiCall  *call,
                   GError  **error)
{
  gint64 id = 0;
  const char *reason_param = NULL;
  g_autofree char *reason = NULL;
  g_autoptr(PGresult) row = NULL;
  g_autoptr(PGresult) done = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) extra = NULL;
  SuiValidation *v;
  const char *params[1];

  if (!sui_call_get_int (call, "id", TRUE, &id, error) ||
      !sui_call_get_string (call, "reason", TRUE, &reason_param, error))
    return NULL;
  row = load_draw (call, id, TRUE, error);
  if (row == NULL)
    return NULL;
  if (!g_str_equal (PQgetvalue (row, 0, D_STATE), "run") ||
      !sui_pg_get_bool (row, 0, D_VOID_REQUESTED))
    {
      sui_state_error (error, "该摇号没有待审批的作废申请");
      return NULL;
    }
  reason = g_strstrip (g_strdup (reason_param));
  v = sui_validation_new ();
  if (*reason == '\0')
    sui_validation_add (v, "reason", "required", "请填写驳回理由");
  if (!sui_validation_finish (v, call, error))
    return NULL;

  /* The request (with its reason) is in the audit log; the draw goes back to plain run. */
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "reject_reason");
  json_builder_add_string_value (b, reason);
  json_builder_end_object (b);
  extra = json_builder_get_root (b);

  params[0] = PQgetvalue (row, 0, D_ID);
  done = sui_pg_exec (call->conn,
                      "update draw set void_reason = null, void_requested_by = null,"
                      " void_requested_at = null where id = $1::bigint",
                      1, params, error);
  if (done == NULL || !audit_draw (call, params[0], "void_rejected", extra, error))
    return NULL;
  return draw_summary (call, params[0], error);
}

/* The admin approves a void: the draw stays, voided; the task goes back to ready with a
 * new committed draw over the same frozen candidates and a new secret. */
static JsonNode *
draws_approve_void (SuiCall  *call,
                    GError  **error)
{
  gint64 id = 0;
  g_autoptr(PGresult) row = NULL;
  g_autoptr(PGresult) step = NULL;
  g_autoptr(PGresult) made = NULL;
  g_autofree char *actor = NULL, *secret = NULL, *commitment = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  const char *params[4];

  if (!sui_call_get_int (call, "id", TRUE, &id, error))
    return NULL;
  row = load_draw (call, id, TRUE, error);
  if (row == NULL)
    return NULL;
  if (!g_str_equal (PQgetvalue (row, 0, D_STATE), "run") ||
      !sui_pg_get_bool (row, 0, D_VOID_REQUESTED))
    {
      sui_state_error (error, "该摇号没有待审批的作废申请；请先由直属单位提出作废申请并说明理由");
      return NULL;
    }
  if (g_str_equal (PQgetvalue (row, 0, D_KIND), "objects") &&
      !g_str_equal (PQgetvalue (row, 0, D_TASK_STATE), "objects_drawn"))
    {
      sui_state_error (error, "任务已匹配检查人员或已开始检查，请先作废人员匹配，再作废对象摇号");
      return NULL;
    }

  if (g_str_equal (PQgetvalue (row, 0, D_KIND), "inspectors") &&
      !g_str_equal (PQgetvalue (row, 0, D_TASK_STATE), "inspectors_drawn"))
    {
      sui_state_error (error, "任务已开始检查，不能再作废人员匹配");
      return NULL;
    }

  actor = sui_pg_int_param (call->user->id);
  params[0] = PQgetvalue (row, 0, D_ID);
  params[1] = actor;
  step = sui_pg_exec (call->conn,
                      "update draw set state = 'voided', void_approved_by = $2::bigint,"
                      " voided_at = now () where id = $1::bigint",
                      2, params, error);
  if (step == NULL || !audit_draw (call, params[0], "voided", NULL, error))
    return NULL;
  g_clear_pointer (&step, PQclear);

  /* A voided match keeps its assignments and exclusions (as history); the task goes back
   * to objects_drawn and the next match gets a new committed secret. */
  if (g_str_equal (PQgetvalue (row, 0, D_KIND), "inspectors"))
    {
      params[0] = PQgetvalue (row, 0, D_TASK);
      step = sui_pg_exec (call->conn,
                          "update task set state = 'objects_drawn', version = version + 1,"
                          " updated_at = now () where id = $1::bigint",
                          1, params, error);
      if (step == NULL || !sui_matching_commit (call, PQgetvalue (row, 0, D_TASK), error))
        return NULL;
      {
        g_autoptr(JsonNode) voided = draw_summary (call, PQgetvalue (row, 0, D_ID), error);

        if (voided == NULL)
          return NULL;
        json_builder_begin_object (b);
        json_builder_set_member_name (b, "voided");
        json_builder_add_value (b, g_steal_pointer (&voided));
        json_builder_set_member_name (b, "next");
        json_builder_add_null_value (b);
        json_builder_end_object (b);
      }
      return json_builder_get_root (b);
    }

  sui_draws_new_secret (&secret, &commitment);
  params[1] = secret;
  params[2] = commitment;
  params[3] = actor;
  made = sui_pg_exec (call->conn,
                      "insert into draw (task_id, kind, algorithm, replaces, secret, commitment,"
                      "                  candidate_hash, candidate_count, committed_by)"
                      " select task_id, kind, algorithm, id, decode ($2, 'hex'),"
                      "        decode ($3, 'hex'), candidate_hash, candidate_count, $4::bigint"
                      " from draw where id = $1::bigint returning id",
                      4, params, error);
  if (made == NULL)
    return NULL;
  params[1] = PQgetvalue (made, 0, 0);
  step = sui_pg_exec (call->conn,
                      "insert into draw_stratum (draw_id, name, ratio_bp, k, n, candidates,"
                      "                          candidates_packed)"
                      " select $2::bigint, name, ratio_bp,"
                      "        case when ratio_bp is null then k end, n, candidates,"
                      "        candidates_packed"
                      " from draw_stratum where draw_id = $1::bigint",
                      2, params, error);
  if (step == NULL)
    return NULL;
  g_clear_pointer (&step, PQclear);

  params[0] = PQgetvalue (row, 0, D_TASK);
  step = sui_pg_exec (call->conn,
                      "update task set state = 'ready', version = version + 1,"
                      " updated_at = now () where id = $1::bigint",
                      1, params, error);
  if (step == NULL || !sui_draws_audit_committed (call, PQgetvalue (made, 0, 0), error))
    return NULL;

  {
    g_autoptr(JsonNode) voided = draw_summary (call, PQgetvalue (row, 0, D_ID), error);
    g_autoptr(JsonNode) next = NULL;

    if (voided == NULL)
      return NULL;
    next = draw_summary (call, PQgetvalue (made, 0, 0), error);
    if (next == NULL)
      return NULL;
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "voided");
    json_builder_add_value (b, g_steal_pointer (&voided));
    json_builder_set_member_name (b, "next");
    json_builder_add_value (b, g_steal_pointer (&next));
    json_builder_end_object (b);
  }
  return json_builder_get_root (b);
}

static const SuiMethod draws_methods[] = {
  {
    .name = "draws.run",
    .roles = SUI_ROLE_SUPERVISOR,
    .writes = TRUE,
    .params = "task_id:integer, entropy:array",
    .summary = "Run a ready task's object draw with the entropy given in public",
    .handler = draws_run,
  },
  {
    .name = "draws.get",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .params = "id:integer",
    .summary = "A draw with its strata and drawn ids (the secret only after the run)",
    .handler = draws_get,
  },
  {
    .name = "draws.list",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .params = "task_id:integer",
    .summary = "Every draw of a task, voided ones included",
    .handler = draws_list,
  },
  {
    .name = "draws.export",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .params = "id:integer",
    .summary = "The full record of a run draw (docs/draw-algorithm.md), for --verify-draw",
    .handler = draws_export,
  },
  {
    .name = "draws.verify",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .params = "id:integer",
    .summary = "Recompute a draw and compare it with what was published before and at the run",
    .handler = draws_verify,
  },
  {
    .name = "draws.request_void",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "id:integer, reason:string",
    .summary = "Ask to void a run draw, with a reason",
    .handler = draws_request_void,
  },
  {
    .name = "draws.approve_void",
    .roles = SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "id:integer",
    .summary = "Void a draw (it stays on record); the task gets a new secret and is ready again",
    .handler = draws_approve_void,
  },
  {
    .name = "draws.reject_void",
    .roles = SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "id:integer, reason:string",
    .summary = "Refuse a request to void a draw, with a reason",
    .handler = draws_reject_void,
  },
};

void
sui_draws_register (void)
{
  sui_methods_register (draws_methods, G_N_ELEMENTS (draws_methods));
}
