// The live views (flows received in the last minutes, top applications)
// against a real PostgreSQL: they select on ingested_at, and since schema v9
// also on first_seen >= the oldest first_seen of the batches stored in their
// window, so the planner reads only the partitions from there on. The bound
// must never lose a row: a replayed capture's old records, records of
// several days, and batches stored before v9 (no bound) all stay visible.
#include "store/db_pool.hpp"
#include "store/flow_query.hpp"
#include "store/store_test_rows.hpp"

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include <string>
#include <vector>

using namespace std::chrono;
using namespace wireflow::collector;
using namespace wireflow::collector::store_rows;

TEST_CASE("a batch stores the oldest first_seen of its records, the live views' bound", "[store][live]") {
    fixture f;
    f.s.ensure_partitions(day1, 0);
    auto b = make_batch("p", 1, 1, 5, ns_of(day1));
    b.records[3].first_seen_ns = ns_of(day1, hours{2}) + 7'999;  // the oldest, 7.999 us: truncated like first_seen
    const flow_batch empty = make_batch("p", 1, 2, 0, ns_of(day1));
    CHECK(f.s.write_batches(std::vector{b, empty}) == std::vector<write_result>(2, write_result::stored));
    auto c = f.db.connect();
    CHECK(scalar(c, "SELECT count(*) FROM ingested_batches WHERE sequence = 1"
                    " AND first_seen_min = (SELECT min(first_seen) FROM flows)"
                    " AND first_seen_min = timestamptz '2024-03-10 02:00:00.000007+00'") == 1);
    CHECK(scalar(c, "SELECT count(*) FROM ingested_batches WHERE sequence = 2 AND first_seen_min IS NULL") == 1);
}

TEST_CASE("the live views find every record received in their window, however old its first_seen, and only those",
          "[store][live]") {
    fixture f;
    f.s.ensure_partitions(day1, 1);
    // Received an hour ago: outside the live window.
    REQUIRE(f.s.write_batches(std::vector{make_batch("old", 1, 1, 50, ns_of(day1))}) ==
            std::vector{write_result::stored});
    auto c = f.db.connect();
    {
        pqxx::work tx{c};
        tx.exec0("UPDATE flows SET ingested_at = now() - interval '1 hour'");
        tx.exec0("UPDATE ingested_batches SET stored_at = now() - interval '1 hour'");
        tx.commit();
    }
    db_pool pool{f.db.dsn(), 1};
    flow_query q{pool};
    flow_filter live;
    live.limit = 1000;
    CHECK(q.find(live).total == 0);
    // Now, in one group: a replayed capture from the day before day 1 (the
    // default partition), and records of day 2 at 18:00.
    REQUIRE(f.s.write_batches(std::vector{make_batch("replay", 1, 1, 3, ns_of(day1 - days{1})),
                                          make_batch("now", 1, 1, 4, ns_of(day1 + days{1}, hours{18}))}) ==
            std::vector<write_result>(2, write_result::stored));
    const auto page = q.find(live);
    CHECK(page.total == 7);
    CHECK(page.items.size() == 7);
    std::size_t replayed = 0;
    for (const auto& it : page.items) replayed += it.probe_id == "replay";
    CHECK(replayed == 3);
    std::uint64_t apps = 0;
    std::uint64_t flows = 0;
    for (const auto& a : q.top_apps(seconds{300}, 10, apps)) flows += a.flows;
    CHECK(flows == 7);
    // Stored later in a batch of its own: the day-2 records alone bound the
    // window once the replay has left it.
    {
        pqxx::work tx{c};
        tx.exec0("UPDATE flows SET ingested_at = now() - interval '1 hour' WHERE probe_id = 'replay'");
        tx.exec0("UPDATE ingested_batches SET stored_at = now() - interval '1 hour' WHERE probe_id = 'replay'");
        tx.commit();
    }
    CHECK(q.find(live).total == 4);
    // A batch stored before schema v9 has no bound: the views read every partition.
    {
        pqxx::work tx{c};
        tx.exec0("UPDATE flows SET ingested_at = now() WHERE probe_id = 'old'");
        tx.exec0("UPDATE ingested_batches SET stored_at = now(), first_seen_min = NULL WHERE probe_id = 'old'");
        tx.commit();
    }
    CHECK(q.find(live).total == 54);
    CHECK(q.top_apps(seconds{300}, 10, apps).size() > 0);
}

TEST_CASE("a live window in which no batch was stored is empty, whatever flows holds", "[store][live]") {
    fixture f;
    f.s.ensure_partitions(day1, 0);
    REQUIRE(f.s.write_batches(std::vector{make_batch("p", 1, 1, 20, ns_of(day1)),
                                          make_batch("p", 1, 2, 0, ns_of(day1))}) ==
            std::vector<write_result>(2, write_result::stored));
    db_pool pool{f.db.dsn(), 1};
    flow_query q{pool};
    flow_filter live;
    live.limit = 100;
    std::uint64_t apps = 0;
    REQUIRE(q.find(live).total == 20);
    REQUIRE(q.top_apps(seconds{300}, 10, apps).size() > 0);
    // The batch with records left the window while its rows still say they
    // were received now, which no row the collector writes can (a row's
    // ingested_at is its batch's stored_at). The views answer from the batch
    // log (a batch without records stored in the window says nothing) and
    // never read those rows.
    auto c = f.db.connect();
    {
        pqxx::work tx{c};
        tx.exec0("UPDATE ingested_batches SET stored_at = now() - interval '1 hour' WHERE sequence = 1");
        tx.commit();
    }
    const flow_page page = q.find(live);
    CHECK(page.total == 0);
    CHECK(page.items.empty());
    apps = 7;
    CHECK(q.top_apps(seconds{300}, 10, apps).empty());
    CHECK(apps == 0);
    // A time range reads flows as before.
    flow_filter range = live;
    range.from = sys_days{day1} - days{1};
    range.to = sys_days{day1} + days{1};
    CHECK(q.find(range).total == 20);
}
