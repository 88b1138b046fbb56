#include "auth.hpp"

#include <sodium.h>

#include <catch2/catch.hpp>

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
    CHECK_FALSE(password_problem("short").empty());
    CHECK(password_problem("long enough").empty());
    CHECK_FALSE(password_problem(std::string(1025, 'a')).empty());
    CHECK_FALSE(password_problem("bad utf8 \xff\xfe").empty());
}
