#include "text_lines.hpp"

#include <catch2/catch.hpp>

using namespace wireflow;

TEST_CASE("content lines skip blanks and comments and keep their numbers", "[text_lines]") {
    const auto lines = content_lines("# header\n\n  first word \r\n\t# indented comment\nlast");
    REQUIRE(lines.size() == 2);
    CHECK(lines[0].number == 3);
    CHECK(lines[0].text == "first word");
    CHECK(lines[1].number == 5);
    CHECK(lines[1].text == "last");
    CHECK(content_lines("").empty());
    CHECK(content_lines("\n \n#\n").empty());
}

TEST_CASE("an unreadable file gives nothing", "[text_lines]") {
    CHECK_FALSE(read_text_file("/nonexistent/wireflow/file"));
}
