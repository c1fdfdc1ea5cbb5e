# SPDX-License-Identifier: GPL-3.0-or-later
"""The sampling table per risk class: the city's default (admin) and a plan's own (its unit,
while the plan may change); tasks checked against their plan's table; a change that would
leave a draft task outside its range refused; roles, versions and the audit log."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                                'tests', 'lib'))
import suitest  # noqa: E402
from suitest import expect_error  # noqa: E402

PASSWORD = 'Ratio@2026'
_shared = {}


def env():
    if 'd' not in _shared:
        db, d = suitest.fresh()
        admin = d.login(suitest.ADMIN_LOGIN, suitest.ADMIN_PASSWORD)
        units = {}
        for code in ('changan', 'qiaoxi'):
            units[code] = d.rpc('units.create', {'name': code + '局', 'code': code,
                                                 'kind': 'direct'}, token=admin)['id']
        t = {'admin': admin}
        for login, unit in (('sup_ca', 'changan'), ('sup_qx', 'qiaoxi')):
            d.rpc('users.create', {'login': login, 'name': '测试' + login, 'role': 'supervisor',
                                   'unit_id': units[unit], 'password': PASSWORD}, token=admin)
            t[login] = d.login(login, PASSWORD)
        _shared.update(db=db, d=d, t=t, units=units)
    return _shared['db'], _shared['d'], _shared['t'], _shared['units']



def fields(e):
    return {f['field']: f['code'] for f in e.data['fields']}


def table(rows):
    return {r['risk_class']: (r['min_bp'], r['max_bp'], r['default_bp']) for r in rows['items']}


def test_plan_table_binds_its_tasks():
    db, d, t, units = env()
    sup = t['sup_ca']
    city = d.rpc('ratios.list', {}, token=sup)
    assert table(city) == {'A': (0, 500, 500), 'B': (500, 2000, 1000),
                           'C': (2100, 6000, 3000), 'D': (6100, 10000, 6100)}
    plan = d.rpc('plans.create', {'year': 2031, 'title': '2031 年度计划'}, token=sup)
    # a campaign year: class D at 80–100 %, A allowed up to 10 %
    out = d.rpc('plans.set_ratios', {'id': plan['id'], 'version': plan['version'],
                                     'ratios': [{'risk_class': 'D', 'min_bp': 8000,
                                                 'max_bp': 10000, 'default_bp': 9000},
                                                {'risk_class': 'A', 'min_bp': 0,
                                                 'max_bp': 1000, 'default_bp': 800}]},
                token=sup)
    assert table(out)['D'] == (8000, 10000, 9000) and table(out)['B'] == (500, 2000, 1000)
    assert [r['own'] for r in out['items']] == [True, False, False, True]
    plan = d.rpc('plans.get', {'id': plan['id']}, token=sup)
    # a new task starts at the plan's defaults, and is held to the plan's ranges
    item = suitest.claim_item(d, sup, 'YC-01')
    task = d.rpc('tasks.create', {'plan_id': plan['id'], 'name': '专项检查',
                                  'items': [{'item_id': item, 'method': 'data_sharing'}]},
                 token=sup)
    assert (task['ratio_a_bp'], task['ratio_d_bp']) == (800, 9000), task
    e = expect_error(-32010, d.rpc, 'tasks.update', {'id': task['id'], 'version': task['version'],
                                                     'ratio_d_bp': 7000}, token=sup)
    assert fields(e) == {'ratio_d_bp': 'range'} and '80' in e.data['fields'][0]['message']
    task = d.rpc('tasks.update', {'id': task['id'], 'version': task['version'],
                                  'ratio_a_bp': 1000}, token=sup)
    assert task['ratio_a_bp'] == 1000
    # narrowing A below the task's 10 % is refused, naming the task; nothing changes
    plan = d.rpc('plans.get', {'id': plan['id']}, token=sup)
    e = expect_error(-32010, d.rpc, 'plans.set_ratios',
                     {'id': plan['id'], 'version': plan['version'],
                      'ratios': [{'risk_class': 'A', 'min_bp': 0, 'max_bp': 500,
                                  'default_bp': 500}]}, token=sup)
    assert fields(e) == {'ratios.0': 'tasks_outside'} and '专项检查' in e.data['fields'][0]['message']
    assert table(d.rpc('ratios.list', {'plan_id': plan['id']}, token=sup))['A'] == (0, 1000, 800)
    # bad rows: the field names the row
    e = expect_error(-32010, d.rpc, 'plans.set_ratios',
                     {'id': plan['id'], 'version': plan['version'],
                      'ratios': [{'risk_class': 'E', 'min_bp': 0, 'max_bp': 1, 'default_bp': 0},
                                 {'risk_class': 'B', 'min_bp': 3000, 'max_bp': 2000,
                                  'default_bp': 2500}]}, token=sup)
    assert fields(e) == {'ratios.0': 'risk_class', 'ratios.1': 'range'}
    # another unit, a stale version, a submitted plan
    expect_error(-32003, d.rpc, 'plans.set_ratios', {'id': plan['id'], 'version': plan['version'],
                                                     'ratios': []}, token=t['sup_qx'])
    expect_error(-32009, d.rpc, 'plans.set_ratios', {'id': plan['id'], 'version': 1,
                                                     'ratios': []}, token=sup)
    plan = d.rpc('plans.submit', {'id': plan['id'], 'version': plan['version']}, token=sup)
    expect_error(-32011, d.rpc, 'plans.set_ratios', {'id': plan['id'], 'version': plan['version'],
                                                     'ratios': []}, token=sup)
    # the plan's rows are part of what is published, and a change of them shows in compare
    plan = d.rpc('plans.approve', {'id': plan['id'], 'version': plan['version']},
                 token=t['admin'])
    plan = d.rpc('plans.publish', {'id': plan['id'], 'version': plan['version']}, token=sup)
    first = d.rpc('plans.get', {'id': plan['id'], 'revision': 1}, token=sup)
    assert first['content']['plan']['ratios'] == {
        'A': {'min_bp': 0, 'max_bp': 1000, 'default_bp': 800},
        'D': {'min_bp': 8000, 'max_bp': 10000, 'default_bp': 9000}}, first['content']['plan']
    change = d.rpc('plans.request_change', {'id': plan['id'], 'what': '降低D类比例',
                                            'why': '专项结束'}, token=sup)
    d.rpc('plans.approve_change', {'change_id': change['id']}, token=t['admin'])
    plan = d.rpc('plans.get', {'id': plan['id']}, token=sup)
    d.rpc('plans.set_ratios', {'id': plan['id'], 'version': plan['version'],
                               'ratios': [{'risk_class': 'A', 'min_bp': 0, 'max_bp': 1000,
                                           'default_bp': 800}]}, token=sup)
    plan = d.rpc('plans.get', {'id': plan['id']}, token=sup)
    d.rpc('plans.publish', {'id': plan['id'], 'version': plan['version']}, token=sup)
    diff = d.rpc('plans.compare', {'id': plan['id'], 'from_version': 1, 'to_version': 2},
                 token=sup)
    assert 'D' in diff['plan']['before']['ratios'] and 'D' not in diff['plan']['after']['ratios']
    rows = db.psql("select count (*) from audit_log where area = 'plans'"
                   " and method = 'plans.set_ratios'")
    assert rows.strip() == '2'


def test_city_table_by_admin_only():
    db, d, t, units = env()
    row = next(r for r in d.rpc('ratios.list', {}, token=t['admin'])['items']
               if r['risk_class'] == 'B')
    version = row['city']['version']
    expect_error(-32003, d.rpc, 'ratios.update', {'risk_class': 'B', 'version': version,
                                                  'max_bp': 3000}, token=t['sup_ca'])
    e = expect_error(-32010, d.rpc, 'ratios.update', {'risk_class': 'B', 'version': version,
                                                      'default_bp': 4000}, token=t['admin'])
    assert fields(e) == {'min_bp': 'range'}
    out = d.rpc('ratios.update', {'risk_class': 'B', 'version': version, 'max_bp': 3000,
                                  'frequency': '每年 1–2 次'}, token=t['admin'])
    b = next(r for r in out['items'] if r['risk_class'] == 'B')
    assert (b['min_bp'], b['max_bp'], b['frequency']) == (500, 3000, '每年 1–2 次')
    expect_error(-32009, d.rpc, 'ratios.update', {'risk_class': 'B', 'version': version,
                                                  'max_bp': 2500}, token=t['admin'])
    # a draft task using the city's B row at 25 % keeps the city from going back under it
    sup = t['sup_qx']
    plan = d.rpc('plans.create', {'year': 2032, 'title': '2032 年度计划'}, token=sup)
    item = suitest.claim_item(d, sup, 'YC-01')
    d.rpc('tasks.create', {'plan_id': plan['id'], 'name': '常规检查', 'ratio_b_bp': 2500,
                           'items': [{'item_id': item, 'method': 'data_sharing'}]}, token=sup)
    e = expect_error(-32010, d.rpc, 'ratios.update', {'risk_class': 'B',
                                                      'version': version + 1,
                                                      'max_bp': 2000}, token=t['admin'])
    assert fields(e) == {'min_bp': 'tasks_outside'} and '常规检查' in e.message + str(e.data)
    audit = db.psql("select before ->> 'max_bp', after ->> 'max_bp' from audit_log"
                    " where area = 'ratios' and record_id = 'B'")
    assert audit.strip() == '2000|3000'


suitest.run(globals())
