#pragma once
// A `flows` row as the store's binary COPY sends it: the column list of the
// COPY statement and the encoder of a batch's records, field for field in the
// same order and with the columns' exact types (binary COPY does no casts: a
// smallint sent where the column is bigint is refused, 22P03).
//
// Internal to collector/store (flow_writer, store_bench). ingested_at is left
// out: its default, now(), is the transaction's time.

#include "copy_binary.hpp"
#include "model/flow_batch.hpp"

#include <cstdint>
#include <string_view>

namespace wireflow::collector::flow_rows {

inline constexpr std::string_view copy_columns =
    "probe_id, boot_id, batch_seq, flow_id, first_seen, first_seen_ns, last_seen, last_seen_ns,"
    " vlan, ip_version, protocol, client_ip, client_port, server_ip, server_port,"
    " c2s_packets, c2s_bytes, s2c_packets, s2c_bytes, c2s_tcp_flags, s2c_tcp_flags, end_reason,"
    " client_mac, server_mac, app_protocol, master_protocol, app_name, app_category, server_name, flow_risk,"
    " client_blacklist, server_blacklist, dns_query_type, dns_reply_code, dns_answer,"
    " c2s_retransmissions, s2c_retransmissions, c2s_out_of_order, s2c_out_of_order, c2s_zero_windows,"
    " s2c_zero_windows, client_rtt_ns, server_rtt_ns, c2s_ttl_min, c2s_ttl_max, s2c_ttl_min, s2c_ttl_max, dscp,"
    " tunnel_type, tunnel_id, tunnel_client_ip, tunnel_server_ip,"
    " dpi_confidence, tls_version, ja3_client, ja3_server, tls_alpn, cert_subject, cert_issuer, cert_not_before,"
    " cert_not_after, cert_sha1, http_method, http_url, http_user_agent, http_status,"
    " client_country, client_asn, server_country, server_asn";
inline constexpr std::uint16_t field_count = 70;

// first_seen from first_seen_ns exactly as the schema's wf_ns_to_timestamptz
// does it: the bigint (the same 64 bits) divided by 1000, truncated toward
// zero (C++ and PostgreSQL's int8 division agree).
[[nodiscard]] constexpr std::int64_t unix_us(std::uint64_t ns) noexcept {
    return static_cast<std::int64_t>(ns) / 1000;
}

// Appends one tuple per record of `b` to `out`. Returns false when a record
// holds an address of no family (ingest never lets one through; no inet can
// hold it): `out` then ends with a partial tuple and must be cleared.
[[nodiscard]] bool encode(const flow_batch& b, pg_binary::copy_buffer& out);

}  // namespace wireflow::collector::flow_rows
