// The export spool on its own: names, durability across a reopen, ordering,
// the size bound, and the leftovers of a crash.

#include "export/spool.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

using namespace wireflow::probe;
namespace fs = std::filesystem;

namespace {

struct temp_dir {
    fs::path path;
    temp_dir() {
        char tmpl[] = "/tmp/wireflow-spool-test-XXXXXX";
        REQUIRE(mkdtemp(tmpl) != nullptr);
        path = tmpl;
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

}  // namespace

TEST_CASE("spool file names round-trip boot id and sequence and reject anything else", "[spool]") {
    const std::string name = batch_spool::file_name(0xdeadbeef01234567ull, 42);
    CHECK(name == "deadbeef01234567-00000000000000000042.wfb");
    std::uint64_t boot = 0, seq = 0;
    REQUIRE(batch_spool::parse_file_name(name, boot, seq));
    CHECK(boot == 0xdeadbeef01234567ull);
    CHECK(seq == 42);
    CHECK_FALSE(batch_spool::parse_file_name("deadbeef01234567-00000000000000000042.tmp", boot, seq));
    CHECK_FALSE(batch_spool::parse_file_name("deadbeef0123456x-00000000000000000042.wfb", boot, seq));
    CHECK_FALSE(batch_spool::parse_file_name("deadbeef01234567_00000000000000000042.wfb", boot, seq));
    CHECK_FALSE(batch_spool::parse_file_name("notes.txt", boot, seq));
}

TEST_CASE("batches written to the spool are found by the next open in boot and sequence order", "[spool]") {
    temp_dir d;
    {
        batch_spool s(d.path.string(), 1 << 20);
        CHECK(s.take_found().empty());
        REQUIRE(s.write(2, 1, "b2s1"));
        REQUIRE(s.write(1, 10, "b1s10"));
        REQUIRE(s.write(1, 9, "b1s9"));
        CHECK(s.bytes() == 13);
    }
    batch_spool s(d.path.string(), 1 << 20);
    CHECK(s.bytes() == 13);
    auto found = s.take_found();
    REQUIRE(found.size() == 3);
    CHECK((found[0].boot == 1 && found[0].seq == 9));
    CHECK((found[1].boot == 1 && found[1].seq == 10));
    CHECK((found[2].boot == 2 && found[2].seq == 1));
    CHECK(s.read(found[0]) == std::optional<std::string>("b1s9"));
    CHECK(s.take_found().empty());  // handed over once
}

TEST_CASE("a removed batch is gone from disk and from the spool's size", "[spool]") {
    temp_dir d;
    batch_spool s(d.path.string(), 1 << 20);
    const auto b = s.write(7, 1, "payload");
    REQUIRE(b);
    REQUIRE(fs::exists(b->path));
    s.remove(b->path, b->size);
    CHECK_FALSE(fs::exists(b->path));
    CHECK(s.bytes() == 0);
    CHECK_FALSE(s.read(*b));
}

TEST_CASE("a write that would pass the size limit is refused and leaves nothing behind", "[spool]") {
    temp_dir d;
    batch_spool s(d.path.string(), 10);
    REQUIRE(s.write(1, 1, "12345678"));
    CHECK_FALSE(s.write(1, 2, "123"));
    CHECK(s.bytes() == 8);
    CHECK(std::distance(fs::directory_iterator(d.path), fs::directory_iterator{}) == 1);
}

TEST_CASE("a torn temp file from a crash is removed at open and other files are ignored", "[spool]") {
    temp_dir d;
    std::ofstream(d.path / (batch_spool::file_name(1, 1) + ".tmp")) << "torn";
    std::ofstream(d.path / "README") << "not a batch";
    std::ofstream(d.path / batch_spool::file_name(1, 2)) << "kept";
    batch_spool s(d.path.string(), 1 << 20);
    CHECK_FALSE(fs::exists(d.path / (batch_spool::file_name(1, 1) + ".tmp")));
    CHECK(fs::exists(d.path / "README"));
    const auto found = s.take_found();
    REQUIRE(found.size() == 1);
    CHECK(found[0].seq == 2);
    CHECK(s.bytes() == 4);
}

TEST_CASE("a spool folder that cannot be created is a setup error", "[spool]") {
    temp_dir d;
    std::ofstream(d.path / "file") << "x";
    CHECK_THROWS_AS(batch_spool((d.path / "file" / "sub").string(), 1 << 20), std::runtime_error);
}
