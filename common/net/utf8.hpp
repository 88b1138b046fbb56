#pragma once
// UTF-8 (RFC 3629) for text that crosses a trust boundary: packet-derived
// names, wire strings, REST input, alert messages. One definition of "valid"
// (shortest forms only, no UTF-16 surrogates, nothing above U+10FFFF) and one
// way to bound and repair text, used by both binaries.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace wireflow::net {

// Length of the well-formed sequence at the start of s (RFC 3629 section 4
// table), or 0 when the bytes there are not one (or s is empty).
[[nodiscard]] std::size_t utf8_sequence_length(std::string_view s) noexcept;

[[nodiscard]] bool valid_utf8(std::string_view s) noexcept;
// Valid and without NUL: what a wire string, a stored name or a REST field
// may hold.
[[nodiscard]] bool valid_utf8_text(std::string_view s) noexcept;

// The longest prefix of s of at most max_bytes that does not end inside a
// character (s is expected to be valid UTF-8).
[[nodiscard]] std::string clip_utf8(std::string_view s, std::size_t max_bytes);

enum class control_chars : bool {
    replace,  // C0 controls, DEL and C1 controls become U+FFFD: no newline, escape or NUL survives
    keep,     // controls stay (the caller escapes them, e.g. as JSON)
};

// Copies `in` to `out` as valid UTF-8 and returns the bytes written before the
// terminating NUL, which is always written when out is not empty. Each byte
// that starts no well-formed sequence becomes U+FFFD; output stops before the
// first character that would not fit whole. Never allocates: the probe cuts
// packet-derived names into fixed fields on the packet path with it.
std::size_t sanitize_utf8(std::span<const char> in, std::span<char> out,
                          control_chars controls = control_chars::replace) noexcept;

// The same rule into a string of at most max_bytes bytes.
[[nodiscard]] std::string sanitize_utf8(std::string_view in, std::size_t max_bytes = std::string::npos,
                                        control_chars controls = control_chars::replace);

}  // namespace wireflow::net
