// Hash flooding: a sender crafts addresses whose keys all collide under the
// flow table's former unkeyed hash, then sends one packet per key. With the
// keyed hash the probe chains stay short and every flow is still found.

#include <algorithm>
#include <cstring>
#include <vector>

#include "flow_table_test_support.hpp"
#include "hash_attack_test_support.hpp"

using namespace wireflow;
using namespace wireflow::probe;
using namespace wireflow::probe::flow_table_test;

namespace {

constexpr std::uint64_t fnv_prime = 0x100000001b3ULL;

// The flow key hash before it was keyed (FNV-1a-like over the five words,
// then mix64): what the attacker aims at.
std::uint64_t old_flow_key_hash(const flow_key& k) {
    std::uint64_t words[5];
    std::memcpy(words, &k, sizeof words);
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (std::uint64_t w : words) {
        h ^= w;
        h *= fnv_prime;
        h ^= h >> 29;
    }
    return mix64(h);
}

// The state before one step, given the state after it and the word it took.
std::uint64_t step_back(std::uint64_t after, std::uint64_t word) {
    return (hash_attack::unxorshift(after, 29) * hash_attack::inverse_odd(fnv_prime)) ^ word;
}

// n IPv6 UDP packets, each of its own conversation, whose flow keys all hash
// to `target` under the old hash: the attacker picks the low endpoint and
// half the high one freely and solves for the other half.
std::vector<packet_summary> crafted_packets(std::size_t n, std::uint64_t target) {
    hash_attack::word_source rng{42};
    std::vector<packet_summary> out;
    for (std::size_t i = 0; i < n; ++i) {
        packet_summary p = pkt(udp, {}, {}, 100);
        p.ip_version = 6;
        p.src.port = 1000;
        p.dst.port = 2000;
        // Word 4 of the key: ports, VLAN, IP version and protocol (fixed).
        flow_key k = make_flow_key(0, 6, udp, p.src, p.dst).key;
        std::uint64_t words[5];
        std::memcpy(words, &k, sizeof words);
        words[0] = (rng.next() & ~0xffULL) | 0x20;  // low endpoint 20xx:...
        words[1] = rng.next();
        words[2] = (rng.next() & ~0xffULL) | 0x30;  // high endpoint 30xx:..., so the order holds
        std::uint64_t h = 0xcbf29ce484222325ULL;
        for (int w = 0; w < 3; ++w) {
            h ^= words[w];
            h *= fnv_prime;
            h ^= h >> 29;
        }
        const std::uint64_t after4 = step_back(hash_attack::unmix64(target), words[4]);
        words[3] = step_back(after4, h);
        std::memcpy(p.src.ip.data(), &words[0], 16);
        std::memcpy(p.dst.ip.data(), &words[2], 16);
        out.push_back(p);
    }
    return out;
}

}  // namespace

TEST_CASE("keys crafted to collide under the old unkeyed hash keep short probe chains", "[flow_table][flood]") {
    constexpr std::size_t n = 4000;
    constexpr std::uint64_t target = 0x5eed5eed5eed5eedULL;
    const auto packets = crafted_packets(n, target);

    // The attack is real: every key is distinct and all share one old hash
    // (so under it they would share one chain of n cells).
    std::vector<flow_key> keys;
    for (const auto& p : packets) {
        const auto ok = make_flow_key(p.vlan, p.ip_version, p.protocol, p.src, p.dst);
        REQUIRE(ok.src_is_lo);
        REQUIRE(old_flow_key_hash(ok.key) == target);
        keys.push_back(ok.key);
    }
    std::sort(keys.begin(), keys.end(),
              [](const flow_key& a, const flow_key& b) { return std::memcmp(&a, &b, sizeof a) < 0; });
    REQUIRE(std::adjacent_find(keys.begin(), keys.end()) == keys.end());

    auto cfg = small_config(8192);
    flow_table table(cfg);
    collecting_sink sink;
    std::uint64_t now = sec;
    for (const auto& p : packets) CHECK(table.account(p, ++now, sink).created);
    CHECK(table.active() == n);
    // Linear probing at load <= 1/4 with a random-looking hash: expected
    // longest chain is a few dozen at most; the old hash gave n.
    CHECK(table.longest_probe() < 64);

    // Every crafted flow is found again (a second packet creates nothing),
    // and nothing was evicted or emitted.
    for (const auto& p : packets) CHECK_FALSE(table.account(p, ++now, sink).created);
    CHECK(table.active() == n);
    CHECK(sink.items.empty());
    CHECK(table.counters().evictions == 0);
}
