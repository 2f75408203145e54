-- The 20M-point store of `scripts/bench serve` and `scripts/bench scale` (issue 16): about 20M
-- points in 520 series, built with generate_series in one statement per table (no pulls), in
-- about a minute. DefiLlama protocols with their assets rows (so /protocols lists them) holding a
-- year of hourly TVL, a third of them also hourly FEES_24H; chains with hourly CHAIN_TVL (assets
-- of kind chain, which /protocols must leave out); stablecoins and pools (TVL, APY, utilization)
-- for the dashboard's DeFi page; minute prices of 220 series on two sources for the rest (about
-- 57 days each), each coin one entity on both (the dashboard's overlay), with their hourly and
-- daily candles; alerts, and the pulls journal that history implies (one pull per source and schedule
-- step: 82,000 a minute feed, one in 50 failed). Run on a database after `tm setup`; :now is the
-- newest point's time (psql -v now=2024-03-13T00:00:00Z), :points the total.
\set ON_ERROR_STOP on
\if :{?points}
\else
\set points 20000000
\endif

CREATE TEMP TABLE plan (source text, kind text, prefix text, metric text, n int, step interval,
                        span int);
-- span: points per series. The minute series take whatever is left of :points.
INSERT INTO plan VALUES
    ('defillama', 'protocol',   'proto-', 'TVL',               150, '1 hour',   8760),
    ('defillama', 'protocol',   'proto-', 'FEES_24H',           50, '1 hour',   8760),
    ('defillama', 'chain',      'chain-', 'CHAIN_TVL',          20, '1 hour',   8760),
    ('defillama', 'stablecoin', 'stbl-',  'STABLECOIN_SUPPLY',  20, '1 hour',   8760),
    ('defillama', 'pool',       'pool-',  'POOL_TVL',           30, '1 hour',   8760),
    ('defillama', 'pool',       'pool-',  'APY',                30, '1 hour',   8760),
    ('defillama', 'pool',       'pool-',  'UTILIZATION',        30, '1 hour',   8760),
    ('coingecko', 'coin',       'coin-',  'PRICE',             110, '1 minute', 0),
    ('binance',   'pair',       'coin-',  'PRICE',             110, '1 minute', 0);
UPDATE plan SET span = (:points - (SELECT sum(n * span) FROM plan))
                       / (SELECT sum(n) FROM plan WHERE span = 0)
 WHERE span = 0;

INSERT INTO assets (source, kind, asset, name)
SELECT DISTINCT source, kind, prefix || lpad(i::text, 3, '0'), initcap(prefix) || i
  FROM plan, generate_series(1, n) i;

INSERT INTO series (source, kind, asset, metric, unit)
SELECT source, kind, prefix || lpad(i::text, 3, '0'), metric,
       CASE metric WHEN 'APY' THEN 'percent' WHEN 'UTILIZATION' THEN 'ratio' ELSE 'usd' END
  FROM plan, generate_series(1, n) i
 ORDER BY 1, 2, 3, 4;

INSERT INTO entities (entity, source, kind, asset)
SELECT DISTINCT asset, source, kind, asset FROM series WHERE metric = 'PRICE'
ON CONFLICT DO NOTHING;

-- Building the keys and indexes of points once after the load is several times faster than
-- growing them row by row: drop them (whatever the schema has), load, put them back as they were.
CREATE TEMP TABLE saved AS
SELECT 1 AS step, format('ALTER TABLE points ADD CONSTRAINT %I %s', conname,
                         pg_get_constraintdef(oid)) AS ddl,
       format('ALTER TABLE points DROP CONSTRAINT %I', conname) AS undo
  FROM pg_constraint WHERE conrelid = 'points'::regclass AND contype IN ('p', 'u', 'f')
UNION ALL
SELECT 2, pg_get_indexdef(indexrelid), format('DROP INDEX %s', indexrelid::regclass)
  FROM pg_index
 WHERE indrelid = 'points'::regclass
   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = pg_index.indexrelid);
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT undo FROM saved ORDER BY step DESC LOOP
        EXECUTE r.undo;
    END LOOP;
END $$;

-- The month partitions of points that the load fills (rows of a month without one would wait
-- in points_default).
\o /dev/null
SELECT tm_points_partitions(ARRAY(SELECT generate_series(:'now'::timestamptz - interval '13 months',
                                                         :'now'::timestamptz, interval '1 month')));
\o

-- Values wander around a level per series.
INSERT INTO points (series_id, ts, value)
SELECT s.series_id, :'now'::timestamptz - (p.span - k) * p.step,
       (1000 + s.series_id % 500)
       * CASE p.metric WHEN 'PRICE' THEN 1 WHEN 'APY' THEN 0.005 WHEN 'UTILIZATION' THEN 0.0005
                       ELSE 10000 END
       * (1 + 0.05 * sin(k / 24.0 + s.series_id))
  FROM series s
  JOIN plan p ON p.source = s.source AND p.kind = s.kind AND p.metric = s.metric
                AND s.asset LIKE p.prefix || '%'
 CROSS JOIN LATERAL generate_series(1, p.span) k;

SET maintenance_work_mem = '1GB';
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT ddl FROM saved ORDER BY step LOOP
        EXECUTE r.ddl;
    END LOOP;
END $$;

-- The journal of that history: a pull per source and step (its shortest), the newest a step ago
-- and ok, so /metrics and tm status judge the feeds fresh as they would in production.
INSERT INTO pulls (source, kind, status, started_at, finished_at, requests, points_seen,
                   points_inserted)
SELECT j.source, 'pull', CASE WHEN k % 50 = 7 THEN 'failed' ELSE 'ok' END,
       :'now'::timestamptz - k * j.step, :'now'::timestamptz - k * j.step + interval '2 seconds',
       1, j.n, j.n
  FROM (SELECT source, min(step) AS step, max(span * step) AS length, sum(n) AS n
          FROM plan GROUP BY source) j
 CROSS JOIN LATERAL generate_series(1, (extract(epoch FROM j.length)
                                        / extract(epoch FROM j.step))::integer) k;
INSERT INTO pull_errors (pull_id, asset, request, error)
SELECT pull_id, 'proto-001', '/protocols', 'HTTP 500' FROM pulls WHERE status = 'failed';

-- Alerts as tm detect leaves them: a few open, many resolved.
INSERT INTO alerts (rule, series_id, status, severity, opened_at, last_seen_at, resolved_at,
                    value, baseline, message)
SELECT 'tvl_drop', s.series_id, CASE WHEN k <= 5 THEN 'open' ELSE 'resolved' END, 'critical',
       :'now'::timestamptz - k * interval '1 day', :'now'::timestamptz - k * interval '1 day',
       CASE WHEN k > 5 THEN :'now'::timestamptz - k * interval '1 day' + interval '6 hours' END,
       75, 100, 'TVL down 25% in 24h'
  FROM series s, generate_series(1, 300) k
 WHERE s.metric = 'TVL' AND s.series_id % 10 = k % 10;

-- The candles (hourly and daily rollups of the prices), as tm compact --rebuild-candles makes
-- them, in one statement.
\o /dev/null
SELECT tm_rollups_refresh(array_agg(series_id), array_agg('-infinity'::timestamptz),
                          array_agg('infinity'::timestamptz))
  FROM series WHERE candles;
\o

VACUUM ANALYZE;
