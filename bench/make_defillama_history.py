#!/usr/bin/env python3
"""Writes a DefiLlama-shaped fixture tree for scripts/bench: N protocols with D daily TVL points
each (GET /protocol/{slug}, research §3.2 shape), their /protocols list, a config naming them,
and one huge protocol (~100 MB body) for the memory benchmark. Deterministic."""
import argparse
import json
import os

p = argparse.ArgumentParser()
p.add_argument("--dir", required=True)
p.add_argument("--protocols", type=int, default=1000)
p.add_argument("--days", type=int, default=2000)
p.add_argument("--huge-points", type=int, default=2_000_000)
a = p.parse_args()

END = 1710201600  # 2024-03-12, the last complete day when TM_NOW is 2024-03-13
os.makedirs(os.path.join(a.dir, "defillama", "protocol"), exist_ok=True)


def history(slug, n, step):
    with open(os.path.join(a.dir, "defillama", "protocol", slug + ".json"), "w") as f:
        f.write('{"id":"1","name":"%s","slug":"%s","chains":["Ethereum"],"tvl":[' % (slug, slug))
        for i in range(n):
            t = END - (n - 1 - i) * step
            f.write('%s{"date":%d,"totalLiquidityUSD":%.6f}' % ("," if i else "", t, 1e6 + i * 1.25 + hash(slug) % 1000))
        f.write('],"tokens":null,"tokensInUsd":null,"currentChainTvls":{}}')


listing = []
with open(os.path.join(a.dir, "config.csv"), "w") as config:
    config.write("kind,asset,metrics\n")
    for i in range(a.protocols):
        slug = "p%05d" % i
        history(slug, a.days, 86400)
        config.write("protocol,%s,TVL\n" % slug)
        listing.append({"id": str(i), "name": slug, "slug": slug, "tvl": 1e6 + i})
# ~50 bytes a point: 2M points make a ~100 MB body (hourly points so they fit before END).
history("huge", a.huge_points, 3600)
listing.append({"id": "huge", "name": "huge", "slug": "huge", "tvl": 1e9})
with open(os.path.join(a.dir, "defillama", "protocols.json"), "w") as f:
    json.dump(listing, f)
