"""A fake Artemis data API for tm's tests and benchmarks. No real Artemis crypto response exists
publicly (shared/fixtures/real/artemis/SOURCES.md), so this answers every request from its
parameters, in the envelope and with the quirks documented in shared/research/market-apis.md §A:

  GET /data/api/{M1,M2,...}/?symbols=a,b&startDate=YYYY-MM-DD&endDate=YYYY-MM-DD&APIKey=KEY
  -> {"data": {"symbols": {"<sym>": {"<METRIC>": [{"date": "YYYY-MM-DD", "val": n}, ...]}}}}

Deterministic values (a hash of symbol, metric and date), and these quirks:
  * a metric ending in _NA, or the pair (eq-*, a crypto-only metric like DAU): the value is the
    string "Metric not available for asset." instead of a list;
  * every date whose day of month is 13: "val": null; day 14: "val": "N/A"; day 15: a numeric
    string ("val": "1.5");
  * endDate before 2016-01-01: "symbols" is the string "No data available for the requested range.";
  * a symbol "bad-symbol" (alone or among others) or a metric "BAD_METRIC": HTTP 400;
  * a symbol starting "no" is one Artemis does not know: left out of the answer;
  * no APIKey, or APIKey=wrong: HTTP 401;
  * metric keys come back lower-case for symbol "lower" (keys match case-insensitively).

  GET /asset/symbols/?APIKey=KEY -> [{"artemis_id", "symbol", "title", "coingecko_id"}…] in the SDK's
  shape, a few real symbols.
"""
import datetime
import hashlib
import json
from urllib.parse import parse_qs

CRYPTO_ONLY = {"DAU", "NEW_USERS", "TXNS", "FEES", "REVENUE"}


def value(symbol, metric, date):
    h = hashlib.blake2b(f"{symbol}|{metric}|{date}".encode(), digest_size=6).digest()
    return round(int.from_bytes(h, "big") / 2**48 * 1000 + 1, 4)


def answer(path, query):
    """(status, body) for a request to /data/api/... (path without the mount prefix)."""
    q = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
    if q.get("APIKey", "") in ("", "wrong"):
        return 401, json.dumps({"detail": "Invalid or missing API key."})
    parts = [p for p in path.split("/") if p]
    if parts == ["asset", "symbols"]:
        listed = [("solana", "SOL", "Solana"), ("ethereum", "ETH", "Ethereum"), ("bitcoin", "BTC", "Bitcoin"),
                  ("binancecoin", "BNB", "BNB"), ("nvidia", "eq-nvda", "NVIDIA")]
        return 200, json.dumps([{"artemis_id": i, "symbol": s, "title": t, "coingecko_id": i} for i, s, t in listed])
    if len(parts) != 3 or parts[:2] != ["data", "api"]:
        return 404, json.dumps({"detail": "Not Found"})
    metrics = [m for m in parts[2].split(",") if m]
    symbols = [s for s in q.get("symbols", "").split(",") if s]
    try:
        start = datetime.date.fromisoformat(q["startDate"])
        end = datetime.date.fromisoformat(q["endDate"])
    except (KeyError, ValueError):
        return 400, json.dumps({"detail": "startDate and endDate must be YYYY-MM-DD"})
    if not metrics or not symbols:
        return 400, json.dumps({"detail": "symbols and metrics are required"})
    if "bad-symbol" in symbols or "BAD_METRIC" in [m.upper() for m in metrics]:
        return 400, json.dumps({"detail": "Invalid symbol or metric."})
    if end < datetime.date(2016, 1, 1):
        return 200, json.dumps({"data": {"symbols": "No data available for the requested range."}})
    out = {}
    for s in symbols:
        if s.startswith("no"):
            continue
        per = {}
        for m in metrics:
            key = m.lower() if s == "lower" else m.upper()
            if m.upper().endswith("_NA") or (s.startswith("eq-") and m.upper() in CRYPTO_ONLY):
                per[key] = "Metric not available for asset."
                continue
            rows = []
            d = start
            while d <= end:
                if d.day == 13:
                    v = None
                elif d.day == 14:
                    v = "N/A"
                elif d.day == 15:
                    v = "1.5"
                else:
                    v = value(s, m.upper(), d.isoformat())
                rows.append({"date": d.isoformat(), "val": v})
                d += datetime.timedelta(days=1)
            per[key] = rows
        out[s] = per
    return 200, json.dumps({"data": {"symbols": out}}, separators=(",", ":"))
