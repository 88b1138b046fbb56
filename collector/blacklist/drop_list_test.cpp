#include "blacklist/drop_list.hpp"

#include <catch2/catch.hpp>

using namespace wireflow::collector::blacklist;

namespace {
// The head of a real DROP file (www.spamhaus.org/drop/drop.txt) and DROPv6.
constexpr const char* drop_sample =
    "; Spamhaus DROP List 2023/03/21 - (c) 2023 The Spamhaus Project\n"
    "; https://www.spamhaus.org/drop/drop.txt\n"
    "; Last-Modified: Tue, 21 Mar 2023 10:11:13 GMT\n"
    "; Expires: Tue, 21 Mar 2023 11:21:17 GMT\n"
    "1.10.16.0/20 ; SBL256894\n"
    "1.19.0.0/16 ; SBL434604\n"
    "2001:678:738::/48 ; SBL578697\n";
}  // namespace

TEST_CASE("DROP lines yield their CIDR and skip the ';' header", "[drop_list]") {
    const auto r = parse_drop_list(drop_sample);
    REQUIRE(r.prefixes.size() == 3);
    CHECK(r.prefixes[0].to_string() == "1.10.16.0/20");
    CHECK(r.prefixes[2].to_string() == "2001:678:738::/48");
    CHECK(r.broken_count == 0);
}

TEST_CASE("DROP reports lines without a CIDR or with a bad reference", "[drop_list]") {
    const auto r = parse_drop_list(
        "1.10.16.0/20 ; SBL256894\n"
        "1.10.16.0/40 ; SBL1\n"
        "garbage ; SBL2\n"
        "1.19.0.0/16 ; not-a-reference\n"
        "1.2.3.0 /24 ; SBL3\n"
        "5.5.5.0/24\n");
    CHECK(r.prefixes.size() == 2);
    REQUIRE(r.broken_count == 4);
    CHECK(r.broken[0] == broken_line{2, "not a CIDR prefix"});
    CHECK(r.broken[2] == broken_line{4, "expected an SBL reference after ';'"});
    CHECK(r.broken[3].line == 5);
}

TEST_CASE("DROP normalises non-canonical CIDRs with a warning", "[drop_list]") {
    const auto r = parse_drop_list("1.10.16.1/20 ; SBL256894\n");
    REQUIRE(r.prefixes.size() == 1);
    CHECK(r.prefixes[0].to_string() == "1.10.16.0/20");
    CHECK(r.non_canonical == 1);
}

TEST_CASE("the DROP signature is a CIDR followed by an SBL reference", "[drop_list]") {
    CHECK(looks_like_drop_line("1.10.16.0/20 ; SBL256894"));
    CHECK_FALSE(looks_like_drop_line("1.10.16.0/20"));
    CHECK_FALSE(looks_like_drop_line("1.10.16.0/20 ; comment"));
    CHECK_FALSE(looks_like_drop_line("; SBL1"));
}
