#pragma once
// One MaxMind DB file (GeoLite2/GeoIP2 Country, City or ASN; DB-IP lite
// country or ASN: the same format and key names) opened with libmaxminddb,
// the format's reference reader, memory-mapped (MMDB_MODE_MMAP): the kernel
// shares and pages the file, nothing is copied.
//
// RAII: the handle is closed by the destructor; move-only. open() throws
// std::runtime_error naming the file and libmaxminddb's reason.
//
// Thread-safe: lookups on one opened file may run concurrently
// (libmaxminddb(3), THREAD SAFETY); nothing here changes after open.
//
// What it reads (MaxMind DB key names; each part absent when the record
// lacks it or holds another type):
//   country.iso_code, else registered_country.iso_code   (Country, City, DB-IP)
//   autonomous_system_number, autonomous_system_organization   (ASN, DB-IP asn)
// The file is operator-supplied input: an iso_code that is not two ASCII
// letters reads as unknown; the AS name is bounded and repaired (geo_info.hpp).

#include "geo_info.hpp"
#include "net/ip_address.hpp"

#include <memory>
#include <string>

namespace wireflow::collector::geo {

class mmdb_database {
public:
    [[nodiscard]] static mmdb_database open(const std::string& path);

    mmdb_database(mmdb_database&&) noexcept;
    mmdb_database& operator=(mmdb_database&&) noexcept;
    ~mmdb_database();

    // The record of the network holding `a` (binary, no text round trip).
    // Empty when no network holds it or the file cannot answer (an IPv6
    // address in an IPv4-only file).
    [[nodiscard]] geo_info lookup(const net::ip_address& a) const;

    [[nodiscard]] const std::string& path() const noexcept { return path_; }
    // The metadata's database_type, e.g. "GeoLite2-Country".
    [[nodiscard]] const std::string& type() const noexcept { return type_; }

private:
    struct handle;
    mmdb_database(std::string path, std::unique_ptr<handle> h, std::string type);

    std::string path_;
    std::unique_ptr<handle> h_;
    std::string type_;
};

}  // namespace wireflow::collector::geo
