#include "alert/alert_types.hpp"

#include "alert/flow_risk_names.hpp"

namespace wireflow::collector::alert {
namespace {

constexpr std::array<std::string_view, 5> severity_names{"info", "notice", "warning", "error", "critical"};
constexpr std::array<std::string_view, check_count> check_names{
    "blacklisted_contact", "syn_scan",           "host_scan",          "flow_flood",
    "icmp_flood",          "host_volume",        "pool_volume",        "new_device",
    "probe_packet_drops",  "probe_export_drops", "probe_silent",       "blacklist_update_failed",
    "flow_risk",           "syn_flood",          "dns_flood",          "long_lived_flow",
    "elephant_flow",       "insecure_protocol",  "host_packets",       "pool_packets",
    "pool_flows",          "probe_spool_growing", "nft_sync_failed",   "unexpected_server",
    "ip_mac_change",       "tcp_no_data"};

bool set_error(std::string& error, std::string text) {
    error = std::move(text);
    return false;
}

bool read_bool(const boost::json::value& v, std::string_view key, bool& out, std::string& error) {
    if (!v.is_bool()) return set_error(error, std::string(key) + ": expected true or false");
    out = v.get_bool();
    return true;
}

bool read_number(const boost::json::value& v, std::string_view key, double& out, std::string& error) {
    double d = 0;
    if (v.is_double()) d = v.get_double();
    else if (v.is_int64()) d = static_cast<double>(v.get_int64());
    else if (v.is_uint64()) d = static_cast<double>(v.get_uint64());
    else return set_error(error, std::string(key) + ": expected a number");
    if (!(d >= 0) || d > 1e18) return set_error(error, std::string(key) + ": must be between 0 and 1e18");
    out = d;
    return true;
}

bool read_severity(const boost::json::value& v, std::string_view key, severity& out, std::string& error) {
    const auto s = v.is_string() ? parse_severity(v.get_string()) : std::nullopt;
    if (!s) return set_error(error, std::string(key) + ": expected info, notice, warning, error or critical");
    out = *s;
    return true;
}

boost::json::object risks_json(const alert_preferences& p) {
    boost::json::object out;
    for (const auto& t : risk_types()) {
        const auto& s = p.risks[t.bit];
        out[t.type] = boost::json::object{{"enabled", s.enabled},
                                          {"severity", to_string(s.level.value_or(t.default_level))},
                                          {"description", t.description}};
    }
    return out;
}

bool read_risks(const boost::json::value& v, alert_preferences& p, std::string& error) {
    if (!v.is_object()) return set_error(error, "flow_risks: expected an object");
    for (const auto& [name, settings] : v.get_object()) {
        const auto* t = risk_type_named(name);
        if (!t) return set_error(error, "flow_risks: unknown risk");
        if (!settings.is_object()) return set_error(error, std::string(name) + ": expected an object");
        auto& rs = p.risks[t->bit];
        for (const auto& [field, fv] : settings.get_object()) {
            const std::string where = std::string(name) + "." + std::string(field);
            if (field == "enabled") {
                if (!read_bool(fv, where, rs.enabled, error)) return false;
            } else if (field == "severity") {
                severity s{};
                if (!read_severity(fv, where, s, error)) return false;
                // nDPI's own severity for the risk is the default, not an override:
                // the GET document (which shows it) goes back through PUT unchanged.
                if (s == t->default_level) rs.level.reset();
                else rs.level = s;
            } else if (field != "description") {   // shown by GET; sent back unchanged by forms
                return set_error(error, std::string(name) + ": unknown field");
            }
        }
    }
    return true;
}

}  // namespace

std::string_view to_string(severity s) noexcept { return severity_names[static_cast<std::size_t>(s)]; }

std::optional<severity> parse_severity(std::string_view text) noexcept {
    for (std::size_t i = 0; i < severity_names.size(); ++i)
        if (severity_names[i] == text) return static_cast<severity>(i);
    return std::nullopt;
}

std::string_view to_string(check c) noexcept { return check_names[static_cast<std::size_t>(c)]; }

std::optional<check> parse_check(std::string_view text) noexcept {
    for (std::size_t i = 0; i < check_names.size(); ++i)
        if (check_names[i] == text) return static_cast<check>(i);
    return std::nullopt;
}

alert_preferences default_preferences() {
    alert_preferences p;
    const auto set = [&p](check c, severity s, double threshold) { p[c] = check_settings{true, s, threshold}; };
    set(check::blacklisted_contact, severity::error, 0);
    set(check::syn_scan, severity::warning, 100);
    set(check::host_scan, severity::warning, 50);
    set(check::flow_flood, severity::warning, 50);
    set(check::icmp_flood, severity::warning, 100);
    set(check::host_volume, severity::notice, 1e9);
    set(check::pool_volume, severity::notice, 1e10);
    set(check::new_device, severity::notice, 0);
    set(check::probe_packet_drops, severity::warning, 5);
    set(check::probe_export_drops, severity::warning, 0);
    set(check::probe_silent, severity::error, 60);
    set(check::blacklist_update_failed, severity::warning, 0);
    set(check::flow_risk, severity::notice, 0);
    set(check::syn_flood, severity::warning, 100);
    set(check::dns_flood, severity::warning, 100);
    set(check::long_lived_flow, severity::notice, 3600);
    set(check::elephant_flow, severity::notice, 1e9);
    set(check::insecure_protocol, severity::warning, 0);
    set(check::host_packets, severity::notice, 1e7);
    set(check::pool_packets, severity::notice, 1e8);
    set(check::pool_flows, severity::notice, 1e5);
    set(check::probe_spool_growing, severity::warning, 100);
    set(check::nft_sync_failed, severity::error, 0);
    set(check::unexpected_server, severity::warning, 0);
    set(check::ip_mac_change, severity::warning, 0);
    set(check::tcp_no_data, severity::notice, 0);
    return p;
}

boost::json::object to_json(const alert_preferences& p) {
    boost::json::object checks;
    for (std::size_t i = 0; i < check_count; ++i) {
        const auto& c = p.checks[i];
        checks[check_names[i]] = boost::json::object{
            {"enabled", c.enabled}, {"severity", to_string(c.level)}, {"threshold", c.threshold}};
    }
    return boost::json::object{
        {"enabled", p.enabled},
        {"quiet_period_s", p.quiet_period.count()},
        {"checks", std::move(checks)},
        {"overrides", to_json(p.overrides)},
        {"flow_risks", risks_json(p)},
        {"allowed_servers", to_json(p.servers)},
        {"notifications",
         boost::json::object{{"syslog", p.syslog},
                             {"syslog_min_severity", to_string(p.syslog_min)},
                             {"webhook_url", p.webhook_url},
                             {"webhook_min_severity", to_string(p.webhook_min)}}},
    };
}

std::optional<alert_preferences> apply_json(const alert_preferences& base, const boost::json::value& v,
                                            std::string& error) {
    alert_preferences p = base;
    if (!v.is_object()) return set_error(error, "preferences: expected an object"), std::nullopt;
    for (const auto& [key, value] : v.get_object()) {
        if (key == "enabled") {
            if (!read_bool(value, key, p.enabled, error)) return std::nullopt;
        } else if (key == "quiet_period_s") {
            double d = 0;
            if (!read_number(value, key, d, error)) return std::nullopt;
            if (d > 7 * 86400) return set_error(error, "quiet_period_s: at most 604800"), std::nullopt;
            p.quiet_period = std::chrono::seconds(static_cast<long>(d));
        } else if (key == "checks") {
            if (!value.is_object()) return set_error(error, "checks: expected an object"), std::nullopt;
            for (const auto& [name, settings] : value.get_object()) {
                const auto c = parse_check(name);
                if (!c) return set_error(error, "checks: unknown check"), std::nullopt;
                if (!settings.is_object()) return set_error(error, std::string(name) + ": expected an object"), std::nullopt;
                auto& cs = p[*c];
                for (const auto& [field, fv] : settings.get_object()) {
                    const std::string where = std::string(name) + "." + std::string(field);
                    bool ok = false;
                    if (field == "enabled") ok = read_bool(fv, where, cs.enabled, error);
                    else if (field == "severity") ok = read_severity(fv, where, cs.level, error);
                    else if (field == "threshold") ok = read_number(fv, where, cs.threshold, error);
                    else ok = set_error(error, std::string(name) + ": unknown field");
                    if (!ok) return std::nullopt;
                }
            }
        } else if (key == "overrides") {
            auto o = parse_overrides(value, error);
            if (!o) return std::nullopt;
            p.overrides = std::move(*o);
        } else if (key == "allowed_servers") {
            auto a = apply_json(p.servers, value, error);
            if (!a) return std::nullopt;
            p.servers = std::move(*a);
        } else if (key == "flow_risks") {
            if (!read_risks(value, p, error)) return std::nullopt;
        } else if (key == "notifications") {
            if (!value.is_object()) return set_error(error, "notifications: expected an object"), std::nullopt;
            for (const auto& [field, fv] : value.get_object()) {
                bool ok = false;
                if (field == "syslog") ok = read_bool(fv, field, p.syslog, error);
                else if (field == "syslog_min_severity") ok = read_severity(fv, field, p.syslog_min, error);
                else if (field == "webhook_min_severity") ok = read_severity(fv, field, p.webhook_min, error);
                else if (field == "webhook_url") {
                    if (!fv.is_string()) ok = set_error(error, "webhook_url: expected a string");
                    else {
                        const std::string_view url = fv.get_string();
                        if (!url.empty() && !url.starts_with("http://") && !url.starts_with("https://"))
                            ok = set_error(error, "webhook_url: only http:// and https:// URLs");
                        else if (url.size() > 2048) ok = set_error(error, "webhook_url: longer than 2048 bytes");
                        else if (url.find_first_of(" \t\r\n") != std::string_view::npos)
                            ok = set_error(error, "webhook_url: contains blanks");
                        else {
                            p.webhook_url = std::string(url);
                            ok = true;
                        }
                    }
                } else ok = set_error(error, "notifications: unknown field");
                if (!ok) return std::nullopt;
            }
        } else {
            return set_error(error, "preferences: unknown key"), std::nullopt;
        }
    }
    return p;
}

}  // namespace wireflow::collector::alert
