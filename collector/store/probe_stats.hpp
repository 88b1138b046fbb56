#pragma once
// A probe's periodic statistics (wireflow.v1 ProbeStats), protobuf-free, as the
// store writes them: the probes row keeps the latest, probe_stats keeps the series.

#include <cstdint>
#include <string>
#include <vector>

namespace wireflow::collector {

struct probe_port_stats {
    std::uint32_t port_id{0};
    std::string name;          // probe-reported device name: bounded, valid UTF-8 (ingest checks)
    std::uint64_t rx_packets{0};
    std::uint64_t rx_bytes{0};
    std::uint64_t imissed{0};
    std::uint64_t rx_nombuf{0};
    std::uint64_t ierrors{0};
};

struct probe_worker_stats {
    std::uint32_t worker{0};
    std::uint64_t packets{0};
    std::uint64_t ip_packets{0};
    std::uint64_t malformed_packets{0};
    std::uint64_t flows_active{0};
    std::uint64_t flows_created{0};
    std::uint64_t records_exported{0};
    std::uint64_t ring_full_drops{0};
    std::uint64_t evictions{0};
};

struct probe_stats {
    std::string probe_id;
    std::uint64_t boot_id{0};
    std::uint64_t time_ns{0};
    std::vector<probe_port_stats> ports;
    std::vector<probe_worker_stats> workers;
    std::uint64_t batches_sent{0};
    std::uint64_t batches_acked{0};
    std::uint64_t batches_pending{0};
    std::uint64_t export_drops{0};
    std::uint64_t last_sequence{0};
    std::uint64_t uptime_ns{0};
};

}  // namespace wireflow::collector
