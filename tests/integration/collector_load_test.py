"""Exactly-once through a collector crash, with the load generator
(tests/bench/loadgen): two simulated probes send paced batches while the
collector is SIGKILLed and restarted in the middle, so batches in flight lose
their acks and are re-sent. The generator then checks the database itself:
every record of both probes once, none missing, none twice, each in the batch
that carried it. A correctness test: no timing is asserted."""
import json
import os
import signal
import subprocess
import tempfile
import time

from harness import BUILD, Cluster, Collector, check, require_built, sanitizer_report

LOAD = os.path.join(BUILD, "tests", "bench", "collector_load")
PROBES = 2
BATCHES = 40          # per probe
RECORDS = 100         # per batch
RATE = 10             # batches per second per probe: ~4 s of sending


def main():
    require_built()
    require_built(LOAD)
    with tempfile.TemporaryDirectory(prefix="wf-load-") as tmp, Cluster() as pg:
        dsn = pg.create_database("load")
        col = Collector(dsn, os.path.join(tmp, "collector"), extra=["--disable-login"]).start()
        report = os.path.join(tmp, "load.json")
        gen = subprocess.Popen([LOAD, "--endpoint", col.endpoint, "--probes", str(PROBES), "--batches", str(BATCHES),
                                "--batch-records", str(RECORDS), "--rate", str(RATE), "--window", "8",
                                "--db", dsn, "--metrics", f"127.0.0.1:{col.http_port}", "--json", report,
                                "--prefix", "crash"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        time.sleep(1.5)                      # some batches stored and acked
        check(gen.poll() is None, "the generator ended before the crash")
        # Frozen first: the probes go on sending up to their window, and those
        # batches reach the collector's socket but are never acknowledged, so
        # the kill always has batches in flight to lose (a collector that
        # acks within milliseconds otherwise often had none at the instant
        # of a bare kill, and the re-send path went untested).
        os.kill(col.proc.pid, signal.SIGSTOP)
        time.sleep(1.0)
        col.kill()
        time.sleep(0.5)
        col.start()
        out, _ = gen.communicate(timeout=240)
        print(out)
        col.stop_clean()
        check(sanitizer_report(out) is None, "sanitizer report from the generator")
        check(gen.returncode == 0, f"collector_load exit {gen.returncode}")
        r = json.load(open(report))
        check(r["verified"] and r["ok"], f"not verified: {r}")
        check(r["records_made"] == PROBES * BATCHES * RECORDS, f"made {r['records_made']} records")
        check(r["db_rows"] == r["records_made"], f"{r['db_rows']} rows for {r['records_made']} records")
        # The crash must have cost acks, or the test did not test the re-send path.
        check(r["resent"] > 0, "no batch was re-sent: the crash hit nothing in flight")
        print(f"ok: {r['db_rows']} rows, {r['resent']} re-sent, {r['duplicate']} answered DUPLICATE")


if __name__ == "__main__":
    main()
