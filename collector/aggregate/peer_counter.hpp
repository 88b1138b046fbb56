#pragma once
// Distinct-peer counter per host in 33 bytes.
//
// Exact for up to 8 distinct peers (peers are kept as 32-bit hashes, so two
// peers collide with probability ~n^2/2^33: negligible at that size). The
// ninth distinct peer turns the same bytes into a HyperLogLog sketch
// (Flajolet et al. 2007) of 64 four-bit registers: standard error
// 1.04/sqrt(64) ~ 13%, linear counting below 2.5m for small counts, and a
// ceiling near 1.4 million peers (ranks saturate at 15). Most hosts talk to a
// handful of peers, so most hosts stay exact.

#include <array>
#include <cstdint>

namespace wireflow::collector::aggregate {

class peer_counter {
public:
    static constexpr unsigned exact_limit = 8;

    // peer_hash: a 32-bit hash of the peer's identity (address and VLAN).
    void add(std::uint32_t peer_hash) noexcept;
    [[nodiscard]] std::uint64_t estimate() const noexcept;
    [[nodiscard]] bool exact() const noexcept { return count_ != sketch_mode; }

private:
    static constexpr std::uint8_t sketch_mode = 0xFF;
    void to_sketch() noexcept;
    void sketch_add(std::uint32_t peer_hash) noexcept;

    std::array<std::uint8_t, 32> data_{};  // 8 x uint32 hashes, or 64 x 4-bit registers
    std::uint8_t count_{0};                 // exact entries, or sketch_mode
};
static_assert(sizeof(peer_counter) == 33);

}  // namespace wireflow::collector::aggregate
