#include "batch_decoder.hpp"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/unknown_field_set.h>

#include <cstring>
#include <limits>

#include "net/probe_id.hpp"
#include "net/utf8.hpp"

namespace wireflow::collector::ingest {

namespace {

constexpr std::uint64_t max_bigint = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
// Largest L3 size one packet can count: IPv6 payload length (16 bits) + 40.
constexpr std::uint64_t max_l3_bytes_per_packet = 65535 + 40;

// The record's own addresses and MACs are written in place, their sizes
// checked first: an optional returned by value was built by GCC on the stack
// in pieces and read back whole, a store-forwarding stall per field (14 % of
// decode's samples in perf, docs/benchmarks.md).
void set_ip(net::ip_address& out, std::string_view raw) noexcept {  // raw: 4 or 16 bytes
    out.family = raw.size() == 4 ? net::ip_family::v4 : net::ip_family::v6;
    out.bytes = {};
    std::memcpy(out.bytes.data(), raw.data(), raw.size());
}

void set_mac(std::optional<net::mac_address>& out, std::string_view raw) noexcept {  // raw: 0 or 6 bytes
    if (raw.empty()) {
        out.reset();
        return;
    }
    std::memcpy(out.emplace().bytes.data(), raw.data(), 6);
}

std::optional<net::ip_address> to_ip(std::string_view raw) {
    return net::ip_address::from_bytes(std::span(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size()));
}

bool direction_sane(std::uint64_t packets, std::uint64_t bytes) {
    if (packets > max_bigint || bytes > max_bigint) return false;
    if (packets == 0) return bytes == 0;
    return bytes / packets <= max_l3_bytes_per_packet;
}

// ASCII without NUL, eight bytes at a time: what nDPI names and
// most server names are. Such a string is valid UTF-8 text, so the full
// check (a function call per character) runs only for the others.
bool plain_ascii(std::string_view s) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        // A high bit set, or a zero byte (the classic "has zero byte" test).
        if ((w & highs) != 0 || ((w - ones) & ~w & highs) != 0) return false;
    }
    for (; i < s.size(); ++i)
        if (s[i] == '\0' || (static_cast<unsigned char>(s[i]) & 0x80) != 0) return false;
    return true;
}

std::optional<reject_reason> check_string(std::string_view s, std::size_t max) {
    if (s.size() > max) return reject_reason::string_too_long;
    if (!plain_ascii(s) && !net::valid_utf8_text(s)) return reject_reason::bad_utf8;
    return std::nullopt;
}

// A TTL range is two 8-bit values, min <= max, sent together or not at all.
std::optional<reject_reason> decode_ttl(bool has_min, std::uint32_t min, bool has_max, std::uint32_t max,
                                        std::uint64_t packets, std::optional<ttl_range>& out) {
    out.reset();
    if (has_min != has_max || min > 255 || max > 255 || min > max) return reject_reason::counts;
    if (!has_min) return std::nullopt;
    if (packets == 0) return reject_reason::counts;  // a range of no packet
    out = ttl_range{static_cast<std::uint8_t>(min), static_cast<std::uint8_t>(max)};
    return std::nullopt;
}

// TCP health (issue 14): each event is one segment, so a direction's events
// of one kind never exceed its packets; RTT parts come together and fit bigint.
std::optional<reject_reason> decode_health(const wire_record& r, flow_health& h) {
    h.tcp.reset();  // every member is set below (the TTL ranges by decode_ttl)
    h.dscp.reset();
    if (auto e = decode_ttl(r.c2s_ttl_min.has_value(), r.c2s_ttl_min.value_or(0), r.c2s_ttl_max.has_value(),
                            r.c2s_ttl_max.value_or(0), r.c2s_packets, h.c2s_ttl))
        return e;
    if (auto e = decode_ttl(r.s2c_ttl_min.has_value(), r.s2c_ttl_min.value_or(0), r.s2c_ttl_max.has_value(),
                            r.s2c_ttl_max.value_or(0), r.s2c_packets, h.s2c_ttl))
        return e;
    if (r.dscp) {
        if (*r.dscp > 63) return reject_reason::counts;
        h.dscp = static_cast<std::uint8_t>(*r.dscp);
    }
    if (!r.tcp) return std::nullopt;
    const wire_tcp_health& t = *r.tcp;
    if (r.protocol != 6) return reject_reason::counts;
    const auto within = [](std::uint32_t events, std::uint64_t packets) { return events <= packets; };
    if (!within(t.c2s_retransmissions, r.c2s_packets) || !within(t.s2c_retransmissions, r.s2c_packets) ||
        !within(t.c2s_out_of_order, r.c2s_packets) || !within(t.s2c_out_of_order, r.s2c_packets) ||
        !within(t.c2s_zero_windows, r.c2s_packets) || !within(t.s2c_zero_windows, r.s2c_packets))
        return reject_reason::counts;
    if (t.client_rtt_ns.has_value() != t.server_rtt_ns.has_value() || t.client_rtt_ns.value_or(0) > max_bigint ||
        t.server_rtt_ns.value_or(0) > max_bigint)
        return reject_reason::counts;
    tcp_health& o = h.tcp.emplace();
    o.c2s_retransmissions = t.c2s_retransmissions;
    o.s2c_retransmissions = t.s2c_retransmissions;
    o.c2s_out_of_order = t.c2s_out_of_order;
    o.s2c_out_of_order = t.s2c_out_of_order;
    o.c2s_zero_windows = t.c2s_zero_windows;
    o.s2c_zero_windows = t.s2c_zero_windows;
    o.client_rtt_ns = t.client_rtt_ns;
    o.server_rtt_ns = t.server_rtt_ns;
    return std::nullopt;
}

// A tunnel (issue 14): a type the probe names (a newer probe's beyond
// max_tunnel_type kept as is) and two outer addresses of one family.
std::optional<reject_reason> decode_tunnel(const wire_record& r, std::optional<flow_tunnel>& out) {
    out.reset();
    if (!r.tunnel) return std::nullopt;
    const wire_tunnel& t = *r.tunnel;
    if (t.type <= 0 || t.type > 255) return reject_reason::counts;
    const auto client_side = to_ip(t.client_side_ip);
    const auto server_side = to_ip(t.server_side_ip);
    if (!client_side || !server_side || client_side->is_v4() != server_side->is_v4()) return reject_reason::ip_length;
    out = flow_tunnel{static_cast<tunnel_type>(t.type), t.id, *client_side, *server_side};
    return std::nullopt;
}

// JA3 and JA3S are MD5 digests as nDPI prints them: 32 lower-case hex
// digits. Anything else is no fingerprint a filter could ever match.
bool ja3_form(std::string_view s) noexcept {
    if (s.empty()) return true;
    if (s.size() != 32) return false;
    for (const char ch : s)
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return false;
    return true;
}

// The TLS handshake (FlowRecord.tls): bounded UTF-8 names, fingerprints of
// their fixed form, a 16-bit version, a validity an X.509 certificate can
// state. A message that carries nothing is no handshake. Into a reused
// record's handshake when it has one: its strings keep their capacity.
std::optional<reject_reason> decode_tls(const wire_record& r, std::optional<flow_tls>& out) {
    if (!r.tls) {
        out.reset();
        return std::nullopt;
    }
    const wire_tls& t = *r.tls;
    if (auto e = check_string(t.cert_subject, max_cert_name_bytes)) return e;
    if (auto e = check_string(t.cert_issuer, max_cert_name_bytes)) return e;
    if (auto e = check_string(t.alpn, max_alpn_bytes)) return e;
    if (!ja3_form(t.ja3_client) || !ja3_form(t.ja3_server)) return reject_reason::counts;
    if (t.version > 0xffff || (!t.cert_sha1.empty() && t.cert_sha1.size() != 20)) return reject_reason::counts;
    if (t.cert_not_before_s.value_or(0) > max_cert_time_s || t.cert_not_after_s.value_or(0) > max_cert_time_s)
        return reject_reason::counts;
    if (t.version == 0 && t.ja3_client.empty() && t.ja3_server.empty() && t.alpn.empty() && t.cert_subject.empty() &&
        t.cert_issuer.empty() && !t.cert_not_before_s && !t.cert_not_after_s && t.cert_sha1.empty()) {
        out.reset();
        return std::nullopt;
    }
    static_assert(sizeof(flow_tls) == 224, "flow_tls changed: set its new field below, then update the size");
    flow_tls& o = out ? *out : out.emplace();
    o.version = static_cast<std::uint16_t>(t.version);
    o.ja3_client = t.ja3_client;
    o.ja3_server = t.ja3_server;
    o.alpn = t.alpn;
    o.cert_subject = t.cert_subject;
    o.cert_issuer = t.cert_issuer;
    o.cert_not_before_s = t.cert_not_before_s;
    o.cert_not_after_s = t.cert_not_after_s;
    if (!t.cert_sha1.empty()) {
        auto& sha1 = o.cert_sha1.emplace();
        std::memcpy(sha1.data(), t.cert_sha1.data(), sha1.size());
    } else {
        o.cert_sha1.reset();
    }
    return std::nullopt;
}

// The HTTP exchange (FlowRecord.http): bounded UTF-8 text and an RFC 9110
// status code (three digits, 1xx to 5xx), 0 while no response was seen.
std::optional<reject_reason> decode_http(const wire_record& r, std::optional<flow_http>& out) {
    if (!r.http) {
        out.reset();
        return std::nullopt;
    }
    const wire_http& h = *r.http;
    if (auto e = check_string(h.method, max_http_method_bytes)) return e;
    if (auto e = check_string(h.url, max_http_url_bytes)) return e;
    if (auto e = check_string(h.user_agent, max_http_user_agent_bytes)) return e;
    if (h.response_code != 0 && (h.response_code < 100 || h.response_code > 599)) return reject_reason::counts;
    if (h.method.empty() && h.url.empty() && h.user_agent.empty() && h.response_code == 0) {
        out.reset();
        return std::nullopt;
    }
    flow_http& o = out ? *out : out.emplace();  // a reused record's strings keep their capacity
    o.method = h.method;
    o.url = h.url;
    o.user_agent = h.user_agent;
    o.response_code = static_cast<std::uint16_t>(h.response_code);
    return std::nullopt;
}

// A name service flow's claim (FlowRecord.name_claim): a bounded name and an
// address. A service this collector does not know (a newer probe's) may
// mean something else by its names: the claim is dropped, not the record.
std::optional<reject_reason> decode_name_claim(const wire_record& r, std::optional<flow_name_claim>& out) {
    out.reset();
    if (!r.name_claim) return std::nullopt;
    const wire_name_claim& c = *r.name_claim;
    if (auto e = check_string(c.name, max_claimed_name_bytes)) return e;
    if (c.address.size() != 4 && c.address.size() != 16) return reject_reason::ip_length;
    if (c.service <= 0 || c.service > max_name_service || c.name.empty()) return std::nullopt;
    flow_name_claim& o = out.emplace();
    o.service = static_cast<name_service>(c.service);
    o.name = c.name;
    set_ip(o.address, c.address);  // size checked above
    return std::nullopt;
}

// A newer probe's confidence (a later nDPI's value) or a negative enum on
// the wire is no reason to lose the record: it reads as unknown.
dpi_confidence to_confidence(int v) noexcept {
    return v >= 0 && v <= max_dpi_confidence ? static_cast<dpi_confidence>(v) : dpi_confidence::unknown;
}

// The generated parser's record as the fields decode_record reads.
wire_record view_of(const wireflow::v1::FlowRecord& r) {
    wire_record w;
    w.flow_id = r.flow_id();
    w.vlan = r.vlan();
    w.ip_version = r.ip_version();
    w.protocol = r.protocol();
    w.client_ip = r.client_ip();
    w.client_port = r.client_port();
    w.server_ip = r.server_ip();
    w.server_port = r.server_port();
    w.first_seen_ns = r.first_seen_ns();
    w.last_seen_ns = r.last_seen_ns();
    w.c2s_packets = r.c2s_packets();
    w.c2s_bytes = r.c2s_bytes();
    w.s2c_packets = r.s2c_packets();
    w.s2c_bytes = r.s2c_bytes();
    w.c2s_tcp_flags = r.c2s_tcp_flags();
    w.s2c_tcp_flags = r.s2c_tcp_flags();
    w.end_reason = r.end_reason();
    w.client_mac = r.client_mac();
    w.server_mac = r.server_mac();
    w.worker = r.worker();
    w.payload_seen = r.payload_seen();
    w.app_protocol = r.app_protocol();
    w.master_protocol = r.master_protocol();
    w.app_name = r.app_name();
    w.app_category = r.app_category();
    w.server_name = r.server_name();
    w.flow_risk = r.flow_risk();
    w.dns_query_type = r.dns_query_type();
    w.dns_reply_code = r.dns_reply_code();
    w.dns_answer_ip = r.dns_answer_ip();
    if (r.has_tcp()) {
        const auto& t = r.tcp();
        auto& o = w.tcp.emplace();
        o.c2s_retransmissions = t.c2s_retransmissions();
        o.s2c_retransmissions = t.s2c_retransmissions();
        o.c2s_out_of_order = t.c2s_out_of_order();
        o.s2c_out_of_order = t.s2c_out_of_order();
        o.c2s_zero_windows = t.c2s_zero_windows();
        o.s2c_zero_windows = t.s2c_zero_windows();
        if (t.has_client_rtt_ns()) o.client_rtt_ns = t.client_rtt_ns();
        if (t.has_server_rtt_ns()) o.server_rtt_ns = t.server_rtt_ns();
    }
    if (r.has_c2s_ttl_min()) w.c2s_ttl_min = r.c2s_ttl_min();
    if (r.has_c2s_ttl_max()) w.c2s_ttl_max = r.c2s_ttl_max();
    if (r.has_s2c_ttl_min()) w.s2c_ttl_min = r.s2c_ttl_min();
    if (r.has_s2c_ttl_max()) w.s2c_ttl_max = r.s2c_ttl_max();
    if (r.has_dscp()) w.dscp = r.dscp();
    if (r.has_tunnel()) {
        const auto& t = r.tunnel();
        w.tunnel = wire_tunnel{t.type(), t.id(), t.client_side_ip(), t.server_side_ip()};
    }
    w.dpi_confidence = r.dpi_confidence();
    if (r.has_tls()) {
        const auto& t = r.tls();
        auto& o = w.tls.emplace();
        o.version = t.version();
        o.ja3_client = t.ja3_client();
        o.ja3_server = t.ja3_server();
        o.cert_subject = t.cert_subject();
        o.cert_issuer = t.cert_issuer();
        if (t.has_cert_not_before_s()) o.cert_not_before_s = t.cert_not_before_s();
        if (t.has_cert_not_after_s()) o.cert_not_after_s = t.cert_not_after_s();
        o.alpn = t.alpn();
        o.cert_sha1 = t.cert_sha1();
    }
    if (r.has_http()) {
        const auto& h = r.http();
        w.http = wire_http{h.method(), h.url(), h.user_agent(), h.response_code()};
    }
    if (r.has_name_claim()) {
        const auto& c = r.name_claim();
        w.name_claim = wire_name_claim{c.service(), c.name(), c.address()};
    }
    return w;
}

}  // namespace

std::optional<reject_reason> decode_record(const wire_record& r, flow_record& o) {
    if (r.ip_version != 4 && r.ip_version != 6) return reject_reason::ip_version;
    const std::size_t ip_len = r.ip_version == 4 ? 4 : 16;
    if (r.client_ip.size() != ip_len || r.server_ip.size() != ip_len) return reject_reason::ip_length;
    if ((!r.client_mac.empty() && r.client_mac.size() != 6) ||
        (!r.server_mac.empty() && r.server_mac.size() != 6))
        return reject_reason::mac_length;
    if (auto e = check_string(r.app_name, max_app_name_bytes)) return e;
    if (auto e = check_string(r.app_category, max_app_name_bytes)) return e;
    if (auto e = check_string(r.server_name, max_server_name_bytes)) return e;
    // 802.1Q VID is 12 bits; ports 16; TCP flags 8; IP protocol 8.
    if (r.vlan > 4095 || r.protocol > 255 || r.client_port > 65535 || r.server_port > 65535 ||
        r.c2s_tcp_flags > 255 || r.s2c_tcp_flags > 255 || r.end_reason < 0 || r.end_reason > 255)
        return reject_reason::counts;
    if (r.first_seen_ns > r.last_seen_ns || r.last_seen_ns > max_bigint || r.flow_risk > max_bigint)
        return reject_reason::counts;
    // DNS: QTYPE is 16 bits, RCODE 4 (12 with EDNS, which nDPI does not read).
    if (r.dns_query_type > 65535 || r.dns_reply_code > 255) return reject_reason::counts;
    if (!r.dns_answer_ip.empty() && r.dns_answer_ip.size() != 4 && r.dns_answer_ip.size() != 16)
        return reject_reason::ip_length;
    if (!direction_sane(r.c2s_packets, r.c2s_bytes) || !direction_sane(r.s2c_packets, r.s2c_bytes) ||
        r.c2s_packets + r.s2c_packets == 0)
        return reject_reason::counts;

    // The parts decode straight into `o`: a refused record leaves it partly
    // written, and its batch is refused whole (or read again by the generated
    // parser), so none of it is kept. (Decoded into locals and copied, the
    // health and tunnel copies compiled to `rep movs`, the slowest
    // instructions of decode_record; the strings of TLS, HTTP and claims were
    // allocated afresh instead of reusing a recycled record's.)
    if (auto e = decode_health(r, o.health)) return e;
    if (auto e = decode_tunnel(r, o.tunnel)) return e;
    if (auto e = decode_tls(r, o.tls)) return e;
    if (auto e = decode_http(r, o.http)) return e;
    if (auto e = decode_name_claim(r, o.name_claim)) return e;

    // `o` may be a reused record (batch_recycler): every field is assigned
    // below, so nothing of a previous batch survives, and its strings keep
    // their capacity. (It used to be reset with `o = flow_record{}` first:
    // a tenth of decode_record's instructions for a record of 824 bytes.)
    // The size check makes a new field fail the build until it is set here.
    constexpr std::size_t flow_record_bytes_assigned_here = 824;
    static_assert(sizeof(flow_record) == flow_record_bytes_assigned_here,
                  "flow_record changed: assign its new field in decode_record, then update the size");
    o.client_geo = {};
    o.server_geo = {};
    o.confidence = to_confidence(r.dpi_confidence);
    o.flow_id = r.flow_id;
    o.vlan = static_cast<std::uint16_t>(r.vlan);
    o.protocol = static_cast<std::uint8_t>(r.protocol);
    set_ip(o.client_ip, r.client_ip);  // sizes checked above
    set_ip(o.server_ip, r.server_ip);
    o.client_port = static_cast<std::uint16_t>(r.client_port);
    o.server_port = static_cast<std::uint16_t>(r.server_port);
    o.first_seen_ns = r.first_seen_ns;
    o.last_seen_ns = r.last_seen_ns;
    o.c2s_packets = r.c2s_packets;
    o.c2s_bytes = r.c2s_bytes;
    o.s2c_packets = r.s2c_packets;
    o.s2c_bytes = r.s2c_bytes;
    o.c2s_tcp_flags = static_cast<std::uint8_t>(r.c2s_tcp_flags);
    o.s2c_tcp_flags = static_cast<std::uint8_t>(r.s2c_tcp_flags);
    o.reason = static_cast<end_reason>(r.end_reason);
    o.payload_seen = static_cast<std::uint8_t>(r.payload_seen & 0xffu);
    set_mac(o.client_mac, r.client_mac);
    set_mac(o.server_mac, r.server_mac);
    o.app_protocol = r.app_protocol;
    o.master_protocol = r.master_protocol;
    o.app_name = r.app_name;
    o.app_category = r.app_category;
    o.server_name = r.server_name;
    o.flow_risk = r.flow_risk;
    o.dns_query_type = static_cast<std::uint16_t>(r.dns_query_type);
    o.dns_reply_code = static_cast<std::uint8_t>(r.dns_reply_code);
    // An answer only in a DNS flow: elsewhere it would name an address after
    // whatever server_name is.
    o.dns_answer = o.dns_query_type != 0 && !r.dns_answer_ip.empty() ? to_ip(r.dns_answer_ip) : std::nullopt;
    o.client_blacklist = 0;
    o.server_blacklist = 0;
    return std::nullopt;
}

std::string_view to_string(reject_reason r) noexcept {
    switch (r) {
    case reject_reason::undecodable: return "undecodable";
    case reject_reason::unexpected_message: return "unexpected_message";
    case reject_reason::oversized: return "oversized";
    case reject_reason::schema_version: return "schema_version";
    case reject_reason::probe_id: return "probe_id";
    case reject_reason::sequence: return "sequence";
    case reject_reason::ip_version: return "ip_version";
    case reject_reason::ip_length: return "ip_length";
    case reject_reason::mac_length: return "mac_length";
    case reject_reason::bad_utf8: return "bad_utf8";
    case reject_reason::string_too_long: return "string_too_long";
    case reject_reason::counts: return "counts";
    case reject_reason::probe_not_allowed: return "probe_not_allowed";
    case reject_reason::too_many_probes: return "too_many_probes";
    case reject_reason::too_many_ports: return "too_many_ports";
    case reject_reason::time_window: return "time_window";
    case reject_reason::store_refused: return "store_refused";
    }
    return "unknown";
}

std::optional<reject_reason> check_batch_header(std::int32_t schema_version, std::string_view probe_id,
                                                std::uint64_t sequence, std::size_t records,
                                                std::uint64_t send_time_ns) {
    if (schema_version != wireflow::v1::SCHEMA_VERSION_1) return reject_reason::schema_version;
    if (!net::valid_probe_id(probe_id)) return reject_reason::probe_id;
    if (sequence == 0) return reject_reason::sequence;
    if (records > static_cast<std::size_t>(max_records_per_batch) || send_time_ns > max_bigint)
        return reject_reason::counts;
    return std::nullopt;
}

std::optional<reject_reason> decode_batch(const wireflow::v1::FlowBatch& in, flow_batch& out) {
    if (auto e = check_batch_header(in.schema_version(), in.probe_id(), in.sequence(),
                                    static_cast<std::size_t>(in.records_size()), in.send_time_ns()))
        return e;
    out.id = batch_id{in.probe_id(), in.boot_id(), in.sequence()};
    out.send_time_ns = in.send_time_ns();
    out.blacklist_labels.clear();
    out.records.resize(static_cast<std::size_t>(in.records_size()));
    for (int i = 0; i < in.records_size(); ++i)
        if (auto e = decode_record(view_of(in.records(i)), out.records[static_cast<std::size_t>(i)])) return e;
    return std::nullopt;
}

std::optional<reject_reason> decode_active_flows(const wireflow::v1::ActiveFlows& in, flow_batch& out,
                                                active_report& report) {
    if (in.schema_version() != wireflow::v1::SCHEMA_VERSION_1) return reject_reason::schema_version;
    if (!net::valid_probe_id(in.probe_id())) return reject_reason::probe_id;
    if (in.flows_size() > max_records_per_batch || in.time_ns() > max_bigint) return reject_reason::counts;
    if (in.interval_ms() < min_update_interval_ms || in.interval_ms() > max_update_interval_ms)
        return reject_reason::counts;
    out.id = batch_id{in.probe_id(), in.boot_id(), 0};
    out.send_time_ns = in.time_ns();
    out.blacklist_labels.clear();
    out.records.resize(static_cast<std::size_t>(in.flows_size()));
    for (int i = 0; i < in.flows_size(); ++i)
        if (auto e = decode_record(view_of(in.flows(i)), out.records[static_cast<std::size_t>(i)])) return e;
    report.time_ns = in.time_ns();
    report.interval_ms = in.interval_ms();
    return std::nullopt;
}

std::optional<reject_reason> decode_probe_stats(const wireflow::v1::ProbeStats& in, probe_stats& out) {
    // Device names are short ("net_pcap0", "0000:03:00.0"); ports and workers
    // are bounded by what one host can have.
    constexpr std::size_t max_device_name_bytes = 128;
    constexpr int max_entries = 4096;
    if (in.schema_version() != wireflow::v1::SCHEMA_VERSION_1) return reject_reason::schema_version;
    if (!net::valid_probe_id(in.probe_id())) return reject_reason::probe_id;
    if (in.ports_size() > max_entries || in.workers_size() > max_entries) return reject_reason::counts;
    out = probe_stats{};
    out.probe_id = in.probe_id();
    out.boot_id = in.boot_id();
    out.time_ns = in.time_ns();
    for (const auto& p : in.ports()) {
        if (auto e = check_string(p.name(), max_device_name_bytes)) return e;
        out.ports.push_back({p.port_id(), p.name(), p.rx_packets(), p.rx_bytes(), p.imissed(), p.rx_nombuf(),
                             p.ierrors()});
    }
    for (const auto& w : in.workers())
        out.workers.push_back({w.worker(), w.packets(), w.ip_packets(), w.malformed_packets(), w.flows_active(),
                               w.flows_created(), w.records_exported(), w.ring_full_drops(), w.evictions()});
    out.batches_sent = in.batches_sent();
    out.batches_acked = in.batches_acked();
    out.batches_pending = in.batches_pending();
    out.export_drops = in.export_drops();
    out.last_sequence = in.last_sequence();
    out.uptime_ns = in.uptime_ns();
    return std::nullopt;
}

bool parse_envelope(std::span<const std::byte> bytes, wireflow::v1::Envelope& out) {
    if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) return false;
    return out.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

lone_batch parse_lone_batch(std::span<const std::byte> bytes, wireflow::v1::FlowBatch& out) {
    if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) return lone_batch::not_lone;
    const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
    google::protobuf::io::CodedInputStream in(data, static_cast<int>(bytes.size()));
    // Envelope.batch: field 1, wire type 2 (length-delimited).
    constexpr std::uint32_t batch_tag = (1u << 3) | 2u;
    std::uint32_t length = 0;
    if (in.ReadTag() != batch_tag || !in.ReadVarint32(&length)) return lone_batch::not_lone;
    const int start = in.CurrentPosition();
    if (static_cast<std::size_t>(start) + length != bytes.size()) return lone_batch::not_lone;
    return out.ParseFromArray(data + start, static_cast<int>(length)) ? lone_batch::parsed : lone_batch::invalid;
}

}  // namespace wireflow::collector::ingest

namespace wireflow::collector::ingest {

sniffed_identity sniff_batch_identity(std::span<const std::byte> bytes) {
    using google::protobuf::UnknownField;
    using google::protobuf::UnknownFieldSet;
    sniffed_identity out;
    if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) return out;
    UnknownFieldSet envelope;
    if (!envelope.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return out;
    out.wire_format_ok = true;
    const std::string* batch_bytes = nullptr;
    for (int i = 0; i < envelope.field_count(); ++i) {
        const auto& f = envelope.field(i);
        if (f.number() == 1 && f.type() == UnknownField::TYPE_LENGTH_DELIMITED) batch_bytes = &f.length_delimited();
    }
    if (batch_bytes == nullptr) return out;
    UnknownFieldSet batch;
    if (!batch.ParseFromString(*batch_bytes)) {
        out.wire_format_ok = false;
        return out;
    }
    batch_id id;
    bool have_probe = false;
    // FlowBatch: probe_id = 2, boot_id = 3, sequence = 4 (proto/wireflow.proto).
    for (int i = 0; i < batch.field_count(); ++i) {
        const auto& f = batch.field(i);
        if (f.number() == 2 && f.type() == UnknownField::TYPE_LENGTH_DELIMITED) {
            id.probe_id = f.length_delimited();
            have_probe = true;
        } else if (f.number() == 3 && f.type() == UnknownField::TYPE_VARINT) {
            id.boot_id = f.varint();
        } else if (f.number() == 4 && f.type() == UnknownField::TYPE_VARINT) {
            id.sequence = f.varint();
        }
    }
    if (have_probe && net::valid_probe_id(id.probe_id) && id.sequence != 0) out.id = std::move(id);
    return out;
}

}  // namespace wireflow::collector::ingest
