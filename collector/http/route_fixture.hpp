#pragma once
// route_test's fixture: an in-memory collector (fake_collector_api), an
// auth_service over it, three users with API tokens (admin, viewer, and
// "fresh", an admin who must still change the default password), an admin
// cookie session, and send(): one request through route_request.

#include "api.hpp"
#include "fake_collector_api.hpp"

#include <boost/json.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace wireflow::collector::http::testing {

namespace bj = boost::json;
using bhttp::verb;


inline const std::string& admin_hash() {
    static const std::string h = auth_service::hash_password("admin-password-1");
    return h;
}
inline const std::string& viewer_hash() {
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
    fake_collector_api api;
    auth_service auth{api, auth_settings{}};
    services svc{api, auth, "", std::chrono::system_clock::now(), "test", host_policy{{"collector.test"}, "0.0.0.0"}, {}};
    std::string admin, viewer, fresh;  // API tokens
    std::string admin_cookie;          // a session id

    fixture() {
        auth.set_ready();
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
            if (i == 0) {
                f.tls.emplace().ja3_client = "e7d705a3286e19ea42f587b344ee6865";
                f.tls->version = 0x0303;
            }
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
        api.devices = {{"aa:bb:cc:dd:ee:01", "10.0.0.1", 0, "laptop-1", "", true},
                       {"", "10.0.0.2", 0, "", "", false},
                       {"00:00:0c:dd:ee:03", "", 0, "", "Cisco Systems, Inc", false}};
        blacklist_info b;
        b.name = "local-drop";
        b.format = "plain";
        b.enabled = true;
        api.list_rows = {b};
        notification_endpoint_info ops;
        ops.name = "ops-slack";
        ops.kind = "slack";
        ops.target = "https://hooks.slack.com/…";
        ops.min_severity = "warning";
        ops.sent = 3;
        notification_endpoint_info down = ops;
        down.name = "pager";
        down.kind = "webhook";
        down.failed = 1;
        down.last_error = "HTTP status 503";
        api.endpoints = {ops, down};
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

inline std::uint64_t total_of(const result& r) { return r.json().at("total").to_number<std::uint64_t>(); }
inline std::size_t items_of(const result& r) { return r.json().at("items").as_array().size(); }

// A concrete path for a pattern: {ip}, {id}, {name} filled with values that exist in the fixture.
inline std::string concrete(std::string_view pattern) {
    std::string out(pattern);
    const std::pair<std::string_view, std::string_view> values[] = {{"{ip}", "10.0.0.1"}, {"{id}", "1"}, {"{name}", "viewer"}};
    for (const auto& [k, v] : values)
        if (const auto at = out.find(k); at != std::string::npos) out.replace(at, k.size(), v);
    return out;
}

inline std::string key(const route& r) { return std::string(bhttp::to_string(r.method)) + " " + std::string(r.pattern); }


using route_test = std::function<void(fixture&)>;
// One entry per route of the table, keyed "METHOD pattern" (route_cases.cpp).
[[nodiscard]] const std::map<std::string, route_test>& route_tests();

}  // namespace wireflow::collector::http::testing
