-- Data for `scripts/bench detect`: 10,000 series and 2,000,000 points shaped like a month of
-- tm's sources, so that every shipped rule has series to judge and a few of each fire.
-- Run on a database after `tm setup`; :now is the judging time (psql -v now=...).
\set ON_ERROR_STOP on
CREATE TEMP TABLE plan (source text, kind text, prefix text, metric text, n int, step interval);
INSERT INTO plan VALUES
    ('defillama',   'protocol', 'p',  'TVL',          2000, '1 hour'),
    ('defillama',   'chain', 'c',  'CHAIN_TVL',     500, '1 hour'),
    ('defillama',   'pool', 'pool', 'APY',        2000, '1 hour'),
    ('defillama',   'pool', 'pool', 'POOL_TVL',   2000, '1 hour'),
    ('defillama',   'pool', 'lend', 'UTILIZATION', 1000, '1 hour'),
    ('coingecko',   'coin', 'coin', 'PRICE',      1000, '1 minute'),
    ('binance',     'pair', 'coin', 'PRICE',      1000, '1 minute'),
    ('hyperliquid', 'perp', 'perp', 'FUNDING_RATE', 500, '1 hour');

INSERT INTO series (source, kind, asset, metric)
SELECT source, kind, prefix || i, metric FROM plan, generate_series(1, n) i;

-- 200 points per series ending at :now; deterministic pseudo-random values around a level per
-- series, with about 1% of series ending in a jump.
INSERT INTO points (series_id, ts, value)
SELECT s.series_id, :'now'::timestamptz - (200 - k) * p.step,
       CASE p.metric
           WHEN 'APY' THEN 0.5 + (s.series_id % 97) / 10.0
           WHEN 'POOL_TVL' THEN 2e6 + s.series_id
           WHEN 'UTILIZATION' THEN 0.5 + (s.series_id % 45) / 100.0
           WHEN 'FUNDING_RATE' THEN ((s.series_id + k) % 21 - 10) / 10000.0
           ELSE (1000 + s.series_id % 500) * (1 + 0.005 * sin(k + s.series_id))
       END * CASE WHEN k = 200 AND s.series_id % 101 = 0 THEN 0.7 ELSE 1 END
  FROM series s JOIN plan p ON p.source = s.source AND p.metric = s.metric
       AND s.asset LIKE p.prefix || '%', generate_series(1, 200) k;

-- One identity per coin across CoinGecko and Binance, for source_divergence.
INSERT INTO entities (entity, source, kind, asset)
SELECT 'coin' || i, src, CASE src WHEN 'binance' THEN 'pair' ELSE 'coin' END, 'coin' || i
  FROM generate_series(1, 1000) i, unnest(ARRAY['coingecko', 'binance']) src
ON CONFLICT DO NOTHING;

-- A pull history for stale_feed: hourly pulls per source, the last three of hyperliquid failed.
INSERT INTO pulls (source, kind, status, started_at, finished_at)
SELECT src, 'pull', CASE WHEN src = 'hyperliquid' AND h <= 3 THEN 'failed' ELSE 'ok' END,
       :'now'::timestamptz - h * interval '1 hour', :'now'::timestamptz - h * interval '1 hour'
  FROM unnest(ARRAY['defillama', 'coingecko', 'binance', 'hyperliquid']) src, generate_series(1, 48) h;
ANALYZE;
