// route_request against an in-memory collector (fake_collector_api): every
// route of the table, its status codes, paging and validation, without a
// socket or a database. A route added to the table without an entry in
// `route_tests` below fails "every route of the table has its own test".
#include "api.hpp"
#include "fake_collector_api.hpp"

#include <catch2/catch.hpp>

#include <functional>
#include <map>

using namespace wireflow::collector;
using namespace wireflow::collector::http;
namespace bj = boost::json;
using bhttp::verb;

namespace {

const std::string& admin_hash() {
    static const std::string h = auth_service::hash_password("admin-password-1");
    return h;
}
const std::string& viewer_hash() {
    static const std::string h = auth_service::hash_password("viewer-password-1");
    return h;
}

struct result {
    unsigned status{0};
    std::string body;
    std::string set_cookie;
    std::string content_type;
    [[nodiscard]] bj::value json() const { return bj::parse(body); }
    [[nodiscard]] std::string error() const { return std::string(json().at("error").as_string()); }
};

struct fixture {
    testing::fake_collector_api api;
    auth_service auth{api, auth_settings{}};
    services svc{api, auth, "", std::chrono::system_clock::now(), "test"};
    std::string admin, viewer, fresh;  // API tokens
    std::string admin_cookie;          // a session id

    fixture() {
        (void)api.create_user("admin", "admin", admin_hash(), false);
        (void)api.create_user("viewer", "viewer", viewer_hash(), false);
        (void)api.create_user("fresh", "admin", admin_hash(), true);
        admin = token_for("admin");
        viewer = token_for("viewer");
        fresh = token_for("fresh");
        admin_cookie = auth_service::random_secret();
        api.create_session(auth_service::session_hash(admin_cookie), api.users["admin"].id, {}, "", "");
        api.live_hosts = {host("10.0.0.1", 300, true), host("10.0.0.2", 200, true), host("192.0.2.9", 100, false)};
        auto idle = host("10.0.0.3", 50, true);
        idle.live = false;
        api.stored_hosts = {idle};
        for (int i = 0; i < 5; ++i) {
            flow_item f;
            f.flow_id = static_cast<std::uint64_t>(i);
            f.client_ip = "10.0.0.1";
            f.server_ip = "192.0.2.9";
            f.server_port = 443;
            f.protocol = 6;
            f.app_name = i < 2 ? "TLS" : "DNS";
            api.flow_rows.push_back(f);
        }
        api.app_rows = {{"TLS", 100, 2, 1}, {"DNS", 50, 1, 1}};
        for (int i = 1; i <= 3; ++i) {
            stored_alert a;
            a.id = i;
            a.type = "syn_scan_attacker";
            a.severity = "warning";
            a.details = R"({"syn": 100})";
            api.alert_rows.push_back(a);
        }
        api.devices = {{"aa:bb:cc:dd:ee:01", "10.0.0.1", 0}, {"", "10.0.0.2", 0}, {"aa:bb:cc:dd:ee:03", "", 0}};
        blacklist_info b;
        b.name = "local-drop";
        b.format = "plain";
        b.enabled = true;
        api.list_rows = {b};
        probe_view p;
        p.probe_id = "edge";
        p.up = true;
        api.probe_rows = {p};
    }

    std::string token_for(const std::string& user) {
        const auto secret = auth_service::random_secret();
        (void)api.create_token(api.users[user].id, "t", auth_service::token_hash(secret), std::nullopt);
        return secret;
    }

    static host_info host(std::string ip, std::uint64_t bytes, bool local) {
        host_info h;
        h.ip = std::move(ip);
        h.bytes_sent = bytes;
        h.local = local;
        return h;
    }

    // A request as a script sends it: Bearer token (or none), JSON body.
    result send(verb method, const std::string& target, const std::string& token, const std::string& body = {},
                const std::vector<std::pair<std::string, std::string>>& headers = {}) {
        request req{method, target, 11};
        req.set(bhttp::field::host, "collector.test");
        if (!token.empty()) req.set(bhttp::field::authorization, "Bearer " + token);
        if (!body.empty()) req.set(bhttp::field::content_type, "application/json");
        for (const auto& [k, v] : headers) req.set(k, v);
        req.body() = body;
        req.prepare_payload();
        const auto res = route_request(req, client_info{"198.51.100.1", false}, svc);
        return {res.result_int(), res.body(), std::string(res[bhttp::field::set_cookie]),
                std::string(res[bhttp::field::content_type])};
    }
    result get(const std::string& target, const std::string& token) { return send(verb::get, target, token); }
};

std::uint64_t total_of(const result& r) { return r.json().at("total").as_uint64(); }
std::size_t items_of(const result& r) { return r.json().at("items").as_array().size(); }

// A concrete path for a pattern: {ip}, {id}, {name} filled with values that exist in the fixture.
std::string concrete(std::string_view pattern) {
    std::string out(pattern);
    const std::pair<std::string_view, std::string_view> values[] = {{"{ip}", "10.0.0.1"}, {"{id}", "1"}, {"{name}", "viewer"}};
    for (const auto& [k, v] : values)
        if (const auto at = out.find(k); at != std::string::npos) out.replace(at, k.size(), v);
    return out;
}

std::string key(const route& r) { return std::string(bhttp::to_string(r.method)) + " " + std::string(r.pattern); }

using route_test = std::function<void(fixture&)>;

// ---- one entry per route of the table ----
const std::map<std::string, route_test>& route_tests() {
    static const std::map<std::string, route_test> tests{
        {"POST /api/v1/login",
         [](fixture& f) {
             const auto ok = f.send(verb::post, "/api/v1/login", "", R"({"user":"viewer","password":"viewer-password-1"})");
             CHECK(ok.status == 200);
             CHECK(ok.set_cookie.starts_with("wf_session="));
             CHECK(ok.set_cookie.find("HttpOnly") != std::string::npos);
             CHECK(ok.json().at("role") == "viewer");
             CHECK(f.api.sessions.size() == 2);
             const auto bad = f.send(verb::post, "/api/v1/login", "", R"({"user":"viewer","password":"wrong-password"})");
             CHECK(bad.status == 401);
             CHECK(f.send(verb::post, "/api/v1/login", "", R"({"user":"viewer"})").status == 400);
             CHECK(f.send(verb::post, "/api/v1/login", "", R"({"user":"viewer","password":"x","extra":1})").status == 400);
         }},
        {"POST /api/v1/logout",
         [](fixture& f) {
             const auto r = f.send(verb::post, "/api/v1/logout", "", "", {{"Cookie", "wf_session=" + f.admin_cookie}});
             CHECK(r.status == 200);
             CHECK(r.set_cookie.find("Max-Age=0") != std::string::npos);
             CHECK(f.api.sessions.empty());
         }},
        {"GET /api/v1/session",
         [](fixture& f) {
             const auto r = f.get("/api/v1/session", f.viewer);
             CHECK(r.status == 200);
             CHECK(r.json().at("user") == "viewer");
             CHECK(r.json().at("csrf_token") == "");  // a token session has no CSRF token
             const auto c = f.send(verb::get, "/api/v1/session", "", "", {{"Cookie", "wf_session=" + f.admin_cookie}});
             CHECK(c.json().at("csrf_token") == auth_service::csrf_token(f.admin_cookie));
         }},
        {"GET /api/v1/status",
         [](fixture& f) {
             const auto r = f.get("/api/v1/status", f.viewer);
             REQUIRE(r.status == 200);
             const auto o = r.json().as_object();
             CHECK(o.at("batches_stored") == 7);
             CHECK(o.at("batches_rejected") == 5);  // the family, summed
             CHECK(o.at("db_up") == true);
             CHECK(o.at("probes") == 1);
             CHECK(o.at("probes_up") == 1);
             CHECK(o.at("throughput_bps") == 8000.0);
             CHECK(o.at("alerts_enabled") == true);
         }},
        {"GET /api/v1/probes",
         [](fixture& f) {
             const auto r = f.get("/api/v1/probes", f.viewer);
             CHECK(r.status == 200);
             CHECK(total_of(r) == 1);
             CHECK(r.json().at("items").at(0).at("probe_id") == "edge");
         }},
        {"GET /api/v1/hosts",
         [](fixture& f) {
             const auto all = f.get("/api/v1/hosts", f.viewer);
             CHECK(all.status == 200);
             CHECK(total_of(all) == 3);
             CHECK(all.json().at("items").at(0).at("ip") == "10.0.0.1");
             const auto page = f.get("/api/v1/hosts?limit=1&offset=1&order=asc", f.viewer);
             CHECK(total_of(page) == 3);
             REQUIRE(items_of(page) == 1);
             CHECK(page.json().at("items").at(0).at("ip") == "10.0.0.2");
             CHECK(total_of(f.get("/api/v1/hosts?local=false", f.viewer)) == 1);
             for (const char* bad : {"limit=0", "limit=1001", "limit=x", "offset=-1", "sort=name", "order=up",
                                     "local=maybe", "vlan=4096", "pool=x"})
                 CHECK(f.get(std::string("/api/v1/hosts?") + bad, f.viewer).status == 400);
         }},
        {"GET /api/v1/hosts/{ip}",
         [](fixture& f) {
             const auto live = f.get("/api/v1/hosts/10.0.0.1", f.viewer);
             REQUIRE(live.status == 200);
             CHECK(live.json().at("live") == true);
             CHECK(live.json().at("top_peers").as_array().size() == 1);
             CHECK(live.json().at("recent_flows").as_array().size() == 5);
             const auto idle = f.get("/api/v1/hosts/10.0.0.3", f.viewer);
             REQUIRE(idle.status == 200);
             CHECK(idle.json().at("live") == false);
             // One shape, live or idle.
             CHECK(idle.json().as_object().size() == live.json().as_object().size());
             CHECK(f.get("/api/v1/hosts/10.9.9.9", f.viewer).status == 404);
             CHECK(f.get("/api/v1/hosts/999.1.1.1", f.viewer).status == 400);
             CHECK(f.get("/api/v1/hosts/10.0.0.1?vlan=5000", f.viewer).status == 400);
         }},
        {"GET /api/v1/flows",
         [](fixture& f) {
             const auto r = f.get("/api/v1/flows?limit=2&offset=1", f.viewer);
             CHECK(r.status == 200);
             CHECK(total_of(r) == 5);
             CHECK(items_of(r) == 2);
             CHECK(total_of(f.get("/api/v1/flows?app=TLS", f.viewer)) == 2);
             REQUIRE(f.get("/api/v1/flows?host=2001:DB8::0:1&from=10&to=20&sort=bytes&order=asc", f.viewer).status == 200);
             REQUIRE(f.api.last_flow_filter);
             CHECK(f.api.last_flow_filter->host == "2001:db8::1");  // canonical
             CHECK(f.api.last_flow_filter->sort == flow_sort::bytes);
             CHECK_FALSE(f.api.last_flow_filter->descending);
             for (const char* bad : {"from=10", "from=20&to=10", "host=10.0.0", "port=70000", "protocol=256",
                                     "blacklisted=2", "sort=ip", "from=yesterday&to=20"})
                 CHECK(f.get(std::string("/api/v1/flows?") + bad, f.viewer).status == 400);
         }},
        {"GET /api/v1/applications",
         [](fixture& f) {
             const auto r = f.get("/api/v1/applications?limit=1", f.viewer);
             CHECK(r.status == 200);
             CHECK(total_of(r) == 2);
             CHECK(items_of(r) == 1);
             CHECK(f.get("/api/v1/applications?limit=0", f.viewer).status == 400);
             CHECK(f.get("/api/v1/applications?window_s=5", f.viewer).status == 400);
             CHECK(f.get("/api/v1/applications?window_s=86401", f.viewer).status == 400);
         }},
        {"GET /api/v1/pools",
         [](fixture& f) {
             (void)f.api.create_pool("servers");
             const auto r = f.get("/api/v1/pools", f.viewer);
             CHECK(r.status == 200);
             CHECK(total_of(r) == 2);  // with the unassigned hosts
         }},
        {"POST /api/v1/pools",
         [](fixture& f) {
             const auto r = f.send(verb::post, "/api/v1/pools", f.admin, R"({"name":"servers","members":["10.0.0.0/24"]})");
             CHECK(r.status == 201);
             CHECK(r.json().at("name") == "servers");
             CHECK(r.json().at("members").as_array().size() == 1);
             CHECK(f.send(verb::post, "/api/v1/pools", f.admin, R"({"name":"servers"})").status == 409);
             CHECK(f.send(verb::post, "/api/v1/pools", f.admin, R"({"members":[]})").status == 400);
             CHECK(f.send(verb::post, "/api/v1/pools", f.admin, R"({"name":"x","members":"10.0.0.1"})").status == 400);
             // All or nothing: a bad member takes the new pool away again.
             CHECK(f.send(verb::post, "/api/v1/pools", f.admin, R"({"name":"lab","members":["nonsense"]})").status == 400);
             CHECK(f.api.pool_rows.size() == 1);
         }},
        {"GET /api/v1/pools/{id}",
         [](fixture& f) {
             (void)f.api.create_pool("servers");
             CHECK(f.get("/api/v1/pools/1", f.viewer).status == 200);
             CHECK(f.get("/api/v1/pools/2", f.viewer).status == 404);
             CHECK(f.get("/api/v1/pools/0", f.viewer).status == 404);
             CHECK(f.get("/api/v1/pools/abc", f.viewer).status == 400);
         }},
        {"PUT /api/v1/pools/{id}",
         [](fixture& f) {
             (void)f.api.create_pool("servers");
             (void)f.api.create_pool("clients");
             const auto r = f.send(verb::put, "/api/v1/pools/1", f.admin, R"({"name":"web"})");
             CHECK(r.status == 200);
             CHECK(r.json().at("name") == "web");
             CHECK(f.send(verb::put, "/api/v1/pools/1", f.admin, R"({"name":"clients"})").status == 409);
             CHECK(f.send(verb::put, "/api/v1/pools/9", f.admin, R"({"name":"x"})").status == 404);
             CHECK(f.send(verb::put, "/api/v1/pools/1", f.admin, R"({"name":7})").status == 400);
             CHECK(f.send(verb::put, "/api/v1/pools/1", f.admin, R"({})").status == 400);
         }},
        {"DELETE /api/v1/pools/{id}",
         [](fixture& f) {
             (void)f.api.create_pool("servers");
             CHECK(f.send(verb::delete_, "/api/v1/pools/1", f.admin).status == 200);
             CHECK(f.api.pool_rows.empty());
             CHECK(f.send(verb::delete_, "/api/v1/pools/1", f.admin).status == 404);
             CHECK(f.send(verb::delete_, "/api/v1/pools/x", f.admin).status == 400);
         }},
        {"POST /api/v1/pools/{id}/members",
         [](fixture& f) {
             (void)f.api.create_pool("servers");
             const auto r = f.send(verb::post, "/api/v1/pools/1/members", f.admin, R"({"members":["10.0.0.1","10.0.0.2"]})");
             CHECK(r.status == 200);
             CHECK(r.json().at("members").as_array().size() == 2);
             // One bad member: none of the request's members stay.
             CHECK(f.send(verb::post, "/api/v1/pools/1/members", f.admin, R"({"members":["10.0.0.5","10.0.0.1"]})").status == 400);
             CHECK(f.api.pool_rows[1].members.size() == 2);
             CHECK(f.send(verb::post, "/api/v1/pools/1/members", f.admin, R"({})").status == 400);
             CHECK(f.send(verb::post, "/api/v1/pools/7/members", f.admin, R"({"member":"10.0.0.9"})").status == 404);
         }},
        {"DELETE /api/v1/pools/{id}/members",
         [](fixture& f) {
             (void)f.api.create_pool("servers");
             (void)f.api.add_pool_member(1, "10.0.0.1");
             CHECK(f.send(verb::delete_, "/api/v1/pools/1/members?member=10.0.0.1", f.admin).status == 200);
             CHECK(f.api.pool_rows[1].members.empty());
             CHECK(f.send(verb::delete_, "/api/v1/pools/1/members?member=10.0.0.1", f.admin).status == 400);
             CHECK(f.send(verb::delete_, "/api/v1/pools/1/members", f.admin).status == 400);
             CHECK(f.send(verb::delete_, "/api/v1/pools/1/members?member=" + std::string(129, 'a'), f.admin).status == 400);
         }},
        {"GET /api/v1/devices/unassigned",
         [](fixture& f) {
             const auto r = f.get("/api/v1/devices/unassigned?limit=2&offset=1", f.viewer);
             CHECK(r.status == 200);
             CHECK(items_of(r) == 2);
             CHECK(r.json().at("items").at(0).at("mac").is_null());
             CHECK(f.get("/api/v1/devices/unassigned?sort=mac", f.viewer).status == 400);
             CHECK(f.get("/api/v1/devices/unassigned?limit=0", f.viewer).status == 400);
         }},
        {"GET /api/v1/alerts",
         [](fixture& f) {
             const auto r = f.get("/api/v1/alerts?limit=2&offset=1&state=engaged&severity=warning", f.viewer);
             CHECK(r.status == 200);
             CHECK(total_of(r) == 3);
             CHECK(items_of(r) == 2);
             CHECK(r.json().at("items").at(0).at("details").at("syn") == 100);
             REQUIRE(f.api.last_alert_query);
             CHECK(f.api.last_alert_query->engaged == true);
             CHECK(f.api.last_alert_query->offset == 1);
             for (const char* bad : {"severity=loud", "state=open", "acknowledged=1x", "from=30&to=20", "limit=5000"})
                 CHECK(f.get(std::string("/api/v1/alerts?") + bad, f.viewer).status == 400);
         }},
        {"POST /api/v1/alerts/{id}/ack",
         [](fixture& f) {
             CHECK(f.send(verb::post, "/api/v1/alerts/2/ack", f.admin).status == 200);
             CHECK(f.api.alert_rows[1].acknowledged_by == "admin");
             CHECK(f.send(verb::post, "/api/v1/alerts/99/ack", f.admin).status == 404);
             CHECK(f.send(verb::post, "/api/v1/alerts/x/ack", f.admin).status == 400);
         }},
        {"GET /api/v1/preferences",
         [](fixture& f) {
             const auto r = f.get("/api/v1/preferences", f.viewer);
             CHECK(r.status == 200);
             CHECK(r.json().at("enabled") == true);
         }},
        {"PUT /api/v1/preferences",
         [](fixture& f) {
             const auto r = f.send(verb::put, "/api/v1/preferences", f.admin, R"({"enabled":false})");
             CHECK(r.status == 200);
             CHECK(r.json().at("enabled") == false);
             CHECK(f.send(verb::put, "/api/v1/preferences", f.admin, R"({"enabled":"yes"})").status == 400);
             CHECK(f.send(verb::put, "/api/v1/preferences", f.admin, R"({"volume":1})").status == 400);
             CHECK(f.api.prefs.at("enabled") == false);  // the refused documents changed nothing
         }},
        {"GET /api/v1/blacklists",
         [](fixture& f) {
             const auto r = f.get("/api/v1/blacklists", f.viewer);
             CHECK(r.status == 200);
             CHECK(total_of(r) == 1);
             CHECK(r.json().at("nft_error") == "");
         }},
        {"POST /api/v1/blacklists/reload",
         [](fixture& f) {
             CHECK(f.send(verb::post, "/api/v1/blacklists/reload", f.admin).status == 202);
             CHECK(f.api.reloads == 1);
             f.api.reload_running = true;
             CHECK(f.send(verb::post, "/api/v1/blacklists/reload", f.admin).status == 409);
             CHECK(f.send(verb::post, "/api/v1/blacklists/reload", f.admin, R"({"now":true})").status == 400);
         }},
        {"PUT /api/v1/blacklists/{name}",
         [](fixture& f) {
             const auto r = f.send(verb::put, "/api/v1/blacklists/local-drop", f.admin, R"({"enabled":false})");
             CHECK(r.status == 200);
             CHECK(r.json().at("enabled") == false);
             CHECK(f.send(verb::put, "/api/v1/blacklists/none", f.admin, R"({"enabled":true})").status == 404);
             CHECK(f.send(verb::put, "/api/v1/blacklists/local-drop", f.admin, R"({"enabled":"yes"})").status == 400);
             CHECK(f.send(verb::put, "/api/v1/blacklists/local-drop", f.admin, R"({})").status == 400);
         }},
        {"GET /api/v1/timeseries",
         [](fixture& f) {
             const auto r = f.get("/api/v1/timeseries?metric=bytes&scope=global&from=0&to=600&step=300", f.viewer);
             CHECK(r.status == 200);
             CHECK(total_of(r) == 2);
             CHECK(f.api.last_series_metric == "bytes");
             for (const char* bad : {"scope=global", "metric=Bytes&scope=global", "metric=bytes&scope=planet",
                                     "metric=bytes&scope=global&step=30", "metric=bytes&scope=global&from=20&to=10",
                                     "metric=bytes&scope=global&from=0&to=100000000&step=60"})
                 CHECK(f.get(std::string("/api/v1/timeseries?") + bad, f.viewer).status == 400);
         }},
        {"GET /api/v1/users",
         [](fixture& f) {
             const auto r = f.get("/api/v1/users", f.admin);
             CHECK(r.status == 200);
             CHECK(total_of(r) == 3);
             CHECK(r.body.find("password") == std::string::npos || r.body.find("$argon2") == std::string::npos);
         }},
        {"POST /api/v1/users",
         [](fixture& f) {
             const auto r = f.send(verb::post, "/api/v1/users", f.admin, R"({"name":"ops","role":"viewer","password":"long-enough-1"})");
             CHECK(r.status == 201);
             CHECK(r.json().at("name") == "ops");
             CHECK(f.send(verb::post, "/api/v1/users", f.admin, R"({"name":"ops","password":"long-enough-1"})").status == 409);
             CHECK(f.send(verb::post, "/api/v1/users", f.admin, R"({"name":"x","password":"short"})").status == 400);
             CHECK(f.send(verb::post, "/api/v1/users", f.admin, R"({"name":"x","role":"root","password":"long-enough-1"})").status == 400);
             CHECK(f.send(verb::post, "/api/v1/users", f.admin, R"({"name":"a b","password":"long-enough-1"})").status == 400);
         }},
        {"PUT /api/v1/users/{name}",
         [](fixture& f) {
             CHECK(f.send(verb::put, "/api/v1/users/viewer", f.admin, R"({"disabled":true})").status == 200);
             CHECK(f.api.users["viewer"].disabled);
             CHECK(f.send(verb::put, "/api/v1/users/nobody", f.admin, R"({"disabled":true})").status == 404);
             CHECK(f.send(verb::put, "/api/v1/users/viewer", f.admin, R"({"role":"root"})").status == 400);
             (void)f.send(verb::put, "/api/v1/users/fresh", f.admin, R"({"role":"viewer"})");
             CHECK(f.send(verb::put, "/api/v1/users/admin", f.admin, R"({"role":"viewer"})").status == 409);
         }},
        {"DELETE /api/v1/users/{name}",
         [](fixture& f) {
             CHECK(f.send(verb::delete_, "/api/v1/users/viewer", f.admin).status == 200);
             CHECK_FALSE(f.api.users.contains("viewer"));
             CHECK(f.send(verb::delete_, "/api/v1/users/viewer", f.admin).status == 404);
             CHECK(f.send(verb::delete_, "/api/v1/users/fresh", f.admin).status == 200);
             CHECK(f.send(verb::delete_, "/api/v1/users/admin", f.admin).status == 409);  // the last admin
         }},
        {"POST /api/v1/users/{name}/password",
         [](fixture& f) {
             const auto path = "/api/v1/users/viewer/password";
             CHECK(f.send(verb::post, path, f.viewer, R"({"current_password":"wrong-one-1","new_password":"new-password-1"})").status == 403);
             CHECK(f.send(verb::post, path, f.viewer, R"({"current_password":"viewer-password-1","new_password":"short"})").status == 400);
             CHECK(f.send(verb::post, path, f.viewer, R"({"current_password":"viewer-password-1","new_password":"new-password-1"})").status == 200);
             CHECK_FALSE(f.api.users["viewer"].must_change_password);
             CHECK(f.send(verb::post, "/api/v1/users/admin/password", f.viewer, R"({"new_password":"new-password-1"})").status == 403);
             // An admin sets another user's password: that user must choose the next one.
             CHECK(f.send(verb::post, path, f.admin, R"({"new_password":"reset-password-1"})").status == 200);
             CHECK(f.api.users["viewer"].must_change_password);
             CHECK(f.send(verb::post, "/api/v1/users/nobody/password", f.admin, R"({"new_password":"reset-password-1"})").status == 404);
         }},
        {"GET /api/v1/tokens",
         [](fixture& f) {
             const auto r = f.get("/api/v1/tokens", f.admin);
             CHECK(r.status == 200);
             CHECK(total_of(r) == 3);
             CHECK(r.body.find(f.admin) == std::string::npos);  // never a secret
         }},
        {"POST /api/v1/tokens",
         [](fixture& f) {
             const auto r = f.send(verb::post, "/api/v1/tokens", f.admin, R"({"name":"ci","expires_days":30})");
             CHECK(r.status == 201);
             const std::string secret(r.json().at("token").as_string());
             CHECK(f.get("/api/v1/users", secret).status == 200);  // the new token works
             CHECK(f.send(verb::post, "/api/v1/tokens", f.admin, R"({"name":"ci"})").status == 409);
             CHECK(f.send(verb::post, "/api/v1/tokens", f.admin, R"({})").status == 400);
             CHECK(f.send(verb::post, "/api/v1/tokens", f.admin, R"({"name":"x","expires_days":0})").status == 400);
         }},
        {"DELETE /api/v1/tokens/{id}",
         [](fixture& f) {
             CHECK(f.send(verb::delete_, "/api/v1/tokens/2", f.admin).status == 200);
             CHECK(f.get("/api/v1/session", f.viewer).status == 401);  // token 2 was the viewer's
             CHECK(f.send(verb::delete_, "/api/v1/tokens/2", f.admin).status == 404);
             CHECK(f.send(verb::delete_, "/api/v1/tokens/x", f.admin).status == 400);
         }},
        {"GET /api/v1/openapi.json",
         [](fixture& f) {
             const auto r = f.get("/api/v1/openapi.json", "");
             REQUIRE(r.status == 200);
             const auto paths = r.json().at("paths").as_object();
             for (const auto& route : api_routes()) CHECK(paths.contains(route.pattern));
         }},
        {"GET /metrics",
         [](fixture& f) {
             const auto r = f.get("/metrics", f.viewer);
             CHECK(r.status == 200);
             CHECK(r.content_type.starts_with("text/plain; version=0.0.4"));
             CHECK(r.body.find("# TYPE wireflow_batches_stored_total counter\nwireflow_batches_stored_total 7\n") != std::string::npos);
             CHECK(r.body.find("wireflow_batches_rejected_total{reason=\"too_large\"} 3\n") != std::string::npos);
             CHECK(r.body.find("# TYPE wireflow_spool_bytes gauge\n") != std::string::npos);
             CHECK(r.body.find("wireflow_probe_up{probe=\"edge\"} 1\n") != std::string::npos);
         }},
    };
    return tests;
}

}  // namespace

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
    struct down final : testing::fake_collector_api {
        host_list hosts(const host_filter&) override {
            throw store_error(store_error::kind::unavailable, "connection refused");
        }
    };
    fixture f;
    down d;
    d.users = f.api.users;
    d.tokens = f.api.tokens;
    auth_service auth{d, auth_settings{}};
    services svc{d, auth, "", std::chrono::system_clock::now(), "test"};
    request req{verb::get, "/api/v1/hosts", 11};
    req.set(bhttp::field::authorization, "Bearer " + f.viewer);
    const auto res = route_request(req, client_info{"198.51.100.1", false}, svc);
    CHECK(res.result_int() == 503);
}
