#pragma once
// What every fuzz target shares: a reader that takes typed values off the
// front of libFuzzer's input (never reading past it: a short input yields
// zeros and empty spans, so every byte string is a valid input), and
// FUZZ_CHECK, which turns a broken invariant into a crash the fuzzer keeps.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string_view>

namespace wireflow::fuzz {

class input {
public:
    input(const std::uint8_t* data, std::size_t size) : rest_(data, size) {}

    [[nodiscard]] std::uint8_t u8() noexcept {
        if (rest_.empty()) return 0;
        const std::uint8_t v = rest_.front();
        rest_ = rest_.subspan(1);
        return v;
    }
    // Big-endian, as the seed files are written (tests/fuzz/seeds.py).
    [[nodiscard]] std::uint16_t u16() noexcept { return static_cast<std::uint16_t>(u8() << 8 | u8()); }
    [[nodiscard]] std::span<const std::uint8_t> bytes(std::size_t n) noexcept {
        const auto take = rest_.first(n < rest_.size() ? n : rest_.size());
        rest_ = rest_.subspan(take.size());
        return take;
    }
    [[nodiscard]] std::span<const std::uint8_t> rest() noexcept { return bytes(rest_.size()); }
    [[nodiscard]] std::string_view text(std::span<const std::uint8_t> b) const noexcept {
        return {reinterpret_cast<const char*>(b.data()), b.size()};
    }
    // Up to the next `sep` byte (consumed), or the rest.
    [[nodiscard]] std::string_view until(std::uint8_t sep) noexcept {
        std::size_t n = 0;
        while (n < rest_.size() && rest_[n] != sep) ++n;
        const auto part = text(rest_.first(n));
        rest_ = rest_.subspan(n < rest_.size() ? n + 1 : n);
        return part;
    }
    [[nodiscard]] bool empty() const noexcept { return rest_.empty(); }

private:
    std::span<const std::uint8_t> rest_;
};

[[noreturn]] inline void check_failed(const char* what, const char* file, int line) {
    std::fprintf(stderr, "FUZZ_CHECK failed: %s (%s:%d)\n", what, file, line);
    std::abort();
}

}  // namespace wireflow::fuzz

// An invariant of the code under test; its failure is a finding like a crash.
#define FUZZ_CHECK(cond) ((cond) ? (void)0 : ::wireflow::fuzz::check_failed(#cond, __FILE__, __LINE__))
