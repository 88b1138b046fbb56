#include "flow_rows.hpp"

namespace wireflow::collector::flow_rows {

namespace {

// Unknown parts are NULL, never 0 (model/flow_health.hpp).
void health(const flow_health& h, pg_binary::copy_buffer& out) {
    if (h.tcp) {
        const tcp_health& t = *h.tcp;
        for (const std::uint32_t v : {t.c2s_retransmissions, t.s2c_retransmissions, t.c2s_out_of_order,
                                      t.s2c_out_of_order, t.c2s_zero_windows, t.s2c_zero_windows})
            out.int8(v);
        if (t.client_rtt_ns && t.server_rtt_ns) {
            out.int8_bits(*t.client_rtt_ns);
            out.int8_bits(*t.server_rtt_ns);
        } else {
            out.null();
            out.null();
        }
    } else {
        for (int i = 0; i < 8; ++i) out.null();
    }
    for (const auto& range : {h.c2s_ttl, h.s2c_ttl}) {
        if (range) {
            out.int2(range->min);
            out.int2(range->max);
        } else {
            out.null();
            out.null();
        }
    }
    if (h.dscp) out.int2(*h.dscp);
    else out.null();
}

// Packet-derived text that was not seen is NULL, never '' (schema v7).
void text_or_null(const std::string& s, pg_binary::copy_buffer& out) {
    if (s.empty()) out.null();
    else out.text(s);
}

// Schema v7: the confidence (NULL when unknown), the TLS handshake and the
// HTTP exchange, each column NULL when its value was not seen.
void dpi(const flow_record& r, pg_binary::copy_buffer& out) {
    if (r.confidence != dpi_confidence::unknown) out.int2(static_cast<std::int16_t>(r.confidence));
    else out.null();
    if (r.tls) {
        const flow_tls& t = *r.tls;
        if (t.version != 0) out.int4(t.version);
        else out.null();
        for (const std::string* s : {&t.ja3_client, &t.ja3_server, &t.alpn, &t.cert_subject, &t.cert_issuer})
            text_or_null(*s, out);
        // Seconds up to 9999-12-31 (ingest's bound): microseconds fit int64.
        for (const auto& when : {t.cert_not_before_s, t.cert_not_after_s}) {
            if (when) out.timestamptz_unix_us(static_cast<std::int64_t>(*when) * 1'000'000);
            else out.null();
        }
        if (t.cert_sha1) out.bytea(*t.cert_sha1);
        else out.null();
    } else {
        for (int i = 0; i < 9; ++i) out.null();
    }
    if (r.http) {
        const flow_http& h = *r.http;
        for (const std::string* s : {&h.method, &h.url, &h.user_agent}) text_or_null(*s, out);
        if (h.response_code != 0) out.int2(static_cast<std::int16_t>(h.response_code));
        else out.null();
    } else {
        for (int i = 0; i < 4; ++i) out.null();
    }
}

// Schema v8: each side's country and AS number, NULL when unknown.
void geo(const endpoint_geo& g, pg_binary::copy_buffer& out) {
    if (g.country.empty()) out.null();
    else out.text(g.country.view());
    if (g.asn == 0) out.null();
    else out.int8(g.asn);
}

}  // namespace

bool encode(const flow_batch& b, pg_binary::copy_buffer& out) {
    const auto boot = static_cast<std::int64_t>(b.id.boot_id);
    const auto seq = static_cast<std::int64_t>(b.id.sequence);
    for (const auto& r : b.records) {
        out.row(field_count);
        out.text(b.id.probe_id);
        out.int8(boot);
        out.int8(seq);
        out.int8_bits(r.flow_id);
        out.timestamptz_unix_us(unix_us(r.first_seen_ns));
        out.int8_bits(r.first_seen_ns);
        out.timestamptz_unix_us(unix_us(r.last_seen_ns));
        out.int8_bits(r.last_seen_ns);
        out.int8(r.vlan);
        out.int2(r.ip_version());
        out.int2(r.protocol);
        if (!out.inet(r.client_ip)) return false;
        out.int4(r.client_port);
        if (!out.inet(r.server_ip)) return false;
        out.int4(r.server_port);
        out.int8_bits(r.c2s_packets);
        out.int8_bits(r.c2s_bytes);
        out.int8_bits(r.s2c_packets);
        out.int8_bits(r.s2c_bytes);
        out.int2(r.c2s_tcp_flags);
        out.int2(r.s2c_tcp_flags);
        out.int2(static_cast<std::int16_t>(r.reason));
        if (r.client_mac) out.macaddr(*r.client_mac);
        else out.null();
        if (r.server_mac) out.macaddr(*r.server_mac);
        else out.null();
        out.int8(r.app_protocol);
        out.int8(r.master_protocol);
        out.text(r.app_name);
        out.text(r.app_category);
        out.text(r.server_name);
        out.int8_bits(r.flow_risk);
        out.text(b.blacklist_text(r.client_blacklist));
        out.text(b.blacklist_text(r.server_blacklist));
        out.int4(r.dns_query_type);
        out.int2(r.dns_reply_code);
        if (r.dns_answer) {
            if (!out.inet(*r.dns_answer)) return false;
        } else {
            out.null();
        }
        health(r.health, out);
        if (r.tunnel) {
            out.int2(static_cast<std::int16_t>(r.tunnel->type));
            out.int8(r.tunnel->id);
            if (!out.inet(r.tunnel->client_side) || !out.inet(r.tunnel->server_side)) return false;
        } else {
            for (int i = 0; i < 4; ++i) out.null();
        }
        dpi(r, out);
        geo(r.client_geo, out);
        geo(r.server_geo, out);
    }
    return true;
}

}  // namespace wireflow::collector::flow_rows
