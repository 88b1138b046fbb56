#include <catch2/catch.hpp>

#include "flow/flow_key.hpp"

#include <vector>

using namespace wireflow::probe;

namespace {
endpoint v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d, std::uint16_t port) {
    endpoint e;
    e.ip = {a, b, c, d};
    e.port = port;
    return e;
}
}  // namespace

TEST_CASE("both directions of a conversation give the same key", "[flow_key]") {
    const auto client = v4(10, 0, 0, 1, 51000);
    const auto server = v4(192, 168, 1, 1, 443);
    const auto fwd = make_flow_key(7, 4, 6, client, server);
    const auto rev = make_flow_key(7, 4, 6, server, client);
    CHECK(fwd.key == rev.key);
    CHECK(hash(fwd.key, wireflow::process_hash_key()) == hash(rev.key, wireflow::process_hash_key()));
    CHECK(fwd.src_is_lo != rev.src_is_lo);
}

TEST_CASE("the lower endpoint by address then port comes first", "[flow_key]") {
    const auto o = make_flow_key(0, 4, 17, v4(10, 0, 0, 2, 53), v4(10, 0, 0, 1, 9999));
    CHECK_FALSE(o.src_is_lo);
    CHECK(o.key.lo_ip[3] == 1);
    CHECK(o.key.lo_port == 9999);
    CHECK(o.key.hi_port == 53);
}

TEST_CASE("same address on both sides is ordered by port", "[flow_key]") {
    const auto a = make_flow_key(0, 4, 6, v4(127, 0, 0, 1, 80), v4(127, 0, 0, 1, 40000));
    const auto b = make_flow_key(0, 4, 6, v4(127, 0, 0, 1, 40000), v4(127, 0, 0, 1, 80));
    CHECK(a.key == b.key);
    CHECK(a.key.lo_port == 80);
}

TEST_CASE("VLAN, protocol and IP version keep flows apart", "[flow_key]") {
    const auto c = v4(10, 0, 0, 1, 1000), s = v4(10, 0, 0, 2, 80);
    const auto base = make_flow_key(10, 4, 6, c, s).key;
    CHECK_FALSE(base == make_flow_key(11, 4, 6, c, s).key);
    CHECK_FALSE(base == make_flow_key(10, 4, 17, c, s).key);
    CHECK_FALSE(base == make_flow_key(10, 6, 6, c, s).key);
}

TEST_CASE("hash spreads keys that differ in one port", "[flow_key]") {
    const auto s = v4(10, 0, 0, 2, 80);
    std::uint64_t seen_low_bits = 0;
    for (std::uint16_t p = 0; p < 64; ++p) {
        const auto k = make_flow_key(0, 4, 6, v4(10, 0, 0, 1, static_cast<std::uint16_t>(1024 + p)), s).key;
        seen_low_bits |= 1ULL << (hash(k, wireflow::process_hash_key()) & 63);
    }
    // 64 keys into 64 buckets: a decent hash fills well over half of them.
    CHECK(__builtin_popcountll(seen_low_bits) > 32);
}

TEST_CASE("the same key hashes differently under another hash key", "[flow_key]") {
    const auto k = make_flow_key(0, 4, 6, v4(10, 0, 0, 1, 1000), v4(10, 0, 0, 2, 80)).key;
    CHECK(hash(k, {1, 2}) == hash(k, {1, 2}));
    CHECK(hash(k, {1, 2}) != hash(k, {1, 3}));
}

TEST_CASE("IPv4 keys that differ in any field hash apart, and equal keys alike", "[flow_key]") {
    const wireflow::hash_key hk{1, 2};
    const auto c = v4(10, 0, 0, 1, 1000), s = v4(10, 0, 0, 2, 80);
    const auto base = make_flow_key(10, 4, 6, c, s).key;
    CHECK(hash(base, hk) == hash(make_flow_key(10, 4, 6, s, c).key, hk));
    const flow_key others[] = {
        make_flow_key(11, 4, 6, c, s).key,                  // vlan
        make_flow_key(10, 4, 17, c, s).key,                 // protocol
        make_flow_key(10, 4, 6, v4(10, 0, 0, 3, 1000), s).key,   // an address
        make_flow_key(10, 4, 6, c, v4(11, 0, 0, 2, 80)).key,     // the other's first byte
        make_flow_key(10, 4, 6, v4(10, 0, 0, 1, 1001), s).key,   // a port
        make_flow_key(10, 4, 6, c, v4(10, 0, 0, 2, 81)).key,     // the other port
    };
    for (const auto& o : others) {
        CHECK_FALSE(o == base);
        CHECK(hash(o, hk) != hash(base, hk));
    }
    // The same bytes as an IPv6 key (version 6) are another key, another hash.
    auto as_v6 = base;
    as_v6.ip_version = 6;
    CHECK_FALSE(as_v6 == base);
    CHECK(hash(as_v6, hk) != hash(base, hk));
}

TEST_CASE("keys compare equal only when every byte is", "[flow_key]") {
    const auto base = make_flow_key(10, 6, 6, v4(10, 0, 0, 1, 1000), v4(10, 0, 0, 2, 80)).key;
    for (std::size_t i = 0; i < sizeof(flow_key); ++i) {
        auto k = base;
        reinterpret_cast<unsigned char*>(&k)[i] ^= 0x40;
        CHECK_FALSE(k == base);
    }
    CHECK(base == flow_key(base));
}

TEST_CASE("the key orders endpoints exactly as endpoint's own comparison does", "[flow_key]") {
    std::vector<endpoint> eps;
    for (const std::uint8_t first : {0, 1, 0x7f, 0x80, 0xff})
        for (const std::uint8_t eighth : {0, 1, 0x80, 0xff})
            for (const std::uint8_t last : {0, 1, 0xff})
                for (const std::uint16_t port : {0, 1, 80, 0xff00, 0xffff}) {
                    endpoint e;
                    e.ip[0] = first;
                    e.ip[7] = eighth;
                    e.ip[15] = last;
                    e.port = port;
                    eps.push_back(e);
                }
    for (const auto& a : eps)
        for (const auto& b : eps) REQUIRE(make_flow_key(0, 6, 6, a, b).src_is_lo == !(b < a));
}
