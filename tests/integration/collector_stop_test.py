"""wireflow-collector stops within seconds while it merges segments, and the
next start does the merge (store/flow_segments.hpp, the stopper). Under load
a merge or a seal takes minutes, longer than systemd's 90 s stop timeout, so
the collector cancels them on SIGTERM instead of waiting.

Today's partition is given eight sealed adjacent segments of a few rows
before the collector starts, so its first merge of the day being written has
a run to copy; a session of the test holds one of them locked, so the copy
waits on that lock for as long as the test wants. The collector is stopped
while the lock is still held: it must exit 0 with the rows and the
segments as they were; once the lock is gone, the next start merges them."""
import os
import shutil
import subprocess
import tempfile
import time

import psycopg2

from harness import COLLECTOR, Cluster, Collector, check, fail, require_built, wait_for

DAY = 86_400
SEGMENTS = 8
SPAN = 5          # seconds of each seeded segment, from midnight (UTC)
ROWS = 50         # rows of each


def day_table(day):
    return "flows_p" + time.strftime("%Y%m%d", time.gmtime(day * DAY))


def seed(pg, dsn):
    """Today's day partition (of first_seen) as a collector lays it out
    (store/partitions.cpp: partitioned by ingested_at, a default partition),
    with SEGMENTS sealed segments of ROWS rows each from midnight on, listed
    in flow_segments. Returns the day's table and the segments' names."""
    now = time.time()
    if now % DAY < SEGMENTS * SPAN + 30:   # the seeded range must be in the past
        time.sleep(SEGMENTS * SPAN + 30 - now % DAY)
    day = int(time.time()) // DAY
    table = day_table(day)
    sql = [f"CREATE TABLE {table} (LIKE flows INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE (ingested_at)",
           f"CREATE TABLE {table}_late PARTITION OF {table} DEFAULT",
           f"CREATE INDEX {table}_late_client ON {table}_late (client_ip, first_seen)",
           f"CREATE INDEX {table}_late_server ON {table}_late (server_ip, first_seen)",
           f"CREATE INDEX {table}_late_times ON {table}_late USING brin (first_seen, ingested_at)",
           f"ALTER TABLE flows ATTACH PARTITION {table} FOR VALUES FROM ('{iso(day * DAY)}') TO ('{iso(day * DAY + DAY)}')"]
    names = []
    for k in range(SEGMENTS):
        lo = day * DAY + k * SPAN
        name = f"{table}_s{lo}"
        names.append(name)
        sql += [f"CREATE TABLE {name} (LIKE flows INCLUDING DEFAULTS INCLUDING CONSTRAINTS)",
                f"INSERT INTO {name} (probe_id, boot_id, batch_seq, flow_id, first_seen, first_seen_ns, last_seen,"
                f" last_seen_ns, vlan, ip_version, protocol, client_ip, client_port, server_ip, server_port,"
                f" c2s_packets, c2s_bytes, s2c_packets, s2c_bytes, c2s_tcp_flags, s2c_tcp_flags, end_reason,"
                f" client_mac, server_mac, app_protocol, master_protocol, app_name, app_category, server_name,"
                f" flow_risk, client_blacklist, server_blacklist, ingested_at)"
                f" SELECT 'stop-test', 1, {k + 1}, {k * ROWS} + g, to_timestamp({lo}), {lo}::bigint * 1000000000,"
                f" to_timestamp({lo}), {lo}::bigint * 1000000000, 0, 4, 6, inet '10.1.0.0' + g, 40000,"
                f" inet '192.0.2.1', 443, 1, 100, 1, 100, 0, 0, 1, '02:00:00:00:00:01', '02:00:00:00:00:02', 0, 0,"
                f" '', '', '', 0, '', '', to_timestamp({lo + 1}) FROM generate_series(1, {ROWS}) AS g",
                f"CREATE INDEX {name}_client ON {name} (client_ip, first_seen)",
                f"CREATE INDEX {name}_server ON {name} (server_ip, first_seen)",
                f"CREATE INDEX {name}_times ON {name} USING brin (first_seen, ingested_at)",
                f"ANALYZE {name}",
                f"ALTER TABLE {table} ATTACH PARTITION {name} FOR VALUES FROM ('{iso(lo)}') TO ('{iso(lo + SPAN)}')",
                f"INSERT INTO flow_segments (name, day, starts, ends, sealed_at)"
                f" VALUES ('{name}', '{table}', '{iso(lo)}', '{iso(lo + SPAN)}', now())"]
    with psycopg2.connect(dsn) as c, c.cursor() as cur:
        for s in sql:
            cur.execute(s)
    c.close()
    return table, names


def iso(s):
    return time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime(s))


def main():
    require_built(COLLECTOR)
    tmp = tempfile.mkdtemp(prefix="wf-stop-test-")
    with Cluster() as pg:
        dsn = pg.create_database("wfstop")
        init = Collector(dsn, os.path.join(tmp, "data"), extra=["--init-db"])
        init.start(ready=None)
        check(init.proc.wait(timeout=120) == 0, f"--init-db failed:\n{init.log_text()[-2000:]}")
        init.stop()
        table, names = seed(pg, dsn)
        q = lambda sql: pg.query(dsn, sql)  # noqa: E731
        rows = lambda: int(q("SELECT count(*) FROM flows WHERE probe_id = 'stop-test'")[0][0])  # noqa: E731
        check(rows() == SEGMENTS * ROWS, "seeded rows")

        holder = psycopg2.connect(dsn)
        cur = holder.cursor()
        cur.execute(f"LOCK TABLE {names[3]} IN ACCESS EXCLUSIVE MODE")   # a transaction, open until rollback
        col = Collector(dsn, os.path.join(tmp, "data")).start()
        with col.watched():
            # The merge (10 s tick) copies the run and waits on the locked segment.
            wait_for("the merge waiting on the locked segment", lambda: q(
                f"SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                f" WHERE l.relation = '{names[3]}'::regclass AND NOT l.granted"
                f" AND a.application_name = 'wireflow-collector'")[0][0] != "0", timeout=60)
            t0 = time.monotonic()
            try:
                rc = col.stop(timeout=60)
            except subprocess.TimeoutExpired:
                fail("the collector did not stop within 60 s of SIGTERM: it waited for the merge")
            took = time.monotonic() - t0
            check(rc == 0, f"the collector stopped with {rc}:\n{col.log_text()[-3000:]}")
            # Still held: the collector did not wait for it.
            check(q(f"SELECT count(*) FROM pg_locks WHERE relation = '{names[3]}'::regclass AND granted"
                    f" AND mode = 'AccessExclusiveLock'")[0][0] == "1", "the lock was held throughout")
            print(f"stopped in {took:.1f} s during the merge")
        check(q(f"SELECT count(*) FROM flow_segments WHERE day = '{table}' AND name LIKE '%\\_m%'")[0][0] == "0",
              "nothing merged while the lock was held")
        holder.rollback()   # (reading flows waits for it)
        holder.close()
        check(rows() == SEGMENTS * ROWS, "rows after the cancelled merge")

        col = Collector(dsn, os.path.join(tmp, "data")).start()
        with col.watched():
            col.wait_line(f"merged {SEGMENTS} segments into", timeout=60)
            check(rows() == SEGMENTS * ROWS, "rows after the merge")
            left = q(f"SELECT count(*) FROM flow_segments WHERE name IN ({', '.join(repr(n) for n in names)})")[0][0]
            check(left == "0", f"{left} of the seeded segments still listed after the merge")
            col.stop_clean()
    shutil.rmtree(tmp, ignore_errors=True)
    print("ok")


if __name__ == "__main__":
    main()
