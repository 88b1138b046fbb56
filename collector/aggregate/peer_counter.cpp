#include "peer_counter.hpp"

#include "hash.hpp"

#include <bit>
#include <cmath>
#include <cstring>

namespace wireflow::collector::aggregate {

void peer_counter::add(std::uint32_t peer_hash) noexcept {
    if (count_ == sketch_mode) {
        sketch_add(peer_hash);
        return;
    }
    for (unsigned i = 0; i < count_; ++i) {
        std::uint32_t h;
        std::memcpy(&h, data_.data() + i * 4, 4);
        if (h == peer_hash) return;
    }
    if (count_ < exact_limit) {
        std::memcpy(data_.data() + count_ * 4, &peer_hash, 4);
        ++count_;
        return;
    }
    to_sketch();
    sketch_add(peer_hash);
}

void peer_counter::to_sketch() noexcept {
    std::array<std::uint32_t, exact_limit> held;
    std::memcpy(held.data(), data_.data(), sizeof held);
    data_.fill(0);
    count_ = sketch_mode;
    for (auto h : held) sketch_add(h);
}

void peer_counter::sketch_add(std::uint32_t peer_hash) noexcept {
    const std::uint64_t h = mix64(peer_hash);
    const unsigned index = static_cast<unsigned>(h >> 58);  // 6 bits: 64 registers
    const std::uint64_t rest = (h << 6) | (1ULL << 5);      // guard bit bounds the rank
    unsigned rank = static_cast<unsigned>(std::countl_zero(rest)) + 1;
    if (rank > 15) rank = 15;
    std::uint8_t& byte = data_[index / 2];
    const unsigned shift = (index % 2) * 4;
    const unsigned cur = (byte >> shift) & 0xF;
    if (rank > cur)
        byte = static_cast<std::uint8_t>((byte & ~(0xF << shift)) | (rank << shift));
}

std::uint64_t peer_counter::estimate() const noexcept {
    if (count_ != sketch_mode) return count_;
    constexpr double m = 64.0;
    constexpr double alpha = 0.709;  // alpha_64
    double sum = 0;
    unsigned zeros = 0;
    for (unsigned i = 0; i < 64; ++i) {
        const unsigned r = (data_[i / 2] >> ((i % 2) * 4)) & 0xF;
        sum += std::ldexp(1.0, -static_cast<int>(r));
        if (r == 0) ++zeros;
    }
    double e = alpha * m * m / sum;
    if (e <= 2.5 * m && zeros != 0) e = m * std::log(m / zeros);
    // The sketch only exists once more than exact_limit peers were seen.
    if (e < exact_limit + 1) e = exact_limit + 1;
    return static_cast<std::uint64_t>(std::llround(e));
}

}  // namespace wireflow::collector::aggregate
