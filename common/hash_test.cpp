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

TEST_CASE("siphash-2-4 matches the reference test vectors", "[hash]") {
    // Key 00 01 .. 0f (the SipHash paper's appendix A and vectors.h).
    const hash_key key{0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};
    unsigned char m[15];
    for (unsigned i = 0; i < sizeof m; ++i) m[i] = static_cast<unsigned char>(i);
    CHECK(siphash<2, 4>(m, 0, key) == 0x726fdb47dd0e0e31ULL);
    CHECK(siphash<2, 4>(m, 15, key) == 0xa129ca6149be45e5ULL);
}

TEST_CASE("keyed_hash depends on the key, and the process key is not zero", "[hash]") {
    const std::string s(40, 'k');
    CHECK(keyed_hash(s.data(), s.size(), {1, 2}) == keyed_hash(s.data(), s.size(), {1, 2}));
    CHECK(keyed_hash(s.data(), s.size(), {1, 2}) != keyed_hash(s.data(), s.size(), {1, 3}));
    const hash_key& k = process_hash_key();
    CHECK((k.k0 | k.k1) != 0);
    CHECK(&k == &process_hash_key());  // drawn once
}
