#pragma once
// The current blacklist_set, swapped atomically on reload. Each reading
// thread owns a reader that keeps its own reference to the version it uses and
// checks one atomic counter per lookup, so the ingest path takes no lock and
// touches no shared reference count; it picks up a new version at its next
// lookup, and the old version is freed when its last reader has moved on.

#include <atomic>
#include <cstdint>
#include <memory>

#include "blacklist/blacklist_set.hpp"

namespace wireflow::collector::blacklist {

class published_blacklist {
public:
    published_blacklist() : current_(std::make_shared<const blacklist_set>()) {}

    // Readers see either the previous or this complete set, never a mix.
    void publish(std::shared_ptr<const blacklist_set> set) {
        if (!set) set = std::make_shared<const blacklist_set>();
        current_.store(std::move(set), std::memory_order_release);
        generation_.fetch_add(1, std::memory_order_release);
    }

    [[nodiscard]] std::shared_ptr<const blacklist_set> current() const {
        return current_.load(std::memory_order_acquire);
    }
    [[nodiscard]] std::uint64_t generation() const noexcept { return generation_.load(std::memory_order_acquire); }

    // One per thread; not shareable between threads.
    class reader {
    public:
        explicit reader(const published_blacklist& source) : source_(&source) { refresh(); }

        // The version this reader uses now (refreshed if a newer one exists).
        [[nodiscard]] const blacklist_set& snapshot() noexcept {
            if (source_->generation_.load(std::memory_order_acquire) != seen_) [[unlikely]] refresh();
            return *set_;
        }
        [[nodiscard]] blacklist_match lookup(const net::ip_address& address) noexcept { return snapshot().lookup(address); }

    private:
        void refresh() noexcept {
            // Generation first: a publish in between makes us refresh again
            // next time, never miss a version.
            seen_ = source_->generation_.load(std::memory_order_acquire);
            set_ = source_->current_.load(std::memory_order_acquire);
        }

        const published_blacklist* source_;
        std::shared_ptr<const blacklist_set> set_;
        std::uint64_t seen_{0};
    };

private:
    std::atomic<std::shared_ptr<const blacklist_set>> current_;
    std::atomic<std::uint64_t> generation_{0};
};

}  // namespace wireflow::collector::blacklist
