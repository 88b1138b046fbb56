// Interim reports of live flows (issue 15): what report() hands out, its
// bounded walk, and that it never changes the flows it reports.
#include <set>
#include <vector>

#include "flow/flow_table_test_support.hpp"

using namespace wireflow::probe;
using namespace wireflow::probe::flow_table_test;

namespace {

struct update_collector final : update_sink {
    std::vector<flow_record> got;
    std::size_t room{static_cast<std::size_t>(-1)};  // stop after this many
    bool on_update(flow_record& rec, std::uint32_t) noexcept override {
        if (got.size() >= room) return false;
        got.push_back(rec);
        return true;
    }
};

}  // namespace

TEST_CASE("a live flow is reported with its counters so far, and stays in the table", "[flow_table]") {
    flow_table t(small_config());
    collecting_sink records;
    t.account(pkt(tcp, cli, srv, 60, tcp_flag::syn), 1 * sec, records);
    t.account(pkt(tcp, srv, cli, 60, tcp_flag::syn | tcp_flag::ack), 1 * sec + 1000, records);
    t.account(pkt(tcp, cli, srv, 500, tcp_flag::ack), 2 * sec, records);
    update_collector u;
    CHECK(t.report(64, u) == 64);
    REQUIRE(u.got.size() == 1);
    const flow_record& r = u.got[0];
    CHECK(r.reason == end_reason::unspecified);
    CHECK(r.client == cli);
    CHECK(r.c2s_packets == 2);
    CHECK(r.c2s_bytes == 560);
    CHECK(r.s2c_packets == 1);
    CHECK(r.first_seen_ns == 1 * sec);
    CHECK(r.last_seen_ns == 2 * sec);
    CHECK(records.items.empty());   // no record emitted
    CHECK(t.active() == 1);
    // The final record has the same flow id and the full counters.
    t.flush(3 * sec, records);
    REQUIRE(records.items.size() == 1);
    CHECK(records.items[0].rec.flow_id == r.flow_id);
    CHECK(records.items[0].rec.c2s_bytes == 560);
}

TEST_CASE("report walks at most its budget of slots and resumes where it stopped", "[flow_table]") {
    flow_table t(small_config(64));
    collecting_sink records;
    for (std::uint16_t i = 0; i < 10; ++i) t.account(pkt(udp, v4(10, 0, 0, 1, static_cast<std::uint16_t>(40000 + i)), srv, 100), 1 * sec, records);
    std::set<std::uint64_t> ids;
    update_collector u;
    // Budget 8 per call over a 64-slot table: a full pass in 8 calls.
    for (int call = 0; call < 8; ++call) CHECK(t.report(8, u) == 8);
    for (const auto& r : u.got) ids.insert(r.flow_id);
    CHECK(u.got.size() == 10);
    CHECK(ids.size() == 10);   // each flow once per pass
}

TEST_CASE("a sink out of room stops the walk, and the flow it refused comes first next time", "[flow_table]") {
    flow_table t(small_config(64));
    collecting_sink records;
    for (std::uint16_t i = 0; i < 5; ++i) t.account(pkt(udp, v4(10, 0, 0, 1, static_cast<std::uint16_t>(40000 + i)), srv, 100), 1 * sec, records);
    update_collector u;
    u.room = 2;
    CHECK(t.report(64, u) < 64);
    CHECK(u.got.size() == 2);
    u.room = 100;
    t.report(62, u);   // the rest of the pass: slots 2..63
    std::set<std::uint64_t> ids;
    for (const auto& r : u.got) ids.insert(r.flow_id);
    CHECK(u.got.size() == 5);
    CHECK(ids.size() == 5);
}

TEST_CASE("a flow whose period has no packet yet is not reported", "[flow_table]") {
    auto cfg = small_config();
    cfg.active_timeout_ns = 5 * sec;
    flow_table t(cfg);
    collecting_sink records;
    t.account(pkt(udp, cli, srv, 100), 1 * sec, records);
    t.account(pkt(udp, cli, srv, 100), 6 * sec, records);
    t.expire(6 * sec, 64, records);   // active timeout: the period's counters go out
    REQUIRE(records.items.size() == 1);
    CHECK_FALSE(records.items[0].final);
    update_collector u;
    t.report(64, u);
    CHECK(u.got.empty());
    t.account(pkt(udp, cli, srv, 300), 7 * sec, records);
    t.report(64, u);
    REQUIRE(u.got.size() == 1);
    CHECK(u.got[0].c2s_bytes == 300);
    CHECK(u.got[0].first_seen_ns == 7 * sec);
}
