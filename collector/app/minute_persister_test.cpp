#include "app/minute_persister.hpp"

#include "model/test_records.hpp"
#include "store/test_database.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <random>

using namespace wireflow::collector;
using wireflow::collector::testing::test_database;

namespace {

aggregate::host_table_config config() {
    aggregate::host_table_config c;
    c.locals = *aggregate::local_networks::parse("10.0.0.0/8,fd00::/8");
    return c;
}

struct totals {
    std::uint64_t bytes_sent{0}, bytes_rcvd{0}, packets_sent{0}, packets_rcvd{0};
    friend bool operator==(const totals&, const totals&) = default;
};

std::chrono::system_clock::time_point at(std::int64_t s) {
    return std::chrono::system_clock::time_point{std::chrono::seconds(s)};
}

}  // namespace

TEST_CASE("the hosts table holds the sums of the records of each local host, across purges", "[minute_persister]") {
    test_database db;
    db_pool pool(db.dsn(), 2);
    host_store hosts(pool);
    timeseries_store series(pool);
    ingest::probe_registry probes;
    aggregate::aggregator live(config());
    app::minute_persister persister(live, probes, hosts, series, 7);

    std::mt19937_64 rng(7);
    const std::vector<std::string> locals{"10.0.0.1", "10.0.0.2", "fd00::5"};
    const std::vector<std::string> remotes{"192.0.2.1", "2001:db8::1"};
    std::map<std::pair<std::string, std::uint32_t>, totals> expected;
    std::uint64_t flow_id = 0;
    std::uint64_t t = 1'700'000'000ULL * aggregate::ns_per_s;
    for (int round = 0; round < 3; ++round) {
        flow_batch b;
        b.id = {"p", 1, static_cast<std::uint64_t>(round + 1)};
        for (int i = 0; i < 200; ++i) {
            flow_record r;
            r.flow_id = ++flow_id;
            const bool v6 = rng() % 2;
            const std::string client = v6 ? (rng() % 2 ? "fd00::5" : "2001:db8::1") : locals[rng() % 2];
            std::string server = v6 ? "fd00::5" : (rng() % 3 ? remotes[0] : locals[rng() % 2]);
            if (client == server) server = v6 ? "2001:db8::1" : remotes[0];
            r.client_ip = testing::ip(client);
            r.server_ip = testing::ip(server);
            r.vlan = rng() % 3 == 0 ? 7 : 0;
            r.c2s_packets = 1 + rng() % 50;
            r.c2s_bytes = r.c2s_packets * (40 + rng() % 1400);
            r.s2c_packets = rng() % 50;
            r.s2c_bytes = r.s2c_packets * (40 + rng() % 1400);
            r.first_seen_ns = t;
            r.last_seen_ns = t + 1000;
            r.reason = wireflow::end_reason::idle_timeout;
            r.app_name = "DNS";
            t += 1000;
            auto& c = expected[{client, r.vlan}];
            c.bytes_sent += r.c2s_bytes;
            c.packets_sent += r.c2s_packets;
            c.bytes_rcvd += r.s2c_bytes;
            c.packets_rcvd += r.s2c_packets;
            auto& s = expected[{server, r.vlan}];
            s.bytes_sent += r.s2c_bytes;
            s.packets_sent += r.s2c_packets;
            s.bytes_rcvd += r.c2s_bytes;
            s.packets_rcvd += r.c2s_packets;
            b.records.push_back(r);
        }
        REQUIRE(live.ingest(b) == 200);
        REQUIRE(persister.persist(at(1'700'000'000 + 60 * round)));
        // Everything idle for an hour: the live table forgets every host.
        t += 3600 * aggregate::ns_per_s;
        live.expire(t);
        CHECK(live.hosts() == 0);
    }
    std::size_t local_hosts = 0;
    for (const auto& [key, want] : expected) {
        const auto& [ip, vlan] = key;
        const auto row = hosts.find(ip, static_cast<std::uint16_t>(vlan));
        const bool local = ip.starts_with("10.") || ip.starts_with("fd00");
        if (!local) {
            CHECK_FALSE(row);  // remote hosts are not kept as history
            continue;
        }
        ++local_hosts;
        REQUIRE(row);
        CHECK(row->local);
        CHECK(totals{row->bytes_sent, row->bytes_rcvd, row->packets_sent, row->packets_rcvd} == want);
        // And the per-minute series sum to the same.
        const std::string id = ip + "@" + std::to_string(vlan);
        double bytes_sent = 0;
        for (const auto& p : series.query("bytes_sent", "host", id, 1'699'990'000, 1'700'010'000, 3600))
            bytes_sent += p.value;
        CHECK(bytes_sent == static_cast<double>(want.bytes_sent));
    }
    CHECK(local_hosts == hosts.all().size());
}

TEST_CASE("probe series are deltas of the probe counters, a new boot starts from zero", "[minute_persister]") {
    test_database db;
    db_pool pool(db.dsn(), 2);
    host_store hosts(pool);
    timeseries_store series(pool);
    ingest::probe_registry probes;
    aggregate::aggregator live(config());
    app::minute_persister persister(live, probes, hosts, series, 7);

    probe_stats s;
    s.probe_id = "edge";
    s.boot_id = 1;
    s.ports = {{0, "eth0", 1000, 100000, 5, 0, 0}};
    s.workers = {{0, 1000, 900, 0, 3, 40, 40, 2, 0}};
    probes.update(s);
    const std::int64_t m0 = 1'700'000'040;
    REQUIRE(persister.persist(at(m0)));  // baseline: no probe samples
    s.ports[0].rx_packets = 1500;
    s.ports[0].rx_bytes = 150000;
    s.workers[0].flows_created = 55;
    probes.update(s);
    REQUIRE(persister.persist(at(m0 + 60)));
    s.boot_id = 2;  // restarted probe: counters from zero
    s.ports[0] = {0, "eth0", 10, 1000, 0, 0, 0};
    s.workers[0].flows_created = 1;
    s.workers[0].ring_full_drops = 0;
    probes.update(s);
    REQUIRE(persister.persist(at(m0 + 120)));
    CHECK(series.query("packets", "probe", "edge", m0, m0 + 180, 60) ==
          std::vector<ts_point>{{m0 + 60, 500}, {m0 + 120, 10}});
    CHECK(series.query("flows", "probe", "edge", m0, m0 + 180, 60) ==
          std::vector<ts_point>{{m0 + 60, 15}, {m0 + 120, 1}});
    CHECK(series.query("bytes", "interface", "edge/0", m0 + 60, m0 + 120, 60) == std::vector<ts_point>{{m0 + 60, 50000}});
}
