#pragma once
// What every list parser returns, and the bounded line splitting they share.
// Lists come from the network: lines are bounded, any byte is survivable, and
// a broken line is reported (number and a fixed reason, never its text) and
// skipped rather than failing the list.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "net/ip_prefix.hpp"

namespace wireflow::collector::blacklist {

inline constexpr std::size_t max_line_length = 4096;
inline constexpr std::size_t max_reported_broken_lines = 100;

struct broken_line {
    std::size_t line{0};       // 1-based
    std::string_view reason;   // a static message
    friend bool operator==(const broken_line&, const broken_line&) = default;
};

struct parse_result {
    std::vector<net::ip_prefix> prefixes;
    std::vector<broken_line> broken;    // the first max_reported_broken_lines
    std::size_t broken_count{0};
    std::size_t non_canonical{0};       // host bits set, normalised (a warning)
    std::size_t lines{0};
    std::string error;                  // the whole list is unusable (e.g. no such CSV column)

    void report(std::size_t line, std::string_view reason);
    // Parses one "ADDRESS[/LEN]" or "FIRST-LAST" token into prefixes; false if broken.
    bool add_token(std::string_view token);
};

[[nodiscard]] std::string_view trim(std::string_view s) noexcept;
[[nodiscard]] bool is_comment(std::string_view trimmed) noexcept;   // '#', ';' or "//"

// Calls fn(line_number, line) for every line without its end-of-line bytes
// (LF, CRLF). Lines longer than max_line_length are reported and skipped.
template <class Fn>
void for_each_line(std::string_view text, parse_result& result, Fn&& fn) {
    std::size_t number = 0;
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);   // UTF-8 byte order mark
    while (!text.empty()) {
        const auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        ++number;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.size() > max_line_length) {
            result.report(number, "line too long");
            continue;
        }
        fn(number, line);
    }
    result.lines = number;
}

}  // namespace wireflow::collector::blacklist
