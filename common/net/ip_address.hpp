#pragma once
// An IPv4 or IPv6 address as a plain value: both binaries, every collector
// stage and the blacklists use this one type. Text appears only at the edges
// (options, REST input, list files, the store's COPY and the JSON views).
// Parsing is strict and bounded: input text is hostile.

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace wireflow::net {

enum class ip_family : std::uint8_t { none = 0, v4 = 4, v6 = 6 };

// Network byte order. An IPv4 address uses bytes[0..3] and leaves the rest
// zero, so equal addresses are equal objects and the value hashes as bytes.
struct ip_address {
    ip_family family{ip_family::none};
    std::array<std::uint8_t, 16> bytes{};

    // Longest text format() writes, without the NUL (INET6_ADDRSTRLEN - 1).
    static constexpr std::size_t max_text = 45;

    [[nodiscard]] static ip_address v4(std::uint32_t host_order) noexcept;
    [[nodiscard]] static ip_address v6(const std::array<std::uint8_t, 16>& network_order) noexcept;
    // 4 bytes (IPv4) or 16 (IPv6) in network order, as the wire carries them.
    [[nodiscard]] static std::optional<ip_address> from_bytes(std::span<const std::uint8_t> network_order) noexcept;
    // Dotted-quad IPv4 (no leading zeros: RFC 6943 section 3.1.1, they mean
    // octal to some parsers) or RFC 4291 section 2.2 IPv6 text. No zone ids,
    // prefixes or blanks; an embedded NUL is refused.
    [[nodiscard]] static std::optional<ip_address> parse(std::string_view text) noexcept;

    [[nodiscard]] bool valid() const noexcept { return family == ip_family::v4 || family == ip_family::v6; }
    [[nodiscard]] bool is_v4() const noexcept { return family == ip_family::v4; }
    [[nodiscard]] bool is_v6() const noexcept { return family == ip_family::v6; }
    [[nodiscard]] unsigned bit_width() const noexcept { return is_v4() ? 32 : 128; }
    // The address bytes that count: 4 for IPv4, 16 for IPv6, none when invalid.
    [[nodiscard]] std::span<const std::uint8_t> octets() const noexcept;
    [[nodiscard]] std::uint32_t v4_host_order() const noexcept;
    // Keeps the first `length` bits and zeroes the others.
    [[nodiscard]] ip_address masked(unsigned length) const noexcept;

    // inet_ntop's text ("::ffff:1.2.3.4" for a v4-mapped IPv6 address);
    // empty for an invalid address.
    [[nodiscard]] std::string to_string() const;
    // The same text into out (room for max_text + 1 bytes, NUL-terminated);
    // returns its length. Allocation-free for the per-host paths.
    std::size_t format(char* out) const noexcept;

    friend bool operator==(const ip_address&, const ip_address&) = default;
    friend auto operator<=>(const ip_address&, const ip_address&) = default;
};
static_assert(std::has_unique_object_representations_v<ip_address>);

}  // namespace wireflow::net
