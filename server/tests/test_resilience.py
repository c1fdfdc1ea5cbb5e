# SPDX-License-Identifier: GPL-3.0-or-later
"""The daemon under trouble: PostgreSQL restarting while it works, clients that vanish in the
middle of a call, many calls at once."""

import json
import os
import re
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                                'tests', 'lib'))
import suitest  # noqa: E402

ADMIN = ('admin', 'Admin@2026')

_internal = re.compile(r'(/tmp/|\.s\.PGSQL|socket|libpq|PQ[a-z]|server closed|terminat|'
                       r'FATAL|ERROR:|SQL|connection to server|postgres|\.c:\d)', re.IGNORECASE)


def assert_clean_internal_error(e, what):
    assert isinstance(e, suitest.RpcError), '%s: expected an RpcError, got %r' % (what, e)
    assert e.code == -32603, '%s: expected -32603, got %s %r' % (what, e.code, e.message)
    assert isinstance(e.message, str) and e.message, what
    m = _internal.search(e.message + ' ' + json.dumps(e.data, ensure_ascii=False))
    assert not m, '%s: error leaks internals (%r): %r %r' % (what, m.group(0), e.message, e.data)


def call_expecting_outage(d, method, params=None, token=None):
    started = time.monotonic()
    try:
        r = d.rpc(method, params, token=token, timeout=30)
    except suitest.RpcError as e:
        took = time.monotonic() - started
        assert_clean_internal_error(e, method)
        assert took < 15, '%s took %.1f s to fail while PostgreSQL was down' % (method, took)
        return e
    raise AssertionError('%s succeeded while PostgreSQL was down: %r' % (method, r))


def wait_until_works(d, fn, what, deadline_s=30):
    deadline = time.monotonic() + deadline_s
    failures = []
    while True:
        try:
            return fn(), failures
        except suitest.RpcError as e:
            assert_clean_internal_error(e, what)
            failures.append(e.code)
        if time.monotonic() > deadline:
            raise AssertionError('%s still failing %d s after PostgreSQL came back: %r'
                                 % (what, deadline_s, failures[-5:]))
        time.sleep(0.25)


def admin_unit(d, token):
    return d.rpc('auth.whoami', token=token)['user']['unit_id']


# ---- PostgreSQL restarts

def test_postgres_restart_during_operation():
    db, d = suitest.fresh()
    c = suitest.cluster()
    pid = d.pid
    token = d.login(*ADMIN)
    assert d.rpc('auth.whoami', token=token)['user']['login'] == 'admin'
    unit = admin_unit(d, token)
    try:
        c.stop()
        # Reads, writes and logins fail cleanly and fast while the database is away.
        for _ in range(3):
            call_expecting_outage(d, 'auth.whoami', token=token)
        call_expecting_outage(d, 'auth.login', {'login': 'admin', 'password': 'Admin@2026'})
        call_expecting_outage(d, 'users.create', {'login': 'outage_user', 'name': '停机用户',
                                                  'role': 'inspector', 'unit_id': unit,
                                                  'password': 'Outage@2026'}, token=token)
        assert d.alive(), 'shuangsuid died while PostgreSQL was down:\n' + d.log()[-3000:]
        # Public calls that need no database keep working.
        assert d.rpc('system.version')['name'] == 'shuangsuid'
    finally:
        c.start()
    r, failures = wait_until_works(d, lambda: d.rpc('auth.whoami', token=token), 'auth.whoami')
    assert r['user']['login'] == 'admin'
    if failures:
        suitest._log('%d call(s) failed after PostgreSQL was back before one worked'
                     % len(failures))
    # Every connection of the pool works again: many calls in a row all succeed.
    for i in range(40):
        d.rpc('auth.whoami', token=token)
    # The write refused during the outage did not happen; a new one does.
    users = d.rpc('users.list', {'search': 'outage_user'}, token=token)['items']
    assert not [u for u in users if u['login'] == 'outage_user'], users
    u = d.rpc('users.create', {'login': 'after_outage', 'name': '恢复后', 'role': 'inspector',
                               'unit_id': unit, 'password': 'After@2026'}, token=token)
    assert u['login'] == 'after_outage'
    assert d.login('after_outage', 'After@2026')
    assert d.pid == pid and d.alive(), 'the daemon was restarted or died'


def test_postgres_restart_between_calls():
    """A restart while the daemon is idle: its pooled connections are all dead afterwards."""
    db, d = suitest.fresh()
    c = suitest.cluster()
    token = d.login(*ADMIN)
    # Warm the pool up with concurrent calls so several connections exist.
    run_concurrently(16, 4, lambda i: d.rpc('auth.whoami', token=token))
    c.restart()
    # At most a few calls may notice the dead connections; none may hang or leak internals.
    r, failures = wait_until_works(d, lambda: d.rpc('auth.whoami', token=token), 'auth.whoami')
    assert len(failures) <= 3, 'too many failures after a quick restart: %r' % failures
    errors = run_concurrently(16, 10, lambda i: d.rpc('auth.whoami', token=token))
    assert not errors, 'calls failed after PostgreSQL came back: %r' % errors[:5]
    assert d.alive()


def test_postgres_terminates_backends():
    """An administrator kills the daemon's sessions (pg_terminate_backend)."""
    db, d = suitest.fresh()
    token = d.login(*ADMIN)
    run_concurrently(8, 4, lambda i: d.rpc('auth.whoami', token=token))
    killed = db.psql("select count(pg_terminate_backend(pid)) from pg_stat_activity "
                     "where datname = current_database() and pid <> pg_backend_pid()")
    suitest._log('terminated %s backend(s)' % killed.strip())
    r, failures = wait_until_works(d, lambda: d.rpc('auth.whoami', token=token), 'auth.whoami',
                                   deadline_s=15)
    errors = run_concurrently(8, 10, lambda i: d.rpc('auth.whoami', token=token))
    assert not errors, errors[:5]
    assert d.alive()


# ---- clients that go away

def raw_send(d, data, wait_reply=False, linger=0.0):
    s = socket.create_connection((d.host, d.port), timeout=10)
    try:
        s.sendall(data)
        if linger:
            time.sleep(linger)
        if wait_reply:
            return s.recv(65536)
    finally:
        # SO_LINGER 0: a reset, the rudest way to leave.
        s.close()
    return None


def rpc_bytes(method, params=None, token=None, id_=1, content_length=None):
    body = json.dumps({'jsonrpc': '2.0', 'method': method, 'params': params or {}, 'id': id_})
    body = body.encode()
    head = ('POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
            'Content-Length: %d\r\n' % (content_length or len(body)))
    if token:
        head += 'Authorization: Bearer %s\r\n' % token
    return head.encode() + b'\r\n', body


def reset_close(s):
    import struct
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    s.close()


def test_client_sends_half_a_body_and_leaves():
    db, d = suitest.fresh()
    token = d.login(*ADMIN)
    head, body = rpc_bytes('auth.whoami', token=token, content_length=2000)
    for _ in range(10):
        raw_send(d, head + body[:len(body) // 2])
    # Half a body, then a reset.
    for _ in range(10):
        s = socket.create_connection((d.host, d.port), timeout=10)
        s.sendall(head + body[:10])
        reset_close(s)
    # Half the headers.
    for _ in range(10):
        raw_send(d, head[:len(head) // 2])
    time.sleep(0.5)
    assert d.alive(), 'shuangsuid died:\n' + d.log()[-3000:]
    assert d.rpc('auth.whoami', token=token)['user']['login'] == 'admin'


def test_client_closes_right_after_sending():
    db, d = suitest.fresh()
    token = d.login(*ADMIN)
    unit = admin_unit(d, token)
    # A slow call (Argon2id verification), a database read and a write, each abandoned at once,
    # some closed politely and some reset.
    calls = [rpc_bytes('auth.login', {'login': 'admin', 'password': 'Admin@2026'}),
             rpc_bytes('auth.whoami', token=token),
             rpc_bytes('users.list', {}, token=token)]
    for i in range(30):
        head, body = calls[i % len(calls)]
        s = socket.create_connection((d.host, d.port), timeout=10)
        s.sendall(head + body)
        if i % 2:
            reset_close(s)
        else:
            s.close()
    for i in range(5):
        head, body = rpc_bytes('users.create', {'login': 'gone_%d' % i, 'name': '离开%d' % i,
                                                'role': 'inspector', 'unit_id': unit,
                                                'password': 'Gone@2026'}, token=token)
        s = socket.create_connection((d.host, d.port), timeout=10)
        s.sendall(head + body)
        reset_close(s)
    # A batch of slow logins, abandoned.
    batch = json.dumps([{'jsonrpc': '2.0', 'method': 'auth.login',
                         'params': {'login': 'admin', 'password': 'Admin@2026'}, 'id': i}
                        for i in range(8)]).encode()
    s = socket.create_connection((d.host, d.port), timeout=10)
    s.sendall(b'POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
              b'Content-Length: %d\r\n\r\n' % len(batch) + batch)
    reset_close(s)
    # Let the abandoned work finish on the workers.
    time.sleep(3)
    assert d.alive(), 'shuangsuid died:\n' + d.log()[-3000:]
    assert d.rpc('auth.whoami', token=token)['user']['login'] == 'admin'
    errors = run_concurrently(8, 5, lambda i: d.rpc('auth.whoami', token=token))
    assert not errors, errors[:5]
    # Writes that were sent completely either happened entirely or not at all.
    users = d.rpc('users.list', {'search': 'gone_'}, token=token)['items']
    for u in users:
        assert u['login'].startswith('gone_') and u['name'].startswith('离开'), u


def test_slow_client_does_not_block_others():
    db, d = suitest.fresh()
    token = d.login(*ADMIN)
    head, body = rpc_bytes('auth.whoami', token=token, content_length=5000)
    held = []
    try:
        for _ in range(20):
            s = socket.create_connection((d.host, d.port), timeout=10)
            s.sendall(head + body[:20])
            held.append(s)
        # While twenty connections sit on half a body, others are served promptly.
        started = time.monotonic()
        for _ in range(10):
            assert d.rpc('auth.whoami', token=token)['user']['login'] == 'admin'
        took = time.monotonic() - started
        assert took < 5, '10 calls took %.1f s beside stalled clients' % took
    finally:
        for s in held:
            s.close()
    assert d.alive()


# ---- many calls at once

def run_concurrently(threads, per_thread, fn):
    """Runs fn(i) threads*per_thread times on `threads` threads; returns the exceptions."""
    errors = []
    lock = threading.Lock()

    def worker(t):
        for k in range(per_thread):
            try:
                fn(t * per_thread + k)
            except Exception as e:  # collected and reported by the caller
                with lock:
                    errors.append(repr(e))

    ts = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(300)
        assert not t.is_alive(), 'a client thread hung'
    return errors


def test_many_concurrent_calls():
    db, d = suitest.fresh()
    token = d.login(*ADMIN)
    seen = []
    lock = threading.Lock()

    def call(i):
        if i % 3 == 0:
            r = d.rpc('system.ping')
            assert r['pong'] is True
        else:
            r = d.rpc('auth.whoami', token=token)
            assert r['user']['login'] == 'admin', r
        with lock:
            seen.append(i)

    started = time.monotonic()
    errors = run_concurrently(64, 25, call)
    took = time.monotonic() - started
    suitest._log('1600 calls on 64 threads in %.1f s' % took)
    assert not errors, '%d of 1600 calls failed, e.g. %s' % (len(errors), errors[:3])
    assert sorted(seen) == list(range(1600))
    assert d.alive()


def test_many_concurrent_logins_and_writes():
    db, d = suitest.fresh()
    token = d.login(*ADMIN)
    unit = admin_unit(d, token)
    created = []
    lock = threading.Lock()

    def write(i):
        u = d.rpc('users.create', {'login': 'c_%03d' % i, 'name': '并发%d' % i,
                                   'role': 'inspector', 'unit_id': unit,
                                   'password': 'Many@2026'}, token=token)
        with lock:
            created.append(u['id'])

    errors = run_concurrently(16, 5, write)
    assert not errors, errors[:3]
    assert len(set(created)) == 80
    errors = run_concurrently(16, 2, lambda i: d.login('c_%03d' % i, 'Many@2026'))
    assert not errors, errors[:3]
    # Each write left exactly one audit row, with an unbroken chain.
    v = d.rpc('audit.verify', token=token)
    assert v['ok'] is True, v
    assert d.alive()


def test_concurrent_batches_keep_ids_apart():
    db, d = suitest.fresh()
    token = d.login(*ADMIN)

    def batch(i):
        body = json.dumps([{'jsonrpc': '2.0', 'method': 'auth.whoami', 'id': '%d-%d' % (i, k)}
                           for k in range(10)])
        status, _, data = d.call_raw(body, headers={'Authorization': 'Bearer ' + token})
        assert status == 200, status
        ids = sorted(r['id'] for r in json.loads(data))
        assert ids == sorted('%d-%d' % (i, k) for k in range(10)), ids

    errors = run_concurrently(16, 5, batch)
    assert not errors, errors[:3]


if __name__ == '__main__':
    suitest.run(globals())
