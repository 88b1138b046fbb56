#include "export/record_ring.hpp"

#include <catch2/catch.hpp>

#include <vector>

#include "export/test_eal.hpp"

using namespace wireflow::probe;

TEST_CASE("pushes beyond capacity are refused, counted and never block", "[record_ring]") {
    testing::ensure_eal();
    record_ring ring("rr_full", 8);
    const unsigned cap = ring.capacity();
    REQUIRE(cap >= 7);
    flow_record r{};
    unsigned accepted = 0;
    for (unsigned i = 0; i < cap + 5; ++i) {
        r.flow_id = i;
        if (ring.try_push(r)) ++accepted;
    }
    CHECK(accepted == cap);
    CHECK(ring.full_drops() == 5);
    CHECK(ring.count() == cap);
    CHECK(ring.free_count() == 0);
}

TEST_CASE("pop returns records in push order with every byte intact", "[record_ring]") {
    testing::ensure_eal();
    record_ring ring("rr_order", 64);
    for (std::uint64_t i = 1; i <= 40; ++i) {
        flow_record r{};
        r.flow_id = i;
        r.c2s_bytes = i * 100;
        r.server_name[0] = static_cast<char>('a' + i % 26);
        REQUIRE(ring.try_push(r));
    }
    std::vector<flow_record> out(16);
    std::uint64_t expect = 1;
    while (unsigned n = ring.pop_burst(out)) {
        for (unsigned k = 0; k < n; ++k, ++expect) {
            CHECK(out[k].flow_id == expect);
            CHECK(out[k].c2s_bytes == expect * 100);
            CHECK(out[k].server_name[0] == static_cast<char>('a' + expect % 26));
        }
    }
    CHECK(expect == 41);
    CHECK(ring.full_drops() == 0);
    CHECK(ring.pop_burst(out) == 0);
}

TEST_CASE("after draining, a full ring accepts records again", "[record_ring]") {
    testing::ensure_eal();
    record_ring ring("rr_reuse", 4);
    flow_record r{};
    while (ring.try_push(r)) {}
    CHECK(ring.full_drops() == 1);
    std::vector<flow_record> out(ring.capacity());
    CHECK(ring.pop_burst(out) == ring.capacity());
    CHECK(ring.try_push(r));
}
