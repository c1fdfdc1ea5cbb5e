#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end: the registers in the real shuangsui against the real shuangsuid, through AT-SPI.

Logs in as the demo supervisor of 长安区 (the daemon has the demo data), imports a CSV file
through the import assistant (the path pasted into it: GTK 4.8's file chooser cannot be driven
through AT-SPI), searches for the imported objects, puts a tag on everything the search
matches, and finds them again by that tag in the tag filter; the daemon is asked at each step
whether it agrees. In Chinese (LANG=zh_CN.UTF-8). Needs an X display (Xvfb) and a D-Bus
session bus, which scripts/test provides; without them the test is skipped. Starts its own
accessibility bus inside that session and stops it by PID at the end. Screenshots go to
<build>/client/tests/. The helpers are in e2e_atspi.py.
"""

import os
import shutil
import sys

_here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, _here)
from e2e_atspi import (  # noqa: E402 — skips the test without a display, before gi is loaded
    CLIENT, SHOT_DIR, TMP as _tmp, a11y_bus_answers, a11y_bus_owned, app_root, click, dump_tree,
    find, frame, log, screenshot, set_text, start, stop_all, wait_for)
import suitest  # noqa: E402

SUPERVISOR = 'sup_changan'
DEMO_PASSWORD = 'Demo@2026'
PREFIX = '13010197'   # licence numbers of the imported rows: 130101970001 …
TAG_GROUP = 'AE2E'    # a city-wide group named in Latin letters comes first in the lists
TAG_NAME = '端到端标签'
CSV = ('\ufeff许可证号,名称,负责人,经营地址,区县,对象类型,经营状态\r\n'
       '130101970001,端到端烟酒店,张三,石家庄市长安区测试路1号,长安区,卷烟零售户,营业\r\n'
       '130101970002,端到端便利店,李四,石家庄市长安区测试路2号,长安区,卷烟零售户,营业\r\n'
       '130101970003,端到端超市,王五,石家庄市长安区测试路3号,长安区,卷烟零售户,营业\r\n')




# -- the test

def test_supervisor_imports_and_tags():
    try:
        _supervisor_imports_and_tags()
    except BaseException:
        screenshot('e2e-registers-failure.png')
        dump_tree(os.path.join(SHOT_DIR, 'e2e-registers-failure-a11y.txt'))
        try:
            with open(os.path.join(_tmp, 'shuangsui.log'), errors='replace') as f:
                log('client log:\n' + f.read()[-3000:])
        except OSError:
            pass
        raise


def count(d, token, flt):
    return d.rpc('filters.count', {'kind': 'objects', 'filter': flt}, token)['count']


def _supervisor_imports_and_tags():
    db, d = suitest.fresh()
    p = d.run_cli(['--demo-data'])
    assert p.returncode == 0, p.stderr
    log('daemon with demo data at %s' % d.url)

    admin = d.login(suitest.ADMIN_LOGIN, suitest.ADMIN_PASSWORD)
    group = d.rpc('tags.create_group', {'name': TAG_GROUP, 'applies_to': 'objects'}, admin)
    tag = d.rpc('tags.create', {'group_id': group['id'], 'name': TAG_NAME}, admin)
    sup = d.login(SUPERVISOR, DEMO_PASSWORD)
    assert count(d, sup, {'text': PREFIX}) == 0

    csv_path = os.path.join(_tmp, '端到端导入.csv')
    with open(csv_path, 'w', encoding='utf-8', newline='') as f:
        f.write(CSV)

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
    set_text(login, '服务器地址', d.url)
    set_text(login, '登录名', SUPERVISOR)
    set_text(login, '密码', DEMO_PASSWORD)
    click(login, '登录')

    main = wait_for('the main window', lambda: frame('双随'), timeout=60)
    sidebar = wait_for('the sidebar', lambda: find(main, 'list', name='功能区'))
    for i in range(sidebar.childCount):
        if sidebar.getChildAtIndex(i).name == '检查对象':
            sidebar.querySelection().selectChild(i)
    wait_for('the object count', lambda: find(main, 'label', prefix='共 1820 个对象符合条件'),
             timeout=60)
    screenshot('e2e-registers-objects.png')

    # Import through the assistant
    click(main, '导入检查对象')
    dialog = wait_for('the import assistant', lambda: frame('导入检查对象'))
    set_text(dialog, '文件路径', csv_path)
    click(dialog, '预览文件')
    wait_for('the preview', lambda: find(dialog, 'label', prefix='共 3 行：新增 3，'), timeout=60)
    screenshot('e2e-registers-preview.png')
    assert count(d, sup, {'text': PREFIX}) == 0, 'the preview wrote something'
    click(dialog, '导入')
    wait_for('the import to finish', lambda: find(dialog, 'label', name='已写入 3 个对象。'),
             timeout=60)
    screenshot('e2e-registers-imported.png')
    assert count(d, sup, {'text': PREFIX}) == 3
    click(dialog, '关闭')
    wait_for('the assistant to close', lambda: frame('导入检查对象') is None)

    # Search for them, and tag everything the search matches
    search = wait_for('the search entry', lambda: find(main, 'entry', name='搜索检查对象'))
    search.queryEditableText().setTextContents(PREFIX)
    wait_for('the search to find the three',
             lambda: find(main, 'label', prefix='共 3 个对象符合条件'))
    click(main, '为全部匹配项打标签…')
    tag_dialog = wait_for('the tag dialog', lambda: frame('打标签'))
    # AdwMessageDialog names its response buttons twice over ("确定 确定").
    confirm = wait_for('the confirm button',
                       lambda: find(tag_dialog, 'push button', prefix='确定'))
    screenshot('e2e-registers-tag.png')
    confirm.queryAction().doAction(0)
    wait_for('the tag on the three objects in the daemon',
             lambda: count(d, sup, {'tag': tag['id']}) == 3)
    wait_for('the tag in the list', lambda: find(main, 'label', name=TAG_NAME))

    # Find them again by the tag alone
    search.queryEditableText().setTextContents('')
    wait_for('the search cleared', lambda: find(main, 'label', prefix='共 1823 个对象符合条件'))
    # GtkMenuButton: the button to press is its child
    menu_button = wait_for('the tag filter button', lambda: find(main, 'push button', name='标签筛选'))
    menu_button.getChildAtIndex(0).queryAction().doAction(0)
    must_have = wait_for('the tag choice in the filter',
                         lambda: find(app_root(), 'push button',
                                      name='%s: %s 必须有' % (TAG_GROUP, TAG_NAME)))
    screenshot('e2e-registers-tag-filter.png')
    must_have.queryAction().doAction(0)
    wait_for('the objects with the tag',
             lambda: find(main, 'label', prefix='共 3 个对象符合条件'))
    wait_for('an imported object in the list', lambda: find(main, 'label', name='端到端超市'))
    screenshot('e2e-registers-by-tag.png')

    assert client.poll() is None, 'the client exited with %s' % client.returncode


if __name__ == '__main__':
    try:
        suitest.run(globals())
    finally:
        stop_all()
        if not os.environ.get('SUI_KEEP'):
            shutil.rmtree(_tmp, ignore_errors=True)
