"""A generated CoinGecko API v3 for tm's tests (research/market-apis.md §C): only documentation
examples of these endpoints exist as recorded responses (used by the unit tests), so e2e tests
and the fixture server answer from the request, in the documented shapes:

  GET /simple/price?ids=a,b&vs_currencies=usd&include_market_cap=true&include_24hr_vol=true
      &include_last_updated_at=true -> {"<id>": {"usd": n, "usd_market_cap": n, "usd_24h_vol": n,
      "usd_24h_change": n|null, "last_updated_at": s}}; unknown ids are left out.
  GET /coins/{id}/market_chart/range?vs_currency=usd&from=s&to=s -> {"prices": [[ms, v]…],
      "market_caps": […], "total_volumes": […]}: daily points at 00:00 UTC when the range is over
      90 days, else hourly (a few ms off the hour, as observed), and a last "current" sample at
      `to`; the first market cap is null and the second 0 (both observed for young coins).
  GET /coins/list -> [{"id", "symbol", "name"}…]: the ids above and a few more real ones.
  An id "unknown" is 404 {"error": "coin not found"}; a key header x-cg-pro-api-key must come
  with a host path starting /pro, a demo key without (error 10010/10011 otherwise).
"""
import hashlib
import json
from urllib.parse import parse_qs

KNOWN = {"bitcoin", "ethereum", "zcash", "solana", "young-coin"}
LISTED = sorted(KNOWN | {"bitcoin-cash", "wrapped-bitcoin", "ethereum-classic", "zcoin"})
NOW = 1710306000  # the last_updated_at of /simple/price: 2024-03-13T05:00:00Z


def value(coin, what, t):
    h = hashlib.blake2b(f"{coin}|{what}|{t}".encode(), digest_size=6).digest()
    return round(int.from_bytes(h, "big") / 2**48 * 1000 + 1, 6)


def answer(path, query, headers):
    q = {k: v[0] for k, v in parse_qs(query).items()}
    pro = headers.get("x-cg-pro-api-key")
    demo = headers.get("x-cg-demo-api-key")
    if pro and not path.startswith("/pro/"):
        return 400, json.dumps({"status": {"error_code": 10010, "error_message": "use pro-api.coingecko.com"}})
    if demo and path.startswith("/pro/"):
        return 400, json.dumps({"status": {"error_code": 10011, "error_message": "use api.coingecko.com"}})
    if path.startswith("/pro/"):
        path = path[len("/pro"):]
    if path == "/coins/list":
        return 200, json.dumps([{"id": c, "symbol": c[:3], "name": c.title()} for c in LISTED])
    if path == "/simple/price":
        out = {}
        for coin in q.get("ids", "").split(","):
            if coin in KNOWN:
                out[coin] = {"usd": value(coin, "p", NOW), "usd_market_cap": value(coin, "m", NOW) * 1e6,
                             "usd_24h_vol": value(coin, "v", NOW) * 1e3,
                             "usd_24h_change": None if coin == "zcash" else 1.5, "last_updated_at": NOW - 17}
        return 200, json.dumps(out)
    parts = path.strip("/").split("/")
    if len(parts) == 4 and parts[0] == "coins" and parts[2:] == ["market_chart", "range"]:
        coin = parts[1]
        if coin not in KNOWN:
            return 404, json.dumps({"error": "coin not found"})
        start, end = int(q["from"]), int(q["to"])
        step = 86400 if end - start > 90 * 86400 else 3600
        first = (start + step - 1) // step * step
        stamps = [t * 1000 + (0 if step == 86400 else 137) for t in range(first, end, step)] + [end * 1000 - 4321]
        chart = {"prices": [], "market_caps": [], "total_volumes": []}
        for i, ms in enumerate(stamps):
            chart["prices"].append([ms, value(coin, "p", ms)])
            cap = None if i == 0 else 0.0 if i == 1 else value(coin, "m", ms) * 1e6
            chart["market_caps"].append([ms, cap])
            chart["total_volumes"].append([ms, value(coin, "v", ms) * 1e3])
        return 200, json.dumps(chart)
    return 404, json.dumps({"error": "Not Found"})
