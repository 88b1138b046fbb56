#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "dissect/dissect.hpp"

using namespace wireflow::probe;

namespace {

// ---- frame construction -------------------------------------------------------

struct frame {
    std::vector<std::uint8_t> b;

    frame& u8(unsigned v) { b.push_back(static_cast<std::uint8_t>(v)); return *this; }
    frame& u16(unsigned v) { return u8(v >> 8).u8(v); }
    frame& u32(std::uint32_t v) { return u16(v >> 16).u16(v & 0xffff); }
    frame& raw(std::initializer_list<unsigned> v) { for (auto x : v) u8(x); return *this; }
    frame& zeros(std::size_t n) { b.insert(b.end(), n, 0); return *this; }
    frame& append(const frame& o) { b.insert(b.end(), o.b.begin(), o.b.end()); return *this; }
    std::size_t size() const { return b.size(); }
    void put16(std::size_t at, unsigned v) { b[at] = static_cast<std::uint8_t>(v >> 8); b[at + 1] = static_cast<std::uint8_t>(v); }
};

constexpr std::uint8_t mac_dst[6] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
constexpr std::uint8_t mac_src[6] = {0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb};

frame eth(unsigned type) {
    frame f;
    for (auto x : mac_dst) f.u8(x);
    for (auto x : mac_src) f.u8(x);
    return f.u16(type);
}
frame vlan_tag(unsigned pcp_vid, unsigned next) { return frame{}.u16(pcp_vid).u16(next); }
frame mpls_label(unsigned label, bool bottom) { return frame{}.u32(label << 12 | (bottom ? 0x100u : 0u) | 64u); }

// IPv4 header for `l4` bytes of upper-layer data; `options` multiple of 4.
frame ipv4(unsigned proto, std::size_t l4, std::size_t options = 0, unsigned frag = 0, int total_override = -1) {
    frame f;
    const std::size_t hl = 20 + options;
    const unsigned total = total_override >= 0 ? static_cast<unsigned>(total_override) : static_cast<unsigned>(hl + l4);
    f.u8(0x40 | static_cast<unsigned>(hl / 4)).u8(0).u16(total).u16(0x1234).u16(frag).u8(64).u8(proto).u16(0);
    f.raw({10, 0, 0, 1}).raw({192, 168, 1, 2});
    for (std::size_t i = 0; i < options; ++i) f.u8(1);  // NOP options
    return f;
}
frame ipv6(unsigned next, std::size_t payload) {
    frame f;
    f.u32(0x60000000).u16(static_cast<unsigned>(payload)).u8(next).u8(64);
    f.raw({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
    f.raw({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2});
    return f;
}
// Generic extension header (RFC 8200 4.2 format): total length 8*(1+len8).
frame ext(unsigned next, unsigned len8) { return frame{}.u8(next).u8(len8).zeros(6 + 8 * len8); }
frame ah(unsigned next) { return frame{}.u8(next).u8(4).zeros(22); }  // (4+2)*4 = 24 bytes
frame frag6(unsigned next, unsigned offset8, bool more) {
    return frame{}.u8(next).u8(0).u16(offset8 << 3 | (more ? 1u : 0u)).u32(0xabcd);
}
frame tcp(unsigned sport, unsigned dport, unsigned flags, std::size_t payload = 0, unsigned doff = 5) {
    frame f;
    f.u16(sport).u16(dport).u32(1000).u32(0).u8(doff << 4).u8(flags).u16(65535).u16(0).u16(0);
    if (doff > 5) f.zeros((doff - 5) * 4);
    return f.zeros(payload);
}
frame udp(unsigned sport, unsigned dport, std::size_t payload = 0) {
    return frame{}.u16(sport).u16(dport).u16(static_cast<unsigned>(8 + payload)).u16(0).zeros(payload);
}
frame sctp(unsigned sport, unsigned dport) { return frame{}.u16(sport).u16(dport).u32(0x01020304).u32(0); }
frame icmp(unsigned type, unsigned code, unsigned id, unsigned seq) {
    return frame{}.u8(type).u8(code).u16(0).u16(id).u16(seq).zeros(8);
}

frame eth_ipv4(unsigned proto, const frame& l4) { return eth(0x0800).append(ipv4(proto, l4.size())).append(l4); }
frame eth_ipv6(unsigned next, const frame& l4) { return eth(0x86dd).append(ipv6(next, l4.size())).append(l4); }

// Copies into an allocation of exactly the frame's length, so AddressSanitizer
// reports any read past the end (a vector's spare capacity would hide it).
packet_summary run(link_type lt, const std::uint8_t* data, std::size_t n) {
    auto buf = std::make_unique<std::byte[]>(n);
    if (n != 0) std::memcpy(buf.get(), data, n);
    return dissect(lt, std::span<const std::byte>(buf.get(), n));
}
packet_summary run(link_type lt, const frame& f) { return run(lt, f.b.data(), f.size()); }
packet_summary run(const frame& f) { return run(link_type::ethernet, f); }

bool is_truncated(parse_status s) {
    return s == parse_status::truncated_l2 || s == parse_status::truncated_ipv4 || s == parse_status::truncated_ipv6 ||
           s == parse_status::truncated_l4;
}

// Offsets never point outside the frame, whatever the bytes.
void check_invariants(const packet_summary& s, std::size_t n) {
    REQUIRE(static_cast<std::size_t>(s.status) < parse_status_count);
    REQUIRE(s.l3_offset <= n);
    if (s.has_l4) {
        REQUIRE(s.status == parse_status::ok);
        REQUIRE(s.l4_offset < s.payload_offset);
        REQUIRE(std::size_t{s.payload_offset} + s.payload_len <= n);
        REQUIRE_FALSE(s.later_fragment);
    }
    if (s.status == parse_status::ok) REQUIRE((s.ip_version == 4 || s.ip_version == 6));
}

endpoint v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d, std::uint16_t port) {
    endpoint e;
    e.ip = {a, b, c, d};
    e.port = port;
    return e;
}

std::vector<std::pair<std::string, frame>> sample_frames() {
    std::vector<std::pair<std::string, frame>> v;
    v.emplace_back("tcp4", eth_ipv4(6, tcp(40000, 443, 0x12, 10)));
    v.emplace_back("tcp4 options", eth(0x0800).append(ipv4(6, 24 + 5, 8)).append(tcp(1, 2, 0x10, 5, 6)));
    v.emplace_back("udp4", eth_ipv4(17, udp(5353, 53, 12)));
    v.emplace_back("sctp4", eth_ipv4(132, sctp(2905, 2905)));
    v.emplace_back("icmp4", eth_ipv4(1, icmp(8, 0, 77, 1)));
    v.emplace_back("gre4", eth_ipv4(47, frame{}.zeros(8)));
    v.emplace_back("first fragment", eth(0x0800).append(ipv4(17, 16, 0, 0x2000)).append(udp(1, 2, 8)));
    v.emplace_back("later fragment", eth(0x0800).append(ipv4(17, 16, 0, 0x0002)).zeros(16));
    v.emplace_back("qinq", eth(0x88a8).append(vlan_tag(100, 0x8100)).append(vlan_tag(200, 0x0800))
                               .append(ipv4(17, 8)).append(udp(1, 2)));
    v.emplace_back("mpls", eth(0x8847).append(mpls_label(16, false)).append(mpls_label(17, true))
                               .append(ipv4(6, 20)).append(tcp(1, 2, 2)));
    v.emplace_back("mpls pw", eth(0x8847).append(mpls_label(16, true)).u32(0)
                                  .append(eth_ipv6(17, udp(1, 2, 3))));
    v.emplace_back("fabricpath", eth(0x8903).u16(0x4020).append(eth_ipv4(6, tcp(1, 2, 0x10, 4))));
    v.emplace_back("pppoe", eth(0x8864).raw({0x11, 0, 0x12, 0x34}).u16(2 + 20 + 8).u16(0x0021)
                                .append(ipv4(17, 8)).append(udp(67, 68)));
    v.emplace_back("snap", eth(28 + 8).raw({0xaa, 0xaa, 0x03, 0, 0, 0}).u16(0x0800).append(ipv4(17, 8)).append(udp(1, 2)));
    v.emplace_back("tcp6 ext", eth(0x86dd).append(ipv6(0, 8 + 16 + 24 + 8 + 20))
                                   .append(ext(43, 0)).append(ext(51, 1)).append(ah(44)).append(frag6(6, 0, true))
                                   .append(tcp(1, 2, 0x02)));
    v.emplace_back("udp6 mobility hip shim6", eth(0x86dd).append(ipv6(135, 8 + 16 + 8 + 8))
                                                 .append(ext(139, 0)).append(ext(140, 1)).append(ext(17, 0))
                                                 .append(udp(1, 2)));
    v.emplace_back("icmp6", eth_ipv6(58, icmp(129, 0, 9, 1)));
    v.emplace_back("esp6", eth_ipv6(50, frame{}.zeros(24)));
    return v;
}

}  // namespace

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

TEST_CASE("an l4 header split off by fragmentation is truncated_l4", "[dissect]") {
    // RFC 1858: a tiny first fragment with only 8 bytes of TCP.
    const auto s = run(eth(0x0800).append(ipv4(6, 8, 0, 0x2000)).zeros(8));
    CHECK(s.status == parse_status::truncated_l4);
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

TEST_CASE("an ipv6 extension header overrunning the payload length is bad, overrunning the capture truncated", "[dissect]") {
    // Routing header claims 8*(1+4) = 40 bytes but the payload length leaves 16.
    auto f = eth(0x86dd).append(ipv6(43, 16)).append(frame{}.u8(17).u8(4).zeros(14));
    CHECK(run(f).status == parse_status::bad_ipv6_header);
    // Same header with a payload length covering it, but the capture ends early.
    auto g = eth(0x86dd).append(ipv6(43, 48)).append(frame{}.u8(17).u8(4).zeros(14));
    CHECK(run(g).status == parse_status::truncated_ipv6);
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
    CHECK(run(g).status == parse_status::truncated_l4);
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
    const auto gre = run(eth_ipv4(47, frame{}.u16(0).u16(0x0800).append(ipv4(17, 8)).append(udp(9, 9))));
    REQUIRE(gre.status == parse_status::ok);
    CHECK(gre.protocol == 47);
    CHECK_FALSE(gre.has_l4);
    CHECK(gre.src.port == 0);
    CHECK(gre.dst.port == 0);
    CHECK(run(eth_ipv4(17, frame{}.zeros(7))).status == parse_status::bad_l4_header);
}

TEST_CASE("both directions of an icmp echo share one flow key", "[dissect][icmp]") {
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
    CHECK(make_flow_key(0, 4, 1, req.src, req.dst).key == make_flow_key(0, 4, 1, rep.src, rep.dst).key);
    // A different identifier is a different ping.
    const auto other = run(eth_ipv4(1, icmp(8, 0, 0x4243, 1)));
    CHECK_FALSE(make_flow_key(0, 4, 1, req.src, req.dst).key == make_flow_key(0, 4, 1, other.src, other.dst).key);
}

TEST_CASE("both directions of an icmpv6 echo share one flow key", "[dissect][icmp]") {
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
    CHECK(make_flow_key(0, 6, 58, req.src, req.dst).key == make_flow_key(0, 6, 58, rep.src, rep.dst).key);
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

// ---- robustness -----------------------------------------------------------------

TEST_CASE("every prefix of every crafted frame dissects without over-read to ok or a truncation", "[dissect][robustness]") {
    for (const auto& [label, f] : sample_frames()) {
        INFO(label);
        const auto full = run(f);
        REQUIRE(full.status == parse_status::ok);
        check_invariants(full, f.size());
        for (std::size_t n = 0; n < f.size(); ++n) {
            INFO("cut at " << n);
            const auto s = run(link_type::ethernet, f.b.data(), n);
            check_invariants(s, n);
            // A cut never makes a header look self-contradictory.
            REQUIRE((s.status == parse_status::ok || is_truncated(s.status)));
            // Once the L4 header is complete, the cut only shortens the payload.
            if (full.has_l4 && n >= full.payload_offset) {
                REQUIRE(s.status == parse_status::ok);
                REQUIRE(s.payload_len == n - full.payload_offset);
                REQUIRE(s.l3_bytes == full.l3_bytes);
            }
        }
    }
}

TEST_CASE("every prefix of frames on the other link types dissects without over-read", "[dissect][robustness]") {
    const auto body4 = ipv4(6, 20).append(tcp(1, 2, 0));
    const auto body6 = ipv6(17, 8).append(udp(1, 2));
    std::vector<std::pair<link_type, frame>> frames = {
        {link_type::raw_ip, body4},
        {link_type::raw_ip, body6},
        {link_type::null_bsd, frame{}.raw({30, 0, 0, 0}).append(body6)},
        {link_type::loop, frame{}.u32(2).append(body4)},
        {link_type::linux_sll, frame{}.u16(0).u16(1).u16(6).zeros(8).u16(0x0800).append(body4)},
        {link_type::linux_sll2, frame{}.u16(0x86dd).zeros(18).append(body6)},
    };
    for (const auto& [lt, f] : frames) {
        INFO(name(lt));
        REQUIRE(run(lt, f).status == parse_status::ok);
        for (std::size_t n = 0; n < f.size(); ++n) {
            const auto s = run(lt, f.b.data(), n);
            check_invariants(s, n);
            REQUIRE((s.status == parse_status::ok || is_truncated(s.status)));
        }
    }
}

TEST_CASE("random byte mutations of crafted frames never over-read or break invariants", "[dissect][robustness]") {
    std::mt19937 rng(20240601);  // deterministic: a failure reproduces
    const link_type links[] = {link_type::ethernet, link_type::raw_ip,    link_type::null_bsd,
                               link_type::loop,     link_type::linux_sll, link_type::linux_sll2};
    std::size_t counts[parse_status_count] = {};
    for (const auto& [label, f] : sample_frames()) {
        INFO(label);
        for (int round = 0; round < 3000; ++round) {
            auto m = f.b;
            const int flips = 1 + static_cast<int>(rng() % 4);
            for (int i = 0; i < flips; ++i) m[rng() % m.size()] = static_cast<std::uint8_t>(rng());
            const std::size_t n = rng() % 4 == 0 ? rng() % (m.size() + 1) : m.size();
            const link_type lt = round % 8 == 0 ? links[rng() % 6] : link_type::ethernet;
            const auto s = run(lt, m.data(), n);
            check_invariants(s, n);
            ++counts[static_cast<std::size_t>(s.status)];
        }
    }
    // The mutations reach well beyond the happy path.
    CHECK(counts[static_cast<std::size_t>(parse_status::ok)] > 0);
    CHECK(counts[static_cast<std::size_t>(parse_status::not_ip)] > 0);
    CHECK(counts[static_cast<std::size_t>(parse_status::bad_ipv4_header)] > 0);
    CHECK(counts[static_cast<std::size_t>(parse_status::truncated_l4)] > 0);
}

TEST_CASE("every parse status has a distinct name", "[dissect]") {
    std::vector<std::string_view> names;
    for (std::size_t i = 0; i < parse_status_count; ++i) names.push_back(name(static_cast<parse_status>(i)));
    std::sort(names.begin(), names.end());
    CHECK(std::adjacent_find(names.begin(), names.end()) == names.end());
    CHECK(name(parse_status::truncated_l4) == "truncated_l4");
}
