#include "collector_app.hpp"

#include "ingest/ingest_service.hpp"
#include "ingest/log_limiter.hpp"
#include "store/history_retention.hpp"
#include "store/store.hpp"

#include <cstdio>
#include <stdexcept>
#include <thread>

namespace wireflow::collector::app {
namespace {

aggregate::host_table_config host_config(const collector_config& c) {
    aggregate::host_table_config h;
    h.locals = aggregate::local_networks(c.local_networks);
    h.local_idle_ns = static_cast<std::uint64_t>(c.local_host_idle_s) * aggregate::ns_per_s;
    h.remote_idle_ns = static_cast<std::uint64_t>(c.remote_host_idle_s) * aggregate::ns_per_s;
    return h;
}

}  // namespace

collector_app::collector_app(collector_config config)
    : config_(std::move(config)),
      aggregator_(host_config(config_)),
      db_(config_.db, static_cast<std::size_t>(config_.db_pool_size)),
      persister_(aggregator_, probe_registry_, host_store_, timeseries_, config_.timeseries_rollup_days) {
    // --retention-days covers every history table, not only flows (whose daily
    // partitions the database thread drops): hourly, in bounded chunks.
    schedule("retention", std::chrono::hours(1), [this](std::chrono::system_clock::time_point wall) {
        const auto cutoff = wall - std::chrono::hours(24) * config_.retention_days;
        const auto pruned = prune_history(db_, cutoff, wall);
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
}

collector_app::~collector_app() = default;

void collector_app::add_stored_listener(std::function<void(const flow_batch&)> f) {
    stored_listeners_.push_back(std::move(f));
}

void collector_app::add_before_store(std::function<void(flow_batch&)> f) { before_store_.push_back(std::move(f)); }

void collector_app::schedule(std::string name, std::chrono::milliseconds period,
                             std::function<void(std::chrono::system_clock::time_point)> task) {
    tasks_.push_back({std::move(name), period, std::move(task), {}});
}

void collector_app::stored(const flow_batch& b) {
    aggregator_.ingest(b);
    std::uint64_t latest = 0;
    for (const auto& r : b.records) latest = std::max(latest, r.last_seen_ns);
    if (latest > record_clock_ns_.load(std::memory_order_relaxed)) {
        record_clock_ns_.store(latest, std::memory_order_relaxed);
        record_clock_at_ns_.store(steady_ns(), std::memory_order_relaxed);
    }
    probes_view_.on_stored(b);
    for (const auto& f : stored_listeners_) f(b);
}

std::uint64_t collector_app::steady_ns() noexcept {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                          std::chrono::steady_clock::now().time_since_epoch())
                                          .count());
}

std::uint64_t collector_app::host_clock_ns() const noexcept {
    const std::uint64_t at = record_clock_at_ns_.load(std::memory_order_relaxed);
    if (at == 0) return 0;
    return record_clock_ns_.load(std::memory_order_relaxed) + (steady_ns() - at);
}

void collector_app::maintenance_loop(const std::atomic<bool>& stop) {
    ingest::log_limiter log(std::chrono::seconds(60));
    using clock = std::chrono::steady_clock;
    const auto tick = std::chrono::milliseconds(500);
    auto next_expire = clock::now() + std::chrono::seconds(2);
    auto next_persist = clock::now() + std::chrono::seconds(config_.host_persist_s);
    while (!stop.load()) {
        std::this_thread::sleep_for(tick);
        const auto now = clock::now();
        const auto wall = std::chrono::system_clock::now();
        probes_view_.observe(wall);
        if (!pools_.restored()) {
            try {
                pools_.restore();
                log.log("pools", "host pools restored from PostgreSQL");
            } catch (const std::exception& e) {
                log.log("pools", std::string("host pools not restored yet: ") + e.what());
            }
        }
        if (now >= next_expire) {
            // Record time advanced by the time elapsed since the latest
            // record: live capture purges on the wall clock, a replayed
            // capture on its own clock.
            if (const auto t = host_clock_ns()) aggregator_.expire(t);
            next_expire = now + std::chrono::seconds(2);
        }
        if (now >= next_persist) {
            if (!persister_.persist(wall)) log.log("persist", "hosts/time series not written (PostgreSQL down); kept");
            try {
                persister_.maybe_rollup(wall);
            } catch (const std::exception& e) {
                log.log("rollup", std::string("time series roll-up failed: ") + e.what());
            }
            next_persist = now + std::chrono::seconds(config_.host_persist_s);
        }
        for (auto& t : tasks_) {
            if (t.next.time_since_epoch().count() == 0) t.next = now + t.period;
            if (now < t.next) continue;
            t.next = now + t.period;
            try {
                t.run(wall);
            } catch (const std::exception& e) {
                log.log("task-" + t.name, "task " + t.name + " failed: " + e.what());
            }
        }
    }
}

void collector_app::run(const std::atomic<bool>& stop) {
    ingest::log_limiter log;
    try {
        store s(config_.db);
        s.migrate();
        pools_.restore();
    } catch (const store_error& e) {
        log.log("start", std::string("PostgreSQL not ready at start, pools restored later: ") + e.what());
    }

    ingest::ingest_settings settings;
    settings.listen = config_.listen;
    settings.max_message_bytes = config_.max_message_bytes;
    settings.spool_dir = std::filesystem::path(config_.data_dir) / "spool";
    settings.spool_max_bytes = config_.spool_max_bytes;
    settings.db.conninfo = config_.db;
    settings.db.retention_days = config_.retention_days;
    settings.db.on_stored = [this](const flow_batch& b) { stored(b); };
    if (!before_store_.empty())
        settings.db.before_store = [this](flow_batch& b) {
            for (const auto& f : before_store_) f(b);
        };
    if (config_.curve_enabled()) {
        settings.curve_secret_key = ingest::read_curve_secret_key(config_.curve_secret_key_file);
        settings.curve_allowed_keys = ingest::read_curve_allow_list(config_.curve_allow_keys_file);
    }
    ingest::ingest_service service(settings, stats_, probe_registry_);
    std::fprintf(stderr, "wireflow-collector: listening on %s%s, spool %s, HTTP %s (served by collector/http)\n",
                 service.endpoint().c_str(), config_.curve_enabled() ? " (CURVE)" : "",
                 settings.spool_dir.c_str(), config_.http.c_str());

    std::atomic<bool> stop_maintenance{false};
    std::thread maintenance([&] { maintenance_loop(stop_maintenance); });
    struct joiner {
        std::atomic<bool>& stop;
        std::thread& t;
        ~joiner() {
            stop = true;
            if (t.joinable()) t.join();
        }
    } join{stop_maintenance, maintenance};

    service.run(stop);  // returns after the database thread stored or spooled everything
    stop_maintenance = true;
    maintenance.join();
    // Last write of what the final batches added.
    if (!persister_.persist(std::chrono::system_clock::now()))
        log.log("persist", "final hosts/time series not written (PostgreSQL down)");
}

}  // namespace wireflow::collector::app
