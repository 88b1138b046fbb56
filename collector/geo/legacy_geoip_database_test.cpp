#include "geo_locator.hpp"
#include "legacy_geoip_database.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

using namespace wireflow::collector::geo;
using wireflow::net::ip_address;

namespace {

constexpr const char* debian_dir = "/usr/share/GeoIP";

// geoiplookup(1) (Debian's geoip-bin, the same library's own tool) on the
// same file: "GeoIP Country Edition: US, United States" -> "US"; "" when
// not found or the tool is missing.
std::string geoiplookup(const std::string& address, bool v6) {
    const std::string cmd = std::string(v6 ? "geoiplookup6 -f " : "geoiplookup -f ") + debian_dir +
                            (v6 ? "/GeoIPv6.dat " : "/GeoIP.dat ") + address + " 2>/dev/null";
    std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
    if (!p) return {};
    char line[256] = {};
    if (std::fgets(line, sizeof line, p.get()) == nullptr) return {};
    const std::string s = line;
    const auto colon = s.find(": ");
    if (colon == std::string::npos || s.find("not found") != std::string::npos) return {};
    const auto comma = s.find(',', colon);
    return comma == std::string::npos ? std::string() : s.substr(colon + 2, comma - colon - 2);
}

bool have_debian_files() {
    std::error_code ec;
    return std::filesystem::exists(std::string(debian_dir) + "/GeoIP.dat", ec) &&
           std::filesystem::exists(std::string(debian_dir) + "/GeoIPv6.dat", ec) &&
           !geoiplookup("8.8.8.8", false).empty();
}

}  // namespace

TEST_CASE("Debian's legacy country files answer what geoiplookup answers", "[legacy_geoip]") {
    if (!have_debian_files()) {
        WARN("geoip-database or geoip-bin not installed: legacy lookups not checked");
        return;
    }
    const auto db = legacy_geoip_database::open(debian_dir);
    REQUIRE(db);
    CHECK(db->has_v4());
    CHECK(db->has_v6());
    int compared = 0;
    for (const char* a : {"8.8.8.8", "81.2.69.142", "193.0.6.139", "200.160.2.3", "202.12.27.33", "41.0.0.1"}) {
        const std::string want = geoiplookup(a, false);
        INFO(a);
        CHECK(std::string(db->lookup(*ip_address::parse(a)).view()) == want);
        compared += want.empty() ? 0 : 1;
    }
    for (const char* a : {"2001:4860:4860::8888", "2001:67c:2e8::1", "2001:218::1"}) {
        const std::string want = geoiplookup(a, true);
        INFO(a);
        CHECK(std::string(db->lookup(*ip_address::parse(a)).view()) == want);
        compared += want.empty() ? 0 : 1;
    }
    CHECK(compared >= 6);  // the comparison compared something
}

TEST_CASE("without a country file the locator falls back to the legacy files, country only", "[legacy_geoip]") {
    if (!have_debian_files()) {
        WARN("geoip-database or geoip-bin not installed: legacy fallback not checked");
        return;
    }
    const geo_locator geo(geo_settings{});  // the defaults: /usr/share/GeoIP
    REQUIRE(geo.enabled());
    const auto g = geo.locate(*ip_address::parse("8.8.8.8"));
    CHECK(std::string(g.country.view()) == geoiplookup("8.8.8.8", false));
    CHECK(g.asn == 0);
    CHECK(geo.describe().find("legacy, country only") != std::string::npos);
    // An empty folder setting switches the default off.
    geo_settings off;
    off.legacy_dir = "";
    CHECK_FALSE(geo_locator(off).enabled());
}

TEST_CASE("a folder without the legacy files opens nothing", "[legacy_geoip]") {
    CHECK_FALSE(legacy_geoip_database::open("/nonexistent/wireflow-geoip"));
    CHECK_FALSE(legacy_geoip_database::open(""));
}
