// route_request against an in-memory collector (fake_collector_api): every
// route of the table, its status codes, paging and validation, without a
// socket or a database. A route added to the table without an entry in
// `route_tests` (route_cases.cpp) fails "every route of the table has its own test".
#include "route_fixture.hpp"

#include <catch2/catch.hpp>

using namespace wireflow::collector;
using namespace wireflow::collector::http;
using namespace wireflow::collector::http::testing;

TEST_CASE("every route of the table has its own test, and it passes", "[route]") {
    for (const auto& r : api_routes()) {
        DYNAMIC_SECTION(key(r)) {
            const auto it = route_tests().find(key(r));
            INFO("add a test for this route to route_tests() in collector/http/route_test.cpp");
            REQUIRE(it != route_tests().end());
            fixture f;
            it->second(f);
        }
    }
    // And no test for a route that is gone.
    for (const auto& [k, test] : route_tests()) {
        bool found = false;
        for (const auto& r : api_routes()) found = found || key(r) == k;
        CHECK(found);
    }
}

TEST_CASE("every route refuses anonymous callers, low roles and a default password as its table entry says", "[route]") {
    fixture f;
    for (const auto& r : api_routes()) {
        INFO(key(r));
        const auto path = concrete(r.pattern);
        if (r.need != role::none) {
            const auto anon = f.send(r.method, path, "");
            CHECK(anon.status == 401);
            CHECK(anon.error() == "unauthorized");
            CHECK(f.send(r.method, path, "not-a-token").status == 401);
        }
        if (r.need == role::admin) {
            const auto low = f.send(r.method, path, f.viewer);
            CHECK(low.status == 403);
            CHECK(low.error() == "forbidden");
        }
        if (r.need != role::none && !r.before_password_change) {
            const auto fresh = f.send(r.method, path, f.fresh);
            CHECK(fresh.status == 403);
            CHECK(fresh.error() == "password_change_required");
        }
    }
}

TEST_CASE("every route refuses query parameters it does not declare", "[route]") {
    fixture f;
    for (const auto& r : api_routes()) {
        INFO(key(r));
        const auto res = f.send(r.method, concrete(r.pattern) + "?bogus=1", f.admin);
        CHECK(res.status == 400);
        CHECK(res.error() == "unknown_parameter");
    }
}

TEST_CASE("every route answers 405 to a method it does not have", "[route]") {
    fixture f;
    for (const auto& r : api_routes()) {
        INFO(key(r));
        const auto res = f.send(verb::patch, concrete(r.pattern), f.admin, "{}");
        CHECK(res.status == 405);
    }
    CHECK(f.get("/api/v1/nothing", f.admin).status == 404);
}

TEST_CASE("every state-changing route checks origin, content type, body and CSRF token before acting", "[route]") {
    fixture f;
    for (const auto& r : api_routes()) {
        if (!r.changes_state) continue;
        INFO(key(r));
        const auto path = concrete(r.pattern);
        const auto token = r.need == role::none ? std::string() : f.admin;
        CHECK(f.send(r.method, path, token, "{}", {{"Origin", "https://evil.example"}}).status == 403);
        CHECK(f.send(r.method, path, token, "{}", {{"Sec-Fetch-Site", "cross-site"}}).status == 403);
        CHECK(f.send(r.method, path, token, "{}", {{"Content-Type", "text/plain"}}).status == 415);
        CHECK(f.send(r.method, path, token, "[1]").status == 400);
        CHECK(f.send(r.method, path, token, "{\"a\":").status == 400);
        if (r.need != role::none) {
            const auto cookie = "wf_session=" + f.admin_cookie;
            const auto no_csrf = f.send(r.method, path, "", "{}", {{"Cookie", cookie}});
            CHECK(no_csrf.status == 403);
            CHECK(no_csrf.error() == "csrf");
            CHECK(f.send(r.method, path, "", "{}", {{"Cookie", cookie}, {"X-CSRF-Token", "wrong"}}).status == 403);
        }
    }
}

TEST_CASE("a cookie session with its CSRF token may change state", "[route]") {
    fixture f;
    const auto r = f.send(verb::post, "/api/v1/pools", "", R"({"name":"servers"})",
                          {{"Cookie", "wf_session=" + f.admin_cookie},
                           {"X-CSRF-Token", auth_service::csrf_token(f.admin_cookie)},
                           {"Origin", "http://collector.test"}});
    CHECK(r.status == 201);
}

TEST_CASE("a database outage is a 503, not a 500", "[route]") {
    struct down final : fake_collector_api {
        host_list hosts(const host_filter&) override {
            throw store_error(store_error::kind::unavailable, "connection refused");
        }
    };
    fixture f;
    down d;
    d.users = f.api.users;
    d.tokens = f.api.tokens;
    auth_service auth{d, auth_settings{}};
    services svc{d, auth, "", std::chrono::system_clock::now(), "test", host_policy{{"collector.test"}, "0.0.0.0"}, {}};
    request req{verb::get, "/api/v1/hosts", 11};
    req.set(bhttp::field::host, "collector.test");
    req.set(bhttp::field::authorization, "Bearer " + f.viewer);
    const auto res = route_request(req, client_info{"198.51.100.1", false}, svc);
    CHECK(res.result_int() == 503);
}
