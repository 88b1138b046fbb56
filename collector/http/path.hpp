#pragma once
// Request-target handling, pure: split path and query, decode percent-encoding
// exactly once (RFC 3986 section 2.1), and refuse every path form that has
// been used to slip past a router or out of a document root:
//   NUL (decoded or not), backslashes, ';' path parameters, '.' and '..'
//   segments, empty segments ('//'), invalid UTF-8, targets over 8 KiB.
// The routing that follows sees the decoded path only, so "/api%2fv1/hosts"
// IS "/api/v1/hosts" (same route, same authentication) and "hosts.css" is a
// different segment from "hosts": no suffix or encoding trick can make an API
// path look like a static file (ntopng's CVE-2021-28073).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/utf8.hpp"

namespace wireflow::collector::http {

// RFC 3629 validation and clipping: the common rule (common/net/utf8.hpp).
using net::clip_utf8;
using net::valid_utf8;

inline constexpr std::size_t max_target_bytes = 8192;

enum class path_error {
    none,
    too_long,       // 414
    not_absolute,   // 400: the target does not start with '/'
    bad_encoding,   // 400: '%' not followed by two hex digits
    forbidden_char, // 400: NUL, backslash, ';', control characters
    bad_segment,    // 400: '.', '..' or an empty segment
    bad_utf8,       // 400
};
[[nodiscard]] std::string_view to_string(path_error e) noexcept;

struct target {
    path_error error{path_error::none};
    std::string path;         // decoded, starts with '/'
    std::string_view query;   // raw, after '?' (decoded by parse_query)
};

[[nodiscard]] target parse_target(std::string_view raw);

// Decodes %XX (and '+' as a space when plus_is_space); nullopt for bad
// escapes, NUL or invalid UTF-8 in the result.
[[nodiscard]] std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space);

// application/x-www-form-urlencoded query: name=value pairs joined by '&'.
class query_params {
public:
    // nullopt for a bad escape, NUL, invalid UTF-8 or a repeated name
    // (a repeated name is ambiguous: which one did the check see?).
    [[nodiscard]] static std::optional<query_params> parse(std::string_view raw);
    [[nodiscard]] const std::string* get(std::string_view name) const noexcept;
    [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& all() const noexcept { return items_; }

private:
    std::vector<std::pair<std::string, std::string>> items_;
};

}  // namespace wireflow::collector::http
