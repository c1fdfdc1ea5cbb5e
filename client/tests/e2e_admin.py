#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end: the real shuangsui against the real shuangsuid, driven through AT-SPI.

Logs in as admin through the login window, creates a unit and a user through the forms and
finds the user in the list, in Chinese (LANG=zh_CN.UTF-8). Needs an X display (Xvfb) and a
D-Bus session bus, which scripts/test provides; without them the test is skipped. Starts its
own accessibility bus inside that session and stops it by PID at the end. Screenshots go to
<build>/client/tests/.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

_here = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.environ.get('SUI_SOURCE_ROOT') or os.path.dirname(os.path.dirname(_here))
sys.path.insert(0, os.path.join(SOURCE_ROOT, 'tests', 'lib'))

if not os.environ.get('DISPLAY') or not os.environ.get('DBUS_SESSION_BUS_ADDRESS'):
    print('1..0 # SKIP needs DISPLAY and DBUS_SESSION_BUS_ADDRESS (run through scripts/test)')
    sys.exit(0)

# GLib reads G_DEBUG once, when it is loaded: keep fatal-warnings (from the test environment)
# away from pyatspi's own harmless warnings, but pass it on to the daemon.
_g_debug = os.environ.pop('G_DEBUG', None)
import gi  # noqa: E402,F401
if _g_debug is not None:
    os.environ['G_DEBUG'] = _g_debug

import suitest  # noqa: E402

BUILD_ROOT = suitest.BUILD_ROOT
CLIENT = os.path.join(BUILD_ROOT, 'client', 'shuangsui')
SHOT_DIR = os.path.join(BUILD_ROOT, 'client', 'tests')
STEP = 30            # seconds to wait for one thing to happen in the UI
UNIT_NAME = '测试区烟草专卖局'
UNIT_CODE = 'e2e_test_unit'
USER_LOGIN = 'e2e_inspector'
USER_NAME = '测试检查员'
USER_PASSWORD = 'Insp@2026x'

_procs = []          # (name, Popen) started here, killed by PID at exit
_tmp = tempfile.mkdtemp(prefix='sui-e2e-', dir=os.environ.get('SUI_TMP_ROOT', '/tmp'))


def log(msg):
    sys.stderr.write('# %s\n' % msg)
    sys.stderr.flush()


def start(name, argv, env=None):
    logfile = open(os.path.join(_tmp, name + '.log'), 'wb')
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=logfile, stderr=logfile,
                            env=env, start_new_session=True)
    logfile.close()
    _procs.append((name, proc))
    return proc


def stop_all():
    for name, proc in reversed(_procs):
        if proc.poll() is not None:
            continue
        try:
            os.kill(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        except ProcessLookupError:
            pass
    del _procs[:]


def wait_for(what, predicate, timeout=STEP, interval=0.2):
    """Polls predicate() until it returns something true; fails after timeout seconds."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception as e:  # the tree changes under us while the UI updates
            last_error = e
        time.sleep(interval)
    raise AssertionError('timed out after %ss waiting for %s%s'
                         % (timeout, what, ' (last error: %s)' % last_error if last_error else ''))


def screenshot(name):
    path = os.path.join(SHOT_DIR, name)
    try:
        subprocess.run(['import', '-window', 'root', path], timeout=30, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        log('screenshot %s' % path)
    except (subprocess.SubprocessError, OSError) as e:
        log('screenshot %s failed: %s' % (path, e))


def a11y_bus_owned():
    # NameHasOwner does not start a bus through D-Bus activation, GetAddress would.
    p = subprocess.run(['gdbus', 'call', '--session', '--dest', 'org.freedesktop.DBus',
                        '--object-path', '/org/freedesktop/DBus',
                        '--method', 'org.freedesktop.DBus.NameHasOwner', 'org.a11y.Bus'],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, timeout=10)
    return p.returncode == 0 and 'true' in p.stdout


def a11y_bus_answers():
    p = subprocess.run(['gdbus', 'call', '--session', '--dest', 'org.a11y.Bus',
                        '--object-path', '/org/a11y/bus', '--method', 'org.a11y.Bus.GetAddress'],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, timeout=10)
    return p.returncode == 0 and 'unix:' in p.stdout


# -- the accessibility tree

def walk(acc, depth=0, max_depth=60):
    if acc is None or depth > max_depth:
        return
    yield acc
    try:
        n = acc.childCount
    except Exception:
        return
    for i in range(n):
        try:
            child = acc.getChildAtIndex(i)
        except Exception:
            continue
        yield from walk(child, depth + 1, max_depth)


def dump_tree(path):
    """Writes the client's accessibility tree next to the failure screenshot."""
    try:
        app = app_root()
        with open(path, 'w') as out:
            for acc in walk(app):
                depth = 0
                parent = acc
                while parent is not None and parent != app and depth < 80:
                    parent = parent.parent
                    depth += 1
                out.write('%s[%s] %r\n' % ('  ' * depth, acc.getRoleName(), acc.name))
        log('accessibility tree in %s' % path)
    except Exception as e:
        log('could not dump the accessibility tree: %s' % e)


def showing(acc):
    import pyatspi
    try:
        return acc.getState().contains(pyatspi.STATE_VISIBLE)
    except Exception:
        return False


def find(root, role, name=None, prefix=None, visible=True):
    for acc in walk(root):
        try:
            if acc.getRoleName() != role:
                continue
            n = acc.name or ''
        except Exception:
            continue
        if name is not None and n != name:
            continue
        if prefix is not None and not n.startswith(prefix):
            continue
        if visible and not showing(acc):
            continue
        return acc
    return None


def app_root():
    import pyatspi
    desktop = pyatspi.Registry.getDesktop(0)
    for i in range(desktop.childCount):
        app = desktop.getChildAtIndex(i)
        if app is not None and app.name == 'shuangsui':
            return app
    return None


def frame(title):
    app = app_root()
    if app is None:
        return None
    for i in range(app.childCount):
        f = app.getChildAtIndex(i)
        if f is not None and f.name == title and f.getRoleName() in ('frame', 'dialog', 'window'):
            return f
    return None


def set_text(root, label, text):
    entry = wait_for('text field %s' % label, lambda: find(root, 'text', prefix=label))
    # A synchronous D-Bus call: GTK has set the text when it returns.
    assert entry.queryEditableText().setTextContents(text), 'could not type into %s' % label


def click(root, name):
    button = wait_for('button %s' % name, lambda: find(root, 'push button', name=name))
    action = button.queryAction()
    for i in range(action.nActions):
        if action.getName(i) in ('click', 'activate', 'press'):
            action.doAction(i)
            return
    action.doAction(0)


def label_text(root, name):
    return find(root, 'label', name=name)


# -- the test

def test_admin_creates_unit_and_user():
    try:
        _admin_creates_unit_and_user()
    except BaseException:
        screenshot('e2e-failure.png')
        dump_tree(os.path.join(SHOT_DIR, 'e2e-failure-a11y.txt'))
        try:
            with open(os.path.join(_tmp, 'shuangsui.log'), errors='replace') as f:
                log('client log:\n' + f.read()[-3000:])
        except OSError:
            pass
        raise


def _admin_creates_unit_and_user():
    db, d = suitest.fresh()
    log('daemon at %s' % d.url)

    start('at-spi-bus-launcher', ['/usr/libexec/at-spi-bus-launcher', '--launch-immediately'])
    wait_for('the accessibility bus launcher to own org.a11y.Bus', a11y_bus_owned)
    wait_for('org.a11y.Bus to answer', a11y_bus_answers)

    home = os.path.join(_tmp, 'home')
    for sub in ('config', 'data', 'cache', 'state', 'runtime'):
        os.makedirs(os.path.join(home, sub), mode=0o700, exist_ok=True)
    env = dict(os.environ)
    env.pop('GTK_A11Y', None)
    env.pop('SHUANGSUI_LOCALEDIR', None)
    env.update({
        'LANG': 'zh_CN.UTF-8', 'LC_ALL': 'zh_CN.UTF-8', 'LANGUAGE': 'zh_CN',
        'HOME': home,
        'XDG_CONFIG_HOME': os.path.join(home, 'config'),
        'XDG_DATA_HOME': os.path.join(home, 'data'),
        'XDG_CACHE_HOME': os.path.join(home, 'cache'),
        'XDG_STATE_HOME': os.path.join(home, 'state'),
        'XDG_RUNTIME_DIR': os.path.join(home, 'runtime'),
        'GSETTINGS_BACKEND': 'memory',
        'GDK_BACKEND': 'x11',
        'G_DEBUG': '',
    })
    client = start('shuangsui', [CLIENT], env=env)

    import pyatspi  # noqa: F401 — connects to the accessibility bus started above

    login = wait_for('the login window', lambda: frame('双随 — 登录'), timeout=60)
    assert client.poll() is None, 'the client exited with %s' % client.returncode
    set_text(login, '服务器地址', d.url)
    set_text(login, '登录名', suitest.ADMIN_LOGIN)
    set_text(login, '密码', suitest.ADMIN_PASSWORD)
    screenshot('e2e-login.png')
    click(login, '登录')

    main = wait_for('the main window', lambda: frame('双随'), timeout=60)
    wait_for('the administration area', lambda: find(main, 'label', name='系统管理'))
    wait_for('the admin user in the list', lambda: label_text(main, suitest.ADMIN_LOGIN))

    # A unit, through the unit form
    click(main, '新建单位')
    dialog = wait_for('the unit form', lambda: frame('新建单位'))
    set_text(dialog, '单位名称', UNIT_NAME)
    set_text(dialog, '单位编码', UNIT_CODE)
    click(dialog, '保存')
    wait_for('the unit form to close', lambda: frame('新建单位') is None)
    wait_for('the new unit in the tree', lambda: label_text(main, UNIT_NAME))

    # A user in that unit (the new unit is selected, so the form proposes it)
    click(main, '新建用户')
    dialog = wait_for('the user form', lambda: frame('新建用户'))
    set_text(dialog, '登录名', USER_LOGIN)
    set_text(dialog, '姓名', USER_NAME)
    set_text(dialog, '初始密码', USER_PASSWORD)
    click(dialog, '保存')
    wait_for('the user form to close', lambda: frame('新建用户') is None)

    # The user is in the list, with name, unit and role as entered
    wait_for('the new user in the list', lambda: label_text(main, USER_LOGIN))
    wait_for('the name in the list', lambda: label_text(main, USER_NAME))
    assert label_text(main, '执法检查人员') is not None, 'the role is not shown'

    # and the search finds it
    search = wait_for('the search entry', lambda: find(main, 'entry', name='搜索用户'))
    search.queryEditableText().setTextContents(USER_LOGIN)
    # (row widgets are recycled, so count what the page says it shows)
    wait_for('the search to keep one of two users',
             lambda: label_text(main, '显示 1 个，共 2 个用户') is not None and
             label_text(main, USER_LOGIN) is not None)
    screenshot('e2e-admin.png')

    # The server agrees
    token = d.login(suitest.ADMIN_LOGIN, suitest.ADMIN_PASSWORD)
    users = d.rpc('users.list', {'search': USER_LOGIN}, token)['items']
    assert [u['login'] for u in users] == [USER_LOGIN], users
    assert users[0]['unit_name'] == UNIT_NAME, users[0]
    assert users[0]['role'] == 'inspector', users[0]
    d.login(USER_LOGIN, USER_PASSWORD)

    # A change made elsewhere (here: straight through RPC) shows up without a refresh,
    # carried by /events.
    d.rpc('users.create', {'login': USER_LOGIN + '2', 'name': '另一检查员', 'role': 'inspector',
                           'unit_id': users[0]['unit_id'], 'password': USER_PASSWORD}, token)
    wait_for('the other client\'s user in the list',
             lambda: label_text(main, USER_LOGIN + '2') is not None and
             label_text(main, '显示 2 个，共 3 个用户') is not None)
    screenshot('e2e-admin-events.png')

    assert client.poll() is None, 'the client exited with %s' % client.returncode


if __name__ == '__main__':
    try:
        suitest.run(globals())
    finally:
        stop_all()
        if not os.environ.get('SUI_KEEP'):
            shutil.rmtree(_tmp, ignore_errors=True)
        else:
            log('logs kept in %s' % _tmp)
