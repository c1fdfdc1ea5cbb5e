/* sui-db.h: the daemon's pool of database connections and worker threads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every piece of database work runs on one of the pool's threads, each of which owns a
 * blocking PGconn for as long as the job runs; the result comes back to the main loop
 * through a GTask. A connection that broke (PostgreSQL restarted) is reset on its next
 * use, so the daemon recovers by itself once the database is back.
 */
#pragma once

#include <gio/gio.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

typedef struct _SuiDb SuiDb;

/* Runs on a worker thread with a healthy connection. Returns a result (owned by the
 * task, freed with result_free) or NULL with error set. */
typedef gpointer (*SuiDbFunc) (PGconn        *conn,
                               gpointer       data,
                               GCancellable  *cancellable,
                               GError       **error);

SuiDb     *sui_db_new          (const char          *conninfo,
                                guint                n_connections);
void       sui_db_free         (SuiDb               *db);
const char *sui_db_get_conninfo (SuiDb              *db);

void       sui_db_run_async    (SuiDb               *db,
                                SuiDbFunc            func,
                                gpointer             data,
                                GDestroyNotify       data_free,
                                GDestroyNotify       result_free,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data);
gpointer   sui_db_run_finish   (SuiDb               *db,
                                GAsyncResult        *result,
                                GError             **error);

/* Blocking, for one-shot command-line actions and workers: a connection from the pool,
 * reset if it broke. Give it back with sui_db_release(). */
PGconn    *sui_db_acquire      (SuiDb               *db,
                                GError             **error);
void       sui_db_release      (SuiDb               *db,
                                PGconn              *conn);

/* Opens a new connection outside the pool (for LISTEN); blocking. */
PGconn    *sui_db_connect      (const char          *conninfo,
                                GError             **error);

G_END_DECLS
