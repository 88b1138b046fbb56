#pragma once
// Whether an address is worth geolocating: globally routed unicast. Private,
// shared, loopback, link-local, multicast, documentation, benchmarking and
// other special-purpose ranges (the IANA IPv4/IPv6 Special-Purpose Address
// Registries, RFC 6890) have no country; a lookup would at best return a
// database's placeholder, so the collector never asks.

#include "net/ip_address.hpp"

#include <optional>

namespace wireflow::collector::geo {

// The address a database lookup should use for `a`: `a` itself, or the
// IPv4 address inside an IPv4-mapped (::ffff:0:0/96) or NAT64 (64:ff9b::/96)
// one; nothing when it is not globally routed unicast.
[[nodiscard]] std::optional<net::ip_address> lookup_address(const net::ip_address& a) noexcept;

[[nodiscard]] inline bool is_public_address(const net::ip_address& a) noexcept { return lookup_address(a).has_value(); }

}  // namespace wireflow::collector::geo
