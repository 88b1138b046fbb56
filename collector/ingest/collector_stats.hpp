#pragma once
// The collector's counters, written by the ingest and database threads and
// read by anyone (REST, /metrics, logs). Each counter has one writer thread;
// readers take relaxed snapshots, which is all monitoring needs.

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "batch_decoder.hpp"
#include "model/probe_stats.hpp"

namespace wireflow::collector::ingest {

using counter = std::atomic<std::uint64_t>;

struct collector_stats {
    // ingest thread
    counter messages_received{0};
    counter batches_received{0};   // valid batches accepted for storing
    counter records_received{0};
    counter batches_read_fast{0};  // read by wire_batch_reader; the rest by the generated parser
    counter probe_stats_received{0};
    counter active_reports_received{0};  // ActiveFlows messages handed to the active-flow table
    std::array<counter, reject_reason_count> rejected{};  // by reject_reason (store_refused: db thread)
    counter rejected_unacked{0};   // rejects whose identity was unreadable (no ack possible)
    counter sequence_gaps{0};      // sequence jumps ahead (batches the probe says it sent that we never saw)
    counter sequence_missing{0};   // sum of the jump sizes
    counter sequence_repeats{0};   // sequence at or below the highest seen: out of order or re-sent
    counter acks_sent{0};
    counter ingest_paused{0};        // times reading stopped: bytes in flight or database queue full
    counter ingest_buffer_bytes{0};  // gauge: message bytes read and not yet stored, spooled or answered
    // database thread
    counter batches_stored{0};     // committed to PostgreSQL (directly or from the spool)
    counter records_stored{0};     // records in those batches (the store de-duplicates records too)
    counter batches_duplicate{0};
    counter batches_spooled{0};    // acked after the spool fsync
    counter batches_busy{0};       // answered BUSY: spool full or unwritable
    counter batches_replayed{0};   // spooled batches later committed
    counter spool_bytes{0};
    counter spool_batches{0};
    counter spool_truncated_bytes{0};  // torn tails cut at start
    counter probe_stats_stored{0};
    counter probe_stats_dropped{0};    // arrived while PostgreSQL was down (they are a time series, not acked)
    counter db_writes{0};
    counter db_last_write_us{0};
    counter db_total_write_us{0};      // average = db_total_write_us / db_writes
    counter db_reconnects{0};          // successful connections after the first
    counter db_errors{0};
    std::atomic<bool> db_up{false};

    [[nodiscard]] std::uint64_t rejected_total() const {
        std::uint64_t n = 0;
        for (const auto& r : rejected) n += r.load(std::memory_order_relaxed);
        return n;
    }
};

// The latest statistics of every probe, for the REST API. Updated a few times
// a minute per probe, so a mutex is fine here.
class probe_registry {
public:
    void update(const probe_stats& s) {
        std::lock_guard lock(mutex_);
        latest_[s.probe_id] = s;
    }
    [[nodiscard]] std::vector<probe_stats> snapshot() const {
        std::lock_guard lock(mutex_);
        std::vector<probe_stats> out;
        for (const auto& [id, s] : latest_) out.push_back(s);
        return out;
    }

private:
    mutable std::mutex mutex_;
    std::map<std::string, probe_stats, std::less<>> latest_;
};

}  // namespace wireflow::collector::ingest
