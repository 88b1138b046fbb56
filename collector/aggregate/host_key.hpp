#pragma once
// What identifies a host in the live aggregates: its address and VLAN (the
// same address in two VLANs is two hosts). Hashed as bytes with the keyed
// hash, hence the explicit padding and the unique object representation.

#include <cstdint>
#include <type_traits>

#include "net/ip_address.hpp"

namespace wireflow::collector::aggregate {

struct host_key {
    net::ip_address ip;
    std::uint8_t reserved{0};  // explicit padding: the key hashes as bytes
    std::uint16_t vlan{0};
    friend bool operator==(const host_key&, const host_key&) = default;
};
static_assert(std::has_unique_object_representations_v<host_key>);
static_assert(sizeof(host_key) == 20);

}  // namespace wireflow::collector::aggregate
