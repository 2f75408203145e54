-- tm's database roles (ARCHITECTURE §11), for the database tm keeps its data in. tm setup runs
-- this itself when it connects as a superuser (the embedded cluster always does). Otherwise an
-- administrator runs it once, as a superuser, in tm's database:
--     tm setup --print-roles-sql | psql -d DATABASE
-- then gives each role a way to log in (\password tm_writer, or a pg_hba.conf entry), points
-- TM_DATABASE_URL_OWNER, _WRITER and _READER at the three roles, and runs `tm setup` as the
-- owner. Running it again changes nothing.
--
--   tm_owner   owns tm's tables and runs migrations (tm setup)
--   tm_writer  reads and writes rows of tm's tables (tm pull, tm backfill, tm detect)
--   tm_reader  reads them, in read-only transactions (tm query, tm status, tm serve,
--              tm detect --dry-run); user-written SQL (tm query --sql) runs only as this role
-- None of them is a superuser or a member of pg_execute_server_program, pg_read_server_files or
-- pg_write_server_files.

BEGIN;
-- Roles belong to the whole server: two setups of two databases at once take turns here.
LOCK TABLE pg_catalog.pg_authid IN SHARE ROW EXCLUSIVE MODE;

DO $$ BEGIN CREATE ROLE tm_owner LOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE tm_writer LOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE tm_reader LOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
                    WHERE r.rolname = 'tm_reader' AND s.setdatabase = 0
                      AND 'default_transaction_read_only=on' = ANY (s.setconfig)) THEN
        ALTER ROLE tm_reader SET default_transaction_read_only = on;
    END IF;
END $$;

DO $$ BEGIN
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO tm_owner, tm_writer, tm_reader',
                   current_database());
END $$;
GRANT USAGE, CREATE ON SCHEMA public TO tm_owner;
GRANT USAGE ON SCHEMA public TO tm_writer, tm_reader;

-- A role may cancel or end the sessions of its own role, and create large objects even in a
-- read-only transaction; tm's roles need neither.
REVOKE EXECUTE ON FUNCTION pg_terminate_backend(integer, bigint) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION pg_cancel_backend(integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION lo_create(oid) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION lo_creat(integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION lo_from_bytea(oid, bytea) FROM PUBLIC;

-- What the owner creates from now on, the others may use.
ALTER DEFAULT PRIVILEGES FOR ROLE tm_owner IN SCHEMA public
    GRANT SELECT ON TABLES TO tm_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE tm_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO tm_writer;
ALTER DEFAULT PRIVILEGES FOR ROLE tm_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO tm_writer;

-- Tables, views and tm_ functions made before the roles existed (by whoever ran tm setup then)
-- become the owner's. tm wants a database of its own: this takes everything in its public schema.
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT c.oid::regclass AS name,
                    CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                   ELSE 'TABLE' END AS what
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm')
                AND pg_get_userbyid(c.relowner) <> 'tm_owner'
    LOOP
        EXECUTE format('ALTER %s %s OWNER TO tm_owner', r.what, r.name);
    END LOOP;
    FOR r IN SELECT p.oid::regprocedure AS name
               FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
              WHERE n.nspname = 'public' AND p.proname LIKE 'tm\_%'
                AND pg_get_userbyid(p.proowner) <> 'tm_owner'
    LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO tm_owner', r.name);
    END LOOP;
END $$;
COMMIT;
