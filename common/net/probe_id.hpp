#pragma once
// A probe's name on the wire and in the store: 1..64 characters of
// [A-Za-z0-9._-]. The probe checks its --probe-id (or host name) with this
// rule and the collector refuses any message that breaks it.

#include <cstddef>
#include <string_view>

namespace wireflow::net {

inline constexpr std::size_t max_probe_id_bytes = 64;

[[nodiscard]] constexpr bool valid_probe_id(std::string_view id) noexcept {
    if (id.empty() || id.size() > max_probe_id_bytes) return false;
    for (const char c : id) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                        c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

}  // namespace wireflow::net
