#pragma once
// Per-host, per-pool and per-network exceptions to a check's settings. One
// threshold per check suits most hosts, but not all: a backup server moves
// tens of GB a minute, a printer should move almost nothing, a DNS resolver
// answers a "flood" of queries all day. ntopng sets such thresholds per host,
// pool and network; so do we.
//
// Precedence, most specific first: the host's own override, then its pool's,
// then the longest matching network's, then the check's global settings. An
// override may change the switch, the threshold or both; what it leaves out
// comes from the next level.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "net/ip_address.hpp"
#include "net/ip_prefix.hpp"

namespace wireflow::collector::alert {

enum class check : std::uint8_t;
struct check_settings;

enum class override_scope : std::uint8_t { host, pool, network };

struct threshold_override {
    check applies_to{};
    override_scope scope{override_scope::host};
    net::ip_address host;      // scope host (any VLAN)
    std::string pool;          // scope pool: the pool's name
    net::ip_prefix network;    // scope network
    std::optional<bool> enabled;
    std::optional<double> threshold;

    friend bool operator==(const threshold_override&, const threshold_override&) = default;
};

// Bounded: the overrides are searched per host at each window close.
inline constexpr std::size_t max_overrides = 1000;

// What a host or pool is, for matching: `ip` null for a pool's own check.
struct override_subject {
    const net::ip_address* ip{nullptr};
    std::string_view pool;
};

// `global` adjusted by the overrides of check `c` that match `who`.
[[nodiscard]] check_settings effective_settings(const check_settings& global, check c,
                                                const std::vector<threshold_override>& overrides,
                                                const override_subject& who);

// True when some override names a pool: then every host's pool is looked up.
[[nodiscard]] bool any_pool_override(const std::vector<threshold_override>& overrides) noexcept;

// JSON: [{"check": "host_volume", "host": "10.0.0.5", "threshold": 5e10},
//        {"check": "dns_flood", "network": "10.0.53.0/24", "enabled": false},
//        {"check": "pool_volume", "pool": "servers", "threshold": 1e11}]
// Exactly one of host, pool, network; at least one of enabled, threshold.
[[nodiscard]] boost::json::array to_json(const std::vector<threshold_override>& overrides);
// Nothing and a one-line error for a malformed list (unknown check, two
// scopes, a bad address, a negative threshold, more than max_overrides).
[[nodiscard]] std::optional<std::vector<threshold_override>> parse_overrides(const boost::json::value& v,
                                                                             std::string& error);

}  // namespace wireflow::collector::alert
