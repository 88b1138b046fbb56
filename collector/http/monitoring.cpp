// Handlers: status, probes, hosts, flows, time series, OpenAPI.
#include "handlers.hpp"
#include "json_views.hpp"
#include "openapi.hpp"
#include "params.hpp"

#include <string>

namespace wireflow::collector::http::handlers {

namespace bj = boost::json;

reply status(call& c) {
    auto& a = c.svc.api;
    bj::object o;
    o["version"] = c.svc.version;
    o["uptime_s"] = static_cast<std::int64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now() - c.svc.started).count());
    o["now"] = unix_seconds(std::chrono::system_clock::now());
    // Every counter of the table; a family (rows with a label) as its sum.
    for (const auto& row : a.counters()) {
        if (row.kind == counter_kind::flag) {
            o[row.name] = row.value != 0;
        } else if (row.label_name.empty()) {
            o[row.name] = row.value;
        } else {
            auto& v = o[row.name];
            v = (v.is_uint64() ? v.as_uint64() : 0) + row.value;
        }
    }
    const auto probes = a.probes();
    std::size_t up = 0;
    for (const auto& p : probes) up += p.up ? 1 : 0;
    o["probes"] = probes.size();
    o["probes_up"] = up;
    const auto bps = a.throughput_bps();
    o["throughput_bps"] = bps ? bj::value(*bps) : bj::value(nullptr);
    o["alerts_enabled"] = a.alerts_enabled();
    return json_reply(o);
}

reply probes(call& c) {
    bj::array items;
    const auto list = c.svc.api.probes();
    for (const auto& p : list) items.emplace_back(probe_json(p));
    return json_reply(list_view(list.size(), std::move(items)));
}

reply hosts(call& c) {
    const auto page = read_page(c.query, {"bytes", "bytes_sent", "bytes_rcvd", "packets", "flows", "throughput", "last_seen"},
                                "bytes");
    host_filter f;
    f.sort = page.sort;
    f.descending = page.descending;
    f.limit = page.limit;
    f.offset = page.offset;
    if (const auto p = read_uint(c.query, "pool", 0xffffffffu)) f.pool = static_cast<std::uint32_t>(*p);
    f.local = read_bool(c.query, "local");
    f.q = read_text(c.query, "q", 128);
    if (const auto v = read_uint(c.query, "vlan", 4095)) f.vlan = static_cast<std::uint16_t>(*v);
    f.country = read_country(c.query, "country");
    f.asn = read_asn(c.query, "asn");
    const auto result = c.svc.api.hosts(f);
    bj::array items;
    items.reserve(result.items.size());
    for (const auto& h : result.items) items.emplace_back(host_json(h));
    return json_reply(list_view(result.total, std::move(items)));
}

reply host(call& c) {
    // Idle hosts leave memory; their totals stay in PostgreSQL (the api looks there too).
    const auto ip = parse_ip_or_400(c.param("ip"), "ip");
    const auto vlan = static_cast<std::uint16_t>(read_uint(c.query, "vlan", 4095).value_or(0));
    const auto h = c.svc.api.host(ip, vlan);
    if (!h) throw api_error(404, "not_found", "no such host");
    // The week before the host was last seen (a bounded scan: issue 13,
    // finding 10), so an idle host's page still shows what it did.
    auto last = std::chrono::system_clock::now();
    if (h->last_seen_ns != 0)
        last = std::chrono::system_clock::time_point(
            std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::nanoseconds(h->last_seen_ns)));
    const auto since = last - host_detail_window;
    const auto activity = c.svc.api.activity(ip, vlan, since, last + std::chrono::hours(1), 10, 20);
    return json_reply(host_detail_json(*h, activity.top_peers, activity.recent_flows));
}

namespace {

// The filters stored and active flows share.
void read_flow_filters(const query_params& q, flow_filter& f) {
    if (const auto h = read_ip(q, "host")) f.host = *h;
    if (const auto v = read_uint(q, "vlan", 4095)) f.vlan = static_cast<std::uint16_t>(*v);
    f.app = read_text(q, "app", 64);
    if (const auto p = read_uint(q, "port", 65535)) f.port = static_cast<std::uint16_t>(*p);
    if (const auto p = read_uint(q, "protocol", 255)) f.protocol = static_cast<std::uint8_t>(*p);
    f.blacklisted = read_bool(q, "blacklisted");
    // A TLS fingerprint (MD5, as nDPI prints it): the client's JA3 or the server's JA3S.
    f.ja3 = read_hex_digest(q, "ja3", 32);
    // Geolocation: either side's country (two letters) or AS number.
    if (const auto cc = read_country(q, "country"); !cc.empty()) f.country = *geo::country_code::parse(cc);
    f.asn = read_asn(q, "asn");
}

// state=active: the flows in progress, from memory (issue 15). Sorted by
// throughput unless asked otherwise; probe and pool only exist here.
reply active_flows(call& c) {
    if (c.query.get("from") || c.query.get("to"))
        throw api_error(400, "bad_parameter", "from/to select stored flows; active flows are the ones in progress now");
    const auto page = read_page(c.query, {"first_seen", "last_seen", "bytes", "packets", "throughput"}, "throughput");
    active_filter f;
    f.base.limit = page.limit;
    f.base.offset = page.offset;
    f.base.descending = page.descending;
    f.sort = page.sort == "first_seen" ? active_sort::first_seen
             : page.sort == "last_seen" ? active_sort::last_seen
             : page.sort == "bytes"     ? active_sort::bytes
             : page.sort == "packets"   ? active_sort::packets
                                        : active_sort::throughput;
    read_flow_filters(c.query, f.base);
    f.probe_id = read_text(c.query, "probe", 64);
    for (const char ch : f.probe_id)
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
              ch == '_' || ch == '-'))
            throw api_error(400, "bad_parameter", "probe: a probe id ([A-Za-z0-9._-], 1 to 64)");
    if (const auto p = read_uint(c.query, "pool", 4294967295ull)) f.pool = static_cast<std::uint32_t>(*p);
    const auto result = c.svc.api.active_flows(f);
    bj::array items;
    for (const auto& fl : result.items) items.emplace_back(flow_json(fl));
    return json_reply(list_view(result.total, std::move(items)));
}

}  // namespace

reply flows(call& c) {
    const auto state = read_text(c.query, "state", 16);
    if (state == "active") return active_flows(c);
    if (!state.empty() && state != "ended") throw api_error(400, "bad_parameter", "state: active or ended");
    if (c.query.get("probe") || c.query.get("pool"))
        throw api_error(400, "bad_parameter", "probe and pool filter active flows only (state=active)");
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
    if (f.from && *f.to - *f.from > max_flow_range)
        throw api_error(400, "range_too_wide", "from..to spans at most 31 days; search in several ranges");
    read_flow_filters(c.query, f);
    const auto result = c.svc.api.flows(f);
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
    const auto apps = c.svc.api.top_apps(std::chrono::seconds(window), limit, total);
    bj::array items;
    for (const auto& a : apps) items.emplace_back(app_total_json(a));
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
    if ((secs(to) - secs(from)) / static_cast<std::int64_t>(step) > ts_max_points)
        throw api_error(400, "bad_parameter", "more than 10000 points: widen step or narrow the range");
    std::vector<ts_point> points;
    try {
        points = c.svc.api.timeseries(metric, scope, id, secs(from), secs(to), static_cast<std::int64_t>(step));
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
