# SPDX-License-Identifier: GPL-3.0-or-later
"""The daemon's own life: the embedded cluster under --data-dir, the config file, the
migration ledger, and the command line's one-shot actions and refusals."""

import json
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request

import suitest

PG_BINDIR = suitest.PG_BINDIR


def shuangsuid(args, env=None, timeout=180):
    e = dict(os.environ)
    if env:
        e.update(env)
    return subprocess.run([suitest._daemon_path()] + list(args), stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=e,
                          timeout=timeout)


def data_dir():
    """A short directory the unprivileged cluster owner can reach (never under /root)."""
    d = tempfile.mkdtemp(prefix='e', dir=suitest.TMP_ROOT)
    os.chmod(d, 0o755)
    return os.path.join(d, 'data')


def rpc(url, method, params=None, token=None):
    body = {'jsonrpc': '2.0', 'method': method, 'id': 1}
    if params is not None:
        body['params'] = params
    req = urllib.request.Request(url + '/rpc', data=json.dumps(body).encode(),
                                 headers={'Content-Type': 'application/json'})
    if token:
        req.add_header('Authorization', 'Bearer ' + token)
    with urllib.request.urlopen(req, timeout=30) as r:
        answer = json.loads(r.read())
    if 'error' in answer:
        raise suitest.RpcError(answer['error']['code'], answer['error']['message'],
                               answer['error'].get('data'))
    return answer['result']


def postmaster_running(pgdata):
    pidfile = os.path.join(pgdata, 'postmaster.pid')
    if not os.path.exists(pidfile):
        return False
    with open(pidfile) as f:
        pid = int(f.readline())
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


class Embedded:
    """shuangsuid --data-dir DIR, serving; stopped by SIGTERM."""

    def __init__(self, directory, args=()):
        self.dir = directory
        self.log = os.path.join(os.path.dirname(directory), 'daemon.log')
        out = open(self.log, 'ab')
        self.offset = out.tell()
        self.proc = subprocess.Popen([suitest._daemon_path(), '--data-dir', directory,
                                      '--listen', '127.0.0.1:0'] + list(args),
                                     stdin=subprocess.DEVNULL, stdout=out, stderr=out)
        out.close()
        deadline = time.monotonic() + 120
        while True:
            text = self.text()
            for line in text.splitlines():
                if line.startswith('listening on '):
                    self.url = line.split()[-1]
                    return
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError('embedded daemon did not start:\n' + text[-3000:])
            time.sleep(0.1)

    def text(self):
        """What this start wrote to the log."""
        with open(self.log, 'rb') as f:
            f.seek(self.offset)
            return f.read().decode('utf-8', 'replace')

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(90)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        return self.proc.returncode


def stop_cluster(pgdata):
    """Safety net: a cluster a failed test left running."""
    if not postmaster_running(pgdata):
        return
    argv = [os.path.join(PG_BINDIR, 'pg_ctl'), 'stop', '-m', 'immediate', '-w', '-D', pgdata]
    if os.geteuid() == 0:
        argv = ['runuser', '-u', pwd.getpwuid(os.stat(pgdata).st_uid).pw_name, '--'] + argv
    subprocess.run(argv, timeout=60, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_embedded_cluster_lifecycle():
    d = data_dir()
    pgdata = os.path.join(d, 'pgdata')
    try:
        p = shuangsuid(['--data-dir', d, '--create-admin', 'admin'],
                       env={'SHUANGSUI_PASSWORD': 'Admin@2026'})
        assert p.returncode == 0, p.stderr
        # The one-shot action started the cluster for itself and stopped it again.
        assert os.path.exists(os.path.join(pgdata, 'PG_VERSION'))
        assert not postmaster_running(pgdata), 'a one-shot action left PostgreSQL running'
        # No TCP: the socket lives inside the data directory.
        with open(os.path.join(pgdata, 'postgresql.conf')) as f:
            conf = f.read()
        assert "listen_addresses = ''" in conf, conf[-400:]
        if os.geteuid() == 0:
            assert pwd.getpwuid(os.stat(pgdata).st_uid).pw_name != 'root'

        e = Embedded(d)
        try:
            assert os.path.exists(os.path.join(d, 's', '.s.PGSQL.5432'))
            token = rpc(e.url, 'auth.login', {'login': 'admin', 'password': 'Admin@2026'})['token']
            assert rpc(e.url, 'auth.whoami', token=token)['user']['login'] == 'admin'
            assert postmaster_running(pgdata)
        finally:
            status = e.stop()
        assert status == 0, status
        assert not postmaster_running(pgdata), 'SIGTERM left the embedded PostgreSQL running'

        # The second start reuses the cluster and the data in it.
        e = Embedded(d)
        try:
            token = rpc(e.url, 'auth.login', {'login': 'admin', 'password': 'Admin@2026'})['token']
            assert token
            assert 'creating the database cluster' not in e.text(), e.text()
        finally:
            e.stop()
    finally:
        stop_cluster(pgdata)


def test_config_file_and_command_line():
    db, _ = suitest.fresh()
    workdir = tempfile.mkdtemp(prefix='c', dir=suitest.TMP_ROOT)
    config = os.path.join(workdir, 'shuangsuid.conf')
    with open(config, 'w') as f:
        f.write('[shuangsuid]\ndatabase=%s\nmax-body=2000\ntoken-hours=1\n' % db.conninfo)
    log = open(os.path.join(workdir, 'log'), 'wb')
    proc = subprocess.Popen([suitest._daemon_path(), '--config', config,
                             '--listen', '127.0.0.1:0'], stdout=log, stderr=log,
                            stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        url = None
        while url is None:
            with open(os.path.join(workdir, 'log')) as f:
                for line in f:
                    if line.startswith('listening on '):
                        url = line.split()[-1]
            assert proc.poll() is None and time.monotonic() < deadline, 'did not start'
            time.sleep(0.05)
        # max-body from the file applies.
        body = json.dumps({'jsonrpc': '2.0', 'method': 'system.ping', 'id': 1,
                           'params': {'pad': 'x' * 3000}}).encode()
        req = urllib.request.Request(url + '/rpc', data=body,
                                     headers={'Content-Type': 'application/json'})
        try:
            urllib.request.urlopen(req, timeout=30)
            raise AssertionError('a body over max-body from the config file was accepted')
        except urllib.error.HTTPError as e:
            assert e.code == 413, e.code
        # token-hours from the file applies: the token expires within the hour.
        r = rpc(url, 'auth.login', {'login': 'admin', 'password': 'Admin@2026'})
        expires = db.psql("select extract(epoch from ('%s'::timestamptz - now()))::int"
                          % r['expires_at']).strip()
        assert 3000 < int(expires) <= 3600, expires
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
        log.close()
    # A command-line setting wins over the file.
    p = shuangsuid(['--config', config, '--data-dir', '/nonexistent', '--migrate'])
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert '--data-dir' in p.stderr and '--database' in p.stderr, p.stderr


def test_changed_migration_stops_the_daemon():
    db, d = suitest.fresh()
    d.stop()
    db.psql("update schema_migration set checksum = repeat('0', 64) "
            "where name = '0001_foundation.sql'")
    p = suitest.run_cli(db.conninfo, ['--migrate'])
    assert p.returncode != 0, p.stdout
    assert '0001_foundation.sql' in p.stderr and 'changed after it was applied' in p.stderr, \
        p.stderr
    # Nothing was served: a daemon started on it refuses to come up.
    try:
        suitest.Daemon(db.conninfo)
        raise AssertionError('the daemon started on a database whose migration changed')
    except RuntimeError as e:
        assert 'changed after it was applied' in str(e), str(e)[-500:]


def test_migrate_is_idempotent():
    db, d = suitest.fresh()
    d.stop()
    before = db.psql('select count(*) from schema_migration').strip()
    p = suitest.run_cli(db.conninfo, ['--migrate'])
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip().endswith('0 migration(s) applied'), p.stdout
    assert db.psql('select count(*) from schema_migration').strip() == before


def test_command_line_refusals():
    db, d = suitest.fresh()
    # Neither or both of --data-dir and --database.
    p = shuangsuid(['--migrate'])
    assert p.returncode == 2 and '--data-dir' in p.stderr, p.stderr
    # An administrator needs a password of at least 8 characters, from the environment only.
    p = suitest.run_cli(db.conninfo, ['--create-admin', 'boss'], env={'SHUANGSUI_PASSWORD': ''})
    assert p.returncode == 2 and 'SHUANGSUI_PASSWORD' in p.stderr, p.stderr
    p = suitest.run_cli(db.conninfo, ['--create-admin', 'boss'],
                        env={'SHUANGSUI_PASSWORD': 'short'})
    assert p.returncode == 2, p.stderr
    assert db.psql("select count(*) from app_user where login = 'boss'").strip() == '0'
    # A bad listen address and a database that does not answer are said plainly.
    p = shuangsuid(['--database', db.conninfo, '--listen', 'nowhere'])
    assert p.returncode != 0 and 'HOST:PORT' in p.stderr, p.stderr
    p = shuangsuid(['--database', 'host=/nonexistent port=1 dbname=x', '--migrate'], timeout=60)
    assert p.returncode == 1 and 'cannot connect to the database' in p.stderr, p.stderr
    assert 'nonexistent' not in p.stdout
    # --tls-cert needs --tls-key.
    p = shuangsuid(['--database', db.conninfo, '--tls-cert', '/nonexistent'])
    assert p.returncode == 2 and '--tls-key' in p.stderr, p.stderr


def test_demo_data_loads_twice_without_change():
    db, d = suitest.fresh()
    p = suitest.run_cli(db.conninfo, ['--demo-data'])
    assert p.returncode == 0, p.stderr
    counts = db.psql('select (select count(*) from unit), (select count(*) from app_user), '
                     '(select count(*) from audit_log)').strip()
    p = suitest.run_cli(db.conninfo, ['--demo-data'])
    assert p.returncode == 0, p.stderr
    assert db.psql('select (select count(*) from unit), (select count(*) from app_user), '
                   '(select count(*) from audit_log)').strip() == counts
    units, users, _ = counts.split('|')
    assert int(units) >= 25 and int(users) >= 45, counts
    token = d.login('sup_changan', 'Demo@2026')
    assert d.rpc('auth.whoami', token=token)['user']['role'] == 'supervisor'


suitest.run(globals())
