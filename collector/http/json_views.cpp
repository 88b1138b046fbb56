#include "json_views.hpp"

#include "model/dns_codes.hpp"

namespace wireflow::collector::http {

namespace bj = boost::json;

double unix_seconds(std::chrono::system_clock::time_point t) noexcept {
    return std::chrono::duration<double>(t.time_since_epoch()).count();
}
double unix_seconds_ns(std::uint64_t ns) noexcept { return static_cast<double>(ns) / 1e9; }

namespace {
bj::value opt_time(const std::optional<std::chrono::system_clock::time_point>& t) {
    if (!t) return nullptr;
    return unix_seconds(*t);
}
}  // namespace

bj::value list_view(std::uint64_t total, bj::array items) {
    bj::object o;
    o["total"] = total;
    o["items"] = std::move(items);
    return o;
}

bj::object host_json(const host_info& h) {
    bj::object o;
    o["ip"] = h.ip;
    o["vlan"] = h.vlan;
    o["mac"] = h.mac.empty() ? bj::value(nullptr) : bj::value(h.mac);
    o["vendor"] = h.vendor.empty() ? bj::value(nullptr) : bj::value(h.vendor);
    o["name"] = h.name;
    o["local"] = h.local;
    o["pool_id"] = h.pool_id;
    o["pool"] = h.pool;
    o["bytes_sent"] = h.bytes_sent;
    o["bytes_rcvd"] = h.bytes_rcvd;
    o["packets_sent"] = h.packets_sent;
    o["packets_rcvd"] = h.packets_rcvd;
    o["flows_as_client"] = h.flows_client;
    o["flows_as_server"] = h.flows_server;
    o["active_flows_as_client"] = h.active_client;
    o["active_flows_as_server"] = h.active_server;
    o["peers"] = h.peers;
    o["peers_exact"] = h.peers_exact;
    o["first_seen"] = unix_seconds_ns(h.first_seen_ns);
    o["last_seen"] = unix_seconds_ns(h.last_seen_ns);
    o["throughput_bps"] = h.throughput_bps * 8.0;
    o["blacklisted"] = h.blacklisted;
    o["alerts"] = h.alerts;
    // Geolocation (collector/geo): null when unknown. as_name is database
    // text (valid UTF-8, bounded), JSON-escaped here, shown as text.
    o["country"] = h.country.empty() ? bj::value(nullptr) : bj::value(h.country);
    o["asn"] = h.asn == 0 ? bj::value(nullptr) : bj::value(h.asn);
    o["as_name"] = h.as_name.empty() ? bj::value(nullptr) : bj::value(h.as_name);
    return o;
}

bj::object host_detail_json(const host_info& h, const std::vector<peer_total>& peers,
                            const std::vector<flow_item>& recent) {
    bj::object o = host_json(h);
    bj::array apps;
    for (const auto& [name, bytes] : h.apps) apps.emplace_back(bj::object{{"app", name}, {"bytes", bytes}});
    o["applications"] = std::move(apps);
    o["live"] = h.live;
    bj::array p;
    for (const auto& x : peers) p.emplace_back(peer_json(x));
    o["top_peers"] = std::move(p);
    bj::array r;
    for (const auto& f : recent) r.emplace_back(flow_json(f));
    o["recent_flows"] = std::move(r);
    return o;
}

bj::object pool_json(const pool_info& p) {
    bj::object o;
    o["id"] = p.id;
    o["name"] = p.name;
    bj::array members;
    for (const auto& m : p.members) members.emplace_back(m);
    o["members"] = std::move(members);
    o["hosts"] = p.hosts;
    o["bytes_sent"] = p.bytes_sent;
    o["bytes_rcvd"] = p.bytes_rcvd;
    o["packets_sent"] = p.packets_sent;
    o["packets_rcvd"] = p.packets_rcvd;
    return o;
}

bj::object device_json(const device_info& d) {
    bj::object o;
    o["mac"] = d.mac.empty() ? bj::value(nullptr) : bj::value(d.mac);
    o["ip"] = d.ip.empty() ? bj::value(nullptr) : bj::value(d.ip);
    o["vlan"] = d.vlan;
    o["name"] = d.name.empty() ? bj::value(nullptr) : bj::value(d.name);
    o["vendor"] = d.vendor.empty() ? bj::value(nullptr) : bj::value(d.vendor);
    o["locally_administered"] = d.locally_administered;
    return o;
}

bj::object probe_json(const probe_view& p) {
    bj::object o;
    o["probe_id"] = p.probe_id;
    o["boot_id"] = std::to_string(p.boot_id);  // 64-bit: text, JavaScript numbers lose bits
    o["up"] = p.up;
    o["last_seen"] = unix_seconds_ns(p.last_seen_ns);
    o["stats_interval_s"] = unix_seconds_ns(p.stats_interval_ns);
    o["uptime_s"] = unix_seconds_ns(p.uptime_ns);
    o["packets"] = p.packets;
    o["bytes"] = p.bytes;
    o["nic_drops"] = p.nic_drops;
    o["export_drops"] = p.export_drops;
    o["batches_pending"] = p.batches_pending;
    o["flows_active"] = p.flows_active;
    o["sequence_gaps"] = p.sequence_gaps;
    o["batches_stored"] = p.batches_stored;
    bj::array ports;
    for (const auto& port : p.ports) {
        bj::object q;
        q["port_id"] = port.port_id;
        q["name"] = port.name;
        q["rx_packets"] = port.rx_packets;
        q["rx_bytes"] = port.rx_bytes;
        q["nic_drops"] = port.nic_drops;
        ports.emplace_back(std::move(q));
    }
    o["ports"] = std::move(ports);
    return o;
}

namespace {
// TCP health and IP fields of a flow (issue 14): null where unknown (older
// probe, non-TCP flow, direction without packets), never 0. RTT parts in
// seconds, like every time of this API.
bj::value ttl_json(const std::optional<ttl_range>& t) {
    if (!t) return nullptr;
    return bj::object{{"min", t->min}, {"max", t->max}};
}

// Tunnelled flows: which encapsulation, its id, the outer addresses.
bj::value tunnel_json(const std::optional<flow_tunnel>& t) {
    if (!t) return nullptr;
    return bj::object{{"type", name(t->type)},
                      {"id", t->id},
                      {"client_side_ip", t->client_side.to_string()},
                      {"server_side_ip", t->server_side.to_string()}};
}

// How nDPI reached the application: null when unknown (no DPI, an older
// probe, a newer probe's value).
bj::value confidence_json(dpi_confidence c) {
    switch (c) {
    case dpi_confidence::match_by_port: return "match_by_port";
    case dpi_confidence::match_by_ip: return "match_by_ip";
    case dpi_confidence::dpi_cache: return "dpi_cache";
    case dpi_confidence::dpi: return "dpi";
    case dpi_confidence::unknown: break;
    }
    return nullptr;
}

// The record-layer version's name (RFC 8446 B, RFC 6347 4.1: DTLS counts
// down from 0xfeff); any other value as "0x" and four hex digits.
std::string tls_version_name(std::uint16_t v) {
    switch (v) {
    case 0x0300: return "SSLv3";
    case 0x0301: return "TLSv1";
    case 0x0302: return "TLSv1.1";
    case 0x0303: return "TLSv1.2";
    case 0x0304: return "TLSv1.3";
    case 0xfeff: return "DTLSv1.0";
    case 0xfefd: return "DTLSv1.2";
    default: break;
    }
    static constexpr char digits[] = "0123456789abcdef";
    return {'0', 'x', digits[v >> 12], digits[(v >> 8) & 0xf], digits[(v >> 4) & 0xf], digits[v & 0xf]};
}

bj::value text_or_null(const std::string& s) { return s.empty() ? bj::value(nullptr) : bj::value(s); }

bj::value seconds_or_null(const std::optional<std::uint64_t>& s) {
    return s ? bj::value(*s) : bj::value(nullptr);
}

// The certificate part of a handshake: null when nDPI saw no certificate
// (a ClientHello only, TLS 1.3's encrypted one). The SHA-1 fingerprint as
// 40 lower-case hex digits, as sha1sum and the JA3 fields print digests.
bj::value certificate_json(const flow_tls& t) {
    if (t.cert_subject.empty() && t.cert_issuer.empty() && !t.cert_not_before_s && !t.cert_not_after_s && !t.cert_sha1)
        return nullptr;
    bj::value sha1 = nullptr;
    if (t.cert_sha1) {
        static constexpr char digits[] = "0123456789abcdef";
        std::string hex;
        hex.reserve(40);
        for (const std::uint8_t b : *t.cert_sha1) {
            hex += digits[b >> 4];
            hex += digits[b & 0xf];
        }
        sha1 = bj::value(hex);
    }
    return bj::object{{"subject", text_or_null(t.cert_subject)},
                      {"issuer", text_or_null(t.cert_issuer)},
                      {"not_before", seconds_or_null(t.cert_not_before_s)},
                      {"not_after", seconds_or_null(t.cert_not_after_s)},
                      {"sha1", std::move(sha1)}};
}

// The TLS handshake: every part null when not seen, never "" or 0.
bj::value tls_json(const std::optional<flow_tls>& t) {
    if (!t) return nullptr;
    bj::object o;
    o["version"] = t->version != 0 ? bj::value(tls_version_name(t->version)) : bj::value(nullptr);
    o["version_code"] = t->version != 0 ? bj::value(t->version) : bj::value(nullptr);
    o["ja3_client"] = text_or_null(t->ja3_client);
    o["ja3_server"] = text_or_null(t->ja3_server);
    o["alpn"] = text_or_null(t->alpn);
    o["certificate"] = certificate_json(*t);
    return o;
}

bj::value http_json(const std::optional<flow_http>& h) {
    if (!h) return nullptr;
    return bj::object{{"method", text_or_null(h->method)},
                      {"url", text_or_null(h->url)},
                      {"user_agent", text_or_null(h->user_agent)},
                      {"response_code", h->response_code != 0 ? bj::value(h->response_code) : bj::value(nullptr)}};
}

bj::value tcp_json(const std::optional<tcp_health>& t) {
    if (!t) return nullptr;
    bj::object o;
    o["c2s_retransmissions"] = t->c2s_retransmissions;
    o["s2c_retransmissions"] = t->s2c_retransmissions;
    o["c2s_out_of_order"] = t->c2s_out_of_order;
    o["s2c_out_of_order"] = t->s2c_out_of_order;
    o["c2s_zero_windows"] = t->c2s_zero_windows;
    o["s2c_zero_windows"] = t->s2c_zero_windows;
    o["client_rtt"] = t->client_rtt_ns ? bj::value(unix_seconds_ns(*t->client_rtt_ns)) : bj::value(nullptr);
    o["server_rtt"] = t->server_rtt_ns ? bj::value(unix_seconds_ns(*t->server_rtt_ns)) : bj::value(nullptr);
    return o;
}

bj::value geo_country_json(const endpoint_geo& g) {
    if (g.country.empty()) return nullptr;
    return bj::string(g.country.view());
}
bj::value geo_asn_json(const endpoint_geo& g) {
    if (g.asn == 0) return nullptr;
    return g.asn;
}

}  // namespace

bj::object flow_json(const flow_item& f) {
    bj::object o;
    o["probe_id"] = f.probe_id;
    o["flow_id"] = std::to_string(f.flow_id);
    o["first_seen"] = unix_seconds_ns(f.first_seen_ns);
    o["last_seen"] = unix_seconds_ns(f.last_seen_ns);
    o["vlan"] = f.vlan;
    o["protocol"] = f.protocol;
    o["client_ip"] = f.client_ip;
    o["client_port"] = f.client_port;
    o["server_ip"] = f.server_ip;
    o["server_port"] = f.server_port;
    // Each side's geolocation, named like its address: null when unknown.
    o["client_country"] = geo_country_json(f.client_geo);
    o["client_asn"] = geo_asn_json(f.client_geo);
    o["server_country"] = geo_country_json(f.server_geo);
    o["server_asn"] = geo_asn_json(f.server_geo);
    o["c2s_packets"] = f.c2s_packets;
    o["c2s_bytes"] = f.c2s_bytes;
    o["s2c_packets"] = f.s2c_packets;
    o["s2c_bytes"] = f.s2c_bytes;
    o["app"] = f.app_name;
    o["category"] = f.app_category;
    o["server_name"] = f.server_name;
    o["flow_risk"] = std::to_string(f.flow_risk);
    o["client_blacklist"] = f.client_blacklist;
    o["server_blacklist"] = f.server_blacklist;
    o["blacklisted"] = !f.client_blacklist.empty() || !f.server_blacklist.empty();
    o["end_reason"] = f.end_reason;
    // DNS flows only; null elsewhere (server_name is then the query name).
    if (f.dns_query_type != 0) {
        bj::object d;
        d["query"] = f.server_name;
        d["query_type"] = f.dns_query_type;
        d["query_type_name"] = dns_type_name(f.dns_query_type);
        d["reply_code"] = f.dns_reply_code;
        d["reply_code_name"] = dns_rcode_name(f.dns_reply_code);
        if (f.dns_answer.empty()) d["answer"] = nullptr;
        else d["answer"] = f.dns_answer;
        o["dns"] = std::move(d);
    } else {
        o["dns"] = nullptr;
    }
    o["tcp"] = tcp_json(f.health.tcp);
    o["c2s_ttl"] = ttl_json(f.health.c2s_ttl);
    o["s2c_ttl"] = ttl_json(f.health.s2c_ttl);
    o["dscp"] = f.health.dscp ? bj::value(*f.health.dscp) : bj::value(nullptr);
    o["tunnel"] = tunnel_json(f.tunnel);
    // What nDPI read of the application layer: packet-derived text, JSON-escaped here.
    o["dpi_confidence"] = confidence_json(f.confidence);
    o["tls"] = tls_json(f.tls);
    o["http"] = http_json(f.http);
    // Active flows: the rate between the probe's last two reports; a stored
    // record: its average over its span.
    o["state"] = f.active ? "active" : "ended";
    const std::uint64_t span_ns = f.last_seen_ns > f.first_seen_ns ? f.last_seen_ns - f.first_seen_ns : 0;
    o["throughput_bps"] = f.active ? f.throughput_bps
                          : span_ns == 0 ? 0.0
                                         : static_cast<double>(f.c2s_bytes + f.s2c_bytes) * 8e9 / static_cast<double>(span_ns);
    return o;
}

bj::object peer_json(const peer_total& p) {
    bj::object o;
    o["ip"] = p.ip;
    o["bytes"] = p.bytes;
    o["flows"] = p.flows;
    return o;
}

bj::object alert_json(const stored_alert& a) {
    bj::object o;
    o["id"] = a.id;
    o["type"] = a.type;
    o["severity"] = a.severity;
    o["entity_type"] = a.entity_type;
    o["entity_id"] = a.entity_id;
    o["started_at"] = unix_seconds(a.started_at);
    o["ended_at"] = opt_time(a.ended_at);
    o["engaged"] = !a.ended_at.has_value();
    o["acknowledged"] = a.acknowledged;
    o["acknowledged_by"] = a.acknowledged_by;
    o["acknowledged_at"] = opt_time(a.acknowledged_at);
    o["message"] = a.message;
    boost::system::error_code ec;
    auto details = bj::parse(a.details, ec);
    o["details"] = ec ? bj::value(bj::object{}) : std::move(details);
    return o;
}

bj::object app_total_json(const app_total& a) {
    return bj::object{{"app", a.app}, {"bytes", a.bytes}, {"packets", a.packets}, {"flows", a.flows}};
}

std::string redact_location(std::string_view location) {
    if (location.empty()) return {};
    const auto scheme = location.find("://");
    if (scheme == std::string_view::npos) {
        const auto slash = location.rfind('/');
        return slash == std::string_view::npos ? std::string(location) : "…/" + std::string(location.substr(slash + 1));
    }
    std::string_view authority = location.substr(scheme + 3);
    const auto end = authority.find_first_of("/?#");
    const bool more = end != std::string_view::npos;
    authority = authority.substr(0, end);
    if (const auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
    return std::string(location.substr(0, scheme + 3)) + std::string(authority) + (more ? "/…" : "");
}

bj::object blacklist_json(const blacklist_info& s, bool secrets) {
    bj::object o;
    o["name"] = s.name;
    o["category"] = s.category;
    o["format"] = s.format;
    const std::string shown = secrets ? s.location : redact_location(s.location);
    o["location"] = shown;
    o["update_interval_s"] = s.update_interval_s;
    o["enabled"] = s.enabled;
    o["entries"] = s.entries;
    o["broken_lines"] = s.broken_lines;
    o["non_canonical"] = s.non_canonical;
    o["last_load"] = opt_time(s.last_load);
    o["last_attempt"] = opt_time(s.last_attempt);
    std::string error = s.last_error;
    if (!secrets && !s.location.empty())
        for (auto at = error.find(s.location); at != std::string::npos; at = error.find(s.location, at + shown.size()))
            error.replace(at, s.location.size(), shown);
    o["last_error"] = error;
    o["refused_broad"] = s.refused_broad;
    bj::array refused;
    for (const auto& r : s.refused_examples) refused.emplace_back(r);
    o["refused_examples"] = std::move(refused);
    o["hits"] = s.hits;
    return o;
}

bj::object notification_endpoint_json(const notification_endpoint_info& e) {
    bj::object o;
    o["name"] = e.name;
    o["kind"] = e.kind;
    o["target"] = e.target;
    o["min_severity"] = e.min_severity;
    bj::array types;
    for (const auto& t : e.types) types.emplace_back(t);
    o["types"] = std::move(types);
    o["from_preferences"] = e.from_preferences;
    o["sent"] = e.sent;
    o["failed"] = e.failed;
    o["retries"] = e.retries;
    o["last_success"] = opt_time(e.last_success);
    o["last_failure"] = opt_time(e.last_failure);
    o["last_error"] = e.last_error;
    return o;
}

bj::object user_json(const stored_user& u) {
    bj::object o;
    o["name"] = u.name;
    o["role"] = u.role;
    o["must_change_password"] = u.must_change_password;
    o["disabled"] = u.disabled;
    o["created_at"] = unix_seconds(u.created_at);
    o["last_login_at"] = opt_time(u.last_login_at);
    return o;
}

bj::object token_json(const stored_token& t) {
    bj::object o;
    o["id"] = t.id;
    o["user"] = t.user;
    o["name"] = t.name;
    o["created_at"] = unix_seconds(t.created_at);
    o["expires_at"] = opt_time(t.expires_at);
    o["last_used_at"] = opt_time(t.last_used_at);
    return o;
}

bj::object point_json(const ts_point& p) {
    bj::object o;
    o["ts"] = p.ts_s;
    o["value"] = p.value;
    return o;
}

}  // namespace wireflow::collector::http
