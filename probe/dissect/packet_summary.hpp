#pragma once
// What the dissector tells the flow table about one frame. Plain data, no
// pointers into the frame except offsets, so it can be copied freely.

#include <array>
#include <cstdint>
#include <string_view>

#include "dissect/endpoint.hpp"
#include "records/tunnel_type.hpp"

namespace wireflow::probe {

// Outcome of dissection. Everything except `ok` and `not_ip` is a malformed
// reason, counted per reason by the worker.
enum class parse_status : std::uint8_t {
    ok = 0,
    not_ip,                // valid frame carrying something other than IPv4/IPv6 (ARP, LLDP, ...)
    truncated_l2,          // link header (Ethernet, VLAN, MPLS, PPPoE, SLL) cut short
    bad_l2,                // link header contents impossible (e.g. MPLS stack without bottom)
    truncated_ipv4,        // the IPv4 header (options included) cut short: no addresses to count
    bad_ipv4_header,       // version != 4, IHL < 5, total length < IHL*4
    truncated_ipv6,        // the fixed 40-byte IPv6 header cut short
    bad_ipv6_header,       // version != 6, extension header chain overruns the payload length
    bad_l4_header,         // e.g. TCP data offset < 5, or a header longer than the IP length leaves
    // An L4 header (or IPv6 extension chain) cut by the snap length or a
    // fragment boundary is not malformed: ok, counted by the IP length.
    unsupported_link,      // link type the dissector does not know
    count_                 // number of reasons; keep last
};

inline constexpr std::size_t parse_status_count = static_cast<std::size_t>(parse_status::count_);

using wireflow::tunnel_type;  // one enum for both binaries (common/records)

[[nodiscard]] std::string_view name(parse_status s) noexcept;

// TCP flag bits as in the TCP header byte 13 (RFC 9293, RFC 3168).
namespace tcp_flag {
inline constexpr std::uint8_t fin = 0x01, syn = 0x02, rst = 0x04, psh = 0x08, ack = 0x10, urg = 0x20,
                              ece = 0x40, cwr = 0x80;
}

struct packet_summary {
    parse_status status{parse_status::unsupported_link};
    std::uint8_t ip_version{0};        // 4 or 6 when status == ok
    std::uint8_t protocol{0};          // the flow's IP header's protocol (after IPv6 extension headers)
    std::uint8_t tcp_flags{0};
    std::uint16_t vlan{0};             // innermost 802.1Q/802.1ad VLAN id, 0 if none
    bool has_macs{false};              // Ethernet frame: src_mac/dst_mac valid (the inner frame's when tunnelled)
    bool fragment{false};              // IP fragment (any)
    bool later_fragment{false};        // fragment offset != 0: no L4 header, ports are 0
    bool has_l4{false};                // ports/flags below come from a parsed L4 header
    bool has_tcp_header{false};        // the whole TCP header (options included) was captured:
                                       // tcp_seq/tcp_ack/tcp_window valid, payload_offset exact
    std::uint8_t ttl{0};               // IPv4 TTL / IPv6 hop limit of the flow's IP header
    std::uint8_t dscp{0};              // RFC 2474: upper 6 bits of the IPv4 TOS / IPv6 traffic class
    endpoint src{};                    // ip + port (ICMP: see flow_key conventions)
    endpoint dst{};
    std::array<std::uint8_t, 6> src_mac{};
    std::array<std::uint8_t, 6> dst_mac{};
    // What crosses the wire: the outermost IP header's length (IPv4 total
    // length; IPv6 payload length + 40), also for a tunnelled packet.
    std::uint32_t l3_bytes{0};
    // The flow's IP header (the inner one of a tunnelled packet): where it
    // starts in the frame and the length it claims. Equal to l3_bytes and the
    // outer header's offset when there is no tunnel.
    std::uint32_t ip_length{0};
    std::uint16_t l3_offset{0};
    std::uint16_t l4_offset{0};        // offset of the L4 header (valid when has_l4)
    std::uint16_t payload_offset{0};   // offset of the L4 payload (valid when has_l4)
    std::uint16_t payload_len{0};      // captured payload bytes available from payload_offset
    std::uint16_t tcp_window{0};       // raw window field (unscaled), valid when has_tcp_header
    tunnel_type tunnel{tunnel_type::none};  // none, or the tunnel the packet came out of (below)
    std::uint8_t outer_ip_version{0};       // the tunnel's outer IP header's version
    std::uint32_t tcp_seq{0};          // valid when has_tcp_header
    std::uint32_t tcp_ack{0};          // valid when has_tcp_header (meaningful when the ACK flag is set)
    // Set when the flow's packet came out of a tunnel (with `tunnel` and
    // `outer_ip_version` above): the outer header's addresses (as sent:
    // source, destination) and the tunnel's identifier (GRE key, ERSPAN session, VXLAN VNI, GTP-U TEID; 0
    // when the encapsulation has none).
    std::uint32_t tunnel_id{0};
    ip_bytes outer_src{};
    ip_bytes outer_dst{};
};
// Two cache lines (`tunnel` and `outer_ip_version` sit in what was padding).
static_assert(sizeof(packet_summary) == 128);

// A default summary, to start each packet's from. The dissector copies it
// (eight vector loads and stores) rather than value-initialising: GCC clears
// a summary with `rep stos`, whose start-up was half of dissect()'s time at
// 1K flows (perf, docs/benchmarks.md). Defined out of line so that the copy
// stays a copy.
extern const packet_summary blank_summary;

}  // namespace wireflow::probe
