#pragma once
// Names that devices on the local network give themselves (issue 14): an
// mDNS response's A/AAAA record (RFC 6762: "printer.local" is 192.168.1.20),
// a NetBIOS name registration, a positive name query response or a node
// status response (RFC 1002: "FILESERVER" is 10.0.0.5).
//
// Why the probe reads these itself: nDPI 4.2 recognises both protocols and
// keeps one name per flow, but not whom it names: a query's name (asked by
// anyone) and a registration's name (the sender's own) look the same in
// host_server_name. The collector would name the asker, or the multicast
// group, after whatever it asked for, as it once named DNS resolvers. The
// owner is in the message: the record's address, the registration's
// NB_ADDRESS, or the sender of a node status response. So the probe parses
// the few fields that say it, for flows nDPI classified as mDNS or NetBIOS,
// until a flow has given one name.
//
// Pure and bounded: no allocation, no DPDK, no nDPI; every length and
// compression pointer is checked against the message, names are cut to
// their field and repaired to valid UTF-8 with controls replaced.

#include <cstddef>
#include <cstdint>
#include <span>

#include "flow/app_details.hpp"

namespace wireflow::probe {

// The name a message gives an address, if it gives one. LLMNR (RFC 4795)
// has mDNS's format and is read by read_mdns_claim. `payload` is the UDP
// payload; `sender` the packet's source address (4 or 16 bytes), which a
// NetBIOS node status response names. Returns false (and leaves `out` as it
// was) for queries, negative answers, group names, goodbye records and
// anything malformed.
bool read_mdns_claim(std::span<const std::uint8_t> payload, name_claim& out) noexcept;
bool read_netbios_claim(std::span<const std::uint8_t> payload, std::span<const std::uint8_t> sender,
                        name_claim& out) noexcept;

// A UDP datagram inside an IPv4 or IPv6 packet.
struct udp_view {
    std::span<const std::uint8_t> payload;  // up to the UDP length, within what was captured
    std::span<const std::uint8_t> source;   // the IP source address: 4 or 16 bytes
    std::uint16_t source_port{0}, destination_port{0};
};

// The datagram of the packet starting at `l3`, or false when it is not UDP
// (IPv6 extension headers are not followed: name services do not use them),
// is a fragment, or is cut short.
bool udp_of(std::span<const std::uint8_t> l3, udp_view& out) noexcept;

// The service whose port the datagram uses (either side), or none: what to
// try on a flow nDPI has not classified yet.
name_service service_on_port(const udp_view& udp) noexcept;

// Reads the claim of one datagram of a flow nDPI classified as `service`,
// on that service's port (mDNS 5353, LLMNR 5355, NetBIOS name service 137:
// NetBIOS's datagram service on 138 has another format).
bool read_claim(name_service service, const udp_view& udp, name_claim& out) noexcept;

}  // namespace wireflow::probe
