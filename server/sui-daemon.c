/* sui-daemon.c: shuangsuid's command line, start-up and shutdown
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sui-config.h"
#include "sui-daemon.h"

#include <glib-unix.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "sui-audit.h"
#include "sui-auth.h"
#include "sui-cluster.h"
#include "sui-db.h"
#include "sui-demo.h"
#include "sui-demo-registers.h"
#include "sui-draws.h"
#include "sui-matching.h"
#include "sui-files.h"
#include "sui-imports.h"
#include "sui-items.h"
#include "sui-grades.h"
#include "sui-xlsx.h"
#include "sui-joint.h"
#include "sui-ratios.h"
#include "sui-inspectors.h"
#include "sui-migrate.h"
#include "sui-objects.h"
#include "sui-pg.h"
#include "sui-plans.h"
#include "sui-server.h"
#include "sui-system.h"
#include "sui-tags.h"
#include "sui-tasks.h"
#include "sui-units.h"
#include "sui-users.h"

typedef struct
{
  char *config_file;
  char *data_dir;
  char *database;
  char *listen;
  char *pg_user;
  char *pg_bindir;
  char *tls_cert;
  char *tls_key;
  gint64 max_body;
  gint64 max_upload;
  int token_hours;
  int pool;
  gboolean migrate;
  char *create_admin;
  gboolean demo_data;
  gboolean version;
  char *verify_draw;
} Options;

static void
options_clear (Options *o)
{
  g_free (o->config_file);
  g_free (o->data_dir);
  g_free (o->database);
  g_free (o->listen);
  g_free (o->pg_user);
  g_free (o->pg_bindir);
  g_free (o->tls_cert);
  g_free (o->tls_key);
  g_free (o->create_admin);
  g_free (o->verify_draw);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Options, options_clear)

static void
register_methods (void)
{
  sui_system_register ();
  sui_auth_register ();
  sui_units_register ();
  sui_users_register ();
  sui_audit_register ();
  sui_files_register ();
  sui_objects_register ();
  sui_inspectors_register ();
  sui_tags_register ();
  sui_plans_register ();
  sui_tasks_register ();
  sui_draws_register ();
  sui_matching_register ();
  sui_imports_register ();
  sui_items_register ();
  sui_grades_register ();
  sui_xlsx_register ();
  sui_joint_register ();
  sui_ratios_register ();
}

/* Settings missing on the command line come from the config file's [shuangsuid] group. */
static gboolean
load_config (Options  *o,
             GError  **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  const char *group = "shuangsuid";

  if (o->config_file == NULL)
    return TRUE;
  if (!g_key_file_load_from_file (file, o->config_file, G_KEY_FILE_NONE, error))
    return FALSE;

#define TAKE_STRING(field, key) \
  if (o->field == NULL && g_key_file_has_key (file, group, key, NULL)) \
    o->field = g_key_file_get_string (file, group, key, NULL);
#define TAKE_INT(field, key) \
  if (o->field <= 0 && g_key_file_has_key (file, group, key, NULL)) \
    o->field = g_key_file_get_int64 (file, group, key, NULL);

  TAKE_STRING (data_dir, "data-dir");
  TAKE_STRING (database, "database");
  TAKE_STRING (listen, "listen");
  TAKE_STRING (pg_user, "pg-user");
  TAKE_STRING (pg_bindir, "pg-bindir");
  TAKE_STRING (tls_cert, "tls-cert");
  TAKE_STRING (tls_key, "tls-key");
  TAKE_INT (max_body, "max-body");
  TAKE_INT (max_upload, "max-upload");
  TAKE_INT (token_hours, "token-hours");
  TAKE_INT (pool, "pool");

#undef TAKE_STRING
#undef TAKE_INT
  return TRUE;
}

static gboolean
parse_listen (const char  *text,
              char       **host,
              guint       *port,
              GError     **error)
{
  const char *colon = strrchr (text, ':');
  guint64 value;

  if (colon == NULL || colon == text ||
      !g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &value, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--listen takes HOST:PORT, e.g. 127.0.0.1:8470 (got \"%s\")", text);
      return FALSE;
    }

  *host = g_strndup (text, colon - text);
  if ((*host)[0] == '[' && (*host)[strlen (*host) - 1] == ']')
    {
      char *inner = g_strndup (*host + 1, strlen (*host) - 2);
      g_free (*host);
      *host = inner;
    }
  *port = (guint) value;
  return TRUE;
}

static gboolean
run_in_transaction (PGconn    *conn,
                    gboolean (*func) (PGconn *, gpointer, GError **),
                    gpointer   data,
                    GError   **error)
{
  g_autoptr(PGresult) begin = sui_pg_exec (conn, "begin", 0, NULL, error);
  g_autoptr(PGresult) end = NULL;

  if (begin == NULL)
    return FALSE;
  if (!func (conn, data, error))
    {
      PQclear (PQexec (conn, "rollback"));
      return FALSE;
    }
  end = sui_pg_exec (conn, "commit", 0, NULL, error);
  return end != NULL;
}

typedef struct
{
  const char *login;
  const char *password;
} AdminRequest;

static gboolean
create_admin_step (PGconn    *conn,
                   gpointer   data,
                   GError   **error)
{
  AdminRequest *request = data;

  return sui_auth_create_admin (conn, request->login, request->password, error);
}

static gboolean
demo_step (PGconn    *conn,
           gpointer   data,
           GError   **error)
{
  return sui_demo_load (conn, error) && sui_demo_registers_load (conn, error);
}

static gboolean
quit_on_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

/* The tests run everything with G_DEBUG=fatal-warnings, which should stop the daemon on
 * its own slips and on misuse of GLib or json-glib, but not on libsoup's warnings about a
 * client that vanished between accept() and the first read. */
static void
keep_library_warnings_survivable (void)
{
  const char *domains[] = { "", "GLib", "GLib-GObject", "GLib-GIO", "Json" };
  GLogLevelFlags always = g_log_set_always_fatal (G_LOG_FATAL_MASK);
  GLogLevelFlags extra = always & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL);

  if (extra == 0)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (domains); i++)
    g_log_set_fatal_mask (domains[i], G_LOG_FATAL_MASK | extra);
}

static int
fail (const char *what,
      GError     *error)
{
  fprintf (stderr, "shuangsuid: %s: %s\n", what, error->message);
  return 1;
}

int
sui_daemon_main (int    argc,
                 char **argv)
{
  g_auto(Options) o = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *host = NULL;
  g_autofree char *url = NULL;
  SuiCluster *cluster = NULL;
  SuiServer *server = NULL;
  SuiSettings settings = { 0 };
  SuiDb *db = NULL;
  const char *conninfo;
  guint port = 0;
  guint n_applied = 0;
  PGconn *conn;
  int status = 0;
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &o.config_file, "Settings file (GKeyFile, group [shuangsuid])", "FILE" },
    { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &o.data_dir, "Run an embedded PostgreSQL cluster under DIR", "DIR" },
    { "database", 0, 0, G_OPTION_ARG_STRING, &o.database, "Use an existing PostgreSQL (libpq connection string)", "CONNINFO" },
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &o.listen, "Address to serve on (default 127.0.0.1:8470; port 0 picks one)", "HOST:PORT" },
    { "max-body", 0, 0, G_OPTION_ARG_INT64, &o.max_body, "Largest POST /rpc body in bytes (default 1 MiB)", "BYTES" },
    { "max-upload", 0, 0, G_OPTION_ARG_INT64, &o.max_upload, "Largest PUT /files body in bytes (default 64 MiB)", "BYTES" },
    { "token-hours", 0, 0, G_OPTION_ARG_INT, &o.token_hours, "Hours a login token stays valid (default 12)", "N" },
    { "pool", 0, 0, G_OPTION_ARG_INT, &o.pool, "Database connections and worker threads (default twice the cores, 4 to 32)", "N" },
    { "pg-user", 0, 0, G_OPTION_ARG_STRING, &o.pg_user, "Unprivileged user that runs the embedded cluster when started as root (default postgres)", "USER" },
    { "pg-bindir", 0, 0, G_OPTION_ARG_FILENAME, &o.pg_bindir, "PostgreSQL 15 programs (default /usr/lib/postgresql/15/bin)", "DIR" },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &o.tls_cert, "Serve HTTPS with this PEM certificate", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &o.tls_key, "The certificate's PEM private key", "FILE" },
    { "migrate", 0, 0, G_OPTION_ARG_NONE, &o.migrate, "Apply the migrations and exit", NULL },
    { "create-admin", 0, 0, G_OPTION_ARG_STRING, &o.create_admin, "Create an administrator (password in SHUANGSUI_PASSWORD) and exit", "LOGIN" },
    { "demo-data", 0, 0, G_OPTION_ARG_NONE, &o.demo_data, "Load the demo data (idempotent) and exit", NULL },
    { "verify-draw", 0, 0, G_OPTION_ARG_FILENAME, &o.verify_draw, "Re-run an exported draw record (JSON), say whether it matches and exit (no database needed)", "FILE" },
    { "version", 0, 0, G_OPTION_ARG_NONE, &o.version, "Print the version and exit", NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  keep_library_warnings_survivable ();

  context = g_option_context_new ("- the Shuangsui daemon");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return fail ("bad arguments", error);

  if (o.version)
    {
      printf ("shuangsuid %s\n", SUI_VERSION);
      return 0;
    }

  /* Anyone may re-run a published draw: no database, no config file. */
  if (o.verify_draw != NULL)
    return sui_draws_verify_file (o.verify_draw);

  if (!load_config (&o, &error))
    return fail ("cannot read the config file", error);

  if ((o.data_dir == NULL) == (o.database == NULL))
    {
      fprintf (stderr, "shuangsuid: give exactly one of --data-dir DIR (embedded PostgreSQL) "
                       "or --database CONNINFO (existing PostgreSQL)\n");
      return 2;
    }

  if (sodium_init () < 0)
    {
      fprintf (stderr, "shuangsuid: libsodium could not be initialised\n");
      return 1;
    }

  settings.max_body = o.max_body > 0 ? (guint64) o.max_body : 1024 * 1024;
  settings.max_upload = o.max_upload > 0 ? (guint64) o.max_upload : 64 * 1024 * 1024;
  settings.token_hours = o.token_hours > 0 ? (guint) o.token_hours : 12;

  if ((o.tls_cert == NULL) != (o.tls_key == NULL))
    {
      fprintf (stderr, "shuangsuid: --tls-cert and --tls-key go together\n");
      return 2;
    }
  if (o.tls_cert != NULL)
    {
      settings.tls_certificate = g_tls_certificate_new_from_files (o.tls_cert, o.tls_key, &error);
      if (settings.tls_certificate == NULL)
        return fail ("cannot read the TLS certificate", error);
    }

  if (!parse_listen (o.listen != NULL ? o.listen : "127.0.0.1:8470", &host, &port, &error))
    return fail ("bad arguments", error);

  if (o.data_dir != NULL)
    {
      cluster = sui_cluster_new (o.data_dir, o.pg_bindir, o.pg_user);
      if (!sui_cluster_start (cluster, &error))
        {
          status = fail ("cannot start the embedded PostgreSQL", error);
          sui_cluster_free (cluster);
          return status;
        }
      conninfo = sui_cluster_get_conninfo (cluster);
    }
  else
    conninfo = o.database;

  register_methods ();
  /* Twice the cores: enough to overlap each worker's wait on PostgreSQL, few enough that
   * threads do not queue for the CPU (measured: 4 beat 8 on two cores, p99 3 ms vs 5.5 ms). */
  db = sui_db_new (conninfo, o.pool > 0 ? (guint) o.pool
                                        : CLAMP (2 * g_get_num_processors (), 4, 32));

  conn = sui_db_acquire (db, &error);
  if (conn == NULL)
    {
      g_clear_error (&error);
      g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "cannot connect to the database; check --database");
      status = fail ("start-up failed", error);
      goto out;
    }

  if (!sui_migrate_apply (conn, sui_migrate_default_dir (), &n_applied, &error))
    {
      sui_db_release (db, conn);
      status = fail ("migrations", error);
      goto out;
    }

  if (o.create_admin != NULL)
    {
      AdminRequest request = { o.create_admin, g_getenv ("SHUANGSUI_PASSWORD") };

      if (request.password == NULL || g_utf8_strlen (request.password, -1) < 8)
        {
          fprintf (stderr, "shuangsuid: put the new administrator's password (at least 8 "
                           "characters) in the environment variable SHUANGSUI_PASSWORD\n");
          status = 2;
        }
      else if (!run_in_transaction (conn, create_admin_step, &request, &error))
        status = fail ("cannot create the administrator", error);
      else
        printf ("administrator %s is ready\n", o.create_admin);
    }

  if (status == 0 && o.demo_data)
    {
      if (!run_in_transaction (conn, demo_step, NULL, &error))
        status = fail ("cannot load the demo data", error);
      else
        printf ("demo data loaded\n");
    }

  sui_db_release (db, conn);

  if (o.migrate || o.create_admin != NULL || o.demo_data)
    {
      if (o.migrate && status == 0)
        printf ("%u migration(s) applied\n", n_applied);
      goto out;
    }

  loop = g_main_loop_new (NULL, FALSE);
  server = sui_server_new (db, &settings);
  if (!sui_server_listen (server, host, port, &error))
    {
      status = fail ("cannot listen", error);
      goto out;
    }

  g_unix_signal_add (SIGTERM, quit_on_signal, loop);
  g_unix_signal_add (SIGINT, quit_on_signal, loop);

  url = sui_server_get_url (server);
  printf ("listening on %s\n", url);
  fflush (stdout);

  g_main_loop_run (loop);
  g_message ("shutting down");

out:
  g_clear_pointer (&server, sui_server_free);
  g_clear_pointer (&db, sui_db_free);
  g_clear_object (&settings.tls_certificate);
  if (cluster != NULL)
    {
      g_autoptr(GError) stop_error = NULL;
      gboolean one_shot = o.migrate || o.create_admin != NULL || o.demo_data;

      /* A one-shot action leaves a cluster that a serving daemon uses alone. */
      if ((!one_shot || sui_cluster_was_started (cluster)) &&
          !sui_cluster_stop (cluster, &stop_error))
        fprintf (stderr, "shuangsuid: stopping PostgreSQL: %s\n", stop_error->message);
      sui_cluster_free (cluster);
    }
  return status;
}
