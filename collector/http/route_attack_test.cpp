// Issue 13, findings 5 and 8-12 at the route layer: route_request against the
// in-memory collector (no socket), each attack refused and counted.
#include "json_views.hpp"
#include "route_fixture.hpp"
#include "static_files.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>

using namespace wireflow::collector::http;
using namespace wireflow::collector::http::testing;

namespace {

result with_host(fixture& f, verb method, const std::string& target, const std::string& host,
                 const std::vector<std::pair<std::string, std::string>>& headers = {}, const std::string& body = {}) {
    request req{method, target, 11};
    if (!host.empty()) req.set(bhttp::field::host, host);
    for (const auto& [k, v] : headers) req.insert(k, v);
    if (!body.empty()) req.set(bhttp::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    const auto res = route_request(req, client_info{"198.51.100.1", false}, f.svc);
    return {res.result_int(), res.body(), std::string(res[bhttp::field::set_cookie]), {}};
}

}  // namespace

TEST_CASE("a Host naming another server is 421 on every route and static file, counted", "[route][attack]") {
    fixture f;
    const std::vector<std::pair<std::string, std::string>> token{{"Authorization", "Bearer " + f.admin}};
    for (const auto& r : api_routes()) {
        const auto res = with_host(f, r.method, concrete(r.pattern), "attacker.example:3005", token);
        CHECK(res.status == 421);
    }
    CHECK(with_host(f, verb::get, "/", "attacker.example").status == 421);
    CHECK(with_host(f, verb::get, "/api/v1/status", "", token).status == 421);  // HTTP/1.1 without Host
    CHECK(f.svc.stats.misdirected.load() == api_routes().size() + 2);
    CHECK(with_host(f, verb::get, "/api/v1/status", "collector.test", token).status == 200);
    CHECK(with_host(f, verb::get, "/api/v1/status", "127.0.0.1:3005", token).status == 200);
    // Two Host headers: which one a proxy used cannot be told.
    CHECK(with_host(f, verb::get, "/api/v1/status", "collector.test", {{"Host", "attacker.example"}, token[0]}).status == 400);
}

TEST_CASE("Origin must be the allowed Host's own", "[route][attack]") {
    fixture f;
    const auto post = [&](const std::string& origin) {
        return with_host(f, verb::post, "/api/v1/pools", "collector.test",
                         {{"Authorization", "Bearer " + f.admin}, {"Origin", origin}}, R"({"name":"p"})");
    };
    CHECK(post("http://attacker.example").status == 403);
    CHECK(post("null").status == 403);
    CHECK(post("https://collector.test").status == 403);  // another scheme
    CHECK(f.svc.stats.cross_origin.load() == 3);
    CHECK(post("http://collector.test").status == 201);
}

TEST_CASE("a session cookie sent twice is refused, never first-wins", "[route][attack]") {
    fixture f;
    const auto planted = auth_service::random_secret();
    const auto r = with_host(f, verb::get, "/api/v1/users", "collector.test",
                             {{"Cookie", "wf_session=" + planted + "; wf_session=" + f.admin_cookie}});
    CHECK(r.status == 401);
    CHECK(r.error() == "ambiguous_session");
    CHECK(with_host(f, verb::get, "/api/v1/users", "collector.test", {{"Cookie", "wf_session=" + f.admin_cookie}}).status ==
          200);
    CHECK(session_cookie_name(true) == "__Host-wf_session");
}

TEST_CASE("login answers 503 starting until the users table was checked", "[route][attack]") {
    fixture f;
    auth_service fresh(f.api, auth_settings{});
    services svc{f.api, fresh, "", std::chrono::system_clock::now(), "test", host_policy{{"collector.test"}, "0.0.0.0"}, {}};
    request req{verb::post, "/api/v1/login", 11};
    req.set(bhttp::field::host, "collector.test");
    req.set(bhttp::field::content_type, "application/json");
    req.body() = R"({"user":"admin","password":"admin-password-1"})";
    req.prepare_payload();
    auto res = route_request(req, client_info{"198.51.100.1", false}, svc);
    CHECK(res.result_int() == 503);
    CHECK(res[bhttp::field::retry_after] == "1");
    fresh.set_ready();
    res = route_request(req, client_info{"198.51.100.1", false}, svc);
    CHECK(res.result_int() == 200);
}

TEST_CASE("a password change revokes the user's API tokens", "[route][attack]") {
    fixture f;
    CHECK(f.get("/api/v1/status", f.viewer).status == 200);
    CHECK(f.send(verb::post, "/api/v1/users/viewer/password", f.admin, R"({"new_password":"another-password-2"})")
              .status == 200);
    CHECK(f.get("/api/v1/status", f.viewer).status == 401);
}

TEST_CASE("the own password change shares the failed-login limits", "[route][attack]") {
    fixture f;
    for (int i = 0; i < 5; ++i)
        CHECK(f.send(verb::post, "/api/v1/users/viewer/password", f.viewer,
                     R"({"current_password":"guess-)" + std::to_string(i) + R"(-x","new_password":"another-password-2"})")
                  .status == 403);
    const auto r = f.send(verb::post, "/api/v1/users/viewer/password", f.viewer,
                          R"({"current_password":"viewer-password-1","new_password":"another-password-2"})");
    CHECK(r.status == 429);
    CHECK(f.svc.stats.login_rate_limited.load() == 1);
    CHECK(f.svc.stats.login_failures.load() == 5);
}

TEST_CASE("password hashing finds no free slot: 503 busy, nothing queued", "[route][attack]") {
    fixture f;
    const auto held = f.auth.try_hash_slot();
    REQUIRE(held);
    const auto r = f.send(verb::post, "/api/v1/users", f.admin, R"({"name":"x1","role":"viewer","password":"long-enough-1"})");
    CHECK(r.status == 503);
    CHECK(r.error() == "busy");
    CHECK(f.svc.stats.hash_busy.load() == 1);
    CHECK_FALSE(f.api.find_user("x1"));
}

TEST_CASE("unsafe user names are refused", "[route][attack]") {
    fixture f;
    for (const char* name : {".", "..", ".hidden", "-rf", "a/b"}) {
        const auto r = f.send(verb::post, "/api/v1/users", f.admin,
                              std::string(R"({"name":")") + name + R"(","role":"viewer","password":"long-enough-1"})");
        CHECK(r.status == 400);
    }
}

TEST_CASE("deep offsets and wide ranges are 400, host details scan one week", "[route][attack]") {
    fixture f;
    CHECK(f.get("/api/v1/flows?offset=10001", f.viewer).status == 400);
    CHECK(f.get("/api/v1/hosts?offset=10001", f.viewer).status == 400);
    CHECK(f.get("/api/v1/alerts?offset=10001", f.viewer).status == 400);
    CHECK(f.get("/api/v1/flows?offset=10000", f.viewer).status == 200);
    const auto wide = f.get("/api/v1/flows?from=0&to=4102444800", f.viewer);
    CHECK(wide.status == 400);
    CHECK(wide.error() == "range_too_wide");
    CHECK(f.get("/api/v1/flows?from=0&to=2678400", f.viewer).status == 200);  // 31 days
}

TEST_CASE("viewers see no webhook secret and no blacklist location", "[route][attack]") {
    fixture f;
    f.api.prefs["notifications"] = bj::object{{"webhook_url", "https://hooks.slack.com/services/T0/B0/SECRET"}};
    f.api.list_rows[0].location = "https://user:pw@lists.example/key-123/drop.txt?token=SECRET";
    f.api.list_rows[0].last_error = "download of " + f.api.list_rows[0].location + " failed: HTTP status 403";
    for (const auto* path : {"/api/v1/preferences", "/api/v1/blacklists"}) {
        const auto v = f.get(path, f.viewer);
        CHECK(v.status == 200);
        CHECK(v.body.find("SECRET") == std::string::npos);
        CHECK(v.body.find("key-123") == std::string::npos);
        CHECK(v.body.find("pw@") == std::string::npos);
        CHECK(f.get(path, f.admin).body.find("SECRET") != std::string::npos);
    }
    CHECK(redact_location("https://hooks.slack.com/services/T0/B0/X") == "https://hooks.slack.com/…");
    CHECK(redact_location("/etc/wireflow/lists/mine.txt") == "…/mine.txt");
    CHECK(redact_location("http://a:b@host:8080?x=1") == "http://host:8080/…");
}

TEST_CASE("what npm leaves in ui-static is never served", "[route][attack]") {
    for (const char* rel : {"package.json", "package-lock.json", "node_modules/uplot/dist/uPlot.esm.js",
                            "js/node_modules/x.js", "vendor/package.json"})
        CHECK(development_file(rel));
    for (const char* rel : {"index.html", "js/app.js", "css/packages.css", "js/packaged.js"}) CHECK_FALSE(development_file(rel));
    // ui-static/ of the source tree holds a package.json (the browser tests' npm).
    const char* source = std::getenv("WIREFLOW_SOURCE");
    REQUIRE(source);
    const std::string ui = std::filesystem::canonical(std::filesystem::path(source) / "ui-static").native();
    REQUIRE(std::filesystem::exists(ui + "/package.json"));
    CHECK(serve_static(ui, verb::get, "/package.json").status == 404);
    CHECK(serve_static(ui, verb::get, "/package-lock.json").status == 404);
    CHECK(serve_static(ui, verb::get, "/index.html").status == 200);
}
