#pragma once
// The probes/interfaces view for the REST API: every probe that sent
// statistics, with its ports and counters and an up/down state.
//
// Up/down uses the collector's clock, not the probe's: `observe()` (called by
// the maintenance thread every few seconds) notes when each probe's latest
// ProbeStats changed. A probe is down when nothing new arrived for
// max(3 x its statistics interval, 30 s); the interval is estimated from the
// probe's own timestamps of two consecutive reports (until two arrived, 30 s
// applies). Three missed reports rather than one: one late report on a busy
// network is not an outage.
//
// Sequence gaps: batch sequence numbers of the probe's current boot that are
// not stored (yet): highest stored sequence - distinct batches stored. The
// database thread reports each stored batch through on_stored() (never a
// duplicate), so this counts batches lost or still waiting in the probe.

#include "ingest/collector_stats.hpp"
#include "model/probe_view.hpp"
#include "model/flow_batch.hpp"
#include "model/probe_stats.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace wireflow::collector::app {

class probes_view {
public:
    static constexpr std::chrono::seconds min_down_after{30};

    explicit probes_view(const ingest::probe_registry& registry) : registry_(registry) {}

    // Database thread: one stored (not duplicate) batch.
    void on_stored(const flow_batch& b);
    // Maintenance thread: look for new ProbeStats (now = system clock).
    void observe(std::chrono::system_clock::time_point now = std::chrono::system_clock::now());
    // Ordered by probe id.
    [[nodiscard]] std::vector<probe_view> list(std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) const;

private:
    struct seen {
        std::uint64_t boot_id{0}, time_ns{0}, prev_time_ns{0};
        std::uint64_t received_ns{0};
    };
    struct sequences {
        std::uint64_t boot_id{0}, highest{0}, stored{0};
    };
    const ingest::probe_registry& registry_;
    mutable std::mutex mutex_;
    std::map<std::string, seen, std::less<>> seen_;
    std::map<std::string, sequences, std::less<>> sequences_;
};

}  // namespace wireflow::collector::app
