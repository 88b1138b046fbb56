#pragma once
// Internal to collector/store: the state behind store's pimpl, shared by the
// .cpp files that each implement one part of store (connection, writer,
// partitions, probe stats, reads).

#include "copy_binary.hpp"
#include "pg_connection.hpp"
#include "store.hpp"

#include <pqxx/pqxx>

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wireflow::collector {

struct store::impl {
    std::string conninfo;
    std::unique_ptr<pqxx::connection> conn;
    // write_batches' own libpq connection (binary COPY, see pg_connection.hpp),
    // opened at the first write and after a failure that lost it.
    std::unique_ptr<pg_connection> writer;
    // Reused by every write_batches call (flow_writer.cpp): the encoded rows
    // of the group, where each batch's rows end, and what goes on the wire.
    pg_binary::copy_buffer rows;
    std::vector<std::size_t> row_ends;
    std::vector<std::span<const char>> chunks;

    // The open connection; reconnects when it was dropped after a failure.
    pqxx::connection& connection();
    void open();
    // The writer connection, opened (and its statements prepared) if needed.
    pg_connection& writer_connection();
};

// Call inside a catch block: maps the exception being handled to store_error
// (see store.hpp) and forgets a connection that is no longer usable.
[[noreturn]] void rethrow_as_store_error(store::impl& s, std::string_view doing);

// Runs f, mapping any database failure to store_error.
template <class F>
auto guarded(store::impl& s, std::string_view doing, F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (...) {
        rethrow_as_store_error(s, doing);
    }
}

}  // namespace wireflow::collector
