/* sui-rpc-client.h: asynchronous JSON-RPC client of shuangsuid
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "sui-rpc.h"

G_BEGIN_DECLS

/* Faults below JSON-RPC: the server could not be reached or did not speak the protocol.
 * Answers the server did give arrive in SUI_RPC_ERROR with the server's code. */
#define SUI_RPC_CLIENT_ERROR (sui_rpc_client_error_quark ())

typedef enum
{
  SUI_RPC_CLIENT_ERROR_UNREACHABLE,
  SUI_RPC_CLIENT_ERROR_HTTP,
  SUI_RPC_CLIENT_ERROR_BAD_URL,
} SuiRpcClientError;

#define SUI_DEFAULT_SERVER_URL "http://127.0.0.1:8470"

#define SUI_TYPE_RPC_CLIENT (sui_rpc_client_get_type ())

G_DECLARE_FINAL_TYPE (SuiRpcClient, sui_rpc_client, SUI, RPC_CLIENT, GObject)

GQuark        sui_rpc_client_error_quark      (void);

SuiRpcClient *sui_rpc_client_new              (const char          *base_url);
const char   *sui_rpc_client_get_base_url     (SuiRpcClient        *self);
void          sui_rpc_client_set_base_url     (SuiRpcClient        *self,
                                               const char          *base_url);
const char   *sui_rpc_client_get_token        (SuiRpcClient        *self);
void          sui_rpc_client_set_token        (SuiRpcClient        *self,
                                               const char          *token);
void          sui_rpc_client_call_async       (SuiRpcClient        *self,
                                               const char          *method,
                                               JsonNode            *params,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
JsonNode     *sui_rpc_client_call_finish      (SuiRpcClient        *self,
                                               GAsyncResult        *result,
                                               JsonNode           **error_data,
                                               GError             **error);

void          sui_rpc_client_upload_async     (SuiRpcClient        *self,
                                               GFile               *file,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
JsonObject   *sui_rpc_client_upload_finish    (SuiRpcClient        *self,
                                               GAsyncResult        *result,
                                               GError             **error);

char         *sui_rpc_client_normalize_url    (const char          *text,
                                               GError             **error);
char         *sui_rpc_client_describe_error   (const GError        *error);

G_END_DECLS
