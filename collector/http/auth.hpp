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

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <semaphore>
#include <unordered_set>
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

// Failed logins (issue 13, finding 8) are limited per window by three keys:
//   (user name, client address): 5   the guesser of one account from one place;
//                                     the admin elsewhere can still log in
//   client address: 20                 one place trying many names
//   everyone: 300                      many places at once (a botnet); does
//                                     not apply to addresses that logged in
//                                     successfully before (bounded memory), so
//                                     known admins are never locked out
// An IPv6 client counts by its /64 (one host gets a whole /64: its addresses
// are free), an IPv4 client by its address.
struct auth_settings {
    bool disable_login{false};
    std::chrono::seconds idle{1800};               // 0: no idle timeout
    std::chrono::seconds lifetime{7 * 24 * 3600};  // absolute, from login
    std::size_t max_failures{5};                   // per (user, address)
    std::size_t max_address_failures{20};          // per address, any user
    std::size_t max_global_failures{300};          // all addresses not known good
    std::chrono::seconds failure_window{60};
    // argon2id (crypto_pwhash, "interactive") takes 64 MiB and a core for a
    // while: at most this many run at once, on the HTTP threads; a request
    // that finds none free is answered 503 at once, never queued.
    std::ptrdiff_t max_concurrent_hashes{1};
};

struct login_result {
    enum class outcome : std::uint8_t { ok, bad_credentials, rate_limited, busy, not_ready } result{outcome::bad_credentials};
    principal who;
    std::string session_id;
    std::chrono::seconds retry_after{0};
};

// Usernames: 1..64 of [A-Za-z0-9._-], the first a letter or digit (never
// ".", "..", a dot file or an option-like "-x"; no '/' ever); passwords: 8..1024 bytes of valid UTF-8.
[[nodiscard]] bool valid_username(std::string_view name) noexcept;
[[nodiscard]] std::string_view password_problem(std::string_view password) noexcept;  // empty: acceptable

class auth_service {
public:
    // Calls sodium_init() (throws std::runtime_error when it fails).
    auth_service(account_store& users, auth_settings settings);

    // Creates `admin` in an empty users table with this password; true when
    // created. Either way, logins are possible from now on (ready()).
    bool bootstrap(std::string_view password, bool must_change_password);
    // Until the users table was checked (PostgreSQL answered), login answers
    // 503: a bad_credentials then would be a lie.
    [[nodiscard]] bool ready() const noexcept { return ready_.load(std::memory_order_acquire); }
    void set_ready() noexcept { ready_.store(true, std::memory_order_release); }

    // One of the max_concurrent_hashes argon2id slots, held while it lives.
    class hash_slot {
    public:
        explicit hash_slot(std::counting_semaphore<64>* s) noexcept : s_(s) {}
        hash_slot(hash_slot&& o) noexcept : s_(o.s_) { o.s_ = nullptr; }
        hash_slot& operator=(hash_slot&&) = delete;
        ~hash_slot() {
            if (s_) s_->release();
        }

    private:
        std::counting_semaphore<64>* s_;
    };
    // A slot, or nothing when all are in use (answer 503).
    [[nodiscard]] std::optional<hash_slot> try_hash_slot() noexcept;

    // The failed-login limits for (user, client): zero when it may try now.
    [[nodiscard]] std::chrono::seconds retry_after(std::string_view user, const std::string& client_ip);
    void note_failure(std::string_view user, const std::string& client_ip);

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
    [[nodiscard]] bool known_good(const std::string& address);
    void remember_good(const std::string& address);

    account_store& users_;
    auth_settings settings_;
    rate_limiter by_ip_, by_user_, global_;
    std::string dummy_hash_;
    std::atomic<bool> ready_{false};
    std::counting_semaphore<64> hashes_;
    std::mutex good_mutex_;
    std::unordered_set<std::string> good_addresses_;  // logged in successfully (bounded)
};

}  // namespace wireflow::collector::http
