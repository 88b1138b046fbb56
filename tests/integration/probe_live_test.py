#!/usr/bin/python3
"""Live capture path: wireflow-probe on the loopback interface through
net_af_packet while this script sends UDP to many ports. --workers 2 is asked
for, but af_packet gets one queue pair (its kernel fanout hash is not
symmetric for locally sent packets), so one worker takes every flow and no
flow is split. Checks records carry wall-clock times (TSC clock) within the
run and that --duration ends the run with every live flow exported. Needs
CAP_NET_RAW (skips otherwise)."""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time

from harness import EAL, PROBE, Checks, read_jsonl, require_built, sanitizer_report, skip


def main():
    require_built(PROBE)
    try:
        socket.socket(socket.AF_PACKET, socket.SOCK_RAW).close()
    except (PermissionError, OSError) as e:
        skip(f"no raw socket access ({e}): skipping")
    c = Checks()
    with tempfile.TemporaryDirectory(prefix="probe_live_") as tmp:
        dump = os.path.join(tmp, "flows.json")
        summary = os.path.join(tmp, "summary.json")
        start_ns = time.time_ns()
        proc = subprocess.Popen([PROBE, "--interface", "lo", "--workers", "2", "--duration", "6",
                                 "--collector", "none", "--max-flows", "4096"] + EAL + [
                                 "--dump-flows", dump, "--summary-json", summary],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        ports = range(41000, 41064)
        while proc.poll() is None:
            for p in ports:
                sock.sendto(b"wireflow", ("127.0.0.1", p))
            time.sleep(0.05)
        out, err = proc.communicate(timeout=60)
        end_ns = time.time_ns()
        err = err.decode("utf-8", "replace")
        c.check(proc.returncode == 0, f"exit {proc.returncode}: {err[-2000:]}")
        c.check(sanitizer_report(err) is None, f"sanitizer report: {err[-2000:]}")
        recs = read_jsonl(dump)
        udp = [r for r in recs if r["protocol"] == 17 and r["server_port"] in ports]
        seen_ports = {r["server_port"] for r in udp}
        if len(seen_ports) != len(ports):
            c.add(f"flows for {len(seen_ports)} of {len(ports)} ports")
        by_key = {}
        for r in udp:
            k = (r["client_ip"], r["client_port"], r["server_ip"], r["server_port"])
            by_key.setdefault(k, set()).add(r["worker"])
            if not (start_ns <= r["first_seen_ns"] <= r["last_seen_ns"] <= end_ns):
                c.add(f"record time outside the run: {r}")
                break
            if r["end_reason"] != "shutdown":
                c.add(f"flow active at stop not exported as shutdown: {r}")
                break
        split = [k for k, w in by_key.items() if len(w) > 1]
        if split:
            c.add(f"{len(split)} flows split between workers, e.g. {split[0]}")
        workers = {w for ws in by_key.values() for w in ws}
        if workers != {0}:
            c.add(f"flows reached workers {workers}, expected only worker 0 (one queue pair)")
        if os.path.exists(summary):
            with open(summary) as f:
                s = json.load(f)
            if s["rx_packets"] != sum(w["packets"] for w in s["workers"]) or s["rx_packets"] == 0:
                c.add(f"summary packets: {s}")
            if s["records_exported"] != len(recs):
                c.add(f"records_exported {s['records_exported']} != dumped {len(recs)}")
        else:
            c.add("no summary")
        print(f"{len(recs)} records, {len(by_key)} UDP flows over workers {sorted(workers)}")
    return c.result()


if __name__ == "__main__":
    sys.exit(main())
