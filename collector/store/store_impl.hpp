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
    // One writer connection of write_batches (flow_writer.cpp): a group is
    // split over the lanes by batch identity, each lane its own transaction
    // on its own libpq connection (binary COPY, see pg_connection.hpp),
    // opened at its first write and after a failure that lost it. Reused by
    // every call: the lane's batches, their encoded rows, where each batch's
    // rows end, and what goes on the wire.
    struct writer_lane {
        std::unique_ptr<pg_connection> conn;
        std::vector<std::size_t> members;  // indexes into the group, in order
        pg_binary::copy_buffer rows;
        std::vector<std::size_t> row_ends;
        std::size_t header_end{0}, trailer_begin{0};
        std::vector<std::span<const char>> chunks;
        bool open_tx{false};
    };
    std::vector<writer_lane> lanes{1};

    // The open connection; reconnects when it was dropped after a failure.
    pqxx::connection& connection();
    void open();
    // A lane's connection, opened (and its statements prepared) if needed.
    pg_connection& writer_connection(std::size_t lane = 0);
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
