#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "capture/capture_file.hpp"
#include "dissect/link_type.hpp"

using namespace wireflow::probe;

namespace {

struct temp_pcap {
    std::string path;
    temp_pcap(std::uint32_t linktype, unsigned records, bool truncate_last) {
        char name[] = "/tmp/capture_file_test_XXXXXX";
        const int fd = mkstemp(name);
        REQUIRE(fd >= 0);
        close(fd);
        path = name;
        std::ofstream f(path, std::ios::binary);
        auto put32 = [&](std::uint32_t v) { f.write(reinterpret_cast<const char*>(&v), 4); };
        auto put16 = [&](std::uint16_t v) { f.write(reinterpret_cast<const char*>(&v), 2); };
        put32(0xa1b2c3d4);  // microsecond pcap, host order (little-endian test machines)
        put16(2);
        put16(4);
        put32(0);
        put32(0);
        put32(65535);
        put32(linktype);
        const std::string frame(60, '\x11');
        for (unsigned i = 0; i < records; ++i) {
            put32(1700000000 + i);
            put32(0);
            put32(60);
            put32(60);
            if (truncate_last && i + 1 == records) f.write(frame.data(), 10);  // record cut short
            else f.write(frame.data(), 60);
        }
    }
    ~temp_pcap() { std::remove(path.c_str()); }
};

}  // namespace

TEST_CASE("inspection reports link type, packet count and longest frame of a pcap", "[capture_file]") {
    temp_pcap p(1, 5, false);
    const auto info = inspect_capture(p.path);
    CHECK(info.max_caplen == 60);
    CHECK(info.pcap_link_type == 1);
    CHECK(info.link_type_name == "EN10MB");
    CHECK(info.packets == 5);
    CHECK_FALSE(info.read_error);
    CHECK(link_type_from_pcap(info.pcap_link_type) == link_type::ethernet);
}

TEST_CASE("a truncated last record is not counted and is reported", "[capture_file]") {
    temp_pcap p(1, 4, true);
    const auto info = inspect_capture(p.path);
    CHECK(info.packets == 3);
    CHECK(info.read_error);
}

TEST_CASE("radiotap capture is inspected but not mapped to a dissectable link type", "[capture_file]") {
    temp_pcap p(127, 2, false);
    const auto info = inspect_capture(p.path);
    CHECK(info.pcap_link_type == 127);
    CHECK(info.link_type_name == "IEEE802_11_RADIO");
    CHECK_FALSE(link_type_from_pcap(info.pcap_link_type).has_value());
}

TEST_CASE("a file that is not a capture is refused with a one-line error naming it", "[capture_file]") {
    char name[] = "/tmp/capture_file_test_XXXXXX";
    const int fd = mkstemp(name);
    REQUIRE(fd >= 0);
    REQUIRE(write(fd, "not a pcap file at all, really", 30) == 30);
    close(fd);
    try {
        (void)inspect_capture(name);
        FAIL("no error");
    } catch (const std::runtime_error& e) {
        const std::string msg = e.what();
        CHECK(msg.find(name) != std::string::npos);
        CHECK(msg.find('\n') == std::string::npos);
    }
    std::remove(name);
}
