#include "auth.hpp"

#include <sodium.h>

#include <catch2/catch.hpp>

#include "fake_collector_api.hpp"

#include <set>

using namespace wireflow::collector::http;

TEST_CASE("secrets are 256 random bits in 43 base64url characters, never repeated", "[auth]") {
    REQUIRE(sodium_init() >= 0);
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        const auto s = auth_service::random_secret();
        CHECK(s.size() == 43);
        CHECK(s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == std::string::npos);
        CHECK(seen.insert(s).second);
    }
}

TEST_CASE("session hash, token hash and CSRF token of one secret are unrelated", "[auth]") {
    REQUIRE(sodium_init() >= 0);
    const auto id = auth_service::random_secret();
    const auto sh = auth_service::session_hash(id);
    const auto th = auth_service::token_hash(id);
    const auto csrf = auth_service::csrf_token(id);
    CHECK(sh.size() == 64);
    CHECK(sh != th);
    CHECK(csrf.find(sh.substr(0, 8)) == std::string::npos);
    CHECK(auth_service::session_hash(id) == sh);     // stable: sessions survive restarts
    CHECK(auth_service::csrf_token(id) == csrf);
    CHECK(auth_service::csrf_token(auth_service::random_secret()) != csrf);
}

TEST_CASE("argon2id hashes verify the right password only", "[auth]") {
    REQUIRE(sodium_init() >= 0);
    const auto h = auth_service::hash_password("correct horse");
    CHECK(h.rfind("$argon2id$", 0) == 0);
    CHECK(auth_service::verify_password(h, "correct horse"));
    CHECK_FALSE(auth_service::verify_password(h, "correct hors"));
    CHECK_FALSE(auth_service::verify_password(h, ""));
    CHECK(auth_service::hash_password("correct horse") != h);  // salted
}

TEST_CASE("secrets compare only when equal in full", "[auth]") {
    CHECK(auth_service::equal_secrets("abc", "abc"));
    CHECK_FALSE(auth_service::equal_secrets("abc", "abd"));
    CHECK_FALSE(auth_service::equal_secrets("abc", "ab"));
    CHECK_FALSE(auth_service::equal_secrets("", "a"));
}

TEST_CASE("user names and passwords are checked before any database work", "[auth]") {
    CHECK(valid_username("admin"));
    CHECK(valid_username("ops.team_1-b"));
    CHECK_FALSE(valid_username(""));
    CHECK_FALSE(valid_username("a b"));
    CHECK_FALSE(valid_username("<script>"));
    CHECK_FALSE(valid_username("x'--"));
    CHECK_FALSE(valid_username(std::string(65, 'a')));
    // Issue 13, finding 9: names that cannot be addressed in a path, or look
    // like one, or like an option.
    for (const char* bad : {".", "..", ".hidden", "-rf", "_x", "a/b", "../admin", "a\\b", "a%2fb", "a\nb"})
        CHECK_FALSE(valid_username(bad));
    CHECK(valid_username("a.."));
    CHECK(valid_username(std::string(64, 'a')));
    CHECK_FALSE(password_problem("short").empty());
    CHECK(password_problem("long enough").empty());
    CHECK_FALSE(password_problem(std::string(1025, 'a')).empty());
    CHECK_FALSE(password_problem("bad utf8 \xff\xfe").empty());
}

namespace {

struct login_fixture {
    wireflow::collector::http::testing::fake_collector_api api;
    auth_service auth;
    explicit login_fixture(auth_settings s) : auth(api, s) {
        (void)api.create_user("admin", "admin", auth_service::hash_password("admin-password-1"), false);
        auth.set_ready();
    }
    login_result::outcome try_login(const std::string& password, const std::string& ip) {
        return auth.login("admin", password, ip, "test").result;
    }
};

}  // namespace

TEST_CASE("login answers not_ready until the users table was checked", "[auth]") {
    wireflow::collector::http::testing::fake_collector_api api;
    auth_service auth(api, auth_settings{});
    CHECK(auth.login("admin", "admin", "127.0.0.1", "").result == login_result::outcome::not_ready);
    CHECK(auth.bootstrap("admin", true));
    CHECK_FALSE(auth.bootstrap("other", true));  // the table has a user now
    CHECK(auth.ready());
    CHECK(auth.login("admin", "admin", "127.0.0.1", "").result == login_result::outcome::ok);
}

TEST_CASE("bad passwords from one IPv6 /64 do not lock the admin out from elsewhere", "[auth]") {
    auth_settings s;
    s.max_failures = 3;
    login_fixture f(s);
    // Rotating addresses inside one /64 does not evade the limit.
    CHECK(f.try_login("guess-1", "2001:db8:0:1::1") == login_result::outcome::bad_credentials);
    CHECK(f.try_login("guess-2", "2001:db8:0:1::2") == login_result::outcome::bad_credentials);
    CHECK(f.try_login("guess-3", "2001:db8:0:1:ffff::3") == login_result::outcome::bad_credentials);
    CHECK(f.try_login("admin-password-1", "2001:db8:0:1::4") == login_result::outcome::rate_limited);
    CHECK(f.auth.retry_after("admin", "2001:db8:0:1::99").count() > 0);
    // The admin elsewhere (another /64, IPv4) is not locked out.
    CHECK(f.try_login("admin-password-1", "2001:db8:0:2::1") == login_result::outcome::ok);
    CHECK(f.try_login("admin-password-1", "198.51.100.7") == login_result::outcome::ok);
    // An IPv4-mapped peer is its IPv4 address.
    CHECK(f.auth.retry_after("admin", "::ffff:198.51.100.7") == f.auth.retry_after("admin", "198.51.100.7"));
}

TEST_CASE("one address trying many names is limited by address", "[auth]") {
    auth_settings s;
    s.max_address_failures = 3;
    login_fixture f(s);
    for (const char* user : {"root", "operator", "guest"})
        CHECK(f.auth.login(user, "guess", "203.0.113.5", "").result == login_result::outcome::bad_credentials);
    CHECK(f.auth.login("admin", "admin-password-1", "203.0.113.5", "").result == login_result::outcome::rate_limited);
    CHECK(f.try_login("admin-password-1", "203.0.113.6") == login_result::outcome::ok);
}

TEST_CASE("the global limit stops many addresses but not one that logged in before", "[auth]") {
    auth_settings s;
    s.max_global_failures = 4;
    login_fixture f(s);
    CHECK(f.try_login("admin-password-1", "192.0.2.10") == login_result::outcome::ok);  // known good
    for (int i = 0; i < 4; ++i)
        CHECK(f.try_login("guess", "198.51.100." + std::to_string(20 + i)) == login_result::outcome::bad_credentials);
    CHECK(f.try_login("admin-password-1", "198.51.100.99") == login_result::outcome::rate_limited);
    CHECK(f.try_login("admin-password-1", "192.0.2.10") == login_result::outcome::ok);
}

TEST_CASE("argon2id runs in a bounded number of slots; a login finding none is busy", "[auth]") {
    auth_settings s;
    s.max_concurrent_hashes = 1;
    login_fixture f(s);
    {
        const auto held = f.auth.try_hash_slot();
        REQUIRE(held.has_value());
        CHECK_FALSE(f.auth.try_hash_slot().has_value());
        CHECK(f.try_login("admin-password-1", "192.0.2.1") == login_result::outcome::busy);
    }
    CHECK(f.try_login("admin-password-1", "192.0.2.1") == login_result::outcome::ok);
}
