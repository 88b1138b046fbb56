#include "name_cache.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace wireflow::collector::aggregate;

namespace {
host_key key(std::uint32_t n, std::uint16_t vlan = 0) {
    const std::uint8_t b[4]{10, static_cast<std::uint8_t>(n >> 16), static_cast<std::uint8_t>(n >> 8),
                            static_cast<std::uint8_t>(n)};
    return host_key{*wireflow::net::ip_address::from_bytes(b), 0, vlan};
}
}  // namespace

TEST_CASE("the latest answer names an address; VLANs are apart; empty names are ignored", "[name_cache]") {
    answer_names n(100);
    n.put(key(1), "a.example");
    n.put(key(1), "b.example");
    n.put(key(1), "");
    n.put(key(2, 5), "c.example");
    CHECK(n.find(key(1)) == "b.example");
    CHECK(n.find(key(2, 5)) == "c.example");
    CHECK(n.find(key(2)).empty());
    CHECK(n.size() == 2);
}

TEST_CASE("names stay bounded: the oldest generation goes, names answered again stay", "[name_cache]") {
    answer_names n(1000);  // two generations of 500
    n.put(key(0), "kept.example");
    for (std::uint32_t i = 1; i < 5000; ++i) {
        n.put(key(i), "name-" + std::to_string(i));
        if (i % 400 == 0) n.put(key(0), "kept.example");  // resolved again now and then
        REQUIRE(n.size() <= 1000);
    }
    CHECK(n.find(key(0)) == "kept.example");
    CHECK(n.find(key(4999)) == "name-4999");
    CHECK(n.find(key(1)).empty());  // answered once, long ago
    CHECK(n.memory_bytes() > 0);
}

TEST_CASE("a MAC keyed cache names devices by MAC", "[name_cache]") {
    mac_names n(10);
    n.put(*wireflow::net::mac_address::parse("3c:22:fb:00:00:07"), "kitchen-tablet");
    CHECK(n.find(*wireflow::net::mac_address::parse("3c:22:fb:00:00:07")) == "kitchen-tablet");
    CHECK(n.find(*wireflow::net::mac_address::parse("3c:22:fb:00:00:08")).empty());
}
