#include "blacklist/list_format.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <set>

#include "blacklist/blacklist_source.hpp"

using namespace wireflow::collector::blacklist;

TEST_CASE("detection recognises each format from its content", "[list_format]") {
    CHECK(detect_format("; Spamhaus DROP\n1.10.16.0/20 ; SBL256894\n1.19.0.0/16 ; SBL434604\n").format ==
          list_format::drop);
    CHECK(detect_format("# DShield\nStart\tEnd\tNetblock\tAttacks\n61.177.172.0\t61.177.172.255\t24\t2587\n").format ==
          list_format::dshield);
    CHECK(detect_format("# Feodo\n192.0.2.1\n192.0.2.2\n2001:db8::1\n").format == list_format::plain);
    CHECK(detect_format("# comment\n10.0.0.0/8 ; a comment, not a reference\n10.1.0.0/16\n").format ==
          list_format::plain);
    const auto csv = detect_format(
        "\"first_seen_utc\",\"dst_ip\",\"dst_port\"\n\"2021-01-17 07:44:46\",\"51.68.176.178\",\"443\"\n"
        "\"2021-03-21 14:10:22\",\"162.243.103.246\",\"8080\"\n");
    CHECK(csv.format == list_format::csv);
    CHECK(csv.column.number == 2);
}

TEST_CASE("detection gives up on content that is no list", "[list_format]") {
    CHECK(detect_format("").format == list_format::automatic);
    CHECK(detect_format("# only comments\n").format == list_format::automatic);
    CHECK(detect_format("<html><body>Service unavailable</body></html>\n").format == list_format::automatic);
    CHECK(detect_format("a,b,c\nd,e,f\n").format == list_format::automatic);
    const auto r = parse_list("<html>\n</html>\n", {});
    CHECK(r.error == "unrecognised list format");
}

TEST_CASE("a detected list parses like the named format", "[list_format]") {
    const char* text = "1.10.16.0/20 ; SBL256894\n1.19.0.0/16 ; SBL434604\nbroken ; SBL1\n";
    const auto detected = parse_list(text, {});
    const auto named = parse_list(text, {list_format::drop, {}});
    CHECK(detected.prefixes == named.prefixes);
    CHECK(detected.broken == named.broken);
    CHECK(detected.prefixes.size() == 2);
}

TEST_CASE("FORMAT:LOCATION names the format, anything else is detected", "[list_format]") {
    auto s = parse_located_spec("drop:/etc/wireflow/drop.txt");
    CHECK(s.spec.format == list_format::drop);
    CHECK(s.location == "/etc/wireflow/drop.txt");
    s = parse_located_spec("edrop:https://www.spamhaus.org/drop/edrop.txt");
    CHECK(s.spec.format == list_format::drop);
    CHECK(s.location == "https://www.spamhaus.org/drop/edrop.txt");
    s = parse_located_spec("csv:dst_ip:/tmp/feodo.csv");
    CHECK(s.spec == format_spec{list_format::csv, {0, "dst_ip"}});
    CHECK(s.location == "/tmp/feodo.csv");
    s = parse_located_spec("csv:2:https://example.org/x.csv");
    CHECK(s.spec.column.number == 2);
    CHECK(s.location == "https://example.org/x.csv");
    s = parse_located_spec("https://feeds.dshield.org/block.txt");
    CHECK(s.spec.format == list_format::automatic);
    CHECK(s.location == "https://feeds.dshield.org/block.txt");
    s = parse_located_spec("/var/lib/list.txt");
    CHECK(s.spec.format == list_format::automatic);
    CHECK(to_string(format_spec{list_format::csv, {0, "dst_ip"}}) == "csv:dst_ip");
    CHECK_THROWS_AS(parse_located_spec("csv:/tmp/x"), std::invalid_argument);
    CHECK_THROWS_AS(parse_located_spec("csv:0:/tmp/x"), std::invalid_argument);
    CHECK_THROWS_AS(parse_located_spec("drop:"), std::invalid_argument);
}

TEST_CASE("well-known sources are disabled and named uniquely", "[blacklist_source]") {
    const auto known = well_known_sources();
    REQUIRE(known.size() >= 6);
    std::set<std::string> names;
    for (const auto& s : known) {
        CHECK_FALSE(s.enabled);
        CHECK(s.is_url());
        CHECK(names.insert(s.name).second);
    }
    CHECK(names.count("spamhaus-drop") == 1);
    CHECK(names.count("dshield") == 1);
}

TEST_CASE("a --blacklist value becomes an enabled source", "[blacklist_source]") {
    const auto s = source_from_option("drop:/etc/wireflow/drop.txt");
    CHECK(s.name == "drop.txt");
    CHECK(s.enabled);
    CHECK_FALSE(s.is_url());
    CHECK(s.update_interval == std::chrono::hours(24));
    const auto k = source_from_option("https://www.spamhaus.org/drop/drop.txt");
    CHECK(k.name == "spamhaus-drop");
    CHECK(k.enabled);
    CHECK(k.format.format == list_format::drop);
}

TEST_CASE("random bytes never crash detection or any parser", "[list_format]") {
    std::mt19937_64 rng(11);
    const std::string alphabet = "0123456789abcdef.:/-#;,\" \t\r\nSBLStart";
    for (int round = 0; round < 1500; ++round) {
        std::string text(rng() % 300, '\0');
        for (auto& c : text) c = rng() % 5 == 0 ? static_cast<char>(rng()) : alphabet[rng() % alphabet.size()];
        for (const format_spec& spec : {format_spec{}, format_spec{list_format::plain, {}},
                                        format_spec{list_format::drop, {}}, format_spec{list_format::dshield, {}},
                                        format_spec{list_format::csv, {3, ""}}, format_spec{list_format::csv, {0, "a"}}}) {
            const auto r = parse_list(text, spec);
            REQUIRE(r.broken.size() <= max_reported_broken_lines);
        }
    }
}
