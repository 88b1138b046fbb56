#include "collector_app.hpp"

#include "counter_table.hpp"
#include "own_peers.hpp"
#include "ingest/ingest_service.hpp"
#include "ingest/log_limiter.hpp"
#include "store/flow_segments.hpp"
#include "store/history_retention.hpp"
#include "store/store.hpp"
#include "privileges.hpp"

#include <array>
#include <filesystem>

#include <cstdio>
#include <stdexcept>

namespace wireflow::collector::app {
namespace {

using wall_time = std::chrono::system_clock::time_point;

// --geoip-*: a named file that cannot be opened is bad configuration; no
// database at all is only said, once.
geo::geo_locator open_geo(const collector_config& c) {
    try {
        geo::geo_locator g(geo::geo_settings{c.geoip_country, c.geoip_asn, c.geoip_legacy_dir});
        std::fprintf(stderr, "wireflow-collector: %s\n", g.describe().c_str());
        return g;
    } catch (const std::runtime_error& e) {
        throw std::invalid_argument(std::string("--geoip-country/--geoip-asn: ") + e.what());
    }
}

aggregate::host_table_config host_config(const collector_config& c, const geo::geo_locator& geo) {
    aggregate::host_table_config h;
    if (geo.enabled()) h.locate = [&geo](const net::ip_address& a) { return geo.locate(a); };
    h.locals = aggregate::local_networks(c.local_networks);
    h.local_idle_ns = static_cast<std::uint64_t>(c.local_host_idle_s) * aggregate::ns_per_s;
    h.remote_idle_ns = static_cast<std::uint64_t>(c.remote_host_idle_s) * aggregate::ns_per_s;
    return h;
}

http::web_settings web_config(const collector_config& c) {
    http::web_settings w;
    w.listen = c.http;
    w.tls_cert = c.tls_cert;
    w.tls_key = c.tls_key;
    w.threads = static_cast<unsigned>(c.http_threads);
    w.disable_login = c.disable_login;
    w.session_idle = std::chrono::seconds(c.disable_autologout ? 0 : c.session_idle_s);
    w.ui_dir = c.ui_dir;
    w.hosts = c.http_hosts;
    w.max_connections = static_cast<unsigned>(c.http_max_connections);
    w.admin_password_file = c.admin_password_file;
    w.data_dir = c.data_dir;
    return w;
}

blacklist::manager_settings list_settings(const collector_config& c, user_store& users) {
    blacklist::manager_settings s;
    s.blacklist_options = c.blacklists;
    s.nft_file = c.nft_file;
    s.nft_command = c.nft_command;
    s.limits.min_prefix_v4 = static_cast<unsigned>(c.blacklist_min_prefix_v4);
    s.limits.min_prefix_v6 = static_cast<unsigned>(c.blacklist_min_prefix_v6);
    s.spared_peers = [sources = peer_sources{c.db, endpoint_port(c.listen),
                                             [&users] { return users.session_addresses(); }}] {
        return own_peers(sources);
    };
    return s;
}

}  // namespace

alert::notifier_settings notify_settings_of(const collector_config& c) {
    alert::notifier_settings s;
    s.delivery.allow_internal = c.notify_allow_internal;
    return s;
}

collector_app::collector_app(collector_config config)
    : config_(std::move(config)),
      geo_(open_geo(config_)),
      aggregator_(host_config(config_, geo_)),
      active_flows_(aggregate::active_flows_config{.capacity = config_.max_active_flows}),
      db_(config_.db, static_cast<std::size_t>(config_.db_pool_size), std::chrono::seconds(5),
          std::chrono::milliseconds(config_.db_statement_timeout_ms)),
      persister_(aggregator_, probe_registry_, host_store_, timeseries_, config_.timeseries_rollup_days),
      alerts_(
          [this] {
              alert::alert_engine_settings a;
              a.local_networks = config_.local_networks;
              a.window = std::chrono::seconds(config_.alert_window_s);
              a.pool_of = [this](const net::ip_address& ip, std::uint16_t vlan,
                                 const std::optional<net::mac_address>&) {
                  return pool_name_of(ip, vlan);
              };
              return a;
          }(),
          alert_rows_, preferences_, &notifier_),
      blacklists_(list_settings(config_, users_), &list_rows_),
      api_(api_parts{[this] { return counters(); }, aggregator_, active_flows_, pools_, probes_view_, host_store_, timeseries_, flows_,
                     users_, alerts_, blacklists_, notifier_, scheduler_, vendors_, geo_}),
      web_(api_, web_config(config_)) {
    // Flows are marked before they are stored and checked once stored.
    blacklists_.on_status(
        [this](std::string_view s, bool ok, std::string_view e) { alerts_.on_blacklist_status(s, ok, e); });
    blacklists_.on_nft_status([this](bool ok, std::string_view e) { alerts_.on_nft_status(ok, e); });
    schedule_work();
}

collector_app::~collector_app() {
    web_.stop();
    segment_work_.stop(db_);
    scheduler_.stop();
}

void collector_app::schedule_work() {
    using std::chrono::milliseconds;
    using std::chrono::seconds;
    auto& s = scheduler_;
    s.every("probes", milliseconds(500), [this](wall_time now) { probes_view_.observe(now); });
    s.every("pools", seconds(1), [this](wall_time) {
        if (pools_.restored()) return;
        pools_.restore();  // throws while PostgreSQL is away: retried, logged rate-limited
        std::fprintf(stderr, "wireflow-collector: host pools restored from PostgreSQL\n");
    });
    // Record time advanced by the time elapsed since the latest record: live
    // capture purges on the wall clock, a replayed capture on its own clock.
    s.every("host-purge", seconds(2), [this](wall_time) {
        if (const auto t = host_clock_ns()) aggregator_.expire(t);
    });
    const auto persist_every = seconds(config_.host_persist_s);
    s.every("persist", persist_every, [this](wall_time now) {
        if (!persister_.persist(now)) throw std::runtime_error("hosts/time series not written (PostgreSQL down); kept");
    });
    s.every("rollup", persist_every, [this](wall_time now) { persister_.maybe_rollup(now); });
    // --retention-days covers every history table, not only flows (whose daily
    // partitions the database thread drops): hourly, in bounded chunks.
    s.every("retention", std::chrono::hours(1), [this](wall_time now) {
        const auto pruned = prune_history(db_, now - std::chrono::hours(24) * config_.retention_days, now);
        if (pruned.total() != 0)
            std::fprintf(stderr,
                         "wireflow-collector: retention pruned %llu probe_stats, %llu batch ids, %llu alerts, "
                         "%llu hourly points, %llu expired sessions\n",
                         static_cast<unsigned long long>(pruned.probe_stats),
                         static_cast<unsigned long long>(pruned.ingested_batches),
                         static_cast<unsigned long long>(pruned.alerts),
                         static_cast<unsigned long long>(pruned.timeseries_hourly),
                         static_cast<unsigned long long>(pruned.sessions));
    });
    // Preferences and engaged alerts: restored in run() before the first
    // batch can arrive; a database not migrated yet has neither, so retried.
    s.every("alerts", seconds(1), [this](wall_time now) {
        if (!alerts_restored_) alerts_.restore();
        alerts_restored_ = true;
        alerts_.tick(now);
    });
    s.every("probe-health", seconds(5), [this](wall_time now) {
        std::vector<alert::probe_health> health;
        const auto now_ns = static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count());
        for (const auto& p : probes_view_.list(now))
            health.push_back({p.probe_id, p.boot_id, p.up,
                              now_ns > p.last_seen_ns ? (now_ns - p.last_seen_ns) / 1'000'000'000 : 0, p.packets,
                              p.nic_drops, p.export_drops, p.sequence_gaps, p.batches_pending});
        alerts_.on_probe_health(health);
    });
    // Sessions idle or expired: deleted (they are refused anyway).
    s.every("sessions", std::chrono::minutes(10), [this](wall_time) {
        (void)users_.purge_sessions(std::chrono::seconds(config_.disable_autologout ? 0 : config_.session_idle_s));
    });
    // admin/admin in an empty users table, once PostgreSQL answers.
    s.every("default-admin", seconds(1), [this](wall_time) {
        if (!admin_checked_) admin_checked_ = web_.ensure_default_admin();
    });
    // Segments of the flows table (store/flow_segments.hpp): the next one
    // opened ahead of its start, the open one's Bloom filters summarized and
    // its statistics gathered as it grows, one ended segment sealed per
    // tick. The blocking lane: a seal builds two b-trees over millions of
    // rows (seconds), never on the writer's thread.
    s.every(
        "flow-segments", seconds(2),
        [this](wall_time) {
            flow_segments::settings st;
            st.target_rows = config_.flow_segment_rows;
            st.min_span = seconds(config_.flow_segment_min_seconds);
            flow_segments::open_segments(db_, st);
            flow_segments::summarize_open_segments(db_, st);
            flow_segments::analyze_open_segments(db_, st);
            if (const auto done = flow_segments::seal_next(db_, st, &segment_work_))
                std::fprintf(stderr, "wireflow-collector: sealed %s (%llu rows) in %.1f s\n", done->name.c_str(),
                             static_cast<unsigned long long>(done->rows), done->seconds);
        },
        scheduler::lane::blocking);
    // Sealed segments merged into fewer leaves, today's 8 at a time and a
    // past day's up to --flow-merge-rows (minutes each): its own lane, so
    // seals and blacklist reloads never wait for it.
    s.every(
        "flow-merge", seconds(10),
        [this, waits = std::uint64_t{0}](wall_time) mutable {
            flow_segments::settings st;
            st.target_rows = config_.flow_segment_rows;
            st.merge_rows = config_.flow_merge_rows;
            const auto done = flow_segments::merge_next(db_, st, &segment_work_);
            if (done && done->swapped) {
                std::fprintf(stderr, "wireflow-collector: merged %zu segments into %s (%llu rows) in %.1f s\n",
                             done->segments, done->name.c_str(), static_cast<unsigned long long>(done->rows),
                             done->seconds);
                waits = 0;
            } else if (done && (++waits == 1 || waits % 30 == 0)) {
                // Once, then every 5 min: a copy that cannot be swapped in (a query or VACUUM holding its day).
                std::fprintf(stderr, "wireflow-collector: %s (%zu segments) is made; its day is busy, swap tried %llu times\n",
                             done->name.c_str(), done->segments, static_cast<unsigned long long>(waits));
            }
        },
        scheduler::lane::background);
    // Lists download: the blocking lane.
    s.every(
        "blacklists", seconds(5),
        [this, restored = false](wall_time now) mutable {
            if (!restored) restored = blacklists_.restore().empty();
            blacklists_.tick(now);
        },
        scheduler::lane::blocking);
}

std::vector<counter_sample> collector_app::counters() const {
    auto t = counter_table(stats_, aggregator_.hosts(), alerts_.stats(), alerts_.engaged().size());
    add_http_counters(t, web_.stats());
    add_active_flow_counters(t, stats_.active_reports_received.load(std::memory_order_relaxed), active_flows_.counters(), active_flows_.size());
    return t;
}

std::string collector_app::pool_name_of(const net::ip_address& ip, std::uint16_t vlan) {
    const auto host = aggregator_.host(ip, vlan);
    if (!host || host->pool == aggregate::no_pool) return {};
    std::lock_guard lock(pool_names_mutex_);
    if (std::chrono::steady_clock::now() - pool_names_at_ > std::chrono::seconds(10)) {
        pool_names_.clear();
        for (const auto& p : aggregator_.pools_snapshot()) pool_names_[p.id] = p.name;
        pool_names_at_ = std::chrono::steady_clock::now();
    }
    const auto it = pool_names_.find(host->pool);
    return it == pool_names_.end() ? std::string() : it->second;
}

void collector_app::stored(const flow_batch& b) {
    aggregator_.ingest(b);
    active_flows_.on_stored(b);  // final records end their active flows
    std::uint64_t latest = 0;
    for (const auto& r : b.records) latest = std::max(latest, r.last_seen_ns);
    if (latest > record_clock_ns_.load(std::memory_order_relaxed)) {
        record_clock_ns_.store(latest, std::memory_order_relaxed);
        record_clock_at_ns_.store(steady_ns(), std::memory_order_relaxed);
    }
    probes_view_.on_stored(b);
    alerts_.on_stored(b);
}

std::uint64_t collector_app::steady_ns() noexcept {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                          std::chrono::steady_clock::now().time_since_epoch())
                                          .count());
}

std::uint64_t collector_app::wall_ns() noexcept {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
}

std::uint64_t collector_app::host_clock_ns() const noexcept {
    const std::uint64_t at = record_clock_at_ns_.load(std::memory_order_relaxed);
    if (at == 0) return 0;
    return record_clock_ns_.load(std::memory_order_relaxed) + (steady_ns() - at);
}

void collector_app::run(const std::atomic<bool>& stop) {
    ingest::log_limiter log;
    web_.start();
    // --user: the HTTP socket is bound; the spool and everything after runs unprivileged.
    wireflow::drop_privileges(config_.user, std::array{std::filesystem::path(config_.data_dir)});
    try {
        store s(config_.db);
        s.migrate();
        pools_.restore();
        alerts_.restore();
        alerts_restored_ = true;
        admin_checked_ = web_.ensure_default_admin();
    } catch (const store_error& e) {
        log.log("start", std::string("PostgreSQL not ready at start, pools and alerts restored later: ") + e.what());
    }

    ingest::ingest_settings settings;
    settings.listen = config_.listen;
    settings.max_message_bytes = config_.max_message_bytes;
    settings.max_inflight_bytes = config_.ingest_buffer_bytes;
    settings.peer_queue_messages = config_.peer_queue_messages;
    settings.max_probes = config_.max_probes;
    settings.max_probe_ports = config_.max_probe_ports;
    settings.records.max_future = std::chrono::seconds(config_.record_max_future_s);
    settings.records.max_age = std::chrono::hours(24) * config_.record_max_age_days;
    settings.spool_dir = std::filesystem::path(config_.data_dir) / "spool";
    settings.spool_max_bytes = config_.spool_max_bytes;
    settings.db.conninfo = config_.db;
    settings.db.retention_days = config_.retention_days;
    settings.db.on_stored = [this](const flow_batch& b) { stored(b); };
    settings.db.before_store = [this](flow_batch& b) {
        blacklists_.mark(b);
        stored_geo_.mark(b);  // the database thread: stored_geo_ is its own
    };
    // Interim reports (issue 15): marked like stored flows, then kept in memory only.
    settings.on_active = [this](flow_batch& b, const active_report& meta) {
        blacklists_.mark(b);
        active_geo_.mark(b);  // the ingest thread: active_geo_ is its own
        active_flows_.update(b, meta, wall_ns());
    };
    if (config_.curve_enabled()) {
        settings.curve_secret_key = ingest::read_curve_secret_key(config_.curve_secret_key_file);
        settings.curve_allow = ingest::read_curve_allow_list(config_.curve_allow_keys_file);
        std::size_t unbound = 0;
        for (const auto& [key, ids] : settings.curve_allow) unbound += ids.empty() ? 1 : 0;
        if (unbound != 0)
            std::fprintf(stderr,
                         "wireflow-collector: warning: %zu allow-listed CURVE key(s) without probes=: each may send "
                         "as any probe id (bind them in %s)\n",
                         unbound, config_.curve_allow_keys_file.c_str());
    } else {
        // Without CURVE the probe id in a batch is whatever the sender wrote.
        std::fprintf(stderr, "wireflow-collector: probe identities are unauthenticated (no CURVE): any sender that "
                             "reaches %s can write flows as any probe\n",
                     config_.listen.c_str());
        if (!config_.listen_is_loopback())
            std::fprintf(stderr, "wireflow-collector: warning: ZeroMQ listens beyond loopback (%s) without CURVE; "
                                 "set --curve-secret-key-file and --curve-allow-keys-file\n",
                         config_.listen.c_str());
    }
    ingest::ingest_service service(settings, stats_, probe_registry_);
    std::fprintf(stderr, "wireflow-collector: listening on %s%s, spool %s, HTTP %s (served by collector/http)\n",
                 service.endpoint().c_str(), config_.curve_enabled() ? " (CURVE)" : "",
                 settings.spool_dir.c_str(), config_.http.c_str());

    scheduler_.start();
    service.run(stop);  // returns after the database thread stored or spooled everything
    web_.stop();
    segment_work_.stop(db_);  // minutes of seal or copy would outlast systemd's stop timeout
    scheduler_.stop();
    // Last write of what the final batches added.
    if (!persister_.persist(std::chrono::system_clock::now()))
        log.log("persist", "final hosts/time series not written (PostgreSQL down)");
}

}  // namespace wireflow::collector::app
