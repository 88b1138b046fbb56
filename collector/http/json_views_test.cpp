// The JSON shape of a flow: TCP health and IP fields, null where unknown.
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
