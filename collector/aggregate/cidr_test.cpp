#include "cidr.hpp"

#include <catch2/catch.hpp>

using namespace wireflow::collector::aggregate;

static ip_address ip(const char* s) { return *ip_address::parse(s); }

TEST_CASE("a cidr contains exactly the addresses under its prefix", "[cidr]") {
    const auto net = *cidr::parse("10.0.0.0/8");
    CHECK(net.contains(ip("10.0.0.1")));
    CHECK(net.contains(ip("10.255.255.255")));
    CHECK_FALSE(net.contains(ip("11.0.0.0")));
    CHECK_FALSE(net.contains(ip("::a00:1")));  // another family never matches
    const auto v6 = *cidr::parse("2001:db8::/32");
    CHECK(v6.contains(ip("2001:db8:ffff::1")));
    CHECK_FALSE(v6.contains(ip("2001:db9::1")));
    const auto all4 = *cidr::parse("0.0.0.0/0");
    CHECK(all4.contains(ip("8.8.8.8")));
    CHECK_FALSE(all4.contains(ip("::1")));
}

TEST_CASE("a bare address is a full-length cidr and prints bare", "[cidr]") {
    const auto h = *cidr::parse("192.168.1.7");
    CHECK(h.prefix == 32);
    CHECK(h.to_string() == "192.168.1.7");
    CHECK(cidr::parse("192.168.1.7/32") == h);
    CHECK(cidr::parse("2001:db8::7")->prefix == 128);
    CHECK(cidr::parse("192.168.0.0/16")->to_string() == "192.168.0.0/16");
}

TEST_CASE("cidr parsing explains what is wrong", "[cidr]") {
    std::string why;
    CHECK_FALSE(cidr::parse("10.0.0.1/8", &why));
    CHECK(why.find("host bits set") != std::string::npos);
    CHECK(why.find("10.0.0.0/8") != std::string::npos);
    CHECK_FALSE(cidr::parse("10.0.0.0/33", &why));
    CHECK(why.find("exceeds 32") != std::string::npos);
    CHECK_FALSE(cidr::parse("2001:db8::/129", &why));
    CHECK(why.find("exceeds 128") != std::string::npos);
    for (const char* bad : {"10.0.0.0/", "10.0.0.0/x", "10.0.0.0/8/8", "10.0.0.0/-1", "/8", "banana/8", "10.0.0.0/0008"}) {
        why.clear();
        CHECK_FALSE(cidr::parse(bad, &why));
        CHECK_FALSE(why.empty());
    }
}

TEST_CASE("local networks classify v4 and v6 hosts from a comma list", "[cidr]") {
    std::string why;
    auto locals = local_networks::parse(" 10.0.0.0/8, 192.168.1.0/24 ,fd00::/8,2001:db8::5", &why);
    REQUIRE(locals);
    CHECK(locals->networks().size() == 4);
    CHECK(locals->contains(ip("10.20.30.40")));
    CHECK(locals->contains(ip("192.168.1.200")));
    CHECK_FALSE(locals->contains(ip("192.168.2.1")));
    CHECK(locals->contains(ip("fd12:3456::1")));
    CHECK(locals->contains(ip("2001:db8::5")));
    CHECK_FALSE(locals->contains(ip("2001:db8::6")));
    CHECK_FALSE(locals->contains(ip("8.8.8.8")));

    CHECK(local_networks::parse("", &why)->networks().empty());
    CHECK_FALSE(local_networks::parse("10.0.0.0/8,,fd00::/8", &why));
    CHECK(why.find("empty item") != std::string::npos);
    CHECK_FALSE(local_networks::parse("10.0.0.0/8,10.1.0.0/8", &why));
    CHECK(why.find("10.1.0.0/8") != std::string::npos);
}
