/* sui-draw.h: the draw anyone can re-run, shuangsui-draw/1 (docs/draw-algorithm.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pure computation, no I/O: the daemon, the client and `shuangsuid --verify-draw` all use this
 * code. The secret comes from the caller (a cryptographic random source; GRand is not one).
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define SUI_DRAW_ALGORITHM   "shuangsui-draw/1"
/* Inspector matching: draw/1 with explicit k, strata walked in a given order and a capacity
 * per candidate (docs/draw-algorithm.md, "Inspector matching"). */
#define SUI_MATCH_ALGORITHM  "shuangsui-match/1"
#define SUI_DRAW_SECRET_SIZE 32
#define SUI_DRAW_HASH_SIZE   32
#define SUI_DRAW_TEXT_MAX    255     /* bytes in a stratum name or an id */
#define SUI_DRAW_RATIO_MAX   10000   /* basis points: 100 % */
#define SUI_DRAW_RATIO_NONE  (-1)    /* the stratum has an explicit k */

#define SUI_DRAW_ERROR (sui_draw_error_quark ())

/* One code per verification step, so a caller can say which part of a record is wrong. */
typedef enum
{
  SUI_DRAW_ERROR_INVALID,        /* malformed input or record */
  SUI_DRAW_ERROR_UNSUPPORTED,    /* unknown algorithm */
  SUI_DRAW_ERROR_COMMITMENT,
  SUI_DRAW_ERROR_CANDIDATE_HASH,
  SUI_DRAW_ERROR_SEED,
  SUI_DRAW_ERROR_COUNT,          /* n or k of a stratum */
  SUI_DRAW_ERROR_RESULT,         /* the drawn ids of a stratum */
  SUI_DRAW_ERROR_RESULT_HASH,
} SuiDrawError;

typedef struct
{
  char      *name;
  int        ratio_bp;    /* 0..10000, or SUI_DRAW_RATIO_NONE when k is explicit */
  guint      k;           /* the explicit k; unused with a ratio */
  GPtrArray *candidates;  /* const char *ids, stored in the input's string chunk */
} SuiDrawStratum;

typedef struct
{
  char         *algorithm;
  guint8        secret[SUI_DRAW_SECRET_SIZE];
  GPtrArray    *entropy;     /* char *, as entered */
  GPtrArray    *strata;      /* SuiDrawStratum * */
  guint         max_threads; /* 0: one per processor, at most 8 */
  GStringChunk *text;        /* holds the candidate ids */
  /* shuangsui-match/1 only (NULL otherwise): */
  GPtrArray    *order;       /* const char * stratum names, in processing order */
  GHashTable   *capacity;    /* id → GUINT_TO_POINTER (most strata it may be drawn in) */
} SuiDrawInput;

typedef struct
{
  char      *name;
  int        ratio_bp;
  guint      n;
  guint      k;
  GPtrArray *drawn;  /* char *ids, by rank; sui_draw_key() gives a key for display */
  guint      position;  /* match: 1-based place in the order; 0 for a draw */
} SuiDrawStratumResult;

typedef struct
{
  guint8     commitment[SUI_DRAW_HASH_SIZE];
  guint8     candidate_hash[SUI_DRAW_HASH_SIZE];
  char      *entropy_text;
  guint8     seed[SUI_DRAW_HASH_SIZE];
  GPtrArray *strata;  /* SuiDrawStratumResult *, ascending by name */
  guint8     result_hash[SUI_DRAW_HASH_SIZE];
  guint      n_short;  /* match: strata that found fewer than k with capacity left */
} SuiDrawResult;

GQuark          sui_draw_error_quark            (void);

SuiDrawInput   *sui_draw_input_new              (void);
void            sui_draw_input_free             (SuiDrawInput    *input);
void            sui_draw_input_set_secret       (SuiDrawInput    *input,
                                                 const guint8    *secret);
gboolean        sui_draw_input_set_secret_hex   (SuiDrawInput    *input,
                                                 const char      *hex,
                                                 GError         **error);
void            sui_draw_input_add_entropy      (SuiDrawInput    *input,
                                                 const char      *entry);
SuiDrawStratum *sui_draw_input_add_stratum      (SuiDrawInput    *input,
                                                 const char      *name,
                                                 int              ratio_bp);
SuiDrawStratum *sui_draw_input_add_stratum_k    (SuiDrawInput    *input,
                                                 const char      *name,
                                                 guint            k);
void            sui_draw_input_add_candidate    (SuiDrawInput    *input,
                                                 SuiDrawStratum  *stratum,
                                                 const char      *id);
/* Makes the input a shuangsui-match/1 one; then every stratum needs an explicit k, a place
 * in the order and every candidate a capacity. */
void            sui_draw_input_set_match        (SuiDrawInput    *input);
void            sui_draw_input_add_order        (SuiDrawInput    *input,
                                                 const char      *name);
void            sui_draw_input_set_capacity     (SuiDrawInput    *input,
                                                 const char      *id,
                                                 guint            capacity);

guint64         sui_draw_k_for_ratio            (guint64          n,
                                                 guint            ratio_bp);
void            sui_draw_commitment             (const guint8    *secret,
                                                 guint8          *out);
char           *sui_draw_entropy_text           (GPtrArray       *entries,
                                                 GError         **error);
void            sui_draw_seed                   (const guint8    *secret,
                                                 const guint8    *candidate_hash,
                                                 const char      *entropy_text,
                                                 guint8          *out);
void            sui_draw_key                    (const guint8    *seed,
                                                 const char      *stratum,
                                                 const char      *id,
                                                 guint8          *out);

/* A match whose result has n_short > 0 left some strata short: its drawn lists are shorter
 * than k, and it must not be kept (sui_draw_verify refuses such a record). */
/* Both sort each stratum's candidates in place (bytewise), which changes nothing else. */
gboolean        sui_draw_candidate_hash         (SuiDrawInput    *input,
                                                 guint8          *out,
                                                 GError         **error);
SuiDrawResult  *sui_draw_run                    (SuiDrawInput    *input,
                                                 GError         **error);
void            sui_draw_result_free            (SuiDrawResult   *result);

JsonNode       *sui_draw_record_new             (SuiDrawInput    *input,
                                                 SuiDrawResult   *result);
SuiDrawInput   *sui_draw_input_new_from_record  (JsonNode        *record,
                                                 GError         **error);
gboolean        sui_draw_verify                 (JsonNode        *record,
                                                 GError         **error);
gboolean        sui_draw_verify_input           (SuiDrawInput    *input,
                                                 JsonNode        *record,
                                                 GError         **error);
gboolean        sui_draw_verify_text            (const char      *text,
                                                 gssize           length,
                                                 GError         **error);

char           *sui_draw_hex                    (const guint8    *bytes,
                                                 gsize            length);
gboolean        sui_draw_parse_hex              (const char      *hex,
                                                 guint8          *out,
                                                 gsize            length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SuiDrawInput, sui_draw_input_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SuiDrawResult, sui_draw_result_free)

G_END_DECLS
