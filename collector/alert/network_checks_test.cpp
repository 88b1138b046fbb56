#include "alert/network_checks.hpp"

#include <catch2/catch.hpp>

#include "alert/test_flows.hpp"

using namespace wireflow::collector;
using namespace wireflow::collector::alert;
using namespace wireflow::collector::alert::testing;

namespace {

alert_preferences with_servers(const char* json) {
    std::string error;
    auto p = apply_json(enabled(), boost::json::parse(json), error);
    INFO(error);
    REQUIRE(p);
    return *p;
}

flow_record udp_flow(std::string_view client, std::uint16_t client_port, std::string_view server,
                     std::uint16_t server_port, bool answered) {
    flow_record r;
    r.protocol = 17;
    r.client_ip = ip(client);
    r.client_port = client_port;
    r.server_ip = ip(server);
    r.server_port = server_port;
    r.c2s_packets = 1;
    r.c2s_bytes = 80;
    r.s2c_packets = answered ? 1 : 0;
    r.s2c_bytes = answered ? 120 : 0;
    return r;
}

std::vector<std::string> types(const std::vector<finding>& fs) {
    std::vector<std::string> out;
    for (const auto& f : fs) out.push_back(f.type);
    return out;
}

}  // namespace

TEST_CASE("a server answering outside its service's allow-list is unexpected; listed ones are not", "[network_checks]") {
    const auto local = *local_networks::parse("10.0.0.0/8");
    address_bindings bindings;
    const auto p = with_servers(R"({"allowed_servers": {"dns": ["10.0.0.53", "10.9.0.0/24"], "ntp": ["10.0.0.123"],
                                                         "smtp": ["10.0.0.25"], "dhcp": ["10.0.0.1"]}})");
    // A local client asking an outside resolver, answered.
    auto rogue = network_findings(udp_flow("10.0.0.7", 40000, "8.8.8.8", 53, true), "p", p, local, bindings);
    REQUIRE(types(rogue) == std::vector<std::string>{"unexpected_dns_server"});
    CHECK(rogue[0].entity_id == "8.8.8.8@0");
    CHECK(rogue[0].message.find("DNS server 8.8.8.8") != std::string::npos);
    // Listed servers (an address and a prefix), an unanswered query and a remote client: nothing.
    CHECK(network_findings(udp_flow("10.0.0.7", 40000, "10.0.0.53", 53, true), "p", p, local, bindings).empty());
    CHECK(network_findings(udp_flow("10.0.0.7", 40000, "10.9.0.9", 53, true), "p", p, local, bindings).empty());
    CHECK(network_findings(udp_flow("10.0.0.7", 40000, "8.8.8.8", 53, false), "p", p, local, bindings).empty());
    CHECK(network_findings(udp_flow("192.0.2.1", 40000, "8.8.8.8", 53, true), "p", p, local, bindings).empty());
    // NTP, SMTP (TCP) and DHCP have their own lists and types.
    CHECK(types(network_findings(udp_flow("10.0.0.7", 123, "192.0.2.123", 123, true), "p", p, local, bindings)) ==
          std::vector<std::string>{"unexpected_ntp_server"});
    auto smtp = tcp_flow("10.0.0.7", "192.0.2.25", 587, false);
    CHECK(types(network_findings(smtp, "p", p, local, bindings)) == std::vector<std::string>{"unexpected_smtp_server"});
    // A rogue DHCP server's offer: port 67 to 68, the server taken as the flow's client.
    CHECK(types(network_findings(udp_flow("10.0.0.66", 67, "255.255.255.255", 68, false), "p", p, local, bindings)) ==
          std::vector<std::string>{"unexpected_dhcp_server"});
    CHECK(network_findings(udp_flow("10.0.0.1", 67, "255.255.255.255", 68, false), "p", p, local, bindings).empty());
    // A discovery to the broadcast address names no server.
    CHECK(network_findings(udp_flow("0.0.0.0", 68, "255.255.255.255", 67, true), "p", p, local, bindings).empty());
}

TEST_CASE("a service with no allowed servers is not checked", "[network_checks]") {
    const auto local = *local_networks::parse("10.0.0.0/8");
    address_bindings bindings;
    CHECK(network_findings(udp_flow("10.0.0.7", 40000, "8.8.8.8", 53, true), "p", enabled(), local, bindings).empty());
    std::string error;
    CHECK_FALSE(apply_json(enabled(), boost::json::parse(R"({"allowed_servers": {"ftp": []}})"), error));
    CHECK_FALSE(apply_json(enabled(), boost::json::parse(R"({"allowed_servers": {"dns": ["10.0.0.300"]}})"), error));
    const auto p = with_servers(R"({"allowed_servers": {"dns": ["10.0.0.53"]}})");
    const auto j = to_json(p);
    CHECK(boost::json::serialize(j.at("allowed_servers")) == R"({"dns":["10.0.0.53"],"ntp":[],"smtp":[],"dhcp":[]})");
}

TEST_CASE("a local address behind a new MAC is an IP/MAC change; a first sighting is not", "[network_checks]") {
    const auto local = *local_networks::parse("10.0.0.0/8");
    address_bindings bindings;
    const auto p = enabled();
    auto r = tcp_flow("10.0.0.5", "192.0.2.80", 80, false);
    r.client_mac = mac("02:00:00:00:00:05");
    r.server_mac = mac("02:00:00:00:00:fe");   // the router's, for a remote server: not a local address
    CHECK(network_findings(r, "p", p, local, bindings).empty());
    CHECK(network_findings(r, "p", p, local, bindings).empty());   // same MAC again
    r.client_mac = mac("02:00:00:00:00:66");                              // someone else answers for 10.0.0.5
    const auto fs = network_findings(r, "p", p, local, bindings);
    REQUIRE(types(fs) == std::vector<std::string>{"ip_mac_change"});
    CHECK(fs[0].entity_id == "10.0.0.5@0");
    CHECK(fs[0].message.find("02:00:00:00:00:05 to 02:00:00:00:00:66") != std::string::npos);
    // Another probe or VLAN is another segment: its first sighting is new.
    CHECK(network_findings(r, "other-probe", p, local, bindings).empty());
    r.client_mac = mac("ff:ff:ff:ff:ff:ff");   // a group MAC names no host
    CHECK(network_findings(r, "p", p, local, bindings).empty());
    auto off = p;
    off[check::ip_mac_change].enabled = false;
    r.client_mac = mac("02:00:00:00:00:77");
    CHECK(network_findings(r, "p", off, local, bindings).empty());
}
