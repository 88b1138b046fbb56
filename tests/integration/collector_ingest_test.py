"""wireflow-collector end to end with a real PostgreSQL: every record a
probe-like DEALER sends is stored once, field by field; re-sent batches are
acked DUPLICATE and stored once; malformed, wrong-version and oversized
messages are rejected (acked REJECTED when their identity is readable) and
counted by reason, while the good batches around them are stored."""
import os
import shutil
import tempfile
import time

from flow_batches import HOSTILE, Sender, as_bigint, envelope_bytes, make_batch, status_name
from harness import COLLECTOR, Cluster, Collector, require_built

import wireflow_pb2 as pb

PROBE = "probe-ingest.1"
BOOT = 0xC0FFEE0123456789   # above 2^63: stored bit-for-bit
N_BATCHES = 40
N_RECORDS = 120


def main():
    require_built(COLLECTOR)
    tmp = tempfile.mkdtemp(prefix="wf-ingest-test-")
    with Cluster() as pg:
        dsn = pg.create_database("wfingest")
        col = Collector(dsn, os.path.join(tmp, "data"), extra=["--max-message-mb=1"]).start()
        try:
            run(pg, dsn, col)
        except BaseException:
            print(col.log_text())
            raise
        finally:
            if col.proc:
                col.kill()
    shutil.rmtree(tmp, ignore_errors=True)
    print("ok")


def acks_by_seq(acks):
    out = {}
    for a in acks:
        out.setdefault(a.sequence, []).append(status_name(a.status))
    return out


def run(pg, dsn, col):
    s = Sender(col.endpoint)
    batches = [make_batch(PROBE, BOOT, seq, N_RECORDS) for seq in range(1, N_BATCHES + 1)]

    # 1. Good batches, with malformed ones interleaved.
    bad_version = make_batch(PROBE, BOOT, 1001, 3)
    bad_version.schema_version = 2
    bad_ip = make_batch(PROBE, BOOT, 1002, 3)
    bad_ip.records[1].client_ip = b"\x01\x02\x03"
    # Python refuses invalid UTF-8 in a str field: patch the encoded bytes.
    marker = "M" * 24
    bad_utf8 = make_batch(PROBE, BOOT, 1003, 3)
    bad_utf8.records[2].server_name = marker
    bad_utf8_bytes = envelope_bytes(bad_utf8).replace(marker.encode(), b"\xff\xfe" * 12)
    oversized = make_batch(PROBE, BOOT, 1004, 3)
    for r in oversized.records:
        r.server_name = "x" * 255
    per_record = oversized.records[0].ByteSize() + 3
    oversized.records.extend([oversized.records[0]] * (1_300_000 // per_record))
    assert 1 << 20 < oversized.ByteSize() < 2 << 20   # > --max-message-mb=1, < the 2 MiB hard limit
    bad_probe = make_batch("bad probe id", BOOT, 1005, 1)

    malformed = {
        5: lambda: s.send_raw(b"\xff\xff\xff garbage that is not protobuf \x00\x01"),
        10: lambda: s.send(bad_version),
        15: lambda: s.send(bad_ip),
        20: lambda: s.send_raw(bad_utf8_bytes),
        25: lambda: s.send(oversized),
        30: lambda: s.send(bad_probe),
        35: lambda: s.send_raw(pb.Envelope(ack=pb.Ack(probe_id=PROBE, sequence=1)).SerializeToString()),
    }
    for i, b in enumerate(batches, start=1):
        s.send(b)
        if i in malformed:
            malformed[i]()
    # Far beyond the hard limit (2 x --max-message-mb): ZeroMQ drops that
    # connection; the collector must not notice otherwise.
    huge = Sender(col.endpoint)
    huge.send_raw(b"\x0a" + b"\xff" * (3 << 20))
    # 40 good + 4 rejected with identity (version, ip, utf8, oversized).
    acks = acks_by_seq(s.wait_acks(N_BATCHES + 4, timeout=60))
    for seq in range(1, N_BATCHES + 1):
        assert acks.get(seq) == ["STATUS_STORED"], (seq, acks.get(seq))
    for seq in (1001, 1002, 1003, 1004):
        assert acks.get(seq) == ["STATUS_REJECTED"], (seq, acks.get(seq))
    reasons = {a.sequence: a.reason for a in s.acks if a.status == pb.Ack.STATUS_REJECTED}
    assert reasons == {1001: "schema_version", 1002: "ip_length", 1003: "bad_utf8", 1004: "oversized"}, reasons

    # 2. Records in == records stored: count, sums, identities.
    expect_records = N_BATCHES * N_RECORDS
    expect_bytes = sum(r.c2s_bytes + r.s2c_bytes for b in batches for r in b.records)
    expect_pkts = sum(r.c2s_packets + r.s2c_packets for b in batches for r in b.records)
    row = pg.query(dsn, "SELECT count(*), sum(c2s_bytes + s2c_bytes), sum(c2s_packets + s2c_packets), "
                        "count(DISTINCT (probe_id, boot_id, flow_id, first_seen_ns)) FROM flows")[0]
    assert [int(x) for x in row] == [expect_records, expect_bytes, expect_pkts, expect_records], row
    assert pg.query(dsn, "SELECT count(*) FROM ingested_batches")[0] == [str(N_BATCHES)]
    assert pg.query(dsn, "SELECT count(*) FROM flows WHERE batch_seq > 1000")[0] == ["0"]

    # 3. Field by field for a sample (every 7th record).
    sample = [(b, r) for b in batches for i, r in enumerate(b.records) if i % 7 == 0][:120]
    ids = ",".join(str(r.flow_id) for _, r in sample)
    rows = pg.query(dsn,
        "SELECT probe_id, boot_id, batch_seq, flow_id, first_seen_ns, last_seen_ns, vlan, ip_version, protocol, "
        "host(client_ip), client_port, host(server_ip), server_port, c2s_packets, c2s_bytes, s2c_packets, "
        "s2c_bytes, c2s_tcp_flags, s2c_tcp_flags, end_reason, coalesce(client_mac::text, ''), "
        "coalesce(server_mac::text, ''), app_protocol, master_protocol, app_name, app_category, server_name, "
        f"flow_risk FROM flows WHERE flow_id IN ({ids}) ORDER BY flow_id")
    assert len(rows) == len(sample), (len(rows), len(sample))
    import ipaddress
    for (b, r), got in zip(sorted(sample, key=lambda x: x[1].flow_id), rows):
        mac = lambda m: ":".join(f"{x:02x}" for x in m)
        want = [PROBE, as_bigint(BOOT), b.sequence, r.flow_id, r.first_seen_ns, r.last_seen_ns, r.vlan,
                r.ip_version, r.protocol, str(ipaddress.ip_address(r.client_ip)), r.client_port,
                str(ipaddress.ip_address(r.server_ip)), r.server_port, r.c2s_packets, r.c2s_bytes, r.s2c_packets,
                r.s2c_bytes, r.c2s_tcp_flags, r.s2c_tcp_flags, r.end_reason, mac(r.client_mac),
                mac(r.server_mac), r.app_protocol, r.master_protocol, r.app_name, r.app_category, r.server_name,
                r.flow_risk]
        assert [str(x) for x in want] == got, (want, got)
    names = {x[0] for x in pg.query(dsn, "SELECT DISTINCT server_name FROM flows")}
    assert names == set(HOSTILE), names
    assert pg.query(dsn, "SELECT count(*) FROM pg_tables WHERE tablename = 'flows'")  # still there

    # 4. Re-sent batches: acked DUPLICATE, stored once.
    before = len(s.acks)
    for b in batches[:10]:
        s.send(b)
    acks = s.wait_acks(before + 10)[before:]
    assert sorted(a.sequence for a in acks) == list(range(1, 11))
    assert {status_name(a.status) for a in acks} == {"STATUS_DUPLICATE"}, acks
    assert pg.query(dsn, "SELECT count(*) FROM flows")[0] == [str(expect_records)]

    # 5. Probe stats are stored.
    st = pb.Envelope()
    st.stats.schema_version = pb.SCHEMA_VERSION_1
    st.stats.probe_id = PROBE
    st.stats.boot_id = BOOT
    st.stats.time_ns = 1_700_000_100_000_000_000
    st.stats.last_sequence = N_BATCHES
    s.send_raw(st.SerializeToString())
    s.send(make_batch(PROBE, BOOT, N_BATCHES + 1, 1))   # a batch after it: its ack means the stats were handled
    s.wait_acks(before + 11)

    # 6. Segments of the flows table (schema v10): the collector seals what
    # the migration listed (flows_default, where these 2023 records went:
    # its host b-trees) and opens today's segment ahead of time; a batch of
    # today stored once the segment has started lands in it.
    deadline = time.monotonic() + 30
    today = "'flows_p' || to_char(now() AT TIME ZONE 'UTC', 'YYYYMMDD')"
    while True:
        segment = pg.query(dsn, f"SELECT coalesce(min(name), '-') FROM flow_segments WHERE day = {today}"
                                " AND sealed_at IS NULL AND starts < clock_timestamp() AND ends > now()")[0][0]
        sealed = pg.query(dsn, "SELECT count(*) FROM flow_segments WHERE name = 'flows_default'"
                               " AND sealed_at IS NOT NULL")[0][0]
        if segment != "-" and sealed == "1":
            break
        assert time.monotonic() < deadline, (segment, sealed)
        time.sleep(0.2)
    assert pg.query(dsn, "SELECT count(*) FROM pg_indexes WHERE tablename = 'flows_default'"
                         " AND indexname IN ('flows_default_client', 'flows_default_server')")[0] == ["2"]
    s.send(make_batch(PROBE, BOOT, N_BATCHES + 2, 30, t0_ns=time.time_ns() - 5 * 10**9))
    s.wait_acks(before + 12)
    assert pg.query(dsn, f"SELECT count(*) FROM {segment} WHERE batch_seq = {N_BATCHES + 2}")[0] == ["30"]

    # 7. SIGTERM: exit 0 and report the counters.
    col.stop_clean()
    c = col.counters()
    assert c["batches_stored"] == N_BATCHES + 2, c
    assert c["records_stored"] == expect_records + 1 + 30, c
    assert c["batches_duplicate"] == 10, c
    for reason in ("undecodable", "schema_version", "ip_length", "bad_utf8", "oversized", "probe_id",
                   "unexpected_message"):
        assert c["batches_rejected_" + reason] == 1, (reason, c)
    assert c["rejected_unacked"] == 3, c       # garbage, bad probe id, an Ack sent to the collector
    assert c["sequence_repeats"] == 10, c
    # Every accepted batch came from protobuf's serializer: all of them took
    # the wire-format fast path (the rejected ones were read by the generated parser).
    assert c["batches_read_fast"] == c["batches_received"] == N_BATCHES + 2 + 10, c
    assert c["probe_stats_stored"] == 1, c
    assert pg.query(dsn, "SELECT count(*) FROM probe_stats")[0] == ["1"]
    s.close()
    huge.close()


if __name__ == "__main__":
    main()
