#pragma once
// The flow key: a value type in canonical order, so both directions of a
// conversation produce the same bytes, and the key hashes and compares as bytes.

#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "dissect/endpoint.hpp"
#include "hash.hpp"

namespace wireflow::probe {

struct flow_key {
    ip_bytes lo_ip{};          // the lower endpoint by (ip, port)
    ip_bytes hi_ip{};
    std::uint16_t lo_port{0};
    std::uint16_t hi_port{0};
    std::uint16_t vlan{0};
    std::uint8_t ip_version{0};
    std::uint8_t protocol{0};

    friend bool operator==(const flow_key& a, const flow_key& b) noexcept {
        return std::memcmp(&a, &b, sizeof(flow_key)) == 0;
    }
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

// 64-bit keyed hash of the key bytes (common/hash.hpp keyed_hash: SipHash-1-3).
// Direction independent by construction since the key is canonical. Keyed
// because a sender chooses addresses and ports: with an unkeyed hash they can
// be crafted to share one probe chain of the flow table (hash flooding).
[[nodiscard]] inline std::uint64_t hash(const flow_key& k, const hash_key& key) noexcept {
    return keyed_hash(&k, sizeof k, key);
}

}  // namespace wireflow::probe
