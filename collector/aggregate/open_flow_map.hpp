#pragma once
// The host table's open flows: flows whose latest record said they go on
// (end_reason active_timeout), by flow identity, with the two hosts they
// count against. One lookup per record, mostly a miss (most records end
// their flow), so it is a flat open-addressing table: a miss reads one or
// two adjacent 24-byte cells instead of a bucket array and a node list, and
// an insert allocates nothing until the table grows.
//
// Keys are the host table's keyed flow hashes (common/hash.hpp), uniform
// and unpredictable to senders, so the low bits index the table directly
// and linear probing stays short whatever flows are sent. Key 0 marks an
// empty cell: a flow whose hash is 0 is stored as 1 (the identity is a
// hash already; one more collision in 2^64 changes nothing).

#include <cstddef>
#include <cstdint>
#include <vector>

namespace wireflow::collector::aggregate {

class open_flow_map {
public:
    struct flow {
        std::uint32_t client{0}, server{0};  // host indexes
        std::uint64_t last_seen_ns{0};
    };

    open_flow_map();

    // The flow of `key`, or nullptr. Valid until the next insert or erase.
    [[nodiscard]] flow* find(std::uint64_t key) noexcept;
    // Adds `key` (which must not be present).
    void insert(std::uint64_t key, const flow& f);
    // Removes the flow find(key) returned.
    void erase(const flow* f) noexcept;
    // Removes every flow for which drop(flow) is true, after calling it.
    template <class Drop>
    void erase_if(Drop drop);

    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] std::size_t memory_bytes() const noexcept { return cells_.capacity() * sizeof(cell); }

private:
    // value first: a flow* is then pointer-interconvertible with its cell.
    struct cell {
        flow value;
        std::uint64_t key{0};  // 0: empty
    };
    static std::uint64_t stored(std::uint64_t key) noexcept { return key == 0 ? 1 : key; }
    void erase_at(std::size_t i) noexcept;
    void grow();

    std::vector<cell> cells_;  // power-of-two size, at most 70 % full
    std::size_t size_{0};
};

template <class Drop>
void open_flow_map::erase_if(Drop drop) {
    // Collect first: backward-shift deletion moves cells, which would make
    // a single pass skip or revisit some. This runs a few times per hour.
    std::vector<std::uint64_t> doomed;
    for (const auto& c : cells_)
        if (c.key != 0 && drop(c.value)) doomed.push_back(c.key);
    for (const auto k : doomed) erase(find(k));
}

}  // namespace wireflow::collector::aggregate
