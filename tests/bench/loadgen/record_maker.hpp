#pragma once
// Realistic flow records for the load generator: many hosts (a few busy ones,
// a long tail), the port/protocol/application mix of an office uplink, times
// around now. Every record carries its identity in flow_id (1, 2, 3 ... per
// simulated probe), which is what the database check counts.

#include <cstdint>
#include <random>

#include "wireflow.pb.h"

namespace wireflow::bench {

class record_maker {
public:
    // `seed` differs per simulated probe; `hosts` is the number of local clients.
    record_maker(std::uint64_t seed, std::uint32_t hosts);

    // Fills r as a flow that ended just before now_ns.
    void fill(wireflow::v1::FlowRecord& r, std::uint64_t flow_id, std::uint64_t now_ns);

private:
    std::uint32_t pick_client();

    std::mt19937_64 rng_;
    std::uint32_t hosts_;
};

}  // namespace wireflow::bench
