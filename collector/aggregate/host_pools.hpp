#pragma once
// Host pools: named groups of hosts, like ntopng's host pools.
//
// A member is one of
//   an IPv4/IPv6 address        "192.168.1.7", "2001:db8::7"   (a /32 or /128)
//   a CIDR prefix               "192.168.1.0/24", "2001:db8::/48" (host bits must be zero)
//   a MAC address               "aa:bb:cc:dd:ee:ff"
// each optionally qualified by "@VLAN" (0..4095; VLAN 0 is untagged traffic).
//
// Matching a host (address, VLAN, MAC if known) to its pool, first hit wins:
//   1. MAC members, the VLAN-qualified one for the host's VLAN, then the
//      unqualified one (like ntopng: a device keeps its pool when its
//      address changes). Only hosts with a known MAC (local hosts) match here.
//   2. IP members by longest prefix; at equal length the member qualified
//      with the host's VLAN beats the unqualified one. A member qualified
//      with another VLAN never matches.
//   3. Otherwise no pool (id 0, "unassigned").
// A member (same value, same qualification) belongs to at most one pool:
// adding it to another pool is an error. "10.0.0.1" and "10.0.0.1/32" are the
// same member; "10.0.0.0/24" and "10.0.0.0/24@5" are different members.
//
// Not thread-safe: the aggregator serialises access (see aggregator.hpp).

#include "hash.hpp"
#include "net/ip_address.hpp"
#include "net/ip_prefix.hpp"
#include "net/local_networks.hpp"
#include "net/mac_address.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace wireflow::collector::aggregate {

// The shared vocabulary (common/net), by its plain names in this folder.
using net::ip_address;
using net::ip_prefix;
using net::local_networks;
using net::mac_address;

using pool_id = std::uint32_t;
inline constexpr pool_id no_pool = 0;
inline constexpr std::uint16_t any_vlan = 0xFFFF;

struct pool_member {
    bool is_mac{false};
    ip_prefix net;              // when !is_mac
    mac_address mac;            // when is_mac
    std::uint16_t vlan{any_vlan};

    // On failure returns nullopt and a one-line reason in *error.
    [[nodiscard]] static std::optional<pool_member> parse(std::string_view text, std::string* error = nullptr);
    // Canonical text: lower-case MAC, bare address for full-length prefixes, "@VLAN" when qualified.
    [[nodiscard]] std::string to_string() const;
    friend bool operator==(const pool_member&, const pool_member&) = default;
};

// Plain form for persistence: the store writes and reads these.
struct pool_snapshot {
    pool_id id{0};
    std::string name;
    std::vector<std::string> members;  // canonical member text
    friend bool operator==(const pool_snapshot&, const pool_snapshot&) = default;
};

struct [[nodiscard]] pool_result {
    pool_id id{no_pool};
    std::string error;  // empty on success; a one-line reason otherwise
    [[nodiscard]] bool ok() const noexcept { return error.empty(); }
};

class host_pools {
public:
    static constexpr std::size_t max_name_bytes = 64;

    // Names: 1..64 bytes of valid UTF-8 without control characters, unique.
    pool_result create(std::string_view name);
    pool_result rename(pool_id id, std::string_view name);
    pool_result remove(pool_id id);  // its hosts become unassigned
    pool_result add_member(pool_id id, std::string_view member);
    pool_result remove_member(pool_id id, std::string_view member);

    [[nodiscard]] pool_id match(const ip_address& ip, std::uint16_t vlan, const mac_address* mac) const noexcept;

    [[nodiscard]] bool exists(pool_id id) const noexcept { return pools_.count(id) != 0; }
    [[nodiscard]] std::optional<std::string> name(pool_id id) const;
    [[nodiscard]] std::size_t size() const noexcept { return pools_.size(); }
    // Bumped by every change that can alter match(): the host table uses it
    // to know when hosts need re-assignment.
    [[nodiscard]] std::uint64_t generation() const noexcept { return generation_; }

    // Pools by id, members in insertion order.
    [[nodiscard]] std::vector<pool_snapshot> snapshot() const;
    // Validates everything (ids non-zero and unique, names, members, a member
    // in one pool only) and either replaces this object's content or leaves
    // it untouched and returns the first error.
    pool_result restore(std::span<const pool_snapshot> pools);

private:
    struct ip_key {
        ip_address net;
        std::uint8_t prefix{0};
        std::uint16_t vlan{any_vlan};
        friend bool operator==(const ip_key&, const ip_key&) = default;
    };
    struct mac_key {
        mac_address mac;
        std::uint16_t vlan{any_vlan};
        friend bool operator==(const mac_key&, const mac_key&) = default;
    };
    struct key_hash {
        std::size_t operator()(const ip_key& k) const noexcept { return hash_bytes(&k, sizeof k); }
        std::size_t operator()(const mac_key& k) const noexcept { return hash_bytes(&k, sizeof k); }
    };
    static_assert(std::has_unique_object_representations_v<ip_key>);
    static_assert(std::has_unique_object_representations_v<mac_key>);

    struct pool {
        std::string name;
        std::vector<pool_member> members;
    };

    [[nodiscard]] std::string check_name(std::string_view name, pool_id self) const;
    [[nodiscard]] std::optional<pool_id> owner(const pool_member& m) const;
    void index(const pool_member& m, pool_id id);
    void unindex(const pool_member& m);

    std::map<pool_id, pool> pools_;
    pool_id next_id_{1};
    std::uint64_t generation_{0};
    std::unordered_map<ip_key, pool_id, key_hash> ip_members_;
    std::unordered_map<mac_key, pool_id, key_hash> mac_members_;
    // Prefix lengths in use per family, longest first, with member counts:
    // match() probes only lengths that exist.
    std::map<std::uint8_t, std::size_t, std::greater<>> v4_lengths_, v6_lengths_;
};

}  // namespace wireflow::collector::aggregate
