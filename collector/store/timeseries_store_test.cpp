#include "store/timeseries_store.hpp"

#include "store/test_database.hpp"

#include <catch2/catch.hpp>

using namespace wireflow::collector;
using wireflow::collector::testing::test_database;

namespace {
constexpr std::int64_t t0 = 1'700'000'040;  // a minute boundary (multiple of 60)
static_assert(t0 % 60 == 0);
}  // namespace

TEST_CASE("amounts add up per bucket, levels average, empty buckets are absent", "[timeseries_store]") {
    test_database db;
    db_pool pool(db.dsn(), 1);
    timeseries_store ts(pool);
    std::vector<ts_sample> s;
    for (int m = 0; m < 10; ++m) {
        if (m == 4) continue;  // a minute without data
        s.push_back({"bytes", "host", "10.0.0.1@0", t0 + 60 * m, 100.0 * (m + 1)});
        s.push_back({"hosts", "global", "", t0 + 60 * m, static_cast<double>(m)});
    }
    s.push_back({"bytes", "host", "10.0.0.2@0", t0, 7});  // another series
    ts.write(s);
    const auto minutes = ts.query("bytes", "host", "10.0.0.1@0", t0, t0 + 600, 60);
    REQUIRE(minutes.size() == 9);
    CHECK(minutes[0] == ts_point{t0, 100});
    CHECK(minutes[4] == ts_point{t0 + 300, 600});
    // 5-minute buckets aligned on the epoch.
    const std::int64_t b0 = t0 / 300 * 300;
    const auto fives = ts.query("bytes", "host", "10.0.0.1@0", b0, b0 + 900, 300);
    double total = 0;
    for (const auto& p : fives) {
        CHECK(p.ts_s % 300 == 0);
        total += p.value;
    }
    CHECK(total == 100 + 200 + 300 + 400 + 600 + 700 + 800 + 900 + 1000);
    const auto avg = ts.query("hosts", "global", "", t0, t0 + 600, 600);
    double sum = 0;
    for (const auto& p : avg) sum += p.value;
    // One or two buckets depending on the alignment; each averages its minutes.
    if (avg.size() == 1) CHECK(avg[0].value == Approx((0 + 1 + 2 + 3 + 5 + 6 + 7 + 8 + 9) / 9.0));
    CHECK(sum > 0);
}

TEST_CASE("writing the same minute twice adds the values", "[timeseries_store]") {
    test_database db;
    db_pool pool(db.dsn(), 1);
    timeseries_store ts(pool);
    const std::vector<ts_sample> a{{"bytes", "app", "DNS", t0, 10}, {"bytes", "app", "DNS", t0, 5}};
    ts.write(a);
    ts.write(a);
    CHECK(ts.query("bytes", "app", "DNS", t0, t0 + 60, 60) == std::vector<ts_point>{{t0, 30}});
}

TEST_CASE("roll-up moves whole old hours and queries return the same totals", "[timeseries_store]") {
    test_database db;
    db_pool pool(db.dsn(), 1);
    timeseries_store ts(pool);
    const std::int64_t h0 = t0 / 3600 * 3600;
    std::vector<ts_sample> s;
    for (int m = 0; m < 180; ++m) s.push_back({"packets", "probe", "p1", h0 + 60 * m, 1.0 + m % 7});
    ts.write(s);
    const auto before = ts.query("packets", "probe", "p1", h0, h0 + 3 * 3600, 3600);
    // Cutoff in the middle of the third hour: only the first two hours move.
    const auto moved = ts.rollup_before(h0 + 2 * 3600 + 1800);
    CHECK(moved == 120);
    CHECK(ts.query("packets", "probe", "p1", h0, h0 + 3 * 3600, 3600) == before);
    {
        auto c = db.connect();
        pqxx::nontransaction tx{c};
        CHECK(tx.exec1("SELECT count(*) FROM timeseries")[0].as<int>() == 60);
        CHECK(tx.exec1("SELECT count(*) FROM timeseries_hourly")[0].as<int>() == 2);
        const auto r = tx.exec1("SELECT min(min_value)::int, max(max_value)::int, sum(samples)::int FROM timeseries_hourly");
        CHECK(r[0].as<int>() == 1);
        CHECK(r[1].as<int>() == 7);
        CHECK(r[2].as<int>() == 120);
    }
    // Rolling up again merges into the existing hour rows.
    std::vector<ts_sample> more{{"packets", "probe", "p1", h0 + 60, 100}};
    ts.write(more);
    CHECK(ts.rollup_before(h0 + 3600) == 1);
    const auto after = ts.query("packets", "probe", "p1", h0, h0 + 3600, 3600);
    REQUIRE(after.size() == 1);
    CHECK(after[0].value == before[0].value + 100);
}

TEST_CASE("query refuses a step under a minute, a reversed range and too many points", "[timeseries_store]") {
    test_database db;
    db_pool pool(db.dsn(), 1);
    timeseries_store ts(pool);
    CHECK_THROWS_AS(ts.query("bytes", "global", "", t0, t0 + 60, 30), std::invalid_argument);
    CHECK_THROWS_AS(ts.query("bytes", "global", "", t0 + 60, t0, 60), std::invalid_argument);
    CHECK_THROWS_AS(ts.query("bytes", "global", "", t0, t0 + 60 * 20000, 60), std::invalid_argument);
    CHECK(default_aggregation("bytes_sent") == ts_aggregation::sum);
    CHECK(default_aggregation("drops") == ts_aggregation::sum);
    CHECK(default_aggregation("hosts") == ts_aggregation::avg);
}
