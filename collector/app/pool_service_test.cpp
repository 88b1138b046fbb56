#include "app/pool_service.hpp"

#include "model/test_records.hpp"
#include "store/test_database.hpp"

#include <catch2/catch.hpp>

using namespace wireflow::collector;
using wireflow::collector::testing::test_database;

namespace {

aggregate::host_table_config locals() {
    aggregate::host_table_config c;
    c.locals = *aggregate::local_networks::parse("10.0.0.0/8");
    return c;
}

flow_record row(std::string_view client, std::string_view server, std::uint16_t vlan, std::uint64_t id) {
    flow_record r;
    r.flow_id = id;
    r.vlan = vlan;
    r.protocol = 6;
    r.client_ip = testing::ip(client);
    r.server_ip = testing::ip(server);
    r.first_seen_ns = 1'000'000'000;
    r.last_seen_ns = 2'000'000'000;
    r.c2s_packets = 3;
    r.c2s_bytes = 300;
    r.s2c_packets = 2;
    r.s2c_bytes = 1000;
    r.reason = wireflow::end_reason::idle_timeout;
    return r;
}

}  // namespace

TEST_CASE("pools and members survive a collector restart in PostgreSQL", "[pool_service]") {
    test_database db;
    db_pool pool(db.dsn(), 2);
    pool_store stored(pool);
    std::vector<aggregate::pool_snapshot> before;
    {
        aggregate::aggregator live(locals());
        app::pool_service pools(live, stored);
        pools.restore();
        const auto guests = pools.create("guests");
        REQUIRE(guests.ok());
        const auto servers = pools.create("servers");
        REQUIRE(servers.ok());
        REQUIRE(pools.add_member(guests.id, "10.1.0.0/16").ok());
        REQUIRE(pools.add_member(guests.id, "aa:bb:cc:dd:ee:01@7").ok());
        REQUIRE(pools.add_member(servers.id, "10.1.2.3").ok());
        REQUIRE(pools.add_member(servers.id, "10.9.0.0/24@5").ok());
        REQUIRE(pools.rename(servers.id, "datacenter").ok());
        const auto gone = pools.create("temporary");
        REQUIRE(pools.add_member(gone.id, "10.3.0.0/16").ok());
        REQUIRE(pools.remove(gone.id).ok());
        REQUIRE(pools.remove_member(guests.id, "10.1.0.0/16").ok());
        REQUIRE(pools.add_member(guests.id, "10.1.0.0/17").ok());
        before = live.pools_snapshot();
    }
    aggregate::aggregator restarted(locals());
    app::pool_service pools(restarted, stored);
    pools.restore();
    CHECK(restarted.pools_snapshot() == before);
    REQUIRE(before.size() == 2);
    CHECK(before[1].name == "datacenter");
    CHECK(before[0].members == std::vector<std::string>{"aa:bb:cc:dd:ee:01@7", "10.1.0.0/17"});
    // A new pool after the restart gets an id no stored pool has.
    const auto fresh = pools.create("new");
    REQUIRE(fresh.ok());
    CHECK(fresh.id > before[1].id);
}

TEST_CASE("an invalid edit is refused with a message and nothing is written", "[pool_service]") {
    test_database db;
    db_pool pool(db.dsn(), 1);
    pool_store stored(pool);
    aggregate::aggregator live(locals());
    app::pool_service pools(live, stored);
    pools.restore();
    const auto a = pools.create("a");
    const auto b = pools.create("b");
    REQUIRE(pools.add_member(a.id, "10.0.0.0/24").ok());
    const auto dup = pools.add_member(b.id, "10.0.0.0/24");
    CHECK_FALSE(dup.ok());
    CHECK_FALSE(dup.error.empty());
    CHECK_FALSE(pools.create("a").ok());
    CHECK_FALSE(pools.add_member(a.id, "10.0.0.1/24").ok());  // host bits set
    CHECK_FALSE(pools.add_member(a.id, "not-an-address").ok());
    CHECK(stored.load() == std::vector<stored_pool>{{a.id, "a", {{false, "10.0.0.0/24", std::nullopt}}}, {b.id, "b", {}}});
}

TEST_CASE("a database failure undoes the live edit", "[pool_service]") {
    test_database db;
    db_pool pool(db.dsn(), 1);
    pool_store stored(pool);
    aggregate::aggregator live(locals());
    app::pool_service pools(live, stored);
    pools.restore();
    const auto a = pools.create("a");
    REQUIRE(pools.add_member(a.id, "10.0.0.0/24").ok());
    const auto before = live.pools_snapshot();
    {
        auto c = db.connect();
        pqxx::work tx{c};
        tx.exec0("ALTER TABLE pool_members RENAME TO pool_members_away");
        tx.commit();
    }
    CHECK_THROWS_AS(pools.add_member(a.id, "10.0.1.0/24"), store_error);
    CHECK_THROWS_AS(pools.create("b"), store_error);
    CHECK(live.pools_snapshot().size() == before.size());
    CHECK(live.pools_snapshot() == before);
}

TEST_CASE("edits before the pools were loaded are refused as unavailable", "[pool_service]") {
    db_pool pool("host=127.0.0.1 port=1 connect_timeout=2", 1);
    pool_store stored(pool);
    aggregate::aggregator live(locals());
    app::pool_service pools(live, stored);
    CHECK_THROWS_AS(pools.restore(), store_error);
    CHECK_FALSE(pools.restored());
    try {
        (void)pools.create("x");
        FAIL("edit accepted");
    } catch (const store_error& e) {
        CHECK(e.which() == store_error::kind::unavailable);
    }
    CHECK(live.pools_snapshot().empty());
}

TEST_CASE("pool totals equal the sums of the records of their members, VLANs apart", "[pool_service]") {
    test_database db;
    db_pool pool(db.dsn(), 1);
    pool_store stored(pool);
    aggregate::aggregator live(locals());
    app::pool_service pools(live, stored);
    pools.restore();
    const auto p = pools.create("lab");
    REQUIRE(pools.add_member(p.id, "10.0.0.0/24@5").ok());
    flow_batch b;
    b.id = {"p", 1, 1};
    b.records = {row("10.0.0.1", "192.0.2.1", 5, 1), row("10.0.0.2", "192.0.2.1", 5, 2),
                 row("10.0.0.1", "192.0.2.1", 0, 3), row("10.0.1.1", "10.0.0.3", 5, 4)};
    REQUIRE(live.ingest(b) == 4);
    aggregate::pool_info lab;
    for (const auto& info : pools.list())
        if (info.id == p.id) lab = info;
    // In the pool: 10.0.0.1@5 and 10.0.0.2@5 as clients, 10.0.0.3@5 as server.
    CHECK(lab.counters.hosts == 3);
    CHECK(lab.counters.bytes_sent == 300 + 300 + 1000);
    CHECK(lab.counters.bytes_rcvd == 1000 + 1000 + 300);
    CHECK(lab.counters.packets_sent == 3 + 3 + 2);
    CHECK(lab.counters.packets_rcvd == 2 + 2 + 3);
    // Unassigned local devices: 10.0.0.1 untagged and 10.0.1.1@5.
    const auto un = pools.unassigned();
    std::vector<std::string> ids;
    for (const auto& d : un) ids.push_back(d.ip + "@" + std::to_string(d.vlan));
    std::sort(ids.begin(), ids.end());
    CHECK(ids == std::vector<std::string>{"10.0.0.1@0", "10.0.1.1@5"});
}
