#pragma once
// Every --host-persist-s seconds (60 by default), on the maintenance thread:
// drains the aggregator's per-interval deltas and writes
//   - the hosts table: local hosts' increments (host_store::upsert), so
//     history survives purge from memory and restarts;
//   - time series at 1-minute resolution (timeseries_store::write), minute =
//     the start of the interval's minute on the collector's clock:
//       scope "host"  id "IP@VLAN"   bytes_sent bytes_rcvd packets_sent packets_rcvd flows  (local hosts)
//       scope "pool"  id pool id     the same five metrics ("0" = unassigned)
//       scope "app"   id app name    bytes packets flows
//       scope "probe" id probe id    bytes packets flows drops  (deltas of ProbeStats counters:
//                                    NIC rx, flows created, NIC + ring + export drops)
//       scope "interface" id "PROBE/PORT"  bytes packets drops
//       scope "global" id ""         bytes packets flows hosts (hosts: live hosts, a level)
// Once an hour, minutes older than --timeseries-rollup-days go to the hourly table.
//
// A failed write (PostgreSQL down) keeps the drained deltas and adds the
// next ones to them: host totals lose nothing while the database is away;
// time-series samples are kept up to max_pending_samples (newest kept).

#include "aggregate/aggregator.hpp"
#include "ingest/collector_stats.hpp"
#include "store/host_store.hpp"
#include "store/timeseries_store.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace wireflow::collector::app {

class minute_persister {
public:
    minute_persister(aggregate::aggregator& live, const ingest::probe_registry& probes, host_store& hosts,
                     timeseries_store& series, int rollup_days)
        : live_(live), probes_(probes), hosts_(hosts), series_(series), rollup_days_(rollup_days) {}

    // Drains and writes; returns false when the write failed (kept for next time).
    bool persist(std::chrono::system_clock::time_point now);
    // Rolls up when the last roll-up is more than an hour old. Returns rows moved.
    std::uint64_t maybe_rollup(std::chrono::system_clock::time_point now);

    [[nodiscard]] std::uint64_t writes() const noexcept { return writes_; }
    [[nodiscard]] std::uint64_t failures() const noexcept { return failures_; }
    [[nodiscard]] std::uint64_t samples_dropped() const noexcept { return samples_dropped_; }

    static constexpr std::size_t max_pending_samples = 2'000'000;

private:
    struct probe_counters {
        std::uint64_t boot_id{0};
        std::uint64_t bytes{0}, packets{0}, flows{0}, drops{0};
        std::map<std::uint32_t, std::array<std::uint64_t, 3>> ports;  // bytes packets drops
    };
    void add_probe_samples(std::int64_t minute_s);

    aggregate::aggregator& live_;
    const ingest::probe_registry& probes_;
    host_store& hosts_;
    timeseries_store& series_;
    int rollup_days_;

    // Pending (not yet written) data.
    std::map<std::pair<std::string, std::uint16_t>, host_update> pending_hosts_;
    std::vector<ts_sample> pending_samples_;
    std::map<std::string, probe_counters, std::less<>> probe_last_;
    std::chrono::system_clock::time_point last_rollup_{};
    std::uint64_t writes_{0}, failures_{0}, samples_dropped_{0};
};

}  // namespace wireflow::collector::app
