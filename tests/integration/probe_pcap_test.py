#!/usr/bin/python3
"""wireflow-probe replays captures generated here (known conversations, VLAN,
IPv6, Linux SLL, raw IP, nanosecond pcap, 802.11 radiotap) with
--collector none --dump-flows --summary-json, and every flow record and
counter is checked against what was written into the files."""

import json
import os
import struct
import subprocess
import sys
import tempfile

import pcapgen
from harness import EAL, PROBE, Checks, read_jsonl, require_built, run_probe

T0 = 1_700_000_000  # capture start, seconds

# ---------------------------------------------------------------- packets


def ipv4(src, dst, proto, payload):
    return pcapgen.ip_packet(src, dst, proto, payload, ident=1, frag=0)[1]


def ipv6(src, dst, nh, payload):
    return pcapgen.ip_packet(src, dst, nh, payload)[1]


FIN, SYN, RST, PSH, ACK = pcapgen.FIN, pcapgen.SYN, pcapgen.RST, pcapgen.PSH, pcapgen.ACK


def tcp(sport, dport, flags, payload=b"", seq=1000, ack=0):
    """No checksum: the byte counts are what the checks look at."""
    return struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def icmp_echo(type_, ident, seq, payload):
    return struct.pack("!BBHHH", type_, 0, 0, ident, seq) + payload


MAC_A = bytes.fromhex("020000000001")
MAC_B = bytes.fromhex("020000000002")
eth = pcapgen.ether


def sll(ethertype, payload):
    return pcapgen.l2_frame(pcapgen.LINKTYPE_LINUX_SLL, ethertype, payload, MAC_A)


def write_pcap(path, linktype, packets, nano=False):
    """packets: [(seconds_offset, frame)], or (sec, subsec, frame) for exact stamps."""
    with pcapgen.PcapWriter(path, linktype, snaplen=262144, nano=nano) as w:
        for p in packets:
            if len(p) == 3:
                w.write_stamp(*p)
            else:
                off, frame = p
                usec = round(off * 1_000_000)
                w.write_stamp(T0 + usec // 1_000_000, usec % 1_000_000 * (1000 if nano else 1), frame)


def ns(off):
    return T0 * 1_000_000_000 + round(off * 1_000_000) * 1000


# ---------------------------------------------------------------- running


checks = Checks()
check = checks.check


def run(tmp, args, tag):
    """The probe with --dump-flows and --summary-json: (process, records, summary or None)."""
    dump = os.path.join(tmp, tag + ".flows.json")
    summary = os.path.join(tmp, tag + ".summary.json")
    p = run_probe(args + ["--dump-flows", dump, "--summary-json", summary], eal=False)
    return p, read_jsonl(dump), read_summary(summary)


def read_summary(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def find(records, **kv):
    out = [r for r in records if all(r.get(k) == v for k, v in kv.items())]
    return out[0] if len(out) == 1 else None


HTTP_REQ = b"GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: wf\r\n\r\n"
HTTP_RESP = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"


def ethernet_capture(path):
    http_req, http_resp = HTTP_REQ, HTTP_RESP
    c, s = "10.0.0.1", "10.0.0.2"
    E = lambda a, b, l3: eth(a, b, 0x0800, l3)
    pk = [
        (0.000, E(MAC_A, MAC_B, ipv4(c, s, 6, tcp(40000, 80, SYN)))),
        (0.001, E(MAC_B, MAC_A, ipv4(s, c, 6, tcp(80, 40000, SYN | ACK)))),
        (0.002, E(MAC_A, MAC_B, ipv4(c, s, 6, tcp(40000, 80, ACK)))),
        (0.003, E(MAC_A, MAC_B, ipv4(c, s, 6, tcp(40000, 80, PSH | ACK, http_req)))),
        (0.004, E(MAC_B, MAC_A, ipv4(s, c, 6, tcp(80, 40000, ACK, http_resp)))),
        (0.005, E(MAC_A, MAC_B, ipv4(c, s, 6, tcp(40000, 80, FIN | ACK)))),
        (0.006, E(MAC_B, MAC_A, ipv4(s, c, 6, tcp(80, 40000, FIN | ACK)))),
        (0.007, E(MAC_A, MAC_B, ipv4(c, s, 6, tcp(40000, 80, ACK)))),
        # DNS-like UDP exchange (idle by the last packet's time, 100 s later)
        (0.010, E(MAC_A, MAC_B, ipv4("10.0.0.3", "10.0.0.4", 17, udp(53000, 53, b"q" * 30)))),
        (0.011, E(MAC_B, MAC_A, ipv4("10.0.0.4", "10.0.0.3", 17, udp(53, 53000, b"r" * 50)))),
        # ICMP echo
        (0.012, E(MAC_A, MAC_B, ipv4("10.0.0.5", "10.0.0.6", 1, icmp_echo(8, 7, 1, b"p" * 32)))),
        (0.013, E(MAC_B, MAC_A, ipv4("10.0.0.6", "10.0.0.5", 1, icmp_echo(0, 7, 1, b"p" * 32)))),
        # 802.1Q VLAN 100
        (0.014, eth(MAC_A, MAC_B, 0x0800, ipv4("192.168.1.1", "192.168.1.2", 17, udp(1234, 5678, b"v" * 12)), vlan=100)),
        # ARP: not IP
        (0.015, eth(MAC_A, b"\xff" * 6, 0x0806, b"\x00\x01\x08\x00\x06\x04\x00\x01" + b"\0" * 20)),
        # IPv4 header cut after 10 bytes: malformed
        (0.016, eth(MAC_A, MAC_B, 0x0800, ipv4("10.9.9.9", "10.9.9.8", 17, udp(1, 2, b""))[:10])),
        # IPv6 UDP
        (0.017, eth(MAC_A, MAC_B, 0x86DD, ipv6("2001:db8::1", "2001:db8::2", 17, udp(40001, 443, b"6" * 10)))),
        # A flow that goes idle: the next packet comes 100 s later
        (0.020, E(MAC_A, MAC_B, ipv4("10.0.0.7", "10.0.0.8", 17, udp(5000, 6000, b"i" * 4)))),
        (100.0, E(MAC_A, MAC_B, ipv4("10.0.0.9", "10.0.0.10", 17, udp(7000, 8000, b"l" * 4)))),
    ]
    write_pcap(path, 1, pk)
    return len(pk)


def test_ethernet(tmp):
    cap = os.path.join(tmp, "eth.pcap")
    n = ethernet_capture(cap)
    p, recs, summ = run(tmp, ["--pcap", cap, "--collector=none", "--idle-timeout=30", "--probe-id=t1"] + EAL, "eth")
    check(p.returncode == 0, f"eth: exit {p.returncode}: {p.stderr}")
    check(len(recs) == 7, f"eth: expected 7 records, got {len(recs)}: {recs}")

    t = find(recs, protocol=6, client_ip="10.0.0.1")
    check(t is not None, "eth: one TCP record with client 10.0.0.1")
    if t:
        exp = dict(probe_id="t1", server_ip="10.0.0.2", client_port=40000, server_port=80, ip_version=4, vlan=0,
                   c2s_packets=5, c2s_bytes=40 * 4 + 40 + len(HTTP_REQ), s2c_packets=3,
                   s2c_bytes=40 * 2 + 40 + len(HTTP_RESP), c2s_tcp_flags=SYN | ACK | PSH | FIN,
                   s2c_tcp_flags=SYN | ACK | FIN, end_reason="tcp_fin",
                   first_seen_ns=ns(0.0), last_seen_ns=ns(0.007),
                   client_mac="02:00:00:00:00:01", server_mac="02:00:00:00:00:02")
        for k, v in exp.items():
            check(t.get(k) == v, f"eth tcp: {k} = {t.get(k)!r}, expected {v!r}")
        check("HTTP" in t.get("app_name", ""), f"eth tcp: DPI names HTTP, got {t.get('app_name')!r}")
        check(t.get("server_name") == "example.com", f"eth tcp: server_name {t.get('server_name')!r}")

    u = find(recs, protocol=17, client_ip="10.0.0.3")
    check(u is not None, "eth: one UDP record with client 10.0.0.3")
    if u:
        exp = dict(server_ip="10.0.0.4", client_port=53000, server_port=53, c2s_packets=1, c2s_bytes=58,
                   s2c_packets=1, s2c_bytes=78, end_reason="idle_timeout", first_seen_ns=ns(0.010),
                   last_seen_ns=ns(0.011))
        for k, v in exp.items():
            check(u.get(k) == v, f"eth udp: {k} = {u.get(k)!r}, expected {v!r}")

    i = find(recs, protocol=1, client_ip="10.0.0.5")
    check(i is not None and i["server_ip"] == "10.0.0.6" and i["c2s_packets"] == 1 and i["s2c_packets"] == 1
          and i["c2s_bytes"] == 60 and i["s2c_bytes"] == 60, f"eth icmp: {i}")

    v = find(recs, vlan=100)
    check(v is not None and v["client_ip"] == "192.168.1.1" and v["server_ip"] == "192.168.1.2"
          and v["c2s_packets"] == 1 and v["c2s_bytes"] == 40, f"eth vlan: {v}")

    s6 = find(recs, ip_version=6)
    check(s6 is not None and s6["client_ip"] == "2001:db8::1" and s6["server_ip"] == "2001:db8::2"
          and s6["server_port"] == 443 and s6["c2s_bytes"] == 58, f"eth ipv6: {s6}")

    idle = find(recs, client_ip="10.0.0.7")
    check(idle is not None and idle["end_reason"] == "idle_timeout" and idle["last_seen_ns"] == ns(0.020),
          f"eth idle flow: {idle}")
    late = find(recs, client_ip="10.0.0.9")
    check(late is not None and late["end_reason"] == "shutdown" and late["first_seen_ns"] == ns(100.0),
          f"eth late flow: {late}")

    check(summ is not None, "eth: summary written")
    if summ:
        check(summ["rx_packets"] == n, f"eth summary rx_packets {summ['rx_packets']} != {n}")
        check(summ["ip_packets"] == n - 2, f"eth summary ip_packets {summ['ip_packets']}")
        check(summ["non_ip_packets"] == 1, f"eth summary non_ip_packets {summ['non_ip_packets']}")
        mal = summ["malformed_packets"]
        check(sum(mal.values()) == 1 and mal.get("truncated_ipv4") == 1, f"eth summary malformed {mal}")
        check(summ["flows_created"] == 7, f"eth summary flows_created {summ['flows_created']}")
        check(summ["records_exported"] == 7, f"eth summary records_exported {summ['records_exported']}")
        check(summ["export_drops"] == 0 and summ["nic_drops"] == 0, f"eth summary drops {summ}")
        check(summ["link_type"] == "ethernet", f"eth summary link_type {summ['link_type']}")
        check(sum(w["packets"] for w in summ["workers"]) == n, f"eth summary workers {summ['workers']}")
        check(summ["elapsed_seconds"] >= 0, "eth summary elapsed")


def test_nanosecond_pcap(tmp):
    cap = os.path.join(tmp, "nano.pcap")
    f = eth(MAC_A, MAC_B, 0x0800, ipv4("10.3.0.1", "10.3.0.2", 17, udp(3000, 4000, b"n")))
    write_pcap(cap, 1, [(T0, 123_456_789, f), (T0 + 1, 5, f)], nano=True)
    p, recs, _ = run(tmp, ["--pcap", cap, "--collector=none"] + EAL, "nano")
    check(p.returncode == 0 and len(recs) == 1, f"nano: exit {p.returncode}, {len(recs)} records: {p.stderr}")
    if recs:
        # net_pcap opens files at microsecond precision: libpcap truncates
        # nanosecond stamps to microseconds before the probe sees them.
        check(recs[0]["first_seen_ns"] == T0 * 10**9 + 123_456_000, f"nano first_seen {recs[0]['first_seen_ns']}")
        check(recs[0]["last_seen_ns"] == (T0 + 1) * 10**9, f"nano last_seen {recs[0]['last_seen_ns']}")
        check(recs[0]["c2s_packets"] == 2, f"nano packets {recs[0]}")


def sll_and_raw(tmp):
    sll_cap = os.path.join(tmp, "sll,v1.pcap")  # a comma: device args must not cut the path
    write_pcap(sll_cap, 113, [
        (0.0, sll(0x0800, ipv4("10.1.1.1", "10.1.1.2", 17, udp(40000, 53, b"s" * 20)))),
        (0.5, sll(0x0800, ipv4("10.1.1.2", "10.1.1.1", 17, udp(53, 40000, b"t" * 40)))),
    ])
    raw_cap = os.path.join(tmp, "raw.pcap")
    write_pcap(raw_cap, 101, [
        (0.0, ipv4("10.2.2.1", "10.2.2.2", 6, tcp(50000, 443, SYN))),
        (0.25, ipv4("10.2.2.2", "10.2.2.1", 6, tcp(443, 50000, RST | ACK))),
    ])
    return sll_cap, raw_cap


def test_sll_and_raw(tmp):
    sll_cap, raw_cap = sll_and_raw(tmp)
    p, recs, summ = run(tmp, ["--pcap", sll_cap, "--collector=none"] + EAL, "sll")
    check(p.returncode == 0, f"sll: exit {p.returncode}: {p.stderr}")
    r = find(recs, client_ip="10.1.1.1")
    check(r is not None and len(recs) == 1 and r["server_port"] == 53 and r["c2s_bytes"] == 48
          and r["s2c_bytes"] == 68 and r["last_seen_ns"] == ns(0.5) and "client_mac" not in r, f"sll: {recs}")
    check(summ and summ["link_type"] == "linux_sll", f"sll summary link_type {summ and summ['link_type']}")

    p, recs, summ = run(tmp, ["--pcap", raw_cap, "--collector=none"] + EAL, "raw")
    check(p.returncode == 0, f"raw: exit {p.returncode}: {p.stderr}")
    r = find(recs, client_ip="10.2.2.1")
    check(r is not None and len(recs) == 1 and r["end_reason"] == "tcp_rst" and r["c2s_tcp_flags"] == SYN
          and r["s2c_tcp_flags"] == RST | ACK and r["first_seen_ns"] == ns(0.0) and r["last_seen_ns"] == ns(0.25),
          f"raw: {recs}")

    # Several files in one run, one after another, each with its link type.
    p, recs, summ = run(tmp, ["--pcap", sll_cap, "--pcap", raw_cap, "--collector=none"] + EAL, "multi")
    check(p.returncode == 0 and len(recs) == 2, f"multi: exit {p.returncode}, {len(recs)} records: {p.stderr}")
    if summ:
        check([c["status"] for c in summ.get("captures", [])] == ["ok", "ok"], f"multi captures {summ}")
        check(summ["link_type"] == "mixed" and summ["rx_packets"] == 4, f"multi summary {summ}")


def test_radiotap_refused(tmp):
    cap = os.path.join(tmp, "wifi.pcap")
    write_pcap(cap, 127, [(0.0, b"\x00\x00\x08\x00\x00\x00\x00\x00" + b"\x80\x00" + b"\0" * 30)])
    p, recs, _ = run(tmp, ["--pcap", cap, "--collector=none"] + EAL, "wifi")
    check(p.returncode != 0, "radiotap: non-zero exit")
    want = f"wireflow-probe: capture {cap} has link type 127 (IEEE802_11_RADIO), which the probe does not dissect\n"
    check(p.stderr == want, f"radiotap: stderr {p.stderr!r}")
    check(recs == [], "radiotap: no records")

    # In a list, the refused file is reported and skipped; the others run; exit 1.
    sll_cap, _ = sll_and_raw(tmp)
    p, recs, summ = run(tmp, ["--pcap", cap, "--pcap", sll_cap, "--collector=none"] + EAL, "wifi-list")
    check(p.returncode == 1 and len(recs) == 1, f"radiotap list: exit {p.returncode}, {len(recs)} records")
    check(summ and [c["status"] for c in summ["captures"]] == ["refused", "ok"], f"radiotap list summary {summ}")


def test_config_file_and_bad_options(tmp):
    cap = os.path.join(tmp, "eth-conf.pcap")
    n = ethernet_capture(cap)
    conf = os.path.join(tmp, "probe.conf")
    with open(conf, "w") as f:
        f.write(f"# test probe\n--pcap={cap}\n--collector=none\n--probe-id=conf-probe\n--no-huge\n--memory=512\n"
                f"--max-flows=1024\n")
    p, recs, summ = run(tmp, [conf], "conf")
    check(p.returncode == 0 and len(recs) == 7, f"conf: exit {p.returncode}, {len(recs)} records: {p.stderr}")
    check(all(r["probe_id"] == "conf-probe" for r in recs), "conf: probe id from the file")
    check(summ and summ["rx_packets"] == n, "conf: summary")

    p = subprocess.run([PROBE, "--pcap", cap, "--collector=none", "--frobnicate"], capture_output=True, text=True)
    check(p.returncode == 2 and p.stderr.count("\n") == 1 and "unknown option" in p.stderr,
          f"unknown option: exit {p.returncode} {p.stderr!r}")
    p = subprocess.run([PROBE, "--pcap", cap, "--collector=none", "--idle-timeout=abc"], capture_output=True, text=True)
    check(p.returncode == 2 and p.stderr.count("\n") == 1 and "--idle-timeout" in p.stderr,
          f"bad value: exit {p.returncode} {p.stderr!r}")
    p = subprocess.run([PROBE, "--pcap", os.path.join(tmp, "missing.pcap"), "--collector=none"] + EAL,
                       capture_output=True, text=True)
    check(p.returncode == 1 and p.stderr.count("\n") == 1 and "missing.pcap" in p.stderr,
          f"missing file: exit {p.returncode} {p.stderr!r}")


def test_loop_duration_and_signal(tmp):
    cap = os.path.join(tmp, "loop.pcap")
    ethernet_capture(cap)
    # --pcap-loop replays forever (wall-clock timestamps); --duration ends the
    # run, every live flow is exported as shutdown, exit 0.
    p, recs, summ = run(tmp, ["--pcap", cap, "--pcap-loop", "--duration=1.5", "--collector=none"] + EAL, "loop")
    check(p.returncode == 0, f"loop: exit {p.returncode}: {p.stderr}")
    check(summ is not None and summ["rx_packets"] > 18 and summ["elapsed_seconds"] >= 1.5, f"loop summary {summ}")
    # A replayed file waits for the exporter rather than dropping records.
    check(summ is not None and summ["export_drops"] == 0 and summ["records_exported"] == len(recs),
          f"loop: no export drops {summ}")
    check(any(r["client_ip"] == "10.0.0.3" and r["end_reason"] == "shutdown" for r in recs),
          "loop: open UDP flow exported at stop")

    # SIGINT: same orderly stop.
    dump = os.path.join(tmp, "sigint.flows.json")
    summary = os.path.join(tmp, "sigint.summary.json")
    proc = subprocess.Popen([PROBE, "--pcap", cap, "--pcap-loop", "--duration=60", "--collector=none",
                             "--dump-flows", dump, "--summary-json", summary] + EAL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    import signal
    import time
    deadline = time.time() + 30
    while time.time() < deadline and not os.path.exists(dump):
        time.sleep(0.1)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    check(proc.returncode == 0, f"sigint: exit {proc.returncode}: {err[-2000:]!r}")
    recs = read_jsonl(dump)
    check(any(r["end_reason"] == "shutdown" for r in recs), "sigint: live flows exported at stop")
    summ = read_summary(summary)
    check(summ["elapsed_seconds"] < 30, f"sigint: stopped promptly {summ['elapsed_seconds']}")


def main():
    require_built(PROBE)
    with tempfile.TemporaryDirectory(prefix="probe_pcap_test_") as tmp:
        test_ethernet(tmp)
        test_nanosecond_pcap(tmp)
        test_sll_and_raw(tmp)
        test_radiotap_refused(tmp)
        test_config_file_and_bad_options(tmp)
        test_loop_duration_and_signal(tmp)
    if checks.result() == 0:
        print("all probe pcap checks passed")
    return checks.result()


if __name__ == "__main__":
    sys.exit(main())
