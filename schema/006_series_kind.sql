-- A series' identity includes the kind of thing its asset id names (issue 12 §3). DefiLlama's
-- stablecoin ids and bridge ids are both small integers, and `hyperliquid` is a chain and a
-- protocol: keyed on (source, asset) alone, `--entity tether` found bridge 1's volumes and
-- `--kind stablecoin` found BRIDGE_VOLUME_*. Points keep their series_id, so no point moves.

ALTER TABLE series ADD COLUMN IF NOT EXISTS kind text;

-- Existing series: every source but Artemis tells its kinds apart by metric; Artemis by the
-- assets row it wrote for the symbol (equities are eq-…).
UPDATE series s
   SET kind = CASE
       WHEN s.source = 'defillama' THEN CASE
           WHEN s.metric LIKE 'CHAIN\_%' THEN 'chain'
           WHEN s.metric = 'STABLECOIN_SUPPLY' THEN 'stablecoin'
           WHEN s.metric LIKE 'BRIDGE\_VOLUME\_%' THEN 'bridge'
           WHEN s.metric IN ('APY', 'APY_BASE', 'APY_REWARD', 'POOL_TVL', 'UTILIZATION') THEN 'pool'
           ELSE 'protocol' END
       WHEN s.source = 'hyperliquid' THEN 'perp'
       WHEN s.source = 'coingecko' THEN 'coin'
       WHEN s.source IN ('binance', 'kraken', 'coinbase') THEN 'pair'
       ELSE coalesce((SELECT min(a.kind) FROM assets a
                       WHERE a.source = s.source AND a.asset = s.asset),
                     CASE WHEN s.asset LIKE 'eq-%' THEN 'equity' ELSE 'coin' END)
   END
 WHERE s.kind IS NULL;

ALTER TABLE series ALTER COLUMN kind SET NOT NULL;
ALTER TABLE series ADD CONSTRAINT series_kind_check
    CHECK (kind IN ('protocol', 'chain', 'pool', 'stablecoin', 'bridge', 'coin', 'perp', 'pair',
                    'equity'));
ALTER TABLE series DROP CONSTRAINT IF EXISTS series_source_asset_metric_key;
ALTER TABLE series ADD CONSTRAINT series_source_kind_asset_metric_key
    UNIQUE (source, kind, asset, metric);

-- The flat views show the kind too (appended: CREATE OR REPLACE keeps existing columns).
CREATE OR REPLACE VIEW metrics AS
SELECT s.source, s.asset, s.metric, s.unit, p.ts, p.value, p.pull_id, s.series_id, s.kind
  FROM points p JOIN series s USING (series_id);

CREATE OR REPLACE VIEW latest AS
SELECT s.source, s.asset, s.metric, s.unit, p.ts, p.value, now() - p.ts AS age, s.series_id,
       s.kind
  FROM series s
  CROSS JOIN LATERAL (SELECT ts, value FROM points
                       WHERE points.series_id = s.series_id
                       ORDER BY ts DESC LIMIT 1) p;

-- Only the owner of a materialized view may refresh it; the writer role refreshes daily_ohlcv
-- through this function, which runs as its owner and does nothing else.
CREATE OR REPLACE FUNCTION tm_refresh_daily_ohlcv() RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    REFRESH MATERIALIZED VIEW CONCURRENTLY daily_ohlcv
$$;
REVOKE ALL ON FUNCTION tm_refresh_daily_ohlcv() FROM PUBLIC;
