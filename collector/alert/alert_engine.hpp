#pragma once
// The alert engine: typed checks over what the collector stores, engaged
// while their condition holds and released after, persisted in PostgreSQL and
// handed to the notifier.
//
// Threads (wired by collector/app):
//   on_stored(batch)          database thread, once per batch committed as new
//   on_probe_health(probes)   maintenance thread, every few seconds
//   on_blacklist_status(...)  blacklist manager's thread
//   on_nft_status(...)        blacklist manager's thread
//   tick(now)                 maintenance thread, every second: closes the
//                             window, engages/releases, writes to PostgreSQL
//   list / acknowledge / preferences / set_preferences   HTTP threads
// The hooks only update in-memory counters under one mutex (batch-level work,
// never per packet) and never touch the database; tick() does the writes, so
// a slow or absent PostgreSQL never blocks ingest (pending writes are kept,
// bounded, and retried at the next tick).
//
// The engine only wires its parts: alert_window (the counts of a window),
// window_checks / flow_checks / status_checks (findings, pure),
// alert_ledger (engaged alerts, one-shots, quiet periods) and alert_writer
// (the write queue to PostgreSQL and the notifier).
//
// Windowed checks (scans, floods, volumes, probe drops) count over a window
// of `window` wall-clock seconds (60 by default): at the end of each window a
// condition above its threshold engages the alert (or holds it, updating the
// message), and an engaged alert whose condition no longer holds is released.
// One-shot checks (blacklisted contact, flow risk, new device) are engaged and
// released at once, once per (type, entity) per quiet period.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "alert/alert_stats.hpp"
#include "alert/alert_types.hpp"
#include "net/ip_prefix.hpp"
#include "alert/alert_window.hpp"
#include "store/alert_store.hpp"
#include "model/flow_batch.hpp"
#include "store/preference_store.hpp"

namespace wireflow::collector::alert {

class notifier;

struct alert_engine_settings {
    std::vector<net::ip_prefix> local_networks;     // new devices, blacklist direction
    std::chrono::seconds window{60};
    std::size_t max_tracked_hosts{200'000};         // per window; beyond: not tracked, counted
    std::size_t max_pending_writes{100'000};        // alerts waiting for PostgreSQL; beyond: oldest dropped, counted
    // Host -> pool name (empty: no pool), for the pool volume check; called
    // from tick() once per active host and window. May be empty.
    std::function<std::string(const net::ip_address& ip, std::uint16_t vlan,
                              const std::optional<net::mac_address>& mac)> pool_of;
};

class alert_engine {
public:
    // `notify` may be null (no notifications). Nothing is read from the
    // database here: call restore().
    alert_engine(alert_engine_settings settings, alert_store& alerts, preference_store& prefs, notifier* notify);
    ~alert_engine();
    alert_engine(const alert_engine&) = delete;
    alert_engine& operator=(const alert_engine&) = delete;

    // Loads the preferences and the engaged alerts (they stay engaged until
    // their condition is evaluated again) and the known MACs. Throws store_error;
    // callable again (e.g. when PostgreSQL came back).
    void restore();

    // ---- hooks ----
    void on_stored(const flow_batch& batch) noexcept;
    void on_probe_health(std::span<const probe_health> probes) noexcept;
    // ok=false: engages blacklist_update_failed for the source; ok=true releases it.
    void on_blacklist_status(std::string_view source, bool ok, std::string_view error) noexcept;
    // ok=false: engages nft_sync_failed; ok=true releases it.
    void on_nft_status(bool ok, std::string_view error) noexcept;
    // Closes a window when due, then writes pending changes to PostgreSQL
    // (store errors are counted and retried next tick, never thrown).
    void tick(std::chrono::system_clock::time_point now) noexcept;

    // ---- REST ----
    [[nodiscard]] alert_page list(const alert_query& q) { return alerts_.list(q); }
    bool acknowledge(std::int64_t id, const std::string& user) { return alerts_.acknowledge(id, user); }
    [[nodiscard]] alert_preferences preferences() const;
    // Stores them (throws store_error) and applies them from the next tick.
    void set_preferences(const alert_preferences& p);
    // Engaged alerts as the engine holds them (ids are 0 until written).
    [[nodiscard]] std::vector<stored_alert> engaged() const;
    [[nodiscard]] const alert_engine_stats& stats() const noexcept { return stats_; }

private:
    struct impl;
    std::unique_ptr<impl> impl_;
    alert_store& alerts_;
    alert_engine_stats stats_;
};

}  // namespace wireflow::collector::alert
