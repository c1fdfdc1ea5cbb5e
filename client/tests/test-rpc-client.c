/* test-rpc-client.c: SuiRpcClient against the real daemon, and against a broken peer for the
 * transport faults the daemon never produces
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sui-config.h"

#include <string.h>

#include "sui-broken-peer.h"
#include "sui-rpc-client.h"
#include "sui-test-daemon.h"

#define PASSWORD "Test@2026x"

/* One daemon for all cases; each case makes its own records. */
static SuiTestDaemon *test_daemon;
static guint serial;

typedef struct
{
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
  f->client = sui_rpc_client_new (sui_test_daemon_get_url (test_daemon));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_finalize_object (f->client);
  g_clear_pointer (&f->result, json_node_unref);
  g_clear_pointer (&f->error_data, json_node_unref);
  g_clear_error (&f->error);
}

/* A user of this case only, as the test_daemon created it. */
static JsonObject *
new_user (const char *role)
{
  g_autofree char *login = g_strdup_printf ("rpc%u_%s", ++serial, role);

  return sui_test_daemon_create_user (test_daemon, login, "测试用户", role,
                                      sui_test_daemon_get_unit_id (test_daemon, "bureau"),
                                      PASSWORD);
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
  g_autoptr(JsonObject) user = new_user ("inspector");
  const char *login = json_object_get_string_member (user, "login");
  g_autofree char *params = g_strdup_printf ("{\"login\":\"%s\",\"password\":\"%s\"}",
                                             login, PASSWORD);
  JsonObject *object;

  call (f, "system.ping", NULL);
  g_assert_no_error (f->error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (f->result));
  g_assert_true (json_object_get_boolean_member (json_node_get_object (f->result), "pong"));

  /* Without a token the client is nobody. */
  call (f, "auth.whoami", NULL);
  g_assert_error (f->error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_AUTHENTICATED);

  /* The params reach the test_daemon by name: the login succeeds only with both. */
  call (f, "auth.login", params);
  g_assert_no_error (f->error);
  object = json_node_get_object (f->result);
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (object, "user"), "login"), ==, login);

  /* The token goes along with every later call. */
  sui_rpc_client_set_token (f->client, json_object_get_string_member (object, "token"));
  call (f, "auth.whoami", NULL);
  g_assert_no_error (f->error);
  object = json_object_get_object_member (json_node_get_object (f->result), "user");
  g_assert_cmpint (json_object_get_int_member (object, "id"), ==,
                   json_object_get_int_member (user, "id"));
  g_assert_cmpstr (json_object_get_string_member (object, "login"), ==, login);
}

static void
login_as_admin (Fixture *f)
{
  const char *password = sui_test_daemon_get_password (test_daemon, "admin");
  g_autofree char *token = sui_test_daemon_login (test_daemon, "admin", password);

  sui_rpc_client_set_token (f->client, token);
}

static void
test_validation_error_keeps_data (Fixture       *f,
                                  gconstpointer  data)
{
  g_autofree char *params = NULL;
  g_autofree char *count = NULL;
  JsonObject *object;
  JsonArray *fields;

  login_as_admin (f);
  params = g_strdup_printf ("{\"login\":\"A B\",\"name\":\"王五\",\"role\":\"inspector\","
                            "\"unit_id\":%" G_GINT64_FORMAT ",\"password\":\"%s\"}",
                            sui_test_daemon_get_unit_id (test_daemon, "bureau"), PASSWORD);

  call (f, "users.create", params);
  g_assert_null (f->result);
  g_assert_error (f->error, SUI_RPC_ERROR, SUI_RPC_ERROR_VALIDATION);
  g_assert_cmpstr (f->error->message, !=, "");
  g_assert_nonnull (f->error_data);
  object = json_node_get_object (f->error_data);
  g_assert_true (json_object_has_member (object, "fields"));
  fields = json_object_get_array_member (object, "fields");
  g_assert_cmpuint (json_array_get_length (fields), ==, 1);
  object = json_array_get_object_element (fields, 0);
  g_assert_cmpstr (json_object_get_string_member (object, "field"), ==, "login");
  g_assert_cmpstr (json_object_get_string_member (object, "message"), !=, "");

  /* Nothing was created. */
  count = sui_test_daemon_psql (test_daemon, "select count(*) from app_user where name = '王五'");
  g_assert_cmpstr (count, ==, "0");
}

static void
test_conflict_error (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(JsonObject) user = new_user ("inspector");
  g_autoptr(JsonObject) now = NULL;
  g_autoptr(JsonNode) changed = NULL;
  g_autofree char *message = NULL;
  g_autofree char *params = NULL;
  gint64 id = json_object_get_int_member (user, "id");

  g_assert_cmpint (json_object_get_int_member (user, "version"), ==, 1);

  /* Someone else saves first. */
  changed = sui_test_daemon_rpc (test_daemon, "users.update",
                                 "{\"id\":%" G_GINT64_FORMAT ",\"version\":1,"
                                 "\"name\":\"别人改的\"}", id);

  login_as_admin (f);
  params = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT ",\"version\":1,\"name\":\"我改的\"}",
                            id);
  call (f, "users.update", params);
  g_assert_error (f->error, SUI_RPC_ERROR, SUI_RPC_ERROR_CONFLICT);
  g_assert_nonnull (f->error_data);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (f->error_data),
                                               "current_version"), ==, 2);
  message = sui_rpc_client_describe_error (f->error);
  g_assert_cmpstr (message, ==, "This record was changed by someone else. It has been reloaded; "
                                "please try again.");

  /* The stale save changed nothing. */
  now = sui_test_daemon_get_user (test_daemon, id);
  g_assert_cmpstr (json_object_get_string_member (now, "name"), ==, "别人改的");
  g_assert_cmpint (json_object_get_int_member (now, "version"), ==, 2);
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
  g_autoptr(JsonObject) user = new_user ("supervisor");
  g_autoptr(JsonNode) logged_out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  guint count = 0;

  g_signal_connect (f->client, "unauthorized", G_CALLBACK (on_unauthorized), &count);

  /* Without a token a -32001 is a plain answer (e.g. a wrong password), not a lost session. */
  call (f, "auth.whoami", NULL);
  g_assert_error (f->error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_AUTHENTICATED);
  g_assert_cmpuint (count, ==, 0);

  /* A session that was good and has ended elsewhere. */
  token = sui_test_daemon_login (test_daemon, json_object_get_string_member (user, "login"),
                                 PASSWORD);
  sui_rpc_client_set_token (f->client, token);
  call (f, "auth.whoami", NULL);
  g_assert_no_error (f->error);
  g_assert_cmpuint (count, ==, 0);

  logged_out = sui_test_daemon_rpc_full (test_daemon, token, "auth.logout", "{}", NULL, &error);
  g_assert_no_error (error);

  call (f, "auth.whoami", NULL);
  g_assert_error (f->error, SUI_RPC_ERROR, SUI_RPC_ERROR_NOT_AUTHENTICATED);
  g_assert_cmpuint (count, ==, 1);
}

static void
test_http_error (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(SuiBrokenPeer) peer = sui_broken_peer_new (SUI_BROKEN_PEER_BAD_GATEWAY);

  sui_rpc_client_set_base_url (f->client, sui_broken_peer_get_url (peer));
  call (f, "system.ping", NULL);
  g_assert_cmpuint (sui_broken_peer_get_hits (peer), ==, 1);
  g_assert_error (f->error, SUI_RPC_CLIENT_ERROR, SUI_RPC_CLIENT_ERROR_HTTP);
  g_assert_nonnull (strstr (f->error->message, "502"));
}

static void
test_unreachable (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *message = NULL;

  /* Nothing listens on port 1 of the loopback: the connection is refused. */
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
  g_autoptr(SuiBrokenPeer) peer = sui_broken_peer_new (SUI_BROKEN_PEER_NOT_JSON_RPC);

  /* A server that answers 200 with something that is not JSON-RPC. */
  sui_rpc_client_set_base_url (f->client, sui_broken_peer_get_url (peer));
  call (f, "system.ping", NULL);
  g_assert_cmpuint (sui_broken_peer_get_hits (peer), ==, 1);
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
  int status;

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

  test_daemon = sui_test_daemon_new (NULL);
  status = g_test_run ();
  g_clear_pointer (&test_daemon, sui_test_daemon_free);

  return status;
}
