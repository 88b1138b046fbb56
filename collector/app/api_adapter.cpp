#include "api_adapter.hpp"

namespace wireflow::collector::app {

namespace {

http::host_info to_info(const aggregate::host_view& h, std::string pool, const aggregate::mac_vendors& vendors) {
    http::host_info o;
    o.ip = h.ip.to_string();
    o.vlan = h.vlan;
    if (h.mac) {
        o.mac = h.mac->to_string();
        o.vendor = vendors.vendor(*h.mac);
    }
    o.name = h.name;
    o.local = h.local;
    o.live = true;
    o.pool_id = h.pool;
    o.pool = std::move(pool);
    o.bytes_sent = h.bytes_sent;
    o.bytes_rcvd = h.bytes_rcvd;
    o.packets_sent = h.packets_sent;
    o.packets_rcvd = h.packets_rcvd;
    o.flows_client = h.flows_client;
    o.flows_server = h.flows_server;
    o.active_client = h.active_client;
    o.active_server = h.active_server;
    o.peers = h.peers;
    o.peers_exact = h.peers_exact;
    o.first_seen_ns = h.first_seen_ns;
    o.last_seen_ns = h.last_seen_ns;
    o.throughput_bps = h.throughput_bps;
    o.blacklisted = h.blacklisted;
    o.alerts = h.alerts;
    o.apps = h.apps;
    o.country = std::string(h.country.view());
    o.asn = h.asn;
    o.as_name = h.as_name;
    return o;
}

// An idle host: gone from memory, its totals kept in PostgreSQL. The hosts
// table keeps no geolocation: one lookup when the page is shown is cheaper
// than a column per host (the databases do not change while running).
http::host_info to_info(const stored_host& h, const aggregate::mac_vendors& vendors, const geo::geo_locator& geo) {
    http::host_info o;
    o.ip = h.ip;
    o.vlan = h.vlan;
    o.mac = h.mac;
    if (const auto m = net::mac_address::parse(h.mac)) o.vendor = vendors.vendor(*m);
    o.name = h.name;
    o.local = h.local;
    o.live = false;
    o.bytes_sent = h.bytes_sent;
    o.bytes_rcvd = h.bytes_rcvd;
    o.packets_sent = h.packets_sent;
    o.packets_rcvd = h.packets_rcvd;
    o.flows_client = h.flows_client;
    o.flows_server = h.flows_server;
    o.first_seen_ns = h.first_seen_ns;
    o.last_seen_ns = h.last_seen_ns;
    if (const auto a = net::ip_address::parse(h.ip)) {
        auto g = geo.locate(*a);
        o.country = std::string(g.country.view());
        o.asn = g.asn;
        o.as_name = std::move(g.as_name);
    }
    return o;
}

http::blacklist_info to_info(const blacklist::source_status& s) {
    http::blacklist_info o;
    o.name = s.source.name;
    o.category = s.source.category;
    o.format = blacklist::to_string(s.source.format);
    o.location = s.source.location;
    o.update_interval_s = s.source.update_interval.count();
    o.enabled = s.source.enabled;
    o.entries = s.entries;
    o.broken_lines = s.broken_lines;
    o.non_canonical = s.non_canonical;
    o.refused_broad = s.refused_broad;
    o.refused_examples = s.refused_examples;
    o.hits = s.hits;
    o.last_load = s.last_load;
    o.last_attempt = s.last_attempt;
    o.last_error = s.last_error;
    return o;
}

}  // namespace

std::optional<double> api_adapter::throughput_bps() {
    // The last complete minute of the global byte series (minute_persister
    // writes it), in bits/s; nullopt until one minute is stored or while
    // PostgreSQL is away.
    try {
        const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
        const auto minute = now_s / 60 * 60;
        const auto pts = p_.timeseries.query("bytes", "global", "", minute - 180, minute, 60);
        if (pts.empty()) return std::nullopt;
        return pts.back().value * 8.0 / 60.0;
    } catch (const store_error&) {
        return std::nullopt;
    }
}

std::string api_adapter::pool_name(std::uint32_t id) const {
    if (id == aggregate::no_pool) return {};
    for (const auto& p : p_.live.pools())
        if (p.id == id) return p.name;
    return {};
}

http::host_list api_adapter::hosts(const http::host_filter& f) {
    aggregate::host_query q;
    q.by = aggregate::parse_host_sort(f.sort).value_or(aggregate::host_sort::bytes);
    q.order = f.descending ? aggregate::sort_order::desc : aggregate::sort_order::asc;
    q.limit = f.limit;
    q.offset = f.offset;
    q.pool = f.pool;
    if (f.local) q.where = *f.local ? aggregate::locality::local : aggregate::locality::remote;
    q.q = f.q;
    q.vlan = f.vlan;
    if (!f.country.empty()) q.country = geo::country_code::parse(f.country).value_or(geo::country_code{});
    q.asn = f.asn.value_or(0);
    const auto page = p_.live.query(q);
    std::map<std::uint32_t, std::string> names;
    for (const auto& p : p_.live.pools()) names[p.id] = p.name;
    http::host_list out;
    out.total = page.total;
    out.items.reserve(page.items.size());
    for (const auto& h : page.items) {
        const auto it = names.find(h.pool);
        out.items.push_back(to_info(h, it == names.end() ? std::string() : it->second, p_.vendors));
    }
    return out;
}

std::optional<http::host_info> api_adapter::host(const std::string& ip, std::uint16_t vlan) {
    const auto address = net::ip_address::parse(ip);
    if (!address) return std::nullopt;
    if (const auto live = p_.live.host(*address, vlan)) return to_info(*live, pool_name(live->pool), p_.vendors);
    if (const auto stored = p_.host_history.find(ip, vlan)) return to_info(*stored, p_.vendors, p_.geo);
    return std::nullopt;
}

std::vector<http::pool_info> api_adapter::pools() {
    std::vector<http::pool_info> out;
    for (const auto& p : p_.pools.list())
        out.push_back({p.id, p.name, p.members, p.counters.hosts, p.counters.bytes_sent, p.counters.bytes_rcvd,
                       p.counters.packets_sent, p.counters.packets_rcvd});
    return out;
}

std::vector<http::device_info> api_adapter::unassigned_devices(std::size_t limit) {
    std::vector<http::device_info> out;
    for (const auto& d : p_.pools.unassigned(limit)) {
        http::device_info i{d.mac, d.ip, d.vlan, d.name, {}, false};
        if (const auto m = net::mac_address::parse(d.mac)) {
            i.vendor = p_.vendors.vendor(*m);
            i.locally_administered = aggregate::mac_vendors::locally_administered(*m);
        }
        out.push_back(std::move(i));
    }
    return out;
}

std::string api_adapter::set_preferences(const boost::json::object& partial) {
    std::string error;
    const auto next = alert::apply_json(p_.alerts.preferences(), partial, error);
    if (!next) return error.empty() ? std::string("invalid preferences") : error;
    p_.alerts.set_preferences(*next);
    return {};
}

std::vector<http::blacklist_info> api_adapter::blacklists() {
    std::vector<http::blacklist_info> out;
    for (const auto& s : p_.blacklists.status()) out.push_back(to_info(s));
    return out;
}

bool api_adapter::reload_blacklists() {
    return p_.work.once("blacklist-reload", [this] { (void)p_.blacklists.reload(); });
}

std::optional<http::blacklist_info> api_adapter::set_blacklist_enabled(const std::string& name, bool enabled) {
    if (!p_.blacklists.set_enabled(name, enabled)) return std::nullopt;
    for (const auto& s : p_.blacklists.status())
        if (s.source.name == name) return to_info(s);
    return std::nullopt;
}

std::vector<http::notification_endpoint_info> api_adapter::notification_endpoints() {
    std::vector<http::notification_endpoint_info> out;
    for (const auto& e : p_.notifier.status())
        out.push_back(http::notification_endpoint_info{e.name, std::string(alert::to_string(e.kind)), e.target,
                                                       std::string(alert::to_string(e.min_severity)), e.types,
                                                       e.from_preferences, e.sent, e.failed, e.retries,
                                                       e.last_success, e.last_failure, e.last_error});
    return out;
}

std::optional<http::notification_test_result> api_adapter::test_notification(const std::string& name) {
    const auto r = p_.notifier.send_test(name);
    if (!r) return std::nullopt;
    return http::notification_test_result{r->ok, r->error};
}

flow_page api_adapter::active_flows(const active_filter& f) {
    const auto now = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
    // The pool of either side, asked of the host pools only when filtering by pool.
    const aggregate::pool_match pool = [this](const net::ip_address& ip, std::uint16_t vlan,
                                              const net::mac_address* mac) { return p_.live.pool_of(ip, vlan, mac); };
    return p_.active.query(f, now, f.pool ? pool : aggregate::pool_match{});
}

}  // namespace wireflow::collector::app
