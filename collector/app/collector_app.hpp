#pragma once
// The collector as one object: it owns every long-lived part and wires them.
//
//   ZeroMQ ROUTER -> ingest thread -> database thread (store: one connection)
//                                          | on_stored(batch): once per batch
//                                          |   committed as new, never for a duplicate
//                                          v
//                  aggregator (hosts, pools) + probes_view + on_stored listeners (alerts)
//   maintenance thread: host purge, hosts/time-series persistence, roll-up,
//                       probe up/down, pool restore retry, scheduled tasks
//   HTTP (collector/http) reads through the accessors below.
//
// Why the aggregator is fed after the commit, from the database thread: a
// batch re-sent by a probe (no ack received) is a DUPLICATE there and is not
// counted again, and a batch spooled while PostgreSQL is down is counted when
// it is replayed into PostgreSQL. So the live totals equal what PostgreSQL
// holds, exactly once. (One exception, documented in db_writer: a commit whose
// outcome is unknown and which did happen is later reported duplicate, so its
// records are in PostgreSQL but not in the live totals.)
//
// Thread-safety: the accessors return objects that are themselves safe to
// use from any thread (see each header). Construction and run() are for main.

#include "aggregate/aggregator.hpp"
#include "collector_config.hpp"
#include "ingest/collector_stats.hpp"
#include "store/db_pool.hpp"
#include "store/flow_batch.hpp"
#include "store/host_store.hpp"
#include "store/pool_store.hpp"
#include "store/timeseries_store.hpp"

#include "minute_persister.hpp"
#include "pool_service.hpp"
#include "probes_view.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace wireflow::collector::alert {
class alert_engine;  // collector/alert (h10b)
}
namespace wireflow::collector::blacklist {
class blacklist_manager;  // collector/blacklist (h10b)
}

namespace wireflow::collector::app {

class collector_app {
public:
    // Builds the parts; nothing is bound or connected yet (run() does).
    // Throws std::invalid_argument for an unusable configuration.
    explicit collector_app(collector_config config);
    ~collector_app();
    collector_app(const collector_app&) = delete;
    collector_app& operator=(const collector_app&) = delete;

    // Before run(): called on the database thread with every batch committed
    // as new (see above). Must be quick and must not throw.
    void add_stored_listener(std::function<void(const flow_batch&)> f);
    // Before run(): called on the database thread for every batch right
    // before it is written (also when replayed from the spool), e.g. to set
    // blacklist marks. Must be quick and must not throw.
    void add_before_store(std::function<void(flow_batch&)> f);
    // Before run(): a task for the maintenance thread, every `period`
    // (first run one period after start). Exceptions are caught and logged
    // (rate-limited); the task runs again next period.
    void schedule(std::string name, std::chrono::milliseconds period,
                  std::function<void(std::chrono::system_clock::time_point now)> task);
    // Slots for h10b's parts; main attaches them before run(). Not owned.
    void attach(alert::alert_engine& e) noexcept { alerts_ = &e; }
    void attach(blacklist::blacklist_manager& b) noexcept { blacklists_ = &b; }

    // Migrates the schema and restores the pools (retried later when
    // PostgreSQL is down), binds the ZeroMQ socket, prints the "listening on"
    // line, starts the maintenance thread and receives until `stop`; then
    // stores or spools what was received, persists hosts and time series a
    // last time and returns. Throws on setup failure (socket, spool).
    void run(const std::atomic<bool>& stop);

    // ---- for HTTP handlers (any thread) ----
    [[nodiscard]] const collector_config& config() const noexcept { return config_; }
    [[nodiscard]] ingest::collector_stats& stats() noexcept { return stats_; }
    [[nodiscard]] ingest::probe_registry& probe_registry() noexcept { return probe_registry_; }
    [[nodiscard]] aggregate::aggregator& aggregator() noexcept { return aggregator_; }
    [[nodiscard]] db_pool& db() noexcept { return db_; }
    [[nodiscard]] timeseries_store& timeseries() noexcept { return timeseries_; }
    [[nodiscard]] host_store& host_history() noexcept { return host_store_; }
    [[nodiscard]] pool_service& pools() noexcept { return pools_; }
    [[nodiscard]] probes_view& probes() noexcept { return probes_view_; }
    [[nodiscard]] alert::alert_engine* alert_engine() const noexcept { return alerts_; }
    [[nodiscard]] blacklist::blacklist_manager* blacklist_manager() const noexcept { return blacklists_; }

private:
    struct task {
        std::string name;
        std::chrono::milliseconds period;
        std::function<void(std::chrono::system_clock::time_point)> run;
        std::chrono::steady_clock::time_point next;
    };
    void stored(const flow_batch& b);
    void maintenance_loop(const std::atomic<bool>& stop);
    [[nodiscard]] static std::uint64_t steady_ns() noexcept;
    // Host purge clock: the latest record time plus the time since it arrived.
    [[nodiscard]] std::uint64_t host_clock_ns() const noexcept;

    collector_config config_;
    ingest::collector_stats stats_;
    ingest::probe_registry probe_registry_;
    aggregate::aggregator aggregator_;
    db_pool db_;
    pool_store pool_store_{db_};
    host_store host_store_{db_};
    timeseries_store timeseries_{db_};
    pool_service pools_{aggregator_, pool_store_};
    probes_view probes_view_{probe_registry_};
    minute_persister persister_;
    std::vector<std::function<void(const flow_batch&)>> stored_listeners_;
    std::vector<std::function<void(flow_batch&)>> before_store_;
    std::vector<task> tasks_;
    std::atomic<std::uint64_t> record_clock_ns_{0}, record_clock_at_ns_{0};
    alert::alert_engine* alerts_{nullptr};
    blacklist::blacklist_manager* blacklists_{nullptr};
};

}  // namespace wireflow::collector::app
