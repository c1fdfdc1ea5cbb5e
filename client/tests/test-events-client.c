/* test-events-client.c: SuiEventsClient against the real daemon: notifications of real
 * changes, the daemon going away and coming back, a refused token
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sui-config.h"

#include "sui-events-client.h"
#include "sui-test-daemon.h"

#define PASSWORD "Test@2026x"

/* One daemon for all cases; each case makes its own records. */
static SuiTestDaemon *test_daemon;
static guint serial;

typedef struct
{
  char *token;
  SuiEventsClient *events;
  char *area;
  char *id;
  guint changed;
  guint reconnected;
} Fixture;

static void
on_changed (SuiEventsClient *events,
            const char      *area,
            const char      *id,
            Fixture         *f)
{
  g_free (f->area);
  g_free (f->id);
  f->area = g_strdup (area);
  f->id = g_strdup (id);
  f->changed++;
}

static void
on_reconnected (SuiEventsClient *events,
                Fixture         *f)
{
  f->reconnected++;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *login = g_strdup_printf ("ev%u_sup", ++serial);
  g_autoptr(JsonObject) user =
    sui_test_daemon_create_user (test_daemon, login, "事件测试", "supervisor",
                                 sui_test_daemon_get_unit_id (test_daemon, "bureau"), PASSWORD);

  /* A session of its own: a test that ends it cannot disturb the next. */
  f->token = sui_test_daemon_login (test_daemon, login, PASSWORD);
  f->events = g_object_new (SUI_TYPE_EVENTS_CLIENT,
                            "base-url", sui_test_daemon_get_url (test_daemon),
                            "token", f->token,
                            "min-backoff-ms", 20,
                            "max-backoff-ms", 200,
                            NULL);
  g_signal_connect (f->events, "changed", G_CALLBACK (on_changed), f);
  g_signal_connect (f->events, "reconnected", G_CALLBACK (on_reconnected), f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  sui_events_client_stop (f->events);
  g_assert_finalize_object (f->events);
  g_free (f->token);
  g_free (f->area);
  g_free (f->id);
}

static gboolean
is_connected (gpointer data)
{
  return sui_events_client_get_connected (((Fixture *) data)->events);
}

static gboolean
is_disconnected (gpointer data)
{
  return sui_events_client_get_disconnected (((Fixture *) data)->events);
}

static gboolean
got_changed (gpointer data)
{
  return ((Fixture *) data)->changed > 0;
}

static gboolean
got_reconnected (gpointer data)
{
  return ((Fixture *) data)->reconnected > 0;
}

/* Another client (the launcher, as the admin) changes something; returns the record's id. */
static char *
change_something (const char *area)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonObject) watched = NULL;
  g_autofree char *code = g_strdup_printf ("ev%u-unit", ++serial);
  gint64 id;

  if (g_strcmp0 (area, "units") == 0)
    {
      node = sui_test_daemon_rpc (test_daemon, "units.create",
                                  "{\"code\":\"%s\",\"name\":\"事件测试单位%u\","
                                  "\"kind\":\"department\"}", code, serial);
    }
  else
    {
      id = sui_test_daemon_get_user_id (test_daemon, "watched");
      watched = sui_test_daemon_get_user (test_daemon, id);
      node = sui_test_daemon_rpc (test_daemon, "users.update",
                                  "{\"id\":%" G_GINT64_FORMAT ",\"version\":%" G_GINT64_FORMAT
                                  ",\"name\":\"改名%u\"}",
                                  id, json_object_get_int_member (watched, "version"), serial);
    }

  return g_strdup_printf ("%" G_GINT64_FORMAT,
                          json_object_get_int_member (json_node_get_object (node), "id"));
}

static void
test_changed (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *id = NULL;

  sui_events_client_start (f->events);
  sui_test_wait_until (is_connected, f, 10000);
  g_assert_false (sui_events_client_get_disconnected (f->events));

  id = change_something ("users");
  sui_test_wait_until (got_changed, f, 10000);
  g_assert_cmpstr (f->area, ==, "users");
  g_assert_cmpstr (f->id, ==, id);
}

static void
test_reconnect (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *id = NULL;

  sui_events_client_start (f->events);
  sui_test_wait_until (is_connected, f, 10000);

  /* The daemon goes away: the client says so and keeps trying while it is gone. */
  sui_test_daemon_stop_daemon (test_daemon);
  sui_test_wait_until (is_disconnected, f, 10000);
  g_assert_false (sui_events_client_get_connected (f->events));
  g_assert_cmpuint (f->reconnected, ==, 0);

  /* It comes back: so does the client, by itself, and it hears of changes again. */
  sui_test_daemon_start_daemon (test_daemon);
  sui_test_wait_until (got_reconnected, f, 10000);
  g_assert_true (sui_events_client_get_connected (f->events));
  g_assert_false (sui_events_client_get_disconnected (f->events));

  id = change_something ("units");
  sui_test_wait_until (got_changed, f, 10000);
  g_assert_cmpstr (f->area, ==, "units");
  g_assert_cmpstr (f->id, ==, id);
}

static gboolean
attempted_and_refused (gpointer data)
{
  return sui_events_client_get_disconnected (SUI_EVENTS_CLIENT (data));
}

/* The daemon refuses the handshake without a valid token: the token is what lets a client in. */
static void
test_token_refused (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(JsonNode) logged_out = NULL;
  g_autoptr(GError) error = NULL;

  logged_out = sui_test_daemon_rpc_full (test_daemon, f->token, "auth.logout", "{}", NULL,
                                         &error);
  g_assert_no_error (error);

  sui_events_client_start (f->events);
  sui_test_wait_until (attempted_and_refused, f->events, 10000);
  g_assert_false (sui_events_client_get_connected (f->events));
}

static gboolean
events_disconnected (gpointer data)
{
  return sui_events_client_get_disconnected (SUI_EVENTS_CLIENT (data));
}

static void
test_server_down (void)
{
  SuiEventsClient *events;

  events = g_object_new (SUI_TYPE_EVENTS_CLIENT,
                         "base-url", "http://127.0.0.1:1",
                         "min-backoff-ms", 20,
                         NULL);
  sui_events_client_start (events);
  sui_test_wait_until (events_disconnected, events, 10000);
  g_assert_false (sui_events_client_get_connected (events));

  sui_events_client_stop (events);
  g_assert_false (sui_events_client_get_disconnected (events));
  g_assert_finalize_object (events);
}

int
main (int   argc,
      char *argv[])
{
  /* The user whose changes the cases watch for. */
  static const char * const args[] = {
    "--user", "watched:inspector:bureau:" PASSWORD ":被观察的人", NULL
  };
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add ("/events-client/changed", Fixture, NULL,
              fixture_setup, test_changed, fixture_teardown);
  g_test_add ("/events-client/reconnect", Fixture, NULL,
              fixture_setup, test_reconnect, fixture_teardown);
  g_test_add ("/events-client/token-refused", Fixture, NULL,
              fixture_setup, test_token_refused, fixture_teardown);
  g_test_add_func ("/events-client/server-down", test_server_down);

  test_daemon = sui_test_daemon_new (args);
  status = g_test_run ();
  g_clear_pointer (&test_daemon, sui_test_daemon_free);

  return status;
}
