# SPDX-License-Identifier: GPL-3.0-or-later
"""The object draw: `shuangsuid --verify-draw`, tasks.preview / make_ready, draws.run, verify,
export (re-run by tests/draw_reference.py), tampering found by draws.verify, a void and a
redraw that keep both records, failed runs in the audit log, roles and wrong states.
"""

import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                                'tests', 'lib'))
import suitest  # noqa: E402
from drawref import same_as_jsonb_record  # noqa: E402
from suitest import expect_error  # noqa: E402

PASSWORD = 'Draws@2026'
DAEMON = os.path.join(suitest.BUILD_ROOT, 'server', 'shuangsuid')
REFERENCE = os.path.join(suitest.SOURCE_ROOT, 'tests', 'draw_reference.py')
_shared = {}


def worked_example():
    """The record of docs/draw-algorithm.md, taken from the document itself."""
    with open(os.path.join(suitest.SOURCE_ROOT, 'docs', 'draw-algorithm.md'),
              encoding='utf-8') as f:
        text = f.read()
    block = re.search(r'```json\n(.*?)```', text, re.S).group(1)
    return json.loads(block)


def verify_cli(record):
    with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False,
                                     encoding='utf-8') as f:
        json.dump(record, f, ensure_ascii=False)
    try:
        return subprocess.run([DAEMON, '--verify-draw', f.name], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=60)
    finally:
        os.unlink(f.name)


def reference(record):
    with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False,
                                     encoding='utf-8') as f:
        json.dump(record, f, ensure_ascii=False)
    try:
        return subprocess.run(['/usr/bin/python3', REFERENCE, f.name], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=60)
    finally:
        os.unlink(f.name)


def env():
    """Two direct units with a supervisor each, an inspector, 60 objects in unit 1 over the
    four risk classes (some retired, closed or under key supervision), 5 in unit 2."""
    if 'd' not in _shared:
        db, d = suitest.fresh()
        admin = d.login(suitest.ADMIN_LOGIN, suitest.ADMIN_PASSWORD)
        units = {}
        for code in ('xinhua', 'yuhua'):
            units[code] = d.rpc('units.create', {'name': code + '区烟草专卖局', 'code': code,
                                                 'kind': 'direct'}, token=admin)['id']
        tokens = {'admin': admin}
        for login, role, unit in (('sup_xh', 'supervisor', 'xinhua'),
                                  ('sup_yh', 'supervisor', 'yuhua'),
                                  ('insp_xh', 'inspector', 'xinhua')):
            d.rpc('users.create', {'login': login, 'name': '测试' + login, 'role': role,
                                   'unit_id': units[unit], 'password': PASSWORD}, token=admin)
            tokens[login] = d.login(login, PASSWORD)
        db.psql("""
            insert into object (type, licence_no, name, unit_id, district, risk_class,
                                key_supervision, key_supervision_reason, status)
            select 'retail', lpad ((130100000000 + g)::text, 12, '0'), '新华便利店' || g, %d,
                   '新华区', (array['A','B','C','D'])[1 + g %% 4],
                   g %% 20 = 0, case when g %% 20 = 0 then '案件关联' end,
                   case when g %% 17 = 0 then 'suspended' else 'open' end
              from generate_series (1, 60) g;
            update object set retired = true, retired_at = now (), retired_reason = '迁址'
             where licence_no = '130100000059';
            insert into object (type, licence_no, name, unit_id, district, risk_class)
            select 'retail', (130200000000 + g)::text, '裕华便利店' || g, %d, '裕华区', 'B'
              from generate_series (1, 5) g;
        """ % (units['xinhua'], units['yuhua']))
        _shared.update(db=db, d=d, units=units, tokens=tokens)
    return _shared['db'], _shared['d'], _shared['tokens'], _shared['units']



def published_task(year, sup='sup_xh', **task_fields):
    """A plan for `year` with one task, submitted, approved and published; returns the task."""
    db, d, t, units = env()
    plan = d.rpc('plans.create', {'year': year, 'title': '%d 年度随机抽查计划' % year},
                 token=t[sup])
    # two key items (重点检查事项): no cap on the ratios below
    items = [{'item_id': suitest.claim_item(d, t[sup], 'YC-01'), 'method': 'data_sharing'},
             {'item_id': suitest.claim_item(d, t[sup], 'DZY-02'), 'method': 'online'}]
    fields = {'plan_id': plan['id'], 'name': '卷烟零售户持证经营检查',
              'items': items, 'window_start': '%d-03-01' % year,
              'window_end': '%d-05-31' % year, 'deadline': '%d-06-30' % year,
              'ratio_a_bp': 500, 'ratio_b_bp': 2000, 'ratio_c_bp': 3000, 'ratio_d_bp': 10000}
    fields.update(task_fields)
    task = d.rpc('tasks.create', fields, token=t[sup])
    plan = d.rpc('plans.submit', {'id': plan['id'], 'version': plan['version']}, token=t[sup])
    plan = d.rpc('plans.approve', {'id': plan['id'], 'version': plan['version']},
                 token=t['admin'])
    d.rpc('plans.publish', {'id': plan['id'], 'version': plan['version']}, token=t[sup])
    return d.rpc('tasks.get', {'id': task['id']}, token=t[sup])


def ready_task(year, **fields):
    db, d, t, units = env()
    task = published_task(year, **fields)
    return d.rpc('tasks.make_ready', {'id': task['id'], 'version': task['version']},
                 token=t['sup_xh'])


# ---- --verify-draw ------------------------------------------------------------------------

def test_verify_draw_cli_worked_example():
    record = worked_example()
    p = verify_cli(record)
    assert p.returncode == 0, p.stdout + p.stderr
    assert '核验通过' in p.stdout and record['commitment'] in p.stdout, p.stdout


def test_verify_draw_cli_tampered():
    record = worked_example()
    record['strata'][0]['drawn'] = ['42', '250']
    p = verify_cli(record)
    assert p.returncode == 1, p.stdout
    assert '核验未通过' in p.stdout and '第 7 项' in p.stdout and '250' in p.stdout, p.stdout

    record = worked_example()
    record['secret'] = '00' * 32
    p = verify_cli(record)
    assert p.returncode == 1 and '承诺值' in p.stdout, p.stdout

    record = worked_example()
    record['algorithm'] = 'shuangsui-draw/9'
    p = verify_cli(record)
    assert p.returncode == 1 and '第 1 项' in p.stdout, p.stdout

    p = subprocess.run([DAEMON, '--verify-draw', '/nonexistent/record.json'],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
    assert p.returncode == 1 and '无法读取' in p.stdout, p.stdout


# ---- preview, make_ready, run, verify, export --------------------------------------------

def test_preview_counts_strata_without_key_supervision():
    db, d, t, units = env()
    task = published_task(2031)
    preview = d.rpc('tasks.preview', {'id': task['id']}, token=t['sup_xh'])
    by = {s['name']: s for s in preview['strata']}
    assert [s['name'] for s in preview['strata']] == ['A', 'B', 'C', 'D']
    # 60 objects; 3 under key supervision (20, 40, 60), 3 suspended (17, 34, 51), 1 retired (59)
    want = db.psql("""select o.risk_class, count (*) from object o
                       where o.unit_id = %d and not o.key_supervision and o.status = 'open'
                         and not o.retired group by 1 order by 1""" % units['xinhua'])
    want = dict(line.split('|') for line in want.split())
    for c in 'ABCD':
        assert by[c]['n'] == int(want.get(c, 0)), (c, by[c], want)
        assert by[c]['k'] == (by[c]['n'] * by[c]['ratio_bp'] + 9999) // 10000
    assert preview['excluded_key_supervision'] == 3
    assert preview['n'] == sum(int(v) for v in want.values())


def preview_expected(db, unit, where, ratios):
    """n and k per class from SQL: the unit's drawable objects matching `where`."""
    rows = db.psql("""select o.risk_class, count (*) from object o
                       where o.unit_id = %d and not o.key_supervision and o.status = 'open'
                         and not o.retired and (%s) group by 1 order by 1""" % (unit, where))
    n = dict((c, int(v)) for c, v in (line.split('|') for line in rows.split()))
    return {c: (n.get(c, 0), (n.get(c, 0) * ratios[c] + 9999) // 10000) for c in 'ABCD'}


def writes_snapshot(db):
    return db.psql("""select (select count (*) from task), (select max (version) from task),
                             (select count (*) from draw), (select count (*) from audit_log),
                             (select md5 (string_agg (t::text, ',' order by id)) from task t)""")


def test_preview_of_unsaved_values_writes_nothing():
    db, d, t, units = env()
    task = published_task(2042)
    stored = d.rpc('tasks.preview', {'id': task['id']}, token=t['sup_xh'])
    before = writes_snapshot(db)

    # the draft on screen: a narrower scope and other ratios, counted for the draft
    draft = {'scope': {'or': [{'risk_class': ['A', 'C']}, {'text': '新华便利店1'}]},
             'ratio_a_bp': 300, 'ratio_c_bp': 5000, 'ratio_d_bp': 6500}
    preview = d.rpc('tasks.preview', dict(draft, id=task['id']), token=t['sup_xh'])
    ratios = {'A': 300, 'B': task['ratio_b_bp'], 'C': 5000, 'D': 6500}
    want = preview_expected(db, units['xinhua'],
                            "o.risk_class in ('A', 'C') or o.name like '%%新华便利店1%%'",
                            ratios)
    got = {s['name']: (s['n'], s['k']) for s in preview['strata']}
    assert got == want, (got, want)
    assert {s['name']: s['ratio_bp'] for s in preview['strata']} == ratios
    assert preview['task_id'] == task['id'] and preview['plan_id'] == task['plan_id']
    assert preview['n'] == sum(v[0] for v in want.values()) < stored['n']
    assert preview['k'] == sum(v[1] for v in want.values())
    # the stored task is as it was, and the preview of it too
    assert writes_snapshot(db) == before
    assert d.rpc('tasks.preview', {'id': task['id']}, token=t['sup_xh']) == stored

    # a new task of the plan, never saved: the plan's defaults under the draft's scope
    preview = d.rpc('tasks.preview', {'plan_id': task['plan_id'],
                                      'scope': {'risk_class': 'D'}}, token=t['sup_xh'])
    assert preview['task_id'] is None
    by = {s['name']: s for s in preview['strata']}
    assert (by['A']['n'], by['B']['n'], by['C']['n']) == (0, 0, 0)
    assert by['D']['n'] == preview_expected(db, units['xinhua'], "o.risk_class = 'D'",
                                            {c: 0 for c in 'ABCD'})['D'][0] > 0
    assert [s['ratio_bp'] for s in preview['strata']] == [500, 1000, 3000, 6100]
    # no task and no plan: the caller's own unit under the city's table
    mine = d.rpc('tasks.preview', {'scope': {'risk_class': 'D'}}, token=t['sup_yh'])
    assert mine['n'] == 0 and mine['plan_id'] is None
    mine = d.rpc('tasks.preview', {}, token=t['sup_yh'])
    assert mine['n'] == 5 and [s['n'] for s in mine['strata']] == [0, 5, 0, 0]

    # the clean exclusion period before the window leaves out the objects checked recently
    # with no problem found (result 1), not the one whose check found a problem (A)
    db.psql("update object set last_check_date = '2041-12-01', last_check_result = '1'"
            " where unit_id = %d and licence_no in ('130100000001', '130100000002');"
            " update object set last_check_date = '2041-12-01', last_check_result = 'A'"
            " where unit_id = %d and licence_no = '130100000003'"
            % (units['xinhua'], units['xinhua']))
    try:
        recent = d.rpc('tasks.preview', {'id': task['id'], 'clean_exclusion_months': 6},
                       token=t['sup_xh'])
        none = d.rpc('tasks.preview', {'id': task['id'], 'clean_exclusion_months': 0},
                     token=t['sup_xh'])
        assert recent['excluded_clean'] == 2 and none['excluded_clean'] == 0
        assert recent['excluded_recent'] == 0 and none['excluded_recent'] == 0
        assert recent['n'] == none['n'] - 2
        later = d.rpc('tasks.preview', {'id': task['id'], 'clean_exclusion_months': 6,
                                        'window_start': '2042-07-01'}, token=t['sup_xh'])
        assert later['excluded_clean'] == 0
    finally:
        db.psql("update object set last_check_date = null, last_check_result = null"
                " where unit_id = %d" % units['xinhua'])

    # an invalid draft: -32010 naming the fields, nothing counted, nothing written
    e = expect_error(-32010, d.rpc, 'tasks.preview',
                     {'id': task['id'], 'ratio_b_bp': 5000, 'exclusion_months': 121,
                      'clean_exclusion_months': -1,
                      'scope': {'colour': 'red'}, 'window_start': '2042-02-30'},
                     token=t['sup_xh'])
    fields = {f['field']: f for f in e.data['fields']}
    assert set(fields) == {'ratio_b_bp', 'exclusion_months', 'clean_exclusion_months', 'scope',
                           'window_start'}, fields
    assert 'B' in fields['ratio_b_bp']['message']
    assert all(re.search(r'[\u4e00-\u9fff]', f['message']) for f in fields.values())
    e = expect_error(-32010, d.rpc, 'tasks.preview',
                     {'plan_id': task['plan_id'], 'ratio_a_bp': 900}, token=t['sup_xh'])
    assert [f['field'] for f in e.data['fields']] == ['ratio_a_bp']
    assert writes_snapshot(db) == before

    # another unit's task or plan stays out of reach
    expect_error(-32003, d.rpc, 'tasks.preview', {'id': task['id'], 'ratio_a_bp': 300},
                 token=t['sup_yh'])
    expect_error(-32003, d.rpc, 'tasks.preview', {'plan_id': task['plan_id']},
                 token=t['sup_yh'])


def test_make_ready_run_verify_export():
    db, d, t, units = env()
    task = ready_task(2032, scope={'district': '新华区'})
    assert task['state'] == 'ready'
    draw = task['draw']
    assert draw['state'] == 'committed' and draw['secret'] is None
    assert re.fullmatch(r'[0-9a-f]{64}', draw['commitment'])
    # the secret never leaves the database before the run
    assert db.psql("select secret is null from draw_public where id = %d" % draw['id']).strip() \
        == 't'
    expect_error(-32011, d.rpc, 'draws.export', {'id': draw['id']}, token=t['sup_xh'])
    expect_error(-32011, d.rpc, 'draws.verify', {'id': draw['id']}, token=t['sup_xh'])
    got = d.rpc('draws.get', {'id': draw['id']}, token=t['sup_xh'])
    assert got['secret'] is None and all(s['drawn'] is None for s in got['strata'])

    record = d.rpc('draws.run', {'task_id': task['id'], 'entropy': [' 3917', '0528 ']},
                   token=t['sup_xh'])
    assert record['commitment'] == draw['commitment']
    assert record['candidate_hash'] == draw['candidate_hash']
    assert hashlib.sha256(bytes.fromhex(record['secret'])).hexdigest() == record['commitment']
    assert record['state'] == 'run' and record['run_by'] is not None
    assert sum(st['k'] for st in record['strata']) == record['drawn_count']
    after = d.rpc('tasks.get', {'id': task['id']}, token=t['sup_xh'])
    assert after['state'] == 'objects_drawn'
    # the summary the draw window shows names who ran it
    assert after['draw']['run_by_name'] == '测试sup_xh', after['draw']

    v = d.rpc('draws.verify', {'id': draw['id']}, token=t['admin'])
    assert v['ok'] is True and v['step'] is None, v
    assert v['published']['commitment'] == draw['commitment']

    exported = d.rpc('draws.export', {'id': draw['id']}, token=t['sup_xh'])
    assert exported['result_hash'] == record['result_hash']
    # the daemon builds the record itself: the same members in the same order as jsonb gave
    assert same_as_jsonb_record(db, exported, draw['id'])
    assert exported['run_by_name'] == '测试sup_xh'
    # the reference re-implementation agrees, and so does --verify-draw
    p = reference(exported)
    assert p.returncode == 0 and 'matches' in p.stdout, p.stdout + p.stderr
    p = verify_cli(exported)
    assert p.returncode == 0, p.stdout
    # and the draw is what the reference computes from the record's inputs
    sys.path.insert(0, os.path.dirname(REFERENCE))
    code = open(REFERENCE, encoding='utf-8').read().split('\nif len(sys.argv)')[0]
    ns = {}
    exec(compile(code, REFERENCE, 'exec'), ns)
    strata = {s['name']: (s.get('ratio_bp'), None, s['candidates']) for s in exported['strata']}
    ref = ns['draw'](exported['secret'], exported['entropy'], strata)
    assert ref['drawn'] == {s['name']: s['drawn'] for s in exported['strata']}
    assert ref['result_hash'] == exported['result_hash']
    # D at 100 %: every candidate of D drawn
    dst = [s for s in exported['strata'] if s['name'] == 'D'][0]
    assert dst['k'] == dst['n'] and sorted(dst['drawn']) == sorted(dst['candidates'])
    # key-supervision objects were never candidates
    keys = set(db.psql("select id from object where key_supervision").split())
    assert not keys & {i for s in exported['strata'] for i in s['candidates']}

    # a second run is refused
    expect_error(-32011, d.rpc, 'draws.run', {'task_id': task['id'], 'entropy': ['1']},
                 token=t['sup_xh'])
    _shared['run_draw'] = draw['id']
    _shared['run_task'] = task['id']


def test_tampered_rows_fail_verification():
    db, d, t, units = env()
    draw_id = _shared['run_draw']
    # the schema refuses changes to a run draw ...
    try:
        db.psql("update draw_stratum set drawn = drawn where draw_id = %d" % draw_id)
        raise AssertionError('a run draw stratum could be updated')
    except RuntimeError as e:
        assert 'cannot change' in str(e)
    # ... so whoever tampers must bypass the triggers; verify still finds it
    changed = db.psql("""set session_replication_role = replica;
               update draw_stratum
                  set drawn = array[(select c from unnest (candidates) c
                                      where c <> all (drawn) order by c limit 1)] || drawn[2:]
                where draw_id = %d and name = (select name from draw_stratum
                                                where draw_id = %d and k > 0 and k < n
                                                order by name limit 1)
               returning name""" % (draw_id, draw_id)).split()
    assert len(changed) == 1, changed
    v = d.rpc('draws.verify', {'id': draw_id}, token=t['sup_xh'])
    assert v['ok'] is False and v['step'] == 'result', v
    assert re.search(r'[\u4e00-\u9fff]', v['problem'])
    # a consistent forgery (new secret, commitment, seed, result) is caught by the
    # commitment published at make_ready
    secret = '11' * 32
    db.psql("""set session_replication_role = replica;
               update draw set secret = decode ('%s', 'hex'),
                               commitment = sha256 (decode ('%s', 'hex')) where id = %d"""
            % (secret, secret, draw_id))
    v = d.rpc('draws.verify', {'id': draw_id}, token=t['sup_xh'])
    assert v['ok'] is False and v['step'] in ('seed', 'result', 'published_commitment'), v


def test_failed_run_is_audited_and_leaves_nothing():
    db, d, t, units = env()
    task = ready_task(2033)
    before = db.psql("select count (*) from audit_log where area = 'draws'").strip()
    e = expect_error(-32010, d.rpc, 'draws.run', {'task_id': task['id'], 'entropy': ['  ', '7']},
                     token=t['sup_xh'])
    assert e.data['fields'][0]['field'] == 'entropy'
    after = db.psql("select count (*) from audit_log where area = 'draws'").strip()
    assert int(after) == int(before) + 1
    row = json.loads(db.psql("select after from audit_log where area = 'draws'"
                             " order by seq desc limit 1"))
    assert row['event'] == 'run_failed' and row['task_id'] == task['id'], row
    assert db.psql("select state from draw where id = %d" % task['draw']['id']).strip() == \
        'committed'
    assert d.rpc('tasks.get', {'id': task['id']}, token=t['sup_xh'])['state'] == 'ready'
    ok = d.rpc('audit.verify', token=t['admin'])
    assert ok['ok'], ok
    # wrong type is -32602, not audited
    expect_error(-32602, d.rpc, 'draws.run', {'task_id': task['id'], 'entropy': '3917'},
                 token=t['sup_xh'])


def test_void_and_redraw_keep_both_records():
    db, d, t, units = env()
    task = ready_task(2034)
    first = d.rpc('draws.run', {'task_id': task['id'], 'entropy': ['12345']}, token=t['sup_xh'])
    first_id = first['id']
    expect_error(-32011, d.rpc, 'draws.approve_void', {'id': first_id}, token=t['admin'])
    expect_error(-32010, d.rpc, 'draws.request_void', {'id': first_id, 'reason': '  '},
                 token=t['sup_xh'])
    req = d.rpc('draws.request_void', {'id': first_id, 'reason': '见证人未到场'},
                token=t['sup_xh'])
    assert req['void_reason'] == '见证人未到场' and req['state'] == 'run'
    expect_error(-32011, d.rpc, 'draws.request_void', {'id': first_id, 'reason': '再次'},
                 token=t['sup_xh'])
    expect_error(-32003, d.rpc, 'draws.approve_void', {'id': first_id}, token=t['sup_xh'])
    done = d.rpc('draws.approve_void', {'id': first_id}, token=t['admin'])
    assert done['voided']['state'] == 'voided' and done['voided']['secret'] == first['secret']
    nxt = done['next']
    assert nxt['state'] == 'committed' and nxt['replaces'] == first_id
    assert nxt['commitment'] != first['commitment'] and nxt['secret'] is None
    assert nxt['candidate_hash'] == first['candidate_hash']
    assert d.rpc('tasks.get', {'id': task['id']}, token=t['sup_xh'])['state'] == 'ready'

    second = d.rpc('draws.run', {'task_id': task['id'], 'entropy': ['12345']}, token=t['sup_xh'])
    assert second['secret'] != first['secret']
    listed = d.rpc('draws.list', {'task_id': task['id']}, token=t['sup_xh'])['items']
    assert [x['state'] for x in listed] == ['voided', 'run']
    assert d.rpc('draws.verify', {'id': first_id}, token=t['admin'])['ok']
    assert d.rpc('draws.verify', {'id': second['id']}, token=t['admin'])['ok']
    # both records export as PostgreSQL built them, the void's members filled in or not
    for draw_id in (first_id, second['id']):
        assert same_as_jsonb_record(db, d.rpc('draws.export', {'id': draw_id},
                                              token=t['sup_xh']), draw_id)
    second_record = d.rpc('draws.export', {'id': second['id']}, token=t['sup_xh'])
    assert second_record['replaces'] == first_id
    assert d.rpc('draws.export', {'id': first_id}, token=t['sup_xh'])['void_reason'] \
        == '见证人未到场'
    # a voided draw stays voided
    try:
        db.psql("update draw set state = 'run' where id = %d" % first_id)
        raise AssertionError('a voided draw came back')
    except RuntimeError as e:
        assert 'voided' in str(e)
    events = db.psql("select after ->> 'event' from audit_log where area = 'draws'"
                     " and record_id in ('%d', '%d') order by seq" % (first_id, nxt['id'])).split()
    assert events == ['committed', 'run', 'void_requested', 'voided', 'committed', 'run'], events


def test_reject_void():
    db, d, t, units = env()
    task = ready_task(2035)
    rec = d.rpc('draws.run', {'task_id': task['id'], 'entropy': ['8']}, token=t['sup_xh'])
    d.rpc('draws.request_void', {'id': rec['id'], 'reason': '误操作'}, token=t['sup_xh'])
    got = d.rpc('draws.reject_void', {'id': rec['id'], 'reason': '理由不充分'},
                token=t['admin'])
    assert got['state'] == 'run' and got['void_reason'] is None
    expect_error(-32011, d.rpc, 'draws.approve_void', {'id': rec['id']}, token=t['admin'])


# ---- states and roles --------------------------------------------------------------------

def test_wrong_states():
    db, d, t, units = env()
    plan = d.rpc('plans.create', {'year': 2036, 'title': '状态测试'}, token=t['sup_xh'])
    task = d.rpc('tasks.create', {'plan_id': plan['id'], 'name': '未发布的任务',
                                  'window_start': '2036-01-01', 'window_end': '2036-02-01'},
                 token=t['sup_xh'])
    e = expect_error(-32011, d.rpc, 'tasks.make_ready', {'id': task['id'],
                                                         'version': task['version']},
                     token=t['sup_xh'])
    assert '发布' in e.message
    e = expect_error(-32011, d.rpc, 'draws.run', {'task_id': task['id'], 'entropy': ['1']},
                     token=t['sup_xh'])
    assert '就绪' in e.message
    # no window → cannot be made ready
    task = published_task(2037, window_start=None, window_end=None, deadline=None)
    e = expect_error(-32011, d.rpc, 'tasks.make_ready', {'id': task['id'],
                                                         'version': task['version']},
                     token=t['sup_xh'])
    assert '时间窗口' in e.message
    # a ready task cannot be edited
    task = ready_task(2038)
    expect_error(-32011, d.rpc, 'tasks.update', {'id': task['id'], 'version': task['version'],
                                                 'name': '改名'}, token=t['sup_xh'])
    expect_error(-32011, d.rpc, 'tasks.make_ready', {'id': task['id'],
                                                     'version': task['version']},
                 token=t['sup_xh'])


def test_unit_scoping_and_roles():
    db, d, t, units = env()
    task = ready_task(2039)
    for method, params in (('tasks.get', {'id': task['id']}),
                           ('tasks.preview', {'id': task['id']}),
                           ('draws.get', {'id': task['draw']['id']}),
                           ('draws.list', {'task_id': task['id']}),
                           ('draws.run', {'task_id': task['id'], 'entropy': ['1']})):
        expect_error(-32003, d.rpc, method, params, token=t['sup_yh'])
    expect_error(-32003, d.rpc, 'draws.run', {'task_id': task['id'], 'entropy': ['1']},
                 token=t['admin'])
    expect_error(-32003, d.rpc, 'draws.get', {'id': task['draw']['id']}, token=t['insp_xh'])
    expect_error(-32004, d.rpc, 'draws.get', {'id': 987654}, token=t['admin'])
    expect_error(-32004, d.rpc, 'draws.run', {'task_id': 987654, 'entropy': ['1']},
                 token=t['sup_xh'])
    listed = d.rpc('tasks.list', {}, token=t['sup_yh'])['items']
    assert all(x['unit_id'] == units['yuhua'] for x in listed)
    assert d.rpc('draws.get', {'id': task['draw']['id']}, token=t['admin'])['id'] == \
        task['draw']['id']


def test_one_live_draw_per_task_in_the_schema():
    db, d, t, units = env()
    task = ready_task(2040)
    try:
        db.psql("""insert into draw (task_id, kind, secret, commitment, candidate_hash,
                                     candidate_count)
                   values (%d, 'objects', decode (repeat ('00', 32), 'hex'),
                           sha256 (decode (repeat ('00', 32), 'hex')),
                           decode (repeat ('00', 32), 'hex'), 0)""" % task['id'])
        raise AssertionError('a second live draw was accepted')
    except RuntimeError as e:
        assert 'draw_live' in str(e), e


# ---- the two exclusions: the same item drawn recently, checked recently with no problem ----

def frozen(db, task_id):
    """The candidates frozen by the live object draw of a task."""
    out = db.psql("select unnest (s.candidates) from draw_stratum s join draw d"
                  " on d.id = s.draw_id where d.task_id = %d and d.kind = 'objects'"
                  " and d.state <> 'voided'" % task_id)
    return {int(x) for x in out.split()}


def test_exclusions_same_item_and_clean():
    db, d, t, units = env()
    unit = d.rpc('units.create', {'name': '桥西区烟草专卖局', 'code': 'qiaoxi', 'kind': 'direct'},
                 token=t['admin'])['id']
    d.rpc('users.create', {'login': 'sup_qx', 'name': '测试桥西', 'role': 'supervisor',
                           'unit_id': unit, 'password': PASSWORD}, token=t['admin'])
    sup = d.login('sup_qx', PASSWORD)
    db.psql("""
        insert into object (type, licence_no, name, unit_id, district, risk_class)
        select 'retail', (130300000000 + g)::text, '桥西便利店' || g, %d, '桥西区', 'D'
          from generate_series (1, 20) g;
        insert into object (type, licence_no, name, unit_id, district, risk_class,
                            last_check_date, last_check_result)
        values ('retail', '130300000101', '桥西近期无问题', %d, '桥西区', 'D', current_date - 30, '1'),
               ('retail', '130300000102', '桥西近期无问题文字', %d, '桥西区', 'D', current_date - 60,
                '未发现问题'),
               ('retail', '130300000103', '桥西近期有问题', %d, '桥西区', 'D', current_date - 30, 'A'),
               ('retail', '130300000104', '桥西早年无问题', %d, '桥西区', 'D', current_date - 800, '1');
    """ % (unit, unit, unit, unit, unit))
    ids = {r.split('|')[0]: int(r.split('|')[1]) for r in db.psql(
        "select licence_no, id from object where unit_id = %d" % unit).split()}
    clean = {ids['130300000101'], ids['130300000102']}
    everything = set(ids.values())
    year = int(db.psql("select extract (year from current_date + 40)::int").strip())
    start = db.psql("select (current_date + 40)::text").strip()
    end = db.psql("select (current_date + 70)::text").strip()
    x = suitest.claim_item(d, sup, 'YC-01')
    y = suitest.claim_item(d, sup, 'DZY-02')
    plan = d.rpc('plans.create', {'year': year, 'title': '%d 年度桥西抽查计划' % year}, token=sup)
    tasks = {}
    for name, item, extra in (('first', x, {}), ('same', x, {}), ('other', y, {}),
                              ('off', x, {'exclusion_months': 0, 'clean_exclusion_months': 0})):
        fields = {'plan_id': plan['id'], 'name': '桥西任务' + name,
                  'items': [{'item_id': item, 'method': 'online'}],
                  'window_start': start, 'window_end': end, 'ratio_d_bp': 6100}
        fields.update(extra)
        tasks[name] = d.rpc('tasks.create', fields, token=sup)
    assert tasks['first']['clean_exclusion_months'] == 12
    assert tasks['first']['exclusion_months'] == 12
    assert tasks['off']['clean_exclusion_months'] == 0
    listed = {x['id']: x for x in d.rpc('tasks.list', {'plan_id': plan['id']}, token=sup)['items']}
    assert listed[tasks['off']['id']]['clean_exclusion_months'] == 0
    # the field is checked as exclusion_months is
    e = expect_error(-32010, d.rpc, 'tasks.update',
                     {'id': tasks['off']['id'], 'version': tasks['off']['version'],
                      'clean_exclusion_months': 121}, token=sup)
    assert [f['field'] for f in e.data['fields']] == ['clean_exclusion_months']
    assert '近期无问题' in e.data['fields'][0]['message']
    updated = d.rpc('tasks.update', {'id': tasks['off']['id'], 'version': tasks['off']['version'],
                                     'clean_exclusion_months': 3}, token=sup)
    assert updated['clean_exclusion_months'] == 3
    updated = d.rpc('tasks.update', {'id': updated['id'], 'version': updated['version'],
                                     'clean_exclusion_months': 0}, token=sup)
    assert d.rpc('tasks.get', {'id': updated['id']}, token=sup)['clean_exclusion_months'] == 0

    # rule 2: recent + 1 and recent + 未发现问题 left out; recent + A and old + 1 kept
    p = d.rpc('tasks.preview', {'id': tasks['first']['id']}, token=sup)
    assert p['excluded_clean'] == 2 and p['excluded_recent'] == 0 and p['n'] == 22, p
    assert [s['excluded_clean'] for s in p['strata']] == [0, 0, 0, 2]
    assert d.rpc('tasks.preview', {'id': tasks['first']['id'], 'clean_exclusion_months': 0},
                 token=sup)['excluded_clean'] == 0

    plan = d.rpc('plans.submit', {'id': plan['id'], 'version': plan['version']}, token=sup)
    plan = d.rpc('plans.approve', {'id': plan['id'], 'version': plan['version']},
                 token=t['admin'])
    d.rpc('plans.publish', {'id': plan['id'], 'version': plan['version']}, token=sup)

    first = d.rpc('tasks.get', {'id': tasks['first']['id']}, token=sup)
    d.rpc('tasks.make_ready', {'id': first['id'], 'version': first['version']}, token=sup)
    assert frozen(db, first['id']) == everything - clean
    d.rpc('draws.run', {'task_id': first['id'], 'entropy': ['2718']}, token=sup)
    drawn = {int(v) for v in db.psql(
        "select unnest (s.drawn) from draw_stratum s join draw d on d.id = s.draw_id"
        " where d.task_id = %d and d.kind = 'objects' and d.state = 'run'" % first['id']).split()}
    assert 0 < len(drawn) < 22 and drawn <= everything - clean

    # rule 1: the same item leaves out what the first task drew; another item does not
    same = d.rpc('tasks.preview', {'id': tasks['same']['id']}, token=sup)
    assert same['excluded_recent'] == len(drawn) and same['excluded_clean'] == 2
    assert same['n'] == 22 - len(drawn)
    other = d.rpc('tasks.preview', {'id': tasks['other']['id']}, token=sup)
    assert other['excluded_recent'] == 0 and other['n'] == 22
    # a draft with item X on the other task counts as the same item
    draft = d.rpc('tasks.preview', {'id': tasks['other']['id'],
                                    'items': [{'item_id': x, 'method': 'online'}]}, token=sup)
    assert draft['excluded_recent'] == len(drawn)
    # 0 turns the rule off; a window more than N months after the run too
    assert d.rpc('tasks.preview', {'id': tasks['same']['id'], 'exclusion_months': 0},
                 token=sup)['excluded_recent'] == 0
    far = db.psql("select (current_date + interval '14 months')::date::text").strip()
    assert d.rpc('tasks.preview', {'id': tasks['same']['id'], 'window_start': far},
                 token=sup)['excluded_recent'] == 0
    # the first task itself is not excluded by its own draw
    assert d.rpc('tasks.preview', {'id': first['id']}, token=sup)['excluded_recent'] == 0

    for name in ('same', 'other', 'off'):
        task = d.rpc('tasks.get', {'id': tasks[name]['id']}, token=sup)
        d.rpc('tasks.make_ready', {'id': task['id'], 'version': task['version']}, token=sup)
    assert frozen(db, tasks['same']['id']) == everything - clean - drawn
    assert frozen(db, tasks['other']['id']) == everything - clean
    assert frozen(db, tasks['off']['id']) == everything


suitest.run(globals())
