#include "export/record_ring.hpp"

#include <rte_errno.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include <stdexcept>
#include <string>

namespace wireflow::probe {

namespace {
unsigned round_up_pow2(unsigned v) {
    unsigned p = 2;
    while (p < v && p < (1u << 30)) p <<= 1;
    return p;
}
}  // namespace

record_ring::record_ring(std::string_view name, unsigned capacity, int socket_id) {
    const std::string n{name};
    // SP/SC: exactly one worker enqueues and one exporter thread dequeues, so
    // the cheaper single-producer/single-consumer head/tail updates are safe.
    ring_ = rte_ring_create_elem(n.c_str(), sizeof(flow_record), round_up_pow2(capacity), socket_id,
                                 RING_F_SP_ENQ | RING_F_SC_DEQ);
    if (ring_ == nullptr)
        throw std::runtime_error("cannot create export ring " + n + ": " + rte_strerror(rte_errno));
}

record_ring::~record_ring() { rte_ring_free(ring_); }

bool record_ring::try_push(const flow_record& r) noexcept {
    // rte_ring_sp_enqueue_elem copies the element; -ENOBUFS when full.
    if (rte_ring_sp_enqueue_elem(ring_, const_cast<flow_record*>(&r), sizeof(flow_record)) != 0) [[unlikely]] {
        // One writer: a relaxed load+store is an increment nobody else races with.
        full_drops_.store(full_drops_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        return false;
    }
    return true;
}

unsigned record_ring::pop_burst(std::span<flow_record> out) noexcept {
    if (out.empty()) return 0;
    return rte_ring_sc_dequeue_burst_elem(ring_, out.data(), sizeof(flow_record), static_cast<unsigned>(out.size()),
                                          nullptr);
}

unsigned record_ring::capacity() const noexcept { return rte_ring_get_capacity(ring_); }
unsigned record_ring::count() const noexcept { return rte_ring_count(ring_); }
unsigned record_ring::free_count() const noexcept { return rte_ring_free_count(ring_); }

}  // namespace wireflow::probe
