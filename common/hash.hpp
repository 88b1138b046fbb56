#pragma once
// Hashes for both binaries' open-addressing tables.
//
// Where the keys come from traffic (the probe's flow table, the collector's
// host table and its flow and peer identities), a sender chooses the keys, so
// an unkeyed hash is an attack surface: mix64 and hash_bytes are bijective
// chains anyone can invert, and crafted addresses can all land in one probe
// chain (hash flooding: every lookup then walks the whole chain). Those tables
// use keyed_hash, SipHash-1-3 under a per-process random key: without the key
// a sender cannot predict which keys collide. hash_bytes stays for keys an
// operator configures (host pools) and for tests.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

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

// Eight bytes at a time through mix64. Unkeyed: not for traffic-chosen keys.
[[nodiscard]] std::uint64_t hash_bytes(const void* data, std::size_t n, std::uint64_t seed = 0) noexcept;

// A 128-bit SipHash key.
struct hash_key {
    std::uint64_t k0{0}, k1{0};
};

// The process's key, drawn once from getrandom(2) on first use (thread-safe
// static initialisation). Tables copy it at construction, so the packet path
// never touches the guard of a function-local static.
[[nodiscard]] const hash_key& process_hash_key() noexcept;

namespace detail {
struct sip_state {
    std::uint64_t v0, v1, v2, v3;
    void round() noexcept {
        v0 += v1; v1 = std::rotl(v1, 13); v1 ^= v0; v0 = std::rotl(v0, 32);
        v2 += v3; v3 = std::rotl(v3, 16); v3 ^= v2;
        v0 += v3; v3 = std::rotl(v3, 21); v3 ^= v0;
        v2 += v1; v1 = std::rotl(v1, 17); v1 ^= v2; v2 = std::rotl(v2, 32);
    }
};
}  // namespace detail

// SipHash-c-d (Aumasson and Bernstein, 2012) over little-endian words, as the
// reference implementation (and libsodium's crypto_shorthash, SipHash-2-4)
// computes it on x86. Inline: the probe hashes every packet's 40-byte key.
template <int C, int D>
[[nodiscard]] inline std::uint64_t siphash(const void* data, std::size_t n, const hash_key& key) noexcept {
    detail::sip_state s{key.k0 ^ 0x736f6d6570736575ULL, key.k1 ^ 0x646f72616e646f6dULL,
                        key.k0 ^ 0x6c7967656e657261ULL, key.k1 ^ 0x7465646279746573ULL};
    const auto* p = static_cast<const unsigned char*>(data);
    const auto compress = [&s](std::uint64_t m) noexcept {
        s.v3 ^= m;
        for (int i = 0; i < C; ++i) s.round();
        s.v0 ^= m;
    };
    std::size_t left = n;
    for (; left >= 8; left -= 8, p += 8) {
        std::uint64_t m;
        std::memcpy(&m, p, 8);
        compress(m);
    }
    std::uint64_t last = static_cast<std::uint64_t>(n) << 56;
    for (std::size_t i = 0; i < left; ++i) last |= static_cast<std::uint64_t>(p[i]) << (8 * i);
    compress(last);
    s.v2 ^= 0xff;
    for (int i = 0; i < D; ++i) s.round();
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

// The keyed hash for traffic-chosen keys: SipHash-1-3, the variant Rust's
// standard hash maps use against the same attack; half the rounds of
// SipHash-2-4 for a table index whose output no sender ever sees
// (docs/architecture.md gives the probe's measured cost).
[[nodiscard]] inline std::uint64_t keyed_hash(const void* data, std::size_t n, const hash_key& key) noexcept {
    return siphash<1, 3>(data, n, key);
}

}  // namespace wireflow
