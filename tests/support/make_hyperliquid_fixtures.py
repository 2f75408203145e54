#!/usr/bin/env python3
"""Builds the Hyperliquid fixtures from real recorded responses (shared/fixtures/real/
hyperliquid, provenance in its SOURCES.md) where no whole real response exists:

  info@type=metaAndAssetCtxs.json  = [the real 2023 `meta` (28 perps),
                                      the first 28 real asset contexts of the 2026 WebSocket
                                      capture (same schema as metaAndAssetCtxs' 2nd element)],
                                     with documented quirks applied: one perp `isDelisted`, one
                                     `premium` "NaN" (JKorf/HyperLiquid.Net#16), nulls as captured.
  info@type=predictedFundings.json = the docs example (AVAX) plus a BTC entry with
                                     `fundingIntervalHours` and a null venue (both documented).
  fundingHistory/BTC.json          = the real 1038-row BTC history, unchanged; the fixture server
                                     pages it 500 rows at a time like today's API.
  info@type=perpDexs.json          = the documented perpDexs shape ([null, {name, fullName,
                                     deployer, …}], Dwellir's example for "xyz") with a second
                                     builder dex "flx" in the same shape.
  info@type=metaAndAssetCtxs@dex=xyz.json, …@dex=flx.json
                                   = [meta, contexts] of a builder dex: universes in the real
                                     shape of nautilus_trader's allPerpMetas capture ("km:US500"
                                     style names, growthMode) with built names (xyz:XYZ100 …),
                                     and the first real contexts of dexes "xyz" and "flx" in the
                                     2026 WebSocket capture.
Run from the repository root with shared/ beside it:  python3 tests/support/make_hyperliquid_fixtures.py
"""
import json
import os

REAL = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "fixtures", "real", "hyperliquid")
OUT = os.path.join(os.path.dirname(__file__), "..", "fixtures", "http", "hyperliquid")
os.makedirs(os.path.join(OUT, "fundingHistory"), exist_ok=True)


def real(name):
    with open(os.path.join(REAL, name)) as f:
        return json.load(f)


meta = real("info_meta_2023-07-17.json")
ctxs = [c for dex, cs in real("ws_allDexsAssetCtxs_2026.json")["data"]["ctxs"] if dex == "" for c in cs][: len(meta["universe"])]
meta["universe"][5]["isDelisted"] = True
ctxs[3]["premium"] = "NaN"
with open(os.path.join(OUT, "info@type=metaAndAssetCtxs.json"), "w") as f:
    json.dump([meta, ctxs], f)

predicted = real("info_predictedFundings_docs-example.json")
predicted.append(["BTC", [["HlPerp", {"fundingRate": "0.0000125", "nextFundingTime": 1733958000000, "fundingIntervalHours": 1}],
                          ["BinPerp", None]]])
with open(os.path.join(OUT, "info@type=predictedFundings.json"), "w") as f:
    json.dump(predicted, f)

frame = {dex: cs for dex, cs in real("ws_allDexsAssetCtxs_2026.json")["data"]["ctxs"]}
DEXES = {"xyz": ["xyz:XYZ100", "xyz:AAPL", "xyz:NVDA"], "flx": ["flx:CRCL", "flx:GOLD"]}
for dex, names in DEXES.items():
    universe = [{"growthMode": "enabled", "maxLeverage": 20, "name": n, "szDecimals": 3} for n in names]
    with open(os.path.join(OUT, f"info@type=metaAndAssetCtxs@dex={dex}.json"), "w") as f:
        json.dump([{"universe": universe, "marginTables": [], "collateralToken": 0}, frame[dex][: len(names)]], f)
perp_dexs = [None] + [{
    "name": dex, "fullName": dex.upper(), "deployer": "0x88806a71d74ad0a510b350545c9ae490912f0888",
    "oracleUpdater": None, "feeRecipient": "0x9cd0a696c7cbb9d44de99268194cb08e5684e5fe",
    "assetToStreamingOiCap": [[n, "50000000.0"] for n in names],
    "subDeployers": [], "deployerFeeScale": "1.0", "lastDeployerFeeScaleChangeTime": "1970-01-01T00:00:00",
    "assetToFundingMultiplier": [], "assetToFundingInterestRate": []} for dex, names in DEXES.items()]
with open(os.path.join(OUT, "info@type=perpDexs.json"), "w") as f:
    json.dump(perp_dexs, f)

with open(os.path.join(OUT, "fundingHistory", "BTC.json"), "w") as f:
    json.dump(real("info_fundingHistory_BTC_start-only_2023-07-17.json"), f)
