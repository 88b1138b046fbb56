#include "export/codec.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "net/utf8.hpp"
#include "records/payload_seen.hpp"
#include "wireflow.pb.h"

namespace wireflow::probe {

namespace {

std::size_t ip_len(const flow_record& r) noexcept { return r.ip_version == 6 ? 16 : 4; }

// Fixed char arrays from the worker: bound the read by the array even when a
// NUL is missing.
template <std::size_t N>
std::string_view bounded(const char (&a)[N]) noexcept {
    return {a, ::strnlen(a, N)};
}

std::string_view server_name_of(const flow_record& r) noexcept {
    const std::size_t n = ::strnlen(r.server_name, sizeof(r.server_name));
    return {r.server_name, std::min<std::size_t>(n, max_server_name)};
}

bool has_dpi(const flow_record& r) noexcept {
    return r.app_protocol != 0 || r.master_protocol != 0 || r.flow_risk != 0 || r.server_name[0] != '\0';
}

wireflow::v1::EndReason to_proto(end_reason e) noexcept {
    switch (e) {
        case end_reason::idle_timeout: return wireflow::v1::END_REASON_IDLE_TIMEOUT;
        case end_reason::active_timeout: return wireflow::v1::END_REASON_ACTIVE_TIMEOUT;
        case end_reason::tcp_fin: return wireflow::v1::END_REASON_TCP_FIN;
        case end_reason::tcp_rst: return wireflow::v1::END_REASON_TCP_RST;
        case end_reason::evicted: return wireflow::v1::END_REASON_EVICTED;
        case end_reason::shutdown: return wireflow::v1::END_REASON_SHUTDOWN;
        case end_reason::unspecified: break;
    }
    return wireflow::v1::END_REASON_UNSPECIFIED;
}

void append_uint(std::uint64_t v, std::string& out) {
    char buf[24];
    auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), v);
    (void)ec;
    out.append(buf, p);
}

void append_key(std::string_view key, std::string& out) {
    out += '"';
    out += key;  // our own ASCII field names: no escaping needed
    out += "\":";
}

void field(std::string_view key, std::uint64_t v, std::string& out) {
    append_key(key, out);
    append_uint(v, out);
    out += ',';
}

void field(std::string_view key, std::string_view s, std::string& out) {
    append_key(key, out);
    append_json_string(s, out);
    out += ',';
}

void append_ip(const flow_record& r, const ip_bytes& ip, std::string& out) {
    char text[INET6_ADDRSTRLEN]{};
    const int af = r.ip_version == 6 ? AF_INET6 : AF_INET;
    if (::inet_ntop(af, ip.data(), text, sizeof(text)) == nullptr) text[0] = '\0';
    out += '"';
    out += text;
    out += '"';
}

void append_address(const std::uint8_t* ip, std::size_t len, std::string& out) {
    char text[INET6_ADDRSTRLEN]{};
    if (::inet_ntop(len == 16 ? AF_INET6 : AF_INET, ip, text, sizeof(text)) == nullptr) text[0] = '\0';
    out += '"';
    out += text;
    out += '"';
}

// "key":"address", for a field of `len` (4 or 16) address bytes.
void address_field(std::string_view key, const std::uint8_t* ip, std::size_t len, std::string& out) {
    append_key(key, out);
    append_address(ip, len, out);
    out += ',';
}

void append_mac(const std::array<std::uint8_t, 6>& m, std::string& out) {
    static constexpr char hex[] = "0123456789abcdef";
    out += '"';
    for (std::size_t i = 0; i < m.size(); ++i) {
        if (i) out += ':';
        out += hex[m[i] >> 4];
        out += hex[m[i] & 0xf];
    }
    out += '"';
}

// Proto3 `string` must be valid UTF-8 and the collector rejects a batch that is
// not: a name that slipped through upstream unsanitised costs one U+FFFD, not
// the whole batch.
std::string utf8_or_replaced(std::string_view s) {
    return net::sanitize_utf8(s, std::string::npos, net::control_chars::keep);
}

}  // namespace

std::string_view end_reason_name(end_reason r) noexcept {
    switch (r) {
        case end_reason::idle_timeout: return "idle_timeout";
        case end_reason::active_timeout: return "active_timeout";
        case end_reason::tcp_fin: return "tcp_fin";
        case end_reason::tcp_rst: return "tcp_rst";
        case end_reason::evicted: return "evicted";
        case end_reason::shutdown: return "shutdown";
        case end_reason::unspecified: break;
    }
    return "unspecified";
}

// The probe's tunnel_type is the wire's TunnelType, value for value.
static_assert(static_cast<int>(tunnel_type::gre) == wireflow::v1::TUNNEL_TYPE_GRE);
static_assert(static_cast<int>(tunnel_type::erspan) == wireflow::v1::TUNNEL_TYPE_ERSPAN);
static_assert(static_cast<int>(tunnel_type::vxlan) == wireflow::v1::TUNNEL_TYPE_VXLAN);
static_assert(static_cast<int>(tunnel_type::gtp_u) == wireflow::v1::TUNNEL_TYPE_GTP_U);
static_assert(static_cast<int>(tunnel_type::ip_in_ip) == wireflow::v1::TUNNEL_TYPE_IP_IN_IP);

// The probe's dpi_confidence is the wire's DpiConfidence, value for value.
static_assert(static_cast<int>(dpi_confidence::match_by_port) == wireflow::v1::DPI_CONFIDENCE_MATCH_BY_PORT);
static_assert(static_cast<int>(dpi_confidence::match_by_ip) == wireflow::v1::DPI_CONFIDENCE_MATCH_BY_IP);
static_assert(static_cast<int>(dpi_confidence::dpi_cache) == wireflow::v1::DPI_CONFIDENCE_DPI_CACHE);
static_assert(static_cast<int>(dpi_confidence::dpi) == wireflow::v1::DPI_CONFIDENCE_DPI);

static_assert(static_cast<int>(name_service::mdns) == wireflow::v1::NAME_SERVICE_MDNS);
static_assert(static_cast<int>(name_service::netbios) == wireflow::v1::NAME_SERVICE_NETBIOS);
static_assert(static_cast<int>(name_service::llmnr) == wireflow::v1::NAME_SERVICE_LLMNR);

std::string hex_of(const std::uint8_t* p, std::size_t n) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string s;
    s.reserve(2 * n);
    for (std::size_t i = 0; i < n; ++i) {
        s += hex[p[i] >> 4];
        s += hex[p[i] & 0xf];
    }
    return s;
}

void to_proto(const app_details& a, wireflow::v1::FlowRecord& out) {
    out.set_dpi_confidence(static_cast<wireflow::v1::DpiConfidence>(a.confidence));
    if (a.kind == app_details_kind::tls) {
        const tls_details& t = a.tls;
        auto* m = out.mutable_tls();
        m->set_version(t.version);
        m->set_ja3_client(utf8_or_replaced(bounded(t.ja3_client)));
        m->set_ja3_server(utf8_or_replaced(bounded(t.ja3_server)));
        m->set_cert_subject(utf8_or_replaced(bounded(t.subject)));
        m->set_cert_issuer(utf8_or_replaced(bounded(t.issuer)));
        m->set_alpn(utf8_or_replaced(bounded(t.alpn)));
        if (t.has_validity) {
            m->set_cert_not_before_s(t.not_before_s);
            m->set_cert_not_after_s(t.not_after_s);
        }
        if (t.has_sha1) m->set_cert_sha1(t.cert_sha1, sizeof t.cert_sha1);
    } else if (a.kind == app_details_kind::http) {
        const http_details& h = a.http;
        auto* m = out.mutable_http();
        m->set_method(utf8_or_replaced(bounded(h.method)));
        m->set_url(utf8_or_replaced(bounded(h.url)));
        m->set_user_agent(utf8_or_replaced(bounded(h.user_agent)));
        m->set_response_code(h.response_code);
    } else if (a.kind == app_details_kind::name) {
        const name_claim& c = a.claim;
        if (c.address_len != 4 && c.address_len != 16) return;
        auto* m = out.mutable_name_claim();
        m->set_service(static_cast<wireflow::v1::NameService>(c.service));
        m->set_name(utf8_or_replaced(bounded(c.name)));
        m->set_address(c.address, c.address_len);
    }
}

void to_proto(const flow_record& r, wireflow::v1::FlowRecord& out) {
    out.set_flow_id(r.flow_id);
    out.set_vlan(r.vlan);
    out.set_ip_version(r.ip_version);
    out.set_protocol(r.protocol);
    out.set_client_ip(r.client.ip.data(), ip_len(r));
    out.set_client_port(r.client.port);
    out.set_server_ip(r.server.ip.data(), ip_len(r));
    out.set_server_port(r.server.port);
    out.set_first_seen_ns(r.first_seen_ns);
    out.set_last_seen_ns(r.last_seen_ns);
    out.set_c2s_packets(r.c2s_packets);
    out.set_c2s_bytes(r.c2s_bytes);
    out.set_s2c_packets(r.s2c_packets);
    out.set_s2c_bytes(r.s2c_bytes);
    out.set_c2s_tcp_flags(r.c2s_tcp_flags);
    out.set_s2c_tcp_flags(r.s2c_tcp_flags);
    out.set_end_reason(to_proto(r.reason));
    out.set_payload_seen(payload_seen::tracked | (r.c2s_payload ? payload_seen::client : 0u) |
                         (r.s2c_payload ? payload_seen::server : 0u));
    if (r.has_macs) {
        out.set_client_mac(r.client_mac.data(), r.client_mac.size());
        out.set_server_mac(r.server_mac.data(), r.server_mac.size());
    }
    out.set_worker(r.worker);
    out.set_app_protocol(r.app_protocol);
    out.set_master_protocol(r.master_protocol);
    out.set_app_name(utf8_or_replaced(bounded(r.app_name)));
    out.set_app_category(utf8_or_replaced(bounded(r.app_category)));
    out.set_server_name(utf8_or_replaced(server_name_of(r)));
    out.set_flow_risk(r.flow_risk);
    out.set_dns_query_type(r.dns_query_type);
    out.set_dns_reply_code(r.dns_reply_code);
    if (r.dns_answer_len == 4 || r.dns_answer_len == 16) out.set_dns_answer_ip(r.dns_answer.data(), r.dns_answer_len);
    if (r.tcp_analysed) {
        auto* t = out.mutable_tcp();
        t->set_c2s_retransmissions(r.c2s_retransmissions);
        t->set_s2c_retransmissions(r.s2c_retransmissions);
        t->set_c2s_out_of_order(r.c2s_out_of_order);
        t->set_s2c_out_of_order(r.s2c_out_of_order);
        t->set_c2s_zero_windows(r.c2s_zero_windows);
        t->set_s2c_zero_windows(r.s2c_zero_windows);
        if (r.client_rtt_ns != 0 || r.server_rtt_ns != 0) {
            t->set_client_rtt_ns(r.client_rtt_ns);
            t->set_server_rtt_ns(r.server_rtt_ns);
        }
    }
    if (r.c2s_packets != 0) {
        out.set_c2s_ttl_min(r.c2s_ttl_min);
        out.set_c2s_ttl_max(r.c2s_ttl_max);
    }
    if (r.s2c_packets != 0) {
        out.set_s2c_ttl_min(r.s2c_ttl_min);
        out.set_s2c_ttl_max(r.s2c_ttl_max);
    }
    if (r.c2s_packets + r.s2c_packets != 0) out.set_dscp(r.dscp);
    if (r.tunnel != tunnel_type::none) {
        auto* t = out.mutable_tunnel();
        t->set_type(static_cast<wireflow::v1::TunnelType>(r.tunnel));
        t->set_id(r.tunnel_id);
        const std::size_t n = r.tunnel_ip_version == 6 ? 16 : 4;
        t->set_client_side_ip(r.tunnel_client_side.data(), n);
        t->set_server_side_ip(r.tunnel_server_side.data(), n);
    }
    to_proto(r.app, out);
}

void to_proto(const probe_stats& s, wireflow::v1::ProbeStats& out) {
    out.set_time_ns(s.time_ns);
    out.set_uptime_ns(s.uptime_ns);
    for (const auto& p : s.ports) {
        auto* m = out.add_ports();
        m->set_port_id(p.port_id);
        m->set_name(p.name);
        m->set_rx_packets(p.rx_packets);
        m->set_rx_bytes(p.rx_bytes);
        m->set_imissed(p.imissed);
        m->set_rx_nombuf(p.rx_nombuf);
        m->set_ierrors(p.ierrors);
    }
    for (const auto& w : s.workers) {
        auto* m = out.add_workers();
        m->set_worker(w.worker);
        m->set_packets(w.packets);
        m->set_ip_packets(w.ip_packets);
        m->set_malformed_packets(w.malformed_packets);
        m->set_flows_active(w.flows_active);
        m->set_flows_created(w.flows_created);
        m->set_records_exported(w.records_exported);
        m->set_ring_full_drops(w.ring_full_drops);
        m->set_evictions(w.evictions);
    }
    out.set_batches_sent(s.batches_sent);
    out.set_batches_acked(s.batches_acked);
    out.set_batches_pending(s.batches_pending);
    out.set_export_drops(s.export_drops);
    out.set_last_sequence(s.last_sequence);
}

void append_json_string(std::string_view s, std::string& out) {
    static constexpr char hex[] = "0123456789abcdef";
    out += '"';
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        // RFC 8259 section 7: quote, backslash and U+0000..U+001F must be escaped.
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
            ++i;
        } else if (c < 0x20 || c == 0x7f) {
            switch (c) {
                case '\n': out += "\\n"; break;
                case '\r': out += "\\r"; break;
                case '\t': out += "\\t"; break;
                case '\b': out += "\\b"; break;
                case '\f': out += "\\f"; break;
                default:
                    out += "\\u00";
                    out += hex[c >> 4];
                    out += hex[c & 0xf];
            }
            ++i;
        } else if (const std::size_t n = net::utf8_sequence_length(s.substr(i)); n > 0) {
            out.append(s.substr(i, n));
            i += n;
        } else {
            out += "\xEF\xBF\xBD";  // U+FFFD for a byte that starts no valid sequence
            ++i;
        }
    }
    out += '"';
}

void append_json(const flow_record& r, std::string_view probe_id, std::string& out) {
    out += '{';
    field("probe_id", probe_id, out);
    field("flow_id", r.flow_id, out);
    field("vlan", r.vlan, out);
    field("ip_version", r.ip_version, out);
    field("protocol", r.protocol, out);
    append_key("client_ip", out);
    append_ip(r, r.client.ip, out);
    out += ',';
    field("client_port", r.client.port, out);
    append_key("server_ip", out);
    append_ip(r, r.server.ip, out);
    out += ',';
    field("server_port", r.server.port, out);
    field("first_seen_ns", r.first_seen_ns, out);
    field("last_seen_ns", r.last_seen_ns, out);
    field("c2s_packets", r.c2s_packets, out);
    field("c2s_bytes", r.c2s_bytes, out);
    field("s2c_packets", r.s2c_packets, out);
    field("s2c_bytes", r.s2c_bytes, out);
    field("c2s_tcp_flags", r.c2s_tcp_flags, out);
    field("s2c_tcp_flags", r.s2c_tcp_flags, out);
    field("worker", r.worker, out);
    field("c2s_payload", std::uint64_t{r.c2s_payload}, out);
    field("s2c_payload", std::uint64_t{r.s2c_payload}, out);
    if (r.has_macs) {
        append_key("client_mac", out);
        append_mac(r.client_mac, out);
        out += ',';
        append_key("server_mac", out);
        append_mac(r.server_mac, out);
        out += ',';
    }
    if (has_dpi(r)) {
        field("app_protocol", r.app_protocol, out);
        field("master_protocol", r.master_protocol, out);
        field("app_name", bounded(r.app_name), out);
        field("app_category", bounded(r.app_category), out);
        field("server_name", server_name_of(r), out);
        field("flow_risk", r.flow_risk, out);
    }
    if (r.dns_query_type != 0) {
        field("dns_query_type", r.dns_query_type, out);
        field("dns_reply_code", r.dns_reply_code, out);
        if (r.dns_answer_len == 4 || r.dns_answer_len == 16)
            address_field("dns_answer_ip", r.dns_answer.data(), r.dns_answer_len, out);
    }
    if (r.c2s_packets + r.s2c_packets != 0) field("dscp", r.dscp, out);
    if (r.c2s_packets != 0) {
        field("c2s_ttl_min", r.c2s_ttl_min, out);
        field("c2s_ttl_max", r.c2s_ttl_max, out);
    }
    if (r.s2c_packets != 0) {
        field("s2c_ttl_min", r.s2c_ttl_min, out);
        field("s2c_ttl_max", r.s2c_ttl_max, out);
    }
    if (r.tunnel != tunnel_type::none) {
        field("tunnel", name(r.tunnel), out);
        field("tunnel_id", r.tunnel_id, out);
        const std::size_t n = r.tunnel_ip_version == 6 ? 16 : 4;
        address_field("tunnel_client_side_ip", r.tunnel_client_side.data(), n, out);
        address_field("tunnel_server_side_ip", r.tunnel_server_side.data(), n, out);
    }
    if (r.tcp_analysed) {
        field("c2s_retransmissions", r.c2s_retransmissions, out);
        field("s2c_retransmissions", r.s2c_retransmissions, out);
        field("c2s_out_of_order", r.c2s_out_of_order, out);
        field("s2c_out_of_order", r.s2c_out_of_order, out);
        field("c2s_zero_windows", r.c2s_zero_windows, out);
        field("s2c_zero_windows", r.s2c_zero_windows, out);
        if (r.client_rtt_ns != 0 || r.server_rtt_ns != 0) {
            field("client_rtt_ns", r.client_rtt_ns, out);
            field("server_rtt_ns", r.server_rtt_ns, out);
        }
    }
    if (r.app.confidence != dpi_confidence::unknown) field("dpi_confidence", static_cast<std::uint64_t>(r.app.confidence), out);
    if (r.app.kind == app_details_kind::tls) {
        const tls_details& t = r.app.tls;
        if (t.version != 0) field("tls_version", t.version, out);
        if (t.ja3_client[0] != '\0') field("ja3_client", bounded(t.ja3_client), out);
        if (t.ja3_server[0] != '\0') field("ja3_server", bounded(t.ja3_server), out);
        if (t.alpn[0] != '\0') field("alpn", bounded(t.alpn), out);
        if (t.subject[0] != '\0') field("cert_subject", bounded(t.subject), out);
        if (t.issuer[0] != '\0') field("cert_issuer", bounded(t.issuer), out);
        if (t.has_validity) {
            field("cert_not_before_s", t.not_before_s, out);
            field("cert_not_after_s", t.not_after_s, out);
        }
        if (t.has_sha1) field("cert_sha1", hex_of(t.cert_sha1, sizeof t.cert_sha1), out);
    } else if (r.app.kind == app_details_kind::http) {
        const http_details& h = r.app.http;
        if (h.method[0] != '\0') field("http_method", bounded(h.method), out);
        if (h.url[0] != '\0') field("http_url", bounded(h.url), out);
        if (h.user_agent[0] != '\0') field("http_user_agent", bounded(h.user_agent), out);
        if (h.response_code != 0) field("http_response_code", h.response_code, out);
    } else if (r.app.kind == app_details_kind::name &&
               (r.app.claim.address_len == 4 || r.app.claim.address_len == 16)) {
        const name_claim& c = r.app.claim;
        field("name_service", name_service_name(c.service), out);
        field("claimed_name", bounded(c.name), out);
        address_field("claimed_address", c.address, c.address_len, out);
    }
    append_key("end_reason", out);
    append_json_string(end_reason_name(r.reason), out);
    out += '}';
}

}  // namespace wireflow::probe
