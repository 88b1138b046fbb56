#include "active_flows.hpp"

#include <algorithm>
#include <cctype>

namespace wireflow::collector::aggregate {
namespace {

constexpr std::uint64_t ns_per_s = 1'000'000'000;

std::uint64_t bytes_of(const flow_counters& c) noexcept { return c.c2s_bytes + c.s2c_bytes; }
std::uint64_t packets_of(const flow_counters& c) noexcept { return c.c2s_packets + c.s2c_packets; }

bool equal_ci(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
               return std::tolower(x) == std::tolower(y);
           });
}

// Bits per second over [from_ns, to_ns]; 0 for an empty or backwards span.
double rate(std::uint64_t bytes, std::uint64_t from_ns, std::uint64_t to_ns) noexcept {
    if (to_ns <= from_ns) return 0;
    return static_cast<double>(bytes) * 8.0 * static_cast<double>(ns_per_s) / static_cast<double>(to_ns - from_ns);
}

}  // namespace

active_flows::active_flows(active_flows_config config)
    : config_(config), flows_(0, key_hash{config.key}), ended_(0, key_hash{config.key}) {}

std::uint32_t active_flows::probe_index(const std::string& probe_id) {
    // Probe ids are few (ingest admits at most --max-probes of them).
    const auto [it, added] = probe_ids_.try_emplace(probe_id, static_cast<std::uint32_t>(probes_.size()));
    if (added) probes_.push_back(probe_id);
    return it->second;
}

void active_flows::update(const flow_batch& report, const active_report& meta, std::uint64_t now_ns) {
    // Three periods: one late report does not make a flow blink out.
    const std::uint64_t ttl = std::max<std::uint64_t>(config_.min_ttl_ns, std::uint64_t{3} * meta.interval_ms * 1'000'000);
    std::lock_guard lock(mutex_);
    ++counters_.reports;
    last_now_ns_ = now_ns;
    const std::uint32_t probe = probe_index(report.id.probe_id);
    for (const auto& r : report.records) {
        ++counters_.updates;
        const key k{report.id.boot_id, r.flow_id, probe};
        auto it = flows_.find(k);
        if (it == flows_.end()) {
            if (!ended_.empty() && ended_.contains(k)) continue;  // its final record came first
            if (flows_.size() >= config_.capacity) {
                ++counters_.dropped_full;
                continue;
            }
            it = flows_.try_emplace(k).first;
            // New to us: its average since the period began.
            it->second.throughput_bps = rate(bytes_of(r), r.first_seen_ns, meta.time_ns);
        } else {
            entry& e = it->second;
            // Same period: the bytes between the two reports. A new period
            // (an active-timeout record in between): its bytes since it began.
            const bool same_period = e.rec.first_seen_ns == r.first_seen_ns && bytes_of(r) >= bytes_of(e.rec);
            e.throughput_bps = same_period ? rate(bytes_of(r) - bytes_of(e.rec), e.report_ns, meta.time_ns)
                                           : rate(bytes_of(r), r.first_seen_ns, meta.time_ns);
        }
        entry& e = it->second;
        e.rec = r;
        e.client_blacklist.assign(report.blacklist_text(r.client_blacklist));
        e.server_blacklist.assign(report.blacklist_text(r.server_blacklist));
        e.seen_ns = now_ns;
        e.ttl_ns = ttl;
        e.report_ns = meta.time_ns;
    }
    // A full scan of a large table costs more than a report (it was 30 % of
    // the update path at 100K flows when run every second): at most once per
    // third of the shortest time to live. Nothing waits on it: queries skip
    // flows past their time, so expiry only frees their room.
    if (now_ns >= last_expire_ns_ + std::max(ns_per_s, config_.min_ttl_ns / 3)) expire_locked(now_ns);
}

void active_flows::on_stored(const flow_batch& stored) {
    std::lock_guard lock(mutex_);
    const auto p = probe_ids_.find(stored.id.probe_id);
    if (p == probe_ids_.end()) return;  // this probe never reported active flows
    for (const auto& r : stored.records) {
        const auto it = flows_.find(key{stored.id.boot_id, r.flow_id, p->second});
        if (it == flows_.end()) continue;
        if (ends_flow(r.reason)) {
            if (ended_.size() < config_.capacity) ended_.emplace(it->first, last_now_ns_);
            flows_.erase(it);
            ++counters_.ended;
            continue;
        }
        // The flow goes on: that period's counters now belong to the base.
        entry& e = it->second;
        e.base.c2s_packets += r.c2s_packets;
        e.base.c2s_bytes += r.c2s_bytes;
        e.base.s2c_packets += r.s2c_packets;
        e.base.s2c_bytes += r.s2c_bytes;
        if (e.base.first_seen_ns == 0 || r.first_seen_ns < e.base.first_seen_ns) e.base.first_seen_ns = r.first_seen_ns;
        // The report we hold is of that same period: it is counted in the
        // base now, so the current period starts empty until the next report.
        if (e.rec.first_seen_ns <= r.first_seen_ns) {
            e.rec.c2s_packets = e.rec.c2s_bytes = e.rec.s2c_packets = e.rec.s2c_bytes = 0;
            e.rec.first_seen_ns = r.last_seen_ns;
        }
    }
}

void active_flows::expire(std::uint64_t now_ns) {
    std::lock_guard lock(mutex_);
    expire_locked(now_ns);
}

void active_flows::expire_locked(std::uint64_t now_ns) {
    last_expire_ns_ = now_ns;
    counters_.expired += std::erase_if(flows_, [now_ns](const auto& kv) {
        return now_ns > kv.second.seen_ns + kv.second.ttl_ns;
    });
    std::erase_if(ended_, [this, now_ns](const auto& kv) { return now_ns > kv.second + config_.min_ttl_ns; });
}

flow_page active_flows::query(const active_filter& f, std::uint64_t now_ns, const pool_match& pool) const {
    const auto host = f.base.host.empty() ? std::nullopt : ip_address::parse(f.base.host);
    const bool want_host = !f.base.host.empty();
    std::lock_guard lock(mutex_);
    const auto probe = f.probe_id.empty() ? probe_ids_.end() : probe_ids_.find(f.probe_id);
    if (!f.probe_id.empty() && probe == probe_ids_.end()) return {};
    if (want_host && !host) return {};

    struct row {
        const key* k;
        const entry* e;
        std::uint64_t bytes, packets, first_ns;
    };
    std::vector<row> rows;
    for (const auto& [k, e] : flows_) {
        const flow_record& r = e.rec;
        if (now_ns > e.seen_ns + e.ttl_ns) continue;  // due for expiry
        if (probe != probe_ids_.end() && k.probe != probe->second) continue;
        if (host && r.client_ip != *host && r.server_ip != *host) continue;
        if (f.base.vlan && r.vlan != *f.base.vlan) continue;
        if (!f.base.app.empty() && !equal_ci(r.app_name, f.base.app)) continue;
        if (f.base.port && r.client_port != *f.base.port && r.server_port != *f.base.port) continue;
        if (f.base.protocol && r.protocol != *f.base.protocol) continue;
        if (!f.base.ja3.empty() && !(r.tls && (r.tls->ja3_client == f.base.ja3 || r.tls->ja3_server == f.base.ja3)))
            continue;
        if (f.base.blacklisted &&
            (!e.client_blacklist.empty() || !e.server_blacklist.empty()) != *f.base.blacklisted)
            continue;
        if (!f.base.country.empty() && r.client_geo.country != f.base.country && r.server_geo.country != f.base.country)
            continue;
        if (f.base.asn && r.client_geo.asn != *f.base.asn && r.server_geo.asn != *f.base.asn) continue;
        if (f.pool && pool) {
            const auto side = [&](const ip_address& ip, const std::optional<mac_address>& mac) {
                return pool(ip, r.vlan, mac ? &*mac : nullptr) == *f.pool;
            };
            if (!side(r.client_ip, r.client_mac) && !side(r.server_ip, r.server_mac)) continue;
        }
        const std::uint64_t first = e.base.first_seen_ns != 0 ? std::min(e.base.first_seen_ns, r.first_seen_ns) : r.first_seen_ns;
        rows.push_back({&k, &e, bytes_of(r) + bytes_of(e.base), packets_of(r) + packets_of(e.base), first});
    }

    const auto value = [&f](const row& x) -> double {
        switch (f.sort) {
        case active_sort::first_seen: return static_cast<double>(x.first_ns);
        case active_sort::last_seen: return static_cast<double>(x.e->rec.last_seen_ns);
        case active_sort::bytes: return static_cast<double>(x.bytes);
        case active_sort::packets: return static_cast<double>(x.packets);
        case active_sort::throughput: return x.e->throughput_bps;
        }
        return 0;
    };
    // Ties broken by identity so that pages do not overlap.
    const auto before = [&](const row& a, const row& b) {
        const double va = value(a), vb = value(b);
        if (va != vb) return f.base.descending ? va > vb : va < vb;
        if (a.k->probe != b.k->probe) return a.k->probe < b.k->probe;
        if (a.k->boot_id != b.k->boot_id) return a.k->boot_id < b.k->boot_id;
        return a.k->flow_id < b.k->flow_id;
    };
    flow_page page;
    page.total = rows.size();
    const std::size_t from = std::min(f.base.offset, rows.size());
    const std::size_t to = std::min(rows.size(), from + f.base.limit);
    std::partial_sort(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(to), rows.end(), before);
    page.items.reserve(to - from);
    for (std::size_t i = from; i < to; ++i) {
        const row& x = rows[i];
        const flow_record& r = x.e->rec;
        flow_item it;
        it.probe_id = probes_[x.k->probe];
        it.flow_id = r.flow_id;
        it.first_seen_ns = x.first_ns;
        it.last_seen_ns = r.last_seen_ns;
        it.vlan = r.vlan;
        it.protocol = r.protocol;
        it.client_ip = r.client_ip.to_string();
        it.server_ip = r.server_ip.to_string();
        it.client_port = r.client_port;
        it.server_port = r.server_port;
        it.c2s_packets = r.c2s_packets + x.e->base.c2s_packets;
        it.c2s_bytes = r.c2s_bytes + x.e->base.c2s_bytes;
        it.s2c_packets = r.s2c_packets + x.e->base.s2c_packets;
        it.s2c_bytes = r.s2c_bytes + x.e->base.s2c_bytes;
        it.app_name = r.app_name;
        it.app_category = r.app_category;
        it.server_name = r.server_name;
        it.flow_risk = r.flow_risk;
        it.client_blacklist = x.e->client_blacklist;
        it.server_blacklist = x.e->server_blacklist;
        it.end_reason = 0;
        it.dns_query_type = r.dns_query_type;
        it.dns_reply_code = r.dns_reply_code;
        if (r.dns_answer) it.dns_answer = r.dns_answer->to_string();
        it.health = r.health;  // the latest report's: that period's TCP events and TTLs
        it.tunnel = r.tunnel;
        it.confidence = r.confidence;  // the latest report's: nDPI may still be refining it
        it.tls = r.tls;
        it.http = r.http;
        it.client_geo = r.client_geo;  // marked when the report arrived (geo/batch_marker)
        it.server_geo = r.server_geo;
        it.active = true;
        it.throughput_bps = x.e->throughput_bps;
        page.items.push_back(std::move(it));
    }
    return page;
}

std::size_t active_flows::size() const {
    std::lock_guard lock(mutex_);
    return flows_.size();
}

active_flows_counters active_flows::counters() const {
    std::lock_guard lock(mutex_);
    return counters_;
}

}  // namespace wireflow::collector::aggregate
