#include "db_pool.hpp"

#include <algorithm>
#include <new>
#include <utility>

namespace wireflow::collector {
namespace {

std::string one_line(std::string_view doing, std::string_view what) {
    std::string msg = "db: ";
    msg += doing;
    msg += ": ";
    msg += what;
    std::replace(msg.begin(), msg.end(), '\n', ' ');
    while (!msg.empty() && msg.back() == ' ') msg.pop_back();
    return msg;
}

}  // namespace

void throw_as_store_error(std::string_view doing) {
    using kind = store_error::kind;
    try {
        throw;
    } catch (const store_error&) {
        throw;
    } catch (const std::bad_alloc&) {
        throw;
    } catch (const pqxx::broken_connection& e) {
        throw store_error(kind::unavailable, one_line(doing, e.what()));
    } catch (const pqxx::in_doubt_error& e) {
        throw store_error(kind::unavailable, one_line(doing, e.what()));
    } catch (const pqxx::sql_error& e) {
        // PostgreSQL manual, appendix A: class 22 data exception, class 23
        // integrity constraint violation: the data is refused, retrying fails again.
        const std::string& state = e.sqlstate();
        const bool refused = state.starts_with("22") || state.starts_with("23");
        throw store_error(refused ? kind::rejected : kind::unavailable,
                          one_line(doing, state.empty() ? std::string(e.what()) : state + " " + e.what()));
    } catch (const std::exception& e) {
        throw store_error(kind::unavailable, one_line(doing, e.what()));
    }
}

db_pool::connection_lease::~connection_lease() {
    if (pool_) pool_->give_back(std::move(conn_));
}

db_pool::db_pool(std::string conninfo, std::size_t size, std::chrono::milliseconds lease_timeout,
                 std::chrono::milliseconds statement_timeout)
    : conninfo_(std::move(conninfo)),
      size_(std::max<std::size_t>(1, size)),
      lease_timeout_(lease_timeout),
      statement_timeout_(statement_timeout) {}

db_pool::~db_pool() = default;

std::unique_ptr<pqxx::connection> db_pool::open() const {
    try {
        auto c = std::make_unique<pqxx::connection>(conninfo_);
        pqxx::nontransaction tx{*c};
        tx.exec0("SET client_min_messages = warning");
        tx.exec0("SET application_name = 'wireflow-collector'");
        tx.exec0("SET TIME ZONE 'UTC'");
        // No JIT for what the pool runs (the REST API, the dashboard, the
        // collector's bookkeeping): PostgreSQL compiles a plan's expressions
        // once per partition it touches, and on a week of day partitions the
        // host page's top-peers query spent 6.3-6.5 s in JIT (343 functions)
        // and took 6.3-6.6 s; 2.8 s without. query_bench on 50M rows:
        // docs/benchmarks.md, "JIT and the dashboard".
        tx.exec0("SET jit = off");
        // An integer: no text of ours is ever spliced into SQL.
        tx.exec0("SET statement_timeout = " + std::to_string(statement_timeout_.count()));
        tx.commit();
        return c;
    } catch (...) {
        throw_as_store_error("connect");
    }
}

db_pool::connection_lease db_pool::lease() {
    std::unique_ptr<pqxx::connection> c;
    {
        std::unique_lock lock(mutex_);
        const bool got = freed_.wait_for(lock, lease_timeout_, [&] {
            return !idle_.empty() || leased_ + opening_ + idle_.size() < size_;
        });
        if (!got)
            throw store_error(store_error::kind::unavailable,
                              "db: all " + std::to_string(size_) + " connections busy");
        if (!idle_.empty()) {
            c = std::move(idle_.back());
            idle_.pop_back();
        }
        ++opening_;  // counts the connection being checked or opened
    }
    struct settle {
        db_pool& p;
        bool leased = false;
        ~settle() {
            std::lock_guard lock(p.mutex_);
            --p.opening_;
            if (leased) ++p.leased_;
            else p.freed_.notify_one();
        }
    } guard{*this};
    // pqxx knows a connection is broken only after a failed use; is_open()
    // catches the ones a previous lease saw fail (server restart, kill).
    if (!c || !c->is_open()) c = open();
    guard.leased = true;
    return connection_lease{this, std::move(c)};
}

void db_pool::give_back(std::unique_ptr<pqxx::connection> c) noexcept {
    std::lock_guard lock(mutex_);
    --leased_;
    // A connection left inside a failed transaction or broken is dropped.
    if (c && c->is_open()) idle_.push_back(std::move(c));
    freed_.notify_one();
}

std::size_t db_pool::open_connections() const {
    std::lock_guard lock(mutex_);
    return idle_.size() + leased_;
}

}  // namespace wireflow::collector
