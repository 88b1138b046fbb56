#include "net/ip_prefix.hpp"

#include <catch2/catch.hpp>

using namespace wireflow::net;

namespace {
ip_address ip(const char* s) { return *ip_address::parse(s); }
}  // namespace

TEST_CASE("a prefix contains exactly the addresses under it", "[ip_prefix]") {
    const auto net = *ip_prefix::parse("10.0.0.0/8");
    CHECK(net.contains(ip("10.0.0.1")));
    CHECK(net.contains(ip("10.255.255.255")));
    CHECK_FALSE(net.contains(ip("11.0.0.0")));
    CHECK_FALSE(net.contains(ip("::a00:1")));  // another family never matches
    const auto v6 = *ip_prefix::parse("2001:db8::/32");
    CHECK(v6.contains(ip("2001:db8:ffff::1")));
    CHECK_FALSE(v6.contains(ip("2001:db9::1")));
    const auto all4 = *ip_prefix::parse("0.0.0.0/0");
    CHECK(all4.contains(ip("8.8.8.8")));
    CHECK_FALSE(all4.contains(ip("::1")));
}

TEST_CASE("a bare address is a host prefix", "[ip_prefix]") {
    const auto h = *ip_prefix::parse("192.168.1.7");
    CHECK(h.length == 32);
    CHECK(h.is_host());
    CHECK(h.to_string() == "192.168.1.7/32");
    CHECK(h.to_compact_string() == "192.168.1.7");
    CHECK(ip_prefix::parse("192.168.1.7/32") == h);
    CHECK(ip_prefix::parse("::1")->length == 128);
    CHECK(ip_prefix::parse("192.168.0.0/16")->to_compact_string() == "192.168.0.0/16");
}

TEST_CASE("strict parsing refuses host bits and explains what is wrong", "[ip_prefix]") {
    std::string why;
    CHECK_FALSE(ip_prefix::parse("10.0.0.1/8", &why));
    CHECK(why.find("host bits set") != std::string::npos);
    CHECK(why.find("10.0.0.0/8") != std::string::npos);
    CHECK_FALSE(ip_prefix::parse("10.0.0.0/33", &why));
    CHECK(why.find("exceeds 32") != std::string::npos);
    CHECK_FALSE(ip_prefix::parse("2001:db8::/129", &why));
    CHECK(why.find("exceeds 128") != std::string::npos);
    for (const char* bad : {"10.0.0.0/", "10.0.0.0/x", "10.0.0.0/8/8", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/8a",
                            "/8", "banana/8", "10.0.0.0/0008", "10.0.0/8"}) {
        INFO(bad);
        why.clear();
        CHECK_FALSE(ip_prefix::parse(bad, &why));
        CHECK_FALSE(why.empty());
        CHECK_FALSE(parse_prefix(bad));
    }
}

TEST_CASE("lenient parsing clears host bits and says so", "[ip_prefix]") {
    const auto p = parse_prefix("10.1.2.3/8").value();
    CHECK(p.prefix.to_string() == "10.0.0.0/8");
    CHECK(p.had_host_bits);
    const auto q = parse_prefix("2001:db8::1/32").value();
    CHECK(q.prefix.to_string() == "2001:db8::/32");
    CHECK(q.had_host_bits);
    CHECK_FALSE(parse_prefix("10.0.0.0/8")->had_host_bits);
    CHECK(parse_prefix("fe80::1/10")->prefix.to_string() == "fe80::/10");
}

TEST_CASE("prefix bounds", "[ip_prefix]") {
    const auto p = parse_prefix("192.0.2.128/25")->prefix;
    CHECK(p.last().to_string() == "192.0.2.255");
    CHECK(p.contains(ip("192.0.2.200")));
    CHECK_FALSE(p.contains(ip("192.0.2.127")));
    CHECK(parse_prefix("::/0")->prefix.last().to_string() == "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    CHECK(ip_prefix::of(ip("10.9.8.7"), 99) == *ip_prefix::parse("10.9.8.7/32"));  // length clamped
}

TEST_CASE("a range becomes the fewest covering prefixes", "[ip_prefix]") {
    std::vector<std::string> s;
    for (const auto& p : range_to_prefixes(ip("192.0.2.1"), ip("192.0.2.6"))) s.push_back(p.to_string());
    CHECK(s == std::vector<std::string>{"192.0.2.1/32", "192.0.2.2/31", "192.0.2.4/31", "192.0.2.6/32"});
    CHECK(range_to_prefixes(ip("0.0.0.0"), ip("255.255.255.255")).size() == 1);
    CHECK(range_to_prefixes(ip("::"), ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")).at(0).to_string() == "::/0");
    CHECK(range_to_prefixes(ip("10.0.0.2"), ip("10.0.0.1")).empty());
    CHECK(range_to_prefixes(ip("10.0.0.2"), ip("::1")).empty());
    CHECK(range_to_prefixes(ip("2001:db8::"), ip("2001:db8::ffff")).size() == 1);
}
