#pragma once
// Static files of the dashboard, from one folder (ui-static/) only.
// The path was normalised by parse_target (no '..', no empty segments, no
// NUL or backslash); here the resolved real path (symlinks followed) must
// still lie inside the folder, hidden names (".git", ".env") are refused,
// and only known file types are served, each with its exact Content-Type
// (nosniff is set by the dispatcher). "/" serves index.html.

#include "http_types.hpp"

#include <string>
#include <string_view>

namespace wireflow::collector::http {

inline constexpr std::size_t max_static_file_bytes = 16u << 20;

// The Content-Type for a file name, or empty when the type is not served.
[[nodiscard]] std::string_view content_type_for(std::string_view file_name) noexcept;

// True for what is never served though it may sit in ui-static/: anything
// under a node_modules/ segment, package*.json. `rel` has no leading '/'.
[[nodiscard]] bool development_file(std::string_view rel) noexcept;

// root: absolute, canonical folder. Returns 200, 404, 405 (not GET/HEAD).
[[nodiscard]] reply serve_static(const std::string& root, bhttp::verb method, std::string_view path);

}  // namespace wireflow::collector::http
