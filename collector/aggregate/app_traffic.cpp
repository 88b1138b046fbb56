#include "app_traffic.hpp"

#include <algorithm>
#include <cstring>

namespace wireflow::collector::aggregate {

app_names::app_names() { names_.emplace_back("Other"); }

std::size_t app_names::memo_slot(std::string_view name) noexcept {
    std::uint64_t head = 0, tail = 0;
    const std::size_t n = name.size();
    if (n >= 8) {
        std::memcpy(&head, name.data(), 8);
        std::memcpy(&tail, name.data() + n - 8, 8);
    } else {
        std::memcpy(&head, name.data(), n);
    }
    const std::uint64_t h = (head * 0x9e3779b97f4a7c15ULL) ^ ((tail ^ n) * 0xc2b2ae3d27d4eb4fULL);
    return static_cast<std::size_t>(h >> 56) & (memo_slots - 1);
}

app_id app_names::intern(std::string_view name) {
    if (name.empty()) return other;
    app_id& memo = memo_[memo_slot(name)];
    if (memo != other && names_[memo] == name) return memo;
    if (name == "Other") return other;
    if (auto it = ids_.find(name); it != ids_.end()) return memo = it->second;
    if (names_.size() >= capacity) return other;
    const auto id = static_cast<app_id>(names_.size());
    names_.emplace_back(name);
    ids_.emplace(names_.back(), id);
    return memo = id;
}

void app_traffic::add(app_id app, std::uint64_t bytes) noexcept {
    if (app == app_names::other) {
        other_ += bytes;
        return;
    }
    unsigned free_slot = slots;
    unsigned smallest = 0;
    for (unsigned i = 0; i < slots; ++i) {
        if (ids_[i] == app) {
            bytes_[i] += bytes;
            return;
        }
        if (ids_[i] == 0 && free_slot == slots) free_slot = i;
        if (bytes_[i] < bytes_[smallest]) smallest = i;
    }
    if (free_slot != slots) {
        ids_[free_slot] = app;
        bytes_[free_slot] = bytes;
        return;
    }
    if (bytes > bytes_[smallest]) {
        other_ += bytes_[smallest];
        ids_[smallest] = app;
        bytes_[smallest] = bytes;
        return;
    }
    other_ += bytes;
}

std::vector<app_traffic::entry> app_traffic::entries() const {
    std::vector<entry> out;
    for (unsigned i = 0; i < slots; ++i)
        if (ids_[i] != 0) out.push_back({ids_[i], bytes_[i]});
    std::sort(out.begin(), out.end(), [](const entry& a, const entry& b) {
        return a.bytes != b.bytes ? a.bytes > b.bytes : a.app < b.app;
    });
    if (other_ != 0) out.push_back({app_names::other, other_});
    return out;
}

}  // namespace wireflow::collector::aggregate
