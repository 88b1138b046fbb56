#pragma once
// The collector's live aggregates behind one reader/writer lock: the host
// table and the host pools. The ingest thread feeds records; the HTTP thread
// queries and edits pools.
//
// Thread-safety: every public member is safe to call from any thread. Writers
// (ingest, expire, drain_minute, pool edits, flags) take the lock exclusively
// once per call, so ingest takes it once per record batch, never per record;
// readers (queries, snapshots) take it shared. A top-N query over 1M hosts
// holds the shared lock for tens of milliseconds (see host_table_bench), which
// delays at most one batch.

#include "host_pools.hpp"
#include "host_query.hpp"
#include "host_table.hpp"

#include "model/flow_batch.hpp"

#include <shared_mutex>
#include <span>

namespace wireflow::collector::aggregate {

// The host table's view of a validated record (ingest checked addresses,
// VLAN and names). The record must outlive the observation (it views
// app_name and server_name).
[[nodiscard]] flow_observation to_observation(const flow_record& row, std::uint64_t source) noexcept;

// The value that scopes flow ids: one per (probe_id, boot_id).
[[nodiscard]] std::uint64_t flow_source(const batch_id& id) noexcept;

struct pool_info {
    pool_id id{no_pool};
    std::string name;
    std::vector<std::string> members;
    pool_counters counters;
};

class aggregator {
public:
    explicit aggregator(host_table_config config);
    aggregator(const aggregator&) = delete;
    aggregator& operator=(const aggregator&) = delete;

    // Returns the number of records accounted; the others are counted in records_rejected().
    std::size_t ingest(const flow_batch& batch);
    std::size_t ingest(std::span<const flow_record> rows, std::uint64_t source);
    void expire(std::uint64_t now_ns);
    [[nodiscard]] minute_drain drain_minute(std::uint64_t now_ns);

    [[nodiscard]] host_page query(const host_query& q) const;
    [[nodiscard]] std::optional<host_view> host(const ip_address& ip, std::uint16_t vlan, std::uint64_t now_ns = 0) const;
    bool set_blacklisted(const ip_address& ip, std::uint16_t vlan, bool blacklisted);
    bool add_alerts(const ip_address& ip, std::uint16_t vlan, std::uint32_t n = 1);

    // Pool edits re-assign live hosts before returning.
    pool_result create_pool(std::string_view name);
    pool_result rename_pool(pool_id id, std::string_view name);
    pool_result delete_pool(pool_id id);
    pool_result add_pool_member(pool_id id, std::string_view member);
    pool_result remove_pool_member(pool_id id, std::string_view member);
    pool_result restore_pools(std::span<const pool_snapshot> pools);
    [[nodiscard]] std::vector<pool_snapshot> pools_snapshot() const;
    // Every pool by id with its live counters; first the unassigned hosts (id 0, name "").
    [[nodiscard]] std::vector<pool_info> pools() const;
    [[nodiscard]] std::vector<mac_address> unassigned_macs() const;
    // The pool a host would be in (the active-flow table's pool filter).
    [[nodiscard]] pool_id pool_of(const ip_address& ip, std::uint16_t vlan, const mac_address* mac) const;

    [[nodiscard]] std::size_t hosts() const;
    [[nodiscard]] std::uint64_t records_rejected() const;

private:
    pool_result edited(pool_result r);
    std::size_t ingest_locked(std::span<const flow_record> rows, std::uint64_t source);

    mutable std::shared_mutex mutex_;
    host_pools pools_;
    host_table table_;  // after pools_: it keeps a reference to them
};

}  // namespace wireflow::collector::aggregate
