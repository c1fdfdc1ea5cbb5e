/* sui-rpc.h: the JSON-RPC 2.0 envelope shared by shuangsuid and the desktop client
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * No I/O happens here: the daemon hands in the bytes of a POST body and gets back
 * the requests it holds; the client builds requests and reads responses.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define SUI_RPC_ERROR (sui_rpc_error_quark ())

/* The values are the codes that travel on the wire. */
typedef enum
{
  SUI_RPC_ERROR_PARSE = -32700,
  SUI_RPC_ERROR_INVALID_REQUEST = -32600,
  SUI_RPC_ERROR_METHOD_NOT_FOUND = -32601,
  SUI_RPC_ERROR_INVALID_PARAMS = -32602,
  SUI_RPC_ERROR_INTERNAL = -32603,
  SUI_RPC_ERROR_NOT_AUTHENTICATED = -32001,
  SUI_RPC_ERROR_FORBIDDEN = -32003,
  SUI_RPC_ERROR_NOT_FOUND = -32004,
  SUI_RPC_ERROR_CONFLICT = -32009,
  SUI_RPC_ERROR_VALIDATION = -32010,
  SUI_RPC_ERROR_STATE = -32011,
} SuiRpcErrorCode;

/* Deeper JSON than this is refused before json-glib sees it: its parser recurses. */
#define SUI_RPC_MAX_DEPTH 64

typedef struct
{
  char *method;     /* NULL when the entry is invalid */
  JsonNode *params; /* an object node, or NULL when absent */
  JsonNode *id;     /* NULL for a notification; a null node for "id": null */
  GError *error;    /* set when the entry is not a valid request */
} SuiRpcRequest;

GQuark         sui_rpc_error_quark          (void);
const char    *sui_rpc_error_default_message (int code);

void           sui_rpc_request_free         (SuiRpcRequest *request);
gboolean       sui_rpc_request_is_notification (const SuiRpcRequest *request);

gboolean       sui_rpc_check_json_text      (const char  *text,
                                             gsize        length,
                                             guint        max_depth,
                                             GError     **error);
GPtrArray     *sui_rpc_parse_body           (const char  *body,
                                             gsize        length,
                                             gboolean    *is_batch,
                                             GError     **error);

JsonNode      *sui_rpc_result_new           (JsonNode    *id,
                                             JsonNode    *result);
JsonNode      *sui_rpc_error_new            (JsonNode    *id,
                                             int          code,
                                             const char  *message,
                                             JsonNode    *data);
char          *sui_rpc_to_string            (JsonNode    *node,
                                             gsize       *length);

char          *sui_rpc_request_to_string    (const char  *method,
                                             JsonNode    *params,
                                             gint64       id);
gboolean       sui_rpc_parse_response       (const char  *body,
                                             gsize        length,
                                             JsonNode   **result,
                                             JsonNode   **error_data,
                                             GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SuiRpcRequest, sui_rpc_request_free)

G_END_DECLS
