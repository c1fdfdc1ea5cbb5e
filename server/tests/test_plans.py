# SPDX-License-Identifier: GPL-3.0-or-later
"""Annual plans: the workflow draft → submitted → approved → published, rejection, change
requests and revisions, plans.compare, tasks.create / update validation, versions, roles and
unit scoping."""

import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                                'tests', 'lib'))
import suitest  # noqa: E402

PASSWORD = 'Plans@2026'
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
        for login, role, unit in (('sup_ca', 'supervisor', 'changan'),
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
        assert code == -32602 or re.search(r"[\u4e00-\u9fff]", e.message), e.message
        return e
    raise AssertionError('%s as %s: expected error %d, it succeeded' % (method, who, code))


def fields_of(e):
    return {f['field']: f for f in e.data['fields']}


def test_plan_workflow():
    db, d, t, units = env()
    plan = rpc('plans.create', {'year': 2030, 'title': ' 2030 年度随机抽查计划 '}, 'sup_ca')
    assert plan['state'] == 'draft' and plan['revision'] == 0 and plan['editable']
    assert plan['title'] == '2030 年度随机抽查计划' and plan['unit_id'] == units['changan']
    e = expect_error(-32010, 'plans.create', {'year': 2030, 'title': '重复'}, 'sup_ca')
    assert fields_of(e)['year']['code'] == 'taken'
    # nothing to submit yet
    e = expect_error(-32011, 'plans.submit', {'id': plan['id'], 'version': plan['version']},
                     'sup_ca')
    assert '任务' in e.message
    task = rpc('tasks.create', {'plan_id': plan['id'], 'name': '零售户检查'}, 'sup_ca')
    assert (task['ratio_a_bp'], task['ratio_b_bp'], task['ratio_c_bp'], task['ratio_d_bp']) == \
        (500, 1000, 3000, 6100), 'defaults from the risk-class table'
    assert task['inspectors_per_object'] == 2 and task['exclusion_months'] == 12
    # approve or publish a draft: wrong step
    expect_error(-32011, 'plans.approve', {'id': plan['id'], 'version': plan['version']},
                 'admin')
    e = expect_error(-32011, 'plans.publish', {'id': plan['id'], 'version': plan['version']},
                     'sup_ca')
    assert '提交' in e.message
    plan = rpc('plans.submit', {'id': plan['id'], 'version': plan['version']}, 'sup_ca')
    assert plan['state'] == 'submitted' and not plan['editable']
    expect_error(-32011, 'plans.update', {'id': plan['id'], 'version': plan['version'],
                                          'title': '改'}, 'sup_ca')
    expect_error(-32011, 'tasks.create', {'plan_id': plan['id'], 'name': '加一个'}, 'sup_ca')
    # rejected back to draft, with the reason
    expect_error(-32010, 'plans.reject', {'id': plan['id'], 'version': plan['version'],
                                          'reason': ' '}, 'admin')
    plan = rpc('plans.reject', {'id': plan['id'], 'version': plan['version'],
                                'reason': '比例偏低'}, 'admin')
    assert plan['state'] == 'draft' and plan['reject_reason'] == '比例偏低'
    plan = rpc('plans.update', {'id': plan['id'], 'version': plan['version'],
                                'note': '按意见调整'}, 'sup_ca')
    expect_error(-32009, 'plans.update', {'id': plan['id'], 'version': plan['version'] - 1,
                                          'note': 'x'}, 'sup_ca')
    plan = rpc('plans.submit', {'id': plan['id'], 'version': plan['version']}, 'sup_ca')
    plan = rpc('plans.approve', {'id': plan['id'], 'version': plan['version']}, 'admin')
    assert plan['state'] == 'approved'
    plan = rpc('plans.publish', {'id': plan['id'], 'version': plan['version']}, 'admin')
    assert plan['state'] == 'published' and plan['revision'] == 1
    expect_error(-32011, 'plans.publish', {'id': plan['id'], 'version': plan['version']},
                 'sup_ca')
    got = rpc('plans.get', {'id': plan['id']}, 'sup_ca')
    assert [r['revision'] for r in got['revisions']] == [1]
    assert got['tasks'][0]['published_revision'] == 1
    # The task list carries both exclusion rules, as tasks.get does.
    task_now = rpc('tasks.get', {'id': got['tasks'][0]['id']}, 'sup_ca')
    assert got['tasks'][0]['clean_exclusion_months'] == task_now['clean_exclusion_months'] == 12
    assert got['tasks'][0]['exclusion_months'] == task_now['exclusion_months']
    rev = rpc('plans.get', {'id': plan['id'], 'revision': 1}, 'admin')
    assert rev['content']['tasks'][0]['name'] == '零售户检查'
    expect_error(-32004, 'plans.get', {'id': plan['id'], 'revision': 9}, 'admin')
    audit = db.psql("select count (*) from audit_log where area = 'plans' and record_id = '%d'"
                    % plan['id']).strip()
    assert int(audit) == 7, audit   # create, submit, reject, update, submit, approve, publish
    _shared['plan'] = plan
    _shared['task'] = task


def test_change_request_and_compare():
    db, d, t, units = env()
    plan = _shared['plan']
    task = _shared['task']
    expect_error(-32011, 'tasks.update', {'id': task['id'], 'version': task['version'],
                                          'name': '改名'}, 'sup_ca')
    expect_error(-32010, 'plans.request_change', {'id': plan['id'], 'what': '', 'why': ''},
                 'sup_ca')
    change = rpc('plans.request_change', {'id': plan['id'], 'what': '增加电子烟任务，调整比例',
                                          'why': '上级部署电子烟专项'}, 'sup_ca')
    assert change['state'] == 'requested' and change['from_revision'] == 1
    expect_error(-32011, 'plans.request_change', {'id': plan['id'], 'what': '再改',
                                                  'why': '再改'}, 'sup_ca')
    # not yet approved: still not editable
    expect_error(-32011, 'tasks.create', {'plan_id': plan['id'], 'name': '电子烟检查'}, 'sup_ca')
    expect_error(-32003, 'plans.approve_change', {'change_id': change['id']}, 'sup_ca')
    change = rpc('plans.approve_change', {'change_id': change['id'], 'note': '同意'}, 'admin')
    assert change['state'] == 'approved'
    expect_error(-32011, 'plans.approve_change', {'change_id': change['id']}, 'admin')
    task = rpc('tasks.update', {'id': task['id'], 'version': task['version'],
                                'ratio_b_bp': 2000}, 'sup_ca')
    sign = suitest.claim_item(d, t['sup_ca'], 'DZY-01')   # 电子烟“禁止向未成年人销售”标识
    new = rpc('tasks.create', {'plan_id': plan['id'], 'name': '电子烟检查',
                               'items': [{'item_id': sign, 'method': 'video'}]}, 'sup_ca')
    assert [(x['item_id'], x['code'], x['method'], x['method_name']) for x in new['items']] == \
        [(sign, 'DZY-01', 'video', '视频检查')]
    plan = rpc('plans.get', {'id': plan['id']}, 'sup_ca')
    assert plan['state'] == 'published' and plan['editable']
    plan = rpc('plans.publish', {'id': plan['id'], 'version': plan['version']}, 'sup_ca')
    assert plan['revision'] == 2 and plan['open_change'] is None and not plan['editable']
    got = rpc('plans.get', {'id': plan['id']}, 'admin')
    assert [c['state'] for c in got['changes']] == ['published']
    assert got['changes'][0]['to_revision'] == 2
    # revision 1 is still readable as it was
    rev1 = rpc('plans.get', {'id': plan['id'], 'revision': 1}, 'sup_ca')
    assert [x['ratio_b_bp'] for x in rev1['content']['tasks']] == [1000]
    diff = rpc('plans.compare', {'id': plan['id'], 'from_version': 1, 'to_version': 2}, 'admin')
    assert [x['id'] for x in diff['added']] == [new['id']]
    assert diff['removed'] == []
    assert diff['changed'] == [{'id': task['id'], 'name': task['name'],
                                'before': {'ratio_b_bp': 1000}, 'after': {'ratio_b_bp': 2000}}]
    expect_error(-32004, 'plans.compare', {'id': plan['id'], 'from_version': 1,
                                           'to_version': 3}, 'admin')
    # a rejected change leaves the plan as it is
    change = rpc('plans.request_change', {'id': plan['id'], 'what': '删减', 'why': '人手不足'},
                 'sup_ca')
    expect_error(-32010, 'plans.reject_change', {'change_id': change['id'], 'reason': ' '},
                 'admin')
    change = rpc('plans.reject_change', {'change_id': change['id'], 'reason': '不同意'}, 'admin')
    assert change['state'] == 'rejected'
    assert rpc('plans.get', {'id': plan['id']}, 'sup_ca')['editable'] is False


def test_task_validation():
    db, d, t, units = env()
    plan = rpc('plans.create', {'year': 2031, 'title': '校验'}, 'sup_ca')
    e = expect_error(-32010, 'tasks.create', {
        'plan_id': plan['id'], 'name': ' ', 'ratio_a_bp': 900, 'ratio_d_bp': 5000,
        'inspectors_per_object': 1, 'window_start': '2031-05-01', 'window_end': '2031-04-01',
        'deadline': '2031-13-01', 'scope': {'colour': 'red'}, 'items': [0]}, 'sup_ca')
    f = fields_of(e)
    for name in ('name', 'ratio_a_bp', 'ratio_d_bp', 'inspectors_per_object', 'window_end',
                 'deadline', 'scope', 'items'):
        assert name in f, (name, f)
    assert '5.00%' in f['ratio_a_bp']['message']
    expect_error(-32602, 'tasks.create', {'plan_id': plan['id'], 'name': 'x',
                                          'ratio_a_bp': 'five'}, 'sup_ca')
    task = rpc('tasks.create', {'plan_id': plan['id'], 'name': '正常',
                                'scope': {'and': [{'district': '长安区'},
                                                  {'risk_class': ['C', 'D']}]}}, 'sup_ca')
    same = rpc('tasks.update', {'id': task['id'], 'version': task['version'], 'name': '正常'},
               'sup_ca')
    assert same['version'] == task['version'], 'nothing changed, no new version'
    changed = rpc('tasks.update', {'id': task['id'], 'version': task['version'],
                                   'note': '说明', 'window_start': '2031-03-01'}, 'sup_ca')
    assert changed['version'] == task['version'] + 1 and changed['note'] == '说明'
    expect_error(-32009, 'tasks.update', {'id': task['id'], 'version': task['version'],
                                          'name': '旧版本'}, 'sup_ca')


def test_roles_and_scoping():
    db, d, t, units = env()
    plan = _shared['plan']
    expect_error(-32003, 'plans.get', {'id': plan['id']}, 'sup_qx')
    expect_error(-32003, 'plans.request_change', {'id': plan['id'], 'what': 'a', 'why': 'b'},
                 'sup_qx')
    expect_error(-32003, 'tasks.create', {'plan_id': plan['id'], 'name': '越权'}, 'sup_qx')
    expect_error(-32003, 'tasks.get', {'id': _shared['task']['id']}, 'sup_qx')
    expect_error(-32003, 'plans.list', {}, 'insp_ca')
    expect_error(-32003, 'plans.create', {'year': 2032, 'title': 'x'}, 'admin')
    expect_error(-32003, 'plans.approve', {'id': plan['id'], 'version': 1}, 'sup_ca')
    expect_error(-32004, 'plans.get', {'id': 987654}, 'admin')
    mine = rpc('plans.list', {'unit_id': units['changan']}, 'sup_qx')['items']
    assert all(p['unit_id'] == units['qiaoxi'] for p in mine), 'a supervisor sees only their unit'
    everything = rpc('plans.list', {'limit': 1}, 'admin')
    assert len(everything['items']) == 1 and everything['next_after'] is not None
    nxt = rpc('plans.list', {'limit': 1, 'after': everything['next_after']}, 'admin')
    assert nxt['items'][0]['id'] > everything['items'][0]['id']
    by_year = rpc('plans.list', {'year': 2030}, 'admin')['items']
    assert [p['year'] for p in by_year] == [2030]


suitest.run(globals())
