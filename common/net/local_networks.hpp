#pragma once
// The networks whose hosts are "local" (ntopng's -m / --local-networks): the
// host table classifies hosts with it, the alert checks which side of a flow
// is ours. A linear scan: operators list a handful of networks.

#include "net/ip_prefix.hpp"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wireflow::net {

class local_networks {
public:
    local_networks() = default;
    explicit local_networks(std::vector<ip_prefix> nets) : nets_(std::move(nets)) {}

    // Comma-separated list, blanks around items allowed: "10.0.0.0/8, fd00::/8".
    // An empty text gives an empty list (nothing is local). Host bits set are
    // refused, with a reason in *error.
    [[nodiscard]] static std::optional<local_networks> parse(std::string_view text, std::string* error = nullptr);

    [[nodiscard]] bool contains(const ip_address& a) const noexcept {
        for (const auto& n : nets_)
            if (n.contains(a)) return true;
        return false;
    }
    [[nodiscard]] bool empty() const noexcept { return nets_.empty(); }
    [[nodiscard]] std::span<const ip_prefix> networks() const noexcept { return nets_; }

private:
    std::vector<ip_prefix> nets_;
};

}  // namespace wireflow::net
