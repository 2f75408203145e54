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

-- What a DELETE by hand does to the candles (010), now on the partitioned table.
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

-- Retention (tm compact, issue 16 §4). A series' raw_since moves forward only through this
-- function: it rolls up the series' points before `through` (tm_rollups_refresh) and records the
-- new horizon, in one transaction, so no point is ever before its series' horizon without being
-- in its rollups. Writers hold the shared side of the same per-series locks while they write and
-- store nothing before a horizon, so a point cannot slip in between the rollup and the horizon.
CREATE FUNCTION tm_retention_seal(ids integer[], throughs timestamptz[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('tm:retention'), slot)
       FROM (SELECT DISTINCT id % 256 AS slot FROM unnest(ids) AS id ORDER BY 1) AS slots;
    PERFORM tm_rollups_refresh(array_agg(id), array_agg('-infinity'::timestamptz),
                               array_agg(through - interval '1 microsecond'))
       FROM unnest(ids, throughs) AS u(id, through);
    UPDATE series s SET raw_since = u.through
      FROM (SELECT id, max(through) AS through FROM unnest(ids, throughs) AS t(id, through)
             GROUP BY id) AS u
     WHERE s.series_id = u.id AND (s.raw_since IS NULL OR s.raw_since < u.through);
END $$;

-- The month partitions (points_YYYY_MM, oldest first) and their bounds.
CREATE FUNCTION tm_points_months() RETURNS TABLE (part regclass, lo timestamptz, hi timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT c.oid::regclass, make_timestamptz(m[1]::int, m[2]::int, 1, 0, 0, 0, 'UTC'),
           make_timestamptz(m[1]::int, m[2]::int, 1, 0, 0, 0, 'UTC') + interval '1 month'
      FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid
     CROSS JOIN LATERAL regexp_match(c.relname, '^points_(\d{4})_(\d{2})$') AS m
     WHERE i.inhparent = 'points'::regclass AND m IS NOT NULL
     ORDER BY 2
$$;

-- The months holding points of a series whose horizon lies at or past the month's end: what
-- tm_points_reclaim frees. One index probe per such series and month.
CREATE FUNCTION tm_points_reclaimable() RETURNS SETOF regclass
LANGUAGE plpgsql STABLE AS $$
DECLARE
    month record;
    hit boolean;
BEGIN
    FOR month IN SELECT * FROM tm_points_months()
                  WHERE hi <= (SELECT max(raw_since) FROM series) LOOP
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM series s WHERE s.raw_since >= $1 AND EXISTS '
                       '(SELECT 1 FROM %s p WHERE p.series_id = s.series_id))', month.part)
           INTO hit USING month.hi;
        IF hit THEN
            RETURN NEXT month.part;
        END IF;
    END LOOP;
END $$;

-- Frees the points of month `part` that lie before their series' horizon (all rolled up):
-- drops the month when nothing else is in it, or else copies what is kept (the points of series
-- kept longer) into a new table that takes the month's place. Either way the space returns to
-- the system at once and no vacuum is needed; the cost follows the points kept, not the table.
-- Writers wait while the kept points are copied (SHARE lock; readers go on); the swap itself
-- holds points exclusively for a moment. Gives up after 2 s of waiting for a lock (SQLSTATE
-- 55P03): the month is then freed by a later run. Returns 'dropped' or 'rewritten'.
CREATE FUNCTION tm_points_reclaim(part regclass) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET TimeZone = 'UTC'
SET lock_timeout = '2s' AS $$
DECLARE
    month record;
    name text;
    kept text;
    n bigint;
BEGIN
    SELECT * INTO month FROM tm_points_months() AS m WHERE m.part = tm_points_reclaim.part;
    IF NOT FOUND THEN
        RAISE EXCEPTION '% is not a month of points', part;
    END IF;
    SELECT relname INTO name FROM pg_class WHERE oid = part;
    kept := name || '_kept';
    LOCK TABLE ONLY points IN SHARE MODE;
    EXECUTE format('CREATE TABLE %I (LIKE points)', kept);
    EXECUTE format('INSERT INTO %I SELECT p.* FROM series s CROSS JOIN LATERAL (SELECT * FROM %s p '
                   'WHERE p.series_id = s.series_id AND p.ts >= coalesce(s.raw_since, '
                   '''-infinity'')) AS p', kept, part);
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n = 0 THEN
        EXECUTE format('DROP TABLE %I', kept);
        LOCK TABLE ONLY points IN ACCESS EXCLUSIVE MODE;
        EXECUTE format('DROP TABLE %s', part);
        RETURN 'dropped';
    END IF;
    -- Index, key and bound are checked now, under the SHARE lock, so that the exclusive part
    -- below only swaps names.
    EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I PRIMARY KEY (series_id, ts), '
                   'ADD CONSTRAINT %I FOREIGN KEY (series_id) REFERENCES series (series_id), '
                   'ADD CONSTRAINT %I CHECK (ts >= %L AND ts < %L)',
                   kept, kept || '_pkey', kept || '_series_id_fkey', kept || '_month',
                   month.lo, month.hi);
    LOCK TABLE ONLY points IN ACCESS EXCLUSIVE MODE;
    EXECUTE format('DROP TABLE %s', part);
    EXECUTE format('ALTER TABLE points ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                   kept, month.lo, month.hi);
    EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', kept, kept || '_month');
    EXECUTE format('ALTER TABLE %I RENAME TO %I', kept, name);
    EXECUTE format('ALTER INDEX %I RENAME TO %I', kept || '_pkey', name || '_pkey');
    EXECUTE format('ALTER TABLE %I RENAME CONSTRAINT %I TO %I', name, kept || '_series_id_fkey',
                   name || '_series_id_fkey');
    RETURN 'rewritten';
END $$;
REVOKE ALL ON FUNCTION tm_points_reclaim(regclass) FROM PUBLIC;
