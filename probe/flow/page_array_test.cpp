// page_array: the flow table's entries and index live in it, so it must be an
// ordinary array (every element initialised, nothing shared between two
// arrays) whatever the kernel does with the advice, and a large one must be
// a mapping the kernel may back with huge pages.
#include "flow/page_array.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <fstream>
#include <string>

using wireflow::probe::page_array;
using wireflow::probe::page_mapping::huge_page;

namespace {

struct pair_with_defaults {
    std::uint64_t a{7};
    std::uint32_t b{0};
};

// The smaps block of the mapping that holds `p`: its header line gives the
// range, the lines after it the mapping's properties.
std::string smaps_of(const void* p) {
    std::ifstream f("/proc/self/smaps");
    const auto addr = reinterpret_cast<std::uintptr_t>(p);
    std::string line, block;
    bool inside = false;
    while (std::getline(f, line)) {
        const auto dash = line.find('-');
        const auto space = line.find(' ');
        const bool header = dash != std::string::npos && space != std::string::npos && dash < space &&
                            line.find_first_not_of("0123456789abcdef") == dash;
        if (header) {
            if (inside) return block;
            const auto lo = std::stoull(line.substr(0, dash), nullptr, 16);
            const auto hi = std::stoull(line.substr(dash + 1, space - dash - 1), nullptr, 16);
            inside = lo <= addr && addr < hi;
            block.clear();
        }
        if (inside) block += line + "\n";
    }
    return inside ? block : std::string();
}

}  // namespace

TEST_CASE("elements start value-initialised, like a vector's") {
    page_array<pair_with_defaults> small(100);
    page_array<pair_with_defaults> large(huge_page / sizeof(pair_with_defaults) + 3);
    for (std::size_t i = 0; i < small.size(); ++i) REQUIRE((small[i].a == 7 && small[i].b == 0));
    for (std::size_t i = 0; i < large.size(); ++i) REQUIRE((large[i].a == 7 && large[i].b == 0));
    REQUIRE(large.size() == huge_page / sizeof(pair_with_defaults) + 3);
}

TEST_CASE("a filled array holds the value in every element, to the last") {
    const std::size_t n = 3 * huge_page / sizeof(std::uint64_t) + 1;
    page_array<std::uint64_t> cells(n, ~std::uint64_t{0});
    REQUIRE(cells[0] == ~std::uint64_t{0});
    REQUIRE(cells[n / 2] == ~std::uint64_t{0});
    REQUIRE(cells[n - 1] == ~std::uint64_t{0});
    cells[n - 1] = 5;  // the last element is writable: the mapping covers it
    REQUIRE(cells[n - 1] == 5);
}

TEST_CASE("two arrays never share memory") {
    page_array<std::uint64_t> a(huge_page / 8, 1);
    page_array<std::uint64_t> b(huge_page / 8, 2);
    for (std::size_t i = 0; i < a.size(); i += 4096) REQUIRE((a[i] == 1 && b[i] == 2));
}

// madvise(MADV_HUGEPAGE) shows as "hg" in the mapping's VmFlags (proc(5)),
// whatever the system-wide mode; a kernel built without transparent huge
// pages has no /sys/kernel/mm/transparent_hugepage and refuses the advice.
bool advised(const std::string& smaps_block) {
    const auto at = smaps_block.find("VmFlags:");
    if (at == std::string::npos) return false;
    const std::string flags = smaps_block.substr(at, smaps_block.find('\n', at) - at) + " ";
    return flags.find(" hg ") != std::string::npos;
}

bool kernel_has_thp() { return std::ifstream("/sys/kernel/mm/transparent_hugepage/enabled").good(); }

TEST_CASE("a large array starts on a huge-page boundary and is advised for huge pages") {
    page_array<std::uint64_t> cells(3 * huge_page / 8, 0);
    REQUIRE(reinterpret_cast<std::uintptr_t>(cells.data()) % huge_page == 0);
    const std::string block = smaps_of(cells.data());
    INFO(block);
    REQUIRE_FALSE(block.empty());
    REQUIRE(advised(block) == kernel_has_thp());
}

TEST_CASE("a small array is not advised: it would pin a whole huge page") {
    page_array<std::uint64_t> cells(64, 0);
    const std::string block = smaps_of(cells.data());
    INFO(block);
    REQUIRE_FALSE(block.empty());
    REQUIRE_FALSE(advised(block));
}
