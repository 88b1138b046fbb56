#pragma once
// The pure dissector: bytes in, packet summary out. Knows nothing of DPDK or
// mbufs, allocates nothing, throws nothing, never reads past `frame.size()`.

#include <cstddef>
#include <cstdint>
#include <span>

#include "dissect/link_type.hpp"
#include "dissect/packet_summary.hpp"

namespace wireflow::probe {

// `frame` holds the captured bytes (possibly snapped shorter than on the wire).
//
// Link layers: Ethernet II (and RFC 1042 LLC/SNAP), any number of 802.1Q /
// 802.1ad (0x88a8, 0x9100) tags (`vlan` = innermost id), MPLS (0x8847/0x8848)
// down to the bottom of stack then IPv4/IPv6 by first nibble or an RFC 4385
// control word + Ethernet pseudowire, Cisco FabricPath (0x8903) (one level of
// either; the MACs reported are the inner frame's, i.e. the hosts'),
// PPPoE session (0x8864, PPP 0x0021/0x0057, or 0x21/0x57 with RFC 1661
// protocol-field compression), Linux SLL/SLL2, raw IP, BSD
// NULL (either byte order) and LOOP.
//
// Tunnels, one level: GRE version 0 (RFC 2784/2890) carrying IPv4, IPv6,
// Ethernet (0x6558) or ERSPAN types I, II and III (0x88be, 0x22eb); VXLAN
// (RFC 7348, UDP port 4789 either side); GTP-U G-PDUs (3GPP TS 29.281, UDP
// port 2152, extension headers skipped); IP in IP (protocols 4 and 41 under
// IPv4 or IPv6). The summary then describes the inner packet (addresses,
// ports, protocol, TTL, DSCP, the inner frame's MACs and VLAN where it has
// them), `tunnel` says which encapsulation with the outer addresses and the
// tunnel's id, `l3_offset`/`ip_length` are the inner IP header's, and
// `l3_bytes` stays the outer IP length: what crosses the wire. A tunnel whose
// inner packet is not a complete IP header (not IP, cut by the snap length,
// broken), and an outer IP fragment, count as the tunnel's own flow (GRE,
// UDP 4789, ...), as before. A tunnel inside the inner packet is not opened.
//
// Lengths: `l3_bytes` is what the outermost IP header claims (IPv4 total
// length, IPv6 payload length + 40), even when the capture was snapped shorter;
// `payload_len` counts only captured bytes (and bytes within the IP length,
// so Ethernet padding is excluded). An IPv6 jumbogram (RFC 2675: payload
// length 0 with a hop-by-hop header) counts the captured bytes instead, and
// so does an IPv4 total length of 0 (a host's own capture under TCP
// segmentation offload; Wireshark does the same).
// Frames longer than 65535 bytes are dissected on their first 65535 bytes.
//
// Ports: TCP, UDP and SCTP ports as on the wire. ICMP (over IPv4) and ICMPv6
// (over IPv6) get ports such that both directions of a ping share one flow:
//   echo request (8 / 128):  src.port = request_type << 8 | code, dst.port = identifier
//   echo reply   (0 / 129):  src.port = identifier, dst.port = request_type << 8 | code
//   any other type:          src.port = type << 8 | code,         dst.port = 0
// (request_type is 8 for ICMP and 128 for ICMPv6, also in replies.) Other IP
// protocols, and fragments after the first (`later_fragment`), have ports 0
// and `has_l4` false.
//
// Status: a link or IP header cut by the end of the capture is `truncated_*`
// at its layer (nothing to count: no complete addresses). Once the IP header
// is complete, a cut in the L4 header or the IPv6 extension chain (snap
// length, fragment boundary) is `ok`: the packet counts by its IP length, with
// `has_l4` and ports when the port pair was captured, else ports 0 (the
// port-less flow of the address pair), as tshark counts it. A header that
// contradicts itself or its IP length is `bad_*`. Raw IP / MPLS payload
// whose version is neither 4 nor 6 is `bad_ipv4_header`.
void dissect(link_type lt, std::span<const std::byte> frame, packet_summary& s) noexcept;

// The value form, for callers that want a summary of their own. The worker
// uses the form above, dissecting straight into its burst's array: a
// returned summary (128 bytes) would be copied once more per packet.
[[nodiscard]] inline packet_summary dissect(link_type lt, std::span<const std::byte> frame) noexcept {
    packet_summary s;
    dissect(lt, frame, s);
    return s;
}

}  // namespace wireflow::probe
