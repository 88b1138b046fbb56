// The JSON shape of a flow: TCP health, IP fields and tunnels, null where unknown.
#include <catch2/catch.hpp>

#include "json_views.hpp"

using namespace wireflow::collector;
namespace bj = boost::json;

TEST_CASE("a flow's tcp health, ttl ranges and dscp are shown, unknown parts as null", "[json_views]") {
    flow_item f;
    f.protocol = 6;
    tcp_health& t = f.health.tcp.emplace();
    t.c2s_retransmissions = 2;
    t.s2c_out_of_order = 1;
    t.s2c_zero_windows = 4;
    t.client_rtt_ns = 1'500'000;
    t.server_rtt_ns = 20'000'000;
    f.health.c2s_ttl = ttl_range{60, 64};
    f.health.dscp = 0;
    const bj::object o = http::flow_json(f);
    const auto& tcp = o.at("tcp").as_object();
    CHECK(tcp.at("c2s_retransmissions") == 2);
    CHECK(tcp.at("s2c_retransmissions") == 0);
    CHECK(tcp.at("s2c_out_of_order") == 1);
    CHECK(tcp.at("s2c_zero_windows") == 4);
    CHECK(tcp.at("client_rtt").as_double() == Approx(0.0015));
    CHECK(tcp.at("server_rtt").as_double() == Approx(0.020));
    CHECK(o.at("c2s_ttl").at("min") == 60);
    CHECK(o.at("c2s_ttl").at("max") == 64);
    CHECK(o.at("s2c_ttl").is_null());  // no packet from the server in this record
    CHECK(o.at("dscp") == 0);           // best effort is a value, not "unknown"
}

TEST_CASE("a flow from an older probe shows tcp health and ip fields as null, not zero", "[json_views]") {
    flow_item f;
    f.protocol = 6;
    const bj::object o = http::flow_json(f);
    CHECK(o.at("tcp").is_null());
    CHECK(o.at("c2s_ttl").is_null());
    CHECK(o.at("s2c_ttl").is_null());
    CHECK(o.at("dscp").is_null());
    f.health.tcp.emplace();  // analysed, handshake not seen
    const bj::object analysed = http::flow_json(f);
    const auto& tcp = analysed.at("tcp").as_object();
    CHECK(tcp.at("client_rtt").is_null());
    CHECK(tcp.at("server_rtt").is_null());
    CHECK(tcp.at("c2s_retransmissions") == 0);
}

TEST_CASE("a tunnelled flow shows its tunnel by name; others show null", "[json_views][tunnel]") {
    flow_item f;
    f.protocol = 17;
    CHECK(http::flow_json(f).at("tunnel").is_null());
    f.tunnel = flow_tunnel{wireflow::tunnel_type::vxlan, 4242, *wireflow::net::ip_address::parse("198.51.100.1"),
                           *wireflow::net::ip_address::parse("198.51.100.2")};
    const bj::object o = http::flow_json(f);
    const auto& t = o.at("tunnel").as_object();
    CHECK(t.at("type") == "vxlan");
    CHECK(t.at("id") == 4242);
    CHECK(t.at("client_side_ip") == "198.51.100.1");
    CHECK(t.at("server_side_ip") == "198.51.100.2");
    f.tunnel->type = static_cast<wireflow::tunnel_type>(9);  // a newer probe's
    CHECK(http::flow_json(f).at("tunnel").at("type") == "unknown");
}

TEST_CASE("a device shows its vendor and name, null when unknown", "[json_views][devices]") {
    http::device_info d{"00:00:0c:07:ac:01", "10.0.0.1", 0, "printer.example", "Cisco Systems, Inc", false};
    const bj::object o = http::device_json(d);
    CHECK(o.at("vendor") == "Cisco Systems, Inc");
    CHECK(o.at("name") == "printer.example");
    CHECK(o.at("locally_administered") == false);
    const bj::object local = http::device_json({"02:42:0a:00:00:01", "10.0.0.2", 0, "", "", true});
    CHECK(local.at("vendor").is_null());
    CHECK(local.at("name").is_null());
    CHECK(local.at("locally_administered") == true);
}
