#include "aggregator.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "model/test_records.hpp"

using namespace wireflow::collector;
using namespace wireflow::collector::aggregate;
using wireflow::end_reason;
using wireflow::collector::testing::ip;
using wireflow::collector::testing::mac;

namespace {
constexpr std::uint64_t t0 = 1'700'000'000ULL * ns_per_s;

flow_record row(std::string_view client, std::string_view server, std::uint64_t id, std::uint64_t c2s,
                std::uint64_t s2c) {
    flow_record r;
    r.flow_id = id;
    r.protocol = 6;
    r.client_ip = ip(client);
    r.server_ip = ip(server);
    r.c2s_bytes = c2s;
    r.s2c_bytes = s2c;
    r.c2s_packets = 1;
    r.s2c_packets = 1;
    r.first_seen_ns = t0;
    r.last_seen_ns = t0 + ns_per_s;
    r.reason = end_reason::tcp_fin;
    r.app_name = "TLS";
    return r;
}

host_table_config cfg() {
    host_table_config c;
    c.locals = *local_networks::parse("192.168.0.0/16");
    return c;
}
}  // namespace

TEST_CASE("flow records with binary addresses and MACs feed the host table", "[aggregator]") {
    aggregator a(cfg());
    flow_batch b;
    b.id = {"probe-1", 42, 1};
    b.records.push_back(row("192.168.1.10", "2001:db8::1", 1, 100, 200));
    b.records.back().client_mac = mac("02:00:00:00:00:10");
    b.records.push_back(row("192.168.1.11", "8.8.8.8", 4, 5, 6));  // no MAC: the host has none
    CHECK(a.ingest(b) == 2);
    CHECK(a.records_rejected() == 0);
    CHECK(a.hosts() == 4);
    const auto h = *a.host(*ip_address::parse("192.168.1.10"), 0);
    CHECK(h.bytes_sent == 100);
    CHECK(h.mac == mac_address::parse("02:00:00:00:00:10"));
    REQUIRE(h.apps.size() == 1);
    CHECK(h.apps[0] == std::pair<std::string, std::uint64_t>{"TLS", 300});
    CHECK_FALSE(a.host(*ip_address::parse("192.168.1.11"), 0)->mac);
}

TEST_CASE("the same flow id from two probes is two flows", "[aggregator]") {
    aggregator a(cfg());
    flow_batch b1, b2;
    b1.id = {"probe-1", 1, 1};
    b2.id = {"probe-2", 1, 1};
    auto r = row("192.168.1.10", "8.8.8.8", 7, 1, 1);
    r.reason = end_reason::active_timeout;
    b1.records.push_back(r);
    b2.records.push_back(r);
    a.ingest(b1);
    a.ingest(b2);
    const auto h = *a.host(*ip_address::parse("192.168.1.10"), 0);
    CHECK(h.flows_client == 2);
    CHECK(h.active_client == 2);
    CHECK(flow_source(b1.id) != flow_source(b2.id));
}

TEST_CASE("a blacklist mark on a stored flow flags that side's host", "[aggregator]") {
    aggregator a(cfg());
    flow_batch b;
    b.id = {"probe-1", 1, 1};
    b.records.push_back(row("192.168.1.10", "203.0.113.9", 1, 10, 20));
    b.records.back().server_blacklist = b.label_for("spamhaus-drop");
    b.records.push_back(row("198.51.100.7", "192.168.1.11", 2, 10, 20));
    b.records.back().client_blacklist = b.label_for("dshield");
    a.ingest(b);
    CHECK(a.host(*ip_address::parse("203.0.113.9"), 0)->blacklisted);
    CHECK(a.host(*ip_address::parse("198.51.100.7"), 0)->blacklisted);
    CHECK_FALSE(a.host(*ip_address::parse("192.168.1.10"), 0)->blacklisted);
    CHECK_FALSE(a.host(*ip_address::parse("192.168.1.11"), 0)->blacklisted);
}

TEST_CASE("pool edits through the aggregator re-assign live hosts", "[aggregator]") {
    aggregator a(cfg());
    std::vector<flow_record> rows{row("192.168.1.10", "8.8.8.8", 1, 100, 200), row("192.168.2.10", "8.8.8.8", 2, 1, 2)};
    a.ingest(rows, 0);
    const auto lab = a.create_pool("lab").id;
    REQUIRE(a.add_pool_member(lab, "192.168.1.0/24").ok());
    auto pools = a.pools();
    REQUIRE(pools.size() == 2);
    CHECK(pools[0].id == no_pool);
    CHECK(pools[0].counters.hosts == 2);  // 192.168.2.10 and 8.8.8.8
    CHECK(pools[1].name == "lab");
    CHECK(pools[1].members == std::vector<std::string>{"192.168.1.0/24"});
    CHECK(pools[1].counters == pool_counters{1, 100, 200, 1, 1});
    CHECK_FALSE(a.add_pool_member(lab, "192.168.1.0/24").ok());

    host_query q;
    q.pool = lab;
    CHECK(a.query(q).total == 1);
    REQUIRE(a.remove_pool_member(lab, "192.168.1.0/24").ok());
    CHECK(a.query(q).total == 0);

    const auto snap = a.pools_snapshot();
    aggregator b(cfg());
    REQUIRE(b.restore_pools(snap).ok());
    CHECK(b.pools_snapshot() == snap);
    REQUIRE(a.delete_pool(lab).ok());
    CHECK(a.pools().size() == 1);
}

TEST_CASE("queries run while batches are ingested on another thread", "[aggregator]") {
    aggregator a(cfg());
    std::atomic<bool> done{false};
    std::thread writer([&] {
        for (std::uint32_t batch = 0; batch < 200; ++batch) {
            flow_batch b;
            b.id = {"p", 1, batch + 1};
            for (std::uint32_t i = 0; i < 50; ++i) {
                const std::uint32_t n = batch * 50 + i;
                b.records.push_back(row("192.168." + std::to_string(n % 200) + "." + std::to_string(n % 251),
                                        "8.8." + std::to_string(n % 7) + ".8", n, 10, 20));
            }
            a.ingest(b);
        }
        done = true;
    });
    std::size_t reads = 0;
    while (!done || reads == 0) {
        host_query q;
        q.limit = 10;
        const auto page = a.query(q);
        // Within one query the page is consistent: sorted by bytes, descending.
        for (std::size_t i = 1; i < page.items.size(); ++i)
            REQUIRE(page.items[i - 1].bytes_sent + page.items[i - 1].bytes_rcvd >=
                    page.items[i].bytes_sent + page.items[i].bytes_rcvd);
        ++reads;
    }
    writer.join();
    std::uint64_t local_sent = 0;
    host_query q;
    q.where = locality::local;
    q.limit = 100000;
    for (const auto& h : a.query(q).items) local_sent += h.bytes_sent;
    CHECK(local_sent == 200ULL * 50 * 10);
}

TEST_CASE("the aggregator drains minute deltas for the store", "[aggregator]") {
    aggregator a(cfg());
    std::vector<flow_record> rows{row("192.168.1.10", "8.8.8.8", 1, 100, 200)};
    a.ingest(rows, 0);
    const auto d = a.drain_minute(t0 + 60 * ns_per_s);
    REQUIRE(d.hosts.size() == 1);
    CHECK(d.hosts[0].counters == minute_counters{100, 200, 1, 1, 1});
    REQUIRE(d.apps.size() == 1);
    CHECK(d.apps[0].app == "TLS");
    a.expire(t0 + 1000 * ns_per_s);
    CHECK(a.hosts() == 0);
}

TEST_CASE("a batch through the prefetching pipeline gives the same hosts as one record at a time", "[aggregator]") {
    // aggregator::ingest hashes and prefetches records ahead while hosts are
    // created, flows open and close and the index grows under it; the result
    // must be that of host_table::ingest called record by record.
    flow_batch b;
    b.id = {"probe-1", 7, 1};
    std::vector<std::string> clients, servers;
    for (int i = 0; i < 300; ++i) clients.push_back("192.168." + std::to_string(i / 250) + "." + std::to_string(i % 250));
    for (int i = 0; i < 40; ++i) servers.push_back("2001:db8::" + std::to_string(i + 1));
    for (std::uint64_t n = 0; n < 5000; ++n) {
        const auto& c = clients[(n * 7919) % clients.size()];
        const auto& s = servers[(n * 104729) % servers.size()];
        auto r = row(c, s, n % 900, 10 + n % 13, 20 + n % 17);
        r.vlan = static_cast<std::uint16_t>(n % 3);
        r.reason = n % 5 == 0 ? end_reason::active_timeout : end_reason::tcp_fin;
        r.server_name = n % 2 ? "a-server-name-longer-than-sixteen.example" : "short";
        r.app_name = n % 4 ? "TLS" : "DNS";
        b.records.push_back(r);
    }
    aggregator a(cfg());
    REQUIRE(a.ingest(b) == b.records.size());

    host_pools pools;
    host_table t(cfg(), pools);
    const auto source = flow_source(b.id);
    for (const auto& r : b.records) REQUIRE(t.ingest(to_observation(r, source)));

    REQUIRE(a.hosts() == t.size());
    std::size_t compared = 0;
    for (const auto& e : t.slots()) {
        if (!e.live()) continue;
        const auto want = t.view(e.key.ip, e.key.vlan, t.clock_ns());
        const auto got = a.host(e.key.ip, e.key.vlan, t.clock_ns());
        REQUIRE(want);
        REQUIRE(got);
        CHECK(got->bytes_sent == want->bytes_sent);
        CHECK(got->bytes_rcvd == want->bytes_rcvd);
        CHECK(got->flows_client == want->flows_client);
        CHECK(got->flows_server == want->flows_server);
        CHECK(got->active_client == want->active_client);
        CHECK(got->active_server == want->active_server);
        CHECK(got->peers == want->peers);
        CHECK(got->name == want->name);
        CHECK(got->apps == want->apps);
        ++compared;
    }
    CHECK(compared == t.size());
}
