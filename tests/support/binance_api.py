"""Binance's GET /api/v3/ticker/24hr?symbols=["A","B"] for tm's tests: one recorded ticker per
symbol (binance/ticker/<SYMBOL>.json) answered as an array; an unknown symbol is HTTP 400
{"code":-1121,"msg":"Invalid symbol."} for the whole list, as Binance answers. GET
/api/v3/ticker/price (every symbol) lists the recorded symbols and two more that have no ticker
here (BTCUSDC, ETHBTC: listed, yet refused, as a symbol delisted between the two requests)."""
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


def prices(root):
    out = []
    folder = os.path.join(root, "binance", "ticker")
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name)) as f:
            ticker = json.load(f)
        out.append({"symbol": ticker["symbol"], "price": ticker["lastPrice"]})
    out += [{"symbol": "BTCUSDC", "price": "73310.01000000"}, {"symbol": "ETHBTC", "price": "0.05412000"}]
    return 200, json.dumps(out)


INTERVAL_MS = {"1m": 60_000, "3m": 180_000, "5m": 300_000, "15m": 900_000, "30m": 1_800_000, "1h": 3_600_000,
               "2h": 7_200_000, "4h": 14_400_000, "6h": 21_600_000, "8h": 28_800_000, "12h": 43_200_000,
               "1d": 86_400_000, "3d": 259_200_000, "1w": 604_800_000}


def klines(root, query):
    """GET /api/v3/klines?symbol&interval&startTime&endTime&limit: generated candles in Binance's
    12-element rows (the real 2021 BTCUSDT 1m rows in shared/fixtures show the shape), at most
    `limit` (≤ 1000) with openTime in [startTime, endTime], ascending. Unknown symbols: 400."""
    import hashlib
    q = {k: v[0] for k, v in parse_qs(query).items()}
    symbol = q.get("symbol", "")
    if not os.path.isfile(os.path.join(root, "binance", "ticker", f"{symbol}.json")):
        return 400, json.dumps({"code": -1121, "msg": "Invalid symbol."})
    step = INTERVAL_MS.get(q.get("interval", ""), 0)
    if not step:
        return 400, json.dumps({"code": -1120, "msg": "Invalid interval."})
    limit = min(int(q.get("limit", 500)), 1000)
    start = int(q.get("startTime", 0))
    end = int(q.get("endTime", 2**62))
    t = (start + step - 1) // step * step
    rows = []
    while t <= end and len(rows) < limit:
        h = int.from_bytes(hashlib.blake2b(f"{symbol}|{t}".encode(), digest_size=6).digest(), "big") / 2**48
        o = 100 + 50 * h
        c = o * (0.99 + 0.02 * h)
        rows.append([t, f"{o:.8f}", f"{max(o, c) * 1.01:.8f}", f"{min(o, c) * 0.99:.8f}", f"{c:.8f}", f"{10 * h:.8f}",
                     t + step - 1, f"{10 * h * c:.8f}", int(100 * h), "0.0", "0.0", "0"])
        t += step
    return 200, json.dumps(rows)
