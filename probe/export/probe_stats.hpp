#pragma once
// Plain counters the capture side hands to the exporter for a ProbeStats
// message (wireflow.v1.ProbeStats). No protobuf here: the codec maps it.

#include <cstdint>
#include <string>
#include <vector>

namespace wireflow::probe {

struct port_stats {
    std::uint32_t port_id{0};
    std::string name;              // device name, e.g. net_pcap0
    std::uint64_t rx_packets{0};
    std::uint64_t rx_bytes{0};
    std::uint64_t imissed{0};
    std::uint64_t rx_nombuf{0};
    std::uint64_t ierrors{0};
};

struct worker_stats {
    std::uint32_t worker{0};
    std::uint64_t packets{0};
    std::uint64_t ip_packets{0};
    std::uint64_t malformed_packets{0};
    std::uint64_t flows_active{0};
    std::uint64_t flows_created{0};
    std::uint64_t records_exported{0};   // handed to the worker's record_ring
    std::uint64_t ring_full_drops{0};    // record_ring::full_drops()
    std::uint64_t evictions{0};
};

// The capture side fills ports and workers (stats callback); the exporter
// fills the export fields and the identity before encoding.
struct probe_stats {
    std::vector<port_stats> ports;
    std::vector<worker_stats> workers;
    std::uint64_t batches_sent{0};
    std::uint64_t batches_acked{0};
    std::uint64_t batches_pending{0};    // sent or queued, not yet acknowledged (memory + spool)
    std::uint64_t export_drops{0};       // ring-full drops + buffer/spool-full drops + rejected records
    std::uint64_t last_sequence{0};
    std::uint64_t uptime_ns{0};
    std::uint64_t time_ns{0};
};

}  // namespace wireflow::probe
