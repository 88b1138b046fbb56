#pragma once
// One simulated probe: its own probe id, boot id, sequence numbers and ZeroMQ
// DEALER socket, speaking the probe's protocol (probe/export/exporter.cpp):
// every batch is kept until the collector acknowledges it (STORED or
// DUPLICATE), re-sent when no ack comes within the ack timeout, when the
// answer is BUSY, and at once when the connection is (re)established.
// Unlike the real probe it holds at most `window` unacknowledged batches, so
// it sends as fast as acks allow and no faster.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace wireflow::bench {

struct probe_settings {
    std::string endpoint;                      // tcp://HOST:PORT of the collector
    std::string probe_id;
    std::uint64_t boot_id{0};
    std::uint64_t seed{0};
    std::uint32_t hosts{20000};                // local clients
    unsigned batch_records{1000};
    unsigned window{8};                       // unacknowledged batches at most
    std::uint64_t max_batches{0};              // 0: until the deadline
    double batches_per_s{0};                   // 0: as fast as acks allow
    std::chrono::milliseconds ack_timeout{5000};      // the probe's defaults (exporter.hpp)
    std::chrono::milliseconds ack_timeout_max{30000};
    std::chrono::milliseconds sample_every{200};  // export-to-queryable samples
};

// A record whose visibility in PostgreSQL is timed.
struct visibility_sample {
    std::string probe_id;
    std::uint64_t boot_id;
    std::uint64_t flow_id;
    std::string client_ip;                     // raw bytes, 4 or 16
    std::uint64_t send_time_ns;                // the batch's first encoding (export)
};

struct probe_result {
    std::string probe_id;
    std::uint64_t boot_id{0};
    std::uint64_t batches_made{0};
    std::uint64_t records_made{0};             // flow ids 1..records_made
    std::uint64_t c2s_bytes_made{0};           // sum over the records: checked in the database
    std::uint64_t batches_sent{0};             // first sends
    std::uint64_t batches_resent{0};
    std::uint64_t acks_stored{0};
    std::uint64_t acks_duplicate{0};
    std::uint64_t acks_busy{0};
    std::uint64_t acks_rejected{0};
    std::uint64_t records_acked{0};
    std::uint64_t unacked_at_end{0};
    std::string first_reject_reason;
    std::vector<double> ack_latency_ms;        // first send to STORED/DUPLICATE, per batch
    std::chrono::steady_clock::time_point first_send{}, last_ack{};
};

// Runs the probe until it has made its batches (max_batches) or `produce_until`
// passed, then until everything is acknowledged or `drain_until` passed.
// `sample` receives a record every sample_every (called from this thread).
probe_result run_probe(const probe_settings& s, std::chrono::steady_clock::time_point produce_until,
                       std::chrono::steady_clock::time_point drain_until, const std::atomic<bool>& stop,
                       const std::function<void(visibility_sample)>& sample);

}  // namespace wireflow::bench
