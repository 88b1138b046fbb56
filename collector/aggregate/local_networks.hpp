#pragma once
// The networks whose hosts are "local" (ntopng's -m / --local-networks).
// Membership is tested once per new host, so a linear scan is enough.

#include "net/ip_prefix.hpp"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wireflow::collector::aggregate {

class local_networks {
public:
    local_networks() = default;
    explicit local_networks(std::vector<net::ip_prefix> nets) : nets_(std::move(nets)) {}

    // Comma-separated list, blanks around items allowed: "10.0.0.0/8, fd00::/8".
    // An empty text gives an empty list (nothing is local). Host bits set are
    // refused, with a reason in *error.
    [[nodiscard]] static std::optional<local_networks> parse(std::string_view text, std::string* error = nullptr);

    [[nodiscard]] bool contains(const net::ip_address& a) const noexcept {
        for (const auto& n : nets_)
            if (n.contains(a)) return true;
        return false;
    }
    [[nodiscard]] std::span<const net::ip_prefix> networks() const noexcept { return nets_; }

private:
    std::vector<net::ip_prefix> nets_;
};

}  // namespace wireflow::collector::aggregate
