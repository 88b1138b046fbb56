#!/usr/bin/python3
"""The dashboard's routes on several kept clusters at once (issue #11): the
same-run comparison of layouts or builds that query_bench.py times one at a
time. Minutes; not part of the suite.

    tests/bench/query_compare.py [--runs 7] [--port 22900] [--only TEXT]...
        NAME=DIR=BUILD[=collector option,...] ...

Each DIR is a cluster kept by `query_bench.py --keep DIR` (of any schema:
e.g. the issue's before, filled by the query_bench of commit b1f41cf with
its own build). Each is started with a collector of BUILD (release) on its
own port, its collector options after a third `=`, comma-separated (a DIR
named twice: one cluster, a collector of each BUILD on it); then
every route of query_bench's dashboard_routes() is timed on each in
turn, alternating the order run by run, so the machine's load falls on all
of them alike. Prints the median ms per route and collector, and each
one's total of the route (items found, or HTTP status). Nothing is
migrated or filled: start the clusters as they are."""
import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "support"))
from pgcluster import Cluster  # noqa: E402
import query_bench as qb  # noqa: E402


def start(name, d, build, port, options, pg=None):
    """A collector of `build` on the cluster in `d`, started unless `pg` is
    that cluster already started (two builds on the same rows). Returns
    (cluster, collector, whether the cluster was started here)."""
    own = pg is None
    if own:
        pg = Cluster(reuse_env=False, data_dir=d).start()
    try:
        # Its own data folder (spool, state): two collectors on one cluster share none.
        col, _ = qb.start_collector(os.path.join(build, "collector", "wireflow-collector"), pg.admin_dsn("flows_bench"),
                                    pg.dir, port, options, "compare.log", f"collector-{name}")
    except BaseException:
        if own:
            pg.stop()
        raise SystemExit(f"{name}: the collector did not start (its log: {d}/collector-{name}/compare.log)")
    return pg, col, own


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--port", type=int, default=22900, help="first HTTP port (each collector takes two)")
    ap.add_argument("--only", action="append", default=[], help="time only routes whose description contains this")
    ap.add_argument("--settle", type=float, default=10, help="seconds between start and timing (the first ticks)")
    ap.add_argument("targets", nargs="+", metavar="NAME=DIR=BUILD[=OPTIONS]")
    a = ap.parse_args()
    targets = []
    for i, t in enumerate(a.targets):
        parts = t.split("=", 3)
        if len(parts) < 3:
            raise SystemExit(f"{t}: NAME=DIR=BUILD[=OPTIONS]")
        options = parts[3].split(",") if len(parts) == 4 and parts[3] else []
        targets.append((parts[0], parts[1], parts[2], a.port + 2 * i, options))
    started = []
    try:
        clusters = {}
        for name, d, build, port, options in targets:
            started.append(start(name, d, build, port, options, clusters.get(os.path.realpath(d))))
            clusters[os.path.realpath(d)] = started[-1][0]
        time.sleep(a.settle)
        routes = [r for r in qb.dashboard_routes(int(time.time())) if not a.only or any(o in r[0] for o in a.only)]
        load = open("/proc/loadavg").read().split()[:3]
        print(f"query_compare: {time.strftime('%F %H:%M:%S', time.gmtime())} UTC, load {' '.join(load)};"
              f" median ms of {a.runs} after one warm-up, alternating", flush=True)
        print(f"{'route':<52}" + "".join(f"{t[0]:>14}" for t in targets) + "   totals")
        for what, path in routes:
            times = {t[0]: [] for t in targets}
            totals = {}
            for t in targets:
                qb.get(f"http://127.0.0.1:{t[3]}/api/v1/{path}")
            for run in range(a.runs):
                for name, _, _, port, _ in (targets if run % 2 == 0 else targets[::-1]):
                    ms, body = qb.get(f"http://127.0.0.1:{port}/api/v1/{path}")
                    times[name].append(ms)
                    totals[name] = (f"HTTP {body['error']}" if "error" in body else
                                    body.get("total", f"{len(body.get('top_peers', []))} peers"))
            print(f"{what:<52}" + "".join(f"{statistics.median(times[t[0]]):>14.1f}" for t in targets) + "   " +
                  " / ".join(str(totals[t[0]]) for t in targets), flush=True)
        load = open("/proc/loadavg").read().split()[:3]
        print(f"done {time.strftime('%H:%M:%S', time.gmtime())} UTC, load {' '.join(load)}")
    finally:
        for pg, col, own in started:
            col.terminate()
            col.wait(timeout=60)
        for pg, col, own in started:
            if own:
                pg.stop()


if __name__ == "__main__":
    main()
