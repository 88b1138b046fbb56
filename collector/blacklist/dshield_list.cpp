#include "blacklist/dshield_list.hpp"

#include <array>
#include <bit>
#include <charconv>
#include <optional>

namespace wireflow::collector::blacklist {

namespace {

// Splits on runs of tabs/spaces; fills at most fields.size() and returns the count.
std::size_t split_fields(std::string_view line, std::array<std::string_view, 3>& fields) noexcept {
    std::size_t n = 0;
    while (n < fields.size()) {
        line = trim(line);
        if (line.empty()) break;
        const auto end = line.find_first_of(" \t");
        fields[n++] = line.substr(0, end);
        line = end == std::string_view::npos ? std::string_view{} : line.substr(end);
    }
    return n;
}

// "24" or "255.255.255.0" (contiguous masks only).
std::optional<unsigned> netblock_length(std::string_view field, const net::ip_address& start) noexcept {
    if (field.find('.') != std::string_view::npos) {
        const auto mask = net::ip_address::parse(field);
        if (!mask || mask->family != net::ip_family::v4 || start.family != net::ip_family::v4) return std::nullopt;
        const std::uint32_t m = mask->v4_host_order();
        const auto ones = static_cast<unsigned>(std::countl_one(m));
        if (ones < 32 && (m << ones) != 0) return std::nullopt;
        return ones;
    }
    unsigned length = 0;
    if (field.empty() || field.size() > 3) return std::nullopt;
    const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), length);
    if (ec != std::errc{} || end != field.data() + field.size() || length > start.bit_width()) return std::nullopt;
    return length;
}

}  // namespace

bool looks_like_dshield_line(std::string_view line) noexcept {
    std::array<std::string_view, 3> f{};
    if (line.find('\t') == std::string_view::npos || split_fields(line, f) < 3) return false;
    const auto start = net::ip_address::parse(f[0]);
    return start && net::ip_address::parse(f[1]) && netblock_length(f[2], *start);
}

parse_result parse_dshield_list(std::string_view text) {
    parse_result r;
    for_each_line(text, r, [&r](std::size_t number, std::string_view raw) {
        const std::string_view line = trim(raw);
        if (line.empty() || line.starts_with('#')) return;
        std::array<std::string_view, 3> f{};
        const std::size_t n = split_fields(line, f);
        if (f[0] == "Start" || f[0] == "start") return;   // the column header
        if (n < 3) {
            r.report(number, "expected start, end and netblock columns");
            return;
        }
        const auto start = net::ip_address::parse(f[0]);
        const auto end = net::ip_address::parse(f[1]);
        if (!start || !end || start->family != end->family) {
            r.report(number, "start or end is not an address");
            return;
        }
        const auto length = netblock_length(f[2], *start);
        if (!length) {
            r.report(number, "netblock is not a prefix length or contiguous mask");
            return;
        }
        const net::ip_prefix p = net::ip_prefix::of(*start, *length);
        if (p.last() != *end) {
            r.report(number, "end address does not match start and netblock");
            return;
        }
        if (p.address != *start) ++r.non_canonical;
        r.prefixes.push_back(p);
    });
    return r;
}

}  // namespace wireflow::collector::blacklist
