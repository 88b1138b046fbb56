// The dissector opens one level of tunnel (GRE, ERSPAN, VXLAN, GTP-U, IP in
// IP): the flow is the inner packet's, the bytes stay the outer IP length,
// and a tunnel whose inner packet is not a complete IP header stays the
// tunnel's own flow.
#include "dissect/dissect_test_frames.hpp"

using namespace wireflow::probe;
using namespace wireflow::probe::dissect_test;

namespace {

constexpr std::uint8_t inner_mac_dst[6] = {0x02, 0, 0, 0, 0, 0xd1};
constexpr std::uint8_t inner_mac_src[6] = {0x02, 0, 0, 0, 0, 0x51};

// An inner IPv4 packet 172.16.0.1 -> 172.16.0.2 (the outer one is
// 10.0.0.1 -> 192.168.1.2, as ipv4() writes it).
frame inner_v4(unsigned proto, const frame& l4) {
    frame f = ipv4(proto, l4.size());
    const std::uint8_t a[8] = {172, 16, 0, 1, 172, 16, 0, 2};
    for (std::size_t i = 0; i < 8; ++i) f.b[12 + i] = a[i];
    f.b[8] = 61;  // TTL: the inner header's, not the outer's 64
    return f.append(l4);
}
frame inner_v6(unsigned next, const frame& l4) {
    frame f = ipv6(next, l4.size());
    f.b[8 + 15] = 0x11;  // 2001:db8::11 -> 2001:db8::2
    return f.append(l4);
}
frame inner_eth(const frame& ip, unsigned type = 0x0800) {
    frame f;
    for (auto x : inner_mac_dst) f.u8(x);
    for (auto x : inner_mac_src) f.u8(x);
    return f.u16(type).append(ip);
}
frame outer_v4(unsigned proto, const frame& payload) { return eth_ipv4(proto, payload); }
frame outer_udp(unsigned sport, unsigned dport, const frame& payload) {
    frame u = frame{}.u16(sport).u16(dport).u16(static_cast<unsigned>(8 + payload.size())).u16(0).append(payload);
    return eth_ipv4(17, u);
}
frame vxlan(std::uint32_t vni, const frame& inner) { return frame{}.u8(0x08).zeros(3).u32(vni << 8).append(inner); }
frame gtp_u(std::uint32_t teid, const frame& inner) {
    return frame{}.u8(0x30).u8(0xff).u16(static_cast<unsigned>(inner.size())).u32(teid).append(inner);
}

endpoint inner_src(std::uint16_t port) { return v4(172, 16, 0, 1, port); }
endpoint inner_dst(std::uint16_t port) { return v4(172, 16, 0, 2, port); }

void check_outer_v4(const packet_summary& s) {
    CHECK(s.outer_ip_version == 4);
    CHECK(s.outer_src == v4(10, 0, 0, 1, 0).ip);
    CHECK(s.outer_dst == v4(192, 168, 1, 2, 0).ip);
}

}  // namespace

TEST_CASE("an ip-in-ip packet is the inner packet's flow, counted by the outer length", "[dissect][tunnel]") {
    const frame f = outer_v4(4, inner_v4(6, tcp(40000, 443, tcp_flag::syn)));
    const auto s = run(f);
    REQUIRE(s.status == parse_status::ok);
    CHECK(s.tunnel == tunnel_type::ip_in_ip);
    CHECK(s.tunnel_id == 0);
    check_outer_v4(s);
    CHECK(s.ip_version == 4);
    CHECK(s.protocol == 6);
    CHECK(s.src == inner_src(40000));
    CHECK(s.dst == inner_dst(443));
    CHECK(s.tcp_flags == tcp_flag::syn);
    CHECK(s.ttl == 61);
    CHECK(s.l3_bytes == 20 + 20 + 20);    // the outer IPv4 total length
    CHECK(s.ip_length == 20 + 20);        // the inner one
    CHECK(s.l3_offset == 14 + 20);        // the inner header: what nDPI reads
    CHECK(s.payload_offset == 14 + 20 + 20 + 20);
    CHECK(s.has_macs);                    // the outer frame's: no inner link layer
    check_invariants(s, f.size());
}

TEST_CASE("6in4 and 4in6 carry the inner family, the outer addresses their own", "[dissect][tunnel]") {
    const auto six_in_four = run(outer_v4(41, inner_v6(17, udp(5000, 53, 10))));
    REQUIRE(six_in_four.status == parse_status::ok);
    CHECK(six_in_four.tunnel == tunnel_type::ip_in_ip);
    CHECK(six_in_four.ip_version == 6);
    CHECK(six_in_four.outer_ip_version == 4);
    CHECK(six_in_four.dst.port == 53);
    CHECK(six_in_four.l3_bytes == 20 + 40 + 18);

    const frame in = inner_v4(17, udp(5000, 53, 10));
    const auto four_in_six = run(eth(0x86dd).append(ipv6(4, in.size())).append(in));
    REQUIRE(four_in_six.status == parse_status::ok);
    CHECK(four_in_six.tunnel == tunnel_type::ip_in_ip);
    CHECK(four_in_six.ip_version == 4);
    CHECK(four_in_six.outer_ip_version == 6);
    CHECK(four_in_six.src == inner_src(5000));
    CHECK(four_in_six.outer_src[15] == 1);
    CHECK(four_in_six.outer_dst[15] == 2);
    CHECK(four_in_six.l3_bytes == 40 + 20 + 18);
    CHECK(four_in_six.ip_length == 20 + 18);
}

TEST_CASE("gre carries ip or ethernet, and its key is the tunnel id", "[dissect][tunnel]") {
    // RFC 2890: K and S bits, the key then the sequence number.
    const frame ip = inner_v4(17, udp(1234, 53, 4));
    const auto keyed = run(outer_v4(47, frame{}.u16(0x3000).u16(0x0800).u32(0xdeadbeef).u32(7).append(ip)));
    REQUIRE(keyed.status == parse_status::ok);
    CHECK(keyed.tunnel == tunnel_type::gre);
    CHECK(keyed.tunnel_id == 0xdeadbeef);
    CHECK(keyed.src == inner_src(1234));
    CHECK(keyed.protocol == 17);
    check_outer_v4(keyed);

    // With a checksum (C bit: 4 more bytes) and IPv6 inside.
    const auto v6 = run(outer_v4(47, frame{}.u16(0x8000).u16(0x86dd).u32(0).append(inner_v6(6, tcp(1, 2, tcp_flag::ack)))));
    REQUIRE(v6.status == parse_status::ok);
    CHECK(v6.tunnel == tunnel_type::gre);
    CHECK(v6.ip_version == 6);
    CHECK(v6.src.port == 1);

    // Transparent Ethernet bridging: the inner frame's MACs are the hosts'.
    const auto teb = run(outer_v4(47, frame{}.u16(0).u16(0x6558).append(inner_eth(ip))));
    REQUIRE(teb.status == parse_status::ok);
    CHECK(teb.tunnel == tunnel_type::gre);
    CHECK(teb.src_mac[5] == 0x51);
    CHECK(teb.dst_mac[5] == 0xd1);
}

TEST_CASE("erspan types i, ii and iii open to the mirrored frame with the session id", "[dissect][tunnel]") {
    const frame mirrored = inner_eth(inner_v4(6, tcp(50000, 80, tcp_flag::ack, 100)));
    // Type II: GRE with a sequence number, then 8 bytes: version 1, VLAN, session 0x155.
    const auto two = run(outer_v4(47, frame{}.u16(0x1000).u16(0x88be).u32(1).u16(0x1000).u16(0x0155).u32(0).append(mirrored)));
    REQUIRE(two.status == parse_status::ok);
    CHECK(two.tunnel == tunnel_type::erspan);
    CHECK(two.tunnel_id == 0x155);
    CHECK(two.src == inner_src(50000));
    CHECK(two.payload_len == 100);
    CHECK(two.src_mac[5] == 0x51);

    // Type I: no sequence number, no header of its own.
    const auto one = run(outer_v4(47, frame{}.u16(0).u16(0x88be).append(mirrored)));
    REQUIRE(one.status == parse_status::ok);
    CHECK(one.tunnel == tunnel_type::erspan);
    CHECK(one.tunnel_id == 0);
    CHECK(one.dst.port == 80);

    // Type III: 12 bytes, and the O flag's 8-byte platform subheader.
    const frame hdr3 = frame{}.u16(0x2000).u16(0x0007).u32(0x12345678).u16(0).u16(0x0001);
    const auto three = run(outer_v4(47, frame{}.u16(0x1000).u16(0x22eb).u32(1).append(hdr3).zeros(8).append(mirrored)));
    REQUIRE(three.status == parse_status::ok);
    CHECK(three.tunnel == tunnel_type::erspan);
    CHECK(three.tunnel_id == 7);
    CHECK(three.dst.port == 80);
}

TEST_CASE("vxlan opens on port 4789 either side, with the vni as id", "[dissect][tunnel]") {
    const frame inner = inner_eth(inner_v4(17, udp(40000, 8080, 30)));
    const auto s = run(outer_udp(51000, 4789, vxlan(0x123456, inner)));
    REQUIRE(s.status == parse_status::ok);
    CHECK(s.tunnel == tunnel_type::vxlan);
    CHECK(s.tunnel_id == 0x123456);
    CHECK(s.dst == inner_dst(8080));
    CHECK(s.src_mac[5] == 0x51);
    CHECK(s.l3_bytes == 20 + 8 + 8 + 14 + 20 + 8 + 30);
    CHECK(s.ip_length == 20 + 8 + 30);
    const auto back = run(outer_udp(4789, 51000, vxlan(1, inner)));
    CHECK(back.tunnel == tunnel_type::vxlan);
    // An inner VLAN tag is the flow's VLAN.
    const frame tagged = inner_eth(vlan_tag(42, 0x0800).append(inner_v4(17, udp(1, 2))), 0x8100);
    CHECK(run(outer_udp(51000, 4789, vxlan(1, tagged))).vlan == 42);
}

TEST_CASE("gtp-u g-pdus open to the user's ip packet, extension headers skipped", "[dissect][tunnel]") {
    const frame user = inner_v4(6, tcp(33000, 443, tcp_flag::syn));
    const auto s = run(outer_udp(2152, 2152, gtp_u(0xabcdef01, user)));
    REQUIRE(s.status == parse_status::ok);
    CHECK(s.tunnel == tunnel_type::gtp_u);
    CHECK(s.tunnel_id == 0xabcdef01);
    CHECK(s.src == inner_src(33000));
    // E flag: sequence, N-PDU, next type 0x85 (PDU session container, 1 unit), then none.
    const frame ext = frame{}.u8(0x34).u8(0xff).u16(static_cast<unsigned>(8 + user.size())).u32(9)
                          .u16(0).u8(0).u8(0x85).u8(1).u8(0x10).u8(0x01).u8(0).append(user);
    const auto e = run(outer_udp(2152, 2152, ext));
    REQUIRE(e.status == parse_status::ok);
    CHECK(e.tunnel == tunnel_type::gtp_u);
    CHECK(e.tunnel_id == 9);
    CHECK(e.dst.port == 443);
    // An echo request (type 1) carries no user packet.
    frame echo = gtp_u(5, user);
    echo.b[1] = 1;
    CHECK(run(outer_udp(2152, 2152, echo)).tunnel == tunnel_type::none);
}

TEST_CASE("a tunnel without a complete inner ip header stays the tunnel's own flow", "[dissect][tunnel]") {
    // ARP inside VXLAN: the UDP flow to port 4789.
    const frame arp = inner_eth(frame{}.zeros(28), 0x0806);
    const auto a = run(outer_udp(51000, 4789, vxlan(1, arp)));
    REQUIRE(a.status == parse_status::ok);
    CHECK(a.tunnel == tunnel_type::none);
    CHECK(a.dst.port == 4789);
    CHECK(a.ip_length == a.l3_bytes);
    // The inner header cut by the snap length: the GRE flow, by the outer length.
    frame f = outer_v4(47, frame{}.u16(0).u16(0x0800).append(inner_v4(6, tcp(1, 2, 0))));
    f.b.resize(14 + 20 + 4 + 12);
    const auto cut = run(f);
    REQUIRE(cut.status == parse_status::ok);
    CHECK(cut.tunnel == tunnel_type::none);
    CHECK(cut.protocol == 47);
    CHECK(cut.l3_bytes == 20 + 4 + 40);
    // PPTP's enhanced GRE (version 1) carries PPP: not opened.
    CHECK(run(outer_v4(47, frame{}.u16(0x3001).u16(0x880b).u32(0).append(inner_v4(17, udp(1, 2))))).tunnel ==
          tunnel_type::none);
    // An outer fragment: the inner header may be in another fragment.
    const frame in = inner_v4(17, udp(1, 2));
    const auto frag = run(eth(0x0800).append(ipv4(4, in.size(), 0, 0x2000)).append(in));
    CHECK(frag.tunnel == tunnel_type::none);
    CHECK(frag.protocol == 4);
}

TEST_CASE("a tunnel inside the tunnel is not opened", "[dissect][tunnel]") {
    const frame innermost = inner_v4(17, udp(7, 7));
    const frame gre_in_gre = outer_v4(47, frame{}.u16(0).u16(0x0800).append(inner_v4(47, frame{}.u16(0).u16(0x0800).append(innermost))));
    const auto s = run(gre_in_gre);
    REQUIRE(s.status == parse_status::ok);
    CHECK(s.tunnel == tunnel_type::gre);
    CHECK(s.protocol == 47);
    CHECK(s.src == inner_src(0));
}

TEST_CASE("every cut of a tunnelled frame is dissected within its bounds", "[dissect][tunnel]") {
    const frame frames[] = {
        outer_udp(51000, 4789, vxlan(1, inner_eth(inner_v4(6, tcp(1, 2, 0, 10))))),
        outer_udp(2152, 2152, gtp_u(1, inner_v6(17, udp(1, 2, 5)))),
        outer_v4(47, frame{}.u16(0x1000).u16(0x22eb).u32(1).u16(0x2000).u16(1).u32(0).u16(0).u16(1).zeros(8)
                         .append(inner_eth(inner_v4(17, udp(1, 2))))),
        outer_v4(41, inner_v6(6, tcp(1, 2, 0))),
    };
    for (const frame& full : frames) {
        for (std::size_t n = 0; n <= full.size(); ++n) {
            const auto s = run(link_type::ethernet, full.b.data(), n);
            check_invariants(s, n);
            if (s.tunnel != tunnel_type::none) {
                REQUIRE(s.status == parse_status::ok);
                REQUIRE(s.l3_offset + 20u <= n);
            }
        }
    }
}

// The worker dissects each burst into the same array of summaries: whatever
// the previous packet there left (a tunnel, TCP fields, MACs) must not show
// in the next one's.
TEST_CASE("a summary dissected into again keeps nothing of the previous packet", "[dissect][tunnel]") {
    const frame tunnelled =
        outer_udp(50000, 4789, vxlan(77, inner_eth(inner_v4(6, tcp(40000, 443, tcp_flag::syn | tcp_flag::ack)))));
    const std::uint8_t raw_udp[] = {0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 10, 9, 8, 7, 10, 9, 8, 6,
                                    0x13, 0x88, 0x00, 0x35, 0, 8, 0, 0};
    packet_summary reused;
    dissect(link_type::ethernet, std::as_bytes(std::span(tunnelled.b)), reused);
    REQUIRE(reused.tunnel == tunnel_type::vxlan);
    REQUIRE(reused.has_tcp_header);
    dissect(link_type::raw_ip, std::as_bytes(std::span(raw_udp)), reused);

    const packet_summary fresh = run(link_type::raw_ip, raw_udp, sizeof raw_udp);
    REQUIRE(fresh.status == parse_status::ok);
    CHECK(reused.status == fresh.status);
    CHECK(reused.tunnel == tunnel_type::none);
    CHECK(reused.tunnel_id == 0);
    CHECK(reused.outer_ip_version == 0);
    CHECK(reused.outer_src == ip_bytes{});
    CHECK(reused.outer_dst == ip_bytes{});
    CHECK_FALSE(reused.has_macs);
    CHECK(reused.src_mac == std::array<std::uint8_t, 6>{});
    CHECK_FALSE(reused.has_tcp_header);
    CHECK(reused.tcp_flags == 0);
    CHECK(reused.tcp_seq == 0);
    CHECK(reused.tcp_ack == 0);
    CHECK(reused.tcp_window == 0);
    CHECK(reused.vlan == 0);
    CHECK(reused.protocol == fresh.protocol);
    CHECK(reused.src == fresh.src);
    CHECK(reused.dst == fresh.dst);
    CHECK(reused.l3_bytes == fresh.l3_bytes);
    CHECK(reused.ip_length == fresh.ip_length);
    CHECK(reused.payload_offset == fresh.payload_offset);
    CHECK(reused.payload_len == fresh.payload_len);
}
