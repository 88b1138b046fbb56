#pragma once
// Blacklist sources and their state (table blacklist_sources): what the
// manager loaded, when, how many entries and hits, the last error; and the
// enabled switch a user set through the REST API (kept across restarts).

#include "db_pool.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wireflow::collector {

struct stored_blacklist_source {
    std::string name;
    std::string url;        // file path or http(s) URL
    std::string format;     // "auto", "plain", "drop", "dshield", "csv:COLUMN"
    std::string category;
    bool enabled{false};
    std::int64_t refresh_interval_s{86400};
    std::optional<std::chrono::system_clock::time_point> last_fetch_at, last_success_at;
    std::string last_error;
    std::int64_t entries{0};
    std::int64_t hits{0};
};

class blacklist_source_store {
public:
    explicit blacklist_source_store(db_pool& db) : db_(db) {}

    // Inserts or updates by name. Throws store_error.
    void upsert(const stored_blacklist_source& s);
    [[nodiscard]] std::vector<stored_blacklist_source> all();

private:
    db_pool& db_;
};

}  // namespace wireflow::collector
