// Geolocation of both sides (schema v8) against a real PostgreSQL: written
// by the binary COPY, read back by SQL, by store::read_flows and by the flow
// query the REST API uses; unknown stays NULL, never '' or 0; the country
// and asn filters match either side; a v7 database migrates and keeps its
// rows unknown.
#include "store/db_pool.hpp"
#include "store/flow_query.hpp"
#include "store/schema.hpp"
#include "store/store_test_rows.hpp"

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include <algorithm>
#include <string>
#include <vector>

using namespace std::chrono;
using namespace wireflow::collector;
using namespace wireflow::collector::store_rows;

namespace {

endpoint_geo located(const char* cc, std::uint32_t asn) {
    return endpoint_geo{cc ? *geo::country_code::parse(cc) : geo::country_code{}, asn};
}

std::vector<flow_item> stored(fixture& f, const std::string& probe, const std::string& country = "",
                              std::optional<std::uint32_t> asn = std::nullopt) {
    flow_filter filter;
    if (!country.empty()) filter.country = *geo::country_code::parse(country);
    filter.asn = asn;
    return queried_flows(f.db.dsn(), probe, filter);
}

}  // namespace

TEST_CASE("each side's country and AS round-trip through the store; unknown stays null", "[store][geo]") {
    fixture f;
    f.s.ensure_partitions(day1, 0);
    flow_batch b = make_batch("g", 3, 1, 3, ns_of(day1));
    b.records[0].server_geo = located("GB", 20712);
    b.records[1].client_geo = located(nullptr, 4294967295u);  // the whole 32-bit AS range fits
    b.records[1].server_geo = located("NO", 0);
    // records[2]: nothing known (private addresses, or no database).
    REQUIRE(f.s.write_batches(std::vector{b}) == std::vector{write_result::stored});

    auto c = f.db.connect();
    const auto id = [&](int i) { return std::to_string(b.records[static_cast<std::size_t>(i)].flow_id); };
    CHECK(scalar(c, "SELECT count(*) FROM flows WHERE flow_id = " + id(0) +
                        " AND client_country IS NULL AND client_asn IS NULL AND server_country = 'GB'"
                        " AND server_asn = 20712") == 1);
    CHECK(scalar(c, "SELECT count(*) FROM flows WHERE flow_id = " + id(1) +
                        " AND client_country IS NULL AND client_asn = 4294967295 AND server_country = 'NO'"
                        " AND server_asn IS NULL") == 1);
    CHECK(scalar(c, "SELECT count(*) FROM flows WHERE flow_id = " + id(2) +
                        " AND num_nulls(client_country, client_asn, server_country, server_asn) = 4") == 1);

    const auto items = stored(f, "g");
    REQUIRE(items.size() == 3);
    CHECK(items[0].server_geo == located("GB", 20712));
    CHECK(items[0].client_geo == endpoint_geo{});
    CHECK(items[1].client_geo == located(nullptr, 4294967295u));
    CHECK(items[1].server_geo == located("NO", 0));
    CHECK(items[2].client_geo == endpoint_geo{});
    CHECK(items[2].server_geo == endpoint_geo{});

    const auto rows = f.s.read_flows("g");
    REQUIRE(rows.size() == 3);
    CHECK(rows[0].row.server_geo == located("GB", 20712));
    CHECK(rows[1].row.client_geo.asn == 4294967295u);
}

TEST_CASE("the country and asn filters match either side, nothing else", "[store][geo]") {
    fixture f;
    f.s.ensure_partitions(day1, 0);
    flow_batch b = make_batch("q", 3, 1, 4, ns_of(day1));
    b.records[0].server_geo = located("GB", 20712);
    b.records[1].client_geo = located("GB", 5466);
    b.records[2].client_geo = located("SE", 29518);
    b.records[2].server_geo = located("NO", 2119);
    REQUIRE(f.s.write_batches(std::vector{b}) == std::vector{write_result::stored});
    const auto ids = [&](const std::string& cc, std::optional<std::uint32_t> asn) {
        std::vector<std::uint64_t> out;
        for (const auto& it : stored(f, "q", cc, asn)) out.push_back(it.flow_id);
        return out;
    };
    const auto id = [&](std::size_t i) { return b.records[i].flow_id; };
    CHECK(ids("GB", std::nullopt) == std::vector{id(0), id(1)});
    CHECK(ids("NO", std::nullopt) == std::vector{id(2)});
    CHECK(ids("SE", std::nullopt) == std::vector{id(2)});
    CHECK(ids("DE", std::nullopt).empty());
    CHECK(ids("", 20712) == std::vector{id(0)});
    CHECK(ids("", 2119) == std::vector{id(2)});
    CHECK(ids("GB", 5466) == std::vector{id(1)});  // both filters: AND
    CHECK(ids("GB", 2119).empty());
    CHECK(ids("", std::nullopt).size() == 4);
}

TEST_CASE("a database of schema version 7 gains the geolocation columns and keeps its rows unknown", "[store][schema]") {
    test_database db{false};
    db.migrate_to(7);
    {
        auto c = db.connect();
        pqxx::work tx{c};
        insert_old_flow(tx, "v7", "81.2.69.7");
        tx.commit();
    }
    store s{db.dsn()};
    CHECK(s.migrate() == store::latest_schema_version());
    CHECK(store::latest_schema_version() >= 8);
    auto c = db.connect();
    CHECK(scalar(c, "SELECT count(*) FROM flows WHERE probe_id = 'v7'"
                    " AND num_nulls(client_country, client_asn, server_country, server_asn) = 4") == 1);
    const auto rows = s.read_flows("v7");
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].row.server_geo == endpoint_geo{});
    flow_batch b = make_batch("p", 1, 1, 1, ns_of(day1));
    b.records[0].server_geo = located("GB", 20712);
    CHECK(s.write_batches(std::vector{b}) == std::vector{write_result::stored});
    CHECK(s.read_flows("p").at(0).row.server_geo == located("GB", 20712));
}
