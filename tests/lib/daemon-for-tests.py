#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""daemon-for-tests — the real shuangsuid on a throwaway cluster, for the client's C tests.

A C test spawns this (client/tests/sui-test-daemon.c) and talks to it through its stdin and
stdout, one line at a time, so that the widgets under test meet the real daemon and the real
database instead of canned answers:

    /usr/bin/python3 tests/lib/daemon-for-tests.py [--demo-data]
        [--unit CODE:KIND:NAME]... [--user LOGIN:ROLE:UNIT_CODE:PASSWORD:NAME]...

It starts a cluster and the daemon through suitest (a migrated database with the admin
`admin` / `Admin@2026`), creates the units and users asked for over RPC as the admin (a unit
goes under the bureau; UNIT_CODE `bureau` names the bureau itself), and prints one line:

    {"ok": true, "url": "http://127.0.0.1:PORT", "pid": DAEMON_PID,
     "admin": {"login", "password", "id"}, "units": {CODE: ID, ...},
     "users": {LOGIN: {"id", "password", "role", "unit_id"}, ...}}

Then it obeys commands, one a line, and answers each with one line of JSON:

    stop | start | restart   the daemon; it comes back on the same address
                             -> {"ok": true, "url": ..., "pid": ...}
    rpc {"method": M, "params": P, "token": T}
                             one call, as the admin unless "token" is given (null: no token)
                             -> {"ok": true, "result": R} or {"ok": true, "error": {code,
                                message, data}}
    psql SQL                 on the daemon's database -> {"ok": true, "output": TEXT}
    ping                     -> {"ok": true}

A command that cannot be carried out answers {"ok": false, "message": ...}.  At the end of its
input (the test closed the pipe, or died) it stops the daemon and the cluster and exits; SIGTERM
does the same.  Everything but the answers goes to stderr.
"""

import argparse
import json
import os
import sys
import time
import traceback

# The answers own the real stdout; anything suitest or a child prints goes to stderr.
_answers = os.fdopen(os.dup(1), 'w', encoding='utf-8')
os.dup2(2, 1)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import suitest  # noqa: E402


def answer(obj):
    _answers.write(json.dumps(obj, ensure_ascii=False) + '\n')
    _answers.flush()


class Launcher:
    def __init__(self, opts):
        self.db, self.daemon = suitest.fresh()
        if opts.demo_data:
            p = self.daemon.run_cli(['--demo-data'])
            if p.returncode != 0:
                raise RuntimeError('shuangsuid --demo-data failed (%d):\n%s%s'
                                   % (p.returncode, p.stdout, p.stderr))
        self.token = None
        admin = self.call_as_admin('auth.whoami')['user']
        self.units = {}
        for unit in self.call_as_admin('units.list', {'include_disabled': True})['items']:
            self.units[unit['code']] = unit['id']
            if unit['kind'] == 'bureau':
                self.units['bureau'] = unit['id']
        for spec in opts.unit:
            code, kind, name = spec.split(':', 2)
            self.units[code] = self.call_as_admin('units.create', {
                'code': code, 'kind': kind, 'name': name})['id']
        self.users = {}
        for spec in opts.user:
            login, role, unit_code, password, name = spec.split(':', 4)
            user = self.call_as_admin('users.create', {
                'login': login, 'role': role, 'unit_id': self.units[unit_code],
                'password': password, 'name': name})
            self.users[login] = {'id': user['id'], 'password': password, 'role': role,
                                 'unit_id': user['unit_id']}
        self.info = {
            'admin': {'login': suitest.ADMIN_LOGIN, 'password': suitest.ADMIN_PASSWORD,
                      'id': admin['id']},
            'units': self.units,
            'users': self.users,
        }

    def where(self):
        return {'ok': True, 'url': self.daemon.url, 'pid': self.daemon.pid}

    def call_as_admin(self, method, params=None):
        """As the admin; logs in again when the token has gone (a test may end sessions)."""
        for attempt in (1, 2):
            if self.token is None:
                self.token = self.daemon.login(suitest.ADMIN_LOGIN, suitest.ADMIN_PASSWORD)
            try:
                return self.daemon.rpc(method, params, token=self.token)
            except suitest.RpcError as e:
                if e.code != -32001 or attempt == 2:
                    raise
                self.token = None
        raise AssertionError('unreachable')

    def rpc(self, request):
        method = request['method']
        params = request.get('params')
        try:
            if 'token' in request:
                result = self.daemon.rpc(method, params, token=request['token'])
            else:
                result = self.call_as_admin(method, params)
        except suitest.RpcError as e:
            return {'ok': True, 'error': {'code': e.code, 'message': e.message, 'data': e.data}}
        return {'ok': True, 'result': result}

    def start(self):
        """Starts the daemon on the address it had; the kernel may hold the port a moment."""
        if self.daemon.alive():
            return
        self.daemon.listen = '%s:%d' % (self.daemon.host, self.daemon.port)
        for attempt in range(50):
            try:
                self.daemon.start()
                return
            except RuntimeError:
                if attempt == 49:
                    raise
                time.sleep(0.2)

    def obey(self, line):
        verb, _, rest = line.partition(' ')
        if verb == 'ping':
            return {'ok': True}
        if verb == 'stop':
            self.daemon.stop()
            return self.where()
        if verb == 'start':
            self.start()
            return self.where()
        if verb == 'restart':
            self.daemon.stop()
            self.start()
            return self.where()
        if verb == 'rpc':
            return self.rpc(json.loads(rest))
        if verb == 'psql':
            return {'ok': True, 'output': self.db.psql(rest)}
        return {'ok': False, 'message': 'unknown command: %r' % verb}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--demo-data', action='store_true')
    parser.add_argument('--unit', action='append', default=[], metavar='CODE:KIND:NAME')
    parser.add_argument('--user', action='append', default=[],
                        metavar='LOGIN:ROLE:UNIT_CODE:PASSWORD:NAME')
    opts = parser.parse_args()

    try:
        launcher = Launcher(opts)
    except Exception as e:  # say why on the protocol line, then clean up
        traceback.print_exc()
        answer({'ok': False, 'message': 'cannot start: %s' % e})
        suitest.cleanup()
        return 1

    first = launcher.where()
    first.update(launcher.info)
    answer(first)

    for line in sys.stdin:
        line = line.rstrip('\n')
        if not line:
            continue
        try:
            reply = launcher.obey(line)
        except Exception as e:  # one failed command must not end the others
            traceback.print_exc()
            reply = {'ok': False, 'message': '%s: %s' % (type(e).__name__, e)}
        try:
            answer(reply)
        except BrokenPipeError:
            break

    suitest.cleanup()
    return 0


if __name__ == '__main__':
    sys.exit(main())
