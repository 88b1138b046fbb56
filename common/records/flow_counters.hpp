#pragma once
// What a bidirectional flow record counts: its time span and each
// direction's packets and bytes (wireflow.v1.FlowRecord fields 9-14). The
// probe's flow_record and the collector's flow_record both start with it, so
// the one list of counters is written once; both stay trivially copyable.

#include <cstdint>

namespace wireflow {

struct flow_counters {
    std::uint64_t first_seen_ns{0};  // first packet of this record
    std::uint64_t last_seen_ns{0};   // last packet of this record
    std::uint64_t c2s_packets{0};
    std::uint64_t c2s_bytes{0};      // L3 bytes client to server
    std::uint64_t s2c_packets{0};
    std::uint64_t s2c_bytes{0};
    friend bool operator==(const flow_counters&, const flow_counters&) = default;
};

}  // namespace wireflow
