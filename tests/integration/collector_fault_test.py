"""Durability of wireflow-collector under faults, with a real PostgreSQL.

A probe-like sender streams batches at least once (re-sends what is not
acked within a timeout, keeps BUSY ones). Meanwhile the collector is
SIGKILLed and restarted, PostgreSQL is stopped for 30 s (the collector
spools to disk and keeps acking) and the collector is SIGKILLed once more
during the outage (the next one must replay the spool it finds). At the end
the database holds every record the sender produced exactly once: count,
sum of bytes, no duplicate identities, one ingested_batches row per batch."""
import os
import shutil
import tempfile
import threading
import time

import zmq

from flow_batches import make_batch, status_name
from harness import COLLECTOR, Cluster, Collector, require_built, wait_for

import wireflow_pb2 as pb

PROBE = "probe-fault"
BOOT = 77
RECORDS = 40
RATE = 12            # batches per second
RESEND_AFTER = 1.0   # seconds without an ack


class AtLeastOnceSender(threading.Thread):
    def __init__(self, endpoint):
        super().__init__(daemon=True)
        self.endpoint = endpoint
        self.producing = True
        self.stop = False
        self.produced = []          # FlowBatch in sequence order
        self.unacked = {}           # seq -> last send time
        self.status = {}            # seq -> final status name
        self.busy = 0
        self.resends = 0
        self.error = None

    def run(self):
        try:
            self._run()
        except BaseException as e:   # reported by the main thread
            self.error = e

    def _run(self):
        ctx = zmq.Context()
        sock = ctx.socket(zmq.DEALER)
        sock.setsockopt(zmq.LINGER, 0)
        sock.setsockopt(zmq.SNDHWM, 100000)
        sock.connect(self.endpoint)
        next_send = time.monotonic()
        seq = 0
        while not self.stop:
            now = time.monotonic()
            if self.producing and now >= next_send:
                seq += 1
                b = make_batch(PROBE, BOOT, seq, RECORDS, t0_ns=1_700_000_000_000_000_000)
                self.produced.append(b)
                self._send(sock, b, now)
                next_send += 1.0 / RATE
            for s, t in list(self.unacked.items()):
                if now - t >= RESEND_AFTER:
                    self.resends += 1
                    self._send(sock, self.produced[s - 1], now)
            if sock.poll(20, zmq.POLLIN):
                while True:
                    try:
                        data = sock.recv(zmq.NOBLOCK)
                    except zmq.Again:
                        break
                    e = pb.Envelope()
                    e.ParseFromString(data)
                    a = e.ack
                    st = status_name(a.status)
                    assert a.probe_id == PROBE and a.boot_id == BOOT, a
                    if st == "STATUS_REJECTED":
                        raise AssertionError(f"batch {a.sequence} rejected: {a.reason}")
                    if st == "STATUS_BUSY":
                        self.busy += 1   # keep it: re-sent after the timeout
                        continue
                    self.status[a.sequence] = st
                    self.unacked.pop(a.sequence, None)
        sock.close()
        ctx.term()

    def _send(self, sock, b, now):
        e = pb.Envelope()
        e.batch.CopyFrom(b)
        try:
            sock.send(e.SerializeToString(), zmq.NOBLOCK)
        except zmq.Again:
            pass
        self.unacked[b.sequence] = now

    def all_acked(self):
        return not self.producing and not self.unacked and len(self.status) == len(self.produced)


def main():
    require_built(COLLECTOR)
    tmp = tempfile.mkdtemp(prefix="wf-fault-test-")
    t_start = time.monotonic()
    with Cluster(reuse_env=False) as pg:
        dsn = pg.create_database("wffault")
        col = Collector(dsn, os.path.join(tmp, "data"))
        col.start()
        sender = AtLeastOnceSender(col.endpoint)
        sender.start()
        try:
            scenario(pg, dsn, col, sender)
        except BaseException:
            print(col.log_text())
            raise
        finally:
            sender.stop = True
            sender.join(10)
            if col.proc:
                col.kill()
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"ok in {time.monotonic() - t_start:.1f}s")


def wait_sender(sender, pred, timeout, what):
    wait_for(what, lambda: sender.error is not None or pred(), timeout)
    if sender.error:
        raise sender.error


def scenario(pg, dsn, col, sender):
    wait_sender(sender, lambda: len(sender.status) >= 30, 30, "first acks")

    # 1. SIGKILL mid-stream, restart on the same port and data dir.
    col.kill()
    time.sleep(0.5)
    col.start()
    wait_sender(sender, lambda: len(sender.status) >= 60, 30, "acks after the first restart")

    # 2. PostgreSQL down for 30 s: the collector spools and keeps acking.
    acked_before_outage = len(sender.status)
    pg.stop_server()
    outage_start = time.monotonic()
    wait_sender(sender, lambda: len(sender.status) >= acked_before_outage + 60, 20, "acks from the spool")
    # 3. SIGKILL while the spool holds batches; the next collector finds them.
    col.kill()
    spool_dir = os.path.join(col.data_dir, "spool")
    assert any(f.endswith(".spool") for f in os.listdir(spool_dir)), os.listdir(spool_dir)
    col.start()
    time.sleep(max(0.0, 30 - (time.monotonic() - outage_start)))
    acked_during_outage = len(sender.status) - acked_before_outage
    pg.start_server()

    # 4. A little more traffic, then drain.
    time.sleep(2)
    sender.producing = False
    wait_sender(sender, sender.all_acked, 60, "every batch acked")
    produced = sender.produced
    expect_records = len(produced) * RECORDS
    expect_bytes = sum(r.c2s_bytes + r.s2c_bytes for b in produced for r in b.records)

    def db_complete():
        try:
            return pg.query(dsn, "SELECT count(*) FROM ingested_batches")[0] == [str(len(produced))]
        except Exception:
            return False
    wait_for("the spool replayed into PostgreSQL", db_complete, 60)
    col.stop_clean()
    row = pg.query(dsn, "SELECT count(*), sum(c2s_bytes + s2c_bytes), "
                        "count(DISTINCT (probe_id, boot_id, flow_id, first_seen_ns)) FROM flows")[0]
    assert [int(x) for x in row] == [expect_records, expect_bytes, expect_records], (row, expect_records)
    assert pg.query(dsn, "SELECT count(*), count(DISTINCT sequence), min(sequence), max(sequence) "
                         "FROM ingested_batches")[0] == [str(len(produced)), str(len(produced)), "1",
                                                         str(len(produced))]
    assert not [f for f in os.listdir(os.path.join(col.data_dir, "spool")) if f.endswith(".spool")], \
        "spool segments left after replay"
    c = col.counters()
    print(f"batches {len(produced)}, acked during the outage {acked_during_outage}, "
          f"re-sends {sender.resends}, busy {sender.busy}; last collector: {c}")
    assert acked_during_outage >= 60
    assert c["batches_replayed"] > 0, c   # the restarted collector replayed the spool it found


if __name__ == "__main__":
    main()
