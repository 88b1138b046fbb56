#include "blacklist/parse_result.hpp"

namespace wireflow::collector::blacklist {

void parse_result::report(std::size_t line, std::string_view reason) {
    ++broken_count;
    if (broken.size() < max_reported_broken_lines) broken.push_back({line, reason});
}

bool parse_result::add_token(std::string_view token) {
    const auto dash = token.find('-');
    if (dash != std::string_view::npos) {
        // "FIRST-LAST" ranges, as some plain lists write them.
        const auto first = net::ip_address::parse(token.substr(0, dash));
        const auto last = net::ip_address::parse(token.substr(dash + 1));
        if (!first || !last || first->family != last->family || *last < *first) return false;
        for (const auto& p : range_to_prefixes(*first, *last)) prefixes.push_back(p);
        return true;
    }
    const auto parsed = net::parse_prefix(token);
    if (!parsed) return false;
    if (parsed->had_host_bits) ++non_canonical;
    prefixes.push_back(parsed->prefix);
    return true;
}

std::string_view trim(std::string_view s) noexcept {
    const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; };
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return s;
}

bool is_comment(std::string_view trimmed) noexcept {
    return trimmed.starts_with('#') || trimmed.starts_with(';') || trimmed.starts_with("//");
}

}  // namespace wireflow::collector::blacklist
