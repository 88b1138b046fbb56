#pragma once
// The collector's live host table: one entry per (IP address, VLAN) seen in
// flow records, with traffic totals, flow counts, distinct peers, traffic by
// application and a host pool, purged when idle.
//
// Input is one flow record at a time (flow_observation, binary addresses);
// each record's counters are deltas (an active-timeout record carries the
// counters since the flow's previous record), so totals are plain sums.
// A host's "sent" is c2s when it is the client and s2c when it is the server.
//
// Flows are counted once per flow, not per record: a flow is identified by
// (source, flow_id, addresses, VLAN); its first record counts it for both
// hosts; "active" flows are those whose latest record had end_reason
// active_timeout (2), i.e. the probe says the flow goes on. An active flow
// that is never closed (probe died) is forgotten after flow_expiry.
//
// Idle purge: a host with no traffic for local_idle (local hosts) or
// remote_idle (remote hosts) is removed, unless it still has active flows.
// Time is record time (the largest last_seen_ns seen) or the caller's now.
// expire(now) sweeps the whole table (the collector calls it every 2 s);
// between sweeps, each host the table creates pays for a few slots of an
// amortised sweep, so a flood of new hosts purges idle ones as it grows the
// table, while records between known hosts (the steady state) sweep nothing.
//
// Not thread-safe: the ingest thread owns it; aggregator.hpp adds the lock.

#include "name_cache.hpp"
#include "app_traffic.hpp"
#include "host_key.hpp"
#include "open_flow_map.hpp"
#include "net/local_networks.hpp"
#include "host_pools.hpp"
#include "peer_counter.hpp"
#include "hash.hpp"
#include "records/end_reason.hpp"
#include "geo/geo_info.hpp"
#include "model/flow_geo.hpp"

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace wireflow::collector::aggregate {

inline constexpr std::uint64_t ns_per_s = 1'000'000'000ULL;


// One flow record with binary addresses. Views must outlive the call only.
struct flow_observation {
    std::uint64_t source{0};        // who numbered flow_id: e.g. a hash of (probe_id, boot_id)
    std::uint64_t flow_id{0};
    ip_address client;
    ip_address server;
    std::uint16_t vlan{0};          // 0..4095
    std::optional<mac_address> client_mac;
    std::optional<mac_address> server_mac;
    std::uint64_t c2s_packets{0}, c2s_bytes{0}, s2c_packets{0}, s2c_bytes{0};
    std::uint64_t first_seen_ns{0}, last_seen_ns{0};
    end_reason reason{end_reason::unspecified};
    std::string_view app_name;      // bounded, valid UTF-8 (ingest checks)
    std::string_view server_name;   // becomes the server host's name when non-empty, unless dns or dhcp
    // A DNS flow: server_name is the query, which names dns_answer (when the
    // response had an address), never the server, i.e. the resolver.
    bool dns{false};
    std::optional<ip_address> dns_answer;
    // A DHCP flow: server_name is the client's host name (option 12), which
    // names the client's MAC, never the server.
    bool dhcp{false};
    // An mDNS, NetBIOS or LLMNR flow: server_name names no end of the flow
    // (a query's name as often as an answer's); claimed_name names
    // claimed_address when the flow's messages said so.
    bool name_service{false};
    std::string_view claimed_name;
    std::optional<ip_address> claimed_address;
    // The side matched an IP blacklist when the record was stored: the host
    // keeps the flag while it is live (the flow row names the list).
    bool client_blacklisted{false};
    bool server_blacklisted{false};
    // Geolocation the batch stage already set (collector/geo/batch_marker):
    // a new host takes it instead of a second database lookup.
    endpoint_geo client_geo;
    endpoint_geo server_geo;
};

// The stored entry. Kept small: 224 bytes, see host_table_bench (216
// before geolocation: no padding was left, so country and AS cost 8).
struct host_entry {
    static constexpr std::uint8_t flag_live = 1, flag_local = 2, flag_has_mac = 4, flag_blacklisted = 8;
    static constexpr std::uint32_t no_name = 0xffffffffu;

    host_key key;
    mac_address mac;
    std::uint8_t flags{0};
    peer_counter peers;
    std::uint32_t pool{no_pool};
    std::uint32_t alerts{0};
    std::uint32_t active_client{0}, active_server{0};
    std::uint32_t minute_slot{0};  // index into the per-minute deltas, or npos
    std::uint32_t rate_minute{0};  // minute number (record time / 60 s) of rate_cur
    std::uint32_t name{no_name};   // index into the table's names, in what was padding
    // Geolocation, looked up once when the entry is made (host_table_config::
    // locate); the AS name is kept once per AS in the table (as_name_of).
    std::uint32_t asn{0};          // 0: unknown
    geo::country_code country;     // empty: unknown
    std::uint64_t bytes_sent{0}, bytes_rcvd{0}, packets_sent{0}, packets_rcvd{0};
    std::uint64_t flows_client{0}, flows_server{0};
    std::uint64_t first_seen_ns{0}, last_seen_ns{0};
    std::uint64_t rate_cur{0}, rate_prev{0};  // bytes in minute rate_minute and the one before
    app_traffic apps;

    [[nodiscard]] bool live() const noexcept { return flags & flag_live; }
    [[nodiscard]] bool local() const noexcept { return flags & flag_local; }
    [[nodiscard]] bool has_mac() const noexcept { return flags & flag_has_mac; }
    [[nodiscard]] bool blacklisted() const noexcept { return flags & flag_blacklisted; }
    [[nodiscard]] std::uint64_t bytes() const noexcept { return bytes_sent + bytes_rcvd; }
    [[nodiscard]] std::uint64_t packets() const noexcept { return packets_sent + packets_rcvd; }
    [[nodiscard]] std::uint64_t flows() const noexcept { return flows_client + flows_server; }
    // Throughput in bytes/s at `now`: a sliding 60-second window estimated
    // from two minute buckets (record time, bytes of both directions
    // attributed to the record's last_seen): the current minute's bytes plus
    // the previous minute's weighted by the part of the window it still
    // covers, divided by 60. Zero after two idle minutes.
    [[nodiscard]] double throughput(std::uint64_t now_ns) const noexcept;
};

struct pool_counters {
    std::uint64_t hosts{0};
    std::uint64_t bytes_sent{0}, bytes_rcvd{0}, packets_sent{0}, packets_rcvd{0};
    friend bool operator==(const pool_counters&, const pool_counters&) = default;
};

// Per-minute deltas (drain_minute). flows = flows that started (first record).
struct minute_counters {
    std::uint64_t bytes_sent{0}, bytes_rcvd{0}, packets_sent{0}, packets_rcvd{0}, flows{0};
    friend bool operator==(const minute_counters&, const minute_counters&) = default;
};
struct host_minute {
    ip_address ip;
    std::uint16_t vlan{0};
    pool_id pool{no_pool};
    minute_counters counters;
};
struct pool_minute {
    pool_id pool{no_pool};
    minute_counters counters;
};
struct app_minute {
    std::string app;
    std::uint64_t bytes{0}, packets{0}, flows{0};
};
struct minute_drain {
    std::uint64_t start_ns{0}, end_ns{0};  // previous drain (or first record) .. now
    std::vector<host_minute> hosts;        // local hosts with traffic in the interval
    std::vector<pool_minute> pools;        // pools (0 = unassigned) with traffic
    std::vector<app_minute> apps;          // applications with traffic
};

// A copy of one host for callers (REST): plain values and strings.
struct host_view {
    ip_address ip;
    std::uint16_t vlan{0};
    std::optional<mac_address> mac;
    std::string name;
    bool local{false}, blacklisted{false};
    pool_id pool{no_pool};
    std::uint64_t bytes_sent{0}, bytes_rcvd{0}, packets_sent{0}, packets_rcvd{0};
    std::uint64_t flows_client{0}, flows_server{0};
    std::uint32_t active_client{0}, active_server{0};
    std::uint64_t peers{0};
    bool peers_exact{true};
    std::uint64_t first_seen_ns{0}, last_seen_ns{0};
    double throughput_bps{0};  // bytes per second, see host_entry::throughput
    std::uint32_t alerts{0};
    std::vector<std::pair<std::string, std::uint64_t>> apps;  // largest first, "Other" last
    geo::country_code country;  // empty: unknown
    std::uint32_t asn{0};       // 0: unknown
    std::string as_name;        // empty: unknown
};

struct host_table_config {
    local_networks locals;
    std::uint64_t local_idle_ns{300 * ns_per_s};
    std::uint64_t remote_idle_ns{60 * ns_per_s};
    std::uint64_t flow_expiry_ns{3600 * ns_per_s};  // active flow without any record
    // Slots of the amortised sweep visited per host created: above the two
    // hosts a record can create, so the sweep outpaces any flood.
    unsigned purge_visits_per_new_host{4};
    std::size_t answer_names{100'000};  // names learnt from DNS answers kept at most (name_cache.hpp)
    std::size_t dhcp_names{50'000};     // DHCP clients' host names kept at most, by MAC
    std::size_t claimed_names{50'000};  // names devices claimed (mDNS, NetBIOS, LLMNR) kept at most, by address
    hash_key key{process_hash_key()};  // of the index and flow hashes; tests may fix it
    // Geolocation of a new host (collector/geo/geo_locator): called at most
    // once per host entry made, never per record, and not at all when the
    // record was already marked and its AS name is known; empty: hosts have
    // no country or AS.
    std::function<geo::geo_info(const ip_address&)> locate;
};

class host_table {
public:
    static constexpr std::uint32_t npos = std::numeric_limits<std::uint32_t>::max();
    static constexpr std::size_t initial_host_capacity = 65536;

    // pools must outlive the table. Call reassign_pools() after changing them.
    host_table(host_table_config config, const host_pools& pools);
    // Not copyable: pool_memo_ points into the table's own maps.
    host_table(const host_table&) = delete;
    host_table& operator=(const host_table&) = delete;

    // Accounts one record. Returns false (and counts it) when the record is
    // unusable: invalid address, VLAN above 4095, or last_seen < first_seen.
    bool ingest(const flow_observation& obs);

    // The same for batches, l3fwd-style: at a million hosts the table is
    // hundreds of MB, so a record's two index cells and two entries are
    // cache misses that dominate its cost. The caller hashes a record's
    // hosts a few records ahead and prefetches their index cells, then,
    // nearer, their entries, and finally ingests it with the same hashes
    // (aggregator::ingest does this). Prefetching only reads the index:
    // whatever changed in between, ingest looks the hosts up again.
    struct host_hashes {
        std::uint64_t client{0}, server{0};
    };
    [[nodiscard]] host_hashes hash_hosts(const ip_address& client, const ip_address& server,
                                         std::uint16_t vlan) const noexcept;
    void prefetch_index(const host_hashes& h) const noexcept;
    void prefetch_entries(const host_hashes& h) const noexcept;
    // Nearest stage: the entries are in cache, so their minute deltas and
    // the server's name can be located and prefetched.
    void prefetch_side_data(const host_hashes& h, const ip_address& client, const ip_address& server,
                            std::uint16_t vlan) const noexcept;
    // `h` must be hash_hosts(obs.client, obs.server, obs.vlan).
    bool ingest(const flow_observation& obs, const host_hashes& h);

    // Purges idle hosts and expired active flows; max_visits bounds the work
    // (slots visited) for amortised calls. now defaults to record time.
    void expire(std::uint64_t now_ns, std::size_t max_visits = std::numeric_limits<std::size_t>::max());

    // Recomputes every host's pool after a pool change and moves its totals
    // between pool counters. O(hosts); a no-op when the pools did not change.
    void reassign_pools();

    [[nodiscard]] std::uint32_t find(const ip_address& ip, std::uint16_t vlan) const noexcept;
    [[nodiscard]] std::optional<host_view> view(const ip_address& ip, std::uint16_t vlan, std::uint64_t now_ns) const;
    [[nodiscard]] host_view view(std::uint32_t index, std::uint64_t now_ns) const;
    bool set_blacklisted(const ip_address& ip, std::uint16_t vlan, bool blacklisted) noexcept;
    bool add_alerts(const ip_address& ip, std::uint16_t vlan, std::uint32_t n = 1) noexcept;

    // Per-minute deltas since the previous drain; resets them.
    [[nodiscard]] minute_drain drain_minute(std::uint64_t now_ns);

    // Pool counters: sums over the live hosts currently in each pool (a
    // host's totals move with it when its pool changes; purged hosts leave).
    [[nodiscard]] pool_counters pool_stats(pool_id id) const noexcept;
    [[nodiscard]] const std::unordered_map<pool_id, pool_counters>& all_pool_stats() const noexcept { return pool_totals_; }
    // Distinct MACs of local hosts in no pool ("unassigned devices"), sorted.
    [[nodiscard]] std::vector<mac_address> unassigned_macs() const;

    // For queries: every slot (check live()), and per-slot side data.
    [[nodiscard]] std::span<const host_entry> slots() const noexcept { return hosts_; }
    [[nodiscard]] std::string_view name_of(std::uint32_t index) const noexcept;
    // The name of an AS some host was located in; empty when unknown.
    [[nodiscard]] std::string_view as_name_of(std::uint32_t asn) const noexcept;
    [[nodiscard]] const app_names& apps() const noexcept { return app_names_; }

    [[nodiscard]] std::size_t size() const noexcept { return live_; }
    [[nodiscard]] std::size_t active_flows() const noexcept { return active_.size(); }
    [[nodiscard]] std::uint64_t clock_ns() const noexcept { return clock_ns_; }
    [[nodiscard]] std::uint64_t records_rejected() const noexcept { return rejected_; }
    [[nodiscard]] std::uint64_t hosts_purged() const noexcept { return purged_; }
    // The most index cells any lookup of a live host reads (1 = at its home
    // cell). O(index), for tests and diagnostics: the keyed hash keeps it
    // short whatever addresses senders craft.
    [[nodiscard]] std::size_t longest_probe() const noexcept;
    // Heap bytes held by the table's own structures (not the allocator's overhead).
    [[nodiscard]] std::size_t memory_bytes() const noexcept;

private:
    struct index_slot {
        std::uint32_t tag;    // upper hash bits
        std::uint32_t entry;  // host index + 1; 0 = empty
    };
    struct delta {
        std::uint32_t host;  // npos once the host was purged
        host_key key;
        pool_id pool;
        minute_counters c;
    };
    struct app_delta {
        std::uint64_t bytes{0}, packets{0}, flows{0};
        bool listed{false};  // in minute_app_ids_
    };

    // `hash` is key_hash(key): computed once per record and side, then used
    // for the index, the flow identity and the peer sketch.
    [[nodiscard]] std::uint32_t find(const host_key& key, std::uint64_t hash) const noexcept;
    std::uint32_t find_or_create(const host_key& key, std::uint64_t hash, std::uint64_t now_ns,
                                 const endpoint_geo& marked);
    void locate(host_entry& h, const endpoint_geo& marked);
    void prefetch_entry(std::uint64_t hash) const noexcept;
    void index_insert(std::uint32_t host, std::uint64_t hash);
    void index_erase(std::uint32_t host);
    void index_grow();
    void purge(std::uint32_t host);
    void set_pool(host_entry& h, pool_id pool);
    void account_side(std::uint32_t host, std::uint64_t sent_bytes, std::uint64_t sent_packets,
                      std::uint64_t rcvd_bytes, std::uint64_t rcvd_packets, bool new_flow, bool as_client,
                      const flow_observation& obs, app_id app, std::uint32_t peer_hash,
                      const std::optional<mac_address>& mac);
    [[nodiscard]] pool_id match_pool(const host_entry& h) const noexcept;

    host_table_config config_;
    const host_pools* pools_;
    std::uint64_t pools_generation_{0};
    app_names app_names_;

    std::vector<host_entry> hosts_;
    std::vector<std::uint32_t> free_;
    std::vector<index_slot> index_;  // open addressing, linear probing, power-of-two size
    std::size_t live_{0};

    open_flow_map active_;
    // Server names, by host_entry::name (only named hosts have one; freed
    // slots are reused): a record naming its server reads the entry it
    // already has in cache, then one prefetched string, instead of a hash
    // map's bucket and node.
    std::vector<std::string> names_;
    std::vector<std::uint32_t> free_names_;
    answer_names answers_;  // names from DNS answers: they win over the others
    mac_names dhcp_names_;  // DHCP clients' own names, by MAC: local hosts with that MAC
    name_cache<host_key> claims_;  // names devices gave an address (mDNS, NetBIOS, LLMNR)
    std::unordered_map<pool_id, pool_counters> pool_totals_;
    // AS names by number: many hosts share an AS, and a name is up to 128
    // bytes. Bounded by the ASes the database knows (not purged with hosts:
    // the next host of that AS needs it again).
    std::unordered_map<std::uint32_t, std::string> as_names_;

    // The last pool accounted and its two counters: the two hosts of a
    // record, and consecutive records, are mostly in the same pool (most
    // often none), and the two map lookups per side showed in the profile.
    // Element pointers of an unordered_map survive insertions and rehashes;
    // the memo is dropped wherever either map loses an element.
    struct pool_memo {
        pool_id id{no_pool};
        pool_counters* totals{nullptr};
        minute_counters* minute{nullptr};
    };
    pool_memo pool_memo_;

    std::vector<delta> minute_hosts_;
    std::unordered_map<pool_id, minute_counters> minute_pools_;
    // By app id (dense, below app_names::capacity), and the ids with traffic
    // since the last drain: a vector index per record instead of a map.
    std::vector<app_delta> minute_apps_;
    std::vector<app_id> minute_app_ids_;
    std::uint64_t minute_start_ns_{0};

    std::uint64_t clock_ns_{0};
    std::size_t purge_cursor_{0};
    std::size_t purge_owed_{0};  // sweep visits owed by the hosts created since the last record
    std::uint64_t last_flow_sweep_ns_{0};
    std::uint64_t rejected_{0}, purged_{0};
};

}  // namespace wireflow::collector::aggregate
