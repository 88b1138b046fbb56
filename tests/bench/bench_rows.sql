-- The rows of seal_cost.sql and segment_index_cost.sql, included by both
-- (\ir): 2M rows of store_bench's distribution (clients random over 16M
-- addresses, 200 servers; ~300-byte rows) in table bench_rows, written once
-- by psql's \copy to /tmp/bench_rows.bin (~600 MB, on the client's side;
-- remove it afterwards), which each measured COPY then reads.
DROP TABLE IF EXISTS bench_rows;
CREATE TABLE bench_rows (first_seen timestamptz, client_ip inet, server_ip inet, pad text);
INSERT INTO bench_rows SELECT now() - (g || ' ms')::interval,
  ('10.' || (r % 256) || '.' || ((r / 256) % 256) || '.' || ((r / 65536) % 256))::inet,
  ('192.168.0.' || (g % 200))::inet, repeat('x', 250)
FROM (SELECT g, (random() * 16777215)::int AS r FROM generate_series(1, 2000000) g) s;
\copy bench_rows TO '/tmp/bench_rows.bin' WITH (FORMAT binary)
CHECKPOINT;
