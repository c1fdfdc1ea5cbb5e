# SPDX-License-Identifier: GPL-3.0-or-later
"""WebSocket /events: authenticated, pushes `changed {area, id}` fed by LISTEN/NOTIFY."""

import base64
import hashlib
import json
import os
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                                'tests', 'lib'))
import suitest  # noqa: E402

WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'


class HandshakeRefused(Exception):
    def __init__(self, status, head):
        super().__init__('handshake refused with HTTP %d' % status)
        self.status = status
        self.head = head


class WebSocket:
    """A minimal RFC 6455 client: handshake, masked frames out, unmasked frames in."""

    def __init__(self, d, token=None, query_token=None, timeout=10):
        self.sock = socket.create_connection((d.host, d.port), timeout=timeout)
        self.buf = b''
        key = base64.b64encode(os.urandom(16)).decode()
        path = '/events'
        if query_token is not None:
            path += '?token=' + query_token
        req = ('GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
               'Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n'
               % (path, d.host, d.port, key))
        if token is not None:
            req += 'Authorization: Bearer %s\r\n' % token
        self.sock.sendall((req + '\r\n').encode())
        while b'\r\n\r\n' not in self.buf:
            part = self.sock.recv(4096)
            if not part:
                raise HandshakeRefused(0, self.buf)
            self.buf += part
        head, _, self.buf = self.buf.partition(b'\r\n\r\n')
        lines = head.decode('latin-1').split('\r\n')
        status = int(lines[0].split()[1])
        if status != 101:
            self.sock.close()
            raise HandshakeRefused(status, head)
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(':')
            headers[k.strip().lower()] = v.strip()
        expected = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        assert headers.get('sec-websocket-accept') == expected, headers
        assert headers.get('upgrade', '').lower() == 'websocket', headers

    def _read(self, n, deadline):
        while len(self.buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                raise TimeoutError
            part = self.sock.recv(65536)
            if not part:
                raise ConnectionError('the server closed the WebSocket')
            self.buf += part
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def send_frame(self, opcode, payload=b''):
        mask = os.urandom(4)
        n = len(payload)
        if n < 126:
            head = struct.pack('!BB', 0x80 | opcode, 0x80 | n)
        elif n < 65536:
            head = struct.pack('!BBH', 0x80 | opcode, 0x80 | 126, n)
        else:
            head = struct.pack('!BBQ', 0x80 | opcode, 0x80 | 127, n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(head + mask + masked)

    def recv_message(self, timeout=10):
        """The next text message (JSON-decoded); answers pings on the way."""
        deadline = time.monotonic() + timeout
        message = b''
        while True:
            b1, b2 = self._read(2, deadline)
            fin, opcode = b1 & 0x80, b1 & 0x0f
            assert not b2 & 0x80, 'the server masked a frame (RFC 6455 5.1 forbids it)'
            n = b2 & 0x7f
            if n == 126:
                n = struct.unpack('!H', self._read(2, deadline))[0]
            elif n == 127:
                n = struct.unpack('!Q', self._read(8, deadline))[0]
            payload = self._read(n, deadline)
            if opcode == 0x9:
                self.send_frame(0xA, payload)
                continue
            if opcode == 0xA:
                continue
            if opcode == 0x8:
                raise ConnectionError('the server closed the WebSocket: %r' % payload)
            message += payload
            if fin:
                return json.loads(message.decode('utf-8'))

    def wait_for(self, pred, timeout=10):
        """Reads messages until pred(msg); returns it (others are kept in .seen)."""
        deadline = time.monotonic() + timeout
        self.seen = getattr(self, 'seen', [])
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError('no matching event within %s s; got %r'
                                     % (timeout, self.seen[-10:]))
            try:
                m = self.recv_message(left)
            except TimeoutError:
                continue
            self.seen.append(m)
            if pred(m):
                return m

    def settle(self, timeout=5):
        """Waits until the daemon has checked the token and registered this client.

        The daemon says so with a `ready` notification; without one, wait a little instead.
        """
        try:
            self.wait_for(lambda m: m.get('method') == 'ready', timeout=timeout)
        except AssertionError:
            pass
        self.seen = []
        return self

    def close(self):
        try:
            self.send_frame(0x8, struct.pack('!H', 1000))
        except OSError:
            pass
        self.sock.close()


def changed(area, id_):
    def pred(m):
        return (m.get('jsonrpc') == '2.0' and m.get('method') == 'changed' and 'id' not in m
                and m.get('params', {}).get('area') == area
                and m.get('params', {}).get('id') == str(id_))
    return pred


def new_user(d, token, login):
    unit = d.rpc('auth.whoami', token=token)['user']['unit_id']
    return d.rpc('users.create', {'login': login, 'name': '事件' + login, 'role': 'inspector',
                                  'unit_id': unit, 'password': 'Event@2026'}, token=token)


_shared = {}


def daemon():
    if 'd' not in _shared:
        _shared['db'], _shared['d'] = suitest.fresh()
        _shared['token'] = _shared['d'].login('admin', 'Admin@2026')
    return _shared['d'], _shared['token']


def test_changed_event_on_users_create():
    d, token = daemon()
    ws = WebSocket(d, token=token)
    try:
        ws.settle()
        u = new_user(d, token, 'ev_one')
        m = ws.wait_for(changed('users', u['id']))
        assert isinstance(m['params']['id'], str), m
    finally:
        ws.close()


def test_token_in_query():
    d, token = daemon()
    ws = WebSocket(d, query_token=token)
    try:
        ws.settle()
        u = new_user(d, token, 'ev_query')
        ws.wait_for(changed('users', u['id']))
    finally:
        ws.close()


def refused(d, what, **kwargs):
    """The daemon may refuse at the handshake (401/403) or upgrade and then close with 1008
    (policy violation) once the token is checked; either way no event may reach the client."""
    try:
        ws = WebSocket(d, **kwargs)
    except HandshakeRefused as e:
        assert e.status in (401, 403), (what, e.head)
        return
    try:
        deadline = time.monotonic() + 10
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError('/events kept a connection with %s open for 10 s' % what)
            try:
                m = ws.recv_message(left)
            except ConnectionError as e:
                # A close frame: RFC 6455 1008 policy violation (or 4xxx application codes).
                assert 'closed' in str(e), e
                return
            except TimeoutError:
                continue
            assert m.get('method') != 'changed', '/events sent %r to a client with %s' % (m, what)
            # Make a change so that an event would be due if the client were listening.
            new_user(d, _shared['token'], 'ev_leak_%d' % int(time.monotonic() * 1000))
    finally:
        ws.sock.close()


def test_refused_without_valid_token():
    d, token = daemon()
    refused(d, 'no token')
    refused(d, 'a made-up token', token='nonsense')
    refused(d, 'a made-up ?token=', query_token='nonsense')
    t2 = d.login('admin', 'Admin@2026')
    d.rpc('auth.logout', token=t2)
    refused(d, 'a logged-out token', token=t2)
    assert d.alive()


def test_every_client_gets_the_event():
    d, token = daemon()
    clients = [WebSocket(d, token=token) for _ in range(5)]
    try:
        for ws in clients:
            ws.settle()
        unit = d.rpc('units.create', {'name': '事件测试局', 'code': 'evtest', 'kind': 'direct'},
                     token=token)
        for ws in clients:
            ws.wait_for(changed('units', unit['id']))
    finally:
        for ws in clients:
            ws.close()


def test_update_and_disable_are_events():
    d, token = daemon()
    u = new_user(d, token, 'ev_change')
    ws = WebSocket(d, token=token)
    try:
        ws.settle()
        u = d.rpc('users.update', {'id': u['id'], 'version': u['version'], 'name': '改过的名字'},
                  token=token)
        ws.wait_for(changed('users', u['id']))
        ws.seen = []
        d.rpc('users.disable', {'id': u['id'], 'version': u['version']}, token=token)
        ws.wait_for(changed('users', u['id']))
    finally:
        ws.close()


def test_change_through_another_daemon():
    """Two daemons on one database: a change made through one reaches the other's clients."""
    d, token = daemon()
    other = suitest.Daemon(_shared['db'].conninfo)
    try:
        ws = WebSocket(d, token=token)
        try:
            ws.settle()
            t2 = other.login('admin', 'Admin@2026')
            u = new_user(other, t2, 'ev_other')
            ws.wait_for(changed('users', u['id']))
        finally:
            ws.close()
    finally:
        other.stop()


def test_many_clients_come_and_go():
    d, token = daemon()
    for _ in range(30):
        ws = WebSocket(d, token=token)
        ws.sock.close()          # no close frame: just gone
    clients = [WebSocket(d, token=token) for _ in range(3)]
    try:
        for ws in clients:
            ws.settle()
        u = new_user(d, token, 'ev_after_churn')
        for ws in clients:
            ws.wait_for(changed('users', u['id']))
    finally:
        for ws in clients:
            ws.close()
    assert d.alive()


def test_events_resume_after_postgres_restart():
    d, token = daemon()
    ws = WebSocket(d, token=token).settle()
    try:
        suitest.cluster().restart()
        deadline = time.monotonic() + 40
        n = 0
        while True:
            n += 1
            try:
                u = new_user(d, token, 'ev_restart_%d' % n)
            except suitest.RpcError as e:
                assert e.code == -32603, e
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
                continue
            try:
                ws.wait_for(changed('users', u['id']), timeout=3)
                break
            except AssertionError:
                if time.monotonic() > deadline:
                    raise AssertionError('no events within 40 s after PostgreSQL restarted')
    finally:
        ws.close()
    assert d.alive()


if __name__ == '__main__':
    suitest.run(globals())
