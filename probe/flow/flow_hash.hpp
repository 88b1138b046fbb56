#pragma once
// The flow table's index hash: a keyed function of the flow key, so a sender
// cannot choose addresses and ports that share one probe chain of the index
// (hash flooding; docs/architecture.md, "Keyed hashes").
//
// An IPv4 key's varying bytes are exactly one 16-byte block (both addresses'
// four bytes, the ports, VLAN, version and protocol), so on a CPU with AES-NI
// it is enciphered with AES-128 under a key derived from the table's hash key:
// a block cipher under a secret key is a pseudo-random permutation, the
// strongest of the keyed functions this could use, and eleven instructions
// that overlap across the keys of a burst (AES-NI pipelines one round per
// cycle), where SipHash-1-3 of the same block was the probe's largest
// per-packet cost with few flows (docs/benchmarks.md). IPv6 keys (40 bytes)
// and CPUs without AES-NI use SipHash-1-3 (hash(), flow_key.hpp). Each kind of
// key always takes the same path in one table, so equal keys hash alike.

#include <array>
#include <cstddef>
#include <cstdint>

#include "flow/flow_key.hpp"
#include "hash.hpp"

namespace wireflow::probe {

class flow_hash {
public:
    enum class method : std::uint8_t { aes, siphash };

    // AES-NI when this CPU has it.
    explicit flow_hash(const hash_key& key) noexcept;
    // Tests pin either method; `aes` on a CPU without AES-NI falls back to siphash.
    flow_hash(const hash_key& key, method m) noexcept;

    [[nodiscard]] static bool aes_available() noexcept;
    [[nodiscard]] method how() const noexcept { return method_; }

    [[nodiscard]] std::uint64_t operator()(const flow_key& k) const noexcept;
    // out[i] = (*this)(*keys[i]) for i < n, the AES rounds of consecutive
    // IPv4 keys overlapping in the pipeline.
    void operator()(const flow_key* const* keys, std::uint64_t* out, std::size_t n) const noexcept;

private:
    hash_key key_;
    method method_;
    alignas(16) std::array<std::array<std::uint8_t, 16>, 11> round_keys_{};  // AES-128's schedule
};

namespace detail {
// One AES-128 encryption (FIPS-197) with AES-NI, for the known-answer test.
// Only on a CPU where flow_hash::aes_available().
void aes128_encrypt(const std::uint8_t (&key)[16], const std::uint8_t (&in)[16], std::uint8_t (&out)[16]) noexcept;
}  // namespace detail

}  // namespace wireflow::probe
