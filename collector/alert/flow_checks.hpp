#pragma once
// The flow checks: one stored flow at a time, raised once per (type, entity)
// per quiet period: blacklisted contact, nDPI flow risk, new device, long-lived
// and elephant flows, remote-to-local insecure protocols.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "alert/alert_types.hpp"
#include "alert/finding.hpp"
#include "net/local_networks.hpp"
#include "net/mac_address.hpp"
#include "model/flow_batch.hpp"

namespace wireflow::collector::alert {

// The operator's local networks: which side of a flow is ours.
using net::local_networks;

// MACs seen on a local network (restored from PostgreSQL, bounded).
class known_devices {
public:
    static constexpr std::size_t max_macs = 1'000'000;
    // True when `mac` is new and now known; false when known or the table is full.
    bool learn(const net::mac_address& mac);
    [[nodiscard]] std::size_t size() const noexcept { return macs_.size(); }

private:
    std::unordered_set<std::uint64_t> macs_;   // the 6 bytes as a number
};

// "client -> server [@vlan]": the entity id of a flow in alerts.
[[nodiscard]] std::string flow_entity(const flow_record& r);

// Findings of one stored flow `r` of batch `b` (its probe, its blacklist
// labels) for the enabled flow checks; learns new MACs.
[[nodiscard]] std::vector<finding> flow_findings(const flow_batch& b, const flow_record& r,
                                                 const alert_preferences& p, const local_networks& local,
                                                 known_devices& devices);

}  // namespace wireflow::collector::alert
