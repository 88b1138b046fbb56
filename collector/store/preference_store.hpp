#pragma once
// User preferences (table preferences): one JSON document per key, e.g.
// "alerts" (collector/alert) and "blacklists" (enabled built-in lists).

#include "db_pool.hpp"

#include <boost/json.hpp>

#include <optional>
#include <string>

namespace wireflow::collector {

class preference_store {
public:
    explicit preference_store(db_pool& db) : db_(db) {}

    // nullopt when the key was never written. Throws store_error.
    [[nodiscard]] std::optional<boost::json::value> get(const std::string& key);
    void put(const std::string& key, const boost::json::value& value);

private:
    db_pool& db_;
};

}  // namespace wireflow::collector
