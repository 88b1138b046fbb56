#pragma once
// A wireflow.v1.FlowRecord's fields as they arrived, before any check: what
// decode_record validates and converts into a flow_record. Two readers fill
// it: the generated protobuf parser (view_of a v1::FlowRecord, for every
// message) and the wire-format fast reader (wire_batch_reader, for the common
// lone batch). One checking function behind both means the two paths cannot
// disagree on what a valid record is.
//
// Strings and bytes are views into the message being read: a wire_record
// lives no longer than the bytes (or the v1::FlowRecord) it was read from.
// Field names and numbers follow proto/wireflow.proto; proto3 scalars absent
// on the wire read as 0 / empty, `optional` ones and sub-messages as absent.

#include <cstdint>
#include <optional>
#include <string_view>

namespace wireflow::collector::ingest {

struct wire_tcp_health {  // FlowRecord.tcp (TcpHealth)
    std::uint32_t c2s_retransmissions{0};
    std::uint32_t s2c_retransmissions{0};
    std::uint32_t c2s_out_of_order{0};
    std::uint32_t s2c_out_of_order{0};
    std::uint32_t c2s_zero_windows{0};
    std::uint32_t s2c_zero_windows{0};
    std::optional<std::uint64_t> client_rtt_ns;
    std::optional<std::uint64_t> server_rtt_ns;
};

struct wire_tunnel {  // FlowRecord.tunnel (Tunnel)
    std::int32_t type{0};  // TunnelType: an open enum, any int32
    std::uint32_t id{0};
    std::string_view client_side_ip;
    std::string_view server_side_ip;
};

struct wire_tls {  // FlowRecord.tls (TlsInfo)
    std::uint32_t version{0};
    std::string_view ja3_client;
    std::string_view ja3_server;
    std::string_view cert_subject;
    std::string_view cert_issuer;
    std::optional<std::uint64_t> cert_not_before_s;
    std::optional<std::uint64_t> cert_not_after_s;
    std::string_view alpn;
    std::string_view cert_sha1;
};

struct wire_http {  // FlowRecord.http (HttpInfo)
    std::string_view method;
    std::string_view url;
    std::string_view user_agent;
    std::uint32_t response_code{0};
};

struct wire_name_claim {  // FlowRecord.name_claim (NameClaim)
    std::int32_t service{0};  // NameService
    std::string_view name;
    std::string_view address;
};

struct wire_record {
    std::uint64_t flow_id{0};
    std::uint32_t vlan{0};
    std::uint32_t ip_version{0};
    std::uint32_t protocol{0};
    std::string_view client_ip;
    std::uint32_t client_port{0};
    std::string_view server_ip;
    std::uint32_t server_port{0};
    std::uint64_t first_seen_ns{0};
    std::uint64_t last_seen_ns{0};
    std::uint64_t c2s_packets{0};
    std::uint64_t c2s_bytes{0};
    std::uint64_t s2c_packets{0};
    std::uint64_t s2c_bytes{0};
    std::uint32_t c2s_tcp_flags{0};
    std::uint32_t s2c_tcp_flags{0};
    std::int32_t end_reason{0};  // EndReason
    std::string_view client_mac;
    std::string_view server_mac;
    std::uint32_t worker{0};
    std::uint32_t payload_seen{0};
    std::uint32_t app_protocol{0};
    std::uint32_t master_protocol{0};
    std::string_view app_name;
    std::string_view app_category;
    std::string_view server_name;
    std::uint64_t flow_risk{0};
    std::uint32_t dns_query_type{0};
    std::uint32_t dns_reply_code{0};
    std::string_view dns_answer_ip;
    std::optional<wire_tcp_health> tcp;
    std::optional<std::uint32_t> c2s_ttl_min;
    std::optional<std::uint32_t> c2s_ttl_max;
    std::optional<std::uint32_t> s2c_ttl_min;
    std::optional<std::uint32_t> s2c_ttl_max;
    std::optional<std::uint32_t> dscp;
    std::optional<wire_tunnel> tunnel;
    std::int32_t dpi_confidence{0};  // DpiConfidence
    std::optional<wire_tls> tls;
    std::optional<wire_http> http;
    std::optional<wire_name_claim> name_claim;
};

}  // namespace wireflow::collector::ingest
