#include "net/ip_address.hpp"

#include <arpa/inet.h>
#include <catch2/catch.hpp>

#include <random>

using namespace wireflow::net;

TEST_CASE("addresses parse in both families and print back canonically", "[ip_address]") {
    const auto v4 = ip_address::parse("192.168.1.20");
    REQUIRE(v4);
    CHECK(v4->is_v4());
    CHECK(*v4 == ip_address::v4(0xC0A80114));
    CHECK(v4->v4_host_order() == 0xC0A80114u);
    CHECK(v4->octets().size() == 4);
    const auto v6 = ip_address::parse("2001:DB8:0:0::1");
    REQUIRE(v6);
    CHECK(v6->is_v6());
    CHECK(v6->to_string() == "2001:db8::1");
    CHECK(v6->octets().size() == 16);
    CHECK_FALSE(ip_address{}.valid());
    CHECK(ip_address{}.to_string().empty());
}

TEST_CASE("malformed addresses are refused", "[ip_address]") {
    for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4 ", " 1.2.3.4", "::g",
                            "1:2:3:4:5:6:7:8:9", "abc", "1.2.3.4/24", "fe80::1%eth0", "2001:db8::1::2"}) {
        INFO(bad);
        CHECK_FALSE(ip_address::parse(bad));
    }
    CHECK_FALSE(ip_address::parse(std::string(100, '1')));
    CHECK_FALSE(ip_address::parse(std::string_view("1.2.3.4\0", 8)));
}

TEST_CASE("wire bytes give an address only at 4 or 16 bytes", "[ip_address]") {
    const std::uint8_t b4[] = {10, 0, 0, 1};
    CHECK(ip_address::from_bytes(b4) == ip_address::parse("10.0.0.1"));
    std::uint8_t b16[16] = {0x20, 0x01, 0x0d, 0xb8};
    b16[15] = 1;
    CHECK(ip_address::from_bytes(b16) == ip_address::parse("2001:db8::1"));
    CHECK_FALSE(ip_address::from_bytes(std::span<const std::uint8_t>(b16, 5)));
    CHECK_FALSE(ip_address::from_bytes({}));
}

TEST_CASE("ipv4 formatting matches inet_ntop for every kind of octet", "[ip_address]") {
    std::mt19937 rng(7);
    for (int i = 0; i < 20000; ++i) {
        const std::uint32_t v = i < 256 ? static_cast<std::uint32_t>(i) * 0x01010101u : rng();
        const auto a = ip_address::v4(v);
        char ref[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, a.bytes.data(), ref, sizeof ref);
        REQUIRE(a.to_string() == ref);
    }
}

TEST_CASE("masking keeps exactly the prefix bits", "[ip_address]") {
    const auto a = *ip_address::parse("10.1.255.77");
    CHECK(a.masked(8).to_string() == "10.0.0.0");
    CHECK(a.masked(20).to_string() == "10.1.240.0");
    CHECK(a.masked(32) == a);
    CHECK(a.masked(0).to_string() == "0.0.0.0");
    const auto b = *ip_address::parse("2001:db8:abcd:ef01::1");
    CHECK(b.masked(36).to_string() == "2001:db8:a000::");
    CHECK(b.masked(128) == b);
}

TEST_CASE("addresses order by family, then numerically", "[ip_address]") {
    CHECK(*ip_address::parse("10.0.0.2") < *ip_address::parse("10.0.0.10"));
    CHECK(*ip_address::parse("255.255.255.255") < *ip_address::parse("::"));
}
