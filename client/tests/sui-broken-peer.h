/* sui-broken-peer.h: an HTTP peer that misbehaves on purpose
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The faults the real daemon never produces but a client meets in the field. */
typedef enum
{
  /* Every request gets HTTP 502, as from a proxy whose backend is down. */
  SUI_BROKEN_PEER_BAD_GATEWAY,
  /* Every request gets HTTP 200 with a JSON body that is not a JSON-RPC answer, as from some
   * other web service behind the address. */
  SUI_BROKEN_PEER_NOT_JSON_RPC,
} SuiBrokenPeerFault;

typedef struct _SuiBrokenPeer SuiBrokenPeer;

SuiBrokenPeer *sui_broken_peer_new      (SuiBrokenPeerFault  fault);
void           sui_broken_peer_free     (SuiBrokenPeer      *self);
const char    *sui_broken_peer_get_url  (SuiBrokenPeer      *self);
guint          sui_broken_peer_get_hits (SuiBrokenPeer      *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SuiBrokenPeer, sui_broken_peer_free)

G_END_DECLS
