#pragma once
// IPv4 and IPv6 addresses and CIDR prefixes as plain values, with the strict
// text parsing every list format shares. Input text is hostile: parsing is
// bounded, never allocates and never throws.

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wireflow::collector::blacklist {

enum class ip_family : std::uint8_t { v4 = 4, v6 = 6 };

// Network byte order; an IPv4 address uses bytes[0..3] and leaves the rest zero,
// so equal addresses are equal objects.
struct ip_address {
    ip_family family{ip_family::v4};
    std::array<std::uint8_t, 16> bytes{};

    [[nodiscard]] static ip_address v4(std::uint32_t host_order) noexcept;
    [[nodiscard]] static ip_address v6(const std::array<std::uint8_t, 16>& network_order) noexcept;
    [[nodiscard]] std::uint32_t v4_host_order() const noexcept;
    [[nodiscard]] unsigned max_length() const noexcept { return family == ip_family::v4 ? 32 : 128; }

    friend auto operator<=>(const ip_address&, const ip_address&) = default;
};

// A prefix always holds its network address (host bits zero).
struct ip_prefix {
    ip_address address;
    std::uint8_t length{0};

    friend auto operator<=>(const ip_prefix&, const ip_prefix&) = default;
};

// Dotted-quad IPv4 (no leading zeros, RFC 6943 section 3.1.1 warns that they
// mean octal to some parsers) or RFC 4291 section 2.2 IPv6 text.
[[nodiscard]] std::optional<ip_address> parse_address(std::string_view text) noexcept;

struct parsed_prefix {
    ip_prefix prefix;
    bool had_host_bits{false};   // "10.1.2.3/8": normalised to 10.0.0.0/8
};

// "ADDRESS" (a host prefix) or "ADDRESS/LENGTH".
[[nodiscard]] std::optional<parsed_prefix> parse_prefix(std::string_view text) noexcept;

// Clears the host bits; `length` is clamped to the family's width.
[[nodiscard]] ip_prefix make_prefix(const ip_address& address, unsigned length) noexcept;
[[nodiscard]] ip_address last_address(const ip_prefix& prefix) noexcept;
[[nodiscard]] bool contains(const ip_prefix& prefix, const ip_address& address) noexcept;

// The fewest prefixes exactly covering [first, last]; empty when the families
// differ or first > last.
[[nodiscard]] std::vector<ip_prefix> range_to_prefixes(const ip_address& first, const ip_address& last);

[[nodiscard]] std::string to_string(const ip_address& address);
[[nodiscard]] std::string to_string(const ip_prefix& prefix);

}  // namespace wireflow::collector::blacklist
