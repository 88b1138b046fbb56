#include "store/history_retention.hpp"

#include "store/test_database.hpp"

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

using namespace wireflow::collector;
using wireflow::collector::testing::test_database;

namespace {

long long count(db_pool& db, const std::string& table) {
    return db.run("count", [&](pqxx::connection& c) {
        pqxx::work tx(c);
        return tx.exec1("SELECT count(*) FROM " + table)[0].as<long long>();
    });
}

void exec(db_pool& db, const std::string& sql) {
    db.run("setup", [&](pqxx::connection& c) {
        pqxx::work tx(c);
        tx.exec(sql);
        tx.commit();
    });
}

}  // namespace

TEST_CASE("history older than the cutoff is pruned, recent and engaged rows stay", "[retention]") {
    test_database t;
    db_pool db(t.dsn(), 1);
    // 100 days of probe stats and batch identities, one row a day; alerts
    // released long ago, released recently, and engaged since long ago.
    exec(db, R"(
        INSERT INTO probe_stats (probe_id, boot_id, time_ns, ts, rx_packets, rx_bytes, imissed, rx_nombuf, ierrors,
            packets, ip_packets, malformed_packets, flows_active, flows_created, records_exported, ring_full_drops,
            evictions, batches_sent, batches_acked, batches_pending, export_drops, last_sequence, uptime_ns, ports, workers)
        SELECT 'p1', 1, d, now() - make_interval(days => d), 0,0,0,0,0, 0,0,0,0,0,0,0, 0,0,0,0,0,0,0, '[]', '[]'
        FROM generate_series(0, 99) AS d;
        INSERT INTO ingested_batches (probe_id, boot_id, sequence, records, stored_at)
        SELECT 'p1', 1, d + 1, 10, now() - make_interval(days => d) FROM generate_series(0, 99) AS d;
        INSERT INTO alerts (type, severity, entity_type, entity_id, started_at, ended_at, message) VALUES
            ('syn_scan_attacker', 'warning', 'host', '10.0.0.1@0', now() - interval '90 days', now() - interval '89 days', 'old'),
            ('syn_scan_attacker', 'warning', 'host', '10.0.0.1@0', now() - interval '2 days', now() - interval '1 day', 'recent'),
            ('probe_silent', 'error', 'probe', 'p1', now() - interval '95 days', NULL, 'still engaged');
        INSERT INTO timeseries_hourly (metric, scope, scope_id, ts, samples, sum_value, min_value, max_value)
        SELECT 'bytes', 'global', '', timestamptz '2020-01-01 00:00:00+00' + make_interval(hours => h), 60, 1, 1, 1
        FROM generate_series(0, 49) AS h;
        INSERT INTO timeseries_hourly (metric, scope, scope_id, ts, samples, sum_value, min_value, max_value)
        SELECT 'bytes', 'global', '', date_trunc('hour', now()) - make_interval(hours => h), 60, 1, 1, 1
        FROM generate_series(0, 29) AS h;
    )");
    const auto now = std::chrono::system_clock::now();
    const auto cutoff = now - std::chrono::hours(24 * 30) - std::chrono::minutes(30);
    // A small chunk makes the loop go round several times.
    const auto pruned = prune_history(db, cutoff, now, 7);
    CHECK(pruned.probe_stats == 69);       // days 31..99
    CHECK(pruned.ingested_batches == 69);
    CHECK(pruned.alerts == 1);             // only the one released 89 days ago
    CHECK(pruned.timeseries_hourly == 50);
    CHECK(count(db, "probe_stats") == 31);
    CHECK(count(db, "ingested_batches") == 31);
    CHECK(count(db, "alerts") == 2);
    CHECK(count(db, "alerts WHERE ended_at IS NULL") == 1);
    CHECK(count(db, "timeseries_hourly") == 30);
    // A second run finds nothing more to do.
    CHECK(prune_history(db, cutoff, now).total() == 0);
}
