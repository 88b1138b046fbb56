#include "dissect/dissect.hpp"

#include <algorithm>
#include <cstring>

namespace wireflow::probe {

namespace {

using bytes = std::span<const std::byte>;

// Offsets in packet_summary are 16-bit, so only the first 64 KiB - 1 of a
// frame are looked at. Every header the dissector reads fits far inside that;
// only payload_len of a larger (GRO/loopback) frame is capped.
constexpr std::size_t max_frame = 0xffff;

namespace ethertype {
constexpr std::uint16_t ipv4 = 0x0800, ipv6 = 0x86dd, vlan = 0x8100, qinq = 0x88a8, qinq_legacy = 0x9100,
                        mpls_unicast = 0x8847, mpls_multicast = 0x8848, pppoe_discovery = 0x8863,
                        pppoe_session = 0x8864, cisco_fabricpath = 0x8903;
// IEEE 802.3: values up to 1500 are a length, an LLC header follows.
constexpr std::uint16_t max_8023_length = 1500;
}  // namespace ethertype

namespace ipproto {
constexpr std::uint8_t hop_by_hop = 0, icmp = 1, ipv4 = 4, tcp = 6, udp = 17, ipv6 = 41, routing = 43, fragment = 44,
                       gre = 47, esp = 50,
                       ah = 51, icmpv6 = 58, no_next = 59, dest_opts = 60, sctp = 132, mobility = 135,
                       hip = 139, shim6 = 140;
}

// Unaligned-safe big-endian loads. Callers check the bounds first.
inline std::uint8_t u8(bytes f, std::size_t at) noexcept { return std::to_integer<std::uint8_t>(f[at]); }
inline std::uint16_t be16(bytes f, std::size_t at) noexcept {
    return static_cast<std::uint16_t>(u8(f, at) << 8 | u8(f, at + 1));
}
inline std::uint32_t be32(bytes f, std::size_t at) noexcept {
    return std::uint32_t{be16(f, at)} << 16 | be16(f, at + 2);
}
inline std::uint32_t le32(bytes f, std::size_t at) noexcept {
    return std::uint32_t{u8(f, at)} | std::uint32_t{u8(f, at + 1)} << 8 | std::uint32_t{u8(f, at + 2)} << 16 |
           std::uint32_t{u8(f, at + 3)} << 24;
}
// True when `n` bytes starting at `at` lie inside the frame (at <= f.size() always holds).
inline bool has(bytes f, std::size_t at, std::size_t n) noexcept { return f.size() - at >= n; }

inline void copy_ip(ip_bytes& dst, bytes f, std::size_t at, std::size_t n) noexcept {
    std::memcpy(dst.data(), f.data() + at, n);
}

inline std::uint16_t off16(std::size_t v) noexcept { return static_cast<std::uint16_t>(v); }

void dissect_ethernet(bytes f, std::size_t off, packet_summary& s, int depth) noexcept;

// ---- L4 ----------------------------------------------------------------------

// Reads ports and flags of the upper-layer header at [pos, end). `complete`
// says the IP header claims no more bytes than [pos, end) (not a snaplen cut,
// not a first fragment): a header that does not fit is then malformed, since
// the IP header contradicts it. Otherwise the header was cut by the capture's
// snap length (or a fragment boundary): the packet is still ok and counted by
// its IP length, in its flow when the ports were captured and in the
// port-less flow of the address pair when not (as tshark counts it).
void dissect_l4(bytes f, std::size_t pos, std::size_t end, bool complete, packet_summary& s) noexcept {
    s.l4_offset = off16(pos);
    s.status = parse_status::ok;
    const std::size_t avail = end - pos;
    // Cut short: ports only when the whole port pair was captured.
    const auto cut = [&](bool ports) noexcept {
        if (complete) return void(s.status = parse_status::bad_l4_header);
        if (!ports) {
            s.src.port = s.dst.port = 0;
            s.tcp_flags = 0;
            return;
        }
        s.has_l4 = true;
        s.payload_offset = off16(end);
        s.payload_len = 0;
    };
    const auto ports_at = [&](std::size_t at) noexcept {
        s.src.port = be16(f, at);
        s.dst.port = be16(f, at + 2);
    };
    std::size_t header = 0;
    switch (s.protocol) {
    case ipproto::tcp: {
        if (avail < 4) return cut(false);
        ports_at(pos);
        if (avail < 13) return cut(true);
        // RFC 9293 3.1: the data offset counts 32-bit words and is at least 5.
        header = std::size_t{u8(f, pos + 12)} >> 4 << 2;
        if (header < 20) return void(s.status = parse_status::bad_l4_header);
        if (avail > 13) s.tcp_flags = u8(f, pos + 13);
        if (avail < header) return cut(true);
        // RFC 9293 3.1: sequence number at 4, acknowledgment at 8, window at 14.
        s.tcp_seq = be32(f, pos + 4);
        s.tcp_ack = be32(f, pos + 8);
        s.tcp_window = be16(f, pos + 14);
        s.has_tcp_header = true;
        break;
    }
    case ipproto::udp:
    case ipproto::sctp:
        // UDP: 8-byte header; SCTP (RFC 9260 3.1): 12-byte common header. Ports first.
        header = s.protocol == ipproto::udp ? 8 : 12;
        if (avail < 4) return cut(false);
        ports_at(pos);
        if (avail < header) return cut(true);
        break;
    case ipproto::icmp:
    case ipproto::icmpv6: {
        // ICMP rides IPv4 and ICMPv6 rides IPv6; the other pairing is just a
        // protocol number without ports.
        const bool v6 = s.protocol == ipproto::icmpv6;
        if (v6 != (s.ip_version == 6)) break;
        if (avail < 4) return cut(false);
        const std::uint8_t type = u8(f, pos);
        const std::uint8_t code = u8(f, pos + 1);
        // RFC 792 / RFC 4443 4.1-4.2: echo request 8 / 128, reply 0 / 129.
        const std::uint8_t request = v6 ? 128 : 8;
        const std::uint8_t reply = v6 ? 129 : 0;
        if (type == request || type == reply) {
            if (avail < 8) return cut(false);  // no identifier: no ping flow to join
            const std::uint16_t id = be16(f, pos + 4);
            const auto req_port = static_cast<std::uint16_t>(request << 8 | code);
            s.src.port = type == request ? req_port : id;
            s.dst.port = type == request ? id : req_port;
        } else {
            s.src.port = static_cast<std::uint16_t>(type << 8 | code);
            s.dst.port = 0;
        }
        // Every defined ICMP message has an 8-byte header; tolerate 4..7.
        header = std::min<std::size_t>(avail, 8);
        break;
    }
    default:
        break;
    }
    if (header == 0) return;  // other IP protocol (GRE, ESP, ...): no ports
    s.has_l4 = true;
    s.payload_offset = off16(pos + header);
    s.payload_len = off16(end - pos - header);
}

// ---- L3 ----------------------------------------------------------------------

void dissect_ipv4(bytes f, std::size_t off, packet_summary& s) noexcept {
    s.l3_offset = off16(off);
    if (!has(f, off, 20)) return void(s.status = parse_status::truncated_ipv4);
    const std::uint8_t vihl = u8(f, off);
    const std::size_t ihl = std::size_t{vihl & 0x0fu} * 4;
    std::size_t total = be16(f, off + 2);
    // A host capturing its own traffic with TCP segmentation offload sees a
    // total length of 0 (the NIC fills it in per segment); as Wireshark does,
    // take the captured bytes as the datagram then.
    const bool offloaded = total == 0;
    if (offloaded) total = f.size() - off;
    // RFC 791 3.1: IHL < 5 is malformed; count it, never read options. A total
    // length shorter than the header cannot describe this datagram either.
    if ((vihl >> 4) != 4 || ihl < 20 || (!offloaded && total < ihl)) return void(s.status = parse_status::bad_ipv4_header);
    s.ip_version = 4;
    s.protocol = u8(f, off + 9);
    // RFC 2474 3: the DS field is the former TOS byte, DSCP its upper 6 bits.
    s.dscp = static_cast<std::uint8_t>(u8(f, off + 1) >> 2);
    s.ttl = u8(f, off + 8);
    s.l3_bytes = static_cast<std::uint32_t>(total);
    copy_ip(s.src.ip, f, off + 12, 4);
    copy_ip(s.dst.ip, f, off + 16, 4);
    if (!has(f, off, ihl)) return void(s.status = parse_status::truncated_ipv4);

    const std::uint16_t frag = be16(f, off + 6);
    const bool more_fragments = (frag & 0x2000) != 0;
    const bool offset_nonzero = (frag & 0x1fff) != 0;
    s.fragment = more_fragments || offset_nonzero;
    s.later_fragment = offset_nonzero;
    if (s.later_fragment) return void(s.status = parse_status::ok);  // RFC 791: no L4 header here

    // The total length bounds L4 (Ethernet pads short frames); the capture may
    // end earlier (snaplen), which is normal: l3_bytes keeps the header's value.
    const std::size_t ip_end = off + total;
    const std::size_t end = std::min(ip_end, f.size());
    dissect_l4(f, off + ihl, end, ip_end <= f.size() && !s.fragment && !offloaded, s);
}

void dissect_ipv6(bytes f, std::size_t off, packet_summary& s) noexcept {
    s.l3_offset = off16(off);
    if (!has(f, off, 40)) return void(s.status = parse_status::truncated_ipv6);
    if ((u8(f, off) >> 4) != 6) return void(s.status = parse_status::bad_ipv6_header);
    const std::uint16_t payload_length = be16(f, off + 4);
    std::uint8_t next = u8(f, off + 6);
    s.ip_version = 6;
    s.protocol = next;
    // RFC 8200 3: traffic class straddles bytes 0 and 1; RFC 2474: DSCP is its upper 6 bits.
    s.dscp = static_cast<std::uint8_t>(((u8(f, off) & 0x0f) << 4 | u8(f, off + 1) >> 4) >> 2);
    s.ttl = u8(f, off + 7);
    copy_ip(s.src.ip, f, off + 8, 16);
    copy_ip(s.dst.ip, f, off + 24, 16);

    // RFC 2675: a jumbogram has payload length 0 and a Jumbo Payload option in
    // the hop-by-hop header. Rather than trusting that 32-bit option we count
    // what was captured; a zero length without hop-by-hop is just empty.
    const bool jumbo = payload_length == 0 && next == ipproto::hop_by_hop;
    const std::size_t ip_end = jumbo ? f.size() : off + 40 + payload_length;
    s.l3_bytes = jumbo ? static_cast<std::uint32_t>(f.size() - off) : payload_length + 40u;
    const std::size_t end = std::min(ip_end, f.size());
    const bool cut_by_capture = ip_end > f.size();

    // RFC 8200 4: walk the extension headers to the upper-layer header. Each
    // is at least 8 bytes, so the walk ends within the frame.
    std::size_t pos = off + 40;
    for (;;) {
        std::size_t need = 0;
        switch (next) {
        case ipproto::hop_by_hop:
        case ipproto::routing:
        case ipproto::dest_opts:
        case ipproto::mobility:  // RFC 6275 6.1.1
        case ipproto::hip:       // RFC 7401 5.1
        case ipproto::shim6:     // RFC 5533 5.1
            need = 2;
            if (end - pos >= need) need = (std::size_t{u8(f, pos + 1)} + 1) * 8;
            break;
        case ipproto::ah:  // RFC 4302 2.2: length in 4-byte units, minus 2
            need = 2;
            if (end - pos >= need) need = (std::size_t{u8(f, pos + 1)} + 2) * 4;
            break;
        case ipproto::fragment:  // RFC 8200 4.5: fixed 8 bytes
            need = 8;
            break;
        default:
            break;
        }
        if (need == 0) break;  // upper-layer header, ESP (50) or no next header (59)
        if (end - pos < need) {
            // The chain overruns the datagram: a broken chain, or a snaplen
            // cut, which still counts (port-less, by the payload length).
            s.status = cut_by_capture ? parse_status::ok : parse_status::bad_ipv6_header;
            s.l4_offset = off16(pos);
            return;
        }
        if (next == ipproto::fragment) {
            s.fragment = true;
            s.later_fragment = (be16(f, pos + 2) & 0xfff8) != 0;
        }
        next = u8(f, pos);
        pos += need;
        s.protocol = next;
        if (s.later_fragment) return void(s.status = parse_status::ok);
    }
    if (next == ipproto::esp || next == ipproto::no_next) {
        s.l4_offset = off16(pos);
        return void(s.status = parse_status::ok);
    }
    dissect_l4(f, pos, end, !cut_by_capture && !s.fragment, s);
}

// Version from the first nibble, for links that do not say (raw IP, MPLS).
void dissect_ip_by_version(bytes f, std::size_t off, packet_summary& s) noexcept {
    if (!has(f, off, 1)) return void(s.status = parse_status::truncated_ipv4);
    const unsigned version = u8(f, off) >> 4;
    if (version == 6) return dissect_ipv6(f, off, s);
    if (version == 4) return dissect_ipv4(f, off, s);
    s.l3_offset = off16(off);
    s.status = parse_status::bad_ipv4_header;  // "version != 4": neither family
}

// ---- L2 ----------------------------------------------------------------------

void dissect_mpls(bytes f, std::size_t off, packet_summary& s, int depth) noexcept {
    // RFC 3032 2.1: 4-byte label stack entries, S bit marks the bottom.
    for (;;) {
        if (!has(f, off, 4)) return void(s.status = parse_status::truncated_l2);
        const bool bottom = (u8(f, off + 2) & 0x01) != 0;
        off += 4;
        if (bottom) break;
    }
    if (!has(f, off, 1)) return void(s.status = parse_status::truncated_l2);
    const unsigned nibble = u8(f, off) >> 4;
    if (nibble == 4 || nibble == 6) return dissect_ip_by_version(f, off, s);
    if (nibble == 0 && depth == 0) {
        // RFC 4385 3: a first nibble of 0 is the pseudowire control word; RFC
        // 4448 Ethernet pseudowire follows. One level only: no tunnel nesting.
        if (!has(f, off, 4)) return void(s.status = parse_status::truncated_l2);
        return dissect_ethernet(f, off + 4, s, depth + 1);
    }
    s.status = parse_status::not_ip;  // G-ACh (nibble 1) or a payload we do not decode
}

void dissect_pppoe_session(bytes f, std::size_t off, packet_summary& s) noexcept {
    // RFC 2516 4: ver=1 type=1 code=0 session length, then the PPP protocol.
    if (!has(f, off, 7)) return void(s.status = parse_status::truncated_l2);
    if (u8(f, off) != 0x11 || u8(f, off + 1) != 0) return void(s.status = parse_status::bad_l2);
    // RFC 1661 6.5 protocol-field compression: protocol numbers have an odd
    // low byte and an even high byte, so an odd first byte is a one-byte
    // protocol (0x21 IPv4, 0x57 IPv6). Wireshark's PPP dissector reads it so.
    std::uint16_t ppp = u8(f, off + 6);
    std::size_t ip = off + 7;
    if ((ppp & 0x01) == 0) {
        if (!has(f, off, 8)) return void(s.status = parse_status::truncated_l2);
        ppp = be16(f, off + 6);
        ip = off + 8;
    }
    if (ppp == 0x0021) return dissect_ipv4(f, ip, s);
    if (ppp == 0x0057) return dissect_ipv6(f, ip, s);
    s.status = parse_status::not_ip;  // LCP, IPCP, CHAP, ...
}

// Dispatches on an Ethernet type found at the end of an L2 header at `off`.
void dissect_ethertype(bytes f, std::size_t off, std::uint16_t type, packet_summary& s, int depth) noexcept {
    // IEEE 802.1Q: each tag is TCI + next type; the innermost VLAN id wins.
    while (type == ethertype::vlan || type == ethertype::qinq || type == ethertype::qinq_legacy) {
        if (!has(f, off, 4)) return void(s.status = parse_status::truncated_l2);
        s.vlan = static_cast<std::uint16_t>(be16(f, off) & 0x0fff);
        type = be16(f, off + 2);
        off += 4;
    }
    switch (type) {
    case ethertype::ipv4: return dissect_ipv4(f, off, s);
    case ethertype::ipv6: return dissect_ipv6(f, off, s);
    case ethertype::mpls_unicast:
    case ethertype::mpls_multicast: return dissect_mpls(f, off, s, depth);
    case ethertype::pppoe_session: return dissect_pppoe_session(f, off, s);
    case ethertype::cisco_fabricpath:
        // Cisco FabricPath: the outer header (switch addresses, 0x8903) is
        // followed by a 2-byte FTag/TTL and the host's whole Ethernet frame.
        if (depth != 0) return void(s.status = parse_status::not_ip);
        if (!has(f, off, 2)) return void(s.status = parse_status::truncated_l2);
        return dissect_ethernet(f, off + 2, s, depth + 1);
    case ethertype::pppoe_discovery:
    default: s.status = parse_status::not_ip; return;
    }
}

void dissect_ethernet(bytes f, std::size_t off, packet_summary& s, int depth) noexcept {
    if (!has(f, off, 14)) return void(s.status = parse_status::truncated_l2);
    // An encapsulated frame (pseudowire, FabricPath) overwrites the outer
    // MACs: those belong to routers or fabric switches, the inner to the hosts.
    std::memcpy(s.dst_mac.data(), f.data() + off, 6);
    std::memcpy(s.src_mac.data(), f.data() + off + 6, 6);
    s.has_macs = true;
    std::uint16_t type = be16(f, off + 12);
    off += 14;
    if (type <= ethertype::max_8023_length) {
        // RFC 1042: IP over 802.2 LLC uses SNAP (AA AA 03, OUI 0) + ethertype.
        // Any other LLC payload (STP, NetBIOS, ...) is not IP.
        static constexpr std::uint8_t snap[6] = {0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00};
        const std::size_t avail = f.size() - off;
        for (std::size_t i = 0; i < 6 && i < avail; ++i)
            if (u8(f, off + i) != snap[i]) return void(s.status = parse_status::not_ip);
        if (avail < 8) return void(s.status = parse_status::truncated_l2);
        type = be16(f, off + 6);
        off += 8;
    }
    dissect_ethertype(f, off, type, s, depth);
}

// BSD loopback families: AF_INET is 2 everywhere, AF_INET6 is 24 (NetBSD,
// OpenBSD), 28 (FreeBSD, DragonFly) or 30 (Darwin).
void dissect_by_family(bytes f, std::uint32_t family, packet_summary& s) noexcept {
    switch (family) {
    case 2: return dissect_ipv4(f, 4, s);
    case 24:
    case 28:
    case 30: return dissect_ipv6(f, 4, s);
    default: s.status = parse_status::not_ip; return;
    }
}

// ---- Tunnels -----------------------------------------------------------------

namespace tunnel_port {
constexpr std::uint16_t vxlan = 4789, gtp_u = 2152;  // IANA
}
namespace gre_proto {
constexpr std::uint16_t ipv4 = 0x0800, ipv6 = 0x86dd, ethernet = 0x6558, erspan_2 = 0x88be, erspan_3 = 0x22eb;
}

// What a tunnel header says follows it.
enum class inner_kind : std::uint8_t { ipv4, ipv6, ip_by_version, ethernet };

struct tunnel_header {
    tunnel_type type{tunnel_type::none};
    inner_kind inner{inner_kind::ipv4};
    std::uint32_t id{0};
    std::size_t inner_offset{0};
};

// GRE version 0 at [at, end): RFC 2784 with RFC 2890's key and sequence.
// Version 1 (PPTP's enhanced GRE, RFC 2637) carries PPP and the RFC 1701
// routing field is obsolete: those stay the GRE flow.
bool open_gre(bytes f, std::size_t at, std::size_t end, tunnel_header& t) noexcept {
    if (end - at < 4) return false;
    const std::uint16_t flags = be16(f, at);
    const std::uint16_t proto = be16(f, at + 2);
    constexpr std::uint16_t checksum_bit = 0x8000, routing_bit = 0x4000, key_bit = 0x2000, seq_bit = 0x1000;
    if ((flags & 0x0007) != 0 || (flags & routing_bit) != 0) return false;
    std::size_t header = 4;
    if (flags & checksum_bit) header += 4;  // checksum + reserved
    const std::size_t key_at = at + header;
    if (flags & key_bit) header += 4;
    if (flags & seq_bit) header += 4;
    if (end - at < header) return false;
    std::size_t pos = at + header;
    t.type = tunnel_type::gre;
    if (flags & key_bit) t.id = be32(f, key_at);
    switch (proto) {
    case gre_proto::ipv4: t.inner = inner_kind::ipv4; break;
    case gre_proto::ipv6: t.inner = inner_kind::ipv6; break;
    case gre_proto::ethernet: t.inner = inner_kind::ethernet; break;
    case gre_proto::erspan_2:
        // ERSPAN type I has no header of its own (and no GRE sequence
        // number); type II an 8-byte one: version and VLAN, then COS, En, T
        // and the 10-bit session id (draft-foschiano-erspan 4.1, as
        // Wireshark's packet-erspan.c reads it).
        t.type = tunnel_type::erspan;
        t.id = 0;
        t.inner = inner_kind::ethernet;
        if (flags & seq_bit) {
            if (end - pos < 8) return false;
            t.id = be16(f, pos + 2) & 0x03ffu;
            pos += 8;
        }
        break;
    case gre_proto::erspan_3: {
        // ERSPAN type III: 12 bytes, the session id as in type II, and the O
        // flag (last bit) announcing an 8-byte platform-specific subheader.
        t.type = tunnel_type::erspan;
        t.inner = inner_kind::ethernet;
        if (end - pos < 12) return false;
        t.id = be16(f, pos + 2) & 0x03ffu;
        const bool optional = (u8(f, pos + 11) & 0x01) != 0;
        pos += 12;
        if (optional) {
            if (end - pos < 8) return false;
            pos += 8;
        }
        break;
    }
    default: return false;  // PPP, MPLS, NSH, ... : the GRE flow
    }
    t.inner_offset = pos;
    return true;
}

// GTP-U (3GPP TS 29.281 5.1): only a G-PDU (type 255) carries a user's packet.
bool open_gtp_u(bytes f, std::size_t at, std::size_t end, tunnel_header& t) noexcept {
    if (end - at < 8) return false;
    const std::uint8_t flags = u8(f, at);
    constexpr std::uint8_t protocol_type = 0x10, optional_fields = 0x07, extension = 0x04;
    if ((flags >> 5) != 1 || (flags & protocol_type) == 0 || u8(f, at + 1) != 0xff) return false;
    t.id = be32(f, at + 4);
    std::size_t pos = at + 8;
    if (flags & optional_fields) {
        // Sequence number, N-PDU number and next extension header type: present
        // together when any of E, S, PN is set.
        if (end - pos < 4) return false;
        std::uint8_t next = (flags & extension) ? u8(f, pos + 3) : 0;
        pos += 4;
        // 5.2: each extension header is a length in 4-octet units (never 0),
        // its content, and the next type in its last octet; 0 ends the chain.
        while (next != 0) {
            if (end - pos < 1) return false;
            const std::size_t len = std::size_t{u8(f, pos)} * 4;
            if (len == 0 || end - pos < len) return false;
            next = u8(f, pos + len - 1);
            pos += len;
        }
    }
    t.type = tunnel_type::gtp_u;
    t.inner = inner_kind::ip_by_version;
    t.inner_offset = pos;
    return true;
}

// RFC 7348 5: flags (I = 0x08), 24 reserved bits, the 24-bit VNI, 8 reserved.
bool open_vxlan(bytes f, std::size_t at, std::size_t end, tunnel_header& t) noexcept {
    if (end - at < 8) return false;
    t.type = tunnel_type::vxlan;
    t.inner = inner_kind::ethernet;
    t.id = be32(f, at + 4) >> 8;
    t.inner_offset = at + 8;
    return true;
}

// When `s` (status ok) is a tunnel this dissector opens, and the inner packet
// is a complete IP header, `s` becomes the inner packet's summary.
void decapsulate(bytes f, packet_summary& s) noexcept {
    if (s.status != parse_status::ok || s.fragment) return;
    // The inner packet lies within the outer IP length (Ethernet padding and
    // trailers are not part of it).
    const std::size_t end = std::min<std::size_t>(f.size(), std::size_t{s.l3_offset} + s.l3_bytes);
    if (s.l4_offset > end) return;
    tunnel_header t;
    switch (s.protocol) {
    case ipproto::ipv4:
    case ipproto::ipv6:
        t.type = tunnel_type::ip_in_ip;
        t.inner = s.protocol == ipproto::ipv4 ? inner_kind::ipv4 : inner_kind::ipv6;
        t.inner_offset = s.l4_offset;
        break;
    case ipproto::gre:
        if (!open_gre(f, s.l4_offset, end, t)) return;
        break;
    case ipproto::udp: {
        if (!s.has_l4 || s.payload_offset > end) return;
        const auto either = [&](std::uint16_t port) { return s.dst.port == port || s.src.port == port; };
        if (either(tunnel_port::vxlan)) {
            if (!open_vxlan(f, s.payload_offset, end, t)) return;
        } else if (either(tunnel_port::gtp_u)) {
            if (!open_gtp_u(f, s.payload_offset, end, t)) return;
        } else {
            return;
        }
        break;
    }
    default: return;
    }
    const bytes inner_frame = f.first(end);
    packet_summary in{};
    switch (t.inner) {
    case inner_kind::ipv4: dissect_ipv4(inner_frame, t.inner_offset, in); break;
    case inner_kind::ipv6: dissect_ipv6(inner_frame, t.inner_offset, in); break;
    case inner_kind::ip_by_version: dissect_ip_by_version(inner_frame, t.inner_offset, in); break;
    case inner_kind::ethernet: dissect_ethernet(inner_frame, t.inner_offset, in, 0); break;
    }
    // ARP over VXLAN, a GTP-U PDU of a non-IP session, an inner header cut by
    // the snap length or broken: the packet stays the tunnel's own.
    if (in.status != parse_status::ok) return;
    in.ip_length = in.l3_bytes;
    in.l3_bytes = s.l3_bytes;
    in.tunnel = t.type;
    in.tunnel_id = t.id;
    in.outer_ip_version = s.ip_version;
    in.outer_src = s.src.ip;
    in.outer_dst = s.dst.ip;
    if (!in.has_macs) {
        // IP straight in the tunnel: the outer frame's MACs and VLAN, as for
        // any routed packet.
        in.has_macs = s.has_macs;
        in.src_mac = s.src_mac;
        in.dst_mac = s.dst_mac;
    }
    if (in.vlan == 0) in.vlan = s.vlan;
    s = in;
}

}  // namespace

void dissect(link_type lt, std::span<const std::byte> frame, packet_summary& s) noexcept {
    const bytes f = frame.first(std::min(frame.size(), max_frame));
    s = blank_summary;  // not packet_summary{}: packet_summary.hpp says why
    switch (lt) {
    case link_type::ethernet:
        dissect_ethernet(f, 0, s, 0);
        break;
    case link_type::raw_ip:
        dissect_ip_by_version(f, 0, s);
        break;
    case link_type::null_bsd: {
        if (!has(f, 0, 4)) {
            s.status = parse_status::truncated_l2;
            break;
        }
        // The family is in the capturing host's byte order, which the file does
        // not record; families are small, so a value with high bits set was
        // written by a host of the other order (tcpdump's print-null.c does the same).
        std::uint32_t family = le32(f, 0);
        if ((family & 0xffff0000u) != 0) family = be32(f, 0);
        dissect_by_family(f, family, s);
        break;
    }
    case link_type::loop:
        if (!has(f, 0, 4)) {
            s.status = parse_status::truncated_l2;
            break;
        }
        dissect_by_family(f, be32(f, 0), s);
        break;
    case link_type::linux_sll:
        // Linux cooked v1: 16 bytes, protocol (an Ethernet type for IP) at 14.
        if (!has(f, 0, 16)) {
            s.status = parse_status::truncated_l2;
            break;
        }
        dissect_ethertype(f, 16, be16(f, 14), s, 0);
        break;
    case link_type::linux_sll2:
        // Linux cooked v2: 20 bytes, protocol first.
        if (!has(f, 0, 20)) {
            s.status = parse_status::truncated_l2;
            break;
        }
        dissect_ethertype(f, 20, be16(f, 0), s, 0);
        break;
    default:
        s.status = parse_status::unsupported_link;
        break;
    }
    s.ip_length = s.l3_bytes;
    decapsulate(f, s);
}

std::string_view name(parse_status s) noexcept {
    switch (s) {
    case parse_status::ok: return "ok";
    case parse_status::not_ip: return "not_ip";
    case parse_status::truncated_l2: return "truncated_l2";
    case parse_status::bad_l2: return "bad_l2";
    case parse_status::truncated_ipv4: return "truncated_ipv4";
    case parse_status::bad_ipv4_header: return "bad_ipv4_header";
    case parse_status::truncated_ipv6: return "truncated_ipv6";
    case parse_status::bad_ipv6_header: return "bad_ipv6_header";
    case parse_status::bad_l4_header: return "bad_l4_header";
    case parse_status::unsupported_link: return "unsupported_link";
    case parse_status::count_: break;
    }
    return "unknown";
}

}  // namespace wireflow::probe
