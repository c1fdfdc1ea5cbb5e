# SPDX-License-Identifier: GPL-3.0-or-later
"""shuangsui-match/1 re-implemented from docs/draw-algorithm.md with hashlib and hmac only,
for the tests that check a match record independently of common/sui-draw.c."""

import hashlib
import json
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


# The record as PostgreSQL built it before 0014 (jsonb_agg over the stored lists, in jsonb's
# key order), reading either storage form: draws.export must give the same text.
JSONB_RECORD = """
select jsonb_build_object (
 'algorithm', d.algorithm, 'commitment', encode (d.commitment, 'hex'),
 'secret', encode (d.secret, 'hex'), 'entropy', d.entropy,
 'candidate_hash', encode (d.candidate_hash, 'hex'), 'seed', encode (d.seed, 'hex'),
 'strata', coalesce ((select jsonb_agg (jsonb_build_object (
     'name', s.name, 'n', s.n, 'k', s.k,
     'candidates', coalesce ((select jsonb_agg (x::text order by x::text collate "C")
         from unnest (coalesce (s.candidates, sui_draw_ids (s.candidates_packed))) x), '[]'),
     'drawn', coalesce ((select jsonb_agg (u.x::text order by u.o)
         from unnest (s.drawn) with ordinality u (x, o)), '[]'))
     || case when s.ratio_bp is not null then jsonb_build_object ('ratio_bp', s.ratio_bp)
             else '{}' end
     order by s.name collate "C")
   from draw_stratum s where s.draw_id = d.id), '[]'),
 'result_hash', encode (d.result_hash, 'hex'),
 'draw_id', d.id, 'task_id', d.task_id, 'kind', d.kind, 'state', d.state,
 'committed_at', d.committed_at, 'run_by', d.run_by,
 'run_by_name', (select u.name from app_user u where u.id = d.run_by),
 'run_at', d.run_at, 'replaces', d.replaces, 'void_reason', d.void_reason,
 'voided_at', d.voided_at, 'void_approved_by', d.void_approved_by)
 || coalesce ((select jsonb_build_object (
       'order', coalesce (to_jsonb (m.stratum_order),
                (select jsonb_agg (x::text order by o)
                   from unnest (m.object_order) with ordinality u (x, o))),
       'capacity', (select jsonb_object_agg (c.i::text, c.v)
                      from unnest (m.capacity_ids, m.capacity_values) c (i, v)))
     from matching m where m.draw_id = d.id), '{}')
 from draw_public d where d.id = %d"""


def same_as_jsonb_record(db, record, draw_id):
    """The exported record has the members, values and member order of JSONB_RECORD."""
    built = json.loads(db.psql("set timezone = 'Asia/Shanghai';" + JSONB_RECORD % draw_id))
    return json.dumps(record, ensure_ascii=False) == json.dumps(built, ensure_ascii=False)
