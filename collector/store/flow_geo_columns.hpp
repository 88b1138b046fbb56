#pragma once
// The columns of schema v8 (geolocation of both sides: country and AS
// number, NULL when unknown) as the store's read queries select them, and
// their reader: one list for the REST flow query (flow_query) and
// store::read_flows. The writer's side is flow_rows (binary COPY).
//
// Internal to collector/store.

#include "model/flow_geo.hpp"

#include <pqxx/pqxx>

#include <string_view>

namespace wireflow::collector::flow_geo_columns {

// Appended to a SELECT list (leading comma).
inline constexpr std::string_view select = ", client_country, client_asn, server_country, server_asn";
inline constexpr int count = 4;

struct sides {
    endpoint_geo client, server;
};

// Reads the `count` columns of `select` from column `at` of `r` on. A value
// not written by the collector (a hand-edited row) reads as unknown.
[[nodiscard]] sides read(const pqxx::row& r, int at);

}  // namespace wireflow::collector::flow_geo_columns
