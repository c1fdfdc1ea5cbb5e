/* sui-draws.h: draws.* methods and `shuangsuid --verify-draw`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sui-call.h"
#include "sui-draw.h"

G_BEGIN_DECLS

void      sui_draws_register       (void);

/* `shuangsuid --verify-draw FILE`: re-runs an exported draw record (docs/draw-algorithm.md)
 * and prints the verdict in Chinese. Needs no database. Returns the exit status: 0 when the
 * record matches, 1 when it does not or cannot be read. */
int       sui_draws_verify_file    (const char *path);

/* For tasks.make_ready and draws.approve_void. */

/* A new secret (32 bytes from libsodium's randombytes_buf) and its commitment, in hex. */
void      sui_draws_new_secret     (char         **secret_hex,
                                    char         **commitment_hex);

/* Adds the ids of a PostgreSQL bigint[] in text form ("{1,2,3}") as candidates. */
void      sui_draws_add_array      (SuiDrawInput  *input,
                                    SuiDrawStratum *stratum,
                                    const char    *array_text);

/* draw_stratum.candidates_packed (migration 0014): ascending ids, each as its difference
 * from the one before in unsigned LEB128. pack_texts takes decimal ids in any order (fastest
 * in step-1 order) and fails on one that is not a database id. */
void      sui_draws_pack_ids       (GByteArray    *out,
                                    const guint64 *ids,
                                    gsize          n);
gboolean  sui_draws_pack_texts     (GByteArray    *out,
                                    GPtrArray     *ids);

/* Rows for COPY … FROM STDIN (FORMAT binary): new() writes the header; each row is
 * copy_row (n fields) and then its fields; copy_send() ends and sends them. */
GByteArray *sui_draws_copy_new     (void);
void      sui_draws_copy_row       (GByteArray    *copy,
                                    guint          n_fields);
void      sui_draws_copy_null      (GByteArray    *copy);
void      sui_draws_copy_int8      (GByteArray    *copy,
                                    gint64         value);
void      sui_draws_copy_int4      (GByteArray    *copy,
                                    gint32         value);
void      sui_draws_copy_text      (GByteArray    *copy,
                                    const char    *text);
void      sui_draws_copy_bytes     (GByteArray    *copy,
                                    const guint8  *data,
                                    gsize          length);
void      sui_draws_copy_int8_array (GByteArray   *copy,
                                    const gint64  *values,
                                    guint          n);
gboolean  sui_draws_copy_send      (PGconn        *conn,
                                    const char    *sql,
                                    GByteArray    *copy,
                                    GError       **error);

/* The audit row that publishes a committed draw: its commitment, candidate hash and
 * strata sizes (area "draws", event "committed"). draws.verify compares with it. */
gboolean  sui_draws_audit_committed (SuiCall      *call,
                                     const char   *draw_id,
                                     GError      **error);

/* Any other audit row of a draw (event "run", "voided" …), as draws.* write them; extra
 * members are merged into it. */
gboolean  sui_draws_audit_event    (SuiCall      *call,
                                    const char   *draw_id,
                                    const char   *event,
                                    JsonNode     *extra,
                                    GError      **error);

/* A draw without its candidate lists, as the client shows it; the secret only after the
 * run. For a query with draw_public as `d`. */
#define SUI_DRAW_SUMMARY_SQL \
  "jsonb_build_object ('id', d.id, 'task_id', d.task_id, 'kind', d.kind," \
  " 'algorithm', d.algorithm, 'state', d.state, 'replaces', d.replaces," \
  " 'commitment', encode (d.commitment, 'hex'), 'candidate_hash', encode (d.candidate_hash, 'hex')," \
  " 'candidate_count', d.candidate_count, 'committed_by', d.committed_by," \
  " 'committed_at', d.committed_at, 'secret', encode (d.secret, 'hex'), 'entropy', d.entropy," \
  " 'seed', encode (d.seed, 'hex'), 'result_hash', encode (d.result_hash, 'hex')," \
  " 'drawn_count', d.drawn_count, 'run_by', d.run_by," \
  " 'run_by_name', (select u.name from app_user u where u.id = d.run_by), 'run_at', d.run_at," \
  " 'void_reason', d.void_reason, 'void_requested_by', d.void_requested_by," \
  " 'void_requested_at', d.void_requested_at, 'void_approved_by', d.void_approved_by," \
  " 'voided_at', d.voided_at)"

G_END_DECLS
