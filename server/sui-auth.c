/* sui-auth.c: auth.* methods, token lookup, password hashing, --create-admin
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Tokens are 32 random bytes in base64url; the database keeps only their SHA-256, so a
 * copy of the database opens no session. Passwords are Argon2id strings. An unknown
 * login and a wrong password get the same answer and take the same time (a dummy hash
 * is verified for unknown logins). Five failures within 15 minutes lock the login
 * name for 15 minutes; attempts and locks are kept in login_attempt / login_lock, and
 * the lock also goes to the audit log.
 */
#include "sui-auth.h"

#include <sodium.h>
#include <string.h>

#include "sui-audit.h"
#include "sui-pg.h"
#include "sui-server.h"
#include "sui-units.h"
#include "sui-users.h"

#define TOKEN_BYTES 32
#define LOCK_FAILURES 5
#define LOCK_MINUTES "15"
#define MIN_PASSWORD 8
#define MAX_PASSWORD 256
#define MAX_LOGIN 256

#define MSG_BAD_CREDENTIALS "登录名或密码错误"
#define MSG_SESSION_GONE "登录已失效，请重新登录"

static gboolean
ensure_sodium (GError **error)
{
  static gsize initialised = 0;
  static gboolean ok = FALSE;

  if (g_once_init_enter (&initialised))
    {
      ok = sodium_init () >= 0;
      g_once_init_leave (&initialised, 1);
    }

  if (!ok)
    g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_INTERNAL,
                         "服务器内部错误，请稍后重试或联系管理员");
  return ok;
}

/* Argon2id at the interactive setting takes 64 MiB while it runs. One at a time keeps the
 * daemon's memory bounded (8 workers hashing at once would take half a gigabyte); a
 * login waits a tenth of a second longer when others log in at the same moment. */
static GMutex argon2_lock;

char *
sui_auth_hash_password (const char  *password,
                        GError     **error)
{
  char hash[crypto_pwhash_STRBYTES];
  int failed;

  if (!ensure_sodium (error))
    return NULL;

  g_mutex_lock (&argon2_lock);
  failed = crypto_pwhash_str (hash, password, strlen (password),
                              crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE);
  g_mutex_unlock (&argon2_lock);

  if (failed != 0)
    {
      /* Only fails when the memory for Argon2 cannot be had. */
      g_message ("crypto_pwhash_str failed (out of memory?)");
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_INTERNAL,
                           "服务器暂时繁忙，请稍后重试");
      return NULL;
    }

  return g_strdup (hash);
}

static gboolean
verify_password (const char *hash,
                 const char *password)
{
  gboolean ok;

  g_mutex_lock (&argon2_lock);
  ok = crypto_pwhash_str_verify (hash, password, strlen (password)) == 0;
  g_mutex_unlock (&argon2_lock);
  return ok;
}

/* Verified instead of a real hash when the login does not exist, so that the answer
 * takes as long as for a wrong password. */
static const char *
dummy_hash (void)
{
  static char *hash = NULL;

  if (g_once_init_enter (&hash))
    {
      char *made = sui_auth_hash_password ("no such user: a dummy password", NULL);

      g_once_init_leave (&hash, made != NULL ? made : g_strdup (""));
    }
  return hash;
}

/* "\x<hex of SHA-256 (token)>", a bytea parameter in text form */
static char *
token_hash_param (const char *token)
{
  guchar digest[crypto_hash_sha256_BYTES];
  char hex[crypto_hash_sha256_BYTES * 2 + 1];

  crypto_hash_sha256 (digest, (const guchar *) token, strlen (token));
  sodium_bin2hex (hex, sizeof hex, digest, sizeof digest);
  return g_strconcat ("\\x", hex, NULL);
}

static char *
new_token (void)
{
  guchar bytes[TOKEN_BYTES];
  char text[sodium_base64_ENCODED_LEN (TOKEN_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];

  randombytes_buf (bytes, sizeof bytes);
  sodium_bin2base64 (text, sizeof text, bytes, sizeof bytes,
                     sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero (bytes, sizeof bytes);
  return g_strdup (text);
}

static gboolean
token_well_formed (const char *token)
{
  gsize length = 0;

  for (const char *p = token; *p != '\0'; p++, length++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;

  return length == sodium_base64_ENCODED_LEN (TOKEN_BYTES,
                                              sodium_base64_VARIANT_URLSAFE_NO_PADDING) - 1;
}

/* The hot path of every authenticated call: one probe of the unique index on
 * token_hash, one of app_user's primary key. */
#define LOOKUP_SQL \
  "select u.id, u.login, u.name, u.role, u.unit_id, s.id," \
  "       to_json (s.expires_at) #>> '{}'" \
  " from user_session s join app_user u on u.id = s.user_id" \
  " where s.token_hash = $1::bytea and s.revoked_at is null" \
  "   and s.expires_at > now () and not u.disabled"
#define LOOKUP_STATEMENT "sui_auth_lookup_token"

/* Runs the lookup as a statement prepared once per connection: parsing and planning
 * cost more than executing it. A connection that does not know the statement yet (new,
 * or reset after PostgreSQL restarted) answers 26000 and gets it prepared. Only when
 * idle, though, since a failed statement would abort an open transaction; and when the
 * statement cannot stick (a pooler in transaction mode), the plain query is used. */
static PGresult *
run_lookup (PGconn              *conn,
            const char * const  *params,
            GError             **error)
{
  PGresult *result;
  const char *state;

  if (PQtransactionStatus (conn) != PQTRANS_IDLE)
    return sui_pg_exec (conn, LOOKUP_SQL, 1, params, error);

  result = PQexecPrepared (conn, LOOKUP_STATEMENT, 1, params, NULL, NULL, 0);
  if (PQresultStatus (result) == PGRES_TUPLES_OK)
    return result;

  state = PQresultErrorField (result, PG_DIAG_SQLSTATE);
  if (g_strcmp0 (state, "26000") == 0)
    {
      PQclear (result);
      result = PQprepare (conn, LOOKUP_STATEMENT, LOOKUP_SQL, 1, NULL);
      if (PQresultStatus (result) == PGRES_COMMAND_OK)
        {
          PQclear (result);
          result = PQexecPrepared (conn, LOOKUP_STATEMENT, 1, params, NULL, NULL, 0);
          if (PQresultStatus (result) == PGRES_TUPLES_OK)
            return result;
        }
    }
  PQclear (result);

  /* Anything else (the connection broke, say) is reported the usual way. */
  return sui_pg_exec (conn, LOOKUP_SQL, 1, params, error);
}

SuiUser *
sui_auth_lookup_token (PGconn      *conn,
                       const char  *token,
                       GError     **error)
{
  g_autoptr(PGresult) result = NULL;
  g_autofree char *hash = NULL;
  SuiUser *user;
  const char *params[1];

  if (token == NULL || !token_well_formed (token) || !ensure_sodium (error))
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_AUTHENTICATED,
                             MSG_SESSION_GONE);
      return NULL;
    }

  hash = token_hash_param (token);
  params[0] = hash;
  result = run_lookup (conn, params, error);
  if (result == NULL)
    return NULL;

  if (PQntuples (result) != 1)
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_AUTHENTICATED,
                           MSG_SESSION_GONE);
      return NULL;
    }

  user = g_new0 (SuiUser, 1);
  user->id = g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
  user->login = g_strdup (PQgetvalue (result, 0, 1));
  user->name = g_strdup (PQgetvalue (result, 0, 2));
  user->role = sui_role_from_string (PQgetvalue (result, 0, 3));
  user->unit_id = g_ascii_strtoll (PQgetvalue (result, 0, 4), NULL, 10);
  user->session_id = g_ascii_strtoll (PQgetvalue (result, 0, 5), NULL, 10);
  user->expires_at = g_strdup (PQgetvalue (result, 0, 6));
  return user;
}

static guint
token_hours (SuiCall *call)
{
  guint hours = call->server != NULL ? sui_server_get_token_hours (call->server) : 0;

  return hours > 0 ? hours : 12;
}

/* ---- auth.login ------------------------------------------------------------------- */

static gboolean
record_attempt (SuiCall     *call,
                const char  *login,
                gboolean     ok,
                const char  *user_id,
                GError     **error)
{
  const char *params[4] = { login, ok ? "t" : "f", user_id, call->peer };

  return sui_pg_exec_ok (call->conn,
                  "insert into login_attempt (login, ok, user_id, peer)"
                  " values ($1, $2::boolean, $3::bigint, $4)",
                  4, params, error);
}

static void
set_locked_error (SuiCall     *call,
                  const char  *until_iso,
                  const char  *until_clock,
                  GError     **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "locked_until");
  json_builder_add_string_value (builder, until_iso);
  json_builder_end_object (builder);
  sui_call_set_error_data (call, json_builder_get_root (builder));

  g_set_error (error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_AUTHENTICATED,
               "登录失败次数过多，该账号已锁定至 %s，请稍后再试或联系管理员", until_clock);
}

/* The failed attempt is on record already; lock the login when it was the last straw. */
static void
after_failure (SuiCall     *call,
               const char  *login,
               GError     **error)
{
  g_autoptr(PGresult) counted = NULL;
  g_autoptr(PGresult) lock = NULL;
  g_autoptr(JsonNode) after = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *params[2] = { login, call->peer };
  gint64 failures;

  /* Failures count from the later of: 15 minutes ago, the end of the last lock, the
   * last successful login. */
  counted = sui_pg_exec (call->conn,
                         "select count (*) from login_attempt a"
                         " where a.login = $1 and not a.ok"
                         "   and a.at > now () - interval '" LOCK_MINUTES " minutes'"
                         "   and a.at > coalesce ((select max (locked_until) from login_lock"
                         "                         where login = $1), '-infinity')"
                         "   and a.at > coalesce ((select max (at) from login_attempt"
                         "                         where login = $1 and ok), '-infinity')",
                         1, params, &local_error);
  if (counted == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return;
    }

  failures = g_ascii_strtoll (PQgetvalue (counted, 0, 0), NULL, 10);
  if (failures < LOCK_FAILURES)
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_AUTHENTICATED,
                           MSG_BAD_CREDENTIALS);
      return;
    }

  {
    g_autofree char *failures_text = sui_pg_int_param (failures);
    const char *lock_params[3] = { login, failures_text, call->peer };

    lock = sui_pg_exec (call->conn,
                        "insert into login_lock (login, locked_at, locked_until, failures, peer)"
                        " values ($1, now (), now () + interval '" LOCK_MINUTES " minutes',"
                        "         $2::int, $3)"
                        " returning to_json (locked_until) #>> '{}',"
                        "           to_char (locked_until, 'HH24:MI'),"
                        "           json_build_object ('login', login, 'failures', failures,"
                        "                              'locked_at', locked_at,"
                        "                              'locked_until', locked_until)",
                        3, lock_params, &local_error);
  }
  if (lock == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return;
    }

  after = json_from_string (PQgetvalue (lock, 0, 2), NULL);
  if (!sui_audit_append (call, "auth", login, NULL, after, &local_error))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return;
    }

  g_message ("login %s locked after %" G_GINT64_FORMAT " failures", login, failures);
  set_locked_error (call, PQgetvalue (lock, 0, 0), PQgetvalue (lock, 0, 1), error);
}

static JsonNode *
auth_login (SuiCall  *call,
            GError  **error)
{
  const char *login_param = NULL;
  const char *password = NULL;
  g_autofree char *login = NULL;
  g_autoptr(PGresult) locked = NULL;
  g_autoptr(PGresult) account = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autofree char *token = NULL;
  g_autofree char *token_hash = NULL;
  g_autofree char *hours = NULL;
  const char *params[4];
  const char *user_id;
  gboolean found;
  gboolean password_ok;

  if (!sui_call_get_string (call, "login", TRUE, &login_param, error) ||
      !sui_call_get_string (call, "password", TRUE, &password, error))
    return NULL;

  /* Logins are stored in lower case; "Admin" is the same person as "admin". */
  login = g_utf8_strdown (g_strstrip (g_strdup (login_param)), -1);
  if (strlen (login) > MAX_LOGIN || strlen (password) > MAX_PASSWORD || !ensure_sodium (error))
    {
      if (*error == NULL)
        g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_AUTHENTICATED,
                             MSG_BAD_CREDENTIALS);
      return NULL;
    }

  /* From here on a failure is worth keeping: it counts towards the lock. */
  call->commit_on_error = TRUE;

  /* Concurrent attempts on one login name take turns, so that they are counted right. */
  params[0] = login;
  if (!sui_pg_exec_ok (call->conn, "select pg_advisory_xact_lock (7423, hashtext ($1))",
                1, params, error))
    return NULL;

  locked = sui_pg_exec (call->conn,
                        "select to_json (locked_until) #>> '{}', to_char (locked_until, 'HH24:MI')"
                        " from login_lock where login = $1 and locked_until > now ()"
                        " order by locked_until desc limit 1",
                        1, params, error);
  if (locked == NULL)
    return NULL;
  if (PQntuples (locked) > 0)
    {
      if (record_attempt (call, login, FALSE, NULL, error))
        set_locked_error (call, PQgetvalue (locked, 0, 0), PQgetvalue (locked, 0, 1), error);
      return NULL;
    }

  account = sui_pg_exec (call->conn,
                         "select id, password_hash, disabled from app_user where login = $1",
                         1, params, error);
  if (account == NULL)
    return NULL;

  found = PQntuples (account) == 1;
  password_ok = verify_password (found ? PQgetvalue (account, 0, 1) : dummy_hash (), password);
  user_id = found ? PQgetvalue (account, 0, 0) : NULL;

  if (!found || !password_ok)
    {
      if (record_attempt (call, login, FALSE, user_id, error))
        after_failure (call, login, error);
      return NULL;
    }

  if (g_str_equal (PQgetvalue (account, 0, 2), "t"))
    {
      /* Only said to someone who knows the password. */
      if (record_attempt (call, login, FALSE, user_id, error))
        g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_AUTHENTICATED,
                             "该账号已停用，请联系管理员");
      return NULL;
    }

  if (!record_attempt (call, login, TRUE, user_id, error))
    return NULL;

  token = new_token ();
  token_hash = token_hash_param (token);
  hours = sui_pg_int_param (token_hours (call));
  params[0] = token_hash;
  params[1] = user_id;
  params[2] = hours;
  params[3] = call->peer;
  answer = sui_pg_query_json (call->conn,
                              "with s as ("
                              "  insert into user_session (token_hash, user_id, expires_at, peer)"
                              "  values ($1::bytea, $2::bigint,"
                              "          date_trunc ('second', now ())"
                              "            + make_interval (hours => $3::int), $4)"
                              "  returning expires_at)"
                              " select json_build_object ('expires_at', s.expires_at,"
                              "                           'user', " SUI_USER_JSON_SQL ")"
                              " from s, app_user u join unit n on n.id = u.unit_id"
                              " where u.id = $2::bigint",
                              4, params, error);
  if (answer == NULL)
    {
      if (*error == NULL)
        g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_INTERNAL,
                             "服务器内部错误，请稍后重试或联系管理员");
      return NULL;
    }

  /* A successful login must not leave anything behind if the commit fails. */
  call->commit_on_error = FALSE;
  json_object_set_string_member (json_node_get_object (answer), "token", token);
  return g_steal_pointer (&answer);
}

/* ---- auth.logout, auth.whoami --------------------------------------------------- */

static JsonNode *
auth_logout (SuiCall  *call,
             GError  **error)
{
  g_autofree char *session = sui_pg_int_param (call->user->session_id);
  const char *params[1] = { session };

  if (!sui_pg_exec_ok (call->conn,
                "update user_session set revoked_at = now ()"
                " where id = $1::bigint and revoked_at is null",
                1, params, error))
    return NULL;

  return json_node_init_boolean (json_node_alloc (), TRUE);
}

/* Answered from what the token lookup found, without another query: this is the call
 * clients use to check that a token still works. */
static JsonNode *
auth_whoami (SuiCall  *call,
             GError  **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  const SuiUser *user = call->user;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "user");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, user->id);
  json_builder_set_member_name (builder, "login");
  json_builder_add_string_value (builder, user->login);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, user->name);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, sui_role_to_string (user->role));
  json_builder_set_member_name (builder, "unit_id");
  json_builder_add_int_value (builder, user->unit_id);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "expires_at");
  json_builder_add_string_value (builder, user->expires_at);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* ---- auth.change_password ------------------------------------------------------- */

static void
check_new_password (SuiValidation *v,
                    const char    *field,
                    const char    *password)
{
  glong length = g_utf8_strlen (password, -1);

  if (length < MIN_PASSWORD)
    sui_validation_add (v, field, "too_short", "密码至少需要 8 个字符，请换一个更长的密码");
  else if (length > MAX_PASSWORD)
    sui_validation_add (v, field, "too_long", "密码不能超过 256 个字符");
}

static JsonNode *
auth_change_password (SuiCall  *call,
                      GError  **error)
{
  const char *old_password = NULL;
  const char *new_password = NULL;
  g_autofree char *user_id = sui_pg_int_param (call->user->id);
  g_autofree char *session_id = sui_pg_int_param (call->user->session_id);
  g_autofree char *hash = NULL;
  g_autoptr(PGresult) current = NULL;
  g_autoptr(JsonNode) before = NULL;
  g_autoptr(JsonNode) after = NULL;
  SuiValidation *v;
  const char *params[3];

  if (!sui_call_get_string (call, "old_password", TRUE, &old_password, error) ||
      !sui_call_get_string (call, "new_password", TRUE, &new_password, error))
    return NULL;

  params[0] = user_id;
  current = sui_pg_exec (call->conn,
                         "select password_hash, " SUI_USER_JSON_SQL
                         " from app_user u join unit n on n.id = u.unit_id"
                         " where u.id = $1::bigint for update of u",
                         1, params, error);
  if (current == NULL)
    return NULL;
  if (PQntuples (current) != 1)
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_AUTHENTICATED,
                           MSG_SESSION_GONE);
      return NULL;
    }

  v = sui_validation_new ();
  if (strlen (old_password) > MAX_PASSWORD ||
      !verify_password (PQgetvalue (current, 0, 0), old_password))
    sui_validation_add (v, "old_password", "wrong", "原密码不正确，请重新输入");
  check_new_password (v, "new_password", new_password);
  if (!sui_validation_finish (v, call, error))
    return NULL;

  hash = sui_auth_hash_password (new_password, error);
  if (hash == NULL)
    return NULL;

  before = json_from_string (PQgetvalue (current, 0, 1), NULL);
  params[1] = hash;
  after = sui_pg_query_json (call->conn,
                             "with u as ("
                             "  update app_user set password_hash = $2, version = version + 1,"
                             "                      updated_at = now ()"
                             "  where id = $1::bigint returning *)"
                             " select " SUI_USER_JSON_SQL " from u join unit n on n.id = u.unit_id",
                             2, params, error);
  if (after == NULL)
    return NULL;

  /* Whoever else holds a session of this account (a stolen token?) is logged out. */
  params[1] = session_id;
  if (!sui_pg_exec_ok (call->conn,
                "update user_session set revoked_at = now ()"
                " where user_id = $1::bigint and id <> $2::bigint and revoked_at is null",
                2, params, error))
    return NULL;

  if (!sui_audit_append (call, "users", user_id, before, after, error))
    return NULL;

  return json_node_init_boolean (json_node_alloc (), TRUE);
}

/* ---- shuangsuid --create-admin --------------------------------------------------- */

static JsonNode *
row_json (PGresult *result,
          int       column)
{
  return json_from_string (PQgetvalue (result, 0, column), NULL);
}

gboolean
sui_auth_create_admin (PGconn      *conn,
                       const char  *login,
                       const char  *password,
                       GError     **error)
{
  g_autofree char *hash = NULL;
  g_autoptr(PGresult) root = NULL;
  g_autoptr(PGresult) existing = NULL;
  g_autoptr(PGresult) changed = NULL;
  g_autoptr(JsonNode) after = NULL;
  g_autoptr(JsonNode) before = NULL;
  g_autofree char *root_id = NULL;
  const char *params[3];

  if (login == NULL || !sui_users_login_valid (login))
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_VALIDATION,
                           "登录名须为 3–32 个小写字母、数字或 _ . - 字符");
      return FALSE;
    }
  if (password == NULL || g_utf8_strlen (password, -1) < MIN_PASSWORD ||
      g_utf8_strlen (password, -1) > MAX_PASSWORD)
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_VALIDATION,
                           "密码须为 8–256 个字符（由环境变量 SHUANGSUI_PASSWORD 给出）");
      return FALSE;
    }

  hash = sui_auth_hash_password (password, error);
  if (hash == NULL)
    return FALSE;

  root = sui_pg_exec (conn, "select id from unit where parent_id is null for update",
                      0, NULL, error);
  if (root == NULL)
    return FALSE;

  if (PQntuples (root) == 0)
    {
      g_autoptr(PGresult) made = NULL;

      /* A fresh installation: the bureau is needed before anyone can belong to it. The
       * admin renames it later (the demo data does so too). */
      made = sui_pg_exec (conn,
                          "with un as ("
                          "  insert into unit (code, name, kind)"
                          "  values ('bureau', '市烟草专卖局', 'bureau') returning *)"
                          " select un.id, " SUI_UNIT_JSON_SQL " from un",
                          0, NULL, error);
      if (made == NULL)
        return FALSE;
      root_id = g_strdup (PQgetvalue (made, 0, 0));
      after = row_json (made, 1);
      if (!sui_audit_append_system (conn, "cli.create_admin", "units", root_id, NULL, after,
                                    error))
        return FALSE;
      g_clear_pointer (&after, json_node_unref);
    }
  else
    root_id = g_strdup (PQgetvalue (root, 0, 0));

  params[0] = login;
  existing = sui_pg_exec (conn,
                          "select u.id, " SUI_USER_JSON_SQL
                          " from app_user u join unit n on n.id = u.unit_id"
                          " where u.login = $1 for update of u",
                          1, params, error);
  if (existing == NULL)
    return FALSE;

  params[1] = hash;
  if (PQntuples (existing) == 1)
    {
      before = row_json (existing, 1);
      params[0] = PQgetvalue (existing, 0, 0);
      changed = sui_pg_exec (conn,
                             "with u as ("
                             "  update app_user set password_hash = $2, role = 'admin',"
                             "    disabled = false, version = version + 1, updated_at = now ()"
                             "  where id = $1::bigint returning *)"
                             " select u.id, " SUI_USER_JSON_SQL
                             " from u join unit n on n.id = u.unit_id",
                             2, params, error);
      if (changed == NULL)
        return FALSE;
      /* A new password ends the sessions opened with the old one. */
      if (!sui_pg_exec_ok (conn,
                    "update user_session set revoked_at = now ()"
                    " where user_id = $1::bigint and revoked_at is null",
                    1, params, error))
        return FALSE;
    }
  else
    {
      params[2] = root_id;
      changed = sui_pg_exec (conn,
                             "with u as ("
                             "  insert into app_user (login, name, role, unit_id, password_hash)"
                             "  values ($1, '系统管理员', 'admin', $3::bigint, $2) returning *)"
                             " select u.id, " SUI_USER_JSON_SQL
                             " from u join unit n on n.id = u.unit_id",
                             3, params, error);
      if (changed == NULL)
        return FALSE;
    }

  after = row_json (changed, 1);
  return sui_audit_append_system (conn, "cli.create_admin", "users",
                                  PQgetvalue (changed, 0, 0), before, after, error);
}

static const SuiMethod auth_methods[] = {
  {
    .name = "auth.login",
    .roles = SUI_ROLE_PUBLIC,
    .writes = TRUE,
    .params = "login:string, password:string",
    .summary = "Log in; returns a bearer token, its expiry and the user",
    .handler = auth_login,
  },
  {
    .name = "auth.logout",
    .roles = SUI_ROLE_ANY,
    .writes = TRUE,
    .params = "",
    .summary = "Revoke the token of this call",
    .handler = auth_logout,
  },
  {
    .name = "auth.whoami",
    .roles = SUI_ROLE_ANY,
    .writes = FALSE,
    .params = "",
    .summary = "The user behind the token and when the token expires",
    .handler = auth_whoami,
    .no_transaction = TRUE,
  },
  {
    .name = "auth.change_password",
    .roles = SUI_ROLE_ANY,
    .writes = TRUE,
    .params = "old_password:string, new_password:string",
    .summary = "Change one's own password (other sessions are logged out)",
    .handler = auth_change_password,
  },
};

void
sui_auth_register (void)
{
  sui_methods_register (auth_methods, G_N_ELEMENTS (auth_methods));
}
