#include "flow_geo_columns.hpp"

namespace wireflow::collector::flow_geo_columns {

namespace {

endpoint_geo side(const pqxx::row& r, int at) {
    endpoint_geo g;
    if (!r[at].is_null()) g.country = geo::country_code::parse(r[at].c_str()).value_or(geo::country_code{});
    if (!r[at + 1].is_null()) {
        const long long asn = r[at + 1].as<long long>();
        if (asn > 0 && asn <= 0xffffffffLL) g.asn = static_cast<std::uint32_t>(asn);
    }
    return g;
}

}  // namespace

sides read(const pqxx::row& r, int at) { return {side(r, at), side(r, at + 2)}; }

}  // namespace wireflow::collector::flow_geo_columns
