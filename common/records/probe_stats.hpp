#pragma once
// A probe's periodic statistics (wireflow.v1.ProbeStats), protobuf-free. The
// probe's capture side fills ports and workers, its exporter the export
// counters, and the codec maps it to the message; the collector's decoder
// fills the same struct from the message, with the sender's identity, and the
// store keeps the latest per probe and a series.

#include <cstdint>
#include <string>
#include <vector>

namespace wireflow {

struct probe_port_stats {
    std::uint32_t port_id{0};
    std::string name;  // device name, e.g. net_pcap0: bounded, valid UTF-8 (the collector checks)
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
    std::uint64_t records_exported{0};  // handed to the worker's record ring
    std::uint64_t ring_full_drops{0};   // records the full ring refused
    std::uint64_t evictions{0};
};

struct probe_stats {
    // Identity: the collector fills it from the message; the probe's exporter
    // sends its own in the envelope and leaves these empty.
    std::string probe_id;
    std::uint64_t boot_id{0};
    std::uint64_t time_ns{0};
    std::vector<probe_port_stats> ports;
    std::vector<probe_worker_stats> workers;
    std::uint64_t batches_sent{0};
    std::uint64_t batches_acked{0};
    std::uint64_t batches_pending{0};  // sent or queued, not yet acknowledged (memory + spool)
    std::uint64_t export_drops{0};     // ring-full drops + buffer/spool-full drops + rejected records
    std::uint64_t last_sequence{0};
    std::uint64_t uptime_ns{0};
};

}  // namespace wireflow
