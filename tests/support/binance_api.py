"""Binance's GET /api/v3/ticker/24hr?symbols=["A","B"] for tm's tests: one recorded ticker per
symbol (binance/ticker/<SYMBOL>.json) answered as an array; an unknown symbol is HTTP 400
{"code":-1121,"msg":"Invalid symbol."} as Binance documents."""
import json
import os
from urllib.parse import parse_qs


def answer(root, query):
    q = {k: v[0] for k, v in parse_qs(query).items()}
    try:
        symbols = json.loads(q.get("symbols", "[]"))
    except ValueError:
        return 400, json.dumps({"code": -1100, "msg": "Illegal characters found in parameter 'symbols'."})
    out = []
    for s in symbols:
        path = os.path.join(root, "binance", "ticker", f"{s}.json")
        if not os.path.isfile(path):
            return 400, json.dumps({"code": -1121, "msg": "Invalid symbol."})
        with open(path) as f:
            out.append(json.load(f))
    return 200, json.dumps(out)
