# SPDX-License-Identifier: GPL-3.0-or-later
"""Joint tasks (一业一查): inviting partner departments, each department filling in and
confirming its own part, the roles around them, a match that gives every object one team per
part drawn from that part's inspectors only (verified by draws.verify and by an independent
re-implementation), a part too small to form teams, and the share of joint tasks.
"""

import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                                'tests', 'lib'))
import drawref  # noqa: E402
import suitest  # noqa: E402
from suitest import expect_error  # noqa: E402

PASSWORD = 'Joint@2026'
_shared = {}
_year = [2060]


def env():
    """A direct unit leading, two departments, another direct unit; a supervisor each;
    inspectors in every unit; ten objects of the lead unit."""
    if 'd' not in _shared:
        db, d = suitest.fresh()
        admin = d.login(suitest.ADMIN_LOGIN, suitest.ADMIN_PASSWORD)
        units = {}
        for code, name, kind in (('xinhua', '新华区烟草专卖局', 'direct'),
                                 ('yuhua', '裕华区烟草专卖局', 'direct'),
                                 ('scjg', '市场监督管理局', 'department'),
                                 ('wsj', '卫生健康委员会', 'department')):
            units[code] = d.rpc('units.create', {'name': name, 'code': code, 'kind': kind},
                                token=admin)['id']
        tokens = {'admin': admin}
        for login, unit in (('sup_xh', 'xinhua'), ('sup_yh', 'yuhua'), ('sup_sc', 'scjg'),
                            ('sup_ws', 'wsj')):
            d.rpc('users.create', {'login': login, 'name': '测试' + login, 'role': 'supervisor',
                                   'unit_id': units[unit], 'password': PASSWORD}, token=admin)
            tokens[login] = d.login(login, PASSWORD)
        db.psql("""insert into object (type, licence_no, name, unit_id, district, risk_class)
                   select 'retail', 'J' || lpad (g::text, 6, '0'), '联合店' || g, %d, '新华区',
                          (array['A','B','C','D'])[1 + g %% 4]
                     from generate_series (1, 10) g""" % units['xinhua'])
        rows = []
        for unit, n in (('xinhua', 8), ('scjg', 7), ('wsj', 3), ('yuhua', 4)):
            for i in range(n):
                # in 市场监督管理局: one expired certificate, one off duty
                until = '2020-12-31' if (unit == 'scjg' and i == 5) else '2099-12-31'
                status = 'off_duty' if (unit == 'scjg' and i == 6) else 'on_duty'
                rows.append("('%s检查员%d', %d, 'JC%s%03d', '2000-01-01', '%s', '%s')"
                            % (unit, i, units[unit], unit, i, until, status))
        db.psql("insert into inspector (name, unit_id, cert_no, cert_valid_from,"
                " cert_valid_until, status) values " + ','.join(rows))
        _shared.update(db=db, d=d, units=units, tokens=tokens)
    return _shared['db'], _shared['d'], _shared['tokens'], _shared['units']



def fields(e):
    return {f['field']: f['code'] for f in e.data['fields']}


def claimed_item(token, unit_code):
    """An active item of the unit's list (claimed from the catalogue when needed), with a
    method it allows that needs no reason."""
    db, d, t, units = env()
    mine = d.rpc('items.list', {}, token=token)['items']
    if not mine:
        catalogue = d.rpc('catalogue.list', {}, token=token)['items']
        d.rpc('items.claim', {'catalogue_id': catalogue[0]['id']}, token=token)
        mine = d.rpc('items.list', {}, token=token)['items']
    item = mine[0]
    method = next((m for m in item['methods'] if m != 'on_site'), item['methods'][0])
    entry = {'item_id': item['id'], 'method': method}
    if method == 'on_site':
        entry['reason'] = '需要现场核对'
    return entry


def new_task(name='卷烟、电子烟联合检查'):
    """A draft task of xinhua in a new draft plan, drawing every object."""
    db, d, t, units = env()
    year = _year[0]
    _year[0] += 1
    plan = d.rpc('plans.create', {'year': year, 'title': '%d 年度随机抽查计划' % year},
                 token=t['sup_xh'])
    task = d.rpc('tasks.create', {'plan_id': plan['id'], 'name': name,
                                  'items': [claimed_item(t['sup_xh'], 'xinhua')],
                                  'window_start': '%d-03-01' % year,
                                  'window_end': '%d-05-31' % year,
                                  'deadline': '%d-06-30' % year,
                                  'ratio_a_bp': 500, 'ratio_b_bp': 2000, 'ratio_c_bp': 6000,
                                  'ratio_d_bp': 10000, 'exclusion_months': 0},
                 token=t['sup_xh'])
    return plan, task


def publish_and_draw(plan, task):
    db, d, t, units = env()
    plan = d.rpc('plans.get', {'id': plan['id']}, token=t['sup_xh'])
    plan = d.rpc('plans.submit', {'id': plan['id'], 'version': plan['version']},
                 token=t['sup_xh'])
    plan = d.rpc('plans.approve', {'id': plan['id'], 'version': plan['version']},
                 token=t['admin'])
    d.rpc('plans.publish', {'id': plan['id'], 'version': plan['version']}, token=t['sup_xh'])
    task = d.rpc('tasks.get', {'id': task['id']}, token=t['sup_xh'])
    task = d.rpc('tasks.make_ready', {'id': task['id'], 'version': task['version']},
                 token=t['sup_xh'])
    d.rpc('draws.run', {'task_id': task['id'], 'entropy': ['31', '47']}, token=t['sup_xh'])
    return d.rpc('tasks.get', {'id': task['id']}, token=t['sup_xh'])


def fill_part(task_id, unit_code, token, **extra):
    db, d, t, units = env()
    parts = d.rpc('tasks.departments', {'task_id': task_id}, token=token)['departments']
    part = next(p for p in parts if p['unit_id'] == units[unit_code])
    params = dict(task_id=task_id, unit_id=units[unit_code], version=part['version'],
                  items=[claimed_item(token, unit_code)])
    params.update(extra)
    part = d.rpc('tasks.update_department', params, token=token)
    return d.rpc('tasks.confirm_department', {'task_id': task_id, 'unit_id': units[unit_code],
                                              'version': part['version']}, token=token)


# ---- the tests ------------------------------------------------------------------------

def test_invite_and_remove_departments():
    db, d, t, units = env()
    plan, task = new_task()
    before = d.rpc('tasks.departments', {'task_id': task['id']}, token=t['sup_xh'])
    assert before['joint'] is False and before['departments'] == []
    assert {c['unit_id'] for c in before['candidates']} == {units['scjg'], units['wsj']}
    assert before['lead']['unit_id'] == units['xinhua']

    part = d.rpc('tasks.add_department', {'task_id': task['id'], 'unit_id': units['scjg']},
                 token=t['sup_xh'])
    assert part['unit_name'] == '市场监督管理局' and part['inspectors_per_object'] == 2
    assert part['confirmed'] is False and part['inspectors_on_duty'] == 6
    # the same department twice, a direct unit, a nonsense count: refused with the field
    e = expect_error(-32010, d.rpc, 'tasks.add_department',
                     {'task_id': task['id'], 'unit_id': units['scjg']}, token=t['sup_xh'])
    assert fields(e) == {'unit_id': 'taken'}
    e = expect_error(-32010, d.rpc, 'tasks.add_department',
                     {'task_id': task['id'], 'unit_id': units['yuhua'],
                      'inspectors_per_object': 1}, token=t['sup_xh'])
    assert fields(e) == {'unit_id': 'not_department', 'inspectors_per_object': 'range'}
    count = db.psql("select count (*) from task_department where task_id = %d" % task['id'])
    assert count.strip() == '1'

    after = d.rpc('tasks.departments', {'task_id': task['id']}, token=t['sup_sc'])
    assert after['joint'] is True and after['all_confirmed'] is False
    assert [p['unit_id'] for p in after['departments']] == [units['scjg']]

    out = d.rpc('tasks.remove_department', {'task_id': task['id'], 'unit_id': units['scjg']},
                token=t['sup_xh'])
    assert out['departments'] == [] and out['joint'] is False
    audit = db.psql("""select count (*) from audit_log where area = 'tasks'
                        and record_id = '%d' and method in ('tasks.add_department',
                                                           'tasks.remove_department')"""
                    % task['id'])
    assert audit.strip() == '2'


def test_roles_around_parts():
    db, d, t, units = env()
    plan, task = new_task()
    # only the lead invites; only the department fills in and confirms its part
    expect_error(-32003, d.rpc, 'tasks.add_department',
                 {'task_id': task['id'], 'unit_id': units['scjg']}, token=t['sup_sc'])
    expect_error(-32003, d.rpc, 'tasks.add_department',
                 {'task_id': task['id'], 'unit_id': units['scjg']}, token=t['admin'])
    part = d.rpc('tasks.add_department', {'task_id': task['id'], 'unit_id': units['scjg']},
                 token=t['sup_xh'])
    expect_error(-32003, d.rpc, 'tasks.update_department',
                 {'task_id': task['id'], 'unit_id': units['scjg'], 'version': part['version'],
                  'inspectors_per_object': 3}, token=t['sup_xh'])
    expect_error(-32003, d.rpc, 'tasks.confirm_department',
                 {'task_id': task['id'], 'unit_id': units['scjg'], 'version': part['version']},
                 token=t['sup_ws'])
    # a unit with no part sees nothing; the admin and the parts see it all
    expect_error(-32003, d.rpc, 'tasks.departments', {'task_id': task['id']},
                 token=t['sup_yh'])
    expect_error(-32003, d.rpc, 'tasks.departments', {'task_id': task['id']},
                 token=t['sup_ws'])
    assert d.rpc('tasks.departments', {'task_id': task['id']}, token=t['admin'])['joint']
    expect_error(-32004, d.rpc, 'tasks.update_department',
                 {'task_id': task['id'], 'unit_id': units['wsj'], 'version': 1,
                  'inspectors_per_object': 3}, token=t['sup_ws'])


def test_department_fills_in_and_confirms_its_part():
    db, d, t, units = env()
    plan, task = new_task()
    part = d.rpc('tasks.add_department', {'task_id': task['id'], 'unit_id': units['scjg']},
                 token=t['sup_xh'])
    # nothing to confirm before the items are there
    e = expect_error(-32010, d.rpc, 'tasks.confirm_department',
                     {'task_id': task['id'], 'unit_id': units['scjg'],
                      'version': part['version']}, token=t['sup_sc'])
    assert fields(e) == {'items': 'empty'}
    # an item of another unit's list, a bad count: nothing changes
    other = claimed_item(t['sup_xh'], 'xinhua')
    e = expect_error(-32010, d.rpc, 'tasks.update_department',
                     {'task_id': task['id'], 'unit_id': units['scjg'],
                      'version': part['version'], 'items': [other],
                      'inspectors_per_object': 11}, token=t['sup_sc'])
    assert fields(e) == {'items': 'not_found', 'inspectors_per_object': 'range'}
    mine = claimed_item(t['sup_sc'], 'scjg')
    e = expect_error(-32010, d.rpc, 'tasks.update_department',
                     {'task_id': task['id'], 'unit_id': units['scjg'],
                      'version': part['version'], 'items': [mine, mine]}, token=t['sup_sc'])
    assert fields(e) == {'items': 'duplicate'}
    same = db.psql("select version, items from task_department where id = %d" % part['id'])
    assert same.strip() == '1|[]'

    part2 = d.rpc('tasks.update_department',
                  {'task_id': task['id'], 'unit_id': units['scjg'], 'version': part['version'],
                   'items': [mine], 'inspectors_per_object': 3, 'note': '负责价格、计量'},
                  token=t['sup_sc'])
    assert part2['version'] == part['version'] + 1
    assert [{k: x[k] for k in mine} for x in part2['items']] == [mine]
    # readers of other units get the item's name and the method's with it
    assert part2['items'][0]['name'] and part2['items'][0]['method_name']
    assert part2['inspectors_per_object'] == 3
    expect_error(-32009, d.rpc, 'tasks.confirm_department',
                 {'task_id': task['id'], 'unit_id': units['scjg'], 'version': part['version']},
                 token=t['sup_sc'])
    done = d.rpc('tasks.confirm_department', {'task_id': task['id'], 'unit_id': units['scjg'],
                                              'version': part2['version']}, token=t['sup_sc'])
    assert done['confirmed'] is True and done['confirmed_by_name'] == '测试sup_sc'
    # a change withdraws the confirmation
    again = d.rpc('tasks.update_department',
                  {'task_id': task['id'], 'unit_id': units['scjg'], 'version': done['version'],
                   'inspectors_per_object': 2}, token=t['sup_sc'])
    assert again['confirmed'] is False
    # the same values again: no new version, no audit row
    rows = db.psql("select count (*) from audit_log where area = 'tasks'")
    same = d.rpc('tasks.update_department',
                 {'task_id': task['id'], 'unit_id': units['scjg'], 'version': again['version'],
                  'inspectors_per_object': 2}, token=t['sup_sc'])
    assert same['version'] == again['version']
    assert db.psql("select count (*) from audit_log where area = 'tasks'") == rows


def test_ready_needs_every_part_confirmed():
    db, d, t, units = env()
    plan, task = new_task()
    d.rpc('tasks.add_department', {'task_id': task['id'], 'unit_id': units['scjg']},
          token=t['sup_xh'])
    plan = d.rpc('plans.get', {'id': plan['id']}, token=t['sup_xh'])
    plan = d.rpc('plans.submit', {'id': plan['id'], 'version': plan['version']},
                 token=t['sup_xh'])
    plan = d.rpc('plans.approve', {'id': plan['id'], 'version': plan['version']},
                 token=t['admin'])
    d.rpc('plans.publish', {'id': plan['id'], 'version': plan['version']}, token=t['sup_xh'])
    task = d.rpc('tasks.get', {'id': task['id']}, token=t['sup_xh'])
    e = expect_error(-32011, d.rpc, 'tasks.make_ready',
                     {'id': task['id'], 'version': task['version']}, token=t['sup_xh'])
    assert '市场监督管理局' in e.message
    assert d.rpc('tasks.get', {'id': task['id']}, token=t['sup_xh'])['state'] == 'draft'


def test_joint_match_one_team_per_part():
    db, d, t, units = env()
    plan, task = new_task()
    for code in ('scjg', 'wsj'):
        d.rpc('tasks.add_department', {'task_id': task['id'], 'unit_id': units[code]},
              token=t['sup_xh'])
    fill_part(task['id'], 'scjg', t['sup_sc'], inspectors_per_object=3)
    fill_part(task['id'], 'wsj', t['sup_ws'])
    # each department finds the task among the joint tasks it takes part in
    mine = {x['task_id']: x for x in d.rpc('tasks.joint_list', {}, token=t['sup_sc'])['items']}
    assert mine[task['id']]['role'] == 'partner' and mine[task['id']]['my_part']['confirmed']
    assert mine[task['id']]['lead_unit_name'] == '新华区烟草专卖局'
    assert mine[task['id']]['departments'] == mine[task['id']]['confirmed'] == 2
    lead = {x['task_id']: x for x in d.rpc('tasks.joint_list', {}, token=t['sup_xh'])['items']}
    assert lead[task['id']]['role'] == 'lead' and lead[task['id']]['my_part'] is None
    assert task['id'] not in {x['task_id'] for x in
                              d.rpc('tasks.joint_list', {}, token=t['sup_yh'])['items']}
    assert task['id'] in {x['task_id'] for x in
                          d.rpc('tasks.joint_list', {}, token=t['admin'])['items']}
    task = publish_and_draw(plan, task)
    assert task['state'] == 'objects_drawn'
    r = d.rpc('tasks.match_inspectors', {'task_id': task['id'], 'entropy': ['5', '9']},
              token=t['sup_xh'])
    assert r['ok'], r

    need = {units['xinhua']: 2, units['scjg']: 3, units['wsj']: 2}
    unit_of = dict(tuple(map(int, line.split('|'))) for line in
                   db.psql("select id, unit_id from inspector").split())
    bad = set(map(int, db.psql("""select id from inspector where cert_valid_until < '2099-01-01'
                                   or status <> 'on_duty'""").split()))
    page = d.rpc('tasks.assignments', {'task_id': task['id'], 'limit': 100}, token=t['sup_sc'])
    drawn = db.psql("""select count (*) from draw d, unnest ((select array_agg (x) from
                        draw_stratum s, unnest (s.drawn) x where s.draw_id = d.id)) x
                       where d.task_id = %d and d.kind = 'objects' and d.state = 'run'"""
                    % task['id'])
    assert len(page['items']) == int(drawn) > 0
    for item in page['items']:
        teams = {}
        for insp in item['inspectors']:
            assert insp['unit_id'] == unit_of[insp['id']] and insp['id'] not in bad
            teams.setdefault(insp['unit_id'], []).append(insp['id'])
        assert {u: len(set(ids)) for u, ids in teams.items()} == need, item
        # the lead's team comes first
        assert item['inspectors'][0]['unit_id'] == units['xinhua']

    rec = d.rpc('draws.export', {'id': r['draw']['id']}, token=t['admin'])
    names = [s['name'] for s in rec['strata']]
    assert all(re.fullmatch(r'\d+:\d+', n) for n in names) and len(names) == 3 * int(drawn)
    assert sorted(rec['order']) == sorted(names)
    ref = drawref.reference_match(rec)
    assert ref['result_hash'] == rec['result_hash']
    assert {s['name']: s['drawn'] for s in rec['strata']} == ref['drawn']
    # each part's candidates are that department's inspectors only
    for s in rec['strata']:
        part = int(s['name'].split(':')[1])
        assert all(unit_of[int(i)] == part for i in s['candidates'])
        assert s['k'] == need[part]
    v = d.rpc('draws.verify', {'id': r['draw']['id']}, token=t['admin'])
    assert v['ok'], v

    # the list the inspectors take along: every object with all its teams and items
    sheet = d.rpc('tasks.export_assignments', {'task_id': task['id']}, token=t['sup_sc'])
    lines = sheet['csv'].split('\r\n')
    assert lines[0] == '\ufeff顺序,许可证号,名称,经营地址,区县,风险等级,检查事项及方式,检查人员'
    assert sheet['rows'] == int(drawn) and all(
        '市场监督管理局' in line and '卫生健康委员会' in line and '新华区烟草专卖局' in line
        for line in lines[1:] if line), lines[:3]
    expect_error(-32003, d.rpc, 'tasks.export_assignments', {'task_id': task['id']},
                 token=t['sup_yh'])

    share = d.rpc('reports.joint_share', {'year': int(task['window_start'][:4])},
                  token=t['admin'])
    assert share['tasks'] == share['joint_tasks'] == 1 and share['task_share_bp'] == 10000
    assert share['objects'] == share['joint_objects'] == int(drawn)
    _shared['joint'] = (task, r)


def test_short_part_names_department_and_writes_nothing():
    db, d, t, units = env()
    plan, task = new_task()
    d.rpc('tasks.add_department', {'task_id': task['id'], 'unit_id': units['wsj']},
          token=t['sup_xh'])
    # 卫生健康委员会 has 3 inspectors: 4 per object cannot be formed
    fill_part(task['id'], 'wsj', t['sup_ws'], inspectors_per_object=4)
    task = publish_and_draw(plan, task)
    r = d.rpc('tasks.match_inspectors', {'task_id': task['id'], 'entropy': ['5']},
              token=t['sup_xh'])
    assert r['ok'] is False and r['shortages']
    assert all(s['unit_id'] == units['wsj'] and s['rule'] == 'team' and s['needed'] == 4
               for s in r['shortages']), r
    assert '卫生健康委员会' in r['shortages'][0]['message']
    assert db.psql("select count (*) from inspector_assignment where task_id = %d"
                   % task['id']).strip() == '0'


def test_non_joint_share_and_schema_guard():
    db, d, t, units = env()
    task, r = _shared['joint']
    # an assignment for a department that takes no part in the task is refused by the schema
    obj = db.psql("select object_id from inspector_assignment where task_id = %d limit 1"
                  % task['id']).strip()
    insp = db.psql("select id from inspector where unit_id = %d and status = 'on_duty' limit 1"
                   % units['yuhua']).strip()
    try:
        db.psql("""insert into inspector_assignment (task_id, draw_id, object_id, inspector_id,
                   rank, position, part_unit_id) values (%d, %d, %s, %s, 9, 1, %d)"""
                % (task['id'], r['draw']['id'], obj, insp, units['yuhua']))
        raise AssertionError('an inspector of a unit outside the task was assigned')
    except RuntimeError as e:
        assert 'unit' in str(e), e
    # a single-unit task in a year of its own: no joint task that year
    plan, other = new_task('卷烟零售户常规检查')
    publish_and_draw(plan, other)
    share = d.rpc('reports.joint_share', {'year': int(other['window_start'][:4])},
                  token=t['sup_xh'])
    assert share['tasks'] == 1 and share['joint_tasks'] == 0 and share['task_share_bp'] == 0
    e = expect_error(-32010, d.rpc, 'reports.joint_share', {'year': 1900}, token=t['admin'])
    assert fields(e) == {'year': 'range'}


def test_same_item_rule_counts_the_parts_items():
    """An object drawn by a joint task is left out of another task that lists the item a
    partner checked (same catalogue item), as it is for the lead's own item."""
    db, d, t, units = env()
    part_entry = claimed_item(t['sup_sc'], 'scjg')
    part_code = next(i['code'] for i in d.rpc('items.list', {}, token=t['sup_sc'])['items']
                     if i['id'] == part_entry['item_id'])
    codes = [c['code'] for c in d.rpc('catalogue.list', {}, token=t['sup_xh'])['items']
             if c['code'] != part_code][:2]
    lead_item, other_item = (suitest.claim_item(d, t['sup_xh'], c) for c in codes)
    same_item = suitest.claim_item(d, t['sup_xh'], part_code)

    def entry(item_id):
        item = next(i for i in d.rpc('items.list', {}, token=t['sup_xh'])['items']
                    if i['id'] == item_id)
        method = next((m for m in item['methods'] if m != 'on_site'), item['methods'][0])
        e = {'item_id': item_id, 'method': method}
        if method == 'on_site':
            e['reason'] = '需要现场核对'
        return e

    # objects of their own, so that the draws of the other tests (same items, run today)
    # do not count here
    db.psql("""insert into object (type, licence_no, name, unit_id, district, risk_class)
               select 'retail', 'S' || lpad (g::text, 6, '0'), '同一事项店' || g, %d, '同一事项区',
                      (array['A','B','C','D'])[1 + g %% 4]
                 from generate_series (1, 12) g""" % units['xinhua'])
    year = int(db.psql("select extract (year from current_date + 40)::int").strip())
    start = db.psql("select (current_date + 40)::text").strip()
    end = db.psql("select (current_date + 70)::text").strip()
    plan = d.rpc('plans.create', {'year': year, 'title': '%d 年度同一事项测试' % year},
                 token=t['sup_xh'])
    tasks = {}
    for name, item in (('joint', lead_item), ('same', same_item), ('other', other_item)):
        tasks[name] = d.rpc('tasks.create', {
            'plan_id': plan['id'], 'name': '同一事项' + name, 'items': [entry(item)],
            'scope': {'district': '同一事项区'},
            'window_start': start, 'window_end': end, 'ratio_a_bp': 0, 'ratio_b_bp': 500,
            'ratio_c_bp': 2100, 'ratio_d_bp': 6100}, token=t['sup_xh'])
    d.rpc('tasks.add_department', {'task_id': tasks['joint']['id'], 'unit_id': units['scjg']},
          token=t['sup_xh'])
    fill_part(tasks['joint']['id'], 'scjg', t['sup_sc'], items=[part_entry])
    joint = publish_and_draw(plan, tasks['joint'])
    drawn = int(db.psql("select count (distinct x) from draw_stratum s join draw d"
                        " on d.id = s.draw_id, unnest (s.drawn) x where d.task_id = %d"
                        " and d.kind = 'objects' and d.state = 'run'" % joint['id']))
    assert drawn > 0
    # the partner's item (same catalogue item, another unit's claim) counts
    same = d.rpc('tasks.preview', {'id': tasks['same']['id']}, token=t['sup_xh'])
    assert same['excluded_recent'] == drawn and same['n'] == 12 - drawn, same
    # the lead's own item too; an unrelated item does not
    lead = d.rpc('tasks.preview', {'id': tasks['other']['id'],
                                   'items': [entry(lead_item)]}, token=t['sup_xh'])
    assert lead['excluded_recent'] == drawn, lead
    other = d.rpc('tasks.preview', {'id': tasks['other']['id']}, token=t['sup_xh'])
    assert other['excluded_recent'] == 0 and other['n'] == 12, other


suitest.run(globals())
