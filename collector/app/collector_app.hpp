#pragma once
// The collector as one object: it owns every long-lived part and wires them.
//
//   ZeroMQ ROUTER -> ingest thread -> database thread (store: one connection)
//                                          | before_store: blacklist marks
//                                          | on_stored(batch): once per batch
//                                          |   committed as new, never for a duplicate
//                                          v
//                  aggregator (hosts, pools) + probes_view + alert engine
//   scheduler, quick lane: host purge, hosts/time-series persistence,
//       roll-up, retention, probe up/down, pool restore retry, alert ticks,
//       probe health, session purge
//   scheduler, blocking lane: blacklist refresh (downloads), reloads
//   HTTP (collector/http, its own threads) reads and changes all this
//   through api_adapter, the collector_api implementation.
//
// Why the aggregator is fed after the commit, from the database thread: a
// batch re-sent by a probe (no ack received) is a DUPLICATE there and is not
// counted again, and a batch spooled while PostgreSQL is down is counted when
// it is replayed into PostgreSQL. So the live totals equal what PostgreSQL
// holds, exactly once. (One exception, documented in db_writer: a commit whose
// outcome is unknown and which did happen is later reported duplicate, so its
// records are in PostgreSQL but not in the live totals.)
//
// Construction and run() are for main; counters() is for any thread.

#include "aggregate/aggregator.hpp"
#include "api_adapter.hpp"
#include "alert/alert_engine.hpp"
#include "alert/notifier.hpp"
#include "blacklist/blacklist_manager.hpp"
#include "collector_config.hpp"
#include "geo/batch_marker.hpp"
#include "geo/geo_locator.hpp"
#include "ingest/collector_stats.hpp"
#include "model/counter.hpp"
#include "store/alert_store.hpp"
#include "store/blacklist_source_store.hpp"
#include "http/web_server.hpp"
#include "store/db_pool.hpp"
#include "model/flow_batch.hpp"
#include "store/host_store.hpp"
#include "store/pool_store.hpp"
#include "store/preference_store.hpp"
#include "store/flow_query.hpp"
#include "store/flow_segments.hpp"
#include "store/timeseries_store.hpp"
#include "store/user_store.hpp"

#include "minute_persister.hpp"
#include "pool_service.hpp"
#include "probes_view.hpp"
#include "scheduler.hpp"

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace wireflow::collector::app {

// The notifier's settings from the options (--notify-allow-internal).
[[nodiscard]] alert::notifier_settings notify_settings_of(const collector_config& c);

class collector_app {
public:
    // Builds the parts and schedules their periodic work; nothing is bound
    // or connected yet (run() does). Throws std::invalid_argument for an
    // unusable configuration.
    explicit collector_app(collector_config config);
    ~collector_app();
    collector_app(const collector_app&) = delete;
    collector_app& operator=(const collector_app&) = delete;

    // Migrates the schema and restores the pools and alerts (retried later
    // when PostgreSQL is down), binds the ZeroMQ socket, prints the
    // "listening on" line, starts the scheduler and the web server and
    // receives until `stop`; then stops the web server, stores or spools what
    // was received, persists hosts and time series a last time and returns.
    // Throws on setup failure (socket, spool, HTTP address, TLS files).
    void run(const std::atomic<bool>& stop);

    // The counter table (status, /metrics, exit report). Any thread.
    [[nodiscard]] std::vector<counter_sample> counters() const;
    // The notification endpoints (--notify and the preferences') with their
    // delivery counters and last failure. Any thread.
    [[nodiscard]] std::vector<alert::endpoint_status> notify_endpoints() const { return notifier_.status(); }

private:
    void schedule_work();
    void stored(const flow_batch& b);
    // The alert engine's host -> pool name (names cached for 10 s).
    [[nodiscard]] std::string pool_name_of(const net::ip_address& ip, std::uint16_t vlan);
    [[nodiscard]] static std::uint64_t steady_ns() noexcept;
    [[nodiscard]] static std::uint64_t wall_ns() noexcept;
    // Host purge clock: the latest record time plus the time since it arrived.
    [[nodiscard]] std::uint64_t host_clock_ns() const noexcept;

    collector_config config_;
    // Before the aggregator, which locates new hosts with it.
    const geo::geo_locator geo_;
    // One cache per thread that marks batches: the database thread's (flows
    // to store) and the ingest thread's (interim reports of active flows).
    geo::batch_marker stored_geo_{geo_};
    geo::batch_marker active_geo_{geo_};
    ingest::collector_stats stats_;
    ingest::probe_registry probe_registry_;
    aggregate::aggregator aggregator_;
    aggregate::active_flows active_flows_;
    db_pool db_;
    pool_store pool_store_{db_};
    host_store host_store_{db_};
    timeseries_store timeseries_{db_};
    alert_store alert_rows_{db_};
    preference_store preferences_{db_};
    blacklist_source_store list_rows_{db_};
    pool_service pools_{aggregator_, pool_store_};
    const aggregate::mac_vendors vendors_{aggregate::mac_vendors::load(config_.oui_dir)};
    probes_view probes_view_{probe_registry_};
    minute_persister persister_;
    std::mutex pool_names_mutex_;
    std::map<std::uint32_t, std::string> pool_names_;
    std::chrono::steady_clock::time_point pool_names_at_{};
    alert::notifier notifier_{notify_settings_of(config_), alert::parse_endpoints(config_.notify)};
    alert::alert_engine alerts_;
    blacklist::blacklist_manager blacklists_;
    user_store users_{db_};
    flow_query flows_{db_};
    std::atomic<bool> alerts_restored_{false}, admin_checked_{false};
    std::atomic<std::uint64_t> record_clock_ns_{0}, record_clock_at_ns_{0};
    // Stopped before the scheduler: a seal or merge in progress is cancelled, not waited for.
    flow_segments::stopper segment_work_;
    app::scheduler scheduler_;
    api_adapter api_;
    // Last: destroyed first, so no request runs on a part already gone (and
    // the scheduler is stopped in the destructor before the parts go).
    http::web_server web_;
};

}  // namespace wireflow::collector::app
