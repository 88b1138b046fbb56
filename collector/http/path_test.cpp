#include "path.hpp"

#include <catch2/catch.hpp>

using namespace wireflow::collector::http;

TEST_CASE("a plain path and its query are split and kept", "[path]") {
    const auto t = parse_target("/api/v1/hosts?limit=5&sort=bytes");
    REQUIRE(t.error == path_error::none);
    CHECK(t.path == "/api/v1/hosts");
    CHECK(t.query == "limit=5&sort=bytes");
}

TEST_CASE("percent-encoding is decoded exactly once", "[path]") {
    CHECK(parse_target("/api%2fv1/hosts").path == "/api/v1/hosts");
    CHECK(parse_target("/js/a%20b.js").path == "/js/a b.js");
    // %252e stays "%2e" after one decoding: a literal name, not a dot segment.
    const auto t = parse_target("/%252e%252e/etc/passwd");
    REQUIRE(t.error == path_error::none);
    CHECK(t.path == "/%2e%2e/etc/passwd");
}

TEST_CASE("dot segments are refused raw and encoded", "[path]") {
    CHECK(parse_target("/../etc/passwd").error == path_error::bad_segment);
    CHECK(parse_target("/css/../../etc/passwd").error == path_error::bad_segment);
    CHECK(parse_target("/%2e%2e/etc/passwd").error == path_error::bad_segment);
    CHECK(parse_target("/css/%2E%2E/x").error == path_error::bad_segment);
    CHECK(parse_target("/./index.html").error == path_error::bad_segment);
    CHECK(parse_target("/css/.").error == path_error::bad_segment);
}

TEST_CASE("empty segments are refused so one resource has one spelling", "[path]") {
    CHECK(parse_target("//api/v1/hosts").error == path_error::bad_segment);
    CHECK(parse_target("/api//v1/hosts").error == path_error::bad_segment);
    CHECK(parse_target("/api/v1/hosts/").error == path_error::bad_segment);
    CHECK(parse_target("/api%2f%2fv1").error == path_error::bad_segment);
    CHECK(parse_target("/").error == path_error::none);
}

TEST_CASE("NUL, backslash, semicolon and control characters are refused", "[path]") {
    CHECK(parse_target("/index.html%00.css").error == path_error::forbidden_char);
    CHECK(parse_target(std::string_view("/a\0b", 4)).error == path_error::forbidden_char);
    CHECK(parse_target("/api/v1/hosts;.css").error == path_error::forbidden_char);
    CHECK(parse_target("/api/v1/hosts%3b.css").error == path_error::forbidden_char);
    CHECK(parse_target("/..\\etc\\passwd").error == path_error::forbidden_char);
    CHECK(parse_target("/%5c..%5cetc").error == path_error::forbidden_char);
    CHECK(parse_target("/a%0d%0aSet-Cookie:%20x=1").error == path_error::forbidden_char);
}

TEST_CASE("bad escapes, invalid UTF-8 and relative targets are refused", "[path]") {
    CHECK(parse_target("/a%zz").error == path_error::bad_encoding);
    CHECK(parse_target("/a%4").error == path_error::bad_encoding);
    CHECK(parse_target("/a%").error == path_error::bad_encoding);
    CHECK(parse_target("/a%c0%af").error == path_error::bad_utf8);  // overlong '/'
    CHECK(parse_target("/a%ed%a0%80").error == path_error::bad_utf8);  // surrogate
    CHECK(parse_target("api/v1/hosts").error == path_error::not_absolute);
    CHECK(parse_target("http://evil/api").error == path_error::not_absolute);
    CHECK(parse_target("").error == path_error::not_absolute);
}

TEST_CASE("targets over 8 KiB are refused before any decoding", "[path]") {
    const std::string longest = "/" + std::string(max_target_bytes - 1, 'a');
    CHECK(parse_target(longest).error == path_error::none);
    CHECK(parse_target(longest + "a").error == path_error::too_long);
}

TEST_CASE("query parameters decode '+' and escapes and refuse repeats", "[path]") {
    const auto q = query_params::parse("q=a+b%26c&limit=5&empty=&flag");
    REQUIRE(q);
    CHECK(*q->get("q") == "a b&c");
    CHECK(*q->get("limit") == "5");
    CHECK(q->get("empty")->empty());
    CHECK(q->get("flag")->empty());
    CHECK(q->get("missing") == nullptr);
    CHECK_FALSE(query_params::parse("a=1&a=2"));
    CHECK_FALSE(query_params::parse("a=%00"));
    CHECK_FALSE(query_params::parse("a=%ff"));
    CHECK_FALSE(query_params::parse("a=%g1"));
}

TEST_CASE("clip_utf8 never cuts a character in half", "[path]") {
    CHECK(clip_utf8("h\xc3\xa9llo", 2) == "h");
    CHECK(clip_utf8("h\xc3\xa9llo", 3) == "h\xc3\xa9");
    CHECK(valid_utf8(clip_utf8("\xe2\x82\xac\xe2\x82\xac", 4)));
}
