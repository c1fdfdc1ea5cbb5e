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
import subprocess
import sys

_here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, _here)
from e2e_atspi import (  # noqa: E402 — skips the test without a display, before gi is loaded
    CLIENT, SHOT_DIR, TMP as _tmp, a11y_bus_answers, a11y_bus_owned, click, dump_tree, find,
    frame, label_text, log, screenshot, set_text, start, stop_all, wait_for)
import suitest  # noqa: E402

UNIT_NAME = '测试区烟草专卖局'
UNIT_CODE = 'e2e_test_unit'
USER_LOGIN = 'e2e_inspector'
USER_NAME = '测试检查员'
USER_PASSWORD = 'Insp@2026x'




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

    # Quitting (Ctrl+Q, here its app.quit action over D-Bus) closes the window as its close
    # button would, so the next start opens at the size it was left.
    ini = os.path.join(home, 'config', 'shuangsui', 'client.ini')
    subprocess.run(['gdbus', 'call', '--session', '--dest', 'org.shuangsui.Desk',
                    '--object-path', '/org/shuangsui/Desk', '--method',
                    'org.gtk.Actions.Activate', 'quit', '[]', '{}'],
                   check=True, capture_output=True, timeout=30)
    client.wait(timeout=30)
    assert client.returncode == 0, 'the client exited with %s' % client.returncode
    with open(ini) as f:
        settings = f.read()
    assert '[window]' in settings and 'width=' in settings, settings


if __name__ == '__main__':
    try:
        suitest.run(globals())
    finally:
        stop_all()
        if not os.environ.get('SUI_KEEP'):
            shutil.rmtree(_tmp, ignore_errors=True)
        else:
            log('logs kept in %s' % _tmp)
