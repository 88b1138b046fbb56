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

#include "db_pool.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wireflow::collector {

enum class flow_sort : std::uint8_t { first_seen, last_seen, bytes, packets };

struct flow_filter {
    std::optional<std::chrono::system_clock::time_point> from, to;  // both or neither: historical
    std::chrono::seconds live_window{300};
    std::string host;                      // an address (validated by the caller): client or server side
    std::optional<std::uint16_t> vlan;
    std::string app;                       // app_name, case-insensitive exact match
    std::optional<std::uint16_t> port;     // client or server port
    std::optional<std::uint8_t> protocol;  // IP protocol number
    std::optional<bool> blacklisted;       // either side listed / neither
    flow_sort sort{flow_sort::last_seen};
    bool descending{true};
    std::size_t limit{50};
    std::size_t offset{0};
};

struct flow_item {
    std::string probe_id;
    std::uint64_t flow_id{0};
    std::uint64_t first_seen_ns{0}, last_seen_ns{0};
    std::uint16_t vlan{0};
    std::uint8_t protocol{0};
    std::string client_ip, server_ip;
    std::uint16_t client_port{0}, server_port{0};
    std::uint64_t c2s_packets{0}, c2s_bytes{0}, s2c_packets{0}, s2c_bytes{0};
    std::string app_name, app_category, server_name;
    std::uint64_t flow_risk{0};
    std::string client_blacklist, server_blacklist;
    std::uint8_t end_reason{0};
};

struct flow_page {
    std::uint64_t total{0};  // matching records, counted up to count_cap
    std::vector<flow_item> items;
};

struct peer_total {
    std::string ip;
    std::uint64_t bytes{0};
    std::uint64_t flows{0};
};

struct app_total {
    std::string app;
    std::uint64_t bytes{0}, packets{0}, flows{0};
};

class flow_query {
public:
    static constexpr std::uint64_t count_cap = 100'000;  // counting further costs more than it tells

    explicit flow_query(db_pool& db) : db_(db) {}

    [[nodiscard]] flow_page find(const flow_filter& f);
    // The host's peers by bytes over its stored flows since `since`, at most `limit`.
    [[nodiscard]] std::vector<peer_total> top_peers(const std::string& ip, std::uint16_t vlan,
                                                    std::chrono::system_clock::time_point since, std::size_t limit);

    // Applications by bytes over the records received in the last `window`
    // (like live flows), at most `limit`; `total` gets the number of applications.
    [[nodiscard]] std::vector<app_total> top_apps(std::chrono::seconds window, std::size_t limit, std::uint64_t& total);

private:
    db_pool& db_;
};

}  // namespace wireflow::collector
