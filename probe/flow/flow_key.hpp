#pragma once
// The flow key: a value type in canonical order, so both directions of a
// conversation produce the same bytes, and the key hashes and compares as bytes.

#include <array>
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

[[nodiscard]] oriented_key make_flow_key(std::uint16_t vlan, std::uint8_t ip_version, std::uint8_t protocol,
                                         const endpoint& src, const endpoint& dst) noexcept;
// The same, written into `out` (the packet path: no copy of a returned key).
void make_flow_key(std::uint16_t vlan, std::uint8_t ip_version, std::uint8_t protocol, const endpoint& src,
                   const endpoint& dst, oriented_key& out) noexcept;

// 64-bit keyed hash of the key bytes (common/hash.hpp keyed_hash: SipHash-1-3).
// Direction independent by construction since the key is canonical. Keyed
// because a sender chooses addresses and ports: with an unkeyed hash they can
// be crafted to share one probe chain of the flow table (hash flooding).
// An IPv4 key hashes only the 16 bytes that can differ between IPv4 keys
// (both addresses' first 4, then ports, VLAN, version, protocol; the other
// 24 are zero): 3 SipHash compressions instead of 6, the probe's largest
// per-packet cost with few flows. Equal keys still hash alike, and IPv4 and
// IPv6 keys hash inputs of different lengths.
[[nodiscard]] inline std::uint64_t hash(const flow_key& k, const hash_key& key) noexcept {
    static_assert(offsetof(flow_key, lo_port) == 32 && sizeof(flow_key) - offsetof(flow_key, lo_port) == 8);
    if (k.ip_version == 4) {
        unsigned char v4[16];
        std::memcpy(v4, k.lo_ip.data(), 4);
        std::memcpy(v4 + 4, k.hi_ip.data(), 4);
        std::memcpy(v4 + 8, &k.lo_port, 8);
        return keyed_hash(v4, sizeof v4, key);
    }
    return keyed_hash(&k, sizeof k, key);
}

}  // namespace wireflow::probe
