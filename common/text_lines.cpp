#include "text_lines.hpp"

#include <fstream>
#include <sstream>

namespace wireflow {

std::vector<text_line> content_lines(std::string_view text) {
    std::vector<text_line> out;
    std::size_t number = 0;
    while (!text.empty()) {
        ++number;
        const auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        const auto b = line.find_first_not_of(" \t\r");
        if (b == std::string_view::npos || line[b] == '#') continue;
        const auto e = line.find_last_not_of(" \t\r");
        out.push_back({number, line.substr(b, e - b + 1)});
    }
    return out;
}

std::optional<std::string> read_text_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    std::stringstream ss;
    ss << in.rdbuf();
    if (in.bad()) return std::nullopt;
    return ss.str();
}

}  // namespace wireflow
