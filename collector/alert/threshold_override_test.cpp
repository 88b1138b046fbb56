#include "alert/threshold_override.hpp"

#include <catch2/catch.hpp>

#include "alert/alert_types.hpp"

using namespace wireflow;
using namespace wireflow::collector::alert;

namespace {

std::vector<threshold_override> parsed(const char* json) {
    std::string error;
    auto o = parse_overrides(boost::json::parse(json), error);
    INFO(error);
    REQUIRE(o);
    return *o;
}

std::string refusal(const char* json) {
    std::string error;
    CHECK_FALSE(parse_overrides(boost::json::parse(json), error));
    return error;
}

}  // namespace

TEST_CASE("the host's own override wins over its pool's, which wins over its network's", "[threshold_override]") {
    const auto o = parsed(R"([
        {"check": "host_volume", "network": "10.0.0.0/8", "threshold": 100},
        {"check": "host_volume", "network": "10.1.0.0/16", "threshold": 200},
        {"check": "host_volume", "pool": "backup", "threshold": 300},
        {"check": "host_volume", "host": "10.1.2.3", "threshold": 400},
        {"check": "dns_flood", "host": "10.1.2.3", "enabled": false}])");
    const check_settings global{true, severity::notice, 50};
    const auto at = [&](const char* ip, std::string_view pool) {
        const auto a = *net::ip_address::parse(ip);
        return effective_settings(global, check::host_volume, o, override_subject{&a, pool}).threshold;
    };
    CHECK(at("10.1.2.3", "backup") == 400);      // host
    CHECK(at("10.1.9.9", "backup") == 300);      // pool
    CHECK(at("10.1.9.9", "") == 200);            // longest network
    CHECK(at("10.2.0.1", "") == 100);            // shorter network
    CHECK(at("192.0.2.1", "other") == 50);       // global
    // An override that only switches a check off keeps the global threshold.
    const auto a = *net::ip_address::parse("10.1.2.3");
    const auto dns = effective_settings(check_settings{true, severity::warning, 100}, check::dns_flood, o,
                                        override_subject{&a, ""});
    CHECK_FALSE(dns.enabled);
    CHECK(dns.threshold == 100);
    // A pool's own check matches pool overrides only.
    CHECK(effective_settings(global, check::host_volume, o, override_subject{nullptr, "backup"}).threshold == 300);
}

TEST_CASE("overrides survive a JSON round trip", "[threshold_override]") {
    const auto o = parsed(R"([{"check": "pool_flows", "pool": "guests", "threshold": 10, "enabled": true},
                               {"check": "host_packets", "network": "2001:db8::/32", "threshold": 5}])");
    CHECK(parsed(boost::json::serialize(to_json(o)).c_str()) == o);
    CHECK(any_pool_override(o));
}

TEST_CASE("malformed overrides are refused with a reason", "[threshold_override]") {
    CHECK(refusal(R"({"check": "host_volume"})").find("array") != std::string::npos);
    CHECK(refusal(R"([{"check": "nope", "host": "10.0.0.1", "threshold": 1}])").find("unknown check") !=
          std::string::npos);
    CHECK(refusal(R"([{"check": "host_volume", "host": "10.0.0.1", "pool": "a", "threshold": 1}])")
              .find("exactly one") != std::string::npos);
    CHECK(refusal(R"([{"check": "host_volume", "host": "10.0.0.300", "threshold": 1}])").find("host") !=
          std::string::npos);
    CHECK(refusal(R"([{"check": "host_volume", "network": "10.0.0.1/8", "threshold": 1}])").find("network") !=
          std::string::npos);
    CHECK(refusal(R"([{"check": "host_volume", "host": "10.0.0.1", "threshold": -1}])").find("threshold") !=
          std::string::npos);
    CHECK(refusal(R"([{"check": "host_volume", "host": "10.0.0.1"}])").find("sets enabled") != std::string::npos);
    std::string many = "[";
    for (std::size_t i = 0; i <= max_overrides; ++i)
        many += std::string(i ? "," : "") + R"({"check": "host_volume", "host": "10.0.0.1", "threshold": 1})";
    many += "]";
    CHECK(refusal(many.c_str()).find("1000") != std::string::npos);
}

TEST_CASE("preferences carry their overrides through JSON", "[threshold_override]") {
    std::string error;
    const auto p = apply_json(default_preferences(),
                              boost::json::parse(R"({"overrides": [{"check": "host_volume", "host": "10.0.0.1",
                                                                     "threshold": 7}]})"),
                              error);
    REQUIRE(p);
    REQUIRE(p->overrides.size() == 1);
    const auto back = apply_json(default_preferences(), to_json(*p), error);
    REQUIRE(back);
    CHECK(back->overrides == p->overrides);
}
