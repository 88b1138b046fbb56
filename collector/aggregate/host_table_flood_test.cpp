// Hash flooding: records whose client addresses were crafted to collide under
// the host table's former unkeyed hash (hash_bytes over the host key). With
// the keyed hash the probe chains stay short and every host is still found.

#include <catch2/catch.hpp>

#include <cstring>
#include <set>
#include <vector>

#include "hash_attack_test_support.hpp"
#include "host_table.hpp"

using namespace wireflow;
using namespace wireflow::collector::aggregate;

namespace {

constexpr std::uint64_t golden = 0x9e3779b97f4a7c15ULL;
constexpr std::uint64_t t0 = 1'700'000'000ULL * ns_per_s;

// n IPv6 addresses whose host keys (VLAN 0) all give `target` under
// hash_bytes: the attacker picks the first 7 address bytes freely and solves
// for the next 8 (hash_bytes is mix64 steps, each one invertible).
std::vector<ip_address> crafted_addresses(std::size_t n, std::uint64_t target) {
    static_assert(sizeof(host_key) == 20);
    hash_attack::word_source rng{7};
    std::vector<ip_address> out;
    for (std::size_t i = 0; i < n; ++i) {
        host_key k{};
        k.ip.family = net::ip_family::v6;
        k.ip.bytes[15] = 1;
        unsigned char raw[20];
        std::memcpy(raw, &k, sizeof raw);
        std::uint64_t w1, tail = 0;
        std::memcpy(&w1, raw, 8);
        w1 = (w1 & 0xff) | (rng.next() << 8);  // family byte kept, 7 free address bytes
        std::memcpy(&tail, raw + 16, 4);
        const std::uint64_t h0 = mix64(golden * 21);
        const std::uint64_t h1 = mix64(h0 ^ w1) + golden;
        const std::uint64_t h2 = hash_attack::unmix64(target) ^ tail ^ (std::uint64_t{4} << 56);  // the tail length
        const std::uint64_t w2 = hash_attack::unmix64(h2 - golden) ^ h1;
        std::memcpy(raw, &w1, 8);
        std::memcpy(raw + 8, &w2, 8);
        std::memcpy(&k, raw, sizeof k);
        out.push_back(k.ip);
    }
    return out;
}

}  // namespace

TEST_CASE("addresses crafted to collide under the old unkeyed hash keep short probe chains", "[host_table][flood]") {
    constexpr std::size_t n = 4000;
    constexpr std::uint64_t target = 0x0badc0ffee0ddf00ULL;
    const auto clients = crafted_addresses(n, target);

    // The attack is real: distinct addresses, one old hash for all of them.
    std::set<ip_address> distinct(clients.begin(), clients.end());
    REQUIRE(distinct.size() == n);
    for (const auto& a : clients) {
        const host_key k{a, 0, 0};
        REQUIRE(hash_bytes(&k, sizeof k) == target);
    }

    host_pools pools;
    host_table t(host_table_config{}, pools);
    const ip_address server = *ip_address::parse("2001:db8::80");
    std::uint64_t id = 0;
    for (const auto& c : clients) {
        flow_observation o;
        o.flow_id = ++id;
        o.client = c;
        o.server = server;
        o.c2s_bytes = o.s2c_bytes = 100;
        o.c2s_packets = o.s2c_packets = 1;
        o.first_seen_ns = t0;
        o.last_seen_ns = t0 + ns_per_s;
        o.reason = wireflow::end_reason::idle_timeout;
        REQUIRE(t.ingest(o));
    }
    CHECK(t.size() == n + 1);
    // Linear probing at load <= 0.7 with a random-looking hash: the longest
    // chain of 4001 hosts is a few dozen cells; the old hash gave 4000.
    CHECK(t.longest_probe() < 128);
    for (const auto& c : clients) {
        const auto v = t.view(c, 0, t0 + ns_per_s);
        REQUIRE(v);
        CHECK(v->bytes_sent == 100);
    }
}
