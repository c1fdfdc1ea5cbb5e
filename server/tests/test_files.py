# SPDX-License-Identifier: GPL-3.0-or-later
"""PUT /files: authenticated, streamed into the database, size-capped; files.get."""

import hashlib
import json
import os
import re
import socket
import sys
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                                'tests', 'lib'))
import suitest  # noqa: E402

MiB = 1024 * 1024
_shared = {}


def daemon():
    if 'd' not in _shared:
        _shared['db'], _shared['d'] = suitest.fresh()
        _shared['token'] = _shared['d'].login('admin', 'Admin@2026')
    return _shared['d'], _shared['token']


def put(d, data, token=None, name=None, headers=None):
    h = {'Content-Type': 'application/octet-stream'}
    if token:
        h['Authorization'] = 'Bearer ' + token
    if name is not None:
        h['X-File-Name'] = urllib.parse.quote(name, safe='')
    h.update(headers or {})
    status, rh, body = d.call_raw(data, h, method='PUT', path='/files', timeout=120)
    return status, rh, body


def raw_put(d, head, body=b'', chunks=None):
    """A hand-made PUT that tolerates an early answer and close (for 413)."""
    s = socket.create_connection((d.host, d.port), timeout=60)
    try:
        try:
            s.sendall(head)
            if chunks is not None:
                for c in chunks:
                    s.sendall(b'%x\r\n' % len(c) + c + b'\r\n')
                s.sendall(b'0\r\n\r\n')
            else:
                for i in range(0, len(body), 65536):
                    s.sendall(body[i:i + 65536])
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
            head_, sep, rest = data.partition(b'\r\n\r\n')
            if sep:
                m = re.search(rb'(?im)^content-length:\s*(\d+)', head_)
                if m and len(rest) >= int(m.group(1)):
                    break
    finally:
        s.close()
    assert data, 'the server closed the connection without an answer'
    head_, _, rest = data.partition(b'\r\n\r\n')
    return int(head_.split(b'\r\n')[0].split()[1]), rest


def check_upload(d, token, data, name=None):
    status, h, body = put(d, data, token, name)
    assert status == 201, 'PUT /files gave %d %r' % (status, body[:300])
    r = json.loads(body)
    assert r['sha256'] == hashlib.sha256(data).hexdigest(), (r, hashlib.sha256(data).hexdigest())
    assert r['size'] == len(data), r
    assert r['id'] is not None, r
    if name is not None:
        assert r['name'] == name, (r['name'], name)
    return r


def test_upload_and_get():
    d, token = daemon()
    data = os.urandom(100 * 1024)
    r = check_upload(d, token, data, name='检查记录 2026-03.pdf')
    meta = d.rpc('files.get', {'id': r['id']}, token=token)
    assert str(meta['id']) == str(r['id']), meta
    assert meta['name'] == '检查记录 2026-03.pdf', meta
    assert meta['size'] == len(data), meta
    assert meta['sha256'] == r['sha256'], meta
    assert 'created_at' in meta and 'content_type' in meta, meta
    me = d.rpc('auth.whoami', token=token)['user']
    assert str(meta['uploaded_by']) == str(me['id']) or meta['uploaded_by'] == me.get('login'), \
        (meta['uploaded_by'], me)


def test_upload_sizes():
    d, token = daemon()
    ids = set()
    for size in (0, 1, 65535, 65536, 65537, 3 * MiB + 17):
        data = os.urandom(size)
        r = check_upload(d, token, data)
        assert r['id'] not in ids, 'id reused'
        ids.add(r['id'])
    # The same content twice gives two uploads with the same hash.
    data = b'same content' * 100
    a = check_upload(d, token, data)
    b = check_upload(d, token, data)
    assert a['sha256'] == b['sha256']


def test_upload_bigger_than_rpc_body_limit():
    """Uploads have their own cap; the 1 MiB limit of /rpc does not apply."""
    d, token = daemon()
    check_upload(d, token, os.urandom(5 * MiB))


def test_upload_chunked():
    d, token = daemon()
    chunks = [os.urandom(100000) for _ in range(20)]
    data = b''.join(chunks)
    head = (b'PUT /files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n'
            b'Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n'
            b'Connection: close\r\n\r\n' % token.encode())
    status, body = raw_put(d, head, chunks=chunks)
    assert status == 201, (status, body[:300])
    r = json.loads(body)
    assert r['size'] == len(data) and r['sha256'] == hashlib.sha256(data).hexdigest(), r


def test_unauthenticated_upload():
    d, token = daemon()
    status, _, body = put(d, b'hello')
    assert status == 401, (status, body[:200])
    status, _, body = put(d, b'hello', token='not-a-token')
    assert status == 401, (status, body[:200])
    status, _, body = put(d, b'hello', headers={'Authorization': 'Basic YWRtaW46QWRtaW5AMjAyNg=='})
    assert status == 401, (status, body[:200])
    # A logged-out token no longer uploads.
    t2 = d.login('admin', 'Admin@2026')
    d.rpc('auth.logout', token=t2)
    status, _, body = put(d, b'hello', token=t2)
    assert status == 401, (status, body[:200])


def test_upload_over_cap():
    db, d = suitest.fresh(daemon_args=['--max-upload', '10000'])
    token = d.login('admin', 'Admin@2026')
    check_upload(d, token, os.urandom(10000))
    status, _, body = put(d, os.urandom(10001), token)
    assert status == 413, (status, body[:200])
    # Announced far over the cap.
    head = (b'PUT /files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n'
            b'Content-Type: application/octet-stream\r\nContent-Length: %d\r\n'
            b'Connection: close\r\n\r\n' % (token.encode(), 20 * MiB))
    status, _ = raw_put(d, head, body=b'\0' * (20 * MiB))
    assert status == 413, status
    # Chunked, with no length announced, over the cap.
    head = (b'PUT /files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n'
            b'Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n'
            b'Connection: close\r\n\r\n' % token.encode())
    status, _ = raw_put(d, head, chunks=[b'x' * 4000] * 5)
    assert status == 413, status
    assert d.alive() and d.rpc('system.ping')['pong'] is True


def test_files_get_errors():
    d, token = daemon()
    r = check_upload(d, token, b'x')
    try:
        d.rpc('files.get', {'id': r['id']})
        raise AssertionError('files.get without a token succeeded')
    except suitest.RpcError as e:
        assert e.code == -32001, e
    for bad in (999999999, '999999999'):
        try:
            d.rpc('files.get', {'id': bad}, token=token)
            raise AssertionError('files.get of a missing file succeeded')
        except suitest.RpcError as e:
            assert e.code in (-32004, -32602), e
    try:
        d.rpc('files.get', {}, token=token)
        raise AssertionError('files.get without id succeeded')
    except suitest.RpcError as e:
        assert e.code == -32602, e


def test_file_visible_to_other_users():
    """Any user may read the metadata of a file by id (as the protocol says)."""
    d, token = daemon()
    unit = d.rpc('auth.whoami', token=token)['user']['unit_id']
    d.rpc('users.create', {'login': 'file_reader', 'name': '读者', 'role': 'inspector',
                           'unit_id': unit, 'password': 'Reader@2026'}, token=token)
    t2 = d.login('file_reader', 'Reader@2026')
    r = check_upload(d, token, b'evidence')
    assert d.rpc('files.get', {'id': r['id']}, token=t2)['sha256'] == r['sha256']
    # And may upload.
    check_upload(d, t2, b'inspector evidence')


if __name__ == '__main__':
    suitest.run(globals())
