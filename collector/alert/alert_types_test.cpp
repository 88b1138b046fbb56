#include "alert/alert_types.hpp"

#include <catch2/catch.hpp>

using namespace wireflow::collector::alert;

TEST_CASE("alerts are off by default with every check armed", "[alert_types]") {
    const auto p = default_preferences();
    CHECK_FALSE(p.enabled);
    for (const auto& c : p.checks) CHECK(c.enabled);
    CHECK(p[check::syn_scan].threshold == 100);
    CHECK(p[check::probe_silent].threshold == 60);
}

TEST_CASE("preferences round-trip through their JSON shape", "[alert_types]") {
    auto p = default_preferences();
    p.enabled = true;
    p[check::host_volume] = {false, severity::critical, 12345};
    p.webhook_url = "https://hooks.example/x";
    p.syslog = true;
    std::string error;
    const auto back = apply_json(default_preferences(), to_json(p), error);
    REQUIRE(back);
    CHECK(error.empty());
    CHECK(back->enabled);
    CHECK_FALSE((*back)[check::host_volume].enabled);
    CHECK((*back)[check::host_volume].level == severity::critical);
    CHECK((*back)[check::host_volume].threshold == 12345);
    CHECK(back->webhook_url == "https://hooks.example/x");
    CHECK(back->syslog);
}

TEST_CASE("a partial preferences document changes only what it names", "[alert_types]") {
    std::string error;
    const auto p = apply_json(default_preferences(), boost::json::parse(R"({"checks": {"syn_scan": {"threshold": 7}}})"), error);
    REQUIRE(p);
    CHECK((*p)[check::syn_scan].threshold == 7);
    CHECK((*p)[check::syn_scan].enabled);
    CHECK_FALSE(p->enabled);
}

TEST_CASE("malformed preferences are refused with a reason", "[alert_types]") {
    const auto refused = [](const char* json) {
        std::string error;
        const bool ok = apply_json(default_preferences(), boost::json::parse(json), error).has_value();
        return !ok && !error.empty();
    };
    CHECK(refused(R"({"enabled": "yes"})"));
    CHECK(refused(R"({"nonsense": 1})"));
    CHECK(refused(R"({"checks": {"no_such_check": {}}})"));
    CHECK(refused(R"({"checks": {"syn_scan": {"threshold": -1}}})"));
    CHECK(refused(R"({"checks": {"syn_scan": {"severity": "panic"}}})"));
    CHECK(refused(R"({"notifications": {"webhook_url": "file:///etc/passwd"}})"));
    CHECK(refused(R"([1, 2])"));
}

TEST_CASE("severity and check names parse back to themselves", "[alert_types]") {
    for (int i = 0; i < 5; ++i) CHECK(parse_severity(to_string(static_cast<severity>(i))) == static_cast<severity>(i));
    for (std::size_t i = 0; i < check_count; ++i) CHECK(parse_check(to_string(static_cast<check>(i))) == static_cast<check>(i));
    CHECK_FALSE(parse_severity("fatal"));
}
