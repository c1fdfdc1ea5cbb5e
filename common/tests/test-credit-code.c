/* test-credit-code.c: the 统一社会信用代码 check of GB 32100-2015
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "sui-credit-code.h"

static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* Codes of well-known companies, as printed on their business licences; each check
 * character was recomputed by hand from the standard's weights before it went here. */
static const char * const public_codes[] = {
  "91110000600037341L",
  "91330000755918469E",
  "91440300708461136T",
  "914403001922038216",
  "91110108551385082Q",
};

static void
assert_valid (const char *code)
{
  g_autofree char *reason = NULL;

  if (sui_credit_code_validate (code, &reason) != SUI_CREDIT_CODE_OK)
    g_error ("%s refused: %s", code, reason);
  g_assert_null (reason);
}

static SuiCreditCodeProblem
problem_of (const char *code)
{
  g_autofree char *reason = NULL;
  SuiCreditCodeProblem problem = sui_credit_code_validate (code, &reason);

  if (problem == SUI_CREDIT_CODE_OK)
    g_assert_null (reason);
  else
    g_assert_nonnull (reason);
  return problem;
}

static void
test_public_codes (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (public_codes); i++)
    assert_valid (public_codes[i]);

  /* Computed: a code recalled from memory as 91110000100000589B has the check A. */
  g_assert_cmpint (sui_credit_code_check_character ("91110000100000589"), ==, 'A');
  g_assert_cmpint (problem_of ("91110000100000589B"), ==, SUI_CREDIT_CODE_BAD_CHECK);
  assert_valid ("91110000100000589A");
}

/* A remainder of 0 is written 0, not the 31st character. */
static void
test_check_zero (void)
{
  char code[SUI_CREDIT_CODE_LENGTH + 1] = "92130102MA0000000";
  gboolean seen_zero = FALSE;

  for (int i = 0; i < 31 && !seen_zero; i++)
    {
      code[16] = alphabet[i];
      code[17] = sui_credit_code_check_character (code);
      code[18] = '\0';
      assert_valid (code);
      seen_zero = code[17] == '0';
    }
  g_assert_true (seen_zero);
}

/* Generated codes pass; every single wrong character and every swap of two neighbouring
 * different characters is caught (31 is prime and no weight or difference of
 * neighbouring weights is a multiple of it). */
static void
test_generated (void)
{
  GRand *rand = g_rand_new_with_seed (20260101);
  static const char * const heads[] = { "92130102", "91130100", "93130181", "12130000",
                                        "52110000", "Y1130100", "N2130123", "31110105" };

  for (int n = 0; n < 2000; n++)
    {
      char code[SUI_CREDIT_CODE_LENGTH + 1];

      memcpy (code, heads[n % G_N_ELEMENTS (heads)], 8);
      for (int i = 8; i < 17; i++)
        code[i] = alphabet[g_rand_int_range (rand, 0, 31)];
      code[17] = sui_credit_code_check_character (code);
      code[18] = '\0';
      assert_valid (code);

      for (int i = 8; i < 18; i++)
        {
          char saved = code[i];

          code[i] = alphabet[(strchr (alphabet, saved) - alphabet + 1 +
                              g_rand_int_range (rand, 0, 30)) % 31];
          g_assert_cmpint (problem_of (code), ==, SUI_CREDIT_CODE_BAD_CHECK);
          code[i] = saved;
        }
      for (int i = 8; i < 17; i++)
        if (code[i] != code[i + 1])
          {
            char saved = code[i];

            code[i] = code[i + 1];
            code[i + 1] = saved;
            g_assert_cmpint (problem_of (code), ==, SUI_CREDIT_CODE_BAD_CHECK);
            code[i + 1] = code[i];
            code[i] = saved;
          }
    }
  g_rand_free (rand);
}

static void
test_length (void)
{
  g_autofree char *reason = NULL;

  g_assert_cmpint (sui_credit_code_validate ("91110000600037341", &reason), ==,
                   SUI_CREDIT_CODE_BAD_LENGTH);
  g_assert_nonnull (strstr (reason, "18 位"));
  g_assert_nonnull (strstr (reason, "17 位"));
  g_assert_cmpint (problem_of (""), ==, SUI_CREDIT_CODE_BAD_LENGTH);
  g_assert_cmpint (problem_of ("91110000600037341LL"), ==, SUI_CREDIT_CODE_BAD_LENGTH);
  /* Characters, not bytes: 18 Chinese characters are 18 long (and then bad). */
  g_assert_cmpint (problem_of ("统一社会信用代码统一社会信用代码统一"), ==,
                   SUI_CREDIT_CODE_BAD_CHARACTER);
  g_assert_cmpint (problem_of ("\xff\xfe"), ==, SUI_CREDIT_CODE_BAD_CHARACTER);
}

static void
test_bad_characters (void)
{
  static const char * const bad[] = {
    "91110000600037341l",   /* lower case */
    "9111000060003734IL",   /* I */
    "9111000060003734OL",   /* O */
    "9111000060003734SL",   /* S */
    "9111000060003734VL",   /* V */
    "9111000060003734ZL",   /* Z */
    "9111000060003734-L",
    "9111000060003734 L",
    "9111000060003734１L",  /* a full-width digit */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *reason = NULL;

      g_assert_cmpint (sui_credit_code_validate (bad[i], &reason), ==,
                       SUI_CREDIT_CODE_BAD_CHARACTER);
      g_assert_nonnull (strstr (reason, i == 0 ? "第 18 位“l”" : "第 17 位"));
    }
}

static void
test_structure (void)
{
  char code[SUI_CREDIT_CODE_LENGTH + 1];
  static const struct { const char *head; SuiCreditCodeProblem problem; } cases[] = {
    { "B1110000", SUI_CREDIT_CODE_BAD_AUTHORITY },
    { "01110000", SUI_CREDIT_CODE_BAD_AUTHORITY },
    { "94110000", SUI_CREDIT_CODE_BAD_CATEGORY },   /* 工商 has 1, 2, 3 only */
    { "99110000", SUI_CREDIT_CODE_BAD_CATEGORY },
    { "54110000", SUI_CREDIT_CODE_BAD_CATEGORY },
    { "Y2110000", SUI_CREDIT_CODE_BAD_CATEGORY },
    { "20110000", SUI_CREDIT_CODE_BAD_CATEGORY },
    { "91A10000", SUI_CREDIT_CODE_BAD_REGION },     /* region digits only */
    { "91990000", SUI_CREDIT_CODE_BAD_REGION },     /* no province 99 */
    { "91001000", SUI_CREDIT_CODE_BAD_REGION },
    { "91100000", SUI_CREDIT_CODE_OK },             /* national level */
    { "92820000", SUI_CREDIT_CODE_OK },
    { "A1110000", SUI_CREDIT_CODE_OK },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      memcpy (code, cases[i].head, 8);
      memcpy (code + 8, "MA0DXK4N", 8);
      code[16] = '7';
      code[17] = sui_credit_code_check_character (code);
      code[18] = '\0';
      g_assert_cmpint (problem_of (code), ==, cases[i].problem);
    }
}

static void
test_helpers (void)
{
  g_autofree char *normal = sui_credit_code_normalize ("  91110000600037341l \t");

  g_assert_cmpstr (normal, ==, "91110000600037341L");
  g_assert_cmpint (sui_credit_code_check_character ("9111"), ==, '\0');
  g_assert_cmpint (sui_credit_code_check_character ("9111000060003734I"), ==, '\0');
  g_assert_cmpstr (sui_credit_code_problem_name (SUI_CREDIT_CODE_BAD_CHECK), ==, "check_digit");
  g_assert_cmpstr (sui_credit_code_problem_name (SUI_CREDIT_CODE_BAD_LENGTH), ==, "length");
  g_assert_cmpint (sui_credit_code_validate ("91110000600037341L", NULL), ==,
                   SUI_CREDIT_CODE_OK);
  g_assert_cmpint (sui_credit_code_validate ("91110000600037341M", NULL), ==,
                   SUI_CREDIT_CODE_BAD_CHECK);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/credit-code/public-codes", test_public_codes);
  g_test_add_func ("/credit-code/check-zero", test_check_zero);
  g_test_add_func ("/credit-code/generated", test_generated);
  g_test_add_func ("/credit-code/length", test_length);
  g_test_add_func ("/credit-code/bad-characters", test_bad_characters);
  g_test_add_func ("/credit-code/structure", test_structure);
  g_test_add_func ("/credit-code/helpers", test_helpers);
  return g_test_run ();
}
