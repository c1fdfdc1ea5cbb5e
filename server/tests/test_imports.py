# SPDX-License-Identifier: GPL-3.0-or-later
"""Imports and exports beyond the objects' CSV: inspectors and credit grades through
imports.preview/commit (encodings, recognised columns, invalid rows with their lines, all or
nothing, idempotent), the grade → risk class mapping (grades.*: version, audit, reclassify
with risk history), the completeness check 应纳尽纳 (registry.check/commit) and the XLSX
exports (objects.export, inspectors.export, exports.download).
"""

import base64
import datetime
import io
import json
import os
import re
import sys
import urllib.parse
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                                'tests', 'lib'))
import suitest  # noqa: E402
from suitest import credit_code, expect_error, registers_env as env  # noqa: E402






def field_errors(e):
    return {f['field']: f for f in e.data['fields']}


def upload(d, token, data, name='import.csv'):
    status, _, body = d.call_raw(data, {'Content-Type': 'application/octet-stream',
                                        'Authorization': 'Bearer ' + token,
                                        'X-File-Name': urllib.parse.quote(name, safe='')},
                                 method='PUT', path='/files')
    assert status == 201, (status, body)
    return json.loads(body)['id']


def csv_text(header, rows):
    lines = [','.join(header)]
    for r in rows:
        lines.append(','.join('"%s"' % c.replace('"', '""') if ',' in c or '"' in c else c
                              for c in r))
    return '\r\n'.join(lines) + '\r\n'


def count(db, sql):
    return int(db.psql(sql).strip())


def make_object(d, token, n, **kw):
    params = {'type': 'retail', 'licence_no': '1301020%05d' % n, 'name': '测试商店%d' % n,
              'credit_code': credit_code(n), 'legal_rep': '张三', 'address': '中山路%d号' % n,
              'district': '长安区'}
    params.update(kw)
    return d.rpc('objects.create', params, token=token)


# ---- inspectors --------------------------------------------------------------------------

INSPECTOR_HEADER = ('姓名', '执法证号', '证件有效期起', '证件有效期止', '状态', '专长', '联系电话',
                    '备注')


def test_inspector_import():
    db, d, t, units = env()
    sup = t['sup_ca']
    rows = [['王强', 'HB-CA-0001', '2024/1/1', '2028/12/31', '在岗', '卷烟零售', '13800000001', ''],
            ['李娜', 'HB-CA-0002', '2024年3月1日', '2028-02-29', '在岗', '电子烟', '', 'x'],
            ['赵磊', 'HB-CA-0003', '20240101', '20261231', '离岗', '', '13800000003', '']]
    fid = upload(d, sup, csv_text(INSPECTOR_HEADER, rows).encode('gb18030'))
    p = d.rpc('imports.preview', {'file_id': fid, 'kind': 'inspectors'}, token=sup)
    assert p['encoding'] == 'GB18030' and p['kind'] == 'inspectors' and p['rows'] == 3, p
    cols = {c['header']: c['field'] for c in p['columns']}
    assert cols == {'姓名': 'name', '执法证号': 'cert_no', '证件有效期起': 'cert_valid_from',
                    '证件有效期止': 'cert_valid_until', '状态': 'status', '专长': 'specialties',
                    '联系电话': 'contact', '备注': None}, cols
    assert (p['new'], p['changed'], p['unchanged'], p['invalid']) == (3, 0, 0, 0), p
    assert count(db, 'select count(*) from inspector') == 0

    c = d.rpc('imports.commit', {'file_id': fid, 'kind': 'inspectors'}, token=sup)
    assert (c['new'], c['written']) == (3, 3), c
    got = {i['cert_no']: i for i in
           d.rpc('inspectors.list', {'limit': 100}, token=sup)['items']}
    assert got['HB-CA-0002']['cert_valid_from'] == '2024-03-01', got
    assert got['HB-CA-0003']['status'] == 'off_duty' and got['HB-CA-0001']['unit_id'] == \
        units['changan'], got
    h = d.rpc('inspectors.get', {'id': got['HB-CA-0001']['id']}, token=sup)['history']
    assert h[0]['method'] == 'imports.commit', h
    audits = count(db, "select count(*) from audit_log where area = 'imports'")

    # The same file twice: nothing changes, no audit row.
    c = d.rpc('imports.commit', {'file_id': fid, 'kind': 'inspectors'}, token=sup)
    assert (c['written'], c['unchanged']) == (0, 3), c
    assert count(db, "select count(*) from audit_log where area = 'imports'") == audits

    # Only the file's columns: a file with the certificate and its end changes only that.
    fid = upload(d, sup, b'\xef\xbb\xbf' + csv_text(('执法证号', '有效期至'),
                                                    [['HB-CA-0001', '2030-06-30'],
                                                     ['HB-CA-0009', '2030-06-30']])
                 .encode('utf-8'))
    p = d.rpc('imports.preview', {'file_id': fid, 'kind': 'inspectors'}, token=sup)
    assert p['encoding'] == 'UTF-8-BOM' and (p['changed'], p['invalid']) == (1, 1), p
    assert p['invalid_rows'] == [{'line': 3, 'field': 'name', 'reason':
                                  '新的检查人员须填写姓名、证件有效期起和证件有效期止'}], p
    expect_error(-32011, d.rpc, 'imports.commit', {'file_id': fid, 'kind': 'inspectors'},
                 token=sup)
    assert db.psql("select cert_valid_until from inspector where cert_no = 'HB-CA-0001'")\
        .strip() == '2028-12-31'
    c = d.rpc('imports.commit', {'file_id': fid, 'kind': 'inspectors', 'skip_invalid': True},
              token=sup)
    assert c['written'] == 1, c
    row = db.psql("select name, cert_valid_until, specialties from inspector"
                  " where cert_no = 'HB-CA-0001'").strip()
    assert row == '王强|2030-06-30|卷烟零售', row

    # Invalid rows in the middle, with their lines; a failed commit writes nothing.
    rows = [['孙敏', 'HB-CA-0010', '2024-01-01', '2028-01-01', '在岗', '', '', ''],
            ['钱多', 'HB CA 11', '2024-01-01', '2028-01-01', '在岗', '', '', ''],
            ['周全', 'HB-CA-0012', '2024-01-01', '2023-01-01', '在岗', '', '', ''],
            ['吴用', 'HB-CA-0013', '2024-01-01', '2028-01-01', '出差', '', '', ''],
            ['', 'HB-CA-0014', '2024-01-01', '2028-01-01', '在岗', '', '', ''],
            ['郑重', 'HB-CA-0010', '2024-01-01', '2028-01-01', '在岗', '', '', ''],
            ['冯远', 'HB-CA-0015', '2024-13-01', '2028-01-01', '在岗', '', '', '']]
    fid = upload(d, sup, csv_text(INSPECTOR_HEADER, rows).encode('gb18030'))
    p = d.rpc('imports.preview', {'file_id': fid, 'kind': 'inspectors'}, token=sup)
    lines = {r['line']: r for r in p['invalid_rows']}
    assert (p['new'], p['invalid']) == (1, 6), p
    assert sorted(lines) == [3, 4, 5, 6, 7, 8], lines
    assert lines[3]['field'] == 'cert_no' and lines[4]['field'] == 'cert_valid_until', lines
    assert lines[5]['field'] == 'status' and '出差' in lines[5]['reason'], lines
    assert lines[6]['field'] == 'name' and '第 2 行' in lines[7]['reason'], lines
    assert lines[8]['field'] == 'cert_valid_from', lines
    before = db.psql('select count(*), max(version) from inspector')
    e = expect_error(-32011, d.rpc, 'imports.commit', {'file_id': fid, 'kind': 'inspectors'},
                     token=sup)
    assert '6 行无效' in e.message, e.message
    assert db.psql('select count(*), max(version) from inspector') == before

    # Another unit's inspector is refused for a supervisor; the unit column for an admin.
    fid = upload(d, t['sup_qx'], csv_text(INSPECTOR_HEADER, [
        ['王强', 'HB-CA-0001', '2024-01-01', '2031-01-01', '在岗', '', '', '']]).encode('utf-8'))
    p = d.rpc('imports.preview', {'file_id': fid, 'kind': 'inspectors'}, token=t['sup_qx'])
    assert p['invalid'] == 1 and '其他单位' in p['invalid_rows'][0]['reason'], p
    header = ('姓名', '单位', '执法证号', '有效期起', '有效期止')
    fid = upload(d, t['admin'], csv_text(header, [
        ['陈晨', '桥西区烟草专卖局', 'HB-QX-0001', '2025-01-01', '2029-01-01'],
        ['林林', 'changan', 'HB-CA-0020', '2025-01-01', '2029-01-01'],
        ['何必', '不存在的局', 'HB-XX-0001', '2025-01-01', '2029-01-01']]).encode('utf-8'))
    p = d.rpc('imports.preview', {'file_id': fid, 'kind': 'inspectors'}, token=t['admin'])
    assert {c['header']: c['field'] for c in p['columns']}['单位'] == 'unit_id', p
    assert (p['new'], p['invalid']) == (2, 1) and p['invalid_rows'][0]['line'] == 4, p
    c = d.rpc('imports.commit', {'file_id': fid, 'kind': 'inspectors', 'skip_invalid': True},
              token=t['admin'])
    assert c['written'] == 2
    assert db.psql("select unit_id from inspector where cert_no = 'HB-QX-0001'").strip() == \
        str(units['qiaoxi'])
    # No unit for an admin and no unit column: told so.
    fid = upload(d, t['admin'], csv_text(INSPECTOR_HEADER[:4], [
        ['韩梅', 'HB-XX-0100', '2025-01-01', '2029-01-01']]).encode('utf-8'))
    e = expect_error(-32010, d.rpc, 'imports.preview', {'file_id': fid, 'kind': 'inspectors'},
                     token=t['admin'])
    assert 'unit_id' in field_errors(e)
    # No certificate column.
    fid = upload(d, sup, '姓名,单位\r\n王五,长安\r\n'.encode('utf-8'))
    e = expect_error(-32010, d.rpc, 'imports.preview', {'file_id': fid, 'kind': 'inspectors'},
                     token=sup)
    assert field_errors(e)['file_id']['code'] == 'no_cert'
    e = expect_error(-32010, d.rpc, 'imports.preview', {'file_id': fid, 'kind': 'tags'},
                     token=sup)
    assert 'kind' in field_errors(e)
    expect_error(-32003, d.rpc, 'imports.preview', {'file_id': fid, 'kind': 'inspectors'},
                 token=t['insp_ca'])


# ---- credit grades and the mapping ------------------------------------------------------

def test_grade_import():
    db, d, t, units = env()
    sup = t['sup_ca']
    objs = [make_object(d, sup, n, credit_grade='A') for n in range(2001, 2005)]
    assert [o['risk_class'] for o in objs] == ['B'] * 4
    other = make_object(d, t['sup_qx'], 2009, licence_no='130103002009',
                        credit_code=credit_code(2009, '92130103'))
    header = ('许可证号', '统一社会信用代码', '信用等级', '评定日期')
    rows = [[objs[0]['licence_no'], '', 'AAA', '2026/3/1'],
            ['', objs[1]['credit_code'], 'C', '2026-03-01'],
            [objs[2]['licence_no'], '', 'A', '2026-03-01'],         # same grade, new date
            ['130102099999', '', 'B', '2026-03-01'],                # unknown licence
            [objs[3]['licence_no'], '', 'E', '2026-03-01'],         # unknown grade
            [other['licence_no'], '', 'D', '2026-03-01'],           # another unit's
            [objs[0]['licence_no'], '', 'D', '2026-03-01']]         # repeated
    fid = upload(d, sup, csv_text(header, rows).encode('gb18030'))
    p = d.rpc('imports.preview', {'file_id': fid, 'kind': 'credit_grades'}, token=sup)
    assert {c['header']: c['field'] for c in p['columns']} == {
        '许可证号': 'licence_no', '统一社会信用代码': 'credit_code', '信用等级': 'credit_grade',
        '评定日期': 'credit_grade_date'}, p
    assert (p['new'], p['changed'], p['unchanged'], p['invalid']) == (0, 3, 0, 4), p
    assert p['class_changes'] == 2, p
    lines = {r['line']: r for r in p['invalid_rows']}
    assert sorted(lines) == [5, 6, 7, 8], lines
    assert '130102099999' in lines[5]['reason'] and lines[5]['field'] == 'licence_no', lines
    assert lines[6]['field'] == 'credit_grade' and '其他单位' in lines[7]['reason'], lines
    assert '第 2 行' in lines[8]['reason'], lines
    e = expect_error(-32011, d.rpc, 'imports.commit', {'file_id': fid, 'kind': 'credit_grades'},
                     token=sup)
    assert count(db, "select count(*) from object_risk_history where source = 'credit_import'") \
        == 0
    c = d.rpc('imports.commit', {'file_id': fid, 'kind': 'credit_grades', 'skip_invalid': True},
              token=sup)
    assert (c['changed'], c['written'], c['class_changes']) == (3, 3, 2), c
    got = {o['id']: d.rpc('objects.get', {'id': o['id']}, token=sup) for o in objs}
    a = got[objs[0]['id']]
    assert (a['credit_grade'], a['risk_class'], a['credit_grade_date']) == \
        ('AAA', 'A', '2026-03-01'), a
    assert a['risk_history'][0]['source'] == 'credit_import', a['risk_history']
    assert a['risk_history'][0]['risk_class'] == 'A' and \
        a['risk_history'][0]['credit_grade'] == 'AAA', a['risk_history']
    b = got[objs[1]['id']]
    assert (b['credit_grade'], b['risk_class']) == ('C', 'C'), b
    assert got[objs[2]['id']]['credit_grade_date'] == '2026-03-01'
    # Only class/grade changes are risk history: the date-only change is not.
    assert count(db, "select count(*) from object_risk_history where source = 'credit_import'") \
        == 2
    # Twice: nothing.
    c = d.rpc('imports.commit', {'file_id': fid, 'kind': 'credit_grades', 'skip_invalid': True},
              token=sup)
    assert (c['changed'], c['written'], c['unchanged']) == (0, 0, 3), c
    # An older grade does not overwrite a newer one.
    fid = upload(d, sup, csv_text(header, [[objs[0]['licence_no'], '', 'D', '2025-01-01']])
                 .encode('utf-8'))
    p = d.rpc('imports.preview', {'file_id': fid, 'kind': 'credit_grades'}, token=sup)
    assert p['invalid'] == 1 and '更晚' in p['invalid_rows'][0]['reason'], p
    # An admin reaches every unit without naming one.
    fid = upload(d, t['admin'], csv_text(header, [[other['licence_no'], '', 'D', '2026-03-01']])
                 .encode('utf-8'))
    c = d.rpc('imports.commit', {'file_id': fid, 'kind': 'credit_grades'}, token=t['admin'])
    assert c['written'] == 1
    assert d.rpc('objects.get', {'id': other['id']}, token=t['admin'])['risk_class'] == 'D'
    # No grade column.
    fid = upload(d, sup, csv_text(('许可证号', '名称'), [['130102002001', 'x']]).encode('utf-8'))
    e = expect_error(-32010, d.rpc, 'imports.preview', {'file_id': fid, 'kind': 'credit_grades'},
                     token=sup)
    assert field_errors(e)['file_id']['code'] == 'no_grade'


def test_grade_mapping():
    db, d, t, units = env()
    sup, admin = t['sup_ca'], t['admin']
    objs = [make_object(d, sup, n, credit_grade='B') for n in range(3001, 3004)]
    grades = {g['grade']: g for g in d.rpc('grades.list', {}, token=sup)['items']}
    assert [g for g in grades] == ['AAA', 'AA', 'A', 'B', 'C', 'D'], grades
    b = grades['B']
    assert (b['risk_class'], b['objects'], b['mismatched']) == ('B', 3, 0), b
    expect_error(-32003, d.rpc, 'grades.update',
                 {'grade': 'B', 'risk_class': 'C', 'version': b['version']}, token=sup)
    e = expect_error(-32010, d.rpc, 'grades.update',
                     {'grade': 'B', 'risk_class': 'E', 'version': b['version']}, token=admin)
    assert 'risk_class' in field_errors(e)
    expect_error(-32004, d.rpc, 'grades.update',
                 {'grade': 'Z', 'risk_class': 'C', 'version': 1}, token=admin)

    # Without reclassify: the table changes, the objects do not, and the count says so.
    r = d.rpc('grades.update', {'grade': 'B', 'risk_class': 'C', 'version': b['version']},
              token=admin)
    assert (r['would_change'], r['reclassified'], r['version']) == (3, 0, b['version'] + 1), r
    assert all(d.rpc('objects.get', {'id': o['id']}, token=sup)['risk_class'] == 'B'
               for o in objs)
    assert {g['grade']: g for g in d.rpc('grades.list', {}, token=sup)['items']}['B'][
        'mismatched'] == 3
    # A stale version.
    e = expect_error(-32009, d.rpc, 'grades.update',
                     {'grade': 'B', 'risk_class': 'D', 'version': b['version']}, token=admin)
    assert e.data['current_version'] == b['version'] + 1

    # The same class with reclassify brings the objects in line, each in risk history.
    r = d.rpc('grades.update', {'grade': 'B', 'risk_class': 'C', 'version': b['version'] + 1,
                                'reclassify': True}, token=admin)
    assert (r['reclassified'], r['would_change'], r['version']) == (3, 0, b['version'] + 1), r
    for o in objs:
        got = d.rpc('objects.get', {'id': o['id']}, token=sup)
        assert got['risk_class'] == 'C', got
        assert got['risk_history'][0]['source'] == 'mapping', got['risk_history']
        assert 'B' in got['risk_history'][0]['note'], got['risk_history']
    # Change and reclassify at once, in one transaction; audited.
    r = d.rpc('grades.update', {'grade': 'B', 'risk_class': 'B', 'version': b['version'] + 1,
                                'reclassify': True}, token=admin)
    assert r['reclassified'] == 3 and r['version'] == b['version'] + 2, r
    assert count(db, "select count(*) from object_risk_history where source = 'mapping'") == 6
    assert count(db, "select count(*) from audit_log where area = 'credit_grades'") == 3
    # Nothing to do: no audit row.
    d.rpc('grades.update', {'grade': 'B', 'risk_class': 'B', 'version': b['version'] + 2,
                            'reclassify': True}, token=admin)
    assert count(db, "select count(*) from audit_log where area = 'credit_grades'") == 3


# ---- the completeness check (应纳尽纳) ------------------------------------------------------

REGISTRY_HEADER = ('许可证号', '企业名称', '统一社会信用代码', '法定代表人', '经营地址', '类型',
                   '状态', '发证机关')


def test_registry_check():
    db, d, t, units = env()
    sup = t['sup_qx']
    base = [make_object(d, sup, n, licence_no='1301050%05d' % n,
                        credit_code=credit_code(n, '92130105'), district='桥西区',
                        address='新石路%d号' % n) for n in range(5001, 5006)]
    d.rpc('objects.retire', {'id': base[4]['id'], 'version': base[4]['version'],
                             'reason': '停止经营'}, token=sup)
    elsewhere = make_object(d, t['sup_ca'], 5090, licence_no='130105005090',
                            credit_code=credit_code(5090, '92130105'))

    def reg(o, **kw):
        row = {'licence': o['licence_no'], 'name': o['name'], 'code': o['credit_code'],
               'rep': o['legal_rep'], 'addr': o['address'], 'type': '卷烟零售户',
               'status': '有效', 'office': '石家庄市烟草专卖局'}
        row.update(kw)
        return [row[k] for k in ('licence', 'name', 'code', 'rep', 'addr', 'type', 'status',
                                 'office')]

    new1 = {'licence_no': '130105006001', 'name': '新开便利店', 'credit_code':
            credit_code(6001, '92130105'), 'legal_rep': '刘一', 'address': '新石路601号'}
    new2 = {'licence_no': '130105006002', 'name': '再开商行', 'credit_code':
            credit_code(6002, '92130105'), 'legal_rep': '刘二', 'address': '新石路602号'}
    closed = {'licence_no': '130105006003', 'name': '已注销店', 'credit_code': '',
              'legal_rep': '', 'address': ''}
    rows = [reg(base[0]),                                       # matched
            reg(base[1], name='改名后商店', rep='李四'),         # mismatched, 2 fields
            reg(new1),                                          # missing
            reg(base[2], addr=''),                              # empty cell: still matched
            reg(new2, type='卷烟零售'),                          # missing, registry's word
            reg(closed, status='注销'),                          # closed, not missing
            reg(base[4]),                                       # retired in the register
            reg(elsewhere),                                     # another unit's
            reg(new1, licence='1301')]                          # invalid licence
    # base[3] is in the register and not in the registry: extra.
    fid = upload(d, sup, csv_text(REGISTRY_HEADER, rows).encode('gb18030'))
    r = d.rpc('registry.check', {'file_id': fid}, token=sup)
    cols = {c['header']: c['field'] for c in r['columns']}
    assert cols['企业名称'] == 'name' and cols['法定代表人'] == 'legal_rep' and \
        cols['类型'] == 'type' and cols['发证机关'] is None, cols
    extra = db.psql("select licence_no from object where unit_id = %d and not retired"
                    " and licence_no not like '13010500500_' order by licence_no"
                    % units['qiaoxi']).split() + [base[3]['licence_no']]
    assert (r['matched'], r['missing'], r['mismatched'], r['extra'], r['closed'],
            r['invalid']) == (2, 2, 3, len(extra), 1, 1), r
    assert [m['licence_no'] for m in r['missing_rows']] == [new1['licence_no'],
                                                            new2['licence_no']], r
    assert r['missing_rows'][0]['line'] == 4, r
    assert sorted(x['licence_no'] for x in r['extra_rows']) == sorted(extra), (r, extra)
    mm = {m['licence_no']: m for m in r['mismatched_rows']}
    assert mm[base[1]['licence_no']]['state'] == 'mismatched'
    fields = {f['field']: f for f in mm[base[1]['licence_no']]['fields']}
    assert set(fields) == {'name', 'legal_rep'}, fields
    assert fields['name'] == {'field': 'name', 'label': '名称', 'register': base[1]['name'],
                              'registry': '改名后商店'}, fields
    assert mm[base[4]['licence_no']]['state'] == 'retired'
    assert mm[elsewhere['licence_no']]['state'] == 'other_unit'
    assert r['invalid_rows'][0]['line'] == 10, r

    # The commit adds only the missing ones, in one transaction; twice = no change.
    before = count(db, 'select count(*) from object')
    versions = db.psql('select sum(version) from object')
    c = d.rpc('registry.commit', {'file_id': fid}, token=sup)
    assert c['added'] == 2 and len(c['ids']) == 2, c
    assert count(db, 'select count(*) from object') == before + 2
    added = d.rpc('objects.get', {'id': c['ids'][0]}, token=sup)
    assert (added['licence_no'], added['name'], added['unit_id'], added['status'],
            added['type']) == (new1['licence_no'], new1['name'], units['qiaoxi'], 'open',
                               'retail'), added
    assert db.psql("select sum(version) from object where licence_no not like '13010500600_'") \
        == versions
    assert count(db, "select count(*) from audit_log where area = 'registry'") == 1
    c = d.rpc('registry.commit', {'file_id': fid}, token=sup)
    assert c['added'] == 0, c
    assert count(db, 'select count(*) from object') == before + 2
    assert count(db, "select count(*) from audit_log where area = 'registry'") == 1
    r = d.rpc('registry.check', {'file_id': fid}, token=sup)
    assert (r['missing'], r['matched']) == (0, 4), r

    # Without the name column; an admin must name the unit; roles.
    fid = upload(d, sup, csv_text(('许可证号', '地址'), [['130105006009', 'x']]).encode('utf-8'))
    e = expect_error(-32010, d.rpc, 'registry.check', {'file_id': fid}, token=sup)
    assert field_errors(e)['file_id']['code'] == 'no_name'
    fid = upload(d, t['admin'], csv_text(REGISTRY_HEADER, [reg(new1)]).encode('utf-8'))
    e = expect_error(-32010, d.rpc, 'registry.check', {'file_id': fid}, token=t['admin'])
    assert 'unit_id' in field_errors(e)
    expect_error(-32003, d.rpc, 'registry.check', {'file_id': fid}, token=t['insp_ca'])


# ---- exports --------------------------------------------------------------------------------

def sheet_rows(data):
    """The rows of the first sheet of an XLSX file, shared strings resolved."""
    z = zipfile.ZipFile(io.BytesIO(data))
    names = z.namelist()
    assert 'xl/workbook.xml' in names and 'xl/worksheets/sheet1.xml' in names, names
    shared = []
    if 'xl/sharedStrings.xml' in names:
        shared = [re.sub(r'<[^>]+>', '', s) for s in
                  re.findall(r'<si>(.*?)</si>', z.read('xl/sharedStrings.xml').decode())]
    sheet = z.read('xl/worksheets/sheet1.xml').decode()
    rows = []
    for row in re.findall(r'<row [^>]*>(.*?)</row>', sheet, re.S):
        cells = {}
        for ref, attrs, body in re.findall(r'<c r="([A-Z]+)\d+"([^>]*)>(.*?)</c>', row, re.S):
            v = re.search(r'<v>(.*?)</v>', body)
            is_text = 't="s"' in attrs
            inline = re.search(r'<t[^>]*>(.*?)</t>', body)
            if is_text:
                cells[ref] = shared[int(v.group(1))]
            elif inline:
                cells[ref] = inline.group(1)
            else:
                cells[ref] = float(v.group(1)) if v else None
        rows.append(cells)
    return rows, sheet


def test_exports():
    db, d, t, units = env()
    sup = t['sup_ca']
    make_object(d, sup, 8001, name='导出专用店', licence_valid_from='2024-01-05',
                licence_valid_until='2029-01-04')
    r = d.rpc('objects.export', {'filter': {'text': '导出专用'}, 'format': 'xlsx'}, token=sup)
    assert r['rows'] == 1 and r['format'] == 'xlsx' and r['name'].endswith('.xlsx'), r
    assert 'csv' not in r
    f = d.rpc('exports.download', {'file_id': r['file_id']}, token=sup)
    data = base64.b64decode(f['data'])
    assert len(data) == r['size'] == f['size'] and f['sha256'] == r['sha256'], (r, f)
    rows, sheet = sheet_rows(data)
    assert len(rows) == 2, rows
    assert rows[0]['A'] == '许可证号' and rows[0]['C'] == '名称' and rows[0]['I'] == '有效期起'
    assert rows[1]['A'] == '130102008001' and rows[1]['C'] == '导出专用店', rows
    # Dates as dates: Excel's day numbers with a date style.
    epoch = datetime.date(1899, 12, 30)
    assert rows[1]['I'] == (datetime.date(2024, 1, 5) - epoch).days, rows
    assert rows[1]['J'] == (datetime.date(2029, 1, 4) - epoch).days, rows
    assert re.search(r'<c r="I2" s="\d+"', sheet), sheet[:500]
    # Someone else cannot download it; an admin can.
    expect_error(-32003, d.rpc, 'exports.download', {'file_id': r['file_id']}, token=t['sup_qx'])
    d.rpc('exports.download', {'file_id': r['file_id']}, token=t['admin'])
    expect_error(-32004, d.rpc, 'exports.download', {'file_id': 999999}, token=sup)

    # CSV: UTF-8 with BOM, the same file by id, the same filter as the list.
    r = d.rpc('objects.export', {'filter': {'text': '导出专用'}, 'format': 'csv'}, token=sup)
    data = base64.b64decode(d.rpc('exports.download', {'file_id': r['file_id']},
                                  token=sup)['data'])
    assert data.startswith(b'\xef\xbb\xbf') and data.decode('utf-8')[1:] == r['csv'][1:], r
    assert r['csv'].split('\r\n')[1].startswith('="130102008001",'), r['csv']
    e = expect_error(-32010, d.rpc, 'objects.export', {'format': 'pdf'}, token=sup)
    assert 'format' in field_errors(e)

    # Inspectors: the list's filter and scope.
    d.rpc('inspectors.create', {'name': '导出员甲', 'cert_no': 'EXP-0001',
                                'cert_valid_from': '2024-01-01',
                                'cert_valid_until': '2028-12-31'}, token=sup)
    d.rpc('inspectors.create', {'name': '导出员乙', 'cert_no': 'EXP-0002',
                                'cert_valid_from': '2020-01-01',
                                'cert_valid_until': '2021-12-31'}, token=t['sup_qx'])
    n = d.rpc('inspectors.list', {'with_count': True, 'filter': {'text': '导出员'}},
              token=sup)['total']
    r = d.rpc('inspectors.export', {'format': 'xlsx', 'filter': {'text': '导出员'}}, token=sup)
    assert r['rows'] == n == 1, (r, n)
    rows, _ = sheet_rows(base64.b64decode(
        d.rpc('exports.download', {'file_id': r['file_id']}, token=sup)['data']))
    assert rows[0]['A'] == '姓名' and rows[0]['C'] == '执法证号', rows[0]
    assert (rows[1]['A'], rows[1]['B'], rows[1]['C'], rows[1]['F']) == \
        ('导出员甲', '长安区烟草专卖局', 'EXP-0001', '有效'), rows[1]
    r = d.rpc('inspectors.export', {'filter': {'text': '导出员'}}, token=t['admin'])
    assert r['rows'] == 2 and '已过期' in r['csv'], r
    assert count(db, "select count(*) from audit_log where area = 'exports'") == 4
    names = {m['name'] for m in d.rpc('system.describe')['methods']}
    for m in ('registry.check', 'registry.commit', 'grades.list', 'grades.update',
              'inspectors.export', 'exports.download'):
        assert m in names, m
    assert d.rpc('audit.verify', {}, token=t['admin'])['ok'] is True


def test_item_list_and_catalogue_exports():
    """The item list and the catalogue export like the registers, each unit only its own."""
    db, d, t, units = env()
    sup = t['sup_ca']
    suitest.claim_item(d, sup, 'YC-02')
    suitest.claim_item(d, t['sup_qx'], 'YC-03')
    mine = d.rpc('items.list', {}, token=sup)['items']
    r = d.rpc('items.export', {'format': 'xlsx', 'unit_id': units['qiaoxi']}, token=sup)
    assert r['rows'] == len(mine) > 0, (r, mine)
    rows, _ = sheet_rows(base64.b64decode(
        d.rpc('exports.download', {'file_id': r['file_id']}, token=sup)['data']))
    assert rows[0]['A'] == '所属单位' and rows[0]['B'] == '事项编码', rows[0]
    assert {row['B'] for row in rows[1:]} == {i['code'] for i in mine}
    assert {row['A'] for row in rows[1:]} == {'长安区烟草专卖局'}, 'a supervisor: their unit only'
    yc02 = next(row for row in rows[1:] if row['B'] == 'YC-02')
    item = next(i for i in mine if i['code'] == 'YC-02')
    assert yc02['F'] == '%.2f' % (item['ratio_min_bp'] / 100), (yc02, item)
    everyone = d.rpc('items.export', {}, token=t['admin'])
    assert everyone['rows'] == len(d.rpc('items.list', {'unit_id': units['changan']},
                                         token=t['admin'])['items']) + \
        len(d.rpc('items.list', {'unit_id': units['qiaoxi']}, token=t['admin'])['items'])
    assert '桥西区烟草专卖局' in everyone['csv'] and '长安区烟草专卖局' in everyone['csv']

    r = d.rpc('catalogue.export', {'format': 'csv'}, token=sup)
    catalogue = d.rpc('catalogue.list', {}, token=sup)['items']
    assert r['rows'] == len(catalogue) and r['csv'].startswith('\ufeff事项编码,'), r['csv'][:80]
    assert all(c['code'] in r['csv'] for c in catalogue)
    e = expect_error(-32010, d.rpc, 'catalogue.export', {'format': 'doc'}, token=sup)
    assert 'format' in field_errors(e)


suitest.run(globals())
