/* sui-imports.c: imports.preview, imports.commit (objects, inspectors and credit grades from
 * CSV), registry.check and registry.commit (the completeness check 应纳尽纳)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A CSV file as the bureau's Excel writes it (UTF-8 with or without BOM, or GB18030/GBK;
 * Chinese header names) is uploaded with PUT /files, then previewed: which columns were
 * recognised, how many rows would be new, changed, unchanged or invalid, and each invalid
 * row with its line number and reason. The commit reuses the parse of the preview just
 * before it (see parsed_cache) and applies every row in one statement within the call's
 * transaction: all or nothing. Rows are matched on their key (licence number, certificate number); only the
 * columns the file has are compared and written, so importing the same file twice changes
 * nothing the second time. The rows go to PostgreSQL as array parameters, one per column,
 * read with unnest: one round trip for a hundred thousand rows, and no SQL built from the
 * file's content.
 *
 * Each kind of file is a table of columns (header names, how a cell is checked) and the
 * SQL that classifies and applies its rows; the file handling, the CSV reader and the
 * cell checks are shared. The licence-registry export of the completeness check is read
 * with the objects' columns, then compared with the unit's register instead of imported.
 */
#include "sui-imports.h"

#include <stdlib.h>
#include <string.h>

#include "sui-credit-code.h"
#include "sui-filter.h"
#include "sui-objects.h"
#include "sui-pg.h"

#define MAX_INVALID_LISTED 1000
#define MAX_REPORT_LISTED 2000
#define MAX_COLUMNS 16

/* How a cell is checked and normalised. */
typedef enum
{
  V_TEXT,
  V_LICENCE,      /* 4–32 of [0-9A-Z-]; 12 digits for retail and e-cigarette licences */
  V_CREDIT,       /* GB 32100-2015 */
  V_OBJ_TYPE,     /* name or code of object_type */
  V_OBJ_STATUS,   /* name, code or a registry's word for it */
  V_GRADE,        /* credit_grade_class */
  V_RISK,         /* A–D */
  V_DATE,
  V_CERT,         /* 4–32 of [0-9A-Za-z-] */
  V_INSP_STATUS,  /* name or code of inspector_status */
  V_UNIT,         /* name or code of a unit → its id */
} Check;

typedef struct
{
  const char *column;
  const char *sql_type;
  const char *label;
  int max_chars;
  Check check;
  const char *headers[12];
} Column;

/* The object columns, in the order of the rows' arrays, with the header names the bureau's
 * spreadsheets (and the licence registry's export) use for them. */
enum
{
  C_LICENCE, C_CREDIT, C_NAME, C_LEGAL_REP, C_ADDRESS, C_DISTRICT, C_TYPE, C_STATUS,
  C_VALID_FROM, C_VALID_UNTIL, C_GRADE, C_RISK, C_CONTACT, N_OBJECT_COLUMNS
};

static const Column object_columns[N_OBJECT_COLUMNS] = {
  { "licence_no", "text", "许可证号", 32, V_LICENCE,
    { "许可证号", "许可证编号", "专卖许可证号", "零售许可证号", "烟草专卖零售许可证号",
      "许可证号码", "烟草专卖许可证号", "licence_no", NULL } },
  { "credit_code", "text", "统一社会信用代码", 18, V_CREDIT,
    { "统一社会信用代码", "社会信用代码", "信用代码", "统一信用代码", "credit_code", NULL } },
  { "name", "text", "名称", 128, V_TEXT,
    { "名称", "企业名称", "字号名称", "店名", "对象名称", "经营者名称", "企业（字号）名称",
      "企业(字号)名称", "name", NULL } },
  { "legal_rep", "text", "负责人", 64, V_TEXT,
    { "负责人", "法定代表人", "法定代表人（负责人）", "法定代表人(负责人)", "经营者",
      "法人代表", "legal_rep", NULL } },
  { "address", "text", "经营地址", 256, V_TEXT,
    { "经营地址", "地址", "经营场所", "经营场所地址", "住所", "address", NULL } },
  { "district", "text", "区县", 32, V_TEXT,
    { "区县", "所在区县", "所属区县", "行政区划", "district", NULL } },
  { "type", "text", "对象类型", 32, V_OBJ_TYPE,
    { "对象类型", "类型", "主体类型", "许可类型", "type", NULL } },
  { "status", "text", "经营状态", 32, V_OBJ_STATUS,
    { "经营状态", "状态", "许可证状态", "登记状态", "status", NULL } },
  { "licence_valid_from", "date", "有效期起", 0, V_DATE,
    { "有效期起", "有效期自", "许可证有效期起", "有效期开始", "发证日期",
      "licence_valid_from", NULL } },
  { "licence_valid_until", "date", "有效期止", 0, V_DATE,
    { "有效期止", "有效期至", "许可证有效期止", "有效期结束", "licence_valid_until", NULL } },
  { "credit_grade", "text", "信用等级", 3, V_GRADE,
    { "信用等级", "诚信等级", "credit_grade", NULL } },
  { "risk_class", "text", "风险等级", 1, V_RISK,
    { "风险等级", "风险分类", "风险类别", "risk_class", NULL } },
  { "contact", "text", "联系电话", 64, V_TEXT,
    { "联系电话", "联系方式", "电话", "手机号码", "contact", NULL } },
};

enum
{
  I_NAME, I_UNIT, I_CERT, I_FROM, I_UNTIL, I_STATUS, I_SPECIALTIES, I_CONTACT,
  N_INSPECTOR_COLUMNS
};

static const Column inspector_columns[N_INSPECTOR_COLUMNS] = {
  { "name", "text", "姓名", 64, V_TEXT, { "姓名", "人员姓名", "执法人员", "name", NULL } },
  { "unit_id", "bigint", "单位", 0, V_UNIT,
    { "单位", "所属单位", "工作单位", "执法单位", "unit", NULL } },
  { "cert_no", "text", "执法证号", 32, V_CERT,
    { "执法证号", "执法证编号", "执法证件号", "执法证件号码", "行政执法证号", "证件号",
      "证号", "cert_no", NULL } },
  { "cert_valid_from", "date", "证件有效期起", 0, V_DATE,
    { "证件有效期起", "有效期起", "发证日期", "证件有效期自", "执法证有效期起", "有效期自",
      "cert_valid_from", NULL } },
  { "cert_valid_until", "date", "证件有效期止", 0, V_DATE,
    { "证件有效期止", "有效期止", "有效期至", "证件有效期至", "执法证有效期止", "有效期截止",
      "cert_valid_until", NULL } },
  { "status", "text", "状态", 32, V_INSP_STATUS,
    { "状态", "在岗状态", "人员状态", "status", NULL } },
  { "specialties", "text", "专长", 256, V_TEXT,
    { "专长", "专业特长", "业务专长", "擅长领域", "specialties", NULL } },
  { "contact", "text", "联系电话", 64, V_TEXT,
    { "联系电话", "联系方式", "电话", "手机号码", "contact", NULL } },
};

enum { G_LICENCE, G_CREDIT, G_GRADE, G_DATE, N_GRADE_COLUMNS };

static const Column grade_columns[N_GRADE_COLUMNS] = {
  { "licence_no", "text", "许可证号", 32, V_LICENCE,
    { "许可证号", "许可证编号", "专卖许可证号", "零售许可证号", "烟草专卖零售许可证号",
      "许可证号码", "licence_no", NULL } },
  { "credit_code", "text", "统一社会信用代码", 18, V_CREDIT,
    { "统一社会信用代码", "社会信用代码", "信用代码", "credit_code", NULL } },
  { "credit_grade", "text", "信用等级", 3, V_GRADE,
    { "信用等级", "诚信等级", "等级", "评定等级", "credit_grade", NULL } },
  { "credit_grade_date", "date", "评定日期", 0, V_DATE,
    { "评定日期", "评级日期", "评定时间", "日期", "credit_grade_date", NULL } },
};

typedef enum { K_OBJECTS, K_INSPECTORS, K_GRADES, K_REGISTRY } KindId;

typedef struct
{
  KindId id;
  const char *name;
  const Column *columns;
  int n_columns;
} Kind;

static const Kind kinds[] = {
  { K_OBJECTS, "objects", object_columns, N_OBJECT_COLUMNS },
  { K_INSPECTORS, "inspectors", inspector_columns, N_INSPECTOR_COLUMNS },
  { K_GRADES, "credit_grades", grade_columns, N_GRADE_COLUMNS },
  { K_REGISTRY, "registry", object_columns, N_OBJECT_COLUMNS },
};

typedef struct
{
  const Kind *kind;
  char *encoding;
  GPtrArray *header_report;   /* JsonNode objects {header, field, label} */
  int column_of[MAX_COLUMNS]; /* CSV column index, or -1 */
  guint n_rows;
  /* The valid rows as PostgreSQL array literals, one for the lines and one for each column
   * the file has, for unnest (): parsing arrays of text is a fifth of the time of the same
   * rows as jsonb (measured: 0.2 s against 0.9 s for 100 000 objects). */
  GString *lines;
  GString *cells[MAX_COLUMNS];
  guint n_valid;
  JsonBuilder *invalid;       /* [{line, field, reason}] while parsing */
  JsonNode *invalid_rows;     /* its array once parsed */
  guint n_invalid;
} Parsed;

/* Once parse() returns, a Parsed is never changed: the cache below shares it. */
static void
parsed_clear (Parsed *p)
{
  g_free (p->encoding);
  g_clear_pointer (&p->header_report, g_ptr_array_unref);
  if (p->lines != NULL)
    g_string_free (p->lines, TRUE);
  for (int c = 0; c < MAX_COLUMNS; c++)
    if (p->cells[c] != NULL)
      g_string_free (p->cells[c], TRUE);
  g_clear_object (&p->invalid);
  g_clear_pointer (&p->invalid_rows, json_node_unref);
}

static void
parsed_unref (Parsed *p)
{
  g_rc_box_release_full (p, (GDestroyNotify) parsed_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Parsed, parsed_unref)

static gboolean
has (Parsed *parsed,
     int     c)
{
  return parsed->column_of[c] >= 0;
}

static gboolean
fail_literal (GError     **error,
              int          code,
              const char  *message)
{
  g_set_error_literal (error, SUI_RPC_ERROR, code, message);
  return FALSE;
}

static gboolean
fail_field (SuiCall     *call,
            const char  *field,
            const char  *code,
            const char  *message,
            GError     **error)
{
  SuiValidation *v = sui_validation_new ();

  sui_validation_add (v, field, code, message);
  return sui_validation_finish (v, call, error);
}

/* ---- the file ---------------------------------------------------------------------- */

char *
sui_imports_decode (const char  *bytes,
                    gsize        length,
                    const char **encoding)
{
  if (length >= 3 && memcmp (bytes, "\xef\xbb\xbf", 3) == 0)
    {
      if (!g_utf8_validate_len (bytes + 3, length - 3, NULL))
        return NULL;
      *encoding = "UTF-8-BOM";
      return g_strndup (bytes + 3, length - 3);
    }
  if (g_utf8_validate_len (bytes, length, NULL))
    {
      *encoding = "UTF-8";
      return g_strndup (bytes, length);
    }
  *encoding = "GB18030";
  return g_convert (bytes, length, "UTF-8", "GB18030", NULL, NULL, NULL);
}

/* The file's SHA-256 (hex) if the caller may read it (their own upload, or any for an
 * admin) and its upload is complete. */
static char *
check_file (SuiCall  *call,
            gint64    file_id,
            GError  **error)
{
  g_autofree char *id_text = sui_pg_int_param (file_id);
  g_autofree char *user_text = sui_pg_int_param (call->user->id);
  const char *params[3] = { id_text, user_text, sui_register_is_admin (call) ? "t" : "f" };
  g_autoptr(PGresult) meta = NULL;

  meta = sui_pg_exec (call->conn,
                      "select uploaded_by = $2::bigint or $3::boolean, encode (sha256, 'hex')"
                      " from file where id = $1::bigint",
                      3, params, error);
  if (meta == NULL)
    return NULL;
  if (PQntuples (meta) != 1 || PQgetisnull (meta, 0, 1))
    {
      fail_literal (error, SUI_RPC_ERROR_NOT_FOUND, "文件不存在，请重新上传");
      return NULL;
    }
  if (!g_str_equal (PQgetvalue (meta, 0, 0), "t"))
    {
      fail_literal (error, SUI_RPC_ERROR_FORBIDDEN, "只能导入您自己上传的文件");
      return NULL;
    }
  return g_strdup (PQgetvalue (meta, 0, 1));
}

/* The bytes of a file that check_file() let through. */
static GBytes *
read_file (SuiCall  *call,
           gint64    file_id,
           GError  **error)
{
  g_autofree char *id_text = sui_pg_int_param (file_id);
  const char *params[1] = { id_text };
  PGresult *chunks;
  GByteArray *data;

  /* The chunks in binary: no hex text of a 64 MiB file in between. */
  chunks = PQexecParams (call->conn,
                         "select data from file_chunk where file_id = $1::bigint order by n",
                         1, NULL, params, NULL, NULL, 1);
  if (PQresultStatus (chunks) != PGRES_TUPLES_OK)
    {
      g_message ("reading file %s failed: %s", id_text, PQresultErrorMessage (chunks));
      PQclear (chunks);
      fail_literal (error, SUI_RPC_ERROR_INTERNAL, "服务器暂时无法读取文件，请稍后重试");
      return NULL;
    }
  data = g_byte_array_new ();
  for (int i = 0; i < PQntuples (chunks); i++)
    g_byte_array_append (data, (const guint8 *) PQgetvalue (chunks, i, 0),
                         PQgetlength (chunks, i, 0));
  PQclear (chunks);
  return g_byte_array_free_to_bytes (data);
}

/* ---- CSV (RFC 4180 as Excel writes it) ---------------------------------------------- */

typedef struct
{
  const char *p;
  const char *end;
  char delimiter;
  guint line;          /* of the next character */
} Csv;

/* The next record's fields, trimmed; *line receives the line it starts on. NULL at the end. */
static GPtrArray *
csv_next (Csv   *csv,
          guint *line)
{
  GPtrArray *fields;
  GString *field;
  gboolean quoted = FALSE;

  if (csv->p >= csv->end)
    return NULL;

  *line = csv->line;
  fields = g_ptr_array_new_with_free_func (g_free);
  field = g_string_new (NULL);
  while (csv->p < csv->end)
    {
      char c = *csv->p++;

      if (quoted)
        {
          if (c == '"' && csv->p < csv->end && *csv->p == '"')
            {
              g_string_append_c (field, '"');
              csv->p++;
            }
          else if (c == '"')
            quoted = FALSE;
          else
            {
              if (c == '\n')
                csv->line++;
              g_string_append_c (field, c);
            }
          continue;
        }
      if (c == '"' && field->len == 0)
        quoted = TRUE;
      else if (c == csv->delimiter)
        {
          g_ptr_array_add (fields, g_strstrip (g_string_free (field, FALSE)));
          field = g_string_new (NULL);
        }
      else if (c == '\r' && csv->p < csv->end && *csv->p == '\n')
        continue;
      else if (c == '\n' || c == '\r')
        {
          csv->line++;
          break;
        }
      else
        g_string_append_c (field, c);
    }
  g_ptr_array_add (fields, g_strstrip (g_string_free (field, FALSE)));
  return fields;
}

static gboolean
record_empty (GPtrArray *fields)
{
  for (guint i = 0; i < fields->len; i++)
    if (*(const char *) g_ptr_array_index (fields, i) != '\0')
      return FALSE;
  return TRUE;
}

/* 4–32 of [0-9A-Z-], as the schema's check on object.licence_no (no GRegex: this runs
 * for every row of a hundred-thousand-row file). */
static gboolean
licence_valid (const char *text,
               gboolean   *all_digits)
{
  gsize n = 0;

  *all_digits = TRUE;
  for (const char *p = text; *p != '\0'; p++, n++)
    {
      if (!g_ascii_isdigit (*p))
        *all_digits = FALSE;
      if (!g_ascii_isdigit (*p) && !(*p >= 'A' && *p <= 'Z') && *p != '-')
        return FALSE;
    }
  return n >= 4 && n <= 32;
}

/* 2024-01-05, 2024/1/5, 2024.1.5, 2024年1月5日, 20240105 → 2024-01-05; NULL otherwise. */
static char *
normalize_date (const char *text)
{
  int part[3] = { 0, 0, 0 };
  int n = 0;
  int digits = 0;
  const char *p = text;

  if (strlen (text) == 8)
    {
      gboolean all = TRUE;

      for (int i = 0; i < 8; i++)
        all = all && g_ascii_isdigit (text[i]);
      if (all)
        {
          part[0] = (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10
                    + (text[3] - '0');
          part[1] = (text[4] - '0') * 10 + (text[5] - '0');
          part[2] = (text[6] - '0') * 10 + (text[7] - '0');
          n = 3;
          goto check;
        }
    }

  while (*p != '\0' && n < 3)
    {
      if (g_ascii_isdigit (*p))
        {
          part[n] = part[n] * 10 + (*p - '0');
          digits++;
          p++;
          continue;
        }
      if (digits == 0)
        return NULL;
      n++;
      digits = 0;
      if (*p == '-' || *p == '/' || *p == '.')
        p++;
      else if (g_str_has_prefix (p, "年") || g_str_has_prefix (p, "月") ||
               g_str_has_prefix (p, "日"))
        p += strlen ("年");
      else
        return NULL;
    }
  if (digits > 0)
    n++;
  if (*p != '\0')
    return NULL;

check:
  if (n != 3 || part[0] < 1900 || part[0] > 2999 ||
      !g_date_valid_dmy (part[2], part[1], part[0]))
    return NULL;
  return g_strdup_printf ("%04d-%02d-%02d", part[0], part[1], part[2]);
}

/* ---- reference data for the rows' values ------------------------------------------- */

typedef struct
{
  GHashTable *types;        /* code or name → code */
  GHashTable *statuses;
  GHashTable *grades;       /* grade → grade */
  GHashTable *insp_statuses;
  GHashTable *units;        /* name or code → id */
  char *digest;             /* SHA-256 of the rows all of the above was read from */
} Reference;

static void
reference_clear (Reference *ref)
{
  g_clear_pointer (&ref->types, g_hash_table_unref);
  g_clear_pointer (&ref->statuses, g_hash_table_unref);
  g_clear_pointer (&ref->grades, g_hash_table_unref);
  g_clear_pointer (&ref->insp_statuses, g_hash_table_unref);
  g_clear_pointer (&ref->units, g_hash_table_unref);
  g_clear_pointer (&ref->digest, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Reference, reference_clear)

/* What licence registries and spreadsheets write for the business statuses, besides
 * their names: a registry export says 有效 where the register says 营业. */
static const struct { const char *word; const char *code; } status_words[] = {
  { "有效", "open" }, { "正常", "open" }, { "在营", "open" }, { "存续", "open" },
  { "正常营业", "open" }, { "停业", "suspended" }, { "暂停营业", "suspended" },
  { "已注销", "deregistered" }, { "已吊销", "revoked" }, { "已撤销", "cancelled" },
  { "收回", "revoked" }, { "已迁出", "moved" },
};

/* And for the object types: a licence registry names the licence, not the register's type. */
static const struct { const char *word; const char *code; } type_words[] = {
  { "卷烟零售", "retail" }, { "零售", "retail" }, { "烟草专卖零售", "retail" },
  { "零售许可", "retail" }, { "电子烟", "ecig" }, { "电子烟零售许可", "ecig" },
  { "批发", "wholesale" }, { "烟草专卖批发", "wholesale" }, { "批发许可", "wholesale" },
};

static gboolean
load_reference (SuiCall    *call,
                Reference  *ref,
                GError    **error)
{
  g_autoptr(PGresult) rows = NULL;

  rows = sui_pg_exec (call->conn,
                      "select 't', code, name from object_type"
                      " union all select 's', code, name from object_status"
                      " union all select 'g', grade, grade from credit_grade_class"
                      " union all select 'i', code, name from inspector_status"
                      " union all select 'u', id::text, name from unit where not disabled"
                      " union all select 'u', id::text, code from unit"
                      "   where not disabled and code is not null"
                      " order by 1, 2, 3",
                      0, NULL, error);
  if (rows == NULL)
    return FALSE;
  {
    g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

    for (int i = 0; i < PQntuples (rows); i++)
      for (int c = 0; c < 3; c++)
        g_checksum_update (checksum, (const guchar *) PQgetvalue (rows, i, c),
                           PQgetlength (rows, i, c) + 1);
    ref->digest = g_strdup (g_checksum_get_string (checksum));
  }
  ref->types = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  ref->statuses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  ref->grades = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  ref->insp_statuses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  ref->units = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (int i = 0; i < PQntuples (rows); i++)
    {
      char kind = *PQgetvalue (rows, i, 0);
      GHashTable *table = kind == 't' ? ref->types : kind == 's' ? ref->statuses
                          : kind == 'g' ? ref->grades : kind == 'i' ? ref->insp_statuses
                          : ref->units;

      if (kind != 'u')
        g_hash_table_replace (table, g_strdup (PQgetvalue (rows, i, 1)),
                              g_strdup (PQgetvalue (rows, i, 1)));
      g_hash_table_replace (table, g_strdup (PQgetvalue (rows, i, 2)),
                            g_strdup (PQgetvalue (rows, i, 1)));
    }
  for (gsize i = 0; i < G_N_ELEMENTS (status_words); i++)
    if (!g_hash_table_contains (ref->statuses, status_words[i].word) &&
        g_hash_table_contains (ref->statuses, status_words[i].code))
      g_hash_table_insert (ref->statuses, g_strdup (status_words[i].word),
                           g_strdup (status_words[i].code));
  for (gsize i = 0; i < G_N_ELEMENTS (type_words); i++)
    if (!g_hash_table_contains (ref->types, type_words[i].word) &&
        g_hash_table_contains (ref->types, type_words[i].code))
      g_hash_table_insert (ref->types, g_strdup (type_words[i].word),
                           g_strdup (type_words[i].code));
  return TRUE;
}

/* ---- parsing and checking the rows --------------------------------------------------- */

static void
add_invalid (Parsed     *parsed,
             guint       line,
             const char *field,
             const char *reason)
{
  parsed->n_invalid++;
  if (parsed->n_invalid > MAX_INVALID_LISTED)
    return;
  json_builder_begin_object (parsed->invalid);
  json_builder_set_member_name (parsed->invalid, "line");
  json_builder_add_int_value (parsed->invalid, line);
  json_builder_set_member_name (parsed->invalid, "field");
  if (field != NULL)
    json_builder_add_string_value (parsed->invalid, field);
  else
    json_builder_add_null_value (parsed->invalid);
  json_builder_set_member_name (parsed->invalid, "reason");
  json_builder_add_string_value (parsed->invalid, reason);
  json_builder_end_object (parsed->invalid);
}

static gboolean
cert_valid (const char *text)
{
  gsize n = 0;

  for (const char *p = text; *p != '\0'; p++, n++)
    if (!g_ascii_isalnum (*p) && *p != '-')
      return FALSE;
  return n >= 4 && n <= 32;
}

/* The value of a cell of column col, normalised; *reason set (and NULL returned) when it
 * is not acceptable. An empty cell is NULL without a reason. */
static char *
check_value (Reference     *ref,
             const Column  *col,
             const char    *cell,
             const char    *type,
             char         **reason)
{
  g_autofree char *value = NULL;
  const char *mapped;
  gboolean digits;

  *reason = NULL;
  if (*cell == '\0')
    return NULL;

  /* A character is at least a byte: only a long cell needs counting. */
  if (col->max_chars > 0 && strlen (cell) > (gsize) col->max_chars &&
      g_utf8_strlen (cell, -1) > col->max_chars &&
      col->check != V_LICENCE && col->check != V_CREDIT && col->check != V_CERT)
    {
      *reason = g_strdup_printf ("%s不能超过 %d 个字符", col->label, col->max_chars);
      return NULL;
    }

  switch (col->check)
    {
    case V_LICENCE:
      value = g_ascii_strup (cell, -1);
      if (!licence_valid (value, &digits))
        *reason = g_strdup_printf ("许可证号“%s”须为 4–32 位数字、大写字母或“-”"
                                   "（若显示为科学计数法，请在 Excel 中把该列设为文本）", cell);
      else if ((g_strcmp0 (type, "retail") == 0 || g_strcmp0 (type, "ecig") == 0) &&
               (strlen (value) != 12 || !digits))
        *reason = g_strdup_printf ("烟草专卖零售许可证号“%s”应为 12 位数字", cell);
      break;
    case V_CREDIT:
      value = sui_credit_code_normalize (cell);
      sui_credit_code_validate (value, reason);
      break;
    case V_OBJ_TYPE:
    case V_OBJ_STATUS:
    case V_INSP_STATUS:
      mapped = g_hash_table_lookup (col->check == V_OBJ_TYPE ? ref->types
                                    : col->check == V_OBJ_STATUS ? ref->statuses
                                    : ref->insp_statuses, cell);
      if (mapped == NULL)
        *reason = g_strdup_printf ("%s“%s”不存在", col->label, cell);
      else
        value = g_strdup (mapped);
      break;
    case V_GRADE:
      value = g_ascii_strup (cell, -1);
      if (!g_hash_table_contains (ref->grades, value))
        *reason = g_strdup_printf ("信用等级“%s”不存在（应为 AAA、AA、A、B、C 或 D）", cell);
      break;
    case V_RISK:
      value = g_ascii_strup (cell, -1);
      if (strlen (value) != 1 || value[0] < 'A' || value[0] > 'D')
        *reason = g_strdup_printf ("风险等级“%s”应为 A、B、C 或 D", cell);
      break;
    case V_DATE:
      value = normalize_date (cell);
      if (value == NULL)
        *reason = g_strdup_printf ("%s“%s”不是有效日期（例如 2026-03-01）", col->label, cell);
      break;
    case V_CERT:
      value = g_strdup (cell);
      if (!cert_valid (value))
        *reason = g_strdup_printf ("执法证号“%s”须为 4–32 位数字、字母或“-”", cell);
      break;
    case V_UNIT:
      mapped = g_hash_table_lookup (ref->units, cell);
      if (mapped == NULL)
        *reason = g_strdup_printf ("单位“%s”不存在或已停用，请填写单位全称", cell);
      else
        value = g_strdup (mapped);
      break;
    case V_TEXT:
    default:
      value = g_strdup (cell);
      break;
    }

  if (*reason != NULL)
    return NULL;
  return g_steal_pointer (&value);
}

/* value as the next element of an array literal: quoted, with '"' and '\\' escaped, or NULL.
 * The rows are written as text directly, with no tree of a hundred thousand nodes first. */
static void
array_append_element (GString    *out,
                      const char *value)
{
  if (out->len > 1)
    g_string_append_c (out, ',');
  if (value == NULL)
    {
      g_string_append_len (out, "NULL", 4);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = value; *p != '\0';)
    {
      const char *run = p;

      /* The characters that need no escape, in one piece. */
      while (*p != '\0' && *p != '"' && *p != '\\')
        p++;
      g_string_append_len (out, run, p - run);
      if (*p == '\0')
        break;
      g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
      p++;
    }
  g_string_append_c (out, '"');
}

/* The checks across a row's cells, and its key for the duplicate check (NULL: none). */
static char *
check_row (SuiCall     *call,
           Parsed      *parsed,
           char       **values,
           char       **reason,
           const char **field)
{
  switch (parsed->kind->id)
    {
    case K_OBJECTS:
    case K_REGISTRY:
      if (values[C_LICENCE] == NULL)
        {
          *reason = g_strdup ("缺少许可证号");
          *field = "licence_no";
        }
      else if (values[C_VALID_FROM] != NULL && values[C_VALID_UNTIL] != NULL &&
               strcmp (values[C_VALID_UNTIL], values[C_VALID_FROM]) < 0)
        {
          *reason = g_strdup ("有效期止早于有效期起");
          *field = "licence_valid_until";
        }
      else if (has (parsed, C_NAME) && values[C_NAME] == NULL)
        {
          *reason = g_strdup ("缺少名称");
          *field = "name";
        }
      return g_strdup (values[C_LICENCE]);

    case K_INSPECTORS:
      if (values[I_CERT] == NULL)
        {
          *reason = g_strdup ("缺少执法证号");
          *field = "cert_no";
        }
      else if (values[I_FROM] != NULL && values[I_UNTIL] != NULL &&
               strcmp (values[I_UNTIL], values[I_FROM]) < 0)
        {
          *reason = g_strdup ("证件有效期止早于有效期起");
          *field = "cert_valid_until";
        }
      else if (has (parsed, I_NAME) && values[I_NAME] == NULL)
        {
          *reason = g_strdup ("缺少姓名");
          *field = "name";
        }
      else if (values[I_UNIT] != NULL && !sui_register_is_admin (call) &&
               g_ascii_strtoll (values[I_UNIT], NULL, 10) != call->user->unit_id)
        {
          *reason = g_strdup ("您只能导入本单位的检查人员，请删除其他单位的行");
          *field = "unit_id";
        }
      return g_strdup (values[I_CERT]);

    case K_GRADES:
    default:
      if (values[G_LICENCE] == NULL && values[G_CREDIT] == NULL)
        {
          *reason = g_strdup ("缺少许可证号或统一社会信用代码");
          *field = "licence_no";
        }
      else if (values[G_GRADE] == NULL)
        {
          *reason = g_strdup ("缺少信用等级");
          *field = "credit_grade";
        }
      return values[G_LICENCE] != NULL ? g_strdup (values[G_LICENCE])
             : g_strconcat ("=", values[G_CREDIT], NULL);
    }
}

static gboolean
check_header (SuiCall  *call,
              Parsed   *parsed,
              GError  **error)
{
  switch (parsed->kind->id)
    {
    case K_OBJECTS:
      if (!has (parsed, C_LICENCE))
        return fail_field (call, "file_id", "no_licence",
                           "文件中没有“许可证号”列：第一行应为列名，并包含“许可证号”", error);
      return TRUE;
    case K_REGISTRY:
      if (!has (parsed, C_LICENCE))
        return fail_field (call, "file_id", "no_licence",
                           "文件中没有“许可证号”列：第一行应为列名，并包含“许可证号”", error);
      if (!has (parsed, C_NAME))
        return fail_field (call, "file_id", "no_name",
                           "文件中没有“企业名称”列：许可证登记系统导出的文件应包含企业名称",
                           error);
      return TRUE;
    case K_INSPECTORS:
      if (!has (parsed, I_CERT))
        return fail_field (call, "file_id", "no_cert",
                           "文件中没有“执法证号”列：第一行应为列名，并包含“执法证号”", error);
      return TRUE;
    case K_GRADES:
    default:
      if (!has (parsed, G_LICENCE) && !has (parsed, G_CREDIT))
        return fail_field (call, "file_id", "no_licence",
                           "文件中没有“许可证号”或“统一社会信用代码”列，无法找到对应的检查对象",
                           error);
      if (!has (parsed, G_GRADE))
        return fail_field (call, "file_id", "no_grade",
                           "文件中没有“信用等级”列：第一行应为列名，并包含“信用等级”", error);
      return TRUE;
    }
}

static Parsed *
parse (SuiCall     *call,
       const Kind  *kind,
       Reference   *ref,
       GBytes      *bytes,
       GError     **error)
{
  g_autoptr(Parsed) parsed = g_rc_box_new0 (Parsed);
  g_autoptr(GPtrArray) header = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *text = NULL;
  const char *encoding = NULL;
  const Column *columns = kind->columns;
  int type_column = kind->columns == object_columns ? C_TYPE : -1;
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);
  Csv csv;
  guint line;

  parsed->kind = kind;
  text = sui_imports_decode (data, length, &encoding);
  if (text == NULL)
    {
      fail_field (call, "file_id", "encoding",
                  "无法识别文件的编码：请用 Excel“另存为”CSV（UTF-8 或默认的 GBK 编码）后重新上传",
                  error);
      return NULL;
    }
  parsed->encoding = g_strdup (encoding);

  csv.p = text;
  csv.end = text + strlen (text);
  csv.line = 1;
  csv.delimiter = ',';
  {
    const char *eol = strchr (text, '\n');
    g_autofree char *first = eol != NULL ? g_strndup (text, eol - text) : g_strdup (text);

    if (strchr (first, ',') == NULL && strchr (first, '\t') != NULL)
      csv.delimiter = '\t';
  }

  header = csv_next (&csv, &line);
  if (header == NULL || record_empty (header))
    {
      fail_field (call, "file_id", "empty", "文件是空的，第一行应为列名（如“许可证号”“名称”）",
                  error);
      return NULL;
    }

  for (int c = 0; c < MAX_COLUMNS; c++)
    parsed->column_of[c] = -1;
  parsed->header_report = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  for (guint i = 0; i < header->len; i++)
    {
      const char *name = g_ptr_array_index (header, i);
      g_autoptr(JsonBuilder) b = json_builder_new ();
      int found = -1;

      for (int c = 0; c < kind->n_columns && found < 0; c++)
        for (int h = 0; columns[c].headers[h] != NULL; h++)
          if (g_str_equal (name, columns[c].headers[h]) && parsed->column_of[c] < 0)
            {
              found = c;
              break;
            }
      if (found >= 0)
        parsed->column_of[found] = (int) i;
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "header");
      json_builder_add_string_value (b, name);
      json_builder_set_member_name (b, "field");
      if (found >= 0)
        json_builder_add_string_value (b, columns[found].column);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "label");
      if (found >= 0)
        json_builder_add_string_value (b, columns[found].label);
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
      g_ptr_array_add (parsed->header_report, json_builder_get_root (b));
    }
  if (!check_header (call, parsed, error))
    return NULL;

  parsed->lines = g_string_new ("{");
  for (int c = 0; c < kind->n_columns; c++)
    if (has (parsed, c))
      {
        parsed->cells[c] = g_string_sized_new (1024 * 1024);
        g_string_append_c (parsed->cells[c], '{');
      }
  parsed->invalid = json_builder_new ();
  json_builder_begin_array (parsed->invalid);

  for (GPtrArray *record; (record = csv_next (&csv, &line)) != NULL; g_ptr_array_unref (record))
    {
      char *values[MAX_COLUMNS] = { NULL };
      g_autofree char *reason = NULL;
      g_autofree char *key = NULL;
      const char *reason_field = NULL;
      const char *type = NULL;
      guint *first_line;

      if (record_empty (record))
        continue;
      parsed->n_rows++;

      /* The type first: the licence rule depends on it. */
      for (int pass = 0; pass < 2; pass++)
        for (int c = 0; c < kind->n_columns && reason == NULL; c++)
          {
            int at = parsed->column_of[c];

            if ((pass == 0) != (c == type_column) || at < 0)
              continue;
            values[c] = check_value (ref, &columns[c],
                                     (guint) at < record->len
                                     ? (const char *) g_ptr_array_index (record, at) : "",
                                     type_column < 0 ? NULL : type != NULL ? type : "retail",
                                     &reason);
            if (reason != NULL)
              reason_field = columns[c].column;
            if (c == type_column)
              type = values[c];
          }

      if (reason == NULL)
        key = check_row (call, parsed, values, &reason, &reason_field);
      if (reason == NULL && key != NULL &&
          (first_line = g_hash_table_lookup (seen, key)) != NULL)
        {
          reason = g_strdup_printf ("%s与第 %u 行重复",
                                    columns[kind->id == K_INSPECTORS ? I_CERT : 0].label,
                                    GPOINTER_TO_UINT (first_line));
          reason_field = columns[kind->id == K_INSPECTORS ? I_CERT : 0].column;
          if (kind->id == K_GRADES && key[0] == '=')
            {
              g_free (reason);
              reason = g_strdup_printf ("统一社会信用代码与第 %u 行重复",
                                        GPOINTER_TO_UINT (first_line));
              reason_field = "credit_code";
            }
        }

      if (reason != NULL)
        add_invalid (parsed, line, reason_field, reason);
      else
        {
          if (key != NULL)
            g_hash_table_insert (seen, g_steal_pointer (&key), GUINT_TO_POINTER (line));
          parsed->n_valid++;
          char number[16];

          g_snprintf (number, sizeof number, "%u", line);
          if (parsed->lines->len > 1)
            g_string_append_c (parsed->lines, ',');
          g_string_append (parsed->lines, number);
          for (int c = 0; c < kind->n_columns; c++)
            if (has (parsed, c))
              array_append_element (parsed->cells[c], values[c]);
        }
      for (int c = 0; c < kind->n_columns; c++)
        g_free (values[c]);
    }
  g_string_append_c (parsed->lines, '}');
  for (int c = 0; c < kind->n_columns; c++)
    if (has (parsed, c))
      g_string_append_c (parsed->cells[c], '}');
  json_builder_end_array (parsed->invalid);
  parsed->invalid_rows = json_builder_get_root (parsed->invalid);
  g_clear_object (&parsed->invalid);
  return g_steal_pointer (&parsed);
}

/* The last file parsed, for the commit that follows its preview: parsing 100 000 rows
 * takes about a second. What parse() reads besides the file is the reference data and the
 * caller (a supervisor's rows are checked against their unit), so those are the key, with
 * the file's digest; a change to any of them parses again. */
#define PARSED_CACHE_SECONDS (15 * 60)

static GMutex parsed_cache_lock;
static struct
{
  Parsed *parsed;
  KindId kind;
  gint64 file_id;
  char *file_digest;
  char *reference_digest;
  gint64 user_id;
  gint64 unit_id;
  gboolean admin;
  gint64 made_at;
} parsed_cache;

static Parsed *
parsed_cache_lookup (SuiCall    *call,
                     const Kind *kind,
                     gint64      file_id,
                     const char *file_digest,
                     const char *reference_digest)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&parsed_cache_lock);

  if (parsed_cache.parsed == NULL || parsed_cache.kind != kind->id ||
      parsed_cache.file_id != file_id ||
      g_strcmp0 (parsed_cache.file_digest, file_digest) != 0 ||
      g_strcmp0 (parsed_cache.reference_digest, reference_digest) != 0 ||
      parsed_cache.user_id != call->user->id || parsed_cache.unit_id != call->user->unit_id ||
      parsed_cache.admin != sui_register_is_admin (call) ||
      g_get_monotonic_time () - parsed_cache.made_at > PARSED_CACHE_SECONDS * G_USEC_PER_SEC)
    return NULL;
  return g_rc_box_acquire (parsed_cache.parsed);
}

static void
parsed_cache_store (SuiCall    *call,
                    const Kind *kind,
                    gint64      file_id,
                    const char *file_digest,
                    const char *reference_digest,
                    Parsed     *parsed)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&parsed_cache_lock);

  g_clear_pointer (&parsed_cache.parsed, parsed_unref);
  g_free (parsed_cache.file_digest);
  g_free (parsed_cache.reference_digest);
  parsed_cache.parsed = g_rc_box_acquire (parsed);
  parsed_cache.kind = kind->id;
  parsed_cache.file_id = file_id;
  parsed_cache.file_digest = g_strdup (file_digest);
  parsed_cache.reference_digest = g_strdup (reference_digest);
  parsed_cache.user_id = call->user->id;
  parsed_cache.unit_id = call->user->unit_id;
  parsed_cache.admin = sui_register_is_admin (call);
  parsed_cache.made_at = g_get_monotonic_time ();
}

/* ---- classify and apply in SQL ------------------------------------------------------- */

/* Every statement below gets $1 the valid rows' lines and $5, … their cells (arrays, see
 * append_rows_cte), $2 the unit (NULL: an admin's import that names no unit), $3 the
 * actor, $4 whether the caller is an admin. Each kind's
 * "c" CTE gives every row its state (st: new, changed, unchanged, or a reason to refuse it)
 * and, for a refused row, why (Chinese) and the field (why_field). */

/* "with r as (…)": the rows, every column of the kind (those not in the file are null),
 * from the arrays $1 (lines) and $5, $6, … (the file's columns in the kind's order). */
static void
append_rows_cte (GString *sql,
                 Parsed  *parsed)
{
  const Kind *kind = parsed->kind;
  int n = 5;

  g_string_append (sql, "with r as (select x.line");
  for (int c = 0; c < kind->n_columns; c++)
    if (has (parsed, c))
      g_string_append_printf (sql, ", x.%s::%s as %s", kind->columns[c].column,
                              kind->columns[c].sql_type, kind->columns[c].column);
    else
      g_string_append_printf (sql, ", null::%s as %s", kind->columns[c].sql_type,
                              kind->columns[c].column);
  g_string_append (sql, " from unnest ($1::integer[]");
  for (int c = 0; c < kind->n_columns; c++)
    if (has (parsed, c))
      g_string_append_printf (sql, ", $%d::text[]", n++);
  g_string_append (sql, ") as x (line");
  for (int c = 0; c < kind->n_columns; c++)
    if (has (parsed, c))
      g_string_append_printf (sql, ", %s", kind->columns[c].column);
  g_string_append (sql, "))");
}

/* "(a is distinct from b or …)" over the file's columns except skip; "false" if none. */
static void
append_diff (GString    *sql,
             Parsed     *parsed,
             const char *row,
             const char *record,
             int         skip,
             guint64     keep_if_empty)
{
  gboolean first = TRUE;

  g_string_append_c (sql, '(');
  for (int c = 0; c < parsed->kind->n_columns; c++)
    {
      const char *column = parsed->kind->columns[c].column;

      if (!has (parsed, c) || c == skip)
        continue;
      g_string_append (sql, first ? "" : " or ");
      if (keep_if_empty & (G_GUINT64_CONSTANT (1) << c))
        g_string_append_printf (sql, "(%s.%s is not null and ", row, column);
      g_string_append_printf (sql, "%s.%s%s is distinct from %s.%s", row, column,
                              parsed->kind->columns[c].check == V_RISK ? "::bpchar" : "",
                              record, column);
      if (keep_if_empty & (G_GUINT64_CONSTANT (1) << c))
        g_string_append_c (sql, ')');
      first = FALSE;
    }
  g_string_append (sql, first ? "false)" : ")");
}

static void
append_classified (GString *sql,
                   Parsed  *parsed)
{
  append_rows_cte (sql, parsed);
  switch (parsed->kind->id)
    {
    case K_OBJECTS:
      g_string_append (sql, ", c as (select r.*, o.id as oid, case"
                            " when o.id is null then 'new'"
                            " when o.unit_id <> $2::bigint then 'other_unit'"
                            " when o.retired then 'retired' when ");
      append_diff (sql, parsed, "r", "o", C_LICENCE, 0);
      g_string_append (sql, " then 'changed' else 'unchanged' end as st"
                            " from r left join object o on o.licence_no = r.licence_no),"
                            " v as (select c.*, 'licence_no' as why_field, case st"
                            "  when 'other_unit' then '该许可证号已由其他单位登记，请联系该单位或市局'"
                            "  when 'retired' then '该许可证号的对象已退出名录，不能再导入'"
                            "  end as why from c)");
      break;

    case K_INSPECTORS:
      {
        /* name, unit and the certificate's dates are never cleared by an empty cell. */
        guint64 keep = (1 << I_NAME) | (1 << I_UNIT) | (1 << I_FROM) | (1 << I_UNTIL) |
                       (1 << I_STATUS);

        g_string_append (sql, ", c as (select r.*, i.id as iid,"
                              " coalesce (r.unit_id, $2::bigint) as uid, case"
                              " when i.id is null and coalesce (r.unit_id, $2::bigint) is null"
                              "  then 'no_unit'"
                              " when i.id is null and (r.name is null or r.cert_valid_from is null"
                              "  or r.cert_valid_until is null) then 'incomplete'"
                              " when i.id is null then 'new'"
                              " when not $4::boolean and i.unit_id <> $2::bigint then 'other_unit'"
                              " when coalesce (r.cert_valid_until, i.cert_valid_until)"
                              "  < coalesce (r.cert_valid_from, i.cert_valid_from) then 'dates'"
                              " when ");
        append_diff (sql, parsed, "r", "i", I_CERT, keep);
        g_string_append (sql, " then 'changed' else 'unchanged' end as st"
                              " from r left join inspector i on i.cert_no = r.cert_no),"
                              " v as (select c.*, case st when 'no_unit' then 'unit_id'"
                              "  when 'incomplete' then 'name' when 'dates' then 'cert_valid_until'"
                              "  else 'cert_no' end as why_field, case st"
                              "  when 'no_unit' then '缺少单位：请在文件中填写“单位”列，或导入时选择单位'"
                              "  when 'incomplete' then '新的检查人员须填写姓名、证件有效期起和证件有效期止'"
                              "  when 'other_unit' then '该执法证号已由其他单位登记，请联系该单位或市局'"
                              "  when 'dates' then '证件有效期止早于有效期起'"
                              "  end as why from c)");
        break;
      }

    case K_GRADES:
    case K_REGISTRY:
    default:
      /* A licence number names one object; a credit code every object of that business
       * within the caller's reach. The risk class follows the grade's mapping. */
      g_string_append (sql, ", m as (select r.*, o.id as oid, o.unit_id as ounit,"
                            "  o.retired as oretired, o.credit_grade as ograde,"
                            "  o.credit_grade_date as odate, o.risk_class as orisk,"
                            "  g.risk_class as nrisk"
                            " from r join credit_grade_class g on g.grade = r.credit_grade"
                            " left join lateral (select o.* from object o"
                            "   where r.licence_no is not null and o.licence_no = r.licence_no"
                            "  union all select o.* from object o"
                            "   where r.licence_no is null and o.credit_code = r.credit_code"
                            "   and not o.retired and ($4::boolean or o.unit_id = $2::bigint)) o"
                            " on true),"
                            " c as (select m.*, case when oid is null then 'unknown'"
                            "  when not $4::boolean and ounit <> $2::bigint then 'other_unit'"
                            "  when oretired then 'retired'"
                            "  when row_number () over (partition by oid order by line) > 1"
                            "   then 'duplicate'"
                            "  when credit_grade_date < odate then 'stale'"
                            "  when credit_grade is distinct from ograde"
                            "   or nrisk is distinct from orisk");
      if (has (parsed, G_DATE))
        g_string_append (sql, " or credit_grade_date is distinct from odate");
      g_string_append (sql, " then 'changed' else 'unchanged' end as st from m),"
                            " v as (select c.*, case when licence_no is not null then 'licence_no'"
                            "  else 'credit_code' end as why_field, case st"
                            "  when 'unknown' then case when licence_no is not null"
                            "   then '检查对象名录中没有许可证号为“' || licence_no"
                            "    || '”的对象，请先在名录中登记'"
                            "   else '检查对象名录中没有统一社会信用代码为“' || credit_code"
                            "    || '”的对象，请先在名录中登记' end"
                            "  when 'other_unit' then '该对象属于其他单位，您不能修改它的信用等级'"
                            "  when 'retired' then '该对象已退出名录，不能导入信用等级'"
                            "  when 'duplicate' then '与文件中前面的行指向同一检查对象'"
                            "  when 'stale' then '该对象已有评定日期更晚的信用等级（' || odate"
                            "   || '），本行未导入'"
                            "  end as why from c)");
      break;
    }
}

static const char *
counts_sql (void)
{
  return " select json_build_object ("
         "  'new', count (*) filter (where st = 'new'),"
         "  'changed', count (*) filter (where st = 'changed'),"
         "  'unchanged', count (*) filter (where st = 'unchanged'),"
         "  'refused', coalesce (json_agg (json_build_object ('line', line,"
         "     'field', why_field, 'reason', why) order by line)"
         "     filter (where st not in ('new', 'changed', 'unchanged')), '[]')";
}

/* The caller's unit as text, or NULL for an admin who named none and need not. */
static gboolean
get_unit (SuiCall   *call,
          gboolean   admin_optional,
          char     **unit_text,
          GError   **error)
{
  gint64 unit_id = 0;
  g_autoptr(PGresult) unit = NULL;
  const char *params[1];

  if (!sui_call_get_int (call, "unit_id", FALSE, &unit_id, error))
    return FALSE;
  if (!sui_register_is_admin (call))
    {
      if (sui_call_has (call, "unit_id") && unit_id != call->user->unit_id)
        return fail_field (call, "unit_id", "own_unit", "您只能导入本单位的数据", error);
      *unit_text = sui_pg_int_param (call->user->unit_id);
    }
  else if (!sui_call_has (call, "unit_id"))
    {
      if (admin_optional)
        return TRUE;
      return fail_field (call, "unit_id", "required", "请选择导入到哪个单位", error);
    }
  else
    *unit_text = sui_pg_int_param (unit_id);

  params[0] = *unit_text;
  unit = sui_pg_exec (call->conn, "select 1 from unit where id = $1::bigint and not disabled",
                      1, params, error);
  if (unit == NULL)
    return FALSE;
  if (PQntuples (unit) != 1)
    return fail_field (call, "unit_id", "not_found", "所选单位不存在或已停用，请重新选择",
                       error);
  return TRUE;
}

static const Kind *
get_kind (SuiCall     *call,
          const char  *forced,
          GError     **error)
{
  const char *name = "objects";

  if (forced != NULL)
    name = forced;
  else if (!sui_call_get_string (call, "kind", FALSE, &name, error))
    return NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (g_str_equal (kinds[i].name, name) && (forced != NULL || kinds[i].id != K_REGISTRY))
      return &kinds[i];
  fail_field (call, "kind", "invalid",
              "导入类型应为检查对象（objects）、检查人员（inspectors）或信用等级（credit_grades）",
              error);
  return NULL;
}

static Parsed *
prepare (SuiCall     *call,
         const char  *forced_kind,
         char       **unit_text,
         gint64      *file_id,
         GError     **error)
{
  const Kind *kind;
  g_auto(Reference) ref = { NULL, NULL, NULL, NULL, NULL, NULL };
  g_autofree char *file_digest = NULL;
  g_autoptr(Parsed) parsed = NULL;

  if (!sui_call_get_int (call, "file_id", TRUE, file_id, error))
    return NULL;
  kind = get_kind (call, forced_kind, error);
  if (kind == NULL)
    return NULL;
  if (!get_unit (call, kind->id == K_INSPECTORS || kind->id == K_GRADES, unit_text, error))
    return NULL;

  file_digest = check_file (call, *file_id, error);
  if (file_digest == NULL || !load_reference (call, &ref, error))
    return NULL;
  parsed = parsed_cache_lookup (call, kind, *file_id, file_digest, ref.digest);
  if (parsed == NULL)
    {
      g_autoptr(GBytes) bytes = read_file (call, *file_id, error);

      if (bytes == NULL)
        return NULL;
      parsed = parse (call, kind, &ref, bytes, error);
      if (parsed == NULL)
        return NULL;
      parsed_cache_store (call, kind, *file_id, file_digest, ref.digest, parsed);
    }
  if (kind->id == K_INSPECTORS && *unit_text == NULL && !has (parsed, I_UNIT))
    {
      fail_field (call, "unit_id", "required",
                  "请选择导入到哪个单位，或在文件中加入“单位”列", error);
      return NULL;
    }
  return g_steal_pointer (&parsed);
}

static void
add_report (JsonObject *answer,
            Parsed     *parsed)
{
  JsonArray *recognised = json_array_new ();

  for (guint i = 0; i < parsed->header_report->len; i++)
    json_array_add_element (recognised,
                            json_node_copy (g_ptr_array_index (parsed->header_report, i)));
  json_object_set_string_member (answer, "kind", parsed->kind->name);
  json_object_set_string_member (answer, "encoding", parsed->encoding);
  json_object_set_array_member (answer, "columns", recognised);
  json_object_set_int_member (answer, "rows", parsed->n_rows);
  json_object_set_member (answer, "invalid_rows", json_node_copy (parsed->invalid_rows));
}

static JsonNode *
run_rows (SuiCall    *call,
          Parsed     *parsed,
          const char *unit_text,
          GString    *sql,
          GError    **error)
{
  g_autofree char *actor = sui_pg_int_param (call->user->id);
  const char *params[4 + MAX_COLUMNS] = { parsed->lines->str, unit_text, actor,
                                          sui_register_is_admin (call) ? "t" : "f" };
  int n = 4;

  for (int c = 0; c < parsed->kind->n_columns; c++)
    if (has (parsed, c))
      params[n++] = parsed->cells[c]->str;
  return sui_pg_query_json (call->conn, sql->str, n, params, error);
}

/* The refused rows join the invalid ones, in line order as far as the list goes. */
static gint64
merge_refused (JsonObject *answer,
               Parsed     *parsed)
{
  JsonArray *refused = json_object_get_array_member (answer, "refused");
  JsonArray *invalid = json_object_get_array_member (answer, "invalid_rows");
  gint64 n_refused = json_array_get_length (refused);

  for (guint i = 0; i < n_refused && json_array_get_length (invalid) < MAX_INVALID_LISTED; i++)
    json_array_add_element (invalid, json_node_copy (json_array_get_element (refused, i)));
  json_object_remove_member (answer, "refused");
  json_object_set_int_member (answer, "invalid", parsed->n_invalid + n_refused);
  return n_refused;
}

static JsonNode *
imports_preview (SuiCall  *call,
                 GError  **error)
{
  g_autofree char *unit_text = NULL;
  gint64 file_id = 0;
  g_autoptr(Parsed) parsed = NULL;
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(JsonNode) counts = NULL;
  JsonObject *answer;

  parsed = prepare (call, NULL, &unit_text, &file_id, error);
  if (parsed == NULL)
    return NULL;

  append_classified (sql, parsed);
  g_string_append (sql, counts_sql ());
  if (parsed->kind->id == K_GRADES)
    g_string_append (sql, ", 'class_changes', count (*) filter (where st = 'changed'"
                          " and nrisk is distinct from orisk)");
  g_string_append (sql, ") from v where $3::bigint is not null and $4::boolean is not null");
  counts = run_rows (call, parsed, unit_text, sql, error);
  if (counts == NULL)
    return NULL;

  answer = json_node_get_object (counts);
  add_report (answer, parsed);
  merge_refused (answer, parsed);
  return g_steal_pointer (&counts);
}

/* ", upd as (…), ins as (…)": what a commit writes, per kind. */
static void
append_apply (GString *sql,
              Parsed  *parsed)
{
  const Kind *kind = parsed->kind;

  switch (kind->id)
    {
    case K_OBJECTS:
      g_string_append (sql, ", upd as (update object o set ");
      for (int c = 0; c < kind->n_columns; c++)
        if (has (parsed, c) && c != C_LICENCE)
          g_string_append_printf (sql, "%s = c.%s%s, ", kind->columns[c].column,
                                  kind->columns[c].column, c == C_RISK ? "::bpchar" : "");
      g_string_append (sql, "version = o.version + 1, updated_at = now ()"
                            " from v c where o.id = c.oid and c.st = 'changed' returning o.id),"
                            " ins as (insert into object (unit_id, type, licence_no, credit_code,"
                            "  name, legal_rep, address, district, status, licence_valid_from,"
                            "  licence_valid_until, credit_grade, risk_class, contact)"
                            " select $2::bigint, coalesce (c.type, 'retail'), c.licence_no,"
                            "  c.credit_code, c.name, c.legal_rep, c.address, c.district,"
                            "  coalesce (c.status, 'open'), c.licence_valid_from,"
                            "  c.licence_valid_until, c.credit_grade,"
                            "  coalesce (c.risk_class, (select g.risk_class from credit_grade_class g"
                            "    where g.grade = c.credit_grade), 'B'), c.contact"
                            " from v c where c.st = 'new' returning id)");
      break;

    case K_INSPECTORS:
      g_string_append (sql, ", upd as (update inspector i set ");
      for (int c = 0; c < kind->n_columns; c++)
        {
          const char *column = kind->columns[c].column;

          if (!has (parsed, c) || c == I_CERT)
            continue;
          if (c == I_SPECIALTIES || c == I_CONTACT)
            g_string_append_printf (sql, "%s = c.%s, ", column, column);
          else
            g_string_append_printf (sql, "%s = coalesce (c.%s, i.%s), ", column, column, column);
        }
      g_string_append (sql, "version = i.version + 1, updated_at = now ()"
                            " from v c where i.id = c.iid and c.st = 'changed' returning i.id),"
                            " ins as (insert into inspector (name, unit_id, cert_no,"
                            "  cert_valid_from, cert_valid_until, status, specialties, contact)"
                            " select c.name, c.uid, c.cert_no, c.cert_valid_from,"
                            "  c.cert_valid_until, coalesce (c.status, 'on_duty'), c.specialties,"
                            "  c.contact from v c where c.st = 'new' order by c.line returning id)");
      break;

    case K_GRADES:
    case K_REGISTRY:
    default:
      g_string_append (sql, ", upd as (update object o set credit_grade = c.credit_grade,");
      if (has (parsed, G_DATE))
        g_string_append (sql, " credit_grade_date = c.credit_grade_date,");
      g_string_append (sql, " risk_class = c.nrisk, version = o.version + 1, updated_at = now ()"
                            " from v c where o.id = c.oid and c.st = 'changed' returning o.id),"
                            " ins as (select 1 as id where false)");
      break;
    }
}

static JsonNode *
imports_commit (SuiCall  *call,
                GError  **error)
{
  g_autofree char *unit_text = NULL;
  gint64 file_id = 0;
  gboolean skip_invalid = FALSE;
  g_autoptr(Parsed) parsed = NULL;
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(JsonNode) done = NULL;
  g_autofree char *file_text = NULL;
  JsonObject *answer;
  gint64 n_refused;

  if (!sui_call_get_bool (call, "skip_invalid", FALSE, &skip_invalid, error))
    return NULL;
  parsed = prepare (call, NULL, &unit_text, &file_id, error);
  if (parsed == NULL)
    return NULL;
  if (parsed->n_invalid > 0 && !skip_invalid)
    {
      g_autofree char *message =
        g_strdup_printf ("文件中有 %u 行无效，未导入任何数据。请改正后重新导入，"
                         "或选择跳过无效行", parsed->n_invalid);

      fail_literal (error, SUI_RPC_ERROR_STATE, message);
      return NULL;
    }
  if (!sui_register_set_actor (call, parsed->kind->id == K_GRADES ? "credit_import" : "import",
                               error))
    return NULL;
  /* The history triggers read the written rows from transition tables, which spill to
   * disk past work_mem (4 MB by default): 100 000 objects are some 60 MB. For this
   * transaction only. */
  {
    g_autoptr(PGresult) memory = sui_pg_exec (call->conn,
                                              "select set_config ('work_mem', '160MB', true)",
                                              0, NULL, error);
    if (memory == NULL)
      return NULL;
  }

  /* One statement: the changed rows updated, the new ones inserted, the counts. */
  append_classified (sql, parsed);
  append_apply (sql, parsed);
  g_string_append (sql, counts_sql ());
  if (parsed->kind->id == K_GRADES)
    g_string_append (sql, ", 'class_changes', count (*) filter (where st = 'changed'"
                          " and nrisk is distinct from orisk)");
  g_string_append (sql, ", 'written', (select count (*) from upd) + (select count (*) from ins))"
                        " from v where $3::bigint is not null and $4::boolean is not null");
  done = run_rows (call, parsed, unit_text, sql, error);
  if (done == NULL)
    return NULL;

  answer = json_node_get_object (done);
  n_refused = json_array_get_length (json_object_get_array_member (answer, "refused"));
  if (n_refused > 0 && !skip_invalid)
    {
      g_autofree char *message =
        g_strdup_printf ("文件中有 %" G_GINT64_FORMAT " 行无法导入（如对象不在名录中、"
                         "属于其他单位或已退出名录），未导入任何数据。请改正后重新导入，"
                         "或选择跳过无效行", n_refused);

      /* The statement wrote already: the dispatcher's rollback undoes it. */
      fail_literal (error, SUI_RPC_ERROR_STATE, message);
      return NULL;
    }
  add_report (answer, parsed);
  merge_refused (answer, parsed);

  file_text = sui_pg_int_param (file_id);
  if (json_object_get_int_member (answer, "written") > 0)
    {
      g_autoptr(JsonNode) record = json_node_new (JSON_NODE_OBJECT);
      JsonObject *summary = json_object_new ();

      json_object_set_string_member (summary, "kind", parsed->kind->name);
      json_object_set_int_member (summary, "file_id", file_id);
      if (unit_text != NULL)
        json_object_set_int_member (summary, "unit_id", g_ascii_strtoll (unit_text, NULL, 10));
      json_object_set_int_member (summary, "new", json_object_get_int_member (answer, "new"));
      json_object_set_int_member (summary, "changed",
                                  json_object_get_int_member (answer, "changed"));
      json_object_set_int_member (summary, "invalid",
                                  json_object_get_int_member (answer, "invalid"));
      json_node_take_object (record, summary);
      if (!sui_audit_append (call, "imports", file_text, NULL, record, error))
        return NULL;
    }
  return g_steal_pointer (&done);
}

/* ---- the completeness check (应纳尽纳) ------------------------------------------------ */

/* The registry's value shown next to the register's for a column that differs. */
static void
append_display (GString    *sql,
                const Column *col,
                const char *alias)
{
  if (col->check == V_OBJ_TYPE)
    g_string_append_printf (sql, "(select t.name from object_type t where t.code = %s.%s)",
                            alias, col->column);
  else if (col->check == V_OBJ_STATUS)
    g_string_append_printf (sql, "(select s.name from object_status s where s.code = %s.%s)",
                            alias, col->column);
  else
    g_string_append_printf (sql, "%s.%s", alias, col->column);
}

/* "with r …, c …": every registry row with the register's object of its licence number
 * and its state: missing (not in the register; a closed licence is not missing), matched,
 * mismatched (fields: the particulars that differ, a registry's empty cell never counts),
 * other_unit (registered by another unit) or retired. */
static void
append_registry (GString *sql,
                 Parsed  *parsed)
{
  gboolean first = TRUE;

  append_rows_cte (sql, parsed);
  g_string_append (sql, ", c0 as (select r.*, o.id as oid, o.unit_id as ounit,"
                        " o.retired as oretired, o.name as oname,"
                        " coalesce ((select not s.active from object_status s"
                        "   where s.code = r.status), false) as closed,"
                        " array_remove (array[");
  for (int c = 0; c < N_OBJECT_COLUMNS; c++)
    {
      const Column *col = &object_columns[c];

      if (!has (parsed, c) || c == C_LICENCE || c == C_GRADE || c == C_RISK)
        continue;
      g_string_append_printf (sql, "%scase when r.%s is not null and r.%s is distinct from o.%s"
                                   " then jsonb_build_object ('field', '%s', 'label', '%s',"
                                   " 'register', ",
                              first ? "" : ", ", col->column, col->column, col->column,
                              col->column, col->label);
      append_display (sql, col, "o");
      g_string_append (sql, ", 'registry', ");
      append_display (sql, col, "r");
      g_string_append (sql, ") end");
      first = FALSE;
    }
  g_string_append (sql, "]::jsonb[], null) as fields"
                        " from r left join object o on o.licence_no = r.licence_no),"
                        " c as (select c0.*, case when oid is null and closed then 'closed'"
                        "  when oid is null then 'missing'"
                        "  when ounit <> $2::bigint then 'other_unit'"
                        "  when oretired then 'retired'"
                        "  when cardinality (fields) > 0 then 'mismatched'"
                        "  else 'matched' end as st from c0)");
}

static JsonNode *
registry_check (SuiCall  *call,
                GError  **error)
{
  g_autofree char *unit_text = NULL;
  gint64 file_id = 0;
  g_autoptr(Parsed) parsed = NULL;
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(JsonNode) report = NULL;
  JsonObject *answer;

  parsed = prepare (call, "registry", &unit_text, &file_id, error);
  if (parsed == NULL)
    return NULL;

  append_registry (sql, parsed);
  g_string_append_printf (
    sql,
    ", extra as (select o.id, o.licence_no, o.name, o.address, o.district, s.name as status"
    "   from object o join object_status s on s.code = o.status"
    "   where o.unit_id = $2::bigint and not o.retired and s.active"
    "   and not exists (select 1 from r where r.licence_no = o.licence_no))"
    " select json_build_object ("
    "  'missing', count (*) filter (where st = 'missing'),"
    "  'mismatched', count (*) filter (where st in ('mismatched', 'other_unit', 'retired')),"
    "  'matched', count (*) filter (where st = 'matched'),"
    "  'closed', count (*) filter (where st = 'closed'),"
    "  'extra', (select count (*) from extra),"
    "  'missing_rows', coalesce ((select json_agg (json_build_object ('line', x.line,"
    "     'licence_no', x.licence_no, 'name', x.name, 'credit_code', x.credit_code,"
    "     'legal_rep', x.legal_rep, 'address', x.address) order by x.line)"
    "     from (select * from c where st = 'missing' order by line limit %d) x), '[]'),"
    "  'mismatched_rows', coalesce ((select json_agg (json_build_object ('line', x.line,"
    "     'object_id', x.oid, 'licence_no', x.licence_no, 'name', x.oname, 'state', x.st,"
    "     'fields', to_jsonb (x.fields)) order by x.line)"
    "     from (select * from c where st in ('mismatched', 'other_unit', 'retired')"
    "           order by line limit %d) x), '[]'),"
    "  'extra_rows', coalesce ((select json_agg (json_build_object ('object_id', x.id,"
    "     'licence_no', x.licence_no, 'name', x.name, 'address', x.address,"
    "     'district', x.district, 'status', x.status) order by x.licence_no)"
    "     from (select * from extra order by licence_no limit %d) x), '[]'))"
    " from c where $3::bigint is not null and $4::boolean is not null",
    MAX_REPORT_LISTED, MAX_REPORT_LISTED, MAX_REPORT_LISTED);
  report = run_rows (call, parsed, unit_text, sql, error);
  if (report == NULL)
    return NULL;

  answer = json_node_get_object (report);
  add_report (answer, parsed);
  json_object_set_int_member (answer, "invalid", parsed->n_invalid);
  return g_steal_pointer (&report);
}

static JsonNode *
registry_commit (SuiCall  *call,
                 GError  **error)
{
  g_autofree char *unit_text = NULL;
  gint64 file_id = 0;
  g_autoptr(Parsed) parsed = NULL;
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(JsonNode) done = NULL;
  JsonObject *answer;

  parsed = prepare (call, "registry", &unit_text, &file_id, error);
  if (parsed == NULL)
    return NULL;
  if (!sui_register_set_actor (call, "import", error))
    return NULL;

  /* Only the missing ones, as the registry describes them; nothing else is touched. */
  append_registry (sql, parsed);
  g_string_append (sql, ", ins as (insert into object (unit_id, type, licence_no, credit_code,"
                        "  name, legal_rep, address, district, status, licence_valid_from,"
                        "  licence_valid_until, credit_grade, risk_class, contact)"
                        " select $2::bigint, coalesce (c.type, 'retail'), c.licence_no,"
                        "  c.credit_code, c.name, c.legal_rep, c.address, c.district,"
                        "  coalesce (c.status, 'open'), c.licence_valid_from,"
                        "  c.licence_valid_until, c.credit_grade,"
                        "  coalesce (c.risk_class, (select g.risk_class from credit_grade_class g"
                        "    where g.grade = c.credit_grade), 'B'), c.contact"
                        " from c where c.st = 'missing' order by c.line returning id, licence_no)"
                        " select json_build_object ('added', (select count (*) from ins),"
                        "  'ids', coalesce ((select json_agg (id order by id) from ins), '[]'))"
                        " where $3::bigint is not null and $4::boolean is not null");
  done = run_rows (call, parsed, unit_text, sql, error);
  if (done == NULL)
    return NULL;

  answer = json_node_get_object (done);
  add_report (answer, parsed);
  json_object_set_int_member (answer, "invalid", parsed->n_invalid);
  if (json_object_get_int_member (answer, "added") > 0)
    {
      g_autoptr(JsonNode) record = json_node_new (JSON_NODE_OBJECT);
      g_autofree char *file_text = sui_pg_int_param (file_id);
      JsonObject *summary = json_object_new ();

      json_object_set_string_member (summary, "kind", "registry");
      json_object_set_int_member (summary, "file_id", file_id);
      json_object_set_int_member (summary, "unit_id", g_ascii_strtoll (unit_text, NULL, 10));
      json_object_set_int_member (summary, "added", json_object_get_int_member (answer, "added"));
      json_node_take_object (record, summary);
      if (!sui_audit_append (call, "registry", file_text, NULL, record, error))
        return NULL;
    }
  return g_steal_pointer (&done);
}

static const SuiMethod imports_methods[] = {
  {
    .name = "imports.preview",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .params = "file_id:integer, [kind]:string, [unit_id]:integer",
    .summary = "What importing an uploaded CSV (objects, inspectors, credit_grades) would do: "
               "columns, new/changed/unchanged/invalid",
    .handler = imports_preview,
  },
  {
    .name = "imports.commit",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "file_id:integer, [kind]:string, [unit_id]:integer, [skip_invalid]:boolean",
    .summary = "Import an uploaded CSV in one transaction (nothing if a row is invalid, "
               "unless skip_invalid)",
    .handler = imports_commit,
  },
  {
    .name = "registry.check",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .params = "file_id:integer, [unit_id]:integer",
    .summary = "Completeness check: a licence-registry export against the unit's register "
               "(missing, extra, mismatched)",
    .handler = registry_check,
  },
  {
    .name = "registry.commit",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "file_id:integer, [unit_id]:integer",
    .summary = "Add the objects a licence-registry export has and the register lacks",
    .handler = registry_commit,
  },
};

void
sui_imports_register (void)
{
  sui_methods_register (imports_methods, G_N_ELEMENTS (imports_methods));
}
