#!/usr/bin/python3
"""Blacklist marks and alerts from real traffic, end to end (issue 6).

Part 1, a whole capture: the real probe replays a generated office capture
(tests/support/pcapgen.py write_sample), and $WIREFLOW_CORPUS/real/CAPTURE
too when a corpus is there, to the real collector (real PostgreSQL) started
with `--blacklist FILE`, FILE holding exactly one address of that capture. The expectation is computed
independently from the probe's own --dump-flows output of the same run: every
record whose client (server) is that address must be stored with
client_blacklist (server_blacklist) = the list's name, no other record marked;
and the alerts table must hold exactly one blacklisted_client_contact /
blacklisted_server_contact alert per distinct (client, server, VLAN) of those
records (one-shot alerts, de-duplicated within the quiet period), each already
ended (engaged and released at once), naming the list.

Part 2, synthetic traffic (tests/support/pcapgen.py): a SYN scan (one host,
300 ports of one victim, each answered by RST), a UDP flow flood and an ICMP
flood. With a 5 s alert window the collector must engage
syn_scan_attacker/victim, flow_flood_attacker/victim and icmp_flood_attacker/
victim for exactly those hosts, and release every one of them (ended_at set)
once the traffic stopped; the hosts of an ordinary conversation in the same
capture raise nothing.
"""
import ipaddress
import json
import os
import sys
import tempfile
import time
from collections import Counter

import psycopg2

import pcapgen
from harness import Cluster, Collector, corpus_files, fail, replay, require_built, wait_for

CAPTURE = "instagram.pcap"   # of the corpus, when there is one
LIST_NAME = "one-address.txt"


def probe(path, out_dump, endpoint="none", probe_id="alerts"):
    return replay(path, endpoint, probe_id, dump=out_dump)


def query(dsn, sql, args=()):
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall()


def set_preferences(dsn, prefs):
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO preferences (key, value) VALUES ('alerts', %s::jsonb) "
                    "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", (json.dumps(prefs),))


def migrated_database(pg, name, tmp):
    """A database the collector has migrated (so preferences can be written before the real run)."""
    dsn = pg.create_database(name)
    col = Collector(dsn, os.path.join(tmp, name + "-init")).start()
    wait_for("migrations", lambda: query(dsn, "SELECT to_regclass('public.alerts') IS NOT NULL")[0][0])
    col.stop_clean()
    return dsn


def choose_address(records):
    """The remote (non-RFC 1918) address in the most records: a local host contacting a blacklisted server."""
    seen = Counter()
    for r in records:
        for a in (r["client_ip"], r["server_ip"]):
            if not ipaddress.ip_address(a).is_private:
                seen[a] += 1
    return sorted(seen, key=lambda a: (-seen[a], a))[0]


def entity(r):
    e = f"{r['client_ip']} -> {r['server_ip']}"
    return e + (f" @{r['vlan']}" if r["vlan"] else "")


def part_whole_capture(pg, tmp, path):
    name = os.path.basename(path)
    tmp = os.path.join(tmp, "run-" + name)
    os.makedirs(tmp)
    first = probe(path, os.path.join(tmp, "first.json"))
    address = choose_address(first)
    list_path = os.path.join(tmp, LIST_NAME)
    with open(list_path, "w") as f:
        f.write(f"# the one blacklisted address of {name}\n{address}\n")

    dsn = migrated_database(pg, "alerts_real", tmp)
    set_preferences(dsn, {"enabled": True})
    col = Collector(dsn, os.path.join(tmp, "real"), extra=[
        f"--blacklist={list_path}", "--local-networks=192.168.0.0/16,10.0.0.0/8", "--alert-window-s=2"]).start()
    try:
        wait_for("the blacklist loaded", lambda: query(
            dsn, "SELECT entries FROM blacklist_sources WHERE name = %s AND last_success_at IS NOT NULL",
            (LIST_NAME,)))
        records = probe(path, os.path.join(tmp, "real.json"), col.endpoint, "alerts-real")
        marked = [r for r in records if address in (r["client_ip"], r["server_ip"])]
        if not marked:
            fail(f"{address} is in no record of the second run")
        expected_flows = {(r["flow_id"], r["first_seen_ns"]): (LIST_NAME if r["client_ip"] == address else "",
                                                               LIST_NAME if r["server_ip"] == address else "")
                          for r in records}
        expected_alerts = set()
        for r in marked:
            if r["client_ip"] == address:
                expected_alerts.add(("blacklisted_client_contact", entity(r)))
            if r["server_ip"] == address:
                expected_alerts.add(("blacklisted_server_contact", entity(r)))
        wait_for("every record stored", lambda: query(
            dsn, "SELECT count(*) FROM flows WHERE probe_id = 'alerts-real'")[0][0] == len(records))
        wait_for("the blacklist alerts", lambda: query(
            dsn, "SELECT count(*) FROM alerts WHERE type LIKE 'blacklisted_%%'")[0][0] >= len(expected_alerts))
        time.sleep(2.5)   # a later duplicate would show up by now
    finally:
        col.stop_clean()

    stored = {(fid, fs): (cb, sb) for fid, fs, cb, sb in query(
        dsn, "SELECT flow_id, first_seen_ns, client_blacklist, server_blacklist FROM flows "
             "WHERE probe_id = 'alerts-real'")}
    if stored != expected_flows:
        bad = [(k, expected_flows.get(k), stored.get(k)) for k in set(stored) | set(expected_flows)
               if stored.get(k) != expected_flows.get(k)]
        fail(f"flow marks differ from the dump for {len(bad)} records, e.g. {bad[:3]}")
    rows = query(dsn, "SELECT type, entity_type, entity_id, ended_at IS NOT NULL AND ended_at = started_at, message, "
                      "details->>'lists' FROM alerts WHERE type LIKE 'blacklisted_%%'")
    got = Counter((t, e) for t, _, e, _, _, _ in rows)
    if set(got) != expected_alerts or any(n != 1 for n in got.values()):
        fail(f"blacklist alerts {sorted(got.items())} != expected {sorted(expected_alerts)}")
    for t, et, e, one_shot, message, lists in rows:
        if et != "flow" or not one_shot or lists != LIST_NAME or LIST_NAME not in message or address not in message:
            fail(f"alert {t} {e} malformed: entity_type {et}, one-shot {one_shot}, lists {lists}, message {message!r}")
    n_client = sum(1 for r in marked if r["client_ip"] == address)
    print(f"{name}: blacklisted {address}: {len(marked)} of {len(records)} records marked "
          f"({n_client} as client), {len(rows)} alerts as expected")


def write_attacks(path):
    """SYN scan, UDP flow flood and ICMP flood on one LAN, plus an ordinary conversation."""
    # An hour ago: inside the collector's record window (--record-max-future-s,
    # --record-max-age-days), which refuses batches from the future.
    t = float(int(time.time()) - 3600)
    scanner, victim = pcapgen.Host("10.9.0.66"), pcapgen.Host("10.9.0.5")
    flooder, flooded = pcapgen.Host("10.9.0.77"), pcapgen.Host("10.9.0.8")
    pinger, pinged = pcapgen.Host("10.9.0.88"), pcapgen.Host("10.9.0.9")
    alice, server = pcapgen.Host("10.9.0.20"), pcapgen.Host("10.9.0.21")
    with pcapgen.PcapWriter(path) as w:
        link = pcapgen.Link(w)
        conv = pcapgen.TcpConversation(link, alice, 50000, server, 80)
        t = conv.handshake(t)
        t = conv.request(t + 0.01, pcapgen.http_get("intranet.example"), pcapgen.http_response(5000))
        conv.close(t + 0.01)
        for port in range(1, 301):   # SYN scan: every port answers RST+ACK (closed)
            t += 0.001
            link.send(t, scanner, victim, 6, pcapgen.tcp_segment(scanner.ip, 61000, victim.ip, port, 1000, 0, pcapgen.SYN))
            link.send(t + 0.0002, victim, scanner, 6, pcapgen.tcp_segment(
                victim.ip, port, scanner.ip, 61000, 0, 1001, pcapgen.RST | pcapgen.ACK))
        for sport in range(20000, 20600):   # 600 new UDP flows
            t += 0.0005
            link.send(t, flooder, flooded, 17, pcapgen.udp_datagram(flooder.ip, sport, flooded.ip, 9999, b"x" * 32))
        for seq in range(2000):   # ICMP echo flood, unanswered
            t += 0.0002
            link.send(t, pinger, pinged, 1, pcapgen.icmp_echo(0x4242, seq))


def part_synthetic(pg, tmp):
    path = os.path.join(tmp, "attacks.pcap")
    write_attacks(path)
    dsn = migrated_database(pg, "alerts_synthetic", tmp)
    # Thresholds: syn_scan 100 ports (default), flow_flood 100 flows/s, icmp_flood
    # 100 packets/s (default). The probe exports every flow at the end of the
    # capture, so with a 5 s window all of them land in one window: 300 ports,
    # 120 flows/s from the flooder (the scanner's 300 flows are 60/s), 400 pings/s.
    set_preferences(dsn, {"enabled": True, "checks": {"flow_flood": {"threshold": 100}}})
    col = Collector(dsn, os.path.join(tmp, "synthetic"), extra=[
        "--local-networks=10.9.0.0/16", "--alert-window-s=5"]).start()
    expected = {("syn_scan_attacker", "10.9.0.66@0"), ("syn_scan_victim", "10.9.0.5@0"),
                ("flow_flood_attacker", "10.9.0.77@0"), ("flow_flood_victim", "10.9.0.8@0"),
                ("icmp_flood_attacker", "10.9.0.88@0"), ("icmp_flood_victim", "10.9.0.9@0")}
    windowed = "type SIMILAR TO '(syn_scan|host_scan|flow_flood|icmp_flood|host_volume)%%'"
    try:
        probe(path, os.path.join(tmp, "attacks.json"), col.endpoint, "alerts-synthetic")
        seen = []

        def all_engaged():
            rows = query(dsn, f"SELECT type, entity_id, ended_at IS NULL FROM alerts WHERE {windowed}")
            seen[:] = rows
            return rows if {(t, e) for t, e, _ in rows} >= expected else None
        try:
            engaged = wait_for("the scan and flood alerts", all_engaged)
        except SystemExit:
            print("alerts so far:", sorted(seen), "missing:", sorted(expected - {(t, e) for t, e, _ in seen}))
            print("all alerts:", query(dsn, "SELECT type, entity_id FROM alerts"))
            raise
        # Released after: the traffic stopped, so the next window without it ends them.
        wait_for("the scan and flood alerts released", lambda: query(
            dsn, f"SELECT count(*) = 0 FROM alerts WHERE {windowed} AND ended_at IS NULL")[0][0], timeout=30)
    finally:
        col.stop_clean()
    rows = query(dsn, f"SELECT type, entity_id, ended_at > started_at FROM alerts WHERE {windowed}")
    got = {(t, e) for t, e, _ in rows}
    if got != expected or len(rows) != len(expected):
        fail(f"windowed alerts {sorted(rows)} != expected {sorted(expected)}")
    if not all(later for _, _, later in rows):
        fail(f"an alert ended no later than it started: {rows}")
    print(f"synthetic: {len(engaged)} scan/flood alerts engaged and released: {sorted(got)}")


def main():
    require_built()
    with tempfile.TemporaryDirectory(prefix="wireflow-alerts-", ignore_cleanup_errors=True) as tmp, Cluster() as pg:
        captures = [pcapgen.write_sample(os.path.join(tmp, "office.pcap"), minutes=1.0)]
        captures += corpus_files("real", [CAPTURE])
        for path in captures:
            part_whole_capture(pg, tmp, path)
        part_synthetic(pg, tmp)
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
