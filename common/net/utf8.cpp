#include "net/utf8.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace wireflow::net {

namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD

// As utf8_sequence_length, also giving the code point.
std::size_t decode(std::string_view s, std::uint32_t& cp) noexcept {
    if (s.empty()) return 0;
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const unsigned char b0 = p[0];
    if (b0 < 0x80) {
        cp = b0;
        return 1;
    }
    std::size_t len;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        len = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        len = 3;
        if (b0 == 0xE0) lo = 0xA0;  // overlong
        if (b0 == 0xED) hi = 0x9F;  // surrogates D800..DFFF
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        len = 4;
        if (b0 == 0xF0) lo = 0x90;  // overlong
        if (b0 == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
        return 0;  // continuation bytes, C0/C1 (overlong), F5..FF
    }
    if (s.size() < len || p[1] < lo || p[1] > hi) return 0;
    for (std::size_t i = 2; i < len; ++i)
        if ((p[i] & 0xC0) != 0x80) return 0;
    cp = b0 & (0xFFu >> (len + 1));
    for (std::size_t i = 1; i < len; ++i) cp = (cp << 6) | (p[i] & 0x3Fu);
    return len;
}

bool is_control(std::uint32_t cp) noexcept { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

// Calls put(bytes) for each output piece until it returns false.
template <class Put>
void sanitize(std::string_view in, control_chars controls, Put put) {
    std::size_t i = 0;
    while (i < in.size()) {
        std::uint32_t cp = 0;
        const std::size_t len = decode(in.substr(i), cp);
        const bool ok = len != 0 && (controls == control_chars::keep || !is_control(cp));
        if (!put(ok ? in.substr(i, len) : replacement)) return;
        i += len != 0 ? len : 1;
    }
}

}  // namespace

std::size_t utf8_sequence_length(std::string_view s) noexcept {
    std::uint32_t cp = 0;
    return decode(s, cp);
}

bool valid_utf8(std::string_view s) noexcept {
    while (!s.empty()) {
        const std::size_t n = utf8_sequence_length(s);
        if (n == 0) return false;
        s.remove_prefix(n);
    }
    return true;
}

bool valid_utf8_text(std::string_view s) noexcept {
    return s.find('\0') == std::string_view::npos && valid_utf8(s);
}

std::string clip_utf8(std::string_view s, std::size_t max_bytes) {
    if (s.size() <= max_bytes) return std::string(s);
    std::size_t n = max_bytes;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;  // s[n] starts the next character
    return std::string(s.substr(0, n));
}

std::size_t sanitize_utf8(std::span<const char> in, std::span<char> out, control_chars controls) noexcept {
    if (out.empty()) return 0;
    const std::size_t room = out.size() - 1;
    std::size_t w = 0;
    sanitize(std::string_view(in.data(), in.size()), controls, [&](std::string_view piece) {
        if (w + piece.size() > room) return false;
        std::memcpy(out.data() + w, piece.data(), piece.size());
        w += piece.size();
        return true;
    });
    out[w] = '\0';
    return w;
}

std::string sanitize_utf8(std::string_view in, std::size_t max_bytes, control_chars controls) {
    std::string out;
    out.reserve(std::min(in.size(), max_bytes));
    sanitize(in, controls, [&](std::string_view piece) {
        if (piece.size() > max_bytes - out.size()) return false;
        out.append(piece);
        return true;
    });
    return out;
}

}  // namespace wireflow::net
