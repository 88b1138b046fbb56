#pragma once
// Web users, login sessions and API tokens in PostgreSQL (tables users,
// sessions, api_tokens of schema v1). The store knows no cryptography: the
// HTTP layer (collector/http/auth) hashes passwords (argon2id PHC strings) and
// passes the BLAKE2b hash of each session id or token, never the secret
// itself, so a leaked database reveals no usable credential.
//
// Thread-safe (db_pool). Every method throws store_error on database failure.

#include "model/accounts.hpp"
#include "db_pool.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wireflow::collector {

class user_store {
public:
    explicit user_store(db_pool& db) : db_(db) {}

    // Inserts `admin` (role admin) with `password_hash` and the flag when the
    // users table is empty. True if it did.
    bool create_default_admin_if_empty(const std::string& password_hash, bool must_change_password);

    [[nodiscard]] std::vector<stored_user> list();
    [[nodiscard]] std::optional<stored_user> find(const std::string& name);
    // nullopt when the name is taken.
    std::optional<std::int32_t> create(const std::string& name, const std::string& role,
                                       const std::string& password_hash, bool must_change_password);
    // Changes role and/or disabled. False when no such user. Refuses (returns
    // false through `last_admin`) to leave no enabled admin.
    bool update(const std::string& name, const std::optional<std::string>& role,
                const std::optional<bool>& disabled, bool& last_admin);
    // Deletes the user (their sessions and tokens go with it); same last-admin rule.
    bool remove(const std::string& name, bool& last_admin);
    // Sets the hash and the flag; drops every session of the user and revokes
    // its API tokens. False when unknown.
    bool set_password(const std::string& name, const std::string& password_hash, bool must_change_password);
    void note_login(std::int32_t user_id);

    // ---- sessions (hash = 32-byte BLAKE2b of the cookie value, as hex) ----
    void create_session(const std::string& hash_hex, std::int32_t user_id,
                        std::chrono::system_clock::time_point expires_at, const std::string& client_ip,
                        const std::string& user_agent);
    // The session's user when it exists, has not expired and (idle > 0) was
    // used within `idle`; refreshes last_used_at (at most every 15 s or a
    // quarter of `idle`: no write per request). An idle or expired session is deleted.
    [[nodiscard]] std::optional<principal_row> use_session(const std::string& hash_hex, std::chrono::seconds idle);
    void delete_session(const std::string& hash_hex);
    // Removes expired sessions and sessions idle for longer than `idle` (if > 0).
    std::uint64_t purge_sessions(std::chrono::seconds idle);
    // The client addresses of sessions not expired (at most 1000, newest
    // use first): the blacklist's nftables export never drops them.
    [[nodiscard]] std::vector<std::string> session_addresses();

    // ---- API tokens ----
    // nullopt when the user already has a token of that name.
    std::optional<std::int32_t> create_token(std::int32_t user_id, const std::string& name, const std::string& hash_hex,
                                             std::optional<std::chrono::system_clock::time_point> expires_at);
    [[nodiscard]] std::optional<principal_row> use_token(const std::string& hash_hex);
    [[nodiscard]] std::vector<stored_token> list_tokens();
    bool revoke_token(std::int32_t id);

private:
    db_pool& db_;
};

}  // namespace wireflow::collector
