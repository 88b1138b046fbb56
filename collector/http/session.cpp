// Handlers: login, logout, session, users, passwords, API tokens.
#include "handlers.hpp"
#include "json_views.hpp"
#include "params.hpp"

#include <string>

namespace wireflow::collector::http::handlers {

namespace bj = boost::json;

namespace {

std::string session_cookie(const std::string& value, bool tls, long max_age_s) {
    // HttpOnly: no script reads it; SameSite=Strict: no cross-site request
    // carries it; Secure and the __Host- prefix when served over TLS. No
    // Max-Age: a browser session cookie; the server's idle timeout and
    // lifetime bound it anyway.
    std::string c = std::string(session_cookie_name(tls)) + "=" + value + "; Path=/; HttpOnly; SameSite=Strict";
    if (tls) c += "; Secure";
    if (max_age_s >= 0) c += "; Max-Age=" + std::to_string(max_age_s);
    return c;
}

bj::object session_json(const principal& p, bool login_disabled) {
    bj::object o;
    o["user"] = p.user;
    o["role"] = to_string(p.granted);
    o["must_change_password"] = p.must_change_password;
    o["csrf_token"] = p.via == principal::source::session ? auth_service::csrf_token(p.session_id) : std::string();
    o["login_disabled"] = login_disabled;
    return o;
}

// 429 with Retry-After, counted.
[[noreturn]] void too_many(call& c, std::chrono::seconds wait, std::string_view what) {
    c.svc.stats.login_rate_limited.fetch_add(1, std::memory_order_relaxed);
    api_error e(429, "too_many_attempts", std::string(what));
    e.headers.emplace_back("Retry-After", std::to_string(wait.count()));
    throw e;
}

// An argon2id slot, or 503 at once (never a queue of 64 MiB hashes).
auth_service::hash_slot hash_slot_or_503(call& c) {
    auto slot = c.svc.auth.try_hash_slot();
    if (!slot) {
        c.svc.stats.hash_busy.fetch_add(1, std::memory_order_relaxed);
        api_error e(503, "busy", "password hashing is busy; try again in a second");
        e.headers.emplace_back("Retry-After", "1");
        throw e;
    }
    return std::move(*slot);
}

std::string require_name(const call& c) {
    const auto& n = c.param("name");
    if (!valid_username(n)) throw api_error(404, "not_found", "no such user");
    return n;
}

}  // namespace

reply login(call& c) {
    const auto body = c.body();
    only_fields(body, {"user", "password"});
    const auto user = field_string(body, "user", 256);
    const auto password = field_string(body, "password", 4096);
    if (!user || !password) throw api_error(400, "bad_parameter", "user and password are required");
    if (c.svc.auth.settings().disable_login)
        return json_reply(session_json(principal{0, "admin", role::admin, false, principal::source::login_disabled, {}}, true));
    const auto res = c.svc.auth.login(*user, *password, c.client.ip, c.req[bhttp::field::user_agent]);
    using outcome = login_result::outcome;
    if (res.result == outcome::rate_limited) too_many(c, res.retry_after, "too many failed logins; try again later");
    if (res.result == outcome::busy || res.result == outcome::not_ready) {
        if (res.result == outcome::busy) c.svc.stats.hash_busy.fetch_add(1, std::memory_order_relaxed);
        api_error e(503, res.result == outcome::busy ? "busy" : "starting",
                    res.result == outcome::busy ? "password hashing is busy; try again in a second"
                                                : "the collector is starting (waiting for PostgreSQL); try again");
        e.headers.emplace_back("Retry-After", std::to_string(res.retry_after.count()));
        throw e;
    }
    if (res.result != outcome::ok) {
        c.svc.stats.login_failures.fetch_add(1, std::memory_order_relaxed);
        throw api_error(401, "bad_credentials", "wrong user name or password");
    }
    // The session id is always fresh (no fixation: a cookie planted before
    // login is never promoted) and the one the browser had is ended.
    if (const auto old = cookie_value(c.req, session_cookie_name(c.client.tls)); !old.empty()) c.svc.auth.logout(old);
    auto r = json_reply(session_json(res.who, false));
    r.headers.emplace_back("Set-Cookie", session_cookie(res.session_id, c.client.tls, -1));
    return r;
}

reply logout(call& c) {
    if (const auto sid = cookie_value(c.req, session_cookie_name(c.client.tls)); !sid.empty()) c.svc.auth.logout(sid);
    auto r = json_reply(bj::object{{"ok", true}});
    r.headers.emplace_back("Set-Cookie", session_cookie("", c.client.tls, 0));
    return r;
}

reply session(call& c) { return json_reply(session_json(c.who, c.svc.auth.settings().disable_login)); }

reply list_users(call& c) {
    bj::array items;
    const auto users = c.svc.auth.users().list_users();
    for (const auto& u : users) items.emplace_back(user_json(u));
    return json_reply(list_view(users.size(), std::move(items)));
}

reply create_user(call& c) {
    const auto body = c.body();
    only_fields(body, {"name", "role", "password", "must_change_password"});
    const auto name = field_string(body, "name", 64);
    const auto r = field_string(body, "role", 16).value_or("viewer");
    const auto password = field_string(body, "password", 4096);
    if (!name || !valid_username(*name)) throw api_error(400, "bad_parameter", "name: 1 to 64 of A-Z a-z 0-9 . _ -");
    if (r != "admin" && r != "viewer") throw api_error(400, "bad_parameter", "role: admin or viewer");
    if (!password) throw api_error(400, "bad_parameter", "password is required");
    if (const auto p = password_problem(*password); !p.empty()) throw api_error(400, "weak_password", std::string(p));
    const bool must_change = field_bool(body, "must_change_password").value_or(false);
    std::string hash;
    {
        const auto slot = hash_slot_or_503(c);
        hash = auth_service::hash_password(*password);
    }
    if (!c.svc.auth.users().create_user(*name, r, hash, must_change))
        throw api_error(409, "exists", "a user of that name exists");
    return json_reply(user_json(*c.svc.auth.users().find_user(*name)), 201);
}

reply update_user(call& c) {
    const auto name = require_name(c);
    const auto body = c.body();
    only_fields(body, {"role", "disabled"});
    const auto r = field_string(body, "role", 16);
    const auto disabled = field_bool(body, "disabled");
    if (r && *r != "admin" && *r != "viewer") throw api_error(400, "bad_parameter", "role: admin or viewer");
    bool last_admin = false;
    if (!c.svc.auth.users().update_user(name, r, disabled, last_admin)) {
        if (last_admin) throw api_error(409, "last_admin", "at least one enabled admin must remain");
        throw api_error(404, "not_found", "no such user");
    }
    return json_reply(user_json(*c.svc.auth.users().find_user(name)));
}

reply delete_user(call& c) {
    const auto name = require_name(c);
    if (!c.req.body().empty()) only_fields(c.body(), {});
    bool last_admin = false;
    if (!c.svc.auth.users().remove_user(name, last_admin)) {
        if (last_admin) throw api_error(409, "last_admin", "at least one enabled admin must remain");
        throw api_error(404, "not_found", "no such user");
    }
    return json_reply(bj::object{{"ok", true}});
}

reply change_password(call& c) {
    const auto name = require_name(c);
    const auto body = c.body();
    only_fields(body, {"current_password", "new_password"});
    const auto current = field_string(body, "current_password", 4096);
    const auto next = field_string(body, "new_password", 4096);
    if (!next) throw api_error(400, "bad_parameter", "new_password is required");
    const bool self = c.who.via != principal::source::login_disabled && name == c.who.user;
    if (!self && c.who.granted != role::admin) throw api_error(403, "forbidden", "only an admin changes another user's password");
    if (!self && c.who.must_change_password)
        throw api_error(403, "password_change_required", "change your own password first");
    if (const auto p = password_problem(*next); !p.empty()) throw api_error(400, "weak_password", std::string(p));
    auto& users = c.svc.auth.users();
    // The own change proves the current password: it is a login attempt and
    // shares the failed-login limits (issue 13, finding 8), else a stolen
    // session could guess the password without limit.
    if (self) {
        if (const auto wait = c.svc.auth.retry_after(name, c.client.ip); wait.count() > 0)
            too_many(c, wait, "too many wrong current passwords; try again later");
    }
    const auto u = users.find_user(name);
    if (!u) throw api_error(404, "not_found", "no such user");
    std::string hash;
    {
        const auto slot = hash_slot_or_503(c);
        if (self) {
            // Knowing the current password proves it is the account's owner, not
            // a script that found an unlocked browser.
            if (!current || !auth_service::verify_password(u->password_hash, *current)) {
                c.svc.auth.note_failure(name, c.client.ip);
                c.svc.stats.login_failures.fetch_add(1, std::memory_order_relaxed);
                throw api_error(403, "bad_credentials", "current_password is wrong");
            }
            if (*next == *current) throw api_error(400, "weak_password", "the new password must differ from the current one");
        }
        hash = auth_service::hash_password(*next);
    }
    // Set by an admin for someone else: that user must choose their own next.
    users.set_password(name, hash, !self);
    auto r = json_reply(bj::object{{"ok", true}});
    if (self && c.who.via == principal::source::session) {
        // Every session of the account ended with the old password; the
        // caller continues in a fresh one.
        auto res = c.svc.auth.login(name, *next, c.client.ip, c.req[bhttp::field::user_agent]);
        if (res.result == login_result::outcome::ok) {
            r = json_reply(session_json(res.who, false));
            r.headers.emplace_back("Set-Cookie", session_cookie(res.session_id, c.client.tls, -1));
        }
    }
    return r;
}

reply list_tokens(call& c) {
    bj::array items;
    const auto tokens = c.svc.auth.users().list_tokens();
    for (const auto& t : tokens) items.emplace_back(token_json(t));
    return json_reply(list_view(tokens.size(), std::move(items)));
}

reply create_token(call& c) {
    const auto body = c.body();
    only_fields(body, {"name", "expires_days"});
    const auto name = field_string(body, "name", 64);
    if (!name || name->empty() || !valid_utf8(*name)) throw api_error(400, "bad_parameter", "name is required (1 to 64 bytes)");
    const auto days = field_int(body, "expires_days", 1, 3650);
    if (c.who.via == principal::source::login_disabled)
        throw api_error(409, "login_disabled", "tokens need user accounts (--disable-login is set)");
    const std::string secret = auth_service::random_secret();
    std::optional<std::chrono::system_clock::time_point> expires;
    if (days) expires = std::chrono::system_clock::now() + std::chrono::hours(24 * *days);
    const auto id = c.svc.auth.users().create_token(c.who.user_id, *name, auth_service::token_hash(secret), expires);
    if (!id) throw api_error(409, "exists", "you have a token of that name");
    bj::object o;
    o["id"] = *id;
    o["name"] = *name;
    o["user"] = c.who.user;
    o["token"] = secret;
    o["expires_at"] = expires ? bj::value(unix_seconds(*expires)) : bj::value(nullptr);
    return json_reply(o, 201);
}

reply revoke_token(call& c) {
    const auto id = parse_uint_or_400(c.param("id"), "id", 2147483647);
    if (!c.req.body().empty()) only_fields(c.body(), {});
    if (!c.svc.auth.users().revoke_token(static_cast<std::int32_t>(id))) throw api_error(404, "not_found", "no such token");
    return json_reply(bj::object{{"ok", true}});
}

}  // namespace wireflow::collector::http::handlers
