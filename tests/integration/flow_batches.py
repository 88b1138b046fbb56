"""Wire batches for the collector tests: deterministic FlowBatch messages
(hostile strings, IPv4/IPv6, VLANs, MACs) and a DEALER sender that reads acks.
Starting the collector is tests/support/harness.py's."""
import random
import time

import zmq

import wireflow_pb2 as pb

# Hostile but valid strings the store must keep verbatim.
HOSTILE = ["'; DROP TABLE flows; --", 'quo"te\\back\\slash', "caf\u00e9.\u4f8b\u3048.jp", "\U0001F600.example",
           "a$$b%%c", "plain.example.com"]


def make_record(rng, flow_id, t0_ns):
    r = pb.FlowRecord()
    r.flow_id = flow_id
    r.vlan = rng.choice([0, 0, 10, 4095])
    if rng.random() < 0.7:
        r.ip_version = 4
        r.client_ip = bytes([10, rng.randrange(256), rng.randrange(256), rng.randrange(1, 255)])
        r.server_ip = bytes([192, 0, 2, rng.randrange(1, 255)])
    else:
        r.ip_version = 6
        r.client_ip = b"\x20\x01\x0d\xb8" + bytes(rng.randrange(256) for _ in range(12))
        r.server_ip = b"\xfe\x80" + bytes(13) + bytes([rng.randrange(1, 255)])
    r.protocol = rng.choice([6, 17, 1, 47])
    r.client_port = rng.randrange(1024, 65536)
    r.server_port = rng.choice([53, 80, 443, 8443])
    r.first_seen_ns = t0_ns + rng.randrange(10**9)
    r.last_seen_ns = r.first_seen_ns + rng.randrange(10**10)
    r.c2s_packets = rng.randrange(1, 1000)
    r.c2s_bytes = r.c2s_packets * rng.randrange(40, 1500)
    r.s2c_packets = rng.randrange(0, 1000)
    r.s2c_bytes = r.s2c_packets * rng.randrange(40, 1500)
    r.c2s_tcp_flags = rng.randrange(256)
    r.s2c_tcp_flags = rng.randrange(256)
    r.end_reason = rng.randrange(7)
    if rng.random() < 0.5:
        r.client_mac = bytes(rng.randrange(256) for _ in range(6))
    r.app_protocol = rng.randrange(400)
    r.master_protocol = rng.randrange(400)
    r.app_name = rng.choice(["TLS.YouTube", "DNS", "HTTP", "Unknown"])
    r.app_category = rng.choice(["Media", "Network", "Web", ""])
    r.server_name = rng.choice(HOSTILE)
    r.flow_risk = rng.randrange(1 << 40)
    return r


def batch_header(probe_id, boot_id, seq, t0_ns):
    """An empty FlowBatch with its identity, sent at t0 + seq seconds."""
    b = pb.FlowBatch()
    b.schema_version = pb.SCHEMA_VERSION_1
    b.probe_id = probe_id
    b.boot_id = boot_id
    b.sequence = seq
    b.send_time_ns = t0_ns + seq * 10**9
    return b


def make_batch(probe_id, boot_id, seq, n_records, t0_ns=1_700_000_000_000_000_000):
    """Deterministic per (probe, boot, seq): a re-sent batch is byte-identical."""
    rng = random.Random(f"{probe_id}/{boot_id}/{seq}")
    b = batch_header(probe_id, boot_id, seq, t0_ns)
    for i in range(n_records):
        b.records.append(make_record(rng, seq * 100_000 + i, t0_ns + seq * 10**9))
    return b


def envelope_bytes(batch):
    e = pb.Envelope()
    e.batch.CopyFrom(batch)
    return e.SerializeToString()


class Sender:
    def __init__(self, endpoint, ctx=None):
        self.ctx = ctx or zmq.Context.instance()
        self.sock = self.ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.setsockopt(zmq.SNDHWM, 100000)
        self.sock.connect(endpoint)
        self.acks = []   # Ack messages in arrival order

    def send_raw(self, data):
        self.sock.send(data, zmq.NOBLOCK)

    def send(self, batch):
        self.send_raw(envelope_bytes(batch))

    def poll_acks(self, timeout_ms):
        got = []
        if self.sock.poll(timeout_ms, zmq.POLLIN):
            while True:
                try:
                    data = self.sock.recv(zmq.NOBLOCK)
                except zmq.Again:
                    break
                e = pb.Envelope()
                e.ParseFromString(data)
                assert e.HasField("ack"), "collector sent something other than an Ack"
                got.append(e.ack)
        self.acks.extend(got)
        return got

    def wait_acks(self, n, timeout=30.0):
        """Waits until at least n acks in total arrived; returns all of them."""
        deadline = time.monotonic() + timeout
        while len(self.acks) < n and time.monotonic() < deadline:
            self.poll_acks(100)
        assert len(self.acks) >= n, f"only {len(self.acks)} of {n} acks within {timeout}s"
        return self.acks

    def close(self):
        self.sock.close()


def status_name(s):
    return pb.Ack.Status.Name(s)


def as_bigint(u64):
    """The store keeps uint64 bit-for-bit in bigint columns."""
    return u64 - (1 << 64) if u64 >= (1 << 63) else u64



# What nDPI reads of the application layer (FlowRecord 47-49), for the
# collector's checks, store and REST view of those details.
JA3_CLIENT = "e7d705a3286e19ea42f587b344ee6865"
JA3_SERVER = "f4febc55ea12b31ae17cfb7e614afda8"
HOSTILE_SUBJECT = "CN=\"><img src=x onerror=alert(1)>, O='; DROP TABLE flows; --\\ caf\u00e9\u0001"
CERT_SHA1 = bytes(range(0xa0, 0xb4))


def make_details_batch(probe_id, boot_id, seq, t0_ns=1_700_000_000_000_000_000):
    """Three records: a TLS 1.3 flow with its certificate (a hostile subject),
    a plain-HTTP flow, and one nDPI read nothing of. Their other fields come
    from make_record (deterministic per seq); app names are make_record's."""
    rng = random.Random(f"details/{probe_id}/{boot_id}/{seq}")
    b = batch_header(probe_id, boot_id, seq, t0_ns)
    for i in range(3):
        r = make_record(rng, seq * 100_000 + i, t0_ns + seq * 10**9)
        b.records.append(r)
    tls = b.records[0]
    tls.protocol, tls.server_port, tls.app_name = 6, 443, "TLS.YouTube"
    tls.dpi_confidence = pb.DPI_CONFIDENCE_DPI
    tls.tls.version = 0x0304
    tls.tls.ja3_client = JA3_CLIENT
    tls.tls.ja3_server = JA3_SERVER
    tls.tls.alpn = "h2,http/1.1"
    tls.tls.cert_subject = HOSTILE_SUBJECT
    tls.tls.cert_issuer = "C=US, O=Let's Encrypt, CN=R3"
    tls.tls.cert_not_before_s = 1_690_000_000
    tls.tls.cert_not_after_s = 1_697_776_000   # expired before the flow (1.7e9): the dashboard marks it
    tls.tls.cert_sha1 = CERT_SHA1
    web = b.records[1]
    web.protocol, web.server_port, web.app_name = 6, 80, "HTTP"
    web.dpi_confidence = pb.DPI_CONFIDENCE_MATCH_BY_PORT
    web.http.method = "GET"
    web.http.url = "www.example.com/search?q=<script>alert(1)</script>"
    web.http.user_agent = "Mozilla/5.0 \"quoted\" \u20ac"
    web.http.response_code = 404
    plain = b.records[2]
    plain.ClearField("dpi_confidence")
    plain.ClearField("tls")
    plain.ClearField("http")
    return b
