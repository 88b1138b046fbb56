#include "store/db_pool.hpp"

#include "store/test_database.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

using namespace wireflow::collector;
using wireflow::collector::testing::test_database;

// libpqxx 6.4 leaks the PGresult of a query that finds its connection
// terminated by the server (the "killed connection" case below): a library
// leak of ~2 KiB per server restart, not ours.
extern "C" __attribute__((used)) const char* __lsan_default_suppressions() { return "leak:libpqxx-6.4.so\n"; }

namespace {
int backend_pid(db_pool& p) {
    auto c = p.lease();
    return c->backendpid();
}

// What a session of the pool reports for `SHOW <setting>` (a constant of the test's).
std::string session_setting(db_pool& p, const std::string& setting) {
    return p.run("read setting", [&](pqxx::connection& c) {
        pqxx::nontransaction tx{c};
        return tx.exec1("SHOW " + setting)[0].as<std::string>();
    });
}
}  // namespace

TEST_CASE("a returned lease is reused instead of opening another connection", "[db_pool]") {
    test_database db(false);
    db_pool pool(db.dsn(), 3);
    const int first = backend_pid(pool);
    CHECK(backend_pid(pool) == first);
    CHECK(pool.open_connections() == 1);
}

TEST_CASE("sessions of the pool run in UTC", "[db_pool]") {
    test_database db(false);
    db_pool pool(db.dsn(), 1);
    CHECK(session_setting(pool, "TIME ZONE") == "UTC");
}

TEST_CASE("sessions of the pool run without JIT compilation", "[db_pool]") {
    test_database db(false);
    db_pool pool(db.dsn(), 1);
    CHECK(session_setting(pool, "jit") == "off");  // the server's default is on
}

TEST_CASE("a connection killed by the server is replaced on the next lease", "[db_pool]") {
    test_database db(false);
    db_pool pool(db.dsn(), 1);
    const int before = backend_pid(pool);
    db.kill_sessions();
    // The first use after the kill fails (pqxx learns the connection is broken)...
    CHECK_THROWS_AS(pool.run("select", [](pqxx::connection& c) {
                        pqxx::work tx{c};
                        return tx.exec1("SELECT 1")[0].as<int>();
                    }),
                    store_error);
    // ...and the pool hands out a fresh one afterwards.
    const int after = backend_pid(pool);
    CHECK(after != before);
    CHECK(pool.run("select", [](pqxx::connection& c) {
              pqxx::work tx{c};
              return tx.exec1("SELECT 41 + 1")[0].as<int>();
          }) == 42);
}

TEST_CASE("an unreachable server gives store_error unavailable", "[db_pool]") {
    db_pool pool("host=127.0.0.1 port=1 connect_timeout=2", 2);
    try {
        auto c = pool.lease();
        FAIL("lease succeeded");
    } catch (const store_error& e) {
        CHECK(e.which() == store_error::kind::unavailable);
    }
    CHECK(pool.open_connections() == 0);
}

TEST_CASE("a data error maps to store_error rejected", "[db_pool]") {
    test_database db(false);
    db_pool pool(db.dsn(), 1);
    try {
        pool.run("cast", [](pqxx::connection& c) {
            pqxx::work tx{c};
            return tx.exec1("SELECT 'x'::int")[0].as<int>();
        });
        FAIL("no error");
    } catch (const store_error& e) {
        CHECK(e.which() == store_error::kind::rejected);
    }
}

TEST_CASE("never more connections than the size, a full pool times out as unavailable", "[db_pool]") {
    test_database db(false);
    db_pool pool(db.dsn(), 2, std::chrono::milliseconds(200));
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 20; ++i) {
                auto c = pool.lease();
                pqxx::work tx{*c};
                tx.exec1("SELECT 1");
                tx.commit();
                ++ok;
            }
        });
    for (auto& t : threads) t.join();
    CHECK(ok == 120);
    CHECK(pool.open_connections() <= 2);

    auto a = pool.lease();
    auto b = pool.lease();
    CHECK_THROWS_AS(pool.lease(), store_error);
}

TEST_CASE("a statement longer than the pool's statement_timeout is cancelled as unavailable", "[db_pool]") {
    // Issue 13, finding 10: a viewer's 10-year scan must not hold a
    // connection and an HTTP thread; PostgreSQL cancels it (57014) -> 503.
    test_database db(false);
    db_pool pool(db.dsn(), 1, std::chrono::seconds(5), std::chrono::milliseconds(200));
    try {
        pool.run("slow", [](pqxx::connection& c) {
            pqxx::work tx{c};
            tx.exec("SELECT pg_sleep(30)");
        });
        FAIL("the statement was not cancelled");
    } catch (const store_error& e) {
        CHECK(e.retryable());
        CHECK(std::string(e.what()).find("57014") != std::string::npos);
    }
    // The connection serves the next request.
    const auto v = pool.run("fast", [](pqxx::connection& c) {
        pqxx::work tx{c};
        return tx.exec1("SHOW statement_timeout")[0].as<std::string>();
    });
    CHECK(v == "200ms");
}
