#include "store/alert_store.hpp"

#include <catch2/catch.hpp>

#include "store/test_database.hpp"

using namespace wireflow::collector;
using namespace std::chrono_literals;
using wireflow::collector::testing::test_database;

namespace {
using clock_type = std::chrono::system_clock;
}  // namespace

TEST_CASE("the alert list filters by state, minimum severity, entity and time range", "[alert_store]") {
    test_database db;
    db_pool pool{db.dsn(), 1};
    alert_store store{pool};
    const auto t = clock_type::time_point(std::chrono::seconds(1'800'000'000));
    const auto add = [&](std::string type, std::string sev, std::string entity, int minute, bool ended) {
        stored_alert a;
        a.type = std::move(type);
        a.severity = std::move(sev);
        a.entity_type = "host";
        a.entity_id = std::move(entity);
        a.started_at = t + std::chrono::minutes(minute);
        if (ended) a.ended_at = a.started_at + 30s;
        a.message = "m";
        return store.insert(a);
    };
    add("syn_scan_attacker", "warning", "10.0.0.1@0", 0, true);
    add("host_volume", "notice", "10.0.0.2@0", 1, false);
    const auto crit = add("probe_silent", "critical", "10.0.0.1@0", 2, false);
    alert_query q;
    CHECK(store.list(q).total == 3);
    CHECK(store.list(q).items.front().id == crit);   // newest first
    q.engaged = true;
    CHECK(store.list(q).total == 2);
    q = {};
    q.severity = "warning";
    CHECK(store.list(q).total == 2);
    q = {};
    q.entity_id = "10.0.0.1@0";
    CHECK(store.list(q).total == 2);
    q = {};
    q.from = t + 1min;
    q.to = t + 2min;
    const auto page = store.list(q);
    REQUIRE(page.total == 1);
    CHECK(page.items[0].type == "host_volume");
    q = {};
    q.limit = 1;
    q.offset = 1;
    CHECK(store.list(q).items.size() == 1);
    CHECK(store.list(q).total == 3);
    CHECK(store.release(crit, t + 5min));
    CHECK_FALSE(store.release(crit, t + 6min));   // already ended
    CHECK(store.find(crit)->ended_at == t + 5min);
}
