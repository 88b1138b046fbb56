#pragma once
// Flows still in progress (issue 15): what a probe's interim report says and
// how the API asks for them. Plain data: ingest fills active_report, the
// active-flow table (collector/aggregate/active_flows) answers active_filter
// with flow_page rows whose `active` is true.

#include <cstdint>
#include <optional>
#include <string>

#include "model/flow_view.hpp"

namespace wireflow::collector {

// The envelope of one ActiveFlows message (its flows travel as a flow_batch).
struct active_report {
    std::uint64_t time_ns{0};       // when the probe read the counters
    std::uint32_t interval_ms{0};   // the probe's update period
};

// Stored flows sort by these too; throughput only exists for active ones
// (the rate between a flow's last two reports).
enum class active_sort : std::uint8_t { first_seen, last_seen, bytes, packets, throughput };

// The stored flows' filter (host, vlan, app, port, protocol, blacklisted, ja3,
// limit, offset, descending; its time fields are unused) plus what only
// live state can answer: the probe and the pool of either side.
struct active_filter {
    flow_filter base;
    active_sort sort{active_sort::throughput};
    std::string probe_id;              // empty: every probe
    std::optional<std::uint32_t> pool; // client or server in this pool (0: in none)
};

}  // namespace wireflow::collector
