#pragma once
// An Ethernet MAC address (IEEE 802) as a plain value.

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace wireflow::net {

struct mac_address {
    std::array<std::uint8_t, 6> bytes{};

    static constexpr std::size_t text_size = 17;  // "aa:bb:cc:dd:ee:ff"

    // Exactly 6 bytes, as the wire carries them.
    [[nodiscard]] static std::optional<mac_address> from_bytes(std::span<const std::uint8_t> b) noexcept;
    // "aa:bb:cc:dd:ee:ff", either case, also '-' separated. Nothing else.
    [[nodiscard]] static std::optional<mac_address> parse(std::string_view text) noexcept;

    // All zero: "no MAC" (the probe saw no Ethernet header).
    [[nodiscard]] bool is_zero() const noexcept;
    [[nodiscard]] std::string to_string() const;  // lower case, ':' separated
    // The same text into out (room for text_size bytes, no NUL written).
    void format(char* out) const noexcept;

    friend bool operator==(const mac_address&, const mac_address&) = default;
    friend auto operator<=>(const mac_address&, const mac_address&) = default;
};
static_assert(std::has_unique_object_representations_v<mac_address>);

}  // namespace wireflow::net
