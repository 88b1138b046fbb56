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

Environment: WIREFLOW_BUILD, WIREFLOW_SOURCE. Skips (77) without tshark/editcap.
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "support"))

import pcapgen  # noqa: E402
from tshark_crosscheck import difference, tshark_hosts  # noqa: E402

SKIP = 77


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


def probe_run(probe, path, workdir):
    dump = os.path.join(workdir, "flows.jsonl")
    summary = os.path.join(workdir, "summary.json")
    cmd = [probe, "--no-huge", "--memory", "512", "--pcap", path, "--dump-flows", dump,
           "--summary-json", summary, "--collector", "none", "--no-dpi"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        raise RuntimeError(f"probe exit {r.returncode}: {r.stderr.strip()[-300:]}")
    hosts = {}
    with open(dump) as f:
        for line in f:
            rec = json.loads(line)
            packets = rec["c2s_packets"] + rec["s2c_packets"]
            length = rec["c2s_bytes"] + rec["s2c_bytes"]
            for h in (rec["client_ip"], rec["server_ip"]):
                t = hosts.setdefault(h, [0, 0])
                t[0] += packets
                t[1] += length
    with open(summary) as f:
        return hosts, json.load(f)


def main():
    if shutil.which("tshark") is None or shutil.which("editcap") is None:
        print("tshark/editcap not installed: skipping")
        return SKIP
    probe = os.path.join(os.environ.get("WIREFLOW_BUILD", "build"), "probe", "wireflow-probe")
    failures = []
    with tempfile.TemporaryDirectory(prefix="wf-snaplen-") as work:
        full = [pcapgen.write_sample(os.path.join(work, "office.pcap"), minutes=1.0),
                write_extras(os.path.join(work, "extras.pcap"))]
        for src in full:
            for snap in (64, 96):
                cut = f"{src}.s{snap}.pcap"
                subprocess.run(["editcap", "-s", str(snap), src, cut], check=True, capture_output=True)
                expected = tshark_hosts(cut)
                got, summary = probe_run(probe, cut, work)
                name = f"{os.path.basename(src)} -s {snap}"
                malformed = sum(summary["malformed_packets"].values())
                diffs = difference(expected, got)
                pk = sum(v[0] for v in expected.values()) // 2
                print(f"{name}: tshark {pk} IP packets on {len(expected)} hosts; probe ip_packets "
                      f"{summary['ip_packets']}, malformed {malformed}, hosts differing {len(diffs)}")
                if diffs:
                    h, e, g = diffs[0]
                    failures.append(f"{name}: {len(diffs)} hosts differ, e.g. {h}: tshark {e} probe {g}")
                if malformed:
                    failures.append(f"{name}: {summary['malformed_packets']}")
                if summary["ip_packets"] != pk:
                    failures.append(f"{name}: probe ip_packets {summary['ip_packets']} != tshark {pk}")
    for f in failures:
        print("FAIL", f)
    print(f"{4 - len(set(x.split(':')[0] for x in failures))} passed, "
          f"{len(set(x.split(':')[0] for x in failures))} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
