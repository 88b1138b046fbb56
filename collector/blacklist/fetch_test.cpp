#include "blacklist/fetch.hpp"

#include <catch2/catch.hpp>

using namespace wireflow::collector::blacklist;

TEST_CASE("only http and https URLs are fetched", "[fetch]") {
    const auto r = http_get("file:///etc/passwd");
    CHECK_FALSE(r.ok);
    CHECK(r.error == "only http:// and https:// URLs");
    CHECK_FALSE(http_get("ftp://127.0.0.1/x").ok);
}

TEST_CASE("a refused connection is an error, not an empty list", "[fetch]") {
    fetch_settings s;
    s.timeout = std::chrono::seconds(5);
    const auto r = http_get("http://127.0.0.1:1/list.txt", s);   // port 1: nothing listens
    CHECK_FALSE(r.ok);
    CHECK(r.body.empty());
    CHECK_FALSE(r.error.empty());
}
