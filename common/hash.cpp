#include "hash.hpp"

#include <sys/random.h>

#include <chrono>
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

namespace {
hash_key draw_key() noexcept {
    hash_key k;
    auto* out = reinterpret_cast<unsigned char*>(&k);
    std::size_t got = 0;
    while (got < sizeof k) {
        const ssize_t r = ::getrandom(out + got, sizeof k - got, 0);
        if (r <= 0) break;  // EINTR before any byte, or no getrandom (Linux < 3.17)
        got += static_cast<std::size_t>(r);
    }
    if (got < sizeof k) {
        // Never seen on the kernels Debian 12 supports; a weaker key still
        // differs per process and per start.
        const auto t = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
        k.k0 ^= mix64(t ^ reinterpret_cast<std::uintptr_t>(&k));
        k.k1 ^= mix64(k.k0 + 0x9e3779b97f4a7c15ULL);
    }
    return k;
}
}  // namespace

const hash_key& process_hash_key() noexcept {
    static const hash_key key = draw_key();
    return key;
}

}  // namespace wireflow
