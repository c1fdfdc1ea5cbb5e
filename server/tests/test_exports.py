# SPDX-License-Identifier: GPL-3.0-or-later
"""Exports end to end: GET /files/{id} (streamed, headers, who may read, 401/404/405, HEAD,
If-None-Match, a client that hangs up half-way), tags.export and users.export in CSV and XLSX,
and the purge of exports older than a day (files.purge_exports and the daemon's own run at
start), which leaves uploads alone.
"""

import csv
import hashlib
import io
import json
import os
import re
import socket
import sys
import time
import urllib.parse
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                                'tests', 'lib'))
import suitest  # noqa: E402
from suitest import credit_code, expect_error, registers_env as env  # noqa: E402

PASSWORD = suitest.TEST_PASSWORD
MiB = 1024 * 1024





def count(db, sql):
    return int(db.psql(sql).strip())


def make_object(d, token, n, **kw):
    params = {'type': 'retail', 'licence_no': '1301030%05d' % n, 'name': '导出测试店%d' % n,
              'credit_code': credit_code(n, '92130103'), 'legal_rep': '李四',
              'address': '和平路%d号' % n, 'district': '长安区'}
    params.update(kw)
    return d.rpc('objects.create', params, token=token)


def get(d, file_id, token=None, method='GET', headers=None):
    h = {'Content-Type': None}
    if token:
        h['Authorization'] = 'Bearer ' + token
    h.update(headers or {})
    return d.call_raw(None, h, method=method, path='/files/%s' % file_id, timeout=120)


def download(d, file_id, token):
    status, h, body = get(d, file_id, token)
    assert status == 200, (status, body[:300])
    assert int(h['content-length']) == len(body), (h, len(body))
    return h, body


def upload(d, token, data, name='upload.bin'):
    status, _, body = d.call_raw(data, {'Content-Type': 'application/octet-stream',
                                        'Authorization': 'Bearer ' + token,
                                        'X-File-Name': urllib.parse.quote(name, safe='')},
                                 method='PUT', path='/files', timeout=120)
    assert status == 201, (status, body)
    return json.loads(body)


def csv_rows(data):
    assert data.startswith(b'\xef\xbb\xbf'), data[:20]
    return list(csv.reader(io.StringIO(data.decode('utf-8-sig'), newline='')))


def sheet_rows(data):
    """The rows of the first sheet of an XLSX file as lists, shared strings resolved."""
    z = zipfile.ZipFile(io.BytesIO(data))
    names = z.namelist()
    assert 'xl/workbook.xml' in names and 'xl/worksheets/sheet1.xml' in names, names
    shared = []
    if 'xl/sharedStrings.xml' in names:
        shared = [re.sub(r'<[^>]+>', '', s) for s in
                  re.findall(r'<si>(.*?)</si>', z.read('xl/sharedStrings.xml').decode())]
    sheet = z.read('xl/worksheets/sheet1.xml').decode()
    workbook = z.read('xl/workbook.xml').decode()
    rows = []
    for row in re.findall(r'<row [^>]*>(.*?)</row>', sheet, re.S):
        cells = {}
        for ref, attrs, body in re.findall(r'<c r="([A-Z]+)\d+"([^>]*)>(.*?)</c>', row, re.S):
            v = re.search(r'<v>(.*?)</v>', body)
            inline = re.search(r'<t[^>]*>(.*?)</t>', body)
            if 't="s"' in attrs:
                cells[ref] = shared[int(v.group(1))]
            elif inline:
                cells[ref] = inline.group(1)
            elif 't="str"' in attrs:
                cells[ref] = v.group(1) if v else ''
            else:
                cells[ref] = float(v.group(1)) if v else None
        rows.append(cells)
    return rows, workbook


# ---- GET /files/{id} ---------------------------------------------------------------------

def test_get_streams_an_export_with_its_headers():
    db, d, t, units = env()
    sup = t['sup_ca']
    make_object(d, sup, 1, name='流式下载店')
    r = d.rpc('objects.export', {'filter': {'text': '流式下载'}, 'format': 'csv'}, token=sup)
    h, body = download(d, r['file_id'], sup)
    assert hashlib.sha256(body).hexdigest() == r['sha256'] and len(body) == r['size'], r
    assert body.decode('utf-8') == r['csv'], 'GET gives the same bytes the export answered'
    assert h['content-type'].startswith('text/csv'), h
    assert h['etag'] == '"%s"' % r['sha256'], h
    assert h['content-disposition'] == "attachment; filename*=UTF-8''" + \
        urllib.parse.quote('检查对象名录.csv', safe=''), h
    assert 'private' in h['cache-control'], h
    rows = csv_rows(body)
    assert rows[0][:3] == ['许可证号', '统一社会信用代码', '名称'], rows[0]
    assert [row[2] for row in rows[1:]] == ['流式下载店'], rows

    # HEAD: the same head, no body; a copy the client holds: 304.
    status, hh, empty = get(d, r['file_id'], sup, method='HEAD')
    assert status == 200 and empty == b'', (status, empty)
    assert hh['content-length'] == str(r['size']) and hh['etag'] == h['etag'], hh
    status, _, empty = get(d, r['file_id'], sup, headers={'If-None-Match': h['etag']})
    assert status == 304 and empty == b'', status

    # XLSX: a zip with the sheet.
    r = d.rpc('objects.export', {'filter': {'text': '流式下载'}, 'format': 'xlsx'}, token=sup)
    h, body = download(d, r['file_id'], sup)
    assert h['content-type'] == \
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', h
    rows, workbook = sheet_rows(body)
    assert '检查对象名录' in workbook
    assert rows[1]['A'] == '130103000001' and rows[1]['C'] == '流式下载店', rows


def test_get_streams_a_large_upload_in_chunks():
    """Uploads of several 1 MiB rows come back byte for byte (the rows' order kept)."""
    db, d, t, units = env()
    data = os.urandom(3 * MiB + 17)
    up = upload(d, t['sup_ca'], data, name='检查 照片.jpg')
    assert count(db, 'select count(*) from file_chunk where file_id = %d' % up['id']) == 4
    h, body = download(d, up['id'], t['sup_ca'])
    assert body == data
    assert h['content-disposition'].endswith(urllib.parse.quote('检查 照片.jpg', safe='')), h
    h, body = download(d, up['id'], t['admin'])
    assert hashlib.sha256(body).hexdigest() == up['sha256']
    # Empty files too.
    up = upload(d, t['sup_ca'], b'', name='empty.txt')
    h, body = download(d, up['id'], t['sup_ca'])
    assert body == b'' and h['content-length'] == '0', h


def test_get_who_may_read():
    db, d, t, units = env()
    r = d.rpc('tags.export', {'format': 'csv'}, token=t['sup_ca'])
    fid = r['file_id']
    # No token, a bad token: 401 before anything is looked up.
    status, h, body = get(d, fid)
    assert status == 401 and 'bearer' in h.get('www-authenticate', '').lower(), (status, h)
    assert '登录' in json.loads(body)['error']
    status, _, _ = get(d, fid, 'not-a-token')
    assert status == 401, status
    status, _, _ = get(d, 999999)
    assert status == 401, 'no token, even for an unknown id'
    # Another supervisor and an unknown id get the same 404.
    other = get(d, fid, t['sup_qx'])
    unknown = get(d, 99999999, t['sup_qx'])
    assert other[0] == unknown[0] == 404, (other[0], unknown[0])
    assert other[2] == unknown[2], (other[2], unknown[2])
    assert 'etag' not in other[1] and 'content-disposition' not in other[1], other[1]
    for bad in ('abc', '-1', '0', '12x', '1/2', '99999999999999999999'):
        status, _, _ = get(d, bad, t['sup_ca'])
        assert status == 404, (bad, status)
    # The maker and an admin may.
    assert download(d, fid, t['sup_ca'])[1] == download(d, fid, t['admin'])[1]
    # An inspector's own upload is theirs to read.
    up = upload(d, t['insp_ca'], b'evidence', name='note.txt')
    assert download(d, up['id'], t['insp_ca'])[1] == b'evidence'
    assert get(d, up['id'], t['sup_ca'])[0] == 404
    # Wrong verbs on /files/{id}; PUT /files itself is unchanged.
    for verb in ('POST', 'DELETE', 'PUT', 'PATCH'):
        status, h, _ = d.call_raw(b'x', {'Authorization': 'Bearer ' + t['sup_ca']},
                                  method=verb, path='/files/%d' % fid)
        assert status == 405 and h.get('allow') == 'GET, HEAD', (verb, status, h)
    status, h, _ = d.call_raw(None, {'Authorization': 'Bearer ' + t['sup_ca']}, method='GET',
                              path='/files')
    assert status == 405 and h.get('allow') == 'PUT', (status, h)


def test_a_client_that_hangs_up_half_way():
    """Closing the socket in the middle of a large body leaves the daemon serving."""
    db, d, t, units = env()
    data = os.urandom(6 * MiB)
    up = upload(d, t['sup_ca'], data)
    for _ in range(3):
        s = socket.create_connection((d.host, d.port), timeout=30)
        s.sendall(('GET /files/%d HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n'
                   % (up['id'], t['sup_ca'])).encode())
        got = b''
        while len(got) < 200000:
            part = s.recv(65536)
            assert part, 'closed early'
            got += part
        assert got.startswith(b'HTTP/1.1 200'), got[:100]
        s.close()
    time.sleep(0.5)
    assert d.alive(), d.log()[-2000:]
    assert d.rpc('system.ping')['pong'] is True
    assert download(d, up['id'], t['sup_ca'])[1] == data


# ---- tags.export, users.export ---------------------------------------------------------------

def test_tags_export():
    db, d, t, units = env()
    sup, qx, admin = t['sup_ca'], t['sup_qx'], t['admin']
    city = d.rpc('tags.create_group', {'name': '导出业态', 'applies_to': 'objects'}, token=admin)
    chain = d.rpc('tags.create', {'group_id': city['id'], 'name': '连锁便利店',
                                  'description': '全市连锁'}, token=admin)
    own = d.rpc('tags.create_group', {'name': '长安导出组', 'applies_to': 'both'}, token=sup)
    mall = d.rpc('tags.create', {'group_id': own['id'], 'name': '万象城'}, token=sup)
    old = d.rpc('tags.create', {'group_id': own['id'], 'name': '旧商圈'}, token=sup)
    d.rpc('tags.update', {'id': old['id'], 'version': 1, 'retired': True}, token=sup)
    qx_group = d.rpc('tags.create_group', {'name': '桥西导出组', 'applies_to': 'inspectors'},
                     token=qx)
    d.rpc('tags.create', {'group_id': qx_group['id'], 'name': '桥西专长'}, token=qx)
    # Two of changan's objects and one of qiaoxi's carry the city-wide tag.
    ids = [make_object(d, sup, n)['id'] for n in (101, 102)]
    d.rpc('tags.apply', {'tag_id': chain['id'], 'ids': ids}, token=sup)
    d.rpc('tags.apply', {'tag_id': mall['id'], 'id': ids[0]}, token=sup)
    qx_obj = make_object(d, qx, 103, licence_no='130104000103', district='桥西区')
    d.rpc('tags.apply', {'tag_id': chain['id'], 'id': qx_obj['id']}, token=qx)
    insp = d.rpc('inspectors.create', {'name': '标签员', 'cert_no': 'TAG-0001',
                                       'cert_valid_from': '2024-01-01',
                                       'cert_valid_until': '2029-12-31'}, token=sup)
    d.rpc('tags.apply', {'tag_id': mall['id'], 'target': 'inspectors', 'id': insp['id']},
          token=sup)

    r = d.rpc('tags.export', {'format': 'csv'}, token=sup)
    rows = csv_rows(download(d, r['file_id'], sup)[1])
    assert rows[0] == ['标签组', '标签', '说明', '适用于', '范围', '状态', '已标记检查对象数',
                       '已标记执法检查人员数'], rows[0]
    by_tag = {row[1]: row for row in rows[1:]}
    assert r['rows'] == len(rows) - 1
    assert by_tag['连锁便利店'] == ['导出业态', '连锁便利店', '全市连锁', '检查对象', '全市通用',
                                '在用', '2', '0'], by_tag['连锁便利店']
    assert by_tag['万象城'][3:] == ['检查对象和执法检查人员', '长安区烟草专卖局', '在用', '1', '1'], \
        by_tag['万象城']
    assert '旧商圈' not in by_tag and '桥西专长' not in by_tag, 'retired and other units: not shown'
    # Retired ones on request; another unit sees its own counts only.
    r = d.rpc('tags.export', {'format': 'csv', 'include_retired': True}, token=sup)
    assert '旧商圈,,检查对象和执法检查人员,长安区烟草专卖局,已停用' in r['csv'], r['csv']
    r = d.rpc('tags.export', {'format': 'csv'}, token=qx)
    by_tag = {row[1]: row for row in csv_rows(r['csv'].encode())[1:]}
    assert by_tag['连锁便利店'][6] == '1' and '万象城' not in by_tag, by_tag
    assert by_tag['桥西专长'][3] == '执法检查人员', by_tag
    # applies_to as tags.list; an admin sees every unit's tags and counts, as XLSX.
    r = d.rpc('tags.export', {'format': 'csv', 'applies_to': 'inspectors'}, token=qx)
    assert '连锁便利店' not in r['csv'] and '桥西专长' in r['csv'], r['csv']
    e = expect_error(-32010, d.rpc, 'tags.export', {'applies_to': 'shops'}, token=sup)
    assert e.data['fields'][0]['field'] == 'applies_to', e.data
    r = d.rpc('tags.export', {'format': 'xlsx'}, token=admin)
    rows, workbook = sheet_rows(download(d, r['file_id'], admin)[1])
    assert '分类标签库' in workbook and rows[0]['A'] == '标签组'
    chain_row = next(row for row in rows[1:] if row.get('B') == '连锁便利店')
    assert chain_row['G'] == 3.0 and chain_row['H'] == 0.0, chain_row
    assert {row.get('B') for row in rows[1:]} >= {'连锁便利店', '万象城', '桥西专长'}
    expect_error(-32003, d.rpc, 'tags.export', {}, token=t['insp_ca'])


def test_users_export():
    db, d, t, units = env()
    admin = t['admin']
    d.rpc('users.create', {'login': 'never_in', 'name': '从未登录', 'role': 'inspector',
                           'unit_id': units['qiaoxi'], 'password': PASSWORD}, token=admin)
    gone = d.rpc('users.create', {'login': 'gone_user', 'name': '已停用者', 'role': 'supervisor',
                                  'unit_id': units['qiaoxi'], 'password': PASSWORD}, token=admin)
    d.rpc('users.disable', {'id': gone['id'], 'version': gone['version']}, token=admin)

    r = d.rpc('users.export', {'format': 'csv', 'include_disabled': True}, token=admin)
    rows = csv_rows(download(d, r['file_id'], admin)[1])
    assert rows[0] == ['登录名', '姓名', '所属单位', '角色', '状态', '最近登录时间'], rows[0]
    by_login = {row[0]: row for row in rows[1:]}
    assert by_login['sup_ca'][1:5] == ['测试sup_ca', '长安区烟草专卖局', '监管人员', '正常'], \
        by_login['sup_ca']
    assert re.match(r'^\d{4}-\d\d-\d\d \d\d:\d\d$', by_login['sup_ca'][5]), by_login['sup_ca']
    assert by_login['admin'][3] == '市局管理员' and by_login['insp_ca'][3] == '执法检查人员'
    assert by_login['never_in'][5] == '', by_login['never_in']
    assert by_login['gone_user'][4] == '已停用', by_login['gone_user']
    listed = d.rpc('users.list', {'include_disabled': True, 'limit': 1000}, token=admin)['items']
    assert set(by_login) == {u['login'] for u in listed}
    # The list's filters: search, unit, role; disabled ones only on request.
    r = d.rpc('users.export', {'format': 'csv', 'unit_id': units['qiaoxi']}, token=admin)
    assert {row[0] for row in csv_rows(r['csv'].encode())[1:]} == {'sup_qx', 'never_in'}
    r = d.rpc('users.export', {'format': 'csv', 'search': '从未', 'role': 'inspector'},
              token=admin)
    assert [row[0] for row in csv_rows(r['csv'].encode())[1:]] == ['never_in']
    r = d.rpc('users.export', {'format': 'xlsx', 'search': 'sup_'}, token=admin)
    rows, workbook = sheet_rows(download(d, r['file_id'], admin)[1])
    assert '用户账号' in workbook
    assert sorted(row['A'] for row in rows[1:]) == ['sup_ca', 'sup_qx'], rows
    e = expect_error(-32010, d.rpc, 'users.export', {'role': 'boss'}, token=admin)
    assert e.data['fields'][0]['field'] == 'role'
    expect_error(-32003, d.rpc, 'users.export', {}, token=t['sup_ca'])
    assert count(db, "select count(*) from audit_log where area = 'exports'"
                     " and method = 'users.export'") == 4


# ---- expiry ------------------------------------------------------------------------------------

def age(db, file_id, hours):
    db.psql("update file set created_at = now () - interval '%d hours' where id = %d"
            % (hours, file_id))


def test_exports_expire_after_a_day():
    db, d, t, units = env()
    sup, admin = t['sup_ca'], t['admin']
    old = d.rpc('tags.export', {'format': 'xlsx'}, token=sup)['file_id']
    recent = d.rpc('tags.export', {'format': 'csv'}, token=sup)['file_id']
    upload_old = upload(d, sup, os.urandom(2 * MiB), name='import.csv')['id']
    assert db.psql('select purpose from file where id = %d' % old).strip() == 'export'
    assert db.psql('select purpose from file where id = %d' % upload_old).strip() == 'upload'
    age(db, old, 25)
    age(db, upload_old, 25)
    age(db, recent, 23)

    expect_error(-32003, d.rpc, 'files.purge_exports', {}, token=sup)
    r = d.rpc('files.purge_exports', {}, token=admin)
    assert old in r['ids'] and recent not in r['ids'] and upload_old not in r['ids'], r
    assert r['deleted'] == len(r['ids']) >= 1, r
    assert count(db, 'select count(*) from file where id = %d' % old) == 0
    assert count(db, 'select count(*) from file_chunk where file_id = %d' % old) == 0
    assert get(d, old, sup)[0] == 404
    expect_error(-32004, d.rpc, 'exports.download', {'file_id': old}, token=sup)
    assert download(d, recent, sup)[1].startswith(b'\xef\xbb\xbf')
    assert len(download(d, upload_old, sup)[1]) == 2 * MiB
    audit = json.loads(db.psql("select after from audit_log where area = 'files' and"
                               " method = 'files.purge_exports' order by seq desc limit 1"))
    assert old in audit['ids'], audit
    assert d.rpc('files.purge_exports', {}, token=admin)['deleted'] == 0

    # The daemon purges by itself when it starts (and hourly).
    age(db, recent, 30)
    d.restart()
    deadline = time.monotonic() + 20
    while count(db, 'select count(*) from file where id = %d' % recent) and \
            time.monotonic() < deadline:
        time.sleep(0.2)
    assert count(db, 'select count(*) from file where id = %d' % recent) == 0, d.log()[-2000:]
    assert count(db, 'select count(*) from file where id = %d' % upload_old) == 1
    assert "purged 1 expired export(s)" in d.log(), d.log()[-2000:]
    assert count(db, "select count(*) from audit_log where actor_login = 'system'"
                     " and method = 'files.purge_exports'") == 1
    assert d.rpc('audit.verify', {}, token=admin)['ok'] is True


suitest.run(globals())
