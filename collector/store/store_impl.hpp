#pragma once
// Internal to collector/store: the state behind store's pimpl, shared by the
// .cpp files that each implement one part of store (connection, writer,
// partitions, probe stats, reads).

#include "store.hpp"

#include <pqxx/pqxx>

#include <memory>
#include <string>
#include <string_view>

namespace wireflow::collector {

struct store::impl {
    std::string conninfo;
    std::unique_ptr<pqxx::connection> conn;
    bool prepared = false;   // prepared statements of this connection
    bool staging = false;    // TEMP staging tables of this connection

    // The open connection; reconnects when it was dropped after a failure.
    pqxx::connection& connection();
    void open();
    void prepare_statements();
    void create_staging(pqxx::transaction_base& tx);
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
