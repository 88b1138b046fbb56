#!/usr/bin/python3
"""The per-host totals the collector holds equal tshark's for real captures.

The real probe replays real captures from $WIREFLOW_CORPUS/real to the real
collector with a real PostgreSQL; the collector (every address local, host
history written every second) keeps per-(IP, VLAN) totals in the hosts table.
For each IP, packets and L3 bytes sent + received summed over VLANs must equal
what tshark computes from the outermost IP header of every frame (ip.len, or
ipv6.plen + 40; no reassembly), the same comparison as tshark_crosscheck.py
makes on the probe's own output.

The collector is restarted between captures on the same database: the totals
after each capture are the sums over the captures so far, so host history
surviving a restart is checked too. The per-minute host time series must sum
to the same totals.

Captures (chosen among those tshark_crosscheck.py matches exactly):
  instagram.pcap      IPv4, many hosts
  http_ipv6.pcap      IPv6
  bot.pcap            every frame 802.1Q-tagged
  smtp-starttls.pcap  tagged and untagged frames mixed
"""
import os
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import psycopg2  # noqa: E402

from collector_harness import BUILD, COLLECTOR, Collector  # noqa: E402
from pgcluster import Cluster  # noqa: E402
from tshark_crosscheck import difference, tshark_hosts  # noqa: E402

PROBE = os.path.join(BUILD, "probe", "wireflow-probe")
CAPTURES = ["instagram.pcap", "http_ipv6.pcap", "bot.pcap", "smtp-starttls.pcap"]


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def replay(path, endpoint, probe_id):
    cmd = [PROBE, "--no-huge", "--memory", "512", "--pcap", path, "--probe-id", probe_id,
           "--collector", endpoint, "--batch-ms", "50", "--linger-s", "30"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        fail(f"probe exit {r.returncode} on {path}: {r.stderr.strip()[-1000:]}")


def collector_hosts(dsn):
    """Per-IP [packets, bytes] from the hosts table, summed over VLANs; and the VLANs seen."""
    hosts = defaultdict(lambda: [0, 0])
    vlans = set()
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("SELECT host(ip), vlan, packets_sent + packets_rcvd, bytes_sent + bytes_rcvd FROM hosts")
        for ip, vlan, packets, length in cur.fetchall():
            hosts[ip][0] += packets
            hosts[ip][1] += length
            vlans.add(vlan)
    return hosts, vlans


def series_totals(dsn):
    """Per-IP [packets, bytes] summed over the per-minute host series."""
    hosts = defaultdict(lambda: [0, 0])
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("SELECT split_part(scope_id, '@', 1), metric, sum(value) FROM timeseries"
                    " WHERE scope = 'host' AND metric IN ('packets_sent', 'packets_rcvd', 'bytes_sent', 'bytes_rcvd')"
                    " GROUP BY 1, 2")
        for ip, metric, value in cur.fetchall():
            hosts[ip][0 if metric.startswith("packets") else 1] += int(value)
    return hosts


def main():
    corpus = os.environ.get("WIREFLOW_CORPUS", "")
    real = os.path.join(corpus, "real")
    if not corpus or not os.path.isdir(real):
        print("WIREFLOW_CORPUS/real absent: skipping")
        return 77
    if shutil.which("tshark") is None:
        print("tshark not installed: skipping")
        return 77
    for exe in (PROBE, COLLECTOR):
        if not os.access(exe, os.X_OK):
            print(f"{exe} not built: skipping")
            return 77
    paths = [os.path.join(real, c) for c in CAPTURES]
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        fail(f"captures missing from the corpus: {missing}")

    tmp = tempfile.mkdtemp(prefix="wireflow-hosts-")
    expected = defaultdict(lambda: [0, 0])
    try:
        with Cluster() as pg:
            dsn = pg.create_database("hosts_tshark")
            for i, path in enumerate(paths):
                for h, (p, b) in tshark_hosts(path).items():
                    expected[h][0] += p
                    expected[h][1] += b
                col = Collector(dsn, os.path.join(tmp, "collector"), extra=[
                    "--local-networks=0.0.0.0/0,::/0", "--host-persist-s=1",
                    "--local-host-idle-s=86400", "--remote-host-idle-s=86400"]).start()
                try:
                    replay(path, col.endpoint, f"tshark-{i}")
                finally:
                    rc = col.stop()
                if rc != 0:
                    fail(f"collector exit {rc}:\n{col.log_text()[-3000:]}")
                counters = col.counters()
                if counters["records_stored"] == 0 or counters["batches_busy"] or counters["batches_spooled"]:
                    fail(f"unexpected collector counters: {counters}")
                got, vlans = collector_hosts(dsn)
                diffs = difference(expected, got)
                name = os.path.basename(path)
                if diffs:
                    h, e, g = diffs[0]
                    fail(f"after {name}: {len(diffs)} hosts differ from tshark; e.g. {h}: tshark {e[0]} pkts/{e[1]} B, "
                         f"collector {g[0]} pkts/{g[1]} B")
                series = series_totals(dsn)
                sdiffs = difference(got, series)
                if sdiffs:
                    h, e, g = sdiffs[0]
                    fail(f"after {name}: host time series disagree with the hosts table for {len(sdiffs)} hosts; "
                         f"e.g. {h}: table {e}, series {g}")
                print(f"after {name}: {len(got)} hosts equal tshark ({sum(v[0] for v in got.values()) // 2} packets, "
                      f"VLANs {sorted(vlans)}), series agree")
            if not any(v for v in vlans if v != 0):
                fail("no VLAN-tagged host in the hosts table: the VLAN captures did not exercise VLANs")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
