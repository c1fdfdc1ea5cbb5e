# SPDX-License-Identifier: GPL-3.0-or-later
"""What the end-to-end tests of the desk client share: the real shuangsui driven through AT-SPI.

Imported first by each e2e_*.py: without an X display and a D-Bus session bus (scripts/test
provides both) the test is skipped here. GLib reads G_DEBUG once, when it is loaded: it is kept
away from pyatspi's own harmless warnings and passed on to the daemon. Processes the test starts
are stopped by PID (stop_all); their logs go to TMP, screenshots to SHOT_DIR.
"""

import os
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

_g_debug = os.environ.pop('G_DEBUG', None)
import gi  # noqa: E402,F401
if _g_debug is not None:
    os.environ['G_DEBUG'] = _g_debug

import suitest  # noqa: E402

BUILD_ROOT = suitest.BUILD_ROOT
CLIENT = os.path.join(BUILD_ROOT, 'client', 'shuangsui')
SHOT_DIR = os.path.join(BUILD_ROOT, 'client', 'tests')
STEP = 30            # seconds to wait for one thing to happen in the UI

_procs = []          # (name, Popen) started here, killed by PID at exit
TMP = tempfile.mkdtemp(prefix='sui-%s-' % os.path.splitext(os.path.basename(sys.argv[0]))[0],
                       dir=os.environ.get('SUI_TMP_ROOT', '/tmp'))


def log(msg):
    sys.stderr.write('# %s\n' % msg)
    sys.stderr.flush()


def start(name, argv, env=None):
    logfile = open(os.path.join(TMP, name + '.log'), 'wb')
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
    press(wait_for('button %s' % name, lambda: find(root, 'push button', name=name)))


def label_text(root, name):
    return find(root, 'label', name=name)



def press(acc):
    action = acc.queryAction()
    for i in range(action.nActions):
        if action.getName(i) in ('click', 'activate', 'press', 'toggle'):
            action.doAction(i)
            return
    action.doAction(0)


def any_frame_with(role, name=None, prefix=None):
    app = app_root()
    return find(app, role, name=name, prefix=prefix) if app is not None else None
