#pragma once
// Test support for the flow table tests: packets as the dissector would
// summarise them, and a sink that keeps every record.

#include <catch2/catch.hpp>

#include <vector>

#include "flow/flow_table.hpp"

namespace wireflow::probe::flow_table_test {


inline constexpr std::uint64_t sec = 1'000'000'000ULL;
inline constexpr std::uint8_t tcp = 6, udp = 17, icmp = 1;

inline endpoint v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d, std::uint16_t port) {
    endpoint e;
    e.ip = {a, b, c, d};
    e.port = port;
    return e;
}

inline packet_summary pkt(std::uint8_t proto, endpoint src, endpoint dst, std::uint32_t bytes, std::uint8_t flags = 0,
                   std::uint16_t vlan = 0) {
    packet_summary p;
    p.status = parse_status::ok;
    p.ip_version = 4;
    p.protocol = proto;
    p.tcp_flags = flags;
    p.vlan = vlan;
    p.has_l4 = proto == tcp || proto == udp;
    p.src = src;
    p.dst = dst;
    p.l3_bytes = bytes;
    p.ip_length = bytes;
    // A 20-byte IPv4 header and a TCP header without options (UDP: 8 bytes):
    // a 40-byte TCP packet carries no payload.
    p.l3_offset = 14;
    p.payload_offset = static_cast<std::uint16_t>(14 + 20 + (proto == tcp ? 20 : 8));
    return p;
}

struct collecting_sink final : record_sink {
    struct item {
        flow_record rec;
        std::uint32_t slot;
        bool final;
    };
    std::vector<item> items;
    void on_record(flow_record& rec, std::uint32_t slot, bool final) noexcept override {
        items.push_back({rec, slot, final});
    }
};

inline flow_table_config small_config(std::uint32_t capacity = 64) {
    flow_table_config c;
    c.capacity = capacity;
    c.idle_timeout_ns = 10 * sec;
    c.active_timeout_ns = 60 * sec;
    c.worker = 3;
    c.flow_id_base = 1000;
    return c;
}

inline const endpoint cli = v4(10, 0, 0, 1, 51000);
inline const endpoint srv = v4(192, 168, 1, 1, 443);

}  // namespace wireflow::probe::flow_table_test
