#!/usr/bin/python3
"""End to end: the real wireflow-probe replays a generated pcap and exports
over ZeroMQ to a Python ROUTER that acks like the collector.

1. One replay: batch sequences are complete from 1 (no gaps), and the records
   received (per flow id: packets, bytes, timestamps) equal the probe's own
   --dump-flows output and the flows written into the capture.
2. A looping replay (--pcap-loop --duration) while the receiver is closed for a
   few seconds mid-stream and bound again: afterwards no sequence is missing
   and every record the probe dumped reached the receiver.
"""
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

import zmq

import pcapgen
import wireflow_pb2 as pb
from harness import EAL, PROBE, fail, read_jsonl, require_built, run_probe, sanitizer_report


# ---- capture generation ------------------------------------------------------
def ipv4(src, dst, proto, payload, ident):
    return pcapgen.ip_packet(src, dst, proto, payload, ident=ident, frag=0)[1]


def ether(ip_packet):
    return pcapgen.ether(b"\x02\x00\x00\x00\x00\x02", b"\x02\x00\x00\x00\x00\x01", 0x0800, ip_packet)


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def tcp(sport, dport, flags, seq=1, payload=b""):
    return struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, flags, 65535, 0, 0) + payload


def write_pcap(path, packets):
    with pcapgen.PcapWriter(path) as w:
        for ts_us, frame in packets:
            w.write_stamp(ts_us // 1_000_000, ts_us % 1_000_000, frame)


def make_capture(path, n_udp=400, n_tcp=100):
    """Returns {(client_ip, client_port, server_ip, server_port, proto): (c2s_pkts, c2s_bytes, s2c_pkts, s2c_bytes)}."""
    packets = []
    flows = {}
    t0 = 1_700_000_000_000_000
    ident = 1
    for i in range(n_udp):
        cip, sip = "10.1.%d.%d" % (i // 250, i % 250 + 1), "192.0.2.%d" % (i % 7 + 1)
        cport, sport = 20000 + i, 53
        c2s_n, s2c_n = 1 + i % 3, i % 2
        c2s_b = s2c_b = 0
        t = t0 + i * 1000
        for k in range(c2s_n):
            ip = ipv4(cip, sip, 17, udp(cport, sport, b"q" * (10 + i % 50)), ident)
            ident += 1
            packets.append((t + k * 10, ether(ip)))
            c2s_b += len(ip)
        for k in range(s2c_n):
            ip = ipv4(sip, cip, 17, udp(sport, cport, b"r" * (30 + i % 70)), ident)
            ident += 1
            packets.append((t + 5 + k * 10, ether(ip)))
            s2c_b += len(ip)
        flows[(cip, cport, sip, sport, 17)] = (c2s_n, c2s_b, s2c_n, s2c_b)
    for i in range(n_tcp):
        cip, sip = "10.2.0.%d" % (i + 1), "198.51.100.1"
        cport, sport = 40000 + i, 443
        t = t0 + 2_000_000 + i * 1000
        seq = [(cip, sip, cport, sport, 0x02, b""), (sip, cip, sport, cport, 0x12, b""),
               (cip, sip, cport, sport, 0x10, b""), (cip, sip, cport, sport, 0x18, b"x" * (i + 1)),
               (sip, cip, sport, cport, 0x11, b""), (cip, sip, cport, sport, 0x11, b""),
               (sip, cip, sport, cport, 0x10, b"")]
        c = [0, 0, 0, 0]
        for k, (a, b, pa, pb_, fl, pl) in enumerate(seq):
            ip = ipv4(a, b, 6, tcp(pa, pb_, fl, 1000 + k, pl), ident)
            ident += 1
            packets.append((t + k * 10, ether(ip)))
            if a == cip:
                c[0] += 1
                c[1] += len(ip)
            else:
                c[2] += 1
                c[3] += len(ip)
        flows[(cip, cport, sip, sport, 6)] = tuple(c)
    packets.sort(key=lambda p: p[0])
    write_pcap(path, packets)
    return flows


# ---- the collector stand-in ----------------------------------------------------
class Receiver:
    def __init__(self):
        self.ctx = zmq.Context()
        self.lock = threading.Lock()
        self.batches = {}      # (boot_id, seq) -> list of FlowRecord
        self.arrivals = 0
        self.stats = 0
        self.bad = 0
        self.sock = None
        self.port = None
        self.running = True
        self.paused = False
        self.open()
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def open(self):
        s = self.ctx.socket(zmq.ROUTER)
        s.setsockopt(zmq.LINGER, 0)
        if self.port is None:
            self.port = s.bind_to_random_port("tcp://127.0.0.1")
        else:
            s.bind("tcp://127.0.0.1:%d" % self.port)
        self.sock = s

    def pause(self):
        with self.lock:
            self.paused = True
            self.sock.close()
            self.sock = None

    def resume(self):
        with self.lock:
            self.open()
            self.paused = False

    def loop(self):
        while self.running:
            with self.lock:
                if self.sock is not None and self.sock.poll(10):
                    while True:
                        try:
                            frames = self.sock.recv_multipart(zmq.NOBLOCK)
                        except zmq.Again:
                            break
                        self.handle(frames)
            time.sleep(0.001)

    def handle(self, frames):
        env = pb.Envelope()
        try:
            env.ParseFromString(frames[-1])
        except Exception:
            self.bad += 1
            return
        if env.HasField("stats"):
            self.stats += 1
            return
        if not env.HasField("batch"):
            self.bad += 1
            return
        b = env.batch
        self.arrivals += 1
        self.batches[(b.boot_id, b.sequence)] = list(b.records)
        reply = pb.Envelope()
        reply.ack.probe_id = b.probe_id
        reply.ack.boot_id = b.boot_id
        reply.ack.sequence = b.sequence
        reply.ack.status = pb.Ack.STATUS_STORED
        self.sock.send_multipart([frames[0], reply.SerializeToString()])

    def stop(self):
        self.running = False
        self.thread.join()
        if self.sock is not None:
            self.sock.close()
        self.ctx.term()


def check_sequences(rx):
    boots = {}
    for boot, seq in rx.batches:
        boots.setdefault(boot, set()).add(seq)
    if len(boots) != 1:
        fail("expected one boot_id, got %d" % len(boots))
    seqs = next(iter(boots.values()))
    if seqs != set(range(1, max(seqs) + 1)):
        fail("sequence gaps: missing %s" % sorted(set(range(1, max(seqs) + 1)) - seqs)[:20])
    return len(seqs)


def received_records(rx):
    out = {}
    for recs in rx.batches.values():
        for r in recs:
            # Active-timeout records of one flow share its flow_id: key by first_seen too.
            k = (r.flow_id, r.first_seen_ns)
            if k in out and out[k] != r:
                fail("record %r carried twice with different contents" % (k,))
            out[k] = r
    return out


def ip_text(b):
    return socket.inet_ntop(socket.AF_INET if len(b) == 4 else socket.AF_INET6, b)


def main():
    require_built(PROBE)
    tmp = tempfile.mkdtemp(prefix="wireflow-zmq-")
    pcap = os.path.join(tmp, "flows.pcap")
    truth = make_capture(pcap)

    # ---- 1. one replay: complete sequences, records == dump == capture ----
    rx = Receiver()
    dump = os.path.join(tmp, "dump1.jsonl")
    p = run_probe(["--pcap", pcap, "--probe-id", "zmq-e2e", "--collector", "tcp://127.0.0.1:%d" % rx.port,
                   "--batch-records", "37", "--batch-ms", "50", "--linger-s", "10", "--dump-flows", dump])
    if p.returncode != 0:
        fail("probe exit %d: %s" % (p.returncode, p.stderr[-2000:]))
    time.sleep(0.2)
    rx.stop()
    if rx.bad:
        fail("%d undecodable messages" % rx.bad)
    nseq = check_sequences(rx)
    got = received_records(rx)
    dumped = read_jsonl(dump)
    if len(got) != len(dumped) or len(dumped) != len(truth):
        fail("records: received %d, dumped %d, in capture %d" % (len(got), len(dumped), len(truth)))
    for d in dumped:
        r = got.get((d["flow_id"], d["first_seen_ns"]))
        if r is None:
            fail("dumped flow %d never reached the receiver" % d["flow_id"])
        for f in ("c2s_packets", "c2s_bytes", "s2c_packets", "s2c_bytes", "first_seen_ns", "last_seen_ns",
                  "client_port", "server_port", "protocol", "c2s_tcp_flags", "s2c_tcp_flags"):
            if getattr(r, f) != d[f]:
                fail("flow %d field %s: received %r, dumped %r" % (d["flow_id"], f, getattr(r, f), d[f]))
        if ip_text(r.client_ip) != d["client_ip"] or ip_text(r.server_ip) != d["server_ip"]:
            fail("flow %d addresses differ" % d["flow_id"])
        key = (d["client_ip"], d["client_port"], d["server_ip"], d["server_port"], d["protocol"])
        if truth.get(key) != (d["c2s_packets"], d["c2s_bytes"], d["s2c_packets"], d["s2c_bytes"]):
            fail("flow %s: probe says %r, capture has %r" % (key, (d["c2s_packets"], d["c2s_bytes"],
                                                                    d["s2c_packets"], d["s2c_bytes"]), truth.get(key)))
    print("single replay: %d batches, %d records, all match" % (nseq, len(got)))

    # ---- 2. looping replay with the receiver away for a few seconds ----
    rx = Receiver()
    dump = os.path.join(tmp, "dump2.jsonl")
    args = EAL + ["--pcap", pcap, "--pcap-loop", "--duration", "8",
            "--idle-timeout", "1", "--probe-id", "zmq-e2e", "--collector", "tcp://127.0.0.1:%d" % rx.port,
            "--batch-records", "100", "--batch-ms", "50", "--linger-s", "30", "--dump-flows", dump]
    proc = subprocess.Popen([PROBE] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 30
    while rx.arrivals < 3 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    if rx.arrivals < 3:
        proc.kill()
        fail("no batches before the restart: %s" % proc.communicate()[1].decode(errors="replace")[-2000:])
    rx.pause()
    before = rx.arrivals
    time.sleep(3)
    rx.resume()
    try:
        _, err = proc.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        proc.kill()
        fail("probe did not stop")
    err = err.decode(errors="replace")
    if proc.returncode != 0 or sanitizer_report(err):
        fail("looping probe exit %d: %s" % (proc.returncode, err[-2000:]))
    time.sleep(0.2)
    rx.stop()
    nseq = check_sequences(rx)
    got = received_records(rx)
    dumped = read_jsonl(dump)
    missing = [d["flow_id"] for d in dumped if (d["flow_id"], d["first_seen_ns"]) not in got]
    if missing:
        fail("%d dumped records never arrived after the restart (e.g. %s)" % (len(missing), missing[:5]))
    if len(got) != len(dumped):
        fail("received %d records, dumped %d" % (len(got), len(dumped)))
    print("restart: %d batches (%d before the pause, %d arrivals incl. re-sends), %d records, none missing"
          % (nseq, before, rx.arrivals, len(got)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
