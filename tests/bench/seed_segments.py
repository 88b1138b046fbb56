#!/usr/bin/python3
"""Today's day partition given N sealed, adjacent segments of R rows each,
stored an hour after midnight, as a collector leaves them once it has sealed
them (collector/store/flow_segments.hpp): the merge of the day being written
(8 sealed segments at a time) has a full run to do at once. For
tests/bench/collector_load.sh (SEED=...), run after the collector started
(it creates today's partition); a minute or two for 8M rows. Not a test.

    tests/bench/seed_segments.py DSN [--segments 8] [--rows 1000000]

The rows are query_bench.py's (FILL), first seen in the ten minutes before
their segment's start."""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from query_bench import BUSY, DAY, FILL, HEAVY, HOSTS, SERVERS, day_name, psql  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dsn")
    ap.add_argument("--segments", type=int, default=8)
    ap.add_argument("--rows", type=int, default=1_000_000)
    a = ap.parse_args()
    now = int(time.time())
    day = now // DAY
    table = day_name(day)
    start = day * DAY + 3600
    if start + a.segments * 60 > now - 600:
        raise SystemExit("seed_segments.py: too early in the day (UTC) for segments an hour after midnight")
    t0 = time.monotonic()
    for k in range(a.segments):
        lo_s = start + k * 60
        name = f"{table}_s{lo_s}"
        lo = time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime(lo_s))
        hi = time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime(lo_s + 60))
        sql = FILL.format(table=name, heavy=HEAVY, busy=BUSY, hosts=HOSTS, servers=SERVERS)
        for key, v in {":first::bigint": f"{k * a.rows + 1}::bigint", ":day::bigint": f"{lo_s - 600}::bigint",
                       ":span": "400", ":n": str(a.rows)}.items():
            sql = sql.replace(key, v)
        stored_at = "wf_ns_to_timestamptz(fs + dur) + interval '1 second'\nFROM ("
        assert stored_at in sql
        sql = sql.replace(stored_at, f"timestamptz '{lo}' + interval '30 seconds'\nFROM (", 1)
        psql(a.dsn,
             f"CREATE TABLE {name} (LIKE flows INCLUDING DEFAULTS INCLUDING CONSTRAINTS)",
             sql,
             f"CREATE INDEX {name}_client ON {name} (client_ip, first_seen)",
             f"CREATE INDEX {name}_server ON {name} (server_ip, first_seen)",
             f"CREATE INDEX {name}_times ON {name} USING brin (first_seen, ingested_at)",
             f"ANALYZE {name}",
             f"ALTER TABLE {table} ATTACH PARTITION {name} FOR VALUES FROM ('{lo}') TO ('{hi}')",
             f"INSERT INTO flow_segments (name, day, starts, ends, sealed_at) VALUES ('{name}', '{table}', '{lo}',"
             f" '{hi}', now())")
    print(f"seed_segments.py: {a.segments} sealed segments of {a.rows:,} rows in {table}"
          f" in {time.monotonic() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
