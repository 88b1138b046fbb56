#include "app_traffic.hpp"

#include <catch2/catch.hpp>

#include <numeric>
#include <random>
#include <string>
#include <vector>

using namespace wireflow::collector::aggregate;

TEST_CASE("slots plus Other always equal the bytes added", "[app_traffic]") {
    std::mt19937 rng(3);
    app_traffic t;
    std::uint64_t total = 0;
    for (int i = 0; i < 5000; ++i) {
        const auto app = static_cast<app_id>(rng() % 20);
        const std::uint64_t b = rng() % 10000;
        t.add(app, b);
        total += b;
    }
    std::uint64_t sum = 0;
    for (const auto& e : t.entries()) sum += e.bytes;
    CHECK(sum == total);
    CHECK(t.entries().size() <= app_traffic::slots + 1);
}

TEST_CASE("an application that dominates a host gets a slot even when it comes last", "[app_traffic]") {
    app_traffic t;
    for (app_id a = 1; a <= 6; ++a) t.add(a, 100);
    t.add(42, 1'000'000);
    const auto e = t.entries();
    REQUIRE(e.size() == app_traffic::slots + 1);
    CHECK(e.front().app == 42);
    CHECK(e.front().bytes == 1'000'000);
    CHECK(e.back().app == app_names::other);
    CHECK(e.back().bytes == 300);  // apps 5 and 6 went to Other, then one slot of 100 was displaced
}

TEST_CASE("application names intern to stable ids and overflow into Other", "[app_traffic]") {
    app_names names;
    const auto tls = names.intern("TLS.YouTube");
    CHECK(tls != app_names::other);
    CHECK(names.intern("TLS.YouTube") == tls);
    CHECK(names.name(tls) == "TLS.YouTube");
    CHECK(names.intern("") == app_names::other);
    CHECK(names.name(app_names::other) == "Other");
    for (std::size_t i = names.size(); i < app_names::capacity; ++i) (void)names.intern("app" + std::to_string(i));
    CHECK(names.size() == app_names::capacity);
    CHECK(names.intern("one too many") == app_names::other);
    CHECK(names.intern("TLS.YouTube") == tls);
}

TEST_CASE("names that share a remembered slot still intern to their own ids", "[app_traffic]") {
    app_names names;
    std::vector<app_id> first;
    // 2,000 names over 256 slots: most share one; short and long names,
    // and names equal in their first and last 8 bytes.
    auto name_of = [](int i) {
        if (i % 3 == 0) return std::to_string(i);
        if (i % 3 == 1) return "TLS.Service-" + std::to_string(i) + "-of-the-same-long-suffix";
        return "prefix.." + std::to_string(i) + "..suffix";
    };
    for (int i = 0; i < 2000; ++i) first.push_back(names.intern(name_of(i)));
    for (int round = 0; round < 2; ++round)
        for (int i = 1999; i >= 0; i -= 1 + round) {
            REQUIRE(names.intern(name_of(i)) == first[i]);
            REQUIRE(names.name(first[i]) == name_of(i));
        }
    CHECK(names.size() == 2001);
    CHECK(names.intern("Other") == app_names::other);
    CHECK(names.intern("") == app_names::other);
}
