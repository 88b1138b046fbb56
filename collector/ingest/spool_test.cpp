#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "spool.hpp"

using namespace wireflow::collector::ingest;
namespace fs = std::filesystem;

namespace {

struct temp_dir {
    fs::path path;
    temp_dir() {
        std::random_device rd;
        path = fs::temp_directory_path() / ("wireflow-spool-test-" + std::to_string(::getpid()) + "-" +
                                            std::to_string(rd()));
        fs::create_directories(path);
    }
    ~temp_dir() { fs::remove_all(path); }
};

std::span<const std::byte> bytes(const std::string& s) { return std::as_bytes(std::span{s.data(), s.size()}); }

std::string payload(int i) { return "batch-" + std::to_string(i) + std::string(static_cast<std::size_t>(i % 7), 'x'); }

std::vector<std::string> read_all(const spool& s) {
    std::vector<std::string> out;
    for (const auto seg : s.segments())
        for (auto& r : s.read_segment(seg)) out.push_back(std::move(r));
    return out;
}

}  // namespace

TEST_CASE("crc32c matches the RFC 3720 check value", "[spool]") {
    const std::string check = "123456789";
    CHECK(crc32c(bytes(check)) == 0xe3069283u);
}

TEST_CASE("records appended are read back in order after reopening", "[spool]") {
    temp_dir d;
    std::vector<std::string> written;
    {
        spool s(d.path, 1 << 20, 4096);
        for (int i = 0; i < 300; ++i) {
            written.push_back(payload(i));
            REQUIRE(s.append(bytes(written.back())));
        }
        s.sync();
        CHECK(s.records() == 300);
        CHECK(s.segments().size() > 1);  // rolled over at 4 KiB
    }
    spool again(d.path, 1 << 20, 4096);
    CHECK(again.records() == 300);
    CHECK(read_all(again) == written);
}

TEST_CASE("a torn last record is truncated at open and earlier records survive", "[spool]") {
    temp_dir d;
    fs::path seg;
    std::uintmax_t good_size = 0;
    {
        spool s(d.path, 1 << 20);
        REQUIRE(s.append(bytes(payload(1))));
        REQUIRE(s.append(bytes(payload(2))));
        s.sync();
        seg = d.path / fs::directory_iterator(d.path)->path().filename();
        good_size = fs::file_size(seg);
        REQUIRE(s.append(bytes(std::string(1000, 'q'))));
        s.sync();
    }
    SECTION("short payload") { fs::resize_file(seg, good_size + 8 + 500); }
    SECTION("short header") { fs::resize_file(seg, good_size + 3); }
    SECTION("corrupted payload") {
        std::fstream f(seg, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(static_cast<std::streamoff>(good_size + 8 + 999));
        f.put('Z');
    }
    spool s(d.path, 1 << 20);
    CHECK(s.records() == 2);
    CHECK(s.truncated_bytes() > 0);
    CHECK(fs::file_size(seg) == good_size);
    CHECK(read_all(s) == std::vector<std::string>{payload(1), payload(2)});
    // Appending after recovery continues cleanly.
    REQUIRE(s.append(bytes(payload(3))));
    s.sync();
    spool again(d.path, 1 << 20);
    CHECK(read_all(again) == std::vector<std::string>{payload(1), payload(2), payload(3)});
}

TEST_CASE("a segment with no intact record is discarded at open", "[spool]") {
    temp_dir d;
    {
        std::ofstream f(d.path / "seg-00000000000000000005.spool", std::ios::binary);
        f << "WFSPO";  // crash while writing the magic
    }
    spool s(d.path, 1 << 20);
    CHECK(s.empty());
    CHECK(s.segments().empty());
    CHECK(fs::is_empty(d.path));
}

TEST_CASE("the spool refuses records beyond its size bound", "[spool]") {
    temp_dir d;
    spool s(d.path, 10'000, 4096);
    const std::string rec(1000, 'r');
    int accepted = 0;
    while (s.append(bytes(rec))) ++accepted;
    CHECK(accepted >= 8);
    CHECK(accepted < 10);
    CHECK(s.bytes() <= 10'000);
    // Room comes back when a segment is removed.
    s.seal();
    s.remove_segment(s.segments().front());
    CHECK(s.append(bytes(rec)));
}

TEST_CASE("removed segments are gone for good and numbers are not reused", "[spool]") {
    temp_dir d;
    spool s(d.path, 1 << 20, 4096);
    for (int i = 0; i < 400; ++i) REQUIRE(s.append(bytes(payload(i))));
    s.seal();
    const auto before = s.segments();
    REQUIRE(before.size() >= 2);
    for (const auto seg : before) s.remove_segment(seg);
    CHECK(s.empty());
    REQUIRE(s.append(bytes(payload(1000))));
    s.sync();
    CHECK(s.segments().front() > before.back());
    spool again(d.path, 1 << 20, 4096);
    CHECK(read_all(again) == std::vector<std::string>{payload(1000)});
}
