// Segments of the day partitions (schema v10) against a real PostgreSQL:
// where rows go while a segment is open, how a host is found in it, what a
// seal builds, what the v10 migration leaves to seal and what retention
// removes. The segments follow the server's clock (ingested_at), so these
// tests write rows of today and wait for short segments to pass.
#include "store/flow_segments.hpp"
#include "store/partitions.hpp"
#include "store/store_test_rows.hpp"

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include <string>
#include <thread>
#include <vector>

using namespace std::chrono;
using namespace wireflow::collector;
using namespace wireflow::collector::store_rows;

namespace {

std::string text(pqxx::connection& c, const std::string& sql) {
    pqxx::nontransaction tx{c};
    const auto f = tx.exec1(sql)[0];
    return f.is_null() ? std::string() : f.as<std::string>();
}

// Until the server's clock is past the segment's start: rows of a
// transaction begun before it belong to the day's default partition.
void wait_for_start(pqxx::connection& c, const std::string& segment) {
    for (int i = 0; i < 100; ++i) {
        if (text(c, "SELECT clock_timestamp() > starts FROM flow_segments WHERE name = '" + segment + "'") == "t") return;
        std::this_thread::sleep_for(milliseconds(50));
    }
    FAIL("segment " << segment << " never started");
}

void wait_for_end(pqxx::connection& c, const std::string& segment, seconds grace) {
    for (int i = 0; i < 200; ++i) {
        if (text(c, "SELECT clock_timestamp() > ends + interval '" + std::to_string(grace.count()) +
                        " seconds' FROM flow_segments WHERE name = '" + segment + "'") == "t")
            return;
        std::this_thread::sleep_for(milliseconds(50));
    }
    FAIL("segment " << segment << " never ended");
}

// Until a session waits for a lock on `table` (a seal or merge blocked in a
// thread), 30 s at most: the case's own checks say whether it was blocked.
void wait_for_waiter(pqxx::connection& c, const std::string& table) {
    for (int i = 0; i < 600; ++i) {
        if (scalar(c, "SELECT count(*) FROM pg_locks WHERE relation = '" + table + "'::regclass AND NOT granted") != 0) return;
        std::this_thread::sleep_for(milliseconds(50));
    }
}

// The plan of a host lookup with sequential scans off: which indexes can answer it.
std::string host_plan(pqxx::connection& c, const std::string& where) {
    pqxx::work tx{c};
    tx.exec0("SET LOCAL enable_seqscan = off");
    std::string plan;
    for (const auto& r : tx.exec("EXPLAIN SELECT count(*) FROM flows WHERE " + where)) plan += r[0].as<std::string>() + "\n";
    return plan;
}

struct today {
    sys_days day = floor<days>(system_clock::now());
    std::string table = partitions::name_of(day.time_since_epoch().count());
};

// The first segment of today's partition (the one open_segments made).
std::string first_segment(pqxx::connection& c, const today& t) {
    return text(c, "SELECT name FROM flow_segments WHERE day = '" + t.table + "' ORDER BY starts LIMIT 1");
}

}  // namespace

TEST_CASE("rows written while a segment is open go to it and a host is found through its Bloom filter",
          "[store][segments]") {
    fixture f;
    const today t;
    f.s.ensure_partitions(system_clock::now(), 1);
    db_pool db(f.db.dsn(), 1);
    REQUIRE(flow_segments::open_segments(db) >= 1);
    CHECK(flow_segments::open_segments(db) == 0);  // covered for the next minute already
    auto c = f.db.connect();
    const auto segment = first_segment(c, t);
    REQUIRE(segment.starts_with(t.table + "_s"));
    // Nothing stored in the last ten minutes: the rate is unknown, the span the shortest.
    CHECK(scalar(c, "SELECT extract(epoch FROM ends - starts)::bigint FROM flow_segments WHERE name = '" + segment + "'") ==
          300);
    wait_for_start(c, segment);

    // 40 batches of 200: ~270 pages, so whole Bloom ranges (4 pages) to summarize.
    std::vector<flow_batch> batches;
    for (std::uint64_t seq = 1; seq <= 40; ++seq) batches.push_back(make_batch("p", 1, seq, 200, ns_of(t.day)));
    REQUIRE(f.s.write_batches(batches) == std::vector<write_result>(40, write_result::stored));
    CHECK(scalar(c, "SELECT count(*) FROM " + segment) == 8000);
    CHECK(scalar(c, "SELECT count(*) FROM " + t.table + "_late") == 0);
    // Written with one index: a BRIN of both times and (Bloom) both hosts.
    CHECK(scalar(c, "SELECT count(*) FROM pg_indexes WHERE tablename = '" + segment + "'") == 1);
    CHECK(scalar(c, "SELECT count(*) FROM pg_indexes WHERE tablename = '" + segment + "' AND indexname = '" + segment +
                        "_open' AND indexdef LIKE '%brin (first_seen, ingested_at, client_ip inet_bloom_ops%'") == 1);

    CHECK(flow_segments::summarize_open_segments(db) > 0);
    const auto host = text(c, "SELECT host(client_ip) FROM flows WHERE flow_id = 1000 + 7 * 100000 + 5");
    const auto where = "client_ip = '" + host + "' OR server_ip = '" + host + "'";
    CHECK(scalar(c, "SELECT count(*) FROM flows WHERE " + where) ==
          scalar(c, "SELECT count(*) FROM (SELECT * FROM " + segment + ") s WHERE " + where));
    CHECK(scalar(c, "SELECT count(*) FROM flows WHERE " + where) >= 1);
    CHECK_THAT(host_plan(c, where), Catch::Contains(segment + "_open"));
    // The live views' condition reads the same BRIN.
    CHECK_THAT(host_plan(c, "ingested_at >= now() - interval '5 minutes'"), Catch::Contains(segment + "_open"));
    while (flow_segments::seal_next(db)) {  // flows_default, listed by the v10 migration; not the open segment
    }
    CHECK(scalar(c, "SELECT count(*) FROM flow_segments WHERE name = '" + segment + "' AND sealed_at IS NULL") == 1);
}

TEST_CASE("the open segment's statistics are gathered once it has rows, then each time it doubles",
          "[store][segments]") {
    fixture f;
    const today t;
    f.s.ensure_partitions(system_clock::now(), 1);
    db_pool db(f.db.dsn(), 1);
    REQUIRE(flow_segments::open_segments(db) >= 1);
    auto c = f.db.connect();
    const auto segment = first_segment(c, t);
    wait_for_start(c, segment);
    // Autovacuum stays out of it: what is checked is the collector's own.
    pqxx::nontransaction{c}.exec0("ALTER TABLE " + segment + " SET (autovacuum_enabled = false)");
    const auto write = [&](std::uint64_t first_seq) {
        std::vector<flow_batch> batches;
        for (std::uint64_t seq = first_seq; seq < first_seq + 20; ++seq)
            batches.push_back(make_batch("p", 1, seq, 200, ns_of(t.day)));
        REQUIRE(f.s.write_batches(batches) == std::vector<write_result>(20, write_result::stored));
    };
    const auto tuples = [&] { return text(c, "SELECT reltuples::bigint FROM pg_class WHERE relname = '" + segment + "'"); };
    CHECK(flow_segments::analyze_open_segments(db) == 0);  // empty
    CHECK(tuples() == "-1");  // never analyzed

    write(1);  // 4,000 rows, ~135 pages
    CHECK(flow_segments::analyze_open_segments(db) == 1);
    CHECK(tuples() == "4000");
    CHECK(scalar(c, "SELECT count(*) FROM pg_stats WHERE tablename = '" + segment + "' AND attname = 'client_ip'") == 1);
    CHECK(flow_segments::analyze_open_segments(db) == 0);  // not grown

    write(21);  // 8,000: doubled
    CHECK(flow_segments::analyze_open_segments(db) == 1);
    CHECK(tuples() == "8000");
    write(41);  // 12,000: not doubled since
    CHECK(flow_segments::analyze_open_segments(db) == 0);
    CHECK(tuples() == "8000");

    // A segment analyzed by someone else right now is left to the next tick.
    pqxx::connection other{f.db.dsn()};
    pqxx::work holder{other};
    holder.exec0("LOCK TABLE " + segment + " IN SHARE UPDATE EXCLUSIVE MODE");
    write(61);  // 16,000
    CHECK(flow_segments::analyze_open_segments(db) == 1);  // due, skipped
    CHECK(tuples() == "8000");
    holder.abort();
    CHECK(flow_segments::analyze_open_segments(db) == 1);
    CHECK(tuples() == "16000");
}

TEST_CASE("an ended segment is sealed with its host b-trees, its Bloom filter dropped, its rows still found",
          "[store][segments]") {
    fixture f;
    const today t;
    f.s.ensure_partitions(system_clock::now(), 1);
    db_pool db(f.db.dsn(), 1);
    flow_segments::settings st;
    st.min_span = st.max_span = seconds{2};
    st.lead = seconds{1};
    st.grace = seconds{1};
    // What the v10 migration listed (flows_default) is sealed first: it ended long ago.
    auto first = flow_segments::seal_next(db, st);
    REQUIRE(first);
    CHECK(first->name == "flows_default");
    REQUIRE(flow_segments::open_segments(db, st) >= 1);
    auto c = f.db.connect();
    const auto segment = first_segment(c, t);
    wait_for_start(c, segment);
    REQUIRE(f.s.write_batches(std::vector{make_batch("p", 1, 1, 300, ns_of(t.day))}) ==
            std::vector{write_result::stored});
    REQUIRE(scalar(c, "SELECT count(*) FROM " + segment) == 300);
    CHECK(flow_segments::seal_next(db, st) == std::nullopt);  // still open
    wait_for_end(c, segment, st.grace);
    flow_segments::open_segments(db, st);  // the next ones, as the collector's tick does

    const auto done = flow_segments::seal_next(db, st);
    REQUIRE(done);
    CHECK(done->name == segment);
    CHECK(done->rows == 300);
    CHECK(scalar(c, "SELECT count(*) FROM flow_segments WHERE name = '" + segment + "' AND sealed_at IS NOT NULL") == 1);
    CHECK(scalar(c, "SELECT count(*) FROM pg_indexes WHERE tablename = '" + segment + "' AND indexname IN ('" + segment +
                        "_client', '" + segment + "_server') AND indexdef LIKE '%btree%first_seen%'") == 2);
    CHECK(scalar(c, "SELECT count(*) FROM pg_indexes WHERE indexname = '" + segment + "_open'") == 0);
    CHECK(scalar(c, "SELECT count(*) FROM pg_indexes WHERE indexname = '" + segment + "_times'"
                    " AND indexdef LIKE '%brin (first_seen, ingested_at)%'") == 1);
    const auto host = text(c, "SELECT host(client_ip) FROM " + segment + " WHERE flow_id = 1000 + 100000 + 4");
    const auto where = "client_ip = '" + host + "' OR server_ip = '" + host + "'";
    CHECK(scalar(c, "SELECT count(*) FROM flows WHERE " + where) == 1);
    const auto plan = host_plan(c, where);
    CHECK_THAT(plan, Catch::Contains(segment + "_client"));
    CHECK_THAT(plan, Catch::Contains(segment + "_server"));
    CHECK(flow_segments::unsealed(db) >= 1);  // the segments opened since
}

namespace {

// The span of the first segment opened after `batches` (an INSERT into
// ingested_batches) were stored.
std::uint64_t span_after(const std::string& batches, const flow_segments::settings& st) {
    fixture f;
    f.s.ensure_partitions(system_clock::now(), 1);
    db_pool db(f.db.dsn(), 1);
    auto c = f.db.connect();
    {
        pqxx::work tx{c};
        tx.exec0(batches);
        tx.commit();
    }
    REQUIRE(flow_segments::open_segments(db, st) >= 1);
    return scalar(c, "SELECT min(extract(epoch FROM ends - starts))::bigint FROM flow_segments"
                     " WHERE sealed_at IS NULL AND starts > '-infinity'");
}

}  // namespace

TEST_CASE("a segment's span follows the recent rate, the last minute's when it rose", "[store][segments]") {
    flow_segments::settings st;
    st.target_rows = 360'000;  // 10 min at 600/s; 3.3 h at 30/s
    // 9,000 records in the last ten minutes (30/s since the first batch,
    // 5 min ago), 6,000 of them in the last minute (600/s since 10 s ago).
    const auto span = span_after("INSERT INTO ingested_batches (probe_id, boot_id, sequence, records, stored_at) VALUES"
                                 " ('p', 1, 1, 3000, now() - interval '5 minutes'),"
                                 " ('p', 1, 2, 6000, now() - interval '10 seconds')",
                                 st);
    CHECK(span >= 590);
    CHECK(span <= 610);
}

TEST_CASE("a collector that began storing seconds ago under load opens a short segment, not one of the minute's average",
          "[store][segments]") {
    flow_segments::settings st;
    st.target_rows = 360'000;  // 36 s at 10,000/s; 432 s at 833/s
    st.min_span = seconds{10};
    // 50,000 records over the last 5 s: 10,000/s (over the minute: 833/s).
    const auto span = span_after("INSERT INTO ingested_batches (probe_id, boot_id, sequence, records, stored_at)"
                                 " SELECT 'p', 1, k, 5000, now() - make_interval(secs => k * 0.5)"
                                 " FROM generate_series(1, 10) AS k",
                                 st);
    CHECK(span >= 30);
    CHECK(span <= 45);
}

TEST_CASE("rows no segment covers go to the day's default partition, which keeps its host b-trees",
          "[store][segments]") {
    fixture f;
    f.s.ensure_partitions(day1, 0);  // a past day: no segment is ever opened for it
    REQUIRE(f.s.write_batches(std::vector{make_batch("p", 1, 1, 20, ns_of(day1))}) ==
            std::vector{write_result::stored});
    auto c = f.db.connect();
    CHECK(scalar(c, "SELECT count(*) FROM flows_p20240310_late") == 20);
    CHECK(scalar(c, "SELECT count(*) FROM pg_indexes WHERE tablename = 'flows_p20240310_late'"
                    " AND indexname IN ('flows_p20240310_late_client', 'flows_p20240310_late_server')") == 2);
    CHECK_THAT(host_plan(c, "client_ip = '10.0.0.5' OR server_ip = '10.0.0.5'"),
               Catch::Contains("flows_p20240310_late_client"));
    // The store's row count of a day includes its segments and default partition.
    CHECK(rows_in(f.s, "flows_p20240310") == 20);
}

TEST_CASE("the v10 migration drops the GIN and lists an older version's days, which a seal indexes concurrently",
          "[store][segments][schema]") {
    test_database db{false};
    db.migrate_to(9);
    {
        auto c = db.connect();
        pqxx::work tx{c};
        // A day partition as collectors of version 9 made it: a plain table with the parent's GIN.
        tx.exec0("CREATE TABLE flows_p20240310 (LIKE flows INCLUDING DEFAULTS INCLUDING CONSTRAINTS)");
        tx.exec0("ALTER TABLE flows ATTACH PARTITION flows_p20240310"
                 " FOR VALUES FROM ('2024-03-10 00:00:00+00') TO ('2024-03-11 00:00:00+00')");
        insert_old_flow(tx, "old");
        tx.commit();
        CHECK(scalar(c, "SELECT count(*) FROM pg_indexes WHERE tablename = 'flows_p20240310' AND indexdef LIKE '%gin%'") == 1);
    }
    store s{db.dsn()};
    CHECK(s.migrate() == store::latest_schema_version());
    auto c = db.connect();
    CHECK(scalar(c, "SELECT count(*) FROM pg_indexes WHERE indexdef LIKE '%USING gin%' AND tablename LIKE 'flows%'") == 0);
    CHECK(scalar(c, "SELECT count(*) FROM flow_segments WHERE sealed_at IS NULL AND starts = '-infinity'"
                    " AND name IN ('flows_default', 'flows_p20240310')") == 2);
    db_pool pool(db.dsn(), 1);
    std::vector<std::string> sealed;
    while (auto one = flow_segments::seal_next(pool)) sealed.push_back(one->name);
    std::sort(sealed.begin(), sealed.end());
    CHECK(sealed == std::vector<std::string>{"flows_default", "flows_p20240310"});
    CHECK(flow_segments::unsealed(pool) == 0);
    CHECK(scalar(c, "SELECT count(*) FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
                    " WHERE ic.relname IN ('flows_p20240310_client', 'flows_p20240310_server') AND i.indisvalid") == 2);
    CHECK_THAT(host_plan(c, "client_ip = '10.0.0.2' OR server_ip = '10.0.0.2'"), Catch::Contains("flows_p20240310_server"));
    CHECK(scalar(c, "SELECT count(*) FROM flows WHERE client_ip = '10.0.0.2' OR server_ip = '10.0.0.2'") == 1);
}

TEST_CASE("retention drops a day with its segments and their listing", "[store][segments]") {
    fixture f;
    const today t;
    f.s.ensure_partitions(system_clock::now(), 0);
    db_pool db(f.db.dsn(), 1);
    REQUIRE(flow_segments::open_segments(db) >= 1);
    auto c = f.db.connect();
    REQUIRE(scalar(c, "SELECT count(*) FROM flow_segments WHERE day = '" + t.table + "'") >= 1);
    CHECK(f.s.drop_partitions_before(system_clock::now() + days{2}) >= 1);
    CHECK(scalar(c, "SELECT count(*) FROM flow_segments WHERE day = '" + t.table + "'") == 0);
    CHECK(scalar(c, "SELECT count(*) FROM pg_class WHERE relname LIKE '" + t.table + "%'") == 0);
}

TEST_CASE("the v11 migration gives the open segment of v10 a time BRIN and lists the sealed leaves again",
          "[store][segments][schema]") {
    test_database db{false};
    db.migrate_to(10);
    {
        // A day as a v10 collector left it: a sealed segment, an open one (its Bloom filter), a default partition.
        auto c = db.connect();
        pqxx::work tx{c};
        tx.exec0("CREATE TABLE flows_p20240310 (LIKE flows INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
                 " PARTITION BY RANGE (ingested_at)");
        tx.exec0("CREATE TABLE flows_p20240310_late PARTITION OF flows_p20240310 DEFAULT");
        tx.exec0("CREATE TABLE flows_p20240310_s1 PARTITION OF flows_p20240310"
                 " FOR VALUES FROM ('2000-01-01 00:00:00+00') TO ('2001-01-01 00:00:00+00')");
        tx.exec0("CREATE TABLE flows_p20240310_s2 PARTITION OF flows_p20240310"
                 " FOR VALUES FROM ('2001-01-01 00:00:00+00') TO ('9999-01-01 00:00:00+00')");
        tx.exec0("CREATE INDEX flows_p20240310_s2_hosts_bloom ON flows_p20240310_s2 USING brin"
                 " (client_ip inet_bloom_ops, server_ip inet_bloom_ops)");
        tx.exec0("ALTER TABLE flows ATTACH PARTITION flows_p20240310"
                 " FOR VALUES FROM ('2024-03-10 00:00:00+00') TO ('2024-03-11 00:00:00+00')");
        tx.exec0("INSERT INTO flow_segments (name, day, starts, ends, sealed_at) VALUES"
                 " ('flows_p20240310_s1', 'flows_p20240310', '2000-01-01', '2001-01-01', now()),"
                 " ('flows_p20240310_s2', 'flows_p20240310', '2001-01-01', '9999-01-01', NULL)");
        tx.exec0("UPDATE flow_segments SET sealed_at = now() WHERE name = 'flows_default'");
        tx.commit();
        CHECK(scalar(c, "SELECT count(*) FROM pg_indexes WHERE tablename = 'flows_p20240310_s2' AND indexdef LIKE '%brin%'") == 3);
    }
    store s{db.dsn()};
    CHECK(s.migrate() == store::latest_schema_version());
    auto c = db.connect();
    CHECK(scalar(c, "SELECT count(*) FROM pg_indexes WHERE indexname IN ('flows_first_seen_brin', 'flows_ingested_at_brin')") == 0);
    CHECK(scalar(c, "SELECT count(*) FROM pg_indexes WHERE indexname = 'flows_p20240310_s2_times'") == 1);
    CHECK(scalar(c, "SELECT count(*) FROM pg_indexes WHERE tablename = 'flows_p20240310_s1'") == 0);
    CHECK(scalar(c, "SELECT count(*) FROM flow_segments WHERE sealed_at IS NOT NULL") == 0);
    CHECK(scalar(c, "SELECT count(*) FROM flow_segments WHERE name = 'flows_p20240310_late' AND starts = '-infinity'") == 1);
    db_pool pool(db.dsn(), 1);
    std::vector<std::string> sealed;
    while (auto one = flow_segments::seal_next(pool)) sealed.push_back(one->name);
    std::sort(sealed.begin(), sealed.end());
    CHECK(sealed == std::vector<std::string>{"flows_default", "flows_p20240310_late", "flows_p20240310_s1"});
    CHECK(scalar(c, "SELECT count(*) FROM pg_indexes WHERE indexname IN ('flows_p20240310_s1_times',"
                    " 'flows_p20240310_late_times', 'flows_default_times')") == 3);
}

namespace {

// day1 as a collector leaves it once the day is over: three adjacent
// segments of 8 h (by ingested_at), a fourth after a gap (the collector was
// down), all sealed, and rows no segment covers in the default partition.
// 400 rows: 80 late, 80 in each segment.
struct past_day {
    fixture f;
    db_pool db{f.db.dsn(), 2};
    pqxx::connection c = f.db.connect();
    std::vector<std::string> segments;

    past_day() {
        f.s.ensure_partitions(day1, 0);
        REQUIRE(f.s.write_batches(std::vector{make_batch("p", 1, 1, 400, ns_of(day1))}) ==
                std::vector{write_result::stored});
        const char* bounds[][2] = {{"2024-03-10 00:00:00+00", "2024-03-10 08:00:00+00"},
                                   {"2024-03-10 08:00:00+00", "2024-03-10 16:00:00+00"},
                                   {"2024-03-10 16:00:00+00", "2024-03-11 00:00:00+00"},
                                   {"2024-03-11 02:00:00+00", "2024-03-11 04:00:00+00"}};
        pqxx::work tx{c};
        for (const auto& b : bounds) {
            const auto start = tx.exec1(std::string("SELECT extract(epoch FROM timestamptz '") + b[0] + "')::bigint")[0];
            const std::string name = "flows_p20240310_s" + start.as<std::string>();
            tx.exec0("CREATE TABLE " + name + " (LIKE flows INCLUDING DEFAULTS INCLUDING CONSTRAINTS)");
            tx.exec0("ALTER TABLE flows_p20240310 ATTACH PARTITION " + name + " FOR VALUES FROM ('" + b[0] + "') TO ('" +
                     b[1] + "')");
            tx.exec0("INSERT INTO flow_segments (name, day, starts, ends) VALUES ('" + name + "', 'flows_p20240310', '" +
                     b[0] + "', '" + b[1] + "')");
            segments.push_back(name);
        }
        // Into the segments (rows move between partitions on UPDATE), one in five left late.
        tx.exec0("UPDATE flows SET ingested_at = CASE flow_id % 4 WHEN 0 THEN timestamptz '2024-03-10 01:00:00+00'"
                 " WHEN 1 THEN '2024-03-10 09:00:00+00' WHEN 2 THEN '2024-03-10 17:00:00+00'"
                 " ELSE '2024-03-11 03:00:00+00' END WHERE flow_id % 5 <> 0");
        tx.commit();
        for (const auto& s : segments) REQUIRE(scalar(c, "SELECT count(*) FROM " + s) == 80);
        REQUIRE(scalar(c, "SELECT count(*) FROM flows_p20240310_late") == 80);
    }

    void seal_all() {
        while (flow_segments::seal_next(db)) {
        }
        REQUIRE(flow_segments::unsealed(db) == 0);
    }

    // What a query sees of the day: rows, bytes, and one host's flows.
    std::string contents() {
        return text(c, "SELECT count(*) || ' ' || sum(c2s_bytes + s2c_bytes) || ' ' || count(*) FILTER"
                       " (WHERE client_ip = '10.0.0.5' OR server_ip = '10.0.0.5') FROM flows"
                       " WHERE first_seen >= '2024-03-10' AND first_seen < '2024-03-11'");
    }

    // A segment after the fourth that is written until `seconds` from now:
    // the day is not over while it is.
    std::string open_segment(int seconds) {
        pqxx::work tx{c};
        const std::string name =
            "flows_p20240310_s" + text_of(tx, "SELECT extract(epoch FROM timestamptz '2024-03-11 04:00:00+00')::bigint");
        const std::string ends = text_of(tx, "SELECT (date_trunc('second', clock_timestamp()) + make_interval(secs => " +
                                                 std::to_string(seconds) + "))::text");
        // The late rows were stored now, in the new range: stored in the gap instead.
        tx.exec0("UPDATE flows_p20240310_late SET ingested_at = '2024-03-11 01:00:00+00'");
        tx.exec0("CREATE TABLE " + name + " (LIKE flows INCLUDING DEFAULTS INCLUDING CONSTRAINTS)");
        tx.exec0("ALTER TABLE flows_p20240310 ATTACH PARTITION " + name + " FOR VALUES FROM ('2024-03-11 04:00:00+00') TO ('" +
                 ends + "')");
        tx.exec0("INSERT INTO flow_segments (name, day, starts, ends) VALUES ('" + name + "', 'flows_p20240310',"
                 " '2024-03-11 04:00:00+00', '" + ends + "')");
        tx.commit();
        return name;
    }

    static std::string text_of(pqxx::work& tx, const std::string& sql) { return tx.exec1(sql)[0].as<std::string>(); }

    std::vector<std::string> leaves() {
        std::vector<std::string> out;
        pqxx::nontransaction tx{c};
        for (const auto& r : tx.exec("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                                     " WHERE i.inhparent = 'flows_p20240310'::regclass ORDER BY 1"))
            out.push_back(r[0].as<std::string>());
        return out;
    }
};

}  // namespace

TEST_CASE("a past day's adjacent sealed segments are merged into one leaf with the same rows, found the same way",
          "[store][segments][merge]") {
    past_day d;
    CHECK(flow_segments::merge_next(d.db) == std::nullopt);  // not all sealed yet
    d.seal_all();
    const auto before = d.contents();
    const std::string merged = "flows_p20240310_m" + d.segments[0].substr(17) + "_" +
                               std::to_string(std::stoll(d.segments[2].substr(17)) + 8 * 3600);

    const auto done = flow_segments::merge_next(d.db);
    REQUIRE(done);
    CHECK(done->name == merged);
    CHECK(done->segments == 3);  // the fourth starts after a gap
    CHECK(done->rows == 240);
    CHECK(d.leaves() == std::vector<std::string>{"flows_p20240310_late", merged, d.segments[3]});
    CHECK(d.contents() == before);
    CHECK(scalar(d.c, "SELECT count(*) FROM " + merged) == 240);
    CHECK(text(d.c, "SELECT string_agg(name, ' ' ORDER BY starts) FROM flow_segments WHERE day = 'flows_p20240310'"
                    " AND sealed_at IS NOT NULL") == merged + " " + d.segments[3]);
    for (const auto& i : flow_segments::sealed_indexes)
        CHECK(scalar(d.c, "SELECT count(*) FROM pg_indexes WHERE indexname = '" + merged + std::string(i.suffix) + "'") == 1);
    // Vacuumed as any table once attached (not before: the swap would wait for it).
    CHECK(text(d.c, "SELECT coalesce(array_to_string(reloptions, ','), '') FROM pg_class WHERE relname = '" + merged + "'") ==
          "");
    CHECK_THAT(host_plan(d.c, "client_ip = '10.0.0.5' OR server_ip = '10.0.0.5'"), Catch::Contains(merged + "_client"));
    CHECK(flow_segments::merge_next(d.db) == std::nullopt);  // nothing adjacent left

    // Late rows of the day still go to its default partition.
    REQUIRE(d.f.s.write_batches(std::vector{make_batch("p", 1, 2, 10, ns_of(day1))}) ==
            std::vector{write_result::stored});
    CHECK(scalar(d.c, "SELECT count(*) FROM flows_p20240310_late") == 90);
}

TEST_CASE("a merge stops at merge_rows, today waits for merge_written_leaves sealed segments; merge_rows 0 never merges",
          "[store][segments][merge]") {
    past_day d;
    d.seal_all();
    flow_segments::settings st;
    st.merge_rows = 0;
    CHECK(flow_segments::merge_next(d.db, st) == std::nullopt);
    st.merge_rows = 200;  // two segments of 80, not three
    const auto done = flow_segments::merge_next(d.db, st);
    REQUIRE(done);
    CHECK(done->segments == 2);
    CHECK(done->rows == 160);
    CHECK(flow_segments::merge_next(d.db, st) == std::nullopt);  // 160 + 80 > 200
    CHECK(d.leaves().size() == 4);                               // merged, third, fourth, late

    // Today: fewer sealed segments than merge_written_leaves (8) are left.
    flow_segments::settings now;
    now.min_span = now.max_span = seconds{2};
    now.lead = now.grace = seconds{1};
    d.f.s.ensure_partitions(system_clock::now(), 1);
    now.merge_rows = st.merge_rows;
    REQUIRE(flow_segments::open_segments(d.db, now) >= 1);
    const today t;
    wait_for_end(d.c, first_segment(d.c, t), now.grace);
    flow_segments::open_segments(d.db, now);
    while (flow_segments::seal_next(d.db, now)) {
    }
    CHECK(scalar(d.c, "SELECT count(*) FROM flow_segments WHERE day = '" + t.table + "' AND sealed_at IS NOT NULL") >= 1);
    CHECK(flow_segments::merge_next(d.db, now) == std::nullopt);
    CHECK(d.leaves().size() == 4);
}

TEST_CASE("a swap that cannot lock the day in time gives up, and the next merge swaps the copy made",
          "[store][segments][merge]") {
    past_day d;
    d.seal_all();
    const auto before = d.contents();
    std::string copy_oid;
    {
        // A long query on the day: its lock outlasts the swap's 2 s.
        auto reader = d.f.db.connect();
        pqxx::work rtx{reader};
        rtx.exec1("SELECT count(*) FROM flows_p20240310");
        const auto waited = flow_segments::merge_next(d.db);
        REQUIRE(waited);
        CHECK_FALSE(waited->swapped);
        copy_oid = text(d.c, "SELECT oid FROM pg_class WHERE relname LIKE 'flows_p20240310_m%' AND relkind = 'r'");
        CHECK(!copy_oid.empty());  // made, not attached, not vacuumed meanwhile
        CHECK(text(d.c, "SELECT array_to_string(reloptions, ',') FROM pg_class WHERE oid = " + copy_oid) ==
              "autovacuum_enabled=false");
        CHECK(d.leaves().size() == 5);
    }
    const auto done = flow_segments::merge_next(d.db);
    REQUIRE(done);
    CHECK(done->segments == 3);
    CHECK(text(d.c, "SELECT oid FROM pg_class WHERE relname = '" + done->name + "'") == copy_oid);  // not made again
    CHECK(d.leaves().size() == 3);
    CHECK(d.contents() == before);
}

TEST_CASE("a day still written has merge_written_leaves sealed segments merged at a time, a writer on it waits little,"
          " and the day is merged again once over", "[store][segments][merge]") {
    past_day d;
    d.seal_all();
    const auto open = d.open_segment(6);  // written for 6 s more
    const auto before = d.contents();
    flow_segments::settings st;
    st.grace = seconds{1};
    st.merge_written_leaves = 4;  // three adjacent, then a gap: not yet
    CHECK(flow_segments::merge_next(d.db, st) == std::nullopt);

    st.merge_written_leaves = 2;
    st.swap_wait = seconds{60};
    st.swap_wait_written = milliseconds{100};
    {
        // The writer's COPY holds the day as routing its rows locks it.
        auto writer = d.f.db.connect();
        pqxx::work wtx{writer};
        wtx.exec0("LOCK TABLE flows_p20240310 IN ROW EXCLUSIVE MODE");
        const auto t0 = steady_clock::now();
        const auto waited = flow_segments::merge_next(d.db, st);
        CHECK(steady_clock::now() - t0 < seconds{30});  // swap_wait_written, not swap_wait
        REQUIRE(waited);
        CHECK_FALSE(waited->swapped);
        CHECK(d.leaves().size() == 6);                   // late, four sealed, the open one
    }
    const auto done = flow_segments::merge_next(d.db, st);
    REQUIRE(done);
    CHECK(done->swapped);
    CHECK(done->segments == 2);
    CHECK(done->rows == 160);
    const std::string first = "flows_p20240310_m" + d.segments[0].substr(17) + "_" + d.segments[2].substr(17);
    CHECK(done->name == first);
    CHECK(d.leaves() == std::vector<std::string>{"flows_p20240310_late", first, d.segments[2], d.segments[3], open});
    CHECK(d.contents() == before);
    // A leaf merged already is not merged again while the day is written.
    CHECK(flow_segments::merge_next(d.db, st) == std::nullopt);
    // The open segment is written on.
    REQUIRE(d.f.s.write_batches(std::vector{make_batch("p", 1, 2, 10, ns_of(day1))}) ==
            std::vector{write_result::stored});
    CHECK(scalar(d.c, "SELECT count(*) FROM " + open) == 10);

    // Over: the open segment ended and sealed, the merged leaf and the next are merged.
    wait_for_end(d.c, open, st.grace);
    const auto sealed = flow_segments::seal_next(d.db, st);
    REQUIRE(sealed);
    CHECK(sealed->name == open);
    const auto after = d.contents();
    const auto again = flow_segments::merge_next(d.db, st);
    REQUIRE(again);
    CHECK(again->segments == 2);
    CHECK(again->rows == 240);
    CHECK(again->name ==
          "flows_p20240310_m" + d.segments[0].substr(17) + "_" + std::to_string(std::stoll(d.segments[2].substr(17)) + 8 * 3600));
    const auto last = flow_segments::merge_next(d.db, st);  // the fourth and the one that was open
    REQUIRE(last);
    CHECK(last->rows == 90);
    CHECK(d.leaves().size() == 3);
    CHECK(d.contents() == after);
}

TEST_CASE("a merge in progress ends at once when its stopper stops it, and no merge or seal starts after",
          "[store][segments][merge]") {
    past_day d;
    d.seal_all();
    const auto before = d.contents();
    flow_segments::settings st;
    st.swap_wait = seconds{60};  // its swap waits behind a reader: a statement of a minute
    flow_segments::stopper stopper;
    auto reader = d.f.db.connect();
    pqxx::work rtx{reader};
    rtx.exec1("SELECT count(*) FROM flows_p20240310");
    bool threw = false;
    std::thread merging([&] {
        try {
            (void)flow_segments::merge_next(d.db, st, &stopper);
        } catch (const store_error&) {
            threw = true;
        }
    });
    wait_for_waiter(d.c, "flows_p20240310");
    const auto t0 = steady_clock::now();
    stopper.stop(d.db);
    merging.join();
    CHECK(steady_clock::now() - t0 < seconds{30});  // cancelled, not the swap's 60 s
    CHECK(threw);
    rtx.abort();
    CHECK(d.leaves().size() == 5);  // nothing swapped: late and the four segments
    CHECK(d.contents() == before);
    CHECK(flow_segments::merge_next(d.db, st, &stopper) == std::nullopt);  // stopped: none starts
    CHECK(flow_segments::seal_next(d.db, st, &stopper) == std::nullopt);
    const auto done = flow_segments::merge_next(d.db, st);                // another collector's
    REQUIRE(done);
    CHECK(done->segments == 3);
    CHECK(d.contents() == before);
}

TEST_CASE("a seal in progress ends at once when its stopper stops it, and is done again later",
          "[store][segments]") {
    past_day d;
    flow_segments::settings st;
    flow_segments::stopper stopper;
    const auto first = flow_segments::seal_next(d.db, st, &stopper);  // what the v10 migration listed
    REQUIRE(first);
    CHECK(first->name == "flows_default");
    // A late COPY into the next segment to seal: the seal's index build waits for it.
    auto writer = d.f.db.connect();
    pqxx::work wtx{writer};
    wtx.exec0("LOCK TABLE " + d.segments[0] + " IN ROW EXCLUSIVE MODE");
    bool threw = false;
    std::thread sealing([&] {
        try {
            (void)flow_segments::seal_next(d.db, st, &stopper);
        } catch (const store_error&) {
            threw = true;
        }
    });
    wait_for_waiter(d.c, d.segments[0]);
    const auto t0 = steady_clock::now();
    stopper.stop(d.db, seconds{20});
    CHECK(steady_clock::now() - t0 < seconds{15});  // the seal ended: stop() waits for that, at most 20 s
    wtx.abort();  // had the cancel failed, the seal would go on now and not throw
    sealing.join();
    CHECK(threw);
    CHECK(scalar(d.c, "SELECT count(*) FROM flow_segments WHERE name = '" + d.segments[0] + "' AND sealed_at IS NULL") == 1);
    CHECK(scalar(d.c, "SELECT count(*) FROM pg_indexes WHERE tablename = '" + d.segments[0] + "'") == 0);  // rolled back
    CHECK(flow_segments::seal_next(d.db, st, &stopper) == std::nullopt);  // stopped: none starts
    const auto done = flow_segments::seal_next(d.db, st);                // the next start's
    REQUIRE(done);
    CHECK(done->name == d.segments[0]);
}
