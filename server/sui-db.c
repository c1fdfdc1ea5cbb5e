/* sui-db.c: the pool of database connections and worker threads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sui-db.h"

#include <poll.h>

#include "sui-rpc.h"

struct _SuiDb
{
  char *conninfo;
  GThreadPool *threads;
  GAsyncQueue *idle;      /* of PGconn *, or of the placeholder for "not yet connected" */
  guint n_connections;
};

/* Stands for a connection not yet opened, so the queue can hold n slots from the start. */
static char unopened_slot;

typedef struct
{
  SuiDb *db;
  SuiDbFunc func;
  gpointer data;
  GDestroyNotify data_free;
  GDestroyNotify result_free;
} Job;

static void
job_free (Job *job)
{
  if (job->data_free != NULL && job->data != NULL)
    job->data_free (job->data);
  g_free (job);
}

PGconn *
sui_db_connect (const char  *conninfo,
                GError     **error)
{
  PGconn *conn = PQconnectdb (conninfo);

  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_message ("database connection failed: %s", PQerrorMessage (conn));
      PQfinish (conn);
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_INTERNAL,
                           "数据库暂时不可用，请稍后重试");
      return NULL;
    }

  /* Dates and moments are read and written in the bureau's zone. */
  PQclear (PQexec (conn, "set time zone 'Asia/Shanghai'"));
  return conn;
}

/* An idle connection has nothing to say. If its socket is readable, the server sent
 * something on its way out (a restart terminates every backend) or closed it: let libpq
 * read it, which marks the connection bad — without a round trip on the healthy path. */
static gboolean
connection_is_alive (PGconn *conn)
{
  struct pollfd fd = { .fd = PQsocket (conn), .events = POLLIN };

  if (fd.fd < 0)
    return FALSE;
  if (poll (&fd, 1, 0) <= 0)
    return TRUE;
  if (!PQconsumeInput (conn) || PQstatus (conn) != CONNECTION_OK)
    return FALSE;

  /* Anything but a notification is unexpected on an idle connection: start afresh. */
  return FALSE;
}

PGconn *
sui_db_acquire (SuiDb   *db,
                GError **error)
{
  gpointer slot = g_async_queue_pop (db->idle);
  gboolean alive;
  PGconn *conn;

  if (slot == &unopened_slot)
    {
      conn = sui_db_connect (db->conninfo, error);
      if (conn == NULL)
        g_async_queue_push (db->idle, &unopened_slot);
      return conn;
    }

  conn = slot;
  alive = PQstatus (conn) == CONNECTION_OK && connection_is_alive (conn);
  if (!alive)
    g_message ("a database connection was closed by the server; opening a new one");
  if (PQstatus (conn) != CONNECTION_OK || !alive)
    {
      /* PostgreSQL went away since the last use: start over with a fresh connection. */
      PQfinish (conn);
      conn = sui_db_connect (db->conninfo, error);
      if (conn == NULL)
        g_async_queue_push (db->idle, &unopened_slot);
      return conn;
    }

  return conn;
}

void
sui_db_release (SuiDb  *db,
                PGconn *conn)
{
  if (conn == NULL)
    return;

  /* A connection left inside a transaction (a job that failed between statements)
   * would carry it into the next job. */
  if (PQstatus (conn) == CONNECTION_OK && PQtransactionStatus (conn) != PQTRANS_IDLE)
    PQclear (PQexec (conn, "rollback"));

  g_async_queue_push (db->idle, conn);
}

static void
run_job (gpointer item,
         gpointer pool_data)
{
  g_autoptr(GTask) task = item;
  g_autoptr(GError) error = NULL;
  Job *job = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  gpointer result;
  PGconn *conn;

  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  conn = sui_db_acquire (job->db, &error);
  if (conn == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  result = job->func (conn, job->data, cancellable, &error);
  sui_db_release (job->db, conn);

  if (error != NULL)
    {
      if (result != NULL && job->result_free != NULL)
        job->result_free (result);
      g_task_return_error (task, g_steal_pointer (&error));
    }
  else
    g_task_return_pointer (task, result, job->result_free);
}

SuiDb *
sui_db_new (const char *conninfo,
            guint       n_connections)
{
  SuiDb *db = g_new0 (SuiDb, 1);

  db->conninfo = g_strdup (conninfo);
  db->n_connections = MAX (n_connections, 1);
  db->idle = g_async_queue_new ();
  for (guint i = 0; i < db->n_connections; i++)
    g_async_queue_push (db->idle, &unopened_slot);
  db->threads = g_thread_pool_new (run_job, db, db->n_connections, FALSE, NULL);

  return db;
}

void
sui_db_free (SuiDb *db)
{
  gpointer slot;

  if (db == NULL)
    return;

  g_thread_pool_free (db->threads, FALSE, TRUE);
  while ((slot = g_async_queue_try_pop (db->idle)) != NULL)
    if (slot != &unopened_slot)
      PQfinish (slot);
  g_async_queue_unref (db->idle);
  g_free (db->conninfo);
  g_free (db);
}

const char *
sui_db_get_conninfo (SuiDb *db)
{
  return db->conninfo;
}

void
sui_db_run_async (SuiDb               *db,
                  SuiDbFunc            func,
                  gpointer             data,
                  GDestroyNotify       data_free,
                  GDestroyNotify       result_free,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  GTask *task;
  Job *job;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, sui_db_run_async);

  job = g_new0 (Job, 1);
  job->db = db;
  job->func = func;
  job->data = data;
  job->data_free = data_free;
  job->result_free = result_free;
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);

  /* The pool owns the task reference until run_job returns its result. */
  g_thread_pool_push (db->threads, task, NULL);
}

gpointer
sui_db_run_finish (SuiDb         *db,
                   GAsyncResult  *result,
                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
