#include "blacklist/dshield_list.hpp"

#include <catch2/catch.hpp>

using namespace wireflow::collector::blacklist;

namespace {
// Shaped like feeds.dshield.org/block.txt.
constexpr const char* dshield_sample =
    "#\n"
    "#   DShield.org Recommended Block List\n"
    "#   (c) 2023 DShield.org\n"
    "#\n"
    "Start\tEnd\tNetblock\tAttacks\tName\tCountry\temail\n"
    "61.177.172.0\t61.177.172.255\t24\t2587\tCHINANET-JS\tCN\tipas@cnnic.cn\n"
    "218.92.0.0\t218.92.0.255\t24\t1993\tCHINANET-JS\tCN\tipas@cnnic.cn\n"
    "192.0.2.0\t192.0.2.127\t255.255.255.128\t10\tEXAMPLE\tZZ\tx@example.org\n";
}  // namespace

TEST_CASE("DShield rows become start/netblock CIDRs and the header is skipped", "[dshield_list]") {
    const auto r = parse_dshield_list(dshield_sample);
    REQUIRE(r.prefixes.size() == 3);
    CHECK(r.prefixes[0].to_string() == "61.177.172.0/24");
    CHECK(r.prefixes[1].to_string() == "218.92.0.0/24");
    CHECK(r.prefixes[2].to_string() == "192.0.2.0/25");
    CHECK(r.broken_count == 0);
}

TEST_CASE("DShield reports rows whose columns disagree or are missing", "[dshield_list]") {
    const auto r = parse_dshield_list(
        "61.177.172.0\t61.177.172.255\t24\n"
        "61.177.172.0\t61.177.172.200\t24\n"      // end does not match
        "61.177.172.0\t61.177.172.255\n"          // no netblock
        "61.177.172.0\t61.177.172.255\t33\n"      // bad length
        "61.177.172.0\t61.177.172.255\t255.0.255.0\n"   // non-contiguous mask
        "61.177.172.0\t2001:db8::\t24\n"          // mixed families
        "2001:db8::\t2001:db8::ffff\t112\n");
    REQUIRE(r.prefixes.size() == 2);
    CHECK(r.prefixes[1].to_string() == "2001:db8::/112");
    REQUIRE(r.broken_count == 5);
    CHECK(r.broken[0] == broken_line{2, "end address does not match start and netblock"});
    CHECK(r.broken[1] == broken_line{3, "expected start, end and netblock columns"});
    CHECK(r.broken[4].line == 6);
}

TEST_CASE("DShield start with host bits is normalised with a warning", "[dshield_list]") {
    const auto r = parse_dshield_list("61.177.172.9\t61.177.172.255\t24\n");
    REQUIRE(r.prefixes.size() == 1);
    CHECK(r.non_canonical == 1);
}
