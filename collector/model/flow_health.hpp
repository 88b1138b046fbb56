#pragma once
// TCP health and IP fields of a flow record (issue 14), as the probe measures
// them (probe/flow/tcp_analysis.hpp: Wireshark's tcp.analysis definitions).
// Every part is optional: an older probe sends none, a non-TCP flow has no
// TCP part, a direction without packets has no TTL range. Unknown is never
// shown or stored as zero. Ingest fills it, the store writes and reads it,
// the JSON view of a flow shows it.

#include <cstdint>
#include <optional>

namespace wireflow::collector {

struct ttl_range {
    std::uint8_t min{0};
    std::uint8_t max{0};
    friend bool operator==(const ttl_range&, const ttl_range&) = default;
};

struct tcp_health {
    // Of the record's period, per direction.
    std::uint32_t c2s_retransmissions{0};
    std::uint32_t s2c_retransmissions{0};
    std::uint32_t c2s_out_of_order{0};
    std::uint32_t s2c_out_of_order{0};
    std::uint32_t c2s_zero_windows{0};
    std::uint32_t s2c_zero_windows{0};
    // The flow's handshake split at the probe: both or neither.
    std::optional<std::uint64_t> client_rtt_ns;  // SYN/ACK -> ACK
    std::optional<std::uint64_t> server_rtt_ns;  // SYN -> SYN/ACK
    friend bool operator==(const tcp_health&, const tcp_health&) = default;
};

struct flow_health {
    std::optional<tcp_health> tcp;
    std::optional<ttl_range> c2s_ttl;  // IPv4 TTL / IPv6 hop limit, outermost header
    std::optional<ttl_range> s2c_ttl;
    std::optional<std::uint8_t> dscp;  // RFC 2474, of the flow's first packet
    friend bool operator==(const flow_health&, const flow_health&) = default;
};

}  // namespace wireflow::collector
