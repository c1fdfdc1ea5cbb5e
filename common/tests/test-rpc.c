/* test-rpc.c: the JSON-RPC 2.0 envelope, every path of it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "sui-rpc.h"

static GPtrArray *
parse (const char  *text,
       gboolean    *is_batch,
       GError     **error)
{
  return sui_rpc_parse_body (text, strlen (text), is_batch, error);
}

static void
test_single_call (void)
{
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GError) error = NULL;
  SuiRpcRequest *request;
  gboolean is_batch = TRUE;

  requests = parse ("{\"jsonrpc\":\"2.0\",\"method\":\"auth.login\","
                    "\"params\":{\"login\":\"admin\"},\"id\":7}", &is_batch, &error);
  g_assert_no_error (error);
  g_assert_false (is_batch);
  g_assert_cmpuint (requests->len, ==, 1);
  request = g_ptr_array_index (requests, 0);
  g_assert_null (request->error);
  g_assert_cmpstr (request->method, ==, "auth.login");
  g_assert_cmpint (json_node_get_int (request->id), ==, 7);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (request->params));
  g_assert_false (sui_rpc_request_is_notification (request));
}

static void
test_notification_and_null_id (void)
{
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GError) error = NULL;
  gboolean is_batch = FALSE;
  SuiRpcRequest *notification, *null_id;

  requests = parse ("[{\"jsonrpc\":\"2.0\",\"method\":\"system.ping\"},"
                    "{\"jsonrpc\":\"2.0\",\"method\":\"system.ping\",\"id\":null}]",
                    &is_batch, &error);
  g_assert_no_error (error);
  g_assert_true (is_batch);
  notification = g_ptr_array_index (requests, 0);
  null_id = g_ptr_array_index (requests, 1);
  g_assert_true (sui_rpc_request_is_notification (notification));
  g_assert_false (sui_rpc_request_is_notification (null_id));
  g_assert_true (JSON_NODE_HOLDS_NULL (null_id->id));
}

static void
test_invalid_entries (void)
{
  struct { const char *body; int code; } cases[] = {
    { "1", SUI_RPC_ERROR_INVALID_REQUEST },
    { "{\"jsonrpc\":\"1.0\",\"method\":\"a\",\"id\":1}", SUI_RPC_ERROR_INVALID_REQUEST },
    { "{\"jsonrpc\":\"2.0\",\"method\":1,\"id\":1}", SUI_RPC_ERROR_INVALID_REQUEST },
    { "{\"jsonrpc\":\"2.0\",\"id\":1}", SUI_RPC_ERROR_INVALID_REQUEST },
    { "{\"jsonrpc\":\"2.0\",\"method\":\"a\",\"id\":{}}", SUI_RPC_ERROR_INVALID_REQUEST },
    { "{\"jsonrpc\":\"2.0\",\"method\":\"a\",\"id\":true}", SUI_RPC_ERROR_INVALID_REQUEST },
    { "{\"jsonrpc\":\"2.0\",\"method\":\"a\",\"params\":\"x\",\"id\":1}", SUI_RPC_ERROR_INVALID_REQUEST },
    { "{\"jsonrpc\":\"2.0\",\"method\":\"a\",\"params\":[1,2],\"id\":1}", SUI_RPC_ERROR_INVALID_PARAMS },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) requests = NULL;
      g_autoptr(GError) error = NULL;
      gboolean is_batch;
      SuiRpcRequest *request;

      requests = parse (cases[i].body, &is_batch, &error);
      g_assert_no_error (error);
      request = g_ptr_array_index (requests, 0);
      g_assert_error (request->error, SUI_RPC_ERROR, cases[i].code);
      /* An invalid entry is always answered. */
      g_assert_false (sui_rpc_request_is_notification (request));
    }
}

static void
test_batch_of_junk (void)
{
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GError) error = NULL;
  gboolean is_batch;

  requests = parse ("[1,2,3]", &is_batch, &error);
  g_assert_no_error (error);
  g_assert_true (is_batch);
  g_assert_cmpuint (requests->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      SuiRpcRequest *request = g_ptr_array_index (requests, i);
      g_assert_error (request->error, SUI_RPC_ERROR, SUI_RPC_ERROR_INVALID_REQUEST);
      g_assert_null (request->id);
    }
}

static void
test_whole_body_errors (void)
{
  struct { const char *body; gsize length; int code; } cases[] = {
    { "[]", 2, SUI_RPC_ERROR_INVALID_REQUEST },
    { "{\"jsonrpc\":\"2.0\",\"method\"", 0, SUI_RPC_ERROR_PARSE },
    { "[{\"jsonrpc\":\"2.0\",\"method\":\"a\",\"id\":1},{\"jsonrpc\"", 0, SUI_RPC_ERROR_PARSE },
    { "", 0, SUI_RPC_ERROR_PARSE },
    { "\"\xff\xfe\"", 0, SUI_RPC_ERROR_PARSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) requests = NULL;
      g_autoptr(GError) error = NULL;
      gboolean is_batch;
      gsize length = cases[i].length ? cases[i].length : strlen (cases[i].body);

      requests = sui_rpc_parse_body (cases[i].body, length, &is_batch, &error);
      g_assert_null (requests);
      g_assert_error (error, SUI_RPC_ERROR, cases[i].code);
    }
}

static void
test_depth_limit (void)
{
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  gboolean is_batch;

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  requests = sui_rpc_parse_body (deep->str, deep->len, &is_batch, &error);
  g_assert_null (requests);
  g_assert_error (error, SUI_RPC_ERROR, SUI_RPC_ERROR_PARSE);

  /* Brackets inside strings do not count. */
  g_assert_true (sui_rpc_check_json_text ("[\"[[[[[[[[[[[[[[[[[[[[[[\\\"[[[[[\"]", 33, 4, NULL));
  g_assert_false (sui_rpc_check_json_text ("[[[[[]]]]]", 10, 4, NULL));
}

static void
test_responses (void)
{
  g_autoptr(JsonNode) id = json_node_init_string (json_node_alloc (), "abc");
  g_autoptr(JsonNode) ok = NULL;
  g_autoptr(JsonNode) failed = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(JsonNode) data = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ok_text = NULL;
  g_autofree char *failed_text = NULL;
  g_autofree char *request = NULL;

  ok = sui_rpc_result_new (id, json_node_init_int (json_node_alloc (), 42));
  ok_text = sui_rpc_to_string (ok, NULL);
  g_assert_cmpstr (ok_text, ==, "{\"jsonrpc\":\"2.0\",\"result\":42,\"id\":\"abc\"}");
  g_assert_true (sui_rpc_parse_response (ok_text, strlen (ok_text), &result, NULL, &error));
  g_assert_cmpint (json_node_get_int (result), ==, 42);

  failed = sui_rpc_error_new (NULL, SUI_RPC_ERROR_VALIDATION, "输入有误",
                              json_node_init_string (json_node_alloc (), "login"));
  failed_text = sui_rpc_to_string (failed, NULL);
  g_assert_nonnull (strstr (failed_text, "\"id\":null"));
  g_assert_false (sui_rpc_parse_response (failed_text, strlen (failed_text), NULL, &data, &error));
  g_assert_error (error, SUI_RPC_ERROR, SUI_RPC_ERROR_VALIDATION);
  g_assert_cmpstr (error->message, ==, "输入有误");
  g_assert_cmpstr (json_node_get_string (data), ==, "login");

  request = sui_rpc_request_to_string ("auth.whoami", NULL, 3);
  g_assert_cmpstr (request, ==, "{\"jsonrpc\":\"2.0\",\"method\":\"auth.whoami\",\"id\":3}");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/rpc/single-call", test_single_call);
  g_test_add_func ("/rpc/notification-and-null-id", test_notification_and_null_id);
  g_test_add_func ("/rpc/invalid-entries", test_invalid_entries);
  g_test_add_func ("/rpc/batch-of-junk", test_batch_of_junk);
  g_test_add_func ("/rpc/whole-body-errors", test_whole_body_errors);
  g_test_add_func ("/rpc/depth-limit", test_depth_limit);
  g_test_add_func ("/rpc/responses", test_responses);
  return g_test_run ();
}
