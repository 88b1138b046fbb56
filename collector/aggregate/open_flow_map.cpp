#include "open_flow_map.hpp"

#include <type_traits>

namespace wireflow::collector::aggregate {

open_flow_map::open_flow_map() : cells_(1024) {}

open_flow_map::flow* open_flow_map::find(std::uint64_t key) noexcept {
    key = stored(key);
    const std::size_t mask = cells_.size() - 1;
    for (std::size_t i = key & mask;; i = (i + 1) & mask) {
        cell& c = cells_[i];
        if (c.key == key) return &c.value;
        if (c.key == 0) return nullptr;
    }
}

void open_flow_map::insert(std::uint64_t key, const flow& f) {
    if ((size_ + 1) * 10 > cells_.size() * 7) grow();
    key = stored(key);
    const std::size_t mask = cells_.size() - 1;
    std::size_t i = key & mask;
    while (cells_[i].key != 0) i = (i + 1) & mask;
    cells_[i] = {f, key};
    ++size_;
}

void open_flow_map::erase(const flow* f) noexcept {
    if (f == nullptr) return;
    static_assert(std::is_standard_layout_v<cell>);
    const auto* c = reinterpret_cast<const cell*>(f);  // its first member
    erase_at(static_cast<std::size_t>(c - cells_.data()));
}

void open_flow_map::erase_at(std::size_t i) noexcept {
    // Backward-shift deletion (linear probing without tombstones): pull later
    // cells of the run back when their home is not between the hole and them.
    const std::size_t mask = cells_.size() - 1;
    for (std::size_t j = (i + 1) & mask; cells_[j].key != 0; j = (j + 1) & mask) {
        const std::size_t home = cells_[j].key & mask;
        if (((j - home) & mask) >= ((j - i) & mask)) {
            cells_[i] = cells_[j];
            i = j;
        }
    }
    cells_[i] = cell{};
    --size_;
}

void open_flow_map::grow() {
    std::vector<cell> old(cells_.size() * 2);
    old.swap(cells_);
    const std::size_t mask = cells_.size() - 1;
    for (const auto& c : old) {
        if (c.key == 0) continue;
        std::size_t i = c.key & mask;
        while (cells_[i].key != 0) i = (i + 1) & mask;
        cells_[i] = c;
    }
}

}  // namespace wireflow::collector::aggregate
