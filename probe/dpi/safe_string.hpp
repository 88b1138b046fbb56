#pragma once
// Packet-derived text (TLS SNI, HTTP Host, DNS names) is hostile: it may be
// any bytes, of any length. Before it leaves the probe it is made bounded,
// valid UTF-8 without control characters, and NUL-terminated.

#include <cstddef>
#include <span>

namespace wireflow::probe {

// Copies `in` to `out` as valid UTF-8 (RFC 3629) and returns the number of
// bytes written before the terminating NUL, which is always written when
// out.size() > 0 (so at most out.size() - 1 bytes of text).
//   - Each byte that does not start a well-formed sequence (stray continuation
//     bytes, overlong forms, UTF-16 surrogates, code points above U+10FFFF,
//     sequences cut short) becomes U+FFFD.
//   - C0 controls, DEL and C1 controls (U+0080..U+009F) become U+FFFD, so a
//     name can never carry a newline, an escape sequence or a NUL.
//   - Output stops before the first character that would not fit whole, so
//     truncation never splits a UTF-8 sequence.
// Never reads past `in`, never writes past `out`, never allocates.
std::size_t sanitize_utf8(std::span<const char> in, std::span<char> out) noexcept;

}  // namespace wireflow::probe
