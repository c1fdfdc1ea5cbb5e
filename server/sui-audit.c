/* sui-audit.c: appending to the audit log, audit.list and audit.verify
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Numbering and chaining happen in SQL (sui_audit_append and sui_audit_hash of
 * migration 0001), so that every daemon on one database appends the same way. The
 * check walks the log in keyset batches inside one snapshot, never as one big result.
 */
#include "sui-audit.h"

#include <string.h>

#include "sui-pg.h"

#define VERIFY_BATCH 1000
#define ZERO_HASH_HEX "0000000000000000000000000000000000000000000000000000000000000000"

static gboolean
append_row (PGconn      *conn,
            const char  *actor_id,
            const char  *actor_login,
            const char  *method,
            const char  *area,
            const char  *record_id,
            JsonNode    *before,
            JsonNode    *after,
            const char  *peer,
            GError     **error)
{
  g_autofree char *before_text = sui_json_to_string (before);
  g_autofree char *after_text = sui_json_to_string (after);
  g_autoptr(PGresult) result = NULL;
  const char *params[8] = {
    actor_id, actor_login, method, area, record_id, before_text, after_text, peer,
  };

  result = sui_pg_exec (conn,
                        "select sui_audit_append ($1::bigint, $2, $3, $4, $5, $6::jsonb,"
                        " $7::jsonb, $8)",
                        8, params, error);
  return result != NULL;
}

gboolean
sui_audit_append (SuiCall     *call,
                  const char  *area,
                  const char  *record_id,
                  JsonNode    *before,
                  JsonNode    *after,
                  GError     **error)
{
  g_autofree char *actor_id = NULL;
  const char *actor_login = "anonymous";

  if (call->user != NULL)
    {
      actor_id = sui_pg_int_param (call->user->id);
      actor_login = call->user->login;
    }

  return append_row (call->conn, actor_id, actor_login, call->method, area, record_id,
                     before, after, call->peer, error);
}

gboolean
sui_audit_append_system (PGconn      *conn,
                         const char  *method,
                         const char  *area,
                         const char  *record_id,
                         JsonNode    *before,
                         JsonNode    *after,
                         GError     **error)
{
  return append_row (conn, NULL, "system", method, area, record_id, before, after, NULL,
                     error);
}

/* ---- audit.list ------------------------------------------------------------------- */

static JsonNode *
audit_list (SuiCall  *call,
            GError  **error)
{
  const char *area = NULL;
  const char *method = NULL;
  gint64 actor_id = 0;
  gint64 after = 0;
  gint64 limit = 100;
  g_autofree char *actor_text = NULL;
  g_autofree char *after_text = NULL;
  g_autofree char *limit_text = NULL;
  const char *params[5];

  if (!sui_call_get_string (call, "area", FALSE, &area, error) ||
      !sui_call_get_string (call, "method", FALSE, &method, error) ||
      !sui_call_get_int (call, "actor_id", FALSE, &actor_id, error) ||
      !sui_call_get_int (call, "after", FALSE, &after, error) ||
      !sui_call_get_int (call, "limit", FALSE, &limit, error))
    return NULL;

  if (!sui_call_page_params (call, after, limit, &after_text, &limit_text, error))
    return NULL;

  if (sui_call_has (call, "actor_id"))
    actor_text = sui_pg_int_param (actor_id);

  params[0] = area;
  params[1] = actor_text;
  params[2] = method;
  params[3] = after_text;
  params[4] = limit_text;

  /* One row more than asked tells whether there is a next page. */
  return sui_pg_query_json (call->conn,
    "with page as ("
    "  select a.*, row_number () over (order by a.seq desc) as rn"
    "  from (select * from audit_log"
    "        where ($1::text is null or area = $1)"
    "          and ($2::bigint is null or actor_id = $2)"
    "          and ($3::text is null or method = $3)"
    "          and ($4::bigint is null or seq < $4)"
    "        order by seq desc limit $5::int + 1) a)"
    " select json_build_object ("
    "   'items', coalesce (json_agg (json_build_object ("
    "       'seq', seq, 'at', at, 'actor_id', actor_id, 'actor_login', actor_login,"
    "       'method', method, 'area', area, 'record_id', record_id,"
    "       'before', before, 'after', after, 'peer', peer) order by seq desc)"
    "     filter (where rn <= $5::int), '[]'::json),"
    "   'next_after', case when count (*) > $5::int"
    "                      then min (seq) filter (where rn <= $5::int) end)"
    " from page",
    5, params, error);
}

/* ---- audit.verify ----------------------------------------------------------------- */

static JsonNode *
verify_result (gboolean    ok,
               gint64      rows,
               gint64      first_bad_seq,
               const char *problem)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "ok");
  json_builder_add_boolean_value (builder, ok);
  json_builder_set_member_name (builder, "rows");
  json_builder_add_int_value (builder, rows);
  json_builder_set_member_name (builder, "first_bad_seq");
  if (ok)
    json_builder_add_null_value (builder);
  else
    json_builder_add_int_value (builder, first_bad_seq);
  json_builder_set_member_name (builder, "problem");
  if (ok)
    json_builder_add_null_value (builder);
  else
    json_builder_add_string_value (builder, problem);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static JsonNode *
audit_verify (SuiCall  *call,
              GError  **error)
{
  g_autoptr(PGresult) head = NULL;
  g_autofree char *prev_hash = g_strdup (ZERO_HASH_HEX);
  gint64 expected = 1;
  gint64 rows = 0;
  gint64 last_seq;
  const char *last_hash;

  /* One snapshot for every batch and for the head, so that rows appended meanwhile
   * by others neither look missing nor get half-checked. */
  head = sui_pg_exec (call->conn, "set transaction isolation level repeatable read",
                      0, NULL, error);
  if (head == NULL)
    return NULL;
  g_clear_pointer (&head, PQclear);

  head = sui_pg_exec (call->conn,
                      "select last_seq, encode (last_hash, 'hex') from audit_head",
                      0, NULL, error);
  if (head == NULL)
    return NULL;
  if (PQntuples (head) != 1)
    return verify_result (FALSE, 0, 1, "missing");
  last_seq = g_ascii_strtoll (PQgetvalue (head, 0, 0), NULL, 10);
  last_hash = PQgetvalue (head, 0, 1);

  for (;;)
    {
      g_autoptr(PGresult) batch = NULL;
      g_autofree char *after = sui_pg_int_param (expected - 1);
      g_autofree char *limit = sui_pg_int_param (VERIFY_BATCH);
      const char *params[2] = { after, limit };
      int n;

      batch = sui_pg_exec (call->conn,
                           "select seq, encode (prev_hash, 'hex'), encode (hash, 'hex'),"
                           "       hash = sui_audit_hash (prev_hash, seq, at, actor_id,"
                           "                              actor_login, method, area,"
                           "                              record_id, before, after, peer)"
                           " from audit_log where seq > $1::bigint"
                           " order by seq limit $2::int",
                           2, params, error);
      if (batch == NULL)
        return NULL;

      n = PQntuples (batch);
      for (int i = 0; i < n; i++)
        {
          gint64 seq = g_ascii_strtoll (PQgetvalue (batch, i, 0), NULL, 10);
          const char *row_prev = PQgetvalue (batch, i, 1);
          const char *row_hash = PQgetvalue (batch, i, 2);
          gboolean hash_ok = g_str_equal (PQgetvalue (batch, i, 3), "t");

          if (seq != expected)
            return verify_result (FALSE, rows, expected, "missing");
          /* A row beyond the head was not written by sui_audit_append. */
          if (seq > last_seq || !hash_ok || !g_str_equal (row_prev, prev_hash))
            return verify_result (FALSE, rows, seq, "altered");

          g_free (prev_hash);
          prev_hash = g_strdup (row_hash);
          expected++;
          rows++;
        }

      if (n < VERIFY_BATCH)
        break;
    }

  /* The newest rows removed: the log ends before the head says it should. */
  if (expected - 1 < last_seq)
    return verify_result (FALSE, rows, expected, "missing");
  if (!g_str_equal (prev_hash, last_hash))
    return verify_result (FALSE, rows, last_seq, "altered");

  return verify_result (TRUE, rows, 0, NULL);
}

static const SuiMethod audit_methods[] = {
  {
    .name = "audit.list",
    .roles = SUI_ROLE_ADMIN,
    .params = "[area]:string, [actor_id]:integer, [method]:string, [after]:integer, "
              "[limit]:integer",
    .summary = "Audit log rows, newest first, paged by seq",
    .handler = audit_list,
  },
  {
    .name = "audit.verify",
    .roles = SUI_ROLE_ADMIN,
    .params = "",
    .summary = "Re-check the hash chain; report the first altered or missing row",
    .handler = audit_verify,
  },
};

void
sui_audit_register (void)
{
  sui_methods_register (audit_methods, G_N_ELEMENTS (audit_methods));
}
