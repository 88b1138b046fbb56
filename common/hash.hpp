#pragma once
// The 64-bit mixing both binaries' open-addressing tables use. Fixed and
// seedless: inputs are addresses and flow keys, and the tables bound their
// probe lengths by load factor.

#include <cstddef>
#include <cstdint>

namespace wireflow {

// splitmix64's finaliser: full avalanche in two multiplies.
[[nodiscard]] constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

// Eight bytes at a time through mix64.
[[nodiscard]] std::uint64_t hash_bytes(const void* data, std::size_t n, std::uint64_t seed = 0) noexcept;

}  // namespace wireflow
