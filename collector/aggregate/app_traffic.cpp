#include "app_traffic.hpp"

#include <algorithm>

namespace wireflow::collector::aggregate {

app_names::app_names() { names_.emplace_back("Other"); }

app_id app_names::intern(std::string_view name) {
    if (name.empty() || name == "Other") return other;
    if (auto it = ids_.find(name); it != ids_.end()) return it->second;
    if (names_.size() >= capacity) return other;
    const auto id = static_cast<app_id>(names_.size());
    names_.emplace_back(name);
    ids_.emplace(names_.back(), id);
    return id;
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
