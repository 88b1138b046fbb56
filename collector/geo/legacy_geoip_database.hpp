#pragma once
// Debian's geoip-database: the legacy GeoIP country files GeoIP.dat (IPv4)
// and GeoIPv6.dat (IPv6) in /usr/share/GeoIP, read with libGeoIP. The
// collector's default when the operator configured no MaxMind DB file:
// Debian installs and updates it, and it needs no account or download. It
// has countries only (no AS).
//
// Either file may be missing (open() then has only the other; neither:
// nullopt). Files are read into memory (GEOIP_MEMORY_CACHE: about 1 MB
// each) so a lookup never reads the disk. RAII: the GeoIP handles are
// deleted by the destructor; move-only.
//
// Thread-safe: libGeoIP documents no guarantee for concurrent lookups on
// one handle, so each lookup takes a mutex; callers cache (batch_marker),
// so lookups are rare.

#include "geo_info.hpp"
#include "net/ip_address.hpp"

#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace wireflow::collector::geo {

class legacy_geoip_database {
public:
    // Opens DIR/GeoIP.dat and DIR/GeoIPv6.dat, whichever exist and open.
    [[nodiscard]] static std::optional<legacy_geoip_database> open(const std::string& dir);

    legacy_geoip_database(legacy_geoip_database&&) noexcept;
    legacy_geoip_database& operator=(legacy_geoip_database&&) noexcept;
    ~legacy_geoip_database();

    // The country of `a`; empty when unknown (or its family's file is missing).
    [[nodiscard]] country_code lookup(const net::ip_address& a) const;

    [[nodiscard]] bool has_v4() const noexcept;
    [[nodiscard]] bool has_v6() const noexcept;

private:
    struct handles;
    explicit legacy_geoip_database(std::unique_ptr<handles> h);
    std::unique_ptr<handles> h_;
};

}  // namespace wireflow::collector::geo
