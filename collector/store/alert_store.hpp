#pragma once
// Alerts in PostgreSQL (table alerts): engaged while ended_at IS NULL, then
// past. Written by the alert engine from the maintenance thread, read by the
// REST API. Types and severities are plain text here (the store knows no
// alert logic); the engine passes the names of collector/alert.

#include "model/alert_rows.hpp"
#include "db_pool.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wireflow::collector {

class alert_store {
public:
    explicit alert_store(db_pool& db) : db_(db) {}

    // Inserts the alert (id ignored) and returns its id. Throws store_error.
    std::int64_t insert(const stored_alert& a);
    // Sets ended_at of an engaged alert; false if unknown or already ended.
    bool release(std::int64_t id, std::chrono::system_clock::time_point ended_at);
    // Updates severity, message and details of an engaged alert (a held alert
    // that grew worse).
    bool update(std::int64_t id, const std::string& severity, const std::string& message, const std::string& details);
    // False when no such alert.
    bool acknowledge(std::int64_t id, const std::string& user);

    [[nodiscard]] alert_page list(const alert_query& q);
    [[nodiscard]] std::optional<stored_alert> find(std::int64_t id);
    // Every engaged alert (restored at start).
    [[nodiscard]] std::vector<stored_alert> engaged();
    // MACs known to the collector: hosts.mac and past new_device alerts (so a
    // restart does not announce every device again).
    [[nodiscard]] std::vector<std::string> known_macs();

private:
    db_pool& db_;
};

}  // namespace wireflow::collector
