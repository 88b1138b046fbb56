#pragma once
// The flow checks: one stored flow at a time, raised once per (type, entity)
// per quiet period: blacklisted contact, nDPI flow risk, new device, long-lived
// and elephant flows, remote-to-local insecure protocols.

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "alert/alert_types.hpp"
#include "alert/finding.hpp"
#include "net/local_networks.hpp"
#include "store/flow_batch.hpp"

namespace wireflow::collector::alert {

// The operator's local networks: which side of a flow is ours.
using net::local_networks;

// MACs seen on a local network (restored from PostgreSQL, bounded).
class known_devices {
public:
    static constexpr std::size_t max_macs = 1'000'000;
    // True when `mac` is new and now known; false when known or the table is full.
    bool learn(const std::string& mac);
    [[nodiscard]] std::size_t size() const noexcept { return macs_.size(); }

private:
    std::unordered_set<std::string> macs_;
};

// "client -> server [@vlan]": the entity id of a flow in alerts.
[[nodiscard]] std::string flow_entity(const flow_row& r);

// Findings of one stored flow for the enabled flow checks; learns new MACs.
[[nodiscard]] std::vector<finding> flow_findings(const flow_row& r, const std::string& probe_id,
                                                 const alert_preferences& p, const local_networks& local,
                                                 known_devices& devices);

}  // namespace wireflow::collector::alert
