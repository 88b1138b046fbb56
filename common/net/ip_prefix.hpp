#pragma once
// An IP prefix (RFC 4632 CIDR notation for IPv4, RFC 4291 section 2.3 for
// IPv6): local networks, host pools and blacklists all use this one type.

#include "net/ip_address.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wireflow::net {

// Always holds its network address (host bits zero).
struct ip_prefix {
    ip_address address;
    std::uint8_t length{0};

    // Clears the host bits; `length` is clamped to the family's width.
    [[nodiscard]] static ip_prefix of(const ip_address& address, unsigned length) noexcept;
    // "ADDRESS/LENGTH" or a bare address (a /32 or /128), refusing host bits
    // set ("10.0.0.1/8"). On failure, nullopt and, when error is given, a
    // one-line reason quoting the input.
    [[nodiscard]] static std::optional<ip_prefix> parse(std::string_view text, std::string* error = nullptr);

    [[nodiscard]] bool contains(const ip_address& a) const noexcept {
        return a.family == address.family && a.masked(length) == address;
    }
    [[nodiscard]] ip_address last() const noexcept;  // the highest address inside
    [[nodiscard]] bool is_host() const noexcept { return length == address.bit_width(); }

    [[nodiscard]] std::string to_string() const;          // "10.0.0.0/8", "192.0.2.1/32"
    [[nodiscard]] std::string to_compact_string() const;  // the bare address for a host prefix

    friend bool operator==(const ip_prefix&, const ip_prefix&) = default;
    friend auto operator<=>(const ip_prefix&, const ip_prefix&) = default;
};

struct parsed_prefix {
    ip_prefix prefix;
    bool had_host_bits{false};  // "10.1.2.3/8": normalised to 10.0.0.0/8
};

// The lenient form list files and options need: like ip_prefix::parse, but
// host bits are cleared and reported instead of refused.
[[nodiscard]] std::optional<parsed_prefix> parse_prefix(std::string_view text, std::string* error = nullptr);

// The fewest prefixes exactly covering [first, last]; empty when the families
// differ or first > last (blacklist ranges, nftables intervals).
[[nodiscard]] std::vector<ip_prefix> range_to_prefixes(const ip_address& first, const ip_address& last);

}  // namespace wireflow::net
