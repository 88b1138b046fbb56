#pragma once
// The exporter thread: drains every worker's record_ring, batches records into
// wireflow.v1 FlowBatch envelopes, sends them over one ZeroMQ DEALER socket and
// keeps each batch until the collector acknowledges it (at-least-once; the
// collector de-duplicates by (probe_id, boot_id, sequence)). Optional on-disk
// spool when the memory buffer is full, periodic ProbeStats, --dump-flows.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "export/probe_stats.hpp"
#include "export/record_ring.hpp"

namespace wireflow::probe {

struct exporter_config {
    std::string probe_id{"probe"};
    std::string collector{"none"};          // "tcp://HOST:PORT" or "none" (no socket)
    unsigned batch_records{1000};            // a batch is sent when it holds this many records
    std::chrono::milliseconds batch_ms{1000};  // ... or when its first record is this old
    std::size_t buffer_batches{4096};        // unacknowledged batches kept in memory
    std::string spool_dir;                   // empty: no spool
    std::uint64_t spool_max_mb{1024};
    std::chrono::milliseconds stats_interval{10000};  // 0: only the final ProbeStats
    std::chrono::milliseconds linger{10000};          // wait for acks at stop()
    std::string dump_flows;                  // empty: none; else one JSON line per record
    std::chrono::milliseconds ack_timeout{5000};      // re-send when no ack; doubles per attempt
    std::chrono::milliseconds ack_timeout_max{30000};
    // CURVE (RFC 26), all three Z85 or all empty: the DEALER is a CURVE client
    // of the collector whose public key is curve_server_key; the collector's
    // ZAP handler admits only allow-listed probe public keys.
    std::string curve_server_key;
    std::string curve_public_key;
    std::string curve_secret_key;
    [[nodiscard]] bool curve_enabled() const noexcept { return !curve_server_key.empty(); }
};

// Counters readable from any thread (relaxed snapshot).
struct exporter_counters {
    std::uint64_t records_exported{0};   // records taken from the rings and batched (or dumped with collector none)
    std::uint64_t batches_sent{0};       // first sends
    std::uint64_t batches_resent{0};
    std::uint64_t batches_acked{0};      // STORED or DUPLICATE
    std::uint64_t batches_rejected{0};
    std::uint64_t batches_pending{0};    // memory + spool
    std::uint64_t batches_spooled{0};    // written to the spool
    std::uint64_t ring_full_drops{0};    // sum of record_ring::full_drops()
    std::uint64_t buffer_drops{0};       // records dropped: memory buffer and spool full
    std::uint64_t rejected_records{0};   // records in REJECTED batches
    std::uint64_t export_drops{0};       // ring_full_drops + buffer_drops + rejected_records
    std::uint64_t unacknowledged_batches{0};  // left unacked at stop() with no spool
    std::uint64_t unacknowledged_records{0};
    std::uint64_t last_sequence{0};
    std::uint64_t disconnects{0};        // connections to the collector lost (or dropped by ZeroMQ: oversized message)
};

class exporter {
public:
    // Fills ports/workers of a probe_stats; called on the exporter thread.
    using stats_source = std::function<void(probe_stats&)>;

    // The rings must outlive the exporter. Setup errors (bad spool dir, bad
    // endpoint, unwritable dump file) throw std::runtime_error. Starts the thread.
    exporter(exporter_config cfg, std::vector<record_ring*> rings, stats_source stats);
    ~exporter();  // stop() if not done
    exporter(const exporter&) = delete;
    exporter& operator=(const exporter&) = delete;

    // Call after the workers have stopped and flushed into their rings: drains
    // the rings, sends the last batch, waits up to `linger` for acks, spools or
    // reports (one stderr line) what is still unacknowledged, sends the final
    // ProbeStats, joins the thread. Idempotent.
    void stop();

    [[nodiscard]] exporter_counters counters() const noexcept;
    [[nodiscard]] std::uint64_t boot_id() const noexcept { return boot_id_; }

    struct impl;  // exporter.cpp

private:
    std::uint64_t boot_id_;
    std::unique_ptr<impl> impl_;
    std::jthread thread_;
};

}  // namespace wireflow::probe
