"""Kraken's GET /0/public/Ticker?pair=A,B for tm's tests, answered as Kraken does: each pair may
be named by its AssetPairs key, altname or wsname (kraken/0/public/AssetPairs.json), the answer is
keyed by the AssetPairs key (XBTUSD -> XXBTZUSD), in the order of kraken/market/Ticker.json (a
recorded whole-market answer), and an unknown pair makes the whole answer an error inside an
HTTP 200: {"error":["EQuery:Unknown asset pair"]}. Without `pair` the whole market is answered."""
import json
import os
from urllib.parse import parse_qs


def answer(root, query):
    with open(os.path.join(root, "kraken", "0", "public", "AssetPairs.json")) as f:
        pairs = json.load(f)["result"]
    with open(os.path.join(root, "kraken", "market", "Ticker.json")) as f:
        market = json.load(f)["result"]
    asked = [p for p in parse_qs(query).get("pair", [""])[0].split(",") if p]
    if not asked:
        return 200, json.dumps({"error": [], "result": market})
    keys = set()
    for name in asked:
        key = next((k for k, v in pairs.items() if name in (k, v.get("altname"), v.get("wsname"))), None)
        if key is None or key not in market:
            return 200, json.dumps({"error": ["EQuery:Unknown asset pair"]})
        keys.add(key)
    return 200, json.dumps({"error": [], "result": {k: v for k, v in market.items() if k in keys}})
