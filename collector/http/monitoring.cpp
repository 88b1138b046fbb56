// Handlers: status, probes, hosts, flows, time series, /metrics, OpenAPI.
#include "alert/alert_engine.hpp"
#include "app/collector_app.hpp"
#include "handlers.hpp"
#include "json_views.hpp"
#include "openapi.hpp"
#include "params.hpp"
#include "store/store.hpp"

#include <map>
#include <string>

namespace wireflow::collector::http::handlers {

namespace bj = boost::json;

namespace {

std::uint64_t load(const std::atomic<std::uint64_t>& c) { return c.load(std::memory_order_relaxed); }

std::map<aggregate::pool_id, std::string> pool_names(app::collector_app& a) {
    std::map<aggregate::pool_id, std::string> names;
    for (const auto& p : a.aggregator().pools()) names[p.id] = p.name;
    return names;
}

}  // namespace

reply status(call& c) {
    auto& a = c.svc.app;
    const auto& s = a.stats();
    bj::object o;
    o["version"] = c.svc.version;
    o["uptime_s"] = static_cast<std::int64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now() - c.svc.started).count());
    o["now"] = unix_seconds(std::chrono::system_clock::now());
    o["db_up"] = s.db_up.load();
    o["hosts"] = a.aggregator().hosts();
    const auto probes = a.probes().list();
    std::size_t up = 0;
    for (const auto& p : probes) up += p.up ? 1 : 0;
    o["probes"] = probes.size();
    o["probes_up"] = up;
    o["batches_received"] = load(s.batches_received);
    o["batches_stored"] = load(s.batches_stored);
    o["records_received"] = load(s.records_received);
    o["records_stored"] = load(s.records_stored);
    o["batches_rejected"] = s.rejected_total();
    o["spool_batches"] = load(s.spool_batches);
    o["spool_bytes"] = load(s.spool_bytes);
    // Throughput: the last complete minute of the global byte series, in
    // bits/s (minute_persister writes it; null until one minute is stored).
    try {
        const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch()).count();
        const auto minute = now_s / 60 * 60;
        const auto pts = a.timeseries().query("bytes", "global", "", minute - 180, minute, 60);
        o["throughput_bps"] = pts.empty() ? bj::value(nullptr) : bj::value(pts.back().value * 8.0 / 60.0);
    } catch (const store_error&) {
        o["throughput_bps"] = nullptr;
    }
    if (auto* e = a.alert_engine()) o["alerts_engaged"] = e->engaged().size();
    else o["alerts_engaged"] = nullptr;
    o["alerts_enabled"] = a.alert_engine() ? bj::value(a.alert_engine()->preferences().enabled) : bj::value(nullptr);
    return json_reply(o);
}

reply probes(call& c) {
    bj::array items;
    const auto list = c.svc.app.probes().list();
    for (const auto& p : list) items.emplace_back(probe_json(p));
    return json_reply(list_view(list.size(), std::move(items)));
}

reply hosts(call& c) {
    const auto page = read_page(c.query, {"bytes", "bytes_sent", "bytes_rcvd", "packets", "flows", "throughput", "last_seen"},
                                "bytes");
    aggregate::host_query q;
    q.by = *aggregate::parse_host_sort(page.sort);
    q.order = page.descending ? aggregate::sort_order::desc : aggregate::sort_order::asc;
    q.limit = page.limit;
    q.offset = page.offset;
    if (const auto p = read_uint(c.query, "pool", 0xffffffffu)) q.pool = static_cast<aggregate::pool_id>(*p);
    if (const auto l = read_bool(c.query, "local")) q.where = *l ? aggregate::locality::local : aggregate::locality::remote;
    q.q = read_text(c.query, "q", 128);
    if (const auto v = read_uint(c.query, "vlan", 4095)) q.vlan = static_cast<std::uint16_t>(*v);
    const auto result = c.svc.app.aggregator().query(q);
    const auto names = pool_names(c.svc.app);
    bj::array items;
    items.reserve(result.items.size());
    for (const auto& h : result.items) {
        const auto it = names.find(h.pool);
        items.emplace_back(host_json(h, it == names.end() ? std::string_view{} : std::string_view(it->second)));
    }
    return json_reply(list_view(result.total, std::move(items)));
}

reply host(call& c) {
    const auto ip = parse_ip_or_400(c.param("ip"), "ip");
    const auto vlan = static_cast<std::uint16_t>(read_uint(c.query, "vlan", 4095).value_or(0));
    const auto live = c.svc.app.aggregator().host(ip, vlan);
    bj::object o;
    if (live) {
        const auto names = pool_names(c.svc.app);
        const auto it = names.find(live->pool);
        o = host_json(*live, it == names.end() ? std::string_view{} : std::string_view(it->second));
        bj::array apps;
        for (const auto& [name, bytes] : live->apps) apps.emplace_back(bj::object{{"app", name}, {"bytes", bytes}});
        o["applications"] = std::move(apps);
    } else {
        // Idle hosts leave memory; their totals stay in PostgreSQL.
        const auto stored = c.svc.app.host_history().find(ip.to_string(), vlan);
        if (!stored) throw api_error(404, "not_found", "no such host");
        o["ip"] = stored->ip;
        o["vlan"] = stored->vlan;
        o["mac"] = stored->mac.empty() ? bj::value(nullptr) : bj::value(stored->mac);
        o["name"] = stored->name;
        o["local"] = stored->local;
        o["pool_id"] = 0;
        o["pool"] = "";
        o["bytes_sent"] = stored->bytes_sent;
        o["bytes_rcvd"] = stored->bytes_rcvd;
        o["packets_sent"] = stored->packets_sent;
        o["packets_rcvd"] = stored->packets_rcvd;
        o["flows_as_client"] = stored->flows_client;
        o["flows_as_server"] = stored->flows_server;
        o["first_seen"] = unix_seconds_ns(stored->first_seen_ns);
        o["last_seen"] = unix_seconds_ns(stored->last_seen_ns);
        o["blacklisted"] = false;
        o["applications"] = bj::array{};
    }
    o["live"] = live.has_value();
    const std::string ip_text = ip.to_string();
    bj::array peers;
    for (const auto& p : c.svc.flows.top_peers(ip_text, vlan, std::chrono::system_clock::now() - std::chrono::hours(24 * 3650), 10))
        peers.emplace_back(peer_json(p));
    o["top_peers"] = std::move(peers);
    flow_filter f;
    f.host = ip_text;
    f.vlan = vlan;
    f.from = std::chrono::system_clock::time_point{};
    f.to = std::chrono::system_clock::now() + std::chrono::hours(24 * 365);
    f.sort = flow_sort::first_seen;
    f.limit = 20;
    bj::array recent;
    for (const auto& fl : c.svc.flows.find(f).items) recent.emplace_back(flow_json(fl));
    o["recent_flows"] = std::move(recent);
    return json_reply(o);
}

reply flows(call& c) {
    const auto page = read_page(c.query, {"first_seen", "last_seen", "bytes", "packets"}, "last_seen");
    flow_filter f;
    f.limit = page.limit;
    f.offset = page.offset;
    f.descending = page.descending;
    f.sort = page.sort == "first_seen" ? flow_sort::first_seen
             : page.sort == "bytes"    ? flow_sort::bytes
             : page.sort == "packets"  ? flow_sort::packets
                                       : flow_sort::last_seen;
    f.from = read_time(c.query, "from");
    f.to = read_time(c.query, "to");
    if (f.from.has_value() != f.to.has_value()) throw api_error(400, "bad_parameter", "from and to go together");
    if (f.from && *f.from > *f.to) throw api_error(400, "bad_parameter", "from must not be after to");
    if (const auto h = read_ip(c.query, "host")) f.host = h->to_string();
    if (const auto v = read_uint(c.query, "vlan", 4095)) f.vlan = static_cast<std::uint16_t>(*v);
    f.app = read_text(c.query, "app", 64);
    if (const auto p = read_uint(c.query, "port", 65535)) f.port = static_cast<std::uint16_t>(*p);
    if (const auto p = read_uint(c.query, "protocol", 255)) f.protocol = static_cast<std::uint8_t>(*p);
    f.blacklisted = read_bool(c.query, "blacklisted");
    const auto result = c.svc.flows.find(f);
    bj::array items;
    for (const auto& fl : result.items) items.emplace_back(flow_json(fl));
    return json_reply(list_view(result.total, std::move(items)));
}

reply applications(call& c) {
    const auto limit = read_uint(c.query, "limit", max_page_limit).value_or(10);
    if (limit == 0) throw api_error(400, "bad_parameter", "limit: expects an integer from 1 to 1000");
    const auto window = read_uint(c.query, "window_s", 86400).value_or(300);
    if (window < 10) throw api_error(400, "bad_parameter", "window_s: expects an integer from 10 to 86400");
    std::uint64_t total = 0;
    const auto apps = c.svc.flows.top_apps(std::chrono::seconds(window), limit, total);
    bj::array items;
    for (const auto& a : apps)
        items.emplace_back(bj::object{{"app", a.app}, {"bytes", a.bytes}, {"packets", a.packets}, {"flows", a.flows}});
    return json_reply(list_view(total, std::move(items)));
}

reply timeseries(call& c) {
    const auto metric = read_text(c.query, "metric", 64);
    const auto scope = read_text(c.query, "scope", 16);
    const auto id = read_text(c.query, "id", 128);
    if (metric.empty()) throw api_error(400, "bad_parameter", "metric is required");
    for (const char ch : metric)
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_'))
            throw api_error(400, "bad_parameter", "metric: lower-case letters, digits and '_'");
    if (scope != "global" && scope != "probe" && scope != "host" && scope != "pool" && scope != "app" && scope != "interface")
        throw api_error(400, "bad_parameter", "scope: global, probe, host, pool, app or interface");
    const auto now = std::chrono::system_clock::now();
    const auto to = read_time(c.query, "to").value_or(now);
    const auto from = read_time(c.query, "from").value_or(to - std::chrono::hours(1));
    const auto step = read_uint(c.query, "step", 366ull * 24 * 3600).value_or(60);
    if (step < 60) throw api_error(400, "bad_parameter", "step: at least 60 seconds");
    if (from > to) throw api_error(400, "bad_parameter", "from must not be after to");
    const auto secs = [](auto t) { return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count(); };
    if ((secs(to) - secs(from)) / static_cast<std::int64_t>(step) > timeseries_store::max_points)
        throw api_error(400, "bad_parameter", "more than 10000 points: widen step or narrow the range");
    std::vector<ts_point> points;
    try {
        points = c.svc.app.timeseries().query(metric, scope, id, secs(from), secs(to), static_cast<std::int64_t>(step));
    } catch (const std::invalid_argument& e) {
        throw api_error(400, "bad_parameter", e.what());
    }
    bj::array items;
    for (const auto& p : points) items.emplace_back(point_json(p));
    bj::object o;
    o["metric"] = metric;
    o["scope"] = scope;
    o["id"] = id;
    o["step"] = step;
    o["total"] = points.size();
    o["items"] = std::move(items);
    return json_reply(o);
}

reply openapi(call&) {
    reply r;
    r.body = openapi_document();
    r.headers.emplace_back("Cache-Control", "no-cache");
    return r;
}

}  // namespace wireflow::collector::http::handlers
