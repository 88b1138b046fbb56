#!/usr/bin/python3
"""Captures taken with a short snap length: the probe's per-host packets and L3
bytes equal tshark's.

A generated capture (tests/support/pcapgen.py: an office network with VLANs,
IPv6, pings, TCP and UDP; plus PPPoE frames with compressed and uncompressed
PPP protocol fields, an IPv6 extension chain and a tiny first fragment) is cut
with `editcap -s 64` and `-s 96`. A frame cut inside its L4 header still
counts by its IP length (in its flow when the ports were captured, else in the
port-less flow of the address pair), so nothing may differ from tshark, and
the probe must report no malformed packet.

Environment: WIREFLOW_BUILD, WIREFLOW_SOURCE.
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

import pcapgen
from harness import PROBE, Checks, fail, read_jsonl, require_built, run_probe
from tshark_crosscheck import difference, record_hosts, tshark_hosts


def write_extras(path):
    """PPPoE (RFC 1661 6.5 compressed and plain PPP protocol), IPv6 hop-by-hop, a tiny fragment."""
    a, b = pcapgen.Host("100.64.0.1"), pcapgen.Host("100.64.0.2")
    c6, d6 = pcapgen.Host("2001:db8::1"), pcapgen.Host("2001:db8::2")
    t = 1700000000.0
    with pcapgen.PcapWriter(path) as w:
        for i in range(20):
            l4 = pcapgen.udp_datagram(a.ip, 40000 + i, b.ip, 53, bytes(100 + i))
            _, ip = pcapgen.ip_packet(a.ip, b.ip, 17, l4)
            ppp = b"\x21" if i % 2 else b"\x00\x21"  # compressed / uncompressed protocol field
            sess = struct.pack("!BBHH", 0x11, 0, 0x1234, len(ppp) + len(ip)) + ppp + ip
            w.write(t + i, pcapgen.ether(a.mac, b.mac, 0x8864, sess))
            l6 = pcapgen.tcp_segment(c6.ip, 50000, d6.ip, 443, i, 0, pcapgen.ACK, bytes(300))
            hbh = bytes([6, 0]) + bytes(6)  # hop-by-hop, next header TCP
            et, ip6 = pcapgen.ip_packet(c6.ip, d6.ip, 0, hbh + l6)
            sess6 = struct.pack("!BBHH", 0x11, 0, 0x1234, 1 + len(ip6)) + b"\x57" + ip6
            w.write(t + i + 0.1, pcapgen.ether(c6.mac, d6.mac, 0x8864, sess6))
            w.write(t + i + 0.2, pcapgen.ether(c6.mac, d6.mac, et, ip6))
        # RFC 1858 tiny first fragment: 8 bytes of TCP (MF set).
        tcp8 = struct.pack("!HHI", 1234, 80, 1)
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, 7, 0x2000, 64, 6, 0,
                          bytes([100, 64, 0, 1]), bytes([100, 64, 0, 2]))
        w.write(t + 30, pcapgen.ether(a.mac, b.mac, 0x0800, hdr + tcp8))
    return path


def probe_run(path, workdir):
    dump = os.path.join(workdir, "flows.jsonl")
    summary = os.path.join(workdir, "summary.json")
    r = run_probe(["--pcap", path, "--dump-flows", dump, "--summary-json", summary, "--collector", "none",
                   "--no-dpi"], timeout=300)
    if r.returncode != 0:
        fail(f"probe exit {r.returncode} on {path}: {r.stderr.strip()[-300:]}")
    with open(summary) as f:
        return record_hosts(read_jsonl(dump)), json.load(f)


def main():
    if shutil.which("tshark") is None or shutil.which("editcap") is None:
        fail("tshark/editcap not installed (deploy/install-deps.sh installs tshark)")
    require_built(PROBE)
    c = Checks()
    with tempfile.TemporaryDirectory(prefix="wf-snaplen-") as work:
        full = [pcapgen.write_sample(os.path.join(work, "office.pcap"), minutes=1.0),
                write_extras(os.path.join(work, "extras.pcap"))]
        for src in full:
            for snap in (64, 96):
                cut = f"{src}.s{snap}.pcap"
                subprocess.run(["editcap", "-s", str(snap), src, cut], check=True, capture_output=True)
                expected = tshark_hosts(cut)
                got, summary = probe_run(cut, work)
                name = f"{os.path.basename(src)} -s {snap}"
                malformed = sum(summary["malformed_packets"].values())
                diffs = difference(expected, got)
                pk = sum(v[0] for v in expected.values()) // 2
                print(f"{name}: tshark {pk} IP packets on {len(expected)} hosts; probe ip_packets "
                      f"{summary['ip_packets']}, malformed {malformed}, hosts differing {len(diffs)}")
                c.check(not diffs, f"{name}: {len(diffs)} hosts differ, e.g. {diffs[:1]} (host, tshark, probe)")
                c.check(not malformed, f"{name}: malformed {summary['malformed_packets']}")
                c.check(summary["ip_packets"] == pk, f"{name}: probe ip_packets {summary['ip_packets']} != tshark {pk}")
    return c.result()


if __name__ == "__main__":
    sys.exit(main())
