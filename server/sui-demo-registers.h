/* sui-demo-registers.h: the registers' part of the demo data (`shuangsuid --demo-data`)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

/* About 40 000 objects, 300 inspectors, city-wide tags and a few recusals for the demo's
 * direct units, inside a transaction the caller opened, after sui_demo_load. Idempotent. */
gboolean  sui_demo_registers_load  (PGconn   *conn,
                                    GError  **error);

G_END_DECLS
