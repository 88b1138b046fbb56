#include "alert/window_checks.hpp"

#include <catch2/catch.hpp>

#include <set>

#include "alert/test_flows.hpp"

using namespace wireflow::collector;
using namespace wireflow::collector::alert;
using namespace wireflow::collector::alert::testing;
using namespace std::chrono_literals;

namespace {

alert_preferences with(check c, double threshold) {
    auto p = default_preferences();
    p.enabled = true;
    p[c].threshold = threshold;
    return p;
}

std::set<std::string> ids(const std::vector<finding>& fs, std::string_view type) {
    std::set<std::string> out;
    for (const auto& f : fs)
        if (f.type == type) out.insert(f.entity_id);
    return out;
}

alert_window counted(const std::vector<flow_record>& rows, const alert_preferences& p) {
    alert_window w(1000);
    for (const auto& r : rows) (void)w.count(r, caps_for(p));
    return w;
}

}  // namespace

TEST_CASE("a SYN scan above the threshold names attacker and victim", "[window_checks]") {
    const auto p = with(check::syn_scan, 20);
    const auto fs = window_findings(counted(syn_scan_rows("10.0.0.66", "10.0.0.5", 30), p), p, 60s, {});
    CHECK(ids(fs, "syn_scan_attacker") == std::set<std::string>{"10.0.0.66@0"});
    CHECK(ids(fs, "syn_scan_victim") == std::set<std::string>{"10.0.0.5@0"});
}

TEST_CASE("a scan at the threshold and answered connections find nothing", "[window_checks]") {
    const auto p = with(check::syn_scan, 20);
    auto rows = syn_scan_rows("10.0.0.66", "10.0.0.5", 20);   // exactly the threshold: not above
    for (int port = 1; port <= 50; ++port)
        rows.push_back(tcp_flow("10.0.0.7", "10.0.0.8", static_cast<std::uint16_t>(port), false));
    CHECK(window_findings(counted(rows, p), p, 60s, {}).empty());
}

TEST_CASE("a host scan names the attacker that probed many hosts", "[window_checks]") {
    const auto p = with(check::host_scan, 10);
    std::vector<flow_record> rows;
    for (int h = 1; h <= 15; ++h) rows.push_back(tcp_flow("192.0.2.9", "10.1.0." + std::to_string(h), 22, true));
    const auto fs = window_findings(counted(rows, p), p, 60s, {});
    REQUIRE(ids(fs, "host_scan_attacker") == std::set<std::string>{"192.0.2.9@0"});
    for (const auto& f : fs)
        if (f.type == "host_scan_attacker") CHECK(f.message.find("15") != std::string::npos);
}

TEST_CASE("flow and ICMP floods are measured per second over the window", "[window_checks]") {
    auto p = with(check::flow_flood, 5);   // flows/s
    p[check::icmp_flood].threshold = 20;   // packets/s
    std::vector<flow_record> rows;
    for (int i = 0; i < 60; ++i)
        rows.push_back(tcp_flow("10.0.0.1", "10.0.0.2", static_cast<std::uint16_t>(1000 + i), false));
    flow_record icmp;
    icmp.protocol = 1;
    icmp.client_ip = ip("10.0.0.3");
    icmp.server_ip = ip("10.0.0.4");
    icmp.c2s_packets = 250;   // 25/s over 10 s
    icmp.c2s_bytes = 250 * 84;
    rows.push_back(icmp);
    const auto w = counted(rows, p);
    const auto fs = window_findings(w, p, 10s, {});
    CHECK(ids(fs, "flow_flood_attacker") == std::set<std::string>{"10.0.0.1@0"});
    CHECK(ids(fs, "flow_flood_victim") == std::set<std::string>{"10.0.0.2@0"});
    CHECK(ids(fs, "icmp_flood_attacker") == std::set<std::string>{"10.0.0.3@0"});
    CHECK(ids(fs, "icmp_flood_victim") == std::set<std::string>{"10.0.0.4@0"});
    // The same counts over a window twelve times longer are below both rates.
    CHECK(window_findings(w, p, 120s, {}).empty());
}

TEST_CASE("host and pool volume thresholds are bytes per minute", "[window_checks]") {
    auto p = with(check::host_volume, 1e6);
    p[check::pool_volume].threshold = 1.5e6;
    const pool_lookup pool_of = [](const wireflow::net::ip_address& a, std::uint16_t,
                                   const std::optional<wireflow::net::mac_address>&) {
        return a.masked(8) == ip("10.0.0.0") ? std::string("office") : std::string();
    };
    auto r = tcp_flow("10.0.0.1", "198.51.100.1", 443, false);
    r.s2c_bytes = 1'200'000;
    auto r2 = tcp_flow("10.0.0.2", "198.51.100.1", 443, false);
    r2.s2c_bytes = 900'000;
    const auto fs = window_findings(counted({r, r2}, p), p, 60s, pool_of);
    CHECK(ids(fs, "host_volume") == std::set<std::string>{"10.0.0.1@0", "198.51.100.1@0"});
    CHECK(ids(fs, "pool_volume") == std::set<std::string>{"office"});
    // Over two minutes the same bytes are half the rate: the pool is below.
    CHECK(ids(window_findings(counted({r, r2}, p), p, 120s, pool_of), "pool_volume").empty());
}

TEST_CASE("probe drops above the percentage and any export loss are found", "[window_checks]") {
    const auto p = with(check::probe_packet_drops, 5);
    alert_window w(10);
    probe_health h{"probe-a", 7, true, 0, 1000, 0, 0, 0};
    w.count(h);
    h.packets = 2000;
    h.nic_drops = 40;   // 40 of 1040: 3.8 %
    w.count(h);
    CHECK(window_findings(w, p, 60s, {}).empty());
    h.nic_drops = 200;   // 200 of 1200 in the window: 16.7 %
    h.export_drops = 3;
    w.count(h);
    const auto fs = window_findings(w, p, 60s, {});
    CHECK(ids(fs, "probe_packet_drops") == std::set<std::string>{"probe-a"});
    CHECK(ids(fs, "probe_export_drops") == std::set<std::string>{"probe-a"});
}

TEST_CASE("a switched-off check finds nothing", "[window_checks]") {
    auto p = with(check::syn_scan, 5);
    p[check::syn_scan].enabled = false;
    CHECK(window_findings(counted(syn_scan_rows("10.0.0.66", "10.0.0.5", 30), p), p, 60s, {}).empty());
}

TEST_CASE("a SYN flood is SYNs per second to one port, found for attacker and victim", "[window_checks]") {
    auto p = with(check::syn_flood, 10);   // SYNs/s
    p[check::syn_scan].threshold = 1000;   // one port: not a scan
    std::vector<flow_record> rows;
    for (int i = 0; i < 150; ++i) {
        auto r = tcp_flow("198.51.100.9", "10.0.0.80", 80, true);
        r.client_port = static_cast<std::uint16_t>(20000 + i);
        rows.push_back(r);
    }
    const auto w = counted(rows, p);
    const auto fs = window_findings(w, p, 10s, {});   // 15 SYNs/s
    CHECK(ids(fs, "syn_flood_attacker") == std::set<std::string>{"198.51.100.9@0"});
    CHECK(ids(fs, "syn_flood_victim") == std::set<std::string>{"10.0.0.80@0"});
    CHECK(ids(fs, "syn_scan_attacker").empty());
    // Answered connections at the same rate are no flood.
    std::vector<flow_record> answered;
    for (int i = 0; i < 150; ++i) answered.push_back(tcp_flow("198.51.100.9", "10.0.0.80", 80, false));
    const auto quiet = window_findings(counted(answered, p), p, 10s, {});
    CHECK(ids(quiet, "syn_flood_attacker").empty());
    CHECK(ids(quiet, "syn_flood_victim").empty());
}

TEST_CASE("a DNS flood is queries per second to port 53", "[window_checks]") {
    const auto p = with(check::dns_flood, 20);   // queries/s
    std::vector<flow_record> rows;
    for (int i = 0; i < 30; ++i) {
        flow_record q;
        q.protocol = 17;
        q.client_ip = ip("10.0.0.7");
        q.client_port = static_cast<std::uint16_t>(30000 + i);
        q.server_ip = ip("10.0.0.53");
        q.server_port = 53;
        q.c2s_packets = 10;
        q.s2c_packets = 10;
        rows.push_back(q);
    }
    const auto w = counted(rows, p);   // 300 queries
    const auto fs = window_findings(w, p, 10s, {});
    CHECK(ids(fs, "dns_flood_attacker") == std::set<std::string>{"10.0.0.7@0"});
    CHECK(ids(fs, "dns_flood_victim") == std::set<std::string>{"10.0.0.53@0"});
    CHECK(ids(window_findings(w, p, 60s, {}), "dns_flood_attacker").empty());   // 5 queries/s
    for (auto& r : rows) r.server_port = 5353;   // not DNS
    CHECK(window_findings(counted(rows, p), p, 10s, {}).empty());
}

TEST_CASE("host and pool packet and flow thresholds are per minute", "[window_checks]") {
    auto p = with(check::host_packets, 500);   // packets/min
    p[check::pool_packets].threshold = 800;
    p[check::pool_flows].threshold = 30;       // new flows/min
    const pool_lookup pool_of = [](const wireflow::net::ip_address& a, std::uint16_t,
                                   const std::optional<wireflow::net::mac_address>&) {
        return a.masked(8) == ip("10.0.0.0") ? std::string("office") : std::string();
    };
    std::vector<flow_record> rows;
    for (int i = 0; i < 40; ++i) rows.push_back(tcp_flow("10.0.0.1", "198.51.100.1", 443, false));  // 10 packets each
    for (int i = 0; i < 10; ++i) rows.push_back(tcp_flow("10.0.0.2", "198.51.100.2", 443, false));
    const auto fs = window_findings(counted(rows, p), p, 60s, pool_of);
    // 400 packets of 10.0.0.1 and its server; 100 of 10.0.0.2: only the office pool's 500 + ... above
    CHECK(ids(fs, "host_packets").empty());
    CHECK(ids(fs, "pool_packets").empty());       // 500 packets/min
    CHECK(ids(fs, "pool_flows") == std::set<std::string>{"office"});   // 50 flows/min
    // Over 30 s the same counts are twice the rate.
    const auto fast = window_findings(counted(rows, p), p, 30s, pool_of);
    CHECK(ids(fast, "host_packets") == std::set<std::string>{"10.0.0.1@0", "198.51.100.1@0"});
    CHECK(ids(fast, "pool_packets") == std::set<std::string>{"office"});
}

TEST_CASE("a host, pool or network override changes the threshold for its hosts only", "[window_checks]") {
    auto p = with(check::host_volume, 1e6);   // bytes/min
    std::string error;
    auto with_overrides = apply_json(p, boost::json::parse(R"({"overrides": [
        {"check": "host_volume", "host": "10.0.0.1", "threshold": 1e9},
        {"check": "host_volume", "pool": "backup", "threshold": 5e8},
        {"check": "host_volume", "network": "198.51.100.0/24", "enabled": false},
        {"check": "host_volume", "network": "10.9.0.0/16", "threshold": 1e3}]})"), error);
    REQUIRE(with_overrides);
    p = *with_overrides;
    const pool_lookup pool_of = [](const wireflow::net::ip_address& a, std::uint16_t,
                                   const std::optional<wireflow::net::mac_address>&) {
        return a == ip("10.0.0.2") ? std::string("backup") : std::string();
    };
    std::vector<flow_record> rows;
    for (const char* client : {"10.0.0.1", "10.0.0.2", "10.0.0.3"}) {
        auto r = tcp_flow(client, "198.51.100.1", 443, false);
        r.s2c_bytes = 2'000'000;
        rows.push_back(r);
    }
    auto small = tcp_flow("10.9.1.1", "192.0.2.1", 22, false);
    small.s2c_bytes = 2'000;   // 2,060 bytes: above the network's 1e3, far below the global 1e6
    rows.push_back(small);
    const auto fs = window_findings(counted(rows, p), p, 60s, pool_of);
    // 10.0.0.1: its own 1e9; 10.0.0.2: the backup pool's 5e8; 198.51.100.1: switched off by its network;
    // 10.0.0.3 keeps the global 1e6; 10.9.1.1 is held to its network's 1e3 (192.0.2.1 to the global one).
    CHECK(ids(fs, "host_volume") == std::set<std::string>{"10.0.0.3@0", "10.9.1.1@0"});
}

TEST_CASE("a probe backlog above the threshold is found while it grows, not while it drains", "[window_checks]") {
    const auto p = with(check::probe_spool_growing, 100);   // batches
    alert_window w(10);
    probe_health h{"probe-a", 7, true, 0, 1000, 0, 0, 0, 50};
    w.count(h);
    CHECK(ids(window_findings(w, p, 60s, {}), "probe_spool_growing").empty());   // 50: below
    w.reset();
    h.batches_pending = 400;
    w.count(h);
    CHECK(ids(window_findings(w, p, 60s, {}), "probe_spool_growing") == std::set<std::string>{"probe-a"});
    w.reset();
    h.batches_pending = 300;   // still above, but draining
    w.count(h);
    CHECK(ids(window_findings(w, p, 60s, {}), "probe_spool_growing").empty());
}
