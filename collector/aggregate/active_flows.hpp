#pragma once
// The collector's in-memory table of flows still in progress (issue 15).
//
// Probes report each live flow's counters every few seconds (ActiveFlows,
// lossy); the table keeps the latest report per (probe, boot, flow id) and
// answers GET /api/v1/flows?state=active. A flow leaves the table when
//   - its final record is stored (any end reason but active_timeout), or
//   - no report mentioned it for 3 of its probe's periods (at least
//     min_ttl_ns): the probe stopped, lost the flow, or dropped reports.
// A report that arrives after the flow's final record (sent just before the
// flow ended) is ignored for min_ttl_ns.
// An active-timeout record ends only a period of the flow: its counters move
// into the flow's `base`, so the table shows the flow's whole life so far.
// Nothing here is stored: flow records and their exactly-once path are
// untouched.
//
// Bounded: at most `capacity` flows (a new flow beyond is dropped, counted;
// known flows still update). Keys come from probes, so the index hashes them
// with the keyed hash (common/hash.hpp), as the host table does.
//
// Threads: the ingest thread updates, the database thread ends flows, HTTP
// threads query. One mutex: an update holds it for one report, a query for
// one scan; neither is on a packet path.

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "hash.hpp"
#include "host_pools.hpp"
#include "model/active_flow.hpp"
#include "model/flow_batch.hpp"
#include "model/flow_view.hpp"

namespace wireflow::collector::aggregate {

struct active_flows_config {
    std::size_t capacity{500'000};
    std::uint64_t min_ttl_ns{15'000'000'000};  // a flow is kept this long without a report at least
    hash_key key{process_hash_key()};
};

struct active_flows_counters {
    std::uint64_t reports{0};       // ActiveFlows messages applied
    std::uint64_t updates{0};       // flow entries in them
    std::uint64_t dropped_full{0};  // new flows refused: table at capacity
    std::uint64_t ended{0};         // removed by their final record
    std::uint64_t expired{0};       // removed for want of reports
};

// The pool of one side of a flow (the aggregator's host pools); only asked
// when a query filters by pool.
using pool_match = std::function<pool_id(const ip_address&, std::uint16_t vlan, const mac_address*)>;

class active_flows {
public:
    explicit active_flows(active_flows_config config = {});
    active_flows(const active_flows&) = delete;
    active_flows& operator=(const active_flows&) = delete;

    // One report of one probe. now_ns: the collector's clock (expiry runs on
    // it, never on the probe's).
    void update(const flow_batch& report, const active_report& meta, std::uint64_t now_ns);
    // Records the database stored: final ones end their flow.
    void on_stored(const flow_batch& stored);
    // Forgets flows not reported for their time to live.
    void expire(std::uint64_t now_ns);

    [[nodiscard]] flow_page query(const active_filter& f, std::uint64_t now_ns, const pool_match& pool = {}) const;
    [[nodiscard]] std::size_t size() const;
    [[nodiscard]] active_flows_counters counters() const;

private:
    struct key {
        std::uint64_t boot_id;
        std::uint64_t flow_id;
        std::uint32_t probe;  // index into probes_
        std::uint32_t zero{0};
        friend bool operator==(const key&, const key&) = default;
    };
    struct key_hash {
        hash_key k;
        std::size_t operator()(const key& x) const noexcept { return keyed_hash(&x, sizeof x, k); }
    };
    struct entry {
        flow_record rec;          // the latest report: counters of the current period
        flow_counters base;       // earlier periods (stored active-timeout records)
        std::string client_blacklist, server_blacklist;
        std::uint64_t seen_ns{0};       // collector clock at the latest report
        std::uint64_t ttl_ns{0};
        std::uint64_t report_ns{0};     // probe clock of the latest report
        double throughput_bps{0};
    };

    std::uint32_t probe_index(const std::string& probe_id);
    void expire_locked(std::uint64_t now_ns);

    active_flows_config config_;
    mutable std::mutex mutex_;
    std::vector<std::string> probes_;
    std::unordered_map<std::string, std::uint32_t> probe_ids_;
    std::unordered_map<key, entry, key_hash> flows_;
    // Flows ended by their final record, for min_ttl_ns: a report sent just
    // before the flow ended but read after its record was stored must not
    // bring it back. At most `capacity` of them.
    std::unordered_map<key, std::uint64_t, key_hash> ended_;
    std::uint64_t last_now_ns_{0};
    std::uint64_t last_expire_ns_{0};
    active_flows_counters counters_;
};

}  // namespace wireflow::collector::aggregate
