# SPDX-License-Identifier: GPL-3.0-or-later
"""shuangsui-match/1 re-implemented from docs/draw-algorithm.md with hashlib and hmac only,
for the tests that check a match record independently of common/sui-draw.c."""

import hashlib
import hmac


def reference_match(record):
    """Recompute a match record: its candidate hash, seed, the walk and the result hash."""
    secret = bytes.fromhex(record['secret'])
    lines = sorted('%s\t%s\n' % (s['name'], i) for s in record['strata']
                   for i in s['candidates'])
    ch = hashlib.sha256(''.join(lines).encode()).digest()
    et = '\n'.join(e.strip(' \t\r\n') for e in record['entropy'])
    seed = hashlib.sha256(secret + ch + et.encode()).digest()
    by = {s['name']: s for s in record['strata']}
    used, drawn = {}, {}
    for name in record['order']:
        s = by[name]
        keyed = sorted((hmac.new(seed, name.encode() + b'\0' + i.encode(), 'sha256').digest(),
                        i.encode(), i) for i in s['candidates'])
        take = []
        for _, _, i in keyed:
            if len(take) == s['k']:
                break
            if used.get(i, 0) < record['capacity'][i]:
                used[i] = used.get(i, 0) + 1
                take.append(i)
        drawn[name] = take
    rh = hashlib.sha256(''.join('%s\t%s\n' % (n, i) for n in sorted(drawn)
                                for i in drawn[n]).encode()).hexdigest()
    return dict(candidate_hash=ch.hex(), seed=seed.hex(), drawn=drawn, result_hash=rh)
