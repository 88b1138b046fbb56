#pragma once
// Prefetch every cache line an object spans. An object's address is rarely
// a multiple of the line size (a std::vector's storage from malloc starts 16
// bytes into a page), so stepping 64 bytes from its start for sizeof(T)
// bytes misses its last line whenever it straddles one more line than
// sizeof(T) / 64: the collector's host entries (224 bytes) and per-minute
// deltas (72) did, and the loads of their tails were the aggregate's
// hottest cache misses (docs/benchmarks.md, decode + aggregate).

#include <cstddef>
#include <cstdint>

namespace wireflow {

inline constexpr std::size_t cache_line_bytes = 64;

// Calls f(line) with the start of each cache line that holds any of the
// `bytes` bytes at p, first to last, each once.
template <typename F>
inline void for_each_line(const void* p, std::size_t bytes, F&& f) noexcept {
    if (bytes == 0) return;
    const auto first = reinterpret_cast<std::uintptr_t>(p) & ~(std::uintptr_t{cache_line_bytes} - 1);
    const auto last = reinterpret_cast<std::uintptr_t>(p) + bytes - 1;
    for (std::uintptr_t line = first; line <= last; line += cache_line_bytes) f(reinterpret_cast<const char*>(line));
}

// For an object about to be written.
template <typename T>
inline void prefetch_for_write(const T& object) noexcept {
    for_each_line(&object, sizeof(T), [](const char* line) { __builtin_prefetch(line, 1); });
}

// For an object about to be read.
template <typename T>
inline void prefetch_for_read(const T& object) noexcept {
    for_each_line(&object, sizeof(T), [](const char* line) { __builtin_prefetch(line, 0); });
}

}  // namespace wireflow
