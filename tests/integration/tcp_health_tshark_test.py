#!/usr/bin/python3
"""The probe's TCP health and IP fields equal tshark's, per flow and direction.

For every TCP conversation: retransmissions (tcp.analysis.retransmission,
which tshark also sets on fast and spurious retransmissions), out-of-order
segments (tcp.analysis.out_of_order) and zero windows (tcp.analysis.zero_window)
per direction, the handshake round trip (tcp.analysis.initial_rtt = the
probe's client_rtt_ns + server_rtt_ns), and for every flow TTL / hop limit
minimum and maximum per direction and the DSCP of its first packet (ip.ttl,
ipv6.hlim, ip.dsfield.dscp, ipv6.tclass.dscp of the outermost header).

The captures: the test's own (tests/support/pcapgen_tcp.py: retransmissions
by timeout, fast and spurious, out-of-order with and without a handshake,
zero windows and probes, keep-alives, retransmitted SYN and SYN/ACK, IPv4 and
IPv6), which must match exactly and must contain every event; plus, when
WIREFLOW_CORPUS is set, every Ethernet capture of $WIREFLOW_CORPUS/real,
where a flow may differ only for a reason listed in REASONS (printed with
the flows it explains); any other difference fails.

The generated capture is replayed with --no-dpi: these fields do not need nDPI.
Environment: WIREFLOW_BUILD; optional WIREFLOW_CORPUS, WIREFLOW_TCP_ONLY
(comma-separated capture names).
"""
import concurrent.futures
import os
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from decimal import Decimal

import pcapgen_tcp
from harness import EAL, PROBE, corpus_files, fail, read_jsonl, require_built, sanitizer_report
from tshark_crosscheck import LINKTYPE_ETHERNET, capture_link_type

COUNTS = ("retransmissions", "out_of_order", "zero_windows")

# The generated capture's handshakes by client port: (client part, server part)
# in ns. tshark gives only their sum (initial_rtt); the split follows the
# probe's definition (server part from the most recent SYN to the most recent
# SYN/ACK before the ACK), which pcapgen_tcp.py's times spell out.
EXPECTED_SPLIT = {40001: (5_000_000, 30_000_000), 40002: (15_000_000, 25_000_000), 40003: (10_000_000, 10_000_000),
                  40004: (2_000_000, 20_000_000), 40005: (5_000_000, 5_000_000), 40006: (5_000_000, 400_000_000)}

# Why a corpus flow may differ from tshark; anything else is a failure.
REASONS = {
    "port_reuse": "tshark saw several TCP streams on one 5-tuple: Wireshark restarts its analysis on a new "
                  "SYN with another sequence number (or a SYN after FIN/RST), the probe starts a new flow only "
                  "after FIN/RST or its idle timeout, so the events fall in different conversations",
    "probe_split": "the probe made several flows of one tshark stream (its idle timeout, 30 s without a packet, "
                   "or packets after the FIN/RST that ended the flow): the new flow starts without sequence "
                   "state, where tshark's analysis goes on",
    "ip_beyond_frame": "a packet's IP length exceeds its frame on the wire (a corrupt packet, not a snap-length "
                       "cut, which tshark tells apart by the record's original length): tshark takes the "
                       "frame's length for the segment, the probe the IP header's, since DPDK hands it the "
                       "captured bytes only",
    "not_analysed": "the probe never read a whole TCP header of this flow (snap length, or first fragments "
                    "without the whole header): no TCP analysis, where tshark analyses what it sees",
    "not_ip_tcp_for_probe": "tshark counts TCP inside a tunnel or an ICMP error (inner headers), which this "
                            "comparison keys on the outermost IP header: a tunnel the probe does not open "
                            "(Teredo, CAPWAP, GRE carrying PPP, ...) is no TCP flow for it, and one it opens "
                            "(GRE, VXLAN, GTP-U, IP in IP) is a TCP flow of the inner addresses, compared with "
                            "tshark by tunnels_tshark_test and tshark_crosscheck instead",
    "tshark_skipped_segments": "tshark did not analyse some segments of the flow (it found their TCP header cut "
                               "short or malformed, e.g. by taking the last 4 bytes of a FabricPath frame for a "
                               "frame check sequence); the probe read those headers whole and analysed them",
    "packets_differ": "tshark and the probe do not count the same packets in this flow: one of them finds "
                      "some malformed (a TCP header that contradicts the IP length is malformed for the probe, "
                      "in no flow; see tshark_crosscheck.py's allowed list), so the events differ with them",
    "rtt_on_final_rst": "the first segment with ACK after the SYN was a RST: tshark computes its initial RTT "
                        "there too but shows it only on later frames, and none came; the probe reports it",
    "split_unknown": "tshark measured the initial RTT from the last SYN to the first ACK with no SYN/ACK "
                     "between them in this flow (the client sent its SYN again after the server's SYN/ACK, or "
                     "the SYN/ACK took another path or address, as with asymmetric routing): the probe leaves "
                     "the client/server split unknown rather than guess",
    "refused_connection": "the server answered the SYN with RST/ACK (a closed port, a scan): tshark takes SYN -> "
                          "RST/ACK as the initial RTT, the probe measures a handshake only once a SYN/ACK was seen "
                          "and leaves it unknown",
    "after_unseen_ack": "the flow ACKs data that was never captured (tcp.analysis.ack_lost_segment): after it "
                        "Wireshark's duplicate-ACK count starts from an unsigned -1 and can call a later "
                        "segment a fast retransmission where the probe, counting from 0, calls it out of "
                        "order; the segment is counted by both, only its kind differs (emulating the wrap "
                        "broke real captures, docs/benchmarks.md)",
    "timestamp_resolution": "the RTT differs by less than 1 us: the probe reads capture files through DPDK's "
                            "net_pcap at microsecond resolution, tshark keeps a pcapng file's nanoseconds",
}


def ns(text):
    return int(Decimal(text) * 1_000_000_000)


def endpoint_key(a, b):
    return (a, b) if a <= b else (b, a)


def tshark_view(path):
    """Per 5-tuple: streams, per-direction counts, initial RTT, TTL range and DSCP."""
    cmd = ["tshark", "-n", "-r", path, "-T", "fields", "-E", "occurrence=f", "-E", "separator=\t",
           "-e", "frame.protocols", "-e", "ip.src", "-e", "ip.dst", "-e", "ipv6.src", "-e", "ipv6.dst",
           "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.stream",
           "-e", "tcp.analysis.retransmission", "-e", "tcp.analysis.out_of_order",
           "-e", "tcp.analysis.zero_window", "-e", "tcp.analysis.initial_rtt",
           "-e", "ip.ttl", "-e", "ipv6.hlim", "-e", "ip.dsfield.dscp", "-e", "ipv6.tclass.dscp", "-e", "tcp.len",
           "-e", "tcp.flags", "-e", "frame.len", "-e", "ip.len", "-e", "ipv6.plen",
           "-e", "tcp.analysis.ack_lost_segment"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600).stdout
    flows = {}
    for line in out.splitlines():
        f = line.split("\t")
        if len(f) < 21 or not f[5] or not f[7]:
            continue
        protos = f[0].split(":")
        if "tcp" not in protos:
            continue
        # Only TCP directly in the outermost IP header is the probe's TCP flow.
        first_ip = next((i for i, p in enumerate(protos) if p in ("ip", "ipv6")), None)
        direct = first_ip is not None and protos[first_ip + 1:first_ip + 2] == ["tcp"]
        v4 = protos[first_ip] == "ip" if first_ip is not None else True
        src = (f[1] if v4 else f[3], int(f[5]))
        dst = (f[2] if v4 else f[4], int(f[6]))
        key = endpoint_key(src, dst)
        fl = flows.setdefault(key, {"streams": set(), "dir": defaultdict(lambda: dict.fromkeys(COUNTS, 0)),
                                    "rtt": None, "ttl": {}, "dscp": None, "direct": direct, "skipped": 0, "frames": 0,
                                    "syn": False, "synack_since_syn": False, "closer": None, "beyond": 0,
                                    "ack_lost": 0})
        fl["streams"].add(f[7])
        fl["frames"] += 1
        fl["ack_lost"] += len(f) > 21 and f[21] != ""
        fl["skipped"] += f[16] == ""  # no segment length: tshark's TCP dissector stopped before its analysis
        flags = int(f[17], 16) if f[17] else 0
        l3 = int(f[19]) if v4 and f[19] else (int(f[20]) + 40 if not v4 and f[20] else 0)
        fl["beyond"] += bool(f[18]) and l3 + 14 > int(f[18])  # Ethernet: at least 14 bytes before IP
        syn, ack, rst = flags & 0x02, flags & 0x10, flags & 0x04
        if fl["closer"] is None:  # the handshake, until the first segment with ACK and without SYN
            if syn and not ack:
                fl["syn"] = True
                fl["synack_since_syn"] = False
            elif syn and ack:
                fl["synack_since_syn"] = fl["syn"]
            elif ack and fl["syn"]:
                fl["closer"] = "rst" if rst else ("ack" if fl["synack_since_syn"] else "ack_without_synack")
        d = fl["dir"][src]
        d["retransmissions"] += f[8] != ""
        d["out_of_order"] += f[9] != ""
        d["zero_windows"] += f[10] != ""
        if f[11]:
            fl["rtt"] = ns(f[11])
        ttl = f[12] if v4 else f[13]
        if ttl:
            lo, hi = fl["ttl"].get(src, (256, -1))
            fl["ttl"][src] = (min(lo, int(ttl)), max(hi, int(ttl)))
        dscp = f[14] if v4 else f[15]
        if fl["dscp"] is None and dscp:
            fl["dscp"] = int(dscp, 0)
    return flows


def probe_view(path, workdir, no_dpi):
    dump = os.path.join(workdir, os.path.basename(path) + ".jsonl")
    cmd = [PROBE] + EAL + ["--pcap", path, "--dump-flows", dump, "--collector", "none"] + (["--no-dpi"] if no_dpi else [])
    r = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=600)
    if r.returncode != 0 or sanitizer_report(r.stderr):
        raise RuntimeError(f"probe exit {r.returncode}: {r.stderr.strip()[-500:]}")
    flows = {}
    for rec in read_jsonl(dump):
        if rec["protocol"] != 6:
            continue
        c = (rec["client_ip"], rec["client_port"])
        s = (rec["server_ip"], rec["server_port"])
        key = endpoint_key(c, s)
        fl = flows.setdefault(key, {"ids": set(), "dir": defaultdict(lambda: dict.fromkeys(COUNTS, 0)),
                                    "rtt": None, "split": None, "ttl": {}, "dscp": None, "analysed": False,
                                    "first": None, "packets": 0})
        fl["ids"].add(rec["flow_id"])
        fl["packets"] += rec["c2s_packets"] + rec["s2c_packets"]
        if "c2s_retransmissions" in rec:
            fl["analysed"] = True
        for side, ep in (("c2s", c), ("s2c", s)):
            for k in COUNTS:
                fl["dir"][ep][k] += rec.get(f"{side}_{k}", 0)
            if f"{side}_ttl_min" in rec:
                lo, hi = fl["ttl"].get(ep, (256, -1))
                fl["ttl"][ep] = (min(lo, rec[f"{side}_ttl_min"]), max(hi, rec[f"{side}_ttl_max"]))
        if "client_rtt_ns" in rec:
            fl["rtt"] = rec["client_rtt_ns"] + rec["server_rtt_ns"]
            fl["split"] = (rec["client_rtt_ns"], rec["server_rtt_ns"])
        if "dscp" in rec and (fl["first"] is None or rec["first_seen_ns"] < fl["first"]):
            fl["first"] = rec["first_seen_ns"]
            fl["dscp"] = rec["dscp"]
    if os.path.exists(dump):
        os.unlink(dump)
    return flows


def counts_of(fl, ep):
    return dict(fl["dir"][ep]) if ep in fl["dir"] else dict.fromkeys(COUNTS, 0)


def compare_flow(key, t, p):
    """Differences between tshark's and the probe's view of one 5-tuple, as text."""
    diffs = []
    for ep in key:
        tc, pc = counts_of(t, ep), counts_of(p, ep) if p else dict.fromkeys(COUNTS, 0)
        for k in COUNTS:
            if tc[k] != pc[k]:
                diffs.append(f"{k} from {ep[0]}:{ep[1]} tshark {tc[k]} probe {pc[k]}")
        if p and ep in t["ttl"] and t["ttl"][ep] != p["ttl"].get(ep):
            diffs.append(f"ttl from {ep[0]}:{ep[1]} tshark {t['ttl'][ep]} probe {p['ttl'].get(ep)}")
    if (t["rtt"] if t else None) != (p["rtt"] if p else None):
        diffs.append(f"initial rtt tshark {t['rtt']} ns probe {p['rtt'] if p else None} ns")
    if p and t["dscp"] is not None and t["dscp"] != p["dscp"]:
        diffs.append(f"dscp tshark {t['dscp']} probe {p['dscp']}")
    return diffs


def classify(t, p, diffs):
    if not t["direct"]:
        return "not_ip_tcp_for_probe"
    if len(t["streams"]) > 1:
        return "port_reuse"
    if p and len(p["ids"]) > 1:
        return "probe_split"
    if p is None or not p["analysed"]:
        return "not_analysed"
    if t["skipped"]:
        return "tshark_skipped_segments"
    if t["beyond"]:
        return "ip_beyond_frame"
    if t["frames"] != p["packets"]:
        return "packets_differ"
    only_rtt = all(d.startswith("initial rtt") for d in diffs)
    if t["ack_lost"] and p and all(d.startswith(("retransmissions", "out_of_order")) for d in diffs) and all(
            counts_of(t, ep)["retransmissions"] + counts_of(t, ep)["out_of_order"] ==
            counts_of(p, ep)["retransmissions"] + counts_of(p, ep)["out_of_order"] for ep in t["dir"]):
        return "after_unseen_ack"
    if only_rtt and t["rtt"] is None and p["rtt"] is not None and t["closer"] == "rst":
        return "rtt_on_final_rst"
    if only_rtt and t["rtt"] is not None and p["rtt"] is None and t["closer"] == "ack_without_synack":
        return "split_unknown"
    if only_rtt and t["rtt"] is not None and p["rtt"] is None and t["closer"] == "rst" and not t["synack_since_syn"]:
        return "refused_connection"
    if only_rtt and t["rtt"] is not None and p["rtt"] is not None and abs(t["rtt"] - p["rtt"]) < 1000:
        return "timestamp_resolution"
    return None


def check_capture(path, workdir, own):
    t_flows = tshark_view(path)
    p_flows = probe_view(path, workdir, no_dpi=own)
    explained, unexplained, totals = [], [], defaultdict(int)
    for key, t in t_flows.items():
        p = p_flows.get(key)
        for ep in key:
            for k in COUNTS:
                totals[k] += counts_of(t, ep)[k]
        totals["rtt"] += t["rtt"] is not None
        totals["ttl"] += bool(t["ttl"])
        totals["dscp"] += t["dscp"] is not None
        diffs = compare_flow(key, t, p)
        if own and p:
            port = key[0][1] if key[0][1] in EXPECTED_SPLIT else key[1][1]
            if p["split"] != EXPECTED_SPLIT.get(port):
                diffs.append(f"rtt split (client, server) probe {p['split']} expected {EXPECTED_SPLIT.get(port)}")
        if not diffs:
            continue
        reason = None if own else classify(t, p, diffs)
        (explained if reason else unexplained).append((key, reason, diffs))
    return len(t_flows), explained, unexplained, totals


def main():
    if shutil.which("tshark") is None:
        fail("tshark not installed (deploy/install-deps.sh installs it)")
    require_built(PROBE)
    with tempfile.TemporaryDirectory(prefix="wf-tcphealth-") as workdir:
        own = os.path.join(workdir, "tcp_health.pcap")
        pcapgen_tcp.write_tcp_health(own)
        real = [p for p in corpus_files("real") if capture_link_type(p) == LINKTYPE_ETHERNET]
        only = os.environ.get("WIREFLOW_TCP_ONLY")
        if only:
            real = [p for p in real if os.path.basename(p) in only.split(",")]
        print(f"1 generated capture, {len(real)} Ethernet captures from the corpus")

        failed = False
        flows, explained, unexplained, totals = check_capture(own, workdir, own=True)
        print(f"generated: {flows} TCP conversations, tshark events {dict(totals)}")
        for what in COUNTS + ("rtt", "ttl", "dscp"):
            if totals[what] == 0:
                print(f"FAIL: the generated capture has no {what} event: the comparison would prove nothing")
                failed = True
        for key, _, diffs in unexplained:
            print(f"FAIL generated {key}: " + "; ".join(diffs))
            failed = True

        by_reason = defaultdict(list)
        corpus_flows = corpus_matched = 0
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            jobs = {pool.submit(check_capture, p, workdir, False): p for p in real}
            for job in concurrent.futures.as_completed(jobs):
                name = os.path.basename(jobs[job])
                try:
                    n, expl, unexpl, _ = job.result()
                except (subprocess.SubprocessError, OSError, RuntimeError, ValueError) as e:
                    print(f"FAIL {name}: {type(e).__name__}: {e}")
                    failed = True
                    continue
                corpus_flows += n
                corpus_matched += n - len(expl) - len(unexpl)
                for key, reason, diffs in expl:
                    by_reason[reason].append((name, key, diffs))
                for key, _, diffs in unexpl:
                    print(f"FAIL {name} {key}: " + "; ".join(diffs))
                    failed = True
        if real:
            print(f"\ncorpus: {corpus_matched} of {corpus_flows} TCP conversations equal tshark's analysis")
            for reason, items in sorted(by_reason.items()):
                print(f"  {len(items)} differ because {REASONS[reason]}")
                for name, key, diffs in items[:5]:
                    print(f"      e.g. {name} {key}: {'; '.join(diffs[:2])}")
    print("FAIL" if failed else "OK: the probe's TCP health and IP fields equal tshark's")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
