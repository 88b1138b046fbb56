#pragma once
// Tests only: the MaxMind DB files of tests/support/geo_fixtures.py, written
// once per test binary into a temporary folder by the pure-Python writer
// (tests/support/mmdb_writer.py, checked against mmdblookup). Real files
// read by the real libmaxminddb: nothing is mocked.

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace wireflow::collector::geo::testing {

// The files and their folder, removed when the test binary exits (RAII).
struct test_databases {
    std::string dir, country, asn;

    test_databases() {
        // meson test sets WIREFLOW_SOURCE for every test.
        const char* source = std::getenv("WIREFLOW_SOURCE");
        if (source == nullptr) throw std::runtime_error("WIREFLOW_SOURCE is not set (run through meson test)");
        const std::string src = source;
        char tmpl[] = "/tmp/wireflow-geo-XXXXXX";
        if (mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
        dir = tmpl;
        country = dir + "/country.mmdb";
        asn = dir + "/asn.mmdb";
        const std::string cmd = "PYTHONPATH='" + src + "/tests/support' /usr/bin/python3 '" + src +
                                "/tests/support/geo_fixtures.py' '" + dir + "' >/dev/null";
        if (std::system(cmd.c_str()) != 0) throw std::runtime_error("geo_fixtures.py failed: " + cmd);
    }
    ~test_databases() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
    test_databases(const test_databases&) = delete;
    test_databases& operator=(const test_databases&) = delete;
};

inline const test_databases& databases() {
    static const test_databases files;
    return files;
}

}  // namespace wireflow::collector::geo::testing
