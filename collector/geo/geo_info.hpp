#pragma once
// What geolocation knows of one address: its country, its autonomous system
// and that system's name. Each part may be unknown independently (a
// country-only database, an address no database holds).

#include "country_code.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

namespace wireflow::collector::geo {

// AS names come from a database file the operator supplied: bounded and
// repaired to valid UTF-8 without controls (common/net/utf8.hpp) before
// anything keeps them.
inline constexpr std::size_t max_as_name = 128;

struct geo_info {
    country_code country;   // empty: unknown
    std::uint32_t asn{0};   // 0: unknown (AS 0 is reserved, RFC 7607)
    std::string as_name;    // empty: unknown; valid UTF-8, at most max_as_name bytes

    [[nodiscard]] bool empty() const noexcept { return country.empty() && asn == 0; }
};

}  // namespace wireflow::collector::geo
