/* sui-broken-peer.c: an HTTP peer that misbehaves on purpose
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything the daemon really answers is tested against the real daemon
 * (sui-test-daemon.c). This in-process SoupServer is only for the transport faults that the
 * daemon cannot be made to produce — a gateway error, a body that is not JSON-RPC — so that
 * the client's handling of them stays tested. A refused connection needs no peer at all:
 * nothing listens on port 1 of the loopback.
 */
#include "sui-config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "sui-broken-peer.h"

struct _SuiBrokenPeer
{
  SoupServer *server;
  char *url;
  SuiBrokenPeerFault fault;
  guint hits;
};

static void
handler (SoupServer        *server,
         SoupServerMessage *message,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  static const char not_json_rpc[] = "{\"status\":\"ok\",\"nothing\":1}";
  SuiBrokenPeer *self = user_data;

  self->hits++;

  switch (self->fault)
    {
    case SUI_BROKEN_PEER_BAD_GATEWAY:
      soup_server_message_set_status (message, SOUP_STATUS_BAD_GATEWAY, NULL);
      break;

    case SUI_BROKEN_PEER_NOT_JSON_RPC:
    default:
      soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (message, "application/json", SOUP_MEMORY_STATIC,
                                        not_json_rpc, strlen (not_json_rpc));
      break;
    }
}

SuiBrokenPeer *
sui_broken_peer_new (SuiBrokenPeerFault fault)
{
  g_autoptr(GError) error = NULL;
  SuiBrokenPeer *self = g_new0 (SuiBrokenPeer, 1);
  GSList *uris;

  self->fault = fault;
  self->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (self->server, NULL, handler, self, NULL);

  soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (self->server);
  self->url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  return self;
}

void
sui_broken_peer_free (SuiBrokenPeer *self)
{
  if (self == NULL)
    return;

  soup_server_disconnect (self->server);
  g_object_unref (self->server);
  g_free (self->url);
  g_free (self);
}

const char *
sui_broken_peer_get_url (SuiBrokenPeer *self)
{
  return self->url;
}

/* How many requests reached the peer: proves a test's request really met the fault. */
guint
sui_broken_peer_get_hits (SuiBrokenPeer *self)
{
  return self->hits;
}
