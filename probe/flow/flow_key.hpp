#pragma once
// The flow key: a value type in canonical order, so both directions of a
// conversation produce the same bytes, and the key hashes and compares as bytes.

#include <array>
#include <bit>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "dissect/endpoint.hpp"
#include "hash.hpp"
#include "same_bytes.hpp"

namespace wireflow::probe {

struct flow_key {
    ip_bytes lo_ip{};          // the lower endpoint by (ip, port)
    ip_bytes hi_ip{};
    std::uint16_t lo_port{0};
    std::uint16_t hi_port{0};
    std::uint16_t vlan{0};
    std::uint8_t ip_version{0};
    std::uint8_t protocol{0};

    // Word compares: memcmp of 40 bytes was a library call per probe of
    // the flow index (a fifth of the table's own instructions for 1K flows).
    friend bool operator==(const flow_key& a, const flow_key& b) noexcept { return same_bytes(a, b); }
};

// No padding: memcmp equality and byte hashing are exact.
static_assert(std::has_unique_object_representations_v<flow_key>);
static_assert(sizeof(flow_key) == 40);

// Result of canonicalisation: the key, and whether the packet's source is the
// key's lo endpoint (so the flow table can tell the direction in one compare).
struct oriented_key {
    flow_key key;
    bool src_is_lo;
};

namespace detail {

// endpoint's order (address bytes, then port), as two big-endian words and
// the port: the defaulted comparison called memcmp for every packet.
inline bool endpoint_less(const endpoint& a, const endpoint& b) noexcept {
    static_assert(std::endian::native == std::endian::little);
    for (std::size_t off = 0; off < 16; off += 8) {
        std::uint64_t x, y;
        std::memcpy(&x, a.ip.data() + off, 8);
        std::memcpy(&y, b.ip.data() + off, 8);
        if (x != y) return __builtin_bswap64(x) < __builtin_bswap64(y);
    }
    return a.port < b.port;
}

}  // namespace detail

// The key of a packet from src to dst, written into `out` (the packet path:
// no copy of a returned key). Inline: it runs for every packet, and out of
// line it was a call with six arguments (38 instructions a packet).
inline void make_flow_key(std::uint16_t vlan, std::uint8_t ip_version, std::uint8_t protocol, const endpoint& src,
                          const endpoint& dst, oriented_key& out) noexcept {
    const bool src_is_lo = !detail::endpoint_less(dst, src);
    const endpoint& lo = src_is_lo ? src : dst;
    const endpoint& hi = src_is_lo ? dst : src;
    out.key.lo_ip = lo.ip;
    out.key.hi_ip = hi.ip;
    // The last eight bytes in one store: the hash reads them as one word, and
    // a load that spans several smaller stores waits for them to retire
    // (a store-forwarding stall, seen on every packet in perf).
    static_assert(offsetof(flow_key, lo_port) == 32 && offsetof(flow_key, hi_port) == 34 &&
                  offsetof(flow_key, vlan) == 36 && offsetof(flow_key, ip_version) == 38 &&
                  offsetof(flow_key, protocol) == 39);
    const std::uint64_t tail = std::uint64_t{lo.port} | std::uint64_t{hi.port} << 16 | std::uint64_t{vlan} << 32 |
                               std::uint64_t{ip_version} << 48 | std::uint64_t{protocol} << 56;
    std::memcpy(&out.key.lo_port, &tail, 8);
    out.src_is_lo = src_is_lo;
}

[[nodiscard]] inline oriented_key make_flow_key(std::uint16_t vlan, std::uint8_t ip_version, std::uint8_t protocol,
                                                const endpoint& src, const endpoint& dst) noexcept {
    oriented_key o{};
    make_flow_key(vlan, ip_version, protocol, src, dst, o);
    return o;
}

// The 16 bytes of an IPv4 key that can differ between IPv4 keys (both
// addresses' first 4, then ports, VLAN, version, protocol; the other 24 are
// zero), as two words: what the hashes read (hash() below, the AES block in
// flow_hash.cpp). Words, not a 16-byte buffer: a buffer written in pieces
// and read whole is a store-forwarding stall.
struct v4_words {
    std::uint64_t addresses;  // lo address | hi address << 32 (memory order)
    std::uint64_t tail;       // lo_port .. protocol
};

[[nodiscard]] inline v4_words ipv4_words(const flow_key& k) noexcept {
    static_assert(offsetof(flow_key, lo_port) == 32 && sizeof(flow_key) - offsetof(flow_key, lo_port) == 8);
    std::uint32_t lo, hi;
    v4_words w;
    std::memcpy(&lo, k.lo_ip.data(), 4);
    std::memcpy(&hi, k.hi_ip.data(), 4);
    std::memcpy(&w.tail, &k.lo_port, 8);
    w.addresses = std::uint64_t{hi} << 32 | lo;
    return w;
}

// 64-bit keyed hash of the key bytes (common/hash.hpp keyed_hash: SipHash-1-3).
// Direction independent by construction since the key is canonical. Keyed
// because a sender chooses addresses and ports: with an unkeyed hash they can
// be crafted to share one probe chain of the flow table (hash flooding).
// An IPv4 key hashes only its 16 bytes that can differ (ipv4_words): 3
// SipHash compressions instead of 6, the probe's largest per-packet cost
// with few flows. Equal keys still hash alike, and IPv4 and IPv6 keys hash
// inputs of different lengths.
[[nodiscard]] inline std::uint64_t hash(const flow_key& k, const hash_key& key) noexcept {
    if (k.ip_version == 4) {
        const v4_words w = ipv4_words(k);
        const std::uint64_t v4[2] = {w.addresses, w.tail};
        return keyed_hash(v4, sizeof v4, key);
    }
    return keyed_hash(&k, sizeof k, key);
}

}  // namespace wireflow::probe
