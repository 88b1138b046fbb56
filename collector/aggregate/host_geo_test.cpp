// Geolocation in the host table: looked up once per host entry, kept in the
// entry (country, AS number) and the AS name once per AS; the host query
// filters by them. The lookup is the table's configured function (the
// collector passes geo_locator::locate; collector/geo tests that one on real
// MaxMind DB files).
#include "host_query.hpp"
#include "host_table.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <string>

using namespace wireflow::collector::aggregate;
using wireflow::collector::geo::country_code;
using wireflow::collector::geo::geo_info;
using wireflow::collector::endpoint_geo;
using wireflow::end_reason;

namespace {
ip_address ip(const char* s) { return *ip_address::parse(s); }
constexpr std::uint64_t t0 = 1'700'000'000ULL * ns_per_s;

flow_observation obs(const char* client, const char* server, std::uint64_t flow_id, std::uint64_t at) {
    flow_observation o;
    o.flow_id = flow_id;
    o.client = ip(client);
    o.server = ip(server);
    o.c2s_bytes = o.s2c_bytes = 100;
    o.c2s_packets = o.s2c_packets = 1;
    o.first_seen_ns = at;
    o.last_seen_ns = at + ns_per_s;
    o.reason = end_reason::idle_timeout;
    return o;
}

struct table_with_lookups {
    std::map<std::string, int> calls;
    host_pools pools;
    host_table table;

    table_with_lookups() : table(make_config(), pools) {}
    host_table_config make_config() {
        host_table_config c;
        c.locals = *local_networks::parse("10.0.0.0/8");
        c.remote_idle_ns = 60 * ns_per_s;
        c.locate = [this](const ip_address& a) {
            ++calls[a.to_string()];
            geo_info g;
            if (a == ip("81.2.69.7") || a == ip("81.2.69.8")) {
                g.country = *country_code::parse("GB");
                g.asn = 20712;
                g.as_name = "Andrews & Arnold Ltd";
            } else if (a == ip("2a02:cf40::1")) {
                g.country = *country_code::parse("NO");
                g.asn = 2119;
                g.as_name = "Telenor Norge AS";
            }
            return g;
        };
        return c;
    }
};
}  // namespace

TEST_CASE("a new host is located once, not once per record", "[host_table][geo]") {
    table_with_lookups t;
    for (std::uint64_t i = 0; i < 50; ++i) REQUIRE(t.table.ingest(obs("10.0.0.1", "81.2.69.7", i, t0 + i)));
    CHECK(t.calls["81.2.69.7"] == 1);
    CHECK(t.calls["10.0.0.1"] == 1);
    const auto h = *t.table.view(ip("81.2.69.7"), 0, t0);
    CHECK(h.country.view() == "GB");
    CHECK(h.asn == 20712);
    CHECK(h.as_name == "Andrews & Arnold Ltd");
    const auto local = *t.table.view(ip("10.0.0.1"), 0, t0);
    CHECK(local.country.empty());
    CHECK(local.asn == 0);
    CHECK(local.as_name.empty());
}

TEST_CASE("a purged host is located again when it comes back", "[host_table][geo]") {
    table_with_lookups t;
    REQUIRE(t.table.ingest(obs("10.0.0.1", "81.2.69.7", 1, t0)));
    t.table.expire(t0 + 3600 * ns_per_s);
    REQUIRE_FALSE(t.table.view(ip("81.2.69.7"), 0, t0));
    // Both freed slots are reused, one of them the GB host's: no stale country.
    REQUIRE(t.table.ingest(obs("10.0.0.1", "8.8.8.8", 3, t0 + 3602 * ns_per_s)));
    CHECK(t.table.view(ip("8.8.8.8"), 0, t0)->country.empty());
    CHECK(t.table.view(ip("8.8.8.8"), 0, t0)->asn == 0);
    CHECK(t.table.view(ip("10.0.0.1"), 0, t0)->country.empty());
    REQUIRE(t.table.ingest(obs("10.0.0.1", "81.2.69.7", 4, t0 + 3603 * ns_per_s)));
    CHECK(t.calls["81.2.69.7"] == 2);
    CHECK(t.table.view(ip("81.2.69.7"), 0, t0)->as_name == "Andrews & Arnold Ltd");
}

TEST_CASE("the host query filters by country and by AS", "[host_query][geo]") {
    table_with_lookups t;
    REQUIRE(t.table.ingest(obs("10.0.0.1", "81.2.69.7", 1, t0)));
    REQUIRE(t.table.ingest(obs("10.0.0.1", "81.2.69.8", 2, t0)));
    REQUIRE(t.table.ingest(obs("10.0.0.2", "2a02:cf40::1", 3, t0)));
    REQUIRE(t.table.ingest(obs("10.0.0.2", "8.8.8.8", 4, t0)));
    host_query q;
    q.country = *country_code::parse("GB");
    auto page = query_hosts(t.table, q);
    CHECK(page.total == 2);
    for (const auto& h : page.items) CHECK(h.country.view() == "GB");
    q.country = *country_code::parse("NO");
    page = query_hosts(t.table, q);
    REQUIRE(page.total == 1);
    CHECK(page.items[0].ip == ip("2a02:cf40::1"));
    q = host_query{};
    q.asn = 20712;
    CHECK(query_hosts(t.table, q).total == 2);
    q.asn = 1;
    CHECK(query_hosts(t.table, q).total == 0);
    // No filter: every host, located or not.
    CHECK(query_hosts(t.table, host_query{}).total == 6);
}

TEST_CASE("without a locate function hosts have no geolocation", "[host_table][geo]") {
    host_pools pools;
    host_table_config c;
    host_table table(c, pools);
    REQUIRE(table.ingest(obs("10.0.0.1", "81.2.69.7", 1, t0)));
    CHECK(table.view(ip("81.2.69.7"), 0, t0)->country.empty());
}

TEST_CASE("the host entry stays at 224 bytes with its country and AS", "[host_table][geo]") {
    // 216 before geolocation, with no padding left: host_table_bench's figure.
    CHECK(sizeof(host_entry) == 224);
}

TEST_CASE("a record the batch stage marked is not looked up again, except once per AS for its name", "[host_table][geo]") {
    table_with_lookups t;
    auto first = obs("10.0.0.1", "81.2.69.7", 1, t0);
    first.server_geo = endpoint_geo{*country_code::parse("GB"), 20712};
    REQUIRE(t.table.ingest(first));
    CHECK(t.calls["81.2.69.7"] == 1);  // the AS name was not known yet
    auto second = obs("10.0.0.1", "81.2.69.8", 2, t0);
    second.server_geo = endpoint_geo{*country_code::parse("GB"), 20712};
    REQUIRE(t.table.ingest(second));
    CHECK(t.calls["81.2.69.8"] == 0);
    const auto h = *t.table.view(ip("81.2.69.8"), 0, t0);
    CHECK(h.country.view() == "GB");
    CHECK(h.asn == 20712);
    CHECK(h.as_name == "Andrews & Arnold Ltd");
    // Marked with a country only (a legacy or country-only database): no lookup.
    auto third = obs("10.0.0.1", "2a02:cf40::1", 3, t0);
    third.client = ip("fd00::1");
    third.server_geo = endpoint_geo{*country_code::parse("NO"), 0};
    REQUIRE(t.table.ingest(third));
    CHECK(t.calls["2a02:cf40::1"] == 0);
    CHECK(t.table.view(ip("2a02:cf40::1"), 0, t0)->country.view() == "NO");
}
