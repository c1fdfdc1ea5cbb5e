#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# shuangsui-draw/1 re-implemented from docs/draw-algorithm.md with hashlib and hmac only.
#   draw_reference.py            prints the worked example of the document
#   draw_reference.py RECORD     re-runs a draw record (JSON) and says whether it matches
# It does not check the text rules of the inputs (section "Inputs"); shuangsuid does.
import hashlib, hmac, json, sys

def sha256(data):
    return hashlib.sha256(data).digest()

def draw(secret_hex, entropy, strata):
    # strata: {name: (ratio_bp or None, k or None, [id, ...])}
    secret = bytes.fromhex(secret_hex)
    lines = sorted(f"{s}\t{i}\n" for s, (_, _, ids) in strata.items() for i in ids)
    candidate_hash = sha256("".join(lines).encode())
    entropy_text = "\n".join(e.strip(" \t\r\n") for e in entropy)
    seed = sha256(secret + candidate_hash + entropy_text.encode())
    keys, drawn = {}, {}
    for s in sorted(strata):
        ratio_bp, k, ids = strata[s]
        if ratio_bp is not None:
            k = (len(ids) * ratio_bp + 9999) // 10000
        assert 0 <= k <= len(ids)
        keys[s] = sorted((hmac.new(seed, s.encode() + b"\0" + i.encode(), "sha256").digest(),
                          i.encode(), i) for i in ids)
        drawn[s] = [i for _, _, i in keys[s][:k]]
    result_hash = sha256("".join(f"{s}\t{i}\n" for s in sorted(drawn) for i in drawn[s]).encode())
    return dict(commitment=sha256(secret).hex(), candidate_hash=candidate_hash.hex(),
                entropy_text=entropy_text, seed=seed.hex(), keys=keys, drawn=drawn,
                result_hash=result_hash.hex())

def verify(record):
    assert record["algorithm"] == "shuangsui-draw/1", "unknown algorithm"
    strata = {st["name"]: (st.get("ratio_bp"), st["k"], st["candidates"])
              for st in record["strata"]}
    d = draw(record["secret"], record["entropy"], strata)
    for field in ("commitment", "candidate_hash", "seed"):
        assert d[field] == record[field].lower(), field + " does not match"
    for st in record["strata"]:
        assert len(d["drawn"][st["name"]]) == st["k"], "k of stratum " + st["name"]
        assert d["drawn"][st["name"]] == st["drawn"], "drawn ids of stratum " + st["name"]
    assert d["result_hash"] == record["result_hash"].lower(), "result_hash does not match"

if len(sys.argv) > 1:
    with open(sys.argv[1], encoding="utf-8") as f:
        verify(json.load(f))
    print("draw record matches")
else:
    d = draw(bytes(range(32)).hex(), ["  3917", "0528 "],
             {"A": (2000, None, ["3", "17", "42", "96", "101", "250", "1024", "4096"]),
              "C": (3000, None, ["8", "64", "512", "2048"])})
    for field in ("commitment", "candidate_hash", "entropy_text", "seed"):
        print(f"{field:15} {d[field]!r}")
    for s, keyed in d["keys"].items():
        for rank, (key, _, i) in enumerate(keyed, 1):
            print(f"{s} {rank:2} {i:>5} {key.hex()}")
        print(f"{s} drawn {d['drawn'][s]}")
    print(f"{'result_hash':15} {d['result_hash']!r}")
