#pragma once
// CSV lists (RFC 4180 fields: quoted with '"', "" for a quote) where one
// column holds the address or prefix, e.g. Feodo Tracker's ipblocklist.csv
// ("first_seen_utc","dst_ip",...). Lines starting with '#' are comments; each
// line is one record (quoted line breaks do not occur in address lists and are
// reported as broken). The column is chosen by 1-based number or header name.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "blacklist/parse_result.hpp"

namespace wireflow::collector::blacklist {

struct csv_column {
    std::size_t number{0};   // 1-based; 0 means "find `name` in the header"
    std::string name;
    friend bool operator==(const csv_column&, const csv_column&) = default;
};

// With a numbered column, a first record whose cell is not an address is
// taken as the header and skipped.
[[nodiscard]] parse_result parse_csv_list(std::string_view text, const csv_column& column);

// Splits one record into unquoted fields; nothing on a malformed quote.
// Allocates, so it is for lists, never for packets.
[[nodiscard]] std::optional<std::vector<std::string>> split_csv_record(std::string_view line);

}  // namespace wireflow::collector::blacklist
