/* test-events-client.c: SuiEventsClient: notifications, a dropped line, reconnection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sui-config.h"

#include "sui-events-client.h"
#include "sui-fake-server.h"

typedef struct
{
  SuiFakeServer *server;
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
  f->server = sui_fake_server_new ();
  f->events = g_object_new (SUI_TYPE_EVENTS_CLIENT,
                            "base-url", sui_fake_server_get_url (f->server),
                            "token", "tok",
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
  g_clear_pointer (&f->server, sui_fake_server_free);
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
server_has_client (gpointer data)
{
  return sui_fake_server_get_n_event_clients (((Fixture *) data)->server) > 0;
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

static void
test_changed (Fixture       *f,
              gconstpointer  data)
{
  sui_events_client_start (f->events);
  sui_test_wait_until (is_connected, f, 10000);
  sui_test_wait_until (server_has_client, f, 10000);
  g_assert_false (sui_events_client_get_disconnected (f->events));
  g_assert_cmpstr (sui_fake_server_get_last_authorization (f->server), ==, "Bearer tok");

  sui_fake_server_send_event (f->server, "users", "12");
  sui_test_wait_until (got_changed, f, 10000);
  g_assert_cmpstr (f->area, ==, "users");
  g_assert_cmpstr (f->id, ==, "12");
}

static void
test_reconnect (Fixture       *f,
                gconstpointer  data)
{
  sui_events_client_start (f->events);
  sui_test_wait_until (is_connected, f, 10000);
  sui_test_wait_until (server_has_client, f, 10000);

  /* The server drops the line: the client says so, then comes back by itself. */
  sui_fake_server_close_events (f->server);
  sui_test_wait_until (is_disconnected, f, 10000);
  g_assert_false (sui_events_client_get_connected (f->events));

  sui_test_wait_until (got_reconnected, f, 10000);
  g_assert_true (sui_events_client_get_connected (f->events));
  g_assert_false (sui_events_client_get_disconnected (f->events));

  sui_fake_server_send_event (f->server, "units", "3");
  sui_test_wait_until (got_changed, f, 10000);
  g_assert_cmpstr (f->area, ==, "units");
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
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/events-client/changed", Fixture, NULL,
              fixture_setup, test_changed, fixture_teardown);
  g_test_add ("/events-client/reconnect", Fixture, NULL,
              fixture_setup, test_reconnect, fixture_teardown);
  g_test_add_func ("/events-client/server-down", test_server_down);

  return g_test_run ();
}
