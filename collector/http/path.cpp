#include "path.hpp"

#include <cstdint>

namespace wireflow::collector::http {

namespace {

int hex(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool forbidden(unsigned char c) noexcept {
    // Control characters (CR/LF included: no header injection through a
    // path echoed anywhere), NUL, DEL, backslash and ';'.
    return c < 0x20 || c == 0x7f || c == '\\' || c == ';';
}

}  // namespace

std::string_view to_string(path_error e) noexcept {
    switch (e) {
    case path_error::none: return "ok";
    case path_error::too_long: return "target longer than 8 KiB";
    case path_error::not_absolute: return "target must start with '/'";
    case path_error::bad_encoding: return "bad percent-encoding";
    case path_error::forbidden_char: return "forbidden character in path";
    case path_error::bad_segment: return "'.', '..' or empty path segment";
    case path_error::bad_utf8: return "path is not valid UTF-8";
    }
    return "bad path";
}

std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '%') {
            if (i + 2 >= s.size()) return std::nullopt;
            const int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    if (out.find('\0') != std::string::npos || !valid_utf8(out)) return std::nullopt;
    return out;
}

target parse_target(std::string_view raw) {
    target t;
    if (raw.size() > max_target_bytes) {
        t.error = path_error::too_long;
        return t;
    }
    const auto q = raw.find('?');
    std::string_view path = raw.substr(0, q);
    if (q != std::string_view::npos) t.query = raw.substr(q + 1);
    if (path.empty() || path.front() != '/') {
        t.error = path_error::not_absolute;
        return t;
    }
    for (const unsigned char c : path) {
        if (forbidden(c)) {
            t.error = path_error::forbidden_char;
            return t;
        }
    }
    // Decode exactly once; what the decoding produced is checked again, so
    // "%3b", "%5c", "%00" and "%2e%2e" are refused like their plain forms.
    std::string decoded;
    decoded.reserve(path.size());
    for (std::size_t i = 0; i < path.size(); ++i) {
        if (path[i] != '%') {
            decoded.push_back(path[i]);
            continue;
        }
        if (i + 2 >= path.size()) {
            t.error = path_error::bad_encoding;
            return t;
        }
        const int hi = hex(path[i + 1]), lo = hex(path[i + 2]);
        if (hi < 0 || lo < 0) {
            t.error = path_error::bad_encoding;
            return t;
        }
        decoded.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
    }
    for (const unsigned char c : decoded) {
        if (forbidden(c)) {
            t.error = path_error::forbidden_char;
            return t;
        }
    }
    if (!valid_utf8(decoded)) {
        t.error = path_error::bad_utf8;
        return t;
    }
    // Segments: "/" alone is the root; otherwise no empty, "." or ".." segment
    // (a trailing '/' is an empty last segment too: one spelling per resource).
    if (decoded.size() > 1) {
        std::size_t start = 1;
        while (start <= decoded.size()) {
            auto end = decoded.find('/', start);
            if (end == std::string::npos) end = decoded.size();
            const std::string_view seg(decoded.data() + start, end - start);
            if (seg.empty() || seg == "." || seg == "..") {
                t.error = path_error::bad_segment;
                return t;
            }
            start = end + 1;
        }
    }
    t.path = std::move(decoded);
    return t;
}

std::optional<query_params> query_params::parse(std::string_view raw) {
    query_params out;
    while (!raw.empty()) {
        const auto amp = raw.find('&');
        const std::string_view pair = raw.substr(0, amp);
        raw = amp == std::string_view::npos ? std::string_view{} : raw.substr(amp + 1);
        if (pair.empty()) continue;
        const auto eq = pair.find('=');
        auto name = percent_decode(pair.substr(0, eq), true);
        auto value = percent_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
        if (!name || !value) return std::nullopt;
        if (out.get(*name) != nullptr) return std::nullopt;
        out.items_.emplace_back(std::move(*name), std::move(*value));
    }
    return out;
}

const std::string* query_params::get(std::string_view name) const noexcept {
    for (const auto& [k, v] : items_)
        if (k == name) return &v;
    return nullptr;
}

}  // namespace wireflow::collector::http
