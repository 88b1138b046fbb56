#include "alert/threshold_override.hpp"

#include "alert/alert_types.hpp"

namespace wireflow::collector::alert {
namespace {

void apply(check_settings& s, const threshold_override& o) {
    if (o.enabled) s.enabled = *o.enabled;
    if (o.threshold) s.threshold = *o.threshold;
}

std::optional<std::vector<threshold_override>> fail(std::string& error, std::string text) {
    error = std::move(text);
    return std::nullopt;
}

}  // namespace

check_settings effective_settings(const check_settings& global, check c,
                                  const std::vector<threshold_override>& overrides, const override_subject& who) {
    const threshold_override* host = nullptr;
    const threshold_override* pool = nullptr;
    const threshold_override* network = nullptr;
    for (const auto& o : overrides) {
        if (o.applies_to != c) continue;
        switch (o.scope) {
        case override_scope::host:
            if (who.ip && o.host == *who.ip) host = &o;
            break;
        case override_scope::pool:
            if (!who.pool.empty() && o.pool == who.pool) pool = &o;
            break;
        case override_scope::network:
            if (who.ip && o.network.contains(*who.ip) && (!network || o.network.length > network->network.length))
                network = &o;
            break;
        }
    }
    // Least specific first, so the most specific has the last word.
    check_settings s = global;
    if (network) apply(s, *network);
    if (pool) apply(s, *pool);
    if (host) apply(s, *host);
    return s;
}

bool any_pool_override(const std::vector<threshold_override>& overrides) noexcept {
    for (const auto& o : overrides)
        if (o.scope == override_scope::pool) return true;
    return false;
}

boost::json::array to_json(const std::vector<threshold_override>& overrides) {
    boost::json::array out;
    for (const auto& o : overrides) {
        boost::json::object j{{"check", to_string(o.applies_to)}};
        switch (o.scope) {
        case override_scope::host: j["host"] = o.host.to_string(); break;
        case override_scope::pool: j["pool"] = o.pool; break;
        case override_scope::network: j["network"] = o.network.to_string(); break;
        }
        if (o.enabled) j["enabled"] = *o.enabled;
        if (o.threshold) j["threshold"] = *o.threshold;
        out.push_back(std::move(j));
    }
    return out;
}

std::optional<std::vector<threshold_override>> parse_overrides(const boost::json::value& v, std::string& error) {
    if (!v.is_array()) return fail(error, "overrides: expected an array");
    const auto& arr = v.get_array();
    if (arr.size() > max_overrides) return fail(error, "overrides: at most 1000");
    std::vector<threshold_override> out;
    out.reserve(arr.size());
    for (const auto& item : arr) {
        if (!item.is_object()) return fail(error, "overrides: expected objects");
        threshold_override o;
        bool have_check = false;
        int scopes = 0;
        for (const auto& [key, value] : item.get_object()) {
            if (key == "check") {
                const auto c = value.is_string() ? parse_check(value.get_string()) : std::nullopt;
                if (!c) return fail(error, "overrides: unknown check");
                o.applies_to = *c;
                have_check = true;
            } else if (key == "host" || key == "network" || key == "pool") {
                if (!value.is_string()) return fail(error, "overrides: " + std::string(key) + " must be a string");
                const std::string_view text = value.get_string();
                ++scopes;
                if (key == "host") {
                    const auto a = net::ip_address::parse(text);
                    if (!a) return fail(error, "overrides: host is not an IP address");
                    o.scope = override_scope::host;
                    o.host = *a;
                } else if (key == "network") {
                    std::string why;
                    const auto p = net::ip_prefix::parse(text, &why);
                    if (!p) return fail(error, "overrides: network: " + why);
                    o.scope = override_scope::network;
                    o.network = *p;
                } else {
                    if (text.empty() || text.size() > 128) return fail(error, "overrides: pool name of 1 to 128 bytes");
                    o.scope = override_scope::pool;
                    o.pool = std::string(text);
                }
            } else if (key == "enabled") {
                if (!value.is_bool()) return fail(error, "overrides: enabled must be true or false");
                o.enabled = value.get_bool();
            } else if (key == "threshold") {
                const auto d = value.is_number() ? value.to_number<double>() : -1.0;
                if (!(d >= 0) || d > 1e18) return fail(error, "overrides: threshold must be between 0 and 1e18");
                o.threshold = d;
            } else {
                return fail(error, "overrides: unknown field");
            }
        }
        if (!have_check) return fail(error, "overrides: each needs a check");
        if (scopes != 1) return fail(error, "overrides: each needs exactly one of host, pool, network");
        if (!o.enabled && !o.threshold) return fail(error, "overrides: each sets enabled, threshold or both");
        out.push_back(std::move(o));
    }
    return out;
}

}  // namespace wireflow::collector::alert
