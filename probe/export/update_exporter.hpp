#pragma once
// Interim flow updates (issue 15): a thread of its own that drains the
// workers' update rings and sends wireflow.v1 ActiveFlows messages on a
// DEALER connection of its own to the collector.
//
// Lossy by design, and kept apart from the exporter so that it can never
// slow the at-least-once path of final records: its own rings (a full ring
// drops the update, counted), its own socket (a collector that is away or
// not reading fills this connection's queue, not the batches'), no acks, no
// buffer, no spool. The collector forgets a flow that stops being reported.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "export/collector_link.hpp"
#include "export/record_ring.hpp"

namespace wireflow::probe {

struct update_exporter_config {
    std::string probe_id{"probe"};
    collector_endpoint collector;            // the exporter's address and CURVE keys
    std::chrono::milliseconds interval{5000};  // the workers' report period, told to the collector
    unsigned flows_per_message{1000};
};

struct update_exporter_counters {
    std::uint64_t messages_sent{0};
    std::uint64_t flows_sent{0};
    std::uint64_t flows_dropped{0};   // their message could not be queued (collector away, queue full)
};

class update_exporter {
public:
    // The rings must outlive it. Starts the thread; throws std::runtime_error
    // when the socket cannot be set up.
    update_exporter(update_exporter_config cfg, std::vector<record_ring*> rings, std::uint64_t boot_id);
    ~update_exporter();  // stop()
    update_exporter(const update_exporter&) = delete;
    update_exporter& operator=(const update_exporter&) = delete;

    // Stops the thread; what is still in the rings is not sent (the final
    // records, on the exporter's path, say the rest). Idempotent.
    void stop();

    [[nodiscard]] update_exporter_counters counters() const noexcept;

private:
    void run();
    void send(std::string& bytes, unsigned flows);

    update_exporter_config cfg_;
    std::vector<record_ring*> rings_;
    std::uint64_t boot_id_;
    std::unique_ptr<collector_link> link_;
    std::atomic<bool> stop_{false};
    std::atomic<std::uint64_t> messages_sent_{0}, flows_sent_{0}, flows_dropped_{0};
    std::jthread thread_;
};

}  // namespace wireflow::probe
