#!/usr/bin/env python3
"""Builds config/demo/defillama/, the recording scripts/quickstart replays when DefiLlama cannot be
reached: one real DefiLlama response laid out the way `tm pull --record` writes it
(lib/tm/http/recorder.cpp), so that `tm pull defillama --metrics TVL --replay config/demo/defillama`
finds it without any network.

The response is GET https://api.llama.fi/protocols of Sat, 29 Jan 2022 11:23:51 GMT, kept in
tests/fixtures/http/defillama/protocols.json (provenance: tests/fixtures/http/SOURCES.md; it is
the 10 largest protocols of that day, as OpenBB's test cassette cut it). The recording cannot be
made with --record itself: recordings are keyed by the URL requested, which must be DefiLlama's
real one, and this machine has no internet. Deterministic; rerun it after changing the key.

    python3 tests/support/make_demo_recording.py
"""
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "..", "fixtures", "http", "defillama", "protocols.json")
OUT = os.path.join(HERE, "..", "..", "config", "demo", "defillama")
URL = "https://api.llama.fi/protocols"
RECORDED_AT = "2022-01-29T11:23:51Z"
DATE_HEADER = "Sat, 29 Jan 2022 11:23:51 GMT"


def fnv1a64(data: bytes) -> int:
    """http::Recorder::key's hash (64-bit FNV-1a)."""
    h = 1469598103934665603
    for b in data:
        h ^= b
        h = (h * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h


def main():
    # Recorder::key: "METHOD URL\nBODY" (redacted; nothing here is secret), 16 hex digits.
    key = "%016x" % fnv1a64(f"GET {URL}\n".encode())
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    with open(os.path.join(OUT, key + ".meta"), "w") as f:
        f.write(f"status: 200\nmethod: GET\nurl: {URL}\n"
                "header: content-type: application/json\n"
                f"header: date: {DATE_HEADER}\n")
    shutil.copyfile(SOURCE, os.path.join(OUT, key + ".body"))
    with open(os.path.join(OUT, "recorded_at"), "w") as f:
        f.write(RECORDED_AT + "\n")
    with open(os.path.join(OUT, "README.md"), "w") as f:
        f.write(f"""# A recorded DefiLlama response (data of {RECORDED_AT[:10]})

`scripts/quickstart` replays this folder when DefiLlama cannot be reached, so a first run
always ends with something to look at:

    TM_NOW={RECORDED_AT} tm pull defillama --metrics TVL --replay config/demo/defillama

(installed: `share/tm/demo/defillama`). It holds one real response, `GET {URL}` answered
on {DATE_HEADER}: the total value locked of the 10 largest DeFi protocols **of that day**
(OpenBB's test cassette kept the first 10 of the list; provenance in
`tests/fixtures/http/SOURCES.md`). `TM_NOW` stamps the points with the recording's hour, so
they are stored as what they are: history from {RECORDED_AT[:10]}, never today's values.

Files: `{key}.meta` and `.body`, the layout `tm pull --record` writes (the name is the
hash of the request); `recorded_at`, the time the quickstart uses. Built by
`tests/support/make_demo_recording.py`; do not edit by hand.
""")


if __name__ == "__main__":
    main()
