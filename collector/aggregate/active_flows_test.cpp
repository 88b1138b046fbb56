#include "active_flows.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

#include "model/test_records.hpp"

using namespace wireflow;
using namespace wireflow::collector;
using namespace wireflow::collector::aggregate;
using wireflow::collector::testing::ip;

namespace {

constexpr std::uint64_t s = 1'000'000'000;
constexpr std::uint64_t t0 = 1'700'000'000 * s;

flow_record flow(std::uint64_t id, const char* client, const char* server, std::uint64_t bytes,
                 std::uint64_t first = t0, std::uint64_t last = t0 + s) {
    flow_record r;
    r.flow_id = id;
    r.client_ip = ip(client);
    r.server_ip = ip(server);
    r.client_port = 40000;
    r.server_port = 443;
    r.protocol = 6;
    r.first_seen_ns = first;
    r.last_seen_ns = last;
    r.c2s_packets = 1;
    r.c2s_bytes = bytes;
    r.app_name = "TLS";
    return r;
}

flow_batch report(const char* probe, std::vector<flow_record> flows, std::uint64_t boot = 7) {
    flow_batch b;
    b.id = {probe, boot, 0};
    b.records = std::move(flows);
    b.blacklist_labels = {""};
    return b;
}

active_report at(std::uint64_t time_ns, std::uint32_t interval_ms = 5000) { return {time_ns, interval_ms}; }

active_filter all() {
    active_filter f;
    f.base.limit = 100;
    return f;
}

}  // namespace

TEST_CASE("a reported flow is listed with its counters until its final record is stored", "[active_flows]") {
    active_flows t;
    t.update(report("p1", {flow(1, "10.0.0.1", "10.0.0.2", 1000)}), at(t0 + 2 * s), t0 + 2 * s);
    auto page = t.query(all(), t0 + 3 * s);
    REQUIRE(page.total == 1);
    CHECK(page.items[0].active);
    CHECK(page.items[0].probe_id == "p1");
    CHECK(page.items[0].client_ip == "10.0.0.1");
    CHECK(page.items[0].c2s_bytes == 1000);
    CHECK(page.items[0].throughput_bps == Approx(4000.0));  // 1000 B over the 2 s since the first packet

    auto final_record = flow(1, "10.0.0.1", "10.0.0.2", 1500);
    final_record.reason = end_reason::tcp_fin;
    t.on_stored(report("p1", {final_record}));
    CHECK(t.query(all(), t0 + 4 * s).total == 0);
    CHECK(t.counters().ended == 1);
}

TEST_CASE("a flow not reported for three periods is forgotten", "[active_flows]") {
    active_flows t{{.capacity = 100, .min_ttl_ns = 1 * s}};
    t.update(report("p1", {flow(1, "10.0.0.1", "10.0.0.2", 100)}), at(t0, 2000), t0);
    CHECK(t.query(all(), t0 + 6 * s).total == 1);   // 3 x 2 s: still due a report
    CHECK(t.query(all(), t0 + 7 * s).total == 0);   // overdue: not shown
    t.expire(t0 + 7 * s);
    CHECK(t.size() == 0);
    CHECK(t.counters().expired == 1);
}

TEST_CASE("the throughput is the rate between two reports of the same period", "[active_flows]") {
    active_flows t;
    t.update(report("p1", {flow(1, "10.0.0.1", "10.0.0.2", 1000)}), at(t0 + 5 * s), t0 + 5 * s);
    t.update(report("p1", {flow(1, "10.0.0.1", "10.0.0.2", 6000, t0, t0 + 9 * s)}), at(t0 + 10 * s), t0 + 10 * s);
    const auto page = t.query(all(), t0 + 10 * s);
    REQUIRE(page.items.size() == 1);
    CHECK(page.items[0].throughput_bps == Approx(8000.0));  // 5000 B in 5 s
    CHECK(page.items[0].c2s_bytes == 6000);
}

TEST_CASE("an active-timeout record keeps the flow and its earlier counters", "[active_flows]") {
    active_flows t;
    t.update(report("p1", {flow(1, "10.0.0.1", "10.0.0.2", 1000)}), at(t0 + 5 * s), t0 + 5 * s);
    auto period = flow(1, "10.0.0.1", "10.0.0.2", 1200, t0, t0 + 6 * s);
    period.reason = end_reason::active_timeout;
    t.on_stored(report("p1", {period}));
    auto page = t.query(all(), t0 + 7 * s);
    REQUIRE(page.total == 1);
    CHECK(page.items[0].c2s_bytes == 1200);   // the stored period, no double count
    // The next report counts from the new period's start.
    t.update(report("p1", {flow(1, "10.0.0.1", "10.0.0.2", 300, t0 + 7 * s, t0 + 9 * s)}), at(t0 + 10 * s), t0 + 10 * s);
    page = t.query(all(), t0 + 10 * s);
    CHECK(page.items[0].c2s_bytes == 1500);
    CHECK(page.items[0].first_seen_ns == t0);
}

TEST_CASE("flows of two probes or two boots with the same flow id are different flows", "[active_flows]") {
    active_flows t;
    t.update(report("p1", {flow(1, "10.0.0.1", "10.0.0.2", 100)}), at(t0), t0);
    t.update(report("p2", {flow(1, "10.0.0.3", "10.0.0.4", 100)}), at(t0), t0);
    t.update(report("p1", {flow(1, "10.0.0.5", "10.0.0.6", 100)}, 8), at(t0), t0);
    CHECK(t.query(all(), t0).total == 3);
    auto f = all();
    f.probe_id = "p2";
    const auto page = t.query(f, t0);
    REQUIRE(page.total == 1);
    CHECK(page.items[0].client_ip == "10.0.0.3");
    f.probe_id = "nobody";
    CHECK(t.query(f, t0).total == 0);
}

TEST_CASE("filters: host, application, port, protocol, blacklisted, pool", "[active_flows]") {
    active_flows t;
    auto dns = flow(2, "10.0.0.1", "8.8.8.8", 80);
    dns.app_name = "DNS";
    dns.server_port = 53;
    dns.protocol = 17;
    auto listed = flow(3, "10.0.0.9", "203.0.113.5", 500);
    auto b = report("p1", {flow(1, "10.0.0.1", "10.0.0.2", 1000), dns, listed});
    b.blacklist_labels.push_back("spamhaus");
    b.records[2].server_blacklist = 1;
    t.update(b, at(t0), t0);

    auto f = all();
    f.base.host = "10.0.0.1";
    CHECK(t.query(f, t0).total == 2);
    f.base.host = "not an address";
    CHECK(t.query(f, t0).total == 0);
    f = all();
    f.base.app = "dns";   // case-insensitive, as for stored flows
    CHECK(t.query(f, t0).total == 1);
    f = all();
    f.base.port = 53;
    CHECK(t.query(f, t0).total == 1);
    f = all();
    f.base.protocol = 6;
    CHECK(t.query(f, t0).total == 2);
    f = all();
    f.base.blacklisted = true;
    auto page = t.query(f, t0);
    REQUIRE(page.total == 1);
    CHECK(page.items[0].server_blacklist == "spamhaus");
    f = all();
    f.pool = 4;
    const pool_match in_pool_4 = [](const ip_address& a, std::uint16_t, const mac_address*) {
        return a == ip("10.0.0.9") ? pool_id{4} : no_pool;
    };
    page = t.query(f, t0, in_pool_4);
    REQUIRE(page.total == 1);
    CHECK(page.items[0].client_ip == "10.0.0.9");
}

TEST_CASE("sorted by throughput, paged without overlap", "[active_flows]") {
    active_flows t;
    std::vector<flow_record> flows;
    for (std::uint64_t i = 1; i <= 25; ++i) flows.push_back(flow(i, "10.0.0.1", "10.0.0.2", i * 100));
    t.update(report("p1", flows), at(t0 + s), t0 + s);
    auto f = all();
    f.sort = active_sort::throughput;
    f.base.limit = 10;
    std::vector<std::uint64_t> seen;
    for (std::size_t off = 0; off < 30; off += 10) {
        f.base.offset = off;
        const auto page = t.query(f, t0 + s);
        CHECK(page.total == 25);
        for (const auto& it : page.items) seen.push_back(it.flow_id);
    }
    REQUIRE(seen.size() == 25);
    for (std::size_t i = 0; i < seen.size(); ++i) CHECK(seen[i] == 25 - i);
    f.base.descending = false;
    f.base.offset = 0;
    CHECK(t.query(f, t0 + s).items.front().flow_id == 1);
}

TEST_CASE("a full table refuses new flows, counted, and still updates known ones", "[active_flows]") {
    active_flows t{{.capacity = 2}};
    t.update(report("p1", {flow(1, "10.0.0.1", "10.0.0.2", 100), flow(2, "10.0.0.1", "10.0.0.2", 100),
                           flow(3, "10.0.0.1", "10.0.0.2", 100)}),
             at(t0), t0);
    CHECK(t.size() == 2);
    CHECK(t.counters().dropped_full == 1);
    t.update(report("p1", {flow(2, "10.0.0.1", "10.0.0.2", 900)}), at(t0 + s), t0 + s);
    auto f = all();
    f.sort = active_sort::bytes;
    CHECK(t.query(f, t0 + s).items.front().c2s_bytes == 900);
}

TEST_CASE("a report read after the flow's final record does not bring the flow back", "[active_flows]") {
    active_flows t{{.capacity = 100, .min_ttl_ns = 15 * s}};
    t.update(report("p1", {flow(1, "10.0.0.1", "10.0.0.2", 100)}), at(t0), t0);
    auto final_record = flow(1, "10.0.0.1", "10.0.0.2", 200);
    final_record.reason = end_reason::idle_timeout;
    t.on_stored(report("p1", {final_record}));
    t.update(report("p1", {flow(1, "10.0.0.1", "10.0.0.2", 150)}), at(t0 + s), t0 + s);
    CHECK(t.query(all(), t0 + s).total == 0);
    // A later flow with another id is listed as usual.
    t.update(report("p1", {flow(2, "10.0.0.1", "10.0.0.2", 150)}), at(t0 + 2 * s), t0 + 2 * s);
    CHECK(t.query(all(), t0 + 2 * s).total == 1);
}

TEST_CASE("an active flow carries the latest report's tls and http details; ja3 filters either side",
          "[active_flows][dpi]") {
    active_flows t;
    flow_record a = flow(1, "10.0.0.1", "10.0.0.2", 1000);
    a.confidence = dpi_confidence::match_by_port;
    flow_record b = flow(2, "10.0.0.3", "10.0.0.2", 1000);
    b.http = flow_http{"GET", "example.com/", "curl/8.4.0", 0};
    flow_record c = flow(3, "10.0.0.4", "10.0.0.2", 1000);
    t.update(report("p1", {a, b, c}), at(t0 + 2 * s), t0 + 2 * s);
    // The next report: nDPI read the handshake and the response by now.
    a.confidence = dpi_confidence::dpi;
    a.tls = flow_tls{};
    a.tls->ja3_client = "e7d705a3286e19ea42f587b344ee6865";
    a.tls->ja3_server = "f4febc55ea12b31ae17cfb7e614afda8";
    a.tls->cert_subject = "CN=example.com";
    b.http->response_code = 200;
    c.tls = flow_tls{};
    c.tls->ja3_client = "f4febc55ea12b31ae17cfb7e614afda8";
    t.update(report("p1", {a, b, c}), at(t0 + 3 * s), t0 + 3 * s);

    auto page = t.query(all(), t0 + 3 * s);
    REQUIRE(page.total == 3);
    std::sort(page.items.begin(), page.items.end(), [](const flow_item& x, const flow_item& y) { return x.flow_id < y.flow_id; });
    CHECK(page.items[0].confidence == dpi_confidence::dpi);
    CHECK(page.items[0].tls == a.tls);
    CHECK_FALSE(page.items[0].http);
    CHECK(page.items[1].http == b.http);
    CHECK(page.items[1].http->response_code == 200);
    CHECK_FALSE(page.items[1].tls);

    const auto ids = [&](const char* ja3) {
        active_filter f = all();
        f.base.ja3 = ja3;
        std::vector<std::uint64_t> out;
        for (const auto& it : t.query(f, t0 + 3 * s).items) out.push_back(it.flow_id);
        std::sort(out.begin(), out.end());
        return out;
    };
    CHECK(ids("e7d705a3286e19ea42f587b344ee6865") == std::vector<std::uint64_t>{1});
    CHECK(ids("f4febc55ea12b31ae17cfb7e614afda8") == std::vector<std::uint64_t>{1, 3});  // a's JA3S, c's JA3
    CHECK(ids("00000000000000000000000000000000").empty());
}
