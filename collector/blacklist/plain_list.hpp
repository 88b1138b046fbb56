#pragma once
// Plain lists: one IPv4/IPv6 address, CIDR prefix or FIRST-LAST range per line;
// '#', ';' and '//' start comments (whole-line or after the entry); blank lines
// are ignored. The form of Feodo Tracker, Emerging Threats, CINS Army, blocklist.de.

#include <string_view>

#include "blacklist/parse_result.hpp"

namespace wireflow::collector::blacklist {

[[nodiscard]] parse_result parse_plain_list(std::string_view text);

}  // namespace wireflow::collector::blacklist
