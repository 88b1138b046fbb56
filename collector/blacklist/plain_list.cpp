#include "blacklist/plain_list.hpp"

namespace wireflow::collector::blacklist {

parse_result parse_plain_list(std::string_view text) {
    parse_result r;
    for_each_line(text, r, [&r](std::size_t number, std::string_view raw) {
        const std::string_view line = trim(raw);
        if (line.empty() || is_comment(line)) return;
        std::size_t end = 0;
        while (end < line.size() && line[end] != ' ' && line[end] != '\t' && line[end] != '#' && line[end] != ';') ++end;
        const std::string_view rest = trim(line.substr(end));
        if (!rest.empty() && !is_comment(rest)) {
            r.report(number, "unexpected text after the address");
            return;
        }
        if (!r.add_token(line.substr(0, end))) r.report(number, "not an IP address, prefix or range");
    });
    return r;
}

}  // namespace wireflow::collector::blacklist
