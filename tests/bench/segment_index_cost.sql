-- What the indexes of an open segment cost a COPY (issue 11, docs/benchmarks.md
-- "Segments: ..."): a binary COPY of 2M rows into a table without index,
-- into one with v10's three BRINs (first_seen, ingested_at: the BRINs of
-- `flows`; the Bloom filter of both hosts), and into one with a single BRIN
-- of the four columns. Not a test. Against a throw-away cluster:
--   python3 tests/support/pgcluster.py serve /tmp/pg.info &
--   psql "$(cat /tmp/pg.info) dbname=postgres" -X -q -f tests/bench/segment_index_cost.sql
-- The rows: bench_rows.sql (/tmp/bench_rows.bin), ingested_at left to its
-- default, as the writer does. Tables bench_rows, seg_none, seg_three,
-- seg_one are dropped first and at the end.
\timing on
DROP TABLE IF EXISTS seg_none, seg_three, seg_one;
\ir bench_rows.sql
CREATE TABLE seg_none (first_seen timestamptz, client_ip inet, server_ip inet, pad text,
                       ingested_at timestamptz DEFAULT now());
CREATE TABLE seg_three (LIKE seg_none INCLUDING DEFAULTS);
CREATE INDEX ON seg_three USING brin (first_seen);
CREATE INDEX ON seg_three USING brin (ingested_at);
CREATE INDEX ON seg_three USING brin (client_ip inet_bloom_ops(n_distinct_per_range = 256),
                                      server_ip inet_bloom_ops(n_distinct_per_range = 256)) WITH (pages_per_range = 4);
CREATE TABLE seg_one (LIKE seg_none INCLUDING DEFAULTS);
CREATE INDEX ON seg_one USING brin (first_seen, ingested_at, client_ip inet_bloom_ops(n_distinct_per_range = 256),
                                    server_ip inet_bloom_ops(n_distinct_per_range = 256)) WITH (pages_per_range = 4);
\echo 'raw COPY, no index'
\copy seg_none (first_seen, client_ip, server_ip, pad) FROM '/tmp/bench_rows.bin' WITH (FORMAT binary)
\echo 'one BRIN of the four columns'
\copy seg_one (first_seen, client_ip, server_ip, pad) FROM '/tmp/bench_rows.bin' WITH (FORMAT binary)
\echo 'three BRINs (the v10 open segment)'
\copy seg_three (first_seen, client_ip, server_ip, pad) FROM '/tmp/bench_rows.bin' WITH (FORMAT binary)
DROP TABLE bench_rows, seg_none, seg_three, seg_one;
