#include "blacklist/list_format.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <vector>

#include "blacklist/drop_list.hpp"
#include "blacklist/dshield_list.hpp"
#include "blacklist/plain_list.hpp"

namespace wireflow::collector::blacklist {

std::string_view format_name(list_format f) noexcept {
    switch (f) {
        case list_format::automatic: return "auto";
        case list_format::plain: return "plain";
        case list_format::drop: return "drop";
        case list_format::dshield: return "dshield";
        case list_format::csv: return "csv";
    }
    return "auto";
}

std::string to_string(const format_spec& spec) {
    std::string s{format_name(spec.format)};
    if (spec.format == list_format::csv) {
        s += ':';
        s += spec.column.number != 0 ? std::to_string(spec.column.number) : spec.column.name;
    }
    return s;
}

located_spec parse_located_spec(std::string_view text) {
    located_spec out;
    const auto colon = text.find(':');
    const std::string_view head = text.substr(0, colon);
    std::string_view rest = colon == std::string_view::npos ? std::string_view{} : text.substr(colon + 1);
    if (colon == std::string_view::npos) {
        out.location = std::string(text);
    } else if (head == "plain") {
        out.spec.format = list_format::plain;
    } else if (head == "drop" || head == "edrop") {
        out.spec.format = list_format::drop;
    } else if (head == "dshield") {
        out.spec.format = list_format::dshield;
    } else if (head == "auto") {
        out.spec.format = list_format::automatic;
    } else if (head == "csv") {
        out.spec.format = list_format::csv;
        const auto next = rest.find(':');
        const std::string_view column = rest.substr(0, next);
        if (column.empty() || next == std::string_view::npos) {
            throw std::invalid_argument("blacklist '" + std::string(text) + "': expected csv:COLUMN:LOCATION");
        }
        std::size_t number = 0;
        const auto [end, ec] = std::from_chars(column.data(), column.data() + column.size(), number);
        if (ec == std::errc{} && end == column.data() + column.size()) {
            if (number == 0) throw std::invalid_argument("blacklist '" + std::string(text) + "': CSV columns count from 1");
            out.spec.column.number = number;
        } else {
            out.spec.column.name = std::string(column);
        }
        rest = rest.substr(next + 1);
    } else {
        out.location = std::string(text);   // e.g. https://..., no format given
    }
    if (out.location.empty()) out.location = std::string(rest);
    if (out.location.empty()) throw std::invalid_argument("blacklist '" + std::string(text) + "': no file or URL");
    return out;
}

namespace {

constexpr std::size_t sample_lines = 200;

// The first data lines, trimmed, skipping blanks and '#'/';' comments.
std::vector<std::string_view> sample(std::string_view text) {
    std::vector<std::string_view> lines;
    parse_result ignored;
    for_each_line(text, ignored, [&](std::size_t, std::string_view raw) {
        const std::string_view line = trim(raw);
        if (lines.size() < sample_lines && !line.empty() && !is_comment(line)) lines.push_back(line);
    });
    return lines;
}

}  // namespace

format_spec detect_format(std::string_view text) {
    const auto lines = sample(text.substr(0, 1 << 20));
    format_spec spec;
    if (lines.empty()) return spec;
    const auto majority = [&](std::size_t n) { return n * 2 > lines.size(); };
    const auto count = [&](auto pred) { return static_cast<std::size_t>(std::count_if(lines.begin(), lines.end(), pred)); };

    if (majority(count([](std::string_view l) { return looks_like_drop_line(l); }))) {
        spec.format = list_format::drop;
        return spec;
    }
    const std::size_t dshield_rows = count([](std::string_view l) { return looks_like_dshield_line(l); });
    if (dshield_rows > 0 && (majority(dshield_rows) || lines.front().starts_with("Start\tEnd"))) {
        spec.format = list_format::dshield;
        return spec;
    }
    if (majority(count([](std::string_view l) { return l.find(',') != std::string_view::npos; }))) {
        // The first column holding an address in most records.
        std::vector<std::size_t> hits;
        std::size_t records = 0;
        for (const auto line : lines) {
            const auto fields = split_csv_record(line);
            if (!fields) continue;
            ++records;
            if (hits.size() < fields->size()) hits.resize(fields->size());
            for (std::size_t i = 0; i < fields->size(); ++i) {
                if (net::parse_prefix(trim((*fields)[i]))) ++hits[i];
            }
        }
        for (std::size_t i = 0; i < hits.size(); ++i) {
            if (hits[i] * 2 > records) {
                spec.format = list_format::csv;
                spec.column.number = i + 1;
                return spec;
            }
        }
        return spec;
    }
    const std::size_t plain = count([](std::string_view l) { return parse_plain_list(l).prefixes.size() > 0; });
    if (majority(plain)) spec.format = list_format::plain;
    return spec;
}

parse_result parse_list(std::string_view text, const format_spec& spec) {
    const format_spec use = spec.format == list_format::automatic ? detect_format(text) : spec;
    switch (use.format) {
        case list_format::plain: return parse_plain_list(text);
        case list_format::drop: return parse_drop_list(text);
        case list_format::dshield: return parse_dshield_list(text);
        case list_format::csv: return parse_csv_list(text, use.column);
        case list_format::automatic: break;
    }
    parse_result r;
    r.error = "unrecognised list format";
    return r;
}

}  // namespace wireflow::collector::blacklist
