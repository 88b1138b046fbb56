#pragma once
// The router table and its matching, pure: no socket, no database.
//
// The table (api_routes()) is the single list of API routes: the dispatcher
// matches against it, the OpenAPI document is generated from it, and the
// security tests enumerate it (through /api/v1/openapi.json). Each route says
// who may call it and whether it changes state (CSRF, viewers refused).
//
// Patterns are '/'-separated segments; "{name}" matches exactly one
// non-empty segment, anything else matches the whole segment literally. A
// path matches only a pattern with the same number of segments, so
// "/api/v1/hosts.css" or "/api/v1/hosts/x/y" never reach "/api/v1/hosts".

#include "http_types.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wireflow::collector::http {

struct call;  // api.hpp
using handler_fn = reply (*)(call&);

enum class role : std::uint8_t { none, viewer, admin };  // required; admin > viewer > none
[[nodiscard]] std::string_view to_string(role r) noexcept;

struct route {
    bhttp::verb method;
    std::string_view pattern;
    role need;
    bool changes_state;
    // Callable while the account must still change its default password.
    bool before_password_change;
    std::string_view summary;
    std::string_view query_names;  // the query parameters it accepts, space-separated
    handler_fn handler;
};

using path_params = std::vector<std::pair<std::string_view, std::string>>;

struct route_match {
    const route* found{nullptr};
    bool path_exists{false};  // some route has this path (with another method): 405
    path_params params;
};

// Matches `path` (decoded, see path.hpp) segment by segment. HEAD matches GET.
[[nodiscard]] route_match match_route(std::span<const route> table, bhttp::verb method, std::string_view path);
[[nodiscard]] bool accepts_query_name(const route& r, std::string_view name) noexcept;
[[nodiscard]] bool match_pattern(std::string_view pattern, std::string_view path, path_params* params);

// Every route of the REST API (api_routes.cpp).
[[nodiscard]] std::span<const route> api_routes() noexcept;

}  // namespace wireflow::collector::http
