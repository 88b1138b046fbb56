#pragma once
// Crafted flow records for the alert tests (header only, tests only).

#include <cstdint>
#include <string>
#include <vector>

#include "alert/alert_types.hpp"
#include "store/flow_batch.hpp"

namespace wireflow::collector::alert::testing {

// Every check at its default threshold, with the global switch on.
inline alert_preferences enabled() {
    auto p = default_preferences();
    p.enabled = true;
    return p;
}

// A TCP flow: refused (SYN answered by RST+ACK) or a completed exchange.
inline flow_row tcp_flow(std::string client, std::string server, std::uint16_t port, bool refused) {
    flow_row r;
    r.ip_version = 4;
    r.protocol = 6;
    r.client_ip = std::move(client);
    r.client_port = 40000;
    r.server_ip = std::move(server);
    r.server_port = port;
    r.c2s_packets = 1;
    r.c2s_bytes = 60;
    r.c2s_tcp_flags = 0x02;   // SYN
    r.end_reason = 1;
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

inline flow_batch batch_of(std::vector<flow_row> rows) {
    flow_batch b;
    b.id = {"probe-a", 1, 1};
    b.records = std::move(rows);
    return b;
}

inline std::vector<flow_row> syn_scan_rows(const std::string& attacker, const std::string& victim, int ports) {
    std::vector<flow_row> rows;
    for (int p = 1; p <= ports; ++p) rows.push_back(tcp_flow(attacker, victim, static_cast<std::uint16_t>(p), true));
    return rows;
}

}  // namespace wireflow::collector::alert::testing
