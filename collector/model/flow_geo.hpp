#pragma once
// Geolocation of one side of a flow as a record carries it: country and AS
// number, 8 bytes by value (the AS name lives with the host, geo/geo_info).
// Set by the geolocation stage before storing (collector/geo/batch_marker);
// empty and 0 when unknown, stored as NULL (schema v8).

#include <cstdint>

#include "geo/country_code.hpp"

namespace wireflow::collector {

struct endpoint_geo {
    geo::country_code country;  // empty: unknown
    std::uint32_t asn{0};       // 0: unknown
    friend bool operator==(const endpoint_geo&, const endpoint_geo&) = default;
};

}  // namespace wireflow::collector
