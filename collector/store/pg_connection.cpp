#include "pg_connection.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

namespace wireflow::collector {
namespace {

struct result_deleter {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using result_ptr = std::unique_ptr<PGresult, result_deleter>;

// libpq's messages end with a newline and may span lines: one line for logs.
std::string one_line(std::string_view doing, std::string_view message) {
    std::string out = "store: " + std::string(doing) + ": ";
    for (const char ch : message) out += ch == '\n' || ch == '\r' ? ' ' : ch;
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

// Bounds a COPY message: libpq copies each PQputCopyData call into its output
// buffer whole, so a group of 10 MB would otherwise grow that buffer to 10 MB.
constexpr std::size_t copy_chunk_bytes = 256 * 1024;

}  // namespace

pg_connection::pg_connection(const std::string& conninfo) {
    conn_ = PQconnectdb(conninfo.c_str());
    if (!conn_) throw store_error(store_error::kind::unavailable, "store: connect: out of memory");
    if (PQstatus(conn_) != CONNECTION_OK) {
        const std::string why = one_line("connect", PQerrorMessage(conn_));
        PQfinish(conn_);
        conn_ = nullptr;
        throw store_error(store_error::kind::unavailable, why);
    }
    try {
        // CREATE ... IF NOT EXISTS notices would go to stderr otherwise.
        exec("SET client_min_messages = warning");
        exec("SET application_name = 'wireflow-collector'");
        exec("SET TIME ZONE 'UTC'");
        exec("SET client_encoding = 'UTF8'");
    } catch (...) {
        PQfinish(conn_);
        conn_ = nullptr;
        throw;
    }
}

pg_connection::~pg_connection() {
    if (conn_) PQfinish(conn_);
}

bool pg_connection::broken() const noexcept { return !conn_ || PQstatus(conn_) != CONNECTION_OK; }

int pg_connection::backend_pid() const noexcept { return conn_ ? PQbackendPID(conn_) : 0; }

void pg_connection::fail(const pg_result* res, std::string_view doing) const {
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    const std::string_view sqlstate = state ? state : "";
    // PostgreSQL manual, appendix A: class 22 data exception, class 23
    // integrity constraint violation: the data is refused, retrying fails
    // again. A lost connection has no SQLSTATE from the server.
    const bool refused = !broken() && (sqlstate.starts_with("22") || sqlstate.starts_with("23"));
    const char* message = res ? PQresultErrorMessage(res) : nullptr;
    if (!message || !*message) message = conn_ ? PQerrorMessage(conn_) : "not connected";
    std::string text = sqlstate.empty() ? std::string(message) : std::string(sqlstate) + " " + message;
    throw store_error(refused ? store_error::kind::rejected : store_error::kind::unavailable, one_line(doing, text));
}

void pg_connection::check_command(pg_result* res, std::string_view doing) const {
    const result_ptr r{res};
    if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK) fail(r.get(), doing);
}

void pg_connection::exec(const char* sql) { check_command(PQexec(conn_, sql), sql); }

void pg_connection::prepare(const char* name, const char* sql) {
    check_command(PQprepare(conn_, name, sql, 0, nullptr), "prepare");
}

long pg_connection::exec_prepared(const char* name, std::span<const char* const> values) {
    const result_ptr r{PQexecPrepared(conn_, name, static_cast<int>(values.size()), values.data(), nullptr, nullptr, 0)};
    if (!r || (PQresultStatus(r.get()) != PGRES_COMMAND_OK && PQresultStatus(r.get()) != PGRES_TUPLES_OK))
        fail(r.get(), name);
    const char* n = PQcmdTuples(r.get());
    return n && *n ? std::strtol(n, nullptr, 10) : 0;
}

void pg_connection::copy_in(const char* sql, std::span<const std::span<const char>> chunks) {
    {
        const result_ptr r{PQexec(conn_, sql)};
        if (!r || PQresultStatus(r.get()) != PGRES_COPY_IN) fail(r.get(), "copy");
    }
    bool sent = true;
    for (const auto chunk : chunks) {
        for (std::size_t at = 0; sent && at < chunk.size(); at += copy_chunk_bytes) {
            const auto n = std::min(copy_chunk_bytes, chunk.size() - at);
            sent = PQputCopyData(conn_, chunk.data() + at, static_cast<int>(n)) == 1;
        }
    }
    // On a send failure, end the COPY with an error so the server aborts it;
    // the result below then carries the reason.
    if (PQputCopyEnd(conn_, sent ? nullptr : "wireflow: sending the COPY data failed") != 1) fail(nullptr, "copy end");
    // Every result must be read before the connection takes a new command;
    // the first one that is not COMMAND_OK is the error.
    result_ptr first;
    while (PGresult* res = PQgetResult(conn_)) {
        if (!first) first.reset(res);
        else PQclear(res);
    }
    if (!first || PQresultStatus(first.get()) != PGRES_COMMAND_OK) fail(first.get(), "copy");
    if (!sent) fail(nullptr, "copy data");
}

void pg_connection::rollback() noexcept {
    if (broken()) return;
    // Leaves a COPY that is still open, then the transaction.
    if (PQtransactionStatus(conn_) == PQTRANS_ACTIVE) {
        PQputCopyEnd(conn_, "wireflow: abandoned");
        while (PGresult* res = PQgetResult(conn_)) PQclear(res);
    }
    if (PQtransactionStatus(conn_) != PQTRANS_IDLE) PQclear(PQexec(conn_, "ROLLBACK"));
}

}  // namespace wireflow::collector
