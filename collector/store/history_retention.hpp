#pragma once
// Retention for the tables that are not partitioned: flows are dropped a
// whole daily partition at a time (store::drop_partitions_before); these are
// pruned row by row, in bounded chunks so no statement holds locks for long
// and autovacuum keeps up.

#include <chrono>
#include <cstdint>

#include "db_pool.hpp"

namespace wireflow::collector {

struct history_pruned {
    std::uint64_t probe_stats{0};        // probe statistics older than the cutoff
    std::uint64_t ingested_batches{0};   // batch identities older than the cutoff (no probe re-sends that late)
    std::uint64_t alerts{0};             // released alerts that ended before the cutoff (engaged ones stay)
    std::uint64_t timeseries_hourly{0};  // hourly roll-ups older than the cutoff
    std::uint64_t sessions{0};           // browser sessions past their expiry (any age)
    [[nodiscard]] std::uint64_t total() const noexcept {
        return probe_stats + ingested_batches + alerts + timeseries_hourly + sessions;
    }
};

// Deletes history older than `cutoff` (and expired sessions as of `now`).
// Throws store_error like every db_pool user.
history_pruned prune_history(db_pool& db, std::chrono::system_clock::time_point cutoff,
                             std::chrono::system_clock::time_point now, std::uint32_t chunk_rows = 10'000);

}  // namespace wireflow::collector
