#include "alert/alert_writer.hpp"

#include <catch2/catch.hpp>

#include <pqxx/pqxx>

#include "store/test_database.hpp"

using namespace wireflow::collector;
using namespace wireflow::collector::alert;
using namespace std::chrono_literals;
using wireflow::collector::testing::test_database;

namespace {

record_ptr engaged_record(std::string entity, std::chrono::system_clock::time_point t) {
    auto r = std::make_shared<alert_record>();
    r->from = check::syn_scan;
    r->a.type = "syn_scan_attacker";
    r->a.severity = "warning";
    r->a.entity_type = "host";
    r->a.entity_id = std::move(entity);
    r->a.started_at = t;
    r->a.message = "m";
    r->a.details = "{}";
    return r;
}

void sql(const test_database& db, const std::string& statement) {
    auto c = db.connect();
    pqxx::work tx{c};
    tx.exec(statement);
    tx.commit();
}

}  // namespace

TEST_CASE("the writer inserts new alerts, then writes their release", "[alert_writer]") {
    test_database db;
    db_pool pool{db.dsn(), 1};
    alert_store store{pool};
    alert_engine_stats stats;
    std::mutex lock;
    alert_writer w(store, nullptr, 10, stats);
    const auto t = std::chrono::system_clock::now();
    auto r = engaged_record("10.0.0.1@0", t);
    w.queue(r);
    w.queue(r);   // queued once
    CHECK(w.pending() == 1);
    auto work = w.take();
    w.write(work, lock);
    REQUIRE(r->written);
    REQUIRE(r->a.id > 0);
    r->a.ended_at = t + 60s;
    r->release_pending = true;
    w.queue(r);
    work = w.take();
    w.write(work, lock);
    const auto back = store.find(r->a.id);
    REQUIRE(back);
    CHECK(back->ended_at);
    CHECK(stats.db_errors == 0);
}

TEST_CASE("changes wait in order while PostgreSQL refuses them and are written when it accepts", "[alert_writer]") {
    test_database db;
    db_pool pool{db.dsn(), 1};
    alert_store store{pool};
    alert_engine_stats stats;
    std::mutex lock;
    alert_writer w(store, nullptr, 10, stats);
    const auto t = std::chrono::system_clock::now();
    sql(db, "ALTER TABLE alerts RENAME TO alerts_away");
    auto a = engaged_record("10.0.0.1@0", t);
    auto b = engaged_record("10.0.0.2@0", t);
    w.queue(a);
    w.queue(b);
    auto work = w.take();
    w.write(work, lock);
    CHECK(stats.db_errors == 1);
    CHECK(w.pending() == 2);
    CHECK_FALSE(a->written);
    sql(db, "ALTER TABLE alerts_away RENAME TO alerts");
    work = w.take();
    REQUIRE(work.size() == 2);
    CHECK(work[0].ptr == a);   // first in line again
    w.write(work, lock);
    CHECK(a->written);
    CHECK(b->written);
    CHECK(store.list({}).total == 2);
}

TEST_CASE("a full queue drops its oldest change, counted", "[alert_writer]") {
    test_database db;
    db_pool pool{db.dsn(), 1};
    alert_store store{pool};
    alert_engine_stats stats;
    alert_writer w(store, nullptr, 2, stats);
    const auto t = std::chrono::system_clock::now();
    auto a = engaged_record("a", t), b = engaged_record("b", t), c = engaged_record("c", t);
    w.queue(a);
    w.queue(b);
    w.queue(c);
    CHECK(stats.pending_dropped == 1);
    const auto work = w.take();
    REQUIRE(work.size() == 2);
    CHECK(work[0].ptr == b);
    CHECK(work[1].ptr == c);
}
