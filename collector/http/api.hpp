#pragma once
// The REST API's entry point: route_request(request, client, services) ->
// response, a function of the request and the collector's state (through the
// collector_api interface) that never touches a socket: web_server calls it,
// route_test calls it with an in-memory collector.
//
// Every request first: Host must name this server (host_check.hpp), else
// 421; one Host header at most.
// Order of checks for /api/ and /metrics (each failure answers at once):
//   1. target: parse_target (400/414), query_params (400)
//   2. route: 404 unknown path, 405 known path with another method
//   3. query parameter names: only those the route declares (400)
//   4. authentication (routes with role != none): Bearer token, else the
//      session cookie (session_cookie_name; 401 when sent twice), else 401;
//      --disable-login: everyone is admin
//   5. default password: 403 password_change_required unless the route is
//      allowed before the change (login, logout, the password change)
//   6. role: 403 forbidden when the route needs admin
//   7. state-changing requests: Origin / Sec-Fetch-Site must be same-origin
//      (403 cross_origin; Origin is compared with the Host checked above, so
//      with an allowed name), a JSON Content-Type when there is a body (415),
//      and with a cookie session the X-CSRF-Token header (403 csrf)
//   8. the handler; api_error -> its status, store_error(unavailable) -> 503
// Other paths are static files from ui-static/ (GET/HEAD only).
// Every response carries the security headers (CSP, nosniff, no-referrer,
// frame-ancestors none) and Cache-Control: no-store for the API.

#include "auth.hpp"
#include "collector_api.hpp"
#include "host_check.hpp"
#include "http_stats.hpp"
#include "http_types.hpp"
#include "path.hpp"
#include "router.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace wireflow::collector::http {

struct services {
    collector_api& api;
    auth_service& auth;
    std::string ui_dir;        // absolute path of ui-static/
    std::chrono::system_clock::time_point started;
    std::string version;
    host_policy hosts;         // the names and addresses Host may give
    http_stats stats;
};

struct call {
    const request& req;
    const client_info& client;
    services& svc;
    const route& r;
    path_params params;
    query_params query;
    principal who;

    [[nodiscard]] const std::string& param(std::string_view name) const;  // a {name} of the pattern
    [[nodiscard]] boost::json::object body() const;  // a JSON object or api_error 400
};

// The value of cookie `name` in the request's Cookie headers; empty when
// absent and when it appears more than once (`count` tells): a browser sends
// every cookie of that name whose domain and path match, a planted one
// (another subdomain, a longer path) first. Which one the server set cannot be
// told, so none is used (never first-cookie-wins).
[[nodiscard]] std::string_view cookie_value(const request& req, std::string_view name, std::size_t* count = nullptr);
// The session cookie's name: "__Host-wf_session" over HTTPS (RFC 6265bis
// section 4.1.3.2: browsers accept that prefix only from a secure origin, with
// Secure, Path=/ and no Domain, so no sibling subdomain nor plain-HTTP page can
// set one); "wf_session" over plain HTTP, where browsers refuse the prefix.
[[nodiscard]] std::string_view session_cookie_name(bool tls) noexcept;

[[nodiscard]] response route_request(const request& req, const client_info& client, services& svc);

// A JSON error document {"error": code, "message": message}.
[[nodiscard]] reply error_reply(unsigned status, std::string_view code, std::string_view message);
[[nodiscard]] reply json_reply(const boost::json::value& v, unsigned status = 200);
// serialize() with '<', '>' and '&' as \u003c, \u003e, \u0026 (every JSON body goes through it).
[[nodiscard]] std::string safe_json(const boost::json::value& v);

}  // namespace wireflow::collector::http
