#pragma once
// Alerts in PostgreSQL (table alerts): engaged while ended_at IS NULL, then
// past. Written by the alert engine from the maintenance thread, read by the
// REST API. Types and severities are plain text here (the store knows no
// alert logic); the engine passes the names of collector/alert.

#include "db_pool.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wireflow::collector {

struct stored_alert {
    std::int64_t id{0};
    std::string type;          // e.g. "syn_scan_attacker"
    std::string severity;      // "info" .. "critical"
    std::string entity_type;   // "host", "flow", "pool", "probe", "blacklist"
    std::string entity_id;     // "10.0.0.1@0", "10.0.0.1 -> 192.0.2.7", probe id, list name
    std::chrono::system_clock::time_point started_at{};
    std::optional<std::chrono::system_clock::time_point> ended_at;   // nullopt: engaged
    bool acknowledged{false};
    std::string acknowledged_by;
    std::optional<std::chrono::system_clock::time_point> acknowledged_at;
    std::string message;       // bounded, valid UTF-8 (the engine guarantees it)
    std::string details;       // a JSON object as text
};

struct alert_query {
    std::optional<bool> engaged;          // true: ended_at IS NULL; false: past; nullopt: both
    std::string type;                     // empty: any
    std::string severity;                 // minimum severity; empty: any
    std::string entity_type, entity_id;   // empty: any
    std::optional<bool> acknowledged;
    std::optional<std::chrono::system_clock::time_point> from, to;   // started_at in [from, to)
    std::size_t limit{100};               // at most 1000
    std::size_t offset{0};
};

struct alert_page {
    std::uint64_t total{0};               // matching rows, before limit/offset
    std::vector<stored_alert> items;      // newest first
};

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
