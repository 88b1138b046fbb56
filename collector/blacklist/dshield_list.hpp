#pragma once
// DShield's recommended block list (feeds.dshield.org/block.txt): '#'
// comments, a "Start End Netblock ..." header, then tab-separated rows of
// start address, end address and netblock (a prefix length or a dotted mask),
// followed by attack count, name, country and e-mail columns we ignore.

#include <string_view>

#include "blacklist/parse_result.hpp"

namespace wireflow::collector::blacklist {

[[nodiscard]] parse_result parse_dshield_list(std::string_view text);

// True for "START<ws>END<ws>NETBLOCK..." rows whose first two fields are addresses.
[[nodiscard]] bool looks_like_dshield_line(std::string_view trimmed_line) noexcept;

}  // namespace wireflow::collector::blacklist
