/* test-draw.c: shuangsui-draw/1 — the worked example, determinism, k, verification, fairness
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "sui-draw.h"

static const char *example_a[] = { "3", "17", "42", "96", "101", "250", "1024", "4096" };
static const char *example_c[] = { "8", "64", "512", "2048" };

static SuiDrawInput *
example_input (void)
{
  SuiDrawInput *input = sui_draw_input_new ();
  SuiDrawStratum *stratum;
  guint8 secret[SUI_DRAW_SECRET_SIZE];

  for (guint i = 0; i < sizeof secret; i++)
    secret[i] = (guint8) i;
  sui_draw_input_set_secret (input, secret);
  sui_draw_input_add_entropy (input, "  3917");
  sui_draw_input_add_entropy (input, "0528 ");
  /* C before A: the order strata are given in must not matter. */
  stratum = sui_draw_input_add_stratum (input, "C", 3000);
  for (guint i = 0; i < G_N_ELEMENTS (example_c); i++)
    sui_draw_input_add_candidate (input, stratum, example_c[i]);
  stratum = sui_draw_input_add_stratum (input, "A", 2000);
  for (guint i = 0; i < G_N_ELEMENTS (example_a); i++)
    sui_draw_input_add_candidate (input, stratum, example_a[i]);
  return input;
}

static void
assert_hex (const guint8 *bytes,
            const char   *expected)
{
  g_autofree char *hex = sui_draw_hex (bytes, SUI_DRAW_HASH_SIZE);

  g_assert_cmpstr (hex, ==, expected);
}

static SuiDrawStratumResult *
result_stratum (SuiDrawResult *result,
                guint          index)
{
  return g_ptr_array_index (result->strata, index);
}

static const char *
drawn_id (SuiDrawResult *result,
          guint          stratum,
          guint          rank)
{
  return g_ptr_array_index (result_stratum (result, stratum)->drawn, rank);
}

/* The numbers of docs/draw-algorithm.md, "Worked example". */
static void
test_worked_example (void)
{
  static const struct
  {
    const char *stratum, *id, *key;
  } keys[] = {
    { "A", "42", "0ed86b65365691dce65e6c2aee0fa1b8e14f432fc5a43b10ea8affa0058e6f26" },
    { "A", "17", "2a6391113cf878c751cebe0730785b4663198b70781f4814053cd84040c72e31" },
    { "A", "250", "2bb0462894e9de67c89d55cd621c5b00a084ef23929305b51bdb68b1514e192f" },
    { "A", "101", "5cd84fa2902c43a2be9148dd9ba72f2ca00985845f0301704cde28dc9616d6ff" },
    { "A", "96", "621f1653dbd8aa5d2518d69a3cb090f0f643e9e4c29293afa170b62dd428c083" },
    { "A", "4096", "7c4f1743ac24034129587dd367e2b023890e1ce032bb8840740884c465efce92" },
    { "A", "1024", "88b73b4e7a88ec5c6ca67f9130a1f683c4f71561c87e52ffd430523b6e7454a7" },
    { "A", "3", "e431d098b9a4b0d972c1247a4313ac93133809f5975b33b359fd8cbc39246422" },
    { "C", "64", "740ac06b578a20e2cde414bd93a0ef1fc7162be8b7065581cb05103638491741" },
    { "C", "512", "822e2e53671986b051683a0947de08e172302bec03829a0cab60760289a72235" },
    { "C", "2048", "ce886702cb5a94c2c82d0f2f89b924c26a12d35e8cfffd935d9b5ac2b962fc0c" },
    { "C", "8", "ec32b7fdf5c2ace9bf6274b2bc57b50b96cb7aa18693b7281463d4fb6e2a0e87" },
  };
  g_autoptr(SuiDrawInput) input = example_input ();
  g_autoptr(SuiDrawResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint8 hash[SUI_DRAW_HASH_SIZE];

  g_assert_true (sui_draw_candidate_hash (input, hash, &error));
  g_assert_no_error (error);
  assert_hex (hash, "060c2bcc90accb7359da913b5d02863ced7a7fc6b4626ab294872cee4b6045e2");

  result = sui_draw_run (input, &error);
  g_assert_no_error (error);
  assert_hex (result->candidate_hash,
              "060c2bcc90accb7359da913b5d02863ced7a7fc6b4626ab294872cee4b6045e2");
  assert_hex (result->commitment,
              "630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd");
  g_assert_cmpstr (result->entropy_text, ==, "3917\n0528");
  assert_hex (result->seed, "8004d140df42ed3b1fdcb1a1ed69130b2193a51df8d0bad7750193377cd2eb69");

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      guint8 key[SUI_DRAW_HASH_SIZE];

      sui_draw_key (result->seed, keys[i].stratum, keys[i].id, key);
      assert_hex (key, keys[i].key);
    }

  g_assert_cmpuint (result->strata->len, ==, 2);
  g_assert_cmpstr (result_stratum (result, 0)->name, ==, "A");
  g_assert_cmpuint (result_stratum (result, 0)->n, ==, 8);
  g_assert_cmpuint (result_stratum (result, 0)->k, ==, 2);
  g_assert_cmpstr (drawn_id (result, 0, 0), ==, "42");
  g_assert_cmpstr (drawn_id (result, 0, 1), ==, "17");
  g_assert_cmpstr (result_stratum (result, 1)->name, ==, "C");
  g_assert_cmpuint (result_stratum (result, 1)->n, ==, 4);
  g_assert_cmpuint (result_stratum (result, 1)->k, ==, 2);
  g_assert_cmpstr (drawn_id (result, 1, 0), ==, "64");
  g_assert_cmpstr (drawn_id (result, 1, 1), ==, "512");
  assert_hex (result->result_hash,
              "38324730b8a1b2d3acb894ed33aa5f254ed4bd35d5563028ee7db9f6d54fb2a0");
}

/* The record of the worked example is the one printed in the document. */
static void
test_example_record (void)
{
  g_autoptr(SuiDrawInput) input = example_input ();
  g_autoptr(SuiDrawResult) result = sui_draw_run (input, NULL);
  g_autoptr(JsonNode) record = sui_draw_record_new (input, result);
  g_autofree char *text = json_to_string (record, FALSE);

  g_assert_cmpstr (text, ==,
    "{\"algorithm\":\"shuangsui-draw/1\","
    "\"commitment\":\"630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd\","
    "\"secret\":\"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\","
    "\"entropy\":[\"  3917\",\"0528 \"],"
    "\"candidate_hash\":\"060c2bcc90accb7359da913b5d02863ced7a7fc6b4626ab294872cee4b6045e2\","
    "\"seed\":\"8004d140df42ed3b1fdcb1a1ed69130b2193a51df8d0bad7750193377cd2eb69\","
    "\"strata\":["
    "{\"name\":\"A\",\"ratio_bp\":2000,\"n\":8,\"k\":2,"
    "\"candidates\":[\"101\",\"1024\",\"17\",\"250\",\"3\",\"4096\",\"42\",\"96\"],"
    "\"drawn\":[\"42\",\"17\"]},"
    "{\"name\":\"C\",\"ratio_bp\":3000,\"n\":4,\"k\":2,"
    "\"candidates\":[\"2048\",\"512\",\"64\",\"8\"],"
    "\"drawn\":[\"64\",\"512\"]}],"
    "\"result_hash\":\"38324730b8a1b2d3acb894ed33aa5f254ed4bd35d5563028ee7db9f6d54fb2a0\"}");
}

/* A stratum big enough that a different seed practically always gives another list. */
static SuiDrawInput *
big_input (const char *secret_hex,
           const char *entropy,
           guint       n,
           gboolean    reversed)
{
  SuiDrawInput *input = sui_draw_input_new ();
  SuiDrawStratum *b, *d;

  g_assert_true (sui_draw_input_set_secret_hex (input, secret_hex, NULL));
  sui_draw_input_add_entropy (input, entropy);
  sui_draw_input_add_entropy (input, "77");
  b = sui_draw_input_add_stratum (input, "B", 1000);
  d = sui_draw_input_add_stratum_k (input, "D", 5);
  for (guint i = 0; i < n; i++)
    {
      guint id = reversed ? n - i : i + 1;
      g_autofree char *text = g_strdup_printf ("%u", 130100000 + id);

      sui_draw_input_add_candidate (input, id % 4 == 0 ? d : b, text);
    }
  return input;
}

#define SECRET_1 "5b1f0c8d2e7a4b6c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e"
#define SECRET_2 "5b1f0c8d2e7a4b6c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6f"

static gboolean
same_result (SuiDrawResult *a,
             SuiDrawResult *b)
{
  if (a->strata->len != b->strata->len)
    return FALSE;
  for (guint i = 0; i < a->strata->len; i++)
    {
      GPtrArray *da = result_stratum (a, i)->drawn;
      GPtrArray *db = result_stratum (b, i)->drawn;

      if (da->len != db->len)
        return FALSE;
      for (guint j = 0; j < da->len; j++)
        if (strcmp (g_ptr_array_index (da, j), g_ptr_array_index (db, j)) != 0)
          return FALSE;
    }
  return memcmp (a->result_hash, b->result_hash, SUI_DRAW_HASH_SIZE) == 0;
}

static SuiDrawResult *
run (SuiDrawInput *input)
{
  g_autoptr(GError) error = NULL;
  SuiDrawResult *result = sui_draw_run (input, &error);

  g_assert_no_error (error);
  return result;
}

static void
test_deterministic (void)
{
  g_autoptr(SuiDrawInput) first = big_input (SECRET_1, "2024", 400, FALSE);
  g_autoptr(SuiDrawInput) again = big_input (SECRET_1, "2024", 400, FALSE);
  g_autoptr(SuiDrawInput) reordered = big_input (SECRET_1, " 2024\n", 400, TRUE);
  g_autoptr(SuiDrawResult) a = run (first);
  g_autoptr(SuiDrawResult) b = run (again);
  g_autoptr(SuiDrawResult) c = run (reordered);
  g_autoptr(SuiDrawResult) d = run (first);

  /* Same inputs, candidates in another order, entropy with stray blanks, a second run. */
  g_assert_true (same_result (a, b));
  g_assert_true (same_result (a, c));
  g_assert_true (same_result (a, d));
  g_assert_cmpmem (a->candidate_hash, SUI_DRAW_HASH_SIZE, c->candidate_hash, SUI_DRAW_HASH_SIZE);
  g_assert_cmpuint (result_stratum (a, 0)->k, ==, 30);  /* 300 in B at 10 % */
  g_assert_cmpuint (result_stratum (a, 1)->k, ==, 5);   /* explicit */
}

static void
test_changes (void)
{
  g_autoptr(SuiDrawInput) base = big_input (SECRET_1, "2024", 400, FALSE);
  g_autoptr(SuiDrawInput) other_secret = big_input (SECRET_2, "2024", 400, FALSE);
  g_autoptr(SuiDrawInput) other_entropy = big_input (SECRET_1, "2025", 400, FALSE);
  g_autoptr(SuiDrawInput) one_more = big_input (SECRET_1, "2024", 401, FALSE);
  g_autoptr(SuiDrawInput) renamed = big_input (SECRET_1, "2024", 400, FALSE);
  g_autoptr(SuiDrawInput) split_entropy = big_input (SECRET_1, "20", 400, FALSE);
  g_autoptr(SuiDrawResult) r_base = NULL, r_secret = NULL, r_entropy = NULL;
  g_autoptr(SuiDrawResult) r_more = NULL, r_renamed = NULL, r_split = NULL;
  SuiDrawStratum *b = g_ptr_array_index (renamed->strata, 0);

  /* One candidate id changed by one digit. */
  b->candidates->pdata[7] = g_string_chunk_insert (renamed->text, "130109999");
  /* "20", "24", "77" against "2024", "77": the separator counts. */
  g_ptr_array_insert (split_entropy->entropy, 1, g_strdup ("24"));

  r_base = run (base);
  r_secret = run (other_secret);
  r_entropy = run (other_entropy);
  r_more = run (one_more);
  r_renamed = run (renamed);
  r_split = run (split_entropy);

  g_assert_false (same_result (r_base, r_secret));
  g_assert_false (same_result (r_base, r_entropy));
  g_assert_false (same_result (r_base, r_more));
  g_assert_false (same_result (r_base, r_renamed));
  g_assert_false (same_result (r_base, r_split));
  g_assert_cmpmem (r_base->candidate_hash, SUI_DRAW_HASH_SIZE,
                   r_secret->candidate_hash, SUI_DRAW_HASH_SIZE);
  g_assert_true (memcmp (r_base->candidate_hash, r_renamed->candidate_hash,
                         SUI_DRAW_HASH_SIZE) != 0);
  g_assert_true (memcmp (r_base->seed, r_entropy->seed, SUI_DRAW_HASH_SIZE) != 0);
  g_assert_true (memcmp (r_base->commitment, r_secret->commitment, SUI_DRAW_HASH_SIZE) != 0);
}

static void
test_k_arithmetic (void)
{
  static const struct
  {
    guint64 n;
    guint ratio_bp;
    guint64 k;
  } cases[] = {
    { 0, 500, 0 }, { 0, 10000, 0 }, { 10, 0, 0 }, { 10, 10000, 10 }, { 1, 1, 1 },
    { 8, 2000, 2 }, { 4, 3000, 2 }, { 3, 500, 1 }, { 20, 500, 1 }, { 21, 500, 2 },
    { 40000, 500, 2000 }, { 39999, 500, 2000 }, { 40001, 500, 2001 }, { 10000, 1, 1 },
    { 10001, 1, 2 }, { 5200000, 1250, 650000 }, { 5200001, 9999, 5199481 },
  };
  g_autoptr(SuiDrawInput) input = sui_draw_input_new ();
  g_autoptr(SuiDrawResult) result = NULL;
  SuiDrawStratum *empty, *zero, *all, *three;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpuint (sui_draw_k_for_ratio (cases[i].n, cases[i].ratio_bp), ==, cases[i].k);

  sui_draw_input_add_entropy (input, "1");
  empty = sui_draw_input_add_stratum (input, "empty", 5000);
  zero = sui_draw_input_add_stratum (input, "zero", 0);
  all = sui_draw_input_add_stratum (input, "all", 10000);
  three = sui_draw_input_add_stratum (input, "three", 500);
  (void) empty;
  for (guint i = 0; i < 7; i++)
    {
      g_autofree char *id = g_strdup_printf ("%u", i);

      sui_draw_input_add_candidate (input, zero, id);
      sui_draw_input_add_candidate (input, all, id);
      if (i < 3)
        sui_draw_input_add_candidate (input, three, id);
    }

  result = run (input);
  /* Strata come out by name: all, empty, three, zero. */
  g_assert_cmpstr (result_stratum (result, 0)->name, ==, "all");
  g_assert_cmpuint (result_stratum (result, 0)->k, ==, 7);
  g_assert_cmpuint (result_stratum (result, 0)->drawn->len, ==, 7);
  g_assert_cmpuint (result_stratum (result, 1)->n, ==, 0);
  g_assert_cmpuint (result_stratum (result, 1)->drawn->len, ==, 0);
  g_assert_cmpuint (result_stratum (result, 2)->drawn->len, ==, 1);
  g_assert_cmpuint (result_stratum (result, 3)->n, ==, 7);
  g_assert_cmpuint (result_stratum (result, 3)->drawn->len, ==, 0);

  /* 100 % draws everyone, in key order. */
  for (guint i = 1; i < 7; i++)
    {
      guint8 before[SUI_DRAW_HASH_SIZE], after[SUI_DRAW_HASH_SIZE];

      sui_draw_key (result->seed, "all", drawn_id (result, 0, i - 1), before);
      sui_draw_key (result->seed, "all", drawn_id (result, 0, i), after);
      g_assert_cmpint (memcmp (before, after, SUI_DRAW_HASH_SIZE), <, 0);
    }
}

static void
assert_refused (SuiDrawInput *input,
                SuiDrawError  code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SuiDrawResult) result = sui_draw_run (input, &error);

  g_assert_null (result);
  g_assert_error (error, SUI_DRAW_ERROR, (int) code);
}

static void
test_invalid_input (void)
{
  static const char *bad_ids[] = { "", "1\t2", "1\n", "a\x7f", "\xe4\xb8", NULL };
  g_autoptr(SuiDrawInput) twice = example_input ();
  g_autoptr(SuiDrawInput) same_name = example_input ();
  g_autoptr(SuiDrawInput) blank = example_input ();
  g_autoptr(SuiDrawInput) no_entropy = sui_draw_input_new ();
  g_autoptr(SuiDrawInput) no_strata = example_input ();
  g_autoptr(SuiDrawInput) too_many = example_input ();
  g_autoptr(SuiDrawInput) bad_ratio = example_input ();
  g_autoptr(SuiDrawInput) future = example_input ();
  g_autoptr(GError) error = NULL;

  for (guint i = 0; bad_ids[i] != NULL; i++)
    {
      g_autoptr(SuiDrawInput) input = example_input ();

      sui_draw_input_add_candidate (input, g_ptr_array_index (input->strata, 0), bad_ids[i]);
      assert_refused (input, SUI_DRAW_ERROR_INVALID);
    }

  sui_draw_input_add_candidate (twice, g_ptr_array_index (twice->strata, 1), "42");
  assert_refused (twice, SUI_DRAW_ERROR_INVALID);
  sui_draw_input_add_stratum (same_name, "A", 100);
  assert_refused (same_name, SUI_DRAW_ERROR_INVALID);
  sui_draw_input_add_entropy (blank, " \r\n");
  assert_refused (blank, SUI_DRAW_ERROR_INVALID);
  sui_draw_input_add_candidate (no_entropy, sui_draw_input_add_stratum (no_entropy, "A", 500), "1");
  assert_refused (no_entropy, SUI_DRAW_ERROR_INVALID);
  g_ptr_array_set_size (no_strata->strata, 0);
  assert_refused (no_strata, SUI_DRAW_ERROR_INVALID);
  sui_draw_input_add_candidate (too_many, sui_draw_input_add_stratum_k (too_many, "1001", 2), "7");
  assert_refused (too_many, SUI_DRAW_ERROR_INVALID);
  sui_draw_input_add_stratum (bad_ratio, "B", 10001);
  assert_refused (bad_ratio, SUI_DRAW_ERROR_INVALID);
  g_free (future->algorithm);
  future->algorithm = g_strdup ("shuangsui-draw/2");
  assert_refused (future, SUI_DRAW_ERROR_UNSUPPORTED);

  g_assert_false (sui_draw_input_set_secret_hex (future, "00ff", &error));
  g_assert_error (error, SUI_DRAW_ERROR, SUI_DRAW_ERROR_INVALID);
}

static JsonNode *
example_record (void)
{
  g_autoptr(SuiDrawInput) input = example_input ();
  g_autoptr(SuiDrawResult) result = run (input);

  return sui_draw_record_new (input, result);
}

static JsonObject *
stratum_a (JsonObject *record)
{
  return json_array_get_object_element (json_object_get_array_member (record, "strata"), 0);
}

static void
test_verify_good (void)
{
  g_autoptr(JsonNode) record = example_record ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = json_to_string (record, TRUE);
  g_autoptr(SuiDrawInput) input = big_input (SECRET_2, "8", 3000, TRUE);
  g_autoptr(SuiDrawResult) result = run (input);
  g_autoptr(JsonNode) big_record = sui_draw_record_new (input, result);
  g_autoptr(JsonNode) shuffled = example_record ();
  JsonArray *candidates = json_object_get_array_member (stratum_a (json_node_get_object (shuffled)),
                                                        "candidates");

  g_assert_true (sui_draw_verify (record, &error));
  g_assert_no_error (error);
  g_assert_true (sui_draw_verify_text (text, -1, &error));
  g_assert_no_error (error);
  g_assert_true (sui_draw_verify (big_record, &error));
  g_assert_no_error (error);

  /* Candidates in another order, upper-case hex and unknown members are fine. */
  json_array_remove_element (candidates, 0);
  json_array_add_string_element (candidates, "101");
  json_object_set_string_member (json_node_get_object (shuffled), "seed",
    "8004D140DF42ED3B1FDCB1A1ED69130B2193A51DF8D0BAD7750193377CD2EB69");
  json_object_set_string_member (json_node_get_object (shuffled), "drawn_by", "张三");
  g_assert_true (sui_draw_verify (shuffled, &error));
  g_assert_no_error (error);
}

typedef void (*Tamper) (JsonObject *record);

static void
tamper_drawn (JsonObject *record)
{
  JsonArray *drawn = json_object_get_array_member (stratum_a (record), "drawn");

  json_array_remove_element (drawn, 1);
  json_array_add_string_element (drawn, "250");
}

static void
tamper_drawn_order (JsonObject *record)
{
  JsonArray *drawn = json_object_get_array_member (stratum_a (record), "drawn");

  json_array_remove_element (drawn, 0);
  json_array_add_string_element (drawn, "42");
}

static void
tamper_drawn_extra (JsonObject *record)
{
  json_array_add_string_element (json_object_get_array_member (stratum_a (record), "drawn"), "250");
}

static void
tamper_candidate (JsonObject *record)
{
  JsonArray *candidates = json_object_get_array_member (stratum_a (record), "candidates");

  json_array_remove_element (candidates, 4);
  json_array_add_string_element (candidates, "5");
}

static void
tamper_entropy (JsonObject *record)
{
  JsonArray *entropy = json_object_get_array_member (record, "entropy");

  json_array_remove_element (entropy, 1);
  json_array_add_string_element (entropy, "0529");
}

static void
tamper_secret (JsonObject *record)
{
  json_object_set_string_member (record, "secret",
    "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
}

static void
tamper_k (JsonObject *record)
{
  json_object_set_int_member (stratum_a (record), "k", 3);
}

static void
tamper_n (JsonObject *record)
{
  json_object_set_int_member (stratum_a (record), "n", 9);
}

static void
tamper_ratio (JsonObject *record)
{
  json_object_set_int_member (stratum_a (record), "ratio_bp", 3000);
}

static void
tamper_result_hash (JsonObject *record)
{
  json_object_set_string_member (record, "result_hash",
    "38324730b8a1b2d3acb894ed33aa5f254ed4bd35d5563028ee7db9f6d54fb2a1");
}

static void
tamper_algorithm (JsonObject *record)
{
  json_object_set_string_member (record, "algorithm", "shuangsui-draw/0");
}

static void
tamper_hex (JsonObject *record)
{
  json_object_set_string_member (record, "seed", "8004d140");
}

static void
tamper_type (JsonObject *record)
{
  json_object_set_string_member (stratum_a (record), "k", "2");
}

static void
tamper_missing (JsonObject *record)
{
  json_object_remove_member (record, "secret");
}

static void
tamper_duplicate (JsonObject *record)
{
  json_array_add_string_element (json_object_get_array_member (stratum_a (record), "candidates"),
                                 "17");
}

static void
test_verify_tampered (void)
{
  static const struct
  {
    Tamper tamper;
    SuiDrawError code;
    const char *says;
  } cases[] = {
    { tamper_drawn, SUI_DRAW_ERROR_RESULT, "分层“A”的抽取结果不符：第 2 位记录为“250”，按算法应为“17”" },
    { tamper_drawn_order, SUI_DRAW_ERROR_RESULT, "第 1 位记录为“17”" },
    { tamper_drawn_extra, SUI_DRAW_ERROR_RESULT, "记录列出 3 个，按算法应抽取 2 个" },
    { tamper_candidate, SUI_DRAW_ERROR_CANDIDATE_HASH, "候选名单哈希（candidate_hash）不符" },
    { tamper_entropy, SUI_DRAW_ERROR_SEED, "种子（seed）不符" },
    { tamper_secret, SUI_DRAW_ERROR_COMMITMENT, "承诺值（commitment）不符" },
    { tamper_k, SUI_DRAW_ERROR_COUNT, "抽取数 k 不符：记录为 3，按比例应为 2" },
    { tamper_n, SUI_DRAW_ERROR_COUNT, "候选数 n 不符：记录为 9，名单中有 8 个" },
    { tamper_ratio, SUI_DRAW_ERROR_COUNT, "按比例应为 3" },
    { tamper_result_hash, SUI_DRAW_ERROR_RESULT_HASH, "结果哈希（result_hash）不符" },
    { tamper_algorithm, SUI_DRAW_ERROR_UNSUPPORTED, "shuangsui-draw/0" },
    { tamper_hex, SUI_DRAW_ERROR_INVALID, "seed" },
    { tamper_type, SUI_DRAW_ERROR_INVALID, "“k”" },
    { tamper_missing, SUI_DRAW_ERROR_INVALID, "“secret”" },
    { tamper_duplicate, SUI_DRAW_ERROR_INVALID, "“17”重复" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) record = example_record ();
      g_autoptr(GError) error = NULL;

      cases[i].tamper (json_node_get_object (record));
      g_assert_false (sui_draw_verify (record, &error));
      g_assert_error (error, SUI_DRAW_ERROR, (int) cases[i].code);
      if (strstr (error->message, cases[i].says) == NULL)
        g_error ("case %u: “%s” does not say “%s”", i, error->message, cases[i].says);
    }
}

/* A candidate hash recomputed by the forger still cannot fix the seed. */
static void
test_verify_consistent_forgery (void)
{
  g_autoptr(JsonNode) record = example_record ();
  g_autoptr(SuiDrawInput) forged = example_input ();
  g_autoptr(GError) error = NULL;
  guint8 hash[SUI_DRAW_HASH_SIZE];
  g_autofree char *hex = NULL;
  SuiDrawStratum *a = g_ptr_array_index (forged->strata, 1);

  a->candidates->pdata[0] = g_string_chunk_insert (forged->text, "5");
  g_assert_true (sui_draw_candidate_hash (forged, hash, NULL));
  hex = sui_draw_hex (hash, sizeof hash);
  tamper_candidate (json_node_get_object (record));
  json_object_set_string_member (json_node_get_object (record), "candidate_hash", hex);
  g_assert_false (sui_draw_verify (record, &error));
  g_assert_error (error, SUI_DRAW_ERROR, SUI_DRAW_ERROR_SEED);

  g_clear_error (&error);
  g_assert_false (sui_draw_verify_text ("{\"algorithm\":", -1, &error));
  g_assert_error (error, SUI_DRAW_ERROR, SUI_DRAW_ERROR_INVALID);
}

/* Threads and chunks (several per stratum) must not change anything; neither must the
 * candidates' order. */
static void
test_threads (void)
{
  g_autoptr(SuiDrawInput) one = big_input (SECRET_1, "31", 60000, FALSE);
  g_autoptr(SuiDrawInput) four = big_input (SECRET_1, "31", 60000, TRUE);
  g_autoptr(SuiDrawResult) a = NULL, b = NULL;
  g_autoptr(JsonNode) record = NULL;
  g_autoptr(GError) error = NULL;

  one->max_threads = 1;
  four->max_threads = 4;
  a = run (one);
  b = run (four);
  g_assert_true (same_result (a, b));
  g_assert_cmpuint (result_stratum (a, 0)->k, ==, 4500);

  record = sui_draw_record_new (four, b);
  g_assert_true (sui_draw_verify (record, &error));
  g_assert_no_error (error);
}

/* Chi-square goodness of fit of the draw counts against k/n, per stratum, over 2 000 draws
 * whose secrets and entropy come from a counter (so the outcome is fixed). Critical values at
 * a significance of 1 %: df 9 → 21.666, df 19 → 36.191, df 49 → 74.919. */
static void
test_fairness (void)
{
  static const struct
  {
    const char *name;
    guint n;
    int ratio_bp;
    double critical;
  } strata[] = {
    { "A", 20, 1000, 36.191 },
    { "B", 10, 3000, 21.666 },
    { "C", 50, 2000, 74.919 },
  };
  const guint draws = 2000;
  guint counts[G_N_ELEMENTS (strata)][50] = { { 0 } };

  for (guint round = 0; round < draws; round++)
    {
      g_autoptr(SuiDrawInput) input = sui_draw_input_new ();
      g_autoptr(SuiDrawResult) result = NULL;
      g_autofree char *label = g_strdup_printf ("fairness %u", round);
      g_autofree char *entropy = g_strdup_printf ("%u", round * 7919);
      guint8 secret[SUI_DRAW_HASH_SIZE];
      gsize length = sizeof secret;
      g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

      g_checksum_update (checksum, (const guchar *) label, -1);
      g_checksum_get_digest (checksum, secret, &length);
      sui_draw_input_set_secret (input, secret);
      sui_draw_input_add_entropy (input, entropy);
      for (guint s = 0; s < G_N_ELEMENTS (strata); s++)
        {
          SuiDrawStratum *stratum = sui_draw_input_add_stratum (input, strata[s].name,
                                                                strata[s].ratio_bp);

          for (guint i = 0; i < strata[s].n; i++)
            {
              g_autofree char *id = g_strdup_printf ("%u", 1000 + 100 * s + i);

              sui_draw_input_add_candidate (input, stratum, id);
            }
        }

      result = run (input);
      for (guint s = 0; s < G_N_ELEMENTS (strata); s++)
        {
          GPtrArray *drawn = result_stratum (result, s)->drawn;

          for (guint j = 0; j < drawn->len; j++)
            {
              guint id = (guint) g_ascii_strtoull (g_ptr_array_index (drawn, j), NULL, 10);

              counts[s][id - 1000 - 100 * s]++;
            }
        }
    }

  for (guint s = 0; s < G_N_ELEMENTS (strata); s++)
    {
      guint k = (guint) sui_draw_k_for_ratio (strata[s].n, (guint) strata[s].ratio_bp);
      double expected = (double) draws * k / strata[s].n;
      double chi2 = 0;
      guint total = 0;

      for (guint i = 0; i < strata[s].n; i++)
        {
          double d = counts[s][i] - expected;

          chi2 += d * d / expected;
          total += counts[s][i];
        }
      g_test_message ("stratum %s: n %u, k %u, expected %.0f per candidate, chi-square %.2f "
                      "(critical %.3f)", strata[s].name, strata[s].n, k, expected, chi2,
                      strata[s].critical);
      g_assert_cmpuint (total, ==, draws * k);
      g_assert_cmpfloat (chi2, <, strata[s].critical);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/draw/worked-example", test_worked_example);
  g_test_add_func ("/draw/example-record", test_example_record);
  g_test_add_func ("/draw/deterministic", test_deterministic);
  g_test_add_func ("/draw/changes", test_changes);
  g_test_add_func ("/draw/k-arithmetic", test_k_arithmetic);
  g_test_add_func ("/draw/invalid-input", test_invalid_input);
  g_test_add_func ("/draw/verify-good", test_verify_good);
  g_test_add_func ("/draw/verify-tampered", test_verify_tampered);
  g_test_add_func ("/draw/verify-consistent-forgery", test_verify_consistent_forgery);
  g_test_add_func ("/draw/threads", test_threads);
  g_test_add_func ("/draw/fairness", test_fairness);
  return g_test_run ();
}
