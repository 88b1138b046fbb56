#pragma once
// Test support for the exporter tests: a collector stand-in on a real ZeroMQ
// ROUTER on 127.0.0.1 (no mock), records and checks.

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

#include "export/exporter.hpp"
#include "export/test_eal.hpp"
#include "wireflow.pb.h"

namespace wireflow::probe::exporter_test {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

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

inline std::string unique_name(const char* base) {
    static int n = 0;
    return std::string(base) + std::to_string(++n);
}

inline flow_record make_record(std::uint64_t id) {
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
inline void push_range(record_ring& ring, std::uint64_t from, std::uint64_t to) {
    for (std::uint64_t id = from; id < to; ++id) {
        while (ring.free_count() == 0) std::this_thread::sleep_for(100us);
        REQUIRE(ring.try_push(make_record(id)));
    }
}

inline exporter_config test_config(const std::string& ep) {
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
inline void check_complete(const receiver::seen& s, std::uint64_t boot, std::uint64_t records) {
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


}  // namespace wireflow::probe::exporter_test
