# SPDX-License-Identifier: GPL-3.0-or-later
"""The audit log: every change writes exactly one row (who, which method, the record,
before/after), a refused or read-only call writes none, audit.list pages newest first,
and audit.verify finds a row altered or removed directly in SQL.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                                'tests', 'lib'))
import suitest  # noqa: E402

PASSWORD = 'Audit@2026'
# Lets the superuser of the test cluster get past the append-only trigger, as a tamperer
# with enough rights could.
BYPASS = 'set session_replication_role = replica; '


def setup():
    db, d = suitest.fresh()
    admin = d.login(suitest.ADMIN_LOGIN, suitest.ADMIN_PASSWORD)
    return db, d, admin


def count(db):
    return int(db.psql('select count(*) from audit_log').strip())


def newest(d, admin):
    return d.rpc('audit.list', {'limit': 1}, token=admin)['items'][0]


def test_every_change_writes_one_row():
    db, d, admin = setup()
    me = d.rpc('auth.whoami', token=admin)['user']

    def change(method, params, area, token=admin):
        before = count(db)
        result = d.rpc(method, params, token=token)
        assert count(db) == before + 1, '%s wrote %d rows' % (method, count(db) - before)
        row = newest(d, admin)
        assert row['method'] == method and row['area'] == area, row
        assert row['peer'], 'the caller address is recorded'
        return result, row

    unit, row = change('units.create', {'name': '审计单位', 'code': 'aud', 'kind': 'direct'},
                       'units')
    assert row['record_id'] == str(unit['id']) and row['before'] is None
    assert row['after'] == unit and row['actor_id'] == me['id'] and row['actor_login'] == 'admin'

    unit2, row = change('units.update', {'id': unit['id'], 'version': 1, 'name': '审计单位二'},
                        'units')
    assert row['before'] == unit and row['after'] == unit2

    user, row = change('users.create', {'login': 'aud_user', 'name': '审计人员',
                                        'role': 'inspector', 'unit_id': unit['id'],
                                        'password': PASSWORD}, 'users')
    assert row['after'] == user and row['record_id'] == str(user['id'])
    assert 'password' not in str(row['after']) and 'argon2' not in str(row)

    user2, row = change('users.update', {'id': user['id'], 'version': 1, 'name': '审计人员二'},
                        'users')
    assert row['before']['name'] == '审计人员' and row['after']['name'] == '审计人员二'

    _, row = change('users.reset_password', {'id': user['id'], 'password': 'Other@2026'},
                    'users')
    assert 'argon2' not in str(row)

    token = d.login('aud_user', 'Other@2026')
    _, row = change('auth.change_password', {'old_password': 'Other@2026',
                                             'new_password': 'Third@2026'}, 'users', token=token)
    assert row['actor_login'] == 'aud_user' and row['record_id'] == str(user['id'])

    user3 = d.rpc('users.get', {'id': user['id']}, token=admin)
    user4, row = change('users.disable', {'id': user['id'], 'version': user3['version']},
                        'users')
    assert row['before']['disabled'] is False and row['after']['disabled'] is True
    change('users.enable', {'id': user['id'], 'version': user4['version']}, 'users')
    user5 = d.rpc('users.update', {'id': user['id'], 'version': user4['version'] + 1,
                                   'unit_id': d.rpc('auth.whoami', token=admin)['user']['unit_id']},
                  token=admin)
    d.rpc('users.disable', {'id': user['id'], 'version': user5['version']}, token=admin)
    unit3, row = change('units.disable', {'id': unit['id'], 'version': 2}, 'units')
    change('units.enable', {'id': unit['id'], 'version': unit3['version']}, 'units')

    # Reading, refusing and changing nothing write nothing.
    before = count(db)
    d.rpc('units.list', token=admin)
    d.rpc('users.list', token=admin)
    d.rpc('audit.verify', token=admin)
    d.rpc('units.update', {'id': unit['id'], 'version': unit3['version'] + 1,
                           'name': '审计单位二'}, token=admin)
    for method, params in (('units.update', {'id': unit['id'], 'version': 1, 'name': 'x'}),
                           ('users.create', {'login': 'aud_user', 'name': 'x',
                                             'role': 'inspector', 'unit_id': unit['id'],
                                             'password': PASSWORD}),
                           ('units.disable', {'id': 987654, 'version': 1})):
        try:
            d.rpc(method, params, token=admin)
            raise AssertionError('%s should have failed' % method)
        except suitest.RpcError:
            pass
    assert count(db) == before
    # The numbering has no gap left by the refused calls.
    assert db.psql('select max(seq) = count(*) from audit_log').strip() == 't'
    assert d.rpc('audit.verify', token=admin) == {'ok': True, 'rows': count(db),
                                                  'first_bad_seq': None, 'problem': None}


def test_list_paging_and_filters():
    db, d, admin = setup()
    me = d.rpc('auth.whoami', token=admin)['user']
    for i in range(5):
        d.rpc('units.create', {'name': '分页%d' % i, 'code': 'page%d' % i, 'kind': 'direct'},
              token=admin)
    total = count(db)
    page = d.rpc('audit.list', {'limit': 2}, token=admin)
    seqs = [r['seq'] for r in page['items']]
    assert seqs == [total, total - 1] and page['next_after'] == total - 1
    page = d.rpc('audit.list', {'limit': 2, 'after': page['next_after']}, token=admin)
    assert [r['seq'] for r in page['items']] == [total - 2, total - 3]
    everything = d.rpc('audit.list', {'limit': 1000}, token=admin)
    assert len(everything['items']) == total and everything['next_after'] is None
    rows = d.rpc('audit.list', {'area': 'units', 'actor_id': me['id'],
                                'method': 'units.create'}, token=admin)['items']
    assert len(rows) == 5 and all(r['area'] == 'units' for r in rows)
    assert d.rpc('audit.list', {'area': 'no_such_area'}, token=admin)['items'] == []
    for bad in ({'limit': 0}, {'limit': 5000}, {'after': 'x'}):
        try:
            d.rpc('audit.list', bad, token=admin)
            raise AssertionError('audit.list accepted %r' % bad)
        except suitest.RpcError as e:
            assert e.code == -32602, e


def make_rows(d, admin, n):
    for i in range(n):
        d.rpc('units.create', {'name': '链%d' % i, 'code': 'chain%d' % i, 'kind': 'direct'},
              token=admin)


def verify(d, admin):
    return d.rpc('audit.verify', token=admin)


def test_log_refuses_plain_changes():
    db, d, admin = setup()
    for sql in ('update audit_log set area = $$x$$ where seq = 1',
                'delete from audit_log where seq = 1'):
        try:
            db.psql(sql)
            raise AssertionError('the database allowed: ' + sql)
        except RuntimeError as e:
            assert 'append-only' in str(e), e


def test_verify_finds_an_altered_row():
    db, d, admin = setup()
    make_rows(d, admin, 5)
    assert verify(d, admin)['ok'] is True
    original = db.psql('select after::text from audit_log where seq = 4').strip()
    db.psql(BYPASS + "update audit_log set after = jsonb_set(after, '{name}', '\"篡改\"')"
            " where seq = 4")
    r = verify(d, admin)
    assert r == {'ok': False, 'rows': 3, 'first_bad_seq': 4, 'problem': 'altered'}, r
    # Put back, the chain is whole again.
    db.psql(BYPASS + "update audit_log set after = $x$%s$x$::jsonb where seq = 4" % original)
    assert verify(d, admin)['ok'] is True

    # Changing who did it is just as visible.
    db.psql(BYPASS + "update audit_log set actor_login = 'someone' where seq = 2")
    r = verify(d, admin)
    assert (r['ok'], r['first_bad_seq'], r['problem']) == (False, 2, 'altered'), r


def test_verify_finds_a_rehashed_row():
    """Whoever alters a row and recomputes its hash still breaks the link to the next."""
    db, d, admin = setup()
    make_rows(d, admin, 4)
    db.psql(BYPASS + "update audit_log set record_id = '999',"
            " hash = sui_audit_hash(prev_hash, seq, at, actor_id, actor_login, method, area,"
            " '999', before, after, peer) where seq = 3")
    r = verify(d, admin)
    assert (r['ok'], r['first_bad_seq'], r['problem']) == (False, 4, 'altered'), r


def test_verify_finds_a_missing_row():
    db, d, admin = setup()
    make_rows(d, admin, 5)
    db.psql(BYPASS + 'delete from audit_log where seq = 3')
    r = verify(d, admin)
    assert r == {'ok': False, 'rows': 2, 'first_bad_seq': 3, 'problem': 'missing'}, r


def test_verify_finds_missing_newest_rows():
    db, d, admin = setup()
    make_rows(d, admin, 3)
    total = count(db)
    db.psql(BYPASS + 'delete from audit_log where seq = %d' % total)
    r = verify(d, admin)
    assert r == {'ok': False, 'rows': total - 1, 'first_bad_seq': total,
                 'problem': 'missing'}, r
    # Later appends do not hide the hole.
    make_rows_more = d.rpc('units.create', {'name': '后来', 'code': 'later', 'kind': 'direct'},
                           token=admin)
    assert make_rows_more['id']
    r = verify(d, admin)
    assert (r['ok'], r['first_bad_seq'], r['problem']) == (False, total, 'missing'), r


def test_verify_streams_a_long_log():
    """More rows than one batch of the check (1000)."""
    db, d, admin = setup()
    db.psql("select sui_audit_append(null, 'system', 'test.bulk', 'bulk', g::text, null,"
            " jsonb_build_object('n', g), null) from generate_series(1, 2500) g")
    r = verify(d, admin)
    assert r['ok'] is True and r['rows'] == count(db), r
    db.psql(BYPASS + "update audit_log set after = '{\"n\": -1}' where seq = 2222")
    r = verify(d, admin)
    assert (r['ok'], r['first_bad_seq'], r['problem']) == (False, 2222, 'altered'), r


suitest.run(globals())
