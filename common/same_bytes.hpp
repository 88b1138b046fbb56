#pragma once
// Equality of two objects without padding, byte for byte, as 8-byte words
// (and a 4-byte tail): what a defaulted operator== or memcmp decides, without
// the library call memcmp is for a size the compiler does not inline. For
// the keys of the probe's flow table and the collector's host table, which
// are compared on every probe of their index.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace wireflow {

template <typename T>
[[nodiscard]] inline bool same_bytes(const T& a, const T& b) noexcept {
    static_assert(std::has_unique_object_representations_v<T>, "padding would make equal values differ");
    static_assert(sizeof(T) % 4 == 0);
    const auto* x = reinterpret_cast<const unsigned char*>(&a);
    const auto* y = reinterpret_cast<const unsigned char*>(&b);
    std::uint64_t diff = 0;
    std::size_t off = 0;
    for (; off + 8 <= sizeof(T); off += 8) {
        std::uint64_t u, v;
        std::memcpy(&u, x + off, 8);
        std::memcpy(&v, y + off, 8);
        diff |= u ^ v;
    }
    if (off < sizeof(T)) {
        std::uint32_t u, v;
        std::memcpy(&u, x + off, 4);
        std::memcpy(&v, y + off, 4);
        diff |= u ^ v;
    }
    return diff == 0;
}

}  // namespace wireflow
