#include "alert/alert_window.hpp"

#include <catch2/catch.hpp>

#include "alert/test_flows.hpp"

using namespace wireflow::collector;
using namespace wireflow::collector::alert;
using namespace wireflow::collector::alert::testing;

TEST_CASE("a refused or unanswered SYN counts as a scanned port; an answered one does not", "[alert_window]") {
    CHECK(refused_tcp(tcp_flow("10.0.0.1", "10.0.0.2", 22, true)));
    CHECK_FALSE(refused_tcp(tcp_flow("10.0.0.1", "10.0.0.2", 22, false)));
    auto silent = tcp_flow("10.0.0.1", "10.0.0.2", 22, true);
    silent.s2c_packets = 0;
    silent.s2c_tcp_flags = 0;
    CHECK(refused_tcp(silent));
    flow_record udp;
    udp.protocol = 17;
    CHECK(unanswered(udp));
    udp.s2c_packets = 1;
    CHECK_FALSE(unanswered(udp));
}

TEST_CASE("a window counts distinct refused ports per attacker and victim", "[alert_window]") {
    alert_window w(100);
    for (const auto& r : syn_scan_rows("10.0.0.66", "10.0.0.5", 30)) CHECK(w.count(r, {}) == 0);
    for (const auto& r : syn_scan_rows("10.0.0.66", "10.0.0.5", 10)) (void)w.count(r, {});   // the same ports again
    const auto& attacker = *w.find(ip("10.0.0.66"), 0);
    const auto& victim = *w.find(ip("10.0.0.5"), 0);
    CHECK(attacker.syn_ports_out.size() == 30);
    CHECK(victim.syn_ports_in.size() == 30);
    CHECK(attacker.hosts_out.size() == 1);
    CHECK(attacker.flows_out == 40);
    CHECK(victim.flows_in == 40);
}

TEST_CASE("distinct sets stop at their cap and the host table at its size", "[alert_window]") {
    alert_window w(2);
    window_caps caps;
    caps.syn_ports = 5;
    for (const auto& r : syn_scan_rows("10.0.0.66", "10.0.0.5", 30)) (void)w.count(r, caps);
    CHECK(w.find(ip("10.0.0.66"), 0)->syn_ports_out.size() == 5);
    CHECK(w.count(tcp_flow("10.0.0.7", "10.0.0.8", 80, false), caps) == 2);   // table full: neither tracked
    w.reset();
    CHECK(w.hosts().empty());
}

TEST_CASE("a flow exported at its active timeout is not counted as a new flow", "[alert_window]") {
    alert_window w(10);
    auto r = tcp_flow("10.0.0.1", "10.0.0.2", 80, false);
    r.reason = wireflow::end_reason::active_timeout;   // the flow goes on
    (void)w.count(r, {});
    REQUIRE(w.find(ip("10.0.0.1"), 0));
    CHECK(w.find(ip("10.0.0.1"), 0)->flows_out == 0);
    CHECK(w.find(ip("10.0.0.1"), 0)->bytes == r.c2s_bytes + r.s2c_bytes);
    CHECK_FALSE(w.find(ip("10.0.0.1"), 7));   // another VLAN is another host
}

TEST_CASE("probe counters are taken as deltas, and a new boot starts again", "[alert_window]") {
    alert_window w(10);
    probe_health p{"probe-a", 7, true, 0, 1000, 10, 0, 0};
    w.count(p);   // the first report only sets the baseline
    CHECK(w.probes().at("probe-a").nic_drops == 0);
    p.packets = 1500;
    p.nic_drops = 60;
    p.sequence_gaps = 2;
    w.count(p);
    CHECK(w.probes().at("probe-a").packets == 500);
    CHECK(w.probes().at("probe-a").nic_drops == 50);
    CHECK(w.probes().at("probe-a").gaps == 2);
    w.reset();
    CHECK(w.probes().at("probe-a").nic_drops == 0);
    p.boot_id = 8;   // rebooted: new totals are a new baseline
    p.nic_drops = 5;
    w.count(p);
    CHECK(w.probes().at("probe-a").nic_drops == 0);
}
