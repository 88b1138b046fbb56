#pragma once
// Compact binary address value types for the collector's host structures.
// Flow rows carry addresses as text (PostgreSQL inet input form); the
// aggregators parse them once per record into these and never keep text.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace wireflow::collector::aggregate {

// An IPv4 or IPv6 address. IPv4 occupies bytes[0..3] and the rest is zero, so
// the whole object hashes and compares as bytes.
struct ip_address {
    std::array<std::uint8_t, 16> bytes{};
    std::uint8_t family{0};  // 4 or 6; 0 for the default (invalid) value

    [[nodiscard]] static ip_address v4(std::uint32_t host_order) noexcept;
    [[nodiscard]] static ip_address v6(const std::array<std::uint8_t, 16>& b) noexcept;
    // Strict inet_pton forms only: "10.0.0.1", "2001:db8::1". No zone ids,
    // no prefixes, no surrounding blanks.
    [[nodiscard]] static std::optional<ip_address> parse(std::string_view text) noexcept;

    [[nodiscard]] bool valid() const noexcept { return family == 4 || family == 6; }
    [[nodiscard]] unsigned bit_width() const noexcept { return family == 4 ? 32 : 128; }
    // Keeps the first `prefix` bits and zeroes the others.
    [[nodiscard]] ip_address masked(unsigned prefix) const noexcept;
    // Text as inet_ntop writes it ("::ffff:1.2.3.4" for v4-mapped v6 too).
    [[nodiscard]] std::string to_string() const;
    // Writes the same text into out (at least 46 bytes); returns its length.
    std::size_t format(char* out) const noexcept;

    friend bool operator==(const ip_address&, const ip_address&) = default;
    friend auto operator<=>(const ip_address&, const ip_address&) = default;
};
static_assert(std::has_unique_object_representations_v<ip_address>);

// An Ethernet MAC address (IEEE 802).
struct mac_address {
    std::array<std::uint8_t, 6> bytes{};

    // "aa:bb:cc:dd:ee:ff", either case, also '-' separated. Nothing else.
    [[nodiscard]] static std::optional<mac_address> parse(std::string_view text) noexcept;
    [[nodiscard]] std::string to_string() const;  // lower case, ':' separated
    [[nodiscard]] bool is_zero() const noexcept;

    friend bool operator==(const mac_address&, const mac_address&) = default;
    friend auto operator<=>(const mac_address&, const mac_address&) = default;
};
static_assert(std::has_unique_object_representations_v<mac_address>);

// 64-bit mixing hash for the open-addressing tables and the peer estimator
// (a fixed, seedless function: the inputs are addresses, not attacker-chosen
// keys for a per-request table, and the tables bound their probe lengths by
// load factor).
[[nodiscard]] std::uint64_t hash_bytes(const void* data, std::size_t n, std::uint64_t seed = 0) noexcept;

[[nodiscard]] inline std::uint64_t mix64(std::uint64_t x) noexcept {
    // splitmix64 finaliser
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

}  // namespace wireflow::collector::aggregate
