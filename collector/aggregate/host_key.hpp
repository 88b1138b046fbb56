#pragma once
// What identifies a host in the live aggregates: its address and VLAN (the
// same address in two VLANs is two hosts). Hashed as bytes with the keyed
// hash, hence the explicit padding and the unique object representation.

#include <cstdint>
#include <type_traits>

#include "net/ip_address.hpp"
#include "same_bytes.hpp"

namespace wireflow::collector::aggregate {

struct host_key {
    net::ip_address ip;
    std::uint8_t reserved{0};  // explicit padding: the key hashes as bytes
    std::uint16_t vlan{0};
    // The same answer as the member-wise comparison (no padding, and an
    // IPv4 address leaves its other 12 bytes zero), without the memcmp call
    // the default makes for the address: the host index compares a key on
    // every probe (4 per record, 2 % of decode + aggregate).
    friend bool operator==(const host_key& a, const host_key& b) noexcept { return same_bytes(a, b); }
};
static_assert(std::has_unique_object_representations_v<host_key>);
static_assert(sizeof(host_key) == 20);

}  // namespace wireflow::collector::aggregate
