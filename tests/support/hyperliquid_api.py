"""The Hyperliquid info endpoint for tm's tests: POST /info with a JSON body. `metaAndAssetCtxs`
(with "dex": a builder dex's file), `perpDexs` and `predictedFundings` are served from fixture
files; `fundingHistory` pages the recorded
history of a coin (fundingHistory/<COIN>.json) 500 rows at a time, startTime and endTime
inclusive, as the API does today; an unknown coin is HTTP 500 with the body `null`, as the
real API answers (research/market-apis.md §B.4)."""
import json
import os


def answer(root, body):
    try:
        request = json.loads(body or b"{}")
    except ValueError:
        return 400, json.dumps({"error": "invalid JSON body"})
    kind = request.get("type")
    if kind in ("metaAndAssetCtxs", "predictedFundings", "meta", "perpDexs"):
        dex = request.get("dex", "")
        path = os.path.join(root, "hyperliquid", f"info@type={kind}" + (f"@dex={dex}" if dex else "") + ".json")
        if not os.path.isfile(path):
            return 404, json.dumps({"error": f"no fixture for {kind}"})
        with open(path) as f:
            return 200, f.read()
    if kind == "fundingHistory":
        path = os.path.join(root, "hyperliquid", "fundingHistory", f"{request.get('coin')}.json")
        if not os.path.isfile(path):
            return 500, "null"
        with open(path) as f:
            rows = json.load(f)
        start = request.get("startTime", 0)
        end = request.get("endTime", 2**62)
        page = [r for r in rows if start <= r["time"] <= end][:500]
        return 200, json.dumps(page)
    return 422, json.dumps({"error": f"unknown type {kind}"})
