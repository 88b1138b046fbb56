// The flow table carries TCP health and IP marks into its records: TTL
// range per direction, DSCP of the first packet, the TCP counts of the
// record's period and the handshake split.
#include "flow/flow_table_test_support.hpp"

using namespace wireflow::probe;
using namespace wireflow::probe::flow_table_test;

namespace {

constexpr std::uint64_t ms = 1'000'000;

packet_summary seg(endpoint src, endpoint dst, std::uint8_t flags, std::uint32_t seq, std::uint32_t ack,
                   std::uint32_t len, std::uint8_t ttl = 64, std::uint16_t win = 1000) {
    packet_summary p = pkt(tcp, src, dst, 40 + len, flags);
    p.has_tcp_header = true;
    p.tcp_seq = seq;
    p.tcp_ack = ack;
    p.tcp_window = win;
    p.ttl = ttl;
    return p;
}

}  // namespace

TEST_CASE("records carry the ttl range of each direction and the dscp of the first packet", "[flow_table]") {
    flow_table t(small_config());
    collecting_sink sink;
    auto a = pkt(udp, cli, srv, 100);
    a.ttl = 64;
    a.dscp = 46;
    auto b = pkt(udp, srv, cli, 100);
    b.ttl = 52;
    b.dscp = 0;
    auto c = a;
    c.ttl = 61;
    c.dscp = 8;
    t.account(a, 1 * sec, sink);
    t.account(b, 1 * sec, sink);
    t.account(c, 2 * sec, sink);
    t.flush(3 * sec, sink);
    REQUIRE(sink.items.size() == 1);
    const flow_record& r = sink.items[0].rec;
    CHECK(r.c2s_ttl_min == 61);
    CHECK(r.c2s_ttl_max == 64);
    CHECK(r.s2c_ttl_min == 52);
    CHECK(r.s2c_ttl_max == 52);
    CHECK(r.dscp == 46);
    CHECK_FALSE(r.tcp_analysed);
}

TEST_CASE("a tcp flow's record carries its retransmissions and handshake split", "[flow_table]") {
    flow_table t(small_config());
    collecting_sink sink;
    const std::uint64_t t0 = 5 * sec;
    t.account(seg(cli, srv, tcp_flag::syn, 100, 0, 0), t0, sink);
    t.account(seg(srv, cli, tcp_flag::syn | tcp_flag::ack, 900, 101, 0, 50), t0 + 25 * ms, sink);
    t.account(seg(cli, srv, tcp_flag::ack, 101, 901, 0), t0 + 27 * ms, sink);
    t.account(seg(cli, srv, tcp_flag::ack, 101, 901, 500), t0 + 30 * ms, sink);
    t.account(seg(cli, srv, tcp_flag::ack, 101, 901, 500), t0 + 400 * ms, sink);  // again, late
    t.account(seg(srv, cli, tcp_flag::ack, 901, 601, 0, 50, 0), t0 + 410 * ms, sink);  // zero window
    t.account(seg(cli, srv, tcp_flag::rst | tcp_flag::ack, 601, 901, 0), t0 + 420 * ms, sink);
    REQUIRE(sink.items.size() == 1);
    const flow_record& r = sink.items[0].rec;
    CHECK(r.reason == end_reason::tcp_rst);
    CHECK(r.tcp_analysed);
    CHECK(r.server_rtt_ns == 25 * ms);
    CHECK(r.client_rtt_ns == 2 * ms);
    CHECK(r.c2s_retransmissions == 1);
    CHECK(r.s2c_retransmissions == 0);
    CHECK(r.c2s_out_of_order == 0);
    CHECK(r.s2c_zero_windows == 1);
    CHECK(r.c2s_zero_windows == 0);
    CHECK(r.c2s_ttl_min == 64);
    CHECK(r.s2c_ttl_max == 50);
}

TEST_CASE("an active-timeout record restarts the tcp counts and ttl range but keeps the handshake", "[flow_table]") {
    auto cfg = small_config();
    cfg.idle_timeout_ns = 100 * sec;  // only the active timeout (60 s) ends the period
    flow_table t(cfg);
    collecting_sink sink;
    t.account(seg(cli, srv, tcp_flag::syn, 100, 0, 0, 64), 1 * sec, sink);
    t.account(seg(srv, cli, tcp_flag::syn | tcp_flag::ack, 900, 101, 0, 50), 1 * sec + 10 * ms, sink);
    t.account(seg(cli, srv, tcp_flag::ack, 101, 901, 100, 64), 1 * sec + 20 * ms, sink);
    t.account(seg(cli, srv, tcp_flag::ack, 101, 901, 100, 63), 2 * sec, sink);  // retransmission
    t.expire(62 * sec, 64, sink);  // active timeout: 60 s
    REQUIRE(sink.items.size() == 1);
    CHECK_FALSE(sink.items[0].final);
    CHECK(sink.items[0].rec.c2s_retransmissions == 1);
    CHECK(sink.items[0].rec.c2s_ttl_min == 63);
    t.account(seg(cli, srv, tcp_flag::ack, 201, 901, 100, 60), 63 * sec, sink);
    t.flush(64 * sec, sink);
    REQUIRE(sink.items.size() == 2);
    const flow_record& r = sink.items[1].rec;
    CHECK(r.c2s_retransmissions == 0);
    CHECK(r.c2s_ttl_min == 60);
    CHECK(r.c2s_ttl_max == 60);
    CHECK(r.s2c_packets == 0);
    CHECK(r.server_rtt_ns == 10 * ms);
    CHECK(r.client_rtt_ns == 10 * ms);
}

TEST_CASE("a tcp flow whose headers were never whole has no tcp analysis", "[flow_table]") {
    flow_table t(small_config());
    collecting_sink sink;
    t.account(pkt(tcp, cli, srv, 1500, tcp_flag::ack), sec, sink);  // has_tcp_header false
    t.flush(2 * sec, sink);
    REQUIRE(sink.items.size() == 1);
    CHECK_FALSE(sink.items[0].rec.tcp_analysed);
    CHECK(sink.items[0].rec.c2s_retransmissions == 0);
}
