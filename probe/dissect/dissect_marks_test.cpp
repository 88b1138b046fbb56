// The dissector's TCP sequence fields and IP marks (TTL / hop limit, DSCP)
// that the flow table's TCP health and IP fields are built from.
#include "dissect/dissect_test_frames.hpp"

using namespace wireflow::probe;
using namespace wireflow::probe::dissect_test;

TEST_CASE("tcp sequence, acknowledgment and window are read from a whole tcp header", "[dissect]") {
    auto l4 = frame{}.u16(40000).u16(443).u32(0xfffffff0).u32(0x01020304).u8(5 << 4).u8(0x10).u16(0).u16(0).u16(0);
    const auto s = run(eth_ipv4(6, l4.zeros(10)));
    REQUIRE(s.status == parse_status::ok);
    REQUIRE(s.has_tcp_header);
    CHECK(s.tcp_seq == 0xfffffff0u);
    CHECK(s.tcp_ack == 0x01020304u);
    CHECK(s.tcp_window == 0);
    CHECK(s.l3_bytes - (s.payload_offset - s.l3_offset) == 10);
}

TEST_CASE("a tcp header cut by the snap length gives ports but no sequence fields", "[dissect]") {
    const auto f = eth_ipv4(6, tcp(1, 2, 0x10, 100));
    const auto s = run(link_type::ethernet, f.b.data(), 14 + 20 + 16);
    REQUIRE(s.status == parse_status::ok);
    CHECK(s.has_l4);
    CHECK_FALSE(s.has_tcp_header);
}

TEST_CASE("udp has no tcp header", "[dissect]") {
    CHECK_FALSE(run(eth_ipv4(17, udp(1, 2))).has_tcp_header);
}

TEST_CASE("ipv4 ttl and dscp come from the outermost header", "[dissect]") {
    auto f = eth_ipv4(17, udp(1, 2));
    f.b[14 + 1] = 0xb8 | 0x01;  // DSCP 46 (EF, RFC 3246), ECN bits ignored
    f.b[14 + 8] = 57;
    const auto s = run(f);
    REQUIRE(s.status == parse_status::ok);
    CHECK(s.dscp == 46);
    CHECK(s.ttl == 57);
}

TEST_CASE("ipv6 hop limit and the dscp of the traffic class straddling two bytes", "[dissect]") {
    auto f = eth_ipv6(17, udp(1, 2));
    // Traffic class 0x28 (DSCP 10, AF11) with ECN 0: version nibble 6, then 0x2, then 0x8.
    f.b[14] = 0x62;
    f.b[15] = 0x80;
    f.b[14 + 7] = 3;
    const auto s = run(f);
    REQUIRE(s.status == parse_status::ok);
    CHECK(s.dscp == 10);
    CHECK(s.ttl == 3);
}
