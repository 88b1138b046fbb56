#!/usr/bin/python3
"""Devices are named by the names they give themselves on the local network
(mDNS, LLMNR, NetBIOS), and only the device a name is for (issue 14).

A generated capture on one LAN:
- mDNS: a client asks the group for printer.local (a query: names nobody);
  the printer answers the group with A and AAAA records of its own name;
  a laptop announces itself with the A record in the additional section of
  a service answer.
- NetBIOS name service: a PC registers DESKTOP-7 (broadcast, opcode 5) and
  its workgroup (a group name: names nobody); a client asks the name server
  for NAS and the server answers with NAS's address (the answer names NAS,
  not the server); a node status response from another PC lists its
  workgroup, its file-server name and its workstation name.
- LLMNR: a client asks the LLMNR group for "kiosk", the kiosk answers it.
- Then plain TCP to every named device, so each is a host.
The real probe replays it into the real collector with a real PostgreSQL.

Checked:
- tshark's reading of the capture (dns.resp.name with dns.a / dns.aaaa of
  mDNS and LLMNR responses; nbns.name with nbns.addr of registrations and
  positive answers, nbns.node_name of node status) gives exactly the
  expected names for the expected addresses, so the capture says what the
  test assumes;
- each named device's host carries the name tshark read for its address;
- the askers, the name server, the multicast groups and the broadcast
  address carry no name, though nDPI's server name for their flows is the
  name asked or answered;
- with the shared corpus (WIREFLOW_CORPUS), every name the probe reads in
  its captures with name service traffic is a name tshark reads for the
  same address.

Environment: WIREFLOW_BUILD, WIREFLOW_SOURCE, WIREFLOW_CORPUS (optional).
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

import psycopg2

import pcapgen
from harness import Cluster, Collector, corpus_files, fail, replay, require_built

ASKER = "10.2.0.5"
PRINTER, PRINTER6 = "10.2.0.20", "fe80::211:22ff:fe33:4455"
LAPTOP = "10.2.0.21"
DESKTOP = "10.2.0.30"
NAME_SERVER = "10.2.0.2"
NAS = "10.2.0.7"
PC = "10.2.0.40"
KIOSK = "10.2.0.50"
MDNS_GROUP, LLMNR_GROUP, BROADCAST = "224.0.0.251", "224.0.0.252", "10.2.0.255"

# What the capture names (address -> name). IPv6 link-local hosts are not
# contacted over TCP, so only the IPv4 ones are checked as hosts.
EXPECTED = {PRINTER: "printer.local", PRINTER6: "printer.local", LAPTOP: "laptop-9.local",
            DESKTOP: "DESKTOP-7", NAS: "NAS", PC: "PC-ACCOUNTS", KIOSK: "kiosk"}
UNNAMED = [ASKER, NAME_SERVER, MDNS_GROUP, LLMNR_GROUP, BROADCAST]
# The shared corpus's captures with mDNS, LLMNR or NetBIOS name service
# traffic (found with tshark -Y "mdns || llmnr || nbns" over all of them);
# 1kxun and custom_risk_mask hold only LLMNR queries: no claim.
CORPUS = ["anyconnect-vpn.pcap", "dos_win98_smb_netbeui.pcap", "gnutella.pcap", "telegram.pcap",
          "whatsapp_login_call.pcap", "1kxun.pcap", "custom_risk_mask.pcapng"]


def rr(name, rtype, rdata, cls=1, ttl=120):
    return pcapgen.dns_name(name) + struct.pack("!HHIH", rtype, cls, ttl, len(rdata)) + rdata


def ip_bytes(addr):
    import ipaddress
    return ipaddress.ip_address(addr).packed


def mdns_query(name):
    return struct.pack("!HHHHHH", 0, 0x0000, 1, 0, 0, 0) + pcapgen.dns_name(name) + struct.pack("!HH", 1, 1)


def mdns_response(answers, additional=()):
    body = b"".join(answers) + b"".join(additional)
    return struct.pack("!HHHHHH", 0, 0x8400, 0, len(answers), 0, len(additional)) + body


def netbios_name(name, suffix):
    raw = name.encode().ljust(15, b" ")[:15] + bytes([suffix]) if name != "*" else b"*" + bytes(15)
    return bytes([32]) + bytes(c for b in raw for c in (ord("A") + (b >> 4), ord("A") + (b & 0xf))) + b"\0"


def nbns_registration(tid, name, suffix, addr, group=False):
    q = netbios_name(name, suffix) + struct.pack("!HH", 0x20, 1)
    ar = struct.pack("!HHHIHH", 0xC00C, 0x20, 1, 300000, 6, 0x8000 if group else 0) + ip_bytes(addr)
    return struct.pack("!HHHHHH", tid, 0x2910, 1, 0, 0, 1) + q + ar


def nbns_query(tid, name, suffix):
    return struct.pack("!HHHHHH", tid, 0x0110, 1, 0, 0, 0) + netbios_name(name, suffix) + struct.pack("!HH", 0x20, 1)


def nbns_positive(tid, name, suffix, addr):
    answer = netbios_name(name, suffix) + struct.pack("!HHIHH", 0x20, 1, 300000, 6, 0) + ip_bytes(addr)
    return struct.pack("!HHHHHH", tid, 0x8500, 0, 1, 0, 0) + answer


def nbns_node_status(tid, names):
    entries = b"".join(n.encode().ljust(15, b" ") + bytes([suffix]) + struct.pack("!H", flags)
                       for n, suffix, flags in names)
    rdata = bytes([len(names)]) + entries + bytes.fromhex("021122334455") + bytes(40)  # unit id + statistics
    answer = netbios_name("*", 0) + struct.pack("!HHIH", 0x21, 1, 0, len(rdata)) + rdata
    return struct.pack("!HHHHHH", tid, 0x8400, 0, 1, 0, 0) + answer


def write_capture(path):
    t = 1_700_000_000.0
    with pcapgen.PcapWriter(path) as w:
        lan = pcapgen.Link(w)
        h = {ip: pcapgen.Host(ip) for ip in (ASKER, PRINTER, PRINTER6, LAPTOP, DESKTOP, NAME_SERVER, NAS, PC, KIOSK,
                                             MDNS_GROUP, LLMNR_GROUP, BROADCAST, "ff02::fb")}

        def udp(t, src, sport, dst, dport, payload):
            lan.send(t, h[src], h[dst], 17, pcapgen.udp_datagram(src, sport, dst, dport, payload))

        # mDNS
        udp(t, ASKER, 5353, MDNS_GROUP, 5353, mdns_query("printer.local"))
        udp(t + 0.01, PRINTER, 5353, MDNS_GROUP, 5353,
            mdns_response([rr("printer.local", 1, ip_bytes(PRINTER), cls=0x8001)]))
        udp(t + 0.02, PRINTER6, 5353, "ff02::fb", 5353,
            mdns_response([rr("printer.local", 28, ip_bytes(PRINTER6), cls=0x8001)]))
        udp(t + 0.03, LAPTOP, 5353, MDNS_GROUP, 5353, mdns_response(
            [rr("_ssh._tcp.local", 12, pcapgen.dns_name("laptop-9._ssh._tcp.local"))],
            [rr("laptop-9.local", 1, ip_bytes(LAPTOP), cls=0x8001)]))
        # NetBIOS name service
        udp(t + 1, DESKTOP, 137, BROADCAST, 137, nbns_registration(1, "DESKTOP-7", 0x00, DESKTOP))
        udp(t + 1.01, DESKTOP, 137, BROADCAST, 137, nbns_registration(2, "WORKGROUP", 0x00, DESKTOP, group=True))
        udp(t + 1.1, ASKER, 137, NAME_SERVER, 137, nbns_query(3, "NAS", 0x20))
        udp(t + 1.11, NAME_SERVER, 137, ASKER, 137, nbns_positive(3, "NAS", 0x20, NAS))
        udp(t + 1.2, PC, 137, ASKER, 137, nbns_node_status(4, [
            ("WORKGROUP", 0x00, 0x8400), ("PC-ACCOUNTS", 0x20, 0x0400), ("PC-ACCOUNTS", 0x00, 0x0400)]))
        # LLMNR
        llmnr_q = struct.pack("!HHHHHH", 7, 0x0000, 1, 0, 0, 0) + pcapgen.dns_name("kiosk") + struct.pack("!HH", 1, 1)
        udp(t + 2, ASKER, 50000, LLMNR_GROUP, 5355, llmnr_q)
        udp(t + 2.01, KIOSK, 5355, ASKER, 50000, struct.pack("!HHHHHH", 7, 0x8000, 1, 1, 0, 0)
            + pcapgen.dns_name("kiosk") + struct.pack("!HH", 1, 1) + rr("kiosk", 1, ip_bytes(KIOSK), ttl=30))
        # Plain TCP to every named device (and the name server): each becomes a host.
        for i, ip in enumerate([PRINTER, LAPTOP, DESKTOP, NAS, PC, KIOSK, NAME_SERVER]):
            conv = pcapgen.TcpConversation(lan, h[ASKER], 41000 + i, h[ip], 22)
            tt = conv.handshake(t + 3 + i)
            tt = conv.request(tt, b"SSH-2.0-OpenSSH_9.2\r\n", b"SSH-2.0-OpenSSH_9.2\r\n")
            conv.close(tt + 0.05)


def _pairs(pairs):
    """tshark's JSON repeats a key for repeated fields: keep every value."""
    out = {}
    for k, v in pairs:
        if k in out:
            out[k] = (out[k] if isinstance(out[k], list) else [out[k]]) + [v]
        else:
            out[k] = v
    return out


def _all(v):
    return v if isinstance(v, list) else [v]


def tshark_names(path):
    """address -> set of names, as tshark reads mDNS and LLMNR responses
    (A/AAAA records of any section, TTL > 0), NetBIOS registrations and
    positive answers (NB records, unique names) and node status responses
    (the sender's unique names). Suffixes are dropped: "MDJR98<03>" is MDJR98."""
    out = subprocess.run(["tshark", "-n", "-r", path, "-Y", "mdns || llmnr || nbns", "-T", "json"],
                         check=True, capture_output=True, text=True).stdout
    names = {}
    for packet in json.loads(out or "[]", object_pairs_hook=_pairs):
        layers = packet["_source"]["layers"]
        src = _all(layers.get("ip", layers.get("ipv6", {})).get("ip.src", layers.get("ipv6", {}).get("ipv6.src")))[0]
        for proto in ("mdns", "llmnr"):
            for msg in _all(layers.get(proto, [])):
                flags = msg.get("dns.flags_tree", {})
                if flags.get("dns.flags.response") != "1" or flags.get("dns.flags.rcode", "0") != "0":
                    continue
                for section in ("Answers", "Authoritative nameservers", "Additional records"):
                    for recs in _all(msg.get(section, [])):
                        for rec in recs.values():
                            for r in _all(rec):
                                addr = r.get("dns.a") or r.get("dns.aaaa")
                                if addr and r.get("dns.resp.ttl") != "0":
                                    names.setdefault(addr, set()).add(r["dns.resp.name"])
        for msg in _all(layers.get("nbns", [])):
            flags = msg.get("nbns.flags_tree", {})
            response, opcode = flags.get("nbns.flags.response"), flags.get("nbns.flags.opcode")
            if response == "0" and opcode in ("5", "8", "9", "15"):
                sections = ("Additional records",)
            elif response == "1" and opcode == "0" and flags.get("nbns.flags.rcode") == "0":
                sections = ("Answers",)
            else:
                continue
            for section in sections:
                for recs in _all(msg.get(section, [])):
                    for rec in recs.values():
                        for r in _all(rec):
                            if r.get("nbns.type") == "32":
                                for addr, group in zip(_all(r.get("nbns.addr", [])),
                                                       _all(r.get("nbns.nb_flags_tree", {"g": "0"}))):
                                    g = group.get("nbns.nb_flags.group", "0") if isinstance(group, dict) else "0"
                                    if g == "0":
                                        names.setdefault(addr, set()).add(r["nbns.name"].split("<")[0].strip())
                            elif r.get("nbns.type") == "33":
                                for n, f in zip(_all(r.get("nbns.netbios_name", [])),
                                                _all(r.get("nbns.name_flags_tree", []))):
                                    if f.get("nbns.name_flags.group") == "0":
                                        names.setdefault(src, set()).add(n.strip())
    return names


def corpus_claims():
    """Each claim the probe makes on the shared corpus's captures with name
    service traffic is one of the names tshark reads for that address."""
    checked = agreed = 0
    for path in corpus_files("real", CORPUS):
        with tempfile.TemporaryDirectory(prefix="wireflow-names-corpus-") as tmp:
            records = replay(path, dump=os.path.join(tmp, "flows.json"))
        expected = tshark_names(path)
        for r in records:
            if "claimed_name" not in r:
                continue
            checked += 1
            seen = expected.get(r["claimed_address"], set())
            if r["claimed_name"] not in seen:
                fail(f"{os.path.basename(path)}: the probe says {r['claimed_address']} is {r['claimed_name']!r}"
                     f" ({r['name_service']}), tshark reads {sorted(seen)}")
            agreed += 1
    return checked, agreed


def main():
    if shutil.which("tshark") is None:
        fail("tshark not installed (deploy/install-deps.sh installs it)")
    require_built()
    with tempfile.TemporaryDirectory(prefix="wireflow-names-", ignore_cleanup_errors=True) as tmp, Cluster() as pg:
        path = os.path.join(tmp, "lan-names.pcap")
        write_capture(path)
        seen = {addr: next(iter(n)) for addr, n in tshark_names(path).items() if len(n) == 1}
        if seen != EXPECTED:
            fail(f"tshark reads other names than the capture writes: {seen}, expected {EXPECTED}")
        print(f"tshark reads {len(seen)} claimed names: {sorted(seen.items())}")
        dsn = pg.create_database("local_names")
        col = Collector(dsn, os.path.join(tmp, "collector"), extra=[
            "--local-networks=10.2.0.0/24,fe80::/10,224.0.0.0/4", "--host-persist-s=1",
            "--local-host-idle-s=86400", "--remote-host-idle-s=86400"]).start()
        try:
            replay(path, col.endpoint, "local-names")
        finally:
            col.stop_clean()
        with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
            cur.execute("SELECT host(ip), name FROM hosts")
            hosts = dict(cur.fetchall())
            cur.execute("SELECT host(client_ip), host(server_ip), app_name, server_name FROM flows"
                        " WHERE server_name <> '' AND protocol = 17")
            named_flows = cur.fetchall()

    for addr, name in EXPECTED.items():
        if ":" in addr:
            continue  # link-local IPv6: no TCP flow made it a host
        if hosts.get(addr) != name:
            fail(f"{addr}: host named {hosts.get(addr)!r}, the wire said {name!r}")
    print(f"{sum(':' not in a for a in EXPECTED)} devices carry the names they gave themselves")
    for addr in UNNAMED:
        if addr not in hosts:
            fail(f"{addr} is no host: the capture did not reach the collector")
        if hosts[addr]:
            fail(f"{addr} is named {hosts[addr]!r}: an asker, a name server, a group or a broadcast names nobody")
    # nDPI's own server names are there (so the test shows something): the
    # collector did not take them for the servers' names.
    if not any(server in (MDNS_GROUP, BROADCAST, NAME_SERVER, LLMNR_GROUP) for _, server, _, _ in named_flows):
        fail(f"no name service flow to a group or server carries nDPI's server name: {named_flows}")
    print(f"askers, name server, groups and broadcast unnamed ({len(named_flows)} name service flows with nDPI names)")
    checked, agreed = corpus_claims()
    if checked:
        print(f"corpus: {agreed} of {checked} names the probe read equal tshark's for their address")
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
