-- Rollups: hourly and daily first, last, min, max, sum and count per series (issue 16 §1, §4).
-- They replace the materialized view daily_ohlcv, which every price pull rebuilt from every PRICE
-- point (30-35 s at 20M points): a write now refreshes only the buckets it touched, in its own
-- transaction.
--
-- Which buckets exist:
--   * candle series (PRICE and VOLUME_24H, the inputs of daily_ohlcv): every hour and day that
--     has points, kept up to date by every write;
--   * every series, before its raw_since: what tm compact rolled up before it removed the raw
--     points (retention). Those buckets are final: later writes and rebuilds leave them alone.
-- One relation for candles and rollups, with the bucket width as a column: both are the same six
-- aggregates of one series, and history queries read either through one path.

-- Writes keep the rollups of these series current; other series are rolled up by tm compact.
ALTER TABLE series ADD COLUMN candles boolean
    GENERATED ALWAYS AS (metric IN ('PRICE', 'VOLUME_24H')) STORED;
-- Retention's horizon (a UTC midnight): points before it were removed once rolled up, and the
-- rollups before it are the series' history.
ALTER TABLE series ADD COLUMN raw_since timestamptz;

-- Keyed by series_id first, like points, so that both distribute together (Citus).
CREATE TABLE rollups (
    series_id integer NOT NULL REFERENCES series (series_id),
    width     text NOT NULL CHECK (width IN ('hour', 'day')),
    ts        timestamptz NOT NULL,           -- start of the bucket, UTC
    first     double precision NOT NULL,      -- value of the earliest point (open)
    last      double precision NOT NULL,      -- value of the latest point (close)
    min       double precision NOT NULL,
    max       double precision NOT NULL,
    -- numeric: exact and order-free, so a bucket refreshed piecewise equals one rebuilt at once
    -- (avg = sum / count)
    sum       numeric NOT NULL,
    count     bigint NOT NULL,
    PRIMARY KEY (series_id, width, ts)
);

-- Refreshes the rollups of the hours from los[i] to his[i] (instants, widened to whole UTC hours)
-- of series ids[i]: each such hour from the points it holds (an hour left without points loses
-- its rollup), then each day containing one from its hours. Buckets before a series' raw_since
-- are final and skipped. Overlapping spans are merged, so a point never counts twice.
-- Concurrent writers of one bucket take turns: each takes the rollup locks of its series (256
-- slots, in order) before reading, so whoever commits last has read everything before it.
CREATE FUNCTION tm_rollups_refresh(ids integer[], los timestamptz[], his timestamptz[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    span_ids integer[];
    hours tstzrange[];
BEGIN
    IF coalesce(cardinality(ids), 0) = 0 THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('tm:rollups'), slot)
       FROM (SELECT DISTINCT id % 256 AS slot FROM unnest(ids) AS id ORDER BY 1) AS slots;

    SELECT array_agg(id), array_agg(span) INTO span_ids, hours
      FROM (SELECT id, hour_span * tstzrange(raw_since, NULL) AS span
              FROM (SELECT u.id, s.raw_since,
                           unnest(range_agg(tstzrange(date_trunc('hour', u.lo, 'UTC'),
                                                      date_trunc('hour', u.hi, 'UTC')
                                                          + interval '1 hour'))) AS hour_span
                      FROM unnest(ids, los, his) AS u(id, lo, hi)
                      JOIN series s ON s.series_id = u.id
                     GROUP BY u.id, s.raw_since) AS merged) AS clamped
     WHERE NOT isempty(span);
    IF span_ids IS NULL THEN
        RETURN;
    END IF;

    WITH spans AS (SELECT * FROM unnest(span_ids, hours) AS t(id, span)),
    fresh AS (
        SELECT p.series_id, date_trunc('hour', p.ts, 'UTC') AS ts,
               (array_agg(p.value ORDER BY p.ts))[1] AS first,
               (array_agg(p.value ORDER BY p.ts DESC))[1] AS last,
               min(p.value) AS min, max(p.value) AS max, sum(p.value::numeric) AS sum,
               count(*) AS count
          FROM spans JOIN points p
            ON p.series_id = spans.id AND p.ts >= lower(spans.span) AND p.ts < upper(spans.span)
         GROUP BY 1, 2),
    emptied AS (
        DELETE FROM rollups r USING spans
         WHERE r.series_id = spans.id AND r.width = 'hour'
           AND r.ts >= lower(spans.span) AND r.ts < upper(spans.span)
           AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.series_id = r.series_id AND f.ts = r.ts))
    INSERT INTO rollups (series_id, width, ts, first, last, min, max, sum, count)
    SELECT series_id, 'hour', ts, first, last, min, max, sum, count FROM fresh
    ON CONFLICT (series_id, width, ts) DO UPDATE
       SET first = EXCLUDED.first, last = EXCLUDED.last, min = EXCLUDED.min, max = EXCLUDED.max,
           sum = EXCLUDED.sum, count = EXCLUDED.count
     WHERE (rollups.first, rollups.last, rollups.min, rollups.max, rollups.sum, rollups.count)
           IS DISTINCT FROM (EXCLUDED.first, EXCLUDED.last, EXCLUDED.min, EXCLUDED.max,
                             EXCLUDED.sum, EXCLUDED.count);

    -- raw_since is a midnight, so widening to whole days never reaches a final day.
    WITH spans AS (
        SELECT id, tstzrange(date_trunc('day', lower(span), 'UTC'),
                             date_trunc('day', upper(span) - interval '1 microsecond', 'UTC')
                                 + interval '1 day') AS span
          FROM unnest(span_ids, hours) AS t(id, span)),
    fresh AS (
        SELECT h.series_id, date_trunc('day', h.ts, 'UTC') AS ts,
               (array_agg(h.first ORDER BY h.ts))[1] AS first,
               (array_agg(h.last ORDER BY h.ts DESC))[1] AS last,
               min(h.min) AS min, max(h.max) AS max, sum(h.sum) AS sum,
               sum(h.count)::bigint AS count
          FROM spans JOIN rollups h
            ON h.series_id = spans.id AND h.width = 'hour'
           AND h.ts >= lower(spans.span) AND h.ts < upper(spans.span)
         GROUP BY 1, 2),
    emptied AS (
        DELETE FROM rollups r USING spans
         WHERE r.series_id = spans.id AND r.width = 'day'
           AND r.ts >= lower(spans.span) AND r.ts < upper(spans.span)
           AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.series_id = r.series_id AND f.ts = r.ts))
    INSERT INTO rollups (series_id, width, ts, first, last, min, max, sum, count)
    SELECT series_id, 'day', ts, first, last, min, max, sum, count FROM fresh
    ON CONFLICT (series_id, width, ts) DO UPDATE
       SET first = EXCLUDED.first, last = EXCLUDED.last, min = EXCLUDED.min, max = EXCLUDED.max,
           sum = EXCLUDED.sum, count = EXCLUDED.count
     WHERE (rollups.first, rollups.last, rollups.min, rollups.max, rollups.sum, rollups.count)
           IS DISTINCT FROM (EXCLUDED.first, EXCLUDED.last, EXCLUDED.min, EXCLUDED.max,
                             EXCLUDED.sum, EXCLUDED.count);
END $$;

-- tm deletes points only through retention (tm compact, which rolls them up first). A DELETE
-- by hand inside the raw window reaches the candles through this statement-level trigger: one
-- refresh of the hours the statement emptied or thinned, not one call per row.
CREATE FUNCTION tm_points_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tm_rollups_refresh(array_agg(series_id), array_agg(hour), array_agg(hour))
       FROM (SELECT DISTINCT g.series_id, date_trunc('hour', g.ts, 'UTC') AS hour
               FROM gone g JOIN series s USING (series_id)
              WHERE s.candles) AS touched;
    RETURN NULL;
END $$;
CREATE TRIGGER points_deleted AFTER DELETE ON points
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION tm_points_deleted();

-- The candles of the stored prices, once (what the materialized view held, from the same points).
SELECT tm_rollups_refresh(array_agg(series_id),
                          array_fill('-infinity'::timestamptz, ARRAY[count(*)::integer]),
                          array_fill('infinity'::timestamptz, ARRAY[count(*)::integer]))
  FROM series WHERE candles;

DROP FUNCTION tm_refresh_daily_ohlcv();
DROP MATERIALIZED VIEW daily_ohlcv;

-- Seed 001's daily_ohlcv, same columns and meaning: PRICE's open, high, low and close per source,
-- asset and UTC day, the day's last VOLUME_24H, and how many PRICE points the day holds.
CREATE VIEW daily_ohlcv AS
SELECT s.source, s.asset, r.ts AS day, r.first AS open, r.max AS high, r.min AS low,
       r.last AS close, v.last AS volume, r.count AS samples
  FROM rollups r
  JOIN series s ON s.series_id = r.series_id
  LEFT JOIN series vs ON vs.source = s.source AND vs.kind = s.kind AND vs.asset = s.asset
                     AND vs.metric = 'VOLUME_24H'
  LEFT JOIN rollups v ON v.series_id = vs.series_id AND v.width = 'day' AND v.ts = r.ts
 WHERE r.width = 'day' AND s.metric = 'PRICE';

-- The same per UTC hour.
CREATE VIEW hourly_ohlcv AS
SELECT s.source, s.asset, r.ts AS hour, r.first AS open, r.max AS high, r.min AS low,
       r.last AS close, v.last AS volume, r.count AS samples
  FROM rollups r
  JOIN series s ON s.series_id = r.series_id
  LEFT JOIN series vs ON vs.source = s.source AND vs.kind = s.kind AND vs.asset = s.asset
                     AND vs.metric = 'VOLUME_24H'
  LEFT JOIN rollups v ON v.series_id = vs.series_id AND v.width = 'hour' AND v.ts = r.ts
 WHERE r.width = 'hour' AND s.metric = 'PRICE';
