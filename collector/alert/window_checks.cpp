#include "alert/window_checks.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <unordered_map>

#include "net/utf8.hpp"

namespace wireflow::collector::alert {
namespace {

std::size_t cap(const alert_preferences& p, check c) {
    return static_cast<std::size_t>(std::clamp(2 * p[c].threshold + 16, 1.0, 65536.0));
}

// A host's own settings of check `c`: the global ones unless an override
// for the host, its pool or its network says otherwise.
struct host_settings {
    const alert_preferences& p;
    std::optional<net::ip_address> ip;
    std::string pool;
    [[nodiscard]] check_settings operator()(check c) const {
        if (p.overrides.empty()) return p[c];
        return effective_settings(p[c], c, p.overrides, override_subject{ip ? &*ip : nullptr, pool});
    }
};

void host_checks(const host_window& h, const host_settings& settings, double seconds,
                 std::vector<finding>& out) {
    const auto check_value = [&](check c, const char* type, double value, const char* what, const char* unit) {
        const check_settings cs = settings(c);
        const double limit = cs.threshold;
        if (!cs.enabled || value <= limit) return;
        out.push_back(finding{c, type, "host", host_id(h.ip, h.vlan),
                              "host " + h.ip.to_string() + " " + what + ": " + fmt_number(value) + " " + unit +
                                  " (threshold " + fmt_number(limit) + ")",
                              boost::json::object{{"ip", h.ip.to_string()},
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
    // Volumes: thresholds per minute.
    check_value(check::host_volume, "host_volume", static_cast<double>(h.bytes) * 60.0 / seconds, "traffic",
                "bytes/min");
    check_value(check::host_packets, "host_packets", static_cast<double>(h.packets) * 60.0 / seconds, "traffic",
                "packets/min");
}

// A pool's traffic in the window, summed over its hosts.
struct pool_totals {
    std::uint64_t bytes{0}, packets{0}, flows{0};
};

void pool_checks(const std::string& pool, const pool_totals& t, const alert_preferences& p, double seconds,
                 std::vector<finding>& out) {
    const std::string name = net::sanitize_utf8(pool, 128);
    const auto check_value = [&](check c, const char* type, std::uint64_t count, const char* unit) {
        const check_settings cs =
            p.overrides.empty() ? p[c] : effective_settings(p[c], c, p.overrides, override_subject{nullptr, pool});
        const double per_min = static_cast<double>(count) * 60.0 / seconds;
        if (!cs.enabled || per_min <= cs.threshold) return;
        out.push_back(finding{c, type, "pool", name,
                              "pool " + name + " traffic: " + fmt_number(per_min) + " " + unit + " (threshold " +
                                  fmt_number(cs.threshold) + ")",
                              boost::json::object{{"pool", name}, {"value", per_min}, {"threshold", cs.threshold}}});
    };
    check_value(check::pool_volume, "pool_volume", t.bytes, "bytes/min");
    check_value(check::pool_packets, "pool_packets", t.packets, "packets/min");
    check_value(check::pool_flows, "pool_flows", t.flows, "new flows/min");
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
    // The probe's backlog grows when the collector (or the path to it) is
    // slower than the traffic: its spool fills until records are dropped.
    const double pending = static_cast<double>(w.pending_now);
    if (p[check::probe_spool_growing].enabled && pending > p[check::probe_spool_growing].threshold &&
        w.pending_now > w.pending_before)
        out.push_back(finding{check::probe_spool_growing, "probe_spool_growing", "probe", id,
                              "probe " + id + " has " + std::to_string(w.pending_now) +
                                  " unacknowledged batches, up from " + std::to_string(w.pending_before),
                              boost::json::object{{"batches_pending", w.pending_now},
                                                  {"previous", w.pending_before},
                                                  {"threshold", p[check::probe_spool_growing].threshold}}});
}

}  // namespace

bool windowed(check c) noexcept {
    switch (c) {
    case check::syn_scan: case check::host_scan: case check::flow_flood: case check::icmp_flood:
    case check::host_volume: case check::pool_volume: case check::probe_packet_drops: case check::probe_export_drops:
    case check::syn_flood: case check::dns_flood: case check::host_packets: case check::pool_packets:
    case check::pool_flows: case check::probe_spool_growing:
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
    std::unordered_map<std::string, pool_totals> pools;
    const bool pool_checks_on =
        p[check::pool_volume].enabled || p[check::pool_packets].enabled || p[check::pool_flows].enabled ||
        any_pool_override(p.overrides);
    const bool need_pool = pool_of && pool_checks_on;
    for (const auto& entry : w.hosts()) {
        const host_window& h = entry.second;
        host_settings settings{p, h.ip, {}};
        if (need_pool) settings.pool = pool_of(h.ip, h.vlan, h.mac);
        host_checks(h, settings, seconds, out);
        if (pool_checks_on && !settings.pool.empty()) {
            auto& t = pools[settings.pool];
            t.bytes += h.bytes;
            t.packets += h.packets;
            t.flows += h.flows_out + h.flows_in;
        }
    }
    for (const auto& [pool, totals] : pools) pool_checks(pool, totals, p, seconds, out);
    for (const auto& [id, pw] : w.probes()) probe_checks(id, pw, p, out);
    return out;
}

}  // namespace wireflow::collector::alert
