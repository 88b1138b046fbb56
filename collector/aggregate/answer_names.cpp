#include "answer_names.hpp"

#include <algorithm>

namespace wireflow::collector::aggregate {

answer_names::answer_names(std::size_t capacity, hash_key key)
    : half_(std::max<std::size_t>(1, capacity / 2)), key_(key), current_(0, key_hasher{key}),
      previous_(0, key_hasher{key}) {}

void answer_names::put(const host_key& address, std::string_view name) {
    if (name.empty()) return;
    if (const auto it = current_.find(address); it != current_.end()) {
        if (it->second != name) it->second.assign(name);
        return;
    }
    if (current_.size() >= half_) {
        previous_ = std::move(current_);
        current_ = map(0, key_hasher{key_});
    }
    previous_.erase(address);  // refreshed: it lives in the current generation now
    current_.emplace(address, name);
}

std::string_view answer_names::find(const host_key& address) const noexcept {
    if (const auto it = current_.find(address); it != current_.end()) return it->second;
    if (const auto it = previous_.find(address); it != previous_.end()) return it->second;
    return {};
}

std::size_t answer_names::memory_bytes() const noexcept {
    // One node (key, string, next pointer, cached hash) per name, heap text
    // beyond the small-string buffer, a bucket pointer per bucket.
    constexpr std::size_t node = sizeof(host_key) + sizeof(std::string) + 2 * sizeof(void*);
    std::size_t bytes = (current_.bucket_count() + previous_.bucket_count()) * sizeof(void*);
    for (const map* m : {&current_, &previous_})
        for (const auto& [k, n] : *m) bytes += node + (n.size() > 15 ? n.capacity() : 0);
    return bytes;
}

}  // namespace wireflow::collector::aggregate
