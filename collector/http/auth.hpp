#pragma once
// Authentication: passwords (argon2id via libsodium's crypto_pwhash_str,
// "interactive" limits), browser sessions, API tokens and CSRF tokens.
//
// Secrets: a session id and an API token are 256 random bits from the OS
// (randombytes_buf), sent base64url-encoded. PostgreSQL stores only a keyed
// BLAKE2b-256 of each (user_store), so sessions survive a restart and a
// database dump holds nothing usable. The CSRF token of a session is another
// BLAKE2b of its id under a different key: only the holder of the session
// (the page that got it from login or GET /api/v1/session) knows it, and no
// server-side state is needed for it.
//
// Sessions: created at login (a new id every time: a cookie planted before
// login is never promoted), deleted at logout and when the password changes;
// idle timeout (0: off, --disable-autologout) and an absolute lifetime.

#include "rate_limiter.hpp"
#include "router.hpp"
#include "collector_api.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wireflow::collector::http {

struct principal {
    enum class source : std::uint8_t { session, token, login_disabled };
    std::int32_t user_id{0};
    std::string user;
    role granted{role::viewer};
    bool must_change_password{false};
    source via{source::session};
    std::string session_id;  // the cookie value (source::session only)
};

struct auth_settings {
    bool disable_login{false};
    std::chrono::seconds idle{1800};               // 0: no idle timeout
    std::chrono::seconds lifetime{7 * 24 * 3600};  // absolute, from login
    std::size_t max_failures{5};
    std::chrono::seconds failure_window{60};
};

struct login_result {
    enum class outcome : std::uint8_t { ok, bad_credentials, rate_limited } result{outcome::bad_credentials};
    principal who;
    std::string session_id;
    std::chrono::seconds retry_after{0};
};

// Usernames: 1..64 of [A-Za-z0-9._-]; passwords: 8..1024 bytes of valid UTF-8.
[[nodiscard]] bool valid_username(std::string_view name) noexcept;
[[nodiscard]] std::string_view password_problem(std::string_view password) noexcept;  // empty: acceptable

class auth_service {
public:
    // Calls sodium_init() (throws std::runtime_error when it fails).
    auth_service(account_store& users, auth_settings settings);

    // Creates admin/admin (must change) in an empty users table.
    bool bootstrap();

    [[nodiscard]] static std::string hash_password(std::string_view password);
    [[nodiscard]] static bool verify_password(const std::string& phc, std::string_view password) noexcept;
    [[nodiscard]] static std::string random_secret();  // 256 bits, base64url without padding
    [[nodiscard]] static std::string session_hash(std::string_view session_id);
    [[nodiscard]] static std::string token_hash(std::string_view token);
    [[nodiscard]] static std::string csrf_token(std::string_view session_id);
    [[nodiscard]] static bool equal_secrets(std::string_view a, std::string_view b) noexcept;  // constant time

    [[nodiscard]] std::optional<principal> from_session(std::string_view session_id);
    [[nodiscard]] std::optional<principal> from_token(std::string_view token);

    // Rate-limited per client IP and per user name; argon2id runs even for
    // unknown users (a dummy hash) so timing does not tell names apart.
    [[nodiscard]] login_result login(std::string_view user, std::string_view password, const std::string& client_ip,
                                     std::string_view user_agent);
    void logout(std::string_view session_id);

    [[nodiscard]] const auth_settings& settings() const noexcept { return settings_; }
    [[nodiscard]] account_store& users() noexcept { return users_; }

private:
    account_store& users_;
    auth_settings settings_;
    rate_limiter by_ip_, by_user_;
    std::string dummy_hash_;
};

}  // namespace wireflow::collector::http
