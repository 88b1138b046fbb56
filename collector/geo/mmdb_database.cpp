#include "mmdb_database.hpp"

#include "net/utf8.hpp"

#include <maxminddb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string_view>

namespace wireflow::collector::geo {

struct mmdb_database::handle {
    MMDB_s db{};
    bool opened{false};  // MMDB_open leaves nothing to close when it fails
    ~handle() {
        if (opened) MMDB_close(&db);
    }
};

namespace {

// The UTF-8 string at `path` (NULL-terminated key list) of an entry, or
// empty. libmaxminddb's strings are not NUL-terminated: data_size bytes.
std::string_view utf8_at(MMDB_entry_s& entry, const char* const* path) {
    MMDB_entry_data_s data{};
    if (MMDB_aget_value(&entry, &data, path) != MMDB_SUCCESS || !data.has_data ||
        data.type != MMDB_DATA_TYPE_UTF8_STRING)
        return {};
    return {data.utf8_string, data.data_size};
}

std::uint32_t uint_at(MMDB_entry_s& entry, const char* const* path) {
    MMDB_entry_data_s data{};
    if (MMDB_aget_value(&entry, &data, path) != MMDB_SUCCESS || !data.has_data) return 0;
    // GeoLite2-ASN writes uint32; a writer may choose a narrower type.
    switch (data.type) {
    case MMDB_DATA_TYPE_UINT32: return data.uint32;
    case MMDB_DATA_TYPE_UINT16: return data.uint16;
    default: return 0;
    }
}

}  // namespace

mmdb_database::mmdb_database(std::string path, std::unique_ptr<handle> h, std::string type)
    : path_(std::move(path)), h_(std::move(h)), type_(std::move(type)) {}
mmdb_database::mmdb_database(mmdb_database&&) noexcept = default;
mmdb_database& mmdb_database::operator=(mmdb_database&&) noexcept = default;
mmdb_database::~mmdb_database() = default;

mmdb_database mmdb_database::open(const std::string& path) {
    auto h = std::make_unique<handle>();
    const int status = MMDB_open(path.c_str(), MMDB_MODE_MMAP, &h->db);
    if (status != MMDB_SUCCESS) {
        std::string why = MMDB_strerror(status);
        if (status == MMDB_IO_ERROR) why += std::string(": ") + std::strerror(errno);
        throw std::runtime_error("cannot open MaxMind DB " + path + ": " + why);
    }
    h->opened = true;
    const char* t = h->db.metadata.database_type;
    std::string type = t != nullptr ? net::sanitize_utf8(std::string_view(t), 64) : std::string();
    return mmdb_database(path, std::move(h), std::move(type));
}

geo_info mmdb_database::lookup(const net::ip_address& a) const {
    geo_info g;
    sockaddr_storage ss{};
    if (a.is_v4()) {
        auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
        sin->sin_family = AF_INET;
        std::memcpy(&sin->sin_addr, a.bytes.data(), 4);
    } else if (a.is_v6()) {
        auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
        sin6->sin6_family = AF_INET6;
        std::memcpy(&sin6->sin6_addr, a.bytes.data(), 16);
    } else {
        return g;
    }
    int error = MMDB_SUCCESS;
    MMDB_lookup_result_s r = MMDB_lookup_sockaddr(&h_->db, reinterpret_cast<const sockaddr*>(&ss), &error);
    if (error != MMDB_SUCCESS || !r.found_entry) return g;

    static constexpr const char* country_path[] = {"country", "iso_code", nullptr};
    static constexpr const char* registered_path[] = {"registered_country", "iso_code", nullptr};
    static constexpr const char* asn_path[] = {"autonomous_system_number", nullptr};
    static constexpr const char* org_path[] = {"autonomous_system_organization", nullptr};
    // The country where the address is used; else where its block is
    // registered (GeoLite2 has only this for some networks, e.g. anycast).
    auto cc = country_code::parse(utf8_at(r.entry, country_path));
    if (!cc) cc = country_code::parse(utf8_at(r.entry, registered_path));
    if (cc) g.country = *cc;
    g.asn = uint_at(r.entry, asn_path);
    if (g.asn != 0) g.as_name = net::sanitize_utf8(utf8_at(r.entry, org_path), max_as_name);
    return g;
}

}  // namespace wireflow::collector::geo
