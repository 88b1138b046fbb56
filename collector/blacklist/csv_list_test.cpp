#include "blacklist/csv_list.hpp"

#include <catch2/catch.hpp>

using namespace wireflow::collector::blacklist;

namespace {
// Shaped like Feodo Tracker's ipblocklist.csv.
constexpr const char* feodo_sample =
    "################################################################\n"
    "# abuse.ch Feodo Tracker Botnet C2 IP Blocklist (CSV)           #\n"
    "################################################################\n"
    "\"first_seen_utc\",\"dst_ip\",\"dst_port\",\"c2_status\",\"last_online\",\"malware\"\n"
    "\"2021-01-17 07:44:46\",\"51.68.176.178\",\"443\",\"online\",\"2023-03-21\",\"Dridex\"\n"
    "\"2021-03-21 14:10:22\",\"162.243.103.246\",\"8080\",\"offline\",\"2023-03-20\",\"Emotet\"\n";
}  // namespace

TEST_CASE("CSV column chosen by header name", "[csv_list]") {
    const auto r = parse_csv_list(feodo_sample, {0, "dst_ip"});
    REQUIRE(r.prefixes.size() == 2);
    CHECK(r.prefixes[1].to_string() == "162.243.103.246/32");
    CHECK(r.broken_count == 0);
    CHECK(r.error.empty());
}

TEST_CASE("CSV column chosen by number skips a header row", "[csv_list]") {
    const auto r = parse_csv_list(feodo_sample, {2, ""});
    CHECK(r.prefixes.size() == 2);
    CHECK(r.broken_count == 0);
}

TEST_CASE("CSV quoted fields may hold commas and doubled quotes", "[csv_list]") {
    const auto fields = split_csv_record("a,\"b,c\",\"say \"\"hi\"\"\", d ");
    REQUIRE(fields);
    CHECK(*fields == std::vector<std::string>{"a", "b,c", "say \"hi\"", "d "});
    CHECK_FALSE(split_csv_record("\"open"));
    CHECK_FALSE(split_csv_record("\"a\"b"));
    CHECK_FALSE(split_csv_record("a\"b"));
    CHECK(split_csv_record("")->size() == 1);
}

TEST_CASE("CSV reports broken records and skips them", "[csv_list]") {
    const auto r = parse_csv_list(
        "ip,note\n"
        "192.0.2.1,ok\n"
        "\"192.0.2.2,unterminated\n"
        "only-one-column\n"
        ",empty\n"
        "2001:db8::/48,\"v6, quoted\"\n",
        {1, ""});
    REQUIRE(r.prefixes.size() == 2);
    CHECK(r.prefixes[1].to_string() == "2001:db8::/48");
    REQUIRE(r.broken_count == 3);
    CHECK(r.broken[0] == broken_line{3, "malformed quoted field"});
    CHECK(r.broken[1] == broken_line{4, "not an IP address, prefix or range"});
    CHECK(r.broken[2] == broken_line{5, "empty address column"});
}

TEST_CASE("CSV with a missing column reports records without it", "[csv_list]") {
    const auto r = parse_csv_list("192.0.2.1,a\n192.0.2.2\n", {2, ""});
    CHECK(r.prefixes.empty());
    CHECK(r.broken_count == 1);   // the first record is taken as a header
}

TEST_CASE("CSV with an unknown header name fails as a whole", "[csv_list]") {
    const auto r = parse_csv_list(feodo_sample, {0, "address"});
    CHECK(r.prefixes.empty());
    CHECK(r.error == "CSV header has no column named 'address'");
}
