#include "hash.hpp"

#include <cstring>

namespace wireflow {

std::uint64_t hash_bytes(const void* data, std::size_t n, std::uint64_t seed) noexcept {
    const auto* p = static_cast<const unsigned char*>(data);
    std::uint64_t h = mix64(seed ^ (0x9e3779b97f4a7c15ULL * (n + 1)));
    while (n >= 8) {
        std::uint64_t w;
        std::memcpy(&w, p, 8);
        h = mix64(h ^ w) + 0x9e3779b97f4a7c15ULL;
        p += 8;
        n -= 8;
    }
    std::uint64_t tail = 0;
    std::memcpy(&tail, p, n);
    return mix64(h ^ tail ^ (static_cast<std::uint64_t>(n) << 56));
}

}  // namespace wireflow
