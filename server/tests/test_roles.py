# SPDX-License-Identifier: GPL-3.0-or-later
"""Role checks, method by method: every method that system.describe lists is called as
anonymous, inspector, supervisor and admin, and must answer exactly as its roles say.

Driven by system.describe, so a method added later is covered without touching this file.
Each call carries no params: an allowed method then either succeeds (when it needs no
params) or fails with -32602 naming a missing required param — never -32001 or -32003.
A refused one fails with -32001 (no token) or -32003 (wrong role).
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                                'tests', 'lib'))
import suitest  # noqa: E402

ROLES = ('inspector', 'supervisor', 'admin')
PASSWORD = 'Roles@2026'
# Calls that end the caller's own session: log in again after them.
ENDS_SESSION = {'auth.logout'}
_shared = {}


def env():
    if 'd' not in _shared:
        db, d = suitest.fresh()
        admin = d.login(suitest.ADMIN_LOGIN, suitest.ADMIN_PASSWORD)
        unit = d.rpc('units.create', {'name': '角色测试单位', 'code': 'roles', 'kind': 'direct'},
                     token=admin)
        for role in ('inspector', 'supervisor'):
            d.rpc('users.create', {'login': 'r_' + role, 'name': '角色' + role, 'role': role,
                                   'unit_id': unit['id'], 'password': PASSWORD}, token=admin)
        _shared.update(db=db, d=d, unit=unit)
    return _shared['db'], _shared['d']


def login(role):
    db, d = env()
    if role == 'admin':
        return d.login(suitest.ADMIN_LOGIN, suitest.ADMIN_PASSWORD)
    return d.login('r_' + role, PASSWORD)


def methods():
    db, d = env()
    listed = d.rpc('system.describe')['methods']
    assert listed, 'system.describe lists no methods'
    return listed


def call(method, token):
    db, d = env()
    try:
        d.rpc(method, {}, token=token)
        return None
    except suitest.RpcError as e:
        return e


def check(method, caller, token):
    """Calls method as caller (None: anonymous); returns a problem text or None."""
    roles = method['roles']
    required = [p['name'] for p in method.get('params', []) if p.get('required')]
    allowed = 'public' in roles or (caller is not None and caller in roles)
    error = call(method['name'], token)
    who = caller or 'anonymous'

    if not allowed:
        want = -32001 if caller is None else -32003
        if error is None:
            return '%s as %s: succeeded, roles are %s' % (method['name'], who, roles)
        if error.code != want:
            return '%s as %s: got %s, want %d' % (method['name'], who, error, want)
        return None

    if required:
        if error is None:
            return '%s as %s: succeeded without its required params %s' % (
                method['name'], who, required)
        if error.code != -32602:
            return '%s as %s: got %s, want -32602 for the missing %s' % (
                method['name'], who, error, required)
        if not isinstance(error.data, dict) or error.data.get('field') not in required:
            return '%s as %s: -32602 does not name a required param: %r' % (
                method['name'], who, error.data)
        return None

    if error is not None:
        return '%s as %s: got %s, want success' % (method['name'], who, error)
    return None


def test_describe_lists_the_foundation_methods():
    names = {m['name'] for m in methods()}
    for name in ('auth.login', 'auth.logout', 'auth.whoami', 'auth.change_password',
                 'units.list', 'units.get', 'units.create', 'units.update', 'units.disable',
                 'users.list', 'users.get', 'users.create', 'users.update', 'users.disable',
                 'users.enable', 'users.reset_password', 'audit.list', 'audit.verify'):
        assert name in names, name
    for m in methods():
        assert m['roles'], m
        for r in m['roles']:
            assert r in ('public',) + ROLES, m


def test_anonymous():
    problems = [p for m in methods() for p in [check(m, None, None)] if p]
    assert not problems, '\n'.join(problems)


def _as_role(role):
    token = login(role)
    problems = []
    for m in methods():
        p = check(m, role, token)
        if p:
            problems.append(p)
        if m['name'] in ENDS_SESSION and (role in m['roles'] or 'public' in m['roles']):
            token = login(role)
    assert not problems, '\n'.join(problems)


def test_inspector():
    _as_role('inspector')


def test_supervisor():
    _as_role('supervisor')


def test_admin():
    _as_role('admin')


def test_revoked_token_is_anonymous():
    """A token that no longer works is refused before any role check."""
    db, d = env()
    token = login('admin')
    d.rpc('auth.logout', token=token)
    problems = []
    for m in methods():
        if 'public' in m['roles']:
            continue
        e = call(m['name'], token)
        if e is None or e.code != -32001:
            problems.append('%s with a revoked token: %s' % (m['name'], e))
    assert not problems, '\n'.join(problems)


suitest.run(globals())
