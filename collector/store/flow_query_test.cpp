// A host's flows (GET /api/v1/flows?host=, the host page) against a real
// PostgreSQL. flow_query reads a host with few matching rows in one pass
// (one statement counts and pages them) and a busier one in a second,
// narrow pass (its rows' addresses and sort keys counted and sorted, the page
// read back by address): both must give the same total and the same pages,
// in every order, at every offset, past the end too.
#include "store/db_pool.hpp"
#include "store/flow_query.hpp"
#include "store/store_test_rows.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

using namespace std::chrono;
using namespace wireflow::collector;
using namespace wireflow::collector::store_rows;

namespace {

constexpr const char* rare = "198.51.100.9";  // client of every 7th IPv4 record, server of every 11th
constexpr const char* busy = "192.0.2.7";     // server of two records in three (make_row)

struct host_rows {
    std::size_t rare{0}, busy{0};
};

// Two batches of 300 records on day1; `rare` on either side of some IPv4 ones.
host_rows store_hosts(store& s) {
    std::vector<flow_batch> batches{make_batch("p", 1, 1, 300, ns_of(day1)), make_batch("q", 1, 1, 300, ns_of(day1))};
    host_rows n;
    for (auto& b : batches)
        for (std::size_t k = 0; k < b.records.size(); ++k) {
            auto& r = b.records[k];
            r.vlan = static_cast<std::uint16_t>(k % 2);  // a host's page is of one VLAN
            if (!r.client_ip.is_v4()) continue;  // both sides of a record: one family
            if (k % 7 == 0) r.client_ip = testing::ip(rare);
            if (k % 11 == 1) r.server_ip = testing::ip(rare);
            n.rare += r.client_ip == testing::ip(rare) || r.server_ip == testing::ip(rare);
            n.busy += r.client_ip == testing::ip(busy) || r.server_ip == testing::ip(busy);
        }
    REQUIRE(s.write_batches(batches) == std::vector<write_result>(2, write_result::stored));
    return n;
}

flow_filter host_filter(const std::string& host, flow_sort sort, bool descending, std::size_t limit,
                        std::size_t offset) {
    flow_filter f;
    f.host = host;
    f.from = sys_days{day1} - days{1};
    f.to = sys_days{day1} + days{2};
    f.sort = sort;
    f.descending = descending;
    f.limit = limit;
    f.offset = offset;
    return f;
}

std::vector<std::pair<std::string, std::uint64_t>> ids(const flow_page& p) {
    std::vector<std::pair<std::string, std::uint64_t>> out;
    for (const auto& it : p.items) out.emplace_back(it.probe_id, it.flow_id);
    return out;
}

}  // namespace

TEST_CASE("a host's flows are counted and paged the same in one pass as in two", "[store][query]") {
    fixture f;
    f.s.ensure_partitions(day1, 0);
    const host_rows n = store_hosts(f.s);
    REQUIRE(n.rare > 5);
    REQUIRE(n.busy > n.rare);
    db_pool pool{f.db.dsn(), 1};
    flow_query one_pass{pool};          // both hosts: 10,000 rows or fewer
    flow_query all_busy{pool, 0};       // every host: read again narrow, counted and paged
    flow_query rare_too_busy{pool, 5};  // more than 5: one pass tried, then the narrow pass

    for (const auto& [host, want_total] : {std::pair<std::string, std::size_t>{rare, n.rare},
                                           std::pair<std::string, std::size_t>{busy, n.busy}}) {
        INFO("host " << host);
        for (const auto sort : {flow_sort::last_seen, flow_sort::first_seen, flow_sort::bytes, flow_sort::packets})
            for (const bool desc : {true, false})
                for (const std::size_t offset : {std::size_t{0}, std::size_t{10}, want_total - 3, want_total + 5}) {
                    INFO("sort " << static_cast<int>(sort) << (desc ? " desc" : " asc") << " offset " << offset);
                    const auto filter = host_filter(host, sort, desc, 10, offset);
                    const flow_page a = one_pass.find(filter);
                    const flow_page b = all_busy.find(filter);
                    const flow_page c = rare_too_busy.find(filter);
                    CHECK(a.total == want_total);
                    CHECK(b.total == want_total);
                    CHECK(c.total == want_total);
                    CHECK(a.items.size() == (offset >= want_total ? 0 : std::min<std::size_t>(10, want_total - offset)));
                    CHECK(ids(a) == ids(b));
                    CHECK(ids(c) == ids(b));
                }
    }
    // Every row a page shows involves the host, and each of them is shown once.
    const flow_page all = one_pass.find(host_filter(rare, flow_sort::last_seen, true, 1000, 0));
    REQUIRE(all.items.size() == n.rare);
    for (const auto& it : all.items) CHECK((it.client_ip == rare || it.server_ip == rare));
    const auto whole = ids(all);
    auto seen = whole;
    std::sort(seen.begin(), seen.end());
    CHECK(std::adjacent_find(seen.begin(), seen.end()) == seen.end());
    // A page is the slice of the whole list at its offset.
    const flow_page middle = one_pass.find(host_filter(rare, flow_sort::last_seen, true, 7, 20));
    CHECK(ids(middle) == decltype(seen)(whole.begin() + 20, whole.begin() + 27));
}

TEST_CASE("a host nobody talked to has no flows, in one pass or two", "[store][query]") {
    fixture f;
    f.s.ensure_partitions(day1, 0);
    store_hosts(f.s);
    db_pool pool{f.db.dsn(), 1};
    for (const std::uint64_t one_pass_rows : {std::uint64_t{0}, flow_query::one_pass_rows}) {
        flow_query q{pool, one_pass_rows};
        for (const std::size_t offset : {std::size_t{0}, std::size_t{50}}) {
            const flow_page p = q.find(host_filter("203.0.113.1", flow_sort::last_seen, true, 50, offset));
            CHECK(p.total == 0);
            CHECK(p.items.empty());
        }
    }
}

TEST_CASE("a host's live flows are counted in one pass too", "[store][query]") {
    fixture f;
    f.s.ensure_partitions(day1, 0);
    const std::size_t rare_rows = store_hosts(f.s).rare;
    db_pool pool{f.db.dsn(), 1};
    for (const std::uint64_t one_pass_rows : {std::uint64_t{0}, flow_query::one_pass_rows}) {
        flow_query q{pool, one_pass_rows};
        flow_filter live;  // received in the last 5 minutes, whatever their capture time
        live.host = rare;
        live.limit = 1000;
        const flow_page p = q.find(live);
        CHECK(p.total == rare_rows);
        CHECK(p.items.size() == rare_rows);
    }
}

TEST_CASE("a host's page shows the same peers and latest flows in one pass as read apart", "[store][query]") {
    fixture f;
    f.s.ensure_partitions(day1, 0);
    const host_rows n = store_hosts(f.s);
    db_pool pool{f.db.dsn(), 1};
    flow_query one_pass{pool};
    flow_query too_busy{pool, 5};  // more than 5 rows: one pass tried, then top_peers() and find()
    const system_clock::time_point since = sys_days{day1} - days{1};
    const system_clock::time_point to = sys_days{day1} + days{2};
    for (const std::string host : {rare, busy, "203.0.113.1"}) {
        INFO("host " << host);
        flow_filter latest = host_filter(host, flow_sort::first_seen, true, 20, 0);
        latest.vlan = 0;
        const auto want_peers = one_pass.top_peers(host, 0, since, 10);
        const auto want_flows = ids(one_pass.find(latest));
        for (auto* q : {&one_pass, &too_busy}) {
            const host_activity got = q->activity(host, 0, since, to, 10, 20);
            CHECK(ids(flow_page{0, got.recent_flows}) == want_flows);
            REQUIRE(got.top_peers.size() == want_peers.size());
            for (std::size_t k = 0; k < want_peers.size(); ++k) {
                CHECK(got.top_peers[k].ip == want_peers[k].ip);
                CHECK(got.top_peers[k].bytes == want_peers[k].bytes);
                CHECK(got.top_peers[k].flows == want_peers[k].flows);
            }
        }
        if (host == rare) {
            CHECK(!want_flows.empty());
            CHECK(!want_peers.empty());
            const auto vlan0 = one_pass.activity(host, 0, since, to, 10, 1000).recent_flows.size();
            CHECK(vlan0 > 0);
            CHECK(vlan0 < n.rare);  // the other VLAN's are not shown
        }
    }
}

TEST_CASE("a host's lookups are planned once per connection and see the days created since", "[store][query]") {
    fixture f;
    f.s.ensure_partitions(day1, 0);
    const host_rows n = store_hosts(f.s);
    db_pool pool{f.db.dsn(), 1};  // one connection: every statement below runs on it
    flow_query q{pool};
    const system_clock::time_point since = sys_days{day1} - days{1};
    const system_clock::time_point to = sys_days{day1} + days{2};
    const auto rare_flows = [&] { return q.find(host_filter(rare, flow_sort::last_seen, true, 50, 0)).total; };
    CHECK(rare_flows() == n.rare);
    CHECK(q.activity(rare, 0, since, to, 10, 20).recent_flows.size() > 0);
    CHECK(rare_flows() == n.rare);
    CHECK(q.activity(busy, 0, since, to, 10, 20).recent_flows.size() > 0);
    // The plans PostgreSQL used for the two prepared statements: generic
    // each time, never one made for the values.
    const auto plans = [&](const std::string& name) {
        return pool.run("plans", [&](pqxx::connection& c) {
            pqxx::nontransaction tx{c};
            const auto r = tx.exec_params1(
                "SELECT coalesce(sum(generic_plans), 0), coalesce(sum(custom_plans), 0) FROM pg_prepared_statements"
                " WHERE name = $1",
                name);
            return std::pair<long long, long long>{r[0].as<long long>(), r[1].as<long long>()};
        });
    };
    const std::string flows_by_last_seen =
        "wf_host_flows_" + std::to_string(static_cast<int>(flow_sort::last_seen)) + "_desc";
    CHECK(plans(flows_by_last_seen) == std::pair<long long, long long>{2, 0});
    CHECK(plans("wf_host_activity") == std::pair<long long, long long>{2, 0});

    // A day partition created after the plan was made: its rows are found
    // by the same statements (PostgreSQL plans them again).
    f.s.ensure_partitions(sys_days{day1} + days{1}, 0);
    std::vector<flow_batch> later{make_batch("p", 1, 2, 30, ns_of(sys_days{day1} + days{1}))};
    for (auto& r : later[0].records) {
        r.client_ip = testing::ip(rare);
        r.server_ip = testing::ip(busy);
        r.vlan = 0;
    }
    REQUIRE(f.s.write_batches(later) == std::vector<write_result>{write_result::stored});
    CHECK(rare_flows() == n.rare + 30);
    const host_activity a = q.activity(rare, 0, since, to, 10, 20);
    REQUIRE(!a.recent_flows.empty());
    CHECK(a.recent_flows.front().first_seen_ns >= ns_of(sys_days{day1} + days{1}, hours{0}));
    CHECK(plans("wf_host_activity") == std::pair<long long, long long>{3, 0});

    // A range of other days: the statement is prepared again for them
    // (its days are in its text), under the same name, and back.
    flow_filter earlier = host_filter(rare, flow_sort::last_seen, true, 50, 0);
    earlier.from = sys_days{day1} - days{3};
    CHECK(q.find(earlier).total == n.rare + 30);
    CHECK(plans(flows_by_last_seen) == std::pair<long long, long long>{1, 0});
    CHECK(rare_flows() == n.rare + 30);
    CHECK(rare_flows() == n.rare + 30);
    CHECK(plans(flows_by_last_seen) == std::pair<long long, long long>{2, 0});
}
