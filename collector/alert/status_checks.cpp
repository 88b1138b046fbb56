#include "alert/status_checks.hpp"

#include "net/utf8.hpp"

namespace wireflow::collector::alert {
namespace {

bool active(const alert_preferences& p, check c) { return p.enabled && p[c].enabled; }

}  // namespace

status_change probe_silence(const probe_health& p, const alert_preferences& prefs) {
    const std::string id = net::sanitize_utf8(p.probe_id, 128);
    status_change out{alert_key("probe_silent", "probe", id), std::nullopt};
    const double limit = prefs[check::probe_silent].threshold;
    if (active(prefs, check::probe_silent) && static_cast<double>(p.seconds_silent) >= limit)
        out.engage = finding{check::probe_silent, "probe_silent", "probe", id,
                             "probe " + id + " silent for " + std::to_string(p.seconds_silent) + " s",
                             boost::json::object{{"seconds_silent", p.seconds_silent}, {"threshold_s", limit}}};
    return out;
}

std::optional<status_change> blacklist_status(std::string_view source, bool ok, std::string_view error,
                                              const alert_preferences& prefs) {
    const std::string name = net::sanitize_utf8(source, 128);
    status_change out{alert_key("blacklist_update_failed", "blacklist", name), std::nullopt};
    if (ok) return out;
    if (!active(prefs, check::blacklist_update_failed)) return std::nullopt;
    const std::string why = net::sanitize_utf8(error, 512);
    out.engage = finding{check::blacklist_update_failed, "blacklist_update_failed", "blacklist", name,
                         "blacklist " + name + " update failed (previous version kept): " + why,
                         boost::json::object{{"source", name}, {"error", why}}};
    return out;
}

std::optional<status_change> nft_status(bool ok, std::string_view error, const alert_preferences& prefs) {
    status_change out{alert_key("nft_sync_failed", "blacklist", "nftables"), std::nullopt};
    if (ok) return out;
    if (!active(prefs, check::nft_sync_failed)) return std::nullopt;
    const std::string why = net::sanitize_utf8(error, 512);
    out.engage = finding{check::nft_sync_failed, "nft_sync_failed", "blacklist", "nftables",
                         "nftables blacklist set not applied (the previous set stays in force): " + why,
                         boost::json::object{{"error", why}}};
    return out;
}

}  // namespace wireflow::collector::alert
