#pragma once
// Reading flows back for the REST API (GET /api/v1/flows, host details):
// filtered, ordered, paged. Two time modes:
//   historical  first_seen in [from, to): the partition key, so only the
//               partitions of the range are scanned;
//   live        records received in the last `live_window` (ingested_at),
//               whatever their capture time: a replayed capture is "live"
//               while it is being received. This scans every partition's
//               recent rows, fine for the dashboard's small pages.
// The ORDER BY is chosen from a fixed list (flow_sort), never from text.
//
// Thread-safe (db_pool). Throws store_error.

#include "model/flow_view.hpp"
#include "db_pool.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wireflow::collector {

class flow_query {
public:
    static constexpr std::uint64_t count_cap = 100'000;  // counting further costs more than it tells

    // A host's flows are read in one pass (counted and paged by one
    // statement) when at most `one_pass_rows` match; more, and they are
    // read again, narrow, counted and sorted by one statement and the page
    // read back by address (flow_query.cpp).
    static constexpr std::uint64_t one_pass_rows = 10'000;

    explicit flow_query(db_pool& db, std::uint64_t host_one_pass_rows = one_pass_rows)
        : db_(db), one_pass_rows_(host_one_pass_rows < count_cap ? host_one_pass_rows : count_cap) {}

    [[nodiscard]] flow_page find(const flow_filter& f);
    // The host's peers by bytes over its stored flows since `since`, at most `limit`.
    [[nodiscard]] std::vector<peer_total> top_peers(const std::string& ip, std::uint16_t vlan,
                                                    std::chrono::system_clock::time_point since, std::size_t limit);

    // A host's page: its peers by bytes over its flows since `since` (at
    // most `peers`) and its `flows` latest flows (by first_seen) in [since,
    // to), read in one pass when at most one_pass_rows flows match, else as
    // top_peers() and find() do.
    [[nodiscard]] host_activity activity(const std::string& ip, std::uint16_t vlan,
                                         std::chrono::system_clock::time_point since,
                                         std::chrono::system_clock::time_point to, std::size_t peers,
                                         std::size_t flows);

    // Applications by bytes over the records received in the last `window`
    // (like live flows), at most `limit`; `total` gets the number of applications.
    [[nodiscard]] std::vector<app_total> top_apps(std::chrono::seconds window, std::size_t limit, std::uint64_t& total);

private:
    db_pool& db_;
    std::uint64_t one_pass_rows_;
};

}  // namespace wireflow::collector
