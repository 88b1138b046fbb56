#pragma once
// The probe application: owns the EAL, the mbuf pool, the ports, the workers
// (each with its flow table, DPI engine and export ring) and the exporter, in
// that order of construction, and runs either the replayed capture files one
// after another or the live ports until a signal or --duration.
//
// Setup errors throw (main turns them into one line and exit 1); a capture
// file that cannot be read or has a link type the dissector does not know is
// reported on stderr, skipped, and makes the exit status 1.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "capture/capture_file.hpp"
#include "config/probe_options.hpp"
#include "dissect/link_type.hpp"
#include "export/exporter.hpp"
#include "export/update_exporter.hpp"

namespace wireflow::probe {

class eal_session;
class mbuf_pool;
class capture_port;
class record_ring;
class dpi_engine;
class worker;

// What became of one --pcap file.
enum class capture_status : std::uint8_t {
    pending,     // inspected, not replayed yet
    ok,          // replayed
    refused,     // a link type the dissector does not know
    unreadable,  // libpcap could not open it
    error,       // the capture device could not be created
};

[[nodiscard]] std::string_view name(capture_status s) noexcept;

// One replayed file, inspected before the EAL starts.
struct capture_job {
    capture_file_info info;
    std::optional<link_type> link;
    capture_status status{capture_status::pending};
};

class probe_app {
public:
    // `signalled` is set by the SIGINT/SIGTERM handler: the run stops, the
    // workers export every live flow, the exporter drains.
    probe_app(probe_config cfg, const std::atomic<bool>& signalled);
    ~probe_app();
    probe_app(const probe_app&) = delete;
    probe_app& operator=(const probe_app&) = delete;

    // The exit status: 0, or 1 when a capture file was refused or failed.
    int run();

private:
    // Interim flow updates (issue 15): live ports with a collector and a period.
    [[nodiscard]] bool updates_wanted() const noexcept {
        return cfg_.pcaps.empty() && cfg_.collector != "none" && cfg_.flow_update_s > 0;
    }
    static constexpr unsigned update_ring_records = 1u << 13;
    void inspect_captures();
    struct pool_size {
        unsigned mbufs;
        std::uint16_t data_room;
    };
    [[nodiscard]] pool_size mbufs_needed(unsigned n_workers) const;
    void setup_workers();
    // Launches the workers that have a job, waits until they finish or a stop
    // is requested (signal, --duration), returns true if the run was stopped.
    bool run_workers(const std::vector<unsigned>& which);
    void run_captures();
    void run_live_ports();
    void fill_stats(probe_stats& s);
    void retire_port(std::unique_ptr<capture_port>& p);
    void write_summary() const;

    probe_config cfg_;
    const std::atomic<bool>& signalled_;
    std::vector<capture_job> captures_;
    // Declaration order is destruction order reversed: the exporter (whose
    // callback reads ports and counters) goes first, then workers, rings,
    // ports (their RX queues hold mbufs), the pool, and the EAL last.
    std::unique_ptr<eal_session> eal_;
    std::unique_ptr<mbuf_pool> pool_;
    mutable std::mutex ports_mu_;        // control plane only: ports vs. the exporter's stats callback
    std::vector<std::unique_ptr<capture_port>> ports_;
    std::uint64_t retired_nic_drops_{0};
    std::vector<std::unique_ptr<record_ring>> rings_;
    std::vector<std::unique_ptr<record_ring>> update_rings_;  // interim updates, one per worker (live only)
    std::vector<std::unique_ptr<dpi_engine>> dpi_;   // one per worker; outlives it
    std::vector<std::unique_ptr<worker>> workers_;
    std::vector<unsigned> lcores_;       // worker i runs on lcores_[i]
    std::unique_ptr<exporter> exporter_;
    std::unique_ptr<update_exporter> updates_;   // destroyed before the rings it drains
    exporter_counters export_counters_{};

    std::atomic<bool> stop_workers_{false};
    std::chrono::steady_clock::time_point started_{};
    double elapsed_s_{0};
    double rx_s_{0};   // workers running on captures: elapsed less port set-up (an in-memory file loads there)
};

}  // namespace wireflow::probe
