-- The read-side A/B of schema v11 (docs/benchmarks.md, "Schema v11"): on a
-- query_bench cluster of v11's layout, give the open segment v10's indexes
-- (a Bloom BRIN of both hosts, 4 pages a range; a BRIN on first_seen and one
-- on ingested_at, 128 pages a range, as v10 inherited from `flows`) instead
-- of v11's one four-column BRIN, so the same rows are read through either
-- index set. Not part of the suite; the cluster is a throw-away one.
--   psql "$DSN dbname=flows_bench" -f tests/bench/open_segment_as_v10.sql
-- then `query_bench.py --reuse DIR` again.
DO $$
DECLARE seg text;
BEGIN
  FOR seg IN SELECT name FROM flow_segments
             WHERE sealed_at IS NULL AND starts > '-infinity' AND ends > now() AND to_regclass(name) IS NOT NULL LOOP
    EXECUTE format('CREATE INDEX %I ON %I USING brin (client_ip inet_bloom_ops(n_distinct_per_range = 256),'
                   ' server_ip inet_bloom_ops(n_distinct_per_range = 256)) WITH (pages_per_range = 4)',
                   seg || '_hosts_bloom', seg);
    EXECUTE format('CREATE INDEX %I ON %I USING brin (first_seen)', seg || '_first_seen_idx', seg);
    EXECUTE format('CREATE INDEX %I ON %I USING brin (ingested_at)', seg || '_ingested_at_idx', seg);
    EXECUTE format('DROP INDEX %I', seg || '_open');
    EXECUTE format('ANALYZE %I', seg);
    RAISE NOTICE 'open segment % now has v10''s indexes', seg;
  END LOOP;
END $$;
