#!/usr/bin/env python3
"""Builds the DefiLlama fixtures for which no real recorded response exists, following the
shapes documented in shared/research/defillama-api.md (section numbers below) exactly.
Deterministic: running it again rewrites the same bytes. Real recorded responses are copied
by hand and listed in tests/fixtures/SOURCES.md; this script never touches them.

    python3 tests/support/make_defillama_fixtures.py
"""
import json
import os

ROOT = os.path.join(os.path.dirname(__file__), "..", "fixtures", "http")
DAY = 86400
# The e2e tests pin TM_NOW to 2024-03-13T05:17:00Z: "today" is 2024-03-13.
TODAY = 1710288000  # 2024-03-13T00:00:00Z
HOUR_TODAY = TODAY + 4 * 3600 + 1234  # a partial-day point, as the APIs end their charts


def write(rel, obj):
    path = os.path.join(ROOT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")


def days(n, end=TODAY):
    """n consecutive day stamps ending with `end` (today, the partial day)."""
    return [end - (n - 1 - i) * DAY for i in range(n)]


# ---- /overview/{type} (research §3.3): protocols[] with total24h and breakdown24h keyed by
# internal chain keys; a protocol with no data has no numeric keys at all; ids string or number.
OVERVIEW_PROTOCOLS = [
    # slug, name, defillamaId, chains (labels), breakdown {key: {version: value}}, protocolType
    ("uniswap-v3", "Uniswap V3", "2198", ["Ethereum", "Arbitrum"], {"ethereum": {"Uniswap V3": 1000.0}, "arbitrum": {"Uniswap V3": 250.5}}, "protocol"),
    ("pancakeswap-amm", "PancakeSwap AMM", 2590, ["BSC"], {"bsc": {"PancakeSwap AMM": 400.0}}, "protocol"),
    ("curve-dex", "Curve DEX", "3", ["Ethereum", "Gnosis"], {"ethereum": {"Curve DEX": 300.0}, "xdai": {"Curve DEX": 12.0}}, "protocol"),
    ("ethereum", "Ethereum", "1027", ["Ethereum"], {"ethereum": {"Ethereum": 5000.0}}, "chain"),
    ("quiet-protocol", "Quiet Protocol", "9999", ["Avalanche"], None, "protocol"),
]


def overview(scale, chart_len=4):
    protocols = []
    for slug, name, did, chains, breakdown, ptype in OVERVIEW_PROTOCOLS:
        p = {"defillamaId": did, "name": name, "displayName": name, "module": slug,
             "category": "Dexes", "chains": chains, "protocolType": ptype,
             "latestFetchIsOk": True, "slug": slug, "id": did}
        if breakdown is not None:
            scaled = {c: {k: v * scale for k, v in vs.items()} for c, vs in breakdown.items()}
            total = sum(v for vs in scaled.values() for v in vs.values())
            p = {"total24h": total, "total48hto24h": total * 0.9, "total7d": total * 7,
                 "total30d": total * 30, "average1y": None, "change_1d": 11.11,
                 "breakdown24h": scaled, **p}
        protocols.append(p)
    total = sum(p.get("total24h", 0) for p in protocols)
    chart = [[t, total * (0.8 + 0.05 * i)] for i, t in enumerate(days(chart_len))]
    return {"totalDataChart": [], "totalDataChartBreakdown": [], "breakdown24h": None,
            "chain": None, "allChains": ["Ethereum", "Arbitrum", "BSC", "Gnosis", "Avalanche"],
            "total24h": total, "total48hto24h": total * 0.9, "total7d": total * 7,
            "change_1d": 11.11, "protocols": protocols}


write("defillama/overview/fees@dataType=dailyFees.json", overview(1.0))
write("defillama/overview/fees@dataType=dailyHoldersRevenue.json", overview(0.1))
write("defillama/overview/dexs.json", overview(1000.0))
write("defillama/overview/options@dataType=dailyPremiumVolume.json", overview(2.0))
write("defillama/overview/options@dataType=dailyNotionalVolume.json", overview(50.0))
write("defillama/overview/aggregators.json", overview(30.0))
write("defillama/overview/open-interest.json", overview(7000.0))


# ---- charts: /summary/{type}/{slug} (§3.4) and /overview/{type}/{chain} with the chart
# included: totalDataChart [[ts, v]] daily, last point the partial current day, with a gap.
def summary(slug, name, scale):
    stamps = days(12)
    stamps = stamps[:3] + stamps[5:]  # a gap of two days, as real charts have
    chart = [[t, round(scale * (100 + 7 * i), 2)] for i, t in enumerate(stamps)]
    return {"id": "parent#" + slug, "name": name, "defillamaId": "parent#" + slug, "slug": slug,
            "chains": ["Ethereum"], "total24h": chart[-2][1], "total48hto24h": chart[-3][1],
            "change_1d": 1.5, "hasLabelBreakdown": False, "totalDataChart": chart,
            "totalDataChartBreakdown": [[t, {"Ethereum": {name: v}}] for t, v in chart]}


for slug, name in [("uniswap-v3", "Uniswap V3"), ("curve-dex", "Curve DEX")]:
    write(f"defillama/summary/fees/{slug}@dataType=dailyFees.json", summary(slug, name, 1))
    write(f"defillama/summary/fees/{slug}@dataType=dailyRevenue.json", summary(slug, name, 0.3))
    write(f"defillama/summary/fees/{slug}@dataType=dailyHoldersRevenue.json", summary(slug, name, 0.05))
    write(f"defillama/summary/dexs/{slug}.json", summary(slug, name, 1000))
for dtype, scale in [("dailyFees", 1), ("dailyRevenue", 0.3), ("dailyHoldersRevenue", 0.05)]:
    chart = summary("ethereum", "Ethereum", 10 * scale)
    write(f"defillama/overview/fees/Ethereum@dataType={dtype}.json",
          {**overview(scale), "chain": "Ethereum", "totalDataChart": chart["totalDataChart"]})
write("defillama/overview/dexs/Ethereum.json",
      {**overview(1000), "chain": "Ethereum", "totalDataChart": summary("e", "E", 10000)["totalDataChart"]})

# ---- TVL history (§3.2, §3.5): /protocol/{slug} tvl[] daily plus a last hourly point,
# /v2/historicalChainTvl/{chain} [{date, tvl}].
def protocol_history(slug, name, n):
    stamps = days(n - 1, TODAY - DAY) + [HOUR_TODAY]
    tvl = [{"date": t, "totalLiquidityUSD": 1e6 + 1000 * i} for i, t in enumerate(stamps)]
    return {"id": "2198", "name": name, "slug": slug, "chains": ["Ethereum"], "tvl": tvl,
            "chainTvls": {"Ethereum": {"tvl": tvl, "tokensInUsd": None, "tokens": None}},
            "tokens": None, "tokensInUsd": None, "currentChainTvls": {"Ethereum": tvl[-1]["totalLiquidityUSD"]}}


write("defillama/protocol/uniswap-v3.json", protocol_history("uniswap-v3", "Uniswap V3", 20))

# ---- stablecoins (§3.6): /stablecoins, /stablecoinchains, /stablecoincharts/{all|chain}
# with string dates, integers except on the last element, and dropped zero keys.
write("defillama-stablecoins/stablecoins.json", {"peggedAssets": [
    {"id": "1", "name": "Tether", "symbol": "USDT", "gecko_id": "tether", "pegType": "peggedUSD",
     "priceSource": "defillama", "pegMechanism": "fiat-backed",
     "circulating": {"peggedUSD": 143000000000.25}, "circulatingPrevDay": {"peggedUSD": 142000000000},
     "chainCirculating": {"Ethereum": {"current": {"peggedUSD": 70000000000}}},
     "chains": ["Ethereum", "Tron"], "price": 1.0002},
    {"id": "5", "name": "Dai", "symbol": "DAI", "gecko_id": "dai", "pegType": "peggedUSD",
     "priceSource": "chainlink", "pegMechanism": "crypto-backed",
     "circulating": {"peggedUSD": 5300000000}, "chains": ["Ethereum"], "price": None},
    {"id": "50", "name": "EURC", "symbol": "EURC", "gecko_id": "euro-coin", "pegType": "peggedEUR",
     "pegMechanism": "fiat-backed", "circulating": {"peggedEUR": 120000000.5}, "chains": ["Ethereum"],
     "price": 1.08},
    {"id": "77", "name": "Gone USD", "symbol": "GUSD2", "gecko_id": None, "pegType": "peggedUSD",
     "circulating": {}, "chains": [], "price": None, "delisted": True},
], "chains": [{"name": "Ethereum"}]})
write("defillama-stablecoins/stablecoinchains.json", [
    {"gecko_id": "ethereum", "totalCirculatingUSD": {"peggedUSD": 80000000000.5, "peggedEUR": 130000000},
     "tokenSymbol": "ETH", "name": "Ethereum"},
    {"gecko_id": "binancecoin", "totalCirculatingUSD": {"peggedUSD": 5000000000}, "tokenSymbol": "BNB", "name": "BSC"},
    {"gecko_id": None, "totalCirculatingUSD": {}, "tokenSymbol": None, "name": "Empty Chain"},
])


def stable_chart(base):
    stamps = days(8)
    rows = []
    for i, t in enumerate(stamps):
        last = i == len(stamps) - 1
        v = base + 1000 * i + (0.37 if last else 0)
        row = {"date": str(t), "totalCirculating": {"peggedUSD": round(v, 2) if last else int(v)},
               "totalCirculatingUSD": {"peggedUSD": round(v, 2) if last else int(v)}}
        if i % 3 == 0:
            row["totalUnreleased"] = {"peggedUSD": 5}
        rows.append(row)
    return rows


write("defillama-stablecoins/stablecoincharts/all@stablecoin=1.json", stable_chart(100000000000))
write("defillama-stablecoins/stablecoincharts/Ethereum.json", stable_chart(70000000000))

# ---- yields (§3.8): /pools {status, data:[...]}, /lendBorrow bare array (free),
# /poolsBorrow {status, data} (pro), /chart/{uuid} and /chartLendBorrow/{uuid} with ISO times.
POOL_A = "747c1d2a-c668-4682-b9f9-296708a3dd90"
POOL_B = "aa70268e-4b52-42bf-a116-608b370f9501"
POOL_SMALL = "0b3a3e9c-0000-4000-8000-000000000001"
write("defillama-yields/pools.json", {"status": "success", "data": [
    {"chain": "Ethereum", "project": "lido", "symbol": "STETH", "tvlUsd": 25000000000, "apyBase": 2.9,
     "apyReward": None, "apy": 2.9, "rewardTokens": None, "pool": POOL_A, "apyPct1D": 0.01,
     "stablecoin": False, "ilRisk": "no", "exposure": "single", "poolMeta": None,
     "underlyingTokens": ["0x0000000000000000000000000000000000000000"], "il7d": None, "apyBase7d": None},
    {"chain": "Ethereum", "project": "aave-v3", "symbol": "USDC", "tvlUsd": 1500000000.5, "apyBase": 4.25,
     "apyReward": 0.35, "apy": 4.6, "rewardTokens": ["0xabc"], "pool": POOL_B, "stablecoin": True,
     "ilRisk": "no", "exposure": "single", "poolMeta": None},
    {"chain": "Arbitrum", "project": "tiny-farm", "symbol": "X-Y", "tvlUsd": 12000, "apyBase": None,
     "apyReward": 80.0, "apy": 80.0, "pool": POOL_SMALL},
]})
borrow_rows = [
    {"pool": POOL_B, "apyBaseBorrow": 5.1, "apyRewardBorrow": None, "totalSupplyUsd": 2000000000,
     "totalBorrowUsd": 1500000000, "debtCeilingUsd": None, "ltv": 0.8, "borrowable": True,
     "mintedCoin": None, "rewardTokens": None, "underlyingTokens": ["0xa0b8"], "borrowFactor": None},
    {"pool": POOL_A, "apyBaseBorrow": None, "apyRewardBorrow": None, "totalSupplyUsd": 0,
     "totalBorrowUsd": 0, "ltv": 0, "borrowable": False},
]
write("defillama-yields/lendBorrow.json", borrow_rows)
write("defillama-yields/poolsBorrow.json", {"status": "success", "data": [
    {"chain": "Ethereum", "project": "aave-v3", "symbol": "USDC", "tvlUsd": 500000000, "apy": 4.6,
     "pool": POOL_B, **borrow_rows[0], "totalBorrowUsd": 1600000000}]})


def iso(t, extra=0):
    import datetime
    return datetime.datetime.fromtimestamp(t + extra, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


write(f"defillama-yields/chart/{POOL_B}.json", {"status": "success", "data": [
    {"timestamp": iso(t, 23 * 3600 + 61), "tvlUsd": 1.4e9 + i * 1e7, "apy": 4.0 + i / 10,
     "apyBase": 3.7 + i / 10, "apyReward": 0.3 if i % 2 else None, "il7d": None, "apyBase7d": None}
    for i, t in enumerate(days(10, TODAY - DAY))] + [
    {"timestamp": iso(TODAY, 3600), "tvlUsd": 1.5e9, "apy": 4.6, "apyBase": 4.25, "apyReward": 0.35}]})
write(f"defillama-yields/chartLendBorrow/{POOL_B}.json", {"status": "success", "data": [
    {"timestamp": iso(t, 23 * 3600 + 61), "totalSupplyUsd": 2e9, "totalBorrowUsd": 1.2e9 + i * 1e7,
     "debtCeilingUsd": None, "apyBase": 4.0, "apyReward": None, "apyBaseBorrow": 5.0, "apyRewardBorrow": None}
    for i, t in enumerate(days(10, TODAY - DAY))] + [
    {"timestamp": iso(t, 0), "totalSupplyUsd": None, "totalBorrowUsd": None} for t in [TODAY - 20 * DAY]]})

# ---- bridges (§3.7, pro): bridgevolume with string dates; volume = (deposit + withdraw) / 2.
write("defillama-bridges/bridgevolume/all@id=80.json", [
    {"date": str(t), "depositUSD": 1e6 + 1000 * i, "withdrawUSD": 2e6 + 1000 * i, "depositTxs": 10, "withdrawTxs": 5}
    for i, t in enumerate(days(6))])

# ---- inflows (§3.10, pro): {outflows, oldTokens, currentTokens}; positive = net inflow.
YESTERDAY = TODAY - DAY
write(f"defillama/inflows/uniswap-v3/{YESTERDAY}@end={TODAY}.json",
      {"outflows": 1234567.5, "oldTokens": {"date": YESTERDAY, "tvl": {"ETH": 100}},
       "currentTokens": {"date": TODAY, "tvl": {"ETH": 110}}})
write(f"defillama/inflows/curve-dex/{YESTERDAY}@end={TODAY}.json",
      {"outflows": -250000, "oldTokens": {"date": YESTERDAY, "tvl": {"CRV": 10}},
       "currentTokens": {"date": TODAY, "tvl": {"CRV": 9}}})
