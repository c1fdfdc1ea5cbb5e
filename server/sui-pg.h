/* sui-pg.h: small helpers over libpq for handlers and the daemon
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every query is PQexecParams with text parameters; nothing is pasted into SQL.
 * Failures become GErrors in SUI_RPC_ERROR with a message fit for a user: the SQL
 * text and the server's message go to the daemon's log, never to the caller.
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

/* Runs sql with n text params (NULL entries are SQL NULL). Returns the result of a
 * command or query that succeeded, else NULL and error. A unique violation becomes
 * SUI_RPC_ERROR_CONFLICT unless the caller checks first; a lost connection becomes
 * SUI_RPC_ERROR_INTERNAL "数据库暂时不可用，请稍后重试". */
PGresult   *sui_pg_exec        (PGconn             *conn,
                                const char         *sql,
                                int                 n_params,
                                const char * const *params,
                                GError            **error);

/* The same, for a query returning one row of one json/jsonb column (e.g. built with
 * json_build_object or json_agg). Returns NULL with *error unset when there is no row
 * or the value is SQL NULL. */
JsonNode   *sui_pg_query_json  (PGconn             *conn,
                                const char         *sql,
                                int                 n_params,
                                const char * const *params,
                                GError            **error);

/* sui_pg_exec for a statement whose result is not needed: TRUE when it succeeded. */
gboolean    sui_pg_exec_ok     (PGconn             *conn,
                                const char         *sql,
                                int                 n_params,
                                const char * const *params,
                                GError            **error);

/* The value at row, column as an integer (bigint text) or a boolean ("t"). */
gint64      sui_pg_get_int     (PGresult           *result,
                                int                 row,
                                int                 column);
gboolean    sui_pg_get_bool    (PGresult           *result,
                                int                 row,
                                int                 column);

/* The SQLSTATE of the last failed sui_pg_exec on this thread, or "" */
const char *sui_pg_last_sqlstate (void);

char       *sui_pg_int_param   (gint64              value);   /* g_strdup_printf "%" G_GINT64_FORMAT */
char       *sui_json_to_string (JsonNode           *node);    /* compact text, for jsonb params */

G_END_DECLS
