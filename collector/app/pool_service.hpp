#pragma once
// Host pool edits for the REST API: the live pools (aggregator) and their
// durable copy (PostgreSQL, pool_store) kept equal.
//
// Order of an edit: the aggregator applies it first, because it owns the
// validation (its messages are the 400 answers: bad name, duplicate name,
// bad member, member already in another pool); then the edited pool is
// written to PostgreSQL. If that write fails, the aggregator is restored to
// the snapshot taken before the edit and the store_error propagates (503),
// so memory never holds a pool PostgreSQL does not. Edits are serialised by
// this service's mutex, which makes the snapshot exact.
//
// Until the pools were loaded from PostgreSQL (restore(): at start, or later
// by the maintenance thread when the database was down at start) every edit
// throws store_error(unavailable): an edit made before the restore would be
// overwritten by it.

#include "aggregate/aggregator.hpp"
#include "store/pool_store.hpp"

#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wireflow::collector::app {

// One "unassigned device": a local host (or MAC) in no pool.
struct unassigned_device {
    std::string mac;  // empty when the host has no known MAC
    std::string ip;   // empty for a MAC-only entry
    std::uint16_t vlan{0};
    std::string name;  // the host's name (DNS answers, TLS SNI, HTTP Host), empty when none
};

class pool_service {
public:
    pool_service(aggregate::aggregator& live, pool_store& db) : live_(live), db_(db) {}

    // Loads the pools from PostgreSQL into the aggregator. Throws store_error
    // (database down) or std::runtime_error (stored pools that do not
    // validate, e.g. edited by hand: the message names the problem).
    void restore();
    [[nodiscard]] bool restored() const;

    // Each returns the aggregator's pool_result: !ok() is a validation error
    // for a 400 (nothing changed); a database failure throws store_error.
    aggregate::pool_result create(std::string_view name);
    aggregate::pool_result rename(aggregate::pool_id id, std::string_view name);
    aggregate::pool_result remove(aggregate::pool_id id);
    aggregate::pool_result add_member(aggregate::pool_id id, std::string_view member);
    aggregate::pool_result remove_member(aggregate::pool_id id, std::string_view member);

    // Pools with live counters (first entry: id 0, the unassigned hosts).
    [[nodiscard]] std::vector<aggregate::pool_info> list() const { return live_.pools(); }
    // Local hosts in no pool (by address, with their MAC when known), at most `limit`.
    [[nodiscard]] std::vector<unassigned_device> unassigned(std::size_t limit = 1000) const;

private:
    template <class Edit>
    aggregate::pool_result edit(aggregate::pool_id id, Edit&& e);

    aggregate::aggregator& live_;
    pool_store& db_;
    mutable std::mutex mutex_;
    bool restored_{false};
};

// Conversions between the aggregator's snapshot and the store's rows.
[[nodiscard]] stored_pool to_stored(const aggregate::pool_snapshot& p);
[[nodiscard]] aggregate::pool_snapshot to_snapshot(const stored_pool& p);

}  // namespace wireflow::collector::app
