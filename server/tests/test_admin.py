# SPDX-License-Identifier: GPL-3.0-or-later
"""units.* and users.*: create, update, disable, enable; validation errors that name
their fields in Chinese; version conflicts (-32009); what non-admins see of units;
keyset paging of users.list.
"""

import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                                'tests', 'lib'))
import suitest  # noqa: E402

PASSWORD = 'Admin@Test1'
_shared = {}


def env():
    if 'd' not in _shared:
        _shared['db'], _shared['d'] = suitest.fresh()
        admin = _shared['d'].login(suitest.ADMIN_LOGIN, suitest.ADMIN_PASSWORD)
        _shared['admin'] = admin
        me = _shared['d'].rpc('auth.whoami', token=admin)['user']
        _shared['me'] = me
        _shared['bureau'] = me['unit_id']
    return _shared['db'], _shared['d'], _shared['admin']


def rpc(method, params=None, token=None):
    db, d, admin = env()
    return d.rpc(method, params, token=token or admin)


def expect_error(code, method, params=None, token=None):
    try:
        rpc(method, params, token)
    except suitest.RpcError as e:
        assert e.code == code, '%s: expected %d, got %s' % (method, code, e)
        return e
    raise AssertionError('%s: expected error %d, the call succeeded' % (method, code))


def fields_of(error):
    assert error.data and 'fields' in error.data, error.data
    for f in error.data['fields']:
        assert f['field'] and f['code'], f
        assert re.search(r'[\u4e00-\u9fff]', f['message']), 'not Chinese: %r' % f
    return {f['field']: f for f in error.data['fields']}


def new_unit(code, name=None, kind='direct', parent_id=None):
    params = {'name': name or ('单位' + code), 'code': code, 'kind': kind}
    if parent_id is not None:
        params['parent_id'] = parent_id
    return rpc('units.create', params)


def new_user(login, unit_id, role='inspector', name='测试人员'):
    return rpc('users.create', {'login': login, 'name': name, 'role': role, 'unit_id': unit_id,
                                'password': PASSWORD})


# ---- units -------------------------------------------------------------------------

def test_unit_create_and_get():
    db, d, admin = env()
    u = new_unit('u_create', '新建直属单位')
    assert u['parent_id'] == _shared['bureau'], 'defaults to under the bureau'
    assert u['kind'] == 'direct' and u['version'] == 1 and u['disabled'] is False
    assert set(u) == {'id', 'parent_id', 'code', 'name', 'kind', 'disabled', 'version'}
    assert rpc('units.get', {'id': u['id']}) == u
    child = new_unit('u_child', kind='department', parent_id=u['id'])
    assert child['parent_id'] == u['id']
    listed = rpc('units.list')['items']
    assert [x['id'] for x in listed if x['id'] in (u['id'], child['id'])] == [u['id'], child['id']]
    e = expect_error(-32004, 'units.get', {'id': 987654})
    assert re.search(r'[\u4e00-\u9fff]', e.message)


def test_unit_validation_names_fields():
    db, d, admin = env()
    new_unit('u_taken')
    e = expect_error(-32010, 'units.create', {'name': '', 'code': 'u_taken', 'kind': 'county'})
    f = fields_of(e)
    assert set(f) == {'name', 'code', 'kind'}, f
    assert f['code']['code'] == 'taken' and '已被使用' in f['code']['message']
    e = expect_error(-32010, 'units.create', {'name': '长' * 65, 'code': 'Bad Code',
                                              'kind': 'direct'})
    f = fields_of(e)
    assert set(f) == {'name', 'code'} and f['code']['code'] == 'format'
    e = expect_error(-32010, 'units.create', {'name': '第二个市局', 'code': 'bureau2',
                                              'kind': 'bureau'})
    assert 'kind' in fields_of(e)
    e = expect_error(-32010, 'units.create', {'name': '某单位', 'code': 'u_noparent',
                                              'kind': 'direct', 'parent_id': 987654})
    assert set(fields_of(e)) == {'parent_id'}
    expect_error(-32602, 'units.create', {'name': '某单位', 'kind': 'direct'})
    expect_error(-32602, 'units.create', {'name': '某单位', 'code': 5, 'kind': 'direct'})


def test_unit_update_and_versions():
    db, d, admin = env()
    u = new_unit('u_upd', '旧名称')
    v2 = rpc('units.update', {'id': u['id'], 'version': 1, 'name': '新名称'})
    assert v2['name'] == '新名称' and v2['version'] == 2 and v2['code'] == 'u_upd'
    e = expect_error(-32009, 'units.update', {'id': u['id'], 'version': 1, 'name': '又一个'})
    assert e.data == {'current_version': 2}, e.data
    assert rpc('units.get', {'id': u['id']})['name'] == '新名称', 'the stale edit changed nothing'
    # Same values: nothing changes, the version stays.
    same = rpc('units.update', {'id': u['id'], 'version': 2, 'name': '新名称'})
    assert same['version'] == 2
    e = expect_error(-32010, 'units.update', {'id': u['id'], 'version': 2, 'code': 'Nope!'})
    assert set(fields_of(e)) == {'code'}
    expect_error(-32004, 'units.update', {'id': 987654, 'version': 1, 'name': 'x'})
    expect_error(-32602, 'units.update', {'id': u['id'], 'name': 'x'})


def test_unit_tree_rules():
    db, d, admin = env()
    top = new_unit('u_top')
    mid = new_unit('u_mid', parent_id=top['id'])
    low = new_unit('u_low', parent_id=mid['id'])
    e = expect_error(-32010, 'units.update', {'id': top['id'], 'version': top['version'],
                                              'parent_id': low['id']})
    assert fields_of(e)['parent_id']['code'] == 'cycle'
    e = expect_error(-32010, 'units.update', {'id': top['id'], 'version': top['version'],
                                              'parent_id': top['id']})
    assert 'parent_id' in fields_of(e)
    bureau = rpc('units.get', {'id': _shared['bureau']})
    e = expect_error(-32010, 'units.update', {'id': bureau['id'], 'version': bureau['version'],
                                              'kind': 'direct', 'parent_id': top['id']})
    assert set(fields_of(e)) == {'kind', 'parent_id'}
    moved = rpc('units.update', {'id': low['id'], 'version': 1, 'parent_id': top['id']})
    assert moved['parent_id'] == top['id']
    expect_error(-32011, 'units.disable', {'id': bureau['id'], 'version': bureau['version']})


def test_unit_disable_and_enable():
    db, d, admin = env()
    u = new_unit('u_dis')
    sub = new_unit('u_dis_sub', parent_id=u['id'])
    person = new_user('u_dis_person', u['id'])
    e = expect_error(-32011, 'units.disable', {'id': u['id'], 'version': 1})
    assert '用户' in e.message
    rpc('users.disable', {'id': person['id'], 'version': person['version']})
    e = expect_error(-32011, 'units.disable', {'id': u['id'], 'version': 1})
    assert '下级单位' in e.message
    sub = rpc('units.disable', {'id': sub['id'], 'version': sub['version']})
    assert sub['disabled'] and sub['version'] == 2
    u = rpc('units.disable', {'id': u['id'], 'version': 1})
    assert u['disabled'] is True and u['version'] == 2
    expect_error(-32009, 'units.disable', {'id': u['id'], 'version': 1})
    # Disabled units are left out of the list unless asked for.
    assert u['id'] not in [x['id'] for x in rpc('units.list')['items']]
    assert u['id'] in [x['id'] for x in rpc('units.list', {'include_disabled': True})['items']]
    # Nobody can be put into it, nothing under it.
    e = expect_error(-32010, 'users.create', {'login': 'into_disabled', 'name': '某人',
                                              'role': 'inspector', 'unit_id': u['id'],
                                              'password': PASSWORD})
    assert fields_of(e)['unit_id']['code'] == 'disabled'
    e = expect_error(-32010, 'units.create', {'name': '某单位', 'code': 'under_disabled',
                                              'kind': 'direct', 'parent_id': u['id']})
    assert fields_of(e)['parent_id']['code'] == 'disabled'
    expect_error(-32011, 'units.enable', {'id': sub['id'], 'version': sub['version']})
    u = rpc('units.enable', {'id': u['id'], 'version': 2})
    assert not u['disabled'] and u['version'] == 3
    sub = rpc('units.enable', {'id': sub['id'], 'version': sub['version']})
    assert not sub['disabled']


def test_units_seen_by_non_admins():
    db, d, admin = env()
    mine = new_unit('u_scope')
    other = new_unit('u_scope_other')
    new_user('scope_sup', mine['id'], role='supervisor')
    new_user('scope_ins', mine['id'], role='inspector')
    for login in ('scope_sup', 'scope_ins'):
        token = d.login(login, PASSWORD)
        items = rpc('units.list', {'include_disabled': True}, token=token)['items']
        assert [x['id'] for x in items] == [mine['id']], items
        assert rpc('units.get', {'id': mine['id']}, token=token)['code'] == 'u_scope'
        expect_error(-32003, 'units.get', {'id': other['id']}, token=token)
        expect_error(-32003, 'units.get', {'id': 987654}, token=token)
        expect_error(-32003, 'units.create', {'name': 'x', 'code': 'xx', 'kind': 'direct'},
                     token=token)
        expect_error(-32003, 'users.list', token=token)
        expect_error(-32003, 'users.get', {'id': 1}, token=token)


# ---- users -------------------------------------------------------------------------

def test_user_create_and_get():
    db, d, admin = env()
    unit = new_unit('u_people', '人员单位')
    user = new_user('zhang.wei', unit['id'], role='supervisor', name='张伟')
    assert set(user) == {'id', 'login', 'name', 'role', 'unit_id', 'unit_name', 'disabled',
                         'version', 'created_at', 'updated_at'}
    assert user['unit_name'] == '人员单位' and user['role'] == 'supervisor'
    assert user['version'] == 1 and user['disabled'] is False
    assert rpc('users.get', {'id': user['id']}) == user
    assert d.login('zhang.wei', PASSWORD)
    expect_error(-32004, 'users.get', {'id': 987654})


def test_user_validation_names_fields():
    db, d, admin = env()
    e = expect_error(-32010, 'users.create', {'login': 'admin', 'name': '  ', 'role': 'boss',
                                              'unit_id': 987654, 'password': 'short'})
    f = fields_of(e)
    assert set(f) == {'login', 'name', 'role', 'unit_id', 'password'}, f
    assert f['login']['message'] == '登录名已被使用，请换一个'
    e = expect_error(-32010, 'users.create', {'login': 'No Spaces!', 'name': '名' * 65,
                                              'role': 'inspector', 'unit_id': _shared['bureau'],
                                              'password': 'x' * 300})
    f = fields_of(e)
    assert set(f) == {'login', 'name', 'password'}, f
    assert f['login']['code'] == 'format' and f['name']['code'] == 'too_long'
    expect_error(-32602, 'users.create', {'login': 'abc', 'name': 'x', 'role': 'inspector',
                                          'unit_id': 'one', 'password': PASSWORD})
    # Nothing of a refused create is left behind.
    assert db.psql("select count(*) from app_user where login = 'no spaces!'").strip() == '0'


def test_user_update_and_versions():
    db, d, admin = env()
    a = new_unit('u_move_a')
    b = new_unit('u_move_b', '乙单位')
    user = new_user('mover', a['id'])
    v2 = rpc('users.update', {'id': user['id'], 'version': 1, 'unit_id': b['id'],
                              'role': 'supervisor', 'name': '调动人员'})
    assert (v2['unit_id'], v2['unit_name'], v2['role'], v2['name'], v2['version']) == \
        (b['id'], '乙单位', 'supervisor', '调动人员', 2)
    e = expect_error(-32009, 'users.update', {'id': user['id'], 'version': 1, 'name': '过期'})
    assert e.data == {'current_version': 2}
    e = expect_error(-32010, 'users.update', {'id': user['id'], 'version': 2, 'role': 'chief'})
    assert set(fields_of(e)) == {'role'}
    same = rpc('users.update', {'id': user['id'], 'version': 2, 'name': '调动人员'})
    assert same['version'] == 2
    expect_error(-32004, 'users.update', {'id': 987654, 'version': 1, 'name': 'x'})


def test_admin_cannot_lock_themselves_out():
    db, d, admin = env()
    me = rpc('users.get', {'id': _shared['me']['id']})
    e = expect_error(-32011, 'users.disable', {'id': me['id'], 'version': me['version']})
    assert '自己' in e.message
    e = expect_error(-32010, 'users.update', {'id': me['id'], 'version': me['version'],
                                              'role': 'supervisor'})
    assert fields_of(e)['role']['code'] == 'self_admin'
    assert rpc('users.get', {'id': me['id']})['role'] == 'admin'
    # Another admin may do it.
    other = new_user('second_admin', _shared['bureau'], role='admin')
    token = d.login('second_admin', PASSWORD)
    peer = rpc('users.update', {'id': other['id'], 'version': 1, 'name': '第二管理员'})
    assert peer['version'] == 2
    assert rpc('auth.whoami', token=token)['user']['name'] == '第二管理员'


def test_user_disable_enable_reset_password():
    db, d, admin = env()
    user = new_user('cycle_me', _shared['bureau'])
    token = d.login('cycle_me', PASSWORD)
    user = rpc('users.disable', {'id': user['id'], 'version': 1})
    assert user['disabled'] and user['version'] == 2
    expect_error(-32001, 'auth.whoami', token=token)
    expect_error(-32009, 'users.enable', {'id': user['id'], 'version': 1})
    user = rpc('users.enable', {'id': user['id'], 'version': 2})
    assert not user['disabled'] and user['version'] == 3
    token = d.login('cycle_me', PASSWORD)
    e = expect_error(-32010, 'users.reset_password', {'id': user['id'], 'password': '1234'})
    assert set(fields_of(e)) == {'password'}
    assert rpc('users.reset_password', {'id': user['id'], 'password': 'Reset@20261'}) is True
    expect_error(-32001, 'auth.whoami', token=token)
    d.login('cycle_me', 'Reset@20261')
    expect_error(-32004, 'users.reset_password', {'id': 987654, 'password': 'Reset@20261'})


def test_users_list_paging_and_filters():
    db, d, admin = env()
    unit = new_unit('u_list', '列表单位')
    made = [new_user('lst_%02d' % i, unit['id'], role='inspector' if i % 2 else 'supervisor',
                     name='列表%02d' % i) for i in range(7)]
    page = rpc('users.list', {'unit_id': unit['id'], 'limit': 3})
    assert [u['id'] for u in page['items']] == [u['id'] for u in made[:3]]
    assert page['next_after'] == made[2]['id']
    page2 = rpc('users.list', {'unit_id': unit['id'], 'limit': 3, 'after': page['next_after']})
    assert [u['id'] for u in page2['items']] == [u['id'] for u in made[3:6]]
    page3 = rpc('users.list', {'unit_id': unit['id'], 'limit': 3, 'after': page2['next_after']})
    assert [u['id'] for u in page3['items']] == [made[6]['id']] and page3['next_after'] is None
    exact = rpc('users.list', {'unit_id': unit['id'], 'limit': 7})
    assert len(exact['items']) == 7 and exact['next_after'] is None

    inspectors = rpc('users.list', {'unit_id': unit['id'], 'role': 'inspector'})['items']
    assert {u['login'] for u in inspectors} == {'lst_01', 'lst_03', 'lst_05'}
    assert [u['login'] for u in rpc('users.list', {'search': 'LST_04'})['items']] == ['lst_04']
    assert [u['login'] for u in rpc('users.list', {'search': '列表05'})['items']] == ['lst_05']
    assert rpc('users.list', {'search': '%'})['items'] == [], '% is no wildcard'

    rpc('users.disable', {'id': made[0]['id'], 'version': 1})
    ids = [u['id'] for u in rpc('users.list', {'unit_id': unit['id']})['items']]
    assert made[0]['id'] not in ids and len(ids) == 6
    ids = [u['id'] for u in rpc('users.list', {'unit_id': unit['id'],
                                               'include_disabled': True})['items']]
    assert made[0]['id'] in ids
    expect_error(-32602, 'users.list', {'limit': 0})
    expect_error(-32602, 'users.list', {'limit': 1001})
    expect_error(-32602, 'users.list', {'role': 'boss'})


def test_demo_data_is_idempotent():
    db, d, admin = env()
    p = d.run_cli(['--demo-data'])
    assert p.returncode == 0, p.stderr
    count = "select (select count(*) from unit) || ',' || (select count(*) from app_user)" \
            " || ',' || (select count(*) from audit_log)"
    first = db.psql(count).strip()
    p = d.run_cli(['--demo-data'])
    assert p.returncode == 0, p.stderr
    assert db.psql(count).strip() == first, 'a second run changed something'
    units = {u['code']: u for u in rpc('units.list')['items']}
    for code in ('changan', 'qiaoxi', 'xinle', 'zhaoxian', 'kuangqu'):
        assert units[code]['kind'] == 'direct' and units[code]['name'].endswith('烟草专卖局')
    assert units['scjg']['kind'] == 'department' and units['gaj']['kind'] == 'department'
    bureau = rpc('units.get', {'id': _shared['bureau']})
    assert bureau['code'] == 'sjz' and bureau['name'] == '石家庄市烟草专卖局'
    sup = d.rpc('auth.login', {'login': 'sup_changan', 'password': 'Demo@2026'})['user']
    assert sup['role'] == 'supervisor' and sup['unit_id'] == units['changan']['id']
    ins = d.rpc('auth.login', {'login': 'ins_xinle', 'password': 'Demo@2026'})['user']
    assert ins['role'] == 'inspector' and re.fullmatch(r'[\u4e00-\u9fff]{2,3}', ins['name'])
    # The admin made by --create-admin keeps its password.
    d.login('admin', suitest.ADMIN_PASSWORD)
    assert rpc('audit.verify')['ok'] is True


suitest.run(globals())
