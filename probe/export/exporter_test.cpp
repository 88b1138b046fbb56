// The exporter against a real ZeroMQ ROUTER on 127.0.0.1 (no mock): delivery,
// acks, re-sends, receiver restarts, rejects, stats, the dump file and CURVE.
#include "export/exporter_test_support.hpp"

using namespace wireflow::probe;
using namespace wireflow::probe::exporter_test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

TEST_CASE("batches arrive with sequence 1..N and carry every pushed record", "[exporter]") {
    testing::ensure_eal();
    record_ring r1(unique_name("ex_ok_a"), 1024), r2(unique_name("ex_ok_b"), 1024);
    receiver rx;
    exporter ex(test_config(rx.endpoint()), {&r1, &r2}, {});
    push_range(r1, 0, 500);
    push_range(r2, 500, 1003);
    REQUIRE(rx.wait_for([](const auto& s) {
        std::size_t n = 0;
        for (const auto& [k, b] : s.batches) n += b.records_size();
        return n == 1003;
    }));
    ex.stop();
    const auto s = rx.snapshot();
    check_complete(s, ex.boot_id(), 1003);
    CHECK(s.batches.begin()->first.second == 1);
    const auto c = ex.counters();
    CHECK(c.records_exported == 1003);
    CHECK(c.batches_acked == c.last_sequence);
    CHECK(c.batches_pending == 0);
    CHECK(c.export_drops == 0);
    CHECK(c.unacknowledged_batches == 0);
}

TEST_CASE("a batch whose ack is withheld or answered BUSY is re-sent until acknowledged", "[exporter]") {
    testing::ensure_eal();
    record_ring ring(unique_name("ex_resend"), 1024);
    std::map<std::uint64_t, int> times;
    std::mutex mu;
    receiver rx([&](const wireflow::v1::FlowBatch& b) -> std::optional<wireflow::v1::Ack::Status> {
        std::lock_guard lk(mu);
        const int n = ++times[b.sequence()];
        if (b.sequence() % 3 == 0 && n == 1) return std::nullopt;  // lost ack
        if (b.sequence() % 5 == 0 && n == 1) return wireflow::v1::Ack::STATUS_BUSY;
        return wireflow::v1::Ack::STATUS_STORED;
    });
    exporter ex(test_config(rx.endpoint()), {&ring}, {});
    push_range(ring, 0, 200);
    ex.stop();
    const auto s = rx.snapshot();
    check_complete(s, ex.boot_id(), 200);
    const auto c = ex.counters();
    CHECK(c.batches_acked == c.last_sequence);
    CHECK(c.batches_resent >= c.last_sequence / 3);
    std::lock_guard lk(mu);
    for (auto [seq, n] : times) {
        if (seq % 3 == 0 || seq % 5 == 0) {
            CHECK(n >= 2);
        }
    }
}

TEST_CASE("after the receiver restarts mid-stream every unacknowledged batch arrives", "[exporter]") {
    testing::ensure_eal();
    record_ring ring(unique_name("ex_restart"), 4096);
    receiver rx;
    auto cfg = test_config(rx.endpoint());
    cfg.ack_timeout = 300ms;
    exporter ex(cfg, {&ring}, {});
    push_range(ring, 0, 300);
    REQUIRE(rx.wait_for([](const auto& s) { return s.batches.size() >= 10; }));
    rx.restart(1500ms);  // collector down for 1.5 s while records keep coming
    push_range(ring, 300, 900);
    rx.restart(500ms);
    push_range(ring, 900, 1000);
    REQUIRE(rx.wait_for([&](const auto&) {
        const auto c = ex.counters();
        return c.records_exported == 1000 && c.batches_pending == 0;
    }));
    ex.stop();
    check_complete(rx.snapshot(), ex.boot_id(), 1000);
    CHECK(ex.counters().export_drops == 0);
}

TEST_CASE("a REJECTED batch is dropped, counted and not re-sent", "[exporter]") {
    testing::ensure_eal();
    record_ring ring(unique_name("ex_rej"), 1024);
    receiver rx([](const wireflow::v1::FlowBatch& b) {
        return std::optional{b.sequence() == 2 ? wireflow::v1::Ack::STATUS_REJECTED : wireflow::v1::Ack::STATUS_STORED};
    });
    auto cfg = test_config(rx.endpoint());
    cfg.batch_ms = 10s;
    exporter ex(cfg, {&ring}, {});
    push_range(ring, 0, 50);
    ex.stop();
    const auto c = ex.counters();
    CHECK(c.batches_rejected == 1);
    CHECK(c.rejected_records == 10);
    CHECK(c.export_drops == 10);
    CHECK(c.batches_acked == 4);
    std::size_t twos = 0;
    for (auto seq : rx.snapshot().arrivals) twos += seq == 2;
    CHECK(twos == 1);
}

TEST_CASE("stats are sent periodically and at stop with the capture side's counters", "[exporter]") {
    testing::ensure_eal();
    record_ring ring(unique_name("ex_stats"), 64);
    receiver rx;
    auto cfg = test_config(rx.endpoint());
    cfg.stats_interval = 100ms;
    int calls = 0;
    exporter ex(cfg, {&ring}, [&](probe_stats& s) {
        ++calls;
        s.ports.push_back({0, "net_pcap0", 42, 4200, 0, 0, 0});
        s.workers.push_back({0, 42, 40, 2, 1, 3, 3, 0, 0});
    });
    flow_record r = make_record(1);
    while (ring.try_push(r)) {}  // fill it: one push is refused and counted
    REQUIRE(rx.wait_for([](const auto& s) { return s.stats_messages >= 2; }));
    ex.stop();
    const auto s = rx.snapshot();
    CHECK(s.last_stats.probe_id() == "test-probe");
    CHECK(s.last_stats.boot_id() == ex.boot_id());
    CHECK(s.last_stats.schema_version() == wireflow::v1::SCHEMA_VERSION_1);
    REQUIRE(s.last_stats.ports_size() == 1);
    CHECK(s.last_stats.ports(0).rx_packets() == 42);
    REQUIRE(s.last_stats.workers_size() == 1);
    CHECK(s.last_stats.workers(0).flows_created() == 3);
    CHECK(s.last_stats.export_drops() == 1);  // the refused push
    CHECK(s.last_stats.last_sequence() == ex.counters().last_sequence);
    CHECK(calls >= 2);
}

TEST_CASE("with collector none records go to the dump file and count as exported", "[exporter]") {
    testing::ensure_eal();
    const fs::path dump = fs::temp_directory_path() / ("wireflow-dump-" + std::to_string(::getpid()) + ".jsonl");
    record_ring ring(unique_name("ex_dump"), 1024);
    exporter_config cfg;
    cfg.collector = "none";
    cfg.probe_id = "dumper";
    cfg.dump_flows = dump.string();
    exporter ex(cfg, {&ring}, {});
    push_range(ring, 0, 300);
    ex.stop();
    CHECK(ex.counters().records_exported == 300);
    CHECK(ex.counters().batches_sent == 0);
    std::ifstream in(dump);
    std::string line;
    std::uint64_t n = 0;
    while (std::getline(in, line)) {
        const auto j = boost::json::parse(line).as_object();
        CHECK(j.at("probe_id").as_string() == "dumper");
        CHECK(j.at("flow_id").to_number<std::uint64_t>() == n);
        CHECK(j.at("end_reason").as_string() == "idle_timeout");
        ++n;
    }
    CHECK(n == 300);
    fs::remove(dump);
}

TEST_CASE("with CURVE keys the exporter reaches a CURVE receiver; without them or with a wrong server key nothing arrives",
          "[exporter]") {
    testing::ensure_eal();
    char server_pub[41], server_sec[41], client_pub[41], client_sec[41];
    REQUIRE(zmq_curve_keypair(server_pub, server_sec) == 0);
    REQUIRE(zmq_curve_keypair(client_pub, client_sec) == 0);
    receiver rx({}, server_sec);

    auto curve_config = [&](const char* server_key) {
        auto c = test_config(rx.endpoint());
        c.curve_server_key = server_key;
        c.curve_public_key = client_pub;
        c.curve_secret_key = client_sec;
        return c;
    };
    {
        record_ring ring(unique_name("ex_curve_ok"), 1024);
        exporter ex(curve_config(server_pub), {&ring}, {});
        push_range(ring, 0, 95);
        ex.stop();
        check_complete(rx.snapshot(), ex.boot_id(), 95);
        const auto c = ex.counters();
        CHECK(c.batches_acked == c.last_sequence);
        CHECK(c.unacknowledged_batches == 0);
    }
    const auto refused = [&](exporter_config cfg, const char* ring_name) {
        cfg.linger = 300ms;
        record_ring ring(unique_name(ring_name), 1024);
        exporter ex(std::move(cfg), {&ring}, {});
        push_range(ring, 0, 50);
        ex.stop();
        const auto s = rx.snapshot();
        for (const auto& [key, b] : s.batches) CHECK(key.first != ex.boot_id());
        const auto c = ex.counters();
        CHECK(c.batches_acked == 0);
        CHECK(c.unacknowledged_records == 50);
    };
    refused(test_config(rx.endpoint()), "ex_curve_plain");  // NULL mechanism against a CURVE server
    refused(curve_config(client_pub), "ex_curve_wrong");   // the server cannot decrypt our HELLO
}

