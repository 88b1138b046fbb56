#include "alert/alert_text.hpp"

#include <cstdint>

namespace wireflow::collector::alert {

std::string bounded_utf8(std::string_view text, std::size_t max_bytes) {
    std::string out;
    out.reserve(std::min(text.size(), max_bytes));
    const auto put = [&](std::string_view bytes) {
        if (out.size() + bytes.size() > max_bytes) return false;
        out.append(bytes);
        return true;
    };
    static constexpr std::string_view replacement = "\xEF\xBF\xBD";
    std::size_t i = 0;
    while (i < text.size()) {
        const auto b = static_cast<std::uint8_t>(text[i]);
        std::size_t len = 0;
        std::uint32_t cp = 0;
        if (b < 0x80) {
            len = 1;
            cp = b;
        } else if ((b & 0xE0) == 0xC0) {
            len = 2;
            cp = b & 0x1F;
        } else if ((b & 0xF0) == 0xE0) {
            len = 3;
            cp = b & 0x0F;
        } else if ((b & 0xF8) == 0xF0) {
            len = 4;
            cp = b & 0x07;
        }
        bool valid = len != 0 && i + len <= text.size();
        for (std::size_t k = 1; valid && k < len; ++k) {
            const auto c = static_cast<std::uint8_t>(text[i + k]);
            if ((c & 0xC0) != 0x80) valid = false;
            else cp = (cp << 6) | (c & 0x3F);
        }
        if (valid) {
            static constexpr std::uint32_t min_for_len[5] = {0, 0, 0x80, 0x800, 0x10000};
            if (cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) valid = false;
        }
        bool ok = false;
        if (!valid) {
            ok = put(replacement);
            i += 1;
        } else if (cp < 0x20 || cp == 0x7F) {
            ok = put("?");
            i += 1;
        } else {
            ok = put(text.substr(i, len));
            i += len;
        }
        if (!ok) break;
    }
    return out;
}

}  // namespace wireflow::collector::alert
