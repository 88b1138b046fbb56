#include "user_store.hpp"

#include "pg_time.hpp"

#include <algorithm>

namespace wireflow::collector {

namespace {

using namespace pg_time;

constexpr const char* user_columns =
    "id, name, role, password_hash, must_change_password, disabled, "
    "(extract(epoch FROM created_at) * 1000000)::bigint, (extract(epoch FROM last_login_at) * 1000000)::bigint";

stored_user user_of(const pqxx::row& r) {
    stored_user u;
    u.id = r[0].as<std::int32_t>();
    u.name = r[1].as<std::string>();
    u.role = r[2].as<std::string>();
    u.password_hash = r[3].as<std::string>();
    u.must_change_password = r[4].as<bool>();
    u.disabled = r[5].as<bool>();
    u.created_at = from_us(r[6].as<std::int64_t>());
    u.last_login_at = opt_time(r[7]);
    return u;
}

// Enabled admins other than `name`: the last one may not go away.
bool other_admins(pqxx::work& tx, const std::string& name) {
    // FOR UPDATE serialises concurrent demotions of the last two admins.
    const auto r = tx.exec_params(
        "SELECT id FROM users WHERE role = 'admin' AND NOT disabled AND name <> $1 FOR UPDATE", name);
    return !r.empty();
}

}  // namespace

bool user_store::create_default_admin_if_empty(const std::string& password_hash, bool must_change_password) {
    return db_.run("create default admin", [&](pqxx::connection& c) {
        pqxx::work tx{c};
        // The advisory lock makes two collectors starting on one database agree.
        tx.exec("SELECT pg_advisory_xact_lock(7296111)");
        const auto r = tx.exec_params(
            "INSERT INTO users (name, role, password_hash, must_change_password)"
            " SELECT 'admin', 'admin', $1, $2 WHERE NOT EXISTS (SELECT 1 FROM users)",
            password_hash, must_change_password);
        tx.commit();
        return r.affected_rows() == 1;
    });
}

std::vector<stored_user> user_store::list() {
    return db_.run("list users", [&](pqxx::connection& c) {
        pqxx::read_transaction tx{c};
        std::vector<stored_user> out;
        for (const auto& r : tx.exec(std::string("SELECT ") + user_columns + " FROM users ORDER BY name"))
            out.push_back(user_of(r));
        return out;
    });
}

std::optional<stored_user> user_store::find(const std::string& name) {
    return db_.run("find user", [&](pqxx::connection& c) -> std::optional<stored_user> {
        pqxx::read_transaction tx{c};
        const auto r = tx.exec_params(std::string("SELECT ") + user_columns + " FROM users WHERE name = $1", name);
        if (r.empty()) return std::nullopt;
        return user_of(r[0]);
    });
}

std::optional<std::int32_t> user_store::create(const std::string& name, const std::string& role,
                                               const std::string& password_hash, bool must_change_password) {
    return db_.run("create user", [&](pqxx::connection& c) -> std::optional<std::int32_t> {
        pqxx::work tx{c};
        const auto r = tx.exec_params(
            "INSERT INTO users (name, role, password_hash, must_change_password) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (name) DO NOTHING RETURNING id",
            name, role, password_hash, must_change_password);
        tx.commit();
        if (r.empty()) return std::nullopt;
        return r[0][0].as<std::int32_t>();
    });
}

bool user_store::update(const std::string& name, const std::optional<std::string>& role,
                        const std::optional<bool>& disabled, bool& last_admin) {
    last_admin = false;
    return db_.run("update user", [&](pqxx::connection& c) {
        pqxx::work tx{c};
        const auto cur = tx.exec_params("SELECT role, disabled FROM users WHERE name = $1 FOR UPDATE", name);
        if (cur.empty()) return false;
        const bool was_admin = cur[0][0].as<std::string>() == "admin" && !cur[0][1].as<bool>();
        const bool stays_admin = role.value_or(cur[0][0].as<std::string>()) == "admin" &&
                                 !disabled.value_or(cur[0][1].as<bool>());
        if (was_admin && !stays_admin && !other_admins(tx, name)) {
            last_admin = true;
            return false;
        }
        tx.exec_params0(
            "UPDATE users SET role = coalesce($2, role), disabled = coalesce($3::boolean, disabled) WHERE name = $1",
            name, role, disabled);
        tx.commit();
        return true;
    });
}

bool user_store::remove(const std::string& name, bool& last_admin) {
    last_admin = false;
    return db_.run("delete user", [&](pqxx::connection& c) {
        pqxx::work tx{c};
        const auto cur = tx.exec_params("SELECT role, disabled FROM users WHERE name = $1 FOR UPDATE", name);
        if (cur.empty()) return false;
        if (cur[0][0].as<std::string>() == "admin" && !cur[0][1].as<bool>() && !other_admins(tx, name)) {
            last_admin = true;
            return false;
        }
        tx.exec_params0("DELETE FROM users WHERE name = $1", name);
        tx.commit();
        return true;
    });
}

bool user_store::set_password(const std::string& name, const std::string& password_hash, bool must_change_password) {
    return db_.run("set password", [&](pqxx::connection& c) {
        pqxx::work tx{c};
        const auto r = tx.exec_params(
            "UPDATE users SET password_hash = $2, must_change_password = $3 WHERE name = $1 RETURNING id", name,
            password_hash, must_change_password);
        if (r.empty()) return false;
        // A new password ends every session opened with the old one, and
        // revokes the API tokens made with it (issue 13, finding 12): whoever
        // took the old password may have made one.
        const auto id = r[0][0].as<std::int32_t>();
        tx.exec_params0("DELETE FROM sessions WHERE user_id = $1", id);
        tx.exec_params0("UPDATE api_tokens SET revoked = true WHERE user_id = $1 AND NOT revoked", id);
        tx.commit();
        return true;
    });
}

void user_store::note_login(std::int32_t user_id) {
    db_.run("note login", [&](pqxx::connection& c) {
        pqxx::work tx{c};
        tx.exec_params0("UPDATE users SET last_login_at = now() WHERE id = $1", user_id);
        tx.commit();
    });
}

void user_store::create_session(const std::string& hash_hex, std::int32_t user_id, clock::time_point expires_at,
                                const std::string& client_ip, const std::string& user_agent) {
    db_.run("create session", [&](pqxx::connection& c) {
        pqxx::work tx{c};
        tx.exec_params0(
            "INSERT INTO sessions (token_hash, user_id, expires_at, client_ip, user_agent)"
            " VALUES (decode($1, 'hex'), $2, timestamptz 'epoch' + $3 * interval '1 microsecond',"
            " nullif($4, '')::inet, $5)",
            hash_hex, user_id, to_us(expires_at), client_ip, user_agent);
        tx.commit();
    });
}

std::optional<principal_row> user_store::use_session(const std::string& hash_hex, std::chrono::seconds idle) {
    // Refreshing last_used_at at most every 15 s (a quarter of a short idle
    // timeout) keeps a write off most requests without ending a session in use.
    const long long refresh_ms = idle.count() > 0 ? std::min<long long>(15000, idle.count() * 250) : 15000;
    return db_.run("use session", [&](pqxx::connection& c) -> std::optional<principal_row> {
        pqxx::work tx{c};
        const auto r = tx.exec_params(
            "SELECT u.id, u.name, u.role, u.must_change_password,"
            " s.expires_at > now() AND ($2 <= 0 OR s.last_used_at > now() - $2 * interval '1 second') AND NOT u.disabled,"
            " s.last_used_at < now() - $3 * interval '1 millisecond'"
            " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = decode($1, 'hex')",
            hash_hex, static_cast<long long>(idle.count()), refresh_ms);
        if (r.empty()) return std::nullopt;
        if (!r[0][4].as<bool>()) {
            tx.exec_params0("DELETE FROM sessions WHERE token_hash = decode($1, 'hex')", hash_hex);
            tx.commit();
            return std::nullopt;
        }
        if (r[0][5].as<bool>()) {
            tx.exec_params0("UPDATE sessions SET last_used_at = now() WHERE token_hash = decode($1, 'hex')", hash_hex);
        }
        tx.commit();
        return principal_row{r[0][0].as<std::int32_t>(), r[0][1].as<std::string>(), r[0][2].as<std::string>(),
                             r[0][3].as<bool>()};
    });
}

void user_store::delete_session(const std::string& hash_hex) {
    db_.run("delete session", [&](pqxx::connection& c) {
        pqxx::work tx{c};
        tx.exec_params0("DELETE FROM sessions WHERE token_hash = decode($1, 'hex')", hash_hex);
        tx.commit();
    });
}

std::uint64_t user_store::purge_sessions(std::chrono::seconds idle) {
    return db_.run("purge sessions", [&](pqxx::connection& c) {
        pqxx::work tx{c};
        const auto r = tx.exec_params(
            "DELETE FROM sessions WHERE expires_at <= now() OR ($1 > 0 AND last_used_at <= now() - $1 * interval '1 second')",
            static_cast<long long>(idle.count()));
        tx.commit();
        return static_cast<std::uint64_t>(r.affected_rows());
    });
}

std::vector<std::string> user_store::session_addresses() {
    return db_.run("session addresses", [&](pqxx::connection& c) {
        pqxx::read_transaction tx{c};
        std::vector<std::string> out;
        for (const auto& r : tx.exec(
                 "SELECT host(client_ip) FROM sessions WHERE expires_at > now() AND client_ip IS NOT NULL"
                 " GROUP BY client_ip ORDER BY max(last_used_at) DESC LIMIT 1000"))
            out.push_back(r[0].as<std::string>());
        return out;
    });
}

std::optional<std::int32_t> user_store::create_token(std::int32_t user_id, const std::string& name,
                                                     const std::string& hash_hex,
                                                     std::optional<clock::time_point> expires_at) {
    return db_.run("create token", [&](pqxx::connection& c) -> std::optional<std::int32_t> {
        pqxx::work tx{c};
        const std::optional<long long> exp = expires_at ? std::optional<long long>(to_us(*expires_at)) : std::nullopt;
        const auto r = tx.exec_params(
            "INSERT INTO api_tokens (user_id, name, token_hash, expires_at)"
            " VALUES ($1, $2, decode($3, 'hex'), timestamptz 'epoch' + $4::bigint * interval '1 microsecond')"
            " ON CONFLICT (user_id, name) DO NOTHING RETURNING id",
            user_id, name, hash_hex, exp);
        tx.commit();
        if (r.empty()) return std::nullopt;
        return r[0][0].as<std::int32_t>();
    });
}

std::optional<principal_row> user_store::use_token(const std::string& hash_hex) {
    return db_.run("use token", [&](pqxx::connection& c) -> std::optional<principal_row> {
        pqxx::work tx{c};
        const auto r = tx.exec_params(
            "SELECT u.id, u.name, u.role, u.must_change_password,"
            " t.last_used_at IS NULL OR t.last_used_at < now() - interval '15 seconds', t.id"
            " FROM api_tokens t JOIN users u ON u.id = t.user_id"
            " WHERE t.token_hash = decode($1, 'hex') AND NOT t.revoked AND NOT u.disabled"
            " AND (t.expires_at IS NULL OR t.expires_at > now())",
            hash_hex);
        if (r.empty()) return std::nullopt;
        if (r[0][4].as<bool>()) tx.exec_params0("UPDATE api_tokens SET last_used_at = now() WHERE id = $1", r[0][5].as<std::int32_t>());
        tx.commit();
        return principal_row{r[0][0].as<std::int32_t>(), r[0][1].as<std::string>(), r[0][2].as<std::string>(),
                             r[0][3].as<bool>()};
    });
}

std::vector<stored_token> user_store::list_tokens() {
    return db_.run("list tokens", [&](pqxx::connection& c) {
        pqxx::read_transaction tx{c};
        std::vector<stored_token> out;
        for (const auto& r : tx.exec(
                 "SELECT t.id, u.name, t.name, (extract(epoch FROM t.created_at) * 1000000)::bigint,"
                 " (extract(epoch FROM t.expires_at) * 1000000)::bigint,"
                 " (extract(epoch FROM t.last_used_at) * 1000000)::bigint"
                 " FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE NOT t.revoked ORDER BY t.id")) {
            stored_token t;
            t.id = r[0].as<std::int32_t>();
            t.user = r[1].as<std::string>();
            t.name = r[2].as<std::string>();
            t.created_at = from_us(r[3].as<std::int64_t>());
            t.expires_at = opt_time(r[4]);
            t.last_used_at = opt_time(r[5]);
            out.push_back(std::move(t));
        }
        return out;
    });
}

bool user_store::revoke_token(std::int32_t id) {
    return db_.run("revoke token", [&](pqxx::connection& c) {
        pqxx::work tx{c};
        const auto r = tx.exec_params("UPDATE api_tokens SET revoked = true WHERE id = $1 AND NOT revoked", id);
        tx.commit();
        return r.affected_rows() == 1;
    });
}

}  // namespace wireflow::collector
