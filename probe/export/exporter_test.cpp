// The exporter against a real ZeroMQ ROUTER on 127.0.0.1 (no mock): delivery,
// acks, re-sends, receiver restarts, buffer overflow and the on-disk spool.
#include "export/exporter.hpp"

#include <unistd.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "export/test_eal.hpp"
#include "wireflow.pb.h"

using namespace wireflow::probe;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// A collector stand-in on a real ROUTER socket, in its own thread. `policy`
// decides per received batch whether (and how) to ack it.
class receiver {
public:
    using policy_fn = std::function<std::optional<wireflow::v1::Ack::Status>(const wireflow::v1::FlowBatch&)>;

    // A non-empty `curve_secret` (Z85) makes it a CURVE server (RFC 26; no ZAP
    // handler, so any client key is admitted).
    explicit receiver(policy_fn policy = {}, std::string curve_secret = {})
        : policy_(std::move(policy)), curve_secret_(std::move(curve_secret)) {
        bind("tcp://127.0.0.1:*");
        thread_ = std::jthread([this](std::stop_token st) { loop(st); });
    }
    ~receiver() {
        thread_.request_stop();
        thread_.join();
    }

    [[nodiscard]] std::string endpoint() const { return endpoint_; }

    // Closes the socket (a collector restart) for `pause`, then binds again.
    void restart(std::chrono::milliseconds pause) {
        {
            std::lock_guard lk(mu_);
            sock_.reset();
        }
        std::this_thread::sleep_for(pause);
        std::lock_guard lk(mu_);
        open(endpoint_);
    }
    void close() {
        std::lock_guard lk(mu_);
        sock_.reset();
    }
    void reopen() {
        std::lock_guard lk(mu_);
        open(endpoint_);
    }

    struct seen {
        std::vector<std::uint64_t> arrivals;               // sequence numbers in arrival order
        std::map<std::pair<std::uint64_t, std::uint64_t>, wireflow::v1::FlowBatch> batches;  // (boot, seq)
        std::uint64_t stats_messages{0};
        std::uint64_t bad_messages{0};
        wireflow::v1::ProbeStats last_stats;
    };
    seen snapshot() {
        std::lock_guard lk(mu_);
        return seen_;
    }

    // Waits until `pred(snapshot)` holds or the deadline passes.
    bool wait_for(const std::function<bool(const seen&)>& pred, std::chrono::milliseconds limit = 20s) {
        const auto end = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < end) {
            if (pred(snapshot())) return true;
            std::this_thread::sleep_for(10ms);
        }
        return pred(snapshot());
    }

private:
    void bind(const std::string& ep) {
        open(ep);
        endpoint_ = sock_->get(zmq::sockopt::last_endpoint);
    }
    void open(const std::string& ep) {
        sock_ = std::make_unique<zmq::socket_t>(ctx_, zmq::socket_type::router);
        sock_->set(zmq::sockopt::linger, 0);
        if (!curve_secret_.empty()) {
            sock_->set(zmq::sockopt::curve_server, 1);
            sock_->set(zmq::sockopt::curve_secretkey, curve_secret_);
        }
        sock_->bind(ep);
    }

    void loop(std::stop_token st) {
        while (!st.stop_requested()) {
            {
                std::lock_guard lk(mu_);
                if (sock_) pump();
            }
            std::this_thread::sleep_for(1ms);
        }
    }

    void pump() {
        for (;;) {
            std::vector<zmq::message_t> frames;
            if (!zmq::recv_multipart(*sock_, std::back_inserter(frames), zmq::recv_flags::dontwait)) return;
            if (frames.size() < 2) continue;
            wireflow::v1::Envelope env;
            // Catch2 assertions are not thread-safe: count bad messages, check them in the test.
            if (!env.ParseFromArray(frames.back().data(), static_cast<int>(frames.back().size()))) {
                ++seen_.bad_messages;
                continue;
            }
            if (env.has_stats()) {
                ++seen_.stats_messages;
                seen_.last_stats = env.stats();
                continue;
            }
            if (!env.has_batch()) {
                ++seen_.bad_messages;
                continue;
            }
            const auto& b = env.batch();
            seen_.arrivals.push_back(b.sequence());
            seen_.batches[{b.boot_id(), b.sequence()}] = b;
            auto status = policy_ ? policy_(b) : std::optional{wireflow::v1::Ack::STATUS_STORED};
            if (!status) continue;
            wireflow::v1::Envelope reply;
            auto* ack = reply.mutable_ack();
            ack->set_probe_id(b.probe_id());
            ack->set_boot_id(b.boot_id());
            ack->set_sequence(b.sequence());
            ack->set_status(*status);
            const std::string bytes = reply.SerializeAsString();
            std::array<zmq::const_buffer, 2> out{zmq::buffer(frames.front().data(), frames.front().size()),
                                                 zmq::buffer(bytes)};
            (void)zmq::send_multipart(*sock_, out, zmq::send_flags::dontwait);
        }
    }

    policy_fn policy_;
    std::string curve_secret_;
    zmq::context_t ctx_{1};
    std::unique_ptr<zmq::socket_t> sock_;
    std::string endpoint_;
    std::mutex mu_;
    seen seen_;
    std::jthread thread_;
};

std::string unique_name(const char* base) {
    static int n = 0;
    return std::string(base) + std::to_string(++n);
}

flow_record make_record(std::uint64_t id) {
    flow_record r{};
    r.flow_id = id;
    r.ip_version = 4;
    r.protocol = 17;
    r.client.ip = {10, 0, 0, 1};
    r.server.ip = {10, 0, 0, 2};
    r.client.port = static_cast<std::uint16_t>(1024 + id % 60000);
    r.server.port = 53;
    r.c2s_packets = 1;
    r.c2s_bytes = id;
    r.first_seen_ns = id;
    r.last_seen_ns = id + 1;
    r.reason = end_reason::idle_timeout;
    return r;
}

// Pushes ids [from, to) into the ring, waiting for room (the test is the worker).
void push_range(record_ring& ring, std::uint64_t from, std::uint64_t to) {
    for (std::uint64_t id = from; id < to; ++id) {
        while (ring.free_count() == 0) std::this_thread::sleep_for(100us);
        REQUIRE(ring.try_push(make_record(id)));
    }
}

exporter_config test_config(const std::string& ep) {
    exporter_config c;
    c.probe_id = "test-probe";
    c.collector = ep;
    c.batch_records = 10;
    c.batch_ms = 20ms;
    c.buffer_batches = 4096;
    c.stats_interval = 0ms;
    c.linger = 5s;
    c.ack_timeout = 200ms;
    c.ack_timeout_max = 800ms;
    return c;
}

// Every sequence 1..n of `boot` present, and the flow ids they carry are
// exactly [0, records) with c2s_bytes == flow_id.
void check_complete(const receiver::seen& s, std::uint64_t boot, std::uint64_t records) {
    CHECK(s.bad_messages == 0);
    std::set<std::uint64_t> ids;
    std::uint64_t bytes = 0, expect_bytes = 0, max_seq = 0;
    for (const auto& [key, b] : s.batches) {
        if (key.first != boot) continue;
        max_seq = std::max(max_seq, key.second);
        CHECK(b.schema_version() == wireflow::v1::SCHEMA_VERSION_1);
        CHECK(b.probe_id() == "test-probe");
        CHECK(b.send_time_ns() > 0);
        for (const auto& r : b.records()) {
            CHECK(ids.insert(r.flow_id()).second);
            bytes += r.c2s_bytes();
        }
    }
    for (std::uint64_t i = 0; i < records; ++i) expect_bytes += i;
    std::uint64_t batches_of_boot = 0;
    for (const auto& [key, b] : s.batches) batches_of_boot += key.first == boot;
    CHECK(batches_of_boot == max_seq);  // no gaps: 1..max_seq all present
    CHECK(ids.size() == records);
    CHECK((ids.empty() || (*ids.begin() == 0 && *ids.rbegin() == records - 1)));
    CHECK(bytes == expect_bytes);
}


}  // namespace

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

TEST_CASE("with no spool a full buffer drops whole batches and counts each record", "[exporter]") {
    testing::ensure_eal();
    record_ring ring(unique_name("ex_drop"), 4096);
    receiver rx([](const auto&) { return std::nullopt; });  // never acks
    auto cfg = test_config(rx.endpoint());
    cfg.buffer_batches = 5;
    cfg.batch_records = 10;
    cfg.batch_ms = 10s;  // only full batches
    cfg.linger = 300ms;
    exporter ex(cfg, {&ring}, {});
    push_range(ring, 0, 120);  // 12 batches: 5 kept, 7 dropped
    REQUIRE(rx.wait_for([&](const auto&) { return ex.counters().records_exported == 120; }));
    ex.stop();
    const auto c = ex.counters();
    CHECK(c.last_sequence == 12);
    CHECK(c.buffer_drops == 70);
    CHECK(c.export_drops == 70);
    CHECK(c.unacknowledged_batches == 5);
    CHECK(c.unacknowledged_records == 50);
    CHECK(c.batches_acked == 0);
}

TEST_CASE("with a spool nothing is dropped and spooled batches are re-sent in order", "[exporter]") {
    testing::ensure_eal();
    const fs::path dir = fs::temp_directory_path() / ("wireflow-spool-" + std::to_string(::getpid()) + "-a");
    fs::remove_all(dir);
    record_ring ring(unique_name("ex_spool"), 4096);
    receiver rx;
    rx.close();  // collector down from the start
    auto cfg = test_config(rx.endpoint());
    cfg.buffer_batches = 4;
    cfg.spool_dir = dir.string();
    cfg.batch_ms = 10s;
    exporter ex(cfg, {&ring}, {});
    push_range(ring, 0, 400);  // 40 batches: 4 in memory, 36 on disk
    REQUIRE(rx.wait_for([&](const auto&) { return ex.counters().batches_spooled == 36; }));
    CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 36);
    rx.reopen();
    REQUIRE(rx.wait_for([&](const auto&) { return ex.counters().batches_pending == 0; }));
    ex.stop();
    const auto s = rx.snapshot();
    check_complete(s, ex.boot_id(), 400);
    // First arrival of each sequence is in increasing order.
    std::set<std::uint64_t> first;
    std::uint64_t prev = 0;
    for (auto seq : s.arrivals) {
        if (!first.insert(seq).second) continue;
        CHECK(seq > prev);
        prev = seq;
    }
    CHECK(ex.counters().export_drops == 0);
    CHECK(fs::is_empty(dir));  // acked batches leave the spool
    fs::remove_all(dir);
}

TEST_CASE("a spool left by a previous exporter is re-sent first with its original identity", "[exporter]") {
    testing::ensure_eal();
    const fs::path dir = fs::temp_directory_path() / ("wireflow-spool-" + std::to_string(::getpid()) + "-b");
    fs::remove_all(dir);
    record_ring ring(unique_name("ex_prev"), 4096);
    receiver rx;
    rx.close();
    std::uint64_t old_boot = 0;
    {
        auto cfg = test_config(rx.endpoint());
        cfg.spool_dir = dir.string();
        cfg.linger = 200ms;
        exporter first(cfg, {&ring}, {});
        old_boot = first.boot_id();
        push_range(ring, 0, 95);  // 10 batches, last one partial
        first.stop();             // no collector: unacked batches go to the spool
        CHECK(first.counters().unacknowledged_batches == 0);
        CHECK(first.counters().batches_spooled == 10);
    }
    rx.reopen();
    auto cfg = test_config(rx.endpoint());
    cfg.spool_dir = dir.string();
    exporter second(cfg, {&ring}, {});
    CHECK(second.boot_id() != old_boot);
    REQUIRE(rx.wait_for([&](const auto& s) { return s.batches.size() >= 10; }));
    push_range(ring, 1000, 1010);
    second.stop();
    const auto s = rx.snapshot();
    check_complete(s, old_boot, 95);
    CHECK(s.batches.count({second.boot_id(), 1}) == 1);
    CHECK(s.arrivals.front() == 1);
    CHECK(fs::is_empty(dir));
    fs::remove_all(dir);
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
