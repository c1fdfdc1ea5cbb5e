/* sui-cluster.h: the embedded PostgreSQL cluster under --data-dir
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SuiCluster SuiCluster;

/* pg_bindir NULL: Debian's PostgreSQL 15. run_as NULL: "postgres" when we are root. */
SuiCluster  *sui_cluster_new          (const char  *data_dir,
                                       const char  *pg_bindir,
                                       const char  *run_as);
void         sui_cluster_free         (SuiCluster  *cluster);

/* initdb on first use, then start the server (or adopt one already running on this
 * data dir) and make sure the application's database exists. Blocking. */
gboolean     sui_cluster_start        (SuiCluster  *cluster,
                                       GError     **error);
gboolean     sui_cluster_stop         (SuiCluster  *cluster,
                                       GError     **error);
const char  *sui_cluster_get_conninfo (SuiCluster  *cluster);
/* TRUE when sui_cluster_start() started PostgreSQL, FALSE when it found it running. */
gboolean     sui_cluster_was_started  (SuiCluster  *cluster);

G_END_DECLS
