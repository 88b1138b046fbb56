#include "host_table.hpp"

#include <algorithm>
#include <cstring>

#include "prefetch.hpp"

namespace wireflow::collector::aggregate {

namespace {
constexpr std::uint64_t minute_ns = 60 * ns_per_s;

// Keyed (common/hash.hpp): addresses come from traffic, and an unkeyed hash
// lets a sender craft addresses that share one probe chain.
std::uint64_t key_hash(const host_key& k, const hash_key& key) noexcept { return keyed_hash(&k, sizeof k, key); }

// Identity of a flow across its records: the probe numbers flows per
// (probe, boot) = source; the two host hashes (address and VLAN, keyed)
// guard against two sources that were given the same source value. 32
// bytes instead of the 50 of source, id and both host keys: the host hashes
// are computed anyway.
std::uint64_t flow_hash(const flow_observation& o, std::uint64_t client_hash, std::uint64_t server_hash,
                        const hash_key& key) noexcept {
    const std::uint64_t words[4] = {o.source, o.flow_id, client_hash, server_hash};
    return keyed_hash(words, sizeof words, key);
}

void add_to(pool_counters& p, const host_entry& h) noexcept {
    p.bytes_sent += h.bytes_sent;
    p.bytes_rcvd += h.bytes_rcvd;
    p.packets_sent += h.packets_sent;
    p.packets_rcvd += h.packets_rcvd;
}
void subtract_from(pool_counters& p, const host_entry& h) noexcept {
    p.bytes_sent -= h.bytes_sent;
    p.bytes_rcvd -= h.bytes_rcvd;
    p.packets_sent -= h.packets_sent;
    p.packets_rcvd -= h.packets_rcvd;
}
}  // namespace

double host_entry::throughput(std::uint64_t now_ns) const noexcept {
    const std::uint64_t m = now_ns / minute_ns;
    const double left = 1.0 - static_cast<double>(now_ns % minute_ns) / static_cast<double>(minute_ns);
    if (rate_minute == m) return (static_cast<double>(rate_cur) + static_cast<double>(rate_prev) * left) / 60.0;
    if (static_cast<std::uint64_t>(rate_minute) + 1 == m) return static_cast<double>(rate_cur) * left / 60.0;
    if (rate_minute > m) return static_cast<double>(rate_cur) / 60.0;  // caller's clock is behind record time
    return 0.0;
}

host_table::host_table(host_table_config config, const host_pools& pools)
    : config_(std::move(config)), pools_(&pools), pools_generation_(pools.generation()),
      answers_(config_.answer_names, config_.key), dhcp_names_(config_.dhcp_names, config_.key),
      claims_(config_.claimed_names, config_.key) {
    index_.resize(1024);
    // Address space for the first 64K hosts (14 MiB, touched only as hosts
    // arrive): a growing vector moves every entry each time it doubles, and
    // on a busy network the hosts all arrive in the first minutes (the
    // moves and their page faults were 9 % of decode + aggregate,
    // perf of decode_aggregate_bench).
    hosts_.reserve(initial_host_capacity);
}

std::uint32_t host_table::find(const ip_address& ip, std::uint16_t vlan) const noexcept {
    const host_key key{ip, 0, vlan};
    return find(key, key_hash(key, config_.key));
}

std::uint32_t host_table::find(const host_key& key, std::uint64_t h) const noexcept {
    const std::size_t mask = index_.size() - 1;
    const auto tag = static_cast<std::uint32_t>(h >> 32);
    for (std::size_t pos = h & mask;; pos = (pos + 1) & mask) {
        const index_slot& s = index_[pos];
        if (s.entry == 0) return npos;
        if (s.tag == tag && hosts_[s.entry - 1].key == key) return s.entry - 1;
    }
}

void host_table::index_insert(std::uint32_t host, std::uint64_t hash) {
    const std::size_t mask = index_.size() - 1;
    std::size_t pos = hash & mask;
    while (index_[pos].entry != 0) pos = (pos + 1) & mask;
    index_[pos] = {static_cast<std::uint32_t>(hash >> 32), host + 1};
}

void host_table::index_grow() {
    std::vector<index_slot> old(index_.size() * 2);
    old.swap(index_);
    for (const auto& s : old)
        if (s.entry != 0) index_insert(s.entry - 1, key_hash(hosts_[s.entry - 1].key, config_.key));
}

std::size_t host_table::longest_probe() const noexcept {
    const std::size_t mask = index_.size() - 1;
    std::size_t longest = 0;
    for (std::size_t pos = 0; pos < index_.size(); ++pos) {
        if (index_[pos].entry == 0) continue;
        const std::size_t home = key_hash(hosts_[index_[pos].entry - 1].key, config_.key) & mask;
        longest = std::max(longest, ((pos - home) & mask) + 1);
    }
    return longest;
}

void host_table::index_erase(std::uint32_t host) {
    const std::uint64_t h = key_hash(hosts_[host].key, config_.key);
    const std::size_t mask = index_.size() - 1;
    std::size_t i = h & mask;
    while (index_[i].entry != host + 1) i = (i + 1) & mask;
    // Backward-shift deletion (linear probing without tombstones): pull
    // later entries of the run back when their home is not between the hole
    // and their slot.
    for (std::size_t j = (i + 1) & mask; index_[j].entry != 0; j = (j + 1) & mask) {
        const std::size_t home = key_hash(hosts_[index_[j].entry - 1].key, config_.key) & mask;
        if (((j - home) & mask) >= ((j - i) & mask)) {
            index_[i] = index_[j];
            i = j;
        }
    }
    index_[i] = {0, 0};
}

pool_id host_table::match_pool(const host_entry& h) const noexcept {
    return pools_->match(h.key.ip, h.key.vlan, h.has_mac() ? &h.mac : nullptr);
}

void host_table::set_pool(host_entry& h, pool_id pool) {
    if (pool == h.pool) return;
    auto old = pool_totals_.find(h.pool);
    subtract_from(old->second, h);
    if (--old->second.hosts == 0) {
        pool_totals_.erase(old);
        pool_memo_ = {};
    }
    auto& now = pool_totals_[pool];
    add_to(now, h);
    ++now.hosts;
    h.pool = pool;
}

void host_table::locate(host_entry& h, const endpoint_geo& marked) {
    if (!config_.locate) return;
    if (!marked.country.empty() || marked.asn != 0) {
        h.country = marked.country;
        h.asn = marked.asn;
        // The name of an AS is looked up once, with its first host.
        if (marked.asn == 0 || as_names_.contains(marked.asn)) return;
    }
    geo::geo_info g = config_.locate(h.key.ip);
    h.country = g.country;
    h.asn = g.asn;
    // An AS without a name is remembered too (empty), so it is not asked again.
    if (g.asn != 0) as_names_.try_emplace(g.asn, std::move(g.as_name));
}

std::uint32_t host_table::find_or_create(const host_key& key, std::uint64_t hash, std::uint64_t now_ns,
                                         const endpoint_geo& marked) {
    const std::uint32_t found = find(key, hash);
    if (found != npos) return found;
    if ((live_ + 1) * 10 > index_.size() * 7) index_grow();
    std::uint32_t idx;
    if (!free_.empty()) {
        idx = free_.back();
        free_.pop_back();
        hosts_[idx] = host_entry{};
    } else {
        idx = static_cast<std::uint32_t>(hosts_.size());
        hosts_.emplace_back();
    }
    host_entry& h = hosts_[idx];
    h.key = key;
    h.flags = host_entry::flag_live;
    if (config_.locals.contains(key.ip)) h.flags |= host_entry::flag_local;
    h.first_seen_ns = now_ns;
    h.last_seen_ns = now_ns;
    h.minute_slot = npos;
    h.pool = match_pool(h);
    locate(h, marked);
    ++pool_totals_[h.pool].hosts;
    index_insert(idx, hash);
    ++live_;
    purge_owed_ += config_.purge_visits_per_new_host;
    return idx;
}

void host_table::account_side(std::uint32_t idx, std::uint64_t sent_bytes, std::uint64_t sent_packets,
                              std::uint64_t rcvd_bytes, std::uint64_t rcvd_packets, bool new_flow, bool as_client,
                              const flow_observation& obs, app_id app, std::uint32_t peer_hash,
                              const std::optional<mac_address>& mac) {
    host_entry& h = hosts_[idx];
    if (h.local() && mac && !mac->is_zero() && (!h.has_mac() || h.mac != *mac)) {
        // RFC 7042 section 2.1: all-zero is no station; such records carry no MAC.
        h.mac = *mac;
        h.flags |= host_entry::flag_has_mac;
        set_pool(h, match_pool(h));
    }
    h.bytes_sent += sent_bytes;
    h.bytes_rcvd += rcvd_bytes;
    h.packets_sent += sent_packets;
    h.packets_rcvd += rcvd_packets;
    if (new_flow) ++(as_client ? h.flows_client : h.flows_server);
    h.first_seen_ns = std::min(h.first_seen_ns, obs.first_seen_ns);
    h.last_seen_ns = std::max(h.last_seen_ns, obs.last_seen_ns);
    h.peers.add(peer_hash);
    const std::uint64_t bytes = sent_bytes + rcvd_bytes;
    h.apps.add(app, bytes);

    const auto rm = static_cast<std::uint32_t>(obs.last_seen_ns / minute_ns);
    if (rm == h.rate_minute) {
        h.rate_cur += bytes;
    } else if (rm == h.rate_minute + 1) {
        h.rate_prev = h.rate_cur;
        h.rate_cur = bytes;
        h.rate_minute = rm;
    } else if (rm > h.rate_minute) {
        h.rate_prev = 0;
        h.rate_cur = bytes;
        h.rate_minute = rm;
    } else if (rm + 1 == h.rate_minute) {
        h.rate_prev += bytes;
    }  // older records are outside the window

    if (pool_memo_.totals == nullptr || pool_memo_.id != h.pool)
        pool_memo_ = {h.pool, &pool_totals_[h.pool], &minute_pools_[h.pool]};
    pool_counters& p = *pool_memo_.totals;
    p.bytes_sent += sent_bytes;
    p.bytes_rcvd += rcvd_bytes;
    p.packets_sent += sent_packets;
    p.packets_rcvd += rcvd_packets;

    auto add_minute = [&](minute_counters& c) {
        c.bytes_sent += sent_bytes;
        c.bytes_rcvd += rcvd_bytes;
        c.packets_sent += sent_packets;
        c.packets_rcvd += rcvd_packets;
        c.flows += new_flow ? 1 : 0;
    };
    if (h.local()) {
        if (h.minute_slot == npos) {
            h.minute_slot = static_cast<std::uint32_t>(minute_hosts_.size());
            minute_hosts_.push_back({idx, h.key, h.pool, {}});
        }
        delta& d = minute_hosts_[h.minute_slot];
        d.pool = h.pool;
        add_minute(d.c);
    }
    add_minute(*pool_memo_.minute);
}

host_table::host_hashes host_table::hash_hosts(const ip_address& client, const ip_address& server,
                                              std::uint16_t vlan) const noexcept {
    return {key_hash(host_key{client, 0, vlan}, config_.key), key_hash(host_key{server, 0, vlan}, config_.key)};
}

void host_table::prefetch_index(const host_hashes& h) const noexcept {
    const std::size_t mask = index_.size() - 1;
    __builtin_prefetch(&index_[h.client & mask]);
    __builtin_prefetch(&index_[h.server & mask]);
}

void host_table::prefetch_entry(std::uint64_t h) const noexcept {
    // The first cell of the run with the host's tag: almost always its own.
    const std::size_t mask = index_.size() - 1;
    const auto tag = static_cast<std::uint32_t>(h >> 32);
    for (std::size_t pos = h & mask, n = 0; n < 4; pos = (pos + 1) & mask, ++n) {
        const index_slot& s = index_[pos];
        if (s.entry == 0) return;
        if (s.tag != tag) continue;
        prefetch_for_write(hosts_[s.entry - 1]);  // every line: its app counters are the last
        return;
    }
}

void host_table::prefetch_entries(const host_hashes& h) const noexcept {
    prefetch_entry(h.client);
    prefetch_entry(h.server);
}

void host_table::prefetch_side_data(const host_hashes& h, const ip_address& client, const ip_address& server,
                                    std::uint16_t vlan) const noexcept {
    const std::uint32_t c = find(host_key{client, 0, vlan}, h.client);
    const std::uint32_t s = find(host_key{server, 0, vlan}, h.server);
    if (c != npos && hosts_[c].minute_slot != npos) prefetch_for_write(minute_hosts_[hosts_[c].minute_slot]);
    if (s != npos) {
        if (hosts_[s].minute_slot != npos) prefetch_for_write(minute_hosts_[hosts_[s].minute_slot]);
        if (hosts_[s].name != host_entry::no_name) __builtin_prefetch(&names_[hosts_[s].name], 1);
    }
}

bool host_table::ingest(const flow_observation& obs) {
    return ingest(obs, hash_hosts(obs.client, obs.server, obs.vlan));
}

bool host_table::ingest(const flow_observation& obs, const host_hashes& h) {
    if (!obs.client.valid() || !obs.server.valid() || obs.vlan > 4095 || obs.last_seen_ns < obs.first_seen_ns) {
        ++rejected_;
        return false;
    }
    if (minute_start_ns_ == 0) minute_start_ns_ = obs.first_seen_ns;
    clock_ns_ = std::max(clock_ns_, obs.last_seen_ns);
    const host_key ck{obs.client, 0, obs.vlan};
    const host_key sk{obs.server, 0, obs.vlan};
    const std::uint64_t ch = h.client;
    const std::uint64_t sh = h.server;
    const std::uint32_t c = find_or_create(ck, ch, obs.first_seen_ns, obs.client_geo);
    const std::uint32_t s = find_or_create(sk, sh, obs.first_seen_ns, obs.server_geo);
    if (obs.client_blacklisted) hosts_[c].flags |= host_entry::flag_blacklisted;
    if (obs.server_blacklisted) hosts_[s].flags |= host_entry::flag_blacklisted;

    bool new_flow = false;
    const std::uint64_t fh = flow_hash(obs, ch, sh, config_.key);
    auto* open = active_.find(fh);
    if (!ends_flow(obs.reason)) {
        if (open == nullptr) {
            active_.insert(fh, {c, s, obs.last_seen_ns});
            ++hosts_[c].active_client;
            ++hosts_[s].active_server;
            new_flow = true;
        } else {
            open->last_seen_ns = std::max(open->last_seen_ns, obs.last_seen_ns);
        }
    } else if (open != nullptr) {
        --hosts_[open->client].active_client;
        --hosts_[open->server].active_server;
        active_.erase(open);
    } else {
        new_flow = true;
    }

    const app_id app = app_names_.intern(obs.app_name);
    // The peer sketches take 32 bits of the other side's keyed hash.
    account_side(c, obs.c2s_bytes, obs.c2s_packets, obs.s2c_bytes, obs.s2c_packets, new_flow, true, obs, app,
                 static_cast<std::uint32_t>(sh), obs.client_mac);
    account_side(s, obs.s2c_bytes, obs.s2c_packets, obs.c2s_bytes, obs.c2s_packets, new_flow, false, obs, app,
                 static_cast<std::uint32_t>(ch), obs.server_mac);

    if (app >= minute_apps_.size()) minute_apps_.resize(app_names_.size());
    app_delta& a = minute_apps_[app];
    if (!a.listed) {
        a.listed = true;
        minute_app_ids_.push_back(app);
    }
    a.bytes += obs.c2s_bytes + obs.s2c_bytes;
    a.packets += obs.c2s_packets + obs.s2c_packets;
    a.flows += new_flow ? 1 : 0;

    if (obs.dns) {
        if (obs.dns_answer && obs.dns_answer->valid()) answers_.put(host_key{*obs.dns_answer, 0, obs.vlan}, obs.server_name);
    } else if (obs.dhcp) {
        // DHCP runs on the client's own segment, so its MAC is the device's,
        // and the client often has no address yet (0.0.0.0).
        if (obs.client_mac && !obs.client_mac->is_zero()) dhcp_names_.put(*obs.client_mac, obs.server_name);
    } else if (obs.name_service) {
        if (obs.claimed_address && obs.claimed_address->valid())
            claims_.put(host_key{*obs.claimed_address, 0, obs.vlan}, obs.claimed_name);
    } else if (!obs.server_name.empty()) {
        std::uint32_t& slot = hosts_[s].name;
        if (slot == host_entry::no_name) {
            if (!free_names_.empty()) {
                slot = free_names_.back();
                free_names_.pop_back();
            } else {
                slot = static_cast<std::uint32_t>(names_.size());
                names_.emplace_back();
            }
        }
        std::string& n = names_[slot];
        if (n != obs.server_name) n.assign(obs.server_name);
    }
    if (purge_owed_ != 0) {
        const std::size_t visits = purge_owed_;
        purge_owed_ = 0;
        expire(clock_ns_, visits);
    }
    return true;
}

void host_table::purge(std::uint32_t idx) {
    host_entry& h = hosts_[idx];
    auto p = pool_totals_.find(h.pool);
    subtract_from(p->second, h);
    if (--p->second.hosts == 0) {
        pool_totals_.erase(p);
        pool_memo_ = {};
    }
    if (h.minute_slot != npos) minute_hosts_[h.minute_slot].host = npos;
    if (h.name != host_entry::no_name) {
        std::string().swap(names_[h.name]);
        free_names_.push_back(h.name);
        h.name = host_entry::no_name;
    }
    index_erase(idx);
    h.flags = 0;
    free_.push_back(idx);
    --live_;
    ++purged_;
}

void host_table::expire(std::uint64_t now_ns, std::size_t max_visits) {
    const std::size_t n = hosts_.size();
    const std::size_t visits = std::min(max_visits, n);
    for (std::size_t v = 0; v < visits; ++v) {
        if (purge_cursor_ >= n) purge_cursor_ = 0;
        const auto idx = static_cast<std::uint32_t>(purge_cursor_++);
        const host_entry& h = hosts_[idx];
        if (!h.live() || h.active_client != 0 || h.active_server != 0) continue;
        const std::uint64_t idle = h.local() ? config_.local_idle_ns : config_.remote_idle_ns;
        if (now_ns > h.last_seen_ns && now_ns - h.last_seen_ns > idle) purge(idx);
    }
    // Active flows whose probe stopped reporting: a sweep over the whole
    // map, at most four times per expiry period.
    if (now_ns >= last_flow_sweep_ns_ + config_.flow_expiry_ns / 4) {
        last_flow_sweep_ns_ = now_ns;
        active_.erase_if([&](const open_flow_map::flow& f) {
            if (now_ns <= f.last_seen_ns || now_ns - f.last_seen_ns <= config_.flow_expiry_ns) return false;
            --hosts_[f.client].active_client;
            --hosts_[f.server].active_server;
            return true;
        });
    }
}

void host_table::reassign_pools() {
    if (pools_->generation() == pools_generation_) return;
    pools_generation_ = pools_->generation();
    for (auto& h : hosts_)
        if (h.live()) set_pool(h, match_pool(h));
}

std::optional<host_view> host_table::view(const ip_address& ip, std::uint16_t vlan, std::uint64_t now_ns) const {
    const std::uint32_t idx = find(ip, vlan);
    if (idx == npos) return std::nullopt;
    return view(idx, now_ns);
}

host_view host_table::view(std::uint32_t idx, std::uint64_t now_ns) const {
    const host_entry& h = hosts_[idx];
    host_view v;
    v.ip = h.key.ip;
    v.vlan = h.key.vlan;
    if (h.has_mac()) v.mac = h.mac;
    v.name = std::string(name_of(idx));
    v.local = h.local();
    v.blacklisted = h.blacklisted();
    v.pool = h.pool;
    v.bytes_sent = h.bytes_sent;
    v.bytes_rcvd = h.bytes_rcvd;
    v.packets_sent = h.packets_sent;
    v.packets_rcvd = h.packets_rcvd;
    v.flows_client = h.flows_client;
    v.flows_server = h.flows_server;
    v.active_client = h.active_client;
    v.active_server = h.active_server;
    v.peers = h.peers.estimate();
    v.peers_exact = h.peers.exact();
    v.first_seen_ns = h.first_seen_ns;
    v.last_seen_ns = h.last_seen_ns;
    v.throughput_bps = h.throughput(now_ns);
    v.alerts = h.alerts;
    for (const auto& e : h.apps.entries()) v.apps.emplace_back(app_names_.name(e.app), e.bytes);
    v.country = h.country;
    v.asn = h.asn;
    v.as_name = std::string(as_name_of(h.asn));
    return v;
}

bool host_table::set_blacklisted(const ip_address& ip, std::uint16_t vlan, bool blacklisted) noexcept {
    const std::uint32_t idx = find(ip, vlan);
    if (idx == npos) return false;
    auto& f = hosts_[idx].flags;
    f = static_cast<std::uint8_t>(blacklisted ? (f | host_entry::flag_blacklisted) : (f & ~host_entry::flag_blacklisted));
    return true;
}

bool host_table::add_alerts(const ip_address& ip, std::uint16_t vlan, std::uint32_t n) noexcept {
    const std::uint32_t idx = find(ip, vlan);
    if (idx == npos) return false;
    hosts_[idx].alerts += n;
    return true;
}

minute_drain host_table::drain_minute(std::uint64_t now_ns) {
    minute_drain d;
    d.start_ns = minute_start_ns_;
    d.end_ns = now_ns;
    d.hosts.reserve(minute_hosts_.size());
    for (const auto& m : minute_hosts_) {
        d.hosts.push_back({m.key.ip, m.key.vlan, m.pool, m.c});
        if (m.host != npos) hosts_[m.host].minute_slot = npos;
    }
    minute_hosts_.clear();
    for (const auto& [id, c] : minute_pools_) d.pools.push_back({id, c});
    minute_pools_.clear();
    pool_memo_ = {};
    for (const app_id id : minute_app_ids_) {
        app_delta& a = minute_apps_[id];
        d.apps.push_back({app_names_.name(id), a.bytes, a.packets, a.flows});
        a = app_delta{};
    }
    minute_app_ids_.clear();
    std::sort(d.pools.begin(), d.pools.end(), [](const auto& a, const auto& b) { return a.pool < b.pool; });
    std::sort(d.apps.begin(), d.apps.end(), [](const auto& a, const auto& b) { return a.app < b.app; });
    minute_start_ns_ = now_ns;
    return d;
}

pool_counters host_table::pool_stats(pool_id id) const noexcept {
    auto it = pool_totals_.find(id);
    return it == pool_totals_.end() ? pool_counters{} : it->second;
}

std::vector<mac_address> host_table::unassigned_macs() const {
    std::vector<mac_address> out;
    for (const auto& h : hosts_)
        if (h.live() && h.local() && h.pool == no_pool && h.has_mac()) out.push_back(h.mac);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::string_view host_table::name_of(std::uint32_t index) const noexcept {
    if (index >= hosts_.size()) return {};
    // A DNS answer names the address itself; a server name (SNI, Host) only
    // one of the sites it serves.
    const host_entry& h = hosts_[index];
    if (const auto answered = answers_.find(h.key); !answered.empty()) return answered;
    // The device's own name next (DHCP option 12): only local hosts keep a
    // MAC, the one of the station itself (a remote host's would be a router's).
    if (h.has_mac()) {
        if (const auto own = dhcp_names_.find(h.mac); !own.empty()) return own;
    }
    // Then the name the device gave its address itself (mDNS, NetBIOS,
    // LLMNR): on the local network, where no DNS server names it.
    if (const auto claimed = claims_.find(h.key); !claimed.empty()) return claimed;
    if (h.name == host_entry::no_name) return {};
    return names_[hosts_[index].name];
}

std::string_view host_table::as_name_of(std::uint32_t asn) const noexcept {
    if (asn == 0) return {};
    const auto it = as_names_.find(asn);
    return it == as_names_.end() ? std::string_view() : std::string_view(it->second);
}

std::size_t host_table::memory_bytes() const noexcept {
    std::size_t names = names_.capacity() * sizeof(std::string) + free_names_.capacity() * sizeof(std::uint32_t);
    for (const auto& n : names_) names += n.capacity() > 15 ? n.capacity() : 0;
    for (const auto& [asn, n] : as_names_) names += sizeof(std::string) + 16 + (n.capacity() > 15 ? n.capacity() : 0);
    return hosts_.capacity() * sizeof(host_entry) + index_.capacity() * sizeof(index_slot) +
           free_.capacity() * sizeof(std::uint32_t) + active_.memory_bytes() + names + answers_.memory_bytes() + dhcp_names_.memory_bytes() + claims_.memory_bytes() +
           minute_hosts_.capacity() * sizeof(delta);
}

}  // namespace wireflow::collector::aggregate
