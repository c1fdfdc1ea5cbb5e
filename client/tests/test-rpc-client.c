/* test-rpc-client.c: SuiRpcClient against an in-process fake server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sui-config.h"

#include <string.h>

#include "sui-fake-server.h"
#include "sui-rpc-client.h"

typedef struct
{
  SuiFakeServer *server;
  SuiRpcClient *client;
  JsonNode *result;
  JsonNode *error_data;
  GError *error;
  gboolean done;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = sui_fake_server_new ();
  f->client = sui_rpc_client_new (sui_fake_server_get_url (f->server));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_finalize_object (f->client);
  g_clear_pointer (&f->server, sui_fake_server_free);
  g_clear_pointer (&f->result, json_node_unref);
  g_clear_pointer (&f->error_data, json_node_unref);
  g_clear_error (&f->error);
}

static void
call_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Fixture *f = user_data;

  f->result = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, &f->error_data,
                                          &f->error);
  f->done = TRUE;
}

static gboolean
is_done (gpointer data)
{
  return ((Fixture *) data)->done;
}

static void
call (Fixture    *f,
      const char *method,
      const char *params_json)
{
  g_autoptr(JsonNode) params = params_json ? json_from_string (params_json, NULL) : NULL;

  g_clear_pointer (&f->result, json_node_unref);
  g_clear_pointer (&f->error_data, json_node_unref);
  g_clear_error (&f->error);
  f->done = FALSE;
  sui_rpc_client_call_async (f->client, method, params, NULL, call_cb, f);
  sui_test_wait_until (is_done, f, 10000);
}

static void
test_normalize_url (void)
{
  static const struct { const char *in; const char *out; } cases[] = {
    { "127.0.0.1:8470", "http://127.0.0.1:8470" },
    { "  http://127.0.0.1:8470/  ", "http://127.0.0.1:8470" },
    { "HTTPS://Example.ORG", "https://example.org" },
    { "http://host:81/sui/", "http://host:81/sui" },
    { "[::1]:8470", "http://[::1]:8470" },
  };
  static const char *bad[] = { "", "   ", "ftp://host", "http://", NULL };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *url = sui_rpc_client_normalize_url (cases[i].in, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (url, ==, cases[i].out);
    }

  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *url = sui_rpc_client_normalize_url (bad[i], &error);

      g_assert_null (url);
      g_assert_error (error, SUI_RPC_CLIENT_ERROR, SUI_RPC_CLIENT_ERROR_BAD_URL);
    }
}

static void
test_result_and_token (Fixture       *f,
                       gconstpointer  data)
{
  JsonObject *params;

  sui_fake_server_reply (f->server, "system.ping", "\"result\":{\"pong\":true}");

  call (f, "system.ping", NULL);
  g_assert_no_error (f->error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (f->result));
  g_assert_true (json_object_get_boolean_member (json_node_get_object (f->result), "pong"));
  g_assert_null (sui_fake_server_get_last_authorization (f->server));

  sui_rpc_client_set_token (f->client, "secret");
  call (f, "system.ping", "{\"a\":1}");
  g_assert_no_error (f->error);
  g_assert_cmpstr (sui_fake_server_get_last_authorization (f->server), ==, "Bearer secret");
  params = sui_fake_server_get_last_params (f->server, "system.ping");
  g_assert_cmpint (json_object_get_int_member (params, "a"), ==, 1);
  g_assert_cmpuint (sui_fake_server_count_calls (f->server, "system.ping"), ==, 2);
}

static void
test_validation_error_keeps_data (Fixture       *f,
                                  gconstpointer  data)
{
  JsonObject *object;

  sui_fake_server_reply (f->server, "users.create",
                         "\"error\":{\"code\":-32010,\"message\":\"输入有误\","
                         "\"data\":{\"fields\":[{\"field\":\"login\",\"code\":\"format\","
                         "\"message\":\"登录名格式不对\"}]}}");

  call (f, "users.create", "{\"login\":\"A B\"}");
  g_assert_null (f->result);
  g_assert_error (f->error, SUI_RPC_ERROR, SUI_RPC_ERROR_VALIDATION);
  g_assert_cmpstr (f->error->message, ==, "输入有误");
  g_assert_nonnull (f->error_data);
  object = json_node_get_object (f->error_data);
  g_assert_true (json_object_has_member (object, "fields"));
}

static void
test_conflict_error (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *message = NULL;

  sui_fake_server_reply (f->server, "users.update",
                         "\"error\":{\"code\":-32009,\"message\":\"版本冲突\","
                         "\"data\":{\"current_version\":3}}");

  call (f, "users.update", "{\"id\":1,\"version\":2}");
  g_assert_error (f->error, SUI_RPC_ERROR, SUI_RPC_ERROR_CONFLICT);
  message = sui_rpc_client_describe_error (f->error);
  g_assert_cmpstr (message, ==, "This record was changed by someone else. It has been reloaded; "
                                "please try again.");
}

static void
on_unauthorized (SuiRpcClient *client,
                 guint        *count)
{
  (*count)++;
}

static void
test_unauthorized_signal (Fixture       *f,
                          gconstpointer  data)
{
  guint count = 0;

  sui_fake_server_reply (f->server, "auth.whoami",
                         "\"error\":{\"code\":-32001,\"message\":\"未登录\"}");
  g_signal_connect (f->client, "unauthorized", G_CALLBACK (on_unauthorized), &count);

  /* Without a token a -32001 is a plain answer (e.g. a wrong password), not a lost session. */
  call (f, "auth.whoami", NULL);
  g_assert_error (f->error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_AUTHENTICATED);
  g_assert_cmpuint (count, ==, 0);

  sui_rpc_client_set_token (f->client, "expired");
  call (f, "auth.whoami", NULL);
  g_assert_error (f->error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_AUTHENTICATED);
  g_assert_cmpuint (count, ==, 1);
}

static void
test_http_error (Fixture       *f,
                 gconstpointer  data)
{
  sui_fake_server_set_http_status (f->server, 502);

  call (f, "system.ping", NULL);
  g_assert_error (f->error, SUI_RPC_CLIENT_ERROR, SUI_RPC_CLIENT_ERROR_HTTP);
  g_assert_nonnull (strstr (f->error->message, "502"));
}

static void
test_unreachable (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *message = NULL;

  /* Nothing listens on port 1 of the loopback. */
  sui_rpc_client_set_base_url (f->client, "http://127.0.0.1:1");
  call (f, "system.ping", NULL);
  g_assert_error (f->error, SUI_RPC_CLIENT_ERROR, SUI_RPC_CLIENT_ERROR_UNREACHABLE);
  message = sui_rpc_client_describe_error (f->error);
  g_assert_cmpstr (message, ==,
                   "Cannot reach the server. Check the server address and the network.");
}

static void
test_not_a_server (Fixture       *f,
                   gconstpointer  data)
{
  /* A server that answers 200 with something that is not JSON-RPC. */
  sui_fake_server_reply (f->server, "system.ping", "\"nothing\":1");

  call (f, "system.ping", NULL);
  g_assert_error (f->error, SUI_RPC_ERROR, SUI_RPC_ERROR_PARSE);
}

static void
test_bad_url (Fixture       *f,
              gconstpointer  data)
{
  sui_rpc_client_set_base_url (f->client, "ftp://nowhere");
  call (f, "system.ping", NULL);
  g_assert_error (f->error, SUI_RPC_CLIENT_ERROR, SUI_RPC_CLIENT_ERROR_BAD_URL);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  sui_fake_server_reply (f->server, "system.ping", "\"result\":true");
  f->done = FALSE;
  sui_rpc_client_call_async (f->client, "system.ping", NULL, cancellable, call_cb, f);
  g_cancellable_cancel (cancellable);
  sui_test_wait_until (is_done, f, 10000);
  g_assert_error (f->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/rpc-client/normalize-url", test_normalize_url);
  g_test_add ("/rpc-client/result-and-token", Fixture, NULL,
              fixture_setup, test_result_and_token, fixture_teardown);
  g_test_add ("/rpc-client/validation-error-keeps-data", Fixture, NULL,
              fixture_setup, test_validation_error_keeps_data, fixture_teardown);
  g_test_add ("/rpc-client/conflict", Fixture, NULL,
              fixture_setup, test_conflict_error, fixture_teardown);
  g_test_add ("/rpc-client/unauthorized-signal", Fixture, NULL,
              fixture_setup, test_unauthorized_signal, fixture_teardown);
  g_test_add ("/rpc-client/http-error", Fixture, NULL,
              fixture_setup, test_http_error, fixture_teardown);
  g_test_add ("/rpc-client/unreachable", Fixture, NULL,
              fixture_setup, test_unreachable, fixture_teardown);
  g_test_add ("/rpc-client/not-a-server", Fixture, NULL,
              fixture_setup, test_not_a_server, fixture_teardown);
  g_test_add ("/rpc-client/bad-url", Fixture, NULL,
              fixture_setup, test_bad_url, fixture_teardown);
  g_test_add ("/rpc-client/cancel", Fixture, NULL,
              fixture_setup, test_cancel, fixture_teardown);

  return g_test_run ();
}
