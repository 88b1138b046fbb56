#include "legacy_geoip_database.hpp"

#include <GeoIP.h>

#include <cstring>
#include <filesystem>
#include <netinet/in.h>

namespace wireflow::collector::geo {

struct legacy_geoip_database::handles {
    GeoIP* v4{nullptr};
    GeoIP* v6{nullptr};
    std::mutex mutex;
    ~handles() {
        if (v4 != nullptr) GeoIP_delete(v4);
        if (v6 != nullptr) GeoIP_delete(v6);
    }
};

namespace {

GeoIP* open_file(const std::filesystem::path& p) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(p, ec)) return nullptr;
    // GEOIP_SILENCE: a broken file is reported by the caller, not printed by the library.
    return GeoIP_open(p.c_str(), GEOIP_MEMORY_CACHE | GEOIP_SILENCE);
}

}  // namespace

legacy_geoip_database::legacy_geoip_database(std::unique_ptr<handles> h) : h_(std::move(h)) {}
legacy_geoip_database::legacy_geoip_database(legacy_geoip_database&&) noexcept = default;
legacy_geoip_database& legacy_geoip_database::operator=(legacy_geoip_database&&) noexcept = default;
legacy_geoip_database::~legacy_geoip_database() = default;

std::optional<legacy_geoip_database> legacy_geoip_database::open(const std::string& dir) {
    if (dir.empty()) return std::nullopt;
    auto h = std::make_unique<handles>();
    h->v4 = open_file(std::filesystem::path(dir) / "GeoIP.dat");
    h->v6 = open_file(std::filesystem::path(dir) / "GeoIPv6.dat");
    if (h->v4 == nullptr && h->v6 == nullptr) return std::nullopt;
    return legacy_geoip_database(std::move(h));
}

bool legacy_geoip_database::has_v4() const noexcept { return h_->v4 != nullptr; }
bool legacy_geoip_database::has_v6() const noexcept { return h_->v6 != nullptr; }

country_code legacy_geoip_database::lookup(const net::ip_address& a) const {
    const char* code = nullptr;
    std::lock_guard lock(h_->mutex);
    if (a.is_v4() && h_->v4 != nullptr) {
        code = GeoIP_country_code_by_ipnum(h_->v4, a.v4_host_order());
    } else if (a.is_v6() && h_->v6 != nullptr) {
        geoipv6_t n{};
        std::memcpy(&n, a.bytes.data(), 16);
        code = GeoIP_country_code_by_ipnum_v6(h_->v6, n);
    }
    // Beside countries the legacy files know "A1" (anonymous proxy), "A2"
    // (satellite), "O1" (other), "AP" and "EU" (a region only): the first
    // three are no letters and read as unknown; "AP"/"EU" likewise, being
    // no country.
    if (code == nullptr || std::strcmp(code, "AP") == 0 || std::strcmp(code, "EU") == 0) return {};
    return country_code::parse(code).value_or(country_code{});
}

}  // namespace wireflow::collector::geo
