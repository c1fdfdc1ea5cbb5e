# SPDX-License-Identifier: GPL-3.0-or-later
"""JSON-RPC 2.0 over POST /rpc: every example of the specification adapted to our methods,
the transport faults (405, 413, 415), malformed bodies, and system.ping/version/describe.

The specification: https://www.jsonrpc.org/specification (section 7 holds the examples).
"""

import datetime
import http.client
import json
import os
import re
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                                'tests', 'lib'))
import suitest  # noqa: E402

MiB = 1024 * 1024
_shared = {}


def daemon():
    """One daemon for the tests that do not need their own."""
    if 'd' not in _shared:
        _shared['db'], _shared['d'] = suitest.fresh()
    return _shared['d']


def post(body, headers=None, d=None):
    """POST /rpc; returns (status, headers, parsed JSON or None when the body is empty)."""
    status, h, data = (d or daemon()).call_raw(body, headers)
    if not data:
        return status, h, None
    try:
        return status, h, json.loads(data)
    except ValueError:
        raise AssertionError('answer is not JSON (HTTP %d): %r' % (status, data[:300]))


def assert_error(answer, code, id_=None, any_id=False):
    assert isinstance(answer, dict), 'expected one response object, got %r' % (answer,)
    assert answer.get('jsonrpc') == '2.0', answer
    assert 'result' not in answer, 'error response with a result: %r' % (answer,)
    assert 'error' in answer, 'expected error %d, got %r' % (code, answer)
    e = answer['error']
    assert e.get('code') == code, 'expected error %d, got %r' % (code, answer)
    assert isinstance(e.get('message'), str) and e['message'], 'error without message: %r' % e
    assert_no_internals(e['message'])
    assert 'id' in answer, 'response without id member: %r' % (answer,)
    if not any_id:
        assert answer['id'] == id_ and type(answer['id']) is type(id_), \
            'expected id %r, got %r' % (id_, answer['id'])


def assert_result(answer, id_):
    assert isinstance(answer, dict), 'expected one response object, got %r' % (answer,)
    assert answer.get('jsonrpc') == '2.0', answer
    assert 'error' not in answer, 'unexpected error: %r' % (answer,)
    assert 'result' in answer, answer
    assert answer.get('id') == id_ and type(answer.get('id')) is type(id_), \
        'expected id %r, got %r' % (id_, answer.get('id'))
    return answer['result']


_internal = re.compile(r'(/tmp/|/usr/|\.c:\d|\.s\.PGSQL|SELECT |INSERT |UPDATE |libpq|'
                       r'PQ[a-z]|json_|g_[a-z]+_|Traceback|assert)', re.IGNORECASE)


def assert_no_internals(text):
    m = _internal.search(text)
    assert not m, 'error message leaks internals (%r): %r' % (m.group(0), text)


def raw_request(d, head, body=b'', chunks=None, read_timeout=30):
    """Sends a hand-made HTTP/1.1 request and returns (status, headers, body).

    Tolerates the server closing the connection while we still send (it may answer an
    oversized body early).
    """
    s = socket.create_connection((d.host, d.port), timeout=read_timeout)
    try:
        try:
            s.sendall(head)
            if chunks is not None:
                for c in chunks:
                    s.sendall(b'%x\r\n' % len(c) + c + b'\r\n')
                s.sendall(b'0\r\n\r\n')
            else:
                view = memoryview(body)
                for i in range(0, len(body), 65536):
                    s.sendall(view[i:i + 65536])
        except (BrokenPipeError, ConnectionResetError):
            pass
        data = b''
        while True:
            try:
                part = s.recv(65536)
            except ConnectionResetError:
                break
            if not part:
                break
            data += part
            if b'\r\n\r\n' in data:
                head_, _, rest = data.partition(b'\r\n\r\n')
                m = re.search(rb'(?im)^content-length:\s*(\d+)', head_)
                if m and len(rest) >= int(m.group(1)):
                    break
                if not m and re.match(rb'HTTP/1\.[01] (204|304|1\d\d)', head_):
                    break
    finally:
        s.close()
    assert data, 'the server closed the connection without an answer'
    head_, _, rest = data.partition(b'\r\n\r\n')
    lines = head_.split(b'\r\n')
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(b':')
        headers[k.strip().lower().decode()] = v.strip().decode('latin-1')
    return status, headers, rest


def post_head(d, length, content_type='application/json', extra=b''):
    return (b'POST /rpc HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: %s\r\n'
            b'Content-Length: %d\r\nConnection: close\r\n%s\r\n'
            % (d.host.encode(), d.port, content_type.encode(), length, extra))


def padded_ping(size):
    """A valid system.ping request of exactly `size` bytes (whitespace padding)."""
    base = b'{"jsonrpc": "2.0", "method": "system.ping", "id": 1}'
    assert size >= len(base)
    return base[:-1] + b' ' * (size - len(base)) + b'}'


def alive(d):
    assert d.alive(), 'shuangsuid died:\n' + d.log()[-3000:]
    assert d.rpc('system.ping')['pong'] is True


# ---- the examples of the specification, section 7

def test_call_with_named_params():
    d = daemon()
    status, h, a = post(json.dumps({'jsonrpc': '2.0', 'method': 'auth.login',
                                    'params': {'login': 'admin', 'password': 'Admin@2026'},
                                    'id': 3}))
    assert status == 200, status
    assert h.get('content-type', '').startswith('application/json'), h
    r = assert_result(a, 3)
    assert isinstance(r.get('token'), str) and len(r['token']) >= 32, r
    assert r['user']['login'] == 'admin', r
    # Named params in another order give the same.
    status, h, a = post(json.dumps({'jsonrpc': '2.0', 'id': 4,
                                    'params': {'password': 'Admin@2026', 'login': 'admin'},
                                    'method': 'auth.login'}))
    assert assert_result(a, 4)['user']['login'] == 'admin'


def test_call_without_params():
    status, _, a = post('{"jsonrpc": "2.0", "method": "system.ping", "id": 1}')
    assert status == 200
    assert assert_result(a, 1)['pong'] is True
    # An empty params object is the same as none.
    status, _, a = post('{"jsonrpc": "2.0", "method": "system.ping", "params": {}, "id": 2}')
    assert assert_result(a, 2)['pong'] is True


def test_server_timing_header():
    """Every answer, single or batch, says how long the daemon took (W3C Server-Timing, read
    by the benchmarks) in milliseconds."""
    status, h, a = post('{"jsonrpc": "2.0", "method": "system.ping", "id": 1}')
    m = re.fullmatch(r'app;dur=([0-9]+\.[0-9]{2})', h.get('server-timing', ''))
    assert status == 200 and m, h
    quick = float(m.group(1))
    assert 0 <= quick < 1000, quick
    status, h, a = post('[{"jsonrpc": "2.0", "method": "system.ping", "id": 1},'
                        ' {"jsonrpc": "2.0", "method": "system.ping"}]')
    assert status == 200 and re.fullmatch(r'app;dur=[0-9.]+', h['server-timing']), h


def test_positional_params_are_invalid_params():
    status, _, a = post(json.dumps({'jsonrpc': '2.0', 'method': 'auth.login',
                                    'params': ['admin', 'Admin@2026'], 'id': 1}))
    assert status == 200, status
    assert_error(a, -32602, 1)
    status, _, a = post('{"jsonrpc": "2.0", "method": "system.ping", "params": [], "id": 2}')
    assert_error(a, -32602, 2)


def test_params_not_structured_is_invalid_request():
    # params, when present, MUST be an object or an array.
    for params in ('"bar"', '42', 'true'):
        status, _, a = post('{"jsonrpc": "2.0", "method": "system.ping", "params": %s, "id": 7}'
                            % params)
        assert status == 200, status
        assert_error(a, -32600, any_id=True)
        assert a['id'] in (7, None), a


def test_missing_param_is_invalid_params():
    status, _, a = post(json.dumps({'jsonrpc': '2.0', 'method': 'auth.login',
                                    'params': {'login': 'admin'}, 'id': 5}))
    assert_error(a, -32602, 5)
    status, _, a = post(json.dumps({'jsonrpc': '2.0', 'method': 'auth.login',
                                    'params': {'login': 'admin', 'password': 12345}, 'id': 6}))
    assert_error(a, -32602, 6)


def test_notification_gets_204_and_nothing():
    d = daemon()
    status, h, data = d.call_raw('{"jsonrpc": "2.0", "method": "system.ping"}')
    assert status == 204, (status, data)
    assert data == b'', data
    # Also with params, and for a method that does not exist: notifications are never answered.
    status, _, data = d.call_raw('{"jsonrpc": "2.0", "method": "system.ping", "params": {}}')
    assert (status, data) == (204, b''), (status, data)
    status, _, data = d.call_raw('{"jsonrpc": "2.0", "method": "no.such_method"}')
    assert (status, data) == (204, b''), (status, data)


def test_unknown_method():
    status, _, a = post('{"jsonrpc": "2.0", "method": "foobar", "id": "1"}')
    assert status == 200
    assert_error(a, -32601, '1')
    status, _, a = post('{"jsonrpc": "2.0", "method": "system.nonexistent", "id": 2}')
    assert_error(a, -32601, 2)
    status, _, a = post('{"jsonrpc": "2.0", "method": "", "id": 3}')
    assert a['error']['code'] in (-32601, -32600), a


def test_invalid_json():
    status, _, a = post('{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]')
    assert status == 200, status
    assert_error(a, -32700, None)
    for body in ('', '   ', '{', 'null', '"x"', '{"jsonrpc": "2.0", "method": "system.ping", '
                 '"id": 1} trailing'):
        status, _, a = post(body)
        assert status == 200, (body, status)
        assert a is not None, 'no answer for %r' % body
        # `null` and `"x"` are valid JSON but not requests.
        expected = -32600 if body in ('null', '"x"') else -32700
        assert_error(a, expected, None)


def test_invalid_request_object():
    # The specification's own example: method is not a string, params not structured.
    status, _, a = post('{"jsonrpc": "2.0", "method": 1, "params": "bar"}')
    assert status == 200
    assert_error(a, -32600, None)
    status, _, a = post('{"jsonrpc": "2.0", "method": 1, "id": 1}')
    assert_error(a, -32600, any_id=True)
    assert a['id'] in (1, None), a
    status, _, a = post('{"jsonrpc": "2.0", "id": 1}')
    assert_error(a, -32600, any_id=True)
    status, _, a = post('{"jsonrpc": "2.0", "method": null, "id": 1}')
    assert_error(a, -32600, any_id=True)


def test_wrong_jsonrpc_member():
    for member in ('"1.0"', '2.0', '"2"', 'null', '"2.0 "'):
        status, _, a = post('{"jsonrpc": %s, "method": "system.ping", "id": 9}' % member)
        assert status == 200
        assert_error(a, -32600, any_id=True)
        assert a['id'] in (9, None), a
    status, _, a = post('{"method": "system.ping", "id": 9}')
    assert_error(a, -32600, any_id=True)


def test_invalid_id_types():
    for bad in ('{"a": 1}', '[1]', 'true'):
        status, _, a = post('{"jsonrpc": "2.0", "method": "system.ping", "id": %s}' % bad)
        assert status == 200
        assert_error(a, -32600, None)


def test_ids_are_echoed_exactly():
    cases = ['abc', '编号-1', '', 0, -7, 42, 1234567890123, 9007199254740993, None]
    for id_ in cases:
        body = json.dumps({'jsonrpc': '2.0', 'method': 'system.ping', 'id': id_},
                          ensure_ascii=False)
        status, _, a = post(body)
        assert status == 200
        assert_result(a, id_)
    # Errors echo the id too.
    status, _, a = post(json.dumps({'jsonrpc': '2.0', 'method': 'nope', 'id': 'x-1'}))
    assert_error(a, -32601, 'x-1')


def test_batch_mixed():
    body = json.dumps([
        {'jsonrpc': '2.0', 'method': 'system.ping', 'params': {}, 'id': '1'},
        {'jsonrpc': '2.0', 'method': 'system.ping'},
        {'jsonrpc': '2.0', 'method': 'system.version', 'id': '2'},
        {'foo': 'boo'},
        {'jsonrpc': '2.0', 'method': 'foo.get', 'params': {'name': 'myself'}, 'id': '5'},
        {'jsonrpc': '2.0', 'method': 'system.describe', 'id': '9'},
    ])
    status, h, a = post(body)
    assert status == 200, status
    assert isinstance(a, list), a
    assert len(a) == 5, 'expected 5 responses (one notification), got %d: %r' % (len(a), a)
    by_id = {}
    nulls = []
    for r in a:
        assert r.get('jsonrpc') == '2.0', r
        if r.get('id') is None:
            nulls.append(r)
        else:
            assert r['id'] not in by_id, 'duplicate id %r' % r['id']
            by_id[r['id']] = r
    assert set(by_id) == {'1', '2', '5', '9'}, by_id.keys()
    assert assert_result(by_id['1'], '1')['pong'] is True
    assert assert_result(by_id['2'], '2')['name'] == 'shuangsuid'
    assert_error(by_id['5'], -32601, '5')
    assert 'methods' in assert_result(by_id['9'], '9')
    assert len(nulls) == 1, nulls
    assert_error(nulls[0], -32600, None)


def test_batch_of_one_is_an_array():
    status, _, a = post('[{"jsonrpc": "2.0", "method": "system.ping", "id": 1}]')
    assert isinstance(a, list) and len(a) == 1, a
    assert_result(a[0], 1)


def test_batch_of_notifications_only():
    d = daemon()
    status, _, data = d.call_raw(json.dumps([
        {'jsonrpc': '2.0', 'method': 'system.ping', 'params': {}},
        {'jsonrpc': '2.0', 'method': 'system.version'},
    ]))
    assert status == 204, (status, data)
    assert data == b''


def test_batch_invalid_json():
    status, _, a = post('[\n  {"jsonrpc": "2.0", "method": "system.ping", "params": {}, '
                        '"id": "1"},\n  {"jsonrpc": "2.0", "method"\n]')
    assert status == 200
    assert_error(a, -32700, None)


def test_empty_batch():
    status, _, a = post('[]')
    assert status == 200
    assert_error(a, -32600, None)


def test_batch_of_non_requests():
    status, _, a = post('[1]')
    assert status == 200
    assert isinstance(a, list) and len(a) == 1, a
    assert_error(a[0], -32600, None)
    status, _, a = post('[1,2,3]')
    assert isinstance(a, list) and len(a) == 3, a
    for r in a:
        assert_error(r, -32600, None)
    status, _, a = post('[[], {}, null, "x"]')
    assert isinstance(a, list) and len(a) == 4, a
    for r in a:
        assert_error(r, -32600, None)


def test_large_batch():
    calls = [{'jsonrpc': '2.0', 'method': 'system.ping', 'id': i} for i in range(200)]
    status, _, a = post(json.dumps(calls))
    assert status == 200
    assert isinstance(a, list) and len(a) == 200, len(a)
    assert sorted(r['id'] for r in a) == list(range(200))
    for r in a:
        assert r['result']['pong'] is True, r


def test_batch_with_authenticated_calls():
    d = daemon()
    token = d.login('admin', 'Admin@2026')
    status, _, a = post(json.dumps([
        {'jsonrpc': '2.0', 'method': 'auth.whoami', 'id': 1},
        {'jsonrpc': '2.0', 'method': 'system.ping', 'id': 2},
    ]), headers={'Authorization': 'Bearer ' + token})
    by_id = {r['id']: r for r in a}
    assert assert_result(by_id[1], 1)['user']['login'] == 'admin'
    assert_result(by_id[2], 2)


def test_keep_alive():
    d = daemon()
    conn = d.connection()
    try:
        for i in range(20):
            conn.request('POST', '/rpc', body=json.dumps(
                {'jsonrpc': '2.0', 'method': 'system.ping', 'id': i}),
                headers={'Content-Type': 'application/json'})
            r = conn.getresponse()
            body = r.read()
            assert r.status == 200, r.status
            assert json.loads(body)['id'] == i
    finally:
        conn.close()


# ---- transport faults

def test_wrong_verbs():
    d = daemon()
    for verb in ('GET', 'PUT', 'DELETE', 'PATCH'):
        body = None if verb == 'GET' else '{"jsonrpc": "2.0", "method": "system.ping", "id": 1}'
        status, h, data = d.call_raw(body, method=verb)
        assert status == 405, '%s /rpc gave %d %r' % (verb, status, data[:200])
    alive(d)


def test_wrong_content_type():
    d = daemon()
    ping = '{"jsonrpc": "2.0", "method": "system.ping", "id": 1}'
    for ct in ('text/plain', 'application/x-www-form-urlencoded', 'application/jsonx',
               'multipart/form-data; boundary=x', None):
        status, _, data = d.call_raw(ping, headers={'Content-Type': ct})
        assert status == 415, 'Content-Type %r gave %d %r' % (ct, status, data[:200])
    # Parameters and case of the media type are fine.
    for ct in ('application/json; charset=utf-8', 'Application/JSON'):
        status, _, data = d.call_raw(ping, headers={'Content-Type': ct})
        assert status == 200, 'Content-Type %r gave %d' % (ct, status)
        assert json.loads(data)['result']['pong'] is True


def test_body_limit_default():
    d = daemon()
    # Exactly 1 MiB is allowed.
    status, _, data = raw_request(d, post_head(d, MiB), padded_ping(MiB))
    assert status == 200, 'a 1 MiB body gave %d %r' % (status, data[:200])
    assert json.loads(data)['result']['pong'] is True
    # One byte more is not.
    status, _, data = raw_request(d, post_head(d, MiB + 1), padded_ping(MiB + 1))
    assert status == 413, 'a 1 MiB + 1 body gave %d' % status
    # Nor 8 MiB, announced.
    status, _, _ = raw_request(d, post_head(d, 8 * MiB), b'x' * (8 * MiB))
    assert status == 413, status
    # Nor 3 MiB sent chunked, without a Content-Length.
    head = (b'POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
            b'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n')
    status, _, _ = raw_request(d, head, chunks=[b' ' * 65536] * 48)
    assert status == 413, 'a 3 MiB chunked body gave %d' % status
    alive(d)


def test_body_limit_configured():
    db, d = suitest.fresh(daemon_args=['--max-body', '2048'])
    status, _, data = raw_request(d, post_head(d, 2048), padded_ping(2048))
    assert status == 200, 'a body at the configured limit gave %d' % status
    status, _, _ = raw_request(d, post_head(d, 2049), padded_ping(2049))
    assert status == 413, 'a body over --max-body gave %d' % status
    status, _, _ = raw_request(d, post_head(d, 100000), padded_ping(100000))
    assert status == 413, status
    head = (b'POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
            b'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n')
    status, _, _ = raw_request(d, head, chunks=[b' ' * 1000] * 5)
    assert status == 413, 'a chunked body over --max-body gave %d' % status
    alive(d)


def test_invalid_utf8():
    d = daemon()
    for body in (b'{"jsonrpc": "2.0", "method": "system.ping", "id": "\xff\xfe"}',
                 b'{"jsonrpc": "2.0", "method": "system.ping", "id": "\xc3\x28"}',
                 b'{"jsonrpc": "2.0", "method": "system.ping", "id": "\xed\xa0\x80"}',
                 b'{"jsonrpc": "2.0", "method": "system.ping", "id": "\xc0\xaf"}',
                 b'\xef\xbb\xbf\xff'):
        status, _, data = d.call_raw(body)
        assert status == 200, (body, status)
        assert_error(json.loads(data), -32700, None)
    alive(d)


def test_deep_nesting():
    d = daemon()
    deep = 10000
    for body in ('[' * deep + ']' * deep,
                 '{"a":' * deep + '1' + '}' * deep,
                 '{"jsonrpc": "2.0", "method": "system.ping", "id": 1, "params": {"x": '
                 + '[' * deep + ']' * deep + '}}'):
        status, _, data = d.call_raw(body)
        assert status == 200, status
        assert_error(json.loads(data), -32700, None)
        alive(d)
    # Deeper than the documented 64 levels is refused as well.
    status, _, data = d.call_raw('{"jsonrpc": "2.0", "method": "system.ping", "id": 1, '
                                 '"params": {"x": ' + '[' * 100 + ']' * 100 + '}}')
    assert_error(json.loads(data), -32700, None)
    # Unclosed deep nesting too.
    status, _, data = d.call_raw('[' * 100000)
    assert_error(json.loads(data), -32700, None)
    alive(d)


def test_garbage_requests_leave_daemon_serving():
    d = daemon()
    for body in (b'\x00' * 1000, os.urandom(4096), b'{"jsonrpc": "2.0", "method": "' + b'a' * 100000
                 + b'", "id": 1}', b'"' + b'\\u0000' * 1000 + b'"'):
        status, _, data = d.call_raw(body)
        assert status == 200, status
        a = json.loads(data)
        assert a['error']['code'] in (-32700, -32600, -32601), a
    # Not HTTP at all.
    s = socket.create_connection((d.host, d.port), timeout=10)
    try:
        s.sendall(b'\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03' + os.urandom(200) + b'\r\n\r\n')
        try:
            s.recv(1000)
        except (socket.timeout, ConnectionResetError):
            pass
    finally:
        s.close()
    alive(d)


def test_errors_are_http_200_json():
    d = daemon()
    status, h, data = d.call_raw('{"jsonrpc": "2.0", "method": "auth.whoami", "id": 1}')
    assert status == 200, status
    assert h.get('content-type', '').startswith('application/json'), h
    assert_error(json.loads(data), -32001, 1)


# ---- system.*

def test_system_ping():
    r = daemon().rpc('system.ping')
    assert r['pong'] is True, r
    t = datetime.datetime.fromisoformat(r['time'])
    assert t.tzinfo is not None, 'time without an offset: %r' % r['time']
    now = datetime.datetime.now(datetime.timezone.utc)
    assert abs((now - t).total_seconds()) < 120, (r['time'], now)


def test_system_version():
    r = daemon().rpc('system.version')
    assert r['name'] == 'shuangsuid', r
    assert r['api'] == 1, r
    assert isinstance(r['version'], str) and re.match(r'^\d+\.\d+', r['version']), r
    with open(os.path.join(suitest.SOURCE_ROOT, 'meson.build')) as f:
        m = re.search(r"version:\s*'([^']+)'", f.read())
    if m:
        assert r['version'] == m.group(1), (r['version'], m.group(1))


def documented_methods():
    with open(os.path.join(suitest.SOURCE_ROOT, 'docs', 'protocol.md'), encoding='utf-8') as f:
        text = f.read()
    return set(re.findall(r'^\|\s*`([a-z_]+\.[a-z_]+)`\s*\|', text, re.MULTILINE)) | \
        set(re.findall(r'^- `([a-z_]+\.[a-z_]+)`', text, re.MULTILINE))


def test_system_describe():
    r = daemon().rpc('system.describe')
    methods = r['methods']
    assert isinstance(methods, list) and methods, r
    names = [m['name'] for m in methods]
    assert len(names) == len(set(names)), 'duplicate methods in describe'
    for m in methods:
        assert re.match(r'^[a-z_]+\.[a-z_]+$', m['name']), m
        assert isinstance(m.get('summary'), str) and m['summary'], m
        assert isinstance(m.get('roles'), list), m
        assert set(m['roles']) <= {'public', 'admin', 'supervisor', 'inspector', 'any'} or \
            all(isinstance(x, str) for x in m['roles']), m
        assert isinstance(m.get('params'), list), m
        for p in m['params']:
            assert isinstance(p.get('name'), str) and isinstance(p.get('type'), str), (m, p)
            assert isinstance(p.get('required'), bool), (m, p)
    by_name = {m['name']: m for m in methods}
    for name in ('system.ping', 'system.version', 'system.describe', 'auth.login'):
        assert name in by_name, '%s missing from describe' % name
    login = {p['name']: p for p in by_name['auth.login']['params']}
    assert login.get('login', {}).get('required') is True, login
    assert login.get('password', {}).get('required') is True, login
    # docs/protocol.md and the running daemon list the same methods.
    documented = documented_methods()
    assert documented, 'no methods found in docs/protocol.md'
    missing = sorted(documented - set(names))
    undocumented = sorted(set(names) - documented)
    assert not missing, 'documented but not served: %s' % missing
    assert not undocumented, 'served but not documented in docs/protocol.md: %s' % undocumented


def test_every_described_method_answers():
    """Each method exists (no -32601) and, unauthenticated, answers quickly and cleanly."""
    d = daemon()
    for m in d.rpc('system.describe')['methods']:
        if m['name'] in ('auth.login',):
            continue
        started = time.monotonic()
        status, _, data = d.call_raw(json.dumps({'jsonrpc': '2.0', 'method': m['name'],
                                                 'params': {}, 'id': 1}))
        assert status == 200, (m['name'], status)
        a = json.loads(data)
        assert a.get('id') == 1, (m['name'], a)
        if 'error' in a:
            assert a['error']['code'] != -32601, '%s described but unknown' % m['name']
            assert a['error']['code'] != -32603, '%s: internal error %r' % (m['name'], a)
            assert_no_internals(a['error']['message'])
        assert time.monotonic() - started < 10, m['name']
    alive(d)


if __name__ == '__main__':
    suitest.run(globals())
