#include "dpi/safe_string.hpp"

#include <cstdint>
#include <cstring>

namespace wireflow::probe {

namespace {

constexpr char replacement[] = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::size_t replacement_len = 3;

// Length of the well-formed sequence at the start of s (RFC 3629 section 4
// table), or 0 if the bytes there are not one.
std::size_t well_formed_length(const unsigned char* s, std::size_t n, std::uint32_t& cp) noexcept {
    const unsigned char b0 = s[0];
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
        if (b0 == 0xE0) lo = 0xA0;        // overlong
        if (b0 == 0xED) hi = 0x9F;        // surrogates D800..DFFF
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        len = 4;
        if (b0 == 0xF0) lo = 0x90;        // overlong
        if (b0 == 0xF4) hi = 0x8F;        // above U+10FFFF
    } else {
        return 0;                         // C0, C1 (overlong), F5..FF, continuation bytes
    }
    if (n < len) return 0;
    if (s[1] < lo || s[1] > hi) return 0;
    for (std::size_t i = 2; i < len; ++i)
        if ((s[i] & 0xC0) != 0x80) return 0;
    cp = b0 & (0xFF >> (len + 1));
    for (std::size_t i = 1; i < len; ++i) cp = (cp << 6) | (s[i] & 0x3F);
    return len;
}

bool is_control(std::uint32_t cp) noexcept {
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

}  // namespace

std::size_t sanitize_utf8(std::span<const char> in, std::span<char> out) noexcept {
    if (out.empty()) return 0;
    const std::size_t room = out.size() - 1;
    const auto* s = reinterpret_cast<const unsigned char*>(in.data());
    std::size_t i = 0, w = 0;
    while (i < in.size()) {
        std::uint32_t cp = 0;
        const std::size_t len = well_formed_length(s + i, in.size() - i, cp);
        const bool ok = len != 0 && !is_control(cp);
        const std::size_t need = ok ? len : replacement_len;
        if (w + need > room) break;
        std::memcpy(out.data() + w, ok ? in.data() + i : replacement, need);
        w += need;
        i += len != 0 ? len : 1;
    }
    out[w] = '\0';
    return w;
}

}  // namespace wireflow::probe
