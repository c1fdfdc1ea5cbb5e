/* bench-draw.c: shuangsui-draw/1 over 1 000 000 candidates in 4 strata at 5 %
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints the time of the draw (validation, sort, candidate hash, keys, selection), of its
 * verification from a record, and of a plain shuffle-all-and-take (Fisher–Yates with a GRand
 * seeded from the same seed) over the same ids as a baseline. Usage: bench-draw [N] [THREADS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sui-draw.h"

static double
seconds_since (gint64 start)
{
  return (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
}

static SuiDrawInput *
make_input (guint n,
            guint threads)
{
  static const struct
  {
    const char *name;
    guint share;  /* percent of the candidates */
  } classes[] = { { "A", 55 }, { "B", 30 }, { "C", 10 }, { "D", 5 } };
  SuiDrawInput *input = sui_draw_input_new ();
  SuiDrawStratum *strata[G_N_ELEMENTS (classes)];
  guint8 secret[SUI_DRAW_SECRET_SIZE];

  for (guint i = 0; i < sizeof secret; i++)
    secret[i] = (guint8) (i * 37 + 11);
  sui_draw_input_set_secret (input, secret);
  sui_draw_input_add_entropy (input, "3917");
  sui_draw_input_add_entropy (input, "0528");
  input->max_threads = threads;
  for (guint c = 0; c < G_N_ELEMENTS (classes); c++)
    strata[c] = sui_draw_input_add_stratum (input, classes[c].name, 500);

  /* Ids in numeric order, as a database returns them by primary key: not bytewise order. */
  for (guint i = 1; i <= n; i++)
    {
      guint bucket = (guint) ((i * 2654435761u) >> 7) % 100;
      guint c = bucket < 55 ? 0 : bucket < 85 ? 1 : bucket < 95 ? 2 : 3;
      char id[16];

      g_snprintf (id, sizeof id, "%u", i);
      sui_draw_input_add_candidate (input, strata[c], id);
    }
  return input;
}

/* The baseline: shuffle each stratum entirely and take the first k. */
static guint
shuffle_and_take (SuiDrawInput *input,
                  const guint8 *seed)
{
  g_autoptr(GRand) rand = NULL;
  guint32 seed_words[SUI_DRAW_HASH_SIZE / 4];
  guint taken = 0;

  memcpy (seed_words, seed, sizeof seed_words);
  rand = g_rand_new_with_seed_array (seed_words, G_N_ELEMENTS (seed_words));
  for (guint s = 0; s < input->strata->len; s++)
    {
      SuiDrawStratum *stratum = g_ptr_array_index (input->strata, s);
      guint n = stratum->candidates->len;
      g_autofree gpointer *ids = g_memdup2 (stratum->candidates->pdata, n * sizeof (gpointer));
      guint k = (guint) sui_draw_k_for_ratio (n, (guint) stratum->ratio_bp);

      for (guint i = n; i > 1; i--)
        {
          guint j = (guint) g_rand_int_range (rand, 0, (gint32) i);
          gpointer swap = ids[i - 1];

          ids[i - 1] = ids[j];
          ids[j] = swap;
        }
      taken += k;
    }
  return taken;
}

int
main (int    argc,
      char **argv)
{
  guint n = argc > 1 ? (guint) atoi (argv[1]) : 1000000;
  guint threads = argc > 2 ? (guint) atoi (argv[2]) : 0;
  g_autoptr(SuiDrawInput) input = NULL;
  g_autoptr(SuiDrawInput) presorted = NULL;
  g_autoptr(SuiDrawResult) result = NULL;
  g_autoptr(SuiDrawResult) again = NULL;
  g_autoptr(JsonNode) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  double t_build, t_draw, t_sorted, t_record, t_verify, t_text, t_verify_text, t_shuffle;
  guint drawn = 0, taken;
  gint64 start;

  start = g_get_monotonic_time ();
  input = make_input (n, threads);
  t_build = seconds_since (start);

  start = g_get_monotonic_time ();
  result = sui_draw_run (input, &error);
  t_draw = seconds_since (start);
  if (result == NULL)
    g_error ("draw: %s", error->message);
  for (guint s = 0; s < result->strata->len; s++)
    drawn += ((SuiDrawStratumResult *) g_ptr_array_index (result->strata, s))->k;

  /* The same input again: its candidates are now sorted, so the sort is skipped. */
  start = g_get_monotonic_time ();
  again = sui_draw_run (input, &error);
  t_sorted = seconds_since (start);
  g_assert (again != NULL);
  g_assert (memcmp (again->result_hash, result->result_hash, SUI_DRAW_HASH_SIZE) == 0);

  start = g_get_monotonic_time ();
  record = sui_draw_record_new (input, result);
  t_record = seconds_since (start);

  start = g_get_monotonic_time ();
  if (!sui_draw_verify (record, &error))
    g_error ("verify: %s", error->message);
  t_verify = seconds_since (start);

  start = g_get_monotonic_time ();
  text = json_to_string (record, FALSE);
  t_text = seconds_since (start);

  start = g_get_monotonic_time ();
  if (!sui_draw_verify_text (text, -1, &error))
    g_error ("verify text: %s", error->message);
  t_verify_text = seconds_since (start);

  /* A fresh input, unsorted as the draw saw it, for the baseline. */
  presorted = make_input (n, threads);
  start = g_get_monotonic_time ();
  taken = shuffle_and_take (presorted, result->seed);
  t_shuffle = seconds_since (start);
  g_assert (taken == drawn);

  printf ("shuangsui-draw/1: %u candidates in 4 strata at 5 %%, %u drawn, %u processors, "
          "threads %s\n", n, drawn, g_get_num_processors (), threads ? argv[2] : "auto");
  printf ("  building the input (not timed below)   %8.3f s\n", t_build);
  printf ("  draw: check, sort, hash, keys, select  %8.3f s\n", t_draw);
  printf ("  draw again, candidates already sorted  %8.3f s\n", t_sorted);
  printf ("  record as JSON nodes                   %8.3f s\n", t_record);
  printf ("  verify (record as JSON nodes)          %8.3f s\n", t_verify);
  printf ("  record to text (%5.1f MB)               %8.3f s\n",
          strlen (text) / 1e6, t_text);
  printf ("  verify (record as text, parse incl.)   %8.3f s\n", t_verify_text);
  printf ("  baseline: Fisher-Yates shuffle + take  %8.3f s\n", t_shuffle);
  printf ("  draw / baseline                        %8.1f x\n", t_draw / t_shuffle);
  return 0;
}
