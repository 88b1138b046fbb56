#pragma once
// What a check concluded: an alert to engage (windowed and status checks) or
// to raise once (flow checks). The checks produce findings from counts and
// records; the ledger turns them into alerts. Message and entity are bounded,
// valid UTF-8 (the checks build them with net::sanitize_utf8).

#include <optional>
#include <string>

#include <boost/json.hpp>

#include "alert/alert_types.hpp"

namespace wireflow::collector::alert {

struct finding {
    check from{};
    std::string type;          // stable alert type name, e.g. "syn_scan_attacker"
    std::string entity_type;   // "host", "flow", "pool", "probe", "blacklist", "device", ...
    std::string entity_id;
    std::string message;
    boost::json::object details;
    std::optional<severity> level{};   // set when not the check's own (each nDPI risk has its own)
};

// Key of an alert in the ledger and quiet table: type|entity_type|entity_id.
[[nodiscard]] inline std::string alert_key(std::string_view type, std::string_view entity_type,
                                           std::string_view entity_id) {
    std::string k(type);
    k += '|';
    k += entity_type;
    k += '|';
    k += entity_id;
    return k;
}

}  // namespace wireflow::collector::alert
