#pragma once
// Which list format a source uses: named in configuration as FORMAT:LOCATION
// ("drop:/etc/wireflow/drop.txt", "csv:dst_ip:https://...", "csv:2:/x.csv"),
// or detected from the content.

#include <string>
#include <string_view>

#include "blacklist/csv_list.hpp"
#include "blacklist/parse_result.hpp"

namespace wireflow::collector::blacklist {

enum class list_format : std::uint8_t { automatic, plain, drop, dshield, csv };

struct format_spec {
    list_format format{list_format::automatic};
    csv_column column;   // csv only
    friend bool operator==(const format_spec&, const format_spec&) = default;
};

[[nodiscard]] std::string_view format_name(list_format f) noexcept;
[[nodiscard]] std::string to_string(const format_spec& spec);   // "csv:dst_ip", "drop", ...

struct located_spec {
    format_spec spec;
    std::string location;
};

// Splits "FORMAT:LOCATION"; without a known format name ("plain", "drop",
// "edrop", "dshield", "csv:COLUMN", "auto") the whole text is the location and
// the format is detected. Throws std::invalid_argument for "csv:" without a
// column or an empty location (configuration errors, at startup).
[[nodiscard]] located_spec parse_located_spec(std::string_view text);

// Looks at the first non-comment lines. For CSV it picks the first column
// whose cells are addresses. automatic means "nothing recognisable".
[[nodiscard]] format_spec detect_format(std::string_view text);

// Parses with the given format, detecting it first when automatic; an
// undetectable list yields an error.
[[nodiscard]] parse_result parse_list(std::string_view text, const format_spec& spec);

}  // namespace wireflow::collector::blacklist
