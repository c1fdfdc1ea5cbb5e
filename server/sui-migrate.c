/* sui-migrate.c: applying the numbered SQL migrations
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each file in sql/migrations is applied once, in its own transaction, and recorded
 * with the SHA-256 of its text. A file edited after it was applied stops the daemon:
 * the database no longer matches what the code expects, and guessing would be worse.
 */
#include "sui-config.h"
#include "sui-migrate.h"

#include <gio/gio.h>
#include <string.h>

#include "sui-pg.h"

G_DEFINE_QUARK (sui-migrate-error-quark, sui_migrate_error)

const char *
sui_migrate_default_dir (void)
{
  const char *env = g_getenv ("SHUANGSUI_MIGRATIONS");

  if (env != NULL && *env != '\0')
    return env;
  if (g_file_test (SUI_MIGRATIONS_DIR, G_FILE_TEST_IS_DIR))
    return SUI_MIGRATIONS_DIR;
  return SUI_INSTALLED_MIGRATIONS_DIR;
}

static gboolean
exec_simple (PGconn      *conn,
             const char  *sql,
             GError     **error)
{
  PGresult *result = PQexec (conn, sql);
  gboolean ok = PQresultStatus (result) == PGRES_COMMAND_OK ||
                PQresultStatus (result) == PGRES_TUPLES_OK;

  if (!ok)
    g_set_error (error, SUI_MIGRATE_ERROR, SUI_MIGRATE_ERROR_FAILED,
                 "%s", PQresultErrorMessage (result));
  PQclear (result);
  return ok;
}

static GPtrArray *
list_migrations (const char  *dir,
                 GError     **error)
{
  g_autoptr(GDir) gdir = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  gdir = g_dir_open (dir, 0, error);
  if (gdir == NULL)
    return NULL;

  while ((name = g_dir_read_name (gdir)) != NULL)
    if (g_str_has_suffix (name, ".sql") && g_ascii_isdigit (name[0]))
      g_ptr_array_add (names, g_strdup (name));

  if (names->len == 0)
    {
      g_set_error (error, SUI_MIGRATE_ERROR, SUI_MIGRATE_ERROR_NO_FILES,
                   "no migrations found in %s", dir);
      return NULL;
    }

  return g_steal_pointer (&names);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char **) a, *(char **) b);
}

gboolean
sui_migrate_apply (PGconn      *conn,
                   const char  *dir,
                   guint       *n_applied,
                   GError     **error)
{
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GHashTable) applied = NULL;
  g_autoptr(PGresult) rows = NULL;
  guint count = 0;

  if (n_applied != NULL)
    *n_applied = 0;

  names = list_migrations (dir, error);
  if (names == NULL)
    return FALSE;
  g_ptr_array_sort (names, compare_names);

  if (!exec_simple (conn,
                    "set client_min_messages = warning;"
                    "create table if not exists schema_migration ("
                    "  name text primary key,"
                    "  checksum text not null,"
                    "  applied_at timestamptz not null default now())",
                    error))
    return FALSE;

  /* Two daemons starting at once on one database must not both apply a file. */
  if (!exec_simple (conn, "select pg_advisory_lock(7423001)", error))
    return FALSE;

  rows = PQexec (conn, "select name, checksum from schema_migration");
  if (PQresultStatus (rows) != PGRES_TUPLES_OK)
    {
      g_set_error (error, SUI_MIGRATE_ERROR, SUI_MIGRATE_ERROR_FAILED,
                   "%s", PQresultErrorMessage (rows));
      exec_simple (conn, "select pg_advisory_unlock(7423001)", NULL);
      return FALSE;
    }

  applied = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (int i = 0; i < PQntuples (rows); i++)
    g_hash_table_insert (applied, g_strdup (PQgetvalue (rows, i, 0)),
                         g_strdup (PQgetvalue (rows, i, 1)));

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *text = NULL;
      g_autofree char *checksum = NULL;
      g_autoptr(GError) local_error = NULL;
      const char *recorded;
      gsize length;
      const char *params[2];
      PGresult *result;

      if (!g_file_get_contents (path, &text, &length, error))
        goto fail;

      checksum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) text, length);
      recorded = g_hash_table_lookup (applied, name);

      if (recorded != NULL)
        {
          if (!g_str_equal (recorded, checksum))
            {
              g_set_error (error, SUI_MIGRATE_ERROR, SUI_MIGRATE_ERROR_CHANGED,
                           "migration %s was changed after it was applied "
                           "(recorded checksum %s, file now %s); restore the original "
                           "file and put the change in a new migration", name, recorded, checksum);
              goto fail;
            }
          continue;
        }

      if (!exec_simple (conn, "begin", error))
        goto fail;

      if (!exec_simple (conn, text, &local_error))
        {
          exec_simple (conn, "rollback", NULL);
          g_set_error (error, SUI_MIGRATE_ERROR, SUI_MIGRATE_ERROR_FAILED,
                       "migration %s failed: %s", name, local_error->message);
          goto fail;
        }

      params[0] = name;
      params[1] = checksum;
      result = sui_pg_exec (conn, "insert into schema_migration (name, checksum) values ($1, $2)",
                            2, params, &local_error);
      if (result == NULL)
        {
          exec_simple (conn, "rollback", NULL);
          g_set_error (error, SUI_MIGRATE_ERROR, SUI_MIGRATE_ERROR_FAILED,
                       "migration %s could not be recorded", name);
          goto fail;
        }
      PQclear (result);

      if (!exec_simple (conn, "commit", error))
        goto fail;

      g_message ("applied migration %s", name);
      count++;
    }

  exec_simple (conn, "select pg_advisory_unlock(7423001)", NULL);
  if (n_applied != NULL)
    *n_applied = count;
  return TRUE;

fail:
  exec_simple (conn, "select pg_advisory_unlock(7423001)", NULL);
  return FALSE;
}
