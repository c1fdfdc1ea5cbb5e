/* sui-demo.h: the demo data of `shuangsuid --demo-data`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

/* Loads the Shijiazhuang bureau, its direct units, two partner departments and their
 * demo users, inside a transaction the caller opened. Idempotent: what exists already
 * (by unit code, by login) is left as it is. */
gboolean  sui_demo_load  (PGconn   *conn,
                          GError  **error);

G_END_DECLS
