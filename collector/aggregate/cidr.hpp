#pragma once
// An IP prefix (RFC 4632 CIDR notation for IPv4, RFC 4291 section 2.3 for
// IPv6) and the local-networks list (ntopng's -m / --local-networks).

#include "address.hpp"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wireflow::collector::aggregate {

struct cidr {
    ip_address network;    // host bits are zero
    std::uint8_t prefix{0};

    // "10.0.0.0/8", "2001:db8::/32", or a bare address (a /32 or /128).
    // Rejects host bits set ("10.0.0.1/8"), prefixes longer than the family
    // allows, and anything that is not exactly that form. On failure returns
    // nullopt and, when error is given, a one-line reason naming the input.
    [[nodiscard]] static std::optional<cidr> parse(std::string_view text, std::string* error = nullptr);

    [[nodiscard]] bool contains(const ip_address& a) const noexcept {
        return a.family == network.family && a.masked(prefix) == network;
    }
    // "10.0.0.0/8"; a full-length prefix prints as the bare address.
    [[nodiscard]] std::string to_string() const;

    friend bool operator==(const cidr&, const cidr&) = default;
};

// The networks whose hosts are "local". Membership is tested once per new
// host, so a linear scan is enough.
class local_networks {
public:
    local_networks() = default;
    explicit local_networks(std::vector<cidr> nets) : nets_(std::move(nets)) {}

    // Comma-separated list, blanks around items allowed: "10.0.0.0/8, fd00::/8".
    // An empty text gives an empty list (nothing is local).
    [[nodiscard]] static std::optional<local_networks> parse(std::string_view text, std::string* error = nullptr);

    [[nodiscard]] bool contains(const ip_address& a) const noexcept {
        for (const auto& n : nets_)
            if (n.contains(a)) return true;
        return false;
    }
    [[nodiscard]] std::span<const cidr> networks() const noexcept { return nets_; }

private:
    std::vector<cidr> nets_;
};

}  // namespace wireflow::collector::aggregate
