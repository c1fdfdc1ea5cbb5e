# SPDX-License-Identifier: GPL-3.0-or-later
"""suitest — the harness for Shuangsui's integration tests.

Starts throwaway PostgreSQL 15 clusters and the real shuangsuid against them, talks to the
daemon over real HTTP, and prints TAP.  Standard library only; run with /usr/bin/python3.

    import suitest
    def test_ping():
        db, d = suitest.fresh()
        assert d.rpc('system.ping')['pong'] is True
    suitest.run(globals())

Environment:
    SUI_SOURCE_ROOT, SUI_BUILD_ROOT   where the sources and the meson build are
    SUI_TMP_ROOT                      a short directory to put clusters in (default /tmp);
                                      scripts/test sets it so it can clean up after a crash
    SUI_PG_BINDIR                     PostgreSQL programs (default /usr/lib/postgresql/15/bin)
    SUI_TEST_TIMEOUT                  seconds one test_* function may take (default 300)
    SUI_KEEP                          if set, keep temp dirs (logs) after the run
"""

import atexit
import http.client
import itertools
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

__all__ = [
    'SOURCE_ROOT', 'BUILD_ROOT', 'RpcError', 'Cluster', 'Database', 'Daemon',
    'cluster', 'fresh', 'run', 'claim_item', 'ADMIN_LOGIN', 'ADMIN_PASSWORD',
]

_here = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.environ.get('SUI_SOURCE_ROOT') or os.path.dirname(os.path.dirname(_here))
BUILD_ROOT = os.environ.get('SUI_BUILD_ROOT') or os.path.join(SOURCE_ROOT, 'build')
PG_BINDIR = os.environ.get('SUI_PG_BINDIR', '/usr/lib/postgresql/15/bin')
TMP_ROOT = os.environ.get('SUI_TMP_ROOT', '/tmp')

ADMIN_LOGIN = 'admin'
ADMIN_PASSWORD = 'Admin@2026'

# Every external step gets a deadline so a stuck process fails the test instead of hanging it.
STEP_TIMEOUT = 120
DAEMON_START_TIMEOUT = 60


def _log(msg):
    """A TAP diagnostic line; never interferes with the test points."""
    for line in str(msg).splitlines() or ['']:
        sys.stdout.write('# ' + line + '\n')
    sys.stdout.flush()


def _daemon_path():
    return os.path.join(BUILD_ROOT, 'server', 'shuangsuid')


class RpcError(Exception):
    """A JSON-RPC error object returned by the daemon."""

    def __init__(self, code, message, data=None):
        super().__init__('%s: %s%s' % (code, message,
                                       '' if data is None else ' ' + json.dumps(data,
                                                                                ensure_ascii=False)))
        self.code = code
        self.message = message
        self.data = data


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _run(argv, timeout=STEP_TIMEOUT, check=True, env=None, input=None):
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=timeout, env=env, input=input, stdin=None if input is not None
                           else subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        raise RuntimeError('timed out after %ss: %s' % (timeout, ' '.join(argv))) from e
    if check and p.returncode != 0:
        raise RuntimeError('%s exited with %d\n%s%s' % (' '.join(argv), p.returncode,
                                                       p.stdout, p.stderr))
    return p


class Cluster:
    """A throwaway PostgreSQL 15 cluster: Unix socket only, fsync off, trust auth."""

    def __init__(self):
        os.makedirs(TMP_ROOT, exist_ok=True)
        # Short path: the socket name must fit in sockaddr_un (~107 bytes).
        self.dir = tempfile.mkdtemp(prefix='c', dir=TMP_ROOT)
        os.chmod(self.dir, 0o755)
        self.datadir = os.path.join(self.dir, 'data')
        self.sockdir = os.path.join(self.dir, 's')
        self.logfile = os.path.join(self.dir, 'postgres.log')
        self.port = _free_port()
        self.user = 'postgres'
        self._owner = None
        self._running = False
        os.makedirs(self.sockdir, mode=0o755)
        if os.geteuid() == 0:
            # initdb refuses root: run the server as an unprivileged account.
            try:
                self._owner = pwd.getpwnam('postgres')
            except KeyError:
                self._owner = pwd.getpwnam('nobody')
            for path in (self.dir, self.sockdir):
                os.chown(path, self._owner.pw_uid, self._owner.pw_gid)
        self._initdb()
        self.start()

    # -- running programs as the cluster owner
    def _as_owner(self, argv):
        if self._owner is not None:
            return ['runuser', '-u', self._owner.pw_name, '--'] + argv
        return argv

    def _initdb(self):
        _run(self._as_owner([os.path.join(PG_BINDIR, 'initdb'), '-D', self.datadir,
                             '-U', self.user, '--auth=trust', '-E', 'UTF8',
                             '--locale=C.UTF-8', '--no-sync']), timeout=STEP_TIMEOUT)
        conf = """
# suitest: a throwaway cluster
listen_addresses = ''
unix_socket_directories = '%s'
unix_socket_permissions = 0777
port = %d
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 300
shared_buffers = 64MB
timezone = 'Asia/Shanghai'
log_timezone = 'Asia/Shanghai'
logging_collector = off
log_min_messages = warning
""" % (self.sockdir, self.port)
        # The data dir belongs to the owner; append through the owner too.
        _run(self._as_owner(['sh', '-c', 'cat >> "$1"', 'sh',
                             os.path.join(self.datadir, 'postgresql.conf')]), input=conf)

    def conninfo(self, dbname='postgres'):
        return 'host=%s port=%d user=%s dbname=%s' % (self.sockdir, self.port, self.user, dbname)

    def start(self):
        if self._running:
            return
        _run(self._as_owner([os.path.join(PG_BINDIR, 'pg_ctl'), '-D', self.datadir, '-l',
                             self.logfile, '-w', '-t', '60', 'start']), timeout=90)
        self._running = True

    def stop(self, mode='fast'):
        if not self._running:
            return
        p = _run(self._as_owner([os.path.join(PG_BINDIR, 'pg_ctl'), '-D', self.datadir,
                                 '-m', mode, '-w', '-t', '60', 'stop']), timeout=90, check=False)
        if p.returncode != 0:
            self._kill_postmaster()
        self._running = False

    def _kill_postmaster(self):
        try:
            with open(os.path.join(self.datadir, 'postmaster.pid')) as f:
                pid = int(f.readline())
            os.kill(pid, signal.SIGQUIT)
            for _ in range(100):
                os.kill(pid, 0)
                time.sleep(0.1)
            os.kill(pid, signal.SIGKILL)
        except (OSError, ValueError):
            pass

    def restart(self):
        self.stop()
        self.start()

    @property
    def running(self):
        return self._running

    def psql(self, sql, dbname='postgres'):
        """Runs SQL (ON_ERROR_STOP, tuples only, unaligned); returns stdout."""
        p = _run([os.path.join(PG_BINDIR, 'psql'), '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-tA',
                  '-d', self.conninfo(dbname), '-c', sql], check=False)
        if p.returncode != 0:
            raise RuntimeError('psql failed (%d): %s\n%s' % (p.returncode, sql, p.stderr))
        return p.stdout

    def createdb(self, name):
        self.psql('create database "%s"' % name.replace('"', '""'))
        return Database(self, name)

    def destroy(self):
        self.stop('immediate')
        if not os.environ.get('SUI_KEEP'):
            shutil.rmtree(self.dir, ignore_errors=True)


class Database:
    def __init__(self, cluster_, name):
        self.cluster = cluster_
        self.name = name
        self.conninfo = cluster_.conninfo(name)

    def psql(self, sql):
        return self.cluster.psql(sql, self.name)


_daemons = []
_ids = itertools.count(1)


class Daemon:
    """The real shuangsuid on a database of a test cluster, listening on 127.0.0.1."""

    def __init__(self, conninfo, args=(), listen='127.0.0.1:0', env=None, workdir=None):
        self.conninfo = conninfo
        self.args = list(args)
        self.listen = listen
        self.env = env
        self.workdir = workdir or tempfile.mkdtemp(prefix='d', dir=TMP_ROOT)
        self.logfile = os.path.join(self.workdir, 'shuangsuid.log')
        self.proc = None
        self.url = None
        self.host = None
        self.port = None
        _daemons.append(self)
        self.start()

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def start(self):
        argv = [_daemon_path(), '--database', self.conninfo, '--listen', self.listen] + self.args
        env = dict(os.environ)
        if self.env:
            env.update(self.env)
        log = open(self.logfile, 'ab')
        log.write(('--- start: %s\n' % ' '.join(argv)).encode())
        log.flush()
        offset = log.tell()
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                     env=env)
        log.close()
        deadline = time.monotonic() + DAEMON_START_TIMEOUT
        pat = re.compile(rb'listening on (http://([^\s:/]+|\[[^\]]+\]):(\d+))')
        while True:
            with open(self.logfile, 'rb') as f:
                f.seek(offset)
                m = pat.search(f.read())
            if m:
                self.url = m.group(1).decode()
                self.host = m.group(2).decode().strip('[]')
                self.port = int(m.group(3))
                return
            if self.proc.poll() is not None:
                raise RuntimeError('shuangsuid exited with %s before listening:\n%s'
                                   % (self.proc.returncode, self.log()[-4000:]))
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError('shuangsuid did not print "listening on" within %ss:\n%s'
                                   % (DAEMON_START_TIMEOUT, self.log()[-4000:]))
            time.sleep(0.05)

    def stop(self, timeout=20):
        """SIGTERM, then SIGKILL after `timeout` s.  Returns the exit status."""
        if self.proc is None:
            return None
        p = self.proc
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                _log('shuangsuid %d ignored SIGTERM for %ss; killing it' % (p.pid, timeout))
                p.kill()
                p.wait(10)
        self.proc = None
        return p.returncode

    def restart(self):
        """Stops and starts again on the same port (the url stays the same)."""
        if self.port:
            self.listen = '%s:%d' % (self.host, self.port)
        self.stop()
        # The port was ours a moment ago; retry briefly in case the kernel holds it.
        for attempt in range(50):
            try:
                self.start()
                return
            except RuntimeError:
                if attempt == 49:
                    raise
                time.sleep(0.2)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log(self):
        try:
            with open(self.logfile, 'rb') as f:
                return f.read().decode('utf-8', 'replace')
        except OSError:
            return ''

    # -- HTTP
    def connection(self, timeout=60):
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def call_raw(self, body, headers=None, method='POST', path='/rpc', timeout=60):
        """Sends one HTTP request; returns (status, headers with lower-case names, body bytes).

        `body` is bytes, str (sent as UTF-8) or None.  Content-Type defaults to
        application/json; give a header the value None to leave it out.
        """
        if isinstance(body, str):
            body = body.encode('utf-8')
        h = {'Content-Type': 'application/json'}
        for k, v in (headers or {}).items():
            for existing in [e for e in h if e.lower() == k.lower()]:
                del h[existing]
            h[k] = v
        h = {k: v for k, v in h.items() if v is not None}
        conn = self.connection(timeout)
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            data = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data
        finally:
            conn.close()

    def rpc(self, method, params=None, token=None, timeout=60):
        """One JSON-RPC call; returns the result or raises RpcError."""
        req = {'jsonrpc': '2.0', 'method': method, 'id': next(_ids)}
        if params is not None:
            req['params'] = params
        headers = {}
        if token:
            headers['Authorization'] = 'Bearer ' + token
        status, _, body = self.call_raw(json.dumps(req), headers, timeout=timeout)
        if status != 200:
            raise AssertionError('HTTP %d for %s: %r' % (status, method, body[:500]))
        answer = json.loads(body)
        if answer.get('jsonrpc') != '2.0' or answer.get('id') != req['id']:
            raise AssertionError('malformed answer to %s: %r' % (method, answer))
        if 'error' in answer:
            e = answer['error']
            raise RpcError(e.get('code'), e.get('message'), e.get('data'))
        return answer['result']

    def login(self, login, password):
        return self.rpc('auth.login', {'login': login, 'password': password})['token']

    def run_cli(self, args, env=None, timeout=STEP_TIMEOUT):
        """shuangsuid --database <conninfo> ARGS as a one-shot command."""
        e = dict(os.environ)
        if env:
            e.update(env)
        try:
            return subprocess.run([_daemon_path(), '--database', self.conninfo] + list(args),
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, env=e, timeout=timeout)
        except subprocess.TimeoutExpired as ex:
            raise RuntimeError('shuangsuid %s timed out after %ss' % (' '.join(args), timeout)) \
                from ex


def run_cli(conninfo, args, env=None, timeout=STEP_TIMEOUT):
    """shuangsuid --database CONNINFO ARGS without a running daemon."""
    e = dict(os.environ)
    if env:
        e.update(env)
    try:
        return subprocess.run([_daemon_path(), '--database', conninfo] + list(args),
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=e, timeout=timeout)
    except subprocess.TimeoutExpired as ex:
        raise RuntimeError('shuangsuid %s timed out after %ss' % (' '.join(args), timeout)) \
            from ex


# -- module-wide cluster and cleanup

_cluster = None
_db_ids = itertools.count(1)
_cleaned = False


def cluster():
    """The cluster of this test process, created on first use, stopped at exit."""
    global _cluster
    if _cluster is None:
        _cluster = Cluster()
    elif not _cluster.running:
        _cluster.start()
    return _cluster


def fresh(daemon_args=()):
    """A new database with the admin account (`admin` / Admin@2026) and a daemon on it."""
    c = cluster()
    db = c.createdb('t%d_%d' % (os.getpid(), next(_db_ids)))
    p = run_cli(db.conninfo, ['--create-admin', ADMIN_LOGIN],
                env={'SHUANGSUI_PASSWORD': ADMIN_PASSWORD})
    if p.returncode != 0:
        raise RuntimeError('shuangsuid --create-admin failed (%d):\n%s%s'
                           % (p.returncode, p.stdout, p.stderr))
    return db, Daemon(db.conninfo, daemon_args)


# ---- helpers the server tests share ------------------------------------------------------

CREDIT_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY'
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
TEST_PASSWORD = 'Secret@2026'
_CJK = re.compile(r'[\u4e00-\u9fff]')


def credit_code(n, head='92130102'):
    """A valid 统一社会信用代码 (GB 32100-2015) with the subject number n."""
    body = head
    for _ in range(9):
        body += CREDIT_ALPHABET[n % 31]
        n //= 31
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(body, CREDIT_WEIGHTS))
    return body + CREDIT_ALPHABET[(31 - total % 31) % 31]


def expect_error(code, fn, *args, **kwargs):
    """fn(*args, **kwargs) must fail with the JSON-RPC error code; returns the RpcError.
    An application error's message must be Chinese: it is shown to the user (the standard
    protocol errors, -32700 to -32602, speak to a programmer)."""
    try:
        fn(*args, **kwargs)
    except RpcError as e:
        assert e.code == code, 'expected %d, got %d %s %r' % (code, e.code, e.message, e.data)
        if code not in (-32700, -32600, -32601, -32602):
            assert _CJK.search(e.message), e.message
        return e
    raise AssertionError('expected error %d, the call succeeded' % code)


_registers = {}


def registers_env():
    """One database with two direct units (changan, qiaoxi), a supervisor in each (sup_ca,
    sup_qx) and an inspector account (insp_ca): (db, daemon, tokens, units)."""
    if 'd' not in _registers:
        db, d = fresh()
        admin = d.login(ADMIN_LOGIN, ADMIN_PASSWORD)
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
                                   'unit_id': units[unit], 'password': TEST_PASSWORD},
                  token=admin)
            tokens[login] = d.login(login, TEST_PASSWORD)
        _registers.update(db=db, d=d, units=units, tokens=tokens, bureau=bureau)
    return _registers['db'], _registers['d'], _registers['tokens'], _registers['units']


def claim_item(d, token, code):
    """The id of the caller's unit's active item for the catalogue item `code` (e.g. the
    seeded 'YC-02'), claimed from the catalogue first when the unit does not hold it."""
    for item in d.rpc('items.list', {'query': code}, token=token)['items']:
        if item['code'] == code:
            return item['id']
    entry = next(c for c in d.rpc('catalogue.list', {'query': code}, token=token)['items']
                 if c['code'] == code)
    return d.rpc('items.claim', {'catalogue_id': entry['id']}, token=token)['id']


def cleanup():
    """Stops every daemon and the cluster.  Safe to call more than once."""
    global _cleaned, _cluster
    if _cleaned:
        return
    _cleaned = True
    for d in list(_daemons):
        try:
            rc = d.stop()
            if rc is not None and rc not in (0, -signal.SIGTERM) and not os.environ.get('SUI_QUIET'):
                _log('shuangsuid exited with %s at cleanup; log %s' % (rc, d.logfile))
        except Exception as e:  # keep cleaning up whatever happens
            _log('stopping shuangsuid: %s' % e)
        if not os.environ.get('SUI_KEEP'):
            shutil.rmtree(d.workdir, ignore_errors=True)
    if _cluster is not None:
        try:
            _cluster.destroy()
        except Exception as e:
            _log('stopping the cluster: %s' % e)
        _cluster = None


def _on_signal(signum, frame):
    cleanup()
    os._exit(128 + signum)


atexit.register(cleanup)
for _sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    try:
        signal.signal(_sig, _on_signal)
    except (ValueError, OSError):
        pass


class _TestTimeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise _TestTimeout('test took longer than %s s' % os.environ.get('SUI_TEST_TIMEOUT', '300'))


def run(namespace):
    """Runs every test_* function of `namespace` in definition order and prints TAP."""
    tests = [(name, fn) for name, fn in list(namespace.items())
             if name.startswith('test_') and callable(fn)]
    limit = int(os.environ.get('SUI_TEST_TIMEOUT', '300'))
    signal.signal(signal.SIGALRM, _on_alarm)
    sys.stdout.write('1..%d\n' % len(tests))
    sys.stdout.flush()
    failed = 0
    for n, (name, fn) in enumerate(tests, 1):
        started = time.monotonic()
        signal.alarm(limit)
        try:
            fn()
            ok = True
        except BaseException as e:  # noqa: B902 — a test point fails, the run goes on
            if isinstance(e, (KeyboardInterrupt, SystemExit)):
                signal.alarm(0)
                raise
            ok = False
            tb = traceback.format_exc()
        finally:
            signal.alarm(0)
        took = time.monotonic() - started
        if ok:
            sys.stdout.write('ok %d - %s\n' % (n, name))
        else:
            failed += 1
            sys.stdout.write('not ok %d - %s\n' % (n, name))
            _log(tb.rstrip())
            for d in _daemons:
                if d.proc is not None and d.proc.poll() is not None:
                    _log('shuangsuid (pid %s) died with %s; log tail:' % (d.proc.pid,
                                                                       d.proc.returncode))
                    _log(d.log()[-3000:])
        if took > 5:
            _log('%s took %.1f s' % (name, took))
        sys.stdout.flush()
    cleanup()
    sys.stdout.flush()
    sys.exit(1 if failed else 0)
