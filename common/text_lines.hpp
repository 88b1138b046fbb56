#pragma once
// The line rule every wireflow text file shares (configuration files, CURVE
// key files, key allow lists): blanks around a line do not count, blank lines
// are skipped, and a line whose first non-blank character is '#' is a comment.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wireflow {

struct text_line {
    std::size_t number;     // 1-based, for messages
    std::string_view text;  // trimmed of blanks (' ', '\t', '\r')
};

// The lines that carry content, views into `text`.
[[nodiscard]] std::vector<text_line> content_lines(std::string_view text);

// The whole file, or nothing when it cannot be read.
[[nodiscard]] std::optional<std::string> read_text_file(const std::string& path);

}  // namespace wireflow
