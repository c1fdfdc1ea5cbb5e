/* sui-audit.h: the hash-chained audit log and the audit.* methods
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Handlers append through sui_audit_append() (declared in sui-call.h); the SQL function
 * sui_audit_append() of migration 0001 does the numbering and chaining.
 */
#pragma once

#include <libpq-fe.h>

#include "sui-call.h"

G_BEGIN_DECLS

/* Registers audit.list and audit.verify. */
void      sui_audit_register       (void);

/* For work done by the daemon itself (command-line actions such as --create-admin and
 * --demo-data): the actor is "system". Inside the caller's transaction. */
gboolean  sui_audit_append_system  (PGconn      *conn,
                                    const char  *method,
                                    const char  *area,
                                    const char  *record_id,
                                    JsonNode    *before,
                                    JsonNode    *after,
                                    GError     **error);

G_END_DECLS
