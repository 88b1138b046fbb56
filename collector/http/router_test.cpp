#include "router.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <string>

using namespace wireflow::collector::http;

namespace {
reply nothing(call&) { return {}; }
const route table[] = {
    {bhttp::verb::get, "/api/v1/hosts", role::viewer, false, false, "", "limit offset", nothing},
    {bhttp::verb::get, "/api/v1/hosts/{ip}", role::viewer, false, false, "", "vlan", nothing},
    {bhttp::verb::post, "/api/v1/pools/{id}/members", role::admin, true, false, "", "", nothing},
    {bhttp::verb::delete_, "/api/v1/pools/{id}/members", role::admin, true, false, "", "member", nothing},
};
}  // namespace

TEST_CASE("a route matches only the whole path, segment by segment", "[router]") {
    CHECK(match_route(table, bhttp::verb::get, "/api/v1/hosts").found == &table[0]);
    CHECK(match_route(table, bhttp::verb::get, "/api/v1/hosts.css").found == nullptr);
    CHECK(match_route(table, bhttp::verb::get, "/api/v1/hostsx").found == nullptr);
    CHECK(match_route(table, bhttp::verb::get, "/api/v1/host").found == nullptr);
    CHECK(match_route(table, bhttp::verb::get, "/x/api/v1/hosts").found == nullptr);
    CHECK(match_route(table, bhttp::verb::get, "/api/v1/hosts/1.2.3.4/x").found == nullptr);
}

TEST_CASE("a parameter takes exactly one non-empty segment", "[router]") {
    const auto m = match_route(table, bhttp::verb::get, "/api/v1/hosts/10.0.0.1");
    REQUIRE(m.found == &table[1]);
    REQUIRE(m.params.size() == 1);
    CHECK(m.params[0].first == "ip");
    CHECK(m.params[0].second == "10.0.0.1");
    const auto p = match_route(table, bhttp::verb::post, "/api/v1/pools/7/members");
    REQUIRE(p.found == &table[2]);
    CHECK(p.params[0].second == "7");
}

TEST_CASE("a known path with another method is told apart from an unknown path", "[router]") {
    const auto m = match_route(table, bhttp::verb::put, "/api/v1/hosts");
    CHECK(m.found == nullptr);
    CHECK(m.path_exists);
    const auto u = match_route(table, bhttp::verb::get, "/api/v1/nothing");
    CHECK(u.found == nullptr);
    CHECK_FALSE(u.path_exists);
}

TEST_CASE("HEAD is answered by the GET route", "[router]") {
    CHECK(match_route(table, bhttp::verb::head, "/api/v1/hosts").found == &table[0]);
    CHECK(match_route(table, bhttp::verb::head, "/api/v1/pools/1/members").found == nullptr);
}

TEST_CASE("query names are accepted only when the route declares them", "[router]") {
    CHECK(accepts_query_name(table[0], "limit"));
    CHECK(accepts_query_name(table[0], "offset"));
    CHECK_FALSE(accepts_query_name(table[0], "limi"));
    CHECK_FALSE(accepts_query_name(table[0], "limit offset"));
    CHECK_FALSE(accepts_query_name(table[2], "member"));
}

TEST_CASE("the API table is consistent: unique routes, auth on data, admin on changes", "[router][api_routes]") {
    std::set<std::string> seen;
    for (const auto& r : api_routes()) {
        INFO(r.pattern);
        CHECK(seen.insert(std::string(bhttp::to_string(r.method)) + " " + std::string(r.pattern)).second);
        CHECK((r.pattern.starts_with("/api/v1/") || r.pattern == "/metrics"));
        CHECK(r.handler != nullptr);
        CHECK_FALSE(r.summary.empty());
        // Only these are open without credentials.
        if (r.need == role::none)
            CHECK((r.pattern == "/api/v1/login" || r.pattern == "/api/v1/logout" || r.pattern == "/api/v1/openapi.json"));
        // Every change needs admin, except the three an account does for itself.
        if (r.changes_state && r.need != role::admin)
            CHECK((r.pattern == "/api/v1/login" || r.pattern == "/api/v1/logout" ||
                   r.pattern == "/api/v1/users/{name}/password"));
        // GET never changes state; everything else does.
        CHECK(r.changes_state == (r.method != bhttp::verb::get));
    }
    // No two routes can match the same concrete path and method.
    for (const auto& a : api_routes())
        for (const auto& b : api_routes())
            if (&a != &b && a.method == b.method) {
                std::string concrete(a.pattern);
                for (auto at = concrete.find('{'); at != std::string::npos; at = concrete.find('{'))
                    concrete.replace(at, concrete.find('}', at) - at + 1, "x");
                CHECK_FALSE(match_pattern(b.pattern, concrete, nullptr));
            }
}
