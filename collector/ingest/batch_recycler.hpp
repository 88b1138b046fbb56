#pragma once
// Spent flow_batches travel back from the database thread to the ingest
// thread, which decodes the next messages into them. A batch of 1,000
// records is ~250 KB of flow_record plus three strings each: allocating,
// zeroing and freeing that per message (and glibc trimming the heap between
// messages, so every batch page-faulted its memory in again) was a fifth of
// decode + aggregate (docs/benchmarks.md). A reused batch keeps its records'
// storage and its strings' capacity; decode_batch overwrites every field.
//
// Bounded twice, so a hostile or bursty sender cannot make it pin memory:
// at most max_kept batches, and a batch whose record capacity is above
// max_records_kept is freed rather than kept.
//
// Thread-safety: give and take from any thread (one short lock per batch).

#include <cstddef>
#include <mutex>
#include <span>
#include <vector>

#include "model/flow_batch.hpp"

namespace wireflow::collector::ingest {

class batch_recycler {
public:
    static constexpr std::size_t default_max_kept = 256;
    static constexpr std::size_t default_max_records_kept = 16384;

    explicit batch_recycler(std::size_t max_kept = default_max_kept,
                            std::size_t max_records_kept = default_max_records_kept)
        : max_kept_(max_kept), max_records_kept_(max_records_kept) {}

    // A spent batch, or an empty one when none is kept. Its contents are
    // stale: decode_batch overwrites them.
    [[nodiscard]] flow_batch take() {
        std::lock_guard lock(mutex_);
        if (kept_.empty()) return {};
        flow_batch b = std::move(kept_.back());
        kept_.pop_back();
        return b;
    }

    void give(flow_batch&& b) {
        if (b.records.capacity() == 0 || b.records.capacity() > max_records_kept_) return;
        std::lock_guard lock(mutex_);
        if (kept_.size() < max_kept_) kept_.push_back(std::move(b));
    }
    void give(std::span<flow_batch> batches) {
        for (auto& b : batches) give(std::move(b));
    }

    [[nodiscard]] std::size_t kept() const {
        std::lock_guard lock(mutex_);
        return kept_.size();
    }

private:
    const std::size_t max_kept_, max_records_kept_;
    mutable std::mutex mutex_;
    std::vector<flow_batch> kept_;
};

}  // namespace wireflow::collector::ingest
