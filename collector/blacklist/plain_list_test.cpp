#include "blacklist/plain_list.hpp"

#include <catch2/catch.hpp>

#include <random>

using namespace wireflow::collector::blacklist;
namespace net = wireflow::net;

namespace {
std::vector<std::string> texts(const parse_result& r) {
    std::vector<std::string> out;
    for (const auto& p : r.prefixes) out.push_back(p.to_string());
    return out;
}
}  // namespace

TEST_CASE("plain list accepts addresses, prefixes, ranges and comments", "[plain_list]") {
    const auto r = parse_plain_list(
        "# Feodo Tracker style header\r\n"
        "; another comment\n"
        "// and another\n"
        "\n"
        "192.0.2.1\r\n"
        "  198.51.100.0/24   # inline comment\n"
        "2001:db8::/32;comment\n"
        "203.0.113.1-203.0.113.2\n"
        "10.0.0.1#x");
    CHECK(texts(r) == std::vector<std::string>{"192.0.2.1/32", "198.51.100.0/24", "2001:db8::/32", "203.0.113.1/32",
                                               "203.0.113.2/32", "10.0.0.1/32"});
    CHECK(r.broken_count == 0);
    CHECK(r.lines == 9);
}

TEST_CASE("plain list reports broken lines by number and skips them", "[plain_list]") {
    const auto r = parse_plain_list(
        "192.0.2.1\n"
        "not-an-ip\n"
        "192.0.2.2 trailing words\n"
        "300.1.1.1\n"
        "10.0.0.0/33\n"
        "192.0.2.9-192.0.2.1\n"
        "192.0.2.3\n");
    CHECK(texts(r) == std::vector<std::string>{"192.0.2.1/32", "192.0.2.3/32"});
    REQUIRE(r.broken_count == 5);
    CHECK(r.broken[0].line == 2);
    CHECK(r.broken[1] == broken_line{3, "unexpected text after the address"});
    CHECK(r.broken[4].line == 6);
}

TEST_CASE("plain list normalises host bits and counts them as warnings", "[plain_list]") {
    const auto r = parse_plain_list("10.1.2.3/8\n10.0.0.0/8\n");
    CHECK(texts(r) == std::vector<std::string>{"10.0.0.0/8", "10.0.0.0/8"});
    CHECK(r.non_canonical == 1);
    CHECK(r.broken_count == 0);
}

TEST_CASE("overlong lines are reported and the rest still parses", "[plain_list]") {
    const std::string text = "192.0.2.1\n" + std::string(max_line_length + 1, '1') + "\n192.0.2.2\n";
    const auto r = parse_plain_list(text);
    CHECK(r.prefixes.size() == 2);
    REQUIRE(r.broken_count == 1);
    CHECK(r.broken[0] == broken_line{2, "line too long"});
}

TEST_CASE("only the first hundred broken lines are kept, all are counted", "[plain_list]") {
    std::string text;
    for (int i = 0; i < 250; ++i) text += "junk\n";
    const auto r = parse_plain_list(text);
    CHECK(r.broken_count == 250);
    CHECK(r.broken.size() == max_reported_broken_lines);
}

TEST_CASE("random bytes never crash the plain parser", "[plain_list]") {
    std::mt19937_64 rng(7);
    const std::string alphabet = "0123456789abcdef.:/-#; \t\r\n\0\xff";
    for (int round = 0; round < 2000; ++round) {
        std::string text(rng() % 200, '\0');
        for (auto& c : text) c = rng() % 4 == 0 ? static_cast<char>(rng()) : alphabet[rng() % alphabet.size()];
        const auto r = parse_plain_list(text);
        for (const auto& p : r.prefixes) REQUIRE(net::ip_prefix::of(p.address, p.length) == p);
    }
}
