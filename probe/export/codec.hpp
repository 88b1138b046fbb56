#pragma once
// The only place where probe records meet protobuf (wireflow.v1) and the
// --dump-flows JSON line format.

#include <string>
#include <string_view>

#include "export/probe_stats.hpp"
#include "flow/flow_record.hpp"

namespace wireflow::v1 {
class FlowRecord;
class ProbeStats;
}  // namespace wireflow::v1

namespace wireflow::probe {

void to_proto(const flow_record& r, wireflow::v1::FlowRecord& out);
// Identity fields (schema_version, probe_id, boot_id) are set by the caller.
void to_proto(const probe_stats& s, wireflow::v1::ProbeStats& out);

// "idle_timeout", "active_timeout", "tcp_fin", "tcp_rst", "evicted", "shutdown", "unspecified".
[[nodiscard]] std::string_view end_reason_name(end_reason r) noexcept;

// Appends one JSON object (no trailing newline) for --dump-flows: probe_id,
// flow_id, vlan, ip_version, protocol, client_ip, client_port, server_ip,
// server_port, first_seen_ns, last_seen_ns, c2s_packets, c2s_bytes,
// s2c_packets, s2c_bytes, c2s_tcp_flags, s2c_tcp_flags, end_reason, worker,
// client_mac/server_mac (when present) and, when DPI found something,
// app_protocol, master_protocol, app_name, app_category, server_name, flow_risk;
// dscp (when the record has packets), c2s_ttl_min/max and s2c_ttl_min/max
// (when that direction has packets), and for TCP flows the probe analysed
// c2s/s2c_retransmissions, c2s/s2c_out_of_order, c2s/s2c_zero_windows and,
// once the handshake was seen, client_rtt_ns and server_rtt_ns.
void append_json(const flow_record& r, std::string_view probe_id, std::string& out);

// Appends `s` as a JSON string literal (quotes included). Invalid UTF-8 is
// replaced by U+FFFD so the output is always valid JSON.
void append_json_string(std::string_view s, std::string& out);

}  // namespace wireflow::probe
