/* sui-imports.c: imports.preview, imports.commit (objects from CSV), objects.export
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A CSV file as the bureau's Excel writes it (UTF-8 with or without BOM, or GB18030/GBK;
 * Chinese header names) is uploaded with PUT /files, then previewed: which columns were
 * recognised, how many rows would be new, changed, unchanged or invalid, and each invalid
 * row with its line number and reason. The commit parses the file again (the preview keeps
 * nothing) and applies every row in one statement within the call's transaction: all or
 * nothing. Rows are matched on the licence number; only the columns the file has are
 * compared and written, so importing the same file twice changes nothing the second time.
 * The rows go to PostgreSQL as one jsonb parameter read with jsonb_to_recordset: one round
 * trip for a hundred thousand rows, and no SQL built from the file's content.
 */
#include "sui-imports.h"

#include <stdlib.h>
#include <string.h>

#include "sui-credit-code.h"
#include "sui-filter.h"
#include "sui-objects.h"
#include "sui-pg.h"

#define MAX_INVALID_LISTED 1000

/* The importable object columns, in jsonb_to_recordset order, with the header names the
 * bureau's spreadsheets use for them. */
enum
{
  C_LICENCE, C_CREDIT, C_NAME, C_LEGAL_REP, C_ADDRESS, C_DISTRICT, C_TYPE, C_STATUS,
  C_VALID_FROM, C_VALID_UNTIL, C_GRADE, C_RISK, C_CONTACT, N_COLUMNS
};

typedef struct
{
  const char *column;
  const char *sql_type;
  const char *label;
  int max_chars;
  const char *headers[8];
} Column;

static const Column columns[N_COLUMNS] = {
  { "licence_no", "text", "许可证号", 32,
    { "许可证号", "许可证编号", "专卖许可证号", "零售许可证号", "烟草专卖零售许可证号",
      "许可证号码", "licence_no", NULL } },
  { "credit_code", "text", "统一社会信用代码", 18,
    { "统一社会信用代码", "社会信用代码", "信用代码", "credit_code", NULL } },
  { "name", "text", "名称", 128,
    { "名称", "企业名称", "字号名称", "店名", "对象名称", "经营者名称", "name", NULL } },
  { "legal_rep", "text", "负责人", 64,
    { "负责人", "法定代表人", "法定代表人（负责人）", "法定代表人(负责人)", "经营者",
      "legal_rep", NULL } },
  { "address", "text", "经营地址", 256,
    { "经营地址", "地址", "经营场所", "经营场所地址", "address", NULL } },
  { "district", "text", "区县", 32,
    { "区县", "所在区县", "所属区县", "行政区划", "district", NULL } },
  { "type", "text", "对象类型", 32,
    { "对象类型", "类型", "主体类型", "type", NULL } },
  { "status", "text", "经营状态", 32,
    { "经营状态", "状态", "许可证状态", "status", NULL } },
  { "licence_valid_from", "date", "有效期起", 0,
    { "有效期起", "有效期自", "许可证有效期起", "有效期开始", "发证日期",
      "licence_valid_from", NULL } },
  { "licence_valid_until", "date", "有效期止", 0,
    { "有效期止", "有效期至", "许可证有效期止", "有效期结束", "licence_valid_until", NULL } },
  { "credit_grade", "text", "信用等级", 3,
    { "信用等级", "诚信等级", "credit_grade", NULL } },
  { "risk_class", "text", "风险等级", 1,
    { "风险等级", "风险分类", "risk_class", NULL } },
  { "contact", "text", "联系电话", 64,
    { "联系电话", "联系方式", "电话", "contact", NULL } },
};

typedef struct
{
  char *encoding;
  GPtrArray *header_report;   /* JsonNode objects {header, field} */
  int column_of[N_COLUMNS];   /* CSV column index, or -1 */
  guint n_rows;
  JsonBuilder *rows;          /* the valid rows, for jsonb_to_recordset */
  guint n_valid;
  JsonBuilder *invalid;       /* [{line, field, reason}] */
  guint n_invalid;
} Parsed;

static void
parsed_free (Parsed *p)
{
  g_free (p->encoding);
  g_clear_pointer (&p->header_report, g_ptr_array_unref);
  g_clear_object (&p->rows);
  g_clear_object (&p->invalid);
  g_free (p);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Parsed, parsed_free)

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

/* The file's bytes, if the caller may read it (their own upload, or any for an admin). */
static GBytes *
read_file (SuiCall  *call,
           gint64    file_id,
           GError  **error)
{
  g_autofree char *id_text = sui_pg_int_param (file_id);
  g_autofree char *user_text = sui_pg_int_param (call->user->id);
  const char *params[3] = { id_text, user_text, sui_register_is_admin (call) ? "t" : "f" };
  g_autoptr(PGresult) meta = NULL;
  PGresult *chunks;
  GByteArray *data;

  meta = sui_pg_exec (call->conn,
                      "select uploaded_by = $2::bigint or $3::boolean, sha256 is not null"
                      " from file where id = $1::bigint",
                      3, params, error);
  if (meta == NULL)
    return NULL;
  if (PQntuples (meta) != 1 || !g_str_equal (PQgetvalue (meta, 0, 1), "t"))
    {
      fail_literal (error, SUI_RPC_ERROR_NOT_FOUND, "文件不存在，请重新上传");
      return NULL;
    }
  if (!g_str_equal (PQgetvalue (meta, 0, 0), "t"))
    {
      fail_literal (error, SUI_RPC_ERROR_FORBIDDEN, "只能导入您自己上传的文件");
      return NULL;
    }

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
  GHashTable *types;      /* code or name → code */
  GHashTable *statuses;
  GHashTable *grades;     /* grade → grade */
} Reference;

static void
reference_clear (Reference *ref)
{
  g_clear_pointer (&ref->types, g_hash_table_unref);
  g_clear_pointer (&ref->statuses, g_hash_table_unref);
  g_clear_pointer (&ref->grades, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Reference, reference_clear)

static gboolean
load_reference (SuiCall    *call,
                Reference  *ref,
                GError    **error)
{
  g_autoptr(PGresult) rows = NULL;

  rows = sui_pg_exec (call->conn,
                      "select 't', code, name from object_type"
                      " union all select 's', code, name from object_status"
                      " union all select 'g', grade, grade from credit_grade_class",
                      0, NULL, error);
  if (rows == NULL)
    return FALSE;
  ref->types = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  ref->statuses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  ref->grades = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (int i = 0; i < PQntuples (rows); i++)
    {
      char kind = *PQgetvalue (rows, i, 0);
      GHashTable *table = kind == 't' ? ref->types : kind == 's' ? ref->statuses : ref->grades;

      g_hash_table_replace (table, g_strdup (PQgetvalue (rows, i, 1)),
                            g_strdup (PQgetvalue (rows, i, 1)));
      g_hash_table_replace (table, g_strdup (PQgetvalue (rows, i, 2)),
                            g_strdup (PQgetvalue (rows, i, 1)));
    }
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

/* The value of column c in record, normalised; *reason set (and NULL returned) when it is
 * not acceptable. An empty cell is NULL without a reason. */
static char *
check_value (Reference   *ref,
             int          c,
             const char  *cell,
             const char  *type,
             char       **reason)
{
  const Column *col = &columns[c];
  g_autofree char *value = NULL;
  const char *mapped;
  gboolean digits;

  *reason = NULL;
  if (*cell == '\0')
    return NULL;

  if (col->max_chars > 0 && g_utf8_strlen (cell, -1) > col->max_chars &&
      c != C_LICENCE && c != C_CREDIT)
    {
      *reason = g_strdup_printf ("%s不能超过 %d 个字符", col->label, col->max_chars);
      return NULL;
    }

  switch (c)
    {
    case C_LICENCE:
      value = g_ascii_strup (cell, -1);
      if (!licence_valid (value, &digits))
        *reason = g_strdup_printf ("许可证号“%s”须为 4–32 位数字、大写字母或“-”"
                                   "（若显示为科学计数法，请在 Excel 中把该列设为文本）", cell);
      else if ((g_strcmp0 (type, "retail") == 0 || g_strcmp0 (type, "ecig") == 0) &&
               (strlen (value) != 12 || !digits))
        *reason = g_strdup_printf ("烟草专卖零售许可证号“%s”应为 12 位数字", cell);
      break;
    case C_CREDIT:
      value = sui_credit_code_normalize (cell);
      if (sui_credit_code_validate (value, reason) != SUI_CREDIT_CODE_OK)
        break;
      break;
    case C_TYPE:
    case C_STATUS:
      mapped = g_hash_table_lookup (c == C_TYPE ? ref->types : ref->statuses, cell);
      if (mapped == NULL)
        *reason = g_strdup_printf ("%s“%s”不存在", col->label, cell);
      else
        value = g_strdup (mapped);
      break;
    case C_GRADE:
      value = g_ascii_strup (cell, -1);
      if (!g_hash_table_contains (ref->grades, value))
        *reason = g_strdup_printf ("信用等级“%s”不存在（应为 AAA、AA、A、B、C 或 D）", cell);
      break;
    case C_RISK:
      value = g_ascii_strup (cell, -1);
      if (strlen (value) != 1 || value[0] < 'A' || value[0] > 'D')
        *reason = g_strdup_printf ("风险等级“%s”应为 A、B、C 或 D", cell);
      break;
    case C_VALID_FROM:
    case C_VALID_UNTIL:
      value = normalize_date (cell);
      if (value == NULL)
        *reason = g_strdup_printf ("%s“%s”不是有效日期（例如 2026-03-01）", col->label, cell);
      break;
    default:
      value = g_strdup (cell);
      break;
    }

  if (*reason != NULL)
    return NULL;
  return g_steal_pointer (&value);
}

static Parsed *
parse (SuiCall     *call,
       GBytes      *bytes,
       GError     **error)
{
  g_autoptr(Parsed) parsed = g_new0 (Parsed, 1);
  g_auto(Reference) ref = { NULL, NULL, NULL };
  g_autoptr(GPtrArray) header = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *text = NULL;
  const char *encoding = NULL;
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);
  Csv csv;
  guint line;

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

  for (int c = 0; c < N_COLUMNS; c++)
    parsed->column_of[c] = -1;
  parsed->header_report = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  for (guint i = 0; i < header->len; i++)
    {
      const char *name = g_ptr_array_index (header, i);
      g_autoptr(JsonBuilder) b = json_builder_new ();
      int found = -1;

      for (int c = 0; c < N_COLUMNS && found < 0; c++)
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
      json_builder_end_object (b);
      g_ptr_array_add (parsed->header_report, json_builder_get_root (b));
    }
  if (parsed->column_of[C_LICENCE] < 0)
    {
      fail_field (call, "file_id", "no_licence",
                  "文件中没有“许可证号”列：第一行应为列名，并包含“许可证号”", error);
      return NULL;
    }

  if (!load_reference (call, &ref, error))
    return NULL;

  parsed->rows = json_builder_new ();
  parsed->invalid = json_builder_new ();
  json_builder_begin_array (parsed->rows);
  json_builder_begin_array (parsed->invalid);

  for (GPtrArray *record; (record = csv_next (&csv, &line)) != NULL; g_ptr_array_unref (record))
    {
      char *values[N_COLUMNS] = { NULL };
      g_autofree char *reason = NULL;
      const char *reason_field = NULL;
      const char *type = NULL;
      guint *first_line;

      if (record_empty (record))
        continue;
      parsed->n_rows++;

      /* The type first: the licence rule depends on it. */
      for (int pass = 0; pass < 2; pass++)
        for (int c = 0; c < N_COLUMNS && reason == NULL; c++)
          {
            int at = parsed->column_of[c];

            if ((pass == 0) != (c == C_TYPE) || at < 0)
              continue;
            values[c] = check_value (&ref, c,
                                     (guint) at < record->len
                                     ? (const char *) g_ptr_array_index (record, at) : "",
                                     type != NULL ? type : "retail", &reason);
            if (reason != NULL)
              reason_field = columns[c].column;
            if (c == C_TYPE)
              type = values[c];
          }

      if (reason == NULL && values[C_LICENCE] == NULL)
        {
          reason = g_strdup ("缺少许可证号");
          reason_field = "licence_no";
        }
      if (reason == NULL && (first_line = g_hash_table_lookup (seen, values[C_LICENCE])) != NULL)
        {
          reason = g_strdup_printf ("许可证号与第 %u 行重复", GPOINTER_TO_UINT (first_line));
          reason_field = "licence_no";
        }
      if (reason == NULL && values[C_VALID_FROM] != NULL && values[C_VALID_UNTIL] != NULL &&
          strcmp (values[C_VALID_UNTIL], values[C_VALID_FROM]) < 0)
        {
          reason = g_strdup ("有效期止早于有效期起");
          reason_field = "licence_valid_until";
        }
      if (reason == NULL && parsed->column_of[C_NAME] >= 0 && values[C_NAME] == NULL)
        {
          reason = g_strdup ("缺少名称");
          reason_field = "name";
        }

      if (reason != NULL)
        add_invalid (parsed, line, reason_field, reason);
      else
        {
          g_hash_table_insert (seen, g_strdup (values[C_LICENCE]), GUINT_TO_POINTER (line));
          parsed->n_valid++;
          json_builder_begin_object (parsed->rows);
          json_builder_set_member_name (parsed->rows, "line");
          json_builder_add_int_value (parsed->rows, line);
          for (int c = 0; c < N_COLUMNS; c++)
            if (parsed->column_of[c] >= 0)
              {
                json_builder_set_member_name (parsed->rows, columns[c].column);
                if (values[c] != NULL)
                  json_builder_add_string_value (parsed->rows, values[c]);
                else
                  json_builder_add_null_value (parsed->rows);
              }
          json_builder_end_object (parsed->rows);
        }
      for (int c = 0; c < N_COLUMNS; c++)
        g_free (values[c]);
    }
  json_builder_end_array (parsed->rows);
  return g_steal_pointer (&parsed);
}

/* ---- classify and apply in SQL ------------------------------------------------------- */

/* "with r as (…), c as (…)": every valid row with the object of its licence number and
 * its state: new, changed, unchanged, other_unit (registered by another unit) or retired.
 * $1 the rows, $2 the unit. Only the file's columns are compared. */
static void
append_classified (GString *sql,
                   Parsed  *parsed)
{
  gboolean first = TRUE;

  g_string_append (sql, "with r as (select * from jsonb_to_recordset ($1::jsonb) as x (line int");
  for (int c = 0; c < N_COLUMNS; c++)
    g_string_append_printf (sql, ", %s %s", columns[c].column, columns[c].sql_type);
  g_string_append (sql, ")), c as (select r.*, o.id as oid, case"
                        " when o.id is null then 'new'"
                        " when o.unit_id <> $2::bigint then 'other_unit'"
                        " when o.retired then 'retired' when (");
  for (int c = 0; c < N_COLUMNS; c++)
    if (parsed->column_of[c] >= 0 && c != C_LICENCE)
      {
        g_string_append_printf (sql, "%sr.%s%s is distinct from o.%s", first ? "" : " or ",
                                columns[c].column, c == C_RISK ? "::bpchar" : "",
                                columns[c].column);
        first = FALSE;
      }
  if (first)
    g_string_append (sql, "false");
  g_string_append (sql, ") then 'changed' else 'unchanged' end as st"
                        " from r left join object o on o.licence_no = r.licence_no)");
}

static const char *
counts_sql (void)
{
  return " select json_build_object ("
         "  'new', count (*) filter (where st = 'new'),"
         "  'changed', count (*) filter (where st = 'changed'),"
         "  'unchanged', count (*) filter (where st = 'unchanged'),"
         "  'refused', coalesce (json_agg (json_build_object ('line', line,"
         "     'field', 'licence_no', 'reason', case st when 'other_unit'"
         "       then '该许可证号已由其他单位登记，请联系该单位或市局'"
         "       else '该许可证号的对象已退出名录，不能再导入' end) order by line)"
         "     filter (where st in ('other_unit', 'retired')), '[]')";
}

static gboolean
get_unit (SuiCall  *call,
          char    **unit_text,
          GError  **error)
{
  gint64 unit_id = 0;

  if (!sui_call_get_int (call, "unit_id", FALSE, &unit_id, error))
    return FALSE;
  if (!sui_register_is_admin (call))
    {
      if (sui_call_has (call, "unit_id") && unit_id != call->user->unit_id)
        return fail_field (call, "unit_id", "own_unit", "您只能导入本单位的检查对象", error);
      *unit_text = sui_pg_int_param (call->user->unit_id);
      return TRUE;
    }
  if (!sui_call_has (call, "unit_id"))
    return fail_field (call, "unit_id", "required", "请选择导入到哪个单位", error);
  *unit_text = sui_pg_int_param (unit_id);
  return TRUE;
}

static Parsed *
prepare (SuiCall   *call,
         char     **unit_text,
         gint64    *file_id,
         GError   **error)
{
  const char *kind = "objects";
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(PGresult) unit = NULL;
  const char *params[1];

  if (!sui_call_get_int (call, "file_id", TRUE, file_id, error) ||
      !sui_call_get_string (call, "kind", FALSE, &kind, error))
    return NULL;
  if (!g_str_equal (kind, "objects"))
    {
      fail_field (call, "kind", "invalid", "目前只能导入检查对象（objects）", error);
      return NULL;
    }
  if (!get_unit (call, unit_text, error))
    return NULL;
  params[0] = *unit_text;
  unit = sui_pg_exec (call->conn, "select 1 from unit where id = $1::bigint and not disabled",
                      1, params, error);
  if (unit == NULL)
    return NULL;
  if (PQntuples (unit) != 1)
    {
      fail_field (call, "unit_id", "not_found", "所选单位不存在或已停用，请重新选择", error);
      return NULL;
    }

  bytes = read_file (call, *file_id, error);
  if (bytes == NULL)
    return NULL;
  return parse (call, bytes, error);
}

static void
add_report (JsonObject *answer,
            Parsed     *parsed)
{
  JsonArray *recognised = json_array_new ();
  JsonNode *invalid;

  for (guint i = 0; i < parsed->header_report->len; i++)
    json_array_add_element (recognised,
                            json_node_copy (g_ptr_array_index (parsed->header_report, i)));
  json_object_set_string_member (answer, "encoding", parsed->encoding);
  json_object_set_array_member (answer, "columns", recognised);
  json_object_set_int_member (answer, "rows", parsed->n_rows);
  json_builder_end_array (parsed->invalid);
  invalid = json_builder_get_root (parsed->invalid);
  json_object_set_member (answer, "invalid_rows", invalid);
}

static JsonNode *
run_rows (SuiCall    *call,
          Parsed     *parsed,
          const char *unit_text,
          GString    *sql,
          GError    **error)
{
  g_autoptr(JsonNode) rows = json_builder_get_root (parsed->rows);
  g_autofree char *rows_text = json_to_string (rows, FALSE);
  const char *params[3] = { rows_text, unit_text, NULL };
  g_autofree char *actor = sui_pg_int_param (call->user->id);

  params[2] = actor;
  return sui_pg_query_json (call->conn, sql->str, 3, params, error);
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
  JsonArray *refused;
  gint64 n_refused;

  parsed = prepare (call, &unit_text, &file_id, error);
  if (parsed == NULL)
    return NULL;

  append_classified (sql, parsed);
  g_string_append (sql, counts_sql ());
  g_string_append (sql, ") from c where $3::bigint is not null");
  counts = run_rows (call, parsed, unit_text, sql, error);
  if (counts == NULL)
    return NULL;

  answer = json_node_get_object (counts);
  refused = json_object_get_array_member (answer, "refused");
  n_refused = json_array_get_length (refused);
  add_report (answer, parsed);
  for (guint i = 0; i < json_array_get_length (refused) &&
                    parsed->n_invalid + i < MAX_INVALID_LISTED; i++)
    json_array_add_element (json_object_get_array_member (answer, "invalid_rows"),
                            json_node_copy (json_array_get_element (refused, i)));
  json_object_remove_member (answer, "refused");
  json_object_set_int_member (answer, "invalid", parsed->n_invalid + n_refused);
  return g_steal_pointer (&counts);
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
  parsed = prepare (call, &unit_text, &file_id, error);
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
  if (!sui_register_set_actor (call, "import", error))
    return NULL;

  /* One statement: the changed rows updated, the new ones inserted, the counts. */
  append_classified (sql, parsed);
  g_string_append (sql, ", upd as (update object o set ");
  for (int c = 0; c < N_COLUMNS; c++)
    if (parsed->column_of[c] >= 0 && c != C_LICENCE)
      g_string_append_printf (sql, "%s = c.%s%s, ", columns[c].column, columns[c].column,
                              c == C_RISK ? "::bpchar" : "");
  g_string_append (sql, "version = o.version + 1, updated_at = now ()"
                        " from c where o.id = c.oid and c.st = 'changed' returning o.id),"
                        " ins as (insert into object (unit_id, type, licence_no, credit_code,"
                        "  name, legal_rep, address, district, status, licence_valid_from,"
                        "  licence_valid_until, credit_grade, risk_class, contact)"
                        " select $2::bigint, coalesce (c.type, 'retail'), c.licence_no,"
                        "  c.credit_code, c.name, c.legal_rep, c.address, c.district,"
                        "  coalesce (c.status, 'open'), c.licence_valid_from,"
                        "  c.licence_valid_until, c.credit_grade,"
                        "  coalesce (c.risk_class, (select g.risk_class from credit_grade_class g"
                        "    where g.grade = c.credit_grade), 'B'), c.contact"
                        " from c where c.st = 'new' and $3::bigint is not null returning id)");
  g_string_append (sql, counts_sql ());
  g_string_append (sql, ", 'written', (select count (*) from upd) + (select count (*) from ins))"
                        " from c");
  done = run_rows (call, parsed, unit_text, sql, error);
  if (done == NULL)
    return NULL;

  answer = json_node_get_object (done);
  n_refused = json_array_get_length (json_object_get_array_member (answer, "refused"));
  if (n_refused > 0 && !skip_invalid)
    {
      g_autofree char *message =
        g_strdup_printf ("文件中有 %" G_GINT64_FORMAT " 行的许可证号已由其他单位登记或已退出名录，"
                         "未导入任何数据", n_refused);

      fail_literal (error, SUI_RPC_ERROR_STATE, message);
      return NULL;
    }
  add_report (answer, parsed);
  json_object_set_int_member (answer, "invalid", parsed->n_invalid + n_refused);

  file_text = sui_pg_int_param (file_id);
  if (json_object_get_int_member (answer, "written") > 0)
    {
      g_autoptr(JsonNode) record = json_node_new (JSON_NODE_OBJECT);
      JsonObject *summary = json_object_new ();

      json_object_set_string_member (summary, "kind", "objects");
      json_object_set_int_member (summary, "file_id", file_id);
      json_object_set_int_member (summary, "unit_id", g_ascii_strtoll (unit_text, NULL, 10));
      json_object_set_int_member (summary, "new", json_object_get_int_member (answer, "new"));
      json_object_set_int_member (summary, "changed",
                                  json_object_get_int_member (answer, "changed"));
      json_object_set_int_member (summary, "invalid", parsed->n_invalid + n_refused);
      json_node_take_object (record, summary);
      if (!sui_audit_append (call, "imports", file_text, NULL, record, error))
        return NULL;
    }
  json_object_remove_member (answer, "refused");
  return g_steal_pointer (&done);
}

/* ---- objects.export ------------------------------------------------------------------ */

static void
csv_cell (GString    *out,
          const char *value)
{
  if (value == NULL)
    return;
  if (strpbrk (value, ",\"\r\n") != NULL)
    {
      g_string_append_c (out, '"');
      for (const char *p = value; *p != '\0'; p++)
        {
          if (*p == '"')
            g_string_append_c (out, '"');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
    }
  else
    g_string_append (out, value);
}

static JsonNode *
objects_export (SuiCall  *call,
                GError  **error)
{
  gboolean include_retired = FALSE;
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) where = g_string_new (NULL);
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(GString) out = g_string_new ("\xef\xbb\xbf");
  g_autoptr(PGresult) rows = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *digest = NULL;
  static const char * const headers[] = {
    "许可证号", "统一社会信用代码", "名称", "负责人", "经营地址", "区县", "对象类型",
    "经营状态", "有效期起", "有效期止", "信用等级", "风险等级", "联系电话", "重点监管",
    "标签", "所属单位", "最近检查日期", "最近检查结果",
  };

  if (!sui_call_get_bool (call, "include_retired", FALSE, &include_retired, error))
    return NULL;
  if (!sui_register_is_admin (call))
    {
      g_autofree char *p = sui_sql_param (params, sui_pg_int_param (call->user->unit_id));

      g_string_append_printf (where, "o.unit_id = %s::bigint and ", p);
    }
  if (!include_retired)
    g_string_append (where, "not o.retired and ");
  g_string_append_c (where, '(');
  if (!sui_filter_from_call (call, "filter", SUI_FILTER_OBJECTS, "o", where, params, error))
    return NULL;
  g_string_append_c (where, ')');

  g_string_append_printf (sql,
                          "select o.licence_no, o.credit_code, o.name, o.legal_rep, o.address,"
                          " o.district, ty.name, st.name, o.licence_valid_from,"
                          " o.licence_valid_until, o.credit_grade, o.risk_class, o.contact,"
                          " case when o.key_supervision then '是' else '否' end,"
                          " (select string_agg (t.name, '、' order by t.name) from tag t"
                          "  where t.id = any (o.tag_ids)), u.name, o.last_check_date,"
                          " o.last_check_result"
                          " from object o join object_type ty on ty.code = o.type"
                          " join object_status st on st.code = o.status"
                          " join unit u on u.id = o.unit_id where %s order by o.id",
                          where->str);
  rows = sui_pg_exec (call->conn, sql->str, params->len, (const char * const *) params->pdata,
                      error);
  if (rows == NULL)
    return NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (headers); i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      csv_cell (out, headers[i]);
    }
  g_string_append (out, "\r\n");
  for (int r = 0; r < PQntuples (rows); r++)
    {
      for (int c = 0; c < PQnfields (rows); c++)
        {
          if (c > 0)
            g_string_append_c (out, ',');
          /* Long digit strings as ="…", so that Excel keeps the licence number as text. */
          if (c == 0 && !PQgetisnull (rows, r, c))
            {
              g_string_append (out, "=\"");
              g_string_append (out, PQgetvalue (rows, r, c));
              g_string_append_c (out, '"');
            }
          else
            csv_cell (out, PQgetisnull (rows, r, c) ? NULL : PQgetvalue (rows, r, c));
        }
      g_string_append (out, "\r\n");
    }

  digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) out->str, out->len);
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, "检查对象名录.csv");
  json_builder_set_member_name (builder, "rows");
  json_builder_add_int_value (builder, PQntuples (rows));
  json_builder_set_member_name (builder, "sha256");
  json_builder_add_string_value (builder, digest);
  json_builder_set_member_name (builder, "csv");
  json_builder_add_string_value (builder, out->str);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static const SuiMethod imports_methods[] = {
  {
    .name = "imports.preview",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .params = "file_id:integer, [kind]:string, [unit_id]:integer",
    .summary = "What importing an uploaded CSV would do: columns, new/changed/unchanged/invalid",
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
    .name = "objects.export",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .params = "[filter]:object, [include_retired]:boolean",
    .summary = "The objects a filter matches as CSV text (UTF-8 with BOM, CRLF), for Excel",
    .handler = objects_export,
  },
};

void
sui_imports_register (void)
{
  sui_methods_register (imports_methods, G_N_ELEMENTS (imports_methods));
}
