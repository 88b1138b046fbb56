#include <catch2/catch.hpp>

#include <map>
#include <random>

#include "open_flow_map.hpp"

using wireflow::collector::aggregate::open_flow_map;

TEST_CASE("an inserted flow is found with its hosts and erased once", "[open_flow_map]") {
    open_flow_map m;
    CHECK(m.find(42) == nullptr);
    m.insert(42, {1, 2, 100});
    auto* f = m.find(42);
    REQUIRE(f != nullptr);
    CHECK(f->client == 1);
    CHECK(f->server == 2);
    f->last_seen_ns = 200;
    CHECK(m.find(42)->last_seen_ns == 200);
    CHECK(m.size() == 1);
    m.erase(m.find(42));
    CHECK(m.find(42) == nullptr);
    CHECK(m.size() == 0);
}

TEST_CASE("key zero is a flow like any other", "[open_flow_map]") {
    open_flow_map m;
    m.insert(0, {3, 4, 5});
    REQUIRE(m.find(0) != nullptr);
    CHECK(m.find(0)->client == 3);
    m.erase(m.find(0));
    CHECK(m.find(0) == nullptr);
}

TEST_CASE("the map agrees with std::map through growth and erasures in colliding runs", "[open_flow_map]") {
    // Keys sharing their low bits make long runs, so backward-shift deletion
    // is exercised across wrap-around and growth.
    open_flow_map m;
    std::map<std::uint64_t, std::uint32_t> ref;
    std::mt19937_64 rng(11);
    for (int step = 0; step < 200000; ++step) {
        // Never 0: it shares a cell with 1 (see open_flow_map.hpp).
        const std::uint64_t key = (rng() % 3 == 0) ? ((rng() % 64) << 32) | 0x3ff : 1 + rng() % 50000;
        if (auto* f = m.find(key)) {
            REQUIRE(ref.count(key) == 1);
            REQUIRE(f->client == ref[key]);
            if (rng() & 1) {
                m.erase(f);
                ref.erase(key);
            }
        } else {
            REQUIRE(ref.count(key) == 0);
            const auto v = static_cast<std::uint32_t>(rng());
            m.insert(key, {v, 0, 0});
            ref[key] = v;
        }
    }
    CHECK(m.size() == ref.size());
    for (const auto& [k, v] : ref) {
        REQUIRE(m.find(k) != nullptr);
        CHECK(m.find(k)->client == v);
    }
}

TEST_CASE("erase_if removes exactly the flows it is told to", "[open_flow_map]") {
    open_flow_map m;
    for (std::uint64_t k = 1; k <= 5000; ++k) m.insert(k * 0x9e3779b97f4a7c15ULL, {0, 0, k});
    std::size_t called = 0;
    m.erase_if([&](const open_flow_map::flow& f) {
        ++called;
        return f.last_seen_ns % 2 == 0;
    });
    CHECK(called == 5000);
    CHECK(m.size() == 2500);
    for (std::uint64_t k = 1; k <= 5000; ++k) CHECK((m.find(k * 0x9e3779b97f4a7c15ULL) != nullptr) == (k % 2 == 1));
}
