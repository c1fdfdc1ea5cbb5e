/* sui-draw.c: shuangsui-draw/1, the draw anyone can re-run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * docs/draw-algorithm.md is the specification; the steps below follow its numbering. The two
 * costly parts, sorting the candidates and one HMAC per candidate, are spread over a few
 * threads. How the work is split never changes the result.
 */
#include "sui-draw.h"

#include <stdlib.h>
#include <string.h>

/* The low-level SHA-256 calls: their context is a plain struct, so the HMAC states of a
 * stratum are made once and copied per id (see KeyPrefix). */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "sui-rpc.h"

G_DEFINE_QUARK (sui-draw-error-quark, sui_draw_error)

#define KEY_CHUNK    8192   /* candidates per key job */
#define MIN_PARALLEL 16384  /* below this many candidates, threads cost more than they save */
#define MAX_THREADS  8

/* ---------------------------------------------------------------------------------------- */
/* Input                                                                                    */

static void
stratum_free (SuiDrawStratum *stratum)
{
  g_free (stratum->name);
  g_ptr_array_unref (stratum->candidates);
  g_free (stratum);
}

SuiDrawInput *
sui_draw_input_new (void)
{
  SuiDrawInput *input = g_new0 (SuiDrawInput, 1);

  input->algorithm = g_strdup (SUI_DRAW_ALGORITHM);
  input->entropy = g_ptr_array_new_with_free_func (g_free);
  input->strata = g_ptr_array_new_with_free_func ((GDestroyNotify) stratum_free);
  input->text = g_string_chunk_new (64 * 1024);
  return input;
}

void
sui_draw_input_free (SuiDrawInput *input)
{
  if (input == NULL)
    return;
  g_free (input->algorithm);
  g_ptr_array_unref (input->entropy);
  g_ptr_array_unref (input->strata);
  g_string_chunk_free (input->text);
  g_clear_pointer (&input->order, g_ptr_array_unref);
  g_clear_pointer (&input->capacity, g_hash_table_unref);
  memset (input->secret, 0, sizeof input->secret);
  g_free (input);
}

void
sui_draw_input_set_secret (SuiDrawInput *input,
                           const guint8 *secret)
{
  memcpy (input->secret, secret, SUI_DRAW_SECRET_SIZE);
}

gboolean
sui_draw_input_set_secret_hex (SuiDrawInput  *input,
                               const char    *hex,
                               GError       **error)
{
  if (hex == NULL || !sui_draw_parse_hex (hex, input->secret, SUI_DRAW_SECRET_SIZE))
    {
      g_set_error_literal (error, SUI_DRAW_ERROR, SUI_DRAW_ERROR_INVALID,
                           "密钥（secret）须为 64 位十六进制数字");
      return FALSE;
    }
  return TRUE;
}

void
sui_draw_input_add_entropy (SuiDrawInput *input,
                            const char   *entry)
{
  g_return_if_fail (entry != NULL);
  g_ptr_array_add (input->entropy, g_strdup (entry));
}

static SuiDrawStratum *
add_stratum (SuiDrawInput *input,
             const char   *name,
             int           ratio_bp,
             guint         k)
{
  SuiDrawStratum *stratum = g_new0 (SuiDrawStratum, 1);

  stratum->name = g_strdup (name);
  stratum->ratio_bp = ratio_bp;
  stratum->k = k;
  stratum->candidates = g_ptr_array_new ();
  g_ptr_array_add (input->strata, stratum);
  return stratum;
}

SuiDrawStratum *
sui_draw_input_add_stratum (SuiDrawInput *input,
                            const char   *name,
                            int           ratio_bp)
{
  g_return_val_if_fail (name != NULL, NULL);
  return add_stratum (input, name, ratio_bp, 0);
}

SuiDrawStratum *
sui_draw_input_add_stratum_k (SuiDrawInput *input,
                              const char   *name,
                              guint         k)
{
  g_return_val_if_fail (name != NULL, NULL);
  return add_stratum (input, name, SUI_DRAW_RATIO_NONE, k);
}

void
sui_draw_input_add_candidate (SuiDrawInput   *input,
                              SuiDrawStratum *stratum,
                              const char     *id)
{
  g_return_if_fail (id != NULL);
  g_ptr_array_add (stratum->candidates, g_string_chunk_insert (input->text, id));
}

void
sui_draw_input_set_match (SuiDrawInput *input)
{
  g_free (input->algorithm);
  input->algorithm = g_strdup (SUI_MATCH_ALGORITHM);
  if (input->order == NULL)
    input->order = g_ptr_array_new ();
  if (input->capacity == NULL)
    input->capacity = g_hash_table_new (g_str_hash, g_str_equal);
}

void
sui_draw_input_add_order (SuiDrawInput *input,
                          const char   *name)
{
  g_return_if_fail (input->order != NULL && name != NULL);
  g_ptr_array_add (input->order, g_string_chunk_insert_const (input->text, name));
}

void
sui_draw_input_set_capacity (SuiDrawInput *input,
                             const char   *id,
                             guint         capacity)
{
  g_return_if_fail (input->capacity != NULL && id != NULL);
  g_hash_table_insert (input->capacity, g_string_chunk_insert_const (input->text, id),
                       GUINT_TO_POINTER (capacity));
}

/* ---------------------------------------------------------------------------------------- */
/* Small pieces                                                                             */

char *
sui_draw_hex (const guint8 *bytes,
              gsize         length)
{
  static const char digits[] = "0123456789abcdef";
  char *hex = g_malloc (2 * length + 1);

  for (gsize i = 0; i < length; i++)
    {
      hex[2 * i] = digits[bytes[i] >> 4];
      hex[2 * i + 1] = digits[bytes[i] & 0xf];
    }
  hex[2 * length] = '\0';
  return hex;
}

gboolean
sui_draw_parse_hex (const char *hex,
                    guint8     *out,
                    gsize       length)
{
  if (strlen (hex) != 2 * length)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    {
      int high = g_ascii_xdigit_value (hex[2 * i]);
      int low = g_ascii_xdigit_value (hex[2 * i + 1]);

      if (high < 0 || low < 0)
        return FALSE;
      out[i] = (guint8) (high << 4 | low);
    }
  return TRUE;
}

/* The text rule for names and ids: 1..255 bytes of UTF-8, no control character. */
static gboolean
text_is_valid (const char *text)
{
  const guchar *p;
  gsize length;

  for (p = (const guchar *) text; *p != '\0'; p++)
    if (*p < 0x20 || *p == 0x7f)
      return FALSE;
  length = (gsize) (p - (const guchar *) text);
  return length > 0 && length <= SUI_DRAW_TEXT_MAX && g_utf8_validate_len (text, length, NULL);
}

/* Step 6. */
guint64
sui_draw_k_for_ratio (guint64 n,
                      guint   ratio_bp)
{
  g_return_val_if_fail (ratio_bp <= SUI_DRAW_RATIO_MAX, 0);
  return (n * ratio_bp + (SUI_DRAW_RATIO_MAX - 1)) / SUI_DRAW_RATIO_MAX;
}

static guint
stratum_k (const SuiDrawStratum *stratum)
{
  if (stratum->ratio_bp == SUI_DRAW_RATIO_NONE)
    return stratum->k;
  return (guint) sui_draw_k_for_ratio (stratum->candidates->len, (guint) stratum->ratio_bp);
}

static void
sha256 (const guint8 *data,
        gsize         length,
        guint8       *out)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize out_length = SUI_DRAW_HASH_SIZE;

  g_checksum_update (checksum, data, length);
  g_checksum_get_digest (checksum, out, &out_length);
}

/* Step 2. */
void
sui_draw_commitment (const guint8 *secret,
                     guint8       *out)
{
  sha256 (secret, SUI_DRAW_SECRET_SIZE, out);
}

static gboolean
is_trimmed (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Step 3. */
char *
sui_draw_entropy_text (GPtrArray  *entries,
                       GError    **error)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (entries == NULL || entries->len == 0)
    {
      g_set_error_literal (error, SUI_DRAW_ERROR, SUI_DRAW_ERROR_INVALID,
                           "至少需要一项公开随机数（entropy）");
      return NULL;
    }

  for (guint i = 0; i < entries->len; i++)
    {
      const char *start = g_ptr_array_index (entries, i);
      const char *end;
      gboolean valid;

      if (start == NULL)
        start = "";
      end = start + strlen (start);
      while (start < end && is_trimmed (*start))
        start++;
      while (end > start && is_trimmed (end[-1]))
        end--;

      valid = start < end && g_utf8_validate_len (start, (gsize) (end - start), NULL);
      for (const char *p = start; valid && p < end; p++)
        valid = (guchar) *p >= 0x20 && *p != 0x7f;
      if (!valid)
        {
          g_set_error (error, SUI_DRAW_ERROR, SUI_DRAW_ERROR_INVALID,
                       "第 %u 项公开随机数（entropy）为空或含控制字符", i + 1);
          return NULL;
        }

      if (i > 0)
        g_string_append_c (text, '\n');
      g_string_append_len (text, start, end - start);
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Step 4. */
void
sui_draw_seed (const guint8 *secret,
               const guint8 *candidate_hash,
               const char   *entropy_text,
               guint8       *out)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize length = SUI_DRAW_HASH_SIZE;

  g_checksum_update (checksum, secret, SUI_DRAW_SECRET_SIZE);
  g_checksum_update (checksum, candidate_hash, SUI_DRAW_HASH_SIZE);
  g_checksum_update (checksum, (const guchar *) entropy_text, strlen (entropy_text));
  g_checksum_get_digest (checksum, out, &length);
}

/* Step 5: HMAC-SHA256 (RFC 2104) with the seed as key over "stratum 0x00 id".  The states
 * after the key blocks and the stratum name are made once per stratum and copied per id;
 * OpenSSL uses the processor's SHA instructions where it has them, which makes the keys of
 * a match (millions of them) several times faster than a portable SHA-256. */
typedef struct
{
  SHA256_CTX inner;   /* after (key ^ ipad) ‖ stratum ‖ 0x00 */
  SHA256_CTX outer;   /* after (key ^ opad) */
} KeyPrefix;

static void
key_prefix_init (KeyPrefix    *prefix,
                 const guint8 *seed,
                 const char   *stratum)
{
  guint8 block[SHA256_CBLOCK];

  memset (block, 0x36, sizeof block);
  for (guint i = 0; i < SUI_DRAW_HASH_SIZE; i++)
    block[i] ^= seed[i];
  SHA256_Init (&prefix->inner);
  SHA256_Update (&prefix->inner, block, sizeof block);
  /* The name is hashed with its terminating NUL, which is the 0x00 separator. */
  SHA256_Update (&prefix->inner, stratum, strlen (stratum) + 1);

  memset (block, 0x5c, sizeof block);
  for (guint i = 0; i < SUI_DRAW_HASH_SIZE; i++)
    block[i] ^= seed[i];
  SHA256_Init (&prefix->outer);
  SHA256_Update (&prefix->outer, block, sizeof block);
  OPENSSL_cleanse (block, sizeof block);
}

static void
key_prefix_finish (const KeyPrefix *prefix,
                   const char      *id,
                   guint8          *out)
{
  SHA256_CTX context = prefix->inner;
  guint8 inner[SHA256_DIGEST_LENGTH];

  SHA256_Update (&context, id, strlen (id));
  SHA256_Final (inner, &context);
  context = prefix->outer;
  SHA256_Update (&context, inner, sizeof inner);
  SHA256_Final (out, &context);
}

void
sui_draw_key (const guint8 *seed,
              const char   *stratum,
              const char   *id,
              guint8       *out)
{
  KeyPrefix prefix;

  key_prefix_init (&prefix, seed, stratum);
  key_prefix_finish (&prefix, id, out);
}

/* ---------------------------------------------------------------------------------------- */
/* Jobs on a few threads                                                                    */

typedef void (*JobFunc) (gpointer data,
                         guint    job);

typedef struct
{
  JobFunc  func;
  gpointer data;
  guint    n_jobs;
  gint     next;
} JobQueue;

static gpointer
job_worker (gpointer user_data)
{
  JobQueue *queue = user_data;

  for (;;)
    {
      guint job = (guint) g_atomic_int_add (&queue->next, 1);

      if (job >= queue->n_jobs)
        return NULL;
      queue->func (queue->data, job);
    }
}

static void
run_jobs (JobFunc  func,
          gpointer data,
          guint    n_jobs,
          guint    n_threads)
{
  JobQueue queue = { func, data, n_jobs, 0 };
  GThread *threads[MAX_THREADS];
  guint started = 0;

  n_threads = MIN (MIN (n_threads, n_jobs), MAX_THREADS);
  /* A thread that cannot be started only makes it slower: the caller takes its share. */
  for (guint i = 1; i < n_threads; i++)
    {
      GThread *thread = g_thread_try_new ("sui-draw", job_worker, &queue, NULL);

      if (thread == NULL)
        break;
      threads[started++] = thread;
    }
  job_worker (&queue);
  for (guint i = 0; i < started; i++)
    g_thread_join (threads[i]);
}

static guint
thread_count (const SuiDrawInput *input)
{
  guint64 total = 0;
  guint wanted;

  for (guint i = 0; i < input->strata->len; i++)
    total += ((SuiDrawStratum *) g_ptr_array_index (input->strata, i))->candidates->len;
  if (total < MIN_PARALLEL)
    return 1;
  wanted = input->max_threads != 0 ? input->max_threads : (guint) g_get_num_processors ();
  return CLAMP (wanted, 1, MAX_THREADS);
}

/* ---------------------------------------------------------------------------------------- */
/* Step 1: validation, sorting, the candidate hash                                          */

static int
compare_text (const void *a,
              const void *b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static int
compare_stratum_names (const void *a,
                       const void *b)
{
  const SuiDrawStratum *sa = *(const SuiDrawStratum * const *) a;
  const SuiDrawStratum *sb = *(const SuiDrawStratum * const *) b;

  return strcmp (sa->name, sb->name);
}

typedef struct
{
  SuiDrawStratum **strata;
  GError         **errors;
} PrepareData;

static void
prepare_stratum (gpointer user_data,
                 guint    job)
{
  PrepareData *data = user_data;
  SuiDrawStratum *stratum = data->strata[job];
  const char **ids = (const char **) stratum->candidates->pdata;
  guint n = stratum->candidates->len;
  gboolean ascending = TRUE;

  for (guint i = 0; i < n; i++)
    {
      if (!text_is_valid (ids[i]))
        {
          g_set_error (&data->errors[job], SUI_DRAW_ERROR, SUI_DRAW_ERROR_INVALID,
                       "分层“%s”中的候选编号“%s”无效：须为 1–%u 字节、不含控制字符的文本",
                       stratum->name, ids[i], SUI_DRAW_TEXT_MAX);
          return;
        }
      if (ascending && i > 0 && strcmp (ids[i - 1], ids[i]) >= 0)
        ascending = FALSE;
    }

  /* Candidates that come in sorted (a record, or ORDER BY id COLLATE "C") skip the sort. */
  if (ascending)
    return;
  qsort (ids, n, sizeof (char *), compare_text);
  for (guint i = 1; i < n; i++)
    if (strcmp (ids[i - 1], ids[i]) == 0)
      {
        g_set_error (&data->errors[job], SUI_DRAW_ERROR, SUI_DRAW_ERROR_INVALID,
                     "分层“%s”中的候选编号“%s”重复", stratum->name, ids[i]);
        return;
      }
}

/* Checks the input and returns its strata sorted by name, each with its candidates sorted. */
static SuiDrawStratum **
prepare (SuiDrawInput  *input,
         guint          n_threads,
         GError       **error)
{
  g_autofree SuiDrawStratum **strata = NULL;
  g_autofree GError **errors = NULL;
  PrepareData data;
  guint n_strata = input->strata->len;

  if (n_strata == 0)
    {
      g_set_error_literal (error, SUI_DRAW_ERROR, SUI_DRAW_ERROR_INVALID, "至少需要一个分层");
      return NULL;
    }

  strata = g_memdup2 (input->strata->pdata, n_strata * sizeof (SuiDrawStratum *));
  qsort (strata, n_strata, sizeof (SuiDrawStratum *), compare_stratum_names);

  for (guint i = 0; i < n_strata; i++)
    {
      SuiDrawStratum *stratum = strata[i];

      if (!text_is_valid (stratum->name))
        {
          g_set_error (error, SUI_DRAW_ERROR, SUI_DRAW_ERROR_INVALID,
                       "分层名称“%s”无效：须为 1–%u 字节、不含控制字符的文本",
                       stratum->name, SUI_DRAW_TEXT_MAX);
          return NULL;
        }
      if (i > 0 && strcmp (strata[i - 1]->name, stratum->name) == 0)
        {
          g_set_error (error, SUI_DRAW_ERROR, SUI_DRAW_ERROR_INVALID,
                       "分层名称“%s”重复", stratum->name);
          return NULL;
        }
      if (stratum->ratio_bp == SUI_DRAW_RATIO_NONE)
        {
          if (stratum->k > stratum->candidates->len)
            {
              g_set_error (error, SUI_DRAW_ERROR, SUI_DRAW_ERROR_INVALID,
                           "分层“%s”指定抽取 %u 个，但只有 %u 个候选",
                           stratum->name, stratum->k, stratum->candidates->len);
              return NULL;
            }
        }
      else if (stratum->ratio_bp < 0 || stratum->ratio_bp > SUI_DRAW_RATIO_MAX)
        {
          g_set_error (error, SUI_DRAW_ERROR, SUI_DRAW_ERROR_INVALID,
                       "分层“%s”的抽取比例 %d 超出 0–%d 基点",
                       stratum->name, stratum->ratio_bp, SUI_DRAW_RATIO_MAX);
          return NULL;
        }
    }

  errors = g_new0 (GError *, n_strata);
  data.strata = strata;
  data.errors = errors;
  run_jobs (prepare_stratum, &data, n_strata, n_threads);

  for (guint i = 0; i < n_strata; i++)
    if (errors[i] != NULL)
      {
        g_propagate_error (error, errors[i]);
        for (guint j = i + 1; j < n_strata; j++)
          g_clear_error (&errors[j]);
        return NULL;
      }

  return g_steal_pointer (&strata);
}

/* Feeds "name TAB id LF" lines to a checksum through a buffer: one update per line is slow. */
typedef struct
{
  GChecksum *checksum;
  gsize      used;
  guchar     buffer[16 * 1024];
} LineHasher;

static void
line_hasher_flush (LineHasher *hasher)
{
  g_checksum_update (hasher->checksum, hasher->buffer, hasher->used);
  hasher->used = 0;
}

static void
line_hasher_add (LineHasher *hasher,
                 const char *name,
                 gsize       name_length,
                 const char *id)
{
  gsize id_length = strlen (id);

  if (hasher->used + name_length + id_length + 2 > sizeof hasher->buffer)
    line_hasher_flush (hasher);
  memcpy (hasher->buffer + hasher->used, name, name_length);
  hasher->used += name_length;
  hasher->buffer[hasher->used++] = '\t';
  memcpy (hasher->buffer + hasher->used, id, id_length);
  hasher->used += id_length;
  hasher->buffer[hasher->used++] = '\n';
}

static void
line_hasher_finish (LineHasher *hasher,
                    guint8     *out)
{
  gsize length = SUI_DRAW_HASH_SIZE;

  line_hasher_flush (hasher);
  g_checksum_get_digest (hasher->checksum, out, &length);
  g_checksum_free (hasher->checksum);
  g_free (hasher);
}

static LineHasher *
line_hasher_new (void)
{
  LineHasher *hasher = g_new (LineHasher, 1);

  hasher->checksum = g_checksum_new (G_CHECKSUM_SHA256);
  hasher->used = 0;
  return hasher;
}

static void
hash_candidates (SuiDrawStratum **strata,
                 guint            n_strata,
                 guint8          *out)
{
  LineHasher *hasher = line_hasher_new ();

  for (guint i = 0; i < n_strata; i++)
    {
      gsize name_length = strlen (strata[i]->name);
      GPtrArray *candidates = strata[i]->candidates;

      for (guint j = 0; j < candidates->len; j++)
        line_hasher_add (hasher, strata[i]->name, name_length, g_ptr_array_index (candidates, j));
    }
  line_hasher_finish (hasher, out);
}

gboolean
sui_draw_candidate_hash (SuiDrawInput  *input,
                         guint8        *out,
                         GError       **error)
{
  g_autofree SuiDrawStratum **strata = prepare (input, thread_count (input), error);

  if (strata == NULL)
    return FALSE;
  hash_candidates (strata, input->strata->len, out);
  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */
/* Steps 5 and 7: keys and selection                                                        */

/* Only the first 8 bytes of each key are kept (as a big-endian number, so that comparing them
 * is comparing the bytes): 8 bytes per candidate instead of 32. Two candidates whose 8 bytes
 * agree, which is rare, are compared on their full keys, computed again. */
typedef struct
{
  const guint8    *seed;
  SuiDrawStratum **strata;
  guint64        **prefixes;  /* per stratum, NULL when nothing is drawn from it */
  guint           *chunk_stratum;
  guint           *chunk_start;
  GPtrArray      **drawn;     /* per stratum: const char *ids by rank */
} KeyData;

static void
compute_key_chunk (gpointer user_data,
                   guint    job)
{
  KeyData *data = user_data;
  SuiDrawStratum *stratum = data->strata[data->chunk_stratum[job]];
  const char **ids = (const char **) stratum->candidates->pdata;
  guint64 *prefixes = data->prefixes[data->chunk_stratum[job]];
  guint start = data->chunk_start[job];
  guint end = MIN (start + KEY_CHUNK, stratum->candidates->len);
  KeyPrefix prefix;

  key_prefix_init (&prefix, data->seed, stratum->name);
  for (guint i = start; i < end; i++)
    {
      guint8 key[SUI_DRAW_HASH_SIZE];
      guint64 high;

      key_prefix_finish (&prefix, ids[i], key);
      memcpy (&high, key, sizeof high);
      prefixes[i] = GUINT64_FROM_BE (high);
    }
}

typedef struct
{
  const guint8   *seed;
  const char     *name;
  const char    **ids;
  const guint64  *prefixes;
} Order;

static int
order_compare (const Order *order,
               guint32      a,
               guint32      b)
{
  guint8 key_a[SUI_DRAW_HASH_SIZE], key_b[SUI_DRAW_HASH_SIZE];
  int c;

  if (order->prefixes[a] != order->prefixes[b])
    return order->prefixes[a] < order->prefixes[b] ? -1 : 1;
  sui_draw_key (order->seed, order->name, order->ids[a], key_a);
  sui_draw_key (order->seed, order->name, order->ids[b], key_b);
  c = memcmp (key_a, key_b, sizeof key_a);
  return c != 0 ? c : strcmp (order->ids[a], order->ids[b]);
}

static void
sift_down (const Order *order,
           guint32     *heap,
           guint        size,
           guint        root)
{
  for (;;)
    {
      guint largest = root;
      guint child = 2 * root + 1;
      guint32 swap;

      if (child < size && order_compare (order, heap[child], heap[largest]) > 0)
        largest = child;
      if (child + 1 < size && order_compare (order, heap[child + 1], heap[largest]) > 0)
        largest = child + 1;
      if (largest == root)
        return;
      swap = heap[root];
      heap[root] = heap[largest];
      heap[largest] = swap;
      root = largest;
    }
}

/* The k smallest of n, ascending: a max-heap holds the best k seen so far (O(n log k), and
 * most candidates lose against its top at once), then a heapsort puts it in order. */
static guint32 *
select_smallest (const Order *order,
                 guint        n,
                 guint        k)
{
  guint32 *heap = g_new (guint32, k);

  for (guint i = 0; i < k; i++)
    heap[i] = i;
  for (guint i = k / 2; i-- > 0;)
    sift_down (order, heap, k, i);
  for (guint i = k; i < n; i++)
    if (order_compare (order, i, heap[0]) < 0)
      {
        heap[0] = i;
        sift_down (order, heap, k, 0);
      }
  for (guint size = k; size > 1; size--)
    {
      guint32 swap = heap[0];

      heap[0] = heap[size - 1];
      heap[size - 1] = swap;
      sift_down (order, heap, size - 1, 0);
    }
  return heap;
}

static void
select_stratum (gpointer user_data,
                guint    job)
{
  KeyData *data = user_data;
  SuiDrawStratum *stratum = data->strata[job];
  guint k = stratum_k (stratum);
  Order order = { data->seed, stratum->name, (const char **) stratum->candidates->pdata,
                  data->prefixes[job] };
  g_autofree guint32 *chosen = NULL;

  data->drawn[job] = g_ptr_array_new_full (k, g_free);
  if (k == 0)
    return;
  chosen = select_smallest (&order, stratum->candidates->len, k);
  for (guint i = 0; i < k; i++)
    g_ptr_array_add (data->drawn[job], g_strdup (order.ids[chosen[i]]));
}

/* ---------------------------------------------------------------------------------------- */
/* shuangsui-match/1: steps 6 and 7 of a match                                              */

/* Checks what a match adds to a draw and returns, per stratum (in name order), its place in
 * the processing order (0-based). */
static guint *
match_order (SuiDrawInput     *input,
             SuiDrawStratum  **strata,
             GError          **error)
{
  guint n_strata = input->strata->len;
  g_autofree guint *place = g_new (guint, n_strata);
  g_autoptr(GHashTable) index = g_hash_table_new (g_str_hash, g_str_equal);

  if (input->order == NULL || input->capacity == NULL)
    {
      g_set_error_literal (error, SUI_DRAW_ERROR, SUI_DRAW_ERROR_INVALID,
                           "人员匹配缺少处理顺序（order）或容量（capacity）");
      return NULL;
    }
  for (guint i = 0; i < n_strata; i++)
    {
      if (strata[i]->ratio_bp != SUI_DRAW_RATIO_NONE)
        {
          g_set_error (error, SUI_DRAW_ERROR, SUI_DRAW_ERROR_INVALID,
                       "人员匹配的分层“%s”须指定抽取数 k，不能用比例", strata[i]->name);
          return NULL;
        }
      g_hash_table_insert (index, strata[i]->name, GUINT_TO_POINTER (i + 1));
      place[i] = G_MAXUINT;
      for (guint j = 0; j < strata[i]->candidates->len; j++)
        if (!g_hash_table_contains (input->capacity,
                                    g_ptr_array_index (strata[i]->candidates, j)))
          {
            g_set_error (error, SUI_DRAW_ERROR, SUI_DRAW_ERROR_INVALID,
                         "候选“%s”没有容量（capacity）",
                         (const char *) g_ptr_array_index (strata[i]->candidates, j));
            return NULL;
          }
    }
  if (input->order->len != n_strata)
    {
      g_set_error (error, SUI_DRAW_ERROR, SUI_DRAW_ERROR_INVALID,
                   "处理顺序（order）须恰好列出每个分层一次：有 %u 个分层，顺序中有 %u 项",
                   n_strata, input->order->len);
      return NULL;
    }
  for (guint p = 0; p < input->order->len; p++)
    {
      const char *name = g_ptr_array_index (input->order, p);
      guint i = GPOINTER_TO_UINT (g_hash_table_lookup (index, name));

      if (i == 0 || place[i - 1] != G_MAXUINT)
        {
          g_set_error (error, SUI_DRAW_ERROR, SUI_DRAW_ERROR_INVALID,
                       "处理顺序（order）中的“%s”不是分层名称或重复出现", name);
          return NULL;
        }
      place[i - 1] = p;
    }
  return g_steal_pointer (&place);
}

/* Walks the strata in the order; in each, the candidates by key, taking those with
 * capacity left until k are taken. Returns how many strata came out short. */
static guint
match_walk (SuiDrawInput *input,
            KeyData      *data,
            const guint  *place,
            guint         n_strata)
{
  g_autofree guint *by_place = g_new (guint, n_strata);
  g_autoptr(GHashTable) used = g_hash_table_new (g_str_hash, g_str_equal);
  guint n_short = 0;

  for (guint i = 0; i < n_strata; i++)
    by_place[place[i]] = i;
  for (guint p = 0; p < n_strata; p++)
    {
      guint job = by_place[p];
      SuiDrawStratum *stratum = data->strata[job];
      guint n = stratum->candidates->len;
      guint k = stratum_k (stratum);
      Order order = { data->seed, stratum->name, (const char **) stratum->candidates->pdata,
                      data->prefixes[job] };
      g_autofree guint32 *sorted = NULL;
      guint head = MIN (n, 2 * k + 2);

      data->drawn[job] = g_ptr_array_new_full (k, g_free);
      if (k == 0)
        continue;
      /* Usually the first k by key have room: order only the first few, and all of them
       * only when the caps skip past those (the same sequence either way). */
      sorted = select_smallest (&order, n, head);
      for (guint i = 0; i < n && data->drawn[job]->len < k; i++)
        {
          const char *id;

          if (i == head)
            {
              g_free (sorted);
              sorted = select_smallest (&order, n, n);
              head = n;
            }
          id = order.ids[sorted[i]];
          guint cap = GPOINTER_TO_UINT (g_hash_table_lookup (input->capacity, id));
          guint count = GPOINTER_TO_UINT (g_hash_table_lookup (used, id));

          if (count >= cap)
            continue;
          g_hash_table_insert (used, (gpointer) id, GUINT_TO_POINTER (count + 1));
          g_ptr_array_add (data->drawn[job], g_strdup (id));
        }
      if (data->drawn[job]->len < k)
        n_short++;
    }
  return n_short;
}

/* ---------------------------------------------------------------------------------------- */
/* The whole draw                                                                           */

static void
stratum_result_free (SuiDrawStratumResult *stratum)
{
  g_free (stratum->name);
  g_clear_pointer (&stratum->drawn, g_ptr_array_unref);
  g_free (stratum);
}

void
sui_draw_result_free (SuiDrawResult *result)
{
  if (result == NULL)
    return;
  g_free (result->entropy_text);
  g_clear_pointer (&result->strata, g_ptr_array_unref);
  g_free (result);
}

SuiDrawResult *
sui_draw_run (SuiDrawInput  *input,
              GError       **error)
{
  g_autoptr(SuiDrawResult) result = NULL;
  g_autofree SuiDrawStratum **strata = NULL;
  g_autofree guint64 *prefix_store = NULL;
  g_autofree guint64 **prefixes = NULL;
  g_autofree GPtrArray **drawn = NULL;
  g_autoptr(GArray) chunk_stratum = NULL;
  g_autoptr(GArray) chunk_start = NULL;
  g_autofree char *entropy_text = NULL;
  LineHasher *hasher;
  KeyData data;
  guint n_strata = input->strata->len;
  guint n_threads = thread_count (input);
  gsize keyed = 0;

  gboolean match = g_strcmp0 (input->algorithm, SUI_MATCH_ALGORITHM) == 0;
  g_autofree guint *order = NULL;

  if (!match && g_strcmp0 (input->algorithm, SUI_DRAW_ALGORITHM) != 0)
    {
      g_set_error (error, SUI_DRAW_ERROR, SUI_DRAW_ERROR_UNSUPPORTED,
                   "不支持的摇号算法“%s”（本程序支持 %s 和 %s）",
                   input->algorithm != NULL ? input->algorithm : "", SUI_DRAW_ALGORITHM,
                   SUI_MATCH_ALGORITHM);
      return NULL;
    }

  entropy_text = sui_draw_entropy_text (input->entropy, error);
  if (entropy_text == NULL)
    return NULL;

  strata = prepare (input, n_threads, error);
  if (strata == NULL)
    return NULL;
  if (match)
    {
      order = match_order (input, strata, error);
      if (order == NULL)
        return NULL;
    }

  result = g_new0 (SuiDrawResult, 1);
  result->strata = g_ptr_array_new_full (n_strata, (GDestroyNotify) stratum_result_free);
  hash_candidates (strata, n_strata, result->candidate_hash);
  sui_draw_commitment (input->secret, result->commitment);
  sui_draw_seed (input->secret, result->candidate_hash, entropy_text, result->seed);
  result->entropy_text = g_steal_pointer (&entropy_text);

  /* Keys only for strata that draw someone; the work is cut into chunks across strata. */
  prefixes = g_new0 (guint64 *, n_strata);
  chunk_stratum = g_array_new (FALSE, FALSE, sizeof (guint));
  chunk_start = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < n_strata; i++)
    if (stratum_k (strata[i]) > 0)
      keyed += strata[i]->candidates->len;
  prefix_store = g_new (guint64, MAX (keyed, 1));
  keyed = 0;
  for (guint i = 0; i < n_strata; i++)
    {
      if (stratum_k (strata[i]) == 0)
        continue;
      prefixes[i] = prefix_store + keyed;
      keyed += strata[i]->candidates->len;
      for (guint start = 0; start < strata[i]->candidates->len; start += KEY_CHUNK)
        {
          g_array_append_val (chunk_stratum, i);
          g_array_append_val (chunk_start, start);
        }
    }

  drawn = g_new0 (GPtrArray *, n_strata);
  data.seed = result->seed;
  data.strata = strata;
  data.prefixes = prefixes;
  data.chunk_stratum = (guint *) chunk_stratum->data;
  data.chunk_start = (guint *) chunk_start->data;
  data.drawn = drawn;
  run_jobs (compute_key_chunk, &data, chunk_stratum->len, n_threads);
  if (match)
    result->n_short = match_walk (input, &data, order, n_strata);
  else
    run_jobs (select_stratum, &data, n_strata, n_threads);

  /* Step 8. */
  hasher = line_hasher_new ();
  for (guint i = 0; i < n_strata; i++)
    {
      SuiDrawStratumResult *stratum = g_new0 (SuiDrawStratumResult, 1);
      gsize name_length = strlen (strata[i]->name);

      stratum->name = g_strdup (strata[i]->name);
      stratum->ratio_bp = strata[i]->ratio_bp;
      stratum->n = strata[i]->candidates->len;
      stratum->k = stratum_k (strata[i]);
      stratum->drawn = g_steal_pointer (&drawn[i]);
      stratum->position = match ? order[i] + 1 : 0;
      for (guint j = 0; j < stratum->drawn->len; j++)
        line_hasher_add (hasher, stratum->name, name_length, g_ptr_array_index (stratum->drawn, j));
      g_ptr_array_add (result->strata, stratum);
    }
  line_hasher_finish (hasher, result->result_hash);

  return g_steal_pointer (&result);
}

/* ---------------------------------------------------------------------------------------- */
/* The draw record                                                                          */

static void
set_hex_member (JsonObject   *object,
                const char   *member,
                const guint8 *bytes,
                gsize         length)
{
  g_autofree char *hex = sui_draw_hex (bytes, length);

  json_object_set_string_member (object, member, hex);
}

JsonNode *
sui_draw_record_new (SuiDrawInput  *input,
                     SuiDrawResult *result)
{
  g_autoptr(JsonObject) record = json_object_new ();
  g_autofree SuiDrawStratum **strata = NULL;
  JsonArray *entropy = json_array_sized_new (input->entropy->len);
  JsonArray *strata_array = json_array_sized_new (result->strata->len);
  g_autofree char *secret = sui_draw_hex (input->secret, SUI_DRAW_SECRET_SIZE);
  JsonNode *node;

  g_return_val_if_fail (input->strata->len == result->strata->len, NULL);

  strata = g_memdup2 (input->strata->pdata, input->strata->len * sizeof (SuiDrawStratum *));
  qsort (strata, input->strata->len, sizeof (SuiDrawStratum *), compare_stratum_names);

  json_object_set_string_member (record, "algorithm", input->algorithm);
  set_hex_member (record, "commitment", result->commitment, SUI_DRAW_HASH_SIZE);
  json_object_set_string_member (record, "secret", secret);
  for (guint i = 0; i < input->entropy->len; i++)
    json_array_add_string_element (entropy, g_ptr_array_index (input->entropy, i));
  json_object_set_array_member (record, "entropy", entropy);
  set_hex_member (record, "candidate_hash", result->candidate_hash, SUI_DRAW_HASH_SIZE);
  set_hex_member (record, "seed", result->seed, SUI_DRAW_HASH_SIZE);

  for (guint i = 0; i < result->strata->len; i++)
    {
      SuiDrawStratumResult *stratum = g_ptr_array_index (result->strata, i);
      GPtrArray *candidates = strata[i]->candidates;
      JsonObject *object = json_object_new ();
      JsonArray *ids = json_array_sized_new (candidates->len);
      JsonArray *chosen = json_array_sized_new (stratum->drawn->len);

      json_object_set_string_member (object, "name", stratum->name);
      if (stratum->ratio_bp != SUI_DRAW_RATIO_NONE)
        json_object_set_int_member (object, "ratio_bp", stratum->ratio_bp);
      json_object_set_int_member (object, "n", stratum->n);
      json_object_set_int_member (object, "k", stratum->k);
      for (guint j = 0; j < candidates->len; j++)
        json_array_add_string_element (ids, g_ptr_array_index (candidates, j));
      json_object_set_array_member (object, "candidates", ids);
      for (guint j = 0; j < stratum->drawn->len; j++)
        json_array_add_string_element (chosen, g_ptr_array_index (stratum->drawn, j));
      json_object_set_array_member (object, "drawn", chosen);
      json_array_add_object_element (strata_array, object);
    }
  json_object_set_array_member (record, "strata", strata_array);
  set_hex_member (record, "result_hash", result->result_hash, SUI_DRAW_HASH_SIZE);
  if (input->order != NULL && input->capacity != NULL)
    {
      JsonArray *order = json_array_sized_new (input->order->len);
      JsonObject *capacity = json_object_new ();
      GHashTableIter iter;
      gpointer id, value;

      for (guint i = 0; i < input->order->len; i++)
        json_array_add_string_element (order, g_ptr_array_index (input->order, i));
      json_object_set_array_member (record, "order", order);
      g_hash_table_iter_init (&iter, input->capacity);
      while (g_hash_table_iter_next (&iter, &id, &value))
        json_object_set_int_member (capacity, id, GPOINTER_TO_UINT (value));
      json_object_set_object_member (record, "capacity", capacity);
    }

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, record);
  return node;
}

static gboolean
malformed (GError     **error,
           const char  *where,
           const char  *member)
{
  g_set_error (error, SUI_DRAW_ERROR, SUI_DRAW_ERROR_INVALID,
               "摇号记录格式有误：%s缺少成员“%s”或其类型不对", where, member);
  return FALSE;
}

static gboolean
node_is_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node)
         && json_node_get_value_type (node) == G_TYPE_STRING;
}

static const char *
get_string (JsonObject  *object,
            const char  *member,
            const char  *where,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (!node_is_string (node))
    {
      malformed (error, where, member);
      return NULL;
    }
  return json_node_get_string (node);
}

static gboolean
get_int (JsonObject  *object,
         const char  *member,
         const char  *where,
         gint64       max,
         gint64      *out,
         GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64
      || json_node_get_int (node) < 0 || json_node_get_int (node) > max)
    return malformed (error, where, member);
  *out = json_node_get_int (node);
  return TRUE;
}

static JsonArray *
get_string_array (JsonObject  *object,
                  const char  *member,
                  const char  *where,
                  GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      malformed (error, where, member);
      return NULL;
    }
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (!node_is_string (json_array_get_element (array, i)))
      {
        malformed (error, where, member);
        return NULL;
      }
  return array;
}

static gboolean
get_hash (JsonObject  *object,
          const char  *member,
          guint8      *out,
          GError     **error)
{
  const char *hex = get_string (object, member, "", error);

  if (hex == NULL)
    return FALSE;
  if (!sui_draw_parse_hex (hex, out, SUI_DRAW_HASH_SIZE))
    {
      g_set_error (error, SUI_DRAW_ERROR, SUI_DRAW_ERROR_INVALID,
                   "摇号记录格式有误：“%s”须为 64 位十六进制数字", member);
      return FALSE;
    }
  return TRUE;
}

/* The order and capacities of a shuangsui-match/1 record. */
static gboolean
match_from_record (SuiDrawInput  *input,
                   JsonObject    *object,
                   GError       **error)
{
  JsonArray *order = get_string_array (object, "order", "", error);
  JsonNode *capacity_node = json_object_get_member (object, "capacity");
  JsonObjectIter iter;
  const char *id;
  JsonNode *value;

  if (order == NULL)
    return FALSE;
  if (capacity_node == NULL || !JSON_NODE_HOLDS_OBJECT (capacity_node))
    return malformed (error, "", "capacity");
  sui_draw_input_set_match (input);
  for (guint i = 0; i < json_array_get_length (order); i++)
    sui_draw_input_add_order (input, json_array_get_string_element (order, i));
  json_object_iter_init (&iter, json_node_get_object (capacity_node));
  while (json_object_iter_next (&iter, &id, &value))
    {
      if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_INT64
          || json_node_get_int (value) < 0 || json_node_get_int (value) > G_MAXUINT)
        return malformed (error, "capacity 中", id);
      sui_draw_input_set_capacity (input, id, (guint) json_node_get_int (value));
    }
  return TRUE;
}

SuiDrawInput *
sui_draw_input_new_from_record (JsonNode  *record,
                                GError   **error)
{
  g_autoptr(SuiDrawInput) input = NULL;
  JsonObject *object;
  JsonNode *strata_node;
  JsonArray *strata, *entropy;
  const char *algorithm, *secret;
  guint8 hash[SUI_DRAW_HASH_SIZE];

  if (record == NULL || !JSON_NODE_HOLDS_OBJECT (record))
    {
      g_set_error_literal (error, SUI_DRAW_ERROR, SUI_DRAW_ERROR_INVALID,
                           "摇号记录格式有误：须为一个 JSON 对象");
      return NULL;
    }
  object = json_node_get_object (record);

  /* The algorithm first: a record of a later version may well look malformed to this one. */
  algorithm = get_string (object, "algorithm", "", error);
  if (algorithm == NULL)
    return NULL;
  if (strcmp (algorithm, SUI_DRAW_ALGORITHM) != 0 && strcmp (algorithm, SUI_MATCH_ALGORITHM) != 0)
    {
      g_set_error (error, SUI_DRAW_ERROR, SUI_DRAW_ERROR_UNSUPPORTED,
                   "不支持的摇号算法“%s”（本程序支持 %s 和 %s）", algorithm, SUI_DRAW_ALGORITHM,
                   SUI_MATCH_ALGORITHM);
      return NULL;
    }

  input = sui_draw_input_new ();
  if (strcmp (algorithm, SUI_MATCH_ALGORITHM) == 0 && !match_from_record (input, object, error))
    return NULL;
  secret = get_string (object, "secret", "", error);
  if (secret == NULL || !sui_draw_input_set_secret_hex (input, secret, error))
    return NULL;
  if (!get_hash (object, "commitment", hash, error)
      || !get_hash (object, "candidate_hash", hash, error)
      || !get_hash (object, "seed", hash, error)
      || !get_hash (object, "result_hash", hash, error))
    return NULL;

  entropy = get_string_array (object, "entropy", "", error);
  if (entropy == NULL)
    return NULL;
  for (guint i = 0; i < json_array_get_length (entropy); i++)
    sui_draw_input_add_entropy (input, json_array_get_string_element (entropy, i));

  strata_node = json_object_get_member (object, "strata");
  if (strata_node == NULL || !JSON_NODE_HOLDS_ARRAY (strata_node))
    {
      malformed (error, "", "strata");
      return NULL;
    }
  strata = json_node_get_array (strata_node);
  for (guint i = 0; i < json_array_get_length (strata); i++)
    {
      JsonNode *node = json_array_get_element (strata, i);
      g_autofree char *where = NULL;
      JsonObject *stratum_object;
      SuiDrawStratum *stratum;
      JsonArray *candidates;
      const char *name;
      gint64 ratio_bp, n, k;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          malformed (error, "", "strata");
          return NULL;
        }
      stratum_object = json_node_get_object (node);
      where = g_strdup_printf ("第 %u 个分层", i + 1);
      name = get_string (stratum_object, "name", where, error);
      if (name == NULL)
        return NULL;
      g_free (where);
      where = g_strdup_printf ("分层“%s”", name);

      if (!get_int (stratum_object, "n", where, G_MAXUINT, &n, error)
          || !get_int (stratum_object, "k", where, G_MAXUINT, &k, error)
          || get_string_array (stratum_object, "drawn", where, error) == NULL)
        return NULL;
      candidates = get_string_array (stratum_object, "candidates", where, error);
      if (candidates == NULL)
        return NULL;

      if (json_object_has_member (stratum_object, "ratio_bp"))
        {
          if (!get_int (stratum_object, "ratio_bp", where, SUI_DRAW_RATIO_MAX, &ratio_bp, error))
            return NULL;
          stratum = sui_draw_input_add_stratum (input, name, (int) ratio_bp);
        }
      else
        stratum = sui_draw_input_add_stratum_k (input, name, (guint) k);

      g_ptr_array_set_size (stratum->candidates, json_array_get_length (candidates));
      for (guint j = 0; j < json_array_get_length (candidates); j++)
        stratum->candidates->pdata[j] =
          g_string_chunk_insert (input->text, json_array_get_string_element (candidates, j));
    }

  return g_steal_pointer (&input);
}

static gboolean
check_hash (JsonObject    *object,
            const char    *member,
            const char    *label,
            const guint8  *computed,
            SuiDrawError   code,
            GError       **error)
{
  guint8 recorded[SUI_DRAW_HASH_SIZE];
  g_autofree char *recorded_hex = NULL;
  g_autofree char *computed_hex = NULL;

  sui_draw_parse_hex (json_object_get_string_member (object, member), recorded, sizeof recorded);
  if (memcmp (recorded, computed, sizeof recorded) == 0)
    return TRUE;
  recorded_hex = sui_draw_hex (recorded, sizeof recorded);
  computed_hex = sui_draw_hex (computed, sizeof recorded);
  g_set_error (error, SUI_DRAW_ERROR, code, "%s（%s）不符：记录为 %s，重新计算得 %s",
               label, member, recorded_hex, computed_hex);
  return FALSE;
}

static gboolean
check_stratum (JsonObject            *object,
               SuiDrawStratumResult  *stratum,
               GError               **error)
{
  JsonArray *drawn = json_object_get_array_member (object, "drawn");
  guint n = (guint) json_object_get_int_member (object, "n");
  guint k = (guint) json_object_get_int_member (object, "k");

  if (n != stratum->n)
    {
      g_set_error (error, SUI_DRAW_ERROR, SUI_DRAW_ERROR_COUNT,
                   "分层“%s”的候选数 n 不符：记录为 %u，名单中有 %u 个",
                   stratum->name, n, stratum->n);
      return FALSE;
    }
  if (k != stratum->k)
    {
      g_set_error (error, SUI_DRAW_ERROR, SUI_DRAW_ERROR_COUNT,
                   "分层“%s”的抽取数 k 不符：记录为 %u，按比例应为 %u",
                   stratum->name, k, stratum->k);
      return FALSE;
    }
  if (json_array_get_length (drawn) != stratum->drawn->len)
    {
      g_set_error (error, SUI_DRAW_ERROR, SUI_DRAW_ERROR_RESULT,
                   "分层“%s”的抽取结果不符：记录列出 %u 个，按算法应抽取 %u 个",
                   stratum->name, json_array_get_length (drawn), stratum->drawn->len);
      return FALSE;
    }
  for (guint i = 0; i < stratum->drawn->len; i++)
    {
      const char *recorded = json_array_get_string_element (drawn, i);
      const char *computed = g_ptr_array_index (stratum->drawn, i);

      if (strcmp (recorded, computed) != 0)
        {
          g_set_error (error, SUI_DRAW_ERROR, SUI_DRAW_ERROR_RESULT,
                       "分层“%s”的抽取结果不符：第 %u 位记录为“%s”，按算法应为“%s”",
                       stratum->name, i + 1, recorded, computed);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
sui_draw_verify (JsonNode  *record,
                 GError   **error)
{
  g_autoptr(SuiDrawInput) input = sui_draw_input_new_from_record (record, error);

  return input != NULL && sui_draw_verify_input (input, record, error);
}

/* The record's claims (hashes, n, k, drawn) against a re-run of input. The daemon builds
 * the input of a large match straight from its database rows and passes a record whose
 * candidate lists it left empty: millions of JSON strings would cost more than the run. */
gboolean
sui_draw_verify_input (SuiDrawInput  *input,
                       JsonNode      *record,
                       GError       **error)
{
  g_autoptr(SuiDrawResult) result = NULL;
  g_autoptr(GHashTable) by_name = NULL;
  JsonObject *object;
  JsonArray *strata;

  result = sui_draw_run (input, error);
  if (result == NULL)
    return FALSE;

  object = json_node_get_object (record);
  for (guint i = 0; i < result->strata->len && result->n_short > 0; i++)
    {
      SuiDrawStratumResult *stratum = g_ptr_array_index (result->strata, i);

      if (stratum->drawn->len < stratum->k)
        {
          g_set_error (error, SUI_DRAW_ERROR, SUI_DRAW_ERROR_COUNT,
                       "分层“%s”按处理顺序只有 %u 个候选仍有容量，不足抽取数 %u",
                       stratum->name, stratum->drawn->len, stratum->k);
          return FALSE;
        }
    }
  if (!check_hash (object, "commitment", "承诺值", result->commitment,
                   SUI_DRAW_ERROR_COMMITMENT, error)
      || !check_hash (object, "candidate_hash", "候选名单哈希", result->candidate_hash,
                      SUI_DRAW_ERROR_CANDIDATE_HASH, error)
      || !check_hash (object, "seed", "种子", result->seed, SUI_DRAW_ERROR_SEED, error))
    return FALSE;

  /* Names are unique (sui_draw_run checked), so they find each stratum of the record. */
  by_name = g_hash_table_new (g_str_hash, g_str_equal);
  strata = json_object_get_array_member (object, "strata");
  for (guint i = 0; i < json_array_get_length (strata); i++)
    {
      JsonObject *stratum = json_array_get_object_element (strata, i);

      g_hash_table_insert (by_name, (gpointer) json_object_get_string_member (stratum, "name"),
                           stratum);
    }
  for (guint i = 0; i < result->strata->len; i++)
    {
      SuiDrawStratumResult *stratum = g_ptr_array_index (result->strata, i);

      if (!check_stratum (g_hash_table_lookup (by_name, stratum->name), stratum, error))
        return FALSE;
    }

  return check_hash (object, "result_hash", "结果哈希", result->result_hash,
                     SUI_DRAW_ERROR_RESULT_HASH, error);
}

gboolean
sui_draw_verify_text (const char  *text,
                      gssize       length,
                      GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;

  if (length < 0)
    length = (gssize) strlen (text);
  /* json-glib recurses per nesting level: refuse deep text before it sees it. */
  if (!sui_rpc_check_json_text (text, (gsize) length, SUI_RPC_MAX_DEPTH, &local_error)
      || !json_parser_load_from_data (parser, text, length, &local_error))
    {
      g_set_error (error, SUI_DRAW_ERROR, SUI_DRAW_ERROR_INVALID,
                   "摇号记录不是有效的 JSON：%s", local_error->message);
      return FALSE;
    }
  return sui_draw_verify (json_parser_get_root (parser), error);
}
