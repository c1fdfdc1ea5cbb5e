# SPDX-License-Identifier: GPL-3.0-or-later
"""The registers: objects.*, inspectors.*, tags.*, filters.count — roles and unit scoping,
field-level validation (the credit-code check character, duplicate licences), versions,
history, filter semantics (AND / OR / NOT over tags with the other fields), and tagging
everything a filter matches in one transaction.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                                'tests', 'lib'))
import suitest  # noqa: E402
from suitest import credit_code, expect_error  # noqa: E402

PASSWORD = 'Secret@2026'
_shared = {}



def env():
    """One database with two direct units, a supervisor in each, an inspector account."""
    if 'd' not in _shared:
        db, d = suitest.fresh()
        admin = d.login(suitest.ADMIN_LOGIN, suitest.ADMIN_PASSWORD)
        bureau = d.rpc('auth.whoami', token=admin)['user']['unit_id']
        units = {}
        for code, name in (('changan', '长安区烟草专卖局'), ('qiaoxi', '桥西区烟草专卖局')):
            units[code] = d.rpc('units.create', {'name': name, 'code': code, 'kind': 'direct',
                                                 'parent_id': bureau}, token=admin)['id']
        tokens = {'admin': admin}
        for login, role, unit in (('sup_ca', 'supervisor', 'changan'),
                                  ('sup_qx', 'supervisor', 'qiaoxi'),
                                  ('insp_ca', 'inspector', 'changan')):
            d.rpc('users.create', {'login': login, 'name': '测试' + login, 'role': role,
                                   'unit_id': units[unit], 'password': PASSWORD}, token=admin)
            tokens[login] = d.login(login, PASSWORD)
        _shared.update(db=db, d=d, units=units, tokens=tokens, bureau=bureau, seq=[100])
    return _shared['db'], _shared['d'], _shared['tokens'], _shared['units']


def next_no():
    _shared['seq'][0] += 1
    return _shared['seq'][0]



def field_errors(e):
    return {f['field']: f for f in e.data['fields']}


def make_object(token, **fields):
    _, d, _, _ = env()
    n = next_no()
    params = {'type': 'retail', 'licence_no': '1301021%05d' % n, 'name': '测试便利店%d' % n,
              'credit_code': credit_code(n), 'district': '长安区', 'address': '长安区中山东路%d号' % n}
    params.update(fields)
    return d.rpc('objects.create', params, token=token)


def test_objects_create_get_and_scoping():
    db, d, t, units = env()
    o = make_object(t['sup_ca'], legal_rep='王建华', licence_valid_from='2024-01-01',
                    licence_valid_until='2029-12-31', credit_grade='AA')
    assert o['unit_id'] == units['changan'], o
    assert o['status'] == 'open' and o['version'] == 1 and o['retired'] is False, o
    assert o['risk_class'] == 'A', 'AA maps onto risk class A: %r' % o
    got = d.rpc('objects.get', {'id': o['id']}, token=t['sup_ca'])
    assert got['licence_no'] == o['licence_no'] and got['legal_rep'] == '王建华', got
    assert len(got['history']) == 1 and got['history'][0]['method'] == 'objects.create', got
    assert got['risk_history'][0]['source'] == 'create', got
    # The other unit's supervisor neither sees nor changes it; an inspector has no access.
    expect_error(-32003, d.rpc, 'objects.get', {'id': o['id']}, token=t['sup_qx'])
    expect_error(-32003, d.rpc, 'objects.update', {'id': o['id'], 'version': 1, 'name': 'x'},
                 token=t['sup_qx'])
    expect_error(-32003, d.rpc, 'objects.list', {}, token=t['insp_ca'])
    expect_error(-32003, d.rpc, 'objects.create', {'type': 'retail'}, token=t['insp_ca'])
    expect_error(-32004, d.rpc, 'objects.get', {'id': 999999}, token=t['admin'])
    # A supervisor registers in their own unit only; the admin anywhere.
    e = expect_error(-32010, make_object, t['sup_ca'], unit_id=units['qiaoxi'])
    assert 'unit_id' in field_errors(e), e.data
    o2 = make_object(t['admin'], unit_id=units['qiaoxi'], district='桥西区')
    assert o2['unit_id'] == units['qiaoxi']
    expect_error(-32010, make_object, t['admin'])   # the admin names the unit
    listed = d.rpc('objects.list', {'limit': 1000}, token=t['sup_qx'])['items']
    assert {x['unit_id'] for x in listed} == {units['qiaoxi']}, listed
    # One audit row per write, with the record after.
    rows = db.psql("select count(*) from audit_log where area = 'objects' and record_id = '%d'"
                   % o['id']).strip()
    assert rows == '1', rows


def test_objects_validation():
    db, d, t, units = env()
    # The check character, with the reason.
    good = credit_code(4242)
    bad = good[:17] + suitest.CREDIT_ALPHABET[(suitest.CREDIT_ALPHABET.index(good[17]) + 1) % 31]
    e = expect_error(-32010, make_object, t['sup_ca'], credit_code=bad)
    f = field_errors(e)['credit_code']
    assert f['code'] == 'check_digit' and '校验位' in f['message'], f
    e = expect_error(-32010, make_object, t['sup_ca'], credit_code='9113010212345')
    assert field_errors(e)['credit_code']['code'] == 'length', e.data
    e = expect_error(-32010, make_object, t['sup_ca'], credit_code='9113010212345678IO')
    assert field_errors(e)['credit_code']['code'] == 'character', e.data
    # Lower case and blanks are forgiven; a known public code passes.
    o = make_object(t['sup_ca'], credit_code='  91110000600037341l ')
    assert o['credit_code'] == '91110000600037341L', o
    # Duplicate licence number: -32010 on licence_no, nothing written.
    before = db.psql('select count(*) from object').strip()
    e = expect_error(-32010, make_object, t['sup_ca'], licence_no=o['licence_no'])
    f = field_errors(e)['licence_no']
    assert f['code'] == 'taken' and f['message'].startswith('许可证号已存在'), f
    assert db.psql('select count(*) from object').strip() == before
    # Several problems at once, each on its field, in Chinese.
    e = expect_error(-32010, d.rpc, 'objects.create',
                     {'type': 'nope', 'licence_no': '12', 'name': '', 'status': 'x',
                      'licence_valid_from': '2025-02-30', 'risk_class': 'E',
                      'key_supervision': True, 'credit_grade': 'AAAA'}, token=t['sup_ca'])
    f = field_errors(e)
    for name in ('type', 'licence_no', 'name', 'status', 'licence_valid_from', 'risk_class',
                 'key_supervision_reason', 'credit_grade'):
        assert name in f, (name, f)
    e = expect_error(-32010, make_object, t['sup_ca'], licence_no='13010A100001')
    assert '12 位数字' in field_errors(e)['licence_no']['message']
    e = expect_error(-32010, make_object, t['sup_ca'], licence_valid_from='2026-01-01',
                     licence_valid_until='2025-01-01')
    assert 'licence_valid_until' in field_errors(e)
    # Wrong types are -32602 naming the field.
    e = expect_error(-32602, make_object, t['sup_ca'], key_supervision='yes')
    assert e.data['field'] == 'key_supervision', e.data


def test_objects_update_versions_history_retire():
    db, d, t, units = env()
    o = make_object(t['sup_ca'])
    u = d.rpc('objects.update', {'id': o['id'], 'version': 1, 'name': '新名称超市',
                                 'credit_grade': 'D', 'legal_rep': '李四'}, token=t['sup_ca'])
    assert u['version'] == 2 and u['name'] == '新名称超市' and u['risk_class'] == 'D', u
    e = expect_error(-32009, d.rpc, 'objects.update', {'id': o['id'], 'version': 1,
                                                       'name': '旧'}, token=t['sup_ca'])
    assert e.data == {'current_version': 2}, e.data
    # Nothing changed: same version, no audit row.
    same = d.rpc('objects.update', {'id': o['id'], 'version': 2, 'name': '新名称超市'},
                 token=t['sup_ca'])
    assert same['version'] == 2
    # null clears an optional field; a manual risk class is recorded as manual.
    u = d.rpc('objects.update', {'id': o['id'], 'version': 2, 'legal_rep': None,
                                 'risk_class': 'c'}, token=t['sup_ca'])
    assert u['legal_rep'] is None and u['risk_class'] == 'C' and u['version'] == 3, u
    got = d.rpc('objects.get', {'id': o['id']}, token=t['sup_ca'])
    assert [h['method'] for h in got['history']] == ['objects.update', 'objects.update',
                                                     'objects.create'], got['history']
    assert got['history'][1]['before']['name'].startswith('测试便利店')
    assert got['history'][1]['after']['name'] == '新名称超市'
    assert got['history'][0]['actor_name'] == '测试sup_ca', got['history'][0]
    assert [r['source'] for r in got['risk_history']] == ['manual', 'mapping', 'create'], got
    rows = db.psql("select count(*) from audit_log where area = 'objects' and record_id = '%d'"
                   % o['id']).strip()
    assert rows == '3', rows
    # Retire: kept, out of the default list, no longer editable, never deleted.
    e = expect_error(-32010, d.rpc, 'objects.retire', {'id': o['id'], 'version': 3,
                                                       'reason': ' '}, token=t['sup_ca'])
    r = d.rpc('objects.retire', {'id': o['id'], 'version': 3, 'reason': '许可证注销'},
              token=t['sup_ca'])
    assert r['retired'] is True and r['retired_reason'] == '许可证注销', r
    expect_error(-32011, d.rpc, 'objects.retire', {'id': o['id'], 'version': 4,
                                                   'reason': '再次'}, token=t['sup_ca'])
    expect_error(-32011, d.rpc, 'objects.update', {'id': o['id'], 'version': 4, 'name': 'x'},
                 token=t['sup_ca'])
    ids = [x['id'] for x in d.rpc('objects.list', {'limit': 1000}, token=t['sup_ca'])['items']]
    assert o['id'] not in ids
    ids = [x['id'] for x in d.rpc('objects.list', {'limit': 1000, 'include_retired': True},
                                  token=t['sup_ca'])['items']]
    assert o['id'] in ids
    try:
        db.psql('delete from object where id = %d' % o['id'])
        raise AssertionError('an object could be deleted')
    except RuntimeError:
        pass


def test_objects_list_paging():
    db, d, t, units = env()
    for _ in range(7):
        make_object(t['sup_qx'], district='桥西区', address='桥西区自强路')
    seen = []
    after = None
    while True:
        params = {'limit': 3, 'filter': {'district': '桥西区'}, 'with_count': True}
        if after is not None:
            params['after'] = after
        page = d.rpc('objects.list', params, token=t['sup_qx'])
        seen += [x['id'] for x in page['items']]
        assert page['total'] == len(set(seen)) or page['total'] >= len(seen)
        after = page['next_after']
        if after is None:
            break
    assert seen == sorted(seen) and len(seen) == page['total'] >= 7, (seen, page['total'])
    e = expect_error(-32010, d.rpc, 'objects.list', {'filter': {'colour': 'red'}},
                     token=t['sup_qx'])
    assert 'filter' in field_errors(e) and '不认识' in field_errors(e)['filter']['message']
    expect_error(-32010, d.rpc, 'objects.list', {'filter': {'tag': 1, 'district': 'x'}},
                 token=t['sup_qx'])
    expect_error(-32010, d.rpc, 'objects.list', {'filter': {'and': {'tag': 1}}},
                 token=t['sup_qx'])
    deep = {'tag': 1}
    for _ in range(20):
        deep = {'not': deep}
    expect_error(-32010, d.rpc, 'objects.list', {'filter': deep}, token=t['sup_qx'])
    # A value that looks like SQL is a value.
    page = d.rpc('objects.list', {'filter': {'text': "'); drop table object; --"}},
                 token=t['sup_qx'])
    assert page['items'] == []
    page = d.rpc('objects.list', {'filter': {'text': '自强路'}}, token=t['sup_qx'])
    assert len(page['items']) >= 7


def walk_pages(d, token, method, params, limit):
    """Every item of a list, page by page (`after` from `next_after`)."""
    items, after = [], None
    while True:
        page = dict(params, limit=limit)
        if after is not None:
            page['after'] = after
        answer = d.rpc(method, page, token=token)
        items += answer['items']
        after = answer['next_after']
        if after is None:
            return items


def test_objects_list_orders():
    """Server-side orders page by keyset like the id order: every row once, in order."""
    db, d, t, units = env()
    names = ['张记烟酒', '安平商店', '李家便利', '王氏超市', '赵六商行', '安平商店']
    grades = ['B', 'AAA', None, 'D', 'AA', 'C']
    made = [make_object(t['sup_ca'], name=n, district='新华区', address='新华区测试路',
                        **({'credit_grade': g} if g else {}))
            for n, g in zip(names, grades)]
    scope = {'filter': {'district': '新华区'}}
    pinyin = ['安平商店', '安平商店', '李家便利', '王氏超市', '张记烟酒', '赵六商行']

    by_name = walk_pages(d, t['sup_ca'], 'objects.list', dict(scope, order='name'), 2)
    assert [x['name'] for x in by_name] == pinyin, [x['name'] for x in by_name]
    # equal names in id order, so the keyset is total
    twins = [x['id'] for x in by_name if x['name'] == '安平商店']
    assert twins == sorted(twins)

    down = walk_pages(d, t['sup_ca'], 'objects.list',
                      dict(scope, order='name', descending=True), 4)
    assert [x['id'] for x in down] == [x['id'] for x in reversed(by_name)]

    by_grade = walk_pages(d, t['sup_ca'], 'objects.list', dict(scope, order='credit_grade'), 3)
    assert [x['credit_grade'] for x in by_grade] == ['AAA', 'AA', 'B', 'C', 'D', None]

    by_licence = walk_pages(d, t['sup_ca'], 'objects.list', dict(scope, order='licence_no'), 5)
    assert [x['licence_no'] for x in by_licence] == sorted(x['licence_no'] for x in made)

    newest = d.rpc('objects.list', dict(scope, descending=True, limit=2), token=t['sup_ca'])
    assert [x['id'] for x in newest['items']] == [made[-1]['id'], made[-2]['id']]

    # The order changes only the order: the same rows and count as by id.
    plain = d.rpc('objects.list', dict(scope, with_count=True, limit=100), token=t['sup_ca'])
    ordered = d.rpc('objects.list', dict(scope, with_count=True, limit=100, order='status'),
                    token=t['sup_ca'])
    assert plain['total'] == ordered['total'] == 6
    assert sorted(x['id'] for x in ordered['items']) == [x['id'] for x in plain['items']]

    e = expect_error(-32602, d.rpc, 'objects.list', {'order': 'name; drop table object'},
                     token=t['sup_ca'])
    assert e.data['field'] == 'order' and 'licence_no' in e.data['reason'], e.data
    expect_error(-32602, d.rpc, 'objects.list', {'order': 'name', 'descending': 'yes'},
                 token=t['sup_ca'])
    # the other unit's objects stay out of any order
    other = d.rpc('objects.list', dict(scope, order='name'), token=t['sup_qx'])
    assert other['items'] == []


def make_group(token, name, applies_to='objects', **kw):
    _, d, _, _ = env()
    params = {'name': name, 'applies_to': applies_to}
    params.update(kw)
    return d.rpc('tags.create_group', params, token=token)


def make_tag(token, group, name):
    _, d, _, _ = env()
    return d.rpc('tags.create', {'group_id': group['id'], 'name': name}, token=token)


def test_tags_groups_and_permissions():
    db, d, t, units = env()
    # City-wide groups are the admin's; a supervisor's group belongs to their unit.
    expect_error(-32003, make_group, t['sup_ca'], '别的单位', unit_id=units['qiaoxi'])
    g = make_group(t['sup_ca'], '本单位分组', unit_id=None)   # null: their own unit
    assert g['unit_id'] == units['changan'], g
    city = make_group(t['admin'], '经营规模')
    assert city['unit_id'] is None and city['version'] == 1, city
    expect_error(-32003, make_tag, t['sup_ca'], city, '大型')
    big = make_tag(t['admin'], city, '大型')
    own = make_group(t['sup_ca'], '长安商圈', 'both')
    assert own['unit_id'] == units['changan'], own
    e = expect_error(-32010, make_group, t['sup_ca'], '长安商圈')
    assert field_errors(e)['name']['code'] == 'taken'
    make_group(t['sup_qx'], '长安商圈')   # another unit may use the same name
    e = expect_error(-32010, make_group, t['sup_ca'], ' ', 'everything')
    assert set(field_errors(e)) == {'name', 'applies_to'}, e.data
    tag = make_tag(t['sup_ca'], own, '万达广场')
    e = expect_error(-32010, make_tag, t['sup_ca'], own, '万达广场')
    assert field_errors(e)['name']['code'] == 'taken'
    expect_error(-32003, make_tag, t['sup_qx'], own, '别人的')
    expect_error(-32003, d.rpc, 'tags.create_group', {'name': 'x', 'applies_to': 'objects'},
                 token=t['insp_ca'])
    # Lists: supervisors see city-wide and their own unit's groups.
    names = {g['name'] for g in d.rpc('tags.list', {}, token=t['sup_qx'])['groups']
             if g['unit_id'] is None or g['unit_id'] == units['qiaoxi']}
    listed = d.rpc('tags.list', {}, token=t['sup_qx'])['groups']
    assert all(g['unit_id'] in (None, units['qiaoxi']) for g in listed), listed
    assert '经营规模' in names
    mine = [g for g in d.rpc('tags.list', {}, token=t['sup_ca'])['groups'] if g['id'] == own['id']]
    assert [x['name'] for x in mine[0]['tags']] == ['万达广场'], mine
    # Update with versions; a retired tag is hidden and cannot be applied.
    u = d.rpc('tags.update', {'id': tag['id'], 'version': 1, 'name': '万达广场商圈',
                              'description': '建设大街沿线'}, token=t['sup_ca'])
    assert u['version'] == 2 and u['description'] == '建设大街沿线', u
    expect_error(-32009, d.rpc, 'tags.update', {'id': tag['id'], 'version': 1, 'name': 'x'},
                 token=t['sup_ca'])
    o = make_object(t['sup_ca'])
    d.rpc('tags.update', {'id': tag['id'], 'version': 2, 'retired': True}, token=t['sup_ca'])
    expect_error(-32011, d.rpc, 'tags.apply', {'tag_id': tag['id'], 'id': o['id']},
                 token=t['sup_ca'])
    # A unit's tag stays in its unit; a tag for inspectors does not go on objects.
    qx_group = make_group(t['sup_qx'], '桥西专用')
    qx_tag = make_tag(t['sup_qx'], qx_group, '桥西一')
    expect_error(-32003, d.rpc, 'tags.apply', {'tag_id': qx_tag['id'], 'id': o['id']},
                 token=t['sup_ca'])
    e = expect_error(-32003, d.rpc, 'tags.apply', {'tag_id': qx_tag['id'], 'id': o['id']},
                     token=t['admin'])
    skills = make_group(t['admin'], '专长', 'inspectors')
    skill = make_tag(t['admin'], skills, '电子烟')
    e = expect_error(-32010, d.rpc, 'tags.apply', {'tag_id': skill['id'], 'id': o['id']},
                     token=t['sup_ca'])
    assert 'tag_id' in field_errors(e)
    # A city-wide tag on the supervisor's own object is fine; not on another unit's.
    r = d.rpc('tags.apply', {'tag_id': big['id'], 'id': o['id']}, token=t['sup_ca'])
    assert r['changed'] == 1 and r['matched'] == 1, r
    expect_error(-32003, d.rpc, 'tags.apply', {'tag_id': big['id'], 'id': o['id']},
                 token=t['sup_qx'])
    # Narrowing a group used on objects to inspectors is refused.
    e = expect_error(-32010, d.rpc, 'tags.update_group',
                     {'id': city['id'], 'version': 1, 'applies_to': 'inspectors'},
                     token=t['admin'])
    assert field_errors(e)['applies_to']['code'] == 'in_use'
    g = d.rpc('tags.update_group', {'id': city['id'], 'version': 1, 'name': '规模'},
              token=t['admin'])
    assert g['version'] == 2 and g['name'] == '规模'
    got = d.rpc('objects.get', {'id': o['id']}, token=t['sup_ca'])
    assert [x['name'] for x in got['tags']] == ['大型'] and got['tag_ids'] == [big['id']], got
    assert got['history'][0]['after'] == {'tag_ids': [big['id']]}, got['history'][0]


def evaluate(expr, o):
    """The meaning of a filter expression, in Python, for comparison."""
    (key, value), = expr.items()
    if key == 'and':
        return all(evaluate(e, o) for e in value)
    if key == 'or':
        return any(evaluate(e, o) for e in value)
    if key == 'not':
        return not evaluate(value, o)
    if key == 'tag':
        return value in o['tag_ids']
    if key == 'tags_all':
        return all(v in o['tag_ids'] for v in value)
    if key == 'tags_any':
        return any(v in o['tag_ids'] for v in value)
    if key == 'id':
        return o['id'] in (value if isinstance(value, list) else [value])
    if key == 'text':
        return value in o['name'] or value in (o['address'] or '')
    column = {'unit': 'unit_id'}.get(key, key)
    return o[column] in (value if isinstance(value, list) else [value])


def test_filter_semantics_and_bulk_tagging():
    import random
    db, d, t, units = env()
    sup = t['sup_qx']
    group = make_group(sup, '业态')
    kinds = [make_tag(sup, group, n) for n in ('超市', '便利店', '烟酒店')]
    size = make_group(sup, '规模')
    sizes = [make_tag(sup, size, n) for n in ('大', '小')]
    tag_ids = [x['id'] for x in kinds + sizes]
    rng = random.Random(7)
    objects = []
    for i in range(24):
        o = make_object(sup, district=rng.choice(['桥西区', '新华区']),
                        risk_class=rng.choice('ABCD'), type=rng.choice(['retail', 'ecig']),
                        name=rng.choice(['好又多超市', '平安便利店', '老王烟酒']) + str(i))
        chosen = [x for x in tag_ids if rng.random() < 0.45]
        for tag in chosen:
            d.rpc('tags.apply', {'tag_id': tag, 'id': o['id']}, token=sup)
        objects.append(d.rpc('objects.get', {'id': o['id']}, token=sup))
    ids = [o['id'] for o in objects]
    assert all(sorted(o['tag_ids']) == o['tag_ids'] for o in objects)

    s, c, y = (x['id'] for x in kinds)
    big, small = (x['id'] for x in sizes)
    fixed = [
        {'tag': s},
        {'and': [{'tag': s}, {'tag': small}]},
        {'or': [{'tag': c}, {'tag': y}]},
        {'not': {'tag': s}},
        {'and': [{'or': [{'tag': s}, {'tag': c}]}, {'not': {'tag': big}},
                 {'risk_class': ['C', 'D']}]},
        {'tags_all': [s, small]},
        {'tags_any': [y, big]},
        {'and': []},
        {'or': []},
        {'and': [{'district': '新华区'}, {'type': 'ecig'}, {'not': {'tags_any': [s, c]}}]},
        {'or': [{'text': '超市'}, {'and': [{'tag': y}, {'risk_class': 'A'}]}]},
    ]

    def random_expr(depth=0):
        r = rng.random()
        if depth < 3 and r < 0.35:
            op = rng.choice(['and', 'or'])
            return {op: [random_expr(depth + 1) for _ in range(rng.randint(1, 4))]}
        if depth < 3 and r < 0.45:
            return {'not': random_expr(depth + 1)}
        leaf = rng.choice(['tag', 'tag', 'tag', 'tags_all', 'tags_any', 'risk_class',
                           'district', 'type'])
        if leaf == 'tag':
            return {'tag': rng.choice(tag_ids)}
        if leaf in ('tags_all', 'tags_any'):
            return {leaf: rng.sample(tag_ids, rng.randint(1, 3))}
        if leaf == 'risk_class':
            return {'risk_class': rng.sample('ABCD', rng.randint(1, 2))}
        if leaf == 'district':
            return {'district': rng.choice(['桥西区', '新华区'])}
        return {'type': rng.choice(['retail', 'ecig'])}

    for expr in fixed + [random_expr() for _ in range(40)]:
        scoped = {'and': [{'id': ids}, expr]}
        want = sorted(o['id'] for o in objects if evaluate(expr, o))
        page = d.rpc('objects.list', {'filter': scoped, 'limit': 1000, 'with_count': True},
                     token=sup)
        got = [x['id'] for x in page['items']]
        assert got == want, (expr, got, want)
        assert page['total'] == len(want), (expr, page['total'], len(want))
        assert d.rpc('filters.count', {'filter': scoped}, token=sup)['count'] == len(want)

    # Tag everything a filter matches, in one statement and one audit row.
    bulk = make_tag(sup, group, '批量')
    audit_before = int(db.psql("select count(*) from audit_log where area = 'tags'"))
    match = {'and': [{'id': ids}, {'or': [{'tag': s}, {'tag': c}]}]}
    want = sorted(o['id'] for o in objects if evaluate(match, o))
    r = d.rpc('tags.apply', {'tag_id': bulk['id'], 'filter': match}, token=sup)
    assert r['matched'] == len(want) and r['changed'] == len(want), (r, want)
    r = d.rpc('tags.apply', {'tag_id': bulk['id'], 'filter': match}, token=sup)
    assert r['changed'] == 0, 'applying twice changes nothing: %r' % r
    got = [x['id'] for x in d.rpc('objects.list', {'filter': {'tag': bulk['id']},
                                                   'limit': 1000}, token=sup)['items']]
    assert got == want, (got, want)
    assert int(db.psql("select count(*) from audit_log where area = 'tags'")) == audit_before + 1
    # By a list of ids; one id out of reach leaves everything as it was.
    other = make_object(t['sup_ca'])
    expect_error(-32003, d.rpc, 'tags.remove', {'tag_id': bulk['id'], 'ids': want + [other['id']]},
                 token=sup)
    expect_error(-32003, d.rpc, 'tags.remove', {'tag_id': bulk['id'], 'ids': want + [987654]},
                 token=sup)
    assert [x['id'] for x in d.rpc('objects.list', {'filter': {'tag': bulk['id']},
                                                    'limit': 1000}, token=sup)['items']] == want
    r = d.rpc('tags.remove', {'tag_id': bulk['id'], 'ids': want[:2]}, token=sup)
    assert r['changed'] == 2, r
    r = d.rpc('tags.remove', {'tag_id': bulk['id'], 'filter': {'tag': bulk['id']}}, token=sup)
    assert r['changed'] == len(want) - 2, r
    assert d.rpc('filters.count', {'filter': {'tag': bulk['id']}}, token=sup)['count'] == 0
    # Exactly one way of naming the records.
    e = expect_error(-32010, d.rpc, 'tags.apply', {'tag_id': bulk['id']}, token=sup)
    e = expect_error(-32010, d.rpc, 'tags.apply', {'tag_id': bulk['id'], 'id': ids[0],
                                                   'filter': {'tag': s}}, token=sup)
    # A supervisor's filter never reaches another unit's objects.
    city = make_group(t['admin'], '全市商圈')
    everywhere = make_tag(t['admin'], city, '全市')
    r = d.rpc('tags.apply', {'tag_id': everywhere['id'], 'filter': {}}, token=sup)
    n_qx = d.rpc('filters.count', {}, token=sup)['count']
    assert r['matched'] == n_qx, (r, n_qx)
    assert d.rpc('filters.count', {'filter': {'tag': everywhere['id']}},
                 token=t['admin'])['count'] == n_qx


def test_inspectors():
    import datetime
    db, d, t, units = env()
    today = datetime.date.today()

    def day(n):
        return (today + datetime.timedelta(days=n)).isoformat()

    def make(token, cert, until, **kw):
        params = {'name': '执法员' + cert, 'cert_no': cert, 'cert_valid_from': day(-700),
                  'cert_valid_until': day(until)}
        params.update(kw)
        return d.rpc('inspectors.create', params, token=token)

    a = make(t['sup_ca'], 'JZ-1301-0001', 400, specialties='电子烟')
    assert a['unit_id'] == units['changan'] and a['status'] == 'on_duty', a
    assert a['unit_name'] == '长安区烟草专卖局', a
    assert a['cert_state'] == 'valid', a
    soon = make(t['sup_ca'], 'JZ-1301-0002', 10)
    gone = make(t['sup_ca'], 'JZ-1301-0003', -1)
    make(t['sup_ca'], 'JZ-1301-0004', -30, status='transferred')
    make(t['sup_qx'], 'JZ-1302-0001', 5)
    assert soon['cert_state'] == 'expiring' and gone['cert_state'] == 'expired'
    e = expect_error(-32010, make, t['sup_ca'], 'jz-1301-0001', 100)
    f = field_errors(e)['cert_no']
    assert f['code'] == 'taken' and f['message'].startswith('执法证号已存在'), f
    e = expect_error(-32602, d.rpc, 'inspectors.create', {'name': '无证'}, token=t['sup_ca'])
    assert e.data['field'] == 'cert_no', e.data
    e = expect_error(-32010, d.rpc, 'inspectors.create',
                     {'name': '无证', 'cert_no': '', 'cert_valid_from': '',
                      'cert_valid_until': '2026-13-01'}, token=t['sup_ca'])
    assert {'cert_no', 'cert_valid_from', 'cert_valid_until'} <= set(field_errors(e))
    e = expect_error(-32010, make, t['sup_ca'], 'JZ-9', 10, cert_valid_from=day(20))
    assert 'cert_valid_until' in field_errors(e)
    e = expect_error(-32010, make, t['sup_ca'], 'JZ-1301-0009', 10, status='holiday')
    assert 'status' in field_errors(e)
    expect_error(-32003, d.rpc, 'inspectors.get', {'id': a['id']}, token=t['sup_qx'])
    expect_error(-32003, d.rpc, 'inspectors.list', {}, token=t['insp_ca'])

    ex = d.rpc('inspectors.expiring', {}, token=t['sup_ca'])
    assert [x['id'] for x in ex['expiring']] == [soon['id']], ex
    assert [x['id'] for x in ex['expired']] == [gone['id']], ex   # not the transferred one
    ex = d.rpc('inspectors.expiring', {}, token=t['admin'])
    assert len(ex['expiring']) == 2, ex

    u = d.rpc('inspectors.update', {'id': a['id'], 'version': 1, 'contact': '0311-8888'},
              token=t['sup_ca'])
    assert u['version'] == 2 and u['contact'] == '0311-8888'
    expect_error(-32009, d.rpc, 'inspectors.update', {'id': a['id'], 'version': 1,
                                                      'contact': 'x'}, token=t['sup_ca'])
    got = d.rpc('inspectors.get', {'id': a['id']}, token=t['sup_ca'])
    assert got['history'][0]['after'] == {'contact': '0311-8888'}, got['history']

    listed = d.rpc('inspectors.list', {'filter': {'cert': 'valid'}, 'with_count': True},
                   token=t['sup_ca'])
    assert {x['id'] for x in listed['items']} == {a['id'], soon['id']}, listed
    assert listed['total'] == 2
    listed = d.rpc('inspectors.list', {'filter': {'text': '电子烟'}}, token=t['sup_ca'])
    assert [x['id'] for x in listed['items']] == [a['id']]
    # Ordered by certificate end, soonest first, a page of two at a time.
    ends = [x['cert_valid_until']
            for x in walk_pages(d, t['sup_ca'], 'inspectors.list',
                                {'order': 'cert_valid_until'}, 2)]
    assert ends == sorted(ends) and len(ends) == 4, ends
    by_status = walk_pages(d, t['sup_ca'], 'inspectors.list',
                           {'order': 'status', 'descending': True}, 3)
    assert by_status[0]['status'] == 'transferred', by_status
    # The admin sees both units' inspectors, grouped by unit in the pinyin order of the unit
    # names (ICU reads 长 as zhǎng, so 桥西 comes first).
    pinyin = db.psql("select string_agg (name, ',' order by name collate \"zh-x-icu\") "
                     "from unit where code in ('changan', 'qiaoxi')").strip().split(',')
    assert pinyin == ['桥西区烟草专卖局', '长安区烟草专卖局'], pinyin
    by_unit = walk_pages(d, t['admin'], 'inspectors.list', {'order': 'unit'}, 2)
    names = [x['unit_name'] for x in by_unit]
    assert names == sorted(names, key=pinyin.index), names
    assert len(set(names)) == 2, names
    e = expect_error(-32602, d.rpc, 'inspectors.list', {'order': 'licence_no'},
                     token=t['sup_ca'])
    assert e.data['field'] == 'order' and 'cert_no' in e.data['reason'], e.data
    skills = make_group(t['sup_ca'], '人员专长', 'inspectors')
    skill = make_tag(t['sup_ca'], skills, '卷烟鉴别')
    r = d.rpc('tags.apply', {'tag_id': skill['id'], 'target': 'inspectors',
                             'filter': {'cert': 'valid'}}, token=t['sup_ca'])
    assert r['changed'] == 2, r
    n = d.rpc('filters.count', {'kind': 'inspectors', 'filter': {'tag': skill['id']}},
              token=t['sup_ca'])['count']
    assert n == 2

    # Recusals.
    o = make_object(t['sup_ca'])
    rc = d.rpc('inspectors.add_recusal', {'inspector_id': a['id'], 'object_id': o['id'],
                                          'reason': '亲属经营'}, token=t['sup_ca'])
    assert rc['reason'] == '亲属经营' and rc['removed_at'] is None, rc
    e = expect_error(-32010, d.rpc, 'inspectors.add_recusal',
                     {'inspector_id': a['id'], 'object_id': o['id'], 'reason': '再次'},
                     token=t['sup_ca'])
    assert field_errors(e)['object_id']['code'] == 'taken'
    e = expect_error(-32010, d.rpc, 'inspectors.add_recusal',
                     {'inspector_id': a['id'], 'object_id': 999999, 'reason': ''},
                     token=t['sup_ca'])
    assert {'object_id', 'reason'} <= set(field_errors(e))
    assert [x['id'] for x in d.rpc('inspectors.get', {'id': a['id']},
                                   token=t['sup_ca'])['recusals']] == [rc['id']]
    assert d.rpc('objects.get', {'id': o['id']}, token=t['sup_ca'])['recusals'][0][
        'inspector_id'] == a['id']
    expect_error(-32003, d.rpc, 'inspectors.remove_recusal', {'id': rc['id']}, token=t['sup_qx'])
    gone_rc = d.rpc('inspectors.remove_recusal', {'id': rc['id'], 'reason': '已不再经营'},
                    token=t['sup_ca'])
    assert gone_rc['removed_at'] is not None and gone_rc['removed_reason'] == '已不再经营'
    expect_error(-32011, d.rpc, 'inspectors.remove_recusal', {'id': rc['id']}, token=t['sup_ca'])
    assert d.rpc('inspectors.get', {'id': a['id']}, token=t['sup_ca'])['recusals'] == []
    # A new one may be declared again; the old stays on record.
    d.rpc('inspectors.add_recusal', {'inspector_id': a['id'], 'object_id': o['id'],
                                     'reason': '重新经营'}, token=t['sup_ca'])
    assert db.psql('select count(*) from inspector_recusal where inspector_id = %d' % a['id'])\
        .strip() == '2'


def test_reference_and_describe():
    db, d, t, units = env()
    ref = d.rpc('objects.reference', {}, token=t['insp_ca'])
    assert [x['name'] for x in ref['types']][:3] == ['卷烟零售户', '电子烟零售', '批发企业'], ref
    assert {x['grade']: x['risk_class'] for x in ref['credit_grades']}['AAA'] == 'A'
    names = {m['name'] for m in d.rpc('system.describe')['methods']}
    for m in ('objects.list', 'objects.get', 'objects.create', 'objects.update',
              'objects.retire', 'inspectors.list', 'inspectors.get', 'inspectors.create',
              'inspectors.update', 'inspectors.expiring', 'inspectors.add_recusal',
              'inspectors.remove_recusal', 'tags.list', 'tags.create_group', 'tags.create',
              'tags.update', 'tags.apply', 'tags.remove', 'filters.count'):
        assert m in names, m
    # Every write of this file left a verifiable audit chain.
    assert d.rpc('audit.verify', {}, token=t['admin'])['ok'] is True


def upload(d, token, data, name='objects.csv'):
    import json
    import urllib.parse
    status, _, body = d.call_raw(data, {'Content-Type': 'application/octet-stream',
                                        'Authorization': 'Bearer ' + token,
                                        'X-File-Name': urllib.parse.quote(name, safe='')},
                                 method='PUT', path='/files')
    assert status == 201, (status, body)
    return json.loads(body)['id']


def csv_text(rows, header=('许可证号', '统一社会信用代码', '名称', '负责人', '经营地址', '区县',
                           '对象类型', '经营状态', '有效期起', '有效期止', '信用等级')):
    lines = [','.join(header)]
    for r in rows:
        lines.append(','.join('"%s"' % c.replace('"', '""') if ',' in c or '"' in c else c
                              for c in r))
    return '\r\n'.join(lines) + '\r\n'


def import_row(n, **kw):
    row = {'licence': '1301040%05d' % n, 'code': credit_code(n, '92130104'),
           'name': '新华便利店%d' % n, 'rep': '赵六', 'addr': '新华区中华北大街%d号' % n,
           'district': '新华区', 'type': '卷烟零售户', 'status': '营业',
           'from': '2024/1/5', 'until': '2029年1月4日', 'grade': 'AA'}
    row.update(kw)
    return [row[k] for k in ('licence', 'code', 'name', 'rep', 'addr', 'district', 'type',
                             'status', 'from', 'until', 'grade')]


def test_imports_csv():
    db, d, t, units = env()
    sup = t['sup_ca']
    rows = [import_row(n) for n in range(7001, 7004)]
    rows[1][4] = '新华区中华北大街, 88号 "东门"'   # a quoted cell with a comma and quotes
    text = csv_text(rows)
    fid = upload(d, sup, b'\xef\xbb\xbf' + text.encode('utf-8'))
    p = d.rpc('imports.preview', {'file_id': fid}, token=sup)
    assert p['encoding'] == 'UTF-8-BOM' and p['rows'] == 3, p
    assert (p['new'], p['changed'], p['unchanged'], p['invalid']) == (3, 0, 0, 0), p
    assert {c['header']: c['field'] for c in p['columns']}['统一社会信用代码'] == 'credit_code'
    before = int(db.psql('select count(*) from object'))
    c = d.rpc('imports.commit', {'file_id': fid}, token=sup)
    assert c['written'] == 3 and c['new'] == 3, c
    assert int(db.psql('select count(*) from object')) == before + 3
    got = d.rpc('objects.list', {'filter': {'text': '13010400700'}}, token=sup)['items']
    assert len(got) == 3, got
    o = [x for x in got if x['licence_no'] == rows[1][0]][0]
    assert o['address'] == '新华区中华北大街, 88号 "东门"' and o['licence_valid_from'] == '2024-01-05'
    assert o['licence_valid_until'] == '2029-01-04' and o['risk_class'] == 'A', o
    assert o['type'] == 'retail' and o['status'] == 'open' and o['unit_id'] == units['changan']
    assert d.rpc('objects.get', {'id': o['id']}, token=sup)['risk_history'][0]['source'] == 'import'
    # The text search: a licence number or credit code from its beginning (in any case),
    # a name, legal representative or address anywhere; a code's middle is not a match.
    def found(text):
        items = d.rpc('objects.list', {'filter': {'text': text}}, token=sup)['items']
        return sorted(x['licence_no'] for x in items)
    assert found(rows[1][0]) == [rows[1][0]]
    assert found(rows[1][1].lower()) == [rows[1][0]]
    assert found(rows[1][1][:10]) == sorted(r[0] for r in rows
                                            if r[1].startswith(rows[1][1][:10]))
    assert found('便利店7002') == [rows[1][0]]
    assert found('中华北大街, 88号') == [rows[1][0]]
    assert found(rows[1][0][4:]) == []
    assert found('100_') == [] and found('%') == []
    # The same file again changes nothing.
    c = d.rpc('imports.commit', {'file_id': fid}, token=sup)
    assert c['written'] == 0 and c['unchanged'] == 3, c
    assert int(db.psql("select count(*) from audit_log where area = 'imports'")) == 1

    # GB18030 without BOM, an unknown column, one row changed, one new.
    rows2 = [r + ['备注%d' % i] for i, r in enumerate(rows)]
    rows2[0][4] = '新华区友谊北大街1号'
    rows2.append(import_row(7004) + ['新开'])
    text = csv_text(rows2, header=('许可证号', '统一社会信用代码', '名称', '负责人', '经营地址',
                                   '区县', '对象类型', '经营状态', '有效期起', '有效期止', '信用等级',
                                   '备注'))
    fid = upload(d, sup, text.encode('gb18030'))
    p = d.rpc('imports.preview', {'file_id': fid}, token=sup)
    assert p['encoding'] == 'GB18030', p
    assert {c['header']: c['field'] for c in p['columns']}['备注'] is None
    assert (p['new'], p['changed'], p['unchanged'], p['invalid']) == (1, 1, 2, 0), p
    c = d.rpc('imports.commit', {'file_id': fid}, token=sup)
    assert (c['new'], c['changed'], c['written']) == (1, 1, 2), c

    # A broken row in the middle: previewed with its line, and nothing written.
    good = credit_code(7010, '92130104')
    bad = good[:17] + suitest.CREDIT_ALPHABET[(suitest.CREDIT_ALPHABET.index(good[17]) + 1) % 31]
    rows3 = [import_row(7009), import_row(7010, code=bad), import_row(7011),
             import_row(7012, licence='13010'), import_row(7009, name='重复行'),
             import_row(7013, **{'from': '2024-02-30'})]
    fid = upload(d, sup, csv_text(rows3).encode('utf-8'))
    p = d.rpc('imports.preview', {'file_id': fid}, token=sup)
    assert (p['new'], p['invalid']) == (2, 4), p
    lines = {r['line']: r for r in p['invalid_rows']}
    assert sorted(lines) == [3, 5, 6, 7], lines
    assert lines[3]['field'] == 'credit_code' and '校验位' in lines[3]['reason'], lines[3]
    assert '12 位数字' in lines[5]['reason'] and '第 2 行' in lines[6]['reason'], lines
    assert lines[7]['field'] == 'licence_valid_from', lines[7]
    before = int(db.psql('select count(*) from object'))
    e = expect_error(-32011, d.rpc, 'imports.commit', {'file_id': fid}, token=sup)
    assert '4 行无效' in e.message, e.message
    assert int(db.psql('select count(*) from object')) == before
    c = d.rpc('imports.commit', {'file_id': fid, 'skip_invalid': True}, token=sup)
    assert c['written'] == 2 and int(db.psql('select count(*) from object')) == before + 2

    # A licence another unit registered is refused; the other supervisor cannot read the file.
    qx = make_object(t['sup_qx'])
    fid = upload(d, sup, csv_text([import_row(7020), import_row(7021, licence=qx['licence_no'])])
                 .encode('utf-8'))
    expect_error(-32003, d.rpc, 'imports.preview', {'file_id': fid}, token=t['sup_qx'])
    p = d.rpc('imports.preview', {'file_id': fid}, token=sup)
    assert p['invalid'] == 1 and p['invalid_rows'][0]['line'] == 3, p
    before = int(db.psql('select count(*) from object'))
    expect_error(-32011, d.rpc, 'imports.commit', {'file_id': fid}, token=sup)
    assert int(db.psql('select count(*) from object')) == before
    # Not CSV at all, no licence column, no unit for an admin.
    fid = upload(d, sup, b'\xff\xfe\x00\x00garbage\x81')
    e = expect_error(-32010, d.rpc, 'imports.preview', {'file_id': fid}, token=sup)
    fid = upload(d, sup, '名称,地址\r\n某店,某路\r\n'.encode('utf-8'))
    e = expect_error(-32010, d.rpc, 'imports.preview', {'file_id': fid}, token=sup)
    assert field_errors(e)['file_id']['code'] == 'no_licence'
    fid = upload(d, t['admin'], csv_text([import_row(7030)]).encode('utf-8'))
    e = expect_error(-32010, d.rpc, 'imports.preview', {'file_id': fid}, token=t['admin'])
    assert 'unit_id' in field_errors(e)
    p = d.rpc('imports.preview', {'file_id': fid, 'unit_id': units['qiaoxi']}, token=t['admin'])
    assert p['new'] == 1


def test_objects_export():
    db, d, t, units = env()
    sup = t['sup_ca']
    make_object(sup, name='导出测试,逗号店')
    r = d.rpc('objects.export', {'filter': {'text': '导出测试'}}, token=sup)
    assert r['rows'] == 1 and r['csv'].startswith('\ufeff许可证号,'), r
    lines = r['csv'].split('\r\n')
    assert '"导出测试,逗号店"' in lines[1] and lines[1].startswith('="1301021'), lines
    everything = d.rpc('objects.export', {}, token=sup)
    n = d.rpc('filters.count', {}, token=sup)['count']
    assert everything['rows'] == n, (everything['rows'], n)
    # In the list's order when one is asked for: the same rows as objects.list gives.
    listed = walk_pages(d, sup, 'objects.list', {'order': 'name', 'descending': True}, 50)
    ordered = d.rpc('objects.export', {'order': 'name', 'descending': True}, token=sup)
    names = [line.split(',')[2] for line in ordered['csv'].split('\r\n')[1:] if line
             and '逗号店' not in line]
    assert names == [x['name'] for x in listed if '逗号店' not in x['name']], names
    e = expect_error(-32602, d.rpc, 'objects.export', {'order': 'tags'}, token=sup)
    assert e.data['field'] == 'order', e.data
    inspectors = d.rpc('inspectors.export', {'order': 'cert_valid_until'}, token=sup)
    ends = [line.split(',')[4] for line in inspectors['csv'].split('\r\n')[1:] if line]
    assert ends == sorted(ends) and len(ends) == inspectors['rows'] > 0, ends


suitest.run(globals())
