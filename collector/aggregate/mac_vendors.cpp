#include "aggregate/mac_vendors.hpp"

#include <array>
#include <fstream>
#include <iterator>
#include <optional>

#include "net/utf8.hpp"

namespace wireflow::collector::aggregate {

namespace {

struct registry {
    std::string_view name;  // the CSV's first column
    unsigned bits;          // prefix length
};
// MA-S first: the longest prefix wins.
constexpr std::array<registry, 3> registries{{{"MA-S", 36}, {"MA-M", 28}, {"MA-L", 24}}};

std::uint64_t mac_bits(const net::mac_address& m) noexcept {
    std::uint64_t v = 0;
    for (const std::uint8_t b : m.bytes) v = v << 8 | b;
    return v;
}

std::uint64_t key(unsigned bits, std::uint64_t left_aligned) noexcept {
    const std::uint64_t mask = ~std::uint64_t{0} << (48 - bits) & 0xffff'ffff'ffffULL;
    return std::uint64_t{bits} << 48 | (left_aligned & mask);
}

// One RFC 4180 field at `at` (quoted or not), up to the next comma; `at`
// moves past it and its comma. Nothing for an unclosed quote.
std::optional<std::string> next_field(std::string_view line, std::size_t& at) {
    std::string out;
    if (at < line.size() && line[at] == '"') {
        for (++at; at < line.size(); ++at) {
            if (line[at] != '"') {
                out += line[at];
            } else if (at + 1 < line.size() && line[at + 1] == '"') {
                out += '"';
                ++at;
            } else {
                ++at;
                if (at < line.size() && line[at] == ',') ++at;
                return out;
            }
        }
        return std::nullopt;
    }
    const std::size_t comma = line.find(',', at);
    out.assign(line.substr(at, comma == std::string_view::npos ? std::string_view::npos : comma - at));
    at = comma == std::string_view::npos ? line.size() : comma + 1;
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

}  // namespace

std::size_t mac_vendors::add_csv(std::string_view text) {
    std::size_t added = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t nl = text.find('\n', pos);
        const std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? text.size() : nl + 1;
        // A record starts with its registry; an address's continuation lines
        // (inside a quoted field) and the header do not.
        const registry* reg = nullptr;
        for (const auto& r : registries)
            if (line.size() > r.name.size() && line.starts_with(r.name) && line[r.name.size()] == ',') reg = &r;
        if (reg == nullptr) continue;
        std::size_t at = reg->name.size() + 1;
        const auto assignment = next_field(line, at);
        const auto organisation = next_field(line, at);
        if (!assignment || !organisation) continue;
        const std::string_view hex = trim(*assignment);
        if (hex.size() != reg->bits / 4) continue;
        std::uint64_t prefix = 0;
        bool ok = true;
        for (const char c : hex) {
            const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (d < 0) ok = false;
            prefix = prefix << 4 | static_cast<unsigned>(d < 0 ? 0 : d);
        }
        const std::string_view name = trim(*organisation);
        // The file is the operator's, but the names end up in JSON and the
        // dashboard: bounded, valid UTF-8, or left out.
        if (!ok || name.empty() || name.size() > 255 || !net::valid_utf8_text(name)) continue;
        const auto [it, fresh] = prefixes_.try_emplace(key(reg->bits, prefix << (48 - reg->bits)),
                                                       static_cast<std::uint32_t>(names_.size()));
        if (!fresh) continue;  // the first registration of a prefix stands
        names_.emplace_back(name);
        ++added;
    }
    return added;
}

mac_vendors mac_vendors::load(const std::filesystem::path& dir) {
    mac_vendors v;
    if (dir.empty()) return v;
    for (const char* file : {"oui36.csv", "mam.csv", "oui.csv"}) {
        std::ifstream in(dir / file, std::ios::binary);
        if (!in) continue;
        const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        v.add_csv(text);
    }
    return v;
}

std::string_view mac_vendors::vendor(const net::mac_address& mac) const noexcept {
    // Group (multicast) and locally administered addresses are nobody's.
    if ((mac.bytes[0] & 0x03) != 0 || prefixes_.empty()) return {};
    const std::uint64_t bits = mac_bits(mac);
    for (const auto& r : registries) {
        const auto it = prefixes_.find(key(r.bits, bits));
        if (it != prefixes_.end()) return names_[it->second];
    }
    return {};
}

}  // namespace wireflow::collector::aggregate
