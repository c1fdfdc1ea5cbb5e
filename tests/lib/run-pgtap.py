# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs the pgTAP files sql/tests/*.sql; used by scripts/test.

    python3 run-pgtap.py RESULTS.jsonl FILE.sql...

Each file gets a fresh database in one throwaway cluster, the migrations applied by
`shuangsuid --migrate`, `create extension pgtap`, then `psql -X -v ON_ERROR_STOP=1 -tA -f FILE`.
One JSON line per file goes to RESULTS.jsonl: {name, returncode, output, error}.  The TAP is
also echoed to stdout.
"""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import suitest  # noqa: E402

FILE_TIMEOUT = int(os.environ.get('SUI_PGTAP_TIMEOUT', '300'))


def run_one(path, n):
    name = os.path.basename(path)
    c = suitest.cluster()
    db = c.createdb('pgtap_%d' % n)
    mig = suitest.run_cli(db.conninfo, ['--migrate'])
    if mig.returncode != 0:
        return {'name': name, 'returncode': mig.returncode, 'output': '',
                'error': 'shuangsuid --migrate failed: ' + (mig.stderr or mig.stdout)[-2000:]}
    db.psql('create extension if not exists pgtap')
    try:
        p = subprocess.run([os.path.join(suitest.PG_BINDIR, 'psql'), '-X', '-q',
                            '-v', 'ON_ERROR_STOP=1', '-tA', '-d', db.conninfo, '-f', path],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=FILE_TIMEOUT)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or '')
        return {'name': name, 'returncode': -1, 'output': out,
                'error': 'timed out after %d s' % FILE_TIMEOUT}
    err = None
    if p.returncode != 0:
        err = 'psql exited with %d: %s' % (p.returncode, p.stderr.strip()[-2000:])
    return {'name': name, 'returncode': p.returncode, 'output': p.stdout, 'error': err}


def main():
    results_path = sys.argv[1]
    files = sys.argv[2:]
    failed = False
    with open(results_path, 'w', encoding='utf-8') as out:
        for n, path in enumerate(files, 1):
            try:
                r = run_one(path, n)
            except Exception as e:  # one broken file must not hide the others
                r = {'name': os.path.basename(path), 'returncode': -1, 'output': '',
                     'error': str(e)[-2000:]}
            print('# %s' % r['name'])
            sys.stdout.write(r['output'])
            if r['error']:
                print('# ERROR: %s' % r['error'].replace('\n', '\n# '))
                failed = True
            sys.stdout.flush()
            out.write(json.dumps(r, ensure_ascii=False) + '\n')
            out.flush()
    suitest.cleanup()
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
