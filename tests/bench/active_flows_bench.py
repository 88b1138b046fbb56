#!/usr/bin/python3
"""The collector's CPU for interim flow updates (issue 15), measured: N
active flows reported every P seconds (default 100,000 every 5 s, the
probe's default period), as ActiveFlows messages of 1,000 flows like the
probe's update exporter sends.

One run, two phases on the same collector (a release build is meant:
WIREFLOW_BUILD=build-rel):
  1. reference: the collector idle for --seconds (its scheduler, HTTP
     server and ingest loop only);
  2. load: the flows reported every period for --seconds, after one warm-up
     period that fills the table.
The figure is the collector's CPU time (utime + stime of /proc/PID/stat)
divided by the wall time, i.e. the share of one core, for each phase, and
the difference (what the updates cost). While loaded, one sorted page of
GET /api/v1/flows?state=active is timed (the live page's refresh).

The generator encodes its messages once, two sets whose counters differ, and
alternates them: its own CPU stays out of the collector's way on a small
machine, and each report changes every flow's counters (so throughput is
computed for each). Not part of the suite: the suite has no timing checks.

    WIREFLOW_BUILD=build-rel python3 tests/bench/active_flows_bench.py [--flows 100000] [--period 5] [--seconds 60]
"""
import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from harness import BUILD, Cluster, Collector, require_built, wait_for  # noqa: E402

sys.path.insert(0, os.path.join(BUILD, "proto"))  # before api_support, which imports wireflow_pb2
import api_support  # noqa: E402
import wireflow_pb2 as pb  # noqa: E402
import zmq  # noqa: E402

PASSWORD = "bench-Pa55word!"
PER_MESSAGE = 1000


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks   # utime, stime (fields 14, 15)


def messages(flows, period_s, scale):
    """The report of every flow, in messages of PER_MESSAGE flows."""
    now = time.time_ns()
    out = []
    for start in range(0, flows, PER_MESSAGE):
        env = pb.Envelope()
        a = env.active
        a.schema_version = pb.SCHEMA_VERSION_1
        a.probe_id = "bench-probe"
        a.boot_id = 77
        a.time_ns = now
        a.interval_ms = int(period_s * 1000)
        for i in range(start, min(flows, start + PER_MESSAGE)):
            r = a.flows.add()
            r.flow_id = i + 1
            r.ip_version = 4
            r.protocol = 6 if i % 3 else 17
            r.client_ip = bytes([10, (i >> 16) & 255, (i >> 8) & 255, i & 255])
            r.client_port = 1024 + i % 60000
            r.server_ip = bytes([192, 0, 2, 1 + i % 200])
            r.server_port = 443 if i % 3 else 53
            r.first_seen_ns = now - 60 * 10**9
            r.last_seen_ns = now
            r.c2s_packets = 10 * scale
            r.c2s_bytes = 1000 * scale + i
            r.s2c_packets = 5 * scale
            r.s2c_bytes = 7000 * scale
            r.app_name = "TLS.YouTube" if i % 3 else "DNS"
            r.app_category = "Media" if i % 3 else "Network"
            r.server_name = f"host-{i % 5000}.example.com"
        out.append(env.SerializeToString())
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--flows", type=int, default=100_000)
    ap.add_argument("--period", type=float, default=5.0)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--no-query", action="store_true", help="no live-page query while loaded: the updates' cost alone")
    args = ap.parse_args()
    require_built()
    work = tempfile.mkdtemp(prefix="active_bench_")
    pw = os.path.join(work, "pw")
    with open(pw, "w") as f:
        f.write(PASSWORD + "\n")
    sets = [messages(args.flows, args.period, 1), messages(args.flows, args.period, 2)]
    print(f"{args.flows} flows in {len(sets[0])} messages of {PER_MESSAGE} "
          f"({sum(map(len, sets[0])) / len(sets[0]) / 1024:.0f} KiB each), every {args.period:g} s")
    with Cluster() as pg:
        col = Collector(pg.create_database("activebench"), os.path.join(work, "collector"),
                        extra=[f"--admin-password-file={pw}", f"--max-active-flows={args.flows * 2}"]).start()
        try:
            client = api_support.Client(col.http_port)
            wait_for("login", lambda: client.login("admin", PASSWORD).status == 200)
            pid = col.proc.pid

            # ---- reference: idle ------------------------------------------
            time.sleep(5)
            c0, t0 = cpu_seconds(pid), time.monotonic()
            time.sleep(args.seconds)
            idle = (cpu_seconds(pid) - c0) / (time.monotonic() - t0)

            # ---- load: every flow every period -----------------------------
            ctx = zmq.Context.instance()
            sock = ctx.socket(zmq.DEALER)
            sock.setsockopt(zmq.SNDHWM, 100_000)
            sock.connect(col.endpoint)
            query_ms = []
            rounds = 0

            def one_period(k):
                start = time.monotonic()
                msgs = sets[k % 2]
                # Spread over the period, as the probe's workers spread their walk.
                gap = args.period / len(msgs) * 0.8
                for m in msgs:
                    sock.send(m)
                    time.sleep(gap)
                left = args.period - (time.monotonic() - start)
                if left > 0:
                    time.sleep(left)

            one_period(0)   # warm-up: the table fills
            rounds = 1
            status = client.get("/api/v1/status").json()
            c1, t1 = cpu_seconds(pid), time.monotonic()
            end = t1 + args.seconds
            while time.monotonic() < end:
                one_period(rounds)
                rounds += 1
                if not args.no_query:
                    q0 = time.monotonic()
                    r = client.get("/api/v1/flows?state=active&sort=throughput&order=desc&limit=50")
                    query_ms.append((time.monotonic() - q0) * 1000)
                    assert r.status == 200, r
            # The page queries are HTTP work, not update work: measured apart
            # above and included here (a few per period, as a live page).
            load = (cpu_seconds(pid) - c1) / (time.monotonic() - t1)
            status = client.get("/api/v1/status").json()
            sock.close(0)
        finally:
            col.stop()
    held = status.get("active_flows")
    dropped = status.get("active_flows_dropped")
    print(f"active flows held: {held} (dropped {dropped}), reports received: {status.get('active_reports_received')}")
    print(f"collector CPU, idle (reference): {idle * 100:.2f} % of one core")
    print(f"collector CPU, {args.flows} active flows every {args.period:g} s: {load * 100:.2f} % of one core")
    print(f"interim updates cost: {(load - idle) * 100:.2f} % of one core "
          f"({(load - idle) / (args.flows / args.period) * 1e6:.2f} us of CPU per flow update)")
    if query_ms:
        query_ms.sort()
        print(f"GET /api/v1/flows?state=active sorted by throughput, 50 rows: median {query_ms[len(query_ms) // 2]:.1f} ms, "
              f"max {query_ms[-1]:.1f} ms over {len(query_ms)} queries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
