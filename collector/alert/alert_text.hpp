#pragma once
// Alert messages carry packet-derived text (server names, probe names): they
// are kept bounded and valid UTF-8 here, whatever ingest already checked. The
// UI escapes them; this only guarantees they are well-formed and short.

#include <string>
#include <string_view>

namespace wireflow::collector::alert {

// At most `max_bytes` bytes of valid UTF-8 (RFC 3629): invalid sequences
// (overlongs, surrogates, > U+10FFFF, truncated) become U+FFFD, control
// characters become '?', and the cut never splits a character.
[[nodiscard]] std::string bounded_utf8(std::string_view text, std::size_t max_bytes);

}  // namespace wireflow::collector::alert
