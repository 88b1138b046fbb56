#include "preference_store.hpp"

#include <pqxx/pqxx>

namespace wireflow::collector {

std::optional<boost::json::value> preference_store::get(const std::string& key) {
    return db_.run("read preference", [&](pqxx::connection& c) -> std::optional<boost::json::value> {
        pqxx::read_transaction tx{c};
        const auto rows = tx.exec_params("SELECT value::text FROM preferences WHERE key = $1", key);
        if (rows.empty()) return std::nullopt;
        return boost::json::parse(rows[0][0].as<std::string>());
    });
}

void preference_store::put(const std::string& key, const boost::json::value& value) {
    db_.run("write preference", [&](pqxx::connection& c) {
        pqxx::work tx{c};
        tx.exec_params(
            "INSERT INTO preferences (key, value, updated_at) VALUES ($1, $2::jsonb, now()) "
            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()",
            key, boost::json::serialize(value));
        tx.commit();
    });
}

}  // namespace wireflow::collector
