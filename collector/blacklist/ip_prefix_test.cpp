#include "blacklist/ip_prefix.hpp"

#include <catch2/catch.hpp>

using namespace wireflow::collector::blacklist;

TEST_CASE("addresses parse in both families and print back canonically", "[ip_prefix]") {
    CHECK(to_string(parse_address("192.0.2.1").value()) == "192.0.2.1");
    CHECK(to_string(parse_address("2001:DB8:0:0::1").value()) == "2001:db8::1");
    CHECK(parse_address("192.0.2.1")->v4_host_order() == 0xC0000201u);
}

TEST_CASE("malformed addresses are refused", "[ip_prefix]") {
    for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4 ", "::g", "1:2:3:4:5:6:7:8:9",
                            "abc", "1.2.3.4/24"}) {
        INFO(bad);
        CHECK_FALSE(parse_address(bad).has_value());
    }
    CHECK_FALSE(parse_address(std::string(100, '1')).has_value());
    CHECK_FALSE(parse_address(std::string_view("1.2.3.4\0", 8)).has_value());
}

TEST_CASE("a prefix with host bits set is normalised and flagged", "[ip_prefix]") {
    const auto p = parse_prefix("10.1.2.3/8").value();
    CHECK(to_string(p.prefix) == "10.0.0.0/8");
    CHECK(p.had_host_bits);
    const auto q = parse_prefix("2001:db8::1/32").value();
    CHECK(to_string(q.prefix) == "2001:db8::/32");
    CHECK(q.had_host_bits);
    CHECK_FALSE(parse_prefix("10.0.0.0/8")->had_host_bits);
}

TEST_CASE("a bare address is a host prefix", "[ip_prefix]") {
    CHECK(parse_prefix("192.0.2.7")->prefix.length == 32);
    CHECK(parse_prefix("::1")->prefix.length == 128);
}

TEST_CASE("prefix lengths out of range or not decimal are refused", "[ip_prefix]") {
    for (const char* bad : {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/8a",
                            "10.0.0.0/0008", "/8"}) {
        INFO(bad);
        CHECK_FALSE(parse_prefix(bad).has_value());
    }
}

TEST_CASE("prefix bounds and containment", "[ip_prefix]") {
    const auto p = parse_prefix("192.0.2.128/25")->prefix;
    CHECK(to_string(last_address(p)) == "192.0.2.255");
    CHECK(contains(p, *parse_address("192.0.2.200")));
    CHECK_FALSE(contains(p, *parse_address("192.0.2.127")));
    CHECK(to_string(last_address(parse_prefix("::/0")->prefix)) == "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}

TEST_CASE("a range becomes the fewest covering prefixes", "[ip_prefix]") {
    const auto r = range_to_prefixes(*parse_address("192.0.2.1"), *parse_address("192.0.2.6"));
    std::vector<std::string> s;
    for (const auto& p : r) s.push_back(to_string(p));
    CHECK(s == std::vector<std::string>{"192.0.2.1/32", "192.0.2.2/31", "192.0.2.4/31", "192.0.2.6/32"});
    CHECK(range_to_prefixes(*parse_address("0.0.0.0"), *parse_address("255.255.255.255")).size() == 1);
    CHECK(to_string(range_to_prefixes(*parse_address("::"), *parse_address("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))
                        .at(0)) == "::/0");
    CHECK(range_to_prefixes(*parse_address("10.0.0.2"), *parse_address("10.0.0.1")).empty());
    CHECK(range_to_prefixes(*parse_address("10.0.0.2"), *parse_address("::1")).empty());
    CHECK(range_to_prefixes(*parse_address("2001:db8::"), *parse_address("2001:db8::ffff")).size() == 1);
}
