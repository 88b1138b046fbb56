"""mmdb_writer.py against an independent reader: libmaxminddb's mmdblookup
(Debian's mmdb-bin) reads what the writer wrote, for every tree shape the
writer offers (IPv4 and IPv6 trees; 24-, 28- and 32-bit records): each
network answers its own record at its first and last address, and the
addresses just outside answer nothing."""

import ipaddress
import os
import re
import shutil
import subprocess
import sys
import tempfile

from mmdb_writer import MmdbWriter

NETWORKS = {
    "81.2.69.0/24": ("GB", 20712),
    "81.2.69.128/25": ("IE", 5466),      # narrower, inserted later: overrides half of the /24
    "1.128.0.0/11": ("AU", 1221),
    "89.160.20.112/28": ("SE", 29518),
    "2a02:cf40::/29": ("NO", 2119),
    "2001:218::/32": ("JP", 2914),
}


def lookup(path, ip, *keys):
    r = subprocess.run(["mmdblookup", "--file", path, "--ip", ip, *keys], capture_output=True, text=True)
    out = r.stdout.strip()
    if "Could not find an entry" in r.stdout + r.stderr:
        return None  # mmdblookup then exits non-zero too
    if r.returncode != 0:
        raise AssertionError(f"mmdblookup {ip}: exit {r.returncode}: {r.stderr.strip()}")
    m = re.search(r'"([^"]*)" <utf8_string>|(\d+) <uint32>', out)
    if not m:
        raise AssertionError(f"mmdblookup {ip}: unexpected output {out!r}")
    return m.group(1) if m.group(1) is not None else int(m.group(2))


def expected(ip):
    """The answer of the narrowest network holding ip, or None."""
    a = ipaddress.ip_address(ip)
    best = None
    for net, answer in NETWORKS.items():
        n = ipaddress.ip_network(net)
        if a.version == n.version and a in n and (best is None or n.prefixlen > best[0].prefixlen):
            best = (n, answer)
    return best[1] if best else None


def probes():
    """First and last address of every network and the neighbours outside."""
    out = ["8.8.8.8", "2001:4860:4860::8888"]
    for net in NETWORKS:
        n = ipaddress.ip_network(net)
        out += [str(n.network_address), str(n.broadcast_address),
                str(n.network_address - 1), str(n.broadcast_address + 1)]
    return out


def main():
    if shutil.which("mmdblookup") is None:
        print("SKIP: mmdblookup (Debian's mmdb-bin) is not installed")
        return 77
    failures = 0
    with tempfile.TemporaryDirectory() as d:
        for ip_version in (4, 6):
            for size in (24, 28, 32):
                w = MmdbWriter(ip_version=ip_version, record_size=size)
                for net, (cc, asn) in NETWORKS.items():
                    if ip_version == 4 and ":" in net:
                        continue
                    w.insert(net, {"country": {"iso_code": cc}, "autonomous_system_number": asn})
                path = os.path.join(d, f"v{ip_version}-{size}.mmdb")
                w.write(path)
                for ip in probes():
                    if ip_version == 4 and ":" in ip:
                        continue
                    want = expected(ip)
                    got_cc = lookup(path, ip, "country", "iso_code")
                    got_asn = lookup(path, ip, "autonomous_system_number")
                    got = (got_cc, got_asn) if got_cc is not None else None
                    if got != want:
                        failures += 1
                        print(f"FAIL v{ip_version}/{size} {ip}: mmdblookup says {got}, written {want}")
        # A string long enough for the 2-byte size extension, read back whole.
        long_name = "x" * 300
        w = MmdbWriter(ip_version=6, record_size=28)
        w.insert("81.2.69.0/24", {"autonomous_system_organization": long_name})
        path = os.path.join(d, "long.mmdb")
        w.write(path)
        if lookup(path, "81.2.69.7", "autonomous_system_organization") != long_name:
            failures += 1
            print("FAIL: a 300-byte string did not read back")
    print("ok" if failures == 0 else f"{failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
