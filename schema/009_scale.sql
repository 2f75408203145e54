-- Costs that follow the work, not the history (issue 16 §2).

-- tm_iso was declared IMMUTABLE around to_char and date_part on timestamptz, which are only
-- STABLE, so the planner could not inline it: every row paid a call through the SQL-function
-- executor (8 µs), and the nightly export of one day of minute history (190k rows) spent 1.6 s
-- formatting times. Declared STABLE, what its body is, it is inlined: 2 µs a row, same text.
CREATE OR REPLACE FUNCTION tm_iso(t timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN date_part('microseconds', t)::bigint % 1000000 = 0
                THEN to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                ELSE to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') END
$$;

-- Every pull and backfill looks for running rows of its source (a holder to name, rows a killed
-- run left behind); the journal gains a row a minute per minute feed, the running ones are few.
CREATE INDEX IF NOT EXISTS pulls_running ON pulls (source, kind) WHERE status = 'running';

-- History in its output order (source, asset, metric, ts) without sorting every row: series come
-- in that order from this index, each one's points in time order from the points key, and the
-- planner only sorts within a series whose (source, asset, metric) another kind shares. The
-- rows stream (the first after a millisecond, not after the whole range is read and sorted).
CREATE INDEX IF NOT EXISTS series_source_asset_metric ON series (source, asset, metric);
