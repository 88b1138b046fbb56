// The dissector on IPv4, IPv6 (extension headers, fragments) and the L4
// headers that give ports.
#include <algorithm>
#include <string>
#include <vector>

#include "dissect/dissect_test_frames.hpp"

using namespace wireflow::probe;
using namespace wireflow::probe::dissect_test;

// ---- IPv4 -----------------------------------------------------------------------

TEST_CASE("ipv4 options are skipped using the header length", "[dissect]") {
    const auto s = run(eth(0x0800).append(ipv4(17, 8, 12)).append(udp(1000, 2000)));
    REQUIRE(s.status == parse_status::ok);
    CHECK(s.l4_offset == 14 + 32);
    CHECK(s.src.port == 1000);
    CHECK(s.l3_bytes == 40);
}

TEST_CASE("ipv4 headers with a wrong version, ihl below 5 or total length below the header are bad", "[dissect]") {
    auto f = eth_ipv4(17, udp(1, 2));
    f.b[14] = 0x55;
    CHECK(run(f).status == parse_status::bad_ipv4_header);
    f.b[14] = 0x44;  // RFC 791: IHL < 5
    CHECK(run(f).status == parse_status::bad_ipv4_header);
    CHECK(run(eth(0x0800).append(ipv4(17, 8, 8, 0, 24)).append(udp(1, 2))).status == parse_status::bad_ipv4_header);
    // A datagram that is only its header cannot hold the UDP header it names.
    CHECK(run(eth(0x0800).append(ipv4(17, 8, 0, 0, 20)).append(udp(1, 2))).status == parse_status::bad_l4_header);
}

TEST_CASE("an ipv4 total length of 0 from segmentation offload counts the captured bytes", "[dissect]") {
    const auto s = run(eth(0x0800).append(ipv4(6, 0, 0, 0, 0)).append(tcp(1, 2, 0x10, 3000)));
    REQUIRE(s.status == parse_status::ok);
    CHECK(s.l3_bytes == 20 + 20 + 3000);
    CHECK(s.payload_len == 3000);
    CHECK(run(link_type::ethernet, eth(0x0800).append(ipv4(6, 0, 4, 0, 0)).b.data(), 14 + 22).status ==
          parse_status::truncated_ipv4);
}

TEST_CASE("ipv4 options beyond the captured bytes are truncated_ipv4", "[dissect]") {
    const auto f = eth(0x0800).append(ipv4(17, 8, 20)).append(udp(1, 2));
    const auto s = run(link_type::ethernet, f.b.data(), 14 + 30);
    CHECK(s.status == parse_status::truncated_ipv4);
    CHECK(run(link_type::ethernet, f.b.data(), 14 + 19).status == parse_status::truncated_ipv4);
}

TEST_CASE("a first ipv4 fragment has ports and a later one has none", "[dissect]") {
    const auto first = run(eth(0x0800).append(ipv4(17, 16, 0, 0x2000)).append(udp(4000, 53, 8)));
    REQUIRE(first.status == parse_status::ok);
    CHECK(first.fragment);
    CHECK_FALSE(first.later_fragment);
    CHECK(first.has_l4);
    CHECK(first.dst.port == 53);

    const auto later = run(eth(0x0800).append(ipv4(17, 16, 0, 0x0002)).append(udp(4000, 53, 8)));
    REQUIRE(later.status == parse_status::ok);
    CHECK(later.fragment);
    CHECK(later.later_fragment);
    CHECK_FALSE(later.has_l4);
    CHECK(later.src.port == 0);
    CHECK(later.dst.port == 0);
    CHECK(later.protocol == 17);

    // The last fragment (MF clear, offset set) is still a later fragment.
    const auto last = run(eth(0x0800).append(ipv4(6, 8, 0, 0x0010)).zeros(8));
    CHECK(last.later_fragment);
    CHECK(last.status == parse_status::ok);
}

TEST_CASE("an l4 header split off by fragmentation counts with the ports it holds", "[dissect]") {
    // RFC 1858: a tiny first fragment with only 8 bytes of TCP: ports, no flags.
    auto f = eth(0x0800).append(ipv4(6, 8, 0, 0x2000)).u16(1234).u16(80).u32(1);
    const auto s = run(f);
    CHECK(s.status == parse_status::ok);
    CHECK(s.has_l4);
    CHECK(s.src.port == 1234);
    CHECK(s.dst.port == 80);
    CHECK(s.tcp_flags == 0);
    CHECK(s.l3_bytes == 28);
    // Two bytes of UDP: no port pair, so the port-less flow of the addresses.
    const auto t = run(eth(0x0800).append(ipv4(17, 2, 0, 0x2000)).zeros(2));
    CHECK(t.status == parse_status::ok);
    CHECK_FALSE(t.has_l4);
    CHECK(t.src.port == 0);
    CHECK(t.dst.port == 0);
}

TEST_CASE("a frame snapped inside the l4 header is ok: ports when captured, else a port-less flow", "[dissect][snaplen]") {
    const auto f = eth_ipv4(6, tcp(40000, 443, 0x18, 1400));
    // 14 + 20 + 2: half a port pair.
    const auto a = run(link_type::ethernet, f.b.data(), 36);
    CHECK(a.status == parse_status::ok);
    CHECK_FALSE(a.has_l4);
    CHECK(a.src == v4(10, 0, 0, 1, 0));
    CHECK(a.dst == v4(192, 168, 1, 2, 0));
    CHECK(a.l3_bytes == 1440);
    // 14 + 20 + 10: ports, no flags yet.
    const auto b = run(link_type::ethernet, f.b.data(), 44);
    CHECK(b.status == parse_status::ok);
    CHECK(b.has_l4);
    CHECK(b.src.port == 40000);
    CHECK(b.dst.port == 443);
    CHECK(b.tcp_flags == 0);
    CHECK(b.payload_len == 0);
    CHECK(b.l3_bytes == 1440);
    // 14 + 20 + 14: flags too.
    const auto c = run(link_type::ethernet, f.b.data(), 48);
    CHECK(c.tcp_flags == 0x18);
    // An icmp echo without its identifier joins no ping flow.
    const auto e = eth_ipv4(1, icmp(8, 0, 77, 1));
    const auto d = run(link_type::ethernet, e.b.data(), 14 + 20 + 6);
    CHECK(d.status == parse_status::ok);
    CHECK_FALSE(d.has_l4);
    CHECK(d.src.port == 0);
}

TEST_CASE("a frame snapped inside the ipv6 extension chain counts in the port-less flow", "[dissect][snaplen]") {
    const auto f = eth(0x86dd).append(ipv6(0, 8 + 8 + 100)).append(ext(17, 0)).append(udp(1, 2, 100));
    const auto s = run(link_type::ethernet, f.b.data(), 14 + 40 + 4);
    CHECK(s.status == parse_status::ok);
    CHECK_FALSE(s.has_l4);
    CHECK(s.l3_bytes == 40 + 116);
    CHECK(s.src.port == 0);
}

TEST_CASE("a header that contradicts the ip length is still malformed", "[dissect][snaplen]") {
    // UDP in an IPv4 datagram of 20 + 4: the IP length leaves no room for the header.
    const auto s = run(eth(0x0800).append(ipv4(17, 4)).zeros(4));
    CHECK(s.status == parse_status::bad_l4_header);
}

TEST_CASE("a snapped capture keeps the header's l3_bytes and counts only captured payload", "[dissect]") {
    const auto f = eth_ipv4(6, tcp(1, 2, 0x18, 1400));
    const auto s = run(link_type::ethernet, f.b.data(), 96);
    REQUIRE(s.status == parse_status::ok);
    CHECK(s.l3_bytes == 20 + 20 + 1400);
    CHECK(s.payload_len == 96 - 54);
}

TEST_CASE("ethernet padding after a short datagram is not payload", "[dissect]") {
    auto f = eth_ipv4(17, udp(1, 2, 2));
    f.zeros(16);  // minimum Ethernet frame padding
    const auto s = run(f);
    REQUIRE(s.status == parse_status::ok);
    CHECK(s.payload_len == 2);
    CHECK(s.l3_bytes == 30);
}

// ---- IPv6 -----------------------------------------------------------------------

TEST_CASE("ipv6 extension headers are walked to the upper-layer header", "[dissect]") {
    // hop-by-hop (8) -> routing (16) -> AH (24) -> fragment (8, first) -> TCP
    const auto f = eth(0x86dd).append(ipv6(0, 8 + 16 + 24 + 8 + 20))
                       .append(ext(43, 0)).append(ext(51, 1)).append(ah(44)).append(frag6(6, 0, true))
                       .append(tcp(5555, 22, tcp_flag::syn));
    const auto s = run(f);
    REQUIRE(s.status == parse_status::ok);
    CHECK(s.protocol == 6);
    CHECK(s.l4_offset == 14 + 40 + 56);
    CHECK(s.src.port == 5555);
    CHECK(s.dst.port == 22);
    CHECK(s.fragment);
    CHECK_FALSE(s.later_fragment);
    CHECK(s.l3_bytes == 40 + 76);
    CHECK(s.src.ip[0] == 0x20);
    CHECK(s.dst.ip[15] == 2);
}

TEST_CASE("ipv6 destination options, mobility, hip and shim6 headers are skipped", "[dissect]") {
    const auto s = run(eth(0x86dd).append(ipv6(60, 8 + 8 + 16 + 8 + 8)).append(ext(135, 0)).append(ext(139, 0))
                           .append(ext(140, 1)).append(ext(17, 0)).append(udp(1, 2)));
    REQUIRE(s.status == parse_status::ok);
    CHECK(s.protocol == 17);
    CHECK(s.l4_offset == 14 + 40 + 40);
}

TEST_CASE("a later ipv6 fragment has no ports but the fragment's next header", "[dissect]") {
    const auto s = run(eth(0x86dd).append(ipv6(44, 8 + 16)).append(frag6(17, 3, false)).zeros(16));
    REQUIRE(s.status == parse_status::ok);
    CHECK(s.fragment);
    CHECK(s.later_fragment);
    CHECK(s.protocol == 17);
    CHECK_FALSE(s.has_l4);
}

TEST_CASE("esp and no next header end the ipv6 chain", "[dissect]") {
    const auto esp = run(eth(0x86dd).append(ipv6(0, 8 + 16)).append(ext(50, 0)).zeros(16));
    REQUIRE(esp.status == parse_status::ok);
    CHECK(esp.protocol == 50);
    CHECK_FALSE(esp.has_l4);
    const auto none = run(eth_ipv6(59, frame{}));
    REQUIRE(none.status == parse_status::ok);
    CHECK(none.protocol == 59);
    CHECK(none.l3_bytes == 40);
}

TEST_CASE("an ipv6 extension header overrunning the payload length is bad, overrunning the capture counted", "[dissect]") {
    // Routing header claims 8*(1+4) = 40 bytes but the payload length leaves 16.
    auto f = eth(0x86dd).append(ipv6(43, 16)).append(frame{}.u8(17).u8(4).zeros(14));
    CHECK(run(f).status == parse_status::bad_ipv6_header);
    // Same header with a payload length covering it, but the capture ends early.
    auto g = eth(0x86dd).append(ipv6(43, 48)).append(frame{}.u8(17).u8(4).zeros(14));
    CHECK(run(g).status == parse_status::ok);  // counted, port-less
    CHECK(run(eth(0x86dd).zeros(39)).status == parse_status::truncated_ipv6);
    auto h = eth_ipv6(17, udp(1, 2));
    h.b[14] = 0x40;
    CHECK(run(h).status == parse_status::bad_ipv6_header);
}

TEST_CASE("an ipv6 jumbogram counts the captured bytes as its l3 length", "[dissect]") {
    // RFC 2675: payload length 0, Jumbo Payload option (0xC2) in hop-by-hop.
    const auto f = eth(0x86dd).append(ipv6(0, 0)).append(frame{}.u8(17).u8(0).u8(0xc2).u8(4).u32(8 + 8 + 100))
                       .append(udp(1, 2, 100));
    const auto s = run(f);
    REQUIRE(s.status == parse_status::ok);
    CHECK(s.l3_bytes == 40 + 8 + 108);
    CHECK(s.payload_len == 100);
}

// ---- L4 -------------------------------------------------------------------------

TEST_CASE("a tcp data offset below 5 is bad_l4_header", "[dissect]") {
    CHECK(run(eth_ipv4(6, tcp(1, 2, 0, 0, 4))).status == parse_status::bad_l4_header);
    // A data offset larger than the datagram is malformed, larger than the capture is a cut.
    CHECK(run(eth_ipv4(6, tcp(1, 2, 0, 0, 5))).status == parse_status::ok);
    auto f = eth_ipv4(6, tcp(1, 2, 0, 0, 5));
    f.b[14 + 20 + 12] = 0xf0;
    CHECK(run(f).status == parse_status::bad_l4_header);
    auto g = eth(0x0800).append(ipv4(6, 60)).append(tcp(1, 2, 0, 0, 5));
    g.b[14 + 20 + 12] = 0xf0;
    CHECK(run(g).status == parse_status::ok);
    CHECK(run(g).src.port == 1);
}

TEST_CASE("udp and sctp ports are read, other protocols such as gre have none", "[dissect]") {
    const auto u = run(eth_ipv6(17, udp(5353, 5353, 20)));
    REQUIRE(u.status == parse_status::ok);
    CHECK(u.src.port == 5353);
    CHECK(u.payload_len == 20);
    const auto sc = run(eth_ipv4(132, sctp(36412, 38412)));
    REQUIRE(sc.status == parse_status::ok);
    CHECK(sc.src.port == 36412);
    CHECK(sc.dst.port == 38412);
    CHECK(sc.payload_offset == 14 + 20 + 12);
    // GRE carrying MPLS: a tunnel the dissector does not open (dissect_tunnel_test has those it does).
    const auto gre = run(eth_ipv4(47, frame{}.u16(0).u16(0x8847).append(mpls_label(16, true)).append(ipv4(17, 8)).append(udp(9, 9))));
    REQUIRE(gre.status == parse_status::ok);
    CHECK(gre.tunnel == tunnel_type::none);
    CHECK(gre.protocol == 47);
    CHECK_FALSE(gre.has_l4);
    CHECK(gre.src.port == 0);
    CHECK(gre.dst.port == 0);
    CHECK(run(eth_ipv4(17, frame{}.zeros(7))).status == parse_status::bad_l4_header);
}

TEST_CASE("both directions of an icmp echo mirror each other", "[dissect][icmp]") {
    const auto req = run(eth_ipv4(1, icmp(8, 0, 0x4242, 1)));
    auto reply_frame = eth_ipv4(1, icmp(0, 0, 0x4242, 1));
    std::swap_ranges(reply_frame.b.begin() + 26, reply_frame.b.begin() + 30, reply_frame.b.begin() + 30);
    const auto rep = run(reply_frame);
    REQUIRE(req.status == parse_status::ok);
    REQUIRE(rep.status == parse_status::ok);
    CHECK(req.src.port == 8 << 8);
    CHECK(req.dst.port == 0x4242);
    CHECK(rep.src.port == 0x4242);
    CHECK(rep.dst.port == 8 << 8);
    // The reply is the request mirrored, so the canonical flow key is the same.
    CHECK(req.src == rep.dst);
    CHECK(req.dst == rep.src);
    // A different identifier is a different ping.
    const auto other = run(eth_ipv4(1, icmp(8, 0, 0x4243, 1)));
    CHECK_FALSE(other.dst == req.dst);
}

TEST_CASE("both directions of an icmpv6 echo mirror each other", "[dissect][icmp]") {
    const auto req = run(eth_ipv6(58, icmp(128, 0, 7, 1)));
    auto reply_frame = eth_ipv6(58, icmp(129, 0, 7, 1));
    std::swap_ranges(reply_frame.b.begin() + 22, reply_frame.b.begin() + 38, reply_frame.b.begin() + 38);
    const auto rep = run(reply_frame);
    REQUIRE(req.status == parse_status::ok);
    REQUIRE(rep.status == parse_status::ok);
    CHECK(req.src.port == 128 << 8);
    CHECK(req.dst.port == 7);
    CHECK(rep.src.port == 7);
    CHECK(rep.dst.port == 128 << 8);
    CHECK(req.src == rep.dst);
    CHECK(req.dst == rep.src);
}

TEST_CASE("other icmp types put type and code in the source port", "[dissect][icmp]") {
    const auto unreach = run(eth_ipv4(1, icmp(3, 3, 0, 0)));
    REQUIRE(unreach.status == parse_status::ok);
    CHECK(unreach.src.port == (3 << 8 | 3));
    CHECK(unreach.dst.port == 0);
    const auto ns = run(eth_ipv6(58, icmp(135, 0, 0, 0)));
    CHECK(ns.src.port == 135 << 8);
    // An echo needs its identifier: 6 bytes of a complete datagram are malformed.
    CHECK(run(eth_ipv4(1, frame{}.raw({8, 0, 0, 0, 1, 2}))).status == parse_status::bad_l4_header);
    // ICMPv6 carried by IPv4 is just a protocol number.
    const auto odd = run(eth_ipv4(58, icmp(128, 0, 7, 1)));
    CHECK(odd.status == parse_status::ok);
    CHECK_FALSE(odd.has_l4);
}
