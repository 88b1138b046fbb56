#pragma once
// Spamhaus DROP, EDROP and DROPv6 text lists: "CIDR ; SBLnnnnnn" per line,
// ';' comment lines carrying the date and expiry.

#include <string_view>

#include "blacklist/parse_result.hpp"

namespace wireflow::collector::blacklist {

[[nodiscard]] parse_result parse_drop_list(std::string_view text);

// True for "CIDR ; SBLdigits" lines, the signature format detection looks for.
[[nodiscard]] bool looks_like_drop_line(std::string_view trimmed_line) noexcept;

}  // namespace wireflow::collector::blacklist
