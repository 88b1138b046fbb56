#pragma once
// A probe as the collector sees it: ports, counters, up/down (plain data;
// collector/app/probes_view computes it, the REST API shows it).

#include <cstdint>
#include <string>
#include <vector>

namespace wireflow::collector {

struct probe_port_view {
    std::uint32_t port_id{0};
    std::string name;
    std::uint64_t rx_packets{0}, rx_bytes{0};
    std::uint64_t nic_drops{0};  // imissed + rx_nombuf + ierrors
};

struct probe_view {
    std::string probe_id;
    std::uint64_t boot_id{0};
    bool up{false};
    std::uint64_t last_seen_ns{0};     // collector's wall clock when the latest stats arrived
    std::uint64_t stats_interval_ns{0};  // estimated; 0 until two reports arrived
    std::uint64_t uptime_ns{0};
    std::vector<probe_port_view> ports;
    std::uint64_t packets{0};          // sum over ports (NIC rx_packets)
    std::uint64_t bytes{0};
    std::uint64_t nic_drops{0};        // sum over ports
    std::uint64_t export_drops{0};     // records the probe could not export: ring full + exporter drops
    std::uint64_t flows_active{0};
    std::uint64_t sequence_gaps{0};
    std::uint64_t batches_pending{0};  // the probe's unacknowledged batches (memory + spool) at its last report
    std::uint64_t batches_stored{0};   // this boot, seen by this collector run
};

}  // namespace wireflow::collector
