#pragma once
// A small thread-safe pool of PostgreSQL connections for everything that is
// not the ingest path: pools, hosts, time series, users, sessions, alerts,
// preferences, blacklist sources. (The ingest path keeps its own single
// connection in `store`, used by the database thread only.)
//
//   auto c = pool.lease();        // blocks while all connections are leased
//   pqxx::work tx(*c);
//   tx.exec_params("... $1 ...", v);
//   tx.commit();                  // the lease goes back when `c` dies
//
// A lease hands out an open connection: one the server dropped is replaced on
// lease. When the server cannot be reached, lease() throws
// store_error(unavailable); so does waiting longer than the lease timeout for a
// free connection (every connection busy means the database is too slow to
// answer now: HTTP maps both to 503). Wrap the work in `run()` to get every
// database failure as store_error with the same classification as `store`
// (unavailable: retry later; rejected: SQLSTATE class 22/23, the data itself).

#include "store.hpp"

#include <pqxx/pqxx>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace wireflow::collector {

// Call inside a catch block: maps the exception being handled (pqxx, std) to
// store_error; store_error and bad_alloc pass through unchanged.
[[noreturn]] void throw_as_store_error(std::string_view doing);

class db_pool {
public:
    class connection_lease {
    public:
        connection_lease(connection_lease&& o) noexcept : pool_(o.pool_), conn_(std::move(o.conn_)) { o.pool_ = nullptr; }
        connection_lease& operator=(connection_lease&&) = delete;
        connection_lease(const connection_lease&) = delete;
        ~connection_lease();
        pqxx::connection& operator*() const noexcept { return *conn_; }
        pqxx::connection* operator->() const noexcept { return conn_.get(); }

    private:
        friend class db_pool;
        connection_lease(db_pool* p, std::unique_ptr<pqxx::connection> c) noexcept : pool_(p), conn_(std::move(c)) {}
        db_pool* pool_;
        std::unique_ptr<pqxx::connection> conn_;
    };

    // `size` connections at most (at least 1), opened lazily. Each session
    // runs with TIME ZONE 'UTC', application_name 'wireflow-collector' and
    // jit off (db_pool.cpp says why),
    // and with `statement_timeout` (0: none) so that no request a viewer can
    // make holds a connection and an HTTP thread longer (issue 13, finding
    // 10): PostgreSQL cancels the statement (SQLSTATE 57014), which becomes
    // store_error(unavailable), a 503.
    explicit db_pool(std::string conninfo, std::size_t size = 4,
                     std::chrono::milliseconds lease_timeout = std::chrono::seconds(5),
                     std::chrono::milliseconds statement_timeout = std::chrono::milliseconds(0));
    db_pool(const db_pool&) = delete;
    db_pool& operator=(const db_pool&) = delete;
    ~db_pool();  // every lease must have been returned

    // Throws store_error(unavailable) when no connection can be opened or
    // none is free within the lease timeout.
    [[nodiscard]] connection_lease lease();

    // Runs f(pqxx::connection&) on a leased connection; any failure becomes
    // store_error (see throw_as_store_error). `doing` names the work in messages.
    template <class F>
    auto run(std::string_view doing, F&& f) -> decltype(f(std::declval<pqxx::connection&>())) {
        try {
            auto c = lease();
            return f(*c);
        } catch (...) {
            throw_as_store_error(doing);
        }
    }

    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] std::size_t open_connections() const;  // idle + leased
    [[nodiscard]] const std::string& conninfo() const noexcept { return conninfo_; }

private:
    void give_back(std::unique_ptr<pqxx::connection> c) noexcept;
    [[nodiscard]] std::unique_ptr<pqxx::connection> open() const;

    std::string conninfo_;
    std::size_t size_;
    std::chrono::milliseconds lease_timeout_;
    std::chrono::milliseconds statement_timeout_;
    mutable std::mutex mutex_;
    std::condition_variable freed_;
    std::vector<std::unique_ptr<pqxx::connection>> idle_;
    std::size_t leased_{0};
    std::size_t opening_{0};
};

}  // namespace wireflow::collector
