#pragma once
// The collector's internal, protobuf-free view of a flow batch. Ingest decodes
// wireflow.v1 messages into these (protobuf stays at the edge); the store
// writes them; the aggregators read them.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace wireflow::collector {

// Identity of a batch: a re-sent batch has the same identity and is stored once.
struct batch_id {
    std::string probe_id;
    std::uint64_t boot_id{0};
    std::uint64_t sequence{0};
    friend bool operator==(const batch_id&, const batch_id&) = default;
};

// Addresses as text in PostgreSQL's inet input form ("10.0.0.1", "2001:db8::1"),
// produced by inet_ntop from the record's raw bytes, never from packet text.
struct flow_row {
    std::uint64_t flow_id{0};
    std::uint32_t vlan{0};
    std::uint8_t ip_version{0};
    std::uint8_t protocol{0};
    std::string client_ip;
    std::uint16_t client_port{0};
    std::string server_ip;
    std::uint16_t server_port{0};
    std::uint64_t first_seen_ns{0};
    std::uint64_t last_seen_ns{0};
    std::uint64_t c2s_packets{0};
    std::uint64_t c2s_bytes{0};
    std::uint64_t s2c_packets{0};
    std::uint64_t s2c_bytes{0};
    std::uint8_t c2s_tcp_flags{0};
    std::uint8_t s2c_tcp_flags{0};
    std::uint8_t end_reason{0};
    std::uint8_t payload_seen{0};   // FlowRecord.payload_seen bits (common/records/payload_seen.hpp); not stored
    std::string client_mac;     // "aa:bb:cc:dd:ee:ff" or empty
    std::string server_mac;
    std::uint32_t app_protocol{0};
    std::uint32_t master_protocol{0};
    std::string app_name;       // bounded, valid UTF-8 (ingest checks)
    std::string app_category;
    std::string server_name;    // packet-derived: bounded, valid UTF-8
    std::uint64_t flow_risk{0};
    // Filled by the blacklist stage before storing; empty when clean.
    std::string client_blacklist;
    std::string server_blacklist;
};

struct flow_batch {
    batch_id id;
    std::uint64_t send_time_ns{0};
    std::vector<flow_row> records;
};

}  // namespace wireflow::collector
