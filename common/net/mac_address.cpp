#include "net/mac_address.hpp"

#include <algorithm>

namespace wireflow::net {

namespace {
int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
}  // namespace

std::optional<mac_address> mac_address::from_bytes(std::span<const std::uint8_t> b) noexcept {
    if (b.size() != 6) return std::nullopt;
    mac_address m;
    std::copy(b.begin(), b.end(), m.bytes.begin());
    return m;
}

std::optional<mac_address> mac_address::parse(std::string_view text) noexcept {
    if (text.size() != text_size) return std::nullopt;
    const char sep = text[2];
    if (sep != ':' && sep != '-') return std::nullopt;
    mac_address m;
    for (std::size_t i = 0; i < 6; ++i) {
        const int hi = hex_value(text[i * 3]);
        const int lo = hex_value(text[i * 3 + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        if (i < 5 && text[i * 3 + 2] != sep) return std::nullopt;
        m.bytes[i] = static_cast<std::uint8_t>(hi * 16 + lo);
    }
    return m;
}

bool mac_address::is_zero() const noexcept {
    return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
}

void mac_address::format(char* out) const noexcept {
    static constexpr char digits[] = "0123456789abcdef";
    for (std::size_t i = 0; i < 6; ++i) {
        out[i * 3] = digits[bytes[i] >> 4];
        out[i * 3 + 1] = digits[bytes[i] & 0xF];
        if (i < 5) out[i * 3 + 2] = ':';
    }
}

std::string mac_address::to_string() const {
    std::string s(text_size, ':');
    format(s.data());
    return s;
}

}  // namespace wireflow::net
