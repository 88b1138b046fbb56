#include "alert/window_checks.hpp"

#include <algorithm>
#include <cstdio>
#include <unordered_map>

#include "net/utf8.hpp"

namespace wireflow::collector::alert {
namespace {

std::size_t cap(const alert_preferences& p, check c) {
    return static_cast<std::size_t>(std::clamp(2 * p[c].threshold + 16, 1.0, 65536.0));
}

void host_checks(const std::string& id, const host_window& h, const alert_preferences& p, double seconds,
                 std::vector<finding>& out) {
    const auto check_value = [&](check c, const char* type, double value, const char* what, const char* unit) {
        const double limit = p[c].threshold;
        if (!p[c].enabled || value <= limit) return;
        out.push_back(finding{c, type, "host", id,
                              std::string("host ") + h.ip + " " + what + ": " + fmt_number(value) + " " + unit +
                                  " (threshold " + fmt_number(limit) + ")",
                              boost::json::object{{"ip", h.ip},
                                                  {"vlan", h.vlan},
                                                  {"value", value},
                                                  {"threshold", limit},
                                                  {"window_s", static_cast<std::int64_t>(seconds)}}});
    };
    // Counts of distinct targets: threshold per window.
    check_value(check::syn_scan, "syn_scan_attacker", static_cast<double>(h.syn_ports_out.size()),
                "scanned ports with SYNs left unanswered or refused", "ports in the window");
    check_value(check::syn_scan, "syn_scan_victim", static_cast<double>(h.syn_ports_in.size()), "was SYN-scanned on",
                "distinct ports in the window");
    check_value(check::host_scan, "host_scan_attacker", static_cast<double>(h.hosts_out.size()),
                "contacted hosts that did not answer", "hosts in the window");
    // Rates: thresholds per second.
    check_value(check::flow_flood, "flow_flood_attacker", static_cast<double>(h.flows_out) / seconds,
                "opened flows at", "flows/s");
    check_value(check::flow_flood, "flow_flood_victim", static_cast<double>(h.flows_in) / seconds, "received flows at",
                "flows/s");
    check_value(check::icmp_flood, "icmp_flood_attacker", static_cast<double>(h.icmp_out) / seconds, "sent ICMP at",
                "packets/s");
    check_value(check::icmp_flood, "icmp_flood_victim", static_cast<double>(h.icmp_in) / seconds, "received ICMP at",
                "packets/s");
    check_value(check::syn_flood, "syn_flood_attacker", static_cast<double>(h.syn_out) / seconds,
                "sent unanswered or refused SYNs at", "SYNs/s");
    check_value(check::syn_flood, "syn_flood_victim", static_cast<double>(h.syn_in) / seconds,
                "received unanswered or refused SYNs at", "SYNs/s");
    check_value(check::dns_flood, "dns_flood_attacker", static_cast<double>(h.dns_out) / seconds,
                "sent DNS queries at", "queries/s");
    check_value(check::dns_flood, "dns_flood_victim", static_cast<double>(h.dns_in) / seconds,
                "received DNS queries at", "queries/s");
    // Volumes: threshold in bytes per minute.
    check_value(check::host_volume, "host_volume", static_cast<double>(h.bytes) * 60.0 / seconds, "traffic",
                "bytes/min");
}

void probe_checks(const std::string& id, const probe_window& w, const alert_preferences& p,
                  std::vector<finding>& out) {
    const double seen = static_cast<double>(w.packets + w.nic_drops);
    const double pct = seen > 0 ? 100.0 * static_cast<double>(w.nic_drops) / seen : 0.0;
    if (p[check::probe_packet_drops].enabled && w.nic_drops > 0 && pct > p[check::probe_packet_drops].threshold)
        out.push_back(finding{check::probe_packet_drops, "probe_packet_drops", "probe", id,
                              "probe " + id + " dropped " + fmt_number(pct) + " % of packets (" +
                                  std::to_string(w.nic_drops) + " in the window)",
                              boost::json::object{{"drops", w.nic_drops}, {"packets", w.packets}, {"percent", pct}}});
    const double lost = static_cast<double>(w.export_drops + w.gaps);
    if (p[check::probe_export_drops].enabled && lost > p[check::probe_export_drops].threshold)
        out.push_back(finding{check::probe_export_drops, "probe_export_drops", "probe", id,
                              "probe " + id + " lost flow records: " + std::to_string(w.export_drops) +
                                  " export drops, " + std::to_string(w.gaps) + " missing batches in the window",
                              boost::json::object{{"export_drops", w.export_drops}, {"sequence_gaps", w.gaps}}});
}

}  // namespace

bool windowed(check c) noexcept {
    switch (c) {
    case check::syn_scan: case check::host_scan: case check::flow_flood: case check::icmp_flood:
    case check::host_volume: case check::pool_volume: case check::probe_packet_drops: case check::probe_export_drops:
    case check::syn_flood: case check::dns_flood:
        return true;
    default:
        return false;
    }
}

window_caps caps_for(const alert_preferences& p) noexcept {
    return window_caps{cap(p, check::syn_scan), cap(p, check::host_scan)};
}

std::string fmt_number(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

std::vector<finding> window_findings(const alert_window& w, const alert_preferences& p, std::chrono::seconds length,
                                     const pool_lookup& pool_of) {
    std::vector<finding> out;
    const double seconds = static_cast<double>(std::max<std::int64_t>(length.count(), 1));
    std::unordered_map<std::string, std::uint64_t> pool_bytes;
    const bool pools = p[check::pool_volume].enabled && pool_of;
    for (const auto& [id, h] : w.hosts()) {
        host_checks(id, h, p, seconds, out);
        if (pools && h.bytes > 0) {
            std::string pool = pool_of(h.ip, h.vlan, h.mac);
            if (!pool.empty()) pool_bytes[pool] += h.bytes;
        }
    }
    for (const auto& [pool, bytes] : pool_bytes) {
        const double per_min = static_cast<double>(bytes) * 60.0 / seconds;
        const double limit = p[check::pool_volume].threshold;
        if (per_min <= limit) continue;
        const std::string name = net::sanitize_utf8(pool, 128);
        out.push_back(finding{check::pool_volume, "pool_volume", "pool", name,
                              "pool " + name + " traffic: " + fmt_number(per_min) + " bytes/min (threshold " +
                                  fmt_number(limit) + ")",
                              boost::json::object{{"pool", name}, {"value", per_min}, {"threshold", limit}}});
    }
    for (const auto& [id, pw] : w.probes()) probe_checks(id, pw, p, out);
    return out;
}

}  // namespace wireflow::collector::alert
