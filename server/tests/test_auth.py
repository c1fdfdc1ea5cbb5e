# SPDX-License-Identifier: GPL-3.0-or-later
"""auth.*: login, the same answer for a wrong login and a wrong password, the lockout and
its audit row, token expiry and revocation (logout, disabled user), change_password,
--create-admin, and that no password or token is ever stored in clear.
"""

import datetime
import hashlib
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                                'tests', 'lib'))
import suitest  # noqa: E402
from suitest import expect_error  # noqa: E402

BAD_CREDENTIALS = '登录名或密码错误'
SESSION_GONE = '登录已失效，请重新登录'
_shared = {}


def env():
    """One database and daemon for the tests that do not need their own."""
    if 'd' not in _shared:
        _shared['db'], _shared['d'] = suitest.fresh()
        _shared['admin'] = _shared['d'].login(suitest.ADMIN_LOGIN, suitest.ADMIN_PASSWORD)
        _shared['bureau'] = _shared['d'].rpc('auth.whoami',
                                             token=_shared['admin'])['user']['unit_id']
    return _shared['db'], _shared['d'], _shared['admin']


def make_user(login, password='Secret@2026', role='inspector'):
    db, d, admin = env()
    return d.rpc('users.create', {'login': login, 'name': '测试用户', 'role': role,
                                  'unit_id': _shared['bureau'], 'password': password},
                 token=admin)



def parse_time(text):
    return datetime.datetime.fromisoformat(text)


def test_login_and_whoami():
    db, d, admin = env()
    answer = d.rpc('auth.login', {'login': 'admin', 'password': 'Admin@2026'})
    token = answer['token']
    assert re.fullmatch(r'[A-Za-z0-9_-]{43}', token), token
    user = answer['user']
    for key in ('id', 'login', 'name', 'role', 'unit_id', 'unit_name', 'disabled', 'version',
                'created_at', 'updated_at'):
        assert key in user, key
    assert user['login'] == 'admin' and user['role'] == 'admin' and not user['disabled']
    expires = parse_time(answer['expires_at'])
    now = datetime.datetime.now(datetime.timezone.utc)
    hours = (expires - now).total_seconds() / 3600
    assert 11.9 < hours <= 12.01, hours
    assert answer['expires_at'].endswith('+08:00'), answer['expires_at']

    me = d.rpc('auth.whoami', token=token)
    assert me['user']['id'] == user['id'] and me['user']['login'] == 'admin'
    assert me['user']['role'] == 'admin' and me['user']['unit_id'] == user['unit_id']
    assert me['expires_at'] == answer['expires_at']

    # Login names are not case-sensitive; the stored ones are lower case.
    assert d.login('ADMIN', 'Admin@2026')


def test_missing_or_bad_token():
    db, d, admin = env()
    e = expect_error(-32001, d.rpc, 'auth.whoami')
    e = expect_error(-32001, d.rpc, 'auth.whoami', token='x' * 43)
    assert e.message == SESSION_GONE
    expect_error(-32001, d.rpc, 'auth.whoami', token='not a token at all')
    expect_error(-32001, d.rpc, 'auth.whoami', token=admin[:-1])


def test_wrong_login_and_wrong_password_same_answer():
    db, d, admin = env()
    make_user('same_answer')
    a = expect_error(-32001, d.rpc, 'auth.login', {'login': 'same_answer', 'password': 'nope1234'})
    b = expect_error(-32001, d.rpc, 'auth.login', {'login': 'no_such_one', 'password': 'nope1234'})
    assert a.message == b.message == BAD_CREDENTIALS, (a.message, b.message)
    assert a.data == b.data
    expect_error(-32602, d.rpc, 'auth.login', {'login': 'same_answer'})
    expect_error(-32602, d.rpc, 'auth.login', {'login': 'same_answer', 'password': 5})


def test_failed_logins_are_recorded():
    db, d, admin = env()
    expect_error(-32001, d.rpc, 'auth.login', {'login': 'ghost_user', 'password': 'whatever1'})
    rows = db.psql("select ok, user_id is null from login_attempt where login = 'ghost_user'")
    assert rows.split() == ['f|t'], rows


def test_lockout_after_five_failures():
    db, d, admin = env()
    make_user('lock_me', 'Right@2026')
    for i in range(4):
        e = expect_error(-32001, d.rpc, 'auth.login',
                         {'login': 'lock_me', 'password': 'wrong%d' % i})
        assert e.message == BAD_CREDENTIALS, e.message
    e = expect_error(-32001, d.rpc, 'auth.login', {'login': 'lock_me', 'password': 'wrong5'})
    assert '锁定' in e.message, e.message
    until = parse_time(e.data['locked_until'])
    minutes = (until - datetime.datetime.now(datetime.timezone.utc)).total_seconds() / 60
    assert 14 < minutes <= 15.1, minutes

    # The right password is refused too while locked, with the same lock.
    e2 = expect_error(-32001, d.rpc, 'auth.login', {'login': 'lock_me', 'password': 'Right@2026'})
    assert '锁定' in e2.message and e2.data['locked_until'] == e.data['locked_until']

    # The lock is on the audit log.
    rows = d.rpc('audit.list', {'area': 'auth'}, token=admin)['items']
    mine = [r for r in rows if r['record_id'] == 'lock_me']
    assert len(mine) == 1, rows
    assert mine[0]['method'] == 'auth.login' and mine[0]['after']['login'] == 'lock_me'
    assert mine[0]['after']['failures'] == 5
    assert db.psql("select count(*) from login_lock where login = 'lock_me'").strip() == '1'

    # Fifteen minutes later (moved back in the database) the login works again, and the
    # failures before the lock no longer count.
    db.psql("update login_lock set locked_at = locked_at - interval '20 minutes',"
            " locked_until = locked_until - interval '20 minutes' where login = 'lock_me';"
            "update login_attempt set at = at - interval '20 minutes' where login = 'lock_me'")
    assert d.login('lock_me', 'Right@2026')
    e = expect_error(-32001, d.rpc, 'auth.login', {'login': 'lock_me', 'password': 'wrong'})
    assert e.message == BAD_CREDENTIALS


def test_unknown_login_locks_the_same_way():
    db, d, admin = env()
    for i in range(4):
        expect_error(-32001, d.rpc, 'auth.login', {'login': 'nobody_here', 'password': 'x%d' % i})
    e = expect_error(-32001, d.rpc, 'auth.login', {'login': 'nobody_here', 'password': 'x5'})
    assert '锁定' in e.message and 'locked_until' in e.data


def test_success_resets_the_failure_count():
    db, d, admin = env()
    make_user('reset_count', 'Right@2026')
    for i in range(4):
        expect_error(-32001, d.rpc, 'auth.login', {'login': 'reset_count', 'password': 'w%d' % i})
    d.login('reset_count', 'Right@2026')
    e = expect_error(-32001, d.rpc, 'auth.login', {'login': 'reset_count', 'password': 'w5'})
    assert e.message == BAD_CREDENTIALS, e.message


def test_token_expiry():
    db, d, admin = env()
    make_user('expiring', 'Right@2026')
    token = d.login('expiring', 'Right@2026')
    d.rpc('auth.whoami', token=token)
    db.psql("update user_session set created_at = now() - interval '13 hours',"
            " expires_at = now() - interval '1 hour'"
            " where user_id = (select id from app_user where login = 'expiring')")
    e = expect_error(-32001, d.rpc, 'auth.whoami', token=token)
    assert e.message == SESSION_GONE


def test_token_hours_setting():
    db, d, admin = env()
    short = suitest.Daemon(db.conninfo, ['--token-hours', '1'])
    try:
        answer = short.rpc('auth.login', {'login': 'admin', 'password': 'Admin@2026'})
        hours = (parse_time(answer['expires_at'])
                 - datetime.datetime.now(datetime.timezone.utc)).total_seconds() / 3600
        assert 0.9 < hours <= 1.01, hours
    finally:
        short.stop()


def test_logout_revokes_the_token():
    db, d, admin = env()
    token = d.login('admin', 'Admin@2026')
    other = d.login('admin', 'Admin@2026')
    assert d.rpc('auth.logout', token=token) is True
    e = expect_error(-32001, d.rpc, 'auth.whoami', token=token)
    assert e.message == SESSION_GONE
    expect_error(-32001, d.rpc, 'auth.logout', token=token)
    # Only that token: another session of the same user goes on.
    d.rpc('auth.whoami', token=other)
    revoked = db.psql("select revoked_at is not null from user_session where token_hash = "
                      "'\\x%s'::bytea" % hashlib.sha256(token.encode()).hexdigest()).strip()
    assert revoked == 't', revoked


def test_disable_revokes_every_token():
    db, d, admin = env()
    user = make_user('to_disable', 'Right@2026')
    t1 = d.login('to_disable', 'Right@2026')
    t2 = d.login('to_disable', 'Right@2026')
    d.rpc('auth.whoami', token=t1)
    d.rpc('users.disable', {'id': user['id'], 'version': user['version']}, token=admin)
    expect_error(-32001, d.rpc, 'auth.whoami', token=t1)
    expect_error(-32001, d.rpc, 'auth.whoami', token=t2)
    assert db.psql("select count(*) from user_session where revoked_at is null and user_id = %d"
                   % user['id']).strip() == '0'
    e = expect_error(-32001, d.rpc, 'auth.login', {'login': 'to_disable', 'password': 'Right@2026'})
    assert '停用' in e.message, e.message
    # Enabled again, the old tokens stay dead; a new login works.
    user = d.rpc('users.get', {'id': user['id']}, token=admin)
    d.rpc('users.enable', {'id': user['id'], 'version': user['version']}, token=admin)
    expect_error(-32001, d.rpc, 'auth.whoami', token=t1)
    d.rpc('auth.whoami', token=d.login('to_disable', 'Right@2026'))


def test_change_password():
    db, d, admin = env()
    user = make_user('changer', 'Old@20261')
    token = d.login('changer', 'Old@20261')
    elsewhere = d.login('changer', 'Old@20261')

    e = expect_error(-32010, d.rpc, 'auth.change_password',
                     {'old_password': 'not it', 'new_password': 'short'}, token=token)
    fields = {f['field'] for f in e.data['fields']}
    assert fields == {'old_password', 'new_password'}, e.data
    for f in e.data['fields']:
        assert re.search(r'[\u4e00-\u9fff]', f['message']), f
    e = expect_error(-32010, d.rpc, 'auth.change_password',
                     {'old_password': 'Old@20261', 'new_password': 'short'}, token=token)
    assert [f['field'] for f in e.data['fields']] == ['new_password']
    expect_error(-32602, d.rpc, 'auth.change_password', {'old_password': 'Old@20261'},
                 token=token)

    assert d.rpc('auth.change_password', {'old_password': 'Old@20261',
                                          'new_password': 'New@20262'}, token=token) is True
    d.rpc('auth.whoami', token=token)                      # this session goes on
    expect_error(-32001, d.rpc, 'auth.whoami', token=elsewhere)   # the others end
    e = expect_error(-32001, d.rpc, 'auth.login', {'login': 'changer', 'password': 'Old@20261'})
    assert e.message == BAD_CREDENTIALS
    d.login('changer', 'New@20262')
    after = d.rpc('users.get', {'id': user['id']}, token=admin)
    assert after['version'] == user['version'] + 1
    expect_error(-32001, d.rpc, 'auth.change_password',
                 {'old_password': 'New@20262', 'new_password': 'New@20263'})


def test_passwords_and_tokens_never_stored_in_clear():
    db, d, admin = env()
    password = 'Clear-Text-Canary-7731'
    make_user('canary', password)
    token = d.login('canary', password)
    d.rpc('auth.change_password', {'old_password': password,
                                   'new_password': 'Second-Canary-8842'}, token=token)
    token2 = d.login('canary', 'Second-Canary-8842')

    stored = db.psql("select password_hash from app_user where login = 'canary'").strip()
    assert stored.startswith('$argon2id$'), stored

    dump = subprocess.run([os.path.join(suitest.PG_BINDIR, 'pg_dump'), '-d', db.conninfo,
                           '--data-only'], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=120)
    assert dump.returncode == 0, dump.stderr
    for secret in (password, 'Second-Canary-8842', token, token2, 'Admin@2026'):
        assert secret not in dump.stdout, 'found %r in the database' % secret[:6]
        assert secret not in d.log(), 'found %r in the daemon log' % secret[:6]

    # What is stored for a session is the SHA-256 of its token.
    digest = hashlib.sha256(token2.encode()).hexdigest()
    assert db.psql("select count(*) from user_session where token_hash = '\\x%s'::bytea"
                   % digest).strip() == '1'


def test_create_admin_cli():
    db, d, admin = env()
    user = make_user('promote_me', 'Before@2026', role='inspector')
    p = d.run_cli(['--create-admin', 'promote_me'], env={'SHUANGSUI_PASSWORD': 'After@20266'})
    assert p.returncode == 0, p.stderr
    after = d.rpc('users.get', {'id': user['id']}, token=admin)
    assert after['role'] == 'admin' and after['version'] == user['version'] + 1
    expect_error(-32001, d.rpc, 'auth.login', {'login': 'promote_me', 'password': 'Before@2026'})
    d.login('promote_me', 'After@20266')
    rows = d.rpc('audit.list', {'area': 'users', 'method': 'cli.create_admin'},
                 token=admin)['items']
    assert rows[0]['record_id'] == str(user['id']) and rows[0]['actor_login'] == 'system'
    assert rows[0]['before']['role'] == 'inspector' and rows[0]['after']['role'] == 'admin'
    assert 'password_hash' not in rows[0]['after']

    p = d.run_cli(['--create-admin', 'too_short'], env={'SHUANGSUI_PASSWORD': 'short'})
    assert p.returncode != 0
    p = d.run_cli(['--create-admin', 'Bad Login!'], env={'SHUANGSUI_PASSWORD': 'Long@enough1'})
    assert p.returncode != 0


suitest.run(globals())
