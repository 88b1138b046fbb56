#pragma once
// Crafted flow records for the alert tests (header only, tests only).

#include <cstdint>
#include <string>
#include <vector>

#include "alert/alert_types.hpp"
#include "model/flow_batch.hpp"
#include "model/test_records.hpp"

namespace wireflow::collector::alert::testing {

// Every check at its default threshold, with the global switch on.
inline alert_preferences enabled() {
    auto p = default_preferences();
    p.enabled = true;
    return p;
}

// A TCP flow: refused (SYN answered by RST+ACK) or a completed exchange.
using collector::testing::ip;
using collector::testing::mac;

inline flow_record tcp_flow(std::string_view client, std::string_view server, std::uint16_t port, bool refused) {
    flow_record r;
    r.protocol = 6;
    r.client_ip = ip(client);
    r.client_port = 40000;
    r.server_ip = ip(server);
    r.server_port = port;
    r.c2s_packets = 1;
    r.c2s_bytes = 60;
    r.c2s_tcp_flags = 0x02;   // SYN
    r.reason = end_reason::idle_timeout;
    if (refused) {
        r.s2c_packets = 1;
        r.s2c_bytes = 40;
        r.s2c_tcp_flags = 0x14;   // RST+ACK
    } else {
        r.c2s_packets = 5;
        r.c2s_tcp_flags = 0x1b;
        r.s2c_packets = 5;
        r.s2c_bytes = 500;
        r.s2c_tcp_flags = 0x1b;
    }
    return r;
}

inline flow_batch batch_of(std::vector<flow_record> rows) {
    flow_batch b;
    b.id = {"probe-a", 1, 1};
    b.records = std::move(rows);
    return b;
}

inline std::vector<flow_record> syn_scan_rows(const std::string& attacker, const std::string& victim, int ports) {
    std::vector<flow_record> rows;
    for (int p = 1; p <= ports; ++p) rows.push_back(tcp_flow(attacker, victim, static_cast<std::uint16_t>(p), true));
    return rows;
}

}  // namespace wireflow::collector::alert::testing
