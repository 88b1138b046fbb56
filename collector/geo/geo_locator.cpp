#include "geo_locator.hpp"

#include "public_address.hpp"

namespace wireflow::collector::geo {

geo_locator::geo_locator(const geo_settings& s) : legacy_dir_(s.legacy_dir) {
    if (!s.country_mmdb.empty()) country_ = mmdb_database::open(s.country_mmdb);
    if (!s.asn_mmdb.empty()) asn_ = mmdb_database::open(s.asn_mmdb);
    // The legacy files are a default, not a request: only without a country file.
    if (!country_) legacy_ = legacy_geoip_database::open(s.legacy_dir);
}

geo_info geo_locator::locate(const net::ip_address& a) const {
    const auto address = lookup_address(a);
    if (!address || !enabled()) return {};
    geo_info g;
    if (country_) g = country_->lookup(*address);
    else if (legacy_) g.country = legacy_->lookup(*address);
    if (asn_) {
        geo_info as = asn_->lookup(*address);
        g.asn = as.asn;
        g.as_name = std::move(as.as_name);
    }
    return g;
}

std::string geo_locator::describe() const {
    if (!enabled())
        return "no geolocation database (no --geoip-country file, no legacy GeoIP files in '" + legacy_dir_ +
               "'): hosts and flows have no country or AS";
    std::string out = "geolocation: country from ";
    if (country_) out += country_->path() + (country_->type().empty() ? "" : " (" + country_->type() + ")");
    else if (legacy_)
        out += legacy_dir_ + "/" +
               (legacy_->has_v4() && legacy_->has_v6() ? "GeoIP.dat, GeoIPv6.dat"
                : legacy_->has_v4()                   ? "GeoIP.dat (IPv4 only)"
                                                      : "GeoIPv6.dat (IPv6 only)") +
               " (legacy, country only)";
    else out += "nowhere";
    out += ", AS from ";
    if (asn_) out += asn_->path() + (asn_->type().empty() ? "" : " (" + asn_->type() + ")");
    else if (country_) out += country_->path() + " when its records carry AS fields";
    else out += "nowhere";
    return out;
}

}  // namespace wireflow::collector::geo
