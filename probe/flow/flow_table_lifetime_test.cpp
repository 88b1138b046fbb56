// How flows end: idle and active timeouts, TCP close, eviction, flush.
#include <map>
#include <set>
#include <tuple>
#include <vector>

#include "flow/flow_table_test_support.hpp"

using namespace wireflow::probe;
using namespace wireflow::probe::flow_table_test;

TEST_CASE("a flow idle for the idle timeout is exported and forgotten", "[flow_table]") {
    flow_table t(small_config());
    collecting_sink sink;
    t.account(pkt(udp, cli, srv, 100), 1 * sec, sink);
    t.expire(10 * sec, 64, sink);  // 9 s idle: still alive
    CHECK(sink.items.empty());
    t.expire(11 * sec, 64, sink);
    REQUIRE(sink.items.size() == 1);
    CHECK(sink.items[0].final);
    CHECK(sink.items[0].rec.reason == end_reason::idle_timeout);
    CHECK(t.active() == 0);
    CHECK(t.counters().records_emitted == 1);
}

TEST_CASE("a packet for an idle flow not yet swept starts a new flow", "[flow_table]") {
    flow_table t(small_config());
    collecting_sink sink;
    const auto a = t.account(pkt(udp, cli, srv, 100), 1 * sec, sink);
    const auto b = t.account(pkt(udp, srv, cli, 100), 20 * sec, sink);
    CHECK(b.created);
    REQUIRE(sink.items.size() == 1);
    CHECK(sink.items[0].rec.reason == end_reason::idle_timeout);
    CHECK(sink.items[0].slot == a.slot);
    t.flush(21 * sec, sink);
    REQUIRE(sink.items.size() == 2);
    CHECK(sink.items[0].rec.flow_id != sink.items[1].rec.flow_id);
    // The reply arrived first in the new flow, but from port 443 to a high port.
    CHECK(sink.items[1].rec.client == cli);
}

TEST_CASE("expire scans at most the budget per call and resumes where it stopped", "[flow_table]") {
    flow_table t(small_config(64));
    collecting_sink sink;
    for (std::uint16_t i = 0; i < 64; ++i) t.account(pkt(udp, v4(10, 0, 1, 1, 1024 + i), srv, 80), sec, sink);
    CHECK(t.active() == 64);
    t.expire(100 * sec, 10, sink);
    CHECK(sink.items.size() == 10);
    t.expire(100 * sec, 10, sink);
    CHECK(sink.items.size() == 20);
    t.expire(100 * sec, 1000, sink);
    CHECK(sink.items.size() == 64);
    CHECK(t.active() == 0);
}

TEST_CASE("active timeout records carry deltas that sum to the totals", "[flow_table]") {
    auto cfg = small_config();
    cfg.idle_timeout_ns = 100 * sec;
    cfg.active_timeout_ns = 10 * sec;
    flow_table t(cfg);
    collecting_sink sink;
    std::uint64_t c2s_p = 0, c2s_b = 0, s2c_p = 0, s2c_b = 0;
    std::uint32_t slot = 0;
    for (std::uint64_t i = 0; i < 100; ++i) {
        const bool fwd = i % 3 != 0;
        const std::uint32_t bytes = 40 + static_cast<std::uint32_t>(i);
        const auto h = t.account(fwd ? pkt(udp, cli, srv, bytes) : pkt(udp, srv, cli, bytes), i * sec / 2, sink);
        if (i == 0) slot = h.slot;
        CHECK(h.slot == slot);
        (fwd ? c2s_p : s2c_p) += 1;
        (fwd ? c2s_b : s2c_b) += bytes;
        t.expire(i * sec / 2, 64, sink);
    }
    t.flush(50 * sec, sink);
    REQUIRE(sink.items.size() >= 5);
    std::uint64_t sp = 0, sb = 0, rp = 0, rb = 0;
    for (std::size_t i = 0; i < sink.items.size(); ++i) {
        const auto& it = sink.items[i];
        const bool last = i + 1 == sink.items.size();
        CHECK(it.final == last);
        CHECK(it.rec.reason == (last ? end_reason::shutdown : end_reason::active_timeout));
        CHECK(it.rec.flow_id == sink.items[0].rec.flow_id);
        CHECK(it.slot == slot);
        CHECK(it.rec.last_seen_ns - it.rec.first_seen_ns <= 10 * sec);
        sp += it.rec.c2s_packets;
        sb += it.rec.c2s_bytes;
        rp += it.rec.s2c_packets;
        rb += it.rec.s2c_bytes;
    }
    CHECK(sp == c2s_p);
    CHECK(sb == c2s_b);
    CHECK(rp == s2c_p);
    CHECK(rb == s2c_b);
    CHECK(t.counters().flows_created == 1);
}

TEST_CASE("FIN from both sides ends the flow with the final ACK", "[flow_table]") {
    flow_table t(small_config());
    collecting_sink sink;
    t.account(pkt(tcp, cli, srv, 60, tcp_flag::syn), 1 * sec, sink);
    t.account(pkt(tcp, srv, cli, 60, tcp_flag::syn | tcp_flag::ack), 1 * sec, sink);
    t.account(pkt(tcp, cli, srv, 52, tcp_flag::fin | tcp_flag::ack), 2 * sec, sink);
    CHECK(sink.items.empty());
    t.account(pkt(tcp, srv, cli, 52, tcp_flag::ack), 2 * sec, sink);  // ACK of the first FIN: half closed
    CHECK(sink.items.empty());
    const auto fin2 = t.account(pkt(tcp, srv, cli, 52, tcp_flag::fin | tcp_flag::ack), 2 * sec, sink);
    CHECK_FALSE(fin2.ended);
    CHECK(sink.items.empty());
    const auto last = t.account(pkt(tcp, cli, srv, 52, tcp_flag::ack), 3 * sec, sink);
    CHECK(last.ended);
    REQUIRE(sink.items.size() == 1);
    CHECK(sink.items[0].final);
    CHECK(sink.items[0].rec.reason == end_reason::tcp_fin);
    CHECK(sink.items[0].rec.c2s_packets == 3);
    CHECK(sink.items[0].rec.s2c_packets == 3);
    CHECK(t.active() == 0);

    // A new connection on the same 5-tuple is a new flow.
    const auto again = t.account(pkt(tcp, cli, srv, 60, tcp_flag::syn), 4 * sec, sink);
    CHECK(again.created);
    t.flush(5 * sec, sink);
    REQUIRE(sink.items.size() == 2);
    CHECK(sink.items[1].rec.flow_id != sink.items[0].rec.flow_id);
}

TEST_CASE("FIN from both sides without the final ACK ends as tcp_fin when idle", "[flow_table]") {
    flow_table t(small_config());
    collecting_sink sink;
    t.account(pkt(tcp, cli, srv, 52, tcp_flag::fin | tcp_flag::ack), 1 * sec, sink);
    t.account(pkt(tcp, srv, cli, 52, tcp_flag::fin | tcp_flag::ack), 1 * sec, sink);
    t.expire(30 * sec, 64, sink);
    REQUIRE(sink.items.size() == 1);
    CHECK(sink.items[0].rec.reason == end_reason::tcp_fin);
}

TEST_CASE("a RST ends the flow at once", "[flow_table]") {
    flow_table t(small_config());
    collecting_sink sink;
    t.account(pkt(tcp, cli, srv, 60, tcp_flag::syn), 1 * sec, sink);
    const auto h = t.account(pkt(tcp, srv, cli, 40, tcp_flag::rst | tcp_flag::ack), 1 * sec, sink);
    CHECK(h.ended);
    REQUIRE(sink.items.size() == 1);
    CHECK(sink.items[0].final);
    CHECK(sink.items[0].slot == h.slot);
    CHECK(sink.items[0].rec.reason == end_reason::tcp_rst);
    CHECK(sink.items[0].rec.s2c_tcp_flags == (tcp_flag::rst | tcp_flag::ack));
    CHECK(t.active() == 0);
}

TEST_CASE("a full table evicts the least recently used flow and places the new one", "[flow_table]") {
    flow_table t(small_config(4));
    collecting_sink sink;
    std::vector<flow_hit> hits;
    for (std::uint16_t i = 0; i < 4; ++i)
        hits.push_back(t.account(pkt(udp, v4(10, 0, 0, 1, 2000 + i), srv, 100), (1 + i) * sec, sink));
    // Touch the oldest so the second one becomes the least recently used.
    t.account(pkt(udp, v4(10, 0, 0, 1, 2000), srv, 100), 5 * sec, sink);
    CHECK(sink.items.empty());
    const auto h = t.account(pkt(udp, v4(10, 0, 0, 1, 3000), srv, 100), 6 * sec, sink);
    CHECK(h.created);
    REQUIRE(sink.items.size() == 1);
    CHECK(sink.items[0].final);
    CHECK(sink.items[0].rec.reason == end_reason::evicted);
    CHECK(sink.items[0].rec.client.port == 2001);
    CHECK(h.slot == hits[1].slot);
    CHECK(t.counters().evictions == 1);
    CHECK(t.active() == 4);
    // The survivors are still found in place.
    CHECK_FALSE(t.account(pkt(udp, v4(10, 0, 0, 1, 2003), srv, 100), 7 * sec, sink).created);
    CHECK_FALSE(t.account(pkt(udp, v4(10, 0, 0, 1, 3000), srv, 100), 7 * sec, sink).created);
}

TEST_CASE("flush exports every live flow once and empties the table", "[flow_table]") {
    flow_table t(small_config(128));
    collecting_sink sink;
    for (std::uint16_t i = 0; i < 100; ++i) t.account(pkt(udp, v4(10, 0, 0, 2, 5000 + i), srv, 70), sec, sink);
    t.flush(2 * sec, sink);
    CHECK(sink.items.size() == 100);
    std::set<std::uint64_t> ids;
    for (const auto& it : sink.items) {
        CHECK(it.final);
        CHECK(it.rec.reason == end_reason::shutdown);
        ids.insert(it.rec.flow_id);
    }
    CHECK(ids.size() == 100);
    CHECK(t.active() == 0);
    sink.items.clear();
    t.flush(3 * sec, sink);
    CHECK(sink.items.empty());
}
