/* sui-migrate.h: applying the numbered SQL migrations
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

#define SUI_MIGRATE_ERROR (sui_migrate_error_quark ())

typedef enum
{
  SUI_MIGRATE_ERROR_CHANGED,   /* an applied file no longer matches its checksum */
  SUI_MIGRATE_ERROR_FAILED,    /* a migration's SQL failed */
  SUI_MIGRATE_ERROR_NO_FILES,
} SuiMigrateError;

GQuark       sui_migrate_error_quark (void);
const char  *sui_migrate_default_dir (void);

/* Applies every file of dir not yet recorded, each in its own transaction, in name order.
 * Returns the number applied in *n_applied. */
gboolean     sui_migrate_apply       (PGconn      *conn,
                                      const char  *dir,
                                      guint       *n_applied,
                                      GError     **error);

G_END_DECLS
