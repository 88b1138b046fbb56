#pragma once
// Alerts as stored and listed (plain data; collector/store/alert_store
// reads and writes them, the alert engine raises them, the REST API shows them).

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

}  // namespace wireflow::collector
