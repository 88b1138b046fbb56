#!/usr/bin/python3
"""The probe's per-host packet and L3 byte totals equal tshark's on the real corpus.

For every Ethernet capture under $WIREFLOW_CORPUS/real, the probe replays the
file with --dump-flows, and the flow records are summed per host (a host counts
every packet it sent or received, and the IP length of each). tshark dissects
the same file without reassembly, and the OUTERMOST IPv4/IPv6 header of every
frame is summed the same way (ip.len, or ipv6.plen + 40). The captures whose
totals differ must be listed in ALLOWED below with the reason, found by looking
at the packets; any other difference fails the test.

Environment: WIREFLOW_BUILD (build dir with probe/wireflow-probe),
WIREFLOW_CORPUS (skip with 77 when absent). Optional: WIREFLOW_CROSSCHECK_ONLY
(comma-separated file names, to look at a few captures while debugging).
"""
import concurrent.futures
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
from collections import defaultdict

SKIP = 77

# Captures where the probe legitimately differs from tshark: file -> (how many
# more packets tshark attributes to IP hosts than the probe, reason). Each was
# checked by hand on the packets named. A gap of any other size is a failure.
_L4_MALFORMED = ("the IP header is sound but the L4 header contradicts the IP length, so the dissector "
                 "reports {} and the probe counts the packet as malformed, in no flow; tshark still "
                 "attributes the IP header to the hosts")
ALLOWED = {
    "fuzz-2006-06-26-2594.pcap": (1, _L4_MALFORMED.format(
        "bad_l4_header (frame 86: TCP options overrun the IP length)")),
    "fuzz-2006-09-29-28586.pcap": (3, _L4_MALFORMED.format(
        "bad_l4_header (frames 27, 80: TCP header 40 bytes in an IP datagram of 40; "
        "frame 111: IP length 35 leaves 15 bytes of TCP)")),
}

LINKTYPE_ETHERNET = 1


def capture_link_type(path):
    """Link type of a pcap or pcapng file (first interface), or None."""
    with open(path, "rb") as f:
        head = f.read(24)
        if len(head) < 24:
            return None
        magic = head[:4]
        if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
            return struct.unpack("<I", head[20:24])[0] & 0xFFFF
        if magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
            return struct.unpack(">I", head[20:24])[0] & 0xFFFF
        if magic != b"\x0a\x0d\x0d\x0a":
            return None
        # pcapng: section header block, then find the first interface description block.
        bom = head[8:12]
        endian = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
        f.seek(0)
        while True:
            hdr = f.read(8)
            if len(hdr) < 8:
                return None
            btype, blen = struct.unpack(endian + "II", hdr)
            if blen < 12:
                return None
            body = f.read(blen - 8)
            if btype == 1 and len(body) >= 2:  # IDB: link type is the first 16 bits
                return struct.unpack(endian + "H", body[:2])[0]


def add(hosts, src, dst, length):
    for h in (src, dst):
        t = hosts[h]
        t[0] += 1
        t[1] += length


def tshark_hosts(path):
    """Per-host [packets, bytes] from tshark's outermost IP header of each frame."""
    cmd = ["tshark", "-n", "-r", path, "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
           "-T", "fields", "-E", "occurrence=f", "-E", "separator=\t",
           "-e", "frame.protocols", "-e", "ip.src", "-e", "ip.dst", "-e", "ip.len",
           "-e", "ipv6.src", "-e", "ipv6.dst", "-e", "ipv6.plen"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300).stdout
    hosts = defaultdict(lambda: [0, 0])
    for line in out.splitlines():
        f = line.split("\t")
        if len(f) < 7:
            continue
        protos = f[0].split(":")
        v4 = protos.index("ip") if "ip" in protos else None
        v6 = protos.index("ipv6") if "ipv6" in protos else None
        if v4 is not None and (v6 is None or v4 < v6):
            if f[1] and f[2] and f[3]:
                add(hosts, f[1], f[2], int(f[3]))
        elif v6 is not None:
            if f[4] and f[5] and f[6]:
                add(hosts, f[4], f[5], int(f[6]) + 40)
    return hosts


def probe_hosts(path, probe, workdir):
    """Per-host [packets, bytes] from the probe's flow records; (hosts, error)."""
    dump = os.path.join(workdir, os.path.basename(path) + ".jsonl")
    cmd = [probe, "--no-huge", "--memory", "512", "--pcap", path, "--dump-flows", dump, "--collector", "none"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        return None, f"probe exit {r.returncode}: {r.stderr.strip()[-300:]}"
    hosts = defaultdict(lambda: [0, 0])
    if not os.path.exists(dump):  # no flow at all
        return hosts, None
    with open(dump) as f:
        for line in f:
            rec = json.loads(line)
            c, s = rec["client_ip"], rec["server_ip"]
            packets = rec["c2s_packets"] + rec["s2c_packets"]
            length = rec["c2s_bytes"] + rec["s2c_bytes"]
            for h in (c, s):
                hosts[h][0] += packets
                hosts[h][1] += length
    os.unlink(dump)
    return hosts, None


def difference(expected, got):
    """Hosts whose totals differ, as (host, expected, got) sorted by the gap."""
    diffs = []
    for h in set(expected) | set(got):
        e = expected.get(h, [0, 0])
        g = got.get(h, [0, 0])
        if e != g:
            diffs.append((h, e, g))
    diffs.sort(key=lambda d: -abs(d[1][1] - d[2][1]))
    return diffs


def check_one(path, probe, workdir):
    try:
        expected = tshark_hosts(path)
        got, err = probe_hosts(path, probe, workdir)
    except (subprocess.SubprocessError, OSError, ValueError, KeyError) as e:
        return path, None, None, f"{type(e).__name__}: {e}"
    return path, expected, got, err


def main():
    build = os.environ.get("WIREFLOW_BUILD", "build")
    corpus = os.environ.get("WIREFLOW_CORPUS", "")
    real = os.path.join(corpus, "real")
    if not corpus or not os.path.isdir(real):
        print("WIREFLOW_CORPUS/real absent: skipping the tshark cross-check")
        return SKIP
    if shutil.which("tshark") is None:
        print("tshark not installed: skipping the tshark cross-check")
        return SKIP
    probe = os.path.join(build, "probe", "wireflow-probe")
    if not os.access(probe, os.X_OK):
        print(f"{probe} not built: skipping the tshark cross-check")
        return SKIP

    names = sorted(os.listdir(real))
    only = os.environ.get("WIREFLOW_CROSSCHECK_ONLY")
    if only:
        names = [n for n in names if n in only.split(",")]
    files = [os.path.join(real, n) for n in names if capture_link_type(os.path.join(real, n)) == LINKTYPE_ETHERNET]
    print(f"{len(files)} Ethernet captures of {len(names)} under {real}")

    matched = 0
    explained = []
    unexplained = []
    with tempfile.TemporaryDirectory(prefix="wf-crosscheck-") as workdir, \
            concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for path, expected, got, err in pool.map(lambda p: check_one(p, probe, workdir), files):
            name = os.path.basename(path)
            if err:
                unexplained.append((name, err))
                continue
            diffs = difference(expected, got)
            if not diffs:
                matched += 1
                continue
            e_pk = sum(v[0] for v in expected.values()) // 2
            g_pk = sum(v[0] for v in got.values()) // 2
            h, e, g = diffs[0]
            detail = (f"{len(diffs)} hosts differ; packets tshark {e_pk} probe {g_pk}; "
                      f"e.g. {h}: tshark {e[0]} pkts/{e[1]} B, probe {g[0]} pkts/{g[1]} B")
            gap, reason = ALLOWED.get(name, (None, None))
            if gap is not None and e_pk - g_pk == gap:
                explained.append((name, detail, reason))
            elif gap is not None:
                unexplained.append((name, f"{detail} (allow-listed for a gap of {gap} packets)"))
            else:
                unexplained.append((name, detail))

    print(f"\n{matched} of {len(files)} captures match tshark exactly")
    if explained:
        print(f"\n{len(explained)} explained mismatches:")
        for name, detail, reason in explained:
            print(f"  {name}: {reason}\n      ({detail})")
    if unexplained:
        print(f"\n{len(unexplained)} UNEXPLAINED mismatches:")
        for name, detail in unexplained:
            print(f"  {name}: {detail}")
    seen = {e[0] for e in explained} | {u[0] for u in unexplained}
    stale = sorted(n for n in ALLOWED if n not in seen)
    if stale:
        print(f"\nnote: allow-listed captures that matched or were not run: {', '.join(stale)}")
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
