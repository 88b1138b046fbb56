// The dissector on every prefix and on random mutations of crafted frames:
// no over-read, offsets inside the frame, a status for everything.
#include <algorithm>
#include <random>
#include <string>

#include "dissect/dissect_test_frames.hpp"

using namespace wireflow::probe;
using namespace wireflow::probe::dissect_test;

namespace {

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
            // Once the IP header is complete the packet counts by its IP length,
            // with the ports once they are captured.
            if (n >= std::size_t{full.l4_offset} && full.l4_offset > full.l3_offset) {
                REQUIRE(s.status == parse_status::ok);
                REQUIRE(s.l3_bytes == full.l3_bytes);
                REQUIRE(s.src.ip == full.src.ip);
                REQUIRE(s.dst.ip == full.dst.ip);
                if (s.has_l4) {
                    REQUIRE(s.src.port == full.src.port);
                    REQUIRE(s.dst.port == full.dst.port);
                } else {
                    REQUIRE(s.src.port == 0);
                    REQUIRE(s.dst.port == 0);
                }
            }
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
    CHECK(counts[static_cast<std::size_t>(parse_status::bad_l4_header)] > 0);
}

TEST_CASE("every parse status has a distinct name", "[dissect]") {
    std::vector<std::string_view> names;
    for (std::size_t i = 0; i < parse_status_count; ++i) names.push_back(name(static_cast<parse_status>(i)));
    std::sort(names.begin(), names.end());
    CHECK(std::adjacent_find(names.begin(), names.end()) == names.end());
    CHECK(name(parse_status::bad_l4_header) == "bad_l4_header");
}
