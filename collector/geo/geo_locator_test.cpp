#include "geo_locator.hpp"

#include "net/utf8.hpp"
#include "test_databases.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

using namespace wireflow::collector::geo;
using wireflow::net::ip_address;

namespace {

ip_address ip(const char* text) { return *ip_address::parse(text); }

geo_settings mmdb_only(bool with_asn) {
    geo_settings s;
    s.country_mmdb = testing::databases().country;
    if (with_asn) s.asn_mmdb = testing::databases().asn;
    s.legacy_dir = "";
    return s;
}

}  // namespace

TEST_CASE("an IPv4 network's first and last addresses have its country, the next ones none", "[geo_locator]") {
    const geo_locator geo(mmdb_only(false));
    CHECK(geo.locate(ip("81.2.69.0")).country.view() == "GB");
    CHECK(geo.locate(ip("81.2.69.255")).country.view() == "GB");
    CHECK(geo.locate(ip("81.2.70.0")).country.empty());
    CHECK(geo.locate(ip("81.2.68.255")).country.empty());
    // A /28: 89.160.20.112 .. 89.160.20.127.
    CHECK(geo.locate(ip("89.160.20.127")).country.view() == "SE");
    CHECK(geo.locate(ip("89.160.20.128")).empty());
}

TEST_CASE("an IPv6 network's boundaries, and IPv4 found in an IPv6 tree", "[geo_locator]") {
    const geo_locator geo(mmdb_only(false));
    // 2a02:cf40::/29 ends at 2a02:cf47:ffff:...
    CHECK(geo.locate(ip("2a02:cf40::")).country.view() == "NO");
    CHECK(geo.locate(ip("2a02:cf47:ffff:ffff:ffff:ffff:ffff:ffff")).country.view() == "NO");
    CHECK(geo.locate(ip("2a02:cf48::")).country.empty());
    CHECK(geo.locate(ip("2001:218:ffff::1")).country.view() == "JP");
    // An IPv4-mapped address is the IPv4 address.
    CHECK(geo.locate(ip("::ffff:81.2.69.1")).country.view() == "GB");
}

TEST_CASE("registered_country answers when country is absent", "[geo_locator]") {
    const geo_locator geo(mmdb_only(false));
    CHECK(geo.locate(ip("175.16.199.1")).country.view() == "CN");
}

TEST_CASE("a lower-case iso_code is upper-cased, one that is not two letters is unknown", "[geo_locator]") {
    const geo_locator geo(mmdb_only(false));
    CHECK(geo.locate(ip("89.160.20.112")).country.view() == "SE");
    CHECK(geo.locate(ip("67.43.156.1")).country.empty());
}

TEST_CASE("AS number and name come from the ASN file, the country from the country file", "[geo_locator]") {
    const geo_locator geo(mmdb_only(true));
    const auto g = geo.locate(ip("81.2.69.160"));
    CHECK(g.country.view() == "GB");
    CHECK(g.asn == 20712);
    CHECK(g.as_name == "Andrews & Arnold Ltd");
    const auto v6 = geo.locate(ip("2a02:cf41::9"));
    CHECK(v6.country.view() == "NO");
    CHECK(v6.asn == 2119);
    CHECK(v6.as_name == "Telenor Norge AS");
    // In the ASN file only: an AS without a country.
    const auto au = geo.locate(ip("1.159.255.255"));
    CHECK(au.country.empty());
    CHECK(au.asn == 1221);
    CHECK(geo.locate(ip("1.160.0.0")).asn == 0);
}

TEST_CASE("a country file carrying AS fields answers the AS when no ASN file is configured", "[geo_locator]") {
    const auto g = geo_locator(mmdb_only(false)).locate(ip("89.160.20.120"));
    CHECK(g.asn == 29518);
    CHECK(g.as_name == "Bredband2 AB");
    // With an ASN file, it answers (here: nothing for that network).
    CHECK(geo_locator(mmdb_only(true)).locate(ip("89.160.20.120")).asn == 0);
}

TEST_CASE("a hostile AS name is repaired to valid UTF-8 without controls and bounded", "[geo_locator]") {
    const auto g = geo_locator(mmdb_only(true)).locate(ip("149.101.100.5"));
    REQUIRE(g.asn == 6167);
    CHECK(g.as_name.size() <= max_as_name);
    CHECK(g.as_name.size() >= max_as_name - 3);  // cut at a character boundary, not emptied
    CHECK(wireflow::net::valid_utf8_text(g.as_name));
    // Markup is kept as text (the JSON and the dashboard escape it); the
    // byte that started no sequence became U+FFFD.
    CHECK(g.as_name.rfind("<img src=x onerror=alert(1)>\xEF\xBF\xBD(AAA", 0) == 0);
}

TEST_CASE("private, loopback, link-local, multicast and documentation addresses are never located", "[geo_locator]") {
    const geo_locator geo(mmdb_only(true));
    for (const char* a : {"10.1.2.3", "192.168.0.1", "127.0.0.1", "169.254.0.1", "224.0.0.1", "192.0.2.1", "fe80::1",
                          "fd00::1", "ff02::1", "2001:db8::1", "::1"})
        CHECK(geo.locate(ip(a)).empty());
}

TEST_CASE("no database at all: locate knows nothing and describes why", "[geo_locator]") {
    geo_settings s;
    s.legacy_dir = "/nonexistent/wireflow-geoip";
    const geo_locator geo(s);
    CHECK_FALSE(geo.enabled());
    CHECK(geo.locate(ip("81.2.69.1")).empty());
    CHECK(geo.describe().find("no geolocation database") != std::string::npos);
    CHECK_FALSE(geo_locator().enabled());
}

TEST_CASE("a named MaxMind DB file that cannot be opened is a start-up error naming it", "[geo_locator]") {
    geo_settings s;
    s.country_mmdb = "/nonexistent/country.mmdb";
    CHECK_THROWS_WITH(geo_locator(s), Catch::Contains("/nonexistent/country.mmdb"));
    // Not a MaxMind DB: a text file.
    const auto junk = std::filesystem::path(testing::databases().dir) / "junk.mmdb";
    std::ofstream(junk) << "not a database\n";
    geo_settings t;
    t.asn_mmdb = junk.string();
    CHECK_THROWS_WITH(geo_locator(t), Catch::Contains("junk.mmdb"));
}

TEST_CASE("describe names the files that answer", "[geo_locator]") {
    const auto text = geo_locator(mmdb_only(true)).describe();
    CHECK(text.find("country.mmdb (Wireflow-Test-Country)") != std::string::npos);
    CHECK(text.find("asn.mmdb (Wireflow-Test-ASN)") != std::string::npos);
}
