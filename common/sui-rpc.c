/* sui-rpc.c: the JSON-RPC 2.0 envelope
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sui-rpc.h"

#include <string.h>

G_DEFINE_QUARK (sui-rpc-error-quark, sui_rpc_error)

const char *
sui_rpc_error_default_message (int code)
{
  switch (code)
    {
    case SUI_RPC_ERROR_PARSE:
      return "Parse error";
    case SUI_RPC_ERROR_INVALID_REQUEST:
      return "Invalid Request";
    case SUI_RPC_ERROR_METHOD_NOT_FOUND:
      return "Method not found";
    case SUI_RPC_ERROR_INVALID_PARAMS:
      return "Invalid params";
    case SUI_RPC_ERROR_INTERNAL:
      return "Internal error";
    case SUI_RPC_ERROR_NOT_AUTHENTICATED:
      return "未登录或登录已失效，请重新登录";
    case SUI_RPC_ERROR_FORBIDDEN:
      return "您没有执行此操作的权限";
    case SUI_RPC_ERROR_NOT_FOUND:
      return "记录不存在";
    case SUI_RPC_ERROR_CONFLICT:
      return "该记录已被他人修改，请重新载入后再试";
    case SUI_RPC_ERROR_VALIDATION:
      return "输入有误，请按提示修改";
    case SUI_RPC_ERROR_STATE:
      return "当前状态不允许此操作";
    default:
      return "Server error";
    }
}

void
sui_rpc_request_free (SuiRpcRequest *request)
{
  if (request == NULL)
    return;
  g_free (request->method);
  g_clear_pointer (&request->params, json_node_unref);
  g_clear_pointer (&request->id, json_node_unref);
  g_clear_error (&request->error);
  g_free (request);
}

gboolean
sui_rpc_request_is_notification (const SuiRpcRequest *request)
{
  /* An invalid entry is always answered (with id null), even without an id. */
  return request->error == NULL && request->id == NULL;
}

/* json-glib's parser recurses once per nesting level, so a body of a million '['
 * would exhaust the stack. Scan once, outside strings, before it gets the text. */
gboolean
sui_rpc_check_json_text (const char  *text,
                         gsize        length,
                         guint        max_depth,
                         GError     **error)
{
  guint depth = 0;
  gboolean in_string = FALSE;

  if (!g_utf8_validate_len (text, length, NULL))
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_PARSE,
                           "Parse error: the body is not valid UTF-8");
      return FALSE;
    }

  for (gsize i = 0; i < length; i++)
    {
      char c = text[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }

      switch (c)
        {
        case '"':
          in_string = TRUE;
          break;
        case '[':
        case '{':
          if (++depth > max_depth)
            {
              g_set_error (error, SUI_RPC_ERROR, SUI_RPC_ERROR_PARSE,
                           "Parse error: nested deeper than %u levels", max_depth);
              return FALSE;
            }
          break;
        case ']':
        case '}':
          if (depth > 0)
            depth--;
          break;
        case '\0':
          g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_PARSE,
                               "Parse error: the body contains a NUL byte");
          return FALSE;
        default:
          break;
        }
    }

  return TRUE;
}

static SuiRpcRequest *
invalid_request (const char *why)
{
  SuiRpcRequest *request = g_new0 (SuiRpcRequest, 1);

  request->error = g_error_new (SUI_RPC_ERROR, SUI_RPC_ERROR_INVALID_REQUEST,
                                "Invalid Request: %s", why);
  return request;
}

static gboolean
id_is_valid (JsonNode *id)
{
  if (JSON_NODE_HOLDS_NULL (id))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (id))
    return FALSE;

  switch (json_node_get_value_type (id))
    {
    case G_TYPE_STRING:
    case G_TYPE_INT64:
    case G_TYPE_DOUBLE:
      return TRUE;
    default:
      return FALSE;
    }
}

static SuiRpcRequest *
request_from_node (JsonNode *node)
{
  g_autoptr(SuiRpcRequest) request = NULL;
  JsonObject *object;
  JsonNode *member;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return invalid_request ("not an object");

  object = json_node_get_object (node);
  request = g_new0 (SuiRpcRequest, 1);

  /* The id comes first: once it is known, later errors can be answered with it. */
  if (json_object_has_member (object, "id"))
    {
      member = json_object_get_member (object, "id");
      if (!id_is_valid (member))
        return invalid_request ("id must be a string, a number or null");
      request->id = json_node_copy (member);
    }

  member = json_object_get_member (object, "jsonrpc");
  if (member == NULL || !JSON_NODE_HOLDS_VALUE (member) ||
      json_node_get_value_type (member) != G_TYPE_STRING ||
      g_strcmp0 (json_node_get_string (member), "2.0") != 0)
    {
      request->error = g_error_new_literal (SUI_RPC_ERROR, SUI_RPC_ERROR_INVALID_REQUEST,
                                            "Invalid Request: jsonrpc must be \"2.0\"");
      return g_steal_pointer (&request);
    }

  member = json_object_get_member (object, "method");
  if (member == NULL || !JSON_NODE_HOLDS_VALUE (member) ||
      json_node_get_value_type (member) != G_TYPE_STRING)
    {
      request->error = g_error_new_literal (SUI_RPC_ERROR, SUI_RPC_ERROR_INVALID_REQUEST,
                                            "Invalid Request: method must be a string");
      return g_steal_pointer (&request);
    }
  request->method = g_strdup (json_node_get_string (member));

  member = json_object_get_member (object, "params");
  if (member != NULL)
    {
      if (JSON_NODE_HOLDS_ARRAY (member))
        {
          /* A structured value, so the request is valid, but we only take names. */
          request->error = g_error_new_literal (SUI_RPC_ERROR, SUI_RPC_ERROR_INVALID_PARAMS,
                                                "Invalid params: pass params by name, as an object");
          return g_steal_pointer (&request);
        }
      if (!JSON_NODE_HOLDS_OBJECT (member))
        {
          request->error = g_error_new_literal (SUI_RPC_ERROR, SUI_RPC_ERROR_INVALID_REQUEST,
                                                "Invalid Request: params must be an object");
          return g_steal_pointer (&request);
        }
      request->params = json_node_copy (member);
    }

  return g_steal_pointer (&request);
}

GPtrArray *
sui_rpc_parse_body (const char  *body,
                    gsize        length,
                    gboolean    *is_batch,
                    GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  *is_batch = FALSE;

  if (body == NULL || length == 0)
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_PARSE,
                           "Parse error: the body is empty");
      return NULL;
    }

  if (!sui_rpc_check_json_text (body, length, SUI_RPC_MAX_DEPTH, error))
    return NULL;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, body, length, &local_error))
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_PARSE, "Parse error");
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_PARSE,
                           "Parse error: the body is empty");
      return NULL;
    }

  requests = g_ptr_array_new_with_free_func ((GDestroyNotify) sui_rpc_request_free);

  if (JSON_NODE_HOLDS_ARRAY (root))
    {
      JsonArray *array = json_node_get_array (root);
      guint n = json_array_get_length (array);

      if (n == 0)
        {
          g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_INVALID_REQUEST,
                               "Invalid Request: empty batch");
          return NULL;
        }

      *is_batch = TRUE;
      for (guint i = 0; i < n; i++)
        g_ptr_array_add (requests, request_from_node (json_array_get_element (array, i)));
    }
  else
    {
      g_ptr_array_add (requests, request_from_node (root));
    }

  return g_steal_pointer (&requests);
}

static JsonNode *
envelope_new (JsonNode    *id,
              const char  *member,
              JsonNode    *value)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "jsonrpc");
  json_builder_add_string_value (builder, "2.0");
  json_builder_set_member_name (builder, member);
  json_builder_add_value (builder, value);
  json_builder_set_member_name (builder, "id");
  if (id != NULL)
    json_builder_add_value (builder, json_node_copy (id));
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* Takes ownership of result. */
JsonNode *
sui_rpc_result_new (JsonNode *id,
                    JsonNode *result)
{
  if (result == NULL)
    result = json_node_init_null (json_node_alloc ());
  return envelope_new (id, "result", result);
}

/* Takes ownership of data. */
JsonNode *
sui_rpc_error_new (JsonNode    *id,
                   int          code,
                   const char  *message,
                   JsonNode    *data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_int_value (builder, code);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message ? message : sui_rpc_error_default_message (code));
  if (data != NULL)
    {
      json_builder_set_member_name (builder, "data");
      json_builder_add_value (builder, data);
    }
  json_builder_end_object (builder);

  return envelope_new (id, "error", json_builder_get_root (builder));
}

char *
sui_rpc_to_string (JsonNode *node,
                   gsize    *length)
{
  char *text = json_to_string (node, FALSE);

  if (length != NULL)
    *length = strlen (text);
  return text;
}

char *
sui_rpc_request_to_string (const char *method,
                           JsonNode   *params,
                           gint64      id)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "jsonrpc");
  json_builder_add_string_value (builder, "2.0");
  json_builder_set_member_name (builder, "method");
  json_builder_add_string_value (builder, method);
  if (params != NULL)
    {
      json_builder_set_member_name (builder, "params");
      json_builder_add_value (builder, json_node_copy (params));
    }
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, id);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

gboolean
sui_rpc_parse_response (const char  *body,
                        gsize        length,
                        JsonNode   **result,
                        JsonNode   **error_data,
                        GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *object;
  JsonNode *root;

  if (result != NULL)
    *result = NULL;
  if (error_data != NULL)
    *error_data = NULL;

  if (!sui_rpc_check_json_text (body, length, SUI_RPC_MAX_DEPTH * 4, error))
    return FALSE;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, body, length, NULL) ||
      (root = json_parser_get_root (parser)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_PARSE,
                           "The server's answer is not a JSON-RPC response");
      return FALSE;
    }

  object = json_node_get_object (root);

  if (json_object_has_member (object, "error"))
    {
      JsonNode *error_node = json_object_get_member (object, "error");
      JsonObject *error_object;
      gint64 code = SUI_RPC_ERROR_INTERNAL;
      const char *message = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (error_node))
        {
          g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_PARSE,
                               "The server's error is not an object");
          return FALSE;
        }

      error_object = json_node_get_object (error_node);
      if (json_object_has_member (error_object, "code"))
        code = json_object_get_int_member (error_object, "code");
      if (json_object_has_member (error_object, "message"))
        message = json_object_get_string_member (error_object, "message");
      if (error_data != NULL && json_object_has_member (error_object, "data"))
        *error_data = json_node_copy (json_object_get_member (error_object, "data"));

      g_set_error_literal (error, SUI_RPC_ERROR, (int) code,
                           message ? message : sui_rpc_error_default_message ((int) code));
      return FALSE;
    }

  if (!json_object_has_member (object, "result"))
    {
      g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_PARSE,
                           "The server's answer has neither result nor error");
      return FALSE;
    }

  if (result != NULL)
    *result = json_node_copy (json_object_get_member (object, "result"));
  return TRUE;
}
