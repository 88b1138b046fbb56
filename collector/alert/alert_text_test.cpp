#include "alert/alert_text.hpp"

#include <catch2/catch.hpp>

using wireflow::collector::alert::bounded_utf8;

TEST_CASE("valid UTF-8 text passes unchanged", "[alert_text]") {
    CHECK(bounded_utf8("h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80", 100) == "h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80");
}

TEST_CASE("invalid sequences become replacement characters and controls are masked", "[alert_text]") {
    CHECK(bounded_utf8("a\xFF" "b", 100) == "a\xEF\xBF\xBD" "b");
    CHECK(bounded_utf8("\xC0\xAF", 100) == "\xEF\xBF\xBD\xEF\xBF\xBD");          // overlong '/'
    CHECK(bounded_utf8("\xED\xA0\x80", 100) == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");   // surrogate
    CHECK(bounded_utf8("x\xE2\x82", 100) == "x\xEF\xBF\xBD\xEF\xBF\xBD");         // truncated
    CHECK(bounded_utf8("line\nbreak\x1b[31m", 100) == "line?break?[31m");
}

TEST_CASE("the bound never splits a character", "[alert_text]") {
    CHECK(bounded_utf8("ab\xE2\x82\xAC", 4) == "ab");
    CHECK(bounded_utf8("ab\xE2\x82\xAC", 5) == "ab\xE2\x82\xAC");
    CHECK(bounded_utf8(std::string(5000, 'x'), 1024).size() == 1024);
}
