#pragma once
// The database servers a libpq connection string names (host= and hostaddr=,
// comma-separated lists, or a postgresql:// URI), without Unix socket folders:
// the blacklist's nftables export must never drop them (issue 13, finding 7).

#include <string>
#include <vector>

namespace wireflow::collector {

// Names or address literals as written; empty when the string does not parse
// or names only sockets (libpq's default is a socket).
[[nodiscard]] std::vector<std::string> conninfo_hosts(const std::string& conninfo);

}  // namespace wireflow::collector
