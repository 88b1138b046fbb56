#pragma once
// The collector's database thread: takes groups of validated batches from the
// ingest thread, makes them durable and reports one ack per batch.
//
// Durable means committed to PostgreSQL (store::write_batches, one
// transaction per group) or, while PostgreSQL is unreachable, appended to the
// spool and fdatasync'ed. Only then is a batch acked STORED (or DUPLICATE when
// the store knew it); a full or failing spool answers BUSY so the probe keeps
// the batch. The thread reconnects with exponential backoff (100 ms doubling
// to 5 s) and replays the spool oldest segment first; a segment is deleted
// only after all its batches are committed, and replaying one twice (crash in
// between) is harmless because the store de-duplicates by batch identity.
// A group the server refuses as data (store_error::rejected) is retried batch
// by batch and only the culprit is answered REJECTED, so one poison batch can
// neither wedge the spool nor take good batches down with it.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "batch_recycler.hpp"
#include "collector_stats.hpp"
#include "log_limiter.hpp"
#include "spool.hpp"
#include "model/flow_batch.hpp"
#include "model/probe_stats.hpp"

namespace wireflow::collector {
class store;
}

namespace wireflow::collector::ingest {

enum class ack_status : std::uint8_t { stored, duplicate, rejected, busy };

// Where an ack goes: the ROUTER routing id of the sender, and whether it
// framed its message with an empty delimiter (REQ-style) that the reply repeats.
struct ack_target {
    zmq::message_t routing_id;
    bool delimiter{false};
};

struct ack_item {
    ack_target target;
    batch_id id;
    ack_status status{ack_status::rejected};
    std::string reason;
};

// One group handed from the ingest thread: parallel vectors, so the batches
// are one contiguous span for store::write_batches.
struct work_item {
    std::vector<flow_batch> batches;
    std::vector<zmq::message_t> bodies;  // the encoded Envelope of each batch, for the spool
    std::vector<ack_target> targets;
    std::vector<probe_stats> stats;
    std::size_t records{0};
    std::size_t bytes{0};  // sum of bodies: what --ingest-buffer-mb bounds
};

struct db_writer_settings {
    std::string conninfo;
    int retention_days{30};
    int partition_days_ahead{2};
    std::size_t replay_group_batches{64};
    std::chrono::milliseconds max_backoff{5000};
    // Called on the database thread once for every batch committed to
    // PostgreSQL as new (directly or replayed from the spool), never for a
    // duplicate: the live aggregates count what PostgreSQL holds, once.
    // Must not throw.
    std::function<void(const flow_batch&)> on_stored;
    // Called on the database thread for every batch about to be written
    // (live groups and spool replay; a spooled batch is marked again when
    // replayed), e.g. blacklist marks. Must not throw.
    std::function<void(flow_batch&)> before_store;
};

class db_writer {
public:
    // `deliver` is called on the database thread with the acks of each group.
    // Spent batches go back to `recycler` (when given), which must outlive
    // the writer.
    db_writer(db_writer_settings settings, std::unique_ptr<spool> sp, collector_stats& stats,
              std::function<void(std::vector<ack_item>&&)> deliver, batch_recycler* recycler = nullptr);
    ~db_writer();  // close() and join
    db_writer(const db_writer&) = delete;
    db_writer& operator=(const db_writer&) = delete;

    void submit(work_item&& w);
    [[nodiscard]] std::size_t queued() const;
    // Message bytes submitted and not yet stored, spooled or answered.
    [[nodiscard]] std::size_t queued_bytes() const { return queued_bytes_.load(std::memory_order_relaxed); }
    // No more work: the thread finishes what is queued (store or spool) and exits.
    void close();
    [[nodiscard]] bool finished() const { return finished_.load(); }

private:
    void run();
    void maybe_connect();
    void mark_down(const std::string& why);
    void process(work_item& w);
    std::vector<ack_status> write_group(std::span<const flow_batch> batches, std::span<zmq::message_t> bodies,
                                        std::vector<std::string>& reasons);
    // Writes directly; returns false (and marks the database down) if it went away.
    bool try_store(std::span<const flow_batch> batches, std::vector<ack_status>& out, std::vector<std::string>& reasons);
    void replay_one_segment();
    void maintenance();
    void publish_spool();

    db_writer_settings settings_;
    std::unique_ptr<spool> spool_;
    collector_stats& stats_;
    std::function<void(std::vector<ack_item>&&)> deliver_;
    batch_recycler* recycler_;
    std::unique_ptr<store> db_;
    bool ever_connected_{false};
    std::chrono::steady_clock::time_point next_attempt_{};
    std::chrono::milliseconds backoff_{100};
    std::chrono::steady_clock::time_point next_maintenance_{};
    log_limiter log_;

    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<work_item> queue_;
    bool closed_{false};
    std::atomic<bool> finished_{false};
    std::atomic<std::size_t> queued_bytes_{0};
    std::thread thread_;
};

}  // namespace wireflow::collector::ingest
