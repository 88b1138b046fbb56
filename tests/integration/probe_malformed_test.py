#!/usr/bin/python3
"""Every capture of $WIREFLOW_CORPUS/malformed (tcpdump's test captures: crash
reproducers, truncated records, dozens of link types) goes through
wireflow-probe. The probe must never crash or trip a sanitizer; files with a
link type it does not dissect are refused with the one-line error; the others
are replayed completely.

Design: EAL start-up costs about as much as replaying a small file, so the
files are not run one process each. `--pcap-list FILE` replays many captures in
one process, one after another, each hot-plugged as its own net_pcap port and
removed afterwards. The corpus is split in two lists run by two processes at
once (the machine has two cores). The summary's per-file status says what
happened to each file."""

import json
import os
import re
import subprocess
import sys
import tempfile

BUILD = os.environ["WIREFLOW_BUILD"]
PROBE = os.path.join(BUILD, "probe", "wireflow-probe")
CORPUS = os.environ.get("WIREFLOW_CORPUS", "")
REFUSAL = re.compile(r"^wireflow-probe: capture (.+) has link type (\d+) \(([^)]*)\), "
                     r"which the probe does not dissect$")
UNREADABLE = re.compile(r"^wireflow-probe: (cannot read capture|capture) (.+?): .+$")


def main():
    folder = os.path.join(CORPUS, "malformed") if CORPUS else ""
    if not folder or not os.path.isdir(folder):
        print("WIREFLOW_CORPUS/malformed not present: skipping")
        return 77
    files = sorted(os.path.join(folder, f) for f in os.listdir(folder)
                   if f.endswith((".pcap", ".pcapng", ".cap")))
    failures = []
    with tempfile.TemporaryDirectory(prefix="probe_malformed_") as tmp:
        procs = []
        for part in range(2):
            lst = os.path.join(tmp, f"list{part}.txt")
            with open(lst, "w") as f:
                f.write("".join(p + "\n" for p in files[part::2]))
            summary = os.path.join(tmp, f"summary{part}.json")
            dump = os.path.join(tmp, f"flows{part}.json")
            cmd = [PROBE, "--pcap-list", lst, "--collector=none", "--no-huge", "--memory=512",
                   "--max-flows=65536", "--summary-json", summary, "--dump-flows", dump]
            procs.append((part, summary, dump,
                          subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)))
        seen = {}
        for part, summary, dump, p in procs:
            out, err = p.communicate(timeout=500)
            err = err.decode("utf-8", "replace")
            # 0: every file replayed; 1: some were refused (each said why).
            if p.returncode not in (0, 1):
                failures.append(f"list {part}: exit status {p.returncode}\n{err[-3000:]}")
            for bad in ("runtime error", "AddressSanitizer", "LeakSanitizer", "Segmentation"):
                if bad in err:
                    failures.append(f"list {part}: '{bad}' in stderr:\n{err[-3000:]}")
            refused = {}
            for line in err.splitlines():
                m = REFUSAL.match(line)
                if m:
                    refused[m.group(1)] = int(m.group(2))
                elif UNREADABLE.match(line):
                    refused[UNREADABLE.match(line).group(2)] = -1
                elif not line.startswith("EAL: ") and line.strip():
                    failures.append(f"list {part}: unexpected stderr line: {line[:300]}")
            if not os.path.exists(summary):
                failures.append(f"list {part}: no summary written")
                continue
            with open(summary) as f:
                s = json.load(f)
            ok_packets = 0
            for c in s["captures"]:
                seen[c["file"]] = c["status"]
                if c["status"] == "ok":
                    ok_packets += c["packets"]
                elif c["status"] == "refused":
                    if refused.get(c["file"]) != c["pcap_link_type"]:
                        failures.append(f"{c['file']}: refused without its one-line error")
                else:
                    if c["file"] not in refused:
                        failures.append(f"{c['file']}: status {c['status']} without an error line")
            # Offline replay never drops: every packet libpcap reads from the
            # replayed files is counted once, as IP, non-IP or malformed.
            mal = sum(s["malformed_packets"].values())
            if s["rx_packets"] != ok_packets:
                failures.append(f"list {part}: rx_packets {s['rx_packets']} != packets in replayed files {ok_packets}")
            if s["ip_packets"] + s["non_ip_packets"] + mal != s["rx_packets"]:
                failures.append(f"list {part}: ip + non-ip + malformed != rx_packets: {s}")
            if s["export_drops"] != 0 or s["nic_drops"] != 0:
                failures.append(f"list {part}: drops during replay: {s}")
            with open(dump) as f:
                records = sum(1 for line in f if line.strip())
            if records != s["records_exported"]:
                failures.append(f"list {part}: {records} dumped records != records_exported {s['records_exported']}")
        missing = [f for f in files if f not in seen]
        if missing:
            failures.append(f"{len(missing)} files missing from the summaries, e.g. {missing[:3]}")
        counts = {}
        for st in seen.values():
            counts[st] = counts.get(st, 0) + 1
        print(f"{len(files)} captures: {counts}")
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
