/* bench-client-list.c: the desk client's object register over 100 000 objects
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Issue 3: "100 000 objects must feel instant: page through the server by keyset, never
 * load everything at once".  Starts the real daemon on a throwaway cluster
 * (tests/lib/daemon-for-tests.py), fills one unit with N objects in SQL, and shows the real
 * SuiObjectsPage in a window as that unit's supervisor, timing what a user waits for:
 *
 *   - the page built until its first rows and the total count are shown;
 *   - each further page while scrolling to the end of the list (keyset paging);
 *   - a text search and a district filter until their rows and count are shown;
 *   - the resident memory of the process after it all.
 *
 * The baseline, in the same process, is what a client that loads everything would do:
 * fetch all N objects over the same RPC in pages of the server's maximum, keeping them.
 * By hand, on a display (e.g. under xvfb-run):
 *
 *     SUI_SOURCE_ROOT=$PWD SUI_BUILD_ROOT=$PWD/build build/tests/bench/bench-client-list [N] [PAGES]
 */
#include "sui-config.h"

#include <adwaita.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sui-i18n.h"
#include "sui-objects-page.h"
#include "sui-rpc-client.h"
#include "sui-test-daemon.h"

#define PASSWORD "Bench@2026"

typedef struct
{
  SuiObjectsPage *page;
  guint           want;
} Wait;

static gboolean
page_settled (gpointer data)
{
  Wait *w = data;

  return sui_objects_page_get_ready (w->page) && !sui_objects_page_get_loading (w->page) &&
         g_list_model_get_n_items (sui_objects_page_get_objects (w->page)) >= w->want;
}

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

static long
rss_kib (const char *field)
{
  g_autofree char *status = NULL;
  const char *at;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (at = strstr (status, field)) == NULL)
    return -1;
  return strtol (at + strlen (field), NULL, 10);
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* Waits for the page to settle with at least `want` rows; returns the milliseconds. */
static double
settle (SuiObjectsPage *page,
        guint           want)
{
  Wait w = { page, want };
  double start = now_ms ();

  /* Let the change reach the page before asking whether it settled. */
  g_main_context_iteration (NULL, FALSE);
  while (!page_settled (&w))
    {
      if (now_ms () - start > 120000)
        g_error ("the page did not settle: ready %d, loading %d, %u rows, message %s",
                 sui_objects_page_get_ready (page), sui_objects_page_get_loading (page),
                 g_list_model_get_n_items (sui_objects_page_get_objects (page)),
                 sui_objects_page_get_last_message (page));
      g_main_context_iteration (NULL, TRUE);
    }
  return now_ms () - start;
}

typedef struct
{
  GMainLoop *loop;
  JsonNode  *result;
  GError    *error;
} Call;

static void
call_done (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  Call *c = data;

  c->result = sui_rpc_client_call_finish (SUI_RPC_CLIENT (source), result, NULL, &c->error);
  g_main_loop_quit (c->loop);
}

/* The baseline: every object of the unit over objects.list, kept in memory. */
static guint
load_everything (SuiRpcClient *client,
                 GPtrArray    *kept)
{
  gint64 after = 0;
  guint pages = 0;

  for (;;)
    {
      g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) params = NULL;
      Call c = { loop, NULL, NULL };
      JsonObject *answer;
      JsonArray *items;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "limit");
      json_builder_add_int_value (b, 1000);
      if (after > 0)
        {
          json_builder_set_member_name (b, "after");
          json_builder_add_int_value (b, after);
        }
      json_builder_end_object (b);
      params = json_builder_get_root (b);
      sui_rpc_client_call_async (client, "objects.list", params, NULL, call_done, &c);
      g_main_loop_run (loop);
      if (c.error != NULL)
        g_error ("objects.list: %s", c.error->message);
      answer = json_node_get_object (c.result);
      items = json_object_get_array_member (answer, "items");
      pages++;
      for (guint i = 0; i < json_array_get_length (items); i++)
        g_ptr_array_add (kept, json_node_copy (json_array_get_element (items, i)));
      if (json_object_get_null_member (answer, "next_after") ||
          json_array_get_length (items) == 0)
        {
          json_node_unref (c.result);
          return pages;
        }
      after = json_object_get_int_member (answer, "next_after");
      json_node_unref (c.result);
    }
}

int
main (int   argc,
      char *argv[])
{
  static const char * const args[] = {
    "--unit", "bench:direct:基准区烟草专卖局",
    "--user", "bench_sup:supervisor:bench:" PASSWORD ":基准监管员",
    NULL,
  };
  guint n_objects = argc > 1 ? (guint) atoi (argv[1]) : 100000;
  guint n_pages = argc > 2 ? (guint) atoi (argv[2]) : 20;
  g_autoptr(SuiTestDaemon) daemon = NULL;
  g_autoptr(SuiRpcClient) client = NULL;
  g_autoptr(GPtrArray) kept = NULL;
  g_autofree char *token = NULL;
  g_autofree char *fill = NULL;
  g_autofree char *out = NULL;
  g_autofree double *scroll = NULL;
  GtkWindow *window;
  SuiObjectsPage *page;
  GtkAdjustment *adjustment;
  double first, search, district, everything, start;
  long rss_before, rss_page, rss_all;
  guint rows, pages;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      fprintf (stderr, "bench-client-list needs a display (run it under xvfb-run)\n");
      return 1;
    }
  setvbuf (stdout, NULL, _IOLBF, 0);
  gtk_init ();
  sui_i18n_init ();
  adw_init ();

  daemon = sui_test_daemon_new (args);
  fill = g_strdup_printf ("insert into object (type, licence_no, name, legal_rep, address,"
                          "                    unit_id, district, risk_class)"
                          " select 'retail', (130100000000 + g)::text,"
                          "        (array['惠民','好运','家家乐','诚信','万福'])[1 + g %% 5]"
                          "        || '便利店' || g,"
                          "        '张' || g, '基准路' || g || '号',"
                          "        (select id from unit where code = 'bench'),"
                          "        (array['长安区','桥西区','新华区','裕华区'])[1 + g %% 4],"
                          "        (array['A','B','C','D'])[1 + g %% 4]"
                          "   from generate_series (1, %u) g; analyze object;", n_objects);
  start = now_ms ();
  out = sui_test_daemon_psql (daemon, fill);
  if (strstr (out, "ERROR") != NULL)
    g_error ("filling the register failed: %s", out);
  printf ("# filled %u objects in %.1f s\n", n_objects, (now_ms () - start) / 1000);

  token = sui_test_daemon_login (daemon, "bench_sup", PASSWORD);
  client = sui_rpc_client_new (sui_test_daemon_get_url (daemon));
  sui_rpc_client_set_token (client, token);
  rss_before = rss_kib ("VmRSS:");

  /* The page as the user opens it. */
  start = now_ms ();
  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 1280, 800);
  page = sui_objects_page_new (client, NULL, FALSE);
  gtk_window_set_child (window, GTK_WIDGET (page));
  gtk_window_present (window);
  settle (page, 1);
  first = now_ms () - start;
  rows = g_list_model_get_n_items (sui_objects_page_get_objects (page));
  g_assert_cmpint (sui_objects_page_get_total (page), ==, n_objects);

  /* Scrolling down page by page. */
  adjustment = sui_objects_page_get_vadjustment (page);
  scroll = g_new0 (double, n_pages);
  for (guint i = 0; i < n_pages; i++)
    {
      guint have = g_list_model_get_n_items (sui_objects_page_get_objects (page));

      /* The rows of the last page laid out, the list can scroll to their end. */
      while (gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment)
             <= gtk_adjustment_get_value (adjustment) + 1)
        g_main_context_iteration (NULL, TRUE);
      start = now_ms ();
      gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
      settle (page, have + 1);
      scroll[i] = now_ms () - start;
    }
  qsort (scroll, n_pages, sizeof *scroll, compare_doubles);
  rss_page = rss_kib ("VmRSS:");

  /* A search, then a district on top of it: rows and count back from the server. */
  start = now_ms ();
  sui_objects_page_set_search (page, "好运便利店7");
  settle (page, 1);
  search = now_ms () - start;
  start = now_ms ();
  sui_objects_page_set_district (page, "桥西区");
  settle (page, 0);
  district = now_ms () - start;

  /* The baseline: everything, in the same process. */
  kept = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  start = now_ms ();
  pages = load_everything (client, kept);
  everything = now_ms () - start;
  rss_all = rss_kib ("VmRSS:");
  g_assert_cmpuint (kept->len, ==, n_objects);

  printf ("objects in the unit                          %8u\n", n_objects);
  printf ("first page shown with count (%4u rows)      %8.1f ms\n", rows, first);
  printf ("next page while scrolling (%2u pages)  median %8.1f ms   max %8.1f ms\n",
          n_pages, scroll[n_pages / 2], scroll[n_pages - 1]);
  printf ("text search shown with count                 %8.1f ms   (%" G_GINT64_FORMAT
          " matches)\n", search, sui_objects_page_get_total (page));
  printf ("district added to the search                 %8.1f ms\n", district);
  printf ("resident memory: before %ld KiB, after the page and %u scrolls %ld KiB\n",
          rss_before, n_pages, rss_page);
  printf ("baseline: load all %u objects (%u calls)    %8.1f ms, resident %ld KiB\n",
          n_objects, pages, everything, rss_all);
  printf ("baseline / first page                        %8.1f x\n", everything / first);

  gtk_window_destroy (window);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return 0;
}
