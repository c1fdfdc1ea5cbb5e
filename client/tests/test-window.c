/* test-window.c: the main window: areas by role, log out, lost connection, expired session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sui-config.h"

#include <adwaita.h>
#include <stdio.h>

#include "sui-fake-server.h"
#include "sui-rpc-client.h"
#include "sui-window.h"

#define UNITS "\"result\":{\"items\":[{\"id\":1,\"parent_id\":null,\"code\":\"sjz\"," \
  "\"name\":\"市局\",\"kind\":\"bureau\",\"disabled\":false,\"version\":1}]}"
#define USERS "\"result\":{\"items\":[],\"next_after\":null}"
#define UNIT "\"result\":{\"id\":2,\"parent_id\":1,\"code\":\"changan\",\"name\":\"长安区烟草专卖局\"," \
  "\"kind\":\"direct\",\"disabled\":false,\"version\":1}"

typedef struct
{
  SuiFakeServer *server;
  SuiRpcClient *client;
  SuiWindow *window;
} Fixture;

static void
open_window (Fixture    *f,
             const char *role)
{
  g_autofree char *text =
    g_strdup_printf ("{\"id\":5,\"login\":\"someone\",\"name\":\"某人\",\"role\":\"%s\","
                     "\"unit_id\":2,\"unit_name\":\"长安区烟草专卖局\",\"version\":1}", role);
  g_autoptr(JsonNode) user = json_from_string (text, NULL);

  f->window = g_object_ref (sui_window_new (NULL, f->client, user));
  gtk_window_present (GTK_WINDOW (f->window));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = sui_fake_server_new ();
  sui_fake_server_reply (f->server, "units.list", UNITS);
  sui_fake_server_reply (f->server, "users.list", USERS);
  sui_fake_server_reply (f->server, "units.get", UNIT);
  sui_fake_server_reply (f->server, "auth.logout", "\"result\":true");
  f->client = sui_rpc_client_new (sui_fake_server_get_url (f->server));
  sui_rpc_client_set_token (f->client, "tok");
}

/* gtk_window_destroy() drops the window from the toplevels; our own reference keeps the
 * object (and "destroy" unsent) until the teardown. */
static gboolean
is_destroyed (gpointer data)
{
  Fixture *f = data;
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (window == G_OBJECT (f->window))
        return FALSE;
    }

  return TRUE;
}

static gboolean
has_been_asked (gpointer data)
{
  Fixture *f = data;

  return sui_fake_server_count_calls (f->server, "units.get") > 0;
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (!is_destroyed (f))
    gtk_window_destroy (GTK_WINDOW (f->window));

  /* Calls still under way hold the window's pages; let their cancellation come through. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (f->window);
  g_assert_finalize_object (f->client);
  g_clear_pointer (&f->server, sui_fake_server_free);
}

static void
test_admin_areas (Fixture       *f,
                  gconstpointer  data)
{
  open_window (f, "admin");
  g_assert_cmpstr (sui_window_get_visible_area (f->window), ==, "admin");
  sui_window_set_visible_area (f->window, "account");
  g_assert_cmpstr (sui_window_get_visible_area (f->window), ==, "account");
  sui_test_wait_until (has_been_asked, f, 10000);
}

static void
test_supervisor_areas (Fixture       *f,
                       gconstpointer  data)
{
  open_window (f, "supervisor");
  g_assert_cmpstr (sui_window_get_visible_area (f->window), ==, "account");

  /* There is no administration area to switch to. */
  sui_window_set_visible_area (f->window, "admin");
  g_assert_cmpstr (sui_window_get_visible_area (f->window), ==, "account");
  sui_test_wait_until (has_been_asked, f, 10000);
}

static void
test_logout (Fixture       *f,
             gconstpointer  data)
{
  open_window (f, "inspector");
  sui_test_wait_until (has_been_asked, f, 10000);

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.logout", NULL);
  sui_test_wait_until (is_destroyed, f, 10000);
  g_assert_cmpuint (sui_fake_server_count_calls (f->server, "auth.logout"), ==, 1);
  g_assert_null (sui_rpc_client_get_token (f->client));
}

static void
test_session_expired (Fixture       *f,
                      gconstpointer  data)
{
  sui_fake_server_clear_replies (f->server, "units.get");
  sui_fake_server_reply (f->server, "units.get",
                         "\"error\":{\"code\":-32001,\"message\":\"登录已过期\"}");

  /* The account page's first call is refused: the window gives up the session. */
  open_window (f, "inspector");
  sui_test_wait_until (is_destroyed, f, 10000);
  g_assert_null (sui_rpc_client_get_token (f->client));
}

static gboolean
banner_shown (gpointer data)
{
  return sui_window_get_connection_lost (((Fixture *) data)->window);
}

static gboolean
banner_hidden (gpointer data)
{
  Fixture *f = data;

  return !sui_window_get_connection_lost (f->window) &&
         sui_fake_server_get_n_event_clients (f->server) > 0;
}

static void
test_connection_banner (Fixture       *f,
                        gconstpointer  data)
{
  open_window (f, "supervisor");
  sui_test_wait_until (banner_hidden, f, 10000);

  g_object_set (sui_window_get_events (f->window), "min-backoff-ms", 300, NULL);
  sui_fake_server_close_events (f->server);
  sui_test_wait_until (banner_shown, f, 10000);

  /* It reconnects by itself and the banner goes away. */
  sui_test_wait_until (banner_hidden, f, 10000);
}

int
main (int   argc,
      char *argv[])
{
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      printf ("1..0 # SKIP no display (run under Xvfb, e.g. through scripts/test)\n");
      return 0;
    }

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/window/admin-areas", Fixture, NULL,
              fixture_setup, test_admin_areas, fixture_teardown);
  g_test_add ("/window/supervisor-areas", Fixture, NULL,
              fixture_setup, test_supervisor_areas, fixture_teardown);
  g_test_add ("/window/logout", Fixture, NULL,
              fixture_setup, test_logout, fixture_teardown);
  g_test_add ("/window/session-expired", Fixture, NULL,
              fixture_setup, test_session_expired, fixture_teardown);
  g_test_add ("/window/connection-banner", Fixture, NULL,
              fixture_setup, test_connection_banner, fixture_teardown);

  return g_test_run ();
}
