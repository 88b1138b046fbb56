#include "net/probe_id.hpp"

#include <catch2/catch.hpp>

#include <string>

using wireflow::net::valid_probe_id;

TEST_CASE("probe ids are 1 to 64 letters, digits, dots, underscores or dashes", "[probe_id]") {
    CHECK(valid_probe_id("edge-1"));
    CHECK(valid_probe_id("Probe_2.paris"));
    CHECK(valid_probe_id(std::string(64, 'a')));
    CHECK_FALSE(valid_probe_id(""));
    CHECK_FALSE(valid_probe_id(std::string(65, 'a')));
    for (const char* bad : {"a b", "a/b", "é", "a\nb", "a:b"}) CHECK_FALSE(valid_probe_id(bad));
    CHECK_FALSE(valid_probe_id(std::string_view("a\0b", 3)));
}
