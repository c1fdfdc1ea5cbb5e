/* sui-cluster.c: the embedded PostgreSQL cluster under --data-dir
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Layout of DIR: pgdata/ (the cluster), s/ (its Unix socket; no TCP at all),
 * postgresql.log. PostgreSQL refuses to run as root, so when the daemon is root the
 * cluster belongs to an unprivileged user and every pg_ctl call goes through runuser.
 */
#include "sui-cluster.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/un.h>
#include <unistd.h>
#include <libpq-fe.h>

#define SUI_CLUSTER_PORT "5432"
#define SUI_CLUSTER_DB "shuangsui"
#define SUI_CLUSTER_USER "shuangsui"
#define SUI_PG_BINDIR "/usr/lib/postgresql/15/bin"

struct _SuiCluster
{
  char *data_dir;
  char *pgdata;
  char *socket_dir;
  char *log_file;
  char *bindir;
  char *run_as;        /* NULL: run as ourselves */
  uid_t run_uid;
  gid_t run_gid;
  char *conninfo;
  gboolean started_by_us;
};

SuiCluster *
sui_cluster_new (const char *data_dir,
                 const char *pg_bindir,
                 const char *run_as)
{
  SuiCluster *cluster = g_new0 (SuiCluster, 1);
  g_autofree char *absolute = NULL;

  absolute = g_path_is_absolute (data_dir)
    ? g_strdup (data_dir)
    : g_build_filename (g_get_current_dir (), data_dir, NULL);
  cluster->data_dir = g_canonicalize_filename (absolute, NULL);
  cluster->pgdata = g_build_filename (cluster->data_dir, "pgdata", NULL);
  cluster->socket_dir = g_build_filename (cluster->data_dir, "s", NULL);
  cluster->log_file = g_build_filename (cluster->data_dir, "postgresql.log", NULL);
  cluster->bindir = g_strdup (pg_bindir != NULL ? pg_bindir : SUI_PG_BINDIR);

  if (geteuid () == 0)
    cluster->run_as = g_strdup (run_as != NULL ? run_as : "postgres");

  cluster->conninfo = g_strdup_printf ("host=%s port=" SUI_CLUSTER_PORT " dbname=" SUI_CLUSTER_DB
                                       " user=" SUI_CLUSTER_USER, cluster->socket_dir);
  return cluster;
}

void
sui_cluster_free (SuiCluster *cluster)
{
  if (cluster == NULL)
    return;
  g_free (cluster->data_dir);
  g_free (cluster->pgdata);
  g_free (cluster->socket_dir);
  g_free (cluster->log_file);
  g_free (cluster->bindir);
  g_free (cluster->run_as);
  g_free (cluster->conninfo);
  g_free (cluster);
}

const char *
sui_cluster_get_conninfo (SuiCluster *cluster)
{
  return cluster->conninfo;
}

/* Runs one PostgreSQL program as the cluster's owner; its output goes to the log. */
static gboolean
run_pg (SuiCluster   *cluster,
        const char  **args,
        int          *exit_status,
        GError      **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  if (cluster->run_as != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("runuser"));
      g_ptr_array_add (argv, g_strdup ("-u"));
      g_ptr_array_add (argv, g_strdup (cluster->run_as));
      g_ptr_array_add (argv, g_strdup ("--"));
    }
  g_ptr_array_add (argv, g_build_filename (cluster->bindir, args[0], NULL));
  for (guint i = 1; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  /* The daemon's own stdout carries the "listening on" line; keep PostgreSQL off it. */
  if (!g_spawn_sync (cluster->data_dir, (char **) argv->pdata, NULL,
                     G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, error))
    return FALSE;

  if (exit_status != NULL)
    {
      *exit_status = WIFEXITED (status) ? WEXITSTATUS (status) : -1;
      return TRUE;
    }

  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
                   "%s failed: %s%s", args[0], err ? err : "", out ? out : "");
      return FALSE;
    }
  return TRUE;
}

static gboolean
prepare_owner (SuiCluster  *cluster,
               GError     **error)
{
  struct passwd *pw;

  if (cluster->run_as == NULL)
    return TRUE;

  pw = getpwnam (cluster->run_as);
  if (pw == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "PostgreSQL cannot run as root and the user \"%s\" does not exist; "
                   "install postgresql-15 (it creates the user) or pass --pg-user",
                   cluster->run_as);
      return FALSE;
    }
  cluster->run_uid = pw->pw_uid;
  cluster->run_gid = pw->pw_gid;
  return TRUE;
}

static gboolean
make_owned_dir (SuiCluster  *cluster,
                const char  *path,
                GError     **error)
{
  if (g_mkdir_with_parents (path, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot create %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  if (cluster->run_as != NULL && chown (path, cluster->run_uid, cluster->run_gid) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot hand %s to %s: %s", path, cluster->run_as, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_reachable (SuiCluster  *cluster,
                 GError     **error)
{
  int status = 0;
  char *argv[8];
  guint n = 0;

  if (cluster->run_as == NULL)
    return TRUE;

  /* The cluster's owner must be able to walk down to DIR: /root, for one, is closed. */
  argv[n++] = (char *) "runuser";
  argv[n++] = (char *) "-u";
  argv[n++] = cluster->run_as;
  argv[n++] = (char *) "--";
  argv[n++] = (char *) "test";
  argv[n++] = (char *) "-w";
  argv[n++] = cluster->data_dir;
  argv[n] = NULL;

  if (!g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                     G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   "the data directory %s is not reachable by the user \"%s\" that runs "
                   "PostgreSQL; choose a directory outside /root, e.g. /var/lib/shuangsui",
                   cluster->data_dir, cluster->run_as);
      return FALSE;
    }

  return TRUE;
}

static gboolean
write_settings (SuiCluster  *cluster,
                GError     **error)
{
  g_autofree char *conf = g_build_filename (cluster->pgdata, "postgresql.conf", NULL);
  g_autofree char *text = NULL;
  g_autofree char *extra = NULL;
  gsize length;

  if (!g_file_get_contents (conf, &text, &length, error))
    return FALSE;

  extra = g_strdup_printf ("%s\n"
                           "# shuangsuid: the embedded cluster listens on its socket only\n"
                           "listen_addresses = ''\n"
                           "unix_socket_directories = '%s'\n"
                           "unix_socket_permissions = 0700\n"
                           "port = " SUI_CLUSTER_PORT "\n"
                           "timezone = 'Asia/Shanghai'\n"
                           "log_timezone = 'Asia/Shanghai'\n"
                           "max_connections = 100\n",
                           text, cluster->socket_dir);
  return g_file_set_contents (conf, extra, -1, error);
}

static gboolean
init_cluster (SuiCluster  *cluster,
              GError     **error)
{
  const char *initdb[] = {
    "initdb", "-D", cluster->pgdata, "-U", SUI_CLUSTER_USER, "-E", "UTF8",
    "--locale=C.UTF-8", "--auth-local=trust", "--auth-host=reject", NULL
  };
  g_autofree char *conf = NULL;

  if (!make_owned_dir (cluster, cluster->pgdata, error))
    return FALSE;

  g_message ("creating the database cluster in %s", cluster->pgdata);
  if (!run_pg (cluster, initdb, NULL, error))
    return FALSE;

  /* initdb wrote the files as the owner; the daemon (root) edits them and gives them back. */
  if (!write_settings (cluster, error))
    return FALSE;
  conf = g_build_filename (cluster->pgdata, "postgresql.conf", NULL);
  if (cluster->run_as != NULL && chown (conf, cluster->run_uid, cluster->run_gid) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot restore the owner of %s", conf);
      return FALSE;
    }
  return TRUE;
}

static gboolean
ensure_database (SuiCluster  *cluster,
                 GError     **error)
{
  g_autofree char *admin = g_strdup_printf ("host=%s port=" SUI_CLUSTER_PORT " dbname=postgres"
                                            " user=" SUI_CLUSTER_USER, cluster->socket_dir);
  PGconn *conn = PQconnectdb (admin);
  PGresult *result;
  gboolean ok = FALSE;

  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "cannot connect to the embedded cluster: %s", PQerrorMessage (conn));
      goto out;
    }

  result = PQexec (conn, "select 1 from pg_database where datname = '" SUI_CLUSTER_DB "'");
  if (PQresultStatus (result) == PGRES_TUPLES_OK && PQntuples (result) == 1)
    ok = TRUE;
  PQclear (result);
  if (ok)
    goto out;

  result = PQexec (conn, "create database " SUI_CLUSTER_DB);
  ok = PQresultStatus (result) == PGRES_COMMAND_OK;
  if (!ok)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 "cannot create the database: %s", PQresultErrorMessage (result));
  PQclear (result);

out:
  PQfinish (conn);
  return ok;
}

gboolean
sui_cluster_start (SuiCluster  *cluster,
                   GError     **error)
{
  const char *status_args[] = { "pg_ctl", "status", "-D", cluster->pgdata, NULL };
  const char *start_args[] = {
    "pg_ctl", "start", "-w", "-t", "120", "-D", cluster->pgdata, "-l", cluster->log_file, NULL
  };
  g_autofree char *version_file = g_build_filename (cluster->pgdata, "PG_VERSION", NULL);
  g_autofree char *socket_path = NULL;
  int status = -1;

  socket_path = g_build_filename (cluster->socket_dir, ".s.PGSQL." SUI_CLUSTER_PORT, NULL);
  if (strlen (socket_path) >= sizeof (((struct sockaddr_un *) NULL)->sun_path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FILENAME_TOO_LONG,
                   "the data directory path %s is too long for PostgreSQL's socket; "
                   "choose a shorter one", cluster->data_dir);
      return FALSE;
    }

  if (!prepare_owner (cluster, error))
    return FALSE;
  if (g_mkdir_with_parents (cluster->data_dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot create %s: %s", cluster->data_dir, g_strerror (saved));
      return FALSE;
    }
  if (!make_owned_dir (cluster, cluster->data_dir, error) ||
      !make_owned_dir (cluster, cluster->socket_dir, error) ||
      !check_reachable (cluster, error))
    return FALSE;

  if (!g_file_test (version_file, G_FILE_TEST_EXISTS) && !init_cluster (cluster, error))
    return FALSE;

  /* A cluster left running by a daemon that died is adopted rather than fought over. */
  if (!run_pg (cluster, status_args, &status, error))
    return FALSE;

  if (status != 0)
    {
      g_message ("starting PostgreSQL (log: %s)", cluster->log_file);
      if (!run_pg (cluster, start_args, NULL, error))
        return FALSE;
      cluster->started_by_us = TRUE;
    }

  return ensure_database (cluster, error);
}

gboolean
sui_cluster_stop (SuiCluster  *cluster,
                  GError     **error)
{
  const char *stop_args[] = { "pg_ctl", "stop", "-w", "-t", "60", "-m", "fast",
                              "-D", cluster->pgdata, NULL };

  g_message ("stopping PostgreSQL");
  return run_pg (cluster, stop_args, NULL, error);
}

gboolean
sui_cluster_was_started (SuiCluster *cluster)
{
  return cluster->started_by_us;
}
