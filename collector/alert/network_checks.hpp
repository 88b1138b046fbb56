#pragma once
// The local network's checks: its own services and addresses.
//  - unexpected_{dns,ntp,smtp,dhcp}_server: a host answering as a DNS, NTP,
//    SMTP or DHCP server that is not on the operator's allow-list for that
//    service (a rogue resolver or DHCP server, a spam relay). A service with
//    an empty list is not checked: the operator names the servers first.
//  - ip_mac_change: a local address seen behind another MAC than before, on
//    the same probe and VLAN (ARP or neighbour-discovery spoofing, or an
//    address moved by DHCP: the alert names both MACs).
// One-shot, like the flow checks.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "alert/alert_types.hpp"
#include "alert/finding.hpp"
#include "net/local_networks.hpp"
#include "model/flow_batch.hpp"
#include "net/mac_address.hpp"

namespace wireflow::collector::alert {

using net::local_networks;

// Servers: DNS (UDP or TCP 53), NTP (UDP 123), SMTP (TCP 25, 465, 587),
// DHCP (UDP 67), judged when they answered (sent packets back).
// Local address -> the MAC last seen with it, per probe and VLAN. Bounded:
// once full, new addresses are not learned (counted by the caller).
class address_bindings {
public:
    static constexpr std::size_t max_entries = 1'000'000;
    // The MAC seen before with (probe, vlan, ip) when it differs from `mac`;
    // learns `mac` either way.
    std::optional<net::mac_address> learn(std::string_view probe_id, std::uint16_t vlan, const net::ip_address& ip,
                                          const net::mac_address& mac);
    [[nodiscard]] std::size_t size() const noexcept { return macs_.size(); }

private:
    std::unordered_map<std::string, net::mac_address> macs_;  // key: probe|vlan|address bytes
};

// Findings of one stored flow for the unexpected-server and IP/MAC checks.
[[nodiscard]] std::vector<finding> network_findings(const flow_record& r, const std::string& probe_id,
                                                    const alert_preferences& p, const local_networks& local,
                                                    address_bindings& bindings);

}  // namespace wireflow::collector::alert
