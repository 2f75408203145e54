-- points becomes partitioned by UTC month of ts (issue 16 §4). Retention then frees space by
-- dropping a month whose points are all rolled up (constant time, 0.2 s measured) or, where a
-- month mixes series kept for different times, by deleting rows whose vacuum reads that month's
-- index only; on one table the vacuum's index pass reads the whole index (3.4-5.3 s for a year
-- of minute data of 60 series, growing with the table). Queries bounded in time read only their
-- months. The primary key keeps (series_id, ts): Citus distributes points by series_id and
-- partitions by ts at once.
--
-- Months are made when a write needs them (tm_points_partitions, called by tm before it writes).
-- Rows of a month that has no partition yet (a load by SQL) wait in points_default, and move to
-- their month when it is made.
SET LOCAL TimeZone = 'UTC';

-- The views over points refer to the table itself, not its name: they are made again below.
DROP VIEW metrics, latest, funding_rates;
ALTER TABLE points RENAME TO points_unpartitioned;
ALTER TABLE points_unpartitioned RENAME CONSTRAINT points_pkey TO points_unpartitioned_pkey;
ALTER TABLE points_unpartitioned RENAME CONSTRAINT points_series_id_fkey
    TO points_unpartitioned_series_id_fkey;

CREATE TABLE points (
    series_id integer NOT NULL REFERENCES series (series_id),
    ts        timestamptz NOT NULL,        -- observation time, UTC
    value     double precision NOT NULL,
    pull_id   bigint,                      -- the pull or backfill that last wrote the value
    PRIMARY KEY (series_id, ts)
) PARTITION BY RANGE (ts);
CREATE TABLE points_default PARTITION OF points DEFAULT;

-- Makes the partitions points_YYYY_MM of the months containing `months` (UTC) that do not exist
-- yet, moving into each what points_default holds of it. Returns how many it made. Runs as the
-- owner, so that the writer role (DML only) can extend the table it writes. ATTACH locks
-- points_default exclusively for a moment: a month that cannot get that lock within 2 s is left
-- for the next call (its rows go to points_default meanwhile).
CREATE FUNCTION tm_points_partitions(months timestamptz[]) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET TimeZone = 'UTC'
SET lock_timeout = '2s' AS $$
DECLARE
    m timestamptz;
    name text;
    made integer := 0;
BEGIN
    FOR m IN SELECT DISTINCT date_trunc('month', t) FROM unnest(months) AS t
              WHERE isfinite(t) ORDER BY 1
    LOOP
        name := 'points_' || to_char(m, 'YYYY_MM');
        CONTINUE WHEN to_regclass(name) IS NOT NULL;
        BEGIN
            EXECUTE format('CREATE TABLE %I (LIKE points)', name);
            EXECUTE format('WITH moved AS (DELETE FROM points_default WHERE ts >= %L AND ts < %L '
                           'RETURNING *) INSERT INTO %I SELECT * FROM moved',
                           m, m + interval '1 month', name);
            EXECUTE format('ALTER TABLE points ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                           name, m, m + interval '1 month');
            made := made + 1;
        EXCEPTION WHEN lock_not_available THEN
            RAISE NOTICE 'partition % not made yet: points_default is busy', name;
        END;
    END LOOP;
    RETURN made;
END $$;
REVOKE ALL ON FUNCTION tm_points_partitions(timestamptz[]) FROM PUBLIC;

SELECT tm_points_partitions(array_agg(DISTINCT date_trunc('month', ts)))
  FROM points_unpartitioned;
INSERT INTO points SELECT * FROM points_unpartitioned;

-- What a DELETE by hand does to the candles (007), now on the partitioned table.
CREATE TRIGGER points_deleted AFTER DELETE ON points
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION tm_points_deleted();

-- Fails, keeping everything as it was, if anything else still depends on the old table.
DROP TABLE points_unpartitioned;

-- The views of 001, 002 and 006, unchanged.
CREATE VIEW metrics AS
SELECT s.source, s.asset, s.metric, s.unit, p.ts, p.value, p.pull_id, s.series_id, s.kind
  FROM points p JOIN series s USING (series_id);

CREATE VIEW latest AS
SELECT s.source, s.asset, s.metric, s.unit, p.ts, p.value, now() - p.ts AS age, s.series_id,
       s.kind
  FROM series s
  CROSS JOIN LATERAL (SELECT ts, value FROM points
                       WHERE points.series_id = s.series_id
                       ORDER BY ts DESC LIMIT 1) p;

CREATE VIEW funding_rates AS
SELECT p.ts AS "timestamp", s.asset AS symbol, p.value AS rate
  FROM points p JOIN series s USING (series_id)
 WHERE s.source = 'hyperliquid' AND s.metric = 'FUNDING_RATE';
