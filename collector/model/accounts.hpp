#pragma once
// Web users and API tokens as the store returns them (plain data; the
// store is collector/store/user_store, the HTTP layer reads them).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace wireflow::collector {

struct stored_user {
    std::int32_t id{0};
    std::string name;
    std::string role;             // "admin" or "viewer"
    std::string password_hash;    // PHC string
    bool must_change_password{false};
    bool disabled{false};
    std::chrono::system_clock::time_point created_at{};
    std::optional<std::chrono::system_clock::time_point> last_login_at;
};

// Who a session or token belongs to (disabled users never resolve).
struct principal_row {
    std::int32_t user_id{0};
    std::string name;
    std::string role;
    bool must_change_password{false};
};

struct stored_token {
    std::int32_t id{0};
    std::string user;
    std::string name;
    std::chrono::system_clock::time_point created_at{};
    std::optional<std::chrono::system_clock::time_point> expires_at;
    std::optional<std::chrono::system_clock::time_point> last_used_at;
};

}  // namespace wireflow::collector
