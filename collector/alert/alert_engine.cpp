#include "alert/alert_engine.hpp"

#include <map>

#include "alert/alert_ledger.hpp"
#include "net/utf8.hpp"
#include "alert/alert_writer.hpp"
#include "alert/flow_checks.hpp"
#include "alert/flow_risk_names.hpp"
#include "alert/network_checks.hpp"
#include "alert/notifier.hpp"
#include "alert/status_checks.hpp"
#include "alert/window_checks.hpp"

namespace wireflow::collector::alert {
namespace {

using clock = std::chrono::system_clock;

// The check of a stored alert type (restore): types are stable names.
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
        {"blacklist_update_failed", check::blacklist_update_failed}, {"flow_risk", check::flow_risk},
        {"syn_flood_attacker", check::syn_flood}, {"syn_flood_victim", check::syn_flood},
        {"dns_flood_attacker", check::dns_flood}, {"dns_flood_victim", check::dns_flood},
        {"long_lived_flow", check::long_lived_flow}, {"elephant_flow", check::elephant_flow},
        {"remote_to_local_insecure_protocol", check::insecure_protocol},
        {"host_packets", check::host_packets}, {"pool_packets", check::pool_packets},
        {"pool_flows", check::pool_flows}, {"probe_spool_growing", check::probe_spool_growing},
        {"nft_sync_failed", check::nft_sync_failed},
        {"unexpected_dns_server", check::unexpected_server}, {"unexpected_ntp_server", check::unexpected_server},
        {"unexpected_smtp_server", check::unexpected_server}, {"unexpected_dhcp_server", check::unexpected_server},
        {"ip_mac_change", check::ip_mac_change}, {"tcp_no_data", check::tcp_no_data}};
    if (risk_type_named(type)) return check::flow_risk;   // one type per nDPI risk
    const auto it = types.find(type);
    if (it == types.end()) return std::nullopt;
    return it->second;
}

}  // namespace

struct alert_engine::impl {
    alert_engine_settings settings;
    preference_store& prefs_store;
    notifier* notify;
    alert_engine_stats& stats;
    const local_networks local;

    mutable std::mutex mutex;   // everything below
    alert_preferences prefs = default_preferences();
    alert_writer writer;
    alert_ledger ledger;
    alert_window window;
    known_devices devices;
    address_bindings bindings;
    std::optional<clock::time_point> window_end;

    impl(alert_engine_settings s, alert_store& a, preference_store& p, notifier* n, alert_engine_stats& st)
        : settings(std::move(s)),
          prefs_store(p),
          notify(n),
          stats(st),
          local(settings.local_networks),
          writer(a, n, settings.max_pending_writes, st),
          ledger([this](const record_ptr& r) { writer.queue(r); }, st),
          window(settings.max_tracked_hosts) {
        if (settings.window.count() <= 0) settings.window = std::chrono::seconds(60);
    }

    [[nodiscard]] bool active(check c) const { return prefs.enabled && prefs[c].enabled; }
    [[nodiscard]] check_filter active_filter() const {
        return [this](check c) { return active(c); };
    }

    void engage(finding f, clock::time_point now) {
        const severity level = f.level.value_or(prefs[f.from].level);
        ledger.engage(std::move(f), level, now);
    }

    void apply(status_change change, clock::time_point now) {
        if (change.engage) engage(std::move(*change.engage), now);
        else ledger.release(change.key, now);
    }

    void close_window(clock::time_point now) {
        if (prefs.enabled)
            for (auto& f : window_findings(window, prefs, settings.window, settings.pool_of)) engage(std::move(f), now);
        ledger.close_window(active_filter(), now);
        window.reset();
        ledger.forget_quiet(prefs.quiet_period, now);
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
    for (auto& a : engaged)
        if (const auto c = check_of_type(a.type)) impl_->ledger.adopt(std::move(a), *c);
    for (const auto& m : macs)
        if (const auto mac = net::mac_address::parse(m)) impl_->devices.learn(*mac);
    if (impl_->notify)
        impl_->notify->configure(impl_->prefs.syslog, impl_->prefs.syslog_min, impl_->prefs.webhook_url,
                                 impl_->prefs.webhook_min);
}

void alert_engine::on_stored(const flow_batch& batch) noexcept {
    try {
        const auto now = clock::now();
        std::lock_guard lock(impl_->mutex);
        auto& I = *impl_;
        if (!I.prefs.enabled) return;
        const window_caps caps = caps_for(I.prefs);
        for (const auto& r : batch.records) {
            if (const auto lost = I.window.count(r, caps)) stats_.untracked_hosts.fetch_add(lost, std::memory_order_relaxed);
            auto found = flow_findings(batch, r, I.prefs, I.local, I.devices);
            for (auto& f : network_findings(r, batch.id.probe_id, I.prefs, I.local, I.bindings))
                found.push_back(std::move(f));
            for (auto& f : found) {
                const severity level = f.level.value_or(I.prefs[f.from].level);
                I.ledger.one_shot(std::move(f), level, I.prefs.quiet_period, now);
            }
        }
    } catch (...) {
        // bad_alloc: the batch is stored; losing its alert counts is the lesser harm.
    }
}

void alert_engine::on_probe_health(std::span<const probe_health> probes) noexcept {
    try {
        const auto now = clock::now();
        std::lock_guard lock(impl_->mutex);
        for (const auto& p : probes) {
            impl_->window.count(p);
            impl_->apply(probe_silence(p, impl_->prefs), now);
        }
    } catch (...) {
    }
}

void alert_engine::on_blacklist_status(std::string_view source, bool ok, std::string_view error) noexcept {
    try {
        const auto now = clock::now();
        std::lock_guard lock(impl_->mutex);
        if (auto change = blacklist_status(source, ok, error, impl_->prefs)) impl_->apply(std::move(*change), now);
    } catch (...) {
    }
}

void alert_engine::on_nft_status(bool ok, std::string_view error) noexcept {
    try {
        const auto now = clock::now();
        std::lock_guard lock(impl_->mutex);
        if (auto change = nft_status(ok, error, impl_->prefs)) impl_->apply(std::move(*change), now);
    } catch (...) {
    }
}

void alert_engine::tick(clock::time_point now) noexcept {
    std::vector<pending_write> work;
    try {
        std::lock_guard lock(impl_->mutex);
        auto& I = *impl_;
        if (!I.window_end) {
            I.window_end = now + I.settings.window;
        } else if (now >= *I.window_end) {
            I.close_window(now);
            I.window_end = now + I.settings.window;
        }
        // Event-driven alerts of a check switched off end at the next tick.
        I.ledger.release_inactive(I.active_filter(), now);
        work = I.writer.take();
    } catch (...) {
        return;
    }
    impl_->writer.write(work, impl_->mutex);
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
    return impl_->ledger.engaged();
}

}  // namespace wireflow::collector::alert
