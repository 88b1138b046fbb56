#!/usr/bin/python3
"""Attacks on the collector's ingest (issue #13 findings 1, 2 and 3), each
from outside: ZeroMQ messages from this script against the real
wireflow-collector and a real PostgreSQL. Each attack is refused or bounded,
counted, and the honest probe beside it loses nothing.

1. impersonation: under CURVE, a probe with an allowed key sends batches and
   statistics under another probe's id, boot id and next sequence numbers.
   Refused (REJECTED probe_not_allowed); the real probe's next batches are
   STORED, not DUPLICATE. A key listed without probes= (an old allow list)
   still works and is warned about; without CURVE the collector says that
   identities are unauthenticated, and warns when it listens beyond loopback.
2. memory: new probe ids without end (refused beyond --max-probes), statistics
   with too many ports (refused beyond --max-probe-ports), and a flood of
   large batches while PostgreSQL is blocked: the collector pauses reading
   (bytes in flight bounded by --ingest-buffer-mb, the ZeroMQ queue per
   connection by --peer-queue-messages), so the sender can place only a
   bounded number of messages; once PostgreSQL is free every one is stored.
3. time: a batch with one record a year ahead, one dated 1970 and one in
   2262. Refused (REJECTED time_window); the live host table keeps exactly
   the honest hosts (a far-future record used to advance its clock and purge
   them all), and no stored record lies outside the window.
"""
import os
import re
import shutil
import sys
import tempfile
import time

import psycopg2
import zmq

import wireflow_pb2 as pb
from flow_batches import Sender, envelope_bytes, make_batch, status_name
from harness import COLLECTOR, Cluster, Collector, check, fail, require_built

BOOT = 7
N = 20          # records per ordinary batch
S = 10**9


def recent_batch(probe, seq, n=N, boot=BOOT):
    """A batch whose records lie in the last 20 s (inside the time window; the
    host table ages hosts out by record time, so keep them recent)."""
    return make_batch(probe, boot, seq, n, t0_ns=time.time_ns() - 20 * S)


def curve_sender(endpoint, server_public, keys):
    s = Sender.__new__(Sender)
    s.ctx = zmq.Context.instance()
    s.sock = s.ctx.socket(zmq.DEALER)
    s.sock.setsockopt(zmq.LINGER, 0)
    s.sock.curve_serverkey = server_public
    s.sock.curve_publickey, s.sock.curve_secretkey = keys
    s.sock.connect(endpoint)
    s.acks = []
    return s


def send_and_wait(sender, batches, timeout=60):
    before = len(sender.acks)
    for b in batches:
        sender.send(b)
    acks = sender.wait_acks(before + len(batches), timeout=timeout)[before:]
    return {a.sequence: (status_name(a.status), a.reason) for a in acks}


def expect_all(acks, seqs, status, reason=""):
    for q in seqs:
        check(acks.get(q) == (status, reason), f"sequence {q}: expected {status} {reason!r}, got {acks.get(q)}")


def stats_message(probe, ports=1):
    e = pb.Envelope()
    e.stats.schema_version = pb.SCHEMA_VERSION_1
    e.stats.probe_id = probe
    e.stats.boot_id = BOOT
    e.stats.time_ns = time.time_ns()
    for i in range(ports):
        p = e.stats.ports.add()
        p.port_id = i
        p.name = "net_pcap%d" % i
    return e.SerializeToString()


def count(pg, dsn, where):
    return int(pg.query(dsn, "SELECT count(*) FROM flows WHERE " + where)[0][0])


# ---- 1. impersonation under CURVE ------------------------------------------------
def impersonation(pg, tmp):
    col_pub, col_sec = zmq.curve_keypair()
    a, b, legacy = zmq.curve_keypair(), zmq.curve_keypair(), zmq.curve_keypair()
    secret = os.path.join(tmp, "collector.key")
    allow = os.path.join(tmp, "probes.keys")
    with open(secret, "w") as f:
        f.write(col_sec.decode() + "\n")
    with open(allow, "w") as f:
        f.write("# site A and B are bound to their ids; the third line is an old-format line (key and name)\n"
                f"{a[0].decode()} site-a probes=probe-a\n{b[0].decode()} site-b probes=probe-b,probe-b2\n"
                f"{legacy[0].decode()} legacy-site\n")
    dsn = pg.create_database("wfimpersonate")
    col = Collector(dsn, os.path.join(tmp, "curve"), extra=[
        "--curve-secret-key-file=" + secret, "--curve-allow-keys-file=" + allow]).start()
    try:
        log = col.log_text()
        check("1 allow-listed CURVE key(s) without probes=" in log, "no warning about the unbound key:\n" + log)
        check("unauthenticated" not in log, "CURVE collector claims unauthenticated identities:\n" + log)
        honest = curve_sender(col.endpoint, col_pub, a)
        impostor = curve_sender(col.endpoint, col_pub, b)
        old = curve_sender(col.endpoint, col_pub, legacy)

        expect_all(send_and_wait(honest, [recent_batch("probe-a", q) for q in range(1, 6)]), range(1, 6), "STATUS_STORED")
        # The impostor takes the honest probe's next sequence numbers, with
        # contents of its own, and sends statistics in its name.
        fakes = []
        for q in range(6, 16):
            f = recent_batch("probe-a", q, n=3)
            for r in f.records:
                r.server_name = "impostor.example"
            fakes.append(f)
        impostor.send_raw(stats_message("probe-a"))
        acks = send_and_wait(impostor, fakes)
        expect_all(acks, range(6, 16), "STATUS_REJECTED", "probe_not_allowed")
        # The honest probe's batches 6..15 are new to the collector.
        expect_all(send_and_wait(honest, [recent_batch("probe-a", q) for q in range(6, 16)]), range(6, 16),
                   "STATUS_STORED")
        # Each key keeps working under its own ids; an unbound key under any.
        expect_all(send_and_wait(impostor, [recent_batch("probe-b2", q) for q in (1, 2, 3)]), (1, 2, 3), "STATUS_STORED")
        expect_all(send_and_wait(old, [recent_batch("probe-legacy", q) for q in (1, 2, 3)]), (1, 2, 3), "STATUS_STORED")

        check(count(pg, dsn, "probe_id = 'probe-a'") == 15 * N, "probe-a rows: %d" % count(pg, dsn, "probe_id = 'probe-a'"))
        check(count(pg, dsn, "server_name = 'impostor.example'") == 0, "the impostor's records were stored")
        col.stop_clean()
        c = col.counters()
        check(c["batches_rejected_probe_not_allowed"] == 11, c)   # 10 batches + 1 statistics message
        check(c["batches_stored"] == 15 + 3 + 3, c)
        check(c["batches_duplicate"] == 0, c)
        print("impersonation: 10 batches and 1 statistics message under another probe's id refused "
              "(probe_not_allowed); the real probe's 15 batches all STORED; the unbound key still works")
        for s in (honest, impostor, old):
            s.close()
    except BaseException:
        print(col.log_text()[-4000:])
        raise
    finally:
        if col.proc:
            col.kill()


# ---- 2. memory bounds --------------------------------------------------------------
def big_batch(probe, seq, n=5400):
    b = recent_batch(probe, seq, n=20)
    template = b.records[0]
    del b.records[:]
    for i in range(n):
        r = b.records.add()
        r.CopyFrom(template)
        r.flow_id = seq * 1_000_000 + i
        r.server_name = "s" * 250
    return b


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


def memory_bounds(pg, tmp):
    dsn = pg.create_database("wfmemory")
    col = Collector(dsn, os.path.join(tmp, "memory"))
    port = col.port
    # Listening on every interface without CURVE: allowed, but warned about.
    col.extra = [f"--listen=tcp://0.0.0.0:{port}", "--max-probes=3", "--max-probe-ports=8",
                 "--peer-queue-messages=4", "--ingest-buffer-mb=16", "--max-message-mb=2"]
    col.start()
    try:
        log = col.log_text()
        check("warning: ZeroMQ listens beyond loopback" in log and "unauthenticated" in log,
              "no warning for a non-loopback listener without CURVE:\n" + log)
        honest = Sender(col.endpoint)
        attacker = Sender(col.endpoint)
        expect_all(send_and_wait(honest, [recent_batch("honest-1", q) for q in (1, 2, 3)]), (1, 2, 3), "STATUS_STORED")

        # a. New probe ids without end: two more fit under --max-probes=3.
        ids = ["invented-%02d" % i for i in range(30)]
        send_and_wait(attacker, [recent_batch(p, 1) for p in ids])
        by_id = {a.probe_id: (status_name(a.status), a.reason) for a in attacker.acks}
        check([by_id.get(p) for p in ids] == [("STATUS_STORED", "")] * 2 + [("STATUS_REJECTED", "too_many_probes")] * 28,
              by_id)
        for i in range(5):
            attacker.send_raw(stats_message("stats-only-%d" % i))
        # b. Statistics with more ports than --max-probe-ports, then honest ones.
        honest.send_raw(stats_message("honest-1", ports=100))
        honest.send_raw(stats_message("honest-1", ports=2))
        expect_all(send_and_wait(honest, [recent_batch("honest-1", q) for q in (4, 5, 6)]), (4, 5, 6), "STATUS_STORED")

        # c. PostgreSQL blocked (a lock on flows), then a flood of ~1.9 MiB
        # batches from a sender that keeps at most one message in its own queue.
        blocker = psycopg2.connect(dsn)
        blocker.cursor().execute("LOCK TABLE flows IN ACCESS EXCLUSIVE MODE")
        flood = zmq.Context.instance().socket(zmq.DEALER)
        flood.setsockopt(zmq.LINGER, 0)
        flood.setsockopt(zmq.SNDHWM, 1)
        flood.connect(col.endpoint)
        template = big_batch("invented-00", 1)
        size = template.ByteSize()
        check(1 << 20 < size < 2 << 20, f"flood batch of {size} bytes")
        rss_before = rss_kib(col.proc.pid)
        placed, deadline = 0, time.monotonic() + 8
        while time.monotonic() < deadline:
            template.sequence = placed + 2
            for i, r in enumerate(template.records):   # new records: the store de-duplicates by flow id
                r.flow_id = template.sequence * 1_000_000 + i
            try:
                flood.send(envelope_bytes(template), zmq.NOBLOCK)
                placed += 1
            except zmq.Again:
                time.sleep(0.05)
        rss_during = rss_kib(col.proc.pid)
        # Read by the collector: at most --ingest-buffer-mb (16 MiB, ~9 of these)
        # plus one group; queued by ZeroMQ: 4 per connection; then the kernel's
        # socket buffers and the sender's one. Before the bounds the collector
        # read and queued every one of them (10,000 per connection).
        check(placed <= 40, f"{placed} flood messages placed while PostgreSQL was blocked")
        blocker.rollback()
        blocker.close()
        acked = {}
        wait_until = time.monotonic() + 180
        while len(acked) < placed and time.monotonic() < wait_until:
            if flood.poll(200):
                e = pb.Envelope()
                e.ParseFromString(flood.recv())
                acked[e.ack.sequence] = status_name(e.ack.status)
        check(len(acked) == placed and set(acked.values()) == {"STATUS_STORED"},
              f"flood: {placed} placed, acks {sorted(acked.items())[:5]}... ({len(acked)})")
        flood.close()
        expect_all(send_and_wait(honest, [recent_batch("honest-1", q) for q in (7, 8)]), (7, 8), "STATUS_STORED")
        check(count(pg, dsn, "probe_id = 'honest-1'") == 8 * N, "honest rows: %d" % count(pg, dsn, "probe_id = 'honest-1'"))
        check(count(pg, dsn, "probe_id LIKE 'invented-%'") == 2 * N + placed * 5400, "attacker rows")
        check(int(pg.query(dsn, "SELECT count(*) FROM probe_stats")[0][0]) == 1, "probe_stats rows")
        col.stop_clean()
        c = col.counters()
        check(c["batches_rejected_too_many_probes"] == 28 + 5, c)
        check(c["batches_rejected_too_many_ports"] == 1, c)
        check(c["ingest_paused"] >= 1, c)
        print(f"memory: 28 batches and 5 statistics of new probe ids refused (too_many_probes), 1 statistics "
              f"message with 100 ports refused; PostgreSQL blocked for 8 s: {placed} flood messages of {size} bytes "
              f"placed, reading paused {c['ingest_paused']} time(s), collector RSS {rss_before // 1024} -> "
              f"{rss_during // 1024} MiB (ASan build); all {placed} stored once PostgreSQL was free")
        honest.close()
        attacker.close()
    except BaseException:
        print(col.log_text()[-4000:])
        raise
    finally:
        if col.proc:
            col.kill()


# ---- 3. record times -----------------------------------------------------------------
class DefaultWindowCollector(Collector):
    """The collector with its default time window (the harness widens it for
    the tests that replay captures dated 2023)."""

    def argv(self):
        return [a for a in super().argv() if not a.startswith("--record-max-age-days")]


def record_times(pg, tmp):
    dsn = pg.create_database("wftime")
    col = DefaultWindowCollector(dsn, os.path.join(tmp, "time")).start()
    try:
        log = col.log_text()
        check("unauthenticated" in log and "beyond loopback" not in log, "loopback collector start messages:\n" + log)
        s = Sender(col.endpoint)
        honest = [recent_batch("clock-ok", q) for q in (1, 2, 3)]
        expect_all(send_and_wait(s, honest), (1, 2, 3), "STATUS_STORED")
        now = time.time_ns()
        future, past, far = recent_batch("clock-ok", 4), recent_batch("clock-ok", 5), recent_batch("clock-ok", 6)
        future.records[3].last_seen_ns = now + 365 * 86400 * S
        past.records[0].first_seen_ns = 1
        past.records[0].last_seen_ns = 2
        far.records[5].first_seen_ns = far.records[5].last_seen_ns = (1 << 63) - 1   # year 2262
        expect_all(send_and_wait(s, [future, past, far]), (4, 5, 6), "STATUS_REJECTED", "time_window")
        honest.append(recent_batch("clock-ok", 7))
        expect_all(send_and_wait(s, honest[-1:]), (7,), "STATUS_STORED")
        hosts = {(r.client_ip, r.vlan) for b in honest for r in b.records} | \
                {(r.server_ip, r.vlan) for b in honest for r in b.records}
        now = time.time_ns()
        outside = count(pg, dsn, f"last_seen_ns > {now + 600 * S} OR first_seen_ns < {now - 30 * 86400 * S}")
        check(outside == 0, f"{outside} stored records outside the window")
        check(count(pg, dsn, "true") == 4 * N, "stored rows")
        col.stop_clean()
        c = col.counters()
        check(c["batches_rejected_time_window"] == 3, c)
        check(c["hosts"] == len(hosts), f"live hosts {c['hosts']}, honest hosts {len(hosts)}")
        print(f"time: records a year ahead, in 1970 and in 2262 refused (time_window); the live host table "
              f"kept its {len(hosts)} honest hosts; no stored record outside the window")
        s.close()
    except BaseException:
        print(col.log_text()[-4000:])
        raise
    finally:
        if col.proc:
            col.kill()


def main():
    require_built(COLLECTOR)
    tmp = tempfile.mkdtemp(prefix="wf-ingest-attack-")
    try:
        with Cluster() as pg:
            impersonation(pg, tmp)
            memory_bounds(pg, tmp)
            record_times(pg, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
