#!/usr/bin/python3
"""Each tunnel the probe opens: its inner flows and hosts equal tshark's
inner-header view of a capture of that tunnel (issue 14).

One generated capture per encapsulation (tests/support/pcapgen.py builds the
frames byte by byte: tunnel_wrap, TunnelLink): GRE with a key carrying IPv4, GRE over IPv6 carrying
IPv6, GRE carrying Ethernet (transparent bridging), ERSPAN types II and III,
VXLAN, GTP-U with an extension header, and IP in IP in its four family
pairs (4in4, 6in4, 4in6, 6in6). Inside each: a TCP connection with a
request and a response, and a UDP exchange, between two inner hosts; the
client's packets enter the tunnel at one outer endpoint, the server's at
the other.

Checked, per capture:
- the probe's flows (protocol, both addresses and ports) with their packets
  and bytes equal tshark's, where tshark's frame is keyed on the inner IP
  header and counted by the outer IP length (ip.len / ipv6.plen + 40, what
  crosses the wire; tshark_crosscheck.tshark_frames reads it);
- the per-host packets and bytes likewise (only inner hosts: the tunnel's
  endpoints are no hosts of these flows);
- tshark recognised the tunnel the probe names;
- each record names the tunnel, its id (GRE key, ERSPAN session, VNI,
  TEID) and the outer address on the client's and the server's side.

Environment: WIREFLOW_BUILD, WIREFLOW_SOURCE.
"""
import os
import random
import shutil
import sys
import tempfile
from collections import defaultdict

import pcapgen
from harness import PROBE, Checks, fail, read_jsonl, require_built, run_probe
from tshark_crosscheck import difference, record_hosts, tshark_frames, tshark_hosts

# name: (kind, probe's tunnel name, tunnel id, outer client side, outer server side, inner client, inner server)
CASES = {
    "gre-key": ("gre", "gre", 1001, "198.51.100.1", "198.51.100.2", "192.168.60.10", "10.60.0.5"),
    "gre-ipv6": ("gre", "gre", 7, "2001:db8:100::1", "2001:db8:100::2", "fd00:60::10", "fd00:61::5"),
    "gre-ethernet": ("gre-ethernet", "gre", 0, "198.51.100.3", "198.51.100.4", "192.168.61.10", "10.61.0.5"),
    "erspan-ii": ("erspan-ii", "erspan", 0x155, "198.51.100.5", "198.51.100.6", "192.168.62.10", "10.62.0.5"),
    "erspan-iii": ("erspan-iii", "erspan", 0x2A, "198.51.100.7", "198.51.100.8", "192.168.63.10", "10.63.0.5"),
    "vxlan": ("vxlan", "vxlan", 5001, "198.51.100.9", "198.51.100.10", "192.168.64.10", "10.64.0.5"),
    "gtp-u": ("gtp-u", "gtp-u", 0x1234ABCD, "198.51.100.11", "198.51.100.12", "100.64.0.10", "203.0.113.80"),
    "4in4": ("ip-in-ip", "ip-in-ip", 0, "198.51.100.13", "198.51.100.14", "192.168.65.10", "10.65.0.5"),
    "6in4": ("ip-in-ip", "ip-in-ip", 0, "198.51.100.15", "198.51.100.16", "2001:db8:65::10", "2001:db8:66::5"),
    "4in6": ("ip-in-ip", "ip-in-ip", 0, "2001:db8:101::1", "2001:db8:101::2", "192.168.66.10", "10.66.0.5"),
    "6in6": ("ip-in-ip", "ip-in-ip", 0, "2001:db8:102::1", "2001:db8:102::2", "fd00:67::10", "fd00:68::5"),
}


def write_capture(path, case, seed):
    kind, _, tid, oc, os_, ic, is_ = CASES[case]
    random.seed(seed)
    t = 1_700_000_000.0
    with pcapgen.PcapWriter(path) as w:
        link = pcapgen.TunnelLink(w, kind, tid, oc, os_, ic)
        client, server = pcapgen.Host(ic), pcapgen.Host(is_)
        conv = pcapgen.TcpConversation(link, client, random.randrange(32768, 60999), server, 443)
        t = conv.close(conv.request(conv.handshake(t), b"GET /tunnel HTTP/1.1\r\n\r\n", bytes(3000))) + 0.1
        for i in range(3):
            link.send(t, client, server, 17, pcapgen.udp_datagram(ic, 5300 + i, is_, 53, b"q" * (30 + i)))
            link.send(t + 0.002, server, client, 17, pcapgen.udp_datagram(is_, 53, ic, 5300 + i, b"r" * (80 + i)))
            t += 0.5
    return path


def tshark_flows(frames):
    """(proto, endpoint, endpoint) with the endpoints sorted -> [packets, bytes]."""
    flows = defaultdict(lambda: [0, 0])
    for f in frames:
        a, b = (f["src"], int(f["sport"] or 0)), (f["dst"], int(f["dport"] or 0))
        key = (f["proto"],) + tuple(sorted([a, b]))
        flows[key][0] += 1
        flows[key][1] += f["length"]
    return flows


def probe_flows(records):
    flows = defaultdict(lambda: [0, 0])
    for r in records:
        a, b = (r["client_ip"], r["client_port"]), (r["server_ip"], r["server_port"])
        key = (r["protocol"],) + tuple(sorted([a, b]))
        flows[key][0] += r["c2s_packets"] + r["s2c_packets"]
        flows[key][1] += r["c2s_bytes"] + r["s2c_bytes"]
    return flows


def main():
    if shutil.which("tshark") is None:
        fail("tshark not installed (deploy/install-deps.sh installs it)")
    require_built(PROBE)
    checks = Checks()
    with tempfile.TemporaryDirectory(prefix="wf-tunnels-") as work:
        for seed, case in enumerate(CASES, start=1):
            kind, name, tid, oc, os_, ic, is_ = CASES[case]
            path = write_capture(os.path.join(work, case + ".pcap"), case, seed)
            dump = os.path.join(work, case + ".jsonl")
            r = run_probe(["--pcap", path, "--dump-flows", dump, "--collector", "none"], timeout=300)
            if r.returncode != 0:
                fail(f"{case}: probe exit {r.returncode}: {r.stderr.strip()[-500:]}")
            records = read_jsonl(dump)
            frames = tshark_frames(path)
            checks.check(frames and all(f["tunnel"] == name for f in frames),
                         f"{case}: tshark opened every frame as {name} "
                         f"(got {sorted({str(f['tunnel']) for f in frames})})")
            want, got = tshark_flows(frames), probe_flows(records)
            checks.check(len(want) == 4 and want == got,
                         f"{case}: {len(got)} inner flows equal tshark's {len(want)} "
                         f"(tshark {dict(want)}, probe {dict(got)})")
            hosts_t, hosts_p = tshark_hosts(path), record_hosts(records)
            checks.check(set(hosts_t) == {ic, is_} and not difference(hosts_t, hosts_p),
                         f"{case}: inner hosts and their totals equal tshark's ({difference(hosts_t, hosts_p)[:3]})")
            print(f"{case}: {len(frames)} frames, tshark {len(want)} inner flows, probe {len(records)} records "
                  f"in {len(got)} flows")
            bad = [rec for rec in records
                   if (rec.get("tunnel"), rec.get("tunnel_id"), rec.get("tunnel_client_side_ip"),
                       rec.get("tunnel_server_side_ip")) != (name, tid, oc, os_)
                   or rec["client_ip"] != ic]
            checks.check(records and not bad,
                         f"{case}: every record names {name} id {tid}, outer {oc} (client side) / {os_} "
                         f"(server side){'; e.g. ' + str(bad[0]) if bad else ''}")
    return checks.result()


if __name__ == "__main__":
    sys.exit(main())
