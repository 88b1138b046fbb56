#include "hash.hpp"

#include <catch2/catch.hpp>

#include <bit>
#include <set>
#include <string>

using namespace wireflow;

TEST_CASE("mix64 is the splitmix64 finaliser", "[hash]") {
    CHECK(mix64(0) == 0);
    // splitmix64's first output for seed 0 is mix64(0x9e3779b97f4a7c15).
    CHECK(mix64(0x9e3779b97f4a7c15ULL) == 0xe220a8397b1dcdafULL);
}

TEST_CASE("hash_bytes separates lengths, seeds and single-bit changes", "[hash]") {
    const std::string s(40, 'a');
    std::set<std::uint64_t> seen;
    for (std::size_t n = 0; n <= s.size(); ++n) seen.insert(hash_bytes(s.data(), n));
    CHECK(seen.size() == s.size() + 1);
    CHECK(hash_bytes(s.data(), 8, 1) != hash_bytes(s.data(), 8, 2));
    std::string t = s;
    t[17] ^= 0x01;
    const int flipped = std::popcount(hash_bytes(s.data(), s.size()) ^ hash_bytes(t.data(), t.size()));
    CHECK(flipped > 10);  // avalanche: about half of the 64 bits, never a handful
}
