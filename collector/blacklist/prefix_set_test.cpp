#include "blacklist/prefix_set.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <random>
#include <vector>

using namespace wireflow::collector::blacklist;
namespace net = wireflow::net;

namespace {

net::ip_prefix p(const char* text) { return net::parse_prefix(text).value().prefix; }
net::ip_address a(const char* text) { return net::ip_address::parse(text).value(); }

// The definition: the value of the longest prefix containing the address; the
// last entry given wins among equal prefixes.
std::optional<std::uint32_t> brute_force(const std::vector<prefix_set::entry>& entries, const net::ip_address& addr) {
    std::optional<std::uint32_t> best;
    int best_len = -1;
    for (const auto& e : entries) {
        if (e.prefix.contains(addr) && static_cast<int>(e.prefix.length) >= best_len) {
            best_len = e.prefix.length;
            best = e.value;
        }
    }
    return best;
}

net::ip_address random_address(std::mt19937_64& rng, net::ip_family family) {
    net::ip_address x;
    x.family = family;
    const std::size_t n = family == net::ip_family::v4 ? 4 : 16;
    for (std::size_t i = 0; i < n; ++i) x.bytes[i] = static_cast<std::uint8_t>(rng());
    return x;
}

// Random prefixes, many of them nested in earlier ones, plus /0 and full-length hosts.
std::vector<prefix_set::entry> random_entries(std::mt19937_64& rng, net::ip_family family, std::size_t count) {
    const unsigned bits = family == net::ip_family::v4 ? 32 : 128;
    std::vector<prefix_set::entry> entries;
    std::uniform_int_distribution<unsigned> length(8, bits);   // /0 is added once below
    for (std::size_t i = 0; i < count; ++i) {
        net::ip_address base = random_address(rng, family);
        if (!entries.empty() && rng() % 2 == 0) {
            // Inside an earlier prefix: keep its bits, randomise the rest.
            const auto& outer = entries[rng() % entries.size()].prefix;
            for (unsigned b = 0; b < outer.length; ++b) {
                const std::size_t byte = b / 8;
                const auto bit = static_cast<std::uint8_t>(0x80u >> (b % 8));
                base.bytes[byte] = static_cast<std::uint8_t>((base.bytes[byte] & ~bit) | (outer.address.bytes[byte] & bit));
            }
            const unsigned len = outer.length + (rng() % (bits - outer.length + 1));
            entries.push_back({net::ip_prefix::of(base, len), static_cast<std::uint32_t>(rng() % 1000)});
        } else {
            unsigned len = length(rng);
            if (i % 50 == 0) len = bits;
            entries.push_back({net::ip_prefix::of(base, len), static_cast<std::uint32_t>(rng() % 1000)});
        }
    }
    entries.push_back({net::ip_prefix::of(random_address(rng, family), 0), 4242});
    // A duplicate of an existing prefix with another value: the later one wins.
    entries.push_back({entries[count / 2].prefix, 777});
    return entries;
}

void check_against_brute_force(net::ip_family family, std::uint64_t seed, bool with_default_route) {
    std::mt19937_64 rng(seed);
    auto entries = random_entries(rng, family, 1500);
    if (!with_default_route) {
        std::erase_if(entries, [](const prefix_set::entry& e) { return e.prefix.length == 0; });
    }
    const prefix_set set = prefix_set::build(entries);
    std::size_t matched = 0;
    for (int i = 0; i < 4000; ++i) {
        net::ip_address probe;
        const auto& e = entries[rng() % entries.size()];
        switch (i % 4) {
            case 0: probe = random_address(rng, family); break;
            case 1: probe = e.prefix.address; break;
            case 2: probe = e.prefix.last(); break;
            default: {   // just past the end of a prefix
                probe = e.prefix.last();
                for (int b = static_cast<int>(probe.bit_width() / 8) - 1; b >= 0; --b) {
                    if (++probe.bytes[static_cast<std::size_t>(b)] != 0) break;
                }
            }
        }
        const auto expected = brute_force(entries, probe);
        INFO(probe.to_string());
        REQUIRE(set.lookup(probe) == expected);
        if (expected) ++matched;
    }
    // The probes must exercise both outcomes for the comparison to mean anything.
    CHECK(matched > 100);
    if (!with_default_route) CHECK(matched < 3900);
}

}  // namespace

TEST_CASE("longest prefix wins over shorter covering prefixes", "[prefix_set]") {
    const auto set = prefix_set::build({{p("10.0.0.0/8"), 1}, {p("10.1.0.0/16"), 2}, {p("10.1.2.0/24"), 3},
                                        {p("10.1.2.3/32"), 4}, {p("2001:db8::/32"), 5}, {p("2001:db8::1/128"), 6}});
    CHECK(set.lookup(a("10.200.0.1")) == 1u);
    CHECK(set.lookup(a("10.1.200.1")) == 2u);
    CHECK(set.lookup(a("10.1.2.4")) == 3u);
    CHECK(set.lookup(a("10.1.2.3")) == 4u);
    CHECK(set.lookup(a("10.1.3.0")) == 2u);
    CHECK(set.lookup(a("11.0.0.0")) == std::nullopt);
    CHECK(set.lookup(a("9.255.255.255")) == std::nullopt);
    CHECK(set.lookup(a("2001:db8::2")) == 5u);
    CHECK(set.lookup(a("2001:db8::1")) == 6u);
    CHECK(set.lookup(a("2001:db9::")) == std::nullopt);
    CHECK(set.lookup_v4(0x0A010203) == 4u);
}

TEST_CASE("an empty set matches nothing in either family", "[prefix_set]") {
    const prefix_set set;
    CHECK(set.lookup(a("0.0.0.0")) == std::nullopt);
    CHECK(set.lookup(a("255.255.255.255")) == std::nullopt);
    CHECK(set.lookup(a("::")) == std::nullopt);
    CHECK(prefix_set::build({}).lookup(a("1.2.3.4")) == std::nullopt);
}

TEST_CASE("default routes and the last address of the space match", "[prefix_set]") {
    const auto set = prefix_set::build({{p("0.0.0.0/0"), 1}, {p("255.255.255.255/32"), 2}, {p("::/0"), 3},
                                        {p("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"), 4}});
    CHECK(set.lookup(a("0.0.0.0")) == 1u);
    CHECK(set.lookup(a("255.255.255.254")) == 1u);
    CHECK(set.lookup(a("255.255.255.255")) == 2u);
    CHECK(set.lookup(a("::")) == 3u);
    CHECK(set.lookup(a("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe")) == 3u);
    CHECK(set.lookup(a("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")) == 4u);
}

TEST_CASE("an IPv4 prefix never matches an IPv6 address with the same bytes", "[prefix_set]") {
    const auto set = prefix_set::build({{p("0.0.0.0/0"), 1}});
    CHECK(set.lookup(a("::")) == std::nullopt);
}

TEST_CASE("the same prefix given twice keeps the last value", "[prefix_set]") {
    const auto set = prefix_set::build({{p("192.0.2.0/24"), 1}, {p("192.0.2.0/24"), 2}});
    CHECK(set.lookup(a("192.0.2.9")) == 2u);
}

TEST_CASE("the reserved value is refused at build time", "[prefix_set]") {
    CHECK_THROWS_AS(prefix_set::build({{p("192.0.2.0/24"), 0xFFFFFFFFu}}), std::invalid_argument);
}

TEST_CASE("IPv4 lookups agree with brute force on random nested prefixes", "[prefix_set]") {
    check_against_brute_force(net::ip_family::v4, 1, false);
    check_against_brute_force(net::ip_family::v4, 2, true);
}

TEST_CASE("IPv6 lookups agree with brute force on random nested prefixes", "[prefix_set]") {
    check_against_brute_force(net::ip_family::v6, 3, false);
    check_against_brute_force(net::ip_family::v6, 4, true);
}

TEST_CASE("covered ranges are reported disjoint, sorted and with their values", "[prefix_set]") {
    const auto set = prefix_set::build({{p("10.0.0.0/8"), 1}, {p("10.1.0.0/16"), 2}, {p("192.0.2.0/24"), 1}});
    std::vector<std::string> seen;
    set.for_each_range(net::ip_family::v4, [&](const net::ip_address& f, const net::ip_address& l, std::uint32_t v) {
        seen.push_back(f.to_string() + "-" + l.to_string() + "=" + std::to_string(v));
    });
    CHECK(seen == std::vector<std::string>{"10.0.0.0-10.0.255.255=1", "10.1.0.0-10.1.255.255=2",
                                           "10.2.0.0-10.255.255.255=1", "192.0.2.0-192.0.2.255=1"});
}
