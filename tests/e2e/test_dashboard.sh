#!/usr/bin/env bash
# tm serve's dashboard in a real browser (Debian's headless Chromium through chromedriver,
# tests/support/browser.py) on a store filled by real pulls and backfills from the fixture
# server: every page shows what is stored, every chart is drawn, the console stays clean, no
# request leaves tm serve, hostile names stay text; the tables need no JavaScript; screenshots
# go to $TM_TEST_OUTPUT/dashboard (default build/test-output/dashboard).
. "$(dirname "$0")/lib.sh"
need_packages chromium chromium-driver
OUTPUT=${TM_TEST_OUTPUT:-$TM_BIN/../test-output}/dashboard
mkdir -p "$OUTPUT"

# The recorded fixtures, with the largest protocol renamed to HTML that would run if a page
# pasted it unescaped (and a slug that would break out of an attribute).
ROOT="$E2E_TMP/fixtures"
cp -r "$TM_SOURCE_DIR/tests/fixtures/http" "$ROOT"
EVIL_NAME='<script>window.__pwned="script"</script><img src=x onerror="window.__pwned=1">Evil & Co'
EVIL_SLUG="evil\"'><svg onload=window.__pwned=2>"
python3 - "$ROOT" "$EVIL_NAME" "$EVIL_SLUG" <<'PY'
import json, sys
root, name, slug = sys.argv[1:]
path = root + "/defillama/protocols.json"
protocols = json.load(open(path))
top = max(protocols, key=lambda p: p.get("tvl") or 0)
top.update(name=name, slug=slug)
json.dump(protocols, open(path, "w"))
PY
start_fixture_server "$ROOT"
export TM_HYPERLIQUID_URL="$FIXTURE_URL/hyperliquid" TM_COINGECKO_URL="$FIXTURE_URL/coingecko" \
  TM_BINANCE_URL="$FIXTURE_URL/binance"
FAST=(-q --rate-limit 100000 --retry-delay 10ms)
SERVE_PID=""
stop_serve() { if [ -n "$SERVE_PID" ]; then kill "$SERVE_PID" 2>/dev/null; wait "$SERVE_PID" 2>/dev/null; SERVE_PID=""; fi; }
extra_cleanup() { stop_serve; }

# A store as a deployment has one: a DefiLlama backfill and a week of hourly-ish pulls, a year
# of CoinGecko prices, Binance tickers, Hyperliquid funding history and a snapshot, then detect.
fill_store() {
  new_database
  TM_NOW=2024-03-13T05:17:00Z tm backfill defillama --config "$TM_SOURCE_DIR/tests/fixtures/config/defillama-backfill.csv" "${FAST[@]}" || fail "defillama backfill"
  for day in 06 07 08 09 10 11 12 13; do
    # On the 9th the open-interest overview fails: a partial pull with its error in pull_errors.
    if [ "$day" = 09 ]; then
      fault '{"path": "/defillama/overview/open-interest", "times": -1, "status": 500, "body": "upstream down"}'
    fi
    local code=0
    TM_NOW=2024-03-${day}T05:17:00Z tm pull defillama "${FAST[@]}" --retries 0 2>/dev/null || code=$?
    if [ "$day" = 09 ]; then
      reset_server
      expect_eq "$code" 3 "the partial pull"
    else
      expect_eq "$code" 0 "defillama pull $day"
    fi
  done
  TM_NOW=2024-03-13T05:17:00Z tm backfill coingecko --assets bitcoin,ethereum --since 2024-01-01 "${FAST[@]}" || fail "coingecko backfill"
  TM_NOW=2024-03-13T05:17:00Z tm pull coingecko "${FAST[@]}" || fail "coingecko pull"
  TM_NOW=2024-03-13T05:17:00Z tm pull binance "${FAST[@]}" || fail "binance pull"
  TM_NOW=2023-07-18T05:17:00Z tm backfill hyperliquid --assets BTC --since 2023-05-01 "${FAST[@]}" || fail "hyperliquid backfill"
  TM_NOW=2023-07-18T05:17:00Z tm pull hyperliquid "${FAST[@]}" || fail "hyperliquid pull"
  # The hostile protocol lost half its TVL in a day: tm detect opens an alert on it.
  sql "UPDATE points SET value = 2 * value FROM series s WHERE s.series_id = points.series_id
       AND s.metric = 'TVL' AND s.asset LIKE 'evil%' AND points.ts < '2024-03-13'" >/dev/null
  TM_NOW=2024-03-13T05:17:00Z tm detect -q >/dev/null || fail "detect"
}

start_serve() {
  SERVE_PORT=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
  SERVE_URL="http://127.0.0.1:$SERVE_PORT"
  stop_serve
  TM_NOW=2024-03-13T05:17:00Z "$TM_BIN/tm" serve --listen "127.0.0.1:$SERVE_PORT" >"$E2E_TMP/serve.out" 2>"$E2E_TMP/serve.err" &
  SERVE_PID=$!
  for _ in $(seq 100); do curl -sf "$SERVE_URL/health" >/dev/null && return 0; sleep 0.05; done
  fail "tm serve did not start: $(cat "$E2E_TMP/serve.err")"
}

# browse PATH...: loads each page in Chromium; one JSON line per page in $E2E_TMP/pages.
browse() {
  timeout 240 python3 "$TM_SOURCE_DIR/tests/support/browser.py" --base "$SERVE_URL" --out "$OUTPUT" "$@" \
    >"$E2E_TMP/pages" 2>"$E2E_TMP/browser.err" || fail "browser: $(tail -5 "$E2E_TMP/browser.err")"
}
# page_check PATH PYTHON-EXPRESSION WHAT: the expression, over that page's JSON `p`, is true.
page_check() {
  python3 - "$E2E_TMP/pages" "$1" "$2" <<'PY' || fail "$3 ($1)"
import json, sys
pages = {p["path"]: p for p in map(json.loads, open(sys.argv[1]))}
p = pages[sys.argv[2]]
ok = eval(sys.argv[3])
if not ok:
    print(f"    {sys.argv[2]}: status {p['status']}, charts {p['charts']}, drawn {p['drawn']}, "
          f"console {p['console']}, requests {p['requests']}", file=sys.stderr)
sys.exit(0 if ok else 1)
PY
}

PAGES=(/ /defi /chart "/chart?source=defillama&kind=protocol&asset=uniswap-v3&metric=TVL&range=all"
       "/chart?source=coingecko&asset=bitcoin&metric=PRICE&range=1y"
       "/chart?source=hyperliquid&asset=BTC&metric=FUNDING_RATE&range=all"
       "/entity/bitcoin?range=all" /journal)

case_every_page_in_a_browser() {
  fill_store
  start_serve
  browse "${PAGES[@]}"
  local p
  for p in "${PAGES[@]}"; do
    page_check "$p" "p['status'] == 200" "HTTP 200"
    # Scripts ran and drew every chart: a canvas in each, no chart left empty or failed.
    page_check "$p" "p['drawn'] == p['charts'] == p['canvases']" "every chart drawn"
    page_check "$p" "p['console'] == []" "no console errors or warnings"
    # Every request went to tm serve (data: URLs are the page's own bytes).
    page_check "$p" "p['requests'] and all(u.startswith('$SERVE_URL/') or u.startswith('data:') for u in p['requests'])" \
      "no request leaves tm serve"
    page_check "$p" "p['pwned'] is None and p['injected'] == 0" "hostile names stay text"
    [ -s "$OUTPUT/$(python3 -c "import re,sys; print(re.sub(r'[^A-Za-z0-9]+','-',sys.argv[1]).strip('-') or 'overview')" "$p").png" ] \
      || fail "no screenshot of $p"
  done
  # Charts where the data calls for them.
  page_check "/chart?source=coingecko&asset=bitcoin&metric=PRICE&range=1y" "p['charts'] == 2" "candles and the price line"
  page_check "/chart?source=hyperliquid&asset=BTC&metric=FUNDING_RATE&range=all" \
    "'PREDICTED_FUNDING_RATE_HLPERP' in p['text'] and 'FUNDING_RATE' in p['text']" "funding rate with each venue's prediction"
  page_check "/entity/bitcoin?range=all" \
    "all(s in p['text'] for s in ('coingecko', 'binance', 'hyperliquid')) and p['charts'] >= 3" "every source of bitcoin"

  # What the pages say comes from the store.
  local top_chain tvl_sources
  top_chain=$(sql "SELECT a.name FROM latest l JOIN assets a USING (source, kind, asset) WHERE l.metric = 'CHAIN_TVL' ORDER BY l.value DESC LIMIT 1")
  page_check /defi "'$top_chain' in p['text'] and 'Evil & Co' in p['text'] and 'aave-v3 USDC' in p['text']" \
    "DeFi shows the stored protocols, chains and pools"
  page_check /defi "'<script>window.__pwned' in p['text']" "the hostile name shows as text"
  page_check / "all(s in p['text'] for s in ('defillama', 'coingecko', 'binance', 'hyperliquid', 'CRITICAL', 'OK'))" \
    "Overview: every feed with its health"
  page_check /journal "'tvl_drop' in p['text'] and 'stale_feed' in p['text'] and 'backfill' in p['text']" \
    "Alerts and pulls: the alerts and the journal"
  page_check /journal "'overview/open-interest' in p['text'] and 'HTTP 500' in p['text'] and 'partial' in p['text']" \
    "Alerts and pulls: the partial pull and its error"
  run tm query pull_errors --csv
  expect_contains "$OUT" "open-interest" "tm query pull_errors"
  page_check "/chart?source=defillama&kind=protocol&asset=uniswap-v3&metric=TVL&range=all" "'uniswap-v3' in p['text']" "chart of a protocol"

  # --dump-dom: the page as Chromium has it after its scripts, from the command line too.
  local dom
  dom=$(timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$E2E_TMP/profile" --virtual-time-budget=5000 --dump-dom "$SERVE_URL/defi" 2>/dev/null)
  expect_contains "$dom" "$(printf '%s' "$top_chain")" "--dump-dom of /defi"
  expect_contains "$dom" '&lt;script&gt;window.__pwned="script"&lt;/script&gt;' "--dump-dom of /defi"
  expect_not_contains "$dom" '<svg onload' "--dump-dom of /defi"
}

case_tables_without_javascript() {
  fill_store
  start_serve
  # The HTML as sent: the tables are there before any script runs.
  local body
  body=$(curl -s -D "$E2E_TMP/headers" "$SERVE_URL/defi")
  expect_contains "$body" "<table>" "/defi as sent"
  expect_contains "$body" "Evil &amp; Co" "/defi as sent"
  expect_not_contains "$body" "<script>window" "/defi as sent"
  expect_not_contains "$body" "<img src=x" "/defi as sent"
  expect_not_contains "$body" "<svg onload" "/defi as sent"
  expect_contains "$(cat "$E2E_TMP/headers")" "Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'"
  expect_contains "$(cat "$E2E_TMP/headers")" "Content-Type: text/html; charset=utf-8"
  expect_contains "$(cat "$E2E_TMP/headers")" "Server-Timing: app;dur="
  # The alert on the hostile protocol links to its chart around the alert; the link works.
  body=$(curl -s "$SERVE_URL/journal")
  local link
  link=$(printf '%s' "$body" | python3 -c "
import html, re, sys
links = [html.unescape(h) for h in re.findall(r'href=\"(/chart\?[^\"]*from=[^\"]*)\"', sys.stdin.read())]
print(links[0] if links else '')")
  expect_contains "$link" "metric=TVL" "alert chart link"
  expect_contains "$link" "from=2024-03-06T05%3A00%3A00Z" "alert chart link (a week before the alert)"
  expect_eq "$(curl -s -o "$E2E_TMP/alert.html" -w '%{http_code}' "$SERVE_URL$link")" 200 "the alert's chart"
  expect_contains "$(cat "$E2E_TMP/alert.html")" 'data-chart="chart-1"' "the alert's chart"
  expect_contains "$(cat "$E2E_TMP/alert.html")" "Evil &amp; Co" "the alert's chart"
  # The charting library is tm serve's own copy, without a source map to ask for.
  curl -s "$SERVE_URL/static/dygraph.min.js" -o "$E2E_TMP/dygraph.js"
  python3 - /usr/share/javascript/dygraphs/dygraph.min.js "$E2E_TMP/dygraph.js" <<'PY' || fail "/static/dygraph.min.js is not Debian's dygraph.min.js"
import re, sys
debian, served = (open(f).read() for f in sys.argv[1:])
sys.exit(0 if re.sub(r"\n//# sourceMappingURL=[^\n]*", "", debian) == served and "sourceMappingURL" not in served else 1)
PY
}

case_errors_are_pages() {
  new_database
  start_serve
  local code
  for path_code in "/entity/nosuch 404" "/chart?source=nosuch&asset=x 400" "/chart?source=defillama&asset=nosuch&metric=TVL 404" \
    "/chart?source=defillama&asset=x&range=2d 400" "/chart?source=defillama&asset=x&from=yesterday 400" \
    "/journal?source=nosuch 400" "/static/nosuch.js 404"; do
    code=$(curl -s -o "$E2E_TMP/err.html" -w '%{http_code} %{content_type}' "$SERVE_URL${path_code% *}")
    expect_eq "${code%% *}" "${path_code##* }" "${path_code% *}"
    case "${path_code% *}" in
      /static/*) ;;
      *) expect_contains "$code" "text/html" "${path_code% *}" ;;
    esac
  done
  # An empty store: every page still answers, saying there is nothing yet.
  for p in / /defi /chart /journal; do
    expect_eq "$(curl -s -o "$E2E_TMP/page.html" -w '%{http_code}' "$SERVE_URL$p")" 200 "$p on an empty store"
  done
  expect_contains "$(curl -s "$SERVE_URL/defi")" "No TVL stored yet"
  # Read-only, like the API.
  expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$SERVE_URL/")" 405 "POST /"
}

run_cases
