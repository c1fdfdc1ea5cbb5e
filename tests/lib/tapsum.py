# SPDX-License-Identifier: GPL-3.0-or-later
"""Counts TAP test points across meson's test log and the pgTAP results; used by scripts/test.

    python3 tapsum.py [--meson build/meson-logs/testlog.json] [--pgtap results.jsonl]
                      [--extra-failed N]

Prints one line per test program and, last, `N passed, N failed`.  Exit status 1 when anything
failed.  A program that crashed, timed out or stopped short of its plan counts the missing
points (at least one) as failed.
"""

import argparse
import json
import re
import sys

_point = re.compile(r'^(not ok|ok)\b[^#]*(#\s*(\S+))?', re.IGNORECASE)
_plan = re.compile(r'^1\.\.(\d+)')


def count(text, process_ok):
    """Returns (passed, failed, skipped, note) for one TAP stream."""
    passed = failed = skipped = 0
    plan = None
    seen = 0
    bailed = False
    for line in text.splitlines():
        # Only top-level points: indented ones are subtests summarised by their parent.
        m = _plan.match(line)
        if m:
            plan = int(m.group(1))
            continue
        if line.startswith('Bail out!'):
            bailed = True
            continue
        m = _point.match(line)
        if not m:
            continue
        seen += 1
        directive = (m.group(3) or '').upper()
        if directive.startswith('SKIP'):
            skipped += 1
        elif m.group(1).lower() == 'ok':
            passed += 1
        elif directive.startswith('TODO'):
            skipped += 1
        else:
            failed += 1
    notes = []
    if plan is not None and seen < plan:
        failed += plan - seen
        notes.append('%d of %d planned points did not run' % (plan - seen, plan))
    if plan is None and seen == 0 and process_ok:
        notes.append('no TAP output')
    if bailed:
        notes.append('bailed out')
    if (not process_ok or bailed or (plan is not None and seen > plan)) and failed == 0:
        failed = 1
        if plan is not None and seen > plan:
            notes.append('more points than planned')
    if plan is None and seen == 0 and not process_ok:
        notes.append('no TAP output')
    return passed, failed, skipped, '; '.join(notes)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--meson', action='append', default=[])
    ap.add_argument('--pgtap', action='append', default=[])
    ap.add_argument('--extra-failed', type=int, default=0)
    a = ap.parse_args()

    total_p = total_f = total_s = 0
    rows = []
    for path in a.meson:
        try:
            lines = open(path, encoding='utf-8', errors='replace').read().splitlines()
        except OSError as e:
            rows.append(('meson', path, 0, 1, 0, 'no test log: %s' % e.strerror))
            continue
        for line in lines:
            if not line.strip():
                continue
            try:
                t = json.loads(line)
            except ValueError:
                continue
            result = t.get('result', 'ERROR')
            ok = result in ('OK', 'EXPECTEDFAIL', 'SKIP')
            p, f, s, note = count(t.get('stdout') or '', ok)
            # meson says ERROR for a TAP program that exits non-zero; that is only news when
            # no failed point explains it.
            if result not in ('OK', 'FAIL') and not (result == 'ERROR' and f > 0 and
                                                      t.get('returncode', 1) > 0):
                note = (result.lower() + ('; ' + note if note else ''))
            rows.append(('meson', t.get('name', '?'), p, f, s, note))
    for path in a.pgtap:
        try:
            lines = open(path, encoding='utf-8', errors='replace').read().splitlines()
        except OSError as e:
            rows.append(('pgtap', path, 0, 1, 0, 'no results: %s' % e.strerror))
            continue
        for line in lines:
            if not line.strip():
                continue
            t = json.loads(line)
            ok = t.get('returncode') == 0 and not t.get('error')
            p, f, s, note = count(t.get('output') or '', ok)
            if t.get('error'):
                note = t['error'] + ('; ' + note if note else '')
            rows.append(('pgtap', t.get('name', '?'), p, f, s, note))

    for kind, name, p, f, s, note in rows:
        total_p += p
        total_f += f
        total_s += s
        print('%-6s %-40s %4d passed %4d failed%s%s' % (
            kind, name, p, f, ' %d skipped' % s if s else '', ' (' + note + ')' if note else ''))
    total_f += a.extra_failed
    if a.extra_failed:
        print('%d failure(s) outside the test programs (setup, build or a step that hung)'
              % a.extra_failed)
    if total_s:
        print('%d skipped' % total_s)
    print('%d passed, %d failed' % (total_p, total_f))
    sys.stdout.flush()
    return 1 if total_f else 0


if __name__ == '__main__':
    sys.exit(main())
