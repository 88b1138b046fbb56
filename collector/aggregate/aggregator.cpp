#include "aggregator.hpp"

#include <array>
#include <mutex>

namespace wireflow::collector::aggregate {

flow_observation to_observation(const flow_record& row, std::uint64_t source) noexcept {
    flow_observation o;
    o.source = source;
    o.flow_id = row.flow_id;
    o.client = row.client_ip;
    o.server = row.server_ip;
    o.vlan = row.vlan;
    o.client_mac = row.client_mac;
    o.server_mac = row.server_mac;
    o.c2s_packets = row.c2s_packets;
    o.c2s_bytes = row.c2s_bytes;
    o.s2c_packets = row.s2c_packets;
    o.s2c_bytes = row.s2c_bytes;
    o.first_seen_ns = row.first_seen_ns;
    o.last_seen_ns = row.last_seen_ns;
    o.reason = row.reason;
    o.app_name = row.app_name;
    o.server_name = row.server_name;
    o.dns = row.is_dns();
    o.dhcp = row.is_dhcp();
    o.dns_answer = row.dns_answer;
    o.name_service = row.is_name_service();
    if (row.name_claim) {
        o.claimed_name = row.name_claim->name;
        o.claimed_address = row.name_claim->address;
    }
    o.client_blacklisted = row.client_blacklist != 0;
    o.server_blacklisted = row.server_blacklist != 0;
    o.client_geo = row.client_geo;
    o.server_geo = row.server_geo;
    return o;
}

std::uint64_t flow_source(const batch_id& id) noexcept {
    return hash_bytes(id.probe_id.data(), id.probe_id.size(), id.boot_id);
}

aggregator::aggregator(host_table_config config) : table_(std::move(config), pools_) {}

std::size_t aggregator::ingest_locked(std::span<const flow_record> rows, std::uint64_t source) {
    // A software pipeline over the batch (host_table::prefetch_index): hash
    // and prefetch the index cells `index_ahead` records ahead, the entries
    // `entry_ahead` records ahead, so the misses overlap instead of stalling
    // one after the other; and, `side_ahead` records ahead, what the entries
    // point to. Distances measured with decode_aggregate_bench.
    constexpr std::size_t index_ahead = 8, entry_ahead = 4, side_ahead = 2, ring = 16;
    static_assert(index_ahead < ring && entry_ahead < index_ahead && side_ahead < entry_ahead);
    std::array<host_table::host_hashes, ring> hashes;
    const std::size_t n = rows.size();
    const auto hash_at = [&](std::size_t i) {
        hashes[i % ring] = table_.hash_hosts(rows[i].client_ip, rows[i].server_ip, rows[i].vlan);
        table_.prefetch_index(hashes[i % ring]);
    };
    for (std::size_t i = 0; i < std::min(n, index_ahead); ++i) hash_at(i);
    std::size_t accepted = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (i + index_ahead < n) hash_at(i + index_ahead);
        if (i + entry_ahead < n) table_.prefetch_entries(hashes[(i + entry_ahead) % ring]);
        if (i + side_ahead < n) {
            const flow_record& r = rows[i + side_ahead];
            table_.prefetch_side_data(hashes[(i + side_ahead) % ring], r.client_ip, r.server_ip, r.vlan);
        }
        if (table_.ingest(to_observation(rows[i], source), hashes[i % ring])) ++accepted;
    }
    return accepted;
}

std::size_t aggregator::ingest(const flow_batch& batch) {
    const std::uint64_t source = flow_source(batch.id);
    std::unique_lock lock(mutex_);
    return ingest_locked(batch.records, source);
}

std::size_t aggregator::ingest(std::span<const flow_record> rows, std::uint64_t source) {
    std::unique_lock lock(mutex_);
    return ingest_locked(rows, source);
}

void aggregator::expire(std::uint64_t now_ns) {
    std::unique_lock lock(mutex_);
    table_.expire(now_ns);
}

minute_drain aggregator::drain_minute(std::uint64_t now_ns) {
    std::unique_lock lock(mutex_);
    return table_.drain_minute(now_ns);
}

host_page aggregator::query(const host_query& q) const {
    std::shared_lock lock(mutex_);
    return query_hosts(table_, q);
}

std::optional<host_view> aggregator::host(const ip_address& ip, std::uint16_t vlan, std::uint64_t now_ns) const {
    std::shared_lock lock(mutex_);
    return table_.view(ip, vlan, now_ns != 0 ? now_ns : table_.clock_ns());
}

bool aggregator::set_blacklisted(const ip_address& ip, std::uint16_t vlan, bool blacklisted) {
    std::unique_lock lock(mutex_);
    return table_.set_blacklisted(ip, vlan, blacklisted);
}

bool aggregator::add_alerts(const ip_address& ip, std::uint16_t vlan, std::uint32_t n) {
    std::unique_lock lock(mutex_);
    return table_.add_alerts(ip, vlan, n);
}

pool_result aggregator::edited(pool_result r) {
    if (r.ok()) table_.reassign_pools();
    return r;
}

pool_result aggregator::create_pool(std::string_view name) {
    std::unique_lock lock(mutex_);
    return edited(pools_.create(name));
}
pool_id aggregator::pool_of(const ip_address& ip, std::uint16_t vlan, const mac_address* mac) const {
    std::shared_lock lock(mutex_);
    return pools_.match(ip, vlan, mac);
}

pool_result aggregator::rename_pool(pool_id id, std::string_view name) {
    std::unique_lock lock(mutex_);
    return edited(pools_.rename(id, name));
}
pool_result aggregator::delete_pool(pool_id id) {
    std::unique_lock lock(mutex_);
    return edited(pools_.remove(id));
}
pool_result aggregator::add_pool_member(pool_id id, std::string_view member) {
    std::unique_lock lock(mutex_);
    return edited(pools_.add_member(id, member));
}
pool_result aggregator::remove_pool_member(pool_id id, std::string_view member) {
    std::unique_lock lock(mutex_);
    return edited(pools_.remove_member(id, member));
}
pool_result aggregator::restore_pools(std::span<const pool_snapshot> pools) {
    std::unique_lock lock(mutex_);
    return edited(pools_.restore(pools));
}

std::vector<pool_snapshot> aggregator::pools_snapshot() const {
    std::shared_lock lock(mutex_);
    return pools_.snapshot();
}

std::vector<pool_info> aggregator::pools() const {
    std::shared_lock lock(mutex_);
    std::vector<pool_info> out;
    out.push_back({no_pool, {}, {}, table_.pool_stats(no_pool)});
    for (auto& s : pools_.snapshot())
        out.push_back({s.id, std::move(s.name), std::move(s.members), table_.pool_stats(s.id)});
    return out;
}

std::vector<mac_address> aggregator::unassigned_macs() const {
    std::shared_lock lock(mutex_);
    return table_.unassigned_macs();
}

std::size_t aggregator::hosts() const {
    std::shared_lock lock(mutex_);
    return table_.size();
}

std::uint64_t aggregator::records_rejected() const {
    std::shared_lock lock(mutex_);
    return table_.records_rejected();
}

}  // namespace wireflow::collector::aggregate
