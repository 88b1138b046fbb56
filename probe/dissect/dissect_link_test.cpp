// The dissector on link layers: Ethernet, VLAN, MPLS, pseudowires, FabricPath,
// PPPoE, LLC/SNAP, Linux cooked, raw IP, BSD null and loop.
#include <algorithm>
#include <string>
#include <vector>

#include "dissect/dissect_test_frames.hpp"

using namespace wireflow::probe;
using namespace wireflow::probe::dissect_test;

// ---- link layers ----------------------------------------------------------------

TEST_CASE("tcp over ipv4 over ethernet yields addresses, ports, flags and payload", "[dissect]") {
    const auto s = run(eth_ipv4(6, tcp(40000, 443, tcp_flag::syn | tcp_flag::ack, 10)));
    REQUIRE(s.status == parse_status::ok);
    CHECK(s.ip_version == 4);
    CHECK(s.protocol == 6);
    CHECK(s.src == v4(10, 0, 0, 1, 40000));
    CHECK(s.dst == v4(192, 168, 1, 2, 443));
    CHECK(s.tcp_flags == (tcp_flag::syn | tcp_flag::ack));
    CHECK(s.has_macs);
    CHECK(std::memcmp(s.dst_mac.data(), mac_dst, 6) == 0);
    CHECK(std::memcmp(s.src_mac.data(), mac_src, 6) == 0);
    CHECK(s.has_l4);
    CHECK(s.l3_offset == 14);
    CHECK(s.l4_offset == 34);
    CHECK(s.payload_offset == 54);
    CHECK(s.payload_len == 10);
    CHECK(s.l3_bytes == 50);
    CHECK(s.vlan == 0);
    CHECK_FALSE(s.fragment);
}

TEST_CASE("the innermost vlan id wins in 802.1Q, 802.1ad and 0x9100 stacks", "[dissect]") {
    const auto single = run(eth(0x8100).append(vlan_tag(0xe000 | 42, 0x0800)).append(ipv4(17, 8)).append(udp(1, 2)));
    REQUIRE(single.status == parse_status::ok);
    CHECK(single.vlan == 42);
    CHECK(single.l3_offset == 18);

    const auto qinq = run(eth(0x88a8).append(vlan_tag(100, 0x8100)).append(vlan_tag(200, 0x86dd))
                              .append(ipv6(17, 8)).append(udp(1, 2)));
    REQUIRE(qinq.status == parse_status::ok);
    CHECK(qinq.vlan == 200);
    CHECK(qinq.ip_version == 6);

    const auto legacy = run(eth(0x9100).append(vlan_tag(7, 0x8100)).append(vlan_tag(4095, 0x0800))
                                .append(ipv4(6, 20)).append(tcp(1, 2, 0)));
    REQUIRE(legacy.status == parse_status::ok);
    CHECK(legacy.vlan == 4095);
}

TEST_CASE("a vlan tag cut short is truncated_l2", "[dissect]") {
    CHECK(run(eth(0x8100).raw({0, 5})).status == parse_status::truncated_l2);
    CHECK(run(frame{}.zeros(13)).status == parse_status::truncated_l2);
    CHECK(run(frame{}).status == parse_status::truncated_l2);
}

TEST_CASE("arp, lldp, pppoe discovery and plain llc are not ip", "[dissect]") {
    CHECK(run(eth(0x0806).zeros(28)).status == parse_status::not_ip);
    CHECK(run(eth(0x88cc).zeros(28)).status == parse_status::not_ip);
    CHECK(run(eth(0x8863).raw({0x11, 0x09, 0, 0}).u16(0)).status == parse_status::not_ip);
    CHECK(run(eth(38).raw({0x42, 0x42, 0x03}).zeros(35)).status == parse_status::not_ip);  // STP
    const auto arp = run(eth(0x0806).zeros(28));
    CHECK(arp.has_macs);
}

TEST_CASE("ip in llc snap (rfc 1042) is dissected", "[dissect]") {
    const auto s = run(eth(36).raw({0xaa, 0xaa, 0x03, 0, 0, 0}).u16(0x0800).append(ipv4(17, 8)).append(udp(1, 2)));
    REQUIRE(s.status == parse_status::ok);
    CHECK(s.l3_offset == 22);
    CHECK(s.src.port == 1);
}

TEST_CASE("mpls labels are popped to the bottom of stack and ip found by its first nibble", "[dissect]") {
    const auto v4s = run(eth(0x8847).append(mpls_label(16, false)).append(mpls_label(17, false))
                             .append(mpls_label(18, true)).append(ipv4(6, 20)).append(tcp(1234, 80, 0)));
    REQUIRE(v4s.status == parse_status::ok);
    CHECK(v4s.l3_offset == 26);
    CHECK(v4s.dst.port == 80);

    const auto v6s = run(eth(0x8848).append(mpls_label(3, true)).append(ipv6(17, 8)).append(udp(1, 2)));
    REQUIRE(v6s.status == parse_status::ok);
    CHECK(v6s.ip_version == 6);
}

TEST_CASE("an mpls pseudowire control word leads to the inner ethernet frame", "[dissect]") {
    auto inner = eth(0x8100).append(vlan_tag(33, 0x0800)).append(ipv4(17, 8)).append(udp(7, 8));
    inner.b[0] = 0x02;  // the customer host's MAC, not the router's
    const auto s = run(eth(0x8847).append(mpls_label(100, true)).u32(0).append(inner));
    REQUIRE(s.status == parse_status::ok);
    CHECK(s.vlan == 33);
    CHECK(s.src.port == 7);
    CHECK(s.l3_offset == 14 + 4 + 4 + 18);
    CHECK(s.dst_mac[0] == 0x02);
    // A second control word inside is not followed: one level only.
    const auto nested = run(eth(0x8847).append(mpls_label(100, true)).u32(0)
                                .append(eth(0x8847)).append(mpls_label(5, true)).u32(0).append(inner));
    CHECK(nested.status == parse_status::not_ip);
}

TEST_CASE("a cisco fabricpath frame is dissected by its inner ethernet frame", "[dissect]") {
    auto inner = eth(0x8100).append(vlan_tag(7, 0x0800)).append(ipv4(6, 20)).append(tcp(8009, 38856, 0x12));
    inner.b[5] = 0x58;
    const auto s = run(eth(0x8903).u16(0x4020).append(inner));
    REQUIRE(s.status == parse_status::ok);
    CHECK(s.vlan == 7);
    CHECK(s.l3_offset == 16 + 18);
    CHECK(s.src.port == 8009);
    CHECK(s.dst_mac[5] == 0x58);
    CHECK(run(eth(0x8903).u8(0x40)).status == parse_status::truncated_l2);
}

TEST_CASE("an mpls stack without bottom of stack before the end is truncated_l2", "[dissect]") {
    CHECK(run(eth(0x8847).append(mpls_label(16, false)).append(mpls_label(17, false))).status ==
          parse_status::truncated_l2);
    // Something that is neither IP nor a control word under the stack.
    CHECK(run(eth(0x8847).append(mpls_label(16, true)).u32(0x10000000)).status == parse_status::not_ip);
}

TEST_CASE("pppoe session frames carry ipv4 and ipv6, other ppp protocols are not ip", "[dissect]") {
    const auto pppoe = [](unsigned proto) { return eth(0x8864).raw({0x11, 0, 0x00, 0x01}).u16(0).u16(proto); };
    const auto s4 = run(pppoe(0x0021).append(ipv4(17, 8)).append(udp(1, 2)));
    REQUIRE(s4.status == parse_status::ok);
    CHECK(s4.l3_offset == 22);
    const auto s6 = run(pppoe(0x0057).append(ipv6(6, 20)).append(tcp(1, 2, 0)));
    REQUIRE(s6.status == parse_status::ok);
    CHECK(s6.ip_version == 6);
    CHECK(run(pppoe(0xc021).zeros(10)).status == parse_status::not_ip);  // LCP
}

TEST_CASE("a pppoe session header with the wrong version or a nonzero code is bad_l2", "[dissect]") {
    CHECK(run(eth(0x8864).raw({0x21, 0, 0, 1}).u16(0).u16(0x0021).append(ipv4(17, 8)).append(udp(1, 2))).status ==
          parse_status::bad_l2);
    CHECK(run(eth(0x8864).raw({0x11, 0x09, 0, 1}).u16(0).u16(0x0021).append(ipv4(17, 8)).append(udp(1, 2))).status ==
          parse_status::bad_l2);
}

TEST_CASE("linux cooked captures v1 and v2 find the protocol at their offsets", "[dissect]") {
    frame sll;
    sll.u16(0).u16(1).u16(6).raw({1, 2, 3, 4, 5, 6, 0, 0}).u16(0x0800).append(ipv4(17, 8)).append(udp(1, 53));
    const auto s1 = run(link_type::linux_sll, sll);
    REQUIRE(s1.status == parse_status::ok);
    CHECK(s1.l3_offset == 16);
    CHECK(s1.dst.port == 53);
    CHECK_FALSE(s1.has_macs);

    frame sll2;
    sll2.u16(0x86dd).u16(0).u32(3).u16(1).u8(0).u8(6).raw({1, 2, 3, 4, 5, 6, 0, 0})
        .append(ipv6(17, 8)).append(udp(1, 53));
    const auto s2 = run(link_type::linux_sll2, sll2);
    REQUIRE(s2.status == parse_status::ok);
    CHECK(s2.l3_offset == 20);
    CHECK(s2.ip_version == 6);

    CHECK(run(link_type::linux_sll, frame{}.zeros(15)).status == parse_status::truncated_l2);
    CHECK(run(link_type::linux_sll2, frame{}.zeros(19)).status == parse_status::truncated_l2);
    frame sll_arp;
    sll_arp.u16(0).u16(1).u16(6).zeros(8).u16(0x0806).zeros(28);
    CHECK(run(link_type::linux_sll, sll_arp).status == parse_status::not_ip);
}

TEST_CASE("raw ip takes the version from the first nibble", "[dissect]") {
    const auto s4 = run(link_type::raw_ip, ipv4(17, 8).append(udp(1, 2)));
    REQUIRE(s4.status == parse_status::ok);
    CHECK(s4.l3_offset == 0);
    const auto s6 = run(link_type::raw_ip, ipv6(17, 8).append(udp(1, 2)));
    REQUIRE(s6.status == parse_status::ok);
    CHECK(s6.ip_version == 6);
    CHECK(run(link_type::raw_ip, frame{}.u8(0x50).zeros(30)).status == parse_status::bad_ipv4_header);
    CHECK(run(link_type::raw_ip, frame{}).status == parse_status::truncated_ipv4);
}

TEST_CASE("bsd null families are read in either byte order, loop in network order", "[dissect]") {
    const auto body4 = ipv4(17, 8).append(udp(1, 2));
    const auto body6 = ipv6(17, 8).append(udp(1, 2));
    CHECK(run(link_type::null_bsd, frame{}.raw({2, 0, 0, 0}).append(body4)).status == parse_status::ok);
    CHECK(run(link_type::null_bsd, frame{}.raw({0, 0, 0, 2}).append(body4)).status == parse_status::ok);
    for (unsigned fam : {24u, 28u, 30u}) {
        const auto le = run(link_type::null_bsd, frame{}.u8(fam).zeros(3).append(body6));
        CHECK(le.status == parse_status::ok);
        CHECK(le.ip_version == 6);
        CHECK(run(link_type::loop, frame{}.u32(fam).append(body6)).status == parse_status::ok);
    }
    CHECK(run(link_type::loop, frame{}.u32(2).append(body4)).l3_offset == 4);
    CHECK(run(link_type::null_bsd, frame{}.raw({7, 0, 0, 0}).zeros(20)).status == parse_status::not_ip);
    CHECK(run(link_type::null_bsd, frame{}.raw({2, 0, 0})).status == parse_status::truncated_l2);
    CHECK(run(link_type::loop, frame{}.raw({0, 0})).status == parse_status::truncated_l2);
}

TEST_CASE("pcap link types map to the dissector's link types or to nothing", "[link_type]") {
    CHECK(link_type_from_pcap(1) == link_type::ethernet);
    CHECK(link_type_from_pcap(0) == link_type::null_bsd);
    CHECK(link_type_from_pcap(12) == link_type::raw_ip);
    CHECK(link_type_from_pcap(14) == link_type::raw_ip);
    CHECK(link_type_from_pcap(101) == link_type::raw_ip);
    CHECK(link_type_from_pcap(108) == link_type::loop);
    CHECK(link_type_from_pcap(113) == link_type::linux_sll);
    CHECK(link_type_from_pcap(276) == link_type::linux_sll2);
    CHECK_FALSE(link_type_from_pcap(105).has_value());  // 802.11
    CHECK_FALSE(link_type_from_pcap(9).has_value());    // PPP
    CHECK_FALSE(link_type_from_pcap(-1).has_value());
    CHECK(name(link_type::linux_sll2) == "linux_sll2");
}

TEST_CASE("an unknown link type is unsupported_link", "[dissect]") {
    const auto s = run(static_cast<link_type>(105), eth_ipv4(17, udp(1, 2)));
    CHECK(s.status == parse_status::unsupported_link);
    CHECK_FALSE(s.has_macs);
}

TEST_CASE("ppp in pppoe with a compressed one-byte protocol field (rfc 1661 6.5) carries ip", "[dissect][pppoe]") {
    const auto pppoe1 = [](unsigned proto) { return eth(0x8864).raw({0x11, 0, 0x00, 0x01}).u16(0).u8(proto); };
    const auto s4 = run(pppoe1(0x21).append(ipv4(17, 8)).append(udp(67, 68)));
    REQUIRE(s4.status == parse_status::ok);
    CHECK(s4.l3_offset == 21);
    CHECK(s4.src == v4(10, 0, 0, 1, 67));
    CHECK(s4.dst.port == 68);
    const auto s6 = run(pppoe1(0x57).append(ipv6(6, 20)).append(tcp(1, 2, 0)));
    REQUIRE(s6.status == parse_status::ok);
    CHECK(s6.ip_version == 6);
    CHECK(s6.l3_offset == 21);
    // An odd one-byte protocol that is not IP (0x2b IPX) is not ip; an even
    // first byte is the uncompressed two-byte form.
    CHECK(run(pppoe1(0x2b).zeros(20)).status == parse_status::not_ip);
    CHECK(run(eth(0x8864).raw({0x11, 0, 0x00, 0x01}).u16(0).u8(0x00)).status == parse_status::truncated_l2);
    CHECK(run(eth(0x8864).raw({0x11, 0, 0x00, 0x01}).u16(0)).status == parse_status::truncated_l2);
}
