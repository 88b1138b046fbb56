#include "public_address.hpp"

#include <catch2/catch.hpp>

using wireflow::collector::geo::is_public_address;
using wireflow::collector::geo::lookup_address;
using wireflow::net::ip_address;

namespace {
bool pub(const char* text) {
    INFO(text);
    const auto a = ip_address::parse(text);
    REQUIRE(a);
    return is_public_address(*a);
}
}  // namespace

TEST_CASE("special-purpose IPv4 ranges are never looked up", "[public_address]") {
    for (const char* a : {"0.1.2.3", "10.0.0.1", "100.64.0.1", "100.127.255.255", "127.0.0.1", "169.254.1.1",
                          "172.16.0.1", "172.31.255.255", "192.0.0.8", "192.0.2.1", "192.168.1.1", "198.18.0.1",
                          "198.19.255.255", "198.51.100.7", "203.0.113.9", "224.0.0.251", "239.255.255.250",
                          "240.0.0.1", "255.255.255.255"})
    {
        INFO(a);
        CHECK_FALSE(pub(a));
    }
}

TEST_CASE("public IPv4 addresses next to special ranges are looked up", "[public_address]") {
    for (const char* a : {"1.1.1.1", "8.8.8.8", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0",
                          "126.255.255.255", "128.0.0.0", "172.15.255.255", "172.32.0.0", "192.0.1.255",
                          "192.0.3.0", "192.167.255.255", "192.169.0.0", "198.17.255.255", "198.20.0.0",
                          "223.255.255.255"})
    {
        INFO(a);
        CHECK(pub(a));
    }
}

TEST_CASE("special-purpose IPv6 ranges are never looked up", "[public_address]") {
    for (const char* a : {"::", "::1", "100::1", "2001::1", "2001:db8::1", "2002:c000:201::1", "3fff::1", "fc00::1",
                          "fd12:3456::1", "fe80::1", "fec0::1", "ff02::fb", "4000::1", "::ffff:10.1.2.3",
                          "::ffff:192.168.0.1", "64:ff9b::a00:1"})
    {
        INFO(a);
        CHECK_FALSE(pub(a));
    }
}

TEST_CASE("global IPv6 unicast is looked up, and IPv4 in IPv6 as its IPv4 address", "[public_address]") {
    for (const char* a : {"2a02:cf40::1", "2001:4860:4860::8888", "2001:218::1", "2600::1", "3ffe::1"})
    {
        INFO(a);
        CHECK(pub(a));
    }
    CHECK(lookup_address(*ip_address::parse("::ffff:81.2.69.7")) == ip_address::parse("81.2.69.7"));
    CHECK(lookup_address(*ip_address::parse("64:ff9b::5102:4507")) == ip_address::parse("81.2.69.7"));
    CHECK(lookup_address(*ip_address::parse("2a02:cf40::1")) == ip_address::parse("2a02:cf40::1"));
    CHECK_FALSE(lookup_address(ip_address{}));
}
