#pragma once
// The span of record times the collector accepts, around its own clock.
//
// A record dated far in the future advances the host table's clock (record
// time) and ages every live host out at once; records far in the past or
// future land in the flows table's DEFAULT partition, which retention never
// drops. A batch with any record outside [now - max_age, now + max_future]
// is refused whole (REJECTED "time_window", counted), like any other invalid
// record: a probe with a broken clock is told at once rather than storing
// records at the wrong time.

#include <chrono>
#include <cstdint>
#include <span>

#include "model/flow_batch.hpp"

namespace wireflow::collector::ingest {

struct record_window {
    std::chrono::seconds max_future{600};         // probe clocks ahead of ours (NTP skew, batching delay)
    std::chrono::seconds max_age{30 * 86400};     // records older than this would be outside retention
};

// True when every record's first and last seen times lie in the window
// around now_ns (ns since the epoch, the collector's wall clock).
[[nodiscard]] bool records_in_window(std::span<const flow_record> rows, std::uint64_t now_ns,
                                     const record_window& w) noexcept;

}  // namespace wireflow::collector::ingest
