#include "batch_marker.hpp"

#include "test_databases.hpp"

#include <catch2/catch.hpp>

using namespace wireflow::collector;
using wireflow::net::ip_address;

namespace {

geo::geo_locator locator() {
    geo::geo_settings s;
    s.country_mmdb = geo::testing::databases().country;
    s.asn_mmdb = geo::testing::databases().asn;
    s.legacy_dir = "";
    return geo::geo_locator(s);
}

flow_record record(const char* client, const char* server) {
    flow_record r;
    r.client_ip = *ip_address::parse(client);
    r.server_ip = *ip_address::parse(server);
    return r;
}

}  // namespace

TEST_CASE("marking sets both sides' country and AS, private sides stay unknown", "[batch_marker]") {
    const auto geo = locator();
    geo::batch_marker m(geo);
    flow_batch b;
    b.records = {record("10.0.0.5", "81.2.69.7"), record("2a02:cf40::1", "fd00::1"), record("1.130.0.1", "81.2.70.1")};
    m.mark(b);
    CHECK(b.records[0].client_geo == endpoint_geo{});
    CHECK(b.records[0].server_geo.country.view() == "GB");
    CHECK(b.records[0].server_geo.asn == 20712);
    CHECK(b.records[1].client_geo.country.view() == "NO");
    CHECK(b.records[1].client_geo.asn == 2119);
    CHECK(b.records[1].server_geo == endpoint_geo{});
    CHECK(b.records[2].client_geo.country.empty());
    CHECK(b.records[2].client_geo.asn == 1221);
    CHECK(b.records[2].server_geo == endpoint_geo{});
}

TEST_CASE("a repeated address is answered from the cache with the same values", "[batch_marker]") {
    const auto geo = locator();
    geo::batch_marker m(geo, 64);
    const auto a = *ip_address::parse("81.2.69.7");
    const auto first = m.lookup(a);
    for (int i = 0; i < 10; ++i) CHECK(m.lookup(a) == first);
    CHECK(m.misses() == 1);
    CHECK(m.hits() == 10);
}

TEST_CASE("a cache smaller than the addresses still answers every address right", "[batch_marker]") {
    const auto geo = locator();
    geo::batch_marker m(geo, 2);  // constant eviction
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 64; ++i) {
            const auto a = ip_address::v4((81u << 24) | (2u << 16) | (69u << 8) | static_cast<unsigned>(i));
            const auto g = m.lookup(a);
            CHECK(g.country.view() == "GB");
            CHECK(g.asn == 20712);
        }
        CHECK(m.lookup(*ip_address::parse("81.2.70.0")) == endpoint_geo{});
    }
}

TEST_CASE("without a database marking leaves records untouched", "[batch_marker]") {
    const geo::geo_locator none;
    geo::batch_marker m(none);
    flow_batch b;
    b.records = {record("81.2.69.7", "2a02:cf40::1")};
    m.mark(b);
    CHECK(b.records[0].client_geo == endpoint_geo{});
    CHECK(m.misses() == 0);
}

TEST_CASE("every record of a long batch is marked with its own addresses", "[batch_marker]") {
    // Longer than the marker's look-ahead, with each record's sides
    // different from its neighbours': a pipeline that mixed up records
    // would give one record another's countries.
    const auto geo = locator();
    geo::batch_marker m(geo, 4);
    const char* addresses[] = {"81.2.69.7", "2a02:cf40::1", "10.0.0.5", "1.130.0.1", "fd00::1", "81.2.70.1"};
    flow_batch b;
    for (std::size_t i = 0; i < 40; ++i)
        b.records.push_back(record(addresses[i % 6], addresses[(i * 5 + 1) % 6]));
    m.mark(b);
    geo::batch_marker single(geo);
    for (const flow_record& r : b.records) {
        CHECK(r.client_geo == single.lookup(r.client_ip));
        CHECK(r.server_geo == single.lookup(r.server_ip));
    }
}
