#pragma once
// Geolocation as the rest of the collector sees it: locate(address) ->
// country, AS number and AS name, from whichever databases are configured:
//   country  the country MaxMind DB file (--geoip-country), else Debian's
//            legacy geoip-database files (--geoip-legacy-dir, default
//            /usr/share/GeoIP): country only;
//   AS       the ASN MaxMind DB file (--geoip-asn), else the country file
//            when its records carry AS fields (DB-IP style combined data).
// Private, loopback, link-local, multicast, documentation and other
// special-purpose addresses are never looked up (public_address.hpp).
//
// Setup: a file the operator named that cannot be opened throws
// std::runtime_error (bad configuration, like any other); missing legacy
// files only leave the collector without geolocation (describe() says so,
// once, at start-up).
//
// Thread-safe (the databases are); a lookup costs a tree walk (about a
// microsecond), so per-record callers go through batch_marker's cache and
// the host table asks once per new host.

#include "geo_info.hpp"
#include "legacy_geoip_database.hpp"
#include "mmdb_database.hpp"
#include "net/ip_address.hpp"

#include <optional>
#include <string>

namespace wireflow::collector::geo {

struct geo_settings {
    std::string country_mmdb;                   // empty: none
    std::string asn_mmdb;                       // empty: none
    std::string legacy_dir{"/usr/share/GeoIP"};  // empty: no legacy default
};

class geo_locator {
public:
    geo_locator() = default;  // no database: locate() knows nothing
    explicit geo_locator(const geo_settings& s);

    [[nodiscard]] geo_info locate(const net::ip_address& a) const;

    // Whether any database is open (locate can know something).
    [[nodiscard]] bool enabled() const noexcept { return country_ || legacy_ || asn_; }
    // One line for the start-up log: which file answers what.
    [[nodiscard]] std::string describe() const;

private:
    std::optional<mmdb_database> country_;
    std::optional<mmdb_database> asn_;
    std::optional<legacy_geoip_database> legacy_;
    std::string legacy_dir_;
};

}  // namespace wireflow::collector::geo
