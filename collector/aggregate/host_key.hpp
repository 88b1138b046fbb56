#pragma once
// What identifies a host in the live aggregates: its address and VLAN (the
// same address in two VLANs is two hosts). Hashed as bytes with the keyed
// hash, hence the explicit padding and the unique object representation.

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "net/ip_address.hpp"

namespace wireflow::collector::aggregate {

struct host_key {
    net::ip_address ip;
    std::uint8_t reserved{0};  // explicit padding: the key hashes as bytes
    std::uint16_t vlan{0};
    // The same answer as the member-wise comparison (no padding, and an
    // IPv4 address leaves its other 12 bytes zero), as three word compares:
    // the default calls memcmp for the address, and the host index compares
    // a key on every probe (4 per record, 2 % of decode + aggregate).
    friend bool operator==(const host_key& a, const host_key& b) noexcept {
        std::uint64_t a0, a1, b0, b1;
        std::uint32_t a2, b2;
        std::memcpy(&a0, &a, 8);
        std::memcpy(&a1, reinterpret_cast<const char*>(&a) + 8, 8);
        std::memcpy(&a2, reinterpret_cast<const char*>(&a) + 16, 4);
        std::memcpy(&b0, &b, 8);
        std::memcpy(&b1, reinterpret_cast<const char*>(&b) + 8, 8);
        std::memcpy(&b2, reinterpret_cast<const char*>(&b) + 16, 4);
        return ((a0 ^ b0) | (a1 ^ b1) | (a2 ^ b2)) == 0;
    }
};
static_assert(std::has_unique_object_representations_v<host_key>);
static_assert(sizeof(host_key) == 20);

}  // namespace wireflow::collector::aggregate
