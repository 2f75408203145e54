-- Privileges on tm's objects, granted by their owner after every `tm setup` (idempotent): the
-- writer changes rows (not the schema history), the reader only reads.
GRANT SELECT ON ALL TABLES IN SCHEMA public TO tm_reader;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO tm_writer;
REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM tm_writer;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO tm_writer;
GRANT EXECUTE ON FUNCTION tm_points_partitions(timestamptz[]) TO tm_writer;
GRANT EXECUTE ON FUNCTION tm_points_reclaim(regclass) TO tm_writer;
