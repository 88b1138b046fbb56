#pragma once
// One worker's export ring: a DPDK rte_ring whose elements are flow_record
// values (rte_ring_create_elem), single producer (the worker lcore) and single
// consumer (the exporter thread). The worker never blocks: a full ring drops
// the record and counts it.

#include <atomic>
#include <cstdint>
#include <span>
#include <string_view>

#include "flow/flow_record.hpp"

struct rte_ring;

namespace wireflow::probe {

// rte_ring_create_elem requires an element size that is a multiple of 4.
static_assert(sizeof(flow_record) % 4 == 0, "rte_ring elements must be a multiple of 4 bytes");

class record_ring {
public:
    // `capacity` is rounded up to a power of two (usable slots = that - 1).
    // `name` must be unique in the EAL process (<= 28 chars). Requires an
    // initialised EAL; throws std::runtime_error on failure (setup only).
    record_ring(std::string_view name, unsigned capacity, int socket_id = -1 /* SOCKET_ID_ANY */);
    ~record_ring();
    record_ring(const record_ring&) = delete;
    record_ring& operator=(const record_ring&) = delete;

    // Producer side (one worker). Never blocks; false = ring full, counted.
    bool try_push(const flow_record& r) noexcept;

    // Consumer side (the exporter). Copies up to out.size() records, oldest first.
    unsigned pop_burst(std::span<flow_record> out) noexcept;

    // Records refused because the ring was full. Written by the producer only
    // (relaxed atomic: no ordering needed, readers just want a recent value).
    [[nodiscard]] std::uint64_t full_drops() const noexcept { return full_drops_.load(std::memory_order_relaxed); }
    [[nodiscard]] unsigned capacity() const noexcept;
    [[nodiscard]] unsigned count() const noexcept;
    // Free slots now (rte_ring_free_count): lets an offline replay wait for room
    // instead of dropping; live capture uses try_push and counts drops.
    [[nodiscard]] unsigned free_count() const noexcept;

private:
    rte_ring* ring_{nullptr};
    alignas(64) std::atomic<std::uint64_t> full_drops_{0};
};

}  // namespace wireflow::probe
