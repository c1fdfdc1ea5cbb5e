/* sui-credit-code.c: validation of the 统一社会信用代码 (GB 32100-2015)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What is checked, and why no more:
 *  - the length, the alphabet and the check character, exactly as the standard defines them;
 *  - the registration authority (position 1) and, for the four authorities of the
 *    standard's own table (1, 5, 9, Y), the category (position 2). Authorities added after
 *    2015 (2 外交, 3 司法行政, 4 文化, 6 旅游, 7 宗教, 8 工会, A 军队, N 农业) have category
 *    lists we could not verify against a published text, so any digit 1-9 is taken there;
 *  - the region (positions 3-8): six digits whose first two are a province of GB/T 2260,
 *    or 10 for bodies registered at national level (e.g. 91100000…).
 * The subject identifier (positions 9-17) carries the old GB 11714 check digit for most
 * legal persons, but not reliably for individual businesses (92…), which are the bulk of
 * tobacco retailers; refusing a real licensee's code would be worse than letting a typo
 * through that the overall check character catches anyway, so it is not checked.
 */
#include "sui-credit-code.h"

#include <string.h>

/* The alphabet in value order: the value of a character is its index. */
static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static const int weights[SUI_CREDIT_CODE_LENGTH - 1] = {
  1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28
};

typedef struct
{
  char authority;
  const char *categories;   /* NULL: any digit 1-9 (see above) */
} Authority;

static const Authority authorities[] = {
  { '1', "1239" },   /* 机构编制: 机关, 事业单位, 群众团体, 其他 */
  { '5', "1239" },   /* 民政: 社会团体, 民办非企业单位, 基金会, 其他 */
  { '9', "123" },    /* 工商 (市场监管): 企业, 个体工商户, 农民专业合作社 */
  { 'Y', "1" },      /* 其他 */
  { '2', NULL },
  { '3', NULL },
  { '4', NULL },
  { '6', NULL },
  { '7', NULL },
  { '8', NULL },
  { 'A', NULL },
  { 'N', NULL },
};

/* GB/T 2260 provinces, and 10 for the national level. */
static const char provinces[][3] = {
  "10", "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36",
  "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63",
  "64", "65", "71", "81", "82",
};

static int
char_value (char c)
{
  const char *found;

  if (c == '\0')
    return -1;
  found = strchr (alphabet, c);
  return found != NULL ? (int) (found - alphabet) : -1;
}

char
sui_credit_code_check_character (const char *prefix)
{
  int sum = 0;

  g_return_val_if_fail (prefix != NULL, '\0');

  for (int i = 0; i < SUI_CREDIT_CODE_LENGTH - 1; i++)
    {
      int value = char_value (prefix[i]);

      if (value < 0)
        return '\0';
      sum += value * weights[i];
    }
  return alphabet[(31 - sum % 31) % 31];
}

static const Authority *
find_authority (char c)
{
  for (gsize i = 0; i < G_N_ELEMENTS (authorities); i++)
    if (authorities[i].authority == c)
      return &authorities[i];
  return NULL;
}

static gboolean
region_valid (const char *region)
{
  for (int i = 0; i < 6; i++)
    if (!g_ascii_isdigit (region[i]))
      return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (provinces); i++)
    if (region[0] == provinces[i][0] && region[1] == provinces[i][1])
      return TRUE;
  return FALSE;
}

static SuiCreditCodeProblem
fail (char                 **reason,
      SuiCreditCodeProblem   problem,
      char                  *text)
{
  if (reason != NULL)
    *reason = text;
  else
    g_free (text);
  return problem;
}

SuiCreditCodeProblem
sui_credit_code_validate (const char  *code,
                          char       **reason)
{
  const Authority *authority;
  glong length;
  int position = 1;

  g_return_val_if_fail (code != NULL, SUI_CREDIT_CODE_BAD_LENGTH);

  if (reason != NULL)
    *reason = NULL;

  if (!g_utf8_validate (code, -1, NULL))
    return fail (reason, SUI_CREDIT_CODE_BAD_CHARACTER,
                 g_strdup ("统一社会信用代码含有无法识别的字符，请重新输入"));

  length = g_utf8_strlen (code, -1);
  if (length != SUI_CREDIT_CODE_LENGTH)
    return fail (reason, SUI_CREDIT_CODE_BAD_LENGTH,
                 g_strdup_printf ("统一社会信用代码应为 18 位，现为 %ld 位，请核对", length));

  for (const char *p = code; *p != '\0'; p = g_utf8_next_char (p), position++)
    if (char_value (*p) < 0 || (guchar) *p >= 0x80)
      {
        g_autofree char *bad = g_strndup (p, g_utf8_next_char (p) - p);

        return fail (reason, SUI_CREDIT_CODE_BAD_CHARACTER,
                     g_strdup_printf ("统一社会信用代码第 %d 位“%s”不是允许的字符"
                                      "（只能是数字和除 I、O、S、V、Z 以外的大写字母）",
                                      position, bad));
      }

  authority = find_authority (code[0]);
  if (authority == NULL)
    return fail (reason, SUI_CREDIT_CODE_BAD_AUTHORITY,
                 g_strdup_printf ("统一社会信用代码第 1 位“%c”不是有效的登记管理部门代码"
                                  "（市场监管部门登记的为 9），请核对", code[0]));

  if (authority->categories != NULL ? strchr (authority->categories, code[1]) == NULL
                                    : !(code[1] >= '1' && code[1] <= '9'))
    return fail (reason, SUI_CREDIT_CODE_BAD_CATEGORY,
                 g_strdup_printf ("统一社会信用代码第 2 位“%c”不是该登记管理部门的机构类别代码"
                                  "（市场监管部门登记的企业为 1、个体工商户为 2、"
                                  "农民专业合作社为 3），请核对", code[1]));

  if (!region_valid (code + 2))
    return fail (reason, SUI_CREDIT_CODE_BAD_REGION,
                 g_strdup_printf ("统一社会信用代码第 3–8 位“%.6s”不是有效的行政区划代码，请核对",
                                  code + 2));

  if (sui_credit_code_check_character (code) != code[SUI_CREDIT_CODE_LENGTH - 1])
    return fail (reason, SUI_CREDIT_CODE_BAD_CHECK,
                 g_strdup ("统一社会信用代码的校验位（第 18 位）与前 17 位不符，"
                           "请核对是否有字符抄错"));

  return SUI_CREDIT_CODE_OK;
}

const char *
sui_credit_code_problem_name (SuiCreditCodeProblem problem)
{
  switch (problem)
    {
    case SUI_CREDIT_CODE_OK:
      return "ok";
    case SUI_CREDIT_CODE_BAD_LENGTH:
      return "length";
    case SUI_CREDIT_CODE_BAD_CHARACTER:
      return "character";
    case SUI_CREDIT_CODE_BAD_AUTHORITY:
      return "authority";
    case SUI_CREDIT_CODE_BAD_CATEGORY:
      return "category";
    case SUI_CREDIT_CODE_BAD_REGION:
      return "region";
    case SUI_CREDIT_CODE_BAD_CHECK:
      return "check_digit";
    default:
      g_return_val_if_reached ("invalid");
    }
}

char *
sui_credit_code_normalize (const char *code)
{
  g_return_val_if_fail (code != NULL, NULL);

  return g_strstrip (g_ascii_strup (code, -1));
}
