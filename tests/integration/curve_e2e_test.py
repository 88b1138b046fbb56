#!/usr/bin/python3
"""CURVE end to end: the real wireflow-probe, the real wireflow-collector with
CURVE on (ZAP allow list of probe public keys) and a real PostgreSQL.

Keys come from the binaries themselves (`--gen-curve-keypair` of both).
1. A probe whose public key is allow-listed replays a generated pcap: every
   record it dumped (--dump-flows) is a row in `flows`, none unacknowledged.
2. A probe with a valid key pair that is NOT allow-listed, a probe with the
   right pair but the wrong collector key, and a probe without CURVE: each
   exits within its linger, reports its batches as unacknowledged, and nothing
   of theirs is stored.
3. Bad --probe-id and half a CURVE configuration are refused before start,
   with one line on stderr and exit 2.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import pcapgen
from harness import COLLECTOR, PROBE, Cluster, Collector, fail, require_built, run_probe as run_wireflow_probe

LINGER_S = 3


def keys_of(text):
    """The key lines of a --gen-curve-keypair output: [public, secret]."""
    keys = [l.strip() for l in text.splitlines() if l.strip() and not l.startswith("#")]
    if len(keys) != 2 or any(len(k) != 40 for k in keys):
        fail("unexpected key pair output: %r" % text)
    return keys


def gen_keypair(binary, path):
    p = subprocess.run([binary, "--gen-curve-keypair"], capture_output=True, text=True, timeout=30)
    if p.returncode != 0:
        fail("%s --gen-curve-keypair exit %d: %s" % (binary, p.returncode, p.stderr))
    with open(path, "w") as f:
        f.write(p.stdout)
    return keys_of(p.stdout)


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def run_probe(tmp, name, pcap, endpoint, curve_args, timeout=120):
    dump = os.path.join(tmp, name + ".jsonl")
    summary = os.path.join(tmp, name + ".json")
    args = ["--pcap", pcap, "--probe-id", name, "--collector", endpoint,
            "--batch-records", "50", "--batch-ms", "50", "--linger-s", str(LINGER_S), "--stats-interval", "0",
            "--dump-flows", dump, "--summary-json", summary] + curve_args
    t0 = time.monotonic()
    p = run_wireflow_probe(args, timeout=timeout)
    took = time.monotonic() - t0
    if p.returncode != 0:
        fail("probe %s exit %d: %s" % (name, p.returncode, p.stderr[-2000:]))
    with open(dump) as f:
        dumped = sum(1 for line in f if line.strip())
    with open(summary) as f:
        s = json.load(f)
    return dumped, s, p.stderr, took


def stored(pg, dsn, probe_id=None):
    where = "" if probe_id is None else " WHERE probe_id = '%s'" % probe_id  # ids are [A-Za-z0-9._-]
    return int(pg.query(dsn, "SELECT count(*) FROM flows" + where)[0][0])


def refused_early(args, expect):
    p = subprocess.run([PROBE] + args, capture_output=True, text=True, timeout=30)
    err = p.stderr.strip()
    if p.returncode != 2 or expect not in err or "\n" in err:
        fail("expected exit 2 and one line naming %r, got exit %d: %r" % (expect, p.returncode, p.stderr))


def main():
    require_built()
    tmp = tempfile.mkdtemp(prefix="wf-curve-e2e-")
    try:
        with Cluster() as pg:
            run(pg, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("ok")
    return 0


def run(pg, tmp):
    # Keys: the collector's from its generator, the probes' from the probe's
    # (and one from the collector's: both print the same format).
    col_pub, col_sec = gen_keypair(COLLECTOR, os.path.join(tmp, "collector.pair"))
    good_pub, good_sec = gen_keypair(PROBE, os.path.join(tmp, "good.pair"))
    rogue_pub, _ = gen_keypair(COLLECTOR, os.path.join(tmp, "rogue.pair"))
    assert len({col_pub, good_pub, rogue_pub}) == 3
    col_secret = write(os.path.join(tmp, "collector.key"), "# collector secret\n" + col_sec + "\n")
    allow = write(os.path.join(tmp, "probes.keys"), "# allowed probes\n%s curve-good\n" % good_pub)
    col_key = write(os.path.join(tmp, "collector.pub"), col_pub + "\n")

    pcap = os.path.join(tmp, "sample.pcap")
    pcapgen.write_sample(pcap, minutes=1.0)

    # 3. Refused before start (no EAL, no socket).
    base = ["--no-huge", "--pcap", pcap, "--collector", "tcp://127.0.0.1:1"]
    refused_early(base + ["--probe-id", "bad id"], "--probe-id")
    refused_early(base + ["--probe-id", "x" * 65], "--probe-id")
    refused_early(base + ["--curve-server-key-file", col_key], "--curve-key-file")
    refused_early(base + ["--curve-key-file", os.path.join(tmp, "good.pair")], "--curve-server-key")
    refused_early(base + ["--curve-server-key", col_pub[:39], "--curve-key-file", os.path.join(tmp, "good.pair")],
                  "--curve-server-key")
    # The collector's whole pair given as the collector key: its secret must not be used as a public key.
    refused_early(base + ["--curve-server-key-file", os.path.join(tmp, "collector.pair"),
                          "--curve-key-file", os.path.join(tmp, "good.pair")], "collector.pair:4")

    dsn = pg.create_database("wfcurve")
    col = Collector(dsn, os.path.join(tmp, "data"),
                    extra=["--curve-secret-key-file=" + col_secret, "--curve-allow-keys-file=" + allow]).start()
    try:
        if "(CURVE)" not in col.log_text():
            fail("collector did not report CURVE:\n" + col.log_text())
        endpoint = col.endpoint

        # 1. The allow-listed probe: everything arrives.
        dumped, s, err, _ = run_probe(tmp, "curve-good", pcap, endpoint,
                                      ["--curve-server-key-file", col_key,
                                       "--curve-key-file", os.path.join(tmp, "good.pair")])
        if dumped < 50:
            fail("the sample capture gave only %d flows" % dumped)
        if s["unacknowledged_batches"] != 0 or "not acknowledged" in err:
            fail("allow-listed probe left batches unacknowledged: %s %s" % (s, err))
        n = stored(pg, dsn, "curve-good")
        if n != dumped or s["records_exported"] != dumped:
            fail("allow-listed probe: %d rows stored, %d dumped, %d exported" % (n, dumped, s["records_exported"]))
        print("allow-listed probe: %d records dumped, %d rows stored, %d batches acked"
              % (dumped, n, s["batches_acked"]))

        # 2. Probes the collector must not hear.
        unheard = [
            ("curve-rogue", ["--curve-server-key", col_pub, "--curve-key-file", os.path.join(tmp, "rogue.pair")]),
            ("curve-wrong-server", ["--curve-server-key", rogue_pub,
                                    "--curve-key-file", os.path.join(tmp, "good.pair")]),
            ("curve-plain", []),
        ]
        for name, curve_args in unheard:
            dumped_x, sx, errx, took = run_probe(tmp, name, pcap, endpoint, curve_args)
            if dumped_x != dumped:
                fail("%s dumped %d records, the first probe %d" % (name, dumped_x, dumped))
            if sx["batches_acked"] != 0 or sx["unacknowledged_records"] != dumped_x:
                fail("%s: expected every record unacknowledged: %s" % (name, sx))
            if "not acknowledged by the collector" not in errx or "handshake" not in errx:
                fail("%s did not report its unacknowledged batches: %r" % (name, errx))
            if stored(pg, dsn, name) != 0:
                fail("%s: the collector stored records of a probe it must not admit" % name)
            print("%s: nothing stored, %d batches unacknowledged, exited after %.1fs (linger %ds); stderr: %s"
                  % (name, sx["unacknowledged_batches"], took, LINGER_S, errx.strip().replace("\n", " | ")[:300]))

        if stored(pg, dsn) != dumped:
            fail("flows holds %d rows, only the allow-listed probe's %d were expected" % (stored(pg, dsn), dumped))
        col.stop_clean()
    except BaseException:
        print(col.log_text()[-4000:])
        raise
    finally:
        if col.proc:
            col.kill()


if __name__ == "__main__":
    sys.exit(main())
