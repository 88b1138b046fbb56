#include "blacklist/blacklist_set.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <random>
#include <thread>

#include "blacklist/published_blacklist.hpp"

using namespace wireflow::collector::blacklist;
namespace net = wireflow::net;

namespace {
net::ip_prefix p(const char* text) { return net::parse_prefix(text).value().prefix; }
net::ip_address a(const char* text) { return net::ip_address::parse(text).value(); }
}  // namespace

TEST_CASE("a match names every source listing the address through any covering prefix", "[blacklist_set]") {
    const std::vector<net::ip_prefix> drop{p("10.0.0.0/8"), p("2001:db8::/32")};
    const std::vector<net::ip_prefix> feodo{p("10.1.2.3/32"), p("192.0.2.1/32")};
    const std::vector<net::ip_prefix> cins{p("10.1.0.0/16"), p("192.0.2.1/32")};
    const std::vector<blacklist_set::source_list> lists{{0, drop}, {1, feodo}, {2, cins}};
    const auto set = blacklist_set::build({{"drop", "hijacked"}, {"feodo", "c2"}, {"cins", "scanner"}}, lists, 7);
    CHECK(set->lookup(a("10.1.2.3")).sources == 0b111u);
    CHECK(set->lookup(a("10.1.9.9")).sources == 0b101u);
    CHECK(set->lookup(a("10.2.0.0")).sources == 0b001u);
    CHECK(set->lookup(a("192.0.2.1")).sources == 0b110u);
    CHECK(set->lookup(a("2001:db8::5")).sources == 0b001u);
    CHECK_FALSE(set->lookup(a("192.0.2.2")));
    CHECK(set->lookup_v4(0x0A010203u).count() == 3);
    CHECK(set->describe(set->lookup(a("192.0.2.1"))) == std::vector<std::string>{"feodo (c2)", "cins (scanner)"});
    CHECK(set->version() == 7);
}

TEST_CASE("a set refuses more than 64 sources and lists for unknown sources", "[blacklist_set]") {
    CHECK_THROWS_AS(blacklist_set::build(std::vector<source_label>(65), {}, 1), std::invalid_argument);
    const std::vector<net::ip_prefix> one{p("10.0.0.0/8")};
    const std::vector<blacklist_set::source_list> lists{{3, one}};
    CHECK_THROWS_AS(blacklist_set::build(std::vector<source_label>(2), lists, 1), std::invalid_argument);
}

TEST_CASE("a reader picks up a published set at its next lookup", "[published_blacklist]") {
    published_blacklist pub;
    published_blacklist::reader reader(pub);
    CHECK_FALSE(reader.lookup(a("10.0.0.1")));
    const std::vector<net::ip_prefix> list{p("10.0.0.0/8")};
    const std::vector<blacklist_set::source_list> lists{{0, list}};
    pub.publish(blacklist_set::build({{"x", "y"}}, lists, 1));
    CHECK(reader.lookup(a("10.0.0.1")));
    CHECK(pub.generation() == 1);
}

// Two versions that disagree on many addresses, each marked by a tag address
// only it lists. A reader that ever saw a mix of them (an in-place update, a
// half-built table, a freed version) fails the per-snapshot check.
TEST_CASE("readers see only complete versions while another thread swaps them", "[published_blacklist]") {
    std::mt19937_64 rng(5);
    std::vector<net::ip_prefix> version_a{p("192.0.2.1/32")};
    std::vector<net::ip_prefix> version_b{p("198.51.100.1/32")};
    for (int i = 0; i < 20000; ++i) {
        const auto addr = net::ip_address::v4(static_cast<std::uint32_t>(rng()));
        (i % 2 == 0 ? version_a : version_b).push_back(net::ip_prefix::of(addr, 16 + static_cast<unsigned>(rng() % 17)));
    }
    const std::vector<source_label> labels{{"a", "test"}, {"b", "test"}};
    const auto build = [&](bool b, std::uint64_t version) {
        const std::vector<blacklist_set::source_list> lists{{b ? 1u : 0u, b ? version_b : version_a}};
        return blacklist_set::build(labels, lists, version);
    };
    const auto reference_a = build(false, 0);
    const auto reference_b = build(true, 0);
    std::vector<net::ip_address> probes;
    for (int i = 0; i < 256; ++i) {
        const auto& list = i % 2 ? version_a : version_b;
        probes.push_back(list[rng() % list.size()].address);
    }
    std::size_t differing = 0;
    for (const auto& x : probes) differing += reference_a->lookup(x) != reference_b->lookup(x);
    REQUIRE(differing > 200);

    published_blacklist pub;
    pub.publish(build(false, 1));
    std::atomic<std::uint64_t> reader_saw{0};
    std::atomic<bool> stop{false};
    std::atomic<std::size_t> inconsistent{0};
    std::atomic<std::size_t> snapshots_checked{0};

    std::thread reader_thread([&] {
        published_blacklist::reader reader(pub);
        while (!stop.load(std::memory_order_acquire)) {
            const blacklist_set& snap = reader.snapshot();
            const bool tag_a = static_cast<bool>(snap.lookup(a("192.0.2.1")));
            const bool tag_b = static_cast<bool>(snap.lookup(a("198.51.100.1")));
            if (tag_a == tag_b) {
                ++inconsistent;
            } else {
                const blacklist_set& expected = tag_a ? *reference_a : *reference_b;
                for (const auto& x : probes) {
                    if (snap.lookup(x) != expected.lookup(x)) ++inconsistent;
                }
                if ((snap.version() % 2 == 1) != tag_a) ++inconsistent;   // odd versions are A
            }
            ++snapshots_checked;
            reader_saw.store(snap.version(), std::memory_order_release);
            // Lookup by lookup through the reader too (it may move to a newer
            // version, so `snap` is not used after this): each answer from one of the two.
            for (const auto& x : probes) {
                const auto m = reader.lookup(x);
                if (m != reference_a->lookup(x) && m != reference_b->lookup(x)) ++inconsistent;
            }
        }
    });

    for (std::uint64_t version = 2; version <= 40; ++version) {
        pub.publish(build(version % 2 == 0, version));   // each build is a new object; the old one is freed
        // Wait until the reader has worked on this version, so every version is exercised.
        while (reader_saw.load(std::memory_order_acquire) < version) std::this_thread::yield();
    }
    stop.store(true, std::memory_order_release);
    reader_thread.join();
    CHECK(inconsistent.load() == 0);
    CHECK(snapshots_checked.load() >= 39);
}
