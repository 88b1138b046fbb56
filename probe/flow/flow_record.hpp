#pragma once
// A finished (or active-timeout) flow record as handed from a worker to the
// exporter. Fixed size, trivially copyable: it travels through a DPDK ring as a
// pointer to a mempool object, so no allocation happens on the packet path.

#include <array>
#include <cstdint>
#include <type_traits>

#include "dissect/packet_summary.hpp"
#include "flow/app_details.hpp"
#include "flow/flow_key.hpp"
#include "records/end_reason.hpp"
#include "records/flow_counters.hpp"

namespace wireflow::probe {

using wireflow::end_reason;  // one enum for both binaries (common/records)

// Bound on packet-derived names (TLS SNI, HTTP Host, DNS query): RFC 1035 caps
// a DNS name at 255 octets; longer values are cut at a UTF-8 boundary.
inline constexpr std::size_t max_server_name = 255;
inline constexpr std::size_t max_app_name = 47;

// The counters (common/records, shared with the collector's record) first,
// then the rest ordered by size: no padding inside the ring object.
struct flow_record : flow_counters {
    std::uint64_t flow_id{0};
    std::uint64_t flow_risk{0};
    // Handshake round trip split at the probe (flow/tcp_analysis.hpp), the
    // flow's, repeated in each record once known; 0 unknown.
    std::uint64_t client_rtt_ns{0};    // SYN/ACK -> ACK: the client side of the probe
    std::uint64_t server_rtt_ns{0};    // SYN -> SYN/ACK: the server side of the probe
    // TCP health counts of this record's period (valid when tcp_analysed).
    std::uint32_t c2s_retransmissions{0};
    std::uint32_t s2c_retransmissions{0};
    std::uint32_t c2s_out_of_order{0};
    std::uint32_t s2c_out_of_order{0};
    std::uint32_t c2s_zero_windows{0};
    std::uint32_t s2c_zero_windows{0};
    endpoint client{};
    endpoint server{};
    std::uint16_t vlan{0};
    std::uint8_t ip_version{0};
    std::uint8_t protocol{0};
    std::uint8_t c2s_tcp_flags{0};
    std::uint8_t s2c_tcp_flags{0};
    end_reason reason{end_reason::unspecified};
    // Each side sent L4 payload at least once since the flow began (not
    // only in this record's period): "TCP connection with no data" needs
    // the flow's whole life.
    bool c2s_payload{false};
    bool s2c_payload{false};
    bool has_macs{false};
    bool tcp_analysed{false};          // TCP flow with at least one whole TCP header: counts above valid
    // The flow's IP header's TTL / hop limit (the inner one of a tunnel) over this record's period, per
    // direction; valid when that direction has packets in the record.
    std::uint8_t c2s_ttl_min{0};
    std::uint8_t c2s_ttl_max{0};
    std::uint8_t s2c_ttl_min{0};
    std::uint8_t s2c_ttl_max{0};
    std::uint8_t dscp{0};              // DSCP of the flow's first packet (RFC 2474)
    // Tunnelled flows (dissect.hpp): the encapsulation of the flow's first
    // tunnelled packet, its id, and the outer addresses on the client's and
    // the server's side (tunnel_ip_version 4 or 6 says how many bytes).
    tunnel_type tunnel{tunnel_type::none};
    std::uint8_t tunnel_ip_version{0};
    std::uint32_t tunnel_id{0};
    ip_bytes tunnel_client_side{};
    ip_bytes tunnel_server_side{};
    std::array<std::uint8_t, 6> client_mac{};
    std::array<std::uint8_t, 6> server_mac{};
    std::uint16_t worker{0};
    std::uint16_t app_protocol{0};
    std::uint16_t master_protocol{0};
    // DNS flows: the question's type (0: not DNS), the response code and the
    // first A/AAAA address answered (dns_answer_len 4 or 16, 0: none); then
    // server_name is the query name, which names that address.
    std::uint16_t dns_query_type{0};
    std::uint8_t dns_reply_code{0};
    std::uint8_t dns_answer_len{0};
    std::array<std::uint8_t, 16> dns_answer{};
    std::uint8_t server_name_len{0};
    char app_name[max_app_name + 1]{};          // NUL-terminated, from nDPI's static tables
    char app_category[max_app_name + 1]{};      // NUL-terminated
    char server_name[max_server_name + 1]{};    // NUL-terminated, valid UTF-8, packet-derived
    app_details app{};                          // TLS or HTTP details and nDPI's confidence
};

static_assert(std::is_trivially_copyable_v<flow_record>);

}  // namespace wireflow::probe
