#include "address.hpp"

#include <arpa/inet.h>
#include <catch2/catch.hpp>

#include <random>

using namespace wireflow::collector::aggregate;

TEST_CASE("ip addresses parse in strict inet_pton form only", "[address]") {
    auto v4 = ip_address::parse("192.168.1.20");
    REQUIRE(v4);
    CHECK(v4->family == 4);
    CHECK(*v4 == ip_address::v4(0xC0A80114));
    auto v6 = ip_address::parse("2001:db8::1");
    REQUIRE(v6);
    CHECK(v6->family == 6);
    CHECK(v6->to_string() == "2001:db8::1");
    for (const char* bad : {"", "1.2.3", "1.2.3.4 ", " 1.2.3.4", "256.1.1.1", "fe80::1%eth0", "10.0.0.0/8",
                            "2001:db8::1::2", "abc", "1.2.3.4.5",
                            "1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa"})
        CHECK_FALSE(ip_address::parse(bad));
}

TEST_CASE("ipv4 formatting matches inet_ntop for every kind of octet", "[address]") {
    std::mt19937 rng(7);
    for (int i = 0; i < 20000; ++i) {
        const std::uint32_t v = i < 256 ? static_cast<std::uint32_t>(i) * 0x01010101u : rng();
        const auto a = ip_address::v4(v);
        char ref[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, a.bytes.data(), ref, sizeof ref);
        REQUIRE(a.to_string() == ref);
    }
}

TEST_CASE("masking keeps exactly the prefix bits", "[address]") {
    const auto a = *ip_address::parse("10.1.255.77");
    CHECK(a.masked(8).to_string() == "10.0.0.0");
    CHECK(a.masked(20).to_string() == "10.1.240.0");
    CHECK(a.masked(32) == a);
    CHECK(a.masked(0).to_string() == "0.0.0.0");
    const auto b = *ip_address::parse("2001:db8:abcd:ef01::1");
    CHECK(b.masked(36).to_string() == "2001:db8:a000::");
    CHECK(b.masked(128) == b);
}

TEST_CASE("mac addresses parse either case and print lower case", "[address]") {
    auto m = mac_address::parse("AA:bb:0C:dd:EE:ff");
    REQUIRE(m);
    CHECK(m->to_string() == "aa:bb:0c:dd:ee:ff");
    CHECK(*mac_address::parse("aa-bb-0c-dd-ee-ff") == *m);
    for (const char* bad : {"", "aa:bb:cc:dd:ee", "aa:bb:cc:dd:ee:fg", "aa:bb-cc:dd:ee:ff", "aabbccddeeff",
                            "aa:bb:cc:dd:ee:ff:00"})
        CHECK_FALSE(mac_address::parse(bad));
    CHECK(mac_address{}.is_zero());
    CHECK_FALSE(m->is_zero());
}
