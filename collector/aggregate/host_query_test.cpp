#include "host_query.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

using namespace wireflow::collector::aggregate;

namespace {
constexpr std::uint64_t s_ = ns_per_s;
constexpr std::uint64_t t0 = 1'700'000'000ULL * ns_per_s;

// A table of ~2000 hosts with random traffic, names, pools and many ties.
struct fixture {
    host_pools pools;
    host_table table;
    pool_id lab{}, office{};

    fixture() : table(make_config(), pools) {
        lab = pools.create("lab").id;
        office = pools.create("office").id;
        REQUIRE(pools.add_member(lab, "10.1.0.0/16").ok());
        REQUIRE(pools.add_member(office, "10.2.0.0/16").ok());
        REQUIRE(pools.add_member(office, "fd00::/64").ok());
        table.reassign_pools();
        std::mt19937_64 rng(99);
        const char* names[] = {"", "", "example.com", "mail.example.org", "cdn.test"};
        for (int i = 0; i < 3000; ++i) {
            flow_observation o;
            o.flow_id = static_cast<std::uint64_t>(i);
            const std::uint32_t c = static_cast<std::uint32_t>(rng() % 3) + 1;
            o.client = rng() % 6 == 0 ? *ip_address::parse(("fd00::" + std::to_string(rng() % 300 + 1)).c_str())
                                      : ip_address::v4(0x0A000000u | (c << 16) | static_cast<std::uint32_t>(rng() % 400));
            o.server = ip_address::v4(0x5D000000u | static_cast<std::uint32_t>(rng() % 900));
            o.vlan = static_cast<std::uint16_t>(rng() % 2);
            o.c2s_packets = rng() % 4;
            o.s2c_packets = rng() % 4;
            o.c2s_bytes = o.c2s_packets * 100 * (rng() % 3);
            o.s2c_bytes = o.s2c_packets * 1000;
            o.first_seen_ns = t0 + (rng() % 120) * s_;
            o.last_seen_ns = o.first_seen_ns + (rng() % 3) * s_;
            o.reason = wireflow::end_reason::idle_timeout;
            o.server_name = names[rng() % 5];
            REQUIRE(table.ingest(o));
        }
    }
    static host_table_config make_config() {
        host_table_config c;
        c.locals = *local_networks::parse("10.0.0.0/8,fd00::/8");
        c.purge_visits_per_new_host = 0;
        return c;
    }

    // The reference: every matching host, fully sorted with the same total order.
    std::vector<std::uint32_t> reference(const host_query& q) const {
        std::vector<std::uint32_t> out;
        const auto slots = table.slots();
        const std::uint64_t now = q.now_ns != 0 ? q.now_ns : table.clock_ns();
        std::string lower = q.q;
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
        for (std::uint32_t i = 0; i < slots.size(); ++i) {
            const auto& h = slots[i];
            if (!h.live()) continue;
            if (q.pool && h.pool != *q.pool) continue;
            if (q.where == locality::local && !h.local()) continue;
            if (q.where == locality::remote && h.local()) continue;
            if (!q.q.empty() && h.key.ip.to_string().find(lower) == std::string::npos &&
                std::string(table.name_of(i)).find(q.q) == std::string::npos)
                continue;
            out.push_back(i);
        }
        std::sort(out.begin(), out.end(), [&](std::uint32_t a, std::uint32_t b) {
            const auto ka = host_sort_key(slots[a], q.by, now), kb = host_sort_key(slots[b], q.by, now);
            if (ka != kb) return q.order == sort_order::desc ? ka > kb : ka < kb;
            return a < b;
        });
        return out;
    }

    void check_all_pages(host_query q) const {
        const auto ref = reference(q);
        const auto slots = table.slots();
        for (std::size_t off = 0; off < ref.size() + q.limit; off += q.limit) {
            q.offset = off;
            const auto page = query_hosts(table, q);
            REQUIRE(page.total == ref.size());
            const std::size_t expect = off >= ref.size() ? 0 : std::min(q.limit, ref.size() - off);
            REQUIRE(page.items.size() == expect);
            for (std::size_t i = 0; i < expect; ++i) {
                const auto& want = slots[ref[off + i]].key;
                REQUIRE(page.items[i].ip == want.ip);
                REQUIRE(page.items[i].vlan == want.vlan);
            }
        }
    }
};
}  // namespace

TEST_CASE("every sort order pages exactly like a full sort", "[host_query]") {
    fixture f;
    REQUIRE(f.table.size() > 1500);
    for (auto by : {host_sort::bytes, host_sort::bytes_sent, host_sort::bytes_rcvd, host_sort::packets,
                    host_sort::flows, host_sort::throughput, host_sort::last_seen})
        for (auto order : {sort_order::desc, sort_order::asc}) {
            host_query q;
            q.by = by;
            q.order = order;
            q.limit = 137;
            f.check_all_pages(q);
        }
}

TEST_CASE("throughput order uses the caller's now", "[host_query]") {
    fixture f;
    host_query q;
    q.by = host_sort::throughput;
    q.now_ns = t0 + 170 * s_;
    q.limit = 50;
    f.check_all_pages(q);
}

TEST_CASE("pool, locality and vlan filters narrow the total", "[host_query]") {
    fixture f;
    host_query q;
    q.limit = 64;
    q.pool = f.lab;
    f.check_all_pages(q);
    CHECK(query_hosts(f.table, q).total > 0);
    q.pool = no_pool;
    q.where = locality::local;  // unassigned devices
    f.check_all_pages(q);
    const auto unassigned = query_hosts(f.table, q);
    CHECK(unassigned.total > 0);
    for (const auto& h : unassigned.items) {
        CHECK(h.local);
        CHECK(h.pool == no_pool);
    }
    q.pool.reset();
    q.where = locality::remote;
    f.check_all_pages(q);
    const auto remote = query_hosts(f.table, q).total;
    q.where = locality::local;
    const auto local = query_hosts(f.table, q).total;
    CHECK(remote + local == f.table.size());
    q.where = locality::any;
    q.vlan = 1;
    const auto page = query_hosts(f.table, q);
    CHECK(page.total > 0);
    CHECK(page.total < f.table.size());
    for (const auto& h : page.items) CHECK(h.vlan == 1);
}

TEST_CASE("search matches address substrings and host names", "[host_query]") {
    fixture f;
    host_query q;
    q.limit = 40;
    for (const char* needle : {"10.1.", "93.0.1", "fd00::1", "FD00::", "example", ".test", "no-such-host", "0"}) {
        q.q = needle;
        INFO(needle);
        f.check_all_pages(q);
    }
    q.q = "example.com";
    const auto page = query_hosts(f.table, q);
    CHECK(page.total > 0);
    for (const auto& h : page.items) CHECK(h.name == "example.com");
    q.q = "no-such-host";
    CHECK(query_hosts(f.table, q).total == 0);
}

TEST_CASE("a page past the end is empty but reports the total", "[host_query]") {
    fixture f;
    host_query q;
    q.offset = f.table.size() + 10;
    const auto page = query_hosts(f.table, q);
    CHECK(page.total == f.table.size());
    CHECK(page.items.empty());
    q.offset = 0;
    q.limit = 0;
    CHECK(query_hosts(f.table, q).items.empty());
}

TEST_CASE("sort names parse and unknown ones are refused", "[host_query]") {
    CHECK(parse_host_sort("bytes") == host_sort::bytes);
    CHECK(parse_host_sort("throughput") == host_sort::throughput);
    CHECK(parse_host_sort("last_seen") == host_sort::last_seen);
    CHECK_FALSE(parse_host_sort("Bytes"));
    CHECK_FALSE(parse_host_sort(""));
}
