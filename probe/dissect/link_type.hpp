#pragma once
// Link-layer header types, numbered as LINKTYPE_* in the pcap/pcapng spec
// (https://www.tcpdump.org/linktypes.html), so a capture's header maps directly.

#include <cstdint>
#include <optional>
#include <string_view>

namespace wireflow::probe {

enum class link_type : std::uint16_t {
    null_bsd = 0,      // BSD loopback: 4-byte host-order address family
    ethernet = 1,
    raw_ip = 101,      // raw IPv4 or IPv6, version from the first nibble
    loop = 108,        // OpenBSD loopback: 4-byte network-order address family
    linux_sll = 113,   // Linux cooked capture v1
    linux_sll2 = 276,  // Linux cooked capture v2
};

// Maps a pcap DLT/LINKTYPE number to a link type the dissector handles, or
// nothing for link types it refuses (802.11, PPP, Frame Relay, ...).
[[nodiscard]] std::optional<link_type> link_type_from_pcap(int linktype) noexcept;

[[nodiscard]] std::string_view name(link_type t) noexcept;

}  // namespace wireflow::probe
