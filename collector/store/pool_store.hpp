#pragma once
// Host pools in PostgreSQL (tables pools, pool_members). The live pools are
// collector/aggregate's host_pools; this is their durable copy, written on
// every edit and read once at start (collector/app/pool_service).
//
// Pool ids are the aggregator's: rows are written with OVERRIDING SYSTEM
// VALUE so the id in the database is the id the REST API and the time series
// (scope 'pool') use.

#include "db_pool.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wireflow::collector {

struct stored_pool_member {
    bool is_mac{false};
    std::string value;                  // canonical "10.0.0.0/24", "10.0.0.7", "aa:bb:cc:dd:ee:ff"
    std::optional<std::uint16_t> vlan;  // nullopt: any VLAN
    friend bool operator==(const stored_pool_member&, const stored_pool_member&) = default;
};

struct stored_pool {
    std::uint32_t id{0};
    std::string name;
    std::vector<stored_pool_member> members;  // in insertion order
    friend bool operator==(const stored_pool&, const stored_pool&) = default;
};

class pool_store {
public:
    explicit pool_store(db_pool& db) : db_(db) {}

    // Every pool by id, members in insertion order. Throws store_error.
    [[nodiscard]] std::vector<stored_pool> load();
    // Creates or replaces one pool (name and the whole member list) in one
    // transaction. Throws store_error (rejected: e.g. a name another pool has).
    void save(const stored_pool& pool);
    // Deletes a pool and its members; true when it existed. Throws store_error.
    bool remove(std::uint32_t id);

private:
    db_pool& db_;
};

}  // namespace wireflow::collector
