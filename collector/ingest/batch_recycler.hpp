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
// a batch whose record capacity is above max_batch_records is freed rather
// than kept, and the batches kept hold at most max_total_records records
// (default 262,144: ~64 MB of flow_record, about what --ingest-buffer-mb
// lets be in flight anyway).
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
    static constexpr std::size_t default_max_total_records = 262144;
    static constexpr std::size_t default_max_batch_records = 16384;

    explicit batch_recycler(std::size_t max_total_records = default_max_total_records,
                            std::size_t max_batch_records = default_max_batch_records)
        : max_total_(max_total_records), max_batch_(max_batch_records) {}

    // A spent batch, or an empty one when none is kept. Its contents are
    // stale: decode_batch overwrites them.
    [[nodiscard]] flow_batch take() {
        std::lock_guard lock(mutex_);
        if (kept_.empty()) return {};
        flow_batch b = std::move(kept_.back());
        kept_.pop_back();
        kept_records_ -= b.records.capacity();
        return b;
    }

    void give(flow_batch&& b) {
        const std::size_t records = b.records.capacity();
        if (records == 0 || records > max_batch_) return;
        std::lock_guard lock(mutex_);
        if (kept_records_ + records > max_total_) return;
        kept_records_ += records;
        kept_.push_back(std::move(b));
    }
    void give(std::span<flow_batch> batches) {
        for (auto& b : batches) give(std::move(b));
    }

    [[nodiscard]] std::size_t kept() const {
        std::lock_guard lock(mutex_);
        return kept_.size();
    }

private:
    const std::size_t max_total_, max_batch_;
    mutable std::mutex mutex_;
    std::vector<flow_batch> kept_;
    std::size_t kept_records_{0};  // sum of the kept batches' record capacities
};

}  // namespace wireflow::collector::ingest
