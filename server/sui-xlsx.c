/* sui-xlsx.c: objects.export, inspectors.export, items.export, catalogue.export,
 * tasks.export_assignments, tags.export, users.export (CSV or XLSX) and exports.download
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every register list exports what its filter expression matches (the same expression and
 * the same unit scope as its list method), with Chinese column headers, either as CSV in
 * UTF-8 with a BOM (so that Excel opens it) or as an XLSX workbook written with
 * libxlsxwriter, where dates are real dates. The file is kept like an upload (file,
 * file_chunk, purpose 'export': deleted a day later) and the answer names its id; GET
 * /files/{id} (sui-files.c) streams it to the one who made it (or an admin), and the older
 * exports.download hands over its bytes in base64. libxlsxwriter writes only to a path:
 * the workbook goes to a private temporary file that is read back and removed.
 */
#include "sui-xlsx.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "sui-filter.h"
#include "sui-pg.h"

#define CHUNK_SIZE (1024 * 1024)
#define DATEOID 1082
#define INT8OID 20
#define INT4OID 23

/* ---- writing ------------------------------------------------------------------------- */

GBytes *
sui_xlsx_from_result (PGresult            *result,
                      const char * const  *headers,
                      const char          *sheet_name,
                      GError             **error)
{
  lxw_workbook_options options = { .constant_memory = LXW_TRUE, .tmpdir = NULL };
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  lxw_workbook *book;
  lxw_worksheet *sheet;
  lxw_format *bold;
  lxw_format *date;
  lxw_error status;
  gsize length = 0;
  int fd;
  int n_columns = PQnfields (result);

  fd = g_file_open_tmp ("shuangsui-export-XXXXXX.xlsx", &path, error);
  if (fd < 0)
    return NULL;
  close (fd);

  book = workbook_new_opt (path, &options);
  if (book == NULL)
    {
      g_unlink (path);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot start an XLSX workbook");
      return NULL;
    }
  sheet = workbook_add_worksheet (book, sheet_name);
  bold = workbook_add_format (book);
  format_set_bold (bold);
  date = workbook_add_format (book);
  format_set_num_format (date, "yyyy-mm-dd");

  for (int c = 0; c < n_columns; c++)
    {
      Oid type = PQftype (result, c);

      worksheet_set_column (sheet, c, c, type == DATEOID ? 12 : 18, type == DATEOID ? date : NULL);
      worksheet_write_string (sheet, 0, c, headers[c], bold);
    }

  for (int r = 0; r < PQntuples (result); r++)
    for (int c = 0; c < n_columns; c++)
      {
        const char *value = PQgetvalue (result, r, c);
        Oid type = PQftype (result, c);

        if (PQgetisnull (result, r, c))
          continue;
        if (type == DATEOID && strlen (value) == 10)
          {
            lxw_datetime when = { 0 };

            when.year = (int) g_ascii_strtoll (value, NULL, 10);
            when.month = (int) g_ascii_strtoll (value + 5, NULL, 10);
            when.day = (int) g_ascii_strtoll (value + 8, NULL, 10);
            worksheet_write_datetime (sheet, r + 1, c, &when, date);
          }
        else if (type == INT8OID || type == INT4OID)
          worksheet_write_number (sheet, r + 1, c, g_ascii_strtod (value, NULL), NULL);
        else
          worksheet_write_string (sheet, r + 1, c, value, NULL);
      }
  worksheet_freeze_panes (sheet, 1, 0);
  if (n_columns > 0)
    worksheet_autofilter (sheet, 0, 0, PQntuples (result), n_columns - 1);

  status = workbook_close (book);
  if (status != LXW_NO_ERROR)
    {
      g_unlink (path);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "XLSX: %s", lxw_strerror (status));
      return NULL;
    }
  if (!g_file_get_contents (path, &contents, &length, error))
    {
      g_unlink (path);
      return NULL;
    }
  g_unlink (path);
  return g_bytes_new_take (g_steal_pointer (&contents), length);
}

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

GBytes *
sui_csv_from_result (PGresult            *result,
                     const char * const  *headers,
                     guint64              text_columns)
{
  GString *out = g_string_new ("\xef\xbb\xbf");
  int n_columns = PQnfields (result);

  for (int c = 0; c < n_columns; c++)
    {
      if (c > 0)
        g_string_append_c (out, ',');
      csv_cell (out, headers[c]);
    }
  g_string_append (out, "\r\n");
  for (int r = 0; r < PQntuples (result); r++)
    {
      for (int c = 0; c < n_columns; c++)
        {
          if (c > 0)
            g_string_append_c (out, ',');
          if (PQgetisnull (result, r, c))
            continue;
          /* Long digit strings as ="…", so that Excel keeps them as text. */
          if ((text_columns & (G_GUINT64_CONSTANT (1) << c)) != 0)
            {
              g_string_append (out, "=\"");
              g_string_append (out, PQgetvalue (result, r, c));
              g_string_append_c (out, '"');
            }
          else
            csv_cell (out, PQgetvalue (result, r, c));
        }
      g_string_append (out, "\r\n");
    }
  return g_string_free_to_bytes (out);
}

/* ---- keeping the file ------------------------------------------------------------------ */

/* Stores bytes as a file of the caller's; returns {file_id, name, format, content_type,
 * size, sha256} to which the caller adds what it likes. */
static JsonObject *
store_export (SuiCall     *call,
              GBytes      *bytes,
              const char  *name,
              const char  *format,
              const char  *content_type,
              GError     **error)
{
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);
  g_autofree char *digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                                         (const guchar *) data, size);
  g_autofree char *size_text = g_strdup_printf ("%" G_GSIZE_FORMAT, size);
  g_autofree char *user_text = sui_pg_int_param (call->user->id);
  const char *params[5] = { name, content_type, size_text, digest, user_text };
  g_autoptr(PGresult) made = NULL;
  JsonObject *answer;
  gint64 file_id;

  made = sui_pg_exec (call->conn,
                      "insert into file (name, content_type, size, sha256, uploaded_by,"
                      " purpose)"
                      " values ($1, $2, $3::bigint, decode ($4, 'hex'), $5::bigint, 'export')"
                      " returning id",
                      5, params, error);
  if (made == NULL)
    return NULL;
  file_id = g_ascii_strtoll (PQgetvalue (made, 0, 0), NULL, 10);

  for (gsize offset = 0, n = 0; offset < size || (size == 0 && n == 0); offset += CHUNK_SIZE, n++)
    {
      g_autofree char *n_text = g_strdup_printf ("%" G_GSIZE_FORMAT, n);
      const char *chunk_params[3] = { PQgetvalue (made, 0, 0), n_text, data + offset };
      int lengths[3] = { 0, 0, (int) MIN (CHUNK_SIZE, size - offset) };
      int formats[3] = { 0, 0, 1 };
      PGresult *put;

      put = PQexecParams (call->conn,
                          "insert into file_chunk (file_id, n, data)"
                          " values ($1::bigint, $2::integer, $3::bytea)",
                          3, NULL, chunk_params, lengths, formats, 0);
      if (PQresultStatus (put) != PGRES_COMMAND_OK)
        {
          g_message ("storing an export failed: %s", PQresultErrorMessage (put));
          PQclear (put);
          g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_INTERNAL,
                               "服务器暂时无法保存导出的文件，请稍后重试");
          return NULL;
        }
      PQclear (put);
    }

  answer = json_object_new ();
  json_object_set_int_member (answer, "file_id", file_id);
  json_object_set_string_member (answer, "name", name);
  json_object_set_string_member (answer, "format", format);
  json_object_set_string_member (answer, "content_type", content_type);
  json_object_set_int_member (answer, "size", (gint64) size);
  json_object_set_string_member (answer, "sha256", digest);
  return answer;
}

/* Runs sql over the filter's matches and answers with the stored file. */
static JsonNode *
export_rows (SuiCall             *call,
             const char          *sql,
             GPtrArray           *params,
             const char * const  *headers,
             guint64              text_columns,
             const char          *title,
             const char          *area,
             GError             **error)
{
  const char *format = "csv";
  g_autoptr(PGresult) rows = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *name = NULL;
  g_autoptr(JsonNode) record = NULL;
  JsonObject *answer;
  JsonNode *node;
  gboolean xlsx;

  if (!sui_call_get_string (call, "format", FALSE, &format, error))
    return NULL;
  if (!g_str_equal (format, "csv") && !g_str_equal (format, "xlsx"))
    {
      SuiValidation *v = sui_validation_new ();

      sui_validation_add (v, "format", "invalid", "导出格式应为 csv 或 xlsx");
      sui_validation_finish (v, call, error);
      return NULL;
    }
  xlsx = g_str_equal (format, "xlsx");

  rows = sui_pg_exec (call->conn, sql, params->len, (const char * const *) params->pdata, error);
  if (rows == NULL)
    return NULL;
  if (xlsx)
    {
      g_autoptr(GError) local = NULL;

      bytes = sui_xlsx_from_result (rows, headers, title, &local);
      if (bytes == NULL)
        {
          g_message ("writing an XLSX export failed: %s", local->message);
          g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_INTERNAL,
                               "服务器暂时无法生成 Excel 文件，请稍后重试或改为导出 CSV");
          return NULL;
        }
    }
  else
    bytes = sui_csv_from_result (rows, headers, text_columns);

  name = g_strdup_printf ("%s.%s", title, format);
  answer = store_export (call, bytes, name, format,
                         xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                              : "text/csv; charset=utf-8",
                         error);
  if (answer == NULL)
    return NULL;
  json_object_set_int_member (answer, "rows", PQntuples (rows));

  record = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (record, answer);
  {
    g_autofree char *id_text = sui_pg_int_param (json_object_get_int_member (answer, "file_id"));

    if (!sui_audit_append (call, area, id_text, NULL, record, error))
      {
        json_object_unref (answer);
        return NULL;
      }
  }
  /* The CSV text itself too, as objects.export has always answered. */
  if (!xlsx)
    {
      gsize size;
      const char *data = g_bytes_get_data (bytes, &size);
      g_autofree char *text = g_strndup (data, size);

      json_object_set_string_member (answer, "csv", text);
    }
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, answer);
  return node;
}

static JsonNode *
objects_export (SuiCall  *call,
                GError  **error)
{
  gboolean include_retired = FALSE;
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) where = g_string_new (NULL);
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autofree char *order_by = NULL;
  static const char * const headers[] = {
    "许可证号", "统一社会信用代码", "名称", "负责人", "经营地址", "区县", "对象类型",
    "经营状态", "有效期起", "有效期止", "信用等级", "评定日期", "风险等级", "联系电话",
    "重点监管", "标签", "所属单位", "最近检查日期", "最近检查结果",
  };

  if (!sui_call_get_bool (call, "include_retired", FALSE, &include_retired, error) ||
      (order_by = sui_register_order_by (call, SUI_FILTER_OBJECTS, "o", error)) == NULL)
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
                          " o.licence_valid_until, o.credit_grade, o.credit_grade_date,"
                          " o.risk_class, o.contact,"
                          " case when o.key_supervision then '是' else '否' end,"
                          " (select string_agg (t.name, '、' order by t.name) from tag t"
                          "  where t.id = any (o.tag_ids)), u.name, o.last_check_date,"
                          " o.last_check_result"
                          " from object o join object_type ty on ty.code = o.type"
                          " join object_status st on st.code = o.status"
                          " join unit u on u.id = o.unit_id where %s order by %s",
                          where->str, order_by);
  return export_rows (call, sql->str, params, headers, 1 << 0, "检查对象名录", "exports", error);
}

static JsonNode *
inspectors_export (SuiCall  *call,
                   GError  **error)
{
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) where = g_string_new (NULL);
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autofree char *order_by = sui_register_order_by (call, SUI_FILTER_INSPECTORS, "i", error);
  static const char * const headers[] = {
    "姓名", "单位", "执法证号", "证件有效期起", "证件有效期止", "证件状态", "状态", "专长",
    "联系电话", "标签",
  };

  if (!sui_register_is_admin (call))
    {
      g_autofree char *p = sui_sql_param (params, sui_pg_int_param (call->user->unit_id));

      g_string_append_printf (where, "i.unit_id = %s::bigint and ", p);
    }
  g_string_append_c (where, '(');
  if (!sui_filter_from_call (call, "filter", SUI_FILTER_INSPECTORS, "i", where, params, error))
    return NULL;
  g_string_append_c (where, ')');

  g_string_append_printf (sql,
                          "select i.name, u.name, i.cert_no, i.cert_valid_from,"
                          " i.cert_valid_until,"
                          " case when i.cert_valid_until < current_date then '已过期'"
                          "  when i.cert_valid_from > current_date then '未生效'"
                          "  when i.cert_valid_until < current_date + 30 then '即将到期'"
                          "  else '有效' end,"
                          " st.name, i.specialties, i.contact,"
                          " (select string_agg (t.name, '、' order by t.name) from tag t"
                          "  where t.id = any (i.tag_ids))"
                          " from inspector i join unit u on u.id = i.unit_id"
                          " join inspector_status st on st.code = i.status"
                          " where %s order by %s",
                          where->str, order_by);
  return export_rows (call, sql->str, params, headers, 1 << 2, "执法检查人员名录", "exports",
                      error);
}

/* A unit's item list (an admin: one unit's, or every unit's). */
static JsonNode *
items_export (SuiCall  *call,
              GError  **error)
{
  gint64 unit_id = 0;
  gboolean include_released = FALSE;
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autofree char *unit = NULL;
  g_autofree char *released = NULL;
  static const char * const headers[] = {
    "所属单位", "事项编码", "事项名称", "事项类别", "检查方式", "抽查比例下限（%）",
    "抽查比例上限（%）", "抽查频次", "适用对象", "状态", "上级目录已变更", "法律依据",
    "检查内容",
  };

  if (!sui_call_get_int (call, "unit_id", FALSE, &unit_id, error) ||
      !sui_call_get_bool (call, "include_released", FALSE, &include_released, error))
    return NULL;
  if (!sui_register_is_admin (call))
    unit_id = call->user->unit_id;
  unit = sui_sql_param (params, unit_id > 0 ? sui_pg_int_param (unit_id) : NULL);
  released = sui_sql_param (params, g_strdup (include_released ? "t" : "f"));
  g_string_append_printf (sql,
                          "select u.name, i.code, i.name,"
                          " case i.level when 'key' then '重点' else '一般' end,"
                          " (select string_agg (m.name, '、' order by m.sort) from check_method m"
                          "  where m.code = any (i.methods)),"
                          " to_char (i.ratio_min_bp / 100.0, 'FM990.00'),"
                          " to_char (i.ratio_max_bp / 100.0, 'FM990.00'), i.frequency,"
                          " (select string_agg (t.name, '、' order by t.code) from object_type t"
                          "  where t.code = any (i.object_types)),"
                          " case i.state when 'active' then '在用' else '已释放' end,"
                          " case when c.state = 'retired' then '上级已停用'"
                          "      when c.version > i.catalogue_version then '是' else '否' end,"
                          " i.legal_basis, i.content"
                          " from item i join unit u on u.id = i.unit_id"
                          " join catalogue_item c on c.id = i.catalogue_id"
                          " where (%s::bigint is null or i.unit_id = %s::bigint)"
                          "   and (%s::boolean or i.state = 'active')"
                          " order by u.name, i.code",
                          unit, unit, released);
  return export_rows (call, sql->str, params, headers, 1 << 1, "抽查事项清单", "exports", error);
}

/* The catalogue the units claim from. */
static JsonNode *
catalogue_export (SuiCall  *call,
                  GError  **error)
{
  gboolean include_retired = FALSE;
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autofree char *retired = NULL;
  static const char * const headers[] = {
    "事项编码", "事项名称", "事项类别", "检查方式", "抽查比例下限（%）", "抽查比例上限（%）",
    "抽查频次", "适用对象", "状态", "认领单位数", "法律依据", "检查内容",
  };

  if (!sui_call_get_bool (call, "include_retired", FALSE, &include_retired, error))
    return NULL;
  retired = sui_sql_param (params, g_strdup (include_retired ? "t" : "f"));
  g_string_append_printf (sql,
                          "select c.code, c.name,"
                          " case c.level when 'key' then '重点' else '一般' end,"
                          " (select string_agg (m.name, '、' order by m.sort) from check_method m"
                          "  where m.code = any (c.methods)),"
                          " to_char (c.ratio_min_bp / 100.0, 'FM990.00'),"
                          " to_char (c.ratio_max_bp / 100.0, 'FM990.00'), c.frequency,"
                          " (select string_agg (t.name, '、' order by t.code) from object_type t"
                          "  where t.code = any (c.object_types)),"
                          " case c.state when 'active' then '在用' else '已停用' end,"
                          " (select count (*) from item i where i.catalogue_id = c.id"
                          "   and i.state = 'active'),"
                          " c.legal_basis, c.content"
                          " from catalogue_item c where %s::boolean or c.state = 'active'"
                          " order by c.code",
                          retired);
  return export_rows (call, sql->str, params, headers, 1 << 0, "上级事项目录", "exports", error);
}

/* A task's live match as the list the inspectors take along: one row per object, the teams
 * of every part of the visit, and the items with their methods. */
static JsonNode *
tasks_export_assignments (SuiCall  *call,
                          GError  **error)
{
  gint64 task_id = 0;
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(PGresult) task = NULL;
  g_autofree char *task_text = NULL, *unit_text = NULL;
  g_autofree char *task_param = NULL;
  const char *check[2];
  static const char * const headers[] = {
    "顺序", "许可证号", "名称", "经营地址", "区县", "风险等级", "检查事项及方式", "检查人员",
  };

  if (!sui_call_get_int (call, "task_id", TRUE, &task_id, error))
    return NULL;
  task_text = sui_pg_int_param (task_id);
  unit_text = sui_pg_int_param (call->user->unit_id);
  check[0] = task_text;
  check[1] = sui_register_is_admin (call) ? NULL : unit_text;
  task = sui_pg_exec (call->conn,
                      "select $2::bigint is null or t.unit_id = $2::bigint"
                      "  or exists (select 1 from task_department d where d.task_id = t.id"
                      "             and d.unit_id = $2::bigint),"
                      " exists (select 1 from draw d where d.task_id = t.id"
                      "         and d.kind = 'inspectors' and d.state = 'run'), t.name"
                      " from task t where t.id = $1::bigint",
                      2, check, error);
  if (task == NULL)
    return NULL;
  if (PQntuples (task) != 1)
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_FOUND,
                           "该抽查任务不存在，请刷新后再试");
      return NULL;
    }
  if (!g_str_equal (PQgetvalue (task, 0, 0), "t"))
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_FORBIDDEN,
                           "您所在单位没有参与这项任务，无权导出");
      return NULL;
    }
  if (!g_str_equal (PQgetvalue (task, 0, 1), "t"))
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_STATE,
                           "该任务尚未匹配检查人员，匹配后才能导出人员分配表");
      return NULL;
    }

  task_param = sui_sql_param (params, g_strdup (task_text));
  g_string_append_printf (sql,
                          "with visit as ("
                          "  select a.object_id, min (a.position) position,"
                          "   string_agg (i.name || '（' || i.cert_no || '，' || u.name || '）',"
                          "               '、' order by a.part_unit_id = t.unit_id desc,"
                          "               a.part_unit_id, a.rank) team"
                          "  from inspector_assignment_live a join task t on t.id = a.task_id"
                          "  join inspector i on i.id = a.inspector_id"
                          "  join unit u on u.id = i.unit_id"
                          "  where a.task_id = %s::bigint group by a.object_id),"
                          " items as ("
                          "  select string_agg (coalesce (it.name, '事项 ' || (e ->> 'item_id'))"
                          "   || '（' || coalesce (m.name, e ->> 'method') || '）', '；'"
                          "   order by o) list"
                          "  from (select x.e, x.o from task t,"
                          "        jsonb_array_elements (t.items) with ordinality x (e, o)"
                          "        where t.id = %s::bigint"
                          "        union all"
                          "        select x.e, 1000 + d.unit_id * 1000 + x.o from task_department d,"
                          "        jsonb_array_elements (d.items) with ordinality x (e, o)"
                          "        where d.task_id = %s::bigint) y (e, o)"
                          "  left join item it on it.id = (y.e ->> 'item_id')::bigint"
                          "  left join check_method m on m.code = y.e ->> 'method')"
                          " select v.position, o.licence_no, o.name, o.address, o.district,"
                          "  o.risk_class, (select list from items), v.team"
                          " from visit v join object o on o.id = v.object_id"
                          " order by v.position",
                          task_param, task_param, task_param);
  {
    g_autofree char *title = g_strdup_printf ("人员分配表-%s", PQgetvalue (task, 0, 2));

    return export_rows (call, sql->str, params, headers, 1 << 1, title, "exports", error);
  }
}

/* The tag library as the caller sees it (a supervisor: city-wide tags and their unit's),
 * with how many of the caller's records carry each tag. */
static JsonNode *
tags_export (SuiCall  *call,
             GError  **error)
{
  const char *applies_to = NULL;
  gboolean include_retired = FALSE;
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autofree char *unit = NULL, *applies = NULL, *retired = NULL;
  static const char * const headers[] = {
    "标签组", "标签", "说明", "适用于", "范围", "状态", "已标记检查对象数",
    "已标记执法检查人员数",
  };

  if (!sui_call_get_string (call, "applies_to", FALSE, &applies_to, error) ||
      !sui_call_get_bool (call, "include_retired", FALSE, &include_retired, error))
    return NULL;
  if (applies_to != NULL && !g_str_equal (applies_to, "objects") &&
      !g_str_equal (applies_to, "inspectors") && !g_str_equal (applies_to, "both"))
    {
      SuiValidation *v = sui_validation_new ();

      sui_validation_add (v, "applies_to", "invalid",
                          "适用范围应为 objects、inspectors 或 both");
      sui_validation_finish (v, call, error);
      return NULL;
    }

  unit = sui_sql_param (params, sui_register_is_admin (call)
                                ? NULL : sui_pg_int_param (call->user->unit_id));
  applies = sui_sql_param (params, g_strdup (applies_to));
  retired = sui_sql_param (params, g_strdup (include_retired ? "t" : "f"));
  g_string_append_printf (sql,
                          "select g.name, t.name, t.description,"
                          " case g.applies_to when 'objects' then '检查对象'"
                          "  when 'inspectors' then '执法检查人员'"
                          "  else '检查对象和执法检查人员' end,"
                          " coalesce (u.name, '全市通用'),"
                          " case when t.retired or g.retired then '已停用' else '在用' end,"
                          " (select count (*) from object_tag ot"
                          "  join object o on o.id = ot.object_id"
                          "  where ot.tag_id = t.id and not o.retired"
                          "    and (%s::bigint is null or o.unit_id = %s::bigint)),"
                          " (select count (*) from inspector_tag it"
                          "  join inspector i on i.id = it.inspector_id"
                          "  where it.tag_id = t.id"
                          "    and (%s::bigint is null or i.unit_id = %s::bigint))"
                          " from tag t join tag_group g on g.id = t.group_id"
                          " left join unit u on u.id = g.unit_id"
                          " where (%s::bigint is null or g.unit_id is null or g.unit_id = %s::bigint)"
                          "   and (%s::text is null or g.applies_to = %s or g.applies_to = 'both'"
                          "        or %s = 'both')"
                          "   and (%s::boolean or not (g.retired or t.retired))"
                          " order by g.unit_id nulls first, g.name, t.name",
                          unit, unit, unit, unit, unit, unit,
                          applies, applies, applies, retired);
  return export_rows (call, sql->str, params, headers, 0, "分类标签库", "exports", error);
}

/* The user accounts (admins only), with the same filters as users.list and the last
 * successful login. */
static JsonNode *
users_export (SuiCall  *call,
              GError  **error)
{
  gint64 unit_id = 0;
  const char *role = NULL;
  const char *search = NULL;
  gboolean include_disabled = FALSE;
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autofree char *unit = NULL, *role_p = NULL, *search_p = NULL, *disabled = NULL;
  g_autofree char *search_text = NULL;
  static const char * const headers[] = {
    "登录名", "姓名", "所属单位", "角色", "状态", "最近登录时间",
  };

  if (!sui_call_get_int (call, "unit_id", FALSE, &unit_id, error) ||
      !sui_call_get_string (call, "role", FALSE, &role, error) ||
      !sui_call_get_string (call, "search", FALSE, &search, error) ||
      !sui_call_get_bool (call, "include_disabled", FALSE, &include_disabled, error))
    return NULL;
  if (role != NULL && !g_str_equal (role, "admin") && !g_str_equal (role, "supervisor") &&
      !g_str_equal (role, "inspector"))
    {
      SuiValidation *v = sui_validation_new ();

      sui_validation_add (v, "role", "invalid", "角色应为 admin、supervisor 或 inspector");
      sui_validation_finish (v, call, error);
      return NULL;
    }
  if (search != NULL)
    {
      search_text = g_strstrip (g_strdup (search));
      if (*search_text == '\0')
        g_clear_pointer (&search_text, g_free);
    }

  unit = sui_sql_param (params, sui_call_has (call, "unit_id") ? sui_pg_int_param (unit_id)
                                                                : NULL);
  role_p = sui_sql_param (params, g_strdup (role));
  search_p = sui_sql_param (params, g_steal_pointer (&search_text));
  disabled = sui_sql_param (params, g_strdup (include_disabled ? "t" : "f"));
  /* strpos, as users.list: nothing in the search text acts as a wildcard. The last login
   * comes from the login history (index on login, at); the session's zone is the
   * bureau's. */
  g_string_append_printf (sql,
                          "select a.login, a.name, n.name,"
                          " case a.role when 'admin' then '市局管理员'"
                          "  when 'supervisor' then '监管人员' else '执法检查人员' end,"
                          " case when a.disabled then '已停用' else '正常' end,"
                          " (select to_char (max (l.at), 'YYYY-MM-DD HH24:MI')"
                          "  from login_attempt l where l.login = a.login and l.ok"
                          "    and l.user_id = a.id)"
                          " from app_user a join unit n on n.id = a.unit_id"
                          " where (%s::bigint is null or a.unit_id = %s::bigint)"
                          "   and (%s::text is null or a.role = %s)"
                          "   and (%s::text is null or strpos (a.login, lower (%s)) > 0"
                          "        or strpos (lower (a.name), lower (%s)) > 0)"
                          "   and (%s::boolean or not a.disabled)"
                          " order by a.id",
                          unit, unit, role_p, role_p, search_p, search_p, search_p, disabled);
  return export_rows (call, sql->str, params, headers, 0, "用户账号", "exports", error);
}

static JsonNode *
exports_download (SuiCall  *call,
                  GError  **error)
{
  gint64 id = 0;
  g_autofree char *id_text = NULL;
  g_autofree char *user_text = NULL;
  g_autoptr(PGresult) meta = NULL;
  g_autoptr(GString) data = g_string_new (NULL);
  g_autofree char *encoded = NULL;
  const char *params[3];
  PGresult *chunks;
  JsonObject *answer;
  JsonNode *node;

  if (!sui_call_get_int (call, "file_id", TRUE, &id, error))
    return NULL;
  id_text = sui_pg_int_param (id);
  user_text = sui_pg_int_param (call->user->id);
  params[0] = id_text;
  params[1] = user_text;
  params[2] = sui_register_is_admin (call) ? "t" : "f";
  meta = sui_pg_exec (call->conn,
                      "select uploaded_by = $2::bigint or $3::boolean, name, content_type,"
                      " size, encode (sha256, 'hex') from file"
                      " where id = $1::bigint and sha256 is not null",
                      3, params, error);
  if (meta == NULL)
    return NULL;
  if (PQntuples (meta) != 1)
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_FOUND,
                           "文件不存在，请重新导出");
      return NULL;
    }
  if (!g_str_equal (PQgetvalue (meta, 0, 0), "t"))
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_FORBIDDEN,
                           "只能下载您自己导出的文件");
      return NULL;
    }

  chunks = PQexecParams (call->conn,
                         "select data from file_chunk where file_id = $1::bigint order by n",
                         1, NULL, params, NULL, NULL, 1);
  if (PQresultStatus (chunks) != PGRES_TUPLES_OK)
    {
      g_message ("reading file %s failed: %s", id_text, PQresultErrorMessage (chunks));
      PQclear (chunks);
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_INTERNAL,
                           "服务器暂时无法读取文件，请稍后重试");
      return NULL;
    }
  for (int i = 0; i < PQntuples (chunks); i++)
    g_string_append_len (data, PQgetvalue (chunks, i, 0), PQgetlength (chunks, i, 0));
  PQclear (chunks);
  encoded = g_base64_encode ((const guchar *) data->str, data->len);

  answer = json_object_new ();
  json_object_set_int_member (answer, "file_id", id);
  json_object_set_string_member (answer, "name", PQgetvalue (meta, 0, 1));
  json_object_set_string_member (answer, "content_type", PQgetvalue (meta, 0, 2));
  json_object_set_int_member (answer, "size", g_ascii_strtoll (PQgetvalue (meta, 0, 3), NULL, 10));
  json_object_set_string_member (answer, "sha256", PQgetvalue (meta, 0, 4));
  json_object_set_string_member (answer, "data", encoded);
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, answer);
  return node;
}

static const SuiMethod xlsx_methods[] = {
  {
    .name = "objects.export",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "[filter]:object, [include_retired]:boolean, [order]:string, "
              "[descending]:boolean, [format]:string",
    .summary = "The objects a filter matches as a CSV (UTF-8 with BOM) or XLSX file",
    .handler = objects_export,
  },
  {
    .name = "inspectors.export",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "[filter]:object, [order]:string, [descending]:boolean, [format]:string",
    .summary = "The inspectors a filter matches as a CSV (UTF-8 with BOM) or XLSX file",
    .handler = inspectors_export,
  },
  {
    .name = "items.export",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "[unit_id]:integer, [include_released]:boolean, [format]:string",
    .summary = "A unit's item list as a CSV (UTF-8 with BOM) or XLSX file",
    .handler = items_export,
  },
  {
    .name = "catalogue.export",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "[include_retired]:boolean, [format]:string",
    .summary = "The catalogue of items as a CSV (UTF-8 with BOM) or XLSX file",
    .handler = catalogue_export,
  },
  {
    .name = "tasks.export_assignments",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "task_id:integer, [format]:string",
    .summary = "A task's matched teams, object by object, as a CSV or XLSX file",
    .handler = tasks_export_assignments,
  },
  {
    .name = "tags.export",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "[applies_to]:string, [include_retired]:boolean, [format]:string",
    .summary = "The tags the caller sees, with the counts of tagged records, as CSV or XLSX",
    .handler = tags_export,
  },
  {
    .name = "users.export",
    .roles = SUI_ROLE_ADMIN,
    .writes = TRUE,
    .params = "[unit_id]:integer, [role]:string, [search]:string, [include_disabled]:boolean, "
              "[format]:string",
    .summary = "The user accounts (as users.list filters them) as a CSV or XLSX file",
    .handler = users_export,
  },
  {
    .name = "exports.download",
    .roles = SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN,
    .params = "file_id:integer",
    .summary = "The bytes (base64) of a file the caller exported",
    .handler = exports_download,
  },
};

void
sui_xlsx_register (void)
{
  sui_methods_register (xlsx_methods, G_N_ELEMENTS (xlsx_methods));
}
