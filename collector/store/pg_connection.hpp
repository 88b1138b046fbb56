#pragma once
// One libpq connection, owned (RAII), for what libpqxx 6.4 cannot do: its
// stream_to speaks only text COPY, and it does not hand out its PGconn. The
// store's write path (flow_writer.cpp) uses it for binary COPY; everything
// else stays on libpqxx.
//
// Every failure throws store_error (model/store_error.hpp): SQLSTATE class 22
// (data exception) and 23 (integrity) are `rejected`, everything else
// `unavailable`. After an error, broken() tells whether the connection is
// gone (the owner then drops it and opens a new one on the next write).
// Internal to collector/store; one thread at a time.

#include "model/store_error.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

struct pg_conn;
struct pg_result;

namespace wireflow::collector {

class pg_connection {
public:
    // Connects and sets the session up as the libpqxx connections are (UTC,
    // warnings only, the collector's application name) plus client_encoding
    // UTF8: the server then verifies that every text field is valid UTF-8.
    explicit pg_connection(const std::string& conninfo);
    ~pg_connection();
    pg_connection(const pg_connection&) = delete;
    pg_connection& operator=(const pg_connection&) = delete;

    // A statement without parameters and without rows (BEGIN, COMMIT, SET...).
    void exec(const char* sql);
    // Prepares `sql` under `name` (text parameters; their types are in the SQL).
    void prepare(const char* name, const char* sql);
    // Runs a prepared statement with text parameters; returns the number of
    // rows it affected (PQcmdTuples).
    long exec_prepared(const char* name, std::span<const char* const> values);
    // COPY ... FROM STDIN with `sql`, then the chunks as they are, then the end.
    void copy_in(const char* sql, std::span<const std::span<const char>> chunks);
    // Best effort after a failure inside a transaction: ROLLBACK, never throws.
    void rollback() noexcept;

    [[nodiscard]] bool broken() const noexcept;
    [[nodiscard]] int backend_pid() const noexcept;

private:
    // Throws the store_error for `res` (may be null: the connection's error).
    [[noreturn]] void fail(const pg_result* res, std::string_view doing) const;
    void check_command(pg_result* res, std::string_view doing) const;

    pg_conn* conn_{nullptr};
};

}  // namespace wireflow::collector
