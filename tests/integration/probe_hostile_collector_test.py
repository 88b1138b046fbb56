#!/usr/bin/python3
"""Issue #13 finding 12 (probe side): a collector that answers with a message
far larger than any Ack. The probe's socket has ZMQ_MAXMSGSIZE
(max_incoming_message_bytes, 4 KiB), so ZeroMQ drops the connection before
buffering the message (without the limit it would hold up to 10,000 of them,
the receive high-water mark). libzmq 4.3 ends a session on such a protocol
error and does not reconnect it, so the probe stays away from that collector
for the rest of the run: it counts the disconnect (summary
collector_disconnects), keeps every unacknowledged batch in its spool, exits
normally, and a later run delivers the spooled batches to an honest collector.
"""
import json
import os
import shutil
import sys
import tempfile
import time

import wireflow_pb2 as pb
from harness import PROBE, fail, read_jsonl, require_built, run_probe
from probe_zmq_test import Receiver, make_capture

OVERSIZED = 1 << 20  # 1 MiB, 256 x the probe's limit


class HostileReceiver(Receiver):
    """Answers every batch with a 1 MiB message instead of an Ack."""

    def __init__(self):
        self.floods = 0
        super().__init__()

    def handle(self, frames):
        env = pb.Envelope()
        try:
            env.ParseFromString(frames[-1])
        except Exception:
            self.bad += 1
            return
        if env.HasField("batch"):
            self.floods += 1
            self.sock.send_multipart([frames[0], b"\x0a" + b"\xff" * OVERSIZED])


def probe_run(tmp, name, pcap, port, spool):
    dump = os.path.join(tmp, name + ".jsonl")
    summary = os.path.join(tmp, name + ".json")
    p = run_probe(["--pcap", pcap, "--probe-id", "hostile-collector", "--collector", "tcp://127.0.0.1:%d" % port,
                   "--batch-records", "37", "--batch-ms", "50", "--linger-s", "5", "--stats-interval", "0",
                   "--spool-dir", spool, "--dump-flows", dump, "--summary-json", summary])
    if p.returncode != 0:
        fail("%s: probe exit %d: %s" % (name, p.returncode, p.stderr[-2000:]))
    with open(summary) as f:
        return json.load(f), read_jsonl(dump)


def main():
    require_built(PROBE)
    tmp = tempfile.mkdtemp(prefix="wf-hostile-collector-")
    try:
        pcap = os.path.join(tmp, "flows.pcap")
        truth = make_capture(pcap, n_udp=200, n_tcp=50)
        spool = os.path.join(tmp, "spool")

        # 1. The hostile collector: nothing acked, the connection dropped and counted.
        rx = HostileReceiver()
        s1, dumped1 = probe_run(tmp, "hostile", pcap, rx.port, spool)
        time.sleep(0.2)
        rx.stop()
        floods = rx.floods
        if floods < 1 or s1["collector_disconnects"] < 1:
            fail("expected the oversized answer to cost the connection: %d sent, summary %s" % (floods, s1))
        if s1["batches_acked"] != 0 or len(dumped1) != len(truth):
            fail("hostile run: %s, %d dumped of %d" % (s1, len(dumped1), len(truth)))
        spooled = os.listdir(spool)
        if not spooled:
            fail("no batch kept in the spool after the hostile run: %s" % s1)

        # 2. An honest collector: the spooled batches of run 1 arrive too.
        rx = Receiver()
        s2, dumped2 = probe_run(tmp, "honest", pcap, rx.port, spool)
        time.sleep(0.2)
        rx.stop()
        boots = {}
        for (boot, _seq), recs in rx.batches.items():
            boots.setdefault(boot, set()).update((r.flow_id, r.first_seen_ns) for r in recs)
        if len(boots) != 2:
            fail("expected the batches of both runs (two boot ids), got %d" % len(boots))
        want1 = {(d["flow_id"], d["first_seen_ns"]) for d in dumped1}
        if not any(got == want1 for got in boots.values()):
            fail("the hostile run's %d records did not all arrive from its spool" % len(want1))
        if s2["unacknowledged_batches"] != 0 or os.listdir(spool):
            fail("honest run left batches unacknowledged or spooled: %s %s" % (s2, os.listdir(spool)))
        print("hostile collector: %d oversized answer(s), %d disconnect(s) counted, %d batches kept in the spool; "
              "the next run delivered all %d of its records and its own %d"
              % (floods, s1["collector_disconnects"], len(spooled),
                 len(want1), len(dumped2)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
