#include "history_retention.hpp"

#include <pqxx/pqxx>

namespace wireflow::collector {

namespace {

double epoch_seconds(std::chrono::system_clock::time_point t) {
    return std::chrono::duration<double>(t.time_since_epoch()).count();
}

// Deletes matching rows chunk by chunk (one short transaction each) until a
// chunk comes back short. `where` is a fixed predicate of this file with $1 the
// cutoff as epoch seconds; $2 is the chunk size. Nothing here is user text.
std::uint64_t prune(db_pool& db, const char* doing, const std::string& table, const std::string& where, double cutoff,
                    std::uint32_t chunk) {
    const std::string sql = "DELETE FROM " + table + " WHERE ctid = ANY(ARRAY(SELECT ctid FROM " + table +
                            " WHERE " + where + " LIMIT $2))";
    std::uint64_t total = 0;
    for (;;) {
        const auto n = db.run(doing, [&](pqxx::connection& c) {
            pqxx::work tx(c);
            const auto r = tx.exec_params(sql, cutoff, static_cast<long long>(chunk));
            tx.commit();
            return static_cast<std::uint64_t>(r.affected_rows());
        });
        total += n;
        if (n < chunk) return total;
    }
}

}  // namespace

history_pruned prune_history(db_pool& db, std::chrono::system_clock::time_point cutoff,
                             std::chrono::system_clock::time_point now, std::uint32_t chunk_rows) {
    const double cut = epoch_seconds(cutoff);
    history_pruned out;
    out.probe_stats = prune(db, "pruning probe_stats", "probe_stats", "ts < to_timestamp($1)", cut, chunk_rows);
    out.ingested_batches =
        prune(db, "pruning ingested_batches", "ingested_batches", "stored_at < to_timestamp($1)", cut, chunk_rows);
    out.alerts = prune(db, "pruning alerts", "alerts", "ended_at IS NOT NULL AND ended_at < to_timestamp($1)", cut,
                       chunk_rows);
    out.timeseries_hourly =
        prune(db, "pruning timeseries_hourly", "timeseries_hourly", "ts < to_timestamp($1)", cut, chunk_rows);
    out.sessions = prune(db, "pruning sessions", "sessions", "expires_at < to_timestamp($1)", epoch_seconds(now),
                         chunk_rows);
    return out;
}

}  // namespace wireflow::collector
