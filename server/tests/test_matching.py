# SPDX-License-Identifier: GPL-3.0-or-later
"""Inspector matching: tasks.match_inspectors over random registers with every assignment
checked against every hard rule, determinism and verification (draws.verify, draws.export,
--verify-draw, a re-implementation in Python), a shortage that names objects and rule and
writes nothing, roles, and the void of a match.
"""

import hashlib
import json
import os
import random
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                                'tests', 'lib'))
import suitest  # noqa: E402
from suitest import expect_error  # noqa: E402
from drawref import reference_match, same_as_jsonb_record  # noqa: E402

PASSWORD = 'Match@2026'
DAEMON = os.path.join(suitest.BUILD_ROOT, 'server', 'shuangsuid')
_shared = {}
_year = [2040]


def env():
    """Two units with a supervisor each, an inspector login, a tag group for inspectors."""
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
        tags = db.psql("""
            insert into tag_group (name, applies_to) values ('专长', 'inspectors');
            insert into tag (group_id, name)
              select currval (pg_get_serial_sequence ('tag_group', 'id')), n
                from unnest (array['电子烟', '批发', '卷烟']) n;
            select id from tag order by id;""").split()
        _shared.update(db=db, d=d, units=units, tokens=tokens, tags=[int(x) for x in tags])
    return _shared['db'], _shared['d'], _shared['tokens'], _shared['units']



def fill_register(rng, n_objects, n_inspectors, unit, prefix):
    """Objects (all open, class by rng) and inspectors with random certificates, duty and
    tags, in `unit`; returns (object ids, inspector ids)."""
    db, d, t, units = env()
    tags = _shared['tags']
    rows = []
    for i in range(n_objects):
        rows.append("('retail', '%s%06d', '店%s%d', %d, '新华区', '%s')"
                    % (prefix, i, prefix, i, unit, rng.choice('ABCD')))
    objs = db.psql("insert into object (type, licence_no, name, unit_id, district, risk_class)"
                   " values %s returning id" % ','.join(rows)).split()
    rows = []
    for i in range(n_inspectors):
        # certificates: most valid for years, some expired, some expiring inside a window
        kind = rng.random()
        if kind < 0.1:
            frm, until = '2020-01-01', '2024-12-31'
        elif kind < 0.2:
            frm, until = '2020-01-01', '%d-04-15' % rng.choice((2040, 2041, 2042, 2043))
        elif kind < 0.25:
            frm, until = '2045-01-01', '2050-01-01'
        else:
            frm, until = '2020-01-01', '2099-12-31'
        status = rng.choices(['on_duty', 'off_duty', 'transferred'], [0.85, 0.1, 0.05])[0]
        have = [tg for tg in tags if rng.random() < 0.7]
        rows.append("('检查员%s%d', %d, 'C%s%05d', '%s', '%s', '%s', '{%s}')"
                    % (prefix, i, unit, prefix, i, frm, until, status,
                       ','.join(map(str, have))))
    insp = db.psql("insert into inspector (name, unit_id, cert_no, cert_valid_from,"
                   " cert_valid_until, status, tag_ids) values %s returning id"
                   % ','.join(rows)).split()
    return [int(x) for x in objs], [int(x) for x in insp]


def drawn_task(unit_code='xinhua', sup='sup_xh', ratio=10000, **rules):
    """A published task of `unit_code` over its whole register at `ratio`, made ready and
    its objects drawn; task rule columns set from `rules` straight in SQL."""
    db, d, t, units = env()
    year = _year[0]
    _year[0] += 1
    plan = d.rpc('plans.create', {'year': year, 'title': '%d 年度随机抽查计划' % year},
                 token=t[sup])
    task = d.rpc('tasks.create', {'plan_id': plan['id'], 'name': '持证经营检查',
                                  'items': [{'item_id': suitest.claim_item(d, t[sup], 'YC-01'),
                                             'method': 'data_sharing'}],
                                  'window_start': '%d-03-01' % year,
                                  'window_end': '%d-05-31' % year,
                                  'deadline': '%d-06-30' % year,
                                  'ratio_a_bp': min(ratio, 500), 'ratio_b_bp': max(ratio, 500)
                                  if ratio <= 2000 else 2000,
                                  'ratio_c_bp': 6000, 'ratio_d_bp': 10000,
                                  'exclusion_months': 0},
                 token=t[sup])
    plan = d.rpc('plans.submit', {'id': plan['id'], 'version': plan['version']}, token=t[sup])
    plan = d.rpc('plans.approve', {'id': plan['id'], 'version': plan['version']},
                 token=t['admin'])
    d.rpc('plans.publish', {'id': plan['id'], 'version': plan['version']}, token=t[sup])
    task = d.rpc('tasks.get', {'id': task['id']}, token=t[sup])
    task = d.rpc('tasks.make_ready', {'id': task['id'], 'version': task['version']},
                 token=t[sup])
    d.rpc('draws.run', {'task_id': task['id'], 'entropy': ['11', '22']}, token=t[sup])
    sets = []
    for col, value in rules.items():
        if isinstance(value, bool):
            sets.append("%s = %s" % (col, 'true' if value else 'false'))
        elif isinstance(value, list):
            sets.append("%s = '{%s}'" % (col, ','.join(map(str, value))))
        else:
            sets.append("%s = %d" % (col, value))
    if sets:
        db.psql("update task set %s where id = %d" % (', '.join(sets), task['id']))
    return d.rpc('tasks.get', {'id': task['id']}, token=t[sup])


def all_assignments(task_id, token):
    db, d, t, units = env()
    out, after = {}, 0
    while True:
        page = d.rpc('tasks.assignments', {'task_id': task_id, 'after': after, 'limit': 1000},
                     token=token)
        for item in page['items']:
            out[item['object_id']] = [x['id'] for x in item['inspectors']]
        if page['next_after'] is None:
            return out
        after = page['next_after']


def check_rules(task_id):
    """Every assignment of the task's live match against every rule, from the database."""
    db, d, t, units = env()
    task = json.loads(db.psql("select row_to_json (t) from task t where id = %d" % task_id))
    got = all_assignments(task_id, t['admin'])
    drawn = set(map(int, db.psql("""select x from draw d join draw_stratum s on s.draw_id = d.id,
                                    unnest (s.drawn) x where d.task_id = %d
                                    and d.kind = 'objects' and d.state = 'run'"""
                                 % task_id).split()))
    assert set(got) == drawn, 'every drawn object has a team'
    insp = {}
    for line in db.psql("""select i.id, i.unit_id, i.cert_valid_from, i.cert_valid_until,
                                  s.assignable, i.tag_ids from inspector i
                             join inspector_status s on s.code = i.status""").split('\n'):
        if line:
            f = line.split('|')
            insp[int(f[0])] = dict(unit=int(f[1]), frm=f[2], until=f[3], duty=f[4] == 't',
                                   tags=set(int(x) for x in f[5].strip('{}').split(',') if x))
    recused = set(tuple(map(int, line.split('|'))) for line in db.psql(
        "select inspector_id, object_id from inspector_recusal where removed_at is null"
    ).split())
    last = dict(tuple(map(int, line.split('|'))) for line in db.psql(
        "select id, last_inspector_id from object where last_inspector_id is not null").split())
    need = set(task['inspector_tag_ids'])
    load = {}
    for obj, team in got.items():
        assert len(team) == task['inspectors_per_object'] == len(set(team)), (obj, team)
        for i in team:
            r = insp[i]
            assert r['unit'] == task['unit_id'], 'rule 7: unit'
            assert r['frm'] <= task['window_start'] and r['until'] >= task['window_end'], \
                'rule 1: certificate'
            assert r['duty'], 'rule 2: on duty'
            assert (i, obj) not in recused, 'rule 3: recusal'
            if task['avoid_last_inspector']:
                assert last.get(obj) != i, 'rule 4: last inspector'
            assert need <= r['tags'], 'rule 5: tags'
            load[i] = load.get(i, 0) + 1
    for i, n in load.items():
        assert n <= task['inspector_task_cap'], 'rule 6: task cap'
    # month cap: this task's load plus the other live tasks touching the month
    other = db.psql("""select a.inspector_id, count (*) from inspector_assignment_live a
                        join task o on o.id = a.task_id
                       where a.task_id <> %d and o.window_start <= '%s' and o.window_end >= '%s'
                       group by 1""" % (task_id, task['window_end'], task['window_start']))
    for line in other.split():
        i, n = map(int, line.split('|'))
        assert load.get(i, 0) + n <= task['inspector_month_cap'] or i not in load
    return got


def export(draw_id):
    db, d, t, units = env()
    return d.rpc('draws.export', {'id': draw_id}, token=t['admin'])


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


# ---- the tests ------------------------------------------------------------------------

def test_matching_worked_example():
    """The record of docs/draw-algorithm.md, "Inspector matching": --verify-draw accepts it,
    the Python walk gives its result, and breaking the capacity changes it."""
    with open(os.path.join(suitest.SOURCE_ROOT, 'docs', 'draw-algorithm.md'),
              encoding='utf-8') as f:
        record = json.loads(re.search(r'```json match\n(.*?)```', f.read(), re.S).group(1))
    p = verify_cli(record)
    assert p.returncode == 0 and '核验通过' in p.stdout, p.stdout
    ref = reference_match(record)
    assert ref['result_hash'] == record['result_hash']
    assert ref['drawn'] == {'11': ['4', '3'], '12': ['2', '3'], '13': ['4', '2']}
    # without the cap on inspector 3, object 13 would get 3 and 4: the record no longer holds
    bad = dict(record, capacity=dict(record['capacity'], **{'3': 3}))
    p = verify_cli(bad)
    assert p.returncode == 1 and '第 7 项' in p.stdout, p.stdout
    # a capacity too small leaves 13 short: refused as a count mismatch
    bad = dict(record, capacity=dict(record['capacity'], **{'2': 1}))
    assert verify_cli(bad).returncode == 1


def test_commitment_published_when_objects_are_drawn():
    db, d, t, units = env()
    fill_register(random.Random(1), 20, 12, units['xinhua'], 'P')
    task = drawn_task()
    row = db.psql("""select encode (commitment, 'hex') from matching_secret
                      where task_id = %d and draw_id is null""" % task['id']).split()
    assert len(row) == 1
    audit = db.psql("""select after ->> 'commitment' from audit_log where area = 'matching'
                        and record_id = '%d' and after ->> 'event' = 'committed'"""
                    % task['id']).split()
    assert audit == row
    _shared['p_task'] = task


def test_property_random_registers():
    db, d, t, units = env()
    for seed in range(6):
        rng = random.Random(100 + seed)
        task = drawn_task(inspectors_per_object=rng.choice((2, 2, 3)),
                          inspector_task_cap=rng.choice((6, 10, 30)),
                          inspector_month_cap=rng.choice((8, 40, 60)),
                          inspector_tag_ids=rng.sample(_shared['tags'], rng.choice((0, 1))),
                          avoid_last_inspector=rng.random() < 0.8)
        objs = [int(x) for x in db.psql(
            """select x from draw d join draw_stratum s on s.draw_id = d.id,
               unnest (s.drawn) x where d.task_id = %d and d.kind = 'objects'""" % task['id']
        ).split()]
        insp = [int(x) for x in db.psql("select id from inspector where unit_id = %d"
                                        % units['xinhua']).split()]
        # recusals and last inspectors on some drawn objects
        for o in rng.sample(objs, min(len(objs), 8)):
            i = rng.choice(insp)
            db.psql("""insert into inspector_recusal (inspector_id, object_id, reason)
                       values (%d, %d, '亲属关系') on conflict do nothing""" % (i, o))
        for o in rng.sample(objs, min(len(objs), 8)):
            db.psql("update object set last_inspector_id = %d where id = %d"
                    % (rng.choice(insp), o))
        r = d.rpc('tasks.match_inspectors', {'task_id': task['id'], 'entropy': [str(seed)]},
                  token=t['sup_xh'])
        if r['ok']:
            check_rules(task['id'])
            v = d.rpc('draws.verify', {'id': r['draw']['id']}, token=t['admin'])
            assert v['ok'], v
        else:
            # a shortage writes nothing and names objects and a rule
            assert r['shortages'] and all(s['rule'] for s in r['shortages'])
            assert d.rpc('tasks.get', {'id': task['id']}, token=t['sup_xh'])['state'] == \
                'objects_drawn'
            assert db.psql("select count (*) from inspector_assignment where task_id = %d"
                           % task['id']).strip() == '0'


def add_steady_inspectors(n):
    """`n` inspectors of xinhua that no rule before the caps can exclude: on duty, certified
    for every window, holding every tag, never recused nor last on any object.  The objects
    the secret draws differ run by run, and the random register alone may leave one of them
    short; these make a successful match certain while the caps still bind."""
    db, d, t, units = env()
    tags = ','.join(map(str, _shared['tags']))
    db.psql("""insert into inspector (name, unit_id, cert_no, cert_valid_from, cert_valid_until,
                                      status, tag_ids)
               select '常备检查员' || g, %d, 'CS' || lpad (g::text, 5, '0'), '2000-01-01',
                      '2099-12-31', 'on_duty', '{%s}'
                 from generate_series (1, %d) g""" % (units['xinhua'], tags, n))


def test_match_verify_export_and_reference():
    db, d, t, units = env()
    # 12 objects drawn, 2 inspectors each under a cap of 5: 8 steady inspectors leave at
    # least 4 with room when the last object is reached, and with 1 per task (below) at most
    # 20 eligible inspectors cannot cover 24 places.
    add_steady_inspectors(8)
    task = drawn_task(inspector_task_cap=5)
    r = d.rpc('tasks.match_inspectors', {'task_id': task['id'], 'entropy': [' 7', '8 ']},
              token=t['sup_xh'])
    assert r['ok'], r
    assert d.rpc('tasks.get', {'id': task['id']}, token=t['sup_xh'])['state'] == \
        'inspectors_drawn'
    got = check_rules(task['id'])
    rec = export(r['draw']['id'])
    assert rec['algorithm'] == 'shuangsui-match/1' and rec['kind'] == 'inspectors'
    assert sorted(rec['order']) == sorted(str(o) for o in got)
    ref = reference_match(rec)
    assert ref['result_hash'] == rec['result_hash'] and ref['seed'] == rec['seed']
    assert {s['name']: s['drawn'] for s in rec['strata']} == ref['drawn']
    assert {int(k): list(map(int, v)) for k, v in ref['drawn'].items()} == got
    p = verify_cli(rec)
    assert p.returncode == 0, p.stdout
    # the secret is the one committed when the objects were drawn
    assert hashlib.sha256(bytes.fromhex(rec['secret'])).hexdigest() == rec['commitment']
    pub = db.psql("""select after ->> 'commitment' from audit_log where area = 'matching'
                      and record_id = '%d' and after ->> 'event' = 'committed'""" % task['id'])
    assert rec['commitment'] in pub.split()
    # tampered records fail
    bad = json.loads(json.dumps(rec))
    s = [x for x in bad['strata'] if len(x['candidates']) > x['k']][0]
    s['drawn'][0] = [c for c in s['candidates'] if c not in s['drawn']][0]
    assert verify_cli(bad).returncode == 1
    bad = json.loads(json.dumps(rec))
    bad['order'] = list(reversed(bad['order']))
    ref2 = reference_match(bad)
    if ref2['drawn'] != ref['drawn']:
        assert verify_cli(bad).returncode == 1
    # a second match is refused
    expect_error(-32011, d.rpc, 'tasks.match_inspectors',
                 {'task_id': task['id'], 'entropy': ['1']}, token=t['sup_xh'])
    # exclusions of one object: every unit inspector is assigned, excluded, or not drawn
    obj = next(iter(got))
    ex = d.rpc('tasks.exclusions', {'task_id': task['id'], 'object_id': obj},
               token=t['sup_xh'])
    ids = set(x['id'] for x in ex['assigned']) | set(x['inspector_id'] for x in ex['excluded']) \
        | set(x['inspector_id'] for x in ex['not_drawn'])
    unit_insp = set(map(int, db.psql("select id from inspector where unit_id = %d"
                                     % units['xinhua']).split()))
    assert ids == unit_insp
    assert all(re.search(r'[\u4e00-\u9fff]', x['reason']) for x in ex['excluded'])
    _shared['matched'] = (task, r)


def test_determinism_same_inputs_same_result():
    """The same secret, candidates and entropy give the same record; other entropy another."""
    db, d, t, units = env()
    task, r = _shared['matched']
    rec = export(r['draw']['id'])
    again = reference_match(rec)
    assert again['result_hash'] == rec['result_hash']
    rec2 = dict(rec, entropy=['9'])
    assert reference_match(rec2)['seed'] != rec['seed']


def test_shortage_names_objects_and_rule_and_writes_nothing():
    db, d, t, units = env()
    # a tag nobody has: every object short under rule 5 (tags)
    db.psql("insert into tag (group_id, name) select group_id, '无人具备' from tag limit 1")
    rare = int(db.psql("select id from tag where name = '无人具备'"))
    task = drawn_task(inspector_tag_ids=[rare])
    before = db.psql("select count (*) from draw; select count (*) from inspector_exclusion;")
    r = d.rpc('tasks.match_inspectors', {'task_id': task['id'], 'entropy': ['5']},
              token=t['sup_xh'])
    assert r['ok'] is False and r['short_count'] > 0
    assert all(s['rule'] == 'tags' and s['rule_no'] == 5 for s in r['shortages']), r
    assert r['shortages'][0]['object_id'] > 0 and r['shortages'][0]['needed'] == 2
    assert db.psql("select count (*) from draw; select count (*) from inspector_exclusion;") \
        == before
    assert d.rpc('tasks.get', {'id': task['id']}, token=t['sup_xh'])['state'] == 'objects_drawn'
    failed = db.psql("""select count (*) from audit_log where area = 'matching'
                         and record_id = '%d' and after ->> 'event' = 'match_failed'"""
                     % task['id'])
    assert failed.strip() == '1'
    # a per-task cap too small for the objects: rule 6
    task = drawn_task(inspector_task_cap=1)
    r = d.rpc('tasks.match_inspectors', {'task_id': task['id'], 'entropy': ['5']},
              token=t['sup_xh'])
    assert r['ok'] is False and all(s['rule'] in ('task_cap', 'month_cap')
                                    for s in r['shortages']), r


def test_roles():
    db, d, t, units = env()
    task = drawn_task()
    expect_error(-32003, d.rpc, 'tasks.match_inspectors',
                 {'task_id': task['id'], 'entropy': ['1']}, token=t['sup_yh'])
    expect_error(-32003, d.rpc, 'tasks.match_inspectors',
                 {'task_id': task['id'], 'entropy': ['1']}, token=t['admin'])
    expect_error(-32003, d.rpc, 'tasks.match_inspectors',
                 {'task_id': task['id'], 'entropy': ['1']}, token=t['insp_xh'])
    expect_error(-32011, d.rpc, 'tasks.assignments', {'task_id': task['id']},
                 token=t['sup_xh'])
    matched, _ = _shared['matched']
    expect_error(-32003, d.rpc, 'tasks.assignments', {'task_id': matched['id']},
                 token=t['sup_yh'])
    expect_error(-32003, d.rpc, 'tasks.exclusions', {'task_id': matched['id'], 'object_id': 1},
                 token=t['sup_yh'])
    expect_error(-32010, d.rpc, 'tasks.match_inspectors',
                 {'task_id': task['id'], 'entropy': ['  ']}, token=t['sup_xh'])


def test_void_keeps_match_and_commits_new_secret():
    db, d, t, units = env()
    task, r = _shared['matched']
    draw_id = r['draw']['id']
    d.rpc('draws.request_void', {'id': draw_id, 'reason': '人员回避登记有误'}, token=t['sup_xh'])
    out = d.rpc('draws.approve_void', {'id': draw_id}, token=t['admin'])
    assert out['voided']['state'] == 'voided' and out['next'] is None
    assert d.rpc('tasks.get', {'id': task['id']}, token=t['sup_xh'])['state'] == 'objects_drawn'
    assert db.psql("select count (*) from inspector_assignment where draw_id = %d"
                   % draw_id).strip() != '0'
    r2 = d.rpc('tasks.match_inspectors', {'task_id': task['id'], 'entropy': ['7', '8']},
               token=t['sup_xh'])
    assert r2["ok"] and r2["draw"]["replaces"] == draw_id, r2
    assert r2['draw']['commitment'] != r['draw']['commitment']
    check_rules(task['id'])


def test_schema_refuses_assignment_breaking_a_rule():
    db, d, t, units = env()
    task, r = _shared['matched']
    bad = db.psql("""select i.id from inspector i join inspector_status s on s.code = i.status
                      where not s.assignable and i.unit_id = %d limit 1""" % units['xinhua'])
    obj = db.psql("select object_id from inspector_assignment_live where task_id = %d limit 1"
                  % task['id'])
    draw = db.psql("""select id from draw where task_id = %d and kind = 'inspectors'
                       and state = 'run'""" % task['id'])
    try:
        db.psql("""insert into inspector_assignment (task_id, draw_id, object_id, inspector_id,
                   rank, position) values (%d, %s, %s, %s, 9, 1)"""
                % (task['id'], draw.strip(), obj.strip(), bad.strip()))
        raise AssertionError('an off-duty inspector was assigned')
    except RuntimeError as e:
        assert 'duty' in str(e), e


def leb128_deltas(ids):
    """The packed form of migration 0014: ascending ids, each as its difference from the one
    before in unsigned LEB128."""
    out, previous = bytearray(), 0
    for i in sorted(ids):
        delta, previous = i - previous, i
        while True:
            byte, delta = delta & 0x7f, delta >> 7
            out.append(byte | (0x80 if delta else 0))
            if not delta:
                break
    return bytes(out)


def test_packed_candidates_old_and_new_storage_read_the_same():
    """A match keeps its strata's candidates packed (0014); a record stored the old way (a
    bigint[] per stratum, as before 0014 and as object draws still are) exports the same
    bytes and verifies the same."""
    db, d, t, units = env()
    task, r = _shared['matched']
    draw_id = r['draw']['id']
    # the worked example of the format, unpacked in SQL
    assert db.psql(r"select sui_draw_ids ('\x0101aa0294823d')").strip() == '{1,2,300,1000000}'
    assert leb128_deltas([1000000, 1, 300, 2]).hex() == '0101aa0294823d'
    assert db.psql("""select count (*) filter (where candidates is null
                                                 and candidates_packed is not null),
                             count (*) from draw_stratum where draw_id = %d"""
                   % draw_id).strip() == '%d|%d' % (12, 12)
    rec = export(draw_id)
    stored = dict(line.split('|') for line in db.psql(
        """select name, encode (candidates_packed, 'hex') from draw_stratum
            where draw_id = %d""" % draw_id).split())
    unpacked = dict(line.split('|') for line in db.psql(
        """select name, sui_draw_ids (candidates_packed)::text from draw_stratum
            where draw_id = %d""" % draw_id).split())
    for s in rec['strata']:
        ids = list(map(int, s['candidates']))
        # step-1 order (bytewise by text) in the record, whatever the storage order
        assert s['candidates'] == sorted(s['candidates']) and len(ids) == s['n']
        assert stored[s['name']] == leb128_deltas(ids).hex()
        assert unpacked[s['name']] == '{%s}' % ','.join(map(str, sorted(ids)))
    text = json.dumps(rec, ensure_ascii=False)
    assert same_as_jsonb_record(db, rec, draw_id)
    before = d.rpc('draws.verify', {'id': draw_id}, token=t['sup_xh'])
    assert before['ok'], before
    # the same strata stored as before 0014
    db.psql("""set session_replication_role = replica;
               update draw_stratum set candidates = sui_draw_ids (candidates_packed),
                      candidates_packed = null where draw_id = %d""" % draw_id)
    try:
        old = export(draw_id)
        assert json.dumps(old, ensure_ascii=False) == text
        assert same_as_jsonb_record(db, old, draw_id)
        after = d.rpc('draws.verify', {'id': draw_id}, token=t['sup_xh'])
        assert after == before, (before, after)
        assert verify_cli(old).returncode == 0
        ex = d.rpc('tasks.exclusions', {'task_id': task['id'],
                                        'object_id': int(rec['strata'][0]['name'])},
                   token=t['sup_xh'])
        assert ex['not_drawn'] is not None
    finally:
        db.psql("""set session_replication_role = replica;
                   update draw_stratum set candidates = null,
                          candidates_packed = decode (%s, 'hex') from (values %s) v (n, p)
                    where draw_id = %d and name = v.n"""
                % ('v.p', ','.join("('%s', '%s')" % kv for kv in stored.items()), draw_id))
    assert export(draw_id) == rec
    # n is not checked against a packed list by the schema: verification does (step 6)
    name = rec['strata'][0]['name']
    db.psql("""set session_replication_role = replica;
               update draw_stratum set n = n + 1 where draw_id = %d and name = '%s'"""
            % (draw_id, name))
    try:
        bad = d.rpc('draws.verify', {'id': draw_id}, token=t['sup_xh'])
        assert bad['ok'] is False and bad['step'] == 'count', bad
    finally:
        db.psql("""set session_replication_role = replica;
                   update draw_stratum set n = n - 1 where draw_id = %d and name = '%s'"""
                % (draw_id, name))
    assert d.rpc('draws.verify', {'id': draw_id}, token=t['sup_xh'])['ok']
    # the audit rows of the match (built in SQL by the daemon) keep the chain whole
    assert d.rpc('audit.verify', token=t['admin'])['ok'] is True
    committed = json.loads(db.psql("""select after from audit_log where area = 'draws'
                                       and record_id = '%d' and after ->> 'event' = 'committed'
                                       and after ->> 'kind' = 'inspectors'""" % draw_id))
    assert committed['candidate_hash'] == rec['candidate_hash']
    assert [(s['name'], s['n'], s['k']) for s in committed['strata']] == \
        sorted((s['name'], s['n'], s['k']) for s in rec['strata'])
    actor = db.psql("""select actor_login, method from audit_log where area = 'draws'
                        and record_id = '%d' and after ->> 'event' = 'committed'"""
                    % draw_id).strip()
    assert actor == 'sup_xh|tasks.match_inspectors', actor


def refused(db, sql, code):
    """sql fails with the condition `code` (e.g. foreign_key_violation)."""
    db.psql("""do $$ begin
                 begin %s; exception when %s then return; end;
                 raise exception 'not refused: %%', %s;
               end $$""" % (sql, code, "'" + sql.replace("'", "''") + "'"))


def test_schema_refuses_dangling_references():
    """0014 checks the references of a match's rows per statement: what the foreign keys
    refused is refused still, on both sides."""
    db, d, t, units = env()
    task, r = _shared['matched']
    draw_id = r['draw']['id']
    obj, insp = db.psql("""select object_id, inspector_id from inspector_assignment
                            where draw_id = %d limit 1""" % draw_id).strip().split('|')
    row = "(%d, %%s, %%s, %%s, 9, 1)" % task['id']
    insert = ("insert into inspector_assignment (task_id, draw_id, object_id, inspector_id,"
              " rank, position) values ")
    refused(db, insert + row % (999999, obj, insp), 'foreign_key_violation')
    refused(db, insert + row % (draw_id, 999999, insp), 'foreign_key_violation')
    refused(db, insert + row % (draw_id, obj, 999999), 'foreign_key_violation')
    free = db.psql("""select id from inspector where id not in (
                        select inspector_id from inspector_assignment
                         where draw_id = %d and object_id = %s) limit 1"""
                   % (draw_id, obj)).strip()
    refused(db, insert.replace('position)', 'position, part_unit_id)')
            + "(%d, %d, %s, %s, 9, 1, 999999)" % (task['id'], draw_id, obj, free),
            'foreign_key_violation')
    refused(db, """insert into inspector_exclusion (task_id, draw_id, object_id, inspector_id,
                   rule, rule_no, reason) values (%d, 999999, %s, %s, 'recusal', 3, '回避')"""
            % (task['id'], obj, insp), 'foreign_key_violation')
    refused(db, """insert into inspector_exclusion (task_id, draw_id, object_id, inspector_id,
                   rule, rule_no, reason) values (%d, %d, 999999, %s, 'recusal', 3, '回避')"""
            % (task['id'], draw_id, insp), 'foreign_key_violation')
    refused(db, """insert into draw_stratum (draw_id, name, k, n, candidates_packed)
                   values (999999, 'x', 0, 0, '\\x')""", 'foreign_key_violation')
    refused(db, """insert into draw_stratum (draw_id, name, k, n, candidates_packed)
                   values (%d, 'x', 0, 0, '\\x')""" % draw_id, 'restrict_violation')
    refused(db, "update task set id = 999999 where id = %d" % task['id'],
            'foreign_key_violation')
    refused(db, "update inspector set id = 999999 where id = %s" % insp,
            'foreign_key_violation')
    refused(db, "update object set id = 999999 where id = %s" % obj, 'foreign_key_violation')
    live = db.psql("""select id from draw where task_id = %d and kind = 'inspectors'
                       and state = 'run'""" % task['id']).strip()
    refused(db, "update draw set id = 999999 where id = %s" % live, 'foreign_key_violation')
    refused(db, "delete from task where id = %d" % task['id'], 'foreign_key_violation')
    refused(db, "update unit set id = 999999 where id = %d" % units['xinhua'],
            'foreign_key_violation')
    # the lists of a stratum: one form or the other, never both
    refused(db, """update draw_stratum set candidates = '{1}' where draw_id = %d""" % draw_id,
            'restrict_violation')


suitest.run(globals())
