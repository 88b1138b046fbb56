#pragma once
// For the hash-flooding tests: the inverses an attacker uses to craft keys
// that collide under an unkeyed hash built from mix64 and xor-shift-multiply
// steps (the probe's and the collector's tables used such hashes before they
// were keyed). Each step is a bijection of 64-bit words, so walking it back
// from a chosen output gives the input word that reaches it.

#include <cstdint>

#include "hash.hpp"

namespace wireflow::hash_attack {

// The inverse of an odd multiplier modulo 2^64 (Newton's iteration doubles
// the correct low bits each round: 3, 6, 12, 24, 48, 96).
constexpr std::uint64_t inverse_odd(std::uint64_t a) noexcept {
    std::uint64_t x = a;  // correct to 3 bits for odd a
    for (int i = 0; i < 5; ++i) x *= 2 - a * x;
    return x;
}

// The inverse of x ^= x >> s.
constexpr std::uint64_t unxorshift(std::uint64_t y, int s) noexcept {
    std::uint64_t x = y;
    for (int i = 0; i < 64 / s + 1; ++i) x = y ^ (x >> s);
    return x;
}

constexpr std::uint64_t unmix64(std::uint64_t x) noexcept {
    x = unxorshift(x, 31);
    x *= inverse_odd(0x94d049bb133111ebULL);
    x = unxorshift(x, 27);
    x *= inverse_odd(0xbf58476d1ce4e5b9ULL);
    return unxorshift(x, 30);
}

static_assert(unmix64(mix64(0x0123456789abcdefULL)) == 0x0123456789abcdefULL);

// A deterministic word stream for the attacker's free choices.
struct word_source {
    std::uint64_t state;
    std::uint64_t next() noexcept { return mix64(state += 0x9e3779b97f4a7c15ULL); }
};

}  // namespace wireflow::hash_attack
