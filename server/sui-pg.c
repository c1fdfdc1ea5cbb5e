/* sui-pg.c: small helpers over libpq
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sui-pg.h"

#include <string.h>

#include "sui-rpc.h"

static GPrivate last_sqlstate = G_PRIVATE_INIT (g_free);

const char *
sui_pg_last_sqlstate (void)
{
  const char *state = g_private_get (&last_sqlstate);

  return state != NULL ? state : "";
}

static void
set_failure (PGconn        *conn,
             PGresult      *result,
             const char    *sql,
             GError       **error)
{
  const char *state = result != NULL ? PQresultErrorField (result, PG_DIAG_SQLSTATE) : NULL;

  g_private_replace (&last_sqlstate, g_strdup (state != NULL ? state : ""));

  if (PQstatus (conn) != CONNECTION_OK || state == NULL ||
      g_str_has_prefix (state, "08") || g_str_has_prefix (state, "57P"))
    {
      /* The server went away (restart, crash, admin shutdown): worth a retry later. */
      g_message ("database unavailable: %s", PQerrorMessage (conn));
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_INTERNAL,
                           "数据库暂时不可用，请稍后重试");
      return;
    }

  /* The statement and PostgreSQL's words stay in the daemon's log. */
  g_message ("query failed (%s): %s -- in: %.200s", state,
             PQresultErrorMessage (result), sql);

  if (g_str_equal (state, "23505"))
    g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_CONFLICT,
                         "该值已被使用，请换一个");
  else if (g_str_equal (state, "40001") || g_str_equal (state, "40P01"))
    g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_CONFLICT,
                         "有人同时在修改相同的数据，请再试一次");
  else if (g_str_has_prefix (state, "23") || g_str_has_prefix (state, "22"))
    g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_VALIDATION,
                         "输入的数据不符合要求，请检查后再试");
  else if (g_str_equal (state, "57014"))
    g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_INTERNAL,
                         "操作超时，请稍后重试");
  else
    g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_INTERNAL,
                         "服务器内部错误，请稍后重试或联系管理员");
}

PGresult *
sui_pg_exec (PGconn             *conn,
             const char         *sql,
             int                 n_params,
             const char * const *params,
             GError            **error)
{
  PGresult *result;

  result = PQexecParams (conn, sql, n_params, NULL, params, NULL, NULL, 0);
  switch (PQresultStatus (result))
    {
    case PGRES_COMMAND_OK:
    case PGRES_TUPLES_OK:
      return result;
    default:
      set_failure (conn, result, sql, error);
      PQclear (result);
      return NULL;
    }
}

gboolean
sui_pg_exec_ok (PGconn             *conn,
                const char         *sql,
                int                 n_params,
                const char * const *params,
                GError            **error)
{
  g_autoptr(PGresult) result = sui_pg_exec (conn, sql, n_params, params, error);

  return result != NULL;
}

gint64
sui_pg_get_int (PGresult *result,
                int       row,
                int       column)
{
  return g_ascii_strtoll (PQgetvalue (result, row, column), NULL, 10);
}

gboolean
sui_pg_get_bool (PGresult *result,
                 int       row,
                 int       column)
{
  return g_str_equal (PQgetvalue (result, row, column), "t");
}

JsonNode *
sui_pg_query_json (PGconn             *conn,
                   const char         *sql,
                   int                 n_params,
                   const char * const *params,
                   GError            **error)
{
  g_autoptr(PGresult) result = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) parse_error = NULL;
  const char *text;
  JsonNode *root;

  result = sui_pg_exec (conn, sql, n_params, params, error);
  if (result == NULL)
    return NULL;

  if (PQntuples (result) == 0 || PQgetisnull (result, 0, 0))
    return NULL;

  text = PQgetvalue (result, 0, 0);
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, text, PQgetlength (result, 0, 0), &parse_error) ||
      (root = json_parser_get_root (parser)) == NULL)
    {
      g_message ("query returned no JSON: %s", parse_error ? parse_error->message : "empty");
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_INTERNAL,
                           "服务器内部错误，请稍后重试或联系管理员");
      return NULL;
    }

  return json_node_copy (root);
}

char *
sui_pg_int_param (gint64 value)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, value);
}

char *
sui_json_to_string (JsonNode *node)
{
  if (node == NULL)
    return NULL;
  return json_to_string (node, FALSE);
}
