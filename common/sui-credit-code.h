/* sui-credit-code.h: the 统一社会信用代码 (unified social credit identifier, GB 32100-2015)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * 18 characters from 0-9 and the capital letters without I, O, S, V, Z:
 *
 *   1      registration authority (登记管理部门代码): 9 market regulation, 1 编制, 5 民政 …
 *   2      category within that authority (机构类别代码): under 9, 1 企业, 2 个体工商户,
 *          3 农民专业合作社
 *   3-8    region of the registering office (GB/T 2260, six digits)
 *   9-17   subject identifier (主体标识码, the former 组织机构代码)
 *   18     check character: 31 − (Σ value × weight mod 31), 31 written as 0
 *
 * No I/O: the daemon, the client and the demo data generator share it.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SUI_CREDIT_CODE_LENGTH 18

typedef enum
{
  SUI_CREDIT_CODE_OK = 0,
  SUI_CREDIT_CODE_BAD_LENGTH,      /* not 18 characters */
  SUI_CREDIT_CODE_BAD_CHARACTER,   /* a character outside the code's alphabet */
  SUI_CREDIT_CODE_BAD_AUTHORITY,   /* position 1 names no registration authority */
  SUI_CREDIT_CODE_BAD_CATEGORY,    /* position 2 is no category of that authority */
  SUI_CREDIT_CODE_BAD_REGION,      /* positions 3-8 are not a region code */
  SUI_CREDIT_CODE_BAD_CHECK,       /* position 18 does not match the other 17 */
} SuiCreditCodeProblem;

/* Checks code as given (no trimming, no case folding: see sui_credit_code_normalize).
 * When reason is not NULL it receives a Chinese sentence saying what is wrong and what
 * to do, or NULL when the code is valid. */
SuiCreditCodeProblem  sui_credit_code_validate        (const char            *code,
                                                       char                 **reason);

/* A short machine name for a problem ("length", "character", "authority", "category",
 * "region", "check_digit"), for the `code` of a field-level validation error. */
const char           *sui_credit_code_problem_name    (SuiCreditCodeProblem   problem);

/* The check character for the first 17 characters of prefix, or '\0' when prefix is
 * shorter or holds a character outside the alphabet. */
char                  sui_credit_code_check_character (const char            *prefix);

/* Surrounding blanks removed, ASCII letters upper-cased; a newly allocated string. */
char                 *sui_credit_code_normalize       (const char            *code);

G_END_DECLS
