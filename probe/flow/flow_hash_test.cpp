#include <catch2/catch.hpp>

#include "flow/flow_hash.hpp"
#include "flow/flow_table_test_support.hpp"

#include <set>
#include <vector>

using namespace wireflow::probe;
using wireflow::hash_key;

namespace {
const auto ep = flow_table_test::v4;

// The methods this CPU can run: SipHash always, AES where AES-NI is.
std::vector<flow_hash::method> methods() {
    std::vector<flow_hash::method> m{flow_hash::method::siphash};
    if (flow_hash::aes_available()) m.push_back(flow_hash::method::aes);
    else WARN("this CPU has no AES-NI: only the SipHash method is tested");
    return m;
}

std::vector<flow_key> varied_keys() {
    std::vector<flow_key> keys;
    const auto c = ep(10, 0, 0, 1, 1000), s = ep(10, 0, 0, 2, 80);
    keys.push_back(make_flow_key(10, 4, 6, c, s).key);
    keys.push_back(make_flow_key(11, 4, 6, c, s).key);                       // vlan
    keys.push_back(make_flow_key(10, 4, 17, c, s).key);                      // protocol
    keys.push_back(make_flow_key(10, 4, 6, ep(10, 0, 0, 3, 1000), s).key);   // an address
    keys.push_back(make_flow_key(10, 4, 6, c, ep(11, 0, 0, 2, 80)).key);     // the other's first byte
    keys.push_back(make_flow_key(10, 4, 6, ep(10, 0, 0, 1, 1001), s).key);   // a port
    keys.push_back(make_flow_key(10, 4, 6, c, ep(10, 0, 0, 2, 81)).key);     // the other port
    keys.push_back(make_flow_key(10, 6, 6, c, s).key);                       // the same bytes as IPv6
    endpoint v6a, v6b;
    v6a.ip = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    v6b.ip = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
    v6a.port = 5000;
    v6b.port = 443;
    keys.push_back(make_flow_key(0, 6, 6, v6a, v6b).key);
    v6b.ip[9] = 7;  // a byte an IPv4 key never varies
    keys.push_back(make_flow_key(0, 6, 6, v6a, v6b).key);
    return keys;
}
}  // namespace

TEST_CASE("AES-128 of the flow hash reproduces the FIPS-197 example", "[flow_hash]") {
    if (!flow_hash::aes_available()) {
        WARN("this CPU has no AES-NI: the AES method is never used here");
        return;
    }
    // FIPS-197 Appendix C.1.
    std::uint8_t key[16], in[16], out[16];
    for (int i = 0; i < 16; ++i) {
        key[i] = static_cast<std::uint8_t>(i);
        in[i] = static_cast<std::uint8_t>(i * 0x11);
    }
    detail::aes128_encrypt(key, in, out);
    const std::uint8_t want[16] = {0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30,
                                   0xd8, 0xcd, 0xb7, 0x80, 0x70, 0xb4, 0xc5, 0x5a};
    CHECK(std::equal(out, out + 16, want));
}

TEST_CASE("the flow hash takes AES for IPv4 keys where the CPU has it, SipHash otherwise", "[flow_hash]") {
    const hash_key hk{1, 2};
    const auto v4 = make_flow_key(0, 4, 6, ep(10, 0, 0, 1, 1000), ep(10, 0, 0, 2, 80)).key;
    const flow_hash sip(hk, flow_hash::method::siphash);
    CHECK(sip.how() == flow_hash::method::siphash);
    CHECK(sip(v4) == hash(v4, hk));
    const flow_hash best(hk);
    if (flow_hash::aes_available()) {
        CHECK(best.how() == flow_hash::method::aes);
        CHECK(best(v4) != hash(v4, hk));
    } else {
        CHECK(best.how() == flow_hash::method::siphash);
    }
    // IPv6 keys take SipHash by either method.
    for (const auto& k : varied_keys())
        if (k.ip_version == 6) CHECK(best(k) == hash(k, hk));
}

TEST_CASE("by either method, keys that differ in any field hash apart and both directions alike", "[flow_hash]") {
    for (const auto m : methods()) {
        INFO("method " << static_cast<int>(m));
        const flow_hash h(hash_key{3, 4}, m);
        const auto keys = varied_keys();
        std::set<std::uint64_t> seen;
        for (const auto& k : keys) seen.insert(h(k));
        CHECK(seen.size() == keys.size());
        const auto c = ep(192, 168, 1, 9, 51000), s = ep(1, 1, 1, 1, 53);
        CHECK(h(make_flow_key(0, 4, 17, c, s).key) == h(make_flow_key(0, 4, 17, s, c).key));
        CHECK(h(keys[0]) == h(flow_key(keys[0])));
    }
}

TEST_CASE("by either method, another hash key gives other hashes", "[flow_hash]") {
    for (const auto m : methods()) {
        INFO("method " << static_cast<int>(m));
        const auto k = make_flow_key(0, 4, 6, ep(10, 0, 0, 1, 1000), ep(10, 0, 0, 2, 80)).key;
        CHECK(flow_hash({1, 2}, m)(k) == flow_hash({1, 2}, m)(k));
        CHECK(flow_hash({1, 2}, m)(k) != flow_hash({1, 3}, m)(k));
        CHECK(flow_hash({1, 2}, m)(k) != flow_hash({5, 2}, m)(k));
    }
}

TEST_CASE("by either method, the hashes of many keys at once are the hashes of each", "[flow_hash]") {
    for (const auto m : methods()) {
        INFO("method " << static_cast<int>(m));
        const flow_hash h(hash_key{7, 8}, m);
        std::vector<flow_key> keys = varied_keys();
        for (std::uint16_t p = 0; p < 40; ++p)
            keys.push_back(make_flow_key(0, 4, 17, ep(10, 1, 2, 3, static_cast<std::uint16_t>(2000 + p)),
                                         ep(8, 8, 8, 8, 53)).key);
        std::vector<const flow_key*> ptrs;
        for (const auto& k : keys) ptrs.push_back(&k);
        std::vector<std::uint64_t> out(keys.size(), 0);
        h(ptrs.data(), out.data(), ptrs.size());
        for (std::size_t i = 0; i < keys.size(); ++i) CHECK(out[i] == h(keys[i]));
    }
}

TEST_CASE("by either method, keys that differ in one port fill the low bits", "[flow_hash]") {
    for (const auto m : methods()) {
        INFO("method " << static_cast<int>(m));
        const flow_hash h(wireflow::process_hash_key(), m);
        // 4096 keys into 1024 buckets: a uniform hash leaves ~2 % of them
        // empty and none with more than ~15 keys.
        std::vector<unsigned> buckets(1024, 0);
        for (unsigned p = 0; p < 4096; ++p)
            ++buckets[h(make_flow_key(0, 4, 6, ep(10, 0, 0, 1, static_cast<std::uint16_t>(1024 + p)),
                                      ep(10, 0, 0, 2, 80)).key) & 1023];
        unsigned empty = 0, most = 0;
        for (const unsigned b : buckets) {
            empty += b == 0;
            most = std::max(most, b);
        }
        CHECK(empty < 60);
        CHECK(most < 20);
    }
}
