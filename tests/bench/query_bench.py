#!/usr/bin/python3
"""The dashboard's queries on a large flows table (issue #11). Minutes to an
hour; not part of the suite.

Fills `flows` to N rows (default 50M) in a throw-away PostgreSQL 15 cluster
(tests/support/pgcluster.py) with the collector's own schema
(`wireflow-collector --init-db`), spread over the last DAYS daily partitions
as the collector lays them out (flows_pYYYYMMDD, CREATE TABLE ... LIKE flows,
then ATTACH PARTITION, which builds the parent's indexes on it). The rows are
made by generate_series in SQL: 50,000 local clients of which a tenth make
half of the flows, plus one heavy host (a proxy, 1% of all flows), 5,000
servers, an office mix of ports and applications, ingested a second after the
flow ended. Then it starts a release collector on that database and times the
REST routes the dashboard calls (ui-static/js/pages: dashboard.js, flows.js,
host.js), each RUNS times after one warm-up, and prints median and p95.

    tests/bench/query_bench.py [--rows 50000000] [--days 7] [--runs 10] [--build build-rel]
                               [--keep DIR] [--reuse DIR] [--port 22600] [--segment-rows N]

--keep DIR keeps the filled cluster in DIR; --reuse DIR times an already
filled one (the filling takes most of the time), after migrating it to the
schema of --build's collector (`--init-db`; its time is printed): filled by
an older build, it gives the before/after of a schema change on one table.

From schema v10 on (collector/store/flow_segments.hpp) each day is filled as
that collector lays it out: partitioned by ingested_at into segments, each
written with only a Bloom filter of the hosts; the collector started for the
timing then seals every ended segment (its host b-trees), which the bench
waits for and times, and today's last segment stays open, as it is while a
collector writes. --segment-rows N lays the days out in segments of N rows
and starts the collector with --flow-segment-rows=N (the same N for the
fill and the --reuse runs)."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SRC, "tests", "support"))
from pgcluster import Cluster  # noqa: E402

HOSTS = 50_000
BUSY = 5_000
SERVERS = 5_000
HEAVY = "10.255.0.1"
TYPICAL = "10.0.77.77"  # client 19789: in the long tail
DAY = 86_400

# One day's rows. :day is the day's first second (Unix), :n its row count,
# :span the seconds of it that have passed (today: up to now). Column order is
# the table's; the values mirror tests/bench/loadgen/record_maker.cpp.
FILL = """
INSERT INTO {table} (probe_id, boot_id, batch_seq, flow_id, first_seen, first_seen_ns, last_seen, last_seen_ns,
    vlan, ip_version, protocol, client_ip, client_port, server_ip, server_port, c2s_packets, c2s_bytes,
    s2c_packets, s2c_bytes, c2s_tcp_flags, s2c_tcp_flags, end_reason, client_mac, server_mac, app_protocol,
    master_protocol, app_name, app_category, server_name, flow_risk, client_blacklist, server_blacklist, ingested_at)
SELECT 'bench-' || (g % 4), 42, g / 1000 + 1, g,
       wf_ns_to_timestamptz(fs), fs, wf_ns_to_timestamptz(fs + dur), fs + dur,
       CASE WHEN client % 4 = 0 THEN 10 ELSE 0 END, 4, (ARRAY[6,6,6,17,17,6,6,6,17,1])[svc],
       CASE WHEN heavy THEN inet '{heavy}' ELSE inet '10.0.0.0' + client END, 32768 + g % 28000,
       inet '198.51.0.0' + server, (ARRAY[443,443,443,53,443,80,993,22,123,0])[svc],
       c2s, c2s * (60 + g % 600), s2c, s2c * (60 + g % 1400),
       CASE WHEN svc IN (1,2,3,6,7,8) THEN 27 ELSE 0 END, CASE WHEN svc IN (1,2,3,6,7,8) AND s2c > 0 THEN 27 ELSE 0 END,
       CASE WHEN svc IN (1,2,3,6,7,8) THEN 3 ELSE 1 END,
       ('02:00:' || lpad(to_hex(client >> 8 & 255), 2, '0') || ':' || lpad(to_hex(client & 255), 2, '0') || ':00:01')::macaddr,
       '02:00:5e:00:00:01'::macaddr, (ARRAY[126,124,91,5,188,7,51,92,9,81])[svc], 0,
       (ARRAY['TLS.Google','TLS.YouTube','TLS','DNS','QUIC','HTTP','IMAPS','SSH','NTP','ICMP'])[svc],
       (ARRAY['Web','Media','Web','Network','Web','Web','Email','RemoteAccess','System','Network'])[svc],
       '', 0, '', '', wf_ns_to_timestamptz(fs + dur) + interval '1 second'
FROM (
  SELECT g, heavy, client, server,
         -- an office uplink: mostly TLS and DNS (record_maker.cpp's weights)
         CASE WHEN b < 30 THEN 1 WHEN b < 40 THEN 2 WHEN b < 55 THEN 3 WHEN b < 75 THEN 4 WHEN b < 83 THEN 5
              WHEN b < 90 THEN 6 WHEN b < 93 THEN 7 WHEN b < 95 THEN 8 WHEN b < 98 THEN 9 ELSE 10 END AS svc,
         (:day::bigint * 1000000000 + (random() * :span * 1e9)::bigint) AS fs,
         (random() * 120e9)::bigint AS dur,
         1 + (random() * 40)::bigint AS c2s, (random() * 60)::bigint AS s2c
  FROM (
    SELECT g, random() < 0.01 AS heavy, (random() * 100)::int AS b,
           CASE WHEN random() < 0.5 THEN (random() * {busy})::int ELSE (random() * {hosts})::int END AS client,
           CASE WHEN random() < 0.5 THEN (random() * 50)::int ELSE (random() * {servers})::int END AS server
    FROM generate_series(:first::bigint, :first::bigint + :n - 1) AS g
  ) AS x
) AS y
-- In time order, as a collector appends them: the BRIN indexes (first_seen,
-- ingested_at) see the physical order a real table has.
ORDER BY fs
"""


def psql(dsn, *commands, capture=False):
    args = ["psql", dsn, "-X", "-q", "-v", "ON_ERROR_STOP=1"]
    for c in commands:
        args += ["-c", c]
    if capture:
        return subprocess.run(args + ["-A", "-t"], check=True, capture_output=True, text=True).stdout.strip()
    subprocess.run(args, check=True)
    return None


def day_name(day):
    return "flows_p" + time.strftime("%Y%m%d", time.gmtime(day * DAY))


SEGMENT_ROWS = 250_000     # the collector's --flow-segment-rows default; --segment-rows sets both


def has_segments(dsn):
    return psql(dsn, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'flow_segments'",
                capture=True) != "0"


def create_segmented_day(dsn, table, start, now, per_day, segment_rows):
    """A day as a collector of schema v10 lays it out (collector/store/
    partitions.cpp, flow_segments.cpp) at this bench's rate (per_day rows a
    day; 50M over 7 days: ~83 records/s, a segment of 250k rows every 50 min,
    flow_segments::settings): partitioned by ingested_at, a
    default partition with host b-trees and a time BRIN, and the segments up
    to now, each with only its one BRIN of times and hosts (schema v11); listed unsealed, so the collector started
    below seals every ended one as it would have, and the one holding now
    stays open."""
    late = f"{table}_late"
    cmds = [f"CREATE TABLE {table} (LIKE flows INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
            " PARTITION BY RANGE (ingested_at)",
            f"CREATE TABLE {late} PARTITION OF {table} DEFAULT",
            f"CREATE INDEX {late}_client ON {late} (client_ip, first_seen)",
            f"CREATE INDEX {late}_server ON {late} (server_ip, first_seen)",
            f"CREATE INDEX {late}_times ON {late} USING brin (first_seen, ingested_at)"]
    span = int(min(DAY, max(300, segment_rows * DAY / max(1, per_day))))
    for s0 in range(start, min(start + DAY, now + 1), span):
        seg = f"{table}_s{s0}"
        lo = time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime(s0))
        hi = time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime(s0 + span))
        cmds += [f"CREATE TABLE {seg} (LIKE flows INCLUDING DEFAULTS INCLUDING CONSTRAINTS)",
                 f"CREATE INDEX {seg}_open ON {seg} USING brin (first_seen, ingested_at,"
                 " client_ip inet_bloom_ops(n_distinct_per_range = 256),"
                 " server_ip inet_bloom_ops(n_distinct_per_range = 256)) WITH (pages_per_range = 4)",
                 f"ALTER TABLE {table} ATTACH PARTITION {seg} FOR VALUES FROM ('{lo}') TO ('{hi}')",
                 f"INSERT INTO flow_segments (name, day, starts, ends) VALUES ('{seg}', '{table}', '{lo}', '{hi}')"]
    psql(dsn, *cmds)


def wait_for_seals(dsn, deadline_s=3600):
    """Until the collector has sealed every segment whose range has ended
    (and the older days' partitions a migration listed)."""
    t0 = time.monotonic()
    while True:
        left = int(psql(dsn, "SELECT count(*) FROM flow_segments WHERE sealed_at IS NULL"
                             " AND ends < now() - interval '1 minute'", capture=True))
        if left == 0:
            return time.monotonic() - t0
        if time.monotonic() - t0 > deadline_s:
            raise SystemExit(f"{left} segments still unsealed after {deadline_s} s")
        time.sleep(1)


def wait_for_merges(dsn, deadline_s=3600):
    """Until the collector (one that merges, --flow-merge-rows) has merged
    every past day's segments: no merge running (its advisory lock) and no
    day left whose leaves have all ended and been sealed and are more than
    one. (Right for this bench, whose days are far below --flow-merge-rows.)"""
    t0 = time.monotonic()
    while True:
        merging = int(psql(dsn, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                                f" AND ((classid::bigint << 32) | objid::bigint) = {0x77666c6f77 + 1}", capture=True))
        left = int(psql(dsn, "SELECT count(*) FROM (SELECT day FROM flow_segments GROUP BY day"
                             " HAVING count(*) >= 2 AND bool_and(sealed_at IS NOT NULL)"
                             " AND max(ends) < now() - interval '1 minute' AND min(starts) > '-infinity') AS d",
                        capture=True))
        if merging == 0 and left == 0:
            return time.monotonic() - t0
        if time.monotonic() - t0 > deadline_s:
            raise SystemExit(f"{left} days still unmerged after {deadline_s} s")
        time.sleep(2)


def fill(dsn, collector, rows, days, segment_rows):
    subprocess.run([collector, "--init-db", f"--db={dsn}"], check=True, capture_output=True)
    segmented = has_segments(dsn)
    now = int(time.time())
    today = now // DAY
    first_day = today - days + 1
    per_day = rows // days
    g = 1
    for day in range(first_day, today + 1):
        n = per_day if day < today else rows - per_day * (days - 1)
        start = day * DAY
        span = max(1, min(DAY - 130, now - start - 130))  # flows end before midnight and before now
        table = day_name(day)
        t0 = time.monotonic()
        sql = FILL.format(table=table, heavy=HEAVY, busy=BUSY, hosts=HOSTS, servers=SERVERS)
        for k, v in {":first::bigint": f"{g}::bigint", ":day::bigint": f"{start}::bigint", ":span": str(span),
                     ":n": str(n)}.items():
            sql = sql.replace(k, v)
        if segmented:
            create_segmented_day(dsn, table, start, now, per_day, segment_rows)
        else:
            psql(dsn, f"CREATE TABLE {table} (LIKE flows INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        psql(dsn, sql)
        t1 = time.monotonic()
        lo = time.strftime("%Y-%m-%d 00:00:00+00", time.gmtime(start))
        hi = time.strftime("%Y-%m-%d 00:00:00+00", time.gmtime(start + DAY))
        psql(dsn, f"ALTER TABLE flows ATTACH PARTITION {table} FOR VALUES FROM ('{lo}') TO ('{hi}')",
             f"VACUUM ANALYZE {table}")
        t2 = time.monotonic()
        print(f"  {table}: {n:,} rows in {t1 - t0:.0f} s, indexes + analyze {t2 - t1:.0f} s", flush=True)
        g += n
    # Hosts known to PostgreSQL (the aggregator's table): /hosts/{ip} answers
    # for hosts that left memory from here.
    psql(dsn, "INSERT INTO hosts (ip, vlan, first_seen, last_seen, is_local, bytes_sent, bytes_rcvd,"
              " packets_sent, packets_rcvd, flows_as_client)"
              f" SELECT inet '10.0.0.0' + h, CASE WHEN h % 4 = 0 THEN 10 ELSE 0 END, now() - interval '{days} days',"
              " now(), true, 1, 1, 1, 1, 1 FROM generate_series(0, " + str(HOSTS) + ") AS h"
              f" UNION ALL SELECT inet '{HEAVY}', 0, now() - interval '{days} days', now(), true, 1, 1, 1, 1, 1"
              " ON CONFLICT DO NOTHING")


def top_up(dsn, rows, days):
    """Flows of the minutes between the fill and now, at the fill's rate, so
    the dashboard's live routes (the last minutes) find what they would."""
    now = int(time.time())
    table = day_name(now // DAY)
    last = int(psql(dsn, f"SELECT coalesce(max(first_seen_ns), 0) / 1000000000 FROM {table}", capture=True))
    start = max(last, now // DAY * DAY)
    span = now - start - 130
    n = rows // days * span // DAY
    if span < 1 or n < 1:
        return 0
    sql = FILL.format(table=table, heavy=HEAVY, busy=BUSY, hosts=HOSTS, servers=SERVERS)
    for k, v in {":first::bigint": f"{now * 1000}::bigint", ":day::bigint": f"{start}::bigint", ":span": str(span),
                 ":n": str(n)}.items():
        sql = sql.replace(k, v)
    psql(dsn, sql)
    return n


def fill_open_segment(dsn, n):
    """Tops the segment open now up to n rows, with flows first seen since
    its start and stored (ingested_at) a second after they ended, as
    FILL's: as if the bench's traffic had been heavier since the segment
    opened, so the live minutes get their share, not all of the rows.
    Returns (segment, rows added)."""
    now = int(time.time())
    seg = psql(dsn, "SELECT name || ' ' || extract(epoch FROM starts)::bigint FROM flow_segments"
                    " WHERE sealed_at IS NULL AND starts <= now() AND ends > now() ORDER BY starts DESC LIMIT 1",
               capture=True)
    if not seg:
        raise SystemExit("no open segment to fill")
    name, start = seg.split()
    start = max(int(start), now // DAY * DAY)
    have = int(psql(dsn, f"SELECT count(*) FROM {name}", capture=True))
    span = now - start - 130
    add = max(0, n - have)
    if add == 0 or span < 1:
        return name, 0
    sql = FILL.format(table=day_name(now // DAY), heavy=HEAVY, busy=BUSY, hosts=HOSTS, servers=SERVERS)
    for k, v in {":first::bigint": f"{now * 1000 + 500}::bigint", ":day::bigint": f"{start}::bigint",
                 ":span": str(span), ":n": str(add)}.items():
        sql = sql.replace(k, v)
    psql(dsn, sql)
    return name, add


def batches_of_last_minutes(dsn):
    """What the collector writes beside the rows: one ingested_batches row a
    minute of the last 30, each stored when its last row was received and
    with its rows' oldest first_seen (the live views' bound, schema v9;
    nothing on an older schema)."""
    if psql(dsn, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'ingested_batches'"
                 " AND column_name = 'first_seen_min'", capture=True) == "0":
        return 0
    psql(dsn, "INSERT INTO ingested_batches (probe_id, boot_id, sequence, records, stored_at, first_seen_min)"
              " SELECT 'bench-live', 1, extract(epoch FROM date_trunc('minute', ingested_at))::bigint, count(*),"
              " max(ingested_at), min(first_seen) FROM flows WHERE ingested_at >= now() - interval '30 minutes'"
              " GROUP BY 3 ON CONFLICT DO NOTHING")
    return int(psql(dsn, "SELECT count(*) FROM ingested_batches WHERE probe_id = 'bench-live'", capture=True))


def dashboard_routes(now, typical=TYPICAL):
    """(what, path under /api/v1/) of the REST routes the dashboard calls
    (ui-static/js/pages: dashboard.js, flows.js, host.js)."""
    return [
        ("dashboard: top local hosts (memory)", "hosts?local=true&sort=throughput&order=desc&limit=10"),
        ("dashboard: top applications, 5 min (flows.ingested_at)", "applications?limit=10"),
        ("flows page, live (ingested in the last minutes)", "flows?sort=last_seen&order=desc&limit=50"),
        ("flows in a time range: last hour", f"flows?from={now - 3600}&to={now + 60}&sort=last_seen&order=desc&limit=50"),
        ("flows in a time range: last 24 h", f"flows?from={now - 86400}&to={now + 60}&sort=last_seen&order=desc&limit=50"),
        ("flows of a host, last 24 h (typical host)",
         f"flows?host={typical}&from={now - 86400}&to={now + 60}&sort=last_seen&order=desc&limit=50"),
        ("flows of a host, last 24 h (heavy host, 1%)",
         f"flows?host={HEAVY}&from={now - 86400}&to={now + 60}&sort=last_seen&order=desc&limit=50"),
        ("host page: top peers + recent flows (typical host)", f"hosts/{typical}"),
        ("host page: top peers + recent flows (heavy host)", f"hosts/{HEAVY}"),
    ]


def start_collector(collector, dsn, cluster_dir, port, options, log_file="collector.log", data_name="collector"):
    """A collector on the cluster's database (its data in CLUSTER_DIR/DATA_NAME,
    HTTP on `port`, ZeroMQ on port + 1, login off), started with `options`;
    returns (process, log path) once its API answers (2 minutes at most)."""
    data_dir = os.path.join(cluster_dir, data_name)
    os.makedirs(data_dir, exist_ok=True)
    log_name = os.path.join(data_dir, log_file)
    with open(log_name, "w") as log:
        col = subprocess.Popen([collector, f"--listen=tcp://127.0.0.1:{port + 1}", f"--db={dsn}",
                                f"--data-dir={data_dir}", f"--http=127.0.0.1:{port}", "--disable-login"] + options,
                               stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while True:
        try:
            get(f"http://127.0.0.1:{port}/api/v1/status")
            return col, log_name
        except OSError:
            if col.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the collector did not start: see " + log_name)
            time.sleep(0.2)


def get(url):
    """(ms, JSON body); an HTTP error is a result too (e.g. 503 when the
    query ran into the collector's statement_timeout): {"error": status}."""
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=600) as r:
            body = json.loads(r.read())
    except urllib.error.HTTPError as e:
        body = {"error": e.code}
    ms = (time.perf_counter() - t0) * 1000
    return ms, body


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=50_000_000)
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--build", default=os.path.join(SRC, "build-rel"))
    ap.add_argument("--keep", help="keep the filled cluster in this folder")
    ap.add_argument("--reuse", help="time the cluster already filled in this folder")
    ap.add_argument("--port", type=int, default=22600, help="HTTP port of the collector (ZeroMQ: port + 1)")
    ap.add_argument("--merged", action="store_true",
                    help="wait until the collector has merged every past day's segments before timing"
                         " (a collector with --flow-merge-rows)")
    ap.add_argument("--segment-rows", type=int,
                    help="rows of a segment: the fill's layout and the collector's --flow-segment-rows"
                         f" (default: neither given, the collector's default, {SEGMENT_ROWS:,})")
    ap.add_argument("--open-rows", type=int, default=0,
                    help="once sealed (and merged), top the open segment up to this many rows (flows since its"
                         " start) before timing: a typical host's lookup at its open segment's largest")
    ap.add_argument("--collector-arg", action="append", default=[],
                    help="one more option of the collector timed, e.g. --collector-arg=--flow-segment-min-seconds=3600"
                         " (an open segment that stays open while timed)")
    a = ap.parse_args()
    segment_flag = [f"--flow-segment-rows={a.segment_rows}"] if a.segment_rows else []  # older builds lack it
    collector = os.path.join(a.build, "collector", "wireflow-collector")
    if not os.access(collector, os.X_OK):
        subprocess.run(["ninja", "-C", a.build, "collector/wireflow-collector"], check=True)

    pg = Cluster(reuse_env=False, data_dir=a.reuse or a.keep).start()
    col = None
    try:
        dsn = pg.admin_dsn("flows_bench")
        load = open("/proc/loadavg").read().split()[:3]
        print(f"query_bench: {time.strftime('%F %H:%M', time.gmtime())} UTC, load {' '.join(load)}, "
              f"cluster {pg.dir}", flush=True)
        if not a.reuse:
            psql(pg.admin_dsn("postgres"), "CREATE DATABASE flows_bench")
            t0 = time.monotonic()
            print(f"filling {a.rows:,} rows over {a.days} days", flush=True)
            fill(dsn, collector, a.rows, a.days, a.segment_rows or SEGMENT_ROWS)
            print(f"filled in {time.monotonic() - t0:.0f} s", flush=True)
            psql(dsn, "CHECKPOINT")
        else:
            t0 = time.monotonic()
            subprocess.run([collector, "--init-db", f"--db={dsn}"], check=True, capture_output=True)
            version = psql(dsn, "SELECT max(version) FROM schema_migrations", capture=True)
            print(f"migrated to schema version {version} in {time.monotonic() - t0:.0f} s", flush=True)
        print(f"topped up with {top_up(dsn, a.rows, a.days):,} rows of the last minutes", flush=True)
        print(f"ingested_batches rows of the last minutes (live views' bound): {batches_of_last_minutes(dsn)}",
              flush=True)
        total = psql(dsn, "SELECT count(*) FROM flows", capture=True)
        size = psql(dsn, "SELECT pg_size_pretty(sum(pg_total_relation_size(relid))) FROM pg_partition_tree('flows')"
                         " WHERE isleaf", capture=True)
        # Written so that either schema's host index answers (v2: two b-trees; v3: GIN of both).
        heavy_n = psql(dsn, f"SELECT count(*) FROM flows WHERE ARRAY[client_ip, server_ip] @> ARRAY[inet '{HEAVY}']"
                            f" AND (client_ip = '{HEAVY}' OR server_ip = '{HEAVY}')", capture=True)
        typical = TYPICAL
        typical_n = psql(dsn, f"SELECT count(*) FROM flows WHERE ARRAY[client_ip, server_ip] @> ARRAY[inet '{typical}']"
                              f" AND (client_ip = '{typical}' OR server_ip = '{typical}')", capture=True)
        print(f"flows: {int(total):,} rows, {size} with indexes; heavy host {HEAVY}: {int(heavy_n):,} flows,"
              f" typical host {typical}: {int(typical_n):,}", flush=True)

        col, log_name = start_collector(collector, dsn, pg.dir, a.port, segment_flag + a.collector_arg)
        base = f"http://127.0.0.1:{a.port}/api/v1/"
        if has_segments(dsn):
            print(f"segments sealed by the collector in {wait_for_seals(dsn):.0f} s"
                  f" (its log: {log_name}); open: " +
                  psql(dsn, "SELECT string_agg(name, ', ') FROM flow_segments WHERE sealed_at IS NULL", capture=True),
                  flush=True)
        if a.merged:
            print(f"past days' segments merged by the collector in {wait_for_merges(dsn):.0f} s; leaves of flows: " +
                  psql(dsn, "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                            " WHERE c.relkind = 'r' AND c.relname LIKE 'flows_p%'", capture=True), flush=True)

        if a.open_rows:
            t0 = time.monotonic()
            name, added = fill_open_segment(dsn, a.open_rows)
            time.sleep(5)  # the collector's next tick summarizes the open segment's new BRIN ranges
            print(f"open segment {name} topped up with {added:,} rows in {time.monotonic() - t0:.0f} s: " +
                  psql(dsn, f"SELECT count(*) || ' rows, ends ' || (SELECT ends FROM flow_segments WHERE name = '{name}')"
                            f" FROM {name}", capture=True), flush=True)

        routes = dashboard_routes(int(time.time()), typical)
        print(f"{'route':<58} {'median ms':>10} {'p95 ms':>10} {'items/total':>14}")
        results = []
        for what, path in routes:
            ms, body = get(base + path)   # warm-up
            times = []
            for _ in range(a.runs):
                ms, body = get(base + path)
                times.append(ms)
            times.sort()
            p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
            n = body.get("total", len(body.get("items", []))) if isinstance(body, dict) else ""
            if isinstance(body, dict) and "error" in body:
                n = f"HTTP {body['error']}"
            if isinstance(body, dict) and "recent_flows" in body:
                n = f"{len(body['top_peers'])} peers"
            print(f"{what:<58} {statistics.median(times):>10.1f} {p95:>10.1f} {str(n):>14}", flush=True)
            results.append({"route": path, "what": what, "median_ms": statistics.median(times), "p95_ms": p95})
        print("GET " + base + "...; " + f"{a.runs} runs after one warm-up; p95 by nearest rank")
    finally:
        if col is not None:
            col.terminate()
            col.wait(timeout=60)
        pg.stop()


if __name__ == "__main__":
    main()
