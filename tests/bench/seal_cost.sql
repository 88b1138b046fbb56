-- What sealing a flows partition would cost (issue 11, docs/benchmarks.md
-- "What a seal would cost"): a binary COPY of 2M rows into a table without
-- index, into one with the schema's host GIN, and the host indexes built in
-- bulk afterwards. Not a test. Against a throw-away cluster:
--   python3 tests/support/pgcluster.py serve /tmp/pg.info &
--   psql "$(cat /tmp/pg.info) dbname=postgres" -X -q -f tests/bench/seal_cost.sql
-- The rows: bench_rows.sql (/tmp/bench_rows.bin). Tables: bench_rows,
-- seal_a, seal_b (dropped first and at the end).
\timing on
DROP TABLE IF EXISTS seal_a, seal_b;
\ir bench_rows.sql
CREATE TABLE seal_a (LIKE bench_rows);
\echo 'raw COPY, no index'
\copy seal_a FROM '/tmp/bench_rows.bin' WITH (FORMAT binary)
CREATE TABLE seal_b (LIKE bench_rows);
CREATE INDEX seal_b_gin ON seal_b USING gin ((ARRAY[client_ip, server_ip])) WITH (gin_pending_list_limit = 16384);
\echo 'COPY into a table with the schema host GIN (16 MB pending list)'
\copy seal_b FROM '/tmp/bench_rows.bin' WITH (FORMAT binary)
\echo 'bulk GIN build after the COPY'
CREATE INDEX seal_a_gin ON seal_a USING gin ((ARRAY[client_ip, server_ip]));
DROP INDEX seal_a_gin;
\echo 'bulk host b-trees after the COPY (client, then server)'
CREATE INDEX seal_a_c ON seal_a (client_ip, first_seen);
CREATE INDEX seal_a_s ON seal_a (server_ip, first_seen);
DROP TABLE bench_rows, seal_a, seal_b;
