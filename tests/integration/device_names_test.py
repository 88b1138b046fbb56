#!/usr/bin/python3
"""Unassigned devices carry their vendor and name (issue 14).

A generated LAN capture: three devices ask a DHCP server for an address
(DISCOVER from 0.0.0.0 to the broadcast address, with a host name in option
12), then talk from the address they got. Two have MACs of IEEE-registered
prefixes, one a locally administered MAC (a phone's randomised address).
The real probe replays it into the real collector with a real PostgreSQL.

Checked:
- tshark reads the same host names in the DHCP requests (an independent
  reading of the capture);
- GET /api/v1/devices/unassigned lists each device with its MAC, the vendor
  the IEEE registries in /usr/share/ieee-data give for its prefix (read here
  straight from oui.csv, not through the collector), the DHCP host name as
  its name (in lower case, as nDPI keeps every host name), and
  `locally_administered` for the randomised MAC (no vendor);
- GET /api/v1/hosts/IP carries the vendor too;
- neither the DHCP server nor the broadcast address is named after a client.

Environment: WIREFLOW_BUILD, WIREFLOW_SOURCE.
"""
import csv
import os
import shutil
import struct
import subprocess
import sys
import tempfile

import pcapgen
from harness import COLLECTOR, PROBE, Checks, Collector, Cluster, fail, replay, require_built, wait_for

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_support  # noqa: E402

PASSWORD = "device-names-admin-1"
SERVER = pcapgen.Host("10.77.0.1", bytes.fromhex("00000caabb01"))
# (MAC, DHCP host name, address it gets)
DEVICES = [
    ("3c22fb123456", "kitchen-tablet", "10.77.0.21"),
    ("001b21112233", "build-server-7", "10.77.0.22"),
    ("0242aa000009", "Pixel-of-Sam", "10.77.0.23"),
]
REMOTE = pcapgen.Host("93.184.216.34")
BROADCAST = b"\xff" * 6


def dhcp_discover(mac, xid, hostname):
    """RFC 2131 BOOTREQUEST: op 1, Ethernet, 6-byte address; the magic cookie;
    option 53 (DISCOVER) first, 12 (host name), 55 (parameter list), end."""
    bootp = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, xid, 0, 0x8000, bytes(4), bytes(4), bytes(4),
                        bytes(4), mac + bytes(10), bytes(64), bytes(128))
    name = hostname.encode()
    options = b"\x63\x82\x53\x63" + bytes([53, 1, 1, 12, len(name)]) + name + bytes([55, 3, 1, 3, 6, 255])
    return bootp + options


def write_capture(path):
    t = 1_700_000_000.0
    with pcapgen.PcapWriter(path) as w:
        for i, (mac_hex, name, ip) in enumerate(DEVICES):
            mac = bytes.fromhex(mac_hex)
            payload = dhcp_discover(mac, 0x1000 + i, name)
            et, pkt = pcapgen.ip_packet("0.0.0.0", "255.255.255.255", 17,
                                        pcapgen.udp_datagram("0.0.0.0", 68, "255.255.255.255", 67, payload))
            w.write(t, pcapgen.ether(mac, BROADCAST, et, pkt))
            t += 1.0
        link = pcapgen.Link(w)
        for i, (mac_hex, name, ip) in enumerate(DEVICES):
            device = pcapgen.Host(ip, bytes.fromhex(mac_hex))
            conv = pcapgen.TcpConversation(link, device, 50000 + i, REMOTE, 443)
            t = conv.close(conv.request(conv.handshake(t), b"hello", bytes(800))) + 0.5
    return path


def ieee_vendors():
    """Assignment (6 hex digits) -> organisation, straight from Debian's oui.csv."""
    with open("/usr/share/ieee-data/oui.csv", newline="", encoding="utf-8") as f:
        return {row[1].upper(): row[2].strip() for row in csv.reader(f) if len(row) >= 3 and row[0] == "MA-L"}


def tshark_hostnames(path):
    out = subprocess.run(["tshark", "-n", "-r", path, "-Y", "dhcp", "-T", "fields", "-e", "eth.src",
                          "-e", "dhcp.option.hostname"], check=True, capture_output=True, text=True).stdout
    return {line.split("\t")[0].replace(":", ""): line.split("\t")[1] for line in out.splitlines() if "\t" in line}


def main():
    if shutil.which("tshark") is None:
        fail("tshark not installed (deploy/install-deps.sh installs it)")
    if not os.path.exists("/usr/share/ieee-data/oui.csv"):
        fail("ieee-data not installed (deploy/install-deps.sh installs it)")
    require_built(PROBE, COLLECTOR)
    checks = Checks()
    vendors = ieee_vendors()
    with tempfile.TemporaryDirectory(prefix="wireflow-devices-", ignore_cleanup_errors=True) as tmp, Cluster() as pg:
        path = write_capture(os.path.join(tmp, "dhcp-lan.pcap"))
        names = tshark_hostnames(path)
        checks.check(names == {mac: name for mac, name, _ in DEVICES}, f"tshark reads the DHCP host names: {names}")
        pw_file = os.path.join(tmp, "admin-password")
        with open(pw_file, "w") as f:
            f.write(PASSWORD + "\n")
        col = Collector(pg.create_database("device_names"), os.path.join(tmp, "collector"), extra=[
            f"--admin-password-file={pw_file}", "--local-networks=10.77.0.0/16",
            "--local-host-idle-s=86400", "--remote-host-idle-s=86400"]).start()
        try:
            replay(path, col.endpoint, "device-names")
            client = api_support.Client(col.http_port)
            wait_for("the collector's HTTP server", lambda: client.login("admin", PASSWORD).status == 200)
            devices = {}
            for d in client.get("/api/v1/devices/unassigned?limit=1000").json()["items"]:
                if d["ip"]:
                    devices[d["ip"]] = d
            for mac_hex, name, ip in DEVICES:
                d = devices.get(ip)
                if not checks.check(d is not None, f"{ip} is an unassigned device ({sorted(devices)})"):
                    continue
                mac = ":".join(mac_hex[i:i + 2] for i in range(0, 12, 2))
                local = int(mac_hex[:2], 16) & 0x02 != 0
                want_vendor = None if local else vendors.get(mac_hex[:6].upper())
                checks.check(not local and want_vendor or local, f"oui.csv names the prefix of {mac}")
                checks.check(d["mac"] == mac, f"{ip}: MAC {d['mac']}, expected {mac}")
                checks.check(d["vendor"] == want_vendor, f"{ip}: vendor {d['vendor']!r}, oui.csv says {want_vendor!r}")
                checks.check(d["locally_administered"] is local, f"{ip}: locally_administered {d['locally_administered']}")
                # nDPI keeps host names in lower case (as it does SNI and Host).
                checks.check(d["name"] == name.lower(), f"{ip}: name {d['name']!r}, the DHCP request said {name!r}")
                host = client.get(f"/api/v1/hosts/{ip}").json()
                checks.check(host.get("vendor") == want_vendor and host.get("name") == name.lower(),
                             f"{ip}: host vendor {host.get('vendor')!r} name {host.get('name')!r}")
            for ip in (SERVER.ip, "255.255.255.255"):
                r = client.get(f"/api/v1/hosts/{ip}")
                if r.status == 200:
                    checks.check(not r.json().get("name"), f"{ip} is named {r.json().get('name')!r} after a client")
            print(f"{len(DEVICES)} devices: vendor from the IEEE registries, name from their DHCP requests")
        finally:
            col.stop_clean()
    return checks.result()


if __name__ == "__main__":
    sys.exit(main())
