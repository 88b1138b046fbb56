#pragma once
// Addresses as unsigned integers in numeric order, the form the prefix
// structures search on. Internal to collector/blacklist.

#include <bit>
#include <cstdint>
#include <cstring>

#include "net/ip_prefix.hpp"

namespace wireflow::collector::blacklist::detail {

__extension__ using u128 = unsigned __int128;

[[nodiscard]] inline u128 v6_key(const std::uint8_t* network_order) noexcept {
    std::uint64_t hi = 0;
    std::uint64_t lo = 0;
    std::memcpy(&hi, network_order, 8);
    std::memcpy(&lo, network_order + 8, 8);
    if constexpr (std::endian::native == std::endian::little) {
        hi = __builtin_bswap64(hi);
        lo = __builtin_bswap64(lo);
    }
    return (static_cast<u128>(hi) << 64) | lo;
}

[[nodiscard]] inline net::ip_address v6_address(u128 key) noexcept {
    net::ip_address a;
    a.family = net::ip_family::v6;
    for (int i = 15; i >= 0; --i) {
        a.bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(key);
        key >>= 8;
    }
    return a;
}

// Mask of the host bits for a prefix of `length` in a key of `Bits` bits.
template <class Key, unsigned Bits>
[[nodiscard]] constexpr Key host_mask(unsigned length) noexcept {
    return length >= Bits ? Key{0} : static_cast<Key>(~Key{0} >> length);
}

}  // namespace wireflow::collector::blacklist::detail
