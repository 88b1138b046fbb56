#include "prefetch.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

using namespace wireflow;

namespace {

std::vector<std::uintptr_t> lines_of(const char* p, std::size_t bytes) {
    std::vector<std::uintptr_t> lines;
    for_each_line(p, bytes, [&](const char* line) { lines.push_back(reinterpret_cast<std::uintptr_t>(line)); });
    return lines;
}

}  // namespace

TEST_CASE("every line an object straddles is visited, once, in order", "[prefetch]") {
    alignas(64) static char buffer[1024];
    for (const std::size_t size : {1u, 8u, 63u, 64u, 65u, 72u, 128u, 224u}) {
        for (std::size_t offset = 0; offset < 64; offset += 8) {
            const char* p = buffer + 64 + offset;
            const auto lines = lines_of(p, size);
            INFO("size " << size << " at offset " << offset);
            REQUIRE(!lines.empty());
            CHECK(lines.front() == reinterpret_cast<std::uintptr_t>(buffer + 64));
            // The last byte lies in the last line visited, and no line is skipped or repeated.
            const auto end = reinterpret_cast<std::uintptr_t>(p) + size - 1;
            CHECK(end >= lines.back());
            CHECK(end < lines.back() + cache_line_bytes);
            for (std::size_t i = 1; i < lines.size(); ++i) CHECK(lines[i] == lines[i - 1] + cache_line_bytes);
        }
    }
}

TEST_CASE("a 224-byte host entry 48 bytes into a line spans five lines, not four", "[prefetch]") {
    // The case that stepping sizeof(T) bytes from the start got wrong: its
    // fifth line holds the entry's application counters.
    alignas(64) static char buffer[512];
    CHECK(lines_of(buffer + 48, 224).size() == 5);
    CHECK(lines_of(buffer + 16, 224).size() == 4);
    CHECK(lines_of(buffer, 224).size() == 4);
    CHECK(lines_of(buffer + 56, 72).size() == 2);
    CHECK(lines_of(buffer, 0).empty());
}
