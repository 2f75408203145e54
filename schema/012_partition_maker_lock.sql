-- tm_points_partitions (011) serialized: concurrent writers making the same new month
-- deadlocked (seen with the shipped schedule's pulls starting together at 00:05 on a fresh
-- store). Same definition otherwise; CREATE OR REPLACE keeps its owner and privileges.
CREATE OR REPLACE FUNCTION tm_points_partitions(months timestamptz[]) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET TimeZone = 'UTC'
SET lock_timeout = '2s' AS $$
DECLARE
    m timestamptz;
    name text;
    made integer := 0;
BEGIN
    -- One maker at a time (until its transaction ends): pulls of several sources starting in the
    -- same minute on a new month each made it, and their CREATE/ATTACH steps deadlocked.
    -- Waiting is bounded by the function's lock_timeout, like the ATTACH below: a maker that
    -- cannot get its turn makes nothing this time (its rows go to points_default meanwhile).
    BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('tm:points_partitions'));
    EXCEPTION WHEN lock_not_available THEN
        RAISE NOTICE 'partitions not made yet: another writer is making them';
        RETURN 0;
    END;
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
