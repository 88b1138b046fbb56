#pragma once
// The operator's allow-lists of the local network's servers, per service
// (DNS, NTP, SMTP, DHCP): the unexpected-server checks (network_checks.hpp)
// raise an alert for any other host answering as one. A service with an
// empty list is not checked: the operator names the servers first, as in
// ntopng's "allowed servers" preferences.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "net/ip_prefix.hpp"

namespace wireflow::collector::alert {

enum class service : std::uint8_t { dns, ntp, smtp, dhcp };
inline constexpr std::size_t service_count = 4;
[[nodiscard]] std::string_view to_string(service s) noexcept;

struct allowed_servers {
    std::array<std::vector<net::ip_prefix>, service_count> lists;
    static constexpr std::size_t max_per_service = 1000;

    [[nodiscard]] const std::vector<net::ip_prefix>& operator[](service s) const noexcept {
        return lists[static_cast<std::size_t>(s)];
    }
    friend bool operator==(const allowed_servers&, const allowed_servers&) = default;
};

// {"dns": ["10.0.0.53/32", "10.1.0.0/24"], "ntp": [], "smtp": [], "dhcp": []}
[[nodiscard]] boost::json::object to_json(const allowed_servers& a);
// Only the services named change (each list replaced whole); addresses or
// prefixes; nothing and a one-line error when malformed.
[[nodiscard]] std::optional<allowed_servers> apply_json(const allowed_servers& base, const boost::json::value& v,
                                                        std::string& error);

}  // namespace wireflow::collector::alert
