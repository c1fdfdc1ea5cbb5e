# SPDX-License-Identifier: GPL-3.0-or-later
"""The item list (抽查事项清单): check methods, the catalogue kept by the admin (create,
update with the affected units, retire), claims by the units (claim, refine within the
catalogue's bounds, acknowledge a catalogue change, release and claim again keeping the
history), roles and unit scoping, audit rows, failed calls that change nothing, and the items
of a task (item of the unit, method allowed, on-site reason, general-item ratio cap) with the
task's inspector rules."""

import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                                'tests', 'lib'))
import suitest  # noqa: E402

PASSWORD = 'Items@2026'
_shared = {}
_year = [2070]


def env():
    if 'd' not in _shared:
        db, d = suitest.fresh()
        admin = d.login(suitest.ADMIN_LOGIN, suitest.ADMIN_PASSWORD)
        units = {}
        for code in ('changan', 'qiaoxi'):
            units[code] = d.rpc('units.create', {'name': code + '局', 'code': code,
                                                 'kind': 'direct'}, token=admin)['id']
        t = {'admin': admin}
        for login, role, unit in (('sup_ca', 'supervisor', 'changan'),
                                  ('sup_ca2', 'supervisor', 'changan'),
                                  ('sup_qx', 'supervisor', 'qiaoxi'),
                                  ('insp_ca', 'inspector', 'changan')):
            d.rpc('users.create', {'login': login, 'name': '测试' + login, 'role': role,
                                   'unit_id': units[unit], 'password': PASSWORD}, token=admin)
            t[login] = d.login(login, PASSWORD)
        _shared.update(db=db, d=d, t=t, units=units)
    return _shared['db'], _shared['d'], _shared['t'], _shared['units']


def rpc(method, params, who):
    db, d, t, units = env()
    return d.rpc(method, params, token=t[who])


def expect_error(code, method, params, who):
    try:
        rpc(method, params, who)
    except suitest.RpcError as e:
        assert e.code == code, '%s: expected %d, got %s' % (method, code, e)
        assert code == -32602 or re.search(r'[\u4e00-\u9fff]', e.message), e.message
        return e
    raise AssertionError('%s as %s: expected error %d, it succeeded' % (method, who, code))


def fields_of(e):
    return {f['field']: f for f in e.data['fields']}


def count(sql):
    db, d, t, units = env()
    return int(db.psql(sql).strip())


def audit_count(area, record_id):
    return count("select count (*) from audit_log where area = '%s' and record_id = '%s'"
                 % (area, record_id))


def seeded(code):
    return next(c for c in rpc('catalogue.list', {}, 'admin')['items'] if c['code'] == code)


NEW_ENTRY = {'code': 'T-01', 'name': '测试事项', 'legal_basis': '《烟草专卖法》',
             'content': '检查测试内容', 'object_types': ['retail', 'ecig'], 'level': 'general',
             'methods': ['on_site', 'written', 'video'], 'ratio_min_bp': 500,
             'ratio_max_bp': 4000, 'frequency': '每年不超过1次'}


def test_check_methods_and_seeded_catalogue():
    methods = rpc('check_methods.list', {}, 'insp_ca')['items']
    assert [(m['code'], m['off_site']) for m in methods] == [
        ('on_site', False), ('written', True), ('data_sharing', True), ('online', True),
        ('video', True), ('expert', True)]
    assert methods[0]['name'] == '现场检查'
    listed = rpc('catalogue.list', {}, 'insp_ca')
    by_code = {c['code']: c for c in listed['items']}
    assert set(by_code) >= {'YC-02', 'YC-01', 'YC-03', 'DZY-01', 'DZY-02'}, by_code.keys()
    assert by_code['YC-02']['name'] == '亮证经营及许可证信息一致'
    assert by_code['YC-01']['level'] == 'key' and by_code['YC-01']['ratio_max_bp'] == 10000
    assert by_code['DZY-01']['object_types'] == ['ecig']
    for c in listed['items']:
        assert c['state'] == 'active' and c['version'] == 1 and c['claimed_by'] == []
        assert '《' in c['legal_basis'] and c['methods'] and c['object_types']
        assert 0 <= c['ratio_min_bp'] <= c['ratio_max_bp'] <= 10000
    got = rpc('catalogue.get', {'id': by_code['YC-03']['id']}, 'sup_ca')
    assert [h['action'] for h in got['history']] == ['create']
    assert got['history'][0]['after']['name'] == '卷烟条码与许可证号一致'
    assert rpc('catalogue.list', {'query': '电子烟'}, 'sup_ca')['items'] and all(
        '电子烟' in c['name'] + c['content'] + c['legal_basis']
        for c in rpc('catalogue.list', {'query': '电子烟'}, 'sup_ca')['items'])


def test_catalogue_create_validation_and_roles():
    db, d, t, units = env()
    expect_error(-32003, 'catalogue.create', NEW_ENTRY, 'sup_ca')
    expect_error(-32003, 'catalogue.create', NEW_ENTRY, 'insp_ca')
    before = count('select count (*) from catalogue_item')
    audits = count("select count (*) from audit_log where area = 'catalogue'")
    bad = dict(NEW_ENTRY, code='坏 code', name=' ', object_types=['shop'], methods=['phone'],
               level='medium', ratio_min_bp=5000, ratio_max_bp=4000)
    e = expect_error(-32010, 'catalogue.create', bad, 'admin')
    f = fields_of(e)
    assert {k: v['code'] for k, v in f.items()} == {
        'code': 'format', 'name': 'required', 'object_types': 'invalid', 'methods': 'invalid',
        'level': 'invalid', 'ratio_max_bp': 'order'}, f
    e = expect_error(-32010, 'catalogue.create', dict(NEW_ENTRY, code='YC-02', methods=[],
                                                        ratio_max_bp=10001), 'admin')
    assert {k: v['code'] for k, v in fields_of(e).items()} == {
        'code': 'taken', 'methods': 'required', 'ratio_max_bp': 'range'}
    expect_error(-32602, 'catalogue.create', {k: v for k, v in NEW_ENTRY.items()
                                              if k != 'legal_basis'}, 'admin')
    assert count('select count (*) from catalogue_item') == before, 'failed calls add nothing'
    assert count("select count (*) from audit_log where area = 'catalogue'") == audits
    made = rpc('catalogue.create', dict(NEW_ENTRY, name=' 测试事项 '), 'admin')
    assert made['name'] == '测试事项' and made['state'] == 'active' and made['version'] == 1
    assert made['methods'] == ['on_site', 'written', 'video'] and made['claimed_by'] == []
    assert audit_count('catalogue', made['id']) == 1
    _shared['entry'] = made


def test_claim_and_refine_within_bounds():
    entry = _shared['entry']
    item = rpc('items.claim', {'catalogue_id': entry['id']}, 'sup_ca')
    assert item['state'] == 'active' and item['unit_id'] == env()[3]['changan']
    assert (item['content'], item['methods'], item['ratio_min_bp'], item['ratio_max_bp']) == \
        (entry['content'], entry['methods'], 500, 4000), 'refinement starts as the catalogue'
    assert item['catalogue_version'] == 1 and not item['catalogue_changed']
    assert item['code'] == 'T-01' and item['level'] == 'general'
    e = expect_error(-32010, 'items.claim', {'catalogue_id': entry['id']}, 'sup_ca2')
    assert fields_of(e)['catalogue_id']['code'] == 'taken'
    expect_error(-32003, 'items.claim', {'catalogue_id': entry['id']}, 'admin')
    expect_error(-32004, 'items.claim', {'catalogue_id': 987654}, 'sup_ca')
    got = rpc('catalogue.get', {'id': entry['id']}, 'admin')
    assert got['claimed_by'] == [{'unit_id': item['unit_id'], 'unit_name': 'changan局',
                                  'item_id': item['id']}]

    history = count('select count (*) from item_history where item_id = %d' % item['id'])
    audits = audit_count('items', item['id'])
    # each bound violation names its field and the catalogue's bound
    e = expect_error(-32010, 'items.update', {'id': item['id'], 'version': item['version'],
                                              'ratio_min_bp': 100, 'ratio_max_bp': 5000,
                                              'methods': ['on_site', 'online'], 'content': ' '},
                     'sup_ca')
    f = fields_of(e)
    assert {k: v['code'] for k, v in f.items()} == {
        'ratio_min_bp': 'below_catalogue', 'ratio_max_bp': 'above_catalogue',
        'methods': 'not_allowed', 'content': 'required'}, f
    assert '5.00%' in f['ratio_min_bp']['message'], f['ratio_min_bp']['message']
    assert '40.00%' in f['ratio_max_bp']['message'], f['ratio_max_bp']['message']
    assert '现场检查' in f['methods']['message'] and '视频检查' in f['methods']['message']
    e = expect_error(-32010, 'items.update', {'id': item['id'], 'version': item['version'],
                                              'ratio_min_bp': 3000, 'ratio_max_bp': 2000},
                     'sup_ca')
    assert fields_of(e)['ratio_max_bp']['code'] == 'order'
    e = expect_error(-32010, 'items.update', {'id': item['id'], 'version': item['version'],
                                              'methods': []}, 'sup_ca')
    assert fields_of(e)['methods']['code'] == 'required'
    expect_error(-32602, 'items.update', {'id': item['id'], 'version': item['version'],
                                          'methods': 'on_site'}, 'sup_ca')
    unchanged = rpc('items.get', {'id': item['id']}, 'sup_ca')
    assert unchanged['version'] == item['version'] and unchanged['methods'] == item['methods']
    assert count('select count (*) from item_history where item_id = %d' % item['id']) == history
    assert audit_count('items', item['id']) == audits, 'failed calls write no audit row'

    item = rpc('items.update', {'id': item['id'], 'version': item['version'],
                                'content': '核对许可证', 'methods': ['written', 'on_site'],
                                'ratio_min_bp': 1000, 'ratio_max_bp': 3000}, 'sup_ca')
    assert (item['content'], item['methods'], item['ratio_min_bp'], item['ratio_max_bp']) == \
        ('核对许可证', ['written', 'on_site'], 1000, 3000)
    assert item['version'] == unchanged['version'] + 1
    same = rpc('items.update', {'id': item['id'], 'version': item['version'],
                                'ratio_max_bp': 3000}, 'sup_ca')
    assert same['version'] == item['version'], 'nothing changed, no new version'
    expect_error(-32009, 'items.update', {'id': item['id'], 'version': item['version'] - 1,
                                          'content': '旧版本'}, 'sup_ca')
    got = rpc('items.get', {'id': item['id']}, 'sup_ca')
    assert [h['action'] for h in got['history']] == ['update', 'claim']
    assert got['history'][0]['after']['ratio_max_bp'] == 3000
    assert got['history'][0]['before']['ratio_max_bp'] == 4000
    assert got['history'][0]['changed_by_name'] == '测试sup_ca'
    assert audit_count('items', item['id']) == audits + 1
    _shared['item'] = item


def test_roles_and_unit_scoping():
    db, d, t, units = env()
    item = _shared['item']
    expect_error(-32003, 'items.get', {'id': item['id']}, 'sup_qx')
    expect_error(-32003, 'items.update', {'id': item['id'], 'version': item['version'],
                                          'content': '越权'}, 'sup_qx')
    expect_error(-32003, 'items.release', {'id': item['id'], 'version': item['version'],
                                           'reason': '越权'}, 'sup_qx')
    expect_error(-32003, 'items.acknowledge', {'id': item['id'], 'version': item['version']},
                 'sup_qx')
    expect_error(-32003, 'items.list', {}, 'insp_ca')
    expect_error(-32003, 'items.update', {'id': item['id'], 'version': item['version'],
                                          'content': '管理员'}, 'admin')
    expect_error(-32004, 'items.get', {'id': 987654}, 'admin')
    theirs = rpc('items.claim', {'catalogue_id': seeded('YC-01')['id']}, 'sup_qx')
    # a supervisor sees only their unit's list, whatever unit_id says
    mine = rpc('items.list', {'unit_id': units['qiaoxi']}, 'sup_ca')['items']
    assert mine and all(i['unit_id'] == units['changan'] for i in mine)
    assert theirs['id'] not in [i['id'] for i in mine]
    qx = rpc('items.list', {'unit_id': units['qiaoxi']}, 'admin')['items']
    assert [i['id'] for i in qx] == [theirs['id']]
    everything = rpc('items.list', {}, 'admin')['items']
    assert {i['unit_id'] for i in everything} == {units['changan'], units['qiaoxi']}
    assert rpc('items.get', {'id': theirs['id']}, 'admin')['unit_name'] == 'qiaoxi局'
    found = rpc('items.list', {'query': '测试'}, 'sup_ca')['items']
    assert [i['id'] for i in found] == [item['id']]
    for method in ('catalogue.update', 'catalogue.retire'):
        expect_error(-32003, method, {'id': _shared['entry']['id'], 'version': 1,
                                      'reason': 'x', 'name': 'x'}, 'sup_ca')


def test_catalogue_update_affects_claims_and_acknowledge_clips():
    db, d, t, units = env()
    entry = _shared['entry']
    item = _shared['item']
    other = rpc('items.claim', {'catalogue_id': entry['id']}, 'sup_qx')
    e = expect_error(-32010, 'catalogue.update', {'id': entry['id'], 'version': 1,
                                                  'ratio_min_bp': -1}, 'admin')
    assert fields_of(e)['ratio_min_bp']['code'] == 'range'
    same = rpc('catalogue.update', {'id': entry['id'], 'version': 1, 'name': '测试事项'}, 'admin')
    assert same['version'] == 1 and same['affected'] == []
    changed = rpc('catalogue.update', {'id': entry['id'], 'version': 1,
                                       'methods': ['on_site', 'video'], 'ratio_min_bp': 1500,
                                       'ratio_max_bp': 2500, 'name': '测试事项（修订）'},
                  'admin')
    assert changed['version'] == 2 and changed['name'] == '测试事项（修订）'
    assert sorted((a['unit_id'], a['item_id']) for a in changed['affected']) == \
        sorted([(units['changan'], item['id']), (units['qiaoxi'], other['id'])])
    expect_error(-32009, 'catalogue.update', {'id': entry['id'], 'version': 1, 'name': 'x'},
                 'admin')
    got = rpc('catalogue.get', {'id': entry['id']}, 'admin')
    assert [h['action'] for h in got['history']] == ['update', 'create']
    assert got['history'][0]['before']['ratio_max_bp'] == 4000
    assert audit_count('catalogue', entry['id']) == 2

    seen = rpc('items.get', {'id': item['id']}, 'sup_ca')
    assert seen['catalogue_changed'] and seen['catalogue_version'] == 1
    assert seen['name'] == '测试事项', 'the claim shows the version it acknowledged'
    acked = rpc('items.acknowledge', {'id': item['id'], 'version': seen['version']}, 'sup_ca')
    assert not acked['catalogue_changed'] and acked['catalogue_version'] == 2
    assert acked['name'] == '测试事项（修订）'
    # written is gone from the catalogue; 10–30 % clipped into 15–25 %
    assert acked['methods'] == ['on_site']
    assert (acked['ratio_min_bp'], acked['ratio_max_bp']) == (1500, 2500)
    assert acked['content'] == '核对许可证', 'the unit keeps its own content'
    history = rpc('items.get', {'id': item['id']}, 'sup_ca')['history']
    assert history[0]['action'] == 'acknowledge'
    note = history[0]['note']
    assert '书面核查' in note and '15.00%' in note and '25.00%' in note, note
    again = rpc('items.acknowledge', {'id': acked['id'], 'version': acked['version']}, 'sup_ca')
    assert again['version'] == acked['version'], 'nothing more to acknowledge'
    _shared['item'] = acked
    _shared['entry'] = changed
    _shared['other'] = other


def test_release_and_claim_again():
    db, d, t, units = env()
    item = _shared['item']
    e = expect_error(-32010, 'items.release', {'id': item['id'], 'version': item['version'],
                                               'reason': ' '}, 'sup_ca')
    assert fields_of(e)['reason']['code'] == 'required'
    gone = rpc('items.release', {'id': item['id'], 'version': item['version'],
                                 'reason': '职能调整'}, 'sup_ca')
    assert gone['state'] == 'released' and gone['release_reason'] == '职能调整'
    assert item['id'] not in [i['id'] for i in rpc('items.list', {}, 'sup_ca')['items']]
    assert item['id'] in [i['id'] for i in rpc('items.list', {'include_released': True},
                                               'sup_ca')['items']]
    expect_error(-32011, 'items.update', {'id': item['id'], 'version': gone['version'],
                                          'content': 'x'}, 'sup_ca')
    expect_error(-32011, 'items.release', {'id': item['id'], 'version': gone['version'],
                                           'reason': '再次'}, 'sup_ca')
    claimed = [c['unit_id'] for c in rpc('catalogue.get', {'id': item['catalogue_id']},
                                         'admin')['claimed_by']]
    assert units['changan'] not in claimed and units['qiaoxi'] in claimed
    back = rpc('items.claim', {'catalogue_id': item['catalogue_id']}, 'sup_ca')
    assert back['id'] == item['id'] and back['state'] == 'active'
    assert back['release_reason'] is None and back['version'] == gone['version'] + 1
    entry = _shared['entry']
    assert (back['methods'], back['ratio_min_bp'], back['content']) == \
        (entry['methods'], entry['ratio_min_bp'], entry['content']), 'catalogue values again'
    actions = [h['action'] for h in rpc('items.get', {'id': item['id']}, 'sup_ca')['history']]
    assert actions == ['reclaim', 'release', 'acknowledge', 'update', 'claim'], actions
    assert audit_count('items', item['id']) == 5
    _shared['item'] = back


def test_retire_lists_affected_units():
    db, d, t, units = env()
    entry = rpc('catalogue.get', {'id': _shared['entry']['id']}, 'admin')
    e = expect_error(-32010, 'catalogue.retire', {'id': entry['id'], 'version': entry['version'],
                                                  'reason': ''}, 'admin')
    assert fields_of(e)['reason']['code'] == 'required'
    expect_error(-32009, 'catalogue.retire', {'id': entry['id'], 'version': 1, 'reason': '废止'},
                 'admin')
    retired = rpc('catalogue.retire', {'id': entry['id'], 'version': entry['version'],
                                       'reason': '上级文件废止'}, 'admin')
    assert retired['state'] == 'retired' and retired['retire_reason'] == '上级文件废止'
    assert sorted(a['unit_id'] for a in retired['affected']) == \
        sorted([units['changan'], units['qiaoxi']])
    expect_error(-32011, 'catalogue.update', {'id': entry['id'], 'version': retired['version'],
                                              'name': '复活'}, 'admin')
    expect_error(-32011, 'catalogue.retire', {'id': entry['id'], 'version': retired['version'],
                                              'reason': '再次'}, 'admin')
    assert entry['id'] not in [c['id'] for c in rpc('catalogue.list', {}, 'sup_ca')['items']]
    assert entry['id'] in [c['id'] for c in rpc('catalogue.list', {'include_retired': True},
                                                'sup_ca')['items']]
    item = rpc('items.get', {'id': _shared['item']['id']}, 'sup_ca')
    assert item['catalogue_state'] == 'retired' and item['catalogue_changed']
    expect_error(-32011, 'items.acknowledge', {'id': item['id'], 'version': item['version']},
                 'sup_ca')
    gone = rpc('items.release', {'id': item['id'], 'version': item['version'],
                                 'reason': '上级已废止'}, 'sup_ca')
    expect_error(-32011, 'items.claim', {'catalogue_id': entry['id']}, 'sup_ca')
    assert rpc('items.get', {'id': gone['id']}, 'sup_ca')['state'] == 'released'
    # paging of the catalogue by id
    first = rpc('catalogue.list', {'limit': 2, 'include_retired': True}, 'admin')
    assert len(first['items']) == 2 and first['next_after'] == first['items'][1]['id']
    rest = rpc('catalogue.list', {'after': first['next_after'], 'include_retired': True},
               'admin')
    assert rest['items'][0]['id'] > first['next_after']


def new_plan(who='sup_ca'):
    year = _year[0]
    _year[0] += 1
    return rpc('plans.create', {'year': year, 'title': '%d 年度计划' % year}, who)


def test_task_items_validation():
    db, d, t, units = env()
    plan = new_plan()
    licence = suitest.claim_item(d, t['sup_ca'], 'YC-02')      # general, on site or off site
    illegal = suitest.claim_item(d, t['sup_ca'], 'YC-01')      # key
    theirs = suitest.claim_item(d, t['sup_qx'], 'YC-03')
    base = {'plan_id': plan['id'], 'name': '持证经营检查'}
    tasks = count('select count (*) from task')

    e = expect_error(-32010, 'tasks.create', dict(base, items=[
        {'item_id': licence, 'method': 'on_site'}]), 'sup_ca')
    assert [f['code'] for f in e.data['fields']] == ['on_site_reason']
    assert '理由' in e.data['fields'][0]['message']
    e = expect_error(-32010, 'tasks.create', dict(base, items=[
        {'item_id': licence, 'method': 'data_sharing'}]), 'sup_ca')
    assert [f['code'] for f in e.data['fields']] == ['method']
    assert '书面核查' in e.data['fields'][0]['message']
    e = expect_error(-32010, 'tasks.create', dict(base, items=[
        {'item_id': theirs, 'method': 'on_site', 'reason': '需要'}]), 'sup_ca')
    assert [f['code'] for f in e.data['fields']] == ['not_found']
    e = expect_error(-32010, 'tasks.create', dict(base, items=['亮证经营']), 'sup_ca')
    assert [f['code'] for f in e.data['fields']] == ['invalid'], 'text items are gone'
    e = expect_error(-32010, 'tasks.create', dict(base, items=[
        {'item_id': illegal, 'method': 'online'}, {'item_id': illegal, 'method': 'online'}]),
        'sup_ca')
    assert [f['code'] for f in e.data['fields']] == ['duplicate']
    # general item: every class ratio at most its cap (7000 bp); key items have none
    e = expect_error(-32010, 'tasks.create', dict(base, ratio_d_bp=8000, items=[
        {'item_id': licence, 'method': 'written'}, {'item_id': illegal, 'method': 'online'}]),
        'sup_ca')
    f = fields_of(e)
    assert set(f) == {'ratio_d_bp'} and f['ratio_d_bp']['code'] == 'general_cap'
    assert '亮证经营及许可证信息一致' in f['ratio_d_bp']['message']
    # rules for the inspectors
    tag_group = int(db.psql("insert into tag_group (name, applies_to, unit_id) values"
                            " ('专长', 'inspectors', %d) returning id" % units['changan'])
                    .split()[0])
    other_group = int(db.psql("insert into tag_group (name, applies_to, unit_id) values"
                              " ('专长', 'inspectors', %d) returning id" % units['qiaoxi'])
                      .split()[0])
    object_group = int(db.psql("insert into tag_group (name, applies_to) values"
                               " ('商圈', 'objects') returning id").split()[0])
    ecig, = [int(x) for x in db.psql("insert into tag (group_id, name) values (%d, '电子烟')"
                                     " returning id" % tag_group).split()[:1]]
    theirs_tag = int(db.psql("insert into tag (group_id, name) values (%d, '电子烟')"
                             " returning id" % other_group).split()[0])
    object_tag = int(db.psql("insert into tag (group_id, name) values (%d, '学校周边')"
                             " returning id" % object_group).split()[0])
    e = expect_error(-32010, 'tasks.create', dict(base, inspector_tag_ids=[ecig, theirs_tag,
                                                                         object_tag],
                                                  inspector_task_cap=0,
                                                  inspector_month_cap=10001), 'sup_ca')
    f = fields_of(e)
    assert {k: v['code'] for k, v in f.items()} == {
        'inspector_tag_ids': 'invalid', 'inspector_task_cap': 'range',
        'inspector_month_cap': 'range'}, f
    assert str(theirs_tag) in f['inspector_tag_ids']['message']
    assert str(object_tag) in f['inspector_tag_ids']['message']
    assert count('select count (*) from task') == tasks, 'failed calls add no task'

    task = rpc('tasks.create', dict(base, ratio_d_bp=7000, items=[
        {'item_id': licence, 'method': 'on_site', 'reason': ' 需核对实物 '},
        {'item_id': illegal, 'method': 'data_sharing', 'code': 'ignored'}],
        inspector_tag_ids=[ecig, ecig], inspector_task_cap=12, avoid_last_inspector=False),
        'sup_ca')
    assert task['items'] == [
        {'item_id': licence, 'code': 'YC-02', 'name': '亮证经营及许可证信息一致',
         'level': 'general', 'method': 'on_site', 'method_name': '现场检查',
         'reason': '需核对实物'},
        {'item_id': illegal, 'code': 'YC-01', 'name': '无证经营/违法经营（假冒、走私、非指定渠道）',
         'level': 'key', 'method': 'data_sharing', 'method_name': '信息共享', 'reason': None}]
    assert (task['inspector_tag_ids'], task['inspector_task_cap'], task['inspector_month_cap'],
            task['avoid_last_inspector']) == ([ecig], 12, 60, False)
    stored = db.psql("select items::text, inspector_tag_ids::text, inspector_task_cap,"
                     " avoid_last_inspector from task where id = %d" % task['id']).strip()
    assert '"code"' not in stored and '{%d}|12|f' % ecig in stored, stored
    got = rpc('tasks.get', {'id': task['id']}, 'sup_ca')
    assert got['items'] == task['items']

    # the same items again: nothing changes
    same = rpc('tasks.update', {'id': task['id'], 'version': task['version'],
                                'items': [{'item_id': licence, 'method': 'on_site',
                                           'reason': '需核对实物'},
                                          {'item_id': illegal, 'method': 'data_sharing'}]},
               'sup_ca')
    assert same['version'] == task['version']
    # a tighter refinement of the general item tightens the cap
    item = rpc('items.get', {'id': licence}, 'sup_ca')
    rpc('items.update', {'id': licence, 'version': item['version'], 'ratio_max_bp': 6500},
        'sup_ca')
    e = expect_error(-32010, 'tasks.update', {'id': task['id'], 'version': task['version'],
                                              'note': '说明'}, 'sup_ca')
    assert fields_of(e)['ratio_d_bp']['code'] == 'general_cap'
    assert '65.00%' in fields_of(e)['ratio_d_bp']['message']
    changed = rpc('tasks.update', {'id': task['id'], 'version': task['version'],
                                   'ratio_d_bp': 6500, 'inspector_task_cap': None,
                                   'items': [{'item_id': illegal, 'method': 'online'}]},
                  'sup_ca')
    assert changed['version'] == task['version'] + 1 and changed['inspector_task_cap'] == 30
    assert [(x['item_id'], x['method']) for x in changed['items']] == [(illegal, 'online')]
    assert audit_count('tasks', task['id']) == 2

    # a released item cannot be added
    item = rpc('items.get', {'id': licence}, 'sup_ca')
    rpc('items.release', {'id': licence, 'version': item['version'], 'reason': '调整'}, 'sup_ca')
    e = expect_error(-32010, 'tasks.update', {'id': task['id'], 'version': changed['version'],
                                              'items': [{'item_id': licence,
                                                         'method': 'written'}]}, 'sup_ca')
    assert [f['code'] for f in e.data['fields']] == ['released']
    suitest.claim_item(d, t['sup_ca'], 'YC-02')


def item_state(item_id):
    """What items.release may change: the row, its history and its audit rows."""
    return (db_row("select state, version, release_reason from item where id = %d" % item_id),
            count("select count (*) from item_history where item_id = %d" % item_id),
            audit_count('items', item_id))


def db_row(sql):
    db, d, t, units = env()
    return db.psql(sql).strip()


def test_release_refused_while_a_task_not_yet_drawn_lists_it():
    db, d, t, units = env()
    item_id = suitest.claim_item(d, t['sup_ca'], 'DZY-01')
    item = rpc('items.get', {'id': item_id}, 'sup_ca')
    assert item['used_by_tasks'] == []
    plan = new_plan()
    task = rpc('tasks.create', {'plan_id': plan['id'], 'name': '电子烟标识专项检查',
                                'items': [{'item_id': item_id, 'method': 'online'}]}, 'sup_ca')
    item = rpc('items.get', {'id': item_id}, 'sup_ca')
    assert item['used_by_tasks'] == [{'id': task['id'], 'name': '电子烟标识专项检查',
                                      'state': 'draft', 'plan_id': plan['id']}]

    # refused with the task named, and nothing changed
    before = item_state(item_id)
    e = expect_error(-32011, 'items.release', {'id': item_id, 'version': item['version'],
                                               'reason': '职能调整'}, 'sup_ca')
    assert '“电子烟标识专项检查”' in e.message and '尚未抽取' in e.message, e.message
    assert [x['id'] for x in e.data['tasks']] == [task['id']]
    assert item_state(item_id) == before
    assert rpc('items.get', {'id': item_id}, 'sup_ca')['state'] == 'active'

    # allowed once the task no longer lists it
    task = rpc('tasks.update', {'id': task['id'], 'version': task['version'], 'items': []},
               'sup_ca')
    assert rpc('items.get', {'id': item_id}, 'sup_ca')['used_by_tasks'] == []
    gone = rpc('items.release', {'id': item_id, 'version': item['version'],
                                 'reason': '职能调整'}, 'sup_ca')
    assert gone['state'] == 'released'
    back = rpc('items.claim', {'catalogue_id': item['catalogue_id']}, 'sup_ca')
    assert back['id'] == item_id and back['state'] == 'active'

    # a ready task blocks too; once its objects are drawn it keeps the item as history only
    db.psql("""insert into object (type, licence_no, name, unit_id, district, risk_class)
               select 'ecig', (130900000000 + g)::text, '长安电子烟店' || g, %d, '长安区',
                      (array['A','B','C','D'])[1 + g %% 4]
                 from generate_series (1, 8) g""" % units['changan'])
    plan = new_plan()
    year = plan['year']
    task = rpc('tasks.create', {'plan_id': plan['id'], 'name': '电子烟标识年度检查',
                                'scope': {'type': 'ecig'},
                                'window_start': '%d-03-01' % year,
                                'window_end': '%d-04-30' % year,
                                'items': [{'item_id': item_id, 'method': 'video'}]}, 'sup_ca')
    plan = rpc('plans.submit', {'id': plan['id'], 'version': plan['version']}, 'sup_ca')
    plan = rpc('plans.approve', {'id': plan['id'], 'version': plan['version']}, 'admin')
    rpc('plans.publish', {'id': plan['id'], 'version': plan['version']}, 'sup_ca')
    task = rpc('tasks.get', {'id': task['id']}, 'sup_ca')
    task = rpc('tasks.make_ready', {'id': task['id'], 'version': task['version']}, 'sup_ca')
    assert task['state'] == 'ready'
    item = rpc('items.get', {'id': item_id}, 'sup_ca')
    assert [(x['id'], x['state']) for x in item['used_by_tasks']] == [(task['id'], 'ready')]
    before = item_state(item_id)
    e = expect_error(-32011, 'items.release', {'id': item_id, 'version': item['version'],
                                               'reason': '职能调整'}, 'sup_ca')
    assert '“电子烟标识年度检查”' in e.message
    assert item_state(item_id) == before

    rpc('draws.run', {'task_id': task['id'], 'entropy': ['17', '2046']}, 'sup_ca')
    assert rpc('tasks.get', {'id': task['id']}, 'sup_ca')['state'] == 'objects_drawn'
    item = rpc('items.get', {'id': item_id}, 'sup_ca')
    assert item['used_by_tasks'] == []
    gone = rpc('items.release', {'id': item_id, 'version': item['version'],
                                 'reason': '划转至市场监管部门'}, 'sup_ca')
    assert gone['state'] == 'released'
    kept = rpc('tasks.get', {'id': task['id']}, 'sup_ca')['items']
    assert [x['item_id'] for x in kept] == [item_id], 'the drawn task keeps its item'


suitest.run(globals())
