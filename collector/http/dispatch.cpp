// route_request: the order of checks is documented in api.hpp.
#include "api.hpp"

#include "static_files.hpp"

#include <cstdio>

namespace wireflow::collector::http {

namespace {

constexpr std::string_view csp =
    "default-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'";

response to_response(const request& req, reply r) {
    response res{static_cast<bhttp::status>(r.status), req.version()};
    res.set(bhttp::field::server, "wireflow");
    res.set(bhttp::field::content_type, r.content_type);
    res.set("Content-Security-Policy", csp);
    res.set("X-Content-Type-Options", "nosniff");
    res.set("Referrer-Policy", "no-referrer");
    res.set("X-Frame-Options", "DENY");
    res.set("Cross-Origin-Resource-Policy", "same-origin");
    for (auto& [name, value] : r.headers) res.insert(name, value);
    if (res[bhttp::field::cache_control].empty()) res.set(bhttp::field::cache_control, "no-store");
    res.keep_alive(req.keep_alive());
    const bool head = req.method() == bhttp::verb::head;
    res.body() = std::move(r.body);
    res.prepare_payload();
    if (head) res.body().clear();  // Content-Length stays that of the GET
    return res;
}

// Same-origin check for state-changing requests (OWASP CSRF cheat sheet:
// verify the source origin with standard headers). Browsers send Origin on
// every cross-origin POST/PUT/DELETE and Sec-Fetch-Site when they support
// Fetch Metadata; scripts (curl, Python) send neither and are not browsers.
// The Host compared with has passed host_allowed() (route_request), so an
// Origin naming a rebound attacker's name never matches; "null" never does.
bool same_origin(const request& req, const client_info& client) {
    const auto site = req["Sec-Fetch-Site"];
    if (!site.empty() && site != "same-origin" && site != "none") return false;
    const auto origin = req[bhttp::field::origin];
    if (origin.empty()) return true;
    const auto host = req[bhttp::field::host];
    if (host.empty()) return false;
    const std::string expected = std::string(client.tls ? "https://" : "http://") + std::string(host);
    return origin == expected;
}

bool is_json(const request& req) {
    std::string_view ct = req[bhttp::field::content_type];
    const auto semi = ct.find(';');
    ct = ct.substr(0, semi);
    while (!ct.empty() && ct.back() == ' ') ct.remove_suffix(1);
    return ct.size() == 16 && std::equal(ct.begin(), ct.end(), "application/json", [](char a, char b) {
               return (a >= 'A' && a <= 'Z' ? a + 32 : a) == b;
           });
}

reply api(const request& req, const client_info& client, services& svc, const target& t) {
    auto q = query_params::parse(t.query);
    if (!q) return error_reply(400, "bad_query", "query string: bad encoding, invalid UTF-8 or a repeated name");
    auto m = match_route(api_routes(), req.method(), t.path);
    if (!m.found) {
        if (m.path_exists) {
            auto r = error_reply(405, "method_not_allowed", "method not allowed on this resource");
            return r;
        }
        return error_reply(404, "not_found", "no such API resource");
    }
    const route& r = *m.found;
    for (const auto& [name, value] : q->all())
        if (!accepts_query_name(r, name))
            return error_reply(400, "unknown_parameter", "unknown query parameter '" + clip_utf8(name, 64) + "'");

    principal who;
    bool session_cookie = false;
    if (r.need != role::none || r.before_password_change) {
        std::optional<principal> p;
        const std::string_view authz = req[bhttp::field::authorization];
        if (svc.auth.settings().disable_login) {
            p = principal{0, "admin", role::admin, false, principal::source::login_disabled, {}};
        } else if (!authz.empty()) {
            if (authz.size() > 7 && authz.substr(0, 7) == "Bearer ") p = svc.auth.from_token(authz.substr(7));
            if (!p) return error_reply(401, "unauthorized", "invalid or expired API token");
        } else {
            std::size_t sent = 0;
            const auto sid = cookie_value(req, session_cookie_name(client.tls), &sent);
            if (sent > 1)
                return error_reply(401, "ambiguous_session",
                                   "the session cookie was sent more than once; clear this site's cookies and log in");
            if (!sid.empty()) {
                p = svc.auth.from_session(sid);
                session_cookie = p.has_value();
            }
        }
        if (!p && r.need != role::none) {
            auto e = error_reply(401, "unauthorized", "log in (POST /api/v1/login) or send Authorization: Bearer TOKEN");
            return e;
        }
        if (p) who = std::move(*p);
        if (p && who.must_change_password && !r.before_password_change)
            return error_reply(403, "password_change_required",
                               "the default password must be changed first (POST /api/v1/users/{name}/password)");
        if (p && r.need == role::admin && who.granted != role::admin)
            return error_reply(403, "forbidden", "this action needs the admin role");
    }
    if (r.changes_state) {
        if (!same_origin(req, client)) {
            svc.stats.cross_origin.fetch_add(1, std::memory_order_relaxed);
            return error_reply(403, "cross_origin", "cross-origin request refused");
        }
        if (!req.body().empty() && !is_json(req))
            return error_reply(415, "unsupported_media_type", "send the body as application/json");
        // login/logout (role none) need no token: a cross-site request cannot
        // carry the SameSite=Strict cookie and fails the origin check above.
        if (session_cookie && r.need != role::none) {
            const std::string_view sent = req["X-CSRF-Token"];
            if (sent.empty() || !auth_service::equal_secrets(sent, auth_service::csrf_token(who.session_id)))
                return error_reply(403, "csrf", "missing or wrong X-CSRF-Token header");
        }
    }
    call c{req, client, svc, r, std::move(m.params), std::move(*q), std::move(who)};
    try {
        // A body, even where the route reads none (DELETE, ack, reload), must
        // be a JSON object: a request whose body cannot be understood is
        // refused whole, never half-executed.
        if (!req.body().empty()) (void)c.body();
        return r.handler(c);
    } catch (const api_error& e) {
        auto out = error_reply(e.status(), e.code(), e.what());
        for (const auto& h : e.headers) out.headers.push_back(h);
        return out;
    } catch (const store_error& e) {
        if (e.retryable()) return error_reply(503, "database_unavailable", "PostgreSQL is unavailable; try again later");
        std::fprintf(stderr, "wireflow-collector: http: %s %s: %s\n", std::string(req.method_string()).c_str(),
                     std::string(r.pattern).c_str(), e.what());
        return error_reply(400, "rejected", "the database refused the value");
    } catch (const std::bad_alloc&) {
        return error_reply(503, "overloaded", "out of memory");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "wireflow-collector: http: %s %s: %s\n", std::string(req.method_string()).c_str(),
                     std::string(r.pattern).c_str(), e.what());
        return error_reply(500, "internal", "internal error");
    }
}

}  // namespace

std::string_view session_cookie_name(bool tls) noexcept { return tls ? "__Host-wf_session" : "wf_session"; }

std::string_view cookie_value(const request& req, std::string_view name, std::size_t* count) {
    // RFC 6265 section 4.2.1: "a=b; c=d".
    std::string_view found;
    std::size_t n = 0;
    const auto range = req.equal_range(bhttp::field::cookie);
    for (auto f = range.first; f != range.second; ++f) {
        std::string_view v = f->value();
        while (!v.empty()) {
            const auto semi = v.find(';');
            std::string_view pair = v.substr(0, semi);
            while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
            const auto eq = pair.find('=');
            if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
                found = pair.substr(eq + 1);
                ++n;
            }
            if (semi == std::string_view::npos) break;
            v.remove_prefix(semi + 1);
        }
    }
    if (count) *count = n;
    return n == 1 ? found : std::string_view{};
}

const std::string& call::param(std::string_view name) const {
    for (const auto& [k, v] : params)
        if (k == name) return v;
    throw api_error(500, "internal", "route parameter missing");
}

boost::json::object call::body() const {
    if (req.body().empty()) throw api_error(400, "bad_json", "a JSON object body is required");
    boost::system::error_code ec;
    boost::json::parse_options opt;
    opt.max_depth = 32;
    auto v = boost::json::parse(req.body(), ec, {}, opt);
    if (ec) throw api_error(400, "bad_json", "the body is not valid JSON");
    if (!v.is_object()) throw api_error(400, "bad_json", "the body must be a JSON object");
    return std::move(v.as_object());
}

// JSON text with '<', '>' and '&' written as \u escapes. They can only occur
// inside strings, so the document means the same; but no packet-derived name
// ("</script><script>...") can ever appear as markup in a response, even to
// a client that ignores Content-Type.
std::string safe_json(const boost::json::value& v) {
    const std::string raw = boost::json::serialize(v);
    std::string out;
    out.reserve(raw.size());
    for (const char ch : raw) {
        switch (ch) {
        case '<': out += "\\u003c"; break;
        case '>': out += "\\u003e"; break;
        case '&': out += "\\u0026"; break;
        default: out += ch;
        }
    }
    return out;
}

reply error_reply(unsigned status, std::string_view code, std::string_view message) {
    boost::json::object o;
    o["error"] = code;
    o["message"] = message;
    reply r;
    r.status = status;
    r.body = safe_json(o);
    return r;
}

reply json_reply(const boost::json::value& v, unsigned status) {
    reply r;
    r.status = status;
    r.body = safe_json(v);
    return r;
}

response route_request(const request& req, const client_info& client, services& svc) {
    // DNS rebinding (issue 13, finding 5): checked before anything else, for
    // static files too (a rebound page must not even learn the dashboard).
    const auto hosts = req.equal_range(bhttp::field::host);
    const auto host_count = std::distance(hosts.first, hosts.second);
    if (host_count > 1) return to_response(req, error_reply(400, "bad_host", "more than one Host header"));
    if (host_count == 1 ? !host_allowed(hosts.first->value(), svc.hosts) : req.version() >= 11) {
        svc.stats.misdirected.fetch_add(1, std::memory_order_relaxed);
        return to_response(req, error_reply(421, "misdirected_request",
                                            "this server does not answer for that Host (see --http-host)"));
    }
    const target t = parse_target(req.target());
    if (t.error != path_error::none)
        return to_response(req, error_reply(t.error == path_error::too_long ? 414 : 400, "bad_path", to_string(t.error)));
    if (t.path == "/metrics" || t.path == "/api" || t.path.starts_with("/api/")) {
        try {
            return to_response(req, api(req, client, svc, t));
        } catch (const store_error&) {  // while authenticating: sessions live in PostgreSQL
            return to_response(req, error_reply(503, "database_unavailable", "PostgreSQL is unavailable; try again later"));
        } catch (const std::exception& e) {
            std::fprintf(stderr, "wireflow-collector: http: %s\n", e.what());
            return to_response(req, error_reply(500, "internal", "internal error"));
        }
    }
    return to_response(req, serve_static(svc.ui_dir, req.method(), t.path));
}

}  // namespace wireflow::collector::http
