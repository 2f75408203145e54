-- Formatting for exports (tm query, tm serve), in SQL so that `COPY … TO STDOUT` streams rows
-- exactly as tm writes them, and `psql \copy` of the same query gives the same bytes.

-- ISO-8601 UTC with a Z: "2024-03-12T00:00:00Z", with microseconds only when there are any.
CREATE OR REPLACE FUNCTION tm_iso(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN date_part('microseconds', t)::bigint % 1000000 = 0
                THEN to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                ELSE to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') END
$$;

-- A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading '.
CREATE OR REPLACE FUNCTION tm_csv_safe(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN t ~ '^[=+@\t\r-]' THEN '''' || t ELSE t END
$$;
