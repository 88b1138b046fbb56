#include "net/mac_address.hpp"

#include <catch2/catch.hpp>

using namespace wireflow::net;

TEST_CASE("mac addresses parse either case and print lower case", "[mac_address]") {
    const auto m = mac_address::parse("AA:bb:0C:dd:EE:ff");
    REQUIRE(m);
    CHECK(m->to_string() == "aa:bb:0c:dd:ee:ff");
    CHECK(*mac_address::parse("aa-bb-0c-dd-ee-ff") == *m);
    for (const char* bad : {"", "aa:bb:cc:dd:ee", "aa:bb:cc:dd:ee:fg", "aa:bb-cc:dd:ee:ff", "aabbccddeeff",
                            "aa:bb:cc:dd:ee:ff:00"}) {
        INFO(bad);
        CHECK_FALSE(mac_address::parse(bad));
    }
}

TEST_CASE("wire bytes give a mac only at 6 bytes; all zero means none", "[mac_address]") {
    const std::uint8_t b[] = {0x02, 0, 0, 0, 0, 0x01};
    CHECK(mac_address::from_bytes(b)->to_string() == "02:00:00:00:00:01");
    CHECK_FALSE(mac_address::from_bytes(std::span<const std::uint8_t>(b, 5)));
    CHECK(mac_address{}.is_zero());
    CHECK_FALSE(mac_address::from_bytes(b)->is_zero());
}
