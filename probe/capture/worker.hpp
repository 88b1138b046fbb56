#pragma once
// A capture worker: one lcore, its RX queues, its flow table, its DPI state,
// its export ring and its counters. Nothing on the packet path is shared with
// another thread except the counters (one writer, read by the control plane)
// and the single-producer ring.
//
// End of a replayed file: net_pcap returns empty bursts at end of file, but
// also whenever it has nothing ready, so an empty burst alone proves nothing.
// The worker knows from libpcap (capture_file.hpp) how many packets the file
// holds and stops once it has received that many, counting packets the PMD
// dropped for want of an mbuf (rx_nombuf) as received. A grace period of idle
// polls (offline_idle_grace_ms) without progress ends the run anyway, so a
// file that libpcap and the PMD read differently cannot hang the probe.

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "dissect/link_type.hpp"
#include "dissect/packet_summary.hpp"
#include "flow/flow_table.hpp"

struct rte_mbuf;

namespace wireflow::probe {

class record_ring;
class dpi_engine;

// One writer (the worker), read racily by the control plane: relaxed atomics
// written with load+store, never a locked read-modify-write.
struct alignas(64) worker_counters {
    std::atomic<std::uint64_t> packets{0};
    std::atomic<std::uint64_t> bytes{0};
    std::array<std::atomic<std::uint64_t>, parse_status_count> by_status{};  // ok = IP packets
    std::atomic<std::uint64_t> records{0};        // handed to the ring (pushed or dropped)
    std::atomic<std::uint64_t> flows_created{0};
    std::atomic<std::uint64_t> flows_active{0};
    std::atomic<std::uint64_t> evictions{0};
    std::atomic<std::uint64_t> updates{0};        // interim flow updates pushed to the update ring
    std::atomic<std::uint64_t> update_drops{0};   // ... refused: update ring full
};

[[nodiscard]] inline std::uint64_t count_of(const worker_counters& c, parse_status s) noexcept {
    return c.by_status[static_cast<std::size_t>(s)].load(std::memory_order_relaxed);
}

// Every reason except ok and not_ip.
[[nodiscard]] inline std::uint64_t malformed_of(const worker_counters& c) noexcept {
    std::uint64_t sum = 0;
    for (std::size_t r = 0; r < parse_status_count; ++r) sum += c.by_status[r].load(std::memory_order_relaxed);
    return sum - count_of(c, parse_status::ok) - count_of(c, parse_status::not_ip);
}

struct rx_target {
    std::uint16_t port;
    std::uint16_t queue;
};

// What one run polls. Set by the control plane while the worker is stopped.
struct worker_job {
    std::vector<rx_target> targets;
    link_type link{link_type::ethernet};
    bool offline{false};                 // replayed file read once: packet time, end-of-file detection
    bool wait_for_ring{false};           // replayed file (also looped): back-pressure instead of drops
    std::uint64_t expected_packets{0};   // offline: packets in the file
    int timestamp_offset{-1};            // mbuf dynfield with the PMD's RX timestamp (net_pcap: microseconds)
    std::uint64_t timestamp_flag{0};     // ol_flags bit saying the field is valid
    std::uint64_t timestamp_unit_ns{1000};
};

inline constexpr unsigned offline_idle_grace_ms = 2000;

// Interim updates of live flows (issue 15; live capture only, a replayed file
// has no wall clock to report against): every flow once per period, the
// walk spread over the period like the timeout sweep, and never more than
// max_per_s flows a second. They go to a ring of their own, so they never
// take room from final records.
struct worker_updates {
    record_ring* ring{nullptr};              // null: no interim updates
    std::uint64_t period_ns{5'000'000'000};
    std::uint64_t max_per_s{25'000};         // this worker's share of --flow-update-max-rate
};

class worker {
public:
    // Allocates the flow table and scratch space (setup time; may throw).
    worker(std::uint16_t index, const flow_table_config& table, record_ring& ring, dpi_engine* dpi,
           worker_updates updates = {});
    ~worker();
    worker(const worker&) = delete;
    worker& operator=(const worker&) = delete;

    void assign(worker_job job);

    // Polls until `stop` is set or, offline, the file is exhausted; then
    // exports every live flow. Runs on the worker's lcore; never throws.
    void run(const std::atomic<bool>& stop) noexcept;

    [[nodiscard]] const worker_counters& counters() const noexcept { return counters_; }
    [[nodiscard]] std::uint16_t index() const noexcept { return index_; }

    struct sink;
    struct update_feed;
    struct burst;

private:
    void process_burst(rte_mbuf** pkts, std::uint16_t n, std::uint64_t now_ns) noexcept;
    void publish() noexcept;
    void sweep(std::uint64_t now_ns) noexcept;
    void report(std::uint64_t now_ns) noexcept;
    static constexpr std::uint32_t max_sweep_slice = 4096;   // slots per poll at most: keeps one poll short

    std::uint16_t index_;
    flow_table table_;
    record_ring& ring_;
    dpi_engine* dpi_;
    std::unique_ptr<sink> sink_;
    worker_updates updates_;
    std::unique_ptr<update_feed> update_feed_;
    std::uint64_t last_report_ns_{0};   // the report walk's position in time, as last_sweep_ns_
    std::uint64_t token_ns_{0};
    double tokens_{0};                  // flows that may still be reported (max_per_s a second)
    worker_job job_;
    std::vector<std::byte> scratch_;   // multi-segment frames of a burst are linearised here
    std::unique_ptr<burst> burst_;     // a burst's frames, summaries and lookups: made once, not per burst
    std::uint64_t sweep_ns_;           // the whole table is swept once per this period
    std::uint64_t last_sweep_ns_{0};
    std::uint64_t last_ts_ns_{0};
    worker_counters counters_;
};

// Wall-clock nanoseconds from the TSC, calibrated once: no syscall per burst.
class tsc_clock {
public:
    tsc_clock();
    [[nodiscard]] std::uint64_t now_ns() const noexcept;

private:
    std::uint64_t tsc0_;
    std::uint64_t wall0_ns_;
    double ns_per_tick_;
};

}  // namespace wireflow::probe
