-- What sealing a flows partition would cost (issue 11, docs/benchmarks.md
-- "What a seal would cost"): a binary COPY of 2M rows into a table without
-- index, into one with the schema's host GIN, and the host indexes built in
-- bulk afterwards. Not a test. Against a throw-away cluster:
--   python3 tests/support/pgcluster.py serve /tmp/pg.info &
--   psql "$(cat /tmp/pg.info) dbname=postgres" -X -q -f tests/bench/seal_cost.sql
-- psql's \copy writes and reads /tmp/seal_rows.bin (~600 MB) on the client's
-- side (remove it afterwards). Tables: seal_src, seal_a, seal_b (dropped
-- first and at the end).
\timing on
DROP TABLE IF EXISTS seal_src, seal_a, seal_b;
-- store_bench's distribution: clients random over 16M addresses, 200
-- servers; ~300-byte rows.
CREATE TABLE seal_src (first_seen timestamptz, client_ip inet, server_ip inet, pad text);
INSERT INTO seal_src SELECT now() - (g || ' ms')::interval,
  ('10.' || (r % 256) || '.' || ((r / 256) % 256) || '.' || ((r / 65536) % 256))::inet,
  ('192.168.0.' || (g % 200))::inet, repeat('x', 250)
FROM (SELECT g, (random() * 16777215)::int AS r FROM generate_series(1, 2000000) g) s;
\copy seal_src TO '/tmp/seal_rows.bin' WITH (FORMAT binary)
CHECKPOINT;
CREATE TABLE seal_a (LIKE seal_src);
\echo 'raw COPY, no index'
\copy seal_a FROM '/tmp/seal_rows.bin' WITH (FORMAT binary)
CREATE TABLE seal_b (LIKE seal_src);
CREATE INDEX seal_b_gin ON seal_b USING gin ((ARRAY[client_ip, server_ip])) WITH (gin_pending_list_limit = 16384);
\echo 'COPY into a table with the schema host GIN (16 MB pending list)'
\copy seal_b FROM '/tmp/seal_rows.bin' WITH (FORMAT binary)
\echo 'bulk GIN build after the COPY'
CREATE INDEX seal_a_gin ON seal_a USING gin ((ARRAY[client_ip, server_ip]));
DROP INDEX seal_a_gin;
\echo 'bulk host b-trees after the COPY (client, then server)'
CREATE INDEX seal_a_c ON seal_a (client_ip, first_seen);
CREATE INDEX seal_a_s ON seal_a (server_ip, first_seen);
DROP TABLE seal_src, seal_a, seal_b;
