#!/usr/bin/python3
"""Hosts are named by the DNS answers seen on the wire, never the resolver
after the questions it was asked (issue 14).

A generated capture: a LAN resolver (10.1.0.53) answers a client's questions
for several names (A and AAAA answers, one NXDOMAIN, one name asked twice
with a new address); the client then opens plain TCP connections (no TLS SNI,
no HTTP Host: nothing else names them) to most of the answered addresses.
The real probe replays it into the real collector with a real PostgreSQL.

Checked:
- tshark's reading of the same capture (dns.qry.name with the first dns.a /
  dns.aaaa of each response, dns.flags.rcode) equals the probe's DNS fields
  of each DNS flow as stored (server_name, dns_answer, dns_reply_code,
  dns_query_type);
- the resolver's host has no name, nor has the client;
- each answered address that became a host carries the name answered for it
  (the latest answer when asked twice); an address answered but never
  contacted is no host;
- on the way, the TCP health of the contacted connections survives the
  collector: each stored row has its handshake split (10 ms + 10 ms as the
  capture builds it), no retransmission and the TTL range of both directions.

Environment: WIREFLOW_BUILD, WIREFLOW_SOURCE.
"""
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile

import psycopg2

import pcapgen
from harness import Cluster, Collector, fail, replay, require_built

RESOLVER = "10.1.0.53"
CLIENT = "10.1.0.10"
# (name, address, contacted afterwards)
ANSWERS = [
    ("www.example.com", "93.184.216.34", True),
    ("cdn.example.net", "198.51.100.7", True),
    ("mail.example.org", "203.0.113.25", True),
    ("ipv6.example.org", "2001:db8:5::7", True),
    ("unused.example.com", "192.0.2.99", False),
    ("moved.example.com", "198.51.100.40", False),   # answered again below with a new address
    ("moved.example.com", "198.51.100.41", True),
]
NXDOMAIN = "missing.example.com"


def dns_query(qid, name, qtype):
    return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + pcapgen.dns_name(name) + struct.pack("!HH", qtype, 1)


def dns_nxdomain(qid, name):
    return struct.pack("!HHHHHH", qid, 0x8183, 1, 0, 0, 0) + pcapgen.dns_name(name) + struct.pack("!HH", 1, 1)


def write_capture(path):
    random.seed(14)
    t = 1_700_000_000.0
    with pcapgen.PcapWriter(path) as w:
        lan = pcapgen.Link(w)
        client, resolver = pcapgen.Host(CLIENT), pcapgen.Host(RESOLVER)
        client6, resolver6 = pcapgen.Host("fd00:1::10"), pcapgen.Host("fd00:1::53")
        for qid, (name, addr, contacted) in enumerate(ANSWERS, start=1):
            v6 = ":" in addr
            c, r = (client6, resolver6) if v6 else (client, resolver)
            sport = 30000 + qid
            lan.send(t, c, r, 17, pcapgen.udp_datagram(c.ip, sport, r.ip, 53, dns_query(qid, name, 28 if v6 else 1)))
            lan.send(t + 0.003, r, c, 17, pcapgen.udp_datagram(r.ip, 53, c.ip, sport, pcapgen.dns_answer(qid, name, addr)))
            if contacted:
                conv = pcapgen.TcpConversation(lan, c, 40000 + qid, pcapgen.Host(addr), 22)
                tt = conv.handshake(t + 0.01)
                tt = conv.request(tt, b"SSH-2.0-OpenSSH_9.2\r\n", b"SSH-2.0-OpenSSH_9.2\r\n" + bytes(600))
                conv.close(tt + 0.05)
            t += 2.0
        lan.send(t, client, resolver, 17, pcapgen.udp_datagram(CLIENT, 31999, RESOLVER, 53, dns_query(99, NXDOMAIN, 1)))
        lan.send(t + 0.003, resolver, client, 17,
                 pcapgen.udp_datagram(RESOLVER, 53, CLIENT, 31999, dns_nxdomain(99, NXDOMAIN)))


def tshark_answers(path):
    """(query name, client port) -> (first answered address or None, rcode) of each response, as tshark reads it."""
    out = subprocess.run(
        ["tshark", "-n", "-r", path, "-Y", "dns.flags.response == 1", "-T", "fields", "-E", "occurrence=f",
         "-e", "dns.qry.name", "-e", "udp.dstport", "-e", "dns.a", "-e", "dns.aaaa", "-e", "dns.flags.rcode"],
        check=True, capture_output=True, text=True).stdout
    answers = {}
    for line in out.splitlines():
        name, port, a, aaaa, rcode = line.split("\t")
        answers[(name, int(port))] = (a or aaaa or None, int(rcode))
    return answers


def main():
    if shutil.which("tshark") is None:
        fail("tshark not installed (deploy/install-deps.sh installs it)")
    require_built()
    with tempfile.TemporaryDirectory(prefix="wireflow-dns-", ignore_cleanup_errors=True) as tmp, Cluster() as pg:
        path = os.path.join(tmp, "resolver.pcap")
        write_capture(path)
        expected = tshark_answers(path)
        if len(expected) != len(ANSWERS) + 1:
            fail(f"tshark read {len(expected)} DNS responses, the capture has {len(ANSWERS) + 1}")
        dsn = pg.create_database("dns_names")
        col = Collector(dsn, os.path.join(tmp, "collector"), extra=[
            "--local-networks=0.0.0.0/0,::/0", "--host-persist-s=1",
            "--local-host-idle-s=86400", "--remote-host-idle-s=86400"]).start()
        try:
            replay(path, col.endpoint, "dns-names")
        finally:
            col.stop_clean()
        with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
            cur.execute("SELECT server_name, client_port, host(dns_answer), dns_reply_code, dns_query_type FROM flows"
                        " WHERE dns_query_type <> 0")
            flows = {(name, port): (answer, rcode, qtype) for name, port, answer, rcode, qtype in cur.fetchall()}
            cur.execute("SELECT host(ip), name FROM hosts")
            names = dict(cur.fetchall())
            cur.execute("SELECT server_port, client_rtt_ns, server_rtt_ns, c2s_retransmissions, s2c_retransmissions,"
                        " c2s_ttl_min, c2s_ttl_max, s2c_ttl_min, s2c_ttl_max FROM flows WHERE protocol = 6")
            tcp = cur.fetchall()

    # The probe's DNS fields equal tshark's reading, flow by flow.
    if set(flows) != set(expected):
        fail(f"DNS flows differ from tshark's responses: probe {sorted(flows)}, tshark {sorted(expected)}")
    for key, (answer, rcode) in expected.items():
        got = flows[key]
        if (got[0], got[1]) != (answer, rcode):
            fail(f"{key}: tshark answer {answer} rcode {rcode}, probe answer {got[0]} rcode {got[1]}")
        want_type = 28 if answer and ":" in answer else 1
        if got[2] != want_type:
            fail(f"{key}: query type {got[2]}, expected {want_type}")
    print(f"{len(flows)} DNS flows: name, first answer, response code and type equal tshark's")

    # The resolver (v4 and v6) and the client carry no answered name.
    for ip in (RESOLVER, "fd00:1::53", CLIENT, "fd00:1::10"):
        if ip not in names:
            fail(f"{ip} is not a host: the capture did not reach the collector")
        if names[ip]:
            fail(f"{ip} is named {names[ip]!r}: a resolver or client must keep no answered name")
    latest = {}
    for name, addr, contacted in ANSWERS:
        latest[addr] = (name, contacted)
    for addr, (name, contacted) in latest.items():
        if not contacted:
            if addr in names:
                fail(f"{addr} was answered but never contacted, yet it is a host")
            continue
        if names.get(addr) != name:
            fail(f"{addr}: named {names.get(addr)!r}, the DNS answer said {name!r}")
    print(f"resolver and client unnamed; {sum(c for _, c in latest.values())} answered hosts carry their names")
    contacted = sum(c for _, _, c in ANSWERS)
    if len(tcp) != contacted:
        fail(f"{len(tcp)} TCP rows stored, the capture has {contacted} connections")
    for row in tcp:
        if row != (22, 10_000_000, 10_000_000, 0, 0, 64, 64, 64, 64):
            fail(f"stored TCP health {row}, expected (22, 10 ms, 10 ms, 0, 0, TTL 64..64 both ways)")
    print(f"{len(tcp)} TCP connections stored with their handshake split, retransmissions and TTL ranges")
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
