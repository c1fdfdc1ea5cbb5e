#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end: from an annual plan with a joint task to drawn objects and matched inspectors, in the real
shuangsui against the real shuangsuid (with the demo data), through AT-SPI.

The demo supervisor of 长安区 creates the year's plan in the plans area, adds a task in the task
editor (its scope: objects carrying a tag, chosen in the editor's tag filter), invites a
department into it in the joint-task assistant (whose part that department's supervisor
fills in and confirms over RPC, and the assistant shows confirmed), submits it; the
administrator approves it (over RPC: the client has one user at a time); the supervisor
publishes it, opens the draw screen from the task, makes the task ready, runs the draw with
the witnesses' numbers, matches the inspectors with more numbers, opens the assignments and
asks why the other inspectors were not sent to one object. The labels the client shows and
the data the daemon holds are compared at each step. In Chinese (LANG=zh_CN.UTF-8). Needs an
X display (Xvfb) and a D-Bus session bus, which scripts/test provides; without them the test
is skipped. The helpers are in e2e_atspi.py.
"""

import os
import shutil
import sys
import time

_here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, _here)
from e2e_atspi import (  # noqa: E402 — skips the test without a display, before gi is loaded
    CLIENT, SHOT_DIR, TMP as _tmp, a11y_bus_answers, a11y_bus_owned, any_frame_with, app_root,
    click, dump_tree, find, frame, log, press, screenshot, set_text, start, stop_all, wait_for,
    walk)
import suitest  # noqa: E402

SUPERVISOR = 'sup_changan'
DEMO_PASSWORD = 'Demo@2026'
TAG_GROUP = 'AE2E'   # a city-wide group named in Latin letters comes first in the lists
TAG_NAME = '端到端抽查'
TASK_NAME = '端到端持证经营检查'
YEAR = time.localtime().tm_year




# -- the test

def test_plan_to_matched_inspectors():
    try:
        _plan_to_matched_inspectors()
    except BaseException:
        screenshot('e2e-plans-failure.png')
        dump_tree(os.path.join(SHOT_DIR, 'e2e-plans-failure-a11y.txt'))
        try:
            with open(os.path.join(_tmp, 'shuangsui.log'), errors='replace') as f:
                log('client log:\n' + f.read()[-3000:])
        except OSError:
            pass
        raise


def _plan_to_matched_inspectors():
    db, d = suitest.fresh()
    p = d.run_cli(['--demo-data'])
    assert p.returncode == 0, p.stderr
    log('daemon with demo data at %s' % d.url)

    admin = d.login(suitest.ADMIN_LOGIN, suitest.ADMIN_PASSWORD)
    sup = d.login(SUPERVISOR, DEMO_PASSWORD)
    group = d.rpc('tags.create_group', {'name': TAG_GROUP, 'applies_to': 'objects'}, admin)
    tag = d.rpc('tags.create', {'group_id': group['id'], 'name': TAG_NAME}, admin)
    # Ten open objects of raised or high risk carry the tag: the task's scope.
    chosen = d.rpc('objects.list', {'filter': {'and': [{'status': 'open'},
                                                       {'key_supervision': False},
                                                       {'risk_class': ['C', 'D']}]},
                                    'limit': 10}, sup)['items']
    assert len(chosen) == 10
    d.rpc('tags.apply', {'tag_id': tag['id'], 'ids': [o['id'] for o in chosen]}, sup)
    assert not d.rpc('plans.list', {'year': YEAR}, sup)['items']

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
        if sidebar.getChildAtIndex(i).name == '计划管理':
            sidebar.querySelection().selectChild(i)
    wait_for('the empty plan list, saying how to begin',
             lambda: find(main, 'label', name='本年度尚无计划。请点击“新建计划…”起草本单位的年度计划。'))

    # A plan for the year, made in the plans area
    click(main, '新建计划…')
    create = wait_for('the new plan prompt', lambda: any_frame_with('push button', prefix='创建'))
    wait_for('the title entry', lambda: find(app_root(), 'text', name='名称'))
    press(create)
    wait_for('the plan in the daemon', lambda: d.rpc('plans.list', {'year': YEAR}, sup)['items'])
    plan = d.rpc('plans.list', {'year': YEAR}, sup)['items'][0]
    assert plan['state'] == 'draft' and plan['title'] == '%d年度随机抽查计划' % YEAR
    wait_for('the plan page', lambda: find(main, 'label', name='草稿'))

    # A task, with its scope chosen in the editor's tag filter
    click(main, '新建任务')
    editor = wait_for('the task editor', lambda: frame('新建任务'))
    wait_for('the editor to load', lambda: find(editor, 'label', prefix='不限标签'))
    # One key item (no ratio cap) from the unit's list, checked by its default method (off
    # site when the item allows it).
    unit_items = [i for i in d.rpc('items.list', {}, sup)['items'] if i['level'] == 'key']
    item = unit_items[0] if unit_items else None
    if item is not None:
        box = wait_for('the item %s' % item['code'],
                       lambda: find(editor, 'check box',
                                   name='%s %s' % (item['code'], item['name'])))
        press(box)
    set_text(editor, '任务名称', TASK_NAME)
    set_text(editor, '检查开始日期', '%d-12-01' % YEAR)
    set_text(editor, '检查结束日期', '%d-12-20' % YEAR)
    set_text(editor, '结果录入截止日期', '%d-12-31' % YEAR)
    set_text(editor, '同一事项排除期（月）', '0')
    set_text(editor, '近期无问题排除期（月）', '0')
    set_text(editor, 'A类 低风险（%）', '5')
    set_text(editor, 'B类 一般风险（%）', '20')
    set_text(editor, 'C类 较高风险（%）', '60')
    set_text(editor, 'D类 高风险（%）', '100')
    # Open the tag choices (a popover, as on the objects page) and require the tag.
    menu_button = wait_for('the tag button', lambda: find(editor, 'push button',
                                                          name='选择检查对象标签'))
    menu_button.getChildAtIndex(0).queryAction().doAction(0)
    must_have = wait_for('the tag choice', lambda: find(app_root(), 'push button',
                                                       name='%s: %s 必须有'
                                                       % (TAG_GROUP, TAG_NAME)))
    press(must_have)
    screenshot('e2e-plans-editor.png')
    click(editor, '保存')
    wait_for('the task in the daemon',
             lambda: d.rpc('tasks.list', {'plan_id': plan['id']}, sup)['items'])
    task = d.rpc('tasks.list', {'plan_id': plan['id']}, sup)['items'][0]
    assert task['name'] == TASK_NAME
    assert task['scope'] == {'and': [{'tags_all': [tag['id']]}]}, task['scope']
    assert (task['ratio_c_bp'], task['ratio_d_bp'], task['exclusion_months']) == (6000, 10000, 0)
    assert task['clean_exclusion_months'] == 0
    if item is not None:
        got = d.rpc('tasks.get', {'id': task['id']}, sup)['items']
        assert [x['item_id'] for x in got] == [item['id']], got
        methods = {m['code']: m for m in d.rpc('check_methods.list', {}, sup)['items']}
        off_site = [m for m in item['methods'] if methods[m]['off_site']]
        assert got[0]['method'] == (off_site[0] if off_site else item['methods'][0]), got
    # The preview counts the ten tagged objects.
    wait_for('the preview', lambda: find(editor, 'label', prefix='候选 10 户'))
    screenshot('e2e-plans-editor-saved.png')
    click(editor, '关闭')
    wait_for('the editor to close', lambda: frame('任务') is None and frame('新建任务') is None)

    # 一业一查: the lead invites a department in the joint-task assistant; the department's
    # supervisor fills in and confirms its part (over RPC: the client has one user at a
    # time), and the assistant shows the part confirmed by itself, through the events feed.
    wait_for('the task in the plan', lambda: find(main, 'label', name=TASK_NAME))
    click(main, '联合部门… %s' % TASK_NAME)
    joint = wait_for('the joint-task assistant', lambda: frame('联合抽查'))
    click(joint, '邀请')
    wait_for('the department invited', lambda: d.rpc('tasks.departments',
                                                     {'task_id': task['id']}, sup)['departments'])
    part = d.rpc('tasks.departments', {'task_id': task['id']}, sup)['departments'][0]
    d.rpc('users.create', {'login': 'sup_joint_e2e', 'name': '联合部门监管员', 'role': 'supervisor',
                           'unit_id': part['unit_id'], 'password': DEMO_PASSWORD}, admin)
    dept = d.login('sup_joint_e2e', DEMO_PASSWORD)
    db.psql("""insert into inspector (name, unit_id, cert_no, cert_valid_from, cert_valid_until,
                                      status)
               select '联合检查员' || g, %d, 'JE2E' || g, '2000-01-01', '2099-12-31', 'on_duty'
                 from generate_series (1, 6) g""" % part['unit_id'])
    claimed = d.rpc('items.claim', {'catalogue_id': d.rpc('catalogue.list', {}, dept)['items'][0]['id']},
                    dept)
    methods = {m['code']: m for m in d.rpc('check_methods.list', {}, dept)['items']}
    method = next(m for m in claimed['methods'] if methods[m]['off_site'])
    part = d.rpc('tasks.update_department', {'task_id': task['id'], 'unit_id': part['unit_id'],
                                             'version': part['version'],
                                             'items': [{'item_id': claimed['id'],
                                                        'method': method}]}, dept)
    d.rpc('tasks.confirm_department', {'task_id': task['id'], 'unit_id': part['unit_id'],
                                       'version': part['version']}, dept)
    wait_for('the part shown confirmed', lambda: find(joint, 'label', name='已确认'))
    screenshot('e2e-plans-joint.png')

    # Submit; the administrator approves; publish
    wait_for('the task in the plan', lambda: find(main, 'label', name=TASK_NAME))
    click(main, '提交审核')
    wait_for('the submitted plan', lambda: d.rpc('plans.get', {'id': plan['id']},
                                                 sup)['state'] == 'submitted')
    wait_for('the state shown', lambda: find(main, 'label', name='已提交审核'))
    plan = d.rpc('plans.get', {'id': plan['id']}, admin)
    d.rpc('plans.approve', {'id': plan['id'], 'version': plan['version']}, admin)
    click(main, '刷新')
    wait_for('the approved plan', lambda: find(main, 'label', name='已批准，待公示'))
    click(main, '公示')
    wait_for('the published plan', lambda: d.rpc('plans.get', {'id': plan['id']},
                                                 sup)['state'] == 'published')
    wait_for('the state shown', lambda: find(main, 'label', name='已公示'))
    screenshot('e2e-plans-published.png')

    # The draw: make ready, the witnesses' numbers, run
    click(main, '摇号… %s' % TASK_NAME)
    draw = wait_for('the draw window', lambda: frame('公开摇号'))
    click(draw, '设为待摇号')
    wait_for('the task made ready', lambda: d.rpc('tasks.get', {'id': task['id']},
                                                  sup)['state'] == 'ready')
    entropy = wait_for('the entropy field', lambda: find(draw, 'text', name='现场随机数'))
    assert entropy.queryEditableText().setTextContents('3917\n0528')
    click(draw, '开始摇号')
    wait_for('the objects drawn', lambda: d.rpc('tasks.get', {'id': task['id']},
                                                sup)['state'] == 'objects_drawn')
    got = d.rpc('tasks.get', {'id': task['id']}, sup)
    drawn = got['draw']['drawn_count']
    assert drawn >= 1, got['draw']
    wait_for('the client\'s own check', lambda: find(draw, 'label', prefix='通过'), timeout=60)
    screenshot('e2e-plans-drawn.png')

    # Match the inspectors
    match_entropy = wait_for('the match entropy field',
                             lambda: find(draw, 'text', name='人员匹配的现场随机数'))
    assert match_entropy.queryEditableText().setTextContents('7261\n44')
    click(draw, '匹配检查人员')
    wait_for('the inspectors matched', lambda: d.rpc('tasks.get', {'id': task['id']},
                                                     sup)['state'] == 'inspectors_drawn',
             timeout=60)
    assignments = d.rpc('tasks.assignments', {'task_id': task['id']}, sup)
    assert len(assignments['items']) == drawn
    for a in assignments['items']:
        # one visit: the lead's team and the department's team of two each
        units = [p['unit_id'] for p in a['inspectors']]
        assert units.count(part['unit_id']) == 2 and len(units) - 2 >= 2, a
    slots = sum(len(a['inspectors']) for a in assignments['items'])
    wait_for('the match shown', lambda: find(draw, 'label',
                                             prefix='已匹配检查人员（第 %d 次摇号，共 %d 人次'
                                             % (assignments['draw_id'], slots)))
    screenshot('e2e-plans-matched.png')

    # The assignments, and why the others were not sent to the first object
    click(draw, '查看人员分配')
    view = wait_for('the assignments window', lambda: frame('人员分配：%s' % TASK_NAME))
    first = assignments['items'][0]
    wait_for('the first object', lambda: find(view, 'label', name='%s · %s'
                                              % (first['licence_no'], first['name'])))
    # one team per unit, the lead's first: "unit：name（cert）、…；department：…"
    teams = []
    for p in first['inspectors']:
        if not teams or teams[-1][0] != p['unit_name']:
            teams.append((p['unit_name'], []))
        teams[-1][1].append('%s（%s）' % (p['name'], p['cert_no']))
    team = '；'.join('%s：%s' % (u, '、'.join(names)) for u, names in teams)
    wait_for('its team', lambda: find(view, 'label', prefix='%s类' % first['risk_class']))
    assert any(team in (acc.name or '') for acc in walk(view)
               if acc.getRoleName() == 'label'), team
    screenshot('e2e-plans-assignments.png')
    click(view, '%s 为何不是其他人' % first['name'])
    x = d.rpc('tasks.exclusions', {'task_id': task['id'], 'object_id': first['object_id']}, sup)
    wait_for('the exclusions', lambda: any_frame_with('label', name='已分配'))
    for e in x['excluded'][:3]:
        wait_for('the excluded inspector %s' % e['name'],
                 lambda: any_frame_with('label', prefix='排除：'))
    screenshot('e2e-plans-exclusions.png')

    assert client.poll() is None, 'the client exited with %s' % client.returncode


if __name__ == '__main__':
    try:
        suitest.run(globals())
    finally:
        stop_all()
        if not os.environ.get('SUI_KEEP'):
            shutil.rmtree(_tmp, ignore_errors=True)
