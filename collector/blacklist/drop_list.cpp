#include "blacklist/drop_list.hpp"

namespace wireflow::collector::blacklist {

namespace {

bool is_sbl_reference(std::string_view s) noexcept {
    if (!s.starts_with("SBL") || s.size() == 3) return false;
    for (const char c : s.substr(3)) {
        if (c < '0' || c > '9') return false;
    }
    return true;
}

}  // namespace

bool looks_like_drop_line(std::string_view line) noexcept {
    const auto semi = line.find(';');
    if (semi == std::string_view::npos || semi == 0) return false;
    return net::parse_prefix(trim(line.substr(0, semi))).has_value() && is_sbl_reference(trim(line.substr(semi + 1)));
}

parse_result parse_drop_list(std::string_view text) {
    parse_result r;
    for_each_line(text, r, [&r](std::size_t number, std::string_view raw) {
        const std::string_view line = trim(raw);
        if (line.empty() || is_comment(line)) return;
        const auto semi = line.find(';');
        const std::string_view cidr = trim(line.substr(0, semi));
        if (cidr.find_first_of(" \t") != std::string_view::npos) {
            r.report(number, "unexpected text before ';'");
            return;
        }
        if (semi != std::string_view::npos && !is_sbl_reference(trim(line.substr(semi + 1)))) {
            r.report(number, "expected an SBL reference after ';'");
            return;
        }
        const auto parsed = net::parse_prefix(cidr);
        if (!parsed) {
            r.report(number, "not a CIDR prefix");
            return;
        }
        if (parsed->had_host_bits) ++r.non_canonical;
        r.prefixes.push_back(parsed->prefix);
    });
    return r;
}

}  // namespace wireflow::collector::blacklist
