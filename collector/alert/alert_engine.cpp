#include "alert/alert_engine.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "alert/flow_risk_names.hpp"
#include "alert/notifier.hpp"
#include "net/ip_prefix.hpp"
#include "net/utf8.hpp"

namespace wireflow::collector::alert {
namespace {

using clock = std::chrono::system_clock;

constexpr std::uint8_t tcp_syn = 0x02, tcp_rst = 0x04;
constexpr std::uint8_t end_reason_active_timeout = 2;   // wireflow.v1.EndReason
constexpr std::size_t max_message_bytes = 1024;
constexpr std::size_t max_quiet_entries = 200'000;
constexpr std::size_t max_known_macs = 1'000'000;

// A TCP connection attempt that was not answered or was refused: what a SYN
// (port) scan leaves. RFC 9293 section 3.5: a closed port answers a SYN with
// RST; an open one with SYN-ACK, which a half-open scanner resets at once.
bool refused_tcp(const flow_row& r) {
    if (r.protocol != 6 || (r.c2s_tcp_flags & tcp_syn) == 0) return false;
    return r.s2c_packets == 0 || (r.s2c_tcp_flags & tcp_rst) != 0 ||
           ((r.c2s_tcp_flags & tcp_rst) != 0 && r.c2s_packets <= 2);
}

bool unanswered(const flow_row& r) {
    if (r.protocol == 6) return refused_tcp(r);
    return r.s2c_packets == 0;
}

bool is_icmp(const flow_row& r) { return r.protocol == 1 || r.protocol == 58; }

// Distinct values, counted up to a cap: once the threshold is passed the
// exact number no longer matters, and memory stays bounded per host.
struct capped_set {
    std::unordered_set<std::uint64_t> values;
    void add(std::uint64_t v, std::size_t cap) {
        if (values.size() < cap) values.insert(v);
    }
    [[nodiscard]] std::size_t size() const { return values.size(); }
};

struct host_window {
    std::string ip;
    std::uint16_t vlan{0};
    std::string mac;
    std::uint64_t bytes{0};
    std::uint64_t flows_out{0}, flows_in{0};
    std::uint64_t icmp_out{0}, icmp_in{0};
    capped_set syn_ports_out;   // attacker: distinct (host, port) refused
    capped_set syn_ports_in;    // victim: distinct ports refused
    capped_set hosts_out;       // attacker: distinct hosts not answering
};

struct probe_window {
    std::uint64_t boot_id{0};
    bool have_totals{false};
    probe_health last;
    std::uint64_t packets{0}, nic_drops{0}, export_drops{0}, gaps{0};
};

struct record {
    stored_alert a;
    check from{};
    bool written{false};        // inserted into PostgreSQL (a.id valid)
    bool update_pending{false};
    bool release_pending{false};
    bool queued{false};
    bool seen{false};           // condition held in the current window
};
using record_ptr = std::shared_ptr<record>;

bool windowed(check c) {
    switch (c) {
    case check::syn_scan: case check::host_scan: case check::flow_flood: case check::icmp_flood:
    case check::host_volume: case check::pool_volume: case check::probe_packet_drops: case check::probe_export_drops:
        return true;
    default:
        return false;
    }
}

std::optional<check> check_of_type(std::string_view type) {
    static const std::map<std::string_view, check> types{
        {"blacklisted_client_contact", check::blacklisted_contact},
        {"blacklisted_server_contact", check::blacklisted_contact},
        {"syn_scan_attacker", check::syn_scan}, {"syn_scan_victim", check::syn_scan},
        {"host_scan_attacker", check::host_scan},
        {"flow_flood_attacker", check::flow_flood}, {"flow_flood_victim", check::flow_flood},
        {"icmp_flood_attacker", check::icmp_flood}, {"icmp_flood_victim", check::icmp_flood},
        {"host_volume", check::host_volume}, {"pool_volume", check::pool_volume},
        {"new_device", check::new_device}, {"probe_packet_drops", check::probe_packet_drops},
        {"probe_export_drops", check::probe_export_drops}, {"probe_silent", check::probe_silent},
        {"blacklist_update_failed", check::blacklist_update_failed}, {"flow_risk", check::flow_risk}};
    const auto it = types.find(type);
    if (it == types.end()) return std::nullopt;
    return it->second;
}

std::string host_id(std::string_view ip, std::uint32_t vlan) {
    std::string s(ip);
    s += '@';
    s += std::to_string(vlan);
    return s;
}

std::string flow_entity(const flow_row& r) {
    std::string s = r.client_ip;
    s += " -> ";
    s += r.server_ip;
    if (r.vlan != 0) {
        s += " @";
        s += std::to_string(r.vlan);
    }
    return s;
}

std::string fmt_number(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

}  // namespace

struct alert_engine::impl {
    alert_engine_settings settings;
    alert_store& store;
    preference_store& prefs_store;
    notifier* notify;
    alert_engine_stats& stats;

    mutable std::mutex mutex;
    alert_preferences prefs = default_preferences();
    std::map<std::string, record_ptr> engaged;     // key: type|entity_type|entity_id
    std::deque<record_ptr> pending;                // waiting for PostgreSQL
    std::unordered_map<std::string, host_window> hosts;
    std::unordered_map<std::string, probe_window> probes;
    std::unordered_map<std::string, clock::time_point> quiet;   // one-shot key -> last raised
    std::unordered_set<std::string> known_macs;
    std::optional<clock::time_point> window_end;
    clock::time_point window_start{};

    impl(alert_engine_settings s, alert_store& a, preference_store& p, notifier* n, alert_engine_stats& st)
        : settings(std::move(s)), store(a), prefs_store(p), notify(n), stats(st) {
        if (settings.window.count() <= 0) settings.window = std::chrono::seconds(60);
    }

    [[nodiscard]] bool is_local(std::string_view ip) const {
        const auto a = net::ip_address::parse(ip);
        if (!a) return false;
        const auto& local = settings.local_networks;
        return std::any_of(local.begin(), local.end(), [&](const auto& p) { return p.contains(*a); });
    }

    [[nodiscard]] bool active(check c) const { return prefs.enabled && prefs[c].enabled; }

    std::size_t cap(check c) const {
        // Above the threshold is all that matters; a margin keeps the count
        // in messages meaningful while memory per host stays bounded.
        const double t = prefs[c].threshold;
        return static_cast<std::size_t>(std::clamp(2 * t + 16, 1.0, 65536.0));
    }

    host_window* host(const std::string& ip, std::uint32_t vlan, const std::string& mac) {
        auto key = host_id(ip, vlan);
        auto it = hosts.find(key);
        if (it == hosts.end()) {
            if (hosts.size() >= settings.max_tracked_hosts) {
                stats.untracked_hosts.fetch_add(1, std::memory_order_relaxed);
                return nullptr;
            }
            it = hosts.emplace(std::move(key), host_window{}).first;
            it->second.ip = ip;
            it->second.vlan = static_cast<std::uint16_t>(vlan);
        }
        if (!mac.empty()) it->second.mac = mac;
        return &it->second;
    }

    void queue(const record_ptr& r) {
        if (r->queued) return;
        if (pending.size() >= settings.max_pending_writes) {
            pending.front()->queued = false;
            pending.pop_front();
            stats.pending_dropped.fetch_add(1, std::memory_order_relaxed);
        }
        r->queued = true;
        pending.push_back(r);
    }

    // Engages (or holds, refreshing message and details) the alert of `key`.
    void engage(check c, std::string type, std::string entity_type, std::string entity_id, std::string message,
                boost::json::object details, clock::time_point now) {
        std::string key = type + '|' + entity_type + '|' + entity_id;
        auto& slot = engaged[key];
        const std::string level(to_string(prefs[c].level));
        message = net::sanitize_utf8(message, max_message_bytes);
        std::string det = boost::json::serialize(details);
        if (slot) {
            slot->seen = true;
            if (slot->a.message != message || slot->a.severity != level || slot->a.details != det) {
                slot->a.message = std::move(message);
                slot->a.severity = level;
                slot->a.details = std::move(det);
                slot->update_pending = true;
                queue(slot);
            }
            return;
        }
        slot = std::make_shared<record>();
        slot->from = c;
        slot->seen = true;
        slot->a.type = std::move(type);
        slot->a.severity = level;
        slot->a.entity_type = std::move(entity_type);
        slot->a.entity_id = std::move(entity_id);
        slot->a.started_at = now;
        slot->a.message = std::move(message);
        slot->a.details = std::move(det);
        stats.engaged.fetch_add(1, std::memory_order_relaxed);
        queue(slot);
    }

    void release(std::map<std::string, record_ptr>::iterator it, clock::time_point now) {
        auto r = it->second;
        r->a.ended_at = now;
        r->release_pending = true;
        stats.released.fetch_add(1, std::memory_order_relaxed);
        queue(r);
        engaged.erase(it);
    }

    void release_key(const std::string& key, clock::time_point now) {
        if (const auto it = engaged.find(key); it != engaged.end()) release(it, now);
    }

    // Engaged and released at once, at most once per (type, entity) per quiet period.
    void one_shot(check c, std::string type, std::string entity_type, std::string entity_id, std::string message,
                  boost::json::object details, clock::time_point now) {
        std::string key = type + '|' + entity_type + '|' + entity_id;
        if (const auto it = quiet.find(key); it != quiet.end() && now - it->second < prefs.quiet_period) {
            stats.suppressed_quiet.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        if (quiet.size() >= max_quiet_entries) {
            stats.suppressed_quiet.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        quiet[key] = now;
        auto r = std::make_shared<record>();
        r->from = c;
        r->a.type = std::move(type);
        r->a.severity = std::string(to_string(prefs[c].level));
        r->a.entity_type = std::move(entity_type);
        r->a.entity_id = std::move(entity_id);
        r->a.started_at = now;
        r->a.ended_at = now;
        r->a.message = net::sanitize_utf8(message, max_message_bytes);
        r->a.details = boost::json::serialize(details);
        stats.one_shot.fetch_add(1, std::memory_order_relaxed);
        queue(r);
    }

    boost::json::object flow_details(const flow_row& r, const std::string& probe_id) const {
        return boost::json::object{
            {"probe_id", probe_id},
            {"flow_id", r.flow_id},
            {"vlan", r.vlan},
            {"protocol", r.protocol},
            {"client_ip", r.client_ip},
            {"client_port", r.client_port},
            {"server_ip", r.server_ip},
            {"server_port", r.server_port},
            {"client_local", is_local(r.client_ip)},
            {"server_local", is_local(r.server_ip)},
            {"app", net::sanitize_utf8(r.app_name, 64)},
            {"server_name", net::sanitize_utf8(r.server_name, 256)},
            {"first_seen_ns", r.first_seen_ns},
        };
    }

    void flow_one_shots(const flow_row& r, const std::string& probe_id, clock::time_point now) {
        const std::string server = r.server_ip + ":" + std::to_string(r.server_port);
        if (active(check::blacklisted_contact)) {
            if (!r.client_blacklist.empty()) {
                auto d = flow_details(r, probe_id);
                d["lists"] = r.client_blacklist;
                d["side"] = "client";
                one_shot(check::blacklisted_contact, "blacklisted_client_contact", "flow", flow_entity(r),
                         "blacklisted client " + r.client_ip + " (" + r.client_blacklist + ") contacted " +
                             (is_local(r.server_ip) ? "local host " : "host ") + server,
                         std::move(d), now);
            }
            if (!r.server_blacklist.empty()) {
                auto d = flow_details(r, probe_id);
                d["lists"] = r.server_blacklist;
                d["side"] = "server";
                one_shot(check::blacklisted_contact, "blacklisted_server_contact", "flow", flow_entity(r),
                         std::string(is_local(r.client_ip) ? "local host " : "host ") + r.client_ip +
                             " contacted blacklisted server " + server + " (" + r.server_blacklist + ")",
                         std::move(d), now);
            }
        }
        if (r.flow_risk != 0 && active(check::flow_risk)) {
            auto names = flow_risk_names(r.flow_risk);
            std::string joined;
            boost::json::array arr;
            for (const auto& n : names) {
                if (!joined.empty()) joined += ", ";
                joined += n;
                arr.emplace_back(n);
            }
            auto d = flow_details(r, probe_id);
            d["flow_risk"] = r.flow_risk;
            d["risks"] = std::move(arr);
            std::string msg = "flow " + r.client_ip + " -> " + server;
            if (!r.server_name.empty()) msg += " (" + net::sanitize_utf8(r.server_name, 128) + ")";
            msg += ": " + joined;
            one_shot(check::flow_risk, "flow_risk", "flow", flow_entity(r), std::move(msg), std::move(d), now);
        }
        if (active(check::new_device) && !settings.local_networks.empty()) {
            const auto seen_mac = [&](const std::string& ip, const std::string& mac) {
                if (mac.empty() || known_macs.count(mac) || !is_local(ip)) return;
                if (known_macs.size() >= max_known_macs) return;
                known_macs.insert(mac);
                one_shot(check::new_device, "new_device", "device", mac,
                         "new device " + mac + " on the local network (" + ip + ")",
                         boost::json::object{{"mac", mac}, {"ip", ip}, {"vlan", r.vlan}, {"probe_id", probe_id}}, now);
            };
            seen_mac(r.client_ip, r.client_mac);
            seen_mac(r.server_ip, r.server_mac);
        }
    }

    void count(const flow_row& r) {
        host_window* c = host(r.client_ip, r.vlan, r.client_mac);
        host_window* s = host(r.server_ip, r.vlan, r.server_mac);
        const std::uint64_t bytes = r.c2s_bytes + r.s2c_bytes;
        const bool new_flow = r.end_reason != end_reason_active_timeout;
        if (c) {
            c->bytes += bytes;
            if (new_flow) ++c->flows_out;
            if (is_icmp(r)) c->icmp_out += r.c2s_packets;
        }
        if (s) {
            s->bytes += bytes;
            if (new_flow) ++s->flows_in;
            if (is_icmp(r)) s->icmp_in += r.c2s_packets;
        }
        if (refused_tcp(r)) {
            const std::uint64_t dst = std::hash<std::string>{}(r.server_ip);
            if (c) c->syn_ports_out.add(dst * 65537u + r.server_port, cap(check::syn_scan));
            if (s) s->syn_ports_in.add(r.server_port, cap(check::syn_scan));
        }
        if (c && unanswered(r)) c->hosts_out.add(std::hash<std::string>{}(r.server_ip), cap(check::host_scan));
    }

    void close_window(clock::time_point now) {
        const double seconds = static_cast<double>(settings.window.count());
        const auto thr = [&](check c) { return prefs[c].threshold; };
        if (prefs.enabled) {
            std::unordered_map<std::string, std::uint64_t> pool_bytes;
            for (const auto& [id, h] : hosts) {
                const auto entity = [&] { return id; };
                const auto rate_check = [&](check c, const char* type, double value, double limit, const char* what,
                                            const char* unit) {
                    if (!prefs[c].enabled || value <= limit) return;
                    engage(c, type, "host", entity(),
                           std::string("host ") + h.ip + " " + what + ": " + fmt_number(value) + " " + unit +
                               " (threshold " + fmt_number(limit) + ")",
                           boost::json::object{{"ip", h.ip}, {"vlan", h.vlan}, {"value", value}, {"threshold", limit},
                                               {"window_s", settings.window.count()}},
                           now);
                };
                // Counts of distinct targets: threshold per window.
                rate_check(check::syn_scan, "syn_scan_attacker", static_cast<double>(h.syn_ports_out.size()),
                           thr(check::syn_scan), "scanned ports with SYNs left unanswered or refused",
                           "ports in the window");
                rate_check(check::syn_scan, "syn_scan_victim", static_cast<double>(h.syn_ports_in.size()),
                           thr(check::syn_scan), "was SYN-scanned on", "distinct ports in the window");
                rate_check(check::host_scan, "host_scan_attacker", static_cast<double>(h.hosts_out.size()),
                           thr(check::host_scan), "contacted hosts that did not answer", "hosts in the window");
                // Rates: thresholds per second.
                rate_check(check::flow_flood, "flow_flood_attacker", static_cast<double>(h.flows_out) / seconds,
                           thr(check::flow_flood), "opened flows at", "flows/s");
                rate_check(check::flow_flood, "flow_flood_victim", static_cast<double>(h.flows_in) / seconds,
                           thr(check::flow_flood), "received flows at", "flows/s");
                rate_check(check::icmp_flood, "icmp_flood_attacker", static_cast<double>(h.icmp_out) / seconds,
                           thr(check::icmp_flood), "sent ICMP at", "packets/s");
                rate_check(check::icmp_flood, "icmp_flood_victim", static_cast<double>(h.icmp_in) / seconds,
                           thr(check::icmp_flood), "received ICMP at", "packets/s");
                // Volumes: threshold in bytes per minute.
                rate_check(check::host_volume, "host_volume", static_cast<double>(h.bytes) * 60.0 / seconds,
                           thr(check::host_volume), "traffic", "bytes/min");
                if (prefs[check::pool_volume].enabled && settings.pool_of && h.bytes > 0) {
                    std::string pool = settings.pool_of(h.ip, h.vlan, h.mac);
                    if (!pool.empty()) pool_bytes[pool] += h.bytes;
                }
            }
            for (const auto& [pool, bytes] : pool_bytes) {
                const double per_min = static_cast<double>(bytes) * 60.0 / seconds;
                const double limit = thr(check::pool_volume);
                if (!prefs[check::pool_volume].enabled || per_min <= limit) continue;
                const std::string name = net::sanitize_utf8(pool, 128);
                engage(check::pool_volume, "pool_volume", "pool", name,
                       "pool " + name + " traffic: " + fmt_number(per_min) + " bytes/min (threshold " +
                           fmt_number(limit) + ")",
                       boost::json::object{{"pool", name}, {"value", per_min}, {"threshold", limit}}, now);
            }
            for (auto& [id, p] : probes) {
                const double seen = static_cast<double>(p.packets + p.nic_drops);
                const double pct = seen > 0 ? 100.0 * static_cast<double>(p.nic_drops) / seen : 0.0;
                if (prefs[check::probe_packet_drops].enabled && p.nic_drops > 0 &&
                    pct > thr(check::probe_packet_drops))
                    engage(check::probe_packet_drops, "probe_packet_drops", "probe", id,
                           "probe " + id + " dropped " + fmt_number(pct) + " % of packets (" +
                               std::to_string(p.nic_drops) + " in the window)",
                           boost::json::object{{"drops", p.nic_drops}, {"packets", p.packets}, {"percent", pct}},
                           now);
                const double lost = static_cast<double>(p.export_drops + p.gaps);
                if (prefs[check::probe_export_drops].enabled && lost > thr(check::probe_export_drops))
                    engage(check::probe_export_drops, "probe_export_drops", "probe", id,
                           "probe " + id + " lost flow records: " + std::to_string(p.export_drops) +
                               " export drops, " + std::to_string(p.gaps) + " missing batches in the window",
                           boost::json::object{{"export_drops", p.export_drops}, {"sequence_gaps", p.gaps}}, now);
            }
        }
        // Windowed alerts whose condition did not hold in this window end now;
        // so do alerts of switched-off checks.
        for (auto it = engaged.begin(); it != engaged.end();) {
            auto next = std::next(it);
            const auto& r = *it->second;
            if ((windowed(r.from) && !r.seen) || !active(r.from)) release(it, now);
            else it->second->seen = false;
            it = next;
        }
        hosts.clear();
        for (auto& [id, p] : probes) p.packets = p.nic_drops = p.export_drops = p.gaps = 0;
        for (auto it = quiet.begin(); it != quiet.end();) {
            if (now - it->second >= prefs.quiet_period) it = quiet.erase(it);
            else ++it;
        }
    }
};

alert_engine::alert_engine(alert_engine_settings settings, alert_store& alerts, preference_store& prefs,
                           notifier* notify)
    : impl_(std::make_unique<impl>(std::move(settings), alerts, prefs, notify, stats_)), alerts_(alerts) {}

alert_engine::~alert_engine() = default;

void alert_engine::restore() {
    auto stored_prefs = impl_->prefs_store.get("alerts");
    auto engaged = alerts_.engaged();
    auto macs = alerts_.known_macs();
    std::lock_guard lock(impl_->mutex);
    if (stored_prefs) {
        std::string error;
        if (auto p = apply_json(default_preferences(), *stored_prefs, error)) impl_->prefs = std::move(*p);
    }
    for (auto& a : engaged) {
        const auto c = check_of_type(a.type);
        if (!c) continue;
        std::string key = a.type + '|' + a.entity_type + '|' + a.entity_id;
        if (impl_->engaged.count(key)) continue;
        auto r = std::make_shared<record>();
        r->from = *c;
        r->a = std::move(a);
        r->written = true;
        r->seen = false;   // released at the end of the first window unless its condition holds
        impl_->engaged.emplace(std::move(key), std::move(r));
    }
    for (auto& m : macs)
        if (impl_->known_macs.size() < max_known_macs) impl_->known_macs.insert(std::move(m));
    if (impl_->notify)
        impl_->notify->configure(impl_->prefs.syslog, impl_->prefs.syslog_min, impl_->prefs.webhook_url,
                                 impl_->prefs.webhook_min);
}

void alert_engine::on_stored(const flow_batch& batch) noexcept {
    try {
        const auto now = clock::now();
        std::lock_guard lock(impl_->mutex);
        if (!impl_->prefs.enabled) return;
        for (const auto& r : batch.records) {
            impl_->count(r);
            impl_->flow_one_shots(r, batch.id.probe_id, now);
        }
    } catch (...) {
        // bad_alloc: the batch is stored; losing its alert counts is the lesser harm.
    }
}

void alert_engine::on_probe_health(std::span<const probe_health> probes) noexcept {
    try {
        const auto now = clock::now();
        std::lock_guard lock(impl_->mutex);
        auto& I = *impl_;
        for (const auto& p : probes) {
            auto& w = I.probes[p.probe_id];
            if (w.have_totals && w.boot_id == p.boot_id) {
                const auto delta = [](std::uint64_t now_v, std::uint64_t before) {
                    return now_v >= before ? now_v - before : now_v;   // a counter reset counts from 0
                };
                w.packets += delta(p.packets, w.last.packets);
                w.nic_drops += delta(p.nic_drops, w.last.nic_drops);
                w.export_drops += delta(p.export_drops, w.last.export_drops);
                w.gaps += delta(p.sequence_gaps, w.last.sequence_gaps);
            }
            w.have_totals = true;
            w.boot_id = p.boot_id;
            w.last = p;
            const std::string id = net::sanitize_utf8(p.probe_id, 128);
            const std::string key = "probe_silent|probe|" + id;
            const double limit = I.prefs[check::probe_silent].threshold;
            if (I.active(check::probe_silent) && static_cast<double>(p.seconds_silent) >= limit)
                I.engage(check::probe_silent, "probe_silent", "probe", id,
                         "probe " + id + " silent for " + std::to_string(p.seconds_silent) + " s",
                         boost::json::object{{"seconds_silent", p.seconds_silent}, {"threshold_s", limit}}, now);
            else
                I.release_key(key, now);
        }
    } catch (...) {
    }
}

void alert_engine::on_blacklist_status(std::string_view source, bool ok, std::string_view error) noexcept {
    try {
        const auto now = clock::now();
        std::lock_guard lock(impl_->mutex);
        auto& I = *impl_;
        const std::string name = net::sanitize_utf8(source, 128);
        const std::string key = "blacklist_update_failed|blacklist|" + name;
        if (!ok && I.active(check::blacklist_update_failed)) {
            const std::string why = net::sanitize_utf8(error, 512);
            I.engage(check::blacklist_update_failed, "blacklist_update_failed", "blacklist", name,
                     "blacklist " + name + " update failed (previous version kept): " + why,
                     boost::json::object{{"source", name}, {"error", why}}, now);
        } else if (ok) {
            I.release_key(key, now);
        }
    } catch (...) {
    }
}

void alert_engine::tick(clock::time_point now) noexcept {
    std::vector<std::pair<record_ptr, record>> work;
    try {
        std::lock_guard lock(impl_->mutex);
        auto& I = *impl_;
        if (!I.window_end) {
            I.window_start = now;
            I.window_end = now + I.settings.window;
        } else if (now >= *I.window_end) {
            I.close_window(now);
            I.window_start = now;
            I.window_end = now + I.settings.window;
        }
        // Event-driven alerts of a check switched off end at the next tick.
        for (auto it = I.engaged.begin(); it != I.engaged.end();) {
            auto next = std::next(it);
            if (!windowed(it->second->from) && !I.active(it->second->from)) I.release(it, now);
            it = next;
        }
        work.reserve(I.pending.size());
        for (auto& r : I.pending) {
            work.emplace_back(r, *r);   // a copy to write without the lock
            r->update_pending = false;
            r->release_pending = false;
            r->queued = false;
        }
        I.pending.clear();
    } catch (...) {
        return;
    }
    std::size_t done = 0;
    try {
        for (; done < work.size(); ++done) {
            auto& [ptr, copy] = work[done];
            bool posted = false;
            if (!copy.written) {
                copy.a.id = alerts_.insert(copy.a);
                std::lock_guard lock(impl_->mutex);
                ptr->a.id = copy.a.id;
                ptr->written = true;
                posted = true;
            } else {
                if (copy.update_pending) alerts_.update(copy.a.id, copy.a.severity, copy.a.message, copy.a.details);
                if (copy.release_pending && copy.a.ended_at) {
                    alerts_.release(copy.a.id, *copy.a.ended_at);
                    posted = true;
                }
            }
            if (posted && impl_->notify) impl_->notify->post(copy.a);
        }
    } catch (...) {
        stats_.db_errors.fetch_add(1, std::memory_order_relaxed);
        // Put the unwritten ones back, first in line, with their flags.
        std::lock_guard lock(impl_->mutex);
        for (std::size_t i = work.size(); i-- > done;) {
            auto& [ptr, copy] = work[i];
            ptr->update_pending = ptr->update_pending || copy.update_pending;
            ptr->release_pending = ptr->release_pending || copy.release_pending;
            if (!ptr->queued) {
                ptr->queued = true;
                impl_->pending.push_front(ptr);
            }
        }
    }
}

alert_preferences alert_engine::preferences() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->prefs;
}

void alert_engine::set_preferences(const alert_preferences& p) {
    impl_->prefs_store.put("alerts", to_json(p));
    {
        std::lock_guard lock(impl_->mutex);
        impl_->prefs = p;
    }
    if (impl_->notify) impl_->notify->configure(p.syslog, p.syslog_min, p.webhook_url, p.webhook_min);
}

std::vector<stored_alert> alert_engine::engaged() const {
    std::lock_guard lock(impl_->mutex);
    std::vector<stored_alert> out;
    for (const auto& [key, r] : impl_->engaged) out.push_back(r->a);
    return out;
}

}  // namespace wireflow::collector::alert
