#include "peer_counter.hpp"

#include "hash.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace wireflow::collector::aggregate;

static std::uint32_t peer(std::uint64_t i) { return static_cast<std::uint32_t>(wireflow::mix64(i * 2654435761ULL + 1)); }

TEST_CASE("peer counts are exact up to eight distinct peers", "[peer_counter]") {
    peer_counter c;
    CHECK(c.estimate() == 0);
    for (std::uint64_t i = 0; i < 8; ++i) {
        c.add(peer(i));
        c.add(peer(i));  // repeats never count twice
        CHECK(c.estimate() == i + 1);
        CHECK(c.exact());
    }
    c.add(peer(8));
    CHECK_FALSE(c.exact());
    CHECK(c.estimate() >= 8);
    CHECK(c.estimate() <= 11);
}

TEST_CASE("peer estimates stay within four standard errors beyond the exact range", "[peer_counter]") {
    for (std::uint64_t n : {20ULL, 100ULL, 1000ULL, 10000ULL, 200000ULL}) {
        peer_counter c;
        for (std::uint64_t i = 0; i < n; ++i) c.add(peer(i + n * 1000003ULL));
        const double err = std::fabs(static_cast<double>(c.estimate()) - static_cast<double>(n)) / static_cast<double>(n);
        INFO("n=" << n << " estimate=" << c.estimate());
        CHECK(err < 4 * 0.13);
        const auto before = c.estimate();
        for (std::uint64_t i = 0; i < n; ++i) c.add(peer(i + n * 1000003ULL));
        CHECK(c.estimate() == before);  // duplicates do not move the sketch
    }
}
